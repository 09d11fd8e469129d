# A stand-in for the parts of nixpkgs 25.11 the flake calls, so that packages, apps,
# devShells, checks, the overlay and the NixOS module can be evaluated where no nixpkgs
# `pkgs` exists (only its `lib`). Nothing here builds. Each builder accepts exactly the
# argument names its nixpkgs source or manual defines, and throws on any other: the reading of
# those files, made executable. What was read (NixOS/nixpkgs):
#   pkgs/build-support/docker/default.nix, doc/build-helpers/images/dockertools.section.md
#   pkgs/by-name/fa/fakeNss/package.nix
#   pkgs/build-support/rust/build-rust-package/default.nix, doc/languages-frameworks/rust.section.md
#   pkgs/build-support/trivial-builders/default.nix (writeShellApplication)
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
    name: extra:
    let
      hash = builtins.substring 0 32 (builtins.hashString "sha256" name);
    in
    if !validName name then
      throw "stub: invalid store path name `${name}` (Nix allows A-Za-z0-9+-._?=, not a leading period)"
    else
      {
        type = "derivation";
        inherit name system;
        outPath = "/nix/store/${hash}-${name}";
        drvPath = "/nix/store/${hash}-${name}.drv";
        outputName = "out";
      }
      // extra;

  program =
    pname: version: mainProgram: extra:
    drv "${pname}-${version}" (
      {
        inherit pname version;
        meta = lib.optionalAttrs (mainProgram != null) { inherit mainProgram; };
      }
      // extra
    );

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
      cli = drv "prometheus-3.5.0-cli" { };
    };
    grafana-loki = program "grafana-loki" "3.6.2" "loki" { };
    tempo = program "tempo" "2.9.0" null { };
    prometheus-alertmanager = program "alertmanager" "0.28.1" "alertmanager" { };
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
    python3 = program "python3" "3.13.7" "python3" { };
    nix = program "nix" "2.31.2" "nix" { };
    tzdata = drv "tzdata-2025b" { };
    # pkgs/shells/bash/5.nix: postInstall links bin/sh to bash
    bash = program "bash" "5.3p3" "bash" { };
    curl = program "curl" "8.16.0" "curl" { };

    fakeNss = drv "fake-nss" {
      override =
        args:
        drv "fake-nss" {
          __args = strict "fakeNss.override" [ "extraPasswdLines" "extraGroupLines" ] [ ] args;
        };
    };

    dockerTools = {
      caCertificates = drv "ca-certificates" { };
      binSh = drv "bin-sh" { };
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
        drv "stream-${baseNameOf a.name}" {
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
      drv "${a.pname}-${a.version}" {
        inherit (a) pname version;
        meta = a.meta or { };
        __args = a;
      };

    writeText = name: text: drv name { inherit text; };

    runCommand =
      name: env: script:
      drv name (
        (env.passthru or { })
        // {
          __env = env;
          __script = script;
        }
      );

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
      in
      drv a.name {
        meta = (a.meta or { }) // {
          mainProgram = a.name;
        };
        __args = a;
      };

    mkShell =
      args:
      drv "nix-shell" {
        __args =
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
      drv "vm-test-run-${a.name}" { __args = a; };
  };
in
self
