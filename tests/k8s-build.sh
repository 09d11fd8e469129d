#!/usr/bin/env bash
# Builds the programs of the test suite's single-node Kubernetes cluster (tests/k8s-cluster.sh)
# from the Go module proxy, into a cache outside the repository:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#     (k8s.io/kubernetes $K8S), etcd (go.etcd.io/etcd/server/v3 $ETCD), coredns ($COREDNS).
# Static (CGO_ENABLED=0). A program already there at the right version is not rebuilt; each
# step prints how long it took. Cold: ~25 min on 2 cores.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces every k8s.io staging module
# by ./staging/src/k8s.io/…, which a dependency's replace cannot use. So the build runs in a
# throwaway module whose go.mod replaces each of those modules (the list read from
# k8s.io/kubernetes's own go.mod) by its published release $STAGING, and which holds etcd's
# three-line main, so one `go build` shares the dependency graph of both.
#
# Usage: tests/k8s-build.sh            (GSTACK_K8S_BIN overrides the output directory)
set -euo pipefail
K8S=v1.35.4 STAGING=v0.35.4 ETCD=v3.6.5 COREDNS=v1.14.7
OUT=${GSTACK_K8S_BIN:-/opt/gstack-tools/k8s/bin}
# A build cache of its own, removed once everything is built (~3 GB the suite does not need).
export GOCACHE=${GSTACK_K8S_GOCACHE:-$(dirname "$OUT")/go-build}
export CGO_ENABLED=0 GOFLAGS=-mod=mod
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$OUT"

step() { # step NAME COMMAND... : run and print how long it took
  local name=$1 t0; shift; t0=$(date +%s)
  echo "::: k8s-build: $name"
  "$@"
  echo "::: k8s-build: $name took $(( $(date +%s) - t0 ))s"
}

# version checks: each binary's own --version output
k8s_ok() { local p
  for p in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    [[ -x $OUT/$p && $("$OUT/$p" --version 2>/dev/null) == "Kubernetes $K8S" ]] || return 1; done
  [[ -x $OUT/kubectl && $("$OUT/kubectl" version --client 2>/dev/null) == *"Client Version: $K8S"* ]]; }
etcd_ok() { [[ -x $OUT/etcd && $("$OUT/etcd" --version 2>/dev/null) == *"etcd Version: ${ETCD#v}"* ]]; }
coredns_ok() { [[ -x $OUT/coredns && $("$OUT/coredns" -version 2>/dev/null) == *"CoreDNS-${COREDNS#v}"* ]]; }

build_k8s() {
  local d gomod
  d=$(mktemp -d)
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  [ -s "$gomod" ] || { echo "no go.mod for k8s.io/kubernetes@$K8S"; return 1; }
  mkdir -p "$d/etcd"
  cat >"$d/etcd/main.go" <<'EOF'
package main

import ("os"; "go.etcd.io/etcd/server/v3/etcdmain")

func main() { etcdmain.Main(os.Args) }
EOF
  {
    echo "module gstack.local/k8sbuild"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")"
    echo
    echo "require ("
    echo "	k8s.io/kubernetes $K8S"
    echo "	go.etcd.io/etcd/server/v3 $ETCD"
    echo ")"
    echo
    # `k8s.io/api => ./staging/src/k8s.io/api` → `k8s.io/api => k8s.io/api v0.35.4`
    sed -n 's#^\s*\(k8s\.io/[A-Za-z0-9._/-]*\) => \./staging/src/\1$#replace \1 => \1 '"$STAGING"'#p' "$gomod"
  } >"$d/go.mod"
  grep -c '^replace' "$d/go.mod" | sed 's/^/replaced staging modules: /'
  grep -q '^replace k8s.io/api =>' "$d/go.mod" || { echo "no staging replaces read from $gomod"; return 1; }
  local v=k8s.io/component-base/version c=k8s.io/client-go/pkg/version
  local minor=${K8S#v1.}; minor=${minor%%.*}
  local ld="-s -w -X $v.gitVersion=$K8S -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  ld+=" -X $c.gitVersion=$K8S -X $c.gitMajor=1 -X $c.gitMinor=$minor -X $c.gitTreeState=clean"
  (cd "$d" && go build -trimpath -ldflags "$ld" -o "$OUT/" \
     k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
     k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
     k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl ./etcd) || { rm -rf "$d"; return 1; }
  rm -rf "$d"
}
build_coredns() { GOBIN=$OUT go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS"; }

t0=$(date +%s)
if k8s_ok && etcd_ok; then echo "::: k8s-build: kubernetes $K8S and etcd $ETCD present in $OUT"
else step "kubernetes $K8S (6 programs) + etcd $ETCD (go build, static)" build_k8s; fi
if coredns_ok; then echo "::: k8s-build: coredns $COREDNS present in $OUT"
else step "coredns $COREDNS (go install, static)" build_coredns; fi
k8s_ok && etcd_ok && coredns_ok || { echo "::: k8s-build: a built program is not at its version"; exit 1; }
rm -rf "$GOCACHE"
echo "::: k8s-build: done in $(( $(date +%s) - t0 ))s: $(du -sh "$OUT" | cut -f1) in $OUT"
