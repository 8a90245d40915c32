#!/usr/bin/env bash
# Runs every benchmark of the project, prints its figures, and writes them
# all to bench/REPORT.md. Benchmarks measure release builds; tests never
# assert on time.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/raw
log=bench/raw/last-run.log
: > "$log"

{
  echo "== Rust benchmarks (release build)"
  cargo bench -p gloss-core --benches --quiet 2>&1 | grep -v -E '^(Gnuplot not found|Benchmarking .*: (Warming|Collecting|Analyzing))'
  echo "== UI benchmarks (Chromium, against gloss serve)"
  cargo build --quiet -p gloss
  node tests/browser/bench.mjs
} 2>&1 | tee -a "$log"

python3 bench/report.py "$log"
