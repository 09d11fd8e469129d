# The flake's `lib` output. It evaluates with nixpkgs' `lib` alone: `mkStack` needs a `pkgs`,
# and its results touch that `pkgs` only when one of them is forced.
{ lib, gstackSrc }:
let
  components = import ./components.nix;
in
rec {
  inherit components;

  # Systems with packages. Images are built for Linux only (they hold Linux binaries).
  systems = [
    "x86_64-linux"
    "aarch64-linux"
    "x86_64-darwin"
    "aarch64-darwin"
  ];
  isLinux = lib.hasSuffix "-linux";

  # The image of a component, as the compose target names it: gstack/<package>:<version>.
  imageName = component: "gstack/${components.${component}.package}";
  imageRef = component: version: "${imageName component}:${version}";

  # Attribute names of what mkStack returns (fixed, so they can be listed without `pkgs`).
  programNames = lib.mapAttrsToList (_: c: c.package) components;
  imageNames = map (p: "${p}-image") programNames;
  artifactNames = [
    "grafana-stack-native"
    "grafana-stack-systemd-units"
    "grafana-stack-docker-compose-file"
    "grafana-stack-kubernetes-manifests"
    "grafana-stack-helm-chart"
  ];
  appNames = [
    "grafana-stack-native-run"
    "grafana-stack-docker-compose"
    "grafana-stack-k8s-apply"
  ];

  # The `config` view of a `gstackc build` nix/stack.nix: the file itself, plus each
  # service record at the top (`config.prometheus`, `config.grafana`, …).
  fromStackNix = stack: stack // stack.services;

  # mkStack { src = ./my.gstack; pkgs; overrides ? { }; … } → { packages; apps; checks; config; … }
  mkStack = import ./mkstack.nix {
    inherit
      lib
      gstackSrc
      components
      imageName
      fromStackNix
      isLinux
      ;
  };
}
