"""Seconds per pair: the built-in renderer against Quarto (`--renderer quarto`), same pair.

Usage (from the repository root):

    .venv/bin/python benchmarks/quarto.py [--runs 3] [--formats html,pdf]

Builds Stockholm 2020 from the demo data with `peer-eval run --force` (a real CLI in a
subprocess, one pair, no overview) `--runs` times per renderer, in benchmarks/work-quarto/
(recreated; gitignored as benchmarks/work*), and prints a Markdown table of wall seconds
per pair (median and range) and writes it to benchmarks/QUARTO.md. Quarto is measured only
when `quarto` is on PATH; otherwise the table says so and has the built-in renderer alone.
The Quarto backend renders every format of a pair in one `quarto render --to html,typst`
call (docs/quarto.md), so Deno starts once per pair.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work-quarto"
RESULTS = ROOT / "benchmarks" / "QUARTO.md"


def _params() -> Path:
    data = yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))
    data |= {
        "data_dir": str(ROOT / "data" / "demo"),
        "narrative_dir": str(ROOT / "reports" / "narrative"),
        "notebooks_dir": str(ROOT / "notebooks"),
        "templates_dir": str(ROOT / "reports"),
    }
    params = WORK / "params" / "evaluation.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return params


def _time_pair(params: Path, renderer: str, formats: str) -> float:
    command = [
        sys.executable, "-m", "pipeline", "run", "--params", str(params),
        "--out", str(WORK / f"out-{renderer}"), "--region", "Stockholm", "--year", "2020",
        "--format", formats, "--no-overview", "--force", "--jobs", "1", "--renderer", renderer,
    ]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return seconds


def _row(name: str, times: list[float]) -> str:
    return (
        f"| {name} | {len(times)} | {statistics.median(times):.1f} | "
        f"{min(times):.1f}-{max(times):.1f} |"
    )


def main() -> None:
    """Time the pair per renderer and print / write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    params = _params()
    renderers = ["builtin"]
    quarto = shutil.which("quarto")
    if quarto:
        renderers.append("quarto")
    rows = []
    for renderer in renderers:
        _time_pair(params, renderer, args.formats)  # warm-up: caches, imports, Deno
        times = [_time_pair(params, renderer, args.formats) for _ in range(args.runs)]
        rows.append(_row(f"--renderer {renderer}", times))
    version = (
        subprocess.run([quarto, "--version"], capture_output=True, text=True).stdout.strip()
        if quarto
        else ""
    )
    note = (
        f"Quarto {version} at {quarto}."
        if quarto
        else "Quarto is not on PATH here, so only the built-in renderer was timed "
        "(install Quarto 1.11 and rerun to compare)."
    )
    load = os.getloadavg()[0]
    table = "\n".join(
        [
            "# Seconds per pair: built-in renderer and Quarto",
            "",
            f"Produced by `benchmarks/quarto.py` on {dt.datetime.now():%Y-%m-%d %H:%M}: "
            f"Stockholm 2020, formats {args.formats}, `run --force --jobs 1`, "
            f"after one warm-up run; load average {load:.2f}.",
            "",
            note,
            "",
            "| renderer | runs | median s / pair | range s |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
        ]
    )
    print(table)
    RESULTS.write_text(table, encoding="utf-8")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
