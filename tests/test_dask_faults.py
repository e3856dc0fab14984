"""A Dask worker killed mid-pair: the pair is retried once on another worker, and a
pair that kills every worker it lands on is reported failed, with nothing published."""

from __future__ import annotations

import shutil
import uuid

import nbformat
import pytest
from support import ROOT, make_project
from test_faults import _cli, _flat, _outputs_match_manifest, assert_nothing_left, tree

pytestmark = pytest.mark.e2e

# The kernel kills the worker process that runs it: the template's parent when the
# kernel was forked from a template, else its own parent.
_KILL_WORKER = """
import os, signal
def parent(pid):
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
worker = os.getppid()
if b"pipeline.kernel_server" in open(f"/proc/{worker}/cmdline", "rb").read():
    worker = parent(worker)
os.kill(worker, signal.SIGKILL)
"""


def _killer_notebook(path, marker_dir) -> None:
    """aa_kill.ipynb (runs first): Örebro kills its worker once, Skåne every time."""
    parameters = nbformat.v4.new_code_cell(
        'region = "Stockholm"\nyear = 2020\nlang = "sv"\nk = 5\nquotes_per_theme = 2\n'
        'params_file = ""'
    )
    parameters.metadata["tags"] = ["parameters"]
    body = (
        "from pathlib import Path\n"
        f"marker = Path({str(marker_dir)!r}) / region\n"
        'first = not marker.exists()\nmarker.write_text("killed")\n'
        'if region == "Skåne" or (region == "Örebro" and first):\n'
        + "".join(f"    {line}\n" for line in _KILL_WORKER.strip().splitlines())
    )
    cell = nbformat.v4.new_code_cell("#| label: aa-kill\n" + body)
    notebook = nbformat.v4.new_notebook(cells=[parameters, cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


def test_a_killed_worker_is_retried_once_then_the_pair_fails(tmp_path, demo_build):
    _, demo_out, _ = demo_build
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for source in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(source, notebooks)
    markers = tmp_path / "markers"
    markers.mkdir()
    _killer_notebook(notebooks / "aa_kill.ipynb", markers)
    params = make_project(tmp_path, {"notebooks_dir": str(notebooks)})
    out = tmp_path / "out"
    shutil.copytree(demo_out / "2020" / "skane", out / "2020" / "skane")
    skane = tree(out / "2020" / "skane")
    tag = uuid.uuid4().hex

    result = _cli(
        "run", "--params", str(params), "--out", str(out),
        "--renderer", "builtin", "--year", "2020", "--region",
        "Stockholm", "--region", "Örebro", "--region", "Skåne", "--executor", "dask",
        "--jobs", "2", "--force", tag=tag, timeout=600,
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    summary = _flat(result.stderr)
    assert "Traceback" not in result.stderr
    for slug in ("stockholm", "orebro"):  # Örebro's second attempt, on a new worker
        _outputs_match_manifest(out / "2020" / slug)
        assert f"failed 2020/{slug}" not in summary
    assert (markers / "Örebro").is_file()
    assert "failed 2020/skane: KilledWorker: its Dask worker died" in summary, summary
    assert "nothing was published" in summary
    assert tree(out / "2020" / "skane") == skane
    assert not (out / ".staging").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2020/orebro/rapport.html"' in index
    assert_nothing_left(tag, grace=15)
