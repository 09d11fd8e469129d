# lib.mkStack: every package, image, artifact and app of one stack, for one `pkgs`.
#
#   gstack.lib.mkStack {
#     src = ./my.gstack;          # the stack; files it imports must sit under `root`
#     pkgs = nixpkgs.legacyPackages.x86_64-linux;
#     overrides = { grafana.port = 3001; };   # Nix values → `gstackc build --overrides`
#   }
#   → { packages; apps; checks; devShell; config; scope; overridesFor; versionMismatches; … }
#
# Every attribute name below is fixed, so `builtins.attrNames` of the result (and of
# `packages`/`apps`) never touches `pkgs`; a value does when it is forced.
{
  lib,
  gstackSrc,
  components,
  imageName,
  fromStackNix,
  isLinux,
}:
{
  src,
  pkgs,
  overrides ? { },
  root ? dirOf src,
  # replacements for programs or gstackc: { grafana = myGrafana; }
  packages ? { },
  # a committed `gstackc build` nix/stack.nix of this stack: gives `config` and a
  # freshness check, with no import-from-derivation
  stackNix ? null,
  # decides which attributes exist (images on Linux only); give it to list them without pkgs
  system ? pkgs.stdenv.hostPlatform.system,
}:
let

  scope =
    (import ./packages.nix {
      inherit
        lib
        pkgs
        gstackSrc
        components
        imageName
        ;
    }).overrideScope
      (_final: _prev: packages);
  p = scope;

  # the stack file and every .gstack file beside or below it (its imports)
  stackSrc = builtins.path {
    name = "gstack-stack";
    path = root;
    filter = path: type: type == "directory" || lib.hasSuffix ".gstack" path;
  };
  entry = "${stackSrc}/${lib.removePrefix (toString root + "/") (toString src)}";

  # What the Nix side tells gstackc, per target: store paths of the programs for native and
  # systemd; the image references it builds (nix/image.nix decides each tag, the one place
  # that does) for compose, Kubernetes and the Helm chart, so the manifests name the images
  # the flake builds. The user's `overrides` win.
  bin = lib.mapAttrs (_: c: lib.getExe' p.${c.package} c.program) components;
  images = lib.mapAttrs (_: c: p."${c.package}-image".imageRef) components;
  nixSide = {
    native.targets.native.bin = bin // {
      process-compose = lib.getExe p.process-compose;
    };
    # and the shells the units run (the readiness probe, the secrets step): store paths, as
    # NixOS has no /bin/bash
    systemd.targets.systemd.bin = bin // {
      bash = lib.getExe' pkgs.bash "bash";
      sh = lib.getExe' pkgs.bash "sh";
    };
    compose.targets.compose.images = images;
    kubernetes.targets.kubernetes.images = images;
    # the chart renders the kubernetes target's objects (its images too)
    helm.targets.kubernetes.images = images;
    nix = { };
  };
  overridesFor = target: lib.recursiveUpdate nixSide.${target} overrides;
  overridesFile =
    target: pkgs.writeText "gstack-overrides-${target}.json" (builtins.toJSON (overridesFor target));

  # `gstackc build FILE -o $out --target T --overrides F`: $out holds ir.json and T/.
  build =
    target:
    pkgs.runCommand "gstack-${target}"
      {
        nativeBuildInputs = [ p.gstackc ];
        hasUserOverrides = if overrides == { } then "" else "1";
      }
      ''
        set -- --target ${target}
        if gstackc build --help | grep -q -- '--overrides'; then
          set -- "$@" --overrides ${overridesFile target}
        elif [ -n "$hasUserOverrides" ]; then
          echo "gstack: this gstackc has no --overrides yet; drop mkStack's overrides" >&2
          exit 1
        fi
        gstackc build ${entry} -o "$out" "$@"
        test -d "$out/${target}" || {
          echo "gstack: gstackc wrote no ${target}/ (does the stack declare 'target ${target}'?)" >&2
          exit 1
        }
      '';

  # a reproducible .tar.gz of one target's directory
  tarball =
    name: target:
    let
      tree = build target;
    in
    pkgs.runCommand "${name}.tar.gz" { passthru = { inherit tree; }; } ''
      tar --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner \
        -C ${tree}/${target} -cf - . | gzip -9n > "$out"
    '';

  artifacts = {
    grafana-stack-native = build "native";
    grafana-stack-systemd-units = build "systemd";
    grafana-stack-docker-compose-file = tarball "grafana-stack-docker-compose" "compose";
    grafana-stack-kubernetes-manifests = tarball "grafana-stack-kubernetes" "kubernetes";
    grafana-stack-helm-chart = build "helm";
  };

  programs = lib.genAttrs (lib.mapAttrsToList (_: c: c.package) components) (n: p.${n});
  imagePackages = lib.optionalAttrs (isLinux system) (
    lib.genAttrs (lib.mapAttrsToList (_: c: "${c.package}-image") components) (n: p.${n})
  );

  stackData = import stackNix;
  # the stack's version of each component against the major.minor of the package that runs it
  versionMismatches = lib.filter (x: x != null) (
    lib.mapAttrsToList (
      name: svc:
      let
        have = lib.versions.majorMinor p.${components.${name}.package}.version;
      in
      if components ? ${name} && svc.version != have then
        "${name}: the stack is written for ${svc.version}, the package is ${have}"
      else
        null
    ) stackData.services
  );

  app = import ./apps.nix {
    inherit
      lib
      pkgs
      p
      artifacts
      components
      imagePackages
      ;
  };
in
{
  inherit
    scope
    overridesFor
    stackSrc
    entry
    ;
  versionMismatches = if stackNix == null then [ ] else versionMismatches;

  packages = {
    inherit (p) gstackc;
  }
  // programs
  // imagePackages
  // artifacts;

  apps = app.apps;

  devShell = pkgs.mkShell {
    inputsFrom = [ p.gstackc ];
    packages = [
      p.gstackc
      p.process-compose
      (lib.getOutput "cli" p.prometheus) # promtool
      pkgs.kubectl
      pkgs.kubernetes-helm
      pkgs.docker-compose
      pkgs.nixfmt
      pkgs.deadnix
    ]
    ++ lib.attrValues programs; # amtool, logcli and tempo-cli come with their programs
  };

  checks = {
    inherit (p) gstackc;
  }
  // lib.optionalAttrs (stackNix != null) {
    # the generated configs are written for the stack's versions; the images are tagged and
    # the programs run at the packages' versions: they must agree
    component-versions =
      pkgs.runCommand "gstack-component-versions"
        { mismatches = lib.concatStringsSep "\n" versionMismatches; }
        ''
          if [ -n "$mismatches" ]; then
            printf '%s\n' "$mismatches" >&2
            echo "set the version in the stack, or replace the package (mkStack's packages)" >&2
            exit 1
          fi
          touch "$out"
        '';
    # gstackc build … --target nix, with the overrides, must reproduce the committed stack.nix:
    # so `config` is the stack with the user's overrides applied
    stack-nix-fresh = pkgs.runCommand "gstack-stack-nix-fresh" { nativeBuildInputs = [ p.gstackc ]; } ''
      gstackc build ${entry} -o build --target nix --overrides ${overridesFile "nix"}
      diff -u ${stackNix} build/nix/stack.nix || {
        echo "stack.nix is stale: commit the nix/stack.nix of 'gstackc build <stack> --target nix --overrides overrides.json'" >&2
        echo "(overrides.json: mkStack's overrides as JSON, ${overridesFile "nix"} here)" >&2
        echo "(in the gstack repository: nix/check-stack-nix.sh --update)" >&2
        exit 1
      }
      touch "$out"
    '';
  }
  // lib.optionalAttrs (isLinux system) (
    lib.mapAttrs' (
      _: c:
      lib.nameValuePair "${c.package}-image" (
        import ./image-check.nix {
          inherit pkgs;
          img = p."${c.package}-image";
          user = "${toString c.uid}:${toString c.gid}";
        }
      )
    ) components
  );

  config = if stackNix == null then null else fromStackNix stackData;
}
