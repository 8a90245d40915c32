#!/usr/bin/env bash
# Renders icon.svg into the PNG sizes Tauri and the .deb need (RGBA, as
# Tauri requires). Needs rsvg-convert (Debian: librsvg2-bin). The PNGs are
# committed, so only a changed icon.svg needs this run again.
set -euo pipefail
cd "$(dirname "$0")"
for size in 32 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "${size}x${size}.png"
done
