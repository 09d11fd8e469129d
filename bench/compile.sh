#!/usr/bin/env bash
# Compile-time benchmark of `gstackc check`, and the incremental re-check benchmark.
#
#   bench/compile.sh [SIZES...]        default sizes: 100 1000 10000 (dashboards)
#
# For each size N it generates (compiler/examples/gen_stack.rs) a stack of N dashboards with
# 10 timeseries panels each (3 rows; each panel a PromQL query, a unit and a legend) and N
# alert rules, one `stack` with prometheus, grafana, loki and alertmanager, as a root file
# importing one file per 100 dashboards. It runs `gstackc check` on it and prints wall time,
# peak RSS and the time per dashboard (constant when growth is linear). Then it runs
# compiler/examples/incremental.rs on each stack (only the 1,000-dashboard one when
# GSTACK_BENCH_QUICK=1): one cold check, then 20 one-line edits (5 above 1,000 dashboards),
# each followed by a re-check, and a split of the re-check time by phase; and on the
# 1,000 dashboards laid out 10 and 1 per file.
#
# Needs /usr/bin/time (Debian package `time`); installs nothing. Runs in about two minutes
# on 2 cores once the release build is done (most of it the 10,000-dashboard stack).
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100 1000 10000)

if [ ! -x /usr/bin/time ]; then
  echo "error: /usr/bin/time is missing; it measures peak RSS. Install the Debian package \`time\` (apt-get install time) and re-run." >&2
  exit 2
fi

echo "== building (release)"
BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/gstack-build.XXXXXX")
if ! { cargo build --release -p gstack && cargo build --release -p gstack --example gen_stack --example incremental; } > "$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG" >&2
  rm -f "$BUILD_LOG"
  echo "error: the release build failed" >&2
  exit 1
fi
rm -f "$BUILD_LOG"
GSTACKC=target/release/gstackc
GEN=target/release/examples/gen_stack
INCR=target/release/examples/incremental

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstack-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== machine: $(nproc) cores, $(uname -srm), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- compiler/src 2>/dev/null || echo ' (compiler/src modified)')"
echo
echo "== gstackc check (cold process: read, parse, evaluate, check, lower)"
printf '%11s %8s %7s %6s %10s %10s %12s %14s\n' dashboards panels alerts files 'source MB' 'wall s' 'peak RSS MB' 'ms/dashboard'
for n in "${SIZES[@]}"; do
  alerts=$n
  dir="$WORK/stack-$n"
  "$GEN" "$dir" "$n" "$alerts" > /dev/null
  files=$(find "$dir" -name "*.gstack" | wc -l)
  mb=$(du -sb "$dir" | awk '{printf "%.1f", $1 / 1e6}')
  # a warm-up run for the small sizes (the files were just written, so they are in the page cache)
  [ "$n" -le 1000 ] && { "$GSTACKC" check "$dir/main.gstack" > /dev/null 2>&1 || true; }
  set +e
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$GSTACKC" check "$dir/main.gstack" > /dev/null 2> "$WORK/stderr"
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    echo "error: gstackc check failed on the generated $n-dashboard stack (exit $rc):" >&2
    head -30 "$WORK/stderr" >&2
    exit 1
  fi
  read -r wall rss_kb < "$WORK/time"
  awk -v n="$n" -v a="$alerts" -v f="$files" -v mb="$mb" -v w="$wall" -v r="$rss_kb" \
    'BEGIN { printf "%11d %8d %7d %6d %10s %10.2f %12.1f %14.3f\n", n, n * 10, a, f, mb, w, r / 1024, w * 1000 / n }'
done

echo
echo "== incremental re-check in one salsa Database (compiler/examples/incremental.rs)"
for n in "${SIZES[@]}"; do
  if [ "${GSTACK_BENCH_QUICK:-0}" = 1 ] && [ "$n" != 1000 ]; then continue; fi
  echo "-- $n dashboards, 100 per file"
  edits=20
  [ "$n" -gt 1000 ] && edits=5 # fewer edits on the largest stack
  "$INCR" "$WORK/stack-$n" "$edits" | sed 's/^/   /'
done
# The same 1,000 dashboards in smaller files: an edit re-parses and re-checks its own file, so
# the re-check time follows the size of the edited file (dashboards-as-code repositories
# usually keep one dashboard per file).
for per_file in 10 1; do
  echo "-- 1000 dashboards, $per_file per file"
  "$GEN" "$WORK/layout-$per_file" 1000 1000 "$per_file" > /dev/null
  "$INCR" "$WORK/layout-$per_file" 20 | sed 's/^/   /'
done
