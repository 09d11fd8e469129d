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

# the same test binaries as gstackc's Nix build runs them (nix/gstackc.nix): only its check
# inputs on PATH, no ../shared/data; each test passes or skips itself saying why
bash tests/nix-sandbox.sh

if [ ${#live[@]} -gt 0 ]; then
  cargo test -p gstack --test lgtm_live -- --ignored "${live[@]}"
fi

# Tempo's own TraceQL examples are AGPL test data, never in this repository: the test that
# reads them is `#[ignore]`d (counted as ignored) and runs here when they are given
if [ -n "${TEMPO_TRACEQL_EXAMPLES:-}" ]; then
  cargo test -p gstack --test traceql -- --ignored tempo_test_examples_agree
else
  echo "note: Tempo's TraceQL examples skipped: TEMPO_TRACEQL_EXAMPLES is not set (cargo lists the test as ignored)"
fi

if [ -x nix/tests.sh ]; then
  bash nix/tests.sh
fi
