#!/usr/bin/env bash
# gstackc's test suite as its Nix build runs it (nix/gstackc.nix, `checks.<system>.gstackc`),
# on this machine: each test binary of the `gstack` package runs with PATH holding only what
# that build has (its nativeCheckInputs and stdenv's basics), no ../shared/data, and
# GSTACK_TESTS_MAY_SKIP=1. Every test must pass, or skip itself with a reason
# (tests/common: skip_without); a test that needs something absent and does not say so fails
# here, as it would fail the Nix build and with it every package of the flake.
#
# The real build's programs are nixpkgs' (this uses this machine's of the same names), and
# its sandbox has no network: the live tests here still use 127.0.0.1 only.
# Prints "N binaries passed, M failed" and every skipped test; exits 1 when one failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$HOME/.cargo/bin:/opt/gstack-tools/bin:$PATH"

# nix/gstackc.nix's nativeCheckInputs, by the programs they put on PATH
check_inputs=(prometheus promtool alertmanager amtool node_exporter process-compose yamllint
  python3 nix nix-instantiate nix-store flock)
# stdenv's basics (pkgs/stdenv/generic/common-path.nix: coreutils, findutils, diffutils,
# gnused, gnugrep, gawk, gnutar, gzip, bzip2, gnumake, bash, patch, xz, file)
basics=(bash sh find xargs diff cmp sed grep gawk awk tar gzip bzip2 make patch xz file)
for pkg in coreutils; do
  while read -r f; do basics+=("$(basename "$f")"); done < <(dpkg -L "$pkg" 2>/dev/null | grep -E '/s?bin/[^/]+$')
done

sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
mkdir -p "$sandbox/bin" "$sandbox/home" "$sandbox/tmp"
for p in "${check_inputs[@]}" "${basics[@]}"; do
  [ -e "$sandbox/bin/$p" ] && continue
  if path=$(command -v "$p"); then
    ln -s "$(readlink -f "$path")" "$sandbox/bin/$p"
  else
    echo "note: $p is not on this machine's PATH (the Nix build has it)"
  fi
done

# extra arguments go to cargo (`--release` for the release profile)
mapfile -t bins < <(cargo test -p gstack --no-run --message-format=json "$@" 2>/dev/null |
  jq -r 'select(.reason == "compiler-artifact" and .profile.test == true and .executable != null) | .executable')
[ ${#bins[@]} -gt 0 ] || { echo "FAIL: no test binaries (cargo test --no-run failed)"; exit 1; }

passed=0
failed=0
for b in "${bins[@]}"; do
  name=$(basename "$b")
  # as `cargo test` runs them: in the package directory, with its manifest dir and insta's
  # workspace root (insta asks cargo for it otherwise)
  if out=$(cd compiler && env -i HOME="$sandbox/home" TMPDIR="$sandbox/tmp" PATH="$sandbox/bin" \
    CARGO_MANIFEST_DIR="$PWD" INSTA_WORKSPACE_ROOT="$(dirname "$PWD")" \
    GSTACK_TESTS_MAY_SKIP=1 GSTACK_TESTS_SKIPPED="$sandbox/skipped" \
    GSTACK_SHARED_DATA="$sandbox/no-shared-data" "$b" 2>&1); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
    printf '%s\n' "$out" | grep -E '^(test .* FAILED|---- |thread .* panicked|  .*(needs|not on PATH|missing))' | head -n 30 | sed 's/^/    /'
  fi
done
[ -f "$sandbox/skipped" ] && sort "$sandbox/skipped"
echo "$passed binaries passed, $failed failed, $(wc -l <"$sandbox/skipped" 2>/dev/null || echo 0) tests skipped"
[ "$failed" -eq 0 ]
