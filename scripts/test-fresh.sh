#!/usr/bin/env bash
# Runs the README's commands on a truly fresh machine: a minimal Debian 12
# root made with debootstrap (--variant=minbase: no make, no git, no sudo),
# with Go and Node.js copied in as the README assumes, and this source tree
# copied in without .git, node_modules or build output. Inside it runs
#   ./setup.sh && make test
# as root, and reports the time. Needs root, debootstrap and the Debian
# mirror; takes 20-40 minutes. Not part of make test.
#   scripts/test-fresh.sh [ROOT]      (default /var/tmp/tubeagency-fresh; reused when it exists)
# FRESH_CMD overrides the command run inside (e.g. FRESH_CMD='./setup.sh && make run').
set -euo pipefail
root=${1:-/var/tmp/tubeagency-fresh}
mirror=${DEBIAN_MIRROR:-$(awk '/^deb / && /debian/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
cmd=${FRESH_CMD:-./setup.sh && make test}
[ "$(id -u)" -eq 0 ] || { echo "test-fresh: needs root (debootstrap and chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "test-fresh: apt-get install debootstrap" >&2; exit 1; }
go_root=$(go env GOROOT)
node_bin=$(command -v node)
src=$(pwd)
t0=$(date +%s)

if [ ! -x "$root/bin/bash" ]; then
  echo "test-fresh: debootstrap bookworm (minbase) into $root from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
    || { tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
fi
t1=$(date +%s)
# What the README assumes is there: Go 1.26 and Node.js 22 (or 20.19+) on PATH.
mkdir -p "$root/usr/local"
rm -rf "$root/usr/local/go"
cp -a "$go_root" "$root/usr/local/go"
node_prefix=$(dirname "$(dirname "$(readlink -f "$node_bin")")")
cp -a "$(readlink -f "$node_bin")" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
rm -rf "$root/usr/local/lib/node_modules/npm"
cp -a "$node_prefix/lib/node_modules/npm" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The root trusts what this machine trusts: behind a TLS-inspecting proxy
# its CA is in /usr/local/share/ca-certificates, and npm and Go need it.
ca_env=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  if [ -x "$root/usr/sbin/update-ca-certificates" ]; then
    chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1 || true
  else
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  ca_env=(SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
# The source as a release tarball has it: no .git, nothing built.
rm -rf "$root/src"
mkdir -p "$root/src"
tar -C "$src" --exclude=./.git --exclude=./frontend/node_modules --exclude=./build/bin --exclude=./test-results \
  --exclude='./frontend/dist/assets' --exclude=./frontend/dist/index.html -cf - . | tar -C "$root/src" -xf -

mounts=(proc sys dev dev/pts dev/shm)
cleanup() {
  for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "$root/${mounts[$i]}" 2>/dev/null || true; done
  umount -l "$root" 2>/dev/null || true
}
trap cleanup EXIT
# On a machine / is a mount point, and the disk-full test needs it to be
# (in its own mount namespace it makes / private before mounting a small
# tmpfs): the root is bound onto itself, so the chroot's / is one too.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mkdir -p "$root/dev/shm"; mount -t tmpfs shm "$root/dev/shm"

echo "test-fresh: running '$cmd' in $root"
t2=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 "${ca_env[@]}" \
  PATH=/usr/local/go/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c "cd /src && $cmd" 2>&1 | tee "$root.log"
rc=${PIPESTATUS[0]}
set -e
t3=$(date +%s)
echo "test-fresh: exit $rc; debootstrap $((t1 - t0)) s, '$cmd' $((t3 - t2)) s (log: $root.log)"
exit "$rc"
