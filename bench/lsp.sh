#!/usr/bin/env bash
# Language server benchmark: on a workspace of 1,000 dashboards, the time from a `didChange` of
# one line to the diagnostics the server publishes, and the server's memory.
#
#   bench/lsp.sh [DASHBOARDS] [EDITS]        defaults: 1000 dashboards, 30 edits
#
# Builds gstack-lsp and the driver (lsp/examples/lsp_bench.rs) in release mode. The driver
# writes the workspace (a `stack` in main.gstack importing the parts; every dashboard has a
# variable, three rows and ten timeseries panels with PromQL, and one alert), starts the server
# as an editor would (a child process on stdin/stdout), opens one part, changes one panel title
# per edit, and times the two publications the server makes for each change:
#   - first:   the edited file on its own (its syntax and evaluation diagnostics, plus the
#              stack's earlier findings moved by the edit): one file's parse and evaluation;
#   - checked: the whole stack re-checked, exactly what `gstackc check` reports.
# Edits are sequential (each waits for both publications) with no quiet time before the check
# (checkDelayMs 0), so they measure the work itself. A second part sends 20 one-character edits
# 60 ms apart, as typing does, with the server's default quiet time before a whole-stack check.
# Two layouts of the same dashboards: 100 per file (11 files) and 1 per file (1,001 files).
# Last, the server's resident memory (VmRSS) and its peak (VmHWM), from /proc.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
EDITS=${2:-30}

echo "== building (release)"
cargo build --release --quiet -p gstack-lsp --bin gstack-lsp --example lsp_bench
SERVER=target/release/gstack-lsp
DRIVER=target/release/examples/lsp_bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstack-lsp-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== machine: $(nproc) cores, $(uname -srm), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
for per_file in 100 1; do
  echo
  echo "== $N dashboards, $per_file per file"
  "$DRIVER" "$SERVER" "$WORK/ws-$per_file" --dashboards "$N" --per-file "$per_file" --edits "$EDITS" --check-delay-ms 0 | sed 's/^/   /'
  "$DRIVER" "$SERVER" "$WORK/ws-$per_file" --dashboards "$N" --per-file "$per_file" --edits 0 --burst 20 | grep -A2 '^typing' | sed 's/^/   /'
done
