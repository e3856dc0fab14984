"""Where one region-year's time goes: kernel start, imports, cells, saves, rendering.

Usage (from the repository root):

    .venv/bin/python benchmarks/phases.py [--region Stockholm] [--year 2020] [--repeat 3]

Drives kernels directly (no papermill) so that each phase can be timed on its own,
for a fresh kernel (`python -m ipykernel_launcher`) and for a kernel forked from the
warm template (pipeline.kernel_server). Prints the median of --repeat runs per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = (
    "import pandas, matplotlib\nfrom IPython.display import Markdown, display\n"
    "import pipeline.text.survey, pipeline.text.themes, pipeline.figures.survey, "
    "pipeline.figures.themes, pipeline.inputs"
)


async def _run(kc, code: str) -> float:
    started = time.perf_counter()
    msg_id = kc.execute(code, store_history=True)
    while True:
        msg = await kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            raise RuntimeError(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return time.perf_counter() - started


async def _notebook(manager_class, notebook: Path, parameters: str, graceful: bool) -> dict:
    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    times = {}
    started = time.perf_counter()
    km = manager_class()
    await km.start_kernel(cwd=tempfile.mkdtemp(prefix="phases-"))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    times["kernel start + ready"] = time.perf_counter() - started
    await _run(kc, parameters)
    times["imports (pandas, matplotlib, pipeline)"] = await _run(kc, IMPORTS)
    times["load data (setup cell)"] = await _run(kc, cells[1])
    times["analysis cells"] = sum([await _run(kc, c) for c in cells[2:]])
    kc.stop_channels()
    started = time.perf_counter()
    await km.shutdown_kernel(now=not graceful)
    times["shutdown"] = time.perf_counter() - started
    return times


def _save_cost(notebook: Path) -> float:
    """What papermill's two saves per cell cost for this notebook (already executed)."""
    executed = nbformat.read(notebook, as_version=4)
    started = time.perf_counter()
    for _ in range(2 * len(executed.cells)):
        nbformat.writes(executed)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="Stockholm")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from pipeline import kernel_template, kernels
    from pipeline.build import build_pair, plan_tasks
    from pipeline.config import load_project, plan_pairs
    from pipeline.render import builtin

    params = ROOT / "params" / "evaluation.yaml"
    parameters = (
        f"region = {args.region!r}\nyear = {args.year}\nlang = 'sv'\nk = 5\n"
        f"interview_k = 3\nextremes_k = 10\nquotes_per_theme = 2\n"
        f"params_file = {str(params)!r}\ninputs_snapshot = ''"
    )
    kernel_template.start_template()
    time.sleep(4)  # let the template finish its imports: it is warm in a real run
    from jupyter_client.asynchronous import AsyncKernelClient
    from traitlets import Type

    class Before(kernels.IPCKernelManager):
        """A fresh kernel as before this work: stock client (0.2 s drain), stock provisioner."""

        PROVISIONER = "local-provisioner"  # jupyter_client's: the manager polls every 0.1 s
        client_factory = Type(klass=AsyncKernelClient, default_value=AsyncKernelClient)

    modes = {
        "before: fresh kernel, stock client, graceful shutdown": (Before, True),
        "now: forked kernel, quick ready, killed after use": (kernels.ForkedKernelManager, False),
    }
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for title, (manager_class, graceful) in modes.items():
        runs = []
        for _ in range(args.repeat):
            for notebook in notebooks:
                times = asyncio.run(_notebook(manager_class, notebook, parameters, graceful))
                runs.append({f"{notebook.stem}: {k}": v for k, v in times.items()})
        print(f"\n{title} (median of {args.repeat}, seconds)")
        for key in dict.fromkeys(k for r in runs for k in r):
            values = [r[key] for r in runs if key in r]
            print(f"  {key:<55} {statistics.median(values):6.2f}")

    # Rendering and the rest of build_pair, timed inside one real pair build.
    project = load_project(params)
    tasks = plan_tasks(
        project, plan_pairs(project, [args.region], [args.year]), Path(tempfile.mkdtemp()),
        "builtin",
    )  # fmt: skip
    # Per build, per phase: the seconds of every call (pandoc runs twice per build).
    timings: list[dict[str, float]] = []

    def timed(module, name: str, key: str) -> None:
        function = getattr(module, name)

        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                phases = timings[-1]
                phases[key] = phases.get(key, 0.0) + time.perf_counter() - started

        setattr(module, name, wrapper)

    import pipeline.build as build

    timed(build, "execute_pair", "execute (both notebooks)")
    timed(builtin, "_pandoc", "pandoc (HTML + Typst source; side by side)")
    timed(builtin, "_typst", "typst compile (PDF, in a child)")
    timed(build, "publish_report", "publish (fsync, atomic swap)")
    totals = []
    # Every build executes: a build may otherwise restore the first one's executed
    # notebooks from the execution cache and only render.
    task = dataclasses.replace(tasks[0], reuse_execution=False)
    for _ in range(args.repeat):
        timings.append({})
        started = time.perf_counter()
        result = build_pair(task)
        totals.append(time.perf_counter() - started)
        assert result.status == "built", result.error
        assert result.executed, "the build restored cached notebooks instead of executing"
    print(f"\nbuild_pair with forked kernels (median of {args.repeat}, seconds)")
    for key in dict.fromkeys(k for phases in timings for k in phases):
        per_run = [phases.get(key, 0.0) for phases in timings]
        print(f"  {key:<55} {statistics.median(per_run):6.2f}")
    print(f"  {'whole pair':<55} {statistics.median(totals):6.2f}")
    executed = sorted(Path(tasks[0].published_dir / "notebooks").glob("*.ipynb"))
    print(f"  {'papermill per-cell saves (now skipped), both':<55} "
          f"{sum(_save_cost(p) for p in executed):6.2f}")  # fmt: skip
    kernel_template.stop_template()


if __name__ == "__main__":
    main()
