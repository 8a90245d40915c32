#!/usr/bin/env bash
# Writes src-tauri/cli-symbols.txt: every function of the `gloss` binary that
# its one-shot commands run, in the order they first run. The release build
# links them next to each other (src-tauri/build.rs), so `gloss search`
# touches a few hundred KiB of code instead of pages spread over all of it
# (the kernel maps 64 KiB around each page of code a process touches).
#
# Run it again when `make bench` says that fewer of the listed functions are
# found in the binary (after a Rust or dependency upgrade, or a large change
# of the command-line path). It needs valgrind (apt install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

command -v valgrind >/dev/null || { echo "cli-symbol-order: needs valgrind (sudo apt-get install valgrind)" >&2; exit 1; }
cargo build --release --quiet -p gloss --bin gloss -p gloss-testkit --bins
bin="$(target_dir)/release"
work=$(mktemp -d)
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT

"$bin/write-library" "$work/library" 2000 >/dev/null
"$bin/gloss" scan --data "$work/data" --library "$work/library" >/dev/null
# A highlight, so that `gloss annotations` has one to list.
"$bin/gloss" highlight --episode 1 --quote the --occurrence 1 --data "$work/data" --library "$work/library" >/dev/null

# Each command under callgrind, which records every function that runs.
run=0
trace() {
  run=$((run + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/trace.$run" \
    "$bin/gloss" "$@" --data "$work/data" --library "$work/library" >/dev/null 2>"$work/valgrind.log" \
    || { cat "$work/valgrind.log" >&2; exit 1; }
}
one_shot_commands() {
  trace --version
  trace list
  trace list --json
  trace search grid
  trace search grid --json
  trace annotations
  trace review --due
}
# Gloss closed: each command opens the library itself.
one_shot_commands
# Gloss open: the commands forward to it.
"$bin/gloss" serve --port 0 --data "$work/data" --library "$work/library" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "http://" "$work/serve.log" && break; sleep 0.1; done
one_shot_commands

python3 - "$bin/gloss" "$work"/trace.* >src-tauri/cli-symbols.txt <<'EOF'
"""The functions of the binary (argv[1]) that ran in the callgrind traces, in
first-run order. A trace names an object file with `ob=` and the functions
that ran in it with `fn=`; names are compressed to `(id)` after first use, and
a function running recursively is marked name'2, name'3."""
import re, sys

binary, traces = sys.argv[1], sys.argv[2:]
order, seen = [], set()
for trace in sorted(traces, key=lambda t: int(t.rsplit(".", 1)[1])):
    objects, functions, current = {}, {}, None
    for line in open(trace):
        match = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        kind, key, name = match.groups()
        table = objects if kind.endswith("ob") else functions
        if name:
            table[key] = name
        if kind == "ob":
            current = objects[key]
        elif kind == "fn" and current == binary:
            name = re.sub(r"'\d+$", "", functions[key])
            if name not in seen and not name.startswith("0x") and name != "(below main)":
                seen.add(name)
                order.append(name)
print("# The functions gloss's one-shot commands run, in the order they first run.")
print("# Written by scripts/cli-symbol-order.sh; read by src-tauri/build.rs.")
print("\n".join(order))
EOF
echo "cli-symbol-order: $(grep -vc '^#' src-tauri/cli-symbols.txt) functions in src-tauri/cli-symbols.txt"
