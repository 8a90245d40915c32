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
# has none). Xvfb picks a free display number itself and prints it.
if [ -z "${DISPLAY:-}" ]; then
  exec 3< <(Xvfb -displayfd 1 -screen 0 1440x900x24 -nolisten tcp 2>/dev/null)
  xvfb_pid=$!
  trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
  read -r -t 10 display <&3 || { echo "Xvfb did not start" >&2; exit 1; }
  export DISPLAY=":$display"
fi

status=0
echo "== browser tests (Chromium)"
node --test --test-concurrency=1 tests/browser/ || status=1
echo "== desktop tests (Tauri window under Xvfb)"
node --test --test-concurrency=1 tests/desktop/ || status=1
exit $status
