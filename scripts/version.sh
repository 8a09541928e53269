#!/usr/bin/env bash
# Prints the version in the form a package format wants.
#   scripts/version.sh deb     1.2.0, 1.2.0~rc.1, 1.2.0+3.g51ea486, 0.0.0~git51ea486
#   scripts/version.sh win     1.2.0.0 (four numbers; 0.0.0.0 for a non-release)
# The version is $VERSION (what `tubeagency version` prints), with any "v" dropped.
set -euo pipefail
v=${VERSION:?set VERSION}
v=${v#v}
semver='^([0-9]+)\.([0-9]+)\.([0-9]+)(-(.*))?$'
case "${1:-}" in
  deb)
    if [[ $v =~ ^([0-9]+\.[0-9]+\.[0-9]+)-([0-9]+)-g([0-9a-f]+)(-dirty)?$ ]]; then
      # git describe: commits after a tag sort after it.
      echo "${BASH_REMATCH[1]}+${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}${BASH_REMATCH[4]:+.dirty}"
    elif [[ $v =~ $semver ]]; then
      pre=${BASH_REMATCH[5]}
      echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}${pre:+~${pre//-/.}}"
    else
      # No tag: a commit id sorts before every release.
      echo "0.0.0~git${v//[^A-Za-z0-9.+~]/.}"
    fi ;;
  win)
    if [[ $v =~ $semver ]]; then
      echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.0"
    else
      echo "0.0.0.0"
    fi ;;
  *) echo "usage: $0 deb|win" >&2; exit 2 ;;
esac
