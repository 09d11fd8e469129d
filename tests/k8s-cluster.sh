#!/usr/bin/env bash
# A throwaway single-node Kubernetes on this machine, for the live Kubernetes and Helm tests
# (compiler/tests/kubernetes_live.rs), from the programs tests/k8s-build.sh builds:
#
#   tests/k8s-cluster.sh up      start it (a no-op when it is up); prints the kubeconfig path
#   tests/k8s-cluster.sh down    stop everything `up` started, unmount, remove the node IP
#   tests/k8s-cluster.sh status  exit 0 when it is up
#   tests/k8s-cluster.sh import IMAGE.tar...   import image archives into the node's containerd
#
# etcd, kube-apiserver (127.0.0.1), kube-controller-manager, kube-scheduler, a containerd of
# its own with the CRI plugin (Debian's containerd and runc; CNI bridge), the kubelet,
# kube-proxy (nftables) and CoreDNS (on the host: pods cannot reach an apiserver bound to
# 127.0.0.1), a default `local` StorageClass without provisioner (tests bind their own PVs)
# and a pause image built from a static C program. Everything lives in $GSTACK_K8S_DIR
# (/tmp/gstack-k8s), each process's log in its logs/ directory; the node's IP $NODE_IP is
# added to `lo` (the kubelet refuses a loopback node IP and this kernel has no dummy links).
#
# The quirks of this VM each flag answers are in ../shared/notes/real-engines.md.
set -euo pipefail
BIN=${GSTACK_K8S_BIN:-/opt/gstack-tools/k8s/bin}
D=${GSTACK_K8S_DIR:-/tmp/gstack-k8s}
NODE=gstack-node NODE_IP=10.250.0.1
ETCD_PORT=12379 ETCD_PEER=12380 API_PORT=16443
SERVICE_CIDR=10.96.0.0/16 POD_CIDR=10.244.0.0/16 POD_SUBNET=10.244.0.0/24
PAUSE=gstack.local/pause:1
CNI_BIN=${GSTACK_CNI_BIN:-/usr/lib/cni}
export PATH="$BIN:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
K="$BIN/kubectl --kubeconfig $D/pki/admin.kubeconfig"
CTR="ctr --address $D/containerd/containerd.sock -n k8s.io"

log() { echo "k8s-cluster: $*" >&2; }
die() { log "$*"; exit 1; }
alive() { [ -f "$D/run/$1.pid" ] && kill -0 "$(cat "$D/run/$1.pid")" 2>/dev/null; }

start() { # start NAME PROGRAM ARGS... : in its own session, log in logs/NAME.log, pid in run/
  local name=$1; shift
  setsid "$@" >"$D/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$D/run/$name.pid"
}

wait_until() { # wait_until SECONDS WHAT COMMAND... : poll every 0.2 s
  local secs=$1 what=$2 i; shift 2
  for ((i = 0; i < secs * 5; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "timed out after ${secs}s waiting for $what; last log lines:"
  tail -n 30 "$D/logs/"*.log >&2 || true
  return 1
}

# --- PKI -------------------------------------------------------------------------------------
cert() { # cert NAME SUBJECT [SANS] : an EC key and a certificate signed by the CA
  local name=$1 subj=$2 sans=${3:-} ext
  ext=$(mktemp)
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; [ -n "$sans" ] && echo "subjectAltName=$sans"; } >"$ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
    -keyout "$D/pki/$name.key" -out "$D/pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$D/pki/$name.csr" -CA "$D/pki/ca.crt" -CAkey "$D/pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$ext" -out "$D/pki/$name.crt" 2>/dev/null
  rm -f "$ext" "$D/pki/$name.csr"
}
kubeconfig() { # kubeconfig NAME : pki/NAME.kubeconfig with the client certificate NAME
  cat >"$D/pki/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: gstack
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $D/pki/ca.crt
users:
- name: $1
  user:
    client-certificate: $D/pki/$1.crt
    client-key: $D/pki/$1.key
contexts:
- name: gstack
  context: {cluster: gstack, user: $1}
current-context: gstack
EOF
}
pki() {
  mkdir -p "$D/pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=gstack-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -keyout "$D/pki/ca.key" -out "$D/pki/ca.crt" 2>/dev/null
  cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,IP:10.96.0.1,IP:$NODE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  cert admin "/O=system:masters/CN=gstack-admin"
  cert controller-manager "/CN=system:kube-controller-manager"
  cert scheduler "/CN=system:kube-scheduler"
  cert kube-proxy "/CN=system:kube-proxy"
  cert kubelet "/O=system:nodes/CN=system:node:$NODE" "IP:$NODE_IP,DNS:$NODE"
  openssl genrsa -out "$D/pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$D/pki/sa.key" -pubout -out "$D/pki/sa.pub" 2>/dev/null
  for n in admin controller-manager scheduler kube-proxy kubelet; do kubeconfig $n; done
}

# --- the pause image: a static C program in a one-layer docker archive ----------------------
image_archive() { # image_archive ROOTFS REF CONFIG_JSON OUT : a docker-archive tarball, no daemon
  local root=$1 ref=$2 config=$3 out=$4 w layer cfg
  w=$(mktemp -d)
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$w/layer.tar" .
  layer=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
  mkdir "$w/$layer" && mv "$w/layer.tar" "$w/$layer/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$config" "$layer" >"$w/config.json"
  cfg=$(sha256sum "$w/config.json" | cut -d' ' -f1)
  mv "$w/config.json" "$w/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$ref" "$layer" >"$w/manifest.json"
  tar -C "$w" -cf "$out" manifest.json "$cfg.json" "$layer"
  rm -rf "$w"
}
pause_image() {
  local w; w=$(mktemp -d)
  cat >"$w/pause.c" <<'EOF'
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void quit(int s) { (void)s; _exit(0); }
static void reap(int s) { (void)s; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGINT, quit); signal(SIGTERM, quit); signal(SIGCHLD, reap);
  for (;;) pause();
}
EOF
  mkdir -p "$w/root"
  gcc -static -O2 -o "$w/root/pause" "$w/pause.c"
  image_archive "$w/root" "$PAUSE" '{"Entrypoint":["/pause"],"User":"65535:65535"}' "$D/images/pause.tar"
  rm -rf "$w"
}

# --- configuration files ---------------------------------------------------------------------
configs() {
  mkdir -p "$D/containerd" "$D/cni/net.d" "$D/kubelet" "$D/images"
  cat >"$D/containerd/config.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$D/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE"
  # no CAP_SYS_RESOURCE here: runc cannot lower /proc/self/oom_score_adj
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$D/cni/net.d"
EOF
  # no ipMasq: pods only talk to each other and to the host, and shared iptables stay untouched
  cat >"$D/cni/net.d/10-gstack.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "gstack", "plugins": [
  {"type": "bridge", "bridge": "gstack0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_SUBNET"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$D/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}
]}
EOF
  cat >"$D/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $D/pki/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
containerRuntimeEndpoint: unix://$D/containerd/containerd.sock
makeIPTablesUtilChains: false
resolvConf: /etc/resolv.conf
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
podLogsDir: $D/pod-logs
EOF
  cat >"$D/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clientConnection: {kubeconfig: $D/pki/kube-proxy.kubeconfig}
conntrack: {maxPerCore: 0}
EOF
  cat >"$D/Corefile" <<EOF
.:53 {
  bind $NODE_IP
  errors
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $D/pki/admin.kubeconfig gstack
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  forward . /etc/resolv.conf
  cache 5
}
EOF
}

# --- up / down -------------------------------------------------------------------------------
is_up() { alive kubelet && alive kube-apiserver && $K get --raw /readyz >/dev/null 2>&1 &&
  [ "$($K get node $NODE -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }

up() {
  if is_up; then log "already up ($D)"; echo "$D/pki/admin.kubeconfig"; return; fi
  local p; for p in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns; do
    [ -x "$BIN/$p" ] || die "no $BIN/$p: run tests/k8s-build.sh"; done
  for p in containerd containerd-shim-runc-v2 runc ctr openssl gcc nft; do
    command -v $p >/dev/null || die "no $p on PATH (containerd/runc: Debian docker.io or containerd; nft: nftables)"; done
  [ -x "$CNI_BIN/bridge" ] || die "no CNI plugins in $CNI_BIN (Debian containernetworking-plugins)"
  [ -d "$D/run" ] && down
  local t0; t0=$(date +%s.%N)
  rm -rf "$D"; mkdir -p "$D/logs" "$D/run" "$D/pv"
  pki; configs; pause_image
  ip addr add "$NODE_IP/32" dev lo 2>/dev/null || ip addr show dev lo | grep -q "inet $NODE_IP/" ||
    die "cannot add $NODE_IP to lo"
  touch "$D/run/lo-address"
  # a node's / is a shared mount where systemd is PID 1, and the kubelet needs it for
  # `mountPropagation: HostToContainer` (node-exporter's host root); this VM's is private
  if ! findmnt -no PROPAGATION / | grep -q shared; then
    mount --make-rshared / || die "cannot make / a shared mount"
    touch "$D/run/root-made-shared"
  fi

  start etcd "$BIN/etcd" --name gstack --data-dir "$D/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "gstack=http://127.0.0.1:$ETCD_PEER" --listen-metrics-urls "" --log-level warn
  start containerd containerd --config "$D/containerd/config.toml"
  wait_until 30 etcd curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --endpoint-reconciler-type none --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --client-ca-file "$D/pki/ca.crt" --tls-cert-file "$D/pki/apiserver.crt" --tls-private-key-file "$D/pki/apiserver.key" \
    --kubelet-client-certificate "$D/pki/apiserver-kubelet-client.crt" --kubelet-client-key "$D/pki/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$D/pki/sa.pub" --service-account-signing-key-file "$D/pki/sa.key"
  wait_until 60 "kube-apiserver /readyz" $K get --raw /readyz
  log "control plane API ready after $(elapsed "$t0")s"
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$D/pki/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$D/pki/controller-manager.kubeconfig" --authorization-kubeconfig "$D/pki/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --cluster-signing-cert-file "$D/pki/ca.crt" --cluster-signing-key-file "$D/pki/ca.key" \
    --root-ca-file "$D/pki/ca.crt" --service-account-private-key-file "$D/pki/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR"
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$D/pki/scheduler.kubeconfig" \
    --authentication-kubeconfig "$D/pki/scheduler.kubeconfig" --authorization-kubeconfig "$D/pki/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false
  wait_until 30 containerd $CTR version
  $CTR images import "$D/images/pause.tar" >/dev/null
  start kubelet "$BIN/kubelet" --config "$D/kubelet/config.yaml" --kubeconfig "$D/pki/kubelet.kubeconfig" \
    --root-dir "$D/kubelet" --cert-dir "$D/kubelet/pki" --hostname-override "$NODE" --node-ip "$NODE_IP" --v 1
  start kube-proxy "$BIN/kube-proxy" --config "$D/kube-proxy.yaml"
  start coredns "$BIN/coredns" -conf "$D/Corefile"
  $K apply --server-side -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Retain
EOF
  wait_until 90 "node $NODE Ready" is_up
  wait_until 30 "CoreDNS on $NODE_IP:53" bash -c "ss -Hlun | grep -q '$NODE_IP:53 '"
  log "up after $(elapsed "$t0")s: KUBECONFIG=$D/pki/admin.kubeconfig, logs in $D/logs"
  echo "$D/pki/admin.kubeconfig"
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

down() {
  [ -d "$D/run" ] || { log "not up ($D)"; return 0; }
  local n pid
  # the pods first: their containers are runc processes under containerd's shims
  if alive containerd; then
    for c in $($CTR tasks ls -q 2>/dev/null); do $CTR tasks kill -s KILL "$c" >/dev/null 2>&1 || true; done
  fi
  for n in coredns kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver containerd etcd; do
    [ -f "$D/run/$n.pid" ] || continue
    pid=$(cat "$D/run/$n.pid")
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  sleep 1
  for n in coredns kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver containerd etcd; do
    [ -f "$D/run/$n.pid" ] || continue
    pid=$(cat "$D/run/$n.pid")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$D/run/$n.pid"
  done
  # containerd's shims (started by our containerd, named by its socket) outlive it
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $D/containerd/containerd.sock\$" || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # kube-proxy's own nftables tables
  nft delete table ip kube-proxy 2>/dev/null || true
  nft delete table ip6 kube-proxy 2>/dev/null || true
  # mounts under the state directory (pod volumes, sandboxes' shm, overlay snapshots), deepest first
  local m
  for m in $(awk -v d="$D/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  ip link delete gstack0 2>/dev/null || true
  if [ -f "$D/run/lo-address" ]; then ip addr del "$NODE_IP/32" dev lo 2>/dev/null || true; fi
  if [ -f "$D/run/root-made-shared" ]; then mount --make-rprivate / 2>/dev/null || true; fi
  # keep the logs for a look afterwards; the rest (PKI, etcd, images, volumes) goes
  find "$D" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null || true
  log "down (logs kept in $D/logs)"
}

import() {
  is_up || die "not up: run $0 up"
  local f; for f in "$@"; do $CTR images import "$f" >/dev/null || die "ctr images import $f failed"; done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) is_up ;;
  import) shift; import "$@" ;;
  ctr) shift; $CTR "$@" ;;
  *) echo "usage: $0 up|down|status|import IMAGE.tar...|ctr ARGS..." >&2; exit 2 ;;
esac
