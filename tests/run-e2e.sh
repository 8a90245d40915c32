#!/usr/bin/env bash
# End-to-end tests: the browser suite (Debian's Chromium via playwright-core
# against a real `gloss serve`) and the desktop suite (the real Tauri window
# under Xvfb, driven by tauri-driver + WebKitWebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."

export GLOSS_BIN="${GLOSS_BIN:-$PWD/target/debug/gloss}"
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p tests/artifacts

# The desktop suite needs a display server; start one if there is none (CI
# has none).
source scripts/lib.sh
ensure_display

status=0
echo "== browser tests (Chromium)"
node --test --test-concurrency=1 tests/browser/ || status=1
echo "== desktop tests (Tauri window under Xvfb)"
node --test --test-concurrency=1 tests/desktop/ || status=1
exit $status
