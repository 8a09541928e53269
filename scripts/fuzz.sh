#!/usr/bin/env bash
# Runs every fuzz target of the project in turn, each for FUZZTIME
# (default 60s): FUZZTIME=10m scripts/fuzz.sh for long runs. A crash
# stops the run; its input is saved under the package's
# testdata/fuzz/<Target>/, where `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-60s}"
GO="${GO:-go}"

mapfile -t targets < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . \
  | grep -v '/node_modules/' | sed -E 's#^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)$#\1 \2#' | sort -u)
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi
echo "${#targets[@]} fuzz targets, ${FUZZTIME} each"
for t in "${targets[@]}"; do
  dir=${t% *}
  name=${t#* }
  echo "== ./$dir $name"
  CGO_ENABLED=1 "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "./$dir"
done
echo "All fuzz targets ran for ${FUZZTIME} without a crash."
