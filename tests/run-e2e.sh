#!/usr/bin/env bash
# End-to-end tests: the browser suite (Debian's Chromium via playwright-core
# against a real `gloss serve`) and the desktop suite (the real Tauri window
# under Xvfb, driven by tauri-driver + WebKitWebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."

export GLOSS_BIN="${GLOSS_BIN:-$PWD/target/debug/gloss}"
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p tests/artifacts

# Both suites need a display server for the desktop half; start one if
# there is none (CI has none).
xvfb_pid=""
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:99
  Xvfb "$DISPLAY" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  trap '[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true' EXIT
  sleep 1
fi

status=0
if compgen -G "tests/browser/*.test.mjs" >/dev/null; then
  echo "== browser tests (Chromium)"
  node --test --test-concurrency=1 tests/browser/ || status=1
fi
echo "== desktop tests (Tauri window under Xvfb)"
node --test --test-concurrency=1 tests/desktop/ || status=1
exit $status
