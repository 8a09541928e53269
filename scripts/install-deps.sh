#!/usr/bin/env bash
# Installs the Debian packages Tube Agency needs that are missing.
#   scripts/install-deps.sh run       what building and running the app needs
#   scripts/install-deps.sh test      that, plus what the test suite needs
#   scripts/install-deps.sh windows   what building and testing the Windows
#                                     build needs (mingw-w64, NSIS, Wine)
# As root it installs them with apt-get; otherwise it prints the command to
# run as root. Node.js comes from outside Debian 12 (whose nodejs 18 is too
# old for the dashboard's build tools): when it is missing or too old this
# says exactly what to install.
set -euo pipefail

run_pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev espeak-ng sox)
# Rendering videos: ffmpeg (with ffprobe, libass, libx264); DejaVu is the default caption font.
run_pkgs+=(ffmpeg)
run_pkgs+=(fonts-dejavu-core)
test_pkgs=(curl fonts-dejavu-core xvfb xauth dbus-daemon imagemagick xdotool tesseract-ocr chromium postgresql)
test_pkgs+=(desktop-file-utils)
# Installed without their recommended packages: wine's would pull in
# hundreds of megabytes the tests never use.
windows_pkgs=(gcc-mingw-w64-x86-64 nsis wine wine64)
# WebKitGTK plays media through GStreamer: playbin and audioconvert (base),
# wavparse and autoaudiosink (good); without them the voice-over player
# says it cannot play.
run_pkgs+=(gstreamer1.0-plugins-base)
run_pkgs+=(gstreamer1.0-plugins-good)
# The desktop check reads frames of the screen with ffmpeg's x11grab.
test_pkgs+=(ffmpeg)
# The desktop check starts the session's accessibility bus before the app,
# as a desktop session does (dbus-send, at-spi2-core), and lists the
# windows when none appears (xwininfo).
test_pkgs+=(dbus-bin at-spi2-core x11-utils)

mode=${1:-run}
want=()
lean=()
case "$mode" in
  run) want=("${run_pkgs[@]}") ;;
  test) want=("${run_pkgs[@]}" "${test_pkgs[@]}"); lean=("${windows_pkgs[@]}") ;;
  windows) lean=("${windows_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|windows" >&2; exit 2 ;;
esac

# as_root prints how to run a command as root on this machine.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then echo "$*"
  elif command -v sudo >/dev/null; then echo "sudo sh -c '$*'"
  else echo "su -c '$*'   (as root)"; fi
}

# The dashboard's build tools (vite) need Node.js ^20.19 or >= 22.12.
version_ok() {
  [[ ${1#v} =~ ^([0-9]+)\.([0-9]+) ]] || return 1
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } || [ "$major" -ge 23 ]
}
node_ok() { version_ok "$(node --version 2>/dev/null)"; }
node_from_apt=""
if [ "$mode" != windows ] && ! { node_ok && command -v npm >/dev/null; }; then
  # A configured apt source may carry a recent enough nodejs (its npm
  # included); Debian 12's own (18.x) is not.
  cand=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')
  if version_ok "$cand"; then
    node_from_apt=nodejs
  else
    found=$(node --version 2>/dev/null || echo "none")
    cat >&2 <<MSG
Tube Agency's dashboard needs Node.js 20.19 or later (or 22.12 or later) with npm; found: $found.
Debian 12's own nodejs package (18.x) is too old, so it is not installed from here. Install Node.js 22 LTS,
for example from the official binaries:

  $(as_root "apt-get install -y curl xz-utils && curl -fsSL https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz | tar -xJ -C /usr/local --strip-components=1")

or through NodeSource's Debian repository (https://github.com/nodesource/distributions), then run this again.
MSG
    exit 1
  fi
fi

missing=()
for p in "${want[@]}" ${node_from_apt:+"$node_from_apt"}; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
missing_lean=()
for p in "${lean[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing_lean+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_lean[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Tube Agency needs these Debian packages. Install them with:" >&2
  cmd="apt-get update"
  [ ${#missing[@]} -gt 0 ] && cmd+=" && apt-get install -y ${missing[*]}"
  [ ${#missing_lean[@]} -gt 0 ] && cmd+=" && apt-get install -y --no-install-recommends ${missing_lean[*]}"
  echo "  $(as_root "$cmd")" >&2
  exit 1
fi

echo "Installing: ${missing[*]} ${missing_lean[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq
if [ ${#missing[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
fi
if [ ${#missing_lean[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing_lean[@]}" >/dev/null
fi
