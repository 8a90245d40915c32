#!/usr/bin/env bash
# Runs every benchmark of the project and prints its figures. Benchmarks
# measure release builds; tests never assert on time.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "== Rust benchmarks (criterion and timed runs, release build)"
cargo bench -p gloss-core --benches --quiet 2>&1 | grep -v -E '^(Gnuplot not found|Benchmarking .*: (Warming|Collecting|Analyzing))'

echo "== UI benchmarks (Chromium, against gloss serve)"
cargo build --quiet -p gloss
node tests/browser/bench.mjs
