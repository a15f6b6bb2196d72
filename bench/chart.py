"""Draws docs/bench.svg from an end-to-end bench run: cold-ingest throughput (feedmix, the
fetch+parse limit, the Python baselines) and feedmix's peak memory against corpus size.
Plain SVG written by hand, so it needs nothing beyond Python's standard library.

Usage: python3 bench/chart.py RESULTS_CSV OUT_SVG
"""

import csv
import math
import sys

W, H = 760, 330
PANEL_W, PANEL_H = 300, 220
SERIES = [
    ("limit_articles_per_s", "fetch + html5ever parse (limit)", "#999999"),
    ("feedmix_articles_per_s", "feedmix ingest", "#1f77b4"),
    ("python_w16_articles_per_s", "Python, 16 threads", "#d62728"),
    ("python_w1_articles_per_s", "Python, sequential", "#ff9896"),
]


def load(path):
    data = {}
    for row in csv.DictReader(open(path)):
        data.setdefault(row["metric"], []).append((int(row["size"]), float(row["value"])))
    return {k: sorted(v) for k, v in data.items()}


def nice_max(x):
    if x <= 0:
        return 1
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if x <= m * p:
            return m * p
    return 10 * p


def panel(out, x0, y0, title, ylabel, sizes, series):
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes))
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    ymax = nice_max(max((v for _, pts, _ in series for _, v in pts), default=1))

    def px(s):
        return x0 + (math.log10(s) - lo) / (hi - lo) * PANEL_W

    def py(v):
        return y0 + PANEL_H - v / ymax * PANEL_H

    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{y0 - 12}" text-anchor="middle" font-weight="bold">{title}</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#333"/>')
    for i in range(5):
        v = ymax * i / 4
        y = py(v)
        out.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{y}" y2="{y}" stroke="#eee"/>')
        out.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end">{v:g}</text>')
    for s in sizes:
        out.append(f'<text x="{px(s)}" y="{y0 + PANEL_H + 16}" text-anchor="middle">{s:,}</text>')
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{y0 + PANEL_H + 34}" text-anchor="middle">articles (log scale)</text>')
    out.append(f'<text transform="translate({x0 - 46},{y0 + PANEL_H / 2}) rotate(-90)" text-anchor="middle">{ylabel}</text>')
    for label, pts, colour in series:
        if not pts:
            continue
        path = " ".join(f"{px(s):.1f},{py(v):.1f}" for s, v in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for s, v in pts:
            out.append(f'<circle cx="{px(s):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}"><title>{label}: {v:g} at {s:,}</title></circle>')


def main():
    data = load(sys.argv[1])
    sizes = [s for s, _ in data.get("feedmix_articles_per_s", [])]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H + 60}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>']
    series = [(label, data.get(m, []), c) for m, label, c in SERIES]
    panel(out, 70, 40, "Cold ingest throughput", "articles / s", sizes, series)
    rss = [("feedmix peak RSS", data.get("feedmix_peak_rss_mb", []), "#1f77b4")]
    panel(out, 440, 40, "feedmix peak memory", "MB (max RSS)", sizes, rss)
    y = H + 10
    for i, (label, pts, colour) in enumerate(series):
        x = 70 + i * 170
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{y + 10}">{label}</text>')
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
