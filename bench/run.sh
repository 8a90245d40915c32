#!/usr/bin/env bash
# Runs every benchmark of the project, prints its figures, and writes them
# all to bench/REPORT.md. Benchmarks measure release builds; tests never
# assert on time. A JavaScript benchmark that fails is reported and the
# others still run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mkdir -p bench/raw
log=bench/raw/last-run.log
: > "$log"
# Criterion keeps results of earlier runs; the report takes only newer ones.
touch bench/raw/started

# The library sizes the API benchmark measures at (ten highlights an
# episode); each library is built once into bench/raw/libraries/ and reused.
export GLOSS_BENCH_SIZES="${GLOSS_BENCH_SIZES:-1000 10000 100000}"

# The desktop cold start needs a display server; Xvfb stands in when there is none.
ensure_display
export PATH="$HOME/.cargo/bin:$PATH"

{
  echo "== Rust benchmarks (release build)"
  cargo bench -p gloss-parse -p gloss-anchor -p gloss-sync -p gloss-review -p gloss-core --benches --quiet 2>&1 | grep -v -E '^(Gnuplot not found|Benchmarking .*: (Warming|Collecting|Analyzing))'
  echo "== building gloss and the library generators (release)"
  cargo build --release --quiet -p gloss -p gloss-testkit -p gloss-annotated-library --bins
  export GLOSS_BIN
  GLOSS_BIN="$(target_dir)/release/gloss"
  echo "== one-shot command start (gloss --version, list, search)"
  cargo bench -p gloss-api --bench startup --quiet || echo "!! the startup benchmark failed (exit $?): its figures are missing from the report"
  echo "== MCP benchmark (gloss mcp over stdio)"
  cargo bench -p gloss-api --bench mcp --quiet || echo "!! the MCP benchmark failed (exit $?): its figures are missing from the report"
  echo "== UI benchmarks (Chromium, against gloss serve)"
  node tests/browser/bench.mjs || echo "!! tests/browser/bench.mjs failed (exit $?): its figures are missing from the report"
  echo "== API benchmarks (HTTP, against gloss serve)"
  node tests/browser/api-bench.mjs || echo "!! tests/browser/api-bench.mjs failed (exit $?): its figures are missing from the report"
  echo "== desktop start (Tauri window under Xvfb)"
  node tests/desktop/bench.mjs || echo "!! tests/desktop/bench.mjs failed (exit $?): its figures are missing from the report"
} 2>&1 | tee -a "$log"

python3 bench/report.py "$log"
