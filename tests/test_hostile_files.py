"""Hostile files: every one stops the run with exit 2, quickly, in bounded memory.

The corpus (tests/hostile/files/, made by tests/hostile/make_corpus.py) holds zip
bombs, billion-laughs and external-entity XML, archive members named `../../x` or
`/abs`, REFI-QDA sources pointing outside their archive, a million empty rows and
formulas without values. A 100 MB CSV and symbolic links out of the data directory
are made here at run time. Each case runs `python -m pipeline run` in a subprocess
over a copy of the demo project and must: exit 2 with `error: ` lines naming the
file, finish in under 10 s, stay under 500 MB of memory (the child's peak RSS from
wait4), and leave the published tree byte-identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile.make_corpus import FILES, corpus
from support import ROOT
from test_bad_inputs import Project, _new_project, _plant, snapshot

SECONDS = 10.0
MEMORY_MB = 500
SURVEY_XLSX = "data/2020/survey.xlsx"
QDPX = "data/2020/segments.qdpx"


def _as_survey(name: str) -> Callable[[Project], None]:
    def place(project: Project) -> None:
        shutil.copy(FILES / name, project.data / "2020" / "survey.xlsx")
        project.set_params(years=[2020])
        project.set_input("survey", path="{year}/survey.xlsx")

    return place


def _as_segments(name: str) -> Callable[[Project], None]:
    def place(project: Project) -> None:
        shutil.copy(FILES / name, project.data / "2020" / "segments.qdpx")
        project.set_params(years=[2020])
        project.set_input("segments", path="{year}/segments.qdpx")

    return place


def _big_csv(project: Project) -> None:
    """A 100 MB survey export: the real header, then the first answer row over and over."""
    path = project.data / "2020" / "survey.csv"
    header, first = path.read_text(encoding="utf-8").splitlines()[:2]
    line = (first + "\n").encode()
    with path.open("wb") as handle:
        handle.write((header + "\n").encode())
        handle.write(line * (100 * 1024 * 1024 // len(line) + 1))


def _link_to_etc(project: Project) -> None:
    survey = project.data / "2020" / "survey.csv"
    survey.unlink()
    survey.symlink_to("/etc/passwd")


def _link_to_other_evaluation(project: Project) -> None:
    """data/2020 is a link into another evaluation's data (a sibling project)."""
    other = project.root.parent / f"{project.root.name}-other" / "data" / "2020"
    shutil.copytree(project.data / "2020", other)
    shutil.rmtree(project.data / "2020")
    (project.data / "2020").symlink_to(other, target_is_directory=True)


@dataclass(frozen=True)
class Hostile:
    """One hostile input: how it is placed, and what every error line must say."""

    id: str
    place: Callable[[Project], None]
    parts: tuple[str, ...]


CASES = [
    Hostile("zip-bomb.xlsx", _as_survey("zip-bomb.xlsx"), (SURVEY_XLSX, "zip bomb")),
    Hostile("zip-bomb.qdpx", _as_segments("zip-bomb.qdpx"), (QDPX, "zip bomb")),
    Hostile("billion-laughs.xlsx", _as_survey("billion-laughs.xlsx"), (SURVEY_XLSX, "ntit")),
    Hostile("billion-laughs.qdpx", _as_segments("billion-laughs.qdpx"), (QDPX,)),
    Hostile("external-entity.xlsx", _as_survey("external-entity.xlsx"), (SURVEY_XLSX, "ntit")),
    Hostile("external-entity.qdpx", _as_segments("external-entity.qdpx"), (QDPX,)),
    Hostile("parent-path.xlsx", _as_survey("parent-path.xlsx"), (SURVEY_XLSX, "'../../x'")),
    Hostile("absolute-path.xlsx", _as_survey("absolute-path.xlsx"), (SURVEY_XLSX, "absolute")),
    Hostile("parent-path.qdpx", _as_segments("parent-path.qdpx"), (QDPX, "(..)")),
    Hostile("drive-letter.qdpx", _as_segments("drive-letter.qdpx"), (QDPX, "drive letter")),
    Hostile("source-outside.qdpx", _as_segments("source-outside.qdpx"), (QDPX, "outside")),
    Hostile("source-climbs-out.qdpx", _as_segments("source-climbs-out.qdpx"), (QDPX,)),
    Hostile("million-empty-rows.xlsx", _as_survey("million-empty-rows.xlsx"),
            (SURVEY_XLSX, "more than 100000 rows", "max_rows")),
    Hostile("formulas.xlsx", _as_survey("formulas.xlsx"),
            (SURVEY_XLSX, "row 2", "formula", "without a computed value")),
    Hostile("csv-100mb", _big_csv, ("data/2020/survey.csv", "max_table_mb")),
    Hostile("link-to-etc", _link_to_etc, ("data/2020/survey.csv", "/etc/passwd", "outside")),
    Hostile("link-to-other-evaluation", _link_to_other_evaluation,
            ("data/2020/", "-other/data/2020/", "outside the data directory")),
]  # fmt: skip


def _measured_cli(args: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """Run the CLI; return (exit code, stderr, seconds, peak RSS in MB of that child)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, stderr.decode(), time.monotonic() - started, usage.ru_maxrss / 1024


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_file_stops_quickly_in_bounded_memory(tmp_path, case):
    project = _new_project(tmp_path / "project")
    case.place(project)
    out = tmp_path / "out"
    _plant(out)
    before = snapshot(out)

    args = ["run", "--params", str(project.params), "--out", str(out), "--renderer", "builtin"]
    code, stderr, seconds, peak_mb = _measured_cli(
        [*args, "--region", "Stockholm", "--year", "2020"], project.root
    )

    print(f"{case.id}: exit {code}, {seconds:.1f} s, {peak_mb:.0f} MB")  # shown with -s
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), stderr
    assert all(part in lines[0] for part in case.parts), stderr
    assert "Traceback" not in stderr
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak_mb < MEMORY_MB, f"{peak_mb:.0f} MB"
    assert snapshot(out) == before


def test_the_committed_corpus_is_what_the_script_makes():
    made = corpus()
    assert sorted(p.name for p in FILES.iterdir()) == sorted(made)
    for name, data in made.items():
        assert (FILES / name).read_bytes() == data, f"rerun {ROOT / 'tests/hostile/make_corpus.py'}"


def test_every_corpus_file_has_a_case():
    used = {c.id for c in CASES}
    assert set(corpus()) <= used
