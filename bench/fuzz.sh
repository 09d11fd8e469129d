#!/usr/bin/env bash
# Long fuzzing run of compiler/tests/fuzz.rs: random token streams and random byte mutations
# of examples/default.gstack through parse, check_stack and fmt (no panic; fmt idempotent).
#
#   bench/fuzz.sh [CASES]        default 20000 cases per generator, bounded by `timeout 300`
#
# Prints how many cases each generator ran and whether a panic was found (with the minimal
# input proptest shrank it to).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
CASES=${1:-20000}
LOG=$(mktemp "${TMPDIR:-/tmp}/gstack-fuzz.XXXXXX")
trap 'rm -f "$LOG"' EXIT

echo "== building the fuzz test (release)"
if ! cargo test --release -p gstack --test fuzz --no-run > "$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "error: building the fuzz test failed" >&2
  exit 2
fi

echo "== fuzzing: GSTACK_FUZZ_CASES=$CASES, at most 300 s"
start=$(date +%s)
GSTACK_FUZZ_CASES=$CASES timeout 300 cargo test --release -p gstack --test fuzz --quiet -- --nocapture --test-threads 2 > "$LOG" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))

# (with --quiet, test progress dots may precede a line: match anywhere)
grep -oE 'fuzz [a-z_]+: .*' "$LOG" | grep -v 'so far' | sed 's/^/   /'
if [ $rc -eq 124 ]; then
  for g in token_streams mutated_default; do
    if ! grep -qE "fuzz $g: [0-9]+ cases passed" "$LOG"; then
      last=$(grep -oE "fuzz $g: [0-9]+ inputs so far" "$LOG" | tail -1 | awk '{print $3}')
      echo "   fuzz $g: cut off after at least ${last:-0} inputs, no panic so far"
    fi
  done
  echo "TIMEOUT after ${secs}s: the run was cut off before all $CASES cases; no panic was seen in the cases that ran." >&2
  exit 124
elif [ $rc -ne 0 ]; then
  echo "FAILED after ${secs}s (exit $rc): a panic or non-idempotent format was found:" >&2
  sed -n '/panicked at\|failure after/,$p' "$LOG" | head -80 >&2
  exit 1
fi
total=$(grep -oE 'fuzz [a-z_]+: [0-9]+ cases passed' "$LOG" | awk '{s += $3} END {print s + 0}')
echo "OK: $total cases in ${secs}s, no panic found; every formatted output was idempotent."
