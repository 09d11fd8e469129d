#!/usr/bin/env bash
# Build (once) a Docker image of a Debian bookworm root with systemd as its init (and
# pam_systemd, which a user manager needs), for the live
# systemd test (compiler/tests/systemd_live.rs), and print its name. The root is made with
# debootstrap from the Debian archive (Docker Hub is not needed) and imported with
# `docker import`. The tag carries a hash of this script, so an edit here builds a new image
# and an unchanged script reuses the cached one. Concurrent callers wait on a lock.
#
# Run the image with systemd as PID 1 (`--privileged` is not needed):
#   docker run -d --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-add SYS_PTRACE \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw --cgroupns=host IMAGE /sbin/init
set -euo pipefail
suite=bookworm
mirror=${GSTACK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
image="gstack/systemd-test:$suite-$hash"

exists() { docker image inspect "$image" >/dev/null 2>&1; }
if exists; then echo "$image"; exit 0; fi

for p in docker debootstrap; do
  command -v "$p" >/dev/null || { echo "systemd-image.sh: \`$p\` is not installed (.ci/run installs it)" >&2; exit 1; }
done
lock=${TMPDIR:-/tmp}/gstack-systemd-image.lock
exec 9>"$lock"
flock 9
if exists; then echo "$image"; exit 0; fi

t0=$(date +%s)
root=$(mktemp -d "${TMPDIR:-/tmp}/gstack-systemd-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libpam-systemd "$suite" "$root" "$mirror" >"$root.log" 2>&1 || {
  echo "systemd-image.sh: debootstrap failed:" >&2; tail -30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# A container needs neither a getty nor the units that wait for hardware or a network setup.
for u in getty@tty1.service console-getty.service systemd-networkd-wait-online.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer; do
  rm -f "$root"/etc/systemd/system/*.wants/"$u"
done
: >"$root/etc/machine-id"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar --numeric-owner -C "$root" -c . | docker import - "$image" >/dev/null
echo "systemd-image.sh: built $image in $(( $(date +%s) - t0 ))s" >&2
echo "$image"
