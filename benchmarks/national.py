"""A national round: every municipality (290) for one year, and for three years.

Usage (from the repository root):

    .venv/bin/python benchmarks/national.py [--regions N] [--years 2020 | 2018,2019,2020]

Uses the same snapshot, process-tree memory sampling and real CLI as benchmarks/run.py
(in benchmarks/work/, recreated): synthetic data for N regions from
`data/demo/make_demo.py --regions N`, a cold build with --jobs 2 (no national overview:
its one-page tables are not what scales), then a no-op rebuild. Prints a table and
writes benchmarks/NATIONAL.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

RESULTS = bench.ROOT / "benchmarks" / "NATIONAL.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=290)
    parser.add_argument("--years", default="2020", help="comma-separated, e.g. 2018,2019,2020")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    years = [int(y) for y in args.years.split(",")]
    shutil.rmtree(bench.WORK, ignore_errors=True)
    for part in bench._SNAPSHOT:
        shutil.copytree(
            bench.ROOT / part, bench.SRC / part, ignore=shutil.ignore_patterns("__pycache__")
        )
    folder = bench.WORK / f"national-{args.regions}"
    data_dir, names = bench.synthetic_data(folder / "data", args.regions)
    params = bench.make_params(folder, data_dir, names, years)
    pairs = args.regions * len(years)
    out = folder / "out"
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    print(f"cold build: {args.regions} regions x {len(years)} year(s) ...", flush=True)
    command = bench.cli_run(params, out, args.jobs, "--no-overview")
    cold = bench.timed(f"cold build, {args.regions} x {len(years)} (--jobs {args.jobs})",
                       command, pairs)  # fmt: skip
    print("no-op rebuild ...", flush=True)
    noop = bench.timed("no-op rebuild", command, pairs)
    lines = [
        "# A national round",
        "",
        f"Produced by `benchmarks/national.py --regions {args.regions} --years {args.years}` "
        f"on {time.strftime('%Y-%m-%d %H:%M')} in {(time.monotonic() - started) / 60:.1f} "
        f"minutes; load average (1 min) before / after: {load_before:.2f} / "
        f"{os.getloadavg()[0]:.2f} (other processes on the machine add noise).",
        "",
        *bench._machine(),
        "",
        *bench._table([cold, noop]),
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
