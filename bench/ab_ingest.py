#!/usr/bin/env python3
"""Paired cold-ingest timing of two feedmix binaries against the same load generator.

Runs A and B alternately (ABBA...), each into a fresh database, and prints each run's wall
and CPU time (user + system, from getrusage) and the means. On a shared or virtual machine
single runs drift by 10-20 %, so compare binaries only this way, never across separate runs.

    target/release/examples/loadgen --outlets 1000 --items 10 --out /tmp/p10 --port 18200 &
    python3 bench/ab_ingest.py OLD_BINARY NEW_BINARY --runs 3 --dir /tmp/p10
"""
import argparse
import resource
import statistics
import subprocess
import time
from pathlib import Path


def one_run(binary: str, load: Path) -> tuple[float, float]:
    for f in load.glob("ab.db*"):
        f.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(
        [binary, "--config", str(load / "feeds.toml"), "--db", str(load / "ab.db"),
         "ingest", "--all"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, required=True, help="the load generator's --out")
    args = ap.parse_args()
    results: dict[str, list[tuple[float, float]]] = {args.a: [], args.b: []}
    for i in range(args.runs):
        order = (args.a, args.b) if i % 2 == 0 else (args.b, args.a)
        for binary in order:
            wall, cpu = one_run(binary, args.dir)
            results[binary].append((wall, cpu))
            print(f"{binary}: wall {wall:.2f} s, cpu {cpu:.2f} s", flush=True)
    means = {}
    for binary, runs in results.items():
        walls = [w for w, _ in runs]
        means[binary] = statistics.mean(walls)
        print(f"{binary}: wall {' / '.join(f'{w:.2f}' for w in walls)} s, mean "
              f"{means[binary]:.2f} s; cpu mean {statistics.mean(c for _, c in runs):.2f} s")
    print(f"B is {means[args.a] / means[args.b]:.2f}x A (wall)")


if __name__ == "__main__":
    main()
