"""What a notebook costs beyond its own code: the kernel's and the worker's fixed CPU.

Usage (from the repository root):

    .venv/bin/python benchmarks/kernel_overhead.py [--pairs 6] [--repeat 2]
    PEER_EVAL_KERNELS=fork .venv/bin/python benchmarks/kernel_overhead.py   # Jupyter kernels

Executes the shipped notebooks for the first --pairs demo pairs through
`pipeline.execute.execute_notebook` (papermill; notebook shells, or forked kernels
with PEER_EVAL_KERNELS=fork), once as they are and
once with every code cell but the parameters replaced by `pass` (the same cells, so the
same messages per cell, and no work). CPU seconds are read per process (utime + stime):
the worker is this process, the kernels (or shells) are the template's children
(`run.TreeSampler`). The difference between the two variants is the notebooks' code;
what the `pass` variant costs is what Jupyter's machinery costs per notebook.

It also runs each notebook's code without a kernel (`exec` of each cell, displays
dropped) in a child forked from a process prepared as the kernel template is, and
again in a process that has run it all before: what a fresh process costs by itself.

Prints a Markdown table; the numbers are per notebook.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

from pipeline import kernel_server, kernel_template  # noqa: E402
from pipeline.config import load_project, plan_pairs  # noqa: E402
from pipeline.execute import execute_notebook, localise_notebook  # noqa: E402
from pipeline.snapshot import write_snapshots  # noqa: E402

NOTEBOOKS = ("survey", "interviews")


def _code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [
        c
        for c in notebook.cells
        if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    ]


def _emptied(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    empty = copy.deepcopy(notebook)
    for cell in _code_cells(empty):
        cell.source = "pass"
    return empty


def _parameters(pair, params: Path, snapshot: str) -> dict:
    s = pair.settings
    return {
        "year": pair.year, "lang": s.lang, "k": s.k, "interview_k": s.interview_k,
        "extremes_k": s.extremes_k, "params_file": str(params), "inputs_snapshot": snapshot,
        "region": pair.region, "quotes_per_theme": s.quotes_per_theme,
    }  # fmt: skip


def _execute_all(sources: list[Path], pairs, params: Path, snapshots, work: Path) -> dict:
    """Worker and kernel CPU seconds for executing `sources` for every pair."""
    worker = time.process_time()
    with bench.TreeSampler(os.getpid(), interval=0.02) as sampler:
        for pair in pairs:
            for source in sources:
                execute_notebook(
                    source, work / "out" / source.name,
                    _parameters(pair, params, snapshots[pair.year]),
                    lang=pair.settings.lang, cwd=work, timeout_seconds=300,
                )  # fmt: skip
    roles = sampler.cpu_by_role()
    return {"worker": time.process_time() - worker, "kernel": roles.get("kernel", (0, 0.0))[1]}


def _forked_code(cells: list, namespace: dict) -> float:
    """CPU seconds of running `cells` in a child forked from this process."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the code, report its CPU time, leave at once
        status = 1
        try:
            os.close(read)
            started = time.process_time()
            scope = dict(namespace)
            for code in cells:
                exec(code, scope)  # noqa: S102 - the shipped notebooks' own code
            os.write(write, json.dumps(time.process_time() - started).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        reply = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not reply:
        sys.exit("a forked run of the notebook code failed")
    return float(reply)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    params = bench.ROOT / "params" / "evaluation.yaml"
    project = load_project(params)
    pairs = plan_pairs(project)[: args.pairs]
    work = Path(tempfile.mkdtemp(prefix="peer-eval-kernel-overhead-"))
    snapshots = write_snapshots(project, {p.year for p in pairs}, work, known={})
    kernel_template.start_template()

    variants: dict[str, list[Path]] = {}  # label -> the notebooks to execute
    cells = {}
    for name in NOTEBOOKS:
        notebook = nbformat.read(project.notebooks_dir / f"{name}.ipynb", as_version=4)
        shipped_and_emptied = {"as shipped": notebook, "code cells as `pass`": _emptied(notebook)}
        for folder, (label, variant) in enumerate(shipped_and_emptied.items()):
            path = work / str(folder) / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(variant, path)
            variants.setdefault(label, []).append(path)
        localised = localise_notebook(notebook, pairs[0].settings.lang, name)
        cells[name] = [compile(c.source, name, "exec") for c in _code_cells(localised)]

    # Once untimed: the run's shared outputs (pipeline.shared) are then made, as they
    # are for every report of a run but its first.
    _execute_all(variants["as shipped"], pairs, params, snapshots, work)
    notebooks = len(pairs) * len(NOTEBOOKS)
    rows = {}
    for label, sources in variants.items():
        runs = [_execute_all(sources, pairs, params, snapshots, work) for _ in range(args.repeat)]
        rows[label] = {
            key: statistics.median(r[key] for r in runs) / notebooks for key in ("worker", "kernel")
        }

    # The code without a kernel: each notebook in a child forked from a process prepared
    # as the template is (its imports and warm-ups, no notebook code run yet), then all
    # of them again in this process, warm from a first round.
    import IPython.display

    for module in kernel_server.PRELOAD:
        importlib.import_module(module)
    for module, function in kernel_server.WARM_UPS:
        getattr(importlib.import_module(module), function)()
    IPython.display.display = lambda *objects, **kwargs: None
    jobs = [(_parameters(p, params, snapshots[p.year]), name) for p in pairs for name in NOTEBOOKS]
    forked = [_forked_code(cells[name], namespace) for namespace, name in jobs]
    warm = []
    for round_ in range(2):
        for namespace, name in jobs:
            started, scope = time.process_time(), dict(namespace)
            for code in cells[name]:
                exec(code, scope)  # noqa: S102
            if round_:
                warm.append(time.process_time() - started)

    print(f"{len(pairs)} demo pairs, {notebooks} notebooks, median of {args.repeat}; "
          f"CPU s per notebook ({bench._machine()[0].lstrip('- ')})\n")  # fmt: skip
    print("| notebooks executed | in the worker (papermill, nbclient) | in the kernel |")
    print("| --- | ---: | ---: |")
    for label, row in rows.items():
        print(f"| {label} | {row['worker']:.3f} | {row['kernel']:.3f} |")
    print(
        f"\nThe code alone: {statistics.mean(forked):.3f} s per notebook in a process forked "
        f"from a warm one, {statistics.mean(warm):.3f} s in the warm process itself."
    )
    kernel_template.stop_template()


if __name__ == "__main__":
    main()
