#!/usr/bin/env bash
# Fuzzes the summary parser and re-anchoring with cargo-fuzz (libFuzzer).
#
#   fuzz/run.sh [SECONDS]      each target for SECONDS (default 600), one after the other
#
# Installs cargo-fuzz if missing; needs the nightly toolchain. Inputs that
# crash a target are copied to crates/gloss-anchor/tests/fuzz_regressions/<target>/,
# where `cargo test -p gloss-anchor fuzz_regressions` replays them
# through the same checks: fix the bug, keep the file. See fuzz/README.md.
set -euo pipefail

seconds="${1:-600}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
regressions="$repo/crates/gloss-anchor/tests/fuzz_regressions"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "Installing cargo-fuzz..."
    cargo install cargo-fuzz --locked
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz/run.sh needs the nightly toolchain: rustup toolchain install nightly" >&2
    exit 1
fi

# The parser starts from the real summaries and the hostile corpus.
mkdir -p corpus/parse corpus/reanchor
for seed in "$repo"/seeds/* "$repo"/tests/hostile/*; do
    [ -f "$seed" ] && cp -n "$seed" "corpus/parse/seed-$(basename "$seed")"
done

status=0
for target in parse reanchor; do
    # The log stays out of artifacts/$target/: cargo-fuzz reports the newest
    # file there as the failing input.
    mkdir -p "artifacts/$target"
    echo "== fuzzing $target for ${seconds}s"
    # Safe Rust only: no sanitizer, but debug assertions and overflow
    # checks stay on (cargo-fuzz's default build). One process: one core.
    if ! cargo +nightly fuzz run --sanitizer none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
        2>&1 | tee "artifacts/$target.log"; then
        status=1
    fi
    for crash in "artifacts/$target"/crash-* "artifacts/$target"/timeout-* "artifacts/$target"/oom-*; do
        [ -f "$crash" ] || continue
        mkdir -p "$regressions/$target"
        cp -n "$crash" "$regressions/$target/"
        echo "!! $target: $(basename "$crash") copied to crates/gloss-anchor/tests/fuzz_regressions/$target/"
        status=1
    done
done
exit "$status"
