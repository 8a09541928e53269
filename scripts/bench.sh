#!/usr/bin/env bash
# Runs every Go benchmark once through (each compares against its own
# baseline in the same run) and prints the figures docs/BENCHMARKS.md quotes.
# BENCHTIME overrides the default of 1s per benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
CGO_ENABLED=1 go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-1s}" -timeout 30m ./... | tee test-results/bench.txt
