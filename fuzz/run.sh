#!/usr/bin/env bash
# Fuzzes the summary parser, re-anchoring and reading a hostile sync folder
# with cargo-fuzz (libFuzzer).
#
#   fuzz/run.sh [SECONDS] [TARGET...]   each target (default: all) for SECONDS (default 600)
#
# Installs cargo-fuzz if missing; needs the nightly toolchain. Inputs that
# crash a target are copied to the tests of the crate it checks
# (crates/gloss-anchor/tests/fuzz_regressions/<target>/ for parse and
# reanchor, crates/gloss-sync/tests/fuzz_regressions/sync_folder/), whose
# `fuzz_regressions` tests replay them through the same checks: fix the
# bug, keep the file. See fuzz/README.md.
set -euo pipefail

seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse reanchor sync_folder)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$here"

regressions_of() {
    case "$1" in
        sync_folder) echo "crates/gloss-sync/tests/fuzz_regressions" ;;
        *) echo "crates/gloss-anchor/tests/fuzz_regressions" ;;
    esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "Installing cargo-fuzz..."
    cargo install cargo-fuzz --locked
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz/run.sh needs the nightly toolchain: rustup toolchain install nightly" >&2
    exit 1
fi

# The parser starts from the real summaries and the hostile corpus.
mkdir -p corpus/parse corpus/reanchor corpus/sync_folder
for seed in "$repo"/seeds/* "$repo"/tests/hostile/*; do
    [ -f "$seed" ] && cp -n "$seed" "corpus/parse/seed-$(basename "$seed")"
done

status=0
for target in "${targets[@]}"; do
    regressions="$repo/$(regressions_of "$target")"
    # The log stays out of artifacts/$target/: cargo-fuzz reports the newest
    # file there as the failing input.
    mkdir -p "artifacts/$target"
    echo "== fuzzing $target for ${seconds}s"
    # Safe Rust only: no sanitizer, but debug assertions and overflow
    # checks stay on (cargo-fuzz's default build). One process: one core.
    if ! cargo +nightly fuzz run --sanitizer none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -len_control=10 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
        2>&1 | tee "artifacts/$target.log"; then
        status=1
    fi
    for crash in "artifacts/$target"/crash-* "artifacts/$target"/timeout-* "artifacts/$target"/oom-*; do
        [ -f "$crash" ] || continue
        mkdir -p "$regressions/$target"
        cp -n "$crash" "$regressions/$target/"
        echo "!! $target: $(basename "$crash") copied to $(regressions_of "$target")/$target/"
        status=1
    done
done
exit "$status"
