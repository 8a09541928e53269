#!/usr/bin/env bash
# Cross-compiles build/bin/tubeagency.exe (CGO with Debian's mingw-w64, so
# SQLite is the real one) and builds the 64-bit NSIS installer
# build/bin/tubeagency_<version>_windows_amd64_setup.exe around it.
#   VERSION=1.2.0 scripts/package-windows.sh
# Needs: gcc-mingw-w64-x86-64, nsis (make deps-windows), and the built
# dashboard (make frontend).
set -euo pipefail
fail() { echo "package-windows: $*" >&2; exit 1; }
for t in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres makensis; do
  command -v "$t" >/dev/null || fail "$t is missing: run make deps-windows"
done
[ -f frontend/dist/index.html ] || fail "the dashboard is not built: run make frontend"
version=${VERSION:?set VERSION}
num=$(scripts/version.sh win)
out=$(realpath -m build/bin)
mkdir -p "$out"
exe=$out/tubeagency.exe

# Icon, manifest and version info, linked in by go build from a .syso in
# the main package (the suffix keeps it out of other platforms' builds).
syso=rsrc_windows_amd64.syso
trap 'rm -f "$syso"' EXIT
x86_64-w64-mingw32-windres -I build/windows -DVERSION_STR="\\\"$version\\\"" -DVERSION_NUM="${num//./,}" \
  -O coff -o "$syso" build/windows/app.rc

CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
  go build -tags desktop,production -trimpath \
  -ldflags "-s -w -H windowsgui -X tubeagency/app.Version=$version" -o "$exe" .
rm -f "$syso"

# Without CGO go-sqlite3 compiles to a stub that fails at run time. (The
# strings go to a file: grep -q in a pipe would cut strings off mid-way.)
strings "$exe" >"$out/tubeagency.exe.strings"
if grep -q "requires cgo" "$out/tubeagency.exe.strings"; then
  fail "$exe was built without cgo: SQLite would be a stub"
fi
grep -q "sqlite_temp_master" "$out/tubeagency.exe.strings" || fail "$exe does not contain the SQLite library"
rm -f "$out/tubeagency.exe.strings"

# The WebView2 bootstrapper ships inside the Wails module.
wails_dir=$(go list -m -f '{{.Dir}}' github.com/wailsapp/wails/v2)
webview2=$wails_dir/internal/webview2runtime/MicrosoftEdgeWebview2Setup.exe
[ -f "$webview2" ] || fail "no WebView2 bootstrapper at $webview2"

setup=$out/tubeagency_${version#v}_windows_amd64_setup.exe
makensis -V2 -DVERSION="${version#v}" -DVERSION_NUM="$num" -DEXE="$exe" -DWEBVIEW2="$webview2" -DOUT="$setup" \
  build/windows/installer.nsi >/dev/null
echo "$exe"
echo "$setup"
