#!/usr/bin/env bash
# Is nix/stack.nix (the flake's `config`) what gstackc builds from examples/default.gstack now?
#
#   nix/check-stack-nix.sh            exit 1 with a diff when it is stale, 0 when fresh
#   nix/check-stack-nix.sh --update   rewrite nix/stack.nix from gstackc's output
#
# gstackc: $GSTACKC, else target/debug/gstackc rebuilt with cargo (when cargo is there), else
# gstackc on PATH. Skips with exit 0 when this gstackc does not emit nix/stack.nix.
set -euo pipefail
cd "$(dirname "$0")/.."

update=
[ "${1:-}" = "--update" ] && update=1

if [ -n "${GSTACKC:-}" ]; then
  gstackc=$GSTACKC
elif command -v cargo >/dev/null 2>&1 && cargo build -q -p gstack --bin gstackc; then
  gstackc=$PWD/target/debug/gstackc
elif command -v gstackc >/dev/null 2>&1; then
  gstackc=$(command -v gstackc)
else
  echo "check-stack-nix: no gstackc (set GSTACKC, or install cargo)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$gstackc" build examples/default.gstack -o "$tmp/out" --target nix >"$tmp/log" 2>&1 &&
  ! "$gstackc" build examples/default.gstack -o "$tmp/out" >"$tmp/log" 2>&1; then
  echo "check-stack-nix: gstackc build examples/default.gstack failed:" >&2
  cat "$tmp/log" >&2
  exit 1
fi
if [ ! -f "$tmp/out/nix/stack.nix" ]; then
  echo "skipped: this gstackc does not emit nix/stack.nix yet; nothing to compare"
  exit 0
fi

if [ -n "$update" ]; then
  cp "$tmp/out/nix/stack.nix" nix/stack.nix
  echo "check-stack-nix: wrote nix/stack.nix"
  exit 0
fi
if [ ! -f nix/stack.nix ]; then
  echo "check-stack-nix: nix/stack.nix is missing; run nix/check-stack-nix.sh --update" >&2
  exit 1
fi
if ! diff -u nix/stack.nix "$tmp/out/nix/stack.nix"; then
  echo "check-stack-nix: nix/stack.nix is stale; run nix/check-stack-nix.sh --update and commit it" >&2
  exit 1
fi
echo "check-stack-nix: nix/stack.nix is what gstackc builds from examples/default.gstack"
