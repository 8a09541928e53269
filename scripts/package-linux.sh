#!/usr/bin/env bash
# Builds build/bin/tubeagency_<version>_amd64.deb from the built binary
# (make build) with nfpm, pinned in go.mod as a tool.
#   VERSION=1.2.0 scripts/package-linux.sh [build/bin/tubeagency]
# The hicolor icons are made from build/appicon.png here (ImageMagick), the
# man page and changelog gzipped, then nfpm packs build/linux/nfpm.yaml.
set -euo pipefail
bin=$(realpath "${1:-build/bin/tubeagency}")
[ -x "$bin" ] || { echo "package-linux: no binary at $bin: run make build" >&2; exit 1; }
command -v convert >/dev/null || { echo "package-linux: ImageMagick's convert is missing: apt-get install imagemagick" >&2; exit 1; }
debver=$(scripts/version.sh deb)
stage=build/bin/deb-stage
rm -rf "$stage"
mkdir -p "$stage"

for s in 16 22 24 32 48 64 128 256 512; do
  d=$stage/icons/hicolor/${s}x${s}/apps
  mkdir -p "$d"
  convert build/appicon.png -resize "${s}x${s}" -strip "$d/tubeagency.png"
done
chmod -R u=rwX,go=rX "$stage/icons"
gzip -n9 <build/linux/tubeagency.1 >"$stage/tubeagency.1.gz"
{
  printf 'tubeagency (%s) stable; urgency=medium\n\n' "$debver"
  printf '  * Release %s. Notes: https://github.com/tubeagency/tubeagency/releases\n\n' "$VERSION"
  printf ' -- Tube Agency <hello@tubeagency.app>  %s\n' "$(date -R -u ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH})"
} | gzip -n9 >"$stage/changelog.gz"

out=build/bin/tubeagency_${debver}_amd64.deb
rm -f "$out"
# nfpm reads the version from the environment; the paths are filled in here.
sed -e "s|\${BIN}|$bin|g" -e "s|\${STAGE}|$(realpath "$stage")|g" build/linux/nfpm.yaml >"$stage/nfpm.yaml"
VERSION=$debver go tool nfpm package -p deb -f "$stage/nfpm.yaml" -t "$out" >/dev/null
rm -rf "$stage"
echo "$out"
