"""A run with nothing to build reads no inputs and leaves the index alone.

Every report is fresh and the index is the page the last run wrote: the inputs are the
very files the reports were built (and validated) from, so the run neither reads them
again nor rewrites anything. A run that only re-renders (a narrative edit) reads no
inputs either: its index takes the response rates recorded by the run that read them.
A changed input makes its reports stale, and is validated before any work as always.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import ROOT, make_project
from typer.testing import CliRunner

import pipeline.inputs
from pipeline.cli import app
from pipeline.site import INDEX_KEY, RATES_RECORD, write_index

PAIR = ["--region", "Stockholm", "--year", "2020", "--format", "html", "--no-overview"]
PAIR += ["--renderer", "builtin", "--jobs", "1"]


def _run(params: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", "--params", str(params), "--out", str(out), *PAIR])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stderr


def _state(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


@pytest.fixture
def built(tmp_path):
    data, narrative = tmp_path / "data", tmp_path / "narrative"
    shutil.copytree(ROOT / "data" / "demo", data, ignore=shutil.ignore_patterns("*.py"))
    shutil.copytree(ROOT / "reports" / "narrative", narrative)
    params = make_project(tmp_path, {"data_dir": str(data), "narrative_dir": str(narrative)})
    out = tmp_path / "out"
    code, stderr = _run(params, out)
    assert code == 0, stderr
    return params, out, data


@pytest.mark.e2e
def test_a_noop_reads_no_inputs_and_keeps_the_index(built, monkeypatch):
    params, out, _ = built
    index, report = out / "index.html", out / "2020" / "stockholm" / "rapport.html"
    before = _state(index), _state(report), (out / INDEX_KEY).read_text()

    def no_reading(*args, **kwargs):
        raise AssertionError("a no-op read the inputs")

    monkeypatch.setattr(pipeline.inputs, "load_evaluation", no_reading)
    code, stderr = _run(params, out)
    assert code == 0, stderr
    assert (_state(index), _state(report), (out / INDEX_KEY).read_text()) == before


@pytest.mark.e2e
def test_an_index_written_by_anything_else_is_written_again(built):
    params, out, _ = built
    write_index(out, "sv")  # e.g. `peer-eval prune`: no response rates, no record
    assert not (out / INDEX_KEY).exists()
    code, stderr = _run(params, out)
    assert code == 0, stderr
    assert (out / INDEX_KEY).is_file()
    assert "87,5" in (out / "index.html").read_text(encoding="utf-8")  # Stockholm's rate


@pytest.mark.e2e
def test_a_changed_input_is_validated_before_any_work(built):
    params, out, data = built
    report = out / "2020" / "stockholm" / "rapport.html"
    before = report.read_bytes()
    survey = data / "2020" / "survey.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("age")] = "tjugo"
    survey.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    code, stderr = _run(params, out)
    assert code == 2, stderr
    assert "survey.csv" in stderr and "age" in stderr
    assert report.read_bytes() == before


def _edit_narrative(params: Path, words: str) -> None:
    narrative = params.parent.parent / "narrative" / "2020" / "stockholm.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


@pytest.mark.e2e
def test_a_narrative_edit_renders_without_reading_the_inputs(built, monkeypatch):
    params, out, _ = built
    key = (out / INDEX_KEY).read_text()

    def no_reading(*args, **kwargs):
        raise AssertionError("a render-only run read the inputs")

    monkeypatch.setattr(pipeline.inputs, "load_evaluation", no_reading)
    _edit_narrative(params, "Nämnden tackar kamraterna.")
    code, stderr = _run(params, out)
    assert code == 0, stderr
    report = (out / "2020" / "stockholm" / "rapport.html").read_text(encoding="utf-8")
    assert "Nämnden tackar kamraterna." in report
    # The index is written again (the report changed), with the recorded rates.
    assert (out / INDEX_KEY).read_text() != key
    assert "87,5" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_without_recorded_rates_a_narrative_edit_reads_the_inputs_once(built, monkeypatch):
    params, out, _ = built
    (out / RATES_RECORD).unlink()  # e.g. a folder built by an older version
    reads = []
    load = pipeline.inputs.load_evaluation

    def counted(*args, **kwargs):
        reads.append(1)
        return load(*args, **kwargs)

    monkeypatch.setattr(pipeline.inputs, "load_evaluation", counted)
    _edit_narrative(params, "En rad till.")
    code, stderr = _run(params, out)
    assert code == 0, stderr
    assert len(reads) == 1
    assert "87,5" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / RATES_RECORD).is_file()


@pytest.mark.e2e
def test_recorded_rates_of_other_inputs_are_not_used(built):
    params, out, data = built
    population = data / "2020" / "population.csv"
    text = population.read_text(encoding="utf-8")
    assert "2020,Stockholm,8\n" in text  # 7 of 8 answered: 87,5 %
    population.write_text(text.replace("2020,Stockholm,8\n", "2020,Stockholm,14\n"), "utf-8")
    code, stderr = _run(params, out)
    assert code == 0, stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "50\u00a0%" in index and "87,5" not in index  # 7 of 14
