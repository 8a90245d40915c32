"""How each figure measured at several library sizes grows: a table of the
sizes with the per-episode cost, a verdict on linearity, and an SVG chart per
figure (bench/charts/), for bench/REPORT.md.

A figure is one point of a series when its FIGURE line carries `episodes`
(gloss_testkit::figures::Figure::print_at, printFigure({episodes}) in
tests/browser/benchkit.mjs); the series is named by the figure's name.
"""
import html
import math
import re

# A figure may grow this much faster than the library before it counts as
# growing faster than linearly: timings on a shared machine wobble.
SLACK = 1.25

WIDTH, HEIGHT = 360, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 30, 28, 36


def series_of(figures):
    """Series name -> points sorted by size, each a figure dict."""
    series = {}
    for f in figures:
        if f.get("episodes"):
            series.setdefault(f["name"], []).append(f)
    return {name: sorted(points, key=lambda f: f["episodes"]) for name, points in series.items() if len(points) > 1}


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def verdict(points):
    """How the figure grew from the smallest library to the largest."""
    first, last = points[0], points[-1]
    size_growth = last["episodes"] / first["episodes"]
    if first["measured"] <= 0:
        return "–", False
    growth = last["measured"] / first["measured"]
    faster = growth > size_growth * SLACK
    if faster:
        return f"**faster than linear** (×{growth:.3g} for ×{size_growth:.3g} episodes)", True
    if growth <= 2:
        return f"flat (×{growth:.3g} for ×{size_growth:.3g} episodes)", False
    return f"at most linear (×{growth:.3g} for ×{size_growth:.3g} episodes)", False


def chart(name, points, path):
    """A small log-log SVG of the figure (and its raw limit and target)
    against library size."""
    xs = [p["episodes"] for p in points]
    measured = [p["measured"] for p in points]
    raws = [p.get("raw") for p in points]
    target = points[-1].get("target")
    values = [v for v in measured + raws + [target] if v and v > 0]
    lo_y, hi_y = math.log10(min(values)) - 0.1, math.log10(max(values)) + 0.1
    lo_x, hi_x = math.log10(min(xs)), math.log10(max(xs))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x, y):
        px = LEFT + (math.log10(x) - lo_x) / max(hi_x - lo_x, 1e-9) * plot_w
        py = TOP + plot_h - (math.log10(y) - lo_y) / max(hi_y - lo_y, 1e-9) * plot_h
        return f"{px:.1f},{py:.1f}"

    unit = html.escape(points[0]["unit"])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="10">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{LEFT}" y="14" font-size="11" font-weight="bold">{html.escape(name[:58])}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#888"/>',
    ]
    for x in xs:
        px = at(x, 10 ** lo_y).split(",")[0]
        parts.append(f'<text x="{px}" y="{TOP + plot_h + 14}" text-anchor="middle">{x:,}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" text-anchor="middle">episodes (log scale)</text>')
    for exponent in range(math.ceil(lo_y), math.floor(hi_y) + 1):
        py = at(xs[0], 10 ** exponent).split(",")[1]
        parts.append(f'<text x="{LEFT - 4}" y="{py}" text-anchor="end" dominant-baseline="middle">{10 ** exponent:g}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{py}" x2="{LEFT + plot_w}" y2="{py}" stroke="#eee"/>')
    parts.append(f'<text x="4" y="{TOP - 6}">{unit}</text>')
    if target:
        y = at(xs[0], target).split(",")[1]
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + plot_w}" y2="{y}" stroke="#c33" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{LEFT + plot_w}" y="{float(y) - 3}" text-anchor="end" fill="#c33">target</text>')
    for values, colour, label in ((raws, "#999", "raw limit"), (measured, "#2563eb", "Gloss")):
        line = [at(x, v) for x, v in zip(xs, values) if v and v > 0]
        if len(line) > 1:
            parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{colour}" stroke-width="2"/>')
            parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{colour}"/>' for p in line]
    parts.append(f'<text x="{LEFT + 6}" y="{TOP + 10}" fill="#2563eb">— Gloss</text>')
    if any(raws):
        parts.append(f'<text x="{LEFT + 60}" y="{TOP + 10}" fill="#999">— raw limit</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def section(figures, charts_dir):
    """The report's growth section: one table row per series, and its chart."""
    series = series_of(figures)
    if not series:
        return []
    charts_dir.mkdir(parents=True, exist_ok=True)
    sizes = sorted({p["episodes"] for points in series.values() for p in points})
    lines = [
        "## Growth with library size",
        "",
        "Each figure measured at several library sizes, and its cost per episode at the largest size",
        "relative to the smallest (1.00 is linear growth; far below 1 is a cost that does not grow).",
        "",
        "| figure | " + " | ".join(f"{n:,} episodes" for n in sizes) + " | per-episode cost, largest / smallest | growth |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for name, points in series.items():
        by_size = {p["episodes"]: p for p in points}
        cells = [f"{by_size[n]['measured']:.3g} {by_size[n]['unit']}" if n in by_size else "–" for n in sizes]
        first, last = points[0], points[-1]
        per_item = (last["measured"] / last["episodes"]) / (first["measured"] / first["episodes"]) if first["measured"] else float("nan")
        text, _ = verdict(points)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {per_item:.3g} | {text} |")
        chart(name, points, charts_dir / f"{slug(name)}.svg")
    lines += ["", *[f"![{html.escape(name)}](charts/{slug(name)}.svg)" for name in series], ""]
    return lines
