#!/usr/bin/env bash
# Installs what building and testing Gloss needs, and only what is missing.
# Safe to run again: every step checks first. Runs as root, or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

say() { printf 'setup: %s\n' "$*" >&2; }

# Debian/Ubuntu packages: the WebKitGTK stack Tauri links against, Xvfb and
# WebKitWebDriver for the desktop tests, Chromium for the browser tests,
# ImageMagick for screenshots of the Xvfb display, desktop-file-utils to
# validate the desktop entry `make package` puts in the .deb, Syncthing for
# the sync tests that carry the sync folder between two real instances,
# iproute2 and curl for the test that reaches `gloss serve` from another
# network namespace, x11-utils (xwininfo) for the desktop tests to find
# native dialogs (they press keys with libxdo, from libxdo-dev), dbus-daemon
# for the desktop test of gloss:// links (a second `gloss` finds the running
# one over the session bus), xdg-utils for `make package` to check that the
# system opens gloss:// links with the installed Gloss.
APT_PACKAGES=(
  build-essential pkg-config libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver chromium imagemagick fonts-noto-color-emoji fonts-dejavu-core
  desktop-file-utils syncthing iproute2 curl x11-utils dbus-daemon xdg-utils
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

if ! command -v cargo >/dev/null; then
  say "cargo is missing: install Rust from https://rustup.rs and run this again"
  exit 1
fi

# tauri-driver bridges WebDriver to WebKitWebDriver for the desktop tests.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  say "installing tauri-driver (cargo install tauri-driver --locked)"
  cargo install tauri-driver --locked --quiet
else
  say "tauri-driver present"
fi

# npm packages for the browser tests (playwright-core drives Debian's chromium;
# it never downloads a browser of its own).
if [ ! -d tests/browser/node_modules/playwright-core ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  say "installing npm packages for the browser tests"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
else
  say "npm packages present"
fi
