"""The fixed cost of a run: what a one-pair `peer-eval run` spends besides the pair's work.

Usage (from the repository root):

    .venv/bin/python benchmarks/startup.py [--repeat 3] [--label before|after]

On a copy of the demo project (benchmarks/work/startup/, recreated), Stockholm 2020,
HTML and PDF, built-in renderer, no overview unless said, measures, as the median of
--repeat runs:

- importing what `peer-eval run` imports before it knows what it must do;
- starting a kernel template (`python -m pipeline.kernel_server`) until it can fork: a
  fresh interpreter importing IPython, pandas, matplotlib and the notebooks'
  `pipeline` modules;
- a cold one-pair run with --jobs 1 (one thing at a time) and with the default jobs
  (one per core: the pair's notebooks side by side), and the pair's own time inside it
  (the progress line): the difference is the run's fixed cost. The pair's time
  includes any wait for the kernel template;
- a cold run of the region-year and its year's overview (default jobs: both in the
  CLI's process, side by side), what `peer-eval run -r Stockholm -y 2020` builds;
- a no-op run (nothing stale) and a render-only run (the narrative edited), default jobs.

Each row gives wall time and the process tree's CPU time (user + system, read from
/proc; see benchmarks/national.py): the 2 cores are shared with other work, so CPU
time is the steadier number; the load averages are recorded with every row. Results
are appended to benchmarks/STARTUP.md under the label.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import national  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "startup"
RESULTS = ROOT / "benchmarks" / "STARTUP.md"
sys.path.insert(0, str(ROOT / "tests"))
from support import make_project  # noqa: E402

_PAIR = re.compile(r"\] \d{4}/[\w-]+: (built|re-rendered) \(([\d.]+) s\)")
_IMPORTS = (
    "import pipeline.cli, pipeline.build, pipeline.config, pipeline.drafts, pipeline.inputs, "
    "pipeline.progress, pipeline.prune, pipeline.publish, pipeline.render, pipeline.site, "
    "pipeline.snapshot"
)
_TEMPLATE = (
    "import json, subprocess, sys, time\n"
    "started = time.monotonic()\n"
    "p = subprocess.Popen([sys.executable, '-m', 'pipeline.kernel_server', 'shell'],\n"
    "                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n"
    "p.stdin.write(b'not json\\n'); p.stdin.flush()\n"  # answered once the preload is done
    "assert b'error' in p.stdout.readline()\n"
    "print(time.monotonic() - started)\n"
    "p.stdin.close(); p.wait()\n"
)


@dataclass
class Timing:
    wall: float  # s
    cpu: float  # s, the whole process tree
    pair: float  # s, the pair inside the run (0: no pair built)
    load: float  # 1-minute load average at the start
    stdout: str


def measure(command: list[str], env: dict[str, str]) -> Timing:
    """Run one command, timing it and its process tree's CPU."""
    load = os.getloadavg()[0]
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    with national.SeriesSampler(process.pid) as sampler:
        stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"{command} failed:\n{stderr[-2000:]}")
    pair = _PAIR.search(stderr)
    return Timing(wall, sampler.cpu_seconds(), float(pair[2]) if pair else 0.0, load, stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="now")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    narrative_dir = WORK / "narrative"
    shutil.copytree(ROOT / "reports" / "narrative", narrative_dir)
    params = make_project(WORK, {"narrative_dir": str(narrative_dir)})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    python = sys.executable

    def run(out: Path, *options: str) -> list[str]:
        return [python, "-m", "pipeline", "run", "--params", str(params), "--out", str(out),
                "--region", "Stockholm", "--year", "2020", "--renderer", "builtin",
                *(options or ["--no-overview"])]  # fmt: skip

    rows: dict[str, list[Timing]] = {}
    for i in range(args.repeat):
        rows.setdefault("imports of `peer-eval run`", []).append(
            measure([python, "-c", _IMPORTS], env)
        )
        template = measure([python, "-c", _TEMPLATE], env)
        template.wall = float(template.stdout)  # from its start, not the measuring script's
        rows.setdefault("kernel template start (until it can fork)", []).append(template)
        rows.setdefault("cold one-pair run, --jobs 1", []).append(
            measure(run(WORK / f"out-{i}-one-job", "--no-overview", "--jobs", "1"), env)
        )
        rows.setdefault("cold region-year and its overview", []).append(
            measure(run(WORK / f"out-{i}-overview", "--overview"), env)
        )
        out = WORK / f"out-{i}"
        rows.setdefault("cold one-pair run", []).append(measure(run(out), env))
        rows.setdefault("no-op one-pair run", []).append(measure(run(out), env))
        narrative = narrative_dir / "2020" / "stockholm.md"
        narrative.write_text(narrative.read_text(encoding="utf-8") + f"\nÄndring {i}.\n")
        rows.setdefault("render-only one-pair run (narrative edited)", []).append(
            measure(run(out), env)
        )

    lines = [
        f"## {args.label}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"median of {args.repeat}",
        "",
        "| step | wall s | CPU s (process tree) | the pair inside the run s | fixed cost s "
        "| load (1 min) at each start |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, measured in rows.items():
        wall = statistics.median(m.wall for m in measured)
        cpu = statistics.median(m.cpu for m in measured)
        pair = statistics.median(m.pair for m in measured)
        fixed = f"{statistics.median(m.wall - m.pair for m in measured):.2f}" if pair else ""
        loads = ", ".join(f"{m.load:.2f}" for m in measured)
        pair_text = f"{pair:.2f}" if pair else ""
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} | {pair_text} | {fixed} | {loads} |")
    lines.append("")
    header = [
        "# Start-up: the fixed cost of a run",
        "",
        "Produced by `benchmarks/startup.py` (see its docstring). Wall times on 2 cores shared",
        "with other work: read the CPU column first. The fixed cost is the run's wall time",
        "minus the pair's own time inside it (execute, render, publish).",
        "",
    ]
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "\n".join(header)
    RESULTS.write_text(previous.rstrip("\n") + "\n\n" + "\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
