#!/usr/bin/env bash
# Installs the Debian packages Tube Agency needs that are missing.
#   scripts/install-deps.sh run    what building and running the app needs
#   scripts/install-deps.sh test   that, plus what the test suite needs
# As root it installs them with apt-get; otherwise it prints the command.
set -euo pipefail

run_pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev espeak-ng sox nodejs npm)
test_pkgs=(curl fonts-dejavu-core xvfb xauth imagemagick xdotool tesseract-ocr chromium postgresql)
test_pkgs+=(ffmpeg) # the publishing tests upload a real MP4 they encode

want=("${run_pkgs[@]}")
if [ "${1:-run}" = "test" ]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  # Node may come from elsewhere than Debian: a working node and npm will do.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Tube Agency needs these Debian packages. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
