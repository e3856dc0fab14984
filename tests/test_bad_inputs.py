"""The bad-input corpus: every broken params file or export stops the run before any work.

Each case copies the demo data, breaks one thing (or a few, on purpose), plants a fake
published tree in the output directory and runs `run --region Stockholm --year 2020`.
The run must exit 2 with one `error: ` line per problem, naming the file, the row,
column or key, and the offending value, and must leave the output tree exactly as it
was: no byte changed, no file or directory added (not even a lock file).

Most cases run the CLI in this process (typer's CliRunner: no 1.5 s of imports each);
the cases marked `real` go through `python -m pipeline` in a subprocess, as a user
would run it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support import ROOT, make_project, run_cli
from typer.testing import CliRunner

from pipeline.cli import app

DEMO = ROOT / "data" / "demo"
SURVEY = "2020/survey.csv"
POPULATION = "2020/population.csv"
REGISTER = "2020/interviews.csv"
SEGMENTS = "2020/segments.csv"


# --- a broken project --------------------------------------------------------------


@dataclass
class Project:
    """A copy of the demo project that a case may break."""

    root: Path
    data: Path
    params: Path

    def rows(self, name: str) -> list[list[str]]:
        """The CSV file's rows (header first), as text cells."""
        text = (self.data / name).read_text(encoding="utf-8")
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]

    def write_rows(self, name: str, rows: list[list[str]], delimiter: str = ",") -> None:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
        (self.data / name).write_text(buffer.getvalue(), encoding="utf-8")

    def set_cell(self, name: str, row: int, column: str, value: str) -> None:
        """Set one cell; `row` is the spreadsheet row (the header is row 1)."""
        rows = self.rows(name)
        rows[row - 1][rows[0].index(column)] = value
        self.write_rows(name, rows)

    def cell(self, name: str, row: int, column: str) -> str:
        rows = self.rows(name)
        return rows[row - 1][rows[0].index(column)]

    def params_data(self) -> dict:
        return yaml.safe_load(self.params.read_text(encoding="utf-8"))

    def set_params(self, **values: object) -> None:
        data = self.params_data() | values
        self.params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def set_input(self, name: str, **spec: object) -> None:
        data = self.params_data()
        data["inputs"][name] = data["inputs"][name] | spec
        self.params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def override(self, year: str, slug: str, text: str) -> Path:
        path = self.params.parent / "overrides" / year / f"{slug}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def _new_project(tmp: Path) -> Project:
    data = tmp / "data"
    shutil.copytree(DEMO, data)
    return Project(root=tmp, data=data, params=make_project(tmp, {"data_dir": str(data)}))


# --- REFI-QDA projects -------------------------------------------------------------

_QDA = "urn:QDA-XML:project:1.0"
_TEXT = "Intervjuare: Hur började det?\nVi fick en bra introduktion. Handledning saknades."
_EXCERPT = "Vi fick en bra introduktion."
_CODE = "a0000000-0000-4000-8000-000000000001"
_SOURCE = "c0000000-0000-4000-8000-000000000001"


def _qde(start: int | None = None, end: int | None = None, doctype: str = "") -> str:
    """A one-source REFI-QDA project coding one excerpt of INT-2020-STO-01."""
    start = _TEXT.index(_EXCERPT) if start is None else start
    end = start + len(_EXCERPT) if end is None else end
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        f'<Project xmlns="{_QDA}" name="Utvärdering 2020" origin="test">'
        f'<CodeBook><Codes><Code guid="{_CODE}" name="implementering.introduktion" '
        'isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{_SOURCE}" name="INT-2020-STO-01.docx" '
        f'plainTextPath="internal://{_SOURCE}.txt">'
        f'<PlainTextSelection guid="d0000000-0000-4000-8000-000000000001" '
        f'startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="e0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{_CODE}"/>'
        "</Coding></PlainTextSelection></TextSource></Sources></Project>"
    )


def _qdpx(project: Project, qde: str | None, *, broken: bool = False) -> None:
    """Write 2020/segments.qdpx and read segments from it (the 2020 round only)."""
    path = project.data / "2020" / "segments.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        if qde is not None:
            archive.writestr("project.qde", qde.encode("utf-8"))
        archive.writestr(f"Sources/{_SOURCE}.txt", _TEXT.encode("utf-8"))
    if broken:  # a download cut short: the central directory at the end is gone
        path.write_bytes(path.read_bytes()[:-60])
    project.set_params(years=[2020])
    project.set_input("segments", path="{year}/segments.qdpx")


def test_the_unbroken_copy_is_valid(tmp_path):
    """Each case breaks a valid project, so its errors come from what it broke."""
    project = _new_project(tmp_path)
    result = CliRunner().invoke(app, ["validate", "--params", str(project.params)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_the_qdpx_baseline_is_valid(tmp_path):
    """The intact project used by the qdpx cases passes, so each case breaks one thing."""
    project = _new_project(tmp_path)
    _qdpx(project, _qde())
    result = CliRunner().invoke(app, ["validate", "--params", str(project.params)])
    assert result.exit_code == 0, result.output
    assert "1 coded segments" in result.output


# --- the cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        id: The test id.
        breaks: Breaks the copied project.
        lines: Per expected error line, the parts it must contain (in any order).
        args: Command-line options replacing `--region Stockholm --year 2020`.
        real: Run `python -m pipeline` in a subprocess instead of in this process.
        xfail: Why the case fails today (a known product bug), if it does.
    """

    id: str
    breaks: Callable[[Project], object]
    lines: tuple[tuple[str, ...], ...]
    args: tuple[str, ...] = ("--region", "Stockholm", "--year", "2020")
    real: bool = False
    xfail: str = ""


# The start of an old Excel .xls file (an OLE compound document) saved as .csv.
_XLS = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900")


def _append(project: Project, text: str) -> None:
    with project.params.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _survey_cp1252(project: Project) -> None:
    path = project.data / SURVEY
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    project.set_input("survey", encoding="utf-8")


def _survey_semicolons(project: Project) -> None:
    project.write_rows(SURVEY, project.rows(SURVEY), delimiter=";")
    project.set_input("survey", delimiter=",")


def _drop_column(name: str, column: str) -> Callable[[Project], None]:
    def breaks(project: Project) -> None:
        rows = project.rows(name)
        index = rows[0].index(column)
        project.write_rows(name, [r[:index] + r[index + 1 :] for r in rows])

    return breaks


def _duplicate_column(project: Project) -> None:
    rows = project.rows(SURVEY)
    project.write_rows(SURVEY, [r + [r[rows[0].index("age")]] for r in rows])
    rows = project.rows(SURVEY)
    rows[0][-1] = "Age"
    project.write_rows(SURVEY, rows)


def _copy_id(name: str, column: str) -> Callable[[Project], None]:
    """Give row 3 the id of row 2."""

    def breaks(project: Project) -> None:
        project.set_cell(name, 3, column, project.cell(name, 2, column))

    return breaks


def _cell(name: str, row: int, column: str, value: str) -> Callable[[Project], None]:
    return lambda project: project.set_cell(name, row, column, value)


def _copy_id_other_case(name: str, column: str) -> Callable[[Project], None]:
    """Give row 3 the id of row 2 in lower case, with a space after it."""

    def breaks(project: Project) -> None:
        project.set_cell(name, 3, column, project.cell(name, 2, column).lower() + " ")

    return breaks


def _one_survey_without_year_column(project: Project) -> None:
    """Every year's answers in one file, as many analysts keep them, but no year column."""
    rows: list[list[str]] = []
    for year in ("2017", "2018", "2019", "2020"):
        table = project.rows(f"{year}/survey.csv")
        rows += table if not rows else table[1:]
    project.write_rows("enkat_alla_ar.csv", [r[:1] + r[2:] for r in rows])
    project.set_input("survey", path="enkat_alla_ar.csv")


def _codebook(old: str, new: str) -> Callable[[Project], None]:
    def breaks(project: Project) -> None:
        path = project.data / "codebook.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return breaks


def _recommendation_status(project: Project) -> None:
    path = project.data / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    old = "status: {2018: delvis, 2020: genomford}"
    assert text.count(old) >= 1
    path.write_text(text.replace(old, "status: {2018: delvis, 2020: klar}", 1), encoding="utf-8")


def _three_survey_problems(project: Project) -> None:
    project.set_cell(SURVEY, 2, "age", "fyrtio")
    project.set_cell(SURVEY, 5, "employment_pct", "140")
    project.set_cell(REGISTER, 4, "participants", "0")


def _every_year(name: str, *parts: str) -> tuple[tuple[str, ...], ...]:
    """An options error names every file the input's options apply to: one line per year."""
    return tuple((f"data/{year}/{name}", *parts) for year in (2017, 2018, 2019, 2020))


REGIONS = ", ".join(["Stockholm", "Skåne", "Västra Götaland", "Norrland", "Jönköping", "Örebro"])
P = "params/evaluation.yaml"
S = f"data/{SURVEY}"
R = f"data/{REGISTER}"
G = f"data/{SEGMENTS}"
Q = "data/2020/segments.qdpx"

CASES = [
    # --- params -------------------------------------------------------------------
    Case("params-unknown-key", lambda p: p.set_params(lnag="en"),
         ((P, "key 'lnag'", "unknown key"),), real=True),
    Case("params-wrong-type", lambda p: p.set_params(k="fem"), ((P, "key 'k'", "'fem'"),)),
    Case("params-bad-year", lambda p: p.set_params(years=[2017, 2018, 2019, 2020, 20200]),
         ((P, "key 'years'", "20200", "1990-2100"),)),
    Case("params-unknown-region",
         lambda p: p.set_params(regions=[*p.params_data()["regions"], "Atlantis"]),
         ((P, "key 'regions.6'", "'Atlantis'"),), real=True),
    Case("params-duplicate-key", lambda p: _append(p, "k: 3\n"),
         ((P, "duplicated key 'k'", "line "),)),
    Case("params-not-yaml", lambda p: p.params.write_text("regions: [Stockholm\nyears: 2020\n"),
         ((P, "YAML syntax error", "line "),), real=True),
    Case("params-not-a-mapping", lambda p: p.params.write_text("- Stockholm\n- 2020\n"),
         ((P, "mapping"),)),
    Case("params-missing-file", lambda p: p.params.unlink(), ((P, "file not found"),)),
    Case("params-bad-output-mode", lambda p: p.set_params(output_mode="public"),
         ((P, "key 'output_mode'", "'public'"),)),
    Case("override-unknown-region", lambda p: p.override("2020", "atlantis", "lang: en\n"),
         (("overrides/2020/atlantis.yaml", "'atlantis'"),), real=True),
    Case("override-unknown-year", lambda p: p.override("2031", "stockholm", "lang: en\n"),
         (("overrides/2031/stockholm.yaml", "'2031'"),)),
    Case("override-bad-value", lambda p: p.override("2020", "stockholm", "k: 0\n"),
         (("overrides/2020/stockholm.yaml", "key 'k'", "(got 0)"),)),
    Case("override-unknown-key", lambda p: p.override("2020", "stockholm", "regions: [Skåne]\n"),
         (("overrides/2020/stockholm.yaml", "key 'regions'", "unknown key"),)),
    Case("cli-unknown-region", lambda p: None, (("--region", "'Atlantis'", "Stockholm"),),
         args=("--region", "Atlantis", "--year", "2020"), real=True),
    Case("cli-unknown-year", lambda p: None, (("--year", "2031", "2017, 2018, 2019, 2020"),),
         args=("--region", "Stockholm", "--year", "2031")),
    Case("cli-bad-format", lambda p: None, (("--format", "'html,odt'", "html, pdf, docx"),),
         args=("--region", "Stockholm", "--year", "2020", "--format", "html,odt")),
    Case("cli-bad-lang", lambda p: None, (("--lang", "'fr'", "expected one of sv, en"),),
         args=("--region", "Stockholm", "--year", "2020", "--lang", "fr")),
    Case("cli-bad-renderer", lambda p: None, (("--renderer", "'latex'", "builtin"),),
         args=("--region", "Stockholm", "--year", "2020", "--renderer", "latex"), real=True),
    # --- survey export ------------------------------------------------------------
    Case("survey-missing", lambda p: (p.data / SURVEY).unlink(), ((S, "file not found"),),
         real=True),
    Case("survey-empty", lambda p: (p.data / SURVEY).write_bytes(b""), ((S, "empty"),)),
    Case("survey-binary", lambda p: (p.data / SURVEY).write_bytes(bytes(range(256)) * 8),
         ((S, "neither UTF-8 nor Windows-1252"),)),
    Case("survey-old-xls", lambda p: (p.data / SURVEY).write_bytes(_XLS + bytes(600)),
         ((S, "binary file"),)),
    Case("survey-cp1252-declared-utf8", _survey_cp1252,
         ((S, "not valid utf-8 text at line 9", "0xe5", "'å'", "encoding: cp1252"),)),
    Case("survey-unknown-encoding", lambda p: p.set_input("survey", encoding="utf-99"),
         _every_year("survey.csv", "unknown encoding 'utf-99'")),
    Case("survey-long-delimiter", lambda p: p.set_input("survey", delimiter=";;"),
         _every_year("survey.csv", "delimiter ';;'", "one character")),
    # A path without {year} is one file for every year: 2020's file lacks the others.
    Case("survey-path-without-year", lambda p: p.set_input("survey", path="2020/survey.csv"),
         (("data/2020/survey.csv", "has no rows of 2017, 2018, 2019", "{year}"),)),
    Case("survey-wrong-delimiter", _survey_semicolons,
         ((S, "row 1", "one column", "';'"),), real=True),
    Case("survey-missing-column", _drop_column(SURVEY, "region"), ((S, "row 1", "'region'"),)),
    Case("survey-duplicated-column", _duplicate_column,
         ((S, "row 1", "column 'Age'", "duplicated"),)),
    Case("survey-age-words", _cell(SURVEY, 2, "age", "fyrtio"),
         ((S, "row 2", "column 'age'", "'fyrtio'", "16 to 100"),), real=True),
    Case("survey-employment-140", _cell(SURVEY, 4, "employment_pct", "140"),
         ((S, "row 4", "column 'employment_pct'", "140", "0 to 100"),)),
    Case("survey-negative-months", _cell(SURVEY, 3, "months_worked", "-2"),
         ((S, "row 3", "column 'months_worked'", "-2", "0 or more"),)),
    Case("survey-duplicate-id", _copy_id(SURVEY, "respondent_id"),
         ((S, "row 3", "column 'respondent_id'", "'SU2020-0001'"),)),
    Case("survey-unknown-region", _cell(SURVEY, 6, "region", "Atlantis"),
         ((S, "row 6", "column 'region'", "'Atlantis'"),)),
    Case("survey-wrong-year", _cell(SURVEY, 7, "year", "2019"),
         ((S, "row 7", "column 'year'", "2019", "2020"),)),
    Case("survey-bad-code", _cell(SURVEY, 8, "gender", "okänt"),
         ((S, "row 8", "column 'gender'", "'okänt'", "kvinna"),)),
    Case("survey-bad-task", _cell(SURVEY, 9, "tasks", "stodsamtal;fika"),
         ((S, "row 9", "column 'tasks'", "'fika'", "multi_choice.tasks.other: annan"),)),
    Case("survey-id-email", _cell(SURVEY, 4, "respondent_id", "anna.svensson@example.se"),
         ((S, "row 4", "column 'respondent_id'", "an e-mail address", "not shown"),)),
    Case("survey-id-personnummer", _cell(SURVEY, 5, "respondent_id", "19850212-1232"),
         ((S, "row 5", "column 'respondent_id'", "identity or coordination number"),)),
    Case("survey-id-other-case", _copy_id_other_case(SURVEY, "respondent_id"),
         ((S, "row 3", "column 'respondent_id'", "'su2020-0001'", "row 2"),)),
    Case("survey-every-year-no-year-column", _one_survey_without_year_column,
         (("data/enkat_alla_ar.csv", "row 1", "'year'", "the path has no {year}"),)),
    Case("survey-workbook-named-csv",
         lambda p: shutil.copy(_an_xlsx(p), p.data / SURVEY), ((S, "workbook"),)),
    # --- population ---------------------------------------------------------------
    Case("population-negative", _cell(POPULATION, 2, "target_population", "-8"),
         ((f"data/{POPULATION}", "row 2", "column 'target_population'", "-8"),)),
    Case("population-words", _cell(POPULATION, 3, "target_population", "många"),
         ((f"data/{POPULATION}", "row 3", "column 'target_population'", "'många'"),)),
    Case("population-misspelt-region", _cell(POPULATION, 6, "region", "Jönkoping"),
         ((f"data/{POPULATION}", "'Jönköping'", "2020", "'Jönkoping'"),)),
    Case("population-duplicate-region", _copy_id(POPULATION, "region"),
         ((f"data/{POPULATION}", "row 3", "column 'region'", "'Stockholm'"),)),
    # --- interview register -------------------------------------------------------
    Case("register-bad-group", _cell(REGISTER, 2, "group", "chef"),
         ((R, "row 2", "column 'group'", "'chef'", "enhetschef"),), real=True),
    Case("register-participants-0", _cell(REGISTER, 3, "participants", "0"),
         ((R, "row 3", "column 'participants'", "0", ">= 1"),)),
    Case("register-individual-3", _cell(REGISTER, 4, "participants", "3"),
         ((R, "row 4", "column 'participants'", "'3'", "individual"),)),
    Case("register-duplicate-id", _copy_id(REGISTER, "interview_id"),
         ((R, "row 3", "column 'interview_id'", "'INT-2020-JON-01'"),)),
    Case("register-id-phone", _cell(REGISTER, 2, "interview_id", "070-123 45 67"),
         ((R, "row 2", "column 'interview_id'", "a phone number", "not shown"),)),
    Case("register-id-other-case", _copy_id_other_case(REGISTER, "interview_id"),
         ((R, "row 3", "column 'interview_id'", "'int-2020-jon-01'", "row 2"),)),
    # --- coded segments -----------------------------------------------------------
    Case("segments-unknown-interview", _cell(SEGMENTS, 2, "interview_id", "INT-2020-XXX-99"),
         ((G, "row 2", "column 'interview_id'", "'INT-2020-XXX-99'"),), real=True),
    Case("segments-unknown-theme", _cell(SEGMENTS, 3, "theme", "okänt.tema"),
         ((G, "row 3", "column 'theme'", "'okänt.tema'"),)),
    Case("segments-bad-factor", _cell(SEGMENTS, 4, "factor", "kanske"),
         ((G, "row 4", "column 'factor'", "'kanske'", "framjande"),)),
    Case("segments-empty-excerpt", _cell(SEGMENTS, 5, "excerpt", ""),
         ((G, "row 5", "column 'excerpt'", "empty"),)),
    # --- REFI-QDA project ---------------------------------------------------------
    Case("qdpx-broken-zip", lambda p: _qdpx(p, _qde(), broken=True), ((Q, "zip"),), real=True),
    Case("qdpx-no-project-qde", lambda p: _qdpx(p, None), ((Q, "project.qde"),)),
    Case("qdpx-positions-outside", lambda p: _qdpx(p, _qde(start=60, end=500)),
         ((Q, "INT-2020-STO-01", "60..500", "outside", str(len(_TEXT))),)),
    Case("qdpx-doctype",
         lambda p: _qdpx(p, _qde(doctype='<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>')),
         ((Q, "DOCTYPE"),)),
    Case("qdpx-not-xml", lambda p: _qdpx(p, "<Project><oops></Project>"),
         ((Q, "not well-formed", "line 1"),)),
    # --- codebook -----------------------------------------------------------------
    Case("codebook-duplicate-id",
         _codebook("id: implementering.arbetsbeskrivning", "id: implementering.introduktion"),
         (("data/codebook.yaml", "duplicated theme id 'implementering.introduktion'"),)),
    Case("codebook-missing-label",
         _codebook('        label: {sv: "Arbetsbeskrivning", en: "Job description"}\n', ""),
         (("data/codebook.yaml", "key 'themes[0].children[1].label'", "'sv' and 'en'"),)),
    Case("codebook-bad-yaml", _codebook("themes:", "themes: ["),
         (("data/codebook.yaml", "YAML syntax error", "line "),)),
    # --- recommendations ----------------------------------------------------------
    Case("recommendations-unknown-status", _recommendation_status,
         (("data/recommendations.yaml", "'klar'", "genomford"),)),
    # --- several problems at once, in several files --------------------------------
    Case("three-problems-two-files", _three_survey_problems,
         ((S, "row 2", "column 'age'", "'fyrtio'"),
          (S, "row 5", "column 'employment_pct'", "140"),
          (R, "row 4", "column 'participants'", "0")), real=True),
]  # fmt: skip


def _an_xlsx(project: Project) -> Path:
    import openpyxl

    path = project.root / "export.xlsx"
    book = openpyxl.Workbook()
    for row in project.rows(SURVEY):
        book.active.append(row)
    book.save(path)
    return path


# --- the published tree that must survive ------------------------------------------

PUBLISHED = {
    "index.html": b"<!doctype html><title>index</title>\n",
    "2020/stockholm/rapport.html": b"<!doctype html><title>Stockholm 2020</title>\n",
    "2020/stockholm/rapport.pdf": b"%PDF-1.7\n% not really\n",
    "2020/stockholm/manifest.json": b'{"outputs": {}}\n',
    "2020/stockholm/notebooks/survey.ipynb": b'{"cells": []}\n',
    "2019/orebro/rapport.html": b"<!doctype html><title>\xc3\x96rebro 2019</title>\n",
}


def _plant(out: Path) -> None:
    for name, data in PUBLISHED.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and directory under root: (sha256 or "dir", permission bits)."""
    state = {".": ("dir", root.stat().st_mode & 0o7777)}
    for path in sorted(root.rglob("*")):
        kind = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        state[str(path.relative_to(root))] = (kind, path.stat().st_mode & 0o7777)
    return state


def _run(case: Case, project: Project, out: Path) -> tuple[int, str]:
    args = ["run", "--params", str(project.params), "--out", str(out), *case.args]
    if case.real:
        result = run_cli(*args, cwd=project.root, timeout=120)
        return result.returncode, result.stderr
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stderr


def _params(cases: list[Case]) -> list:
    return [
        pytest.param(
            c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] * bool(c.xfail)
        )
        for c in cases
    ]


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_input_stops_before_any_work(tmp_path, monkeypatch, case):
    project = _new_project(tmp_path)
    case.breaks(project)
    out = tmp_path / "out"
    _plant(out)
    before = snapshot(out)
    # Messages name files relative to the project root; run from there, as a user would.
    monkeypatch.chdir(project.root)

    code, stderr = _run(case, project, out)

    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), stderr
    assert len(lines) == len(case.lines), stderr
    for parts in case.lines:
        assert any(all(part in line for part in parts) for line in lines), (parts, stderr)
    assert snapshot(out) == before


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert sum(c.real for c in CASES) >= 8
