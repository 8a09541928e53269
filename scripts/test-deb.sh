#!/usr/bin/env bash
# Checks the .deb as a user gets it: its contents and declared
# dependencies, its desktop entry, then installs it on this machine
# (dpkg -i, then apt-get -f install for what is missing), runs the
# installed `tubeagency version` and a serve smoke test, and removes it,
# checking nothing it installed is left. Needs root (CI runs as root).
#   VERSION=1.2.0 scripts/test-deb.sh build/bin/tubeagency_1.2.0_amd64.deb
set -euo pipefail
deb=$(realpath "${1:?the .deb to test}")
fail() { echo "deb test: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "installing the package needs root"
tmp=$(mktemp -d)
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  if dpkg-query -W -f='${Status}' tubeagency 2>/dev/null | grep -q "ok installed"; then
    dpkg -P tubeagency >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
started=$(date +%s)

# 1. Contents and metadata.
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/contents"
for f in ./usr/bin/tubeagency ./usr/share/applications/tubeagency.desktop \
  ./usr/share/man/man1/tubeagency.1.gz ./usr/share/doc/tubeagency/copyright ./usr/share/doc/tubeagency/changelog.gz; do
  grep -qx "$f" "$tmp/contents" || fail "$f is not in the package"
done
for s in 16 22 24 32 48 64 128 256 512; do
  grep -qx "./usr/share/icons/hicolor/${s}x${s}/apps/tubeagency.png" "$tmp/contents" || fail "no ${s}x${s} icon"
done
dpkg-deb -c "$deb" | grep -E ' \./usr/bin/tubeagency$' | grep -q '^-rwxr-xr-x' || fail "/usr/bin/tubeagency is not 0755"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libc6 libgtk-3-0 libwebkit2gtk-4.1-0 espeak-ng ffmpeg gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav; do
  echo "$depends" | tr ',' '\n' | grep -qE "^ ?$d( |$)" || fail "Depends lacks $d: $depends"
done
[ "$(dpkg-deb -f "$deb" Package)" = tubeagency ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "architecture"
debver=$(dpkg-deb -f "$deb" Version)
case "$deb" in *"_${debver}_amd64.deb") ;; *) fail "file name does not carry the version $debver" ;; esac

# 2. The desktop entry, as shipped.
mkdir -p "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
desktop-file-validate "$tmp/x/usr/share/applications/tubeagency.desktop" || fail "desktop-file-validate"
grep -qx 'Exec=tubeagency %U' "$tmp/x/usr/share/applications/tubeagency.desktop" || fail "Exec line"
identify -format '%wx%h' "$tmp/x/usr/share/icons/hicolor/48x48/apps/tubeagency.png" | grep -qx 48x48 || fail "48x48 icon is not 48x48"
gzip -dc "$tmp/x/usr/share/man/man1/tubeagency.1.gz" | grep -q '^\.SH NAME' || fail "man page"

# 3. Install: dpkg -i, then apt-get -f install pulls what is missing.
# Another install on this machine may hold the dpkg lock for a while.
for i in $(seq 60); do
  if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then break; fi
  if grep -q 'lock' "$tmp/dpkg.log"; then sleep 5; continue; fi
  # Missing dependencies leave the package unconfigured: apt fixes that.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -f install -y -qq >"$tmp/apt.log" 2>&1 \
    || { cat "$tmp/dpkg.log" "$tmp/apt.log" >&2; fail "apt-get -f install"; }
  break
done
dpkg-query -W -f='${Status} ${Version}\n' tubeagency | grep -qx "install ok installed $debver" \
  || { cat "$tmp/dpkg.log" >&2; fail "the package is not installed: $(dpkg-query -W -f='${Status}' tubeagency 2>&1)"; }
[ "$(command -v tubeagency)" = /usr/bin/tubeagency ] || fail "tubeagency is not on PATH at /usr/bin"

# 4. The installed binary.
out=$(/usr/bin/tubeagency version)
echo "$out" | grep -q "^tubeagency ${VERSION#v} " || fail "version printed '$out', want ${VERSION#v}"
/usr/bin/tubeagency --help | grep -q 'tubeagency serve' || fail "--help"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/tubeagency serve --addr "127.0.0.1:$port" --data-dir "$tmp/data" --update-feed off >"$tmp/serve.log" 2>&1 &
serve_pid=$!
health=
for _ in $(seq 100); do
  health=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null) && break
  sleep 0.2
done
echo "$health" | grep -q '"store":"ok"' || { cat "$tmp/serve.log" >&2; fail "/healthz: '$health'"; }
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
serve_pid=
[ -s "$tmp/data/logs/tubeagency.log" ] || fail "the installed app wrote no log file"

# 5. Remove it: every file it installed goes.
dpkg -r tubeagency >/dev/null
dpkg -P tubeagency >/dev/null
! dpkg-query -W -f='${Status}' tubeagency 2>/dev/null | grep -q "installed" || fail "still installed"
while read -r f; do
  p=${f#.}
  [ -d "$tmp/x$p" ] && continue # shared folders (/usr/bin …) stay
  [ ! -e "$p" ] || fail "$p is left after removal"
done <"$tmp/contents"
echo "deb test: ok ($(basename "$deb"), $(du -k "$deb" | cut -f1) KB; installed, ran version and serve, removed cleanly; $(( $(date +%s) - started )) s)"
