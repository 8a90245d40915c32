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

import growth

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

# criterion benchmark id -> (figure name, target, better, unit) for the ones
# an issue sets a target for; every other criterion benchmark is listed by its
# id, as a median time with no target.
# Throughput benchmarks are reported in MB/s (1 MB = 1e6 bytes).
CRITERION = {
    "parse/summary_4kb": ("parse throughput, 4 KB summary", 100.0, "higher", "MB/s"),
    "parse/plain_1mb": ("parse throughput, 1 MB plain file", 100.0, "higher", "MB/s"),
    "reanchor/500 highlights, 20k chars, after an edit": (
        "re-anchor 500 highlights on a 20k-character text after an edit", 50.0, "lower", "ms"),
    "reanchor/500 highlights, 20k chars, whole text rewritten": (
        "re-anchor 500 highlights on a 20k-character text rewritten whole", 50.0, "lower", "ms"),
}

# criterion benchmark id -> the id of the benchmark that is its raw limit.
CRITERION_RAW = {
    "reanchor/500 highlights, 20k chars, whole text rewritten":
        "reanchor/raw: 500 quotes searched, 20k chars, whole text rewritten",
}


def criterion_figures(since):
    """Criterion's estimates written after `since` (seconds since the epoch):
    the ones of this run, not of benchmarks since renamed."""
    figures = []
    medians = {}
    for estimates_path in sorted((TARGET / "criterion").glob("*/*/new/estimates.json")):
        if estimates_path.stat().st_mtime < since:
            continue
        base = estimates_path.parent
        try:
            estimates = json.loads(estimates_path.read_text())
            meta = json.loads((base / "benchmark.json").read_text())
        except (OSError, ValueError):
            continue
        bench_id = meta.get("full_id") or f"{meta.get('group_id')}/{meta.get('function_id')}"
        name, target, better, unit = CRITERION.get(bench_id, (bench_id, None, "lower", "ms"))
        seconds = estimates["median"]["point_estimate"] / 1e9
        size = (meta.get("throughput") or {}).get("Bytes")
        measured = size / seconds / 1e6 if size and unit == "MB/s" else seconds * 1e3
        medians[bench_id] = measured
        figures.append({"id": bench_id, "name": name, "unit": unit, "measured": measured, "target": target,
                        "better": better, "raw": None})
    raw_ids = set(CRITERION_RAW.values())
    for f in figures:
        f["raw"] = medians.get(CRITERION_RAW.get(f["id"]))
    return [f for f in figures if f["id"] not in raw_ids]


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
    started = pathlib.Path(log_path).with_name("started")
    figures += criterion_figures(started.stat().st_mtime if started.exists() else 0)
    rows = []
    for f in figures:
        if f.get("episodes"):
            f = {**f, "name": f"{f['name']} at {f['episodes']:,} episodes"}
        target = f.get("target")
        sign = "≤" if f["better"] == "lower" else "≥"
        if target is None:
            target_text, verdict = "–", "–"
        else:
            ok = f["measured"] <= target if f["better"] == "lower" else f["measured"] >= target
            target_text, verdict = f"{sign} {target:g} {f['unit']}", "yes" if ok else "**no**"
        raw = f.get("raw")
        # Built outside the f-string: quotes nested in f-strings need Python 3.12.
        raw_text = f"{raw:.3g} {f['unit']}" if raw else "–"
        ratio = f"{f['measured'] / raw:.2f}" if raw else "–"
        rows.append(
            f"| {f['name']} | {target_text} | {f['measured']:.3g} {f['unit']} | {raw_text} | {ratio} | {verdict} |"
        )
    report = [
        "# Benchmark report",
        "",
        f"Machine: {machine()}; load average {' '.join(f'{l:.2f}' for l in os.getloadavg())} when the run ended",
        "(other work on the machine inflates timings, the high percentiles most).",
        "Written by `make bench`; medians unless the figure names a percentile.",
        "The raw limit is the same work done the plainest way in the same run (reading the same files,",
        "inserting the same bytes in one transaction, an API round trip that does nothing, the same search",
        "put to the API directly); the ratio is measured / raw.",
        "",
        "| figure | target | measured | raw limit | ratio | meets target |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        *growth.section(figures, ROOT / "bench" / "charts"),
    ]
    out = ROOT / "bench" / "REPORT.md"
    out.write_text("\n".join(report))
    print(f"wrote {out.relative_to(ROOT)} ({len(rows)} figures)")


if __name__ == "__main__":
    main(sys.argv[1])
