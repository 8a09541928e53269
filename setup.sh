#!/usr/bin/env bash
# First step on a fresh Debian 12 machine, needing nothing but bash: installs
# make (and the other Debian packages the app needs) as root, or prints the
# command to run as root; checks Go and Node.js and says what is missing.
# Then `make run` or `make test` (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
fail=0
if ! command -v go >/dev/null; then
  echo "Go 1.26 is needed: https://go.dev/dl/ (unpack it to /usr/local/go and add /usr/local/go/bin to PATH)." >&2
  fail=1
fi
if ! command -v make >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq make >/dev/null
  else
    if command -v sudo >/dev/null; then pre="sudo sh -c '"; post="'"; else pre="su -c '"; post="'   (as root)"; fi
    echo "make is needed. Install it with:" >&2
    echo "  ${pre}apt-get update && apt-get install -y make${post}" >&2
    fail=1
  fi
fi
# The Debian packages and the Node.js check (it prints what to install).
scripts/install-deps.sh run || fail=1
[ "$fail" -eq 0 ] || exit 1
echo "Ready: run 'make run' to open the app, or 'make test' to run every test."
