#!/usr/bin/env python3
"""Related-link precision of a feedmix database filled from the load generator.

The load generator renders page N from corpus article N mod (corpus size), so every stored
story's primary article names a corpus article, and the corpus files label each with a story
and a topic. For every story's first related link this prints the share that points to a story
made from the same corpus story (and the same topic):

    python3 bench/loadgen_related.py /tmp/p50/feedmix.db [MORE.db ...] [--corpus ../shared/corpus/stories]
"""
import argparse
import json
import re
import sqlite3
from pathlib import Path


def corpus_labels(corpus: Path) -> list[tuple[str, str]]:
    # The same files, order and filter as examples/loadgen.rs (load_corpus).
    labels = []
    for name in ["ecbplus.jsonl", "gvc-dev.jsonl"]:
        for line in (corpus / name).read_text().splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            paras = [p.strip() for p in (d.get("text") or "").splitlines()]
            if len([p for p in paras if len(p.encode()) > 20]) >= 2:
                labels.append((d.get("story"), d.get("topic")))
    return labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", nargs="+")
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/stories"))
    args = ap.parse_args()
    labels = corpus_labels(args.corpus)
    for db in args.db:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        urls = dict(conn.execute(
            "SELECT s.id, a.url FROM stories s JOIN articles a ON a.id = s.primary_id"))

        def label(story_id):
            m = re.search(r"story-(\d+)", urls.get(story_id, ""))
            return labels[int(m.group(1)) % len(labels)] if m else None

        links = same_story = same_topic = 0
        for story_id, other_id in conn.execute(
                "SELECT story_id, other_id FROM related WHERE rank = 0"):
            a, b = label(story_id), label(other_id)
            if a is None or b is None:
                continue
            links += 1
            same_story += a[0] == b[0]
            same_topic += a[1] == b[1]
        if links:
            print(f"{db}: {links} top-1 links; same corpus story {same_story / links:.4f}, "
                  f"same topic {same_topic / links:.4f}")
        else:
            print(f"{db}: no related links")


if __name__ == "__main__":
    main()
