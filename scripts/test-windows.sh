#!/usr/bin/env bash
# Checks the Windows build under Wine (wine64 alone; no display needed):
#  1. tubeagency.exe version prints the version;
#  2. tubeagency.exe serve answers /healthz with "store":"ok", and a channel
#     written through it is read back (real SQLite in the Windows build);
#  3. the installer runs silently (/S) and installs the exe, the uninstaller,
#     the Start-menu shortcut and the uninstall key (the files are checked,
#     not Wine's exit code), the installed exe runs;
#  4. the uninstaller (/S) removes them again.
# Everything happens in a private Wine prefix that is deleted afterwards.
#   VERSION=1.2.0 scripts/test-windows.sh build/bin/tubeagency.exe build/bin/..._setup.exe
set -euo pipefail
exe=$(realpath "${1:?tubeagency.exe}")
setup=$(realpath "${2:?the installer}")
fail() { echo "windows test: FAIL: $*" >&2; for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2; exit 1; }
for t in wine wineserver wineboot x86_64-w64-mingw32-gcc; do
  command -v "$t" >/dev/null || { echo "windows test: $t is missing: run make deps-windows" >&2; exit 1; }
done
tmp=$(mktemp -d)
export WINEPREFIX=$tmp/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  # Only this test's own prefix: its wineserver and the programs in it.
  [ -d "$WINEPREFIX" ] && wineserver -k 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
started=$(date +%s)

# The prefix. Go >= 1.22 exes need bcryptprimitives.dll, which Wine 8.0
# lacks: a mingw-built stand-in goes into system32.
timeout 180 wineboot -i >"$tmp/wineboot.log" 2>&1 || fail "wineboot"
timeout 60 wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f >"$tmp/reg.log" 2>&1 || fail "set Windows 10"
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  build/windows/bcryptprimitives.c -ladvapi32
prefix_s=$(( $(date +%s) - started ))

# 1. version
out=$(timeout 60 wine "$exe" version 2>"$tmp/version.log" | tr -d '\r') || fail "tubeagency.exe version"
echo "$out" | grep -q "^tubeagency ${VERSION#v} (go.* windows/amd64)$" || fail "version printed '$out'"

# 2. serve, on a data folder given as a Windows path.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/data"
wine "$exe" serve --addr "127.0.0.1:$port" --data-dir "Z:${tmp//\//\\}\\data" --update-feed off >"$tmp/serve.log" 2>&1 &
serve_pid=$!
health=
for _ in $(seq 150); do
  health=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null) && break
  sleep 0.2
done
echo "$health" | grep -q '"store":"ok"' || fail "/healthz: '$health'"
curl -fsS -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/call/CreateChannel" \
  -d '[{"name":"Wine Cellar Tales","niche":"wine","language":"en","audience":"collectors","format":"shorts","cadence":2,"youtube_id":"","autopilot":false}]' >/dev/null \
  || fail "CreateChannel"
curl -fsS -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/call/ListChannels" -d '[]' | grep -q 'Wine Cellar Tales' \
  || fail "ListChannels did not return the channel"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
serve_pid=
[ -f "$tmp/data/tubeagency.db" ] || fail "no database in the data folder"
[ -s "$tmp/data/logs/tubeagency.log" ] || fail "no log file in the data folder"

# 3. Silent install.
user=$(whoami)
home=$WINEPREFIX/drive_c/users/$user
inst="$home/AppData/Local/Programs/Tube Agency"
lnk="$home/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Tube Agency.lnk"
timeout 300 wine "$setup" /S >"$tmp/install.log" 2>&1 || true # Wine's exit code says little: check the files
timeout 300 wineserver -w || true
[ -f "$inst/tubeagency.exe" ] || fail "the installer did not install tubeagency.exe (in $inst)"
[ -f "$inst/uninstall.exe" ] || fail "no uninstall.exe"
[ -f "$lnk" ] || fail "no Start-menu shortcut"
cmp -s "$exe" "$inst/tubeagency.exe" || fail "the installed exe differs from the built one"
timeout 60 wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\TubeAgency' /v DisplayVersion 2>/dev/null \
  | tr -d '\r' | grep -q "${VERSION#v}" || fail "no uninstall entry with the version"
out=$(timeout 60 wine "$inst/tubeagency.exe" version 2>/dev/null | tr -d '\r')
echo "$out" | grep -q "^tubeagency ${VERSION#v} " || fail "installed exe printed '$out'"

# 4. Silent uninstall.
timeout 300 wine "$inst/uninstall.exe" /S >"$tmp/uninstall.log" 2>&1 || true
timeout 300 wineserver -w || true
[ ! -e "$inst/tubeagency.exe" ] || fail "tubeagency.exe left after uninstall"
[ ! -e "$lnk" ] || fail "the shortcut is left after uninstall"
if timeout 60 wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\TubeAgency' >/dev/null 2>&1; then
  fail "the uninstall key is left"
fi
echo "windows test: ok (version, serve with SQLite, silent install and uninstall under $(wine --version); prefix ${prefix_s} s, all $(( $(date +%s) - started )) s)"
