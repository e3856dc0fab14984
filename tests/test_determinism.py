"""Reproducibility: the same inputs give byte-identical reports, notebooks and manifests.

Every run is a fresh `python -m pipeline` process into its own output directory (so
no cache, no shared state), compared file by file. The two runs of a comparison start
together, so that both see the same code and commit (the manifest records both).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import ROOT, html_text, make_project, pdf_text

from pipeline.formatting import date as format_date

pytestmark = pytest.mark.e2e

PAIRS = [("2020", "stockholm"), ("2020", "skane")]  # Skåne is English in the demo build


def _published(folder: Path) -> dict[str, bytes]:
    """The files of one published report that must not vary between runs."""
    names = ["rapport.html", "rapport.pdf", "manifest.json"]
    names += sorted(f"notebooks/{p.name}" for p in (folder / "notebooks").glob("*.ipynb"))
    return {name: (folder / name).read_bytes() for name in names}


def _assert_identical(a: Path, b: Path) -> None:
    first, second = _published(a), _published(b)
    assert sorted(first) == sorted(second)
    assert len(first) >= 5, sorted(first)  # html, pdf, manifest and the notebooks
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"{a} and {b} differ in {different}"


def _two_runs(params: Path, outs: list[Path], *args: str, **env: str) -> None:
    """Two fresh processes at the same time: nothing shared, nothing ordered."""
    command = [sys.executable, "-m", "pipeline", "run", "--params", str(params)]
    command += ["--year", "2020", "--no-overview", "--force", "--renderer", "builtin", *args]
    runs = [
        subprocess.Popen(
            [*command, "--out", str(out)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr


def test_two_runs_in_fresh_processes_give_identical_bytes(tmp_path):
    params = make_project(tmp_path)
    override = params.parent / "overrides" / "2020" / "skane.yaml"
    override.parent.mkdir(parents=True)
    override.write_text("lang: en\n", encoding="utf-8")
    outs = [tmp_path / "one", tmp_path / "two"]

    _two_runs(params, outs, "--region", "Stockholm", "--region", "Skåne")

    for year, slug in PAIRS:
        _assert_identical(outs[0] / year / slug, outs[1] / year / slug)
    assert '<html lang="en"' in html_text(outs[0] / "2020" / "skane" / "rapport.html")
    assert '<html lang="sv"' in html_text(outs[0] / "2020" / "stockholm" / "rapport.html")


EPOCH = 1700000000  # 2023-11-14 22:13:20 UTC


def test_source_date_epoch_sets_the_date_reproducibly(tmp_path):
    demo = yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))
    report = {k: v for k, v in demo["report"].items() if k != "date"}
    params = make_project(tmp_path, {"report": report})
    outs = [tmp_path / "one", tmp_path / "two"]

    _two_runs(params, outs, "--region", "Stockholm", SOURCE_DATE_EPOCH=str(EPOCH))

    one, two = (out / "2020" / "stockholm" for out in outs)
    _assert_identical(one, two)
    shown = format_date(dt.date(2023, 11, 14), "sv")
    assert shown == "14 november 2023"
    assert shown in html_text(one / "rapport.html")
    assert shown in " ".join(pdf_text(one / "rapport.pdf").split())
    today = format_date(dt.date.today(), "sv")
    assert today not in html_text(one / "rapport.html")
