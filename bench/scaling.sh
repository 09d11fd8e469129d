#!/usr/bin/env bash
# Growth with the size of one input (issue #14), in release mode:
#   - PromQL: `a + a + … + a` with N terms: the promql-parser crate alone, gstack's variable
#     substitution, and `gstackc check` of a panel and an alert with that query (over 16 KiB
#     a query is E0403 and not parsed: the crate's parser is quadratic);
#   - documentSymbol: the outline of one file of N dashboards (parse and index computed first);
#   - the language server's memory while the same two texts alternate (whole-text didChange,
#     each waiting for both publications): VmRSS along the way.
#
#   bench/scaling.sh [ALTERNATIONS]        default: 2000
set -euo pipefail
cd "$(dirname "$0")/.."
ALT=${1:-2000}
echo "== building (release)"
cargo build --release --quiet -p gstack --bin gstackc --example promql_scale --example outline_scale
cargo build --release --quiet -p gstack-lsp --bin gstack-lsp --example lsp_bench
T=${CARGO_TARGET_DIR:-target}/release
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstack-scaling.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "== machine: $(nproc) cores, $(uname -srm), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "== PromQL, one query of N terms"
GSTACKC=$T/gstackc "$T/examples/promql_scale" 2000 4000 8000 32000 100000 | sed 's/^/   /'
echo
echo "== documentSymbol, one file of N dashboards"
"$T/examples/outline_scale" 2000 8000 20000 | sed 's/^/   /'
echo
echo "== language server, the same two texts alternating ($ALT changes; 20 dashboards in one file)"
"$T/examples/lsp_bench" "$T/gstack-lsp" "$WORK/ws" --dashboards 20 --per-file 20 --edits 0 --check-delay-ms 0 --alternate "$ALT" | grep -E '^alternating|^server memory' | sed 's/^/   /'
