# gstackc, built from this repository's Cargo workspace with its Cargo.lock, tests on.
# Arguments as documented in nixpkgs doc/languages-frameworks/rust.section.md and
# pkgs/build-support/rust/build-rust-package/default.nix.
#
# The test suite runs the real readers on every generated file (promtool, amtool,
# process-compose, yamllint, nix-instantiate, python3 with PyYAML, flock) and starts
# Prometheus, Alertmanager and node_exporter on 127.0.0.1 (compiler/tests/native_live.rs,
# alertmanager_live.rs); they are check inputs here. The tests that need what the sandbox
# cannot have (a Docker engine, a Kubernetes cluster, systemd as PID 1, checkov,
# kubernetes-validate, check-jsonschema, helm, systemd-analyze, ../shared/data beside the
# repository) skip themselves with the reason (GSTACK_TESTS_MAY_SKIP, tests/common's
# skip_without), and the build log lists each one after the tests; in the project's own CI
# (.ci/run) nothing may skip. tests/nix-sandbox.sh runs the suite this way on a machine
# without Nix. The Grafana, Loki and Tempo live tests run only when
# GSTACK_{GRAFANA,LOKI,TEMPO}_BIN are set, which this package does not do.
{
  lib,
  rustPlatform,
  src,
  prometheus,
  prometheus-alertmanager,
  prometheus-node-exporter,
  process-compose,
  yamllint,
  python3,
  util-linux,
  nix,
}:
let
  cargoToml = lib.importTOML (src + "/Cargo.toml");
in
rustPlatform.buildRustPackage {
  pname = "gstackc";
  inherit (cargoToml.workspace.package) version;
  inherit src;

  cargoLock.lockFile = src + "/Cargo.lock";

  # the compiler crate only; the LSP crate gets its own package once it does something
  cargoBuildFlags = [
    "--package"
    "gstack"
    "--bin"
    "gstackc"
  ];
  cargoTestFlags = [
    "--package"
    "gstack"
  ];
  doCheck = true;

  nativeCheckInputs = [
    prometheus
    (lib.getOutput "cli" prometheus) # promtool
    prometheus-alertmanager # alertmanager, amtool
    prometheus-node-exporter
    process-compose
    yamllint
    (python3.withPackages (ps: [ ps.pyyaml ])) # compiler/tests/readers.rs reads YAML with PyYAML
    util-linux # flock (compiler/tests/native_run.rs)
    nix
  ];
  # nix-instantiate --eval needs a store and state directory it may write (as nixpkgs'
  # lib/tests/test-with-nix.nix sets up)
  preCheck = ''
    export HOME=$(mktemp -d)
    export NIX_STATE_DIR=$TMPDIR/nix/var/nix
    export NIX_STORE_DIR=$TMPDIR/nix/store
    export NIX_LOG_DIR=$TMPDIR/nix/var/log/nix
    export NIX_CONF_DIR=$TMPDIR/nix/etc
    nix-store --init
    # what the sandbox lacks makes a test skip itself, saying why (never in the project's CI)
    export GSTACK_TESTS_MAY_SKIP=1
    export GSTACK_TESTS_SKIPPED=$TMPDIR/gstack-tests-skipped
  '';
  postCheck = ''
    if [ -s "$GSTACK_TESTS_SKIPPED" ]; then
      echo "gstackc: $(wc -l < "$GSTACK_TESTS_SKIPPED") tests skipped themselves here:"
      sort "$GSTACK_TESTS_SKIPPED"
    fi
  '';
  # the live tests listen on 127.0.0.1
  __darwinAllowLocalNetworking = true;

  meta = {
    description = "Compiler for .gstack descriptions of a Grafana observability stack";
    license = lib.licenses.asl20;
    mainProgram = "gstackc";
  };
}
