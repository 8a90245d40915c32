#!/usr/bin/env bash
# `make package`: builds the Debian package of Gloss with the Tauri bundler,
# then checks it: both binaries (`gloss`, the command line, and
# `gloss-desktop`, the window it starts), the desktop entry and the icons
# are inside, and the desktop entry takes gloss:// links; when run as root,
# it also installs the package, runs `gloss` from PATH (and checks it loads
# no GTK library), validates the installed
# desktop entry, checks that the system now opens gloss:// links with it,
# and removes the package again.
# Safe to run again: it installs only what is missing and rebuilds only
# what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

say() { printf 'package: %s\n' "$*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

# The Tauri CLI comes prebuilt from npm (tools/package-lock.json pins it);
# building it with `cargo install tauri-cli` would take many minutes.
if [ ! -x tools/node_modules/.bin/tauri ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
  say "installing the Tauri CLI (npm ci in tools/)"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
tauri="$PWD/tools/node_modules/.bin/tauri"

version=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["version"])')
deb="$(target_dir)/release/bundle/deb/Gloss_${version}_$(dpkg --print-architecture).deb"

say "building the release binary and the .deb (tauri build --bundles deb)"
(cd src-tauri && "$tauri" build --bundles deb --ci)
[ -f "$deb" ] || fail "the bundler did not write $deb; see its output above"

# What is inside: the binaries on PATH (the bundler installs every [[bin]]
# of src-tauri/Cargo.toml), a desktop entry, and the icons.
say "checking $deb"
dpkg-deb --info "$deb"
contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
printf '%s\n' "$contents"
expect() {
  grep -q -E "$1" <<<"$contents" || fail "the package has no $2 (expected a path matching $1)"
}
expect '^(\./)?usr/bin/gloss$' "/usr/bin/gloss"
expect '^(\./)?usr/bin/gloss-desktop$' "/usr/bin/gloss-desktop (the window, which gloss starts)"
expect '^(\./)?usr/share/applications/[^/]+\.desktop$' "desktop entry under /usr/share/applications"
expect '^(\./)?usr/share/icons/hicolor/[0-9]+x[0-9]+/apps/gloss\.png$' "icon under /usr/share/icons/hicolor"
package=$(dpkg-deb --field "$deb" Package)

# gloss:// links: the desktop entry claims the scheme, and passes the link
# as the argument (%u), which is how `gloss gloss://highlight/<id>` gets it.
entry=$(grep -E '^(\./)?usr/share/applications/[^/]+\.desktop$' <<<"$contents")
entry_text=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "$entry")
grep -q -E '^MimeType=(.*;)?x-scheme-handler/gloss;' <<<"$entry_text" ||
  fail "$entry does not claim gloss:// links (MimeType=$(grep '^MimeType=' <<<"$entry_text")); see plugins.deep-link in src-tauri/tauri.conf.json"
grep -q -E '^Exec=gloss %u$' <<<"$entry_text" ||
  fail "$entry does not pass the link to gloss (Exec=$(grep '^Exec=' <<<"$entry_text")); see src-tauri/packaging/gloss.desktop"
say "$entry claims gloss:// links and passes them to gloss"

if [ "$(id -u)" -ne 0 ]; then
  say "not root: skipped installing the package to try it (run 'make package' as root for that)"
elif dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
  say "the package '$package' is already installed here: skipped the install check so as not to remove it"
else
  say "installing $package to try it"
  dpkg -i "$deb" >/dev/null
  trap 'dpkg -r "$package" >/dev/null || say "could not remove $package: run dpkg -r $package"' EXIT
  [ "$(command -v gloss)" = /usr/bin/gloss ] || fail "gloss on PATH is $(command -v gloss || echo nothing), not /usr/bin/gloss"
  gloss --version
  gloss --help >/dev/null || fail "gloss --help failed"
  # The command line stays light: GTK and WebKit are gloss-desktop's alone.
  gui=$(ldd /usr/bin/gloss | grep -E 'libgtk|libwebkit' || true)
  [ -z "$gui" ] || fail "/usr/bin/gloss loads GUI libraries (see src-tauri/src/window.rs): $gui"
  ldd /usr/bin/gloss-desktop | grep -q libgtk || fail "/usr/bin/gloss-desktop does not load GTK: is it the window?"
  say "/usr/bin/gloss loads no GTK; /usr/bin/gloss-desktop does"
  desktop=$(dpkg -L "$package" | grep -E '^/usr/share/applications/.+\.desktop$')
  grep -q '^Exec=gloss' "$desktop" || fail "$desktop does not start gloss (Exec=$(grep '^Exec=' "$desktop"))"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$desktop" || fail "$desktop is not a valid desktop entry (see above)"
    say "$desktop passes desktop-file-validate"
  else
    say "desktop-file-validate not found (Debian: desktop-file-utils): skipped validating $desktop"
  fi
  # dpkg's desktop-file-utils trigger has put the entry in the MIME cache.
  handler=$(xdg-mime query default x-scheme-handler/gloss 2>/dev/null || true)
  [ "$handler" = "$(basename "$desktop")" ] || fail "gloss:// links open with '${handler:-nothing}', not $(basename "$desktop")"
  say "gloss:// links open with $handler"
  dpkg -r "$package" >/dev/null
  trap - EXIT
  [ ! -e /usr/bin/gloss ] || fail "/usr/bin/gloss is still there after dpkg -r $package"
  [ ! -e /usr/bin/gloss-desktop ] || fail "/usr/bin/gloss-desktop is still there after dpkg -r $package"
  say "installed, ran and removed $package"
fi

say "the package is at $deb"
