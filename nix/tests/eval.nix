# Offline evaluation tests of every flake output, with nixpkgs' `lib` and the stand-in
# `pkgs` of stub-pkgs.nix. Evaluates to the list of failures: `[ ]` when all pass.
#   nix-instantiate --eval --strict --json nix/tests/eval.nix --arg lib 'import <nixpkgs/lib>'
# With `--argstr want scripts` it evaluates instead to `{ derivations = { label = outPath; };
# apps = { name = program; }; }`: every derivation the x86_64-linux outputs reach (packages,
# checks, the devShell, the formatter, the overlay's packages, the NixOS module's unit package,
# the apps' shellcheck tests), each outPath a description file of stub-pkgs.nix (its script,
# the environment its builder gets, what it references), which nix/tests/run-scripts.py
# executes with a real bash on stand-in trees. `module-scripts` (with `--arg nixosModule FILE`)
# gives the module's unit package alone; `selftest-scripts` derivations that must fail.
{
  lib,
  want ? "failures",
  # another NixOS module file in place of nix/module.nix (nix/tests.sh's self-test gives the
  # one of commit 022cc01's parent, whose `cp` without -r failed on systemd/config/)
  nixosModule ? null,
}:
let
  components = import ../components.nix;
  stub = system: import ./stub-pkgs.nix { inherit lib system; };
  linux = "x86_64-linux";
  darwin = "aarch64-darwin";

  # the whole flake, with the stand-in pkgs behind legacyPackages
  outputs = import ../outputs.nix {
    nixpkgs = {
      inherit lib;
      legacyPackages = lib.genAttrs gstackLib.systems stub;
    };
  };
  # the repository as gstackc's source (a stand-in derivation's path hashes its inputs, so
  # gstackc's version is read from Cargo.toml, as the flake's own gstackSrc gives it)
  gstackLib = import ../lib.nix {
    inherit lib;
    gstackSrc = ../..;
  };
  stackNix = import ../stack.nix;

  check = name: ok: lib.optional (!ok) name;
  # stand-in outPaths are store paths with a context, which a regex may not hold
  hasInfix =
    infix: s:
    lib.hasInfix (builtins.unsafeDiscardStringContext infix) (builtins.unsafeDiscardStringContext s);
  same =
    name: a: b:
    lib.optional (a != b) "${name}: got ${builtins.toJSON a}, expected ${builtins.toJSON b}";

  pkgsL = outputs.packages.${linux};
  pkgsD = outputs.packages.${darwin};
  sorted = l: lib.sort (a: b: a < b) l;

  image = c: pkgsL."${components.${c}.package}-image";
  imageTests = lib.concatLists (
    lib.mapAttrsToList (
      c: spec:
      let
        img = image c;
        a = img.__args;
        pkg = pkgsL.${spec.package};
        user = "${toString spec.uid}:${toString spec.gid}";
      in
      same "${c} image name" a.name "gstack/${spec.package}"
      ++ same "${c} image tag" a.tag (lib.versions.majorMinor pkg.version)
      # the image gstackc's compose and kubernetes targets name by default
      ++
        same "${c} imageRef = gstackc's default image" img.imageRef
          "gstack/${spec.package}:${stackNix.services.${c}.version}"
      ++ check "${c} program at /bin" (hasInfix "./bin/${spec.program}" a.fakeRootCommands)
      ++ same "${c} image user" a.config.User user
      # the user gstackc's backends give the compose/Kubernetes targets (nix/stack.nix)
      ++ same "${c} image user = gstackc's" a.config.User (
        let
          u = stackNix.services.${c}.user;
        in
        "${toString u.uid}:${toString u.gid}"
      )
      ++ same "${c} created" a.created "1970-01-01T00:00:01Z"
      ++ same "${c} entrypoint" a.config.Entrypoint [ "${pkg}/bin/${spec.program}" ]
      ++ check "${c} has no shell" (!(lib.any (x: x.name == "bin-sh") a.contents))
      ++ same "${c} CA certificates" (lib.any (x: x.name == "ca-certificates") a.contents) spec.cacert
      ++ same "${c} tzdata" (lib.any (lib.hasPrefix "ZONEINFO=") a.config.Env) spec.tzdata
      ++ check "${c} data dir chowned" (
        spec.dataDir == null || hasInfix "chown ${user} .${spec.dataDir}" a.fakeRootCommands
      )
    ) components
  );

  # a user's stack with overrides, through lib.mkStack
  userStack = gstackLib.mkStack {
    src = ../../examples/default.gstack;
    pkgs = stub linux;
    overrides = {
      grafana.port = 3001;
      targets.native.bin.grafana = "/opt/grafana/bin/grafana";
    };
    packages.prometheus = (stub linux).prometheus // {
      version = "9.9.9";
      outPath = "/nix/store/00000000000000000000000000000000-prometheus-9.9.9";
    };
  };
  nativeOverlay = userStack.overridesFor "native";
  composeOverlay = userStack.overridesFor "compose";

  # the NixOS options the module (and the VM test's node) sets, declared as loosely as the
  # module allows; environment.etc as nixos/modules/system/etc/etc.nix has it (source a path)
  nixosOptions =
    { name, ... }:
    let
      inherit (lib) mkOption types;
      etcEntry = types.submodule (
        { name, config, ... }:
        {
          options = {
            enable = mkOption {
              type = types.bool;
              default = true;
            };
            target = mkOption {
              type = types.str;
              default = name;
            };
            text = mkOption {
              type = types.nullOr types.lines;
              default = null;
            };
            source = mkOption { type = types.path; };
            mode = mkOption {
              type = types.str;
              default = "symlink";
            };
            uid = mkOption {
              type = types.int;
              default = 0;
            };
            gid = mkOption {
              type = types.int;
              default = 0;
            };
            user = mkOption {
              type = types.str;
              default = "+${toString config.uid}";
            };
            group = mkOption {
              type = types.str;
              default = "+${toString config.gid}";
            };
          };
        }
      );
      loose = mkOption {
        type = types.attrsOf (types.attrsOf types.anything);
        default = { };
      };
    in
    {
      _file = "nixos options (eval.nix, ${name})";
      options = {
        assertions = mkOption {
          type = types.listOf types.unspecified;
          default = [ ];
        };
        environment.etc = mkOption {
          type = types.attrsOf etcEntry;
          default = { };
        };
        environment.systemPackages = mkOption {
          type = types.listOf types.package;
          default = [ ];
        };
        networking.firewall.allowedTCPPorts = mkOption {
          type = types.listOf types.port;
          default = [ ];
        };
        systemd.packages = mkOption {
          type = types.listOf types.package;
          default = [ ];
        };
        systemd.targets = loose;
        systemd.services = loose;
        virtualisation = mkOption {
          type = types.attrsOf types.anything;
          default = { };
        };
      };
      config._module.args.pkgs = stub linux;
    };
  nixosOf =
    modules:
    (lib.evalModules {
      modules = [ nixosOptions ] ++ modules;
      specialArgs.name = "test";
    }).config;
  nixosWith = modules: nixosOf ([ outputs.nixosModules.default ] ++ modules);
  failedAssertions = c: map (a: a.message) (lib.filter (a: !a.assertion) c.assertions);

  # the NixOS module: the bundled example, and two stacks side by side
  nixos = nixosWith [
    {
      services.gstack.shop = {
        enable = true;
        source = ../../examples/default.gstack;
      };
    }
  ];
  nixosTwo = nixosWith [
    {
      services.gstack = {
        shop = {
          enable = true;
          source = ../../examples/default.gstack;
        };
        mystack = {
          enable = true;
          source = ../../templates/default/stack.gstack;
          overrides.grafana.port = 3001;
          secretsEnvFile = "/run/secrets/mystack.env";
        };
        off.source = ../../examples/default.gstack;
      };
    }
  ];
  # the VM test's node, evaluated against the same options
  vmTest = outputs.checks.${linux}.nixos-module.__args;
  vmNode = nixosOf [ vmTest.nodes.machine ];
  # the template's module, once enabled
  templateModule =
    ((import ../../templates/default/flake.nix).outputs {
      gstack = outputs;
      nixpkgs = { inherit lib; };
    }).nixosModules.default;
  nixosTemplate = nixosOf [
    templateModule
    { services.gstack.mystack.enable = true; }
  ];
  # what the module refuses
  refused =
    stack:
    failedAssertions (nixosWith [
      {
        services.gstack.shop = {
          enable = true;
          source = ../../examples/default.gstack;
        }
        // stack;
      }
    ]);

  scripts =
    (import ../apps.nix {
      inherit lib components;
      pkgs = stub linux;
      p = userStack.scope;
      artifacts = lib.getAttrs gstackLib.artifactNames userStack.packages;
      imagePackages = lib.getAttrs gstackLib.imageNames pkgsL;
    }).scripts;

  overlaid = lib.fix (lib.extends outputs.overlays.default (_: stub linux));

  moduleUnits = lib.head nixos.systemd.packages;
  # an older module file (nix/tests.sh's self-test gives the one of 022cc01's parent), with
  # the single-stack options it had
  legacyUnits =
    lib.head
      (lib.evalModules {
        modules = [
          (import nixosModule { inherit gstackLib; })
          {
            options.systemd = lib.mkOption { type = lib.types.attrsOf lib.types.anything; };
            config._module.args.pkgs = stub linux;
            config.services.gstack = {
              enable = true;
              name = "shop";
              src = ../../examples/default.gstack;
            };
          }
        ];
      }).config.systemd.packages;
  moduleBin = moduleUnits.overrides.targets.systemd.bin;

  # the writeShellApplication derivation behind an app (its program is <drv>/bin/<name>)
  appDrv =
    app:
    let
      drvs = lib.filter (d: lib.getExe d == app.program) (lib.attrValues defaultScripts);
    in
    if drvs == [ ] then throw "no derivation for the app ${app.program}" else lib.head drvs;
  defaultScripts =
    let
      stack = gstackLib.mkStack {
        src = ../../examples/default.gstack;
        pkgs = stub linux;
        stackNix = ../stack.nix;
      };
    in
    (import ../apps.nix {
      inherit lib components;
      pkgs = stub linux;
      p = stack.scope;
      artifacts = lib.getAttrs gstackLib.artifactNames stack.packages;
      imagePackages = lib.getAttrs gstackLib.imageNames stack.packages;
    }).scripts;
in
if want == "module-scripts" then
  {
    derivations."nixosModules.default systemd.packages" =
      (if nixosModule == null then moduleUnits else legacyUnits).outPath;
  }
else if want == "selftest-scripts" then
  # shell texts that must fail, as they would in a real build
  let
    pkgs = stub linux;
    dir = pkgs.runCommand "gstack-selftest-dir" { } ''
      mkdir -p "$out/sub"
      touch "$out/sub/file" "$out/file"
    '';
  in
  {
    derivations = {
      "selftest: cp of a directory without -r" =
        (pkgs.runCommand "gstack-selftest-cp" { } ''
          mkdir -p "$out"
          cp ${dir}/* "$out/"
        '').outPath;
      "selftest: a directory the input lacks" =
        (pkgs.runCommand "gstack-selftest-missing" { } ''
          mkdir -p "$out"
          cp ${dir}/config/* "$out/"
        '').outPath;
      "selftest: a host path in a build script" =
        (pkgs.runCommand "gstack-selftest-host-path" { } ''
          /usr/bin/env true
          touch "$out"
        '').outPath;
      "selftest: a failed command in an image's fakeRootCommands" =
        (pkgs.dockerTools.streamLayeredImage {
          name = "gstack-selftest";
          tag = "1";
          fakeRootCommands = ''
            cp ./etc/missing ./etc/there
          '';
        }).outPath;
      # `config` is the stack with the overrides: a stack.nix built without them is stale
      "selftest: a stack.nix without the user's overrides" =
        (gstackLib.mkStack {
          src = ../../examples/default.gstack;
          inherit pkgs;
          stackNix = ../stack.nix;
          overrides.grafana.port = 3001;
        }).checks.stack-nix-fresh.outPath;
      "selftest: an unset variable in a writeShellApplication (nounset)" =
        let
          app = pkgs.writeShellApplication {
            name = "gstack-selftest-nounset";
            text = ''
              echo "''${undefined_variable}"
            '';
          };
        in
        (pkgs.runCommand "gstack-selftest-run-app" { } "${lib.getExe app} > $out").outPath;
    };
  }
else if want == "template-scripts" || want == "template-broken-scripts" then
  # `nix flake init -t`'s flake (templates/default), its outputs function called with this
  # flake's `lib` and the stand-in nixpkgs: its artifacts run gstackc on its stack with the
  # dashboard and datasource it defines in Nix. The broken variant adds a Nix dashboard with a
  # PromQL error, which gstackc must refuse (its diagnostic, pointing into the overrides).
  let
    template = (import ../../templates/default/flake.nix).outputs {
      gstack.lib = gstackLib;
      nixpkgs = {
        inherit lib;
        legacyPackages = lib.genAttrs gstackLib.systems stub;
      };
    };
    broken = gstackLib.mkStack {
      src = ../../templates/default/stack.gstack;
      pkgs = stub linux;
      overrides.dashboards.broken.panels = [
        {
          type = "stat";
          title = "Up";
          query.promql = "sum(up";
        }
      ];
    };
    packages = if want == "template-scripts" then template.packages.${linux} else broken.packages;
  in
  {
    derivations = lib.mapAttrs' (n: d: lib.nameValuePair "template packages.${n}" d.outPath) (
      lib.getAttrs [ "grafana-stack-native" "grafana-stack-kubernetes-manifests" ] packages
    );
  }
else if want == "scripts" then
  # Every derivation with shell text reachable from the flake's outputs for x86_64-linux, as
  # the stand-in store paths nix/tests/run-scripts.py realises (each one a description file,
  # see stub-pkgs.nix; what they reference is realised first). Apps by their program.
  {
    derivations =
      lib.mapAttrs' (n: d: lib.nameValuePair "packages.${n}" d.outPath) (
        lib.filterAttrs (_: lib.isDerivation) pkgsL
      )
      // lib.mapAttrs' (n: d: lib.nameValuePair "packages.${n}.archive" d.archive.outPath) (
        lib.filterAttrs (n: _: lib.hasSuffix "-image" n) pkgsL
      )
      // lib.mapAttrs' (n: d: lib.nameValuePair "checks.${n}" d.outPath) outputs.checks.${linux}
      // {
        "devShells.default" = outputs.devShells.${linux}.default.outPath;
        "formatter" = outputs.formatter.${linux}.outPath;
        "overlay gstackc" = overlaid.gstackc.outPath;
        "nixosModules.default systemd.packages" = moduleUnits.outPath;
      }
      // lib.mapAttrs' (n: d: lib.nameValuePair "overlay gstackPackages.${n}" d.outPath) (
        lib.filterAttrs (_: lib.isDerivation) overlaid.gstackPackages
      )
      // lib.mapAttrs' (
        n: a: lib.nameValuePair "apps.${n} passthru.tests.shellcheck" (appDrv a).tests.shellcheck.outPath
      ) outputs.apps.${linux};
    apps = lib.mapAttrs (_: a: a.program) outputs.apps.${linux};
  }
else
  # `config`: the committed stack.nix, plus each service at the top
  same "config = stack.nix // services" outputs.config (stackNix // stackNix.services)
  ++ check "config has every component" (
    lib.all (c: outputs.config ? ${c}) (lib.attrNames components)
  )
  ++
    same "config.prometheus is the prometheus service" outputs.config.prometheus
      stackNix.services.prometheus

  # packages: names per system, every value a derivation
  ++ same "linux package names" (sorted (lib.attrNames pkgsL)) (
    sorted (
      [
        "default"
        "gstackc"
      ]
      ++ gstackLib.programNames
      ++ gstackLib.imageNames
      ++ gstackLib.artifactNames
    )
  )
  ++ same "darwin package names (no images)" (sorted (lib.attrNames pkgsD)) (
    sorted (
      [
        "default"
        "gstackc"
      ]
      ++ gstackLib.programNames
      ++ gstackLib.artifactNames
    )
  )
  ++ check "every package is a derivation" (
    lib.all lib.isDerivation (lib.attrValues pkgsL ++ lib.attrValues pkgsD)
  )
  ++ same "gstackc runs the workspace tests" pkgsL.gstackc.__args.doCheck true
  ++ same "gstackc uses Cargo.lock" (baseNameOf (
    toString pkgsL.gstackc.__args.cargoLock.lockFile
  )) "Cargo.lock"
  ++ same "grafana is nixpkgs' grafana" pkgsL.grafana.name "grafana-12.2.1"
  ++ same "loki is grafana-loki" pkgsL.loki.pname "grafana-loki"

  # images
  ++ imageTests

  # artifacts run gstackc build with the target and the overrides file
  ++ check "native artifact runs gstackc build --target native" (
    hasInfix "--target native" pkgsL.grafana-stack-native.__script
    && hasInfix "gstackc build" pkgsL.grafana-stack-native.__script
  )
  ++
    same "compose artifact is a .tar.gz" pkgsL.grafana-stack-docker-compose-file.name
      "grafana-stack-docker-compose.tar.gz"
  ++
    same "kubernetes artifact is a .tar.gz" pkgsL.grafana-stack-kubernetes-manifests.name
      "grafana-stack-kubernetes.tar.gz"

  # overrides: Nix fills bin and images; the user's values win
  ++
    same "native bin from the store" nativeOverlay.targets.native.bin.prometheus
      "/nix/store/00000000000000000000000000000000-prometheus-9.9.9/bin/prometheus"
  ++
    same "user override wins over the Nix side" nativeOverlay.targets.native.bin.grafana
      "/opt/grafana/bin/grafana"
  ++ same "user override reaches gstackc" nativeOverlay.grafana.port 3001
  ++
    same "compose images are the images built" composeOverlay.targets.compose.images.prometheus
      "gstack/prometheus:9.9"
  # one place decides an image's tag (nix/image.nix): the manifests and the chart name it too
  ++
    same "kubernetes images are the images built"
      (userStack.overridesFor "kubernetes").targets.kubernetes.images.prometheus
      "gstack/prometheus:9.9"
  ++
    same "the helm chart's images are the images built"
      (userStack.overridesFor "helm").targets.kubernetes.images.prometheus
      "gstack/prometheus:9.9"
  ++
    same "every target's image is the image package's imageRef"
      (lib.unique (
        map
          (t: (userStack.overridesFor t).targets.${if t == "compose" then "compose" else "kubernetes"}.images)
          [
            "compose"
            "kubernetes"
            "helm"
          ]
      ))
      [ (lib.mapAttrs (c: _: userStack.packages."${components.${c}.package}-image".imageRef) components) ]
  ++ same "replaced program reaches its image" userStack.packages.prometheus-image.__args.tag "9.9"
  ++
    same "the default stack's versions agree with the packages"
      outputs.checks.${linux}.component-versions.__env.mismatches
      ""
  ++
    same "a replaced program of another version is reported"
      (gstackLib.mkStack {
        src = ../../examples/default.gstack;
        pkgs = stub linux;
        stackNix = ../stack.nix;
        packages.prometheus = (stub linux).prometheus // {
          version = "9.9.9";
        };
      }).versionMismatches
      [ "prometheus: the stack is written for 3.5, the package is 9.9" ]

  # apps
  ++ same "app names" (sorted (lib.attrNames outputs.apps.${linux})) (sorted gstackLib.appNames)
  ++ check "apps are programs in the store" (
    lib.all (a: a.type == "app" && lib.hasPrefix "/nix/store/" a.program) (
      lib.attrValues outputs.apps.${linux}
    )
  )
  ++ check "native app keeps data under XDG_STATE_HOME and runs native/run" (
    hasInfix "XDG_STATE_HOME" scripts.nativeRun.__args.text
    && hasInfix "/native/run" scripts.nativeRun.__args.text
  )
  ++ check "compose app loads every image, then docker-compose up" (
    lib.all (c: hasInfix "${image c}" scripts.composeUp.__args.text) (lib.attrNames components)
    && hasInfix "docker-compose -f" scripts.composeUp.__args.text
    && hasInfix "/compose/check-secrets" scripts.composeUp.__args.text
    && hasInfix "up --pull never" scripts.composeUp.__args.text
  )
  ++ check "k8s app runs the kubernetes target's apply script, with kubectl and coreutils" (
    hasInfix "/kubernetes/apply \"$@\"" scripts.k8sApply.__args.text
    && lib.all (n: lib.elem n (map (x: x.name) scripts.k8sApply.__args.runtimeInputs)) [
      "kubectl-1.34.1"
      "coreutils-9.7"
    ]
  )

  # devShell tools
  ++ check "devShell has promtool, kubectl, helm, docker-compose, process-compose" (
    let
      names = map (x: x.name) outputs.devShells.${linux}.default.__args.packages;
    in
    lib.all (n: lib.elem n names) [
      "prometheus-3.5.0-cli"
      "kubectl-1.34.1"
      "kubernetes-helm-3.19.0"
      "docker-compose-2.40.0"
      "process-compose-1.75.2"
      "grafana-loki-3.6.2"
      "tempo-2.9.0"
      "alertmanager-0.28.1"
    ]
  )

  # checks
  ++ check "checks include the gstackc tests, stack.nix freshness, format and deadnix" (
    lib.all (n: outputs.checks.${linux} ? ${n}) [
      "gstackc"
      "stack-nix-fresh"
      "component-versions"
      "nix-format"
      "deadnix"
      "grafana-image"
      "nixos-module"
    ]
  )
  ++ check "no VM test on darwin" (!(outputs.checks.${darwin} ? nixos-module))
  ++ check "image checks look for the tag and the user" (
    lib.all (
      c:
      let
        spec = components.${c};
        script = outputs.checks.${linux}."${spec.package}-image".__script;
      in
      hasInfix "gstack/${spec.package}:" script
      && hasInfix "${toString spec.uid}:${toString spec.gid}" script
    ) (lib.attrNames components)
  )
  ++ check "stack-nix-fresh diffs against the committed file" (
    hasInfix "--target nix" outputs.checks.${linux}.stack-nix-fresh.__script
  )

  # NixOS module
  ++ same "module starts gstack-shop.target" nixos.systemd.targets."gstack-shop".wantedBy [
    "multi-user.target"
  ]
  ++ same "module installs one unit package" (lib.length nixos.systemd.packages) 1
  ++ same "module's assertions hold" (failedAssertions nixos) [ ]
  ++
    same "module links /etc/gstack/shop to the config gstackc wrote"
      nixos.environment.etc."gstack/shop".source
      "${moduleUnits}/etc/gstack/shop"
  ++ same "module's etc entries" (lib.attrNames nixos.environment.etc) [ "gstack/shop" ]
  ++ check "module builds with gstackc's systemd target" (
    lib.hasInfix "--target systemd" moduleUnits.units.__script
  )
  ++ same "module builds system units" moduleUnits.overrides.targets.systemd.user false
  ++ check "module leaves the data directory to StateDirectory=" (
    !(moduleUnits.overrides.targets.systemd ? data_dir)
  )
  ++ check "module gives every program and both shells as store paths" (
    lib.all (p: lib.hasPrefix "/nix/store/" moduleBin.${p}) (
      map (c: c.program) (lib.attrValues components)
      ++ [
        "bash"
        "sh"
      ]
    )
  )
  ++ same "module's bash" moduleBin.bash "${(stub linux).bash}/bin/bash"
  ++ same "module's sh" moduleBin.sh "${(stub linux).bash}/bin/sh"
  ++ same "module opens no port" nixos.networking.firewall.allowedTCPPorts [ ]
  ++ same "two stacks: both targets" (sorted (lib.attrNames nixosTwo.systemd.targets)) [
    "gstack-mystack"
    "gstack-shop"
  ]
  ++ same "two stacks: two unit packages" (map (p: p.name) nixosTwo.systemd.packages) [
    "gstack-mystack-systemd"
    "gstack-shop-systemd"
  ]
  ++ same "two stacks: their etc entries" (sorted (lib.attrNames nixosTwo.environment.etc)) [
    "gstack/mystack"
    "gstack/shop"
  ]
  ++ same "two stacks: assertions hold" (failedAssertions nixosTwo) [ ]
  ++
    same "two stacks: each its own overrides"
      (map (p: p.overrides.grafana.port or null) nixosTwo.systemd.packages)
      [
        3001
        null
      ]
  ++ check "two stacks: secrets.env linked for the stack that has one" (
    lib.hasInfix "ln -s /run/secrets/mystack.env" (lib.head nixosTwo.systemd.packages).__script
    && !(lib.hasInfix "secrets.env" (lib.last nixosTwo.systemd.packages).__script)
  )
  ++ check "a stack's package replaces gstackc" (
    (lib.head
      (nixosWith [
        {
          services.gstack.shop = {
            enable = true;
            source = ../../examples/default.gstack;
            package = (stub linux).jq;
          };
        }
      ]).systemd.packages
    ).units.__env.nativeBuildInputs == [ (stub linux).jq ]
  )
  ++ same "openFirewall is refused (every program listens on 127.0.0.1)" (lib.length (refused {
    openFirewall = true;
  })) 1
  ++ same "a data_dir override is refused" (lib.length (refused {
    overrides.targets.systemd.data_dir = "/srv/shop";
  })) 1
  ++ same "a secretsEnvFile in the store is refused" (lib.length (refused {
    secretsEnvFile = "/nix/store/00000000000000000000000000000000-secrets.env";
  })) 1
  ++ same "the template's module runs its stack" (lib.attrNames nixosTemplate.environment.etc) [
    "gstack/mystack"
  ]
  ++ same "the VM test's name" vmTest.name "gstack-nixos-module"
  ++
    same "the VM test's node evaluates, with the module's assertions holding" (failedAssertions vmNode)
      [ ]
  ++ same "the VM test's node runs the example" (lib.attrNames vmNode.environment.etc) [
    "gstack/shop"
  ]
  ++ check "the VM test waits for the target and every readiness endpoint" (
    lib.hasInfix ''wait_for_unit("gstack-shop.target"'' vmTest.testScript
    && lib.all (c: lib.all (p: lib.hasInfix "127.0.0.1:${toString p}/" vmTest.testScript) c.ports) (
      lib.attrValues (lib.filterAttrs (n: _: n != "tempo") components)
    )
    && lib.hasInfix "127.0.0.1:3200/ready" vmTest.testScript
  )

  # overlay
  ++ check "overlay adds gstackc" (lib.isDerivation overlaid.gstackc)
  ++ check "overlay adds the images" (lib.isDerivation overlaid.gstackPackages.grafana-image)

  # stand-in builders are as strict as Nix about derivation attributes
  ++ check "runCommand refuses an attribute set as an environment variable" (
    !(builtins.tryEval ((stub linux).runCommand "x" { config.a = 1; } "touch $out").outPath).success
  )
  ++
    same "runCommand hands the builder true as 1, false and null as empty, lists joined"
      ((stub linux).runCommand "x" {
        t = true;
        f = false;
        n = null;
        l = [
          "a"
          1
        ];
      } "").__builderEnv
      {
        t = "1";
        f = "";
        n = "";
        l = "a 1";
        enableParallelBuilding = "1";
        name = "x";
      }

  # templates
  ++ check "template has a flake.nix and a stack" (
    builtins.pathExists (outputs.templates.default.path + "/flake.nix")
    && builtins.pathExists (outputs.templates.default.path + "/stack.gstack")
  )
