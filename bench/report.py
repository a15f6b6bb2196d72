"""Prints the ratios and target checks of an end-to-end bench run (scripts/bench.sh).

Usage: python3 bench/report.py RESULTS_CSV
"""

import csv
import sys


def load(path):
    values = {}
    for row in csv.DictReader(open(path)):
        values[(row["metric"], int(row["size"]))] = float(row["value"])
    return values


def main():
    v = load(sys.argv[1])
    sizes = sorted({s for (m, s) in v if m == "feedmix_articles_per_s"})
    print("size    feedmix/s  limit/s  feedmix/limit  us/article  peak MB  DB B/article")
    for s in sizes:
        f = v[("feedmix_articles_per_s", s)]
        lim = v.get(("limit_articles_per_s", s))
        ratio = f"{f / lim:.0%}" if lim else "-"
        print(
            f"{s:<7} {f:>9.0f}  {lim or 0:>7.0f}  {ratio:>13}  "
            f"{v[('feedmix_us_per_article', s)]:>10.0f}  {v[('feedmix_peak_rss_mb', s)]:>7.0f}"
            f"  {v[('feedmix_db_bytes_per_article', s)]:>12.0f}"
        )
    for s in sizes:
        py = {w: v.get((f"python_w{w}_articles_per_s", s)) for w in (1, 16)}
        if not any(py.values()):
            continue
        best = max(x for x in py.values() if x)
        f = v[("feedmix_articles_per_s", s)]
        paired = v.get(("paired_ratio_median", s))
        # The verdict takes the median of the per-round ratios (each round's contenders ran
        # back to back); the ratio of the medians is printed beside it.
        ratio = paired if paired else f / best
        print(
            f"{s}: python sequential {py[1]}/s, thread pool {py[16]}/s; "
            f"feedmix vs best python: ratio of medians {f / best:.1f}x"
            + (f", per round median {paired:.1f}x (range {v[('paired_ratio_min', s)]:.1f}-"
               f"{v[('paired_ratio_max', s)]:.1f}x)" if paired else "")
            + f" (target >= 10x, aim 20x): {'met' if ratio >= 10 else 'MISSED'}"
        )
    for s in sizes:
        lim = v.get(("limit_articles_per_s", s))
        if lim:
            r = v[("feedmix_articles_per_s", s)] / lim
            print(f"{s}: feedmix vs fetch+parse limit = {r:.0%} (aim >= 40%): "
                  f"{'met' if r >= 0.4 else 'MISSED'}")
    warm = [(s, x) for (m, s), x in v.items() if m == "warm_seconds"]
    for feeds, secs in warm:
        n304 = v.get(("warm_feeds_304", feeds), 0)
        print(f"warm re-ingest of {feeds} feeds ({n304:.0f} answered 304): {secs:.2f} s "
              f"(target <= 2 s): {'met' if secs <= 2 else 'MISSED'}")
    for s in sizes:
        secs, new = v.get(("steady_seconds", s)), v.get(("steady_new_articles", s))
        if secs and new:
            cold = v[("feedmix_us_per_article", s)] / 1e3
            print(f"steady-state poll on the {s}-article database: {new:.0f} new articles "
                  f"(one per feed) in {secs:.2f} s, {secs * 1e3 / new:.2f} ms per new article "
                  f"(cold pass {cold:.2f} ms), peak RSS "
                  f"{v.get(('steady_peak_rss_mb', s), 0):.0f} MB")
    if sizes:
        top = sizes[-1]
        rss = v[("feedmix_peak_rss_mb", top)]
        note = "" if top >= 50000 else f" (largest size run: {top}, not 50000)"
        print(f"peak RSS at {top} articles: {rss:.0f} MB (target <= 200 MB at 50,000){note}: "
              f"{'met' if rss <= 200 and top >= 50000 else ('not shown' if top < 50000 else 'MISSED')}")
    if ("export_500_seconds", 500) in v:
        print(f"export of 500 stories: {v[('export_500_seconds', 500)]:.3f} s, "
              f"{v[('export_500_bytes', 500)] / 1e6:.2f} MB")
    for kind in ("200", "304"):
        f = v.get((f"served_feedmix_{kind}_rps", 50))
        n = v.get((f"served_nginx_{kind}_rps", 50))
        if f and n:
            print(f"served /feed.xml {kind}: feedmix {f:.0f} req/s, nginx {n:.0f} req/s, "
                  f"ratio {f / n:.0%} (target >= 50%): {'met' if f / n >= 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
