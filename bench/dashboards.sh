#!/usr/bin/env bash
# gstack vs Grafonnet: the same N dashboards × 10 panels (default N = 1000) written in gstack
# and compiled by `gstackc build --target native`, and written with Grafonnet and rendered by
# a Jsonnet implementation (go-jsonnet and/or jrsonnet), timed in one run. Prints the median
# wall time and peak RSS of each and the ratio (target: gstackc at least 5× faster).
#
#   GRAFONNET_DIR=/path/to/vendor JSONNET_BIN=/path/to/jsonnet [JRSONNET_BIN=/path/to/jrsonnet] \
#     bench/dashboards.sh [N]
#
# GRAFONNET_DIR  a jsonnet-bundler vendor tree (what `jb install
#                github.com/grafana/grafonnet/gen/grafonnet-latest@main` creates): it must hold
#                github.com/grafana/grafonnet/gen/grafonnet-v11.4.0/main.libsonnet and its
#                dependencies github.com/jsonnet-libs/docsonnet and github.com/jsonnet-libs/xtd.
#                A directory holding such a `vendor/` is accepted too.
# JSONNET_BIN    a Jsonnet command line (go-jsonnet's `jsonnet`, or jrsonnet) taking
#                `-J DIR -c -m OUT FILE`.
# JRSONNET_BIN   optional, a second implementation measured the same way.
# RUNS           runs of each command (default 3; the median is reported).
#
# Neither Grafonnet nor a Jsonnet implementation is part of this repository; without them the
# gstackc side is measured and the comparison prints "skipped: set GRAFONNET_DIR/JSONNET_BIN".
#
# Both sides are generated, one source file per 100 dashboards with every dashboard written
# out: compiler/examples/gen_stack.rs (with no alerts, plus `target native {}`) and
# compiler/examples/gen_jsonnet.rs (a `lib.libsonnet` of helpers over Grafonnet, parts that
# call them, and a `main.jsonnet` rendered with `jsonnet -J GRAFONNET_DIR -c -m OUT
# main.jsonnet`: one process writes all the dashboard files, the library loaded once). Runs
# are interleaved (gstackc, then each Jsonnet, RUNS times) so that load from other processes
# hits both alike. After the first run the outputs are compared dashboard by dashboard (uid,
# title, tags, variable, panel ids, types, titles, grid positions, datasources, queries,
# units, legends); any difference fails the script.
#
# Needs /usr/bin/time (Debian package `time`) and python3; installs nothing. About 2 minutes
# with go-jsonnet on 2 shared cores, once the release build is done.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${1:-1000}
RUNS=${RUNS:-3}

if [ ! -x /usr/bin/time ]; then
  echo "error: /usr/bin/time is missing; it measures wall time and peak RSS. Install the Debian package \`time\` (apt-get install time) and re-run." >&2
  exit 2
fi

# --- what to compare against
skip=""
vendor=""
if [ -z "${GRAFONNET_DIR:-}" ] || [ -z "${JSONNET_BIN:-}" ]; then
  skip="skipped: set GRAFONNET_DIR/JSONNET_BIN (a jsonnet-bundler vendor tree with grafonnet, docsonnet and xtd; a jsonnet binary) to compare with Grafonnet"
else
  for d in "$GRAFONNET_DIR" "$GRAFONNET_DIR/vendor"; do
    if [ -f "$d/github.com/grafana/grafonnet/gen/grafonnet-v11.4.0/main.libsonnet" ]; then vendor=$d; break; fi
  done
  if [ -z "$vendor" ]; then
    echo "error: GRAFONNET_DIR=$GRAFONNET_DIR holds no github.com/grafana/grafonnet/gen/grafonnet-v11.4.0/main.libsonnet (nor does its vendor/)" >&2
    exit 2
  fi
  for dep in github.com/jsonnet-libs/docsonnet/doc-util/main.libsonnet github.com/jsonnet-libs/xtd/main.libsonnet; do
    if [ ! -f "$vendor/$dep" ]; then
      echo "error: $vendor/$dep is missing (Grafonnet depends on jsonnet-libs/docsonnet and jsonnet-libs/xtd)" >&2
      exit 2
    fi
  done
fi
JSONNETS=()
if [ -z "$skip" ]; then
  for b in "$JSONNET_BIN" ${JRSONNET_BIN:+"$JRSONNET_BIN"}; do
    if ! command -v "$b" > /dev/null; then
      echo "error: $b is not an executable" >&2
      exit 2
    fi
    JSONNETS+=("$(command -v "$b")")
  done
fi

echo "== building (release)"
BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/gstack-build.XXXXXX")
if ! cargo build --release -p gstack --bin gstackc --example gen_stack --example gen_jsonnet > "$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG" >&2
  rm -f "$BUILD_LOG"
  echo "error: the release build failed" >&2
  exit 1
fi
rm -f "$BUILD_LOG"
GSTACKC=$PWD/target/release/gstackc
GEN_STACK=$PWD/target/release/examples/gen_stack
GEN_JSONNET=$PWD/target/release/examples/gen_jsonnet

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstack-dashboards.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== machine: $(nproc) cores, $(uname -srm), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- compiler/src 2>/dev/null || echo ' (compiler/src modified)')"
echo "   gstackc: $("$GSTACKC" --version 2>/dev/null || echo "$GSTACKC")"
for j in ${JSONNETS[@]+"${JSONNETS[@]}"}; do
  echo "   $j: $("$j" --version 2>&1 | head -1)"
done
if [ -n "$vendor" ]; then
  echo "   Grafonnet vendor tree: $vendor"
  lock="$vendor/../jsonnetfile.lock.json"
  if [ -f "$lock" ]; then
    python3 -c '
import json, sys
for d in json.load(open(sys.argv[1])).get("dependencies", []):
    g = d["source"].get("git", {})
    print("     %s/%s @ %s" % (g.get("remote", "?"), g.get("subdir", ""), d.get("version", "?")))' "$lock"
  fi
fi

# --- the two sources
"$GEN_STACK" "$WORK/gstack" "$N" 0 > /dev/null
printf '\n// bench/dashboards.sh: write the native target (the dashboard JSON files)\ntarget native {}\n' >> "$WORK/gstack/main.gstack"
"$GEN_JSONNET" "$WORK/jsonnet" "$N" > /dev/null
kb() { du -sb "$1" | awk '{printf "%.1f", $1 / 1e6}'; }
echo "== sources: gstack $(find "$WORK/gstack" -name '*.gstack' | wc -l) files, $(kb "$WORK/gstack") MB; Grafonnet/Jsonnet $(find "$WORK/jsonnet" -name '*sonnet' | wc -l) files, $(kb "$WORK/jsonnet") MB (plus the library)"
echo "   $N dashboards × 10 timeseries panels (3 rows, a PromQL query, unit and legend each)"

# --- one timed run: NAME OUTDIR COMMAND... ; appends "wall rss_kb user sys" to $WORK/NAME.times
timed() {
  local name=$1 out=$2
  shift 2
  rm -rf "$out"
  set +e
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" > /dev/null 2> "$WORK/stderr"
  local rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    echo "error: $name failed (exit $rc): $*" >&2
    head -30 "$WORK/stderr" >&2
    exit 1
  fi
  cat "$WORK/time" >> "$WORK/$name.times"
  awk -v run="$run" -v name="$name" '{ printf "   run %d %-10s %6.2f s wall %6.2f s CPU %6.0f MB\n", run, name, $1, $3 + $4, $2 / 1024 }' "$WORK/time"
}

compare() { # DIR_GSTACK_DASHBOARDS DIR_JSONNET_OUT NAME
  python3 - "$1" "$2" "$3" "$N" <<'PY'
import json, os, sys
a_dir, b_dir, name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def files(d):
    return sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs if f.endswith(".json"))
fa, fb = files(a_dir), files(b_dir)
if fa != fb or len(fa) != n:
    sys.exit(f"error: gstackc wrote {len(fa)} dashboard files, {name} {len(fb)}; first difference: {sorted(set(fa) ^ set(fb))[:3]}")
def key(d):
    unit = lambda p: p.get("fieldConfig", {}).get("defaults", {}).get("unit")
    return {
        "uid": d["uid"], "title": d["title"], "tags": d["tags"], "timezone": d["timezone"],
        "editable": d["editable"], "graphTooltip": d["graphTooltip"],
        "time": d["time"],
        "vars": [{k: v.get(k) for k in ("type", "name", "datasource", "query", "multi", "includeAll", "refresh", "sort")}
                 for v in d["templating"]["list"]],
        "panels": [(p["id"], p["type"], p["title"], p["gridPos"], p.get("datasource"), unit(p),
                    [(t["expr"], t.get("legendFormat"), t.get("datasource"), t.get("range"), t.get("editorMode"))
                     for t in p.get("targets", [])])
                   for p in d["panels"]],
    }
for f in fa:
    ka, kb = key(json.load(open(os.path.join(a_dir, f)))), key(json.load(open(os.path.join(b_dir, f))))
    if ka != kb:
        for k in ka:
            va, vb = ka[k], kb.get(k)
            if va != vb:
                if k == "panels" and len(va) == len(vb):  # show the first panel that differs
                    k, va, vb = next((f"panel {i + 1}", x, y) for i, (x, y) in enumerate(zip(va, vb)) if x != y)
                sys.exit(f"error: {f} differs between gstackc and {name} in {k}:\n  gstackc: {va}\n  {name}: {vb}")
print(f"   the {len(fa)} dashboards of gstackc and {name} agree (uid, title, tags, variable, panels: ids, types, titles, grid, datasources, queries, units, legends)")
PY
}

echo "== $RUNS interleaved runs (wall time, CPU time = user + sys, peak RSS)"
echo "   gstackc:  gstackc build main.gstack -o OUT --target native   (parse, check incl. PromQL, lower, write every native file)"
echo "   check:    gstackc check main.gstack   (the same without lowering and writing; for the split, not compared)"
for j in ${JSONNETS[@]+"${JSONNETS[@]}"}; do
  echo "   $(basename "$j"): $(basename "$j") -J GRAFONNET_DIR -c -m OUT main.jsonnet"
done
names=()
for run in $(seq "$RUNS"); do
  timed gstackc "$WORK/out-gstack" "$GSTACKC" build "$WORK/gstack/main.gstack" -o "$WORK/out-gstack" --target native
  timed check "$WORK/out-check" "$GSTACKC" check "$WORK/gstack/main.gstack"
  if [ "$run" = 1 ]; then
    dash_files=$(find "$WORK/out-gstack/native/config/grafana/dashboards" -name '*.json' | wc -l)
    all_files=$(find "$WORK/out-gstack" -type f | wc -l)
    echo "   (gstackc wrote $all_files files: $dash_files dashboards, the rest the stack's other configuration and ir.json)"
  fi
  for j in ${JSONNETS[@]+"${JSONNETS[@]}"}; do
    name=$(basename "$j")
    timed "$name" "$WORK/out-$name" "$j" -J "$vendor" -c -m "$WORK/out-$name" "$WORK/jsonnet/main.jsonnet"
    if [ "$run" = 1 ]; then
      names+=("$name")
      compare "$WORK/out-gstack/native/config/grafana/dashboards" "$WORK/out-$name" "$name"
    fi
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med_wall() { cut -d' ' -f1 "$WORK/$1.times" | median; }
med_rss() { cut -d' ' -f2 "$WORK/$1.times" | median | awk '{printf "%.0f", $1 / 1024}'; }
med_cpu() { awk '{ print $3 + $4 }' "$WORK/$1.times" | median; }

echo
echo "== result: $N dashboards × 10 panels, median of $RUNS runs, load average now $(cut -d' ' -f1-3 /proc/loadavg)"
g_wall=$(med_wall gstackc)
g_cpu=$(med_cpu gstackc)
printf '   %-10s %7.2f s wall %7.2f s CPU %6s MB peak RSS\n' gstackc "$g_wall" "$g_cpu" "$(med_rss gstackc)"
printf '   %-10s %7.2f s wall %7.2f s CPU %6s MB peak RSS   (gstackc check: no IR, no files)\n' check "$(med_wall check)" "$(med_cpu check)" "$(med_rss check)"
if [ -n "$skip" ]; then
  echo "   Grafonnet: $skip"
  exit 0
fi
met=yes
for name in "${names[@]}"; do
  w=$(med_wall "$name")
  c=$(med_cpu "$name")
  ratio=$(awk -v a="$w" -v b="$g_wall" 'BEGIN { printf "%.1f", a / b }')
  cratio=$(awk -v a="$c" -v b="$g_cpu" 'BEGIN { printf "%.1f", a / b }')
  if awk -v r="$ratio" 'BEGIN { exit !(r < 5) }'; then met=no; fi
  printf '   %-10s %7.2f s wall %7.2f s CPU %6s MB peak RSS   %s× the wall time of gstackc (%s× the CPU time)\n' "$name" "$w" "$c" "$(med_rss "$name")" "$ratio" "$cratio"
done
echo "   target (gstackc at least 5× faster, wall time, than every Jsonnet measured): $met"
