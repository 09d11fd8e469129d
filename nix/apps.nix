# The three apps, as writeShellApplication scripts (arguments as in nixpkgs
# pkgs/build-support/trivial-builders/default.nix: name, text, runtimeInputs, meta).
{
  lib,
  pkgs,
  p,
  artifacts,
  components,
  imagePackages,
}:
let
  mkApp = drv: description: {
    type = "app";
    program = lib.getExe drv;
    meta = { inherit description; };
  };

  programs = lib.mapAttrsToList (_: c: p.${c.package}) components;

  native = artifacts.grafana-stack-native;
  composeTree = artifacts.grafana-stack-docker-compose-file.tree;
  kubeTree = artifacts.grafana-stack-kubernetes-manifests.tree;

  # gstackc's native/run honours GSTACK_DATA and PROCESS_COMPOSE; the programs come from the
  # `bin` map Nix hands gstackc, and are on PATH as well.
  nativeRun = pkgs.writeShellApplication {
    name = "grafana-stack-native-run";
    runtimeInputs = [
      pkgs.jq
      p.process-compose
    ]
    ++ programs;
    text = ''
      name=$(jq -r .name ${native}/ir.json)
      export GSTACK_DATA="''${GSTACK_DATA:-''${XDG_STATE_HOME:-$HOME/.local/state}/gstack/$name}"
      export PROCESS_COMPOSE="''${PROCESS_COMPOSE:-${lib.getExe p.process-compose}}"
      mkdir -p "$GSTACK_DATA"
      echo "gstack: stack '$name', data in $GSTACK_DATA" >&2
      exec ${native}/native/run "$@"
    '';
    meta.description = "Run the stack as local processes under process-compose";
  };

  # Loads the images the compose file names (gstack/<component>:<version>), checks the
  # secrets (compose/check-secrets: files readable by each program's uid, environment
  # secrets set), then starts it without pulling the local images. Needs a Docker engine;
  # `docker` is the host's, docker-compose (v2) comes from nixpkgs.
  composeUp = pkgs.writeShellApplication {
    name = "grafana-stack-docker-compose";
    runtimeInputs = [ pkgs.docker-compose ];
    text = ''
      for image in ${lib.escapeShellArgs (lib.attrValues imagePackages)}; do
        "$image" | docker image load
      done
      ${composeTree}/compose/check-secrets
      exec docker-compose -f ${composeTree}/compose/docker-compose.yaml up --pull never "$@"
    '';
    meta.description = "Load the stack's images into Docker and run docker compose up";
  };

  # The kubernetes target's own `kubernetes/apply` (gstackc writes it: server-side apply,
  # pruning of what the stack dropped by its labels and kinds, rollout status), with kubectl
  # and coreutils (sort, comm) on PATH; arguments are global kubectl flags (--context=...).
  k8sApply = pkgs.writeShellApplication {
    name = "grafana-stack-k8s-apply";
    runtimeInputs = [
      pkgs.coreutils
      pkgs.kubectl
    ];
    text = ''
      exec ${kubeTree}/kubernetes/apply "$@"
    '';
    meta.description = "kubectl apply --server-side the stack's manifests, prune what it dropped, then wait for rollout";
  };
in
{
  scripts = {
    inherit nativeRun composeUp k8sApply;
  };
  apps = {
    grafana-stack-native-run = mkApp nativeRun "Run the stack natively (process-compose)";
    grafana-stack-docker-compose = mkApp composeUp "Run the stack with Docker Compose";
    grafana-stack-k8s-apply = mkApp k8sApply "Apply the stack to a Kubernetes cluster";
  };
}
