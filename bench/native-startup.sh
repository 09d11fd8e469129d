#!/usr/bin/env bash
# Time from `out/native/run` to every readiness probe passing, for a Prometheus +
# Alertmanager + node-exporter stack on 127.0.0.1 (target: under 5 s here). Prints figures;
# not a test. Needs prometheus, alertmanager, node_exporter and process-compose on PATH
# (.ci/run installs them into /opt/gstack-tools/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/gstack-tools/bin:$PATH"
runs=${RUNS:-5}
cargo build --release -q -p gstack
work=$(mktemp -d)
trap 'kill -TERM "$pc" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pp=$(port); ap=$(port); np=$(port)
cat > "$work/s.gstack" <<GS
stack bench {
  prometheus { port = $pp }
  alertmanager {
    port = $ap
    receiver null {}
    route { receiver = null }
  }
  node_exporter { port = $np }
}
target native { data_dir = "$work/data" }
GS
./target/release/gstackc build "$work/s.gstack" -o "$work/out" --target native >/dev/null 2>&1
ready() { curl -sf "http://127.0.0.1:$pp/-/ready" >/dev/null && curl -sf "http://127.0.0.1:$ap/-/ready" >/dev/null && curl -sf "http://127.0.0.1:$np/metrics" >/dev/null; }
times=()
for i in $(seq "$runs"); do
  rm -rf "$work/data"
  t0=$(date +%s%N)
  setsid "$work/out/native/run" >"$work/run.log" 2>&1 &
  pc=$!
  until ready; do sleep 0.05; done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  times+=("$ms")
  echo "run $i: all ready after ${ms} ms"
  kill -TERM "$pc"; wait "$pc" 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "median: $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p") ms over $runs runs (target: under 5000 ms)"
