"""A small run uses the cores it has: no worker processes, notebooks side by side, a template early.

A run of no more pairs than jobs (an analyst's region-year and its overview) builds in
the run's own process, in a thread per pair; with cores to spare a pair's notebooks
execute side by side; and a run for chosen regions or years starts its kernel template
first thing when it is a first build of them; a template that turns out not to be needed
is killed, not waited for.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import threading
from pathlib import Path

import nbformat
import pytest
from support import ROOT, make_project
from typer.testing import CliRunner

from pipeline import executors, kernel_template
from pipeline.build import execute_pair, plan_tasks
from pipeline.cli import app
from pipeline.config import load_project, plan_pairs
from pipeline.errors import ExecutionError
from pipeline.task import PairResult

# The parameters every region notebook receives (pipeline.build.execute_pair).
PARAMETERS = (
    'region = ""\nyear = 0\nlang = "sv"\nk = 5\ninterview_k = 3\nextremes_k = 10\n'
    'quotes_per_theme = 2\nparams_file = ""\ninputs_snapshot = ""'
)
# Each notebook says when it ran, on the machine-wide monotonic clock.
TIMED = "import time\nstart = time.monotonic()\ntime.sleep(0.6)\nprint(start, time.monotonic())"


def _notebooks(folder: Path, cells: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, code in cells.items():
        parameters = nbformat.v4.new_code_cell(PARAMETERS)
        parameters.metadata["tags"] = ["parameters"]
        notebook = nbformat.v4.new_notebook(
            cells=[parameters, nbformat.v4.new_code_cell(code)],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        )
        nbformat.write(notebook, folder / f"{name}.ipynb")
    return folder


def _task(tmp_path: Path, cells: dict[str, str]):
    notebooks = _notebooks(tmp_path / "notebooks", cells)
    project = load_project(make_project(tmp_path, {"notebooks_dir": str(notebooks)}))
    pair = plan_pairs(project)[0]
    task = plan_tasks(project, [pair], tmp_path / "out", "builtin")[0]
    work = tmp_path / "work"
    (work / "notebooks").mkdir(parents=True)
    return task, work


def _interval(executed: Path) -> tuple[float, float]:
    cell = nbformat.read(executed, as_version=4).cells[-1]
    start, end = map(float, "".join(o.get("text", "") for o in cell.outputs).split())
    return start, end


@pytest.mark.parametrize("side_by_side", [True, False])
def test_a_pairs_notebooks_overlap_only_side_by_side(tmp_path, side_by_side):
    task, work = _task(tmp_path, {"a": TIMED, "b": TIMED})
    execute_pair(task, work, side_by_side=side_by_side)
    (a_start, a_end), (b_start, b_end) = (
        _interval(work / "notebooks" / f"{n}.ipynb") for n in "ab"
    )
    overlap = max(a_start, b_start) < min(a_end, b_end)
    assert overlap is side_by_side


def test_side_by_side_the_first_failing_notebook_in_order_is_the_error(tmp_path):
    # "b" fails at once, "a" a little later: the error is still "a"'s, as in order.
    task, work = _task(
        tmp_path, {"a": "import time\ntime.sleep(0.5)\nraise ValueError('a')", "b": "1 / 0"}
    )
    with pytest.raises(ExecutionError, match=r"a\.ipynb.*ValueError"):
        execute_pair(task, work, side_by_side=True)
    assert (work / "notebooks" / "b.ipynb").is_file()  # both ran to their end


@pytest.mark.parametrize(
    ("pairs", "jobs", "in_process"),
    [(1, 1, True), (1, 8, True), (2, 2, True), (3, 2, False), (5, 1, True), (24, 2, False)],
)
def test_no_more_pairs_than_jobs_build_in_this_process(pairs, jobs, in_process):
    assert executors.builds_in_process([object()] * pairs, jobs) is in_process


def test_a_small_run_starts_no_worker_processes_and_spares_cores_for_notebooks(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool for a run of no more pairs than jobs")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    seen = []
    together = threading.Barrier(2, timeout=10)  # passes only if both pairs build at once

    def fake_build(task, side_by_side=False):
        seen.append((task, os.getpid(), threading.current_thread().name, side_by_side))
        if len(tasks) == 2:
            together.wait()
        return PairResult(key=task.pair.key, region="r", year=2020, status="built")

    monkeypatch.setattr(executors, "build_pair", fake_build)

    class Task:
        def __init__(self, key):
            self.pair = type("Pair", (), {"key": key})()

    tasks = [Task("2020/a"), Task("2020/b")]
    results = executors.run_tasks(tasks, 2)
    assert [r.key for r in results] == ["2020/a", "2020/b"]
    assert {pid for _, pid, _, _ in seen} == {os.getpid()}
    assert len({thread for _, _, thread, _ in seen}) == 2  # side by side, a thread each
    assert not any(side for *_, side in seen)  # no core to spare: notebooks in order

    seen.clear()
    tasks = tasks[:1]
    executors.run_tasks(tasks, 2)
    assert [side for *_, side in seen] == [True]  # one pair on two jobs: notebooks side by side


@pytest.mark.e2e
def test_a_first_build_of_chosen_pairs_starts_its_template_first_and_no_other_run_does(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(kernel_template.MODE_VARIABLE, raising=False)
    kernel_template.stop_template()
    started: list[kernel_template.Template] = []
    original = kernel_template.Template.__init__

    def recording(self, mode):
        original(self, mode)
        started.append(self)

    monkeypatch.setattr(kernel_template.Template, "__init__", recording)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data, ignore=shutil.ignore_patterns("*.py"))
    params = make_project(tmp_path, {"data_dir": str(data)})
    out = tmp_path / "out"
    pair = ["--region", "Stockholm", "--year", "2020", "--format", "html", "--no-overview"]
    command = ["run", "--params", str(params), "--out", str(out), *pair]

    def run() -> None:
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.stderr
        kernel_template.stop_template()  # as at the end of a `peer-eval run` process

    run()  # a first build: executes, with the template started before planning
    assert len(started) == 1 and started[0].served
    run()  # nothing to do, and the pair was executed before: no template at all
    assert len(started) == 1
    # A guess that turns out wrong (no execution cache, but the report is fresh): the
    # template started for nothing is killed, not waited for while it imports.
    shutil.rmtree(out / ".cache" / "2020" / "stockholm")
    run()
    assert len(started) == 2 and not started[1].served
    assert started[1].process.returncode == -signal.SIGKILL
