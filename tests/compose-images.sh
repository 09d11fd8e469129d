#!/usr/bin/env bash
# Build stand-in container images for the compose run, FROM scratch, from the binaries this
# machine has — because Docker Hub is not reachable here and the flake's images need nixpkgs.
#
#   tests/compose-images.sh COMPONENT=IMAGE_REF...     e.g. prometheus=gstack/prometheus:3.5
#
# Each image follows the contract nix/image.nix builds with, read from the same place,
# nix/components.nix (gstackc's facts table): the program at /bin/<program> (with its `ldd`
# closure when it is not static), /etc/passwd and /etc/group with root, nobody and the
# component's user, /tmp (1777), the data dir owned by uid:gid, CA certificates and tzdata only
# where the component asks for them, Grafana's home at /usr/share/grafana, no shell. Config:
# User uid:gid, Entrypoint /bin/<program>, PATH=/bin, WorkingDir the data dir, its ports
# exposed, the data dir a volume. compiler/tests/compose_live.rs checks built images against
# components.nix.
#
# The binary is $GSTACK_<COMPONENT>_BIN when set (GSTACK_NODE_EXPORTER_BIN, ...), else the
# program on PATH; Grafana's home is $GSTACK_GRAFANA_HOME, else share/grafana next to its bin/.
# An image whose binary and contract are unchanged is not rebuilt (label gstack.stand-in.key).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
contract="$(nix-instantiate --eval --strict --json "$here/../nix/components.nix")"

die() { echo "compose-images: $*" >&2; exit 1; }

build_one() {
  local comp=$1 ref=$2
  local spec; spec="$(jq -ce --arg c "$comp" '.[$c]' <<<"$contract")" || die "no component $comp in nix/components.nix"
  local program uid gid user data cacert tzdata
  program=$(jq -r .program <<<"$spec"); uid=$(jq -r .uid <<<"$spec"); gid=$(jq -r .gid <<<"$spec")
  user=$(jq -r .userName <<<"$spec"); data=$(jq -r '.dataDir // ""' <<<"$spec")
  cacert=$(jq -r .cacert <<<"$spec"); tzdata=$(jq -r .tzdata <<<"$spec")
  local var="GSTACK_${comp^^}_BIN" bin
  bin="${!var:-$(command -v "$program" || true)}"
  [ -n "$bin" ] && [ -x "$bin" ] || die "$comp: no binary (set $var or put $program on PATH)"
  bin="$(readlink -f "$bin")"

  local key; key="$( { sha256sum "$bin" "${BASH_SOURCE[0]}"; echo "$spec $ref"; } | sha256sum | cut -c1-16)"
  if [ "$(docker image inspect -f '{{ index .Config.Labels "gstack.stand-in.key" }}' "$ref" 2>/dev/null || true)" = "$key" ]; then
    echo "compose-images: $ref is up to date"
    return
  fi

  local root; root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$bin" "$root/bin/$program"
  # a dynamically linked binary brings its loader and libraries (ldd prints `lib => path` and
  # the loader's absolute path)
  if ldd "$bin" >/dev/null 2>&1; then
    ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  fi
  {
    echo "root:x:0:0:root:/var/empty:/sbin/nologin"
    echo "nobody:x:65534:65534:nobody:/var/empty:/sbin/nologin"
    [ "$uid" != 0 ] && [ "$uid" != 65534 ] && echo "$user:x:$uid:$gid:$user:/var/empty:/sbin/nologin"
  } >"$root/etc/passwd"
  {
    echo "root:x:0:"
    echo "nogroup:x:65534:"
    [ "$gid" != 0 ] && [ "$gid" != 65534 ] && echo "$user:x:$gid:"
  } >"$root/etc/group"
  local changes=(--change "USER $uid:$gid" --change "ENTRYPOINT [\"/bin/$program\"]" --change "ENV PATH=/bin"
    --change "LABEL org.opencontainers.image.title=\"gstack $comp\" gstack.stand-in.key=$key")
  if [ "$cacert" = true ]; then
    mkdir -p "$root/etc/ssl/certs"
    cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  if [ "$tzdata" = true ]; then
    mkdir -p "$root/usr/share"
    cp -rL /usr/share/zoneinfo "$root/usr/share/zoneinfo"
    changes+=(--change "ENV ZONEINFO=/usr/share/zoneinfo")
  fi
  if [ -n "$data" ]; then
    mkdir -p "$root$data"
    chown "$uid:$gid" "$root$data"
    changes+=(--change "WORKDIR $data" --change "VOLUME [\"$data\"]")
  fi
  for p in $(jq -r '.ports[]' <<<"$spec"); do changes+=(--change "EXPOSE $p/tcp"); done
  if [ "$comp" = grafana ]; then
    local home="${GSTACK_GRAFANA_HOME:-$(dirname "$(dirname "$bin")")/share/grafana}"
    [ -d "$home" ] || die "grafana: no home directory $home (set GSTACK_GRAFANA_HOME)"
    mkdir -p "$root/usr/share"
    cp -rL "$home" "$root/usr/share/grafana"
    changes+=(--change "ENV GF_PATHS_DATA=/var/lib/grafana" --change "ENV GF_PATHS_PLUGINS=/var/lib/grafana/plugins")
  fi
  tar --numeric-owner -C "$root" -c . | docker import "${changes[@]}" - "$ref" >/dev/null
  rm -rf "$root"
  echo "compose-images: built $ref from $bin"
}

[ $# -gt 0 ] || die "usage: $0 COMPONENT=IMAGE_REF..."
for arg in "$@"; do
  build_one "${arg%%=*}" "${arg#*=}"
done
