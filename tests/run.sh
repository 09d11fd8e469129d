#!/usr/bin/env bash
# The test command: the whole Rust test suite — unit, snapshot and error-corpus tests, the
# real readers (promtool, amtool, process-compose, yamllint, nix-instantiate) on every
# generated file, and live runs of the native target on 127.0.0.1 — then the offline Nix
# checks when Nix is set up.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/opt/gstack-tools/bin:$PATH"

# Grafana, Loki and Tempo are AGPL and never installed here: their live tests run only when a
# binary is given.
for v in GSTACK_GRAFANA_BIN GSTACK_LOKI_BIN GSTACK_TEMPO_BIN; do
  if [ -z "${!v:-}" ]; then
    echo "note: live test for ${v#GSTACK_} skipped: $v is not set"
  else
    echo "note: live test for ${v#GSTACK_} uses ${!v}"
  fi
done

cargo test --workspace

if [ -x nix/tests.sh ]; then
  bash nix/tests.sh
fi
