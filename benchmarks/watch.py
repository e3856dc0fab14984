"""Follow a running build: every few seconds, pairs done, memory and CPU of its process tree.

Usage: .venv/bin/python benchmarks/watch.py PID PROGRESS_LOG [--every 5] > watch.tsv

PID is the `peer-eval run` process, PROGRESS_LOG the file its stderr goes to
(benchmarks/national.py writes `cold.log` in its work folder). One tab-separated line
per sample: seconds since start, pairs done, summed RSS MB, summed PSS MB, CPU s of
the tree so far, 1-minute load. Ends when the process does. A long benchmark that must
be stopped early still leaves its rate and memory curve here.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

_DONE = re.compile(r"^\[(\d+)/\d+\]", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pid", type=int)
    parser.add_argument("log", type=Path)
    parser.add_argument("--every", type=float, default=5.0)
    args = parser.parse_args()
    started = time.monotonic()
    # The benchmarks' sampler, driven from here at this pace (its thread is not started).
    sampler = bench.TreeSampler(args.pid)
    print("seconds\tpairs_done\trss_mb\tpss_mb\tcpu_s\tload1", flush=True)
    while Path(f"/proc/{args.pid}").exists():
        pids = bench._descendants(args.pid)
        sizes = {pid: bench._rss(pid) for pid in pids}
        sampler.sample(pids, sizes)
        rss = sum(sizes.values()) / 2**20
        pss = sum(bench._pss(p) for p in pids) / 2**20
        try:
            done = [int(n) for n in _DONE.findall(args.log.read_text(encoding="utf-8"))]
        except OSError:
            done = []
        print(
            f"{time.monotonic() - started:.0f}\t{max(done, default=0)}\t{rss:.0f}\t{pss:.0f}\t"
            f"{sampler.cpu_seconds():.0f}\t{os.getloadavg()[0]:.2f}",
            flush=True,
        )
        time.sleep(args.every)


if __name__ == "__main__":
    main()
