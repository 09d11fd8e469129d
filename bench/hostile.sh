#!/usr/bin/env bash
# Hostile inputs through the release gstackc (issue #14), one process each, and one line of
# figures:
#
#   hostile inputs: N tried, P panics, A aborts, H hangs, W writes outside -o, I injections
#
# The inputs: every file of the error corpus (tests/errors), the attacks issue #14 names
# (symlink import loops, /dev/zero, a FIFO, exponential recursion, deep nesting, 100k-term
# PromQL, `data_dir = "~"`, `$(…)`, backticks, newlines, `%`, `\`, `{{`, `../` charts), and a
# hostile alphabet in every string field of a stack that uses each target. Each runs
# `gstackc build FILE -o OUT` under `timeout 30` (GSTACK_HOSTILE_TIMEOUT) in a scratch
# directory:
#   panic  exit 101 (Rust's panic), or "panicked" on stderr
#   abort  killed by a signal (a stack overflow aborts)
#   hang   cut off by the timeout
#   writes outside -o: any file written in the scratch directory outside OUT
# Injections come from the tests that read every generated file back with its reader
# (compiler/tests/injection.rs, and compiler/tests/hostile_fields.rs where it exists): each
# failed test counts as one.
#
#   bench/hostile.sh            exit 0 when every figure but the first is 0
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
LIMIT=${GSTACK_HOSTILE_TIMEOUT:-30}
export PATH="$HOME/.cargo/bin:/opt/gstack-tools/bin:$PATH"

echo "== building gstackc (release)"
cargo build --release -q -p gstack --bin gstackc || exit 2
GSTACKC=$PWD/target/release/gstackc
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstack-hostile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
IN=$WORK/inputs
mkdir -p "$IN"

# --- the inputs --------------------------------------------------------------------------
n=0
add() { # add NAME < source
  n=$((n + 1))
  mkdir -p "$IN/$n"
  cat > "$IN/$n/main.gstack"
  printf '%s\n' "$1" > "$IN/$n/.name"
}

for f in tests/errors/*.gstack; do
  mkdir -p "$IN/corpus"
  cp -- "$f" "$IN/corpus/"
done
# the corpus may import its neighbours: each corpus file runs in the corpus directory
corpus=$(ls "$IN/corpus" | wc -l)

STACK='stack s { prometheus {} }'
# imports: two symlink loops, a device, a FIFO, a huge file
add "symlink loops" <<EOF
import "./x/main.gstack" as a
import "./y/main.gstack" as b
$STACK
EOF
ln -s . "$IN/$n/x"; ln -s . "$IN/$n/y"
add "import /dev/zero" <<EOF
import "/dev/zero" as z
$STACK
EOF
add "import a FIFO" <<EOF
import "./fifo.gstack" as f
$STACK
EOF
mkfifo "$IN/$n/fifo.gstack"
add "import a 64 MiB file" <<EOF
import "./big.gstack" as b
$STACK
EOF
head -c $((64 << 20)) /dev/zero | tr '\0' ' ' > "$IN/$n/big.gstack"
# evaluation and nesting
add "exponential recursion" <<EOF
fn f(n) = if n == 0 then 1 else f(n - 1) + f(n - 1)
let x = f(40)
$STACK
EOF
{ printf 'let x = '; for _ in $(seq 3000); do printf 'if true then 1 else '; done; printf '0\n%s\n' "$STACK"; } > "$WORK/src"; add "3,000 if-else chain" < "$WORK/src"
{ printf 'let r = { a = 1 }\nlet x = r'; for _ in $(seq 10000); do printf '.a'; done; printf '\n%s\n' "$STACK"; } > "$WORK/src"; add "10,000 field chain" < "$WORK/src"
{ printf 'let x = '; for _ in $(seq 100000); do printf '('; done; printf '1'; for _ in $(seq 100000); do printf ')'; done; printf '\n%s\n' "$STACK"; } > "$WORK/src"; add "100,000 brackets" < "$WORK/src"
{ printf 'stack s { prometheus {} }\nalert A { expr = promql`'; for _ in $(seq 100000); do printf 'a + '; done; printf 'a > 1` }\n'; } > "$WORK/src"; add "100,000-term PromQL" < "$WORK/src"

printf 'stack s { grafana { version = "a\0b" } }\n' > "$WORK/src"; add "a raw NUL in a string" < "$WORK/src"

# the hostile alphabet in string fields of every target
values=(
  'a\nb = c' 'x\"y'"'"'z' '\$HOME \${HOME} \$(touch pwned) `touch pwned2`' '100% %n %%' 'back\\'
  '{{ .Values.x }}' '# ; [s] ;x' $'a\u202eb\u2066c' '\${GSTACK_DATA}' '../../../../x' '~' ' lead and trail ' 'tab\there'
)
long=$(head -c 10000 /dev/zero | tr '\0' 'a')
values+=("$long")
fields=(
  'stack s { grafana { version = "%s" } }'
  'stack s { grafana { admin = { user = "%s" } } }'
  'stack s { grafana { settings { server.domain = "%s" } } }'
  'stack s { grafana { admin = { password = secret.file("%s") } } }'
  'stack s { prometheus { scrape j { targets = ["%s"] } } }'
  'stack s { prometheus { settings { global.external_labels.site = "%s" } } }'
  'stack s { node_exporter { collectors = ["%s"] } }'
  'stack s { node_exporter { settings { collector.textfile.directory = "%s" } } }'
  'stack s { loki { settings { common.path_prefix = "%s" } } }'
  'stack s { tempo { settings { server.log_level = "%s" } } }'
  'stack s { alertmanager { receiver r { webhook = "%s" } route { receiver = r } } }'
  'stack s { prometheus {} grafana {} }\ndatasource d { type = postgres\n url = "%s"\n user = "u" }'
  'stack s { prometheus {} grafana {} }\ndashboard d { title = "%s"\n timeseries "t" { query = promql`up` } }'
  'stack s { prometheus {} }\nalert A { expr = promql`up == 0`\n summary = "%s" }'
)
targets=(
  'target native { data_dir = "%s" }' 'target native { bin = { prometheus = "%s" } }'
  'target systemd { data_dir = "%s" }' 'target compose { project = "%s" }'
  'target kubernetes { namespace = "%s" }' 'target kubernetes { storage_class = "%s" }'
  'target helm { chart = "%s" }'
)
all_targets=$'target native {}\ntarget systemd {}\ntarget compose {}\ntarget kubernetes {}\ntarget helm {}'
for v in "${values[@]}"; do
  for f in "${fields[@]}"; do
    # shellcheck disable=SC2059
    printf "${f//%s/%s}\n%s\n" "$v" "$all_targets" > "$WORK/src"; add "field: ${f:0:40}… = ${v:0:20}" < "$WORK/src"
  done
  for t in "${targets[@]}"; do
    # shellcheck disable=SC2059
    printf "stack s { prometheus {} grafana {} node_exporter {} }\n${t//%s/%s}\n" "$v" > "$WORK/src"; add "target: ${t:0:40}… = ${v:0:20}" < "$WORK/src"
  done
done

# --- run them ----------------------------------------------------------------------------
panics=0 aborts=0 hangs=0 outside=0 tried=0
run_one() { # run_one DIR FILE NAME
  local dir=$1 file=$2 name=$3 rc before after
  before=$(cd "$dir" && find . -path ./out -prune -o -print | sort)
  timeout "$LIMIT" "$GSTACKC" build "$file" -o out > "$WORK/stdout" 2> "$WORK/stderr" < /dev/null
  rc=$?
  tried=$((tried + 1))
  if [ $rc -eq 124 ]; then
    hangs=$((hangs + 1)); echo "   HANG: $name"
  elif [ $rc -eq 101 ] || grep -q 'panicked' "$WORK/stderr"; then
    panics=$((panics + 1)); echo "   PANIC: $name: $(grep -m1 panicked "$WORK/stderr")"
  elif [ $rc -gt 128 ]; then
    aborts=$((aborts + 1)); echo "   ABORT (signal $((rc - 128))): $name"
  fi
  after=$(cd "$dir" && find . -path ./out -prune -o -print | sort)
  if [ "$before" != "$after" ]; then
    outside=$((outside + 1)); echo "   WROTE OUTSIDE -o: $name: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -3 | tr '\n' ' ')"
  fi
  rm -rf -- "$dir/out"
}

echo "== running $((corpus + n)) inputs (at most ${LIMIT}s each)"
start=$(date +%s)
for f in "$IN"/corpus/*.gstack; do
  pushd "$IN/corpus" > /dev/null; run_one "$IN/corpus" "$(basename "$f")" "corpus $(basename "$f")"; popd > /dev/null
done
for i in $(seq "$n"); do
  pushd "$IN/$i" > /dev/null; run_one "$IN/$i" main.gstack "$(cat "$IN/$i/.name")"; popd > /dev/null
done
echo "   ($(( $(date +%s) - start )) s)"

# --- injections: the read-back tests -------------------------------------------------------
echo "== reading generated files back (cargo test --release: injection, hostile_fields)"
tests=(--test injection)
[ -f compiler/tests/hostile_fields.rs ] && tests+=(--test hostile_fields)
cargo test --release -q -p gstack "${tests[@]}" -- --nocapture > "$WORK/inj" 2>&1
grep -E 'hostile fields:' "$WORK/inj" | sed 's/^/   /'
passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$WORK/inj" | awk '{s += $4} END {print s + 0}')
failed=$(grep -oE '[0-9]+ failed' "$WORK/inj" | awk '{s += $1} END {print s + 0}')
injections=$failed
echo "   read-back tests: $passed passed, $failed failed"
[ "$failed" -gt 0 ] && grep -E '^---- |panicked at' "$WORK/inj" | head -20 | sed 's/^/   /'

echo "hostile inputs: $tried tried, $panics panics, $aborts aborts, $hangs hangs, $outside writes outside -o, $injections injections"
[ $((panics + aborts + hangs + outside + injections)) -eq 0 ]
