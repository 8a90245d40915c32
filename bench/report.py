#!/usr/bin/env python3
"""Gathers every benchmark figure of one `make bench` run into bench/REPORT.md.

Timed benchmarks print `FIGURE {json}` lines (gloss_testkit::figures, and
tests/browser/benchkit.mjs for the UI, API and desktop benchmarks);
criterion benchmarks leave their estimates under target/criterion (or
$CARGO_TARGET_DIR/criterion), and the few with an issue target are listed in
CRITERION.
"""
import json
import os
import pathlib
import platform
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

# criterion benchmark id -> (figure name, target, better, unit)
# Throughput benchmarks are reported in MB/s (1 MB = 1e6 bytes).
CRITERION = {
    "parse/summary_4kb": ("parse throughput, 4 KB summary", 100.0, "higher", "MB/s"),
    "parse/plain_1mb": ("parse throughput, 1 MB plain file", 100.0, "higher", "MB/s"),
}


def criterion_figures():
    figures = []
    for bench_id, (name, target, better, unit) in CRITERION.items():
        base = TARGET / "criterion" / bench_id / "new"
        try:
            estimates = json.loads((base / "estimates.json").read_text())
            meta = json.loads((base / "benchmark.json").read_text())
        except (OSError, ValueError):
            continue
        seconds = estimates["median"]["point_estimate"] / 1e9
        size = (meta.get("throughput") or {}).get("Bytes")
        measured = size / seconds / 1e6 if size else seconds * 1e3
        figures.append({"name": name, "unit": unit, "measured": measured, "target": target, "better": better, "raw": None})
    return figures


def machine():
    cpu = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    mem = ""
    try:
        kb = int(pathlib.Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {cores} cores{mem}, {platform.system()} {platform.release()}"


def main(log_path):
    figures = []
    for line in pathlib.Path(log_path).read_text(errors="replace").splitlines():
        if line.startswith("FIGURE "):
            try:
                figures.append(json.loads(line[len("FIGURE "):]))
            except ValueError:
                pass
    figures += criterion_figures()
    rows = []
    for f in figures:
        sign = "≤" if f["better"] == "lower" else "≥"
        ok = f["measured"] <= f["target"] if f["better"] == "lower" else f["measured"] >= f["target"]
        raw = f.get("raw")
        # Built outside the f-string: quotes nested in f-strings need Python 3.12.
        raw_text = f"{raw:.3g} {f['unit']}" if raw else "–"
        ratio = f"{f['measured'] / raw:.2f}" if raw else "–"
        rows.append(
            f"| {f['name']} | {sign} {f['target']:g} {f['unit']} | {f['measured']:.3g} {f['unit']} "
            f"| {raw_text} | {ratio} | {'yes' if ok else '**no**'} |"
        )
    report = [
        "# Benchmark report",
        "",
        f"Machine: {machine()}; load average {' '.join(f'{l:.2f}' for l in os.getloadavg())} when the run ended",
        "(other work on the machine inflates timings, the high percentiles most).",
        "Written by `make bench`; medians unless the figure names a percentile.",
        "The raw limit is the same work done the plainest way in the same run (reading the same files,",
        "inserting the same bytes in one transaction, an API round trip that does nothing); the ratio is",
        "measured / raw.",
        "",
        "| figure | target | measured | raw limit | ratio | meets target |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    out = ROOT / "bench" / "REPORT.md"
    out.write_text("\n".join(report))
    print(f"wrote {out.relative_to(ROOT)} ({len(rows)} figures)")


if __name__ == "__main__":
    main(sys.argv[1])
