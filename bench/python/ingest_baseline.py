"""Python baseline for the feedmix end-to-end benchmark (issue 8, BENCHMARKS.md).

Does the job a user would script instead of feedmix: for every feed URL in a urls.txt
written by examples/loadgen.rs, fetch the feed (feedparser), fetch each item's page,
extract the article (trafilatura), store feed items and articles in SQLite (one
transaction per feed). --workers 1 runs sequentially; --workers N runs feeds on N/2
threads with 2 page fetches in flight per feed (one host per feed), i.e. at most N
requests in flight, as the bench's feeds.toml allows feedmix.

Prints one JSON line: articles, seconds, articles_per_s, extracted (non-empty texts).
"""

import argparse
import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import feedparser
import trafilatura
import urllib3

SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, title TEXT, etag TEXT);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY, feed TEXT, title TEXT, author TEXT, published TEXT,
    summary TEXT, text TEXT
);
"""

HTTP = urllib3.PoolManager(maxsize=4, retries=False, timeout=30.0)


def fetch(url):
    response = HTTP.request("GET", url, headers={"User-Agent": "python-baseline/1"})
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return response.data, response.headers.get("ETag")


def fetch_and_extract(entry):
    link = entry.get("link")
    text = None
    try:
        html, _ = fetch(link)
        text = trafilatura.extract(html.decode("utf-8", "replace"), url=link)
    except Exception as err:  # a failed page keeps the feed's own content, as feedmix does
        print(f"page {link}: {err}")
    if not text:
        text = entry.get("summary", "")
    return (
        link,
        entry.get("title", ""),
        entry.get("author", ""),
        entry.get("published", ""),
        entry.get("summary", ""),
        text,
    )


def one_feed(url, page_workers):
    body, etag = fetch(url)
    parsed = feedparser.parse(body)
    entries = parsed.entries
    if page_workers > 1:
        with ThreadPoolExecutor(page_workers) as pool:
            rows = list(pool.map(fetch_and_extract, entries))
    else:
        rows = [fetch_and_extract(e) for e in entries]
    return url, parsed.feed.get("title", ""), etag, rows


def store(db, result):
    url, title, etag, rows = result
    with db:
        db.execute("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)", (url, title, etag))
        db.executemany(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r[0], url, *r[1:]) for r in rows],
        )
    return sum(1 for r in rows if r[5])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("urls")
    ap.add_argument("--db", required=True)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    urls = [u.strip() for u in open(args.urls) if u.strip()]
    db = sqlite3.connect(args.db)
    db.executescript(SCHEMA)
    started = time.monotonic()
    articles = extracted = 0
    if args.workers <= 1:
        results = (one_feed(u, 1) for u in urls)
        for result in results:
            articles += len(result[3])
            extracted += store(db, result)
    else:
        with ThreadPoolExecutor(max(1, args.workers // 2)) as pool:
            for result in pool.map(lambda u: one_feed(u, 2), urls):
                articles += len(result[3])
                extracted += store(db, result)
    seconds = time.monotonic() - started
    print(json.dumps({
        "articles": articles,
        "extracted": extracted,
        "seconds": round(seconds, 3),
        "articles_per_s": round(articles / seconds, 1),
    }))


if __name__ == "__main__":
    main()
