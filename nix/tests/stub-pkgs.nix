# A stand-in for the parts of nixpkgs 25.11 the flake calls, so that packages, apps,
# devShells, checks, the overlay and the NixOS module can be evaluated where no nixpkgs
# `pkgs` exists (only its `lib`). Nothing here builds. Each builder accepts exactly the
# argument names its nixpkgs source or manual defines, and throws on any other: the reading of
# those files, made executable.
#
# Every stand-in derivation's outPath is a real store file (builtins.toFile, written when
# evaluated in read-write mode) holding the JSON description of what it stands for:
# `{ "__gstackStub": 1, kind, name, … }`, with kind "runCommand" (its `script`, the `env` Nix
# hands the builder, `passAsFile`), "program" (`bins`), "image", "fakeNss", "tree" or
# "mkShell". nix/tests/run-scripts.py reads those files to execute every shell text with a
# real bash on stand-in trees. The path hashes the description, as Nix hashes a derivation's
# inputs, so two derivations of one name but other inputs get two paths.
#
# What was read (NixOS/nixpkgs):
#   pkgs/build-support/docker/default.nix, doc/build-helpers/images/dockertools.section.md
#   pkgs/by-name/fa/fakeNss/package.nix
#   pkgs/build-support/rust/build-rust-package/default.nix, doc/languages-frameworks/rust.section.md
#   pkgs/build-support/trivial-builders/default.nix (runCommand = runCommandWith over
#     stdenvNoCC.mkDerivation with passAsFile [ "buildCommand" ]; writeText, writeTextFile and
#     writeShellApplication as written there, with shellcheck in passthru.tests.shellcheck)
#   pkgs/stdenv/generic/setup.sh (how the builder runs a buildCommand)
#   pkgs/build-support/mkshell/default.nix
#   pkgs/by-name/{gr/grafana,pr/prometheus,gr/grafana-loki,te/tempo,pr/prometheus-alertmanager,
#     pr/prometheus-node-exporter,pr/process-compose,ya/yamllint,ni/nixfmt,de/deadnix,
#     do/docker-compose}/package.nix
#   pkgs/build-support/testers/default.nix (runNixOSTest: a test module for nixos/lib/testing,
#     whose options are those of nixos/lib/testing/{name,nodes,testScript,driver,meta,run}.nix)
{
  lib,
  system ? "x86_64-linux",
}:
let
  strict =
    fn: allowed: required: args:
    let
      names = builtins.attrNames args;
      unknown = lib.subtractLists allowed names;
      missing = lib.subtractLists names required;
    in
    if unknown != [ ] then
      throw "stub ${fn}: nixpkgs defines no argument ${lib.concatStringsSep ", " unknown}"
    else if missing != [ ] then
      throw "stub ${fn}: missing required ${lib.concatStringsSep ", " missing}"
    else
      args;

  # A store path name as Nix checks it (checkName in libstore/path.cc): at most 211 of
  # `A-Za-z0-9+-._?=`, not starting with a period; anything else fails evaluation for real.
  validName =
    name:
    builtins.match "[A-Za-z0-9+_?=-][A-Za-z0-9+._?=-]*" name != null
    && builtins.stringLength name <= 211;

  drv =
    name: desc: extra:
    if !validName name then
      throw "stub: invalid store path name `${name}` (Nix allows A-Za-z0-9+-._?=, not a leading period)"
    else
      let
        outPath = builtins.toFile name (
          builtins.toJSON (
            {
              __gstackStub = 1;
              inherit name system;
            }
            // desc
          )
        );
      in
      {
        type = "derivation";
        inherit name system outPath;
        drvPath = "${outPath}.drv";
        outputName = "out";
      }
      // extra;

  # A derivation attribute as Nix hands it to the builder (no __structuredAttrs): strings as
  # they are, derivations as their outPath, paths copied to the store, true as "1", false and
  # null as "", lists joined by spaces; any other attribute set cannot be coerced (an error).
  toEnv =
    name: v:
    if builtins.isPath v then
      "${v}"
    else if builtins.isList v then
      lib.concatMapStringsSep " " (toEnv name) v
    else if builtins.isBool v then
      (if v then "1" else "")
    else if v == null then
      ""
    else if builtins.isAttrs v && !(v ? outPath) && !(v ? __toString) then
      throw "stub: cannot coerce a set to a string (the derivation attribute `${name}`)"
    else if builtins.isFunction v then
      throw "stub: cannot coerce a function to a string (the derivation attribute `${name}`)"
    else
      toString v;

  # runCommand name env script (trivial-builders/default.nix): stdenvNoCC.mkDerivation
  # ({ enableParallelBuilding = true; buildCommand; name; passAsFile = [ "buildCommand" ] ++ … }
  # // env); mkDerivation keeps `passthru` and `meta` off the derivation's attributes.
  runCommandStub =
    name: env: script:
    let
      attrs = {
        enableParallelBuilding = true;
        inherit name;
      }
      // builtins.removeAttrs env [
        "passAsFile"
        "passthru"
        "meta"
      ];
      builderEnv = lib.mapAttrs toEnv attrs;
    in
    drv name
      {
        kind = "runCommand";
        inherit script;
        env = builderEnv;
        passAsFile = [ "buildCommand" ] ++ (env.passAsFile or [ ]);
      }
      (
        (env.passthru or { })
        // {
          meta = env.meta or { };
          __env = env;
          __builderEnv = builderEnv;
          __script = script;
        }
      );

  # a package with programs in bin/ (its mainProgram, or its pname, and `bins`)
  program =
    pname: version: mainProgram: extra:
    programWith pname version mainProgram [ ] extra;
  programWith =
    pname: version: mainProgram: bins: extra:
    drv "${pname}-${version}"
      {
        kind = "program";
        inherit pname mainProgram;
        bins = lib.unique ([ (if mainProgram != null then mainProgram else pname) ] ++ bins);
      }
      (
        {
          inherit pname version;
          meta = lib.optionalAttrs (mainProgram != null) { inherit mainProgram; };
        }
        // extra
      );
  tree =
    name: files:
    drv name {
      kind = "tree";
      inherit files;
    } { };

  # pkgs/by-name/fa/fakeNss/package.nix: etc/passwd and etc/group with root and nobody
  fakeNssWith =
    args:
    let
      a = strict "fakeNss.override" [ "extraPasswdLines" "extraGroupLines" ] [ ] args;
    in
    drv "fake-nss"
      {
        kind = "fakeNss";
        extraPasswdLines = a.extraPasswdLines or [ ];
        extraGroupLines = a.extraGroupLines or [ ];
      }
      {
        override = fakeNssWith;
      }
    // lib.optionalAttrs (args != { }) { __args = a; };

  self = {
    inherit lib;
    stdenv.hostPlatform = {
      inherit system;
      isLinux = lib.hasSuffix "-linux" system;
      isDarwin = lib.hasSuffix "-darwin" system;
    };
    newScope = extra: lib.callPackageWith (self // extra);
    callPackage = lib.callPackageWith self;

    # versions: nixos-25.11 era; only their shape matters here
    grafana = program "grafana" "12.2.1" "grafana" { };
    prometheus = program "prometheus" "3.5.0" "prometheus" {
      cli = programWith "prometheus" "3.5.0-cli" null [ "promtool" ] { };
    };
    grafana-loki = programWith "grafana-loki" "3.6.2" "loki" [ "logcli" ] { };
    tempo = programWith "tempo" "2.9.0" null [ "tempo-cli" ] { };
    prometheus-alertmanager = programWith "alertmanager" "0.28.1" "alertmanager" [ "amtool" ] { };
    prometheus-node-exporter = program "node_exporter" "1.9.1" "node_exporter" { };
    process-compose = program "process-compose" "1.75.2" "process-compose" { };
    jq = program "jq" "1.8.1" "jq" { };
    coreutils = program "coreutils" "9.7" null { };
    kubectl = program "kubectl" "1.34.1" "kubectl" { };
    kubernetes-helm = program "kubernetes-helm" "3.19.0" "helm" { };
    docker-compose = program "docker-compose" "2.40.0" "docker-compose" { };
    nixfmt = program "nixfmt" "1.1.0" "nixfmt" { };
    deadnix = program "deadnix" "1.3.1" "deadnix" { };
    yamllint = program "yamllint" "1.37.1" "yamllint" { };
    # pkgs/development/interpreters/python/with-packages.nix: `f python.pkgs` into a buildEnv
    # named `<python>-env`; a package the set lacks is a missing attribute, as there
    python3 = program "python3" "3.13.7" "python3" {
      withPackages =
        f:
        let
          extraLibs = f {
            pyyaml = program "python3.13-pyyaml" "6.0.3" null { };
          };
        in
        assert builtins.isList extraLibs && lib.all lib.isDerivation extraLibs;
        programWith "python3-3.13.7" "env" "python3" [ ] { };
    };
    # pkgs/by-name/ut/util-linux: flock among its programs
    util-linux = programWith "util-linux" "2.41.2" null [ "flock" ] { };
    nix = programWith "nix" "2.31.2" "nix" [
      "nix-store"
      "nix-instantiate"
    ] { };
    # pkgs/shells/bash/5.nix: postInstall links bin/sh to bash
    bash = program "bash" "5.3p3" "bash" { };
    curl = program "curl" "8.16.0" "curl" { };
    # trivial-builders' shellcheck test uses shellcheck-minimal when GHC can bootstrap
    shellcheck-minimal = program "shellcheck-minimal" "0.11.0" "shellcheck" {
      compiler.bootstrapAvailable = true;
    };
    runtimeShell = "${self.bash}/bin/bash";
    tzdata = tree "tzdata-2025b" { "share/zoneinfo/UTC" = "TZif2"; };

    fakeNss = fakeNssWith { };

    dockerTools = {
      caCertificates = tree "ca-certificates" {
        "etc/ssl/certs/ca-bundle.crt" = "";
        "etc/ssl/certs/ca-certificates.crt" = "";
      };
      binSh = tree "bin-sh" { "bin/sh" = "#!/bin/sh"; };
      streamLayeredImage =
        args:
        let
          a =
            strict "dockerTools.streamLayeredImage"
              [
                "name"
                "tag"
                "fromImage"
                "contents"
                "config"
                "architecture"
                "created"
                "mtime"
                "uid"
                "gid"
                "uname"
                "gname"
                "maxLayers"
                "extraCommands"
                "fakeRootCommands"
                "enableFakechroot"
                "includeStorePaths"
                "includeNixDB"
                "passthru"
                "meta"
              ]
              [ "name" ]
              args;
        in
        # the stream script; what it streams is described for nix/tests/run-scripts.py
        drv "stream-${baseNameOf a.name}"
          {
            kind = "image";
            inherit (a) name;
            tag = a.tag or null;
            contents = lib.toList (a.contents or [ ]);
            config = a.config or { };
            extraCommands = a.extraCommands or "";
            fakeRootCommands = a.fakeRootCommands or "";
          }
          {
            imageName = a.name;
            # passthru attributes end up on the derivation itself (there is no `.passthru`)
            imageTag = a.tag;
            __args = a;
          }
        // (a.passthru or { });
    };

    rustPlatform.buildRustPackage =
      args:
      let
        a =
          strict "rustPlatform.buildRustPackage"
            [
              # build-rust-package/default.nix's own arguments
              "name"
              "pname"
              "version"
              "src"
              "cargoLock"
              "cargoHash"
              "cargoDepsName"
              "buildType"
              "checkType"
              "buildFeatures"
              "checkFeatures"
              "buildNoDefaultFeatures"
              "checkNoDefaultFeatures"
              "buildAndTestSubdir"
              "useNextest"
              "meta"
              # passed on to the cargo hooks and stdenv.mkDerivation
              "cargoBuildFlags"
              "cargoTestFlags"
              "checkFlags"
              "doCheck"
              "nativeBuildInputs"
              "buildInputs"
              "nativeCheckInputs"
              "preCheck"
              "postCheck"
              "postInstall"
              "__darwinAllowLocalNetworking"
            ]
            [ "src" ]
            args;
        lockKeys =
          strict "buildRustPackage cargoLock"
            [
              "lockFile"
              "lockFileContents"
              "outputHashes"
              "allowBuiltinFetchGit"
            ]
            [ ]
            (a.cargoLock or { });
      in
      assert a ? cargoLock || a ? cargoHash;
      assert lockKeys == (a.cargoLock or { });
      drv "${a.pname}-${a.version}"
        {
          kind = "program";
          inherit (a) pname;
          mainProgram = a.meta.mainProgram or null;
          bins = [ (a.meta.mainProgram or a.pname) ];
          # run by cargoCheckHook's checkPhase (`runHook preCheck`), its inputs on PATH
          preCheck = if a.doCheck or true then a.preCheck or "" else "";
          checkInputs = (a.nativeCheckInputs or [ ]) ++ (a.nativeBuildInputs or [ ]);
        }
        {
          inherit (a) pname version;
          meta = a.meta or { };
          __args = a;
        };

    runCommand = runCommandStub;

    # writeTextFile, as in trivial-builders/default.nix (its script verbatim)
    writeTextFile =
      args:
      let
        a =
          strict "writeTextFile"
            [
              "name"
              "text"
              "executable"
              "destination"
              "checkPhase"
              "meta"
              "passthru"
              "allowSubstitutes"
              "preferLocalBuild"
              "derivationArgs"
            ]
            [
              "name"
              "text"
            ]
            args;
        destination = a.destination or "";
        executable = a.executable or false;
        derivationArgs = a.derivationArgs or { };
        matches = builtins.match "/bin/([^/]+)" destination;
      in
      assert lib.assertMsg (destination != "" -> (lib.hasPrefix "/" destination && destination != "/"))
        "destination must be an absolute path, relative to the derivation's out path, got '${destination}' instead.";
      runCommandStub a.name
        (
          {
            inherit (a) text;
            inherit executable;
            checkPhase = a.checkPhase or "";
            allowSubstitutes = a.allowSubstitutes or false;
            preferLocalBuild = a.preferLocalBuild or true;
            passAsFile = [ "text" ] ++ derivationArgs.passAsFile or [ ];
            meta =
              lib.optionalAttrs (executable && matches != null) {
                mainProgram = lib.head matches;
              }
              // (a.meta or { })
              // derivationArgs.meta or { };
            passthru = (a.passthru or { }) // derivationArgs.passthru or { };
          }
          // removeAttrs derivationArgs [
            "passAsFile"
            "meta"
            "passthru"
          ]
        )
        ''
          target=$out${lib.escapeShellArg destination}
          mkdir -p "$(dirname "$target")"

          if [ -e "$textPath" ]; then
            mv "$textPath" "$target"
          else
            echo -n "$text" > "$target"
          fi

          if [ -n "$executable" ]; then
            chmod +x "$target"
          fi

          eval "$checkPhase"
        '';

    writeText =
      name: text:
      assert lib.assertMsg (lib.strings.isConvertibleWithToString text)
        "pkgs.writeText ${lib.strings.escapeNixString name}: The second argument should be a string, but it's a ${builtins.typeOf text} instead.";
      self.writeTextFile { inherit name text; };

    # writeShellApplication, as in trivial-builders/default.nix: the script is
    # `#!runtimeShell`, `set -o` of each bashOptions (errexit nounset pipefail by default), the
    # PATH of runtimeInputs (before the caller's PATH: inheritPath), then the text; checked by
    # `bash -n -O extglob` (stdenv.shellDryRun); shellcheck runs in passthru.tests.shellcheck
    writeShellApplication =
      args:
      let
        a =
          strict "writeShellApplication"
            [
              "name"
              "text"
              "runtimeInputs"
              "runtimeEnv"
              "meta"
              "passthru"
              "checkPhase"
              "excludeShellChecks"
              "extraShellCheckFlags"
              "bashOptions"
              "inheritPath"
              "derivationArgs"
            ]
            [
              "name"
              "text"
            ]
            args;
        inherit (a) name;
        runtimeInputs = a.runtimeInputs or [ ];
        runtimeEnv = a.runtimeEnv or null;
        passthru = a.passthru or { };
        excludeShellChecks = a.excludeShellChecks or [ ];
        bashOptions =
          a.bashOptions or [
            "errexit"
            "nounset"
            "pipefail"
          ];
        inheritPath = a.inheritPath or true;
        shellDryRun = "${self.runtimeShell} -n -O extglob";
        finalPackage = self.writeTextFile {
          inherit name;
          meta = a.meta or { };
          derivationArgs = a.derivationArgs or { };
          executable = true;
          destination = "/bin/${name}";
          allowSubstitutes = true;
          preferLocalBuild = false;
          text = ''
            #!${self.runtimeShell}
            ${lib.concatMapStringsSep "\n" (option: "set -o ${option}") bashOptions}
          ''
          + lib.optionalString (runtimeEnv != null) (
            lib.concatStrings (
              lib.mapAttrsToList (name: value: ''
                ${lib.toShellVar name value}
                export ${name}
              '') runtimeEnv
            )
          )
          + lib.optionalString (runtimeInputs != [ ]) ''

            export PATH="${lib.makeBinPath runtimeInputs}${lib.optionalString inheritPath ":$PATH"}"
          ''
          + ''

            ${a.text}
          '';
          checkPhase =
            if a.checkPhase or null == null then
              ''
                runHook preCheck
                ${shellDryRun} "$target"
                runHook postCheck
              ''
            else
              a.checkPhase;
          passthru = passthru // {
            tests =
              (passthru.tests or { })
              // lib.optionalAttrs self.shellcheck-minimal.compiler.bootstrapAvailable {
                shellcheck =
                  let
                    excludeFlags = lib.optionals (excludeShellChecks != [ ]) [
                      "--exclude"
                      (lib.concatStringsSep "," excludeShellChecks)
                    ];
                  in
                  runCommandStub "${name}-shellcheck" { } ''
                      ${lib.getExe self.shellcheck-minimal} ${
                        lib.escapeShellArgs (excludeFlags ++ (a.extraShellCheckFlags or [ ]))
                      } "${finalPackage}/bin/${name}"

                    mkdir "$out"
                  '';
              };
          };
        };
      in
      finalPackage // { __args = a; };

    mkShell =
      args:
      let
        a =
          strict "mkShell"
            [
              "name"
              "packages"
              "inputsFrom"
              "buildInputs"
              "nativeBuildInputs"
              "propagatedBuildInputs"
              "propagatedNativeBuildInputs"
              "shellHook"
            ]
            [ ]
            args;
      in
      drv (a.name or "nix-shell")
        {
          kind = "mkShell";
          packages = a.packages or [ ];
          inputsFrom = a.inputsFrom or [ ];
          shellHook = a.shellHook or "";
        }
        {
          __args = a;
        };

    # testers.runNixOSTest takes a module of the test framework: these are its options (the
    # ones the VM test can set); `name` and `testScript` have no default
    testers.runNixOSTest =
      args:
      let
        a =
          strict "testers.runNixOSTest"
            [
              "imports"
              "name"
              "nodes"
              "containers"
              "defaults"
              "nodeDefaults"
              "containerDefaults"
              "extraBaseModules"
              "extraBaseNodeModules"
              "node"
              "testScript"
              "globalTimeout"
              "enableOCR"
              "extraPythonPackages"
              "extraDriverArgs"
              "skipLint"
              "skipTypeCheck"
              "logLevel"
              "qemu"
              "sshBackdoor"
              "interactive"
              "meta"
              "passthru"
            ]
            [
              "name"
              "testScript"
            ]
            args;
        nodeKeys = strict "runNixOSTest node" [ "pkgs" "pkgsReadOnly" "specialArgs" ] [ ] (a.node or { });
      in
      assert builtins.isString a.testScript || builtins.isFunction a.testScript;
      assert nodeKeys == (a.node or { });
      drv "vm-test-run-${a.name}" { kind = "vmTest"; } { __args = a; };
  };
in
self
