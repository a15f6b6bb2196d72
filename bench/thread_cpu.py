#!/usr/bin/env python3
"""CPU time and bytes written of each thread of one cold `feedmix ingest --all`, by thread name.

Reads /proc/PID/task/*/stat (utime + stime) and /proc/PID/task/*/io (wchar: bytes passed to
write calls, i.e. the writer's WAL frames and the checkpointer's copies into the database)
every 0.25 s while the ingest runs, and prints the wall time and, per thread name, the CPU
seconds used and the MB written (the main thread, which owns the database, is "main").
Linux only. BENCHMARKS.md, "Where the time goes now", is its output. With --timeline it also
prints, for each 0.25 s, the cores' worth of CPU each group of threads used in it (the pool's
threads together), which shows where the pass waits.

    target/release/examples/loadgen --outlets 1000 --items 10 --out /tmp/p10 --port 18200 &
    python3 bench/thread_cpu.py --dir /tmp/p10 [--binary target/release/feedmix] [--timeline]
"""
import argparse
import collections
import os
import subprocess
import time
from pathlib import Path


def sample(pid: int) -> dict[str, tuple[str, float, int]]:
    """Thread id -> (group name, CPU seconds so far, bytes written so far)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick
        try:
            io = Path(f"/proc/{pid}/task/{tid}/io").read_text()
            written = int(io.split("wchar: ", 1)[1].split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            written = 0
        out[tid] = ("main" if tid == str(pid) else name, cpu, written)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, required=True, help="the load generator's --out")
    ap.add_argument("--binary", default="target/release/feedmix")
    ap.add_argument("--timeline", action="store_true", help="CPU per thread group per 0.25 s")
    args = ap.parse_args()
    for f in args.dir.glob("threads.db*"):
        f.unlink()
    started = time.monotonic()
    proc = subprocess.Popen(
        [args.binary, "--config", str(args.dir / "feeds.toml"),
         "--db", str(args.dir / "threads.db"), "ingest", "--all"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    last: dict[str, tuple[str, float, int]] = {}
    before: collections.Counter[str] = collections.Counter()
    before_at = started
    while proc.poll() is None:
        try:
            last.update(sample(proc.pid))
        except FileNotFoundError:
            break
        if args.timeline:
            now = time.monotonic()
            # feedmix-cpu-0, feedmix-cpu-1, ... as one group.
            groups: collections.Counter[str] = collections.Counter()
            for name, cpu, _ in last.values():
                groups[name.rstrip("0123456789").rstrip("-")] += cpu
            used = {g: (groups[g] - before[g]) / (now - before_at) for g in groups}
            print(f"{now - started:6.2f} s  " + "  ".join(
                f"{g} {c:.2f}" for g, c in sorted(used.items())))
            before, before_at = groups, now
        time.sleep(0.25)
    wall = time.monotonic() - started
    totals: collections.Counter[str] = collections.Counter()
    written: collections.Counter[str] = collections.Counter()
    for name, cpu, wrote in last.values():
        totals[name] += cpu
        written[name] += wrote
    print(f"wall {wall:.2f} s, exit {proc.returncode}")
    for name, cpu in totals.most_common():
        print(f"  {name:<20} {cpu:6.2f} s  {written[name] / 1e6:8.1f} MB written")


if __name__ == "__main__":
    main()
