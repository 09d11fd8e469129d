#!/usr/bin/env bash
# The test command: the whole Rust test suite — unit, snapshot and error-corpus tests, the
# real readers (promtool, amtool, process-compose, yamllint, nix-instantiate) on every
# generated file, and live runs of the native target on 127.0.0.1 — then the offline Nix
# checks when Nix is set up.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/opt/gstack-tools/bin:$PATH"

# Grafana, Loki and Tempo are AGPL and never installed here: their live tests
# (compiler/tests/lgtm_live.rs) are `#[ignore]`d, so `cargo test` counts them as ignored, and
# run below, by name, when their binary is given.
live=()
for v in GSTACK_GRAFANA_BIN GSTACK_LOKI_BIN GSTACK_TEMPO_BIN; do
  name=${v#GSTACK_}
  name=${name%_BIN}
  name=${name,,}
  if [ -z "${!v:-}" ]; then
    echo "note: live test for ${v#GSTACK_} skipped: $v is not set (cargo lists it as ignored)"
  else
    echo "note: live test for ${v#GSTACK_} uses ${!v}"
    # the tests' names start with the program's name
    live+=("${name}_")
  fi
done

cargo test --workspace

if [ ${#live[@]} -gt 0 ]; then
  cargo test -p gstack --test lgtm_live -- --ignored "${live[@]}"
fi

if [ -x nix/tests.sh ]; then
  bash nix/tests.sh
fi
