# Shell helpers the project's scripts share; source it, do not run it.

# Where cargo puts its builds (honours CARGO_TARGET_DIR and cargo config).
target_dir() {
  cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

# Makes sure DISPLAY names an X server: with none (CI, a server), starts
# Xvfb, which picks a free display number itself and prints it, and stops
# it when the calling script exits.
ensure_display() {
  [ -n "${DISPLAY:-}" ] && return 0
  exec 3< <(Xvfb -displayfd 1 -screen 0 1440x900x24 -nolisten tcp 2>/dev/null)
  xvfb_pid=$!
  trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
  local display
  read -r -t 10 display <&3 || { echo "Xvfb did not start" >&2; return 1; }
  export DISPLAY=":$display"
}
