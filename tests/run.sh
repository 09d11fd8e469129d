#!/usr/bin/env bash
# The test command: the Rust test suite (unit, snapshot, error corpus, real-program checks).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/opt/gstack-tools/bin:$PATH"
cargo test --workspace
