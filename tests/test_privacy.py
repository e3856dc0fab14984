"""Privacy of what is published: no identifiers, no planted personal data, no raw
data tables, and file permissions that keep reports private unless asked otherwise.

The personal data looked for is read from the demo data itself (the names of
names.txt that occur in excerpts; the identity numbers, phone numbers and e-mail
addresses planted in excerpts), so the tests follow the data if it is regenerated.
"""

from __future__ import annotations

import csv
import re
import stat
from pathlib import Path

import nbformat
import pytest
from support import PAIRS, ROOT, html_text, make_project, pdf_text, run_cli

pytestmark = pytest.mark.e2e

DEMO = ROOT / "data" / "demo"
_PERSONAL_NUMBER = re.compile(r"\b(?:\d{2})?\d{6}[-+]\d{4}\b")
_PHONE = re.compile(r"(?<![\w-])(?:\+46[ -]?|0)\d{1,3}(?:[ -]?\d{2,3}){2,4}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _excerpts() -> list[str]:
    texts = []
    for path in sorted(DEMO.glob("*/segments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["excerpt"] for row in csv.DictReader(handle)]
    return texts


def _names_in_excerpts() -> list[str]:
    names = (DEMO / "names.txt").read_text(encoding="utf-8").split()
    text = "\n".join(_excerpts())
    return sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", text))


def _planted() -> list[str]:
    text = "\n".join(_excerpts())
    return sorted(
        {m for pattern in (_PERSONAL_NUMBER, _PHONE, _EMAIL) for m in pattern.findall(text)}
    )


NAMES = _names_in_excerpts()
PLANTED = _planted()


def test_the_demo_data_plants_what_the_privacy_tests_look_for():
    assert len(NAMES) >= 3, NAMES
    assert sum(bool(_EMAIL.fullmatch(p)) for p in PLANTED) >= 2, PLANTED
    assert sum(bool(_PERSONAL_NUMBER.fullmatch(p)) for p in PLANTED) >= 2, PLANTED
    assert sum(bool(_PHONE.fullmatch(p)) for p in PLANTED) >= 3, PLANTED


# --- what the published texts are --------------------------------------------------


def _notebook_text(path: Path) -> str:
    """Everything a reader of the executed notebook sees: sources and text outputs."""
    notebook = nbformat.read(path, as_version=4)
    parts = []
    for cell in notebook.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += output.get("traceback", [])
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/") or kind == "image/svg+xml":
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def _published_texts(folder: Path) -> dict[str, str]:
    # Embedded images are base64: drop them, they are not text anyone reads.
    html = re.sub(r"data:[^\"')\s]+", "", html_text(folder / "rapport.html"))
    texts = {"rapport.html": html, "rapport.pdf": pdf_text(folder / "rapport.pdf")}
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        texts[f"notebooks/{path.name}"] = _notebook_text(path)
    return texts


@pytest.fixture(scope="module")
def texts(demo_build) -> dict[str, str]:
    _, out, _ = demo_build
    found = {}
    for year, slug, _ in PAIRS:
        for name, text in _published_texts(out / year / slug).items():
            found[f"{year}/{slug}/{name}"] = text
    overview = out / "2020" / "oversikt.html"
    if overview.is_file():
        found["2020/oversikt.html"] = re.sub(r"data:[^\"')\s]+", "", html_text(overview))
    return found


def _compact(text: str) -> str:
    """Digits kept together: white space and hyphens removed (wrapped PDF lines too)."""
    return re.sub(r"[\s\-\u2010-\u2015]+", "", text)


def test_no_respondent_or_interview_ids(texts):
    assert len(texts) >= 3 * 4
    for name, text in texts.items():
        assert not re.search(r"SU\d{4}-\d", text), name
        assert not re.search(r"INT-\d{4}-", text), name


def test_no_names_from_the_excerpts(texts):
    for name, text in texts.items():
        for person in NAMES:
            assert not re.search(rf"\b{person}\b", text), (name, person)


def test_no_planted_identity_numbers_phone_numbers_or_emails(texts):
    for name, text in texts.items():
        compact = _compact(text)
        for planted in PLANTED:
            assert planted not in text, (name, planted)
            assert _compact(planted) not in compact, (name, planted)
        assert not _EMAIL.search(text), (name, _EMAIL.search(text))


def test_quotes_with_personal_data_are_published_pseudonymised(texts):
    # The checks above would pass on reports without quotes: make sure quotes are
    # published, and that some of them had personal data, now replaced by markers.
    assert texts["2020/stockholm/rapport.html"].count("<blockquote") >= 3
    reports = " ".join(t for name, t in texts.items() if name.endswith("rapport.html"))
    markers = set(
        re.findall(r"\[(?:namn|name|telefon|phone|personnummer|ID number|e-post|e-mail)\]", reports)
    )
    assert markers, "no published quote held personal data: the checks above prove nothing"


def test_notebooks_show_no_raw_data_frames(demo_build):
    _, out, _ = demo_build
    for year, slug, _ in PAIRS:
        for path in (out / year / slug / "notebooks").glob("*.ipynb"):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    assert 'class="dataframe"' not in str(data.get("text/html", "")), path
                    plain = str(data.get("text/plain", "")) + str(output.get("text", ""))
                    assert not re.search(r"\[\d+ rows x \d+ columns\]", plain), path
                    assert "respondent_id" not in plain and "interview_id" not in plain, path


def _salaries(region: str) -> set[int]:
    with (DEMO / "2020" / "survey.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        int(r["salary_monthly_fte"])
        for r in rows
        if r["region"] == region and r["salary_monthly_fte"]
    }


@pytest.mark.parametrize(("slug", "region"), [("stockholm", "Stockholm"), ("skane", "Skåne")])
def test_individual_answers_are_not_listed(texts, slug, region):
    """A raw table would show every respondent's salary; statistics show a few (min, max,
    median may coincide with someone's answer)."""
    salaries = _salaries(region)
    assert len(salaries) >= 6  # enough that a listing is told apart from statistics
    for name in ("rapport.html", "rapport.pdf", "notebooks/survey.ipynb"):
        text = texts[f"2020/{slug}/{name}"]
        shown = {
            s for s in salaries
            if re.search(rf"(?<![\d,.]){s // 1000}[ \u202f,]?{s % 1000:03d}(?![\d])", text)
        }  # fmt: skip
        assert len(shown) <= 4, (name, sorted(shown))


# --- file permissions ----------------------------------------------------------------


def _modes(out: Path) -> dict[str, int]:
    return {
        str(p.relative_to(out)): stat.S_IMODE(p.stat().st_mode)
        for p in sorted(out.rglob("*"))
        if p.name != ".lock"  # the lock holds a pid, nothing else
    }


def test_published_files_are_private_by_default(demo_build):
    _, out, _ = demo_build
    modes = _modes(out)
    assert len(modes) >= 3 * 7
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (out / name).is_dir() else 0o600)
    }
    assert not wrong, wrong


def test_shared_output_mode_makes_files_readable(tmp_path):
    params = make_project(tmp_path, {"output_mode": "shared"})
    out = tmp_path / "out"
    result = run_cli(
        "run", "--params", str(params), "--out", str(out), "--year", "2020",
        "--region", "Örebro", "--no-overview", "--renderer", "builtin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    modes = _modes(out)
    assert {"index.html", "2020/orebro/rapport.pdf", "2020/orebro/notebooks"} <= set(modes)
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o755 if (out / name).is_dir() else 0o644)
    }
    assert not wrong, wrong


# --- extremes and totals (issue 11) ----------------------------------------------------

_EXTREMES = ("Lägsta värde", "Högsta värde", "Summa", "Medelvärde", "Standardavvikelse")


def _amount(value: int) -> str:
    return rf"(?<![\d,.]){value // 1000}[ \u202f,]?{value % 1000:03d}(?![\d])"


@pytest.mark.parametrize(("slug", "region"), [("stockholm", "Stockholm"), ("orebro", "Örebro")])
def test_no_min_max_or_sum_for_groups_below_the_extremes_threshold(texts, slug, region):
    """Stockholm 2020 has 7 respondents, Örebro 1: fewer than the default threshold 10."""
    salaries = sorted(_salaries(region))
    assert len(salaries) < 10
    for name in ("rapport.html", "rapport.pdf", "notebooks/survey.ipynb"):
        text = texts[f"2020/{slug}/{name}"]
        for row in _EXTREMES:
            assert row not in text, (name, row)
        for value in (salaries[0], salaries[-1], sum(salaries)):
            assert not re.search(_amount(value), text), (name, value)


def test_groups_above_the_threshold_keep_their_extremes(texts):
    assert len(_salaries("Skåne")) >= 10
    assert (
        "Lowest value" in texts["2020/skane/rapport.html"]
        or "Minimum" in texts["2020/skane/rapport.html"]
    )


def test_seed_like_stockholm_shows_every_interview_group(texts):
    """Stockholm 2020 (4 / 7 / 6 / 12 interviewees) with default params: all groups shown."""
    html = texts["2020/stockholm/rapport.html"]
    for speaker in ("Enhetschef", "Medarbetare", "Peer supporter", "Brukare"):
        assert f"— {speaker}</p>" in html, speaker  # attributed to one of the group, only
    summary = re.search(r"kodades i (\d+) segment inom (\d+) av kodbokens \d+ teman", html)
    assert summary, "the interview summary states the coding"
    assert re.search(r"Samtliga \(n\s=\s21\)", html)  # no-break spaces or not


def test_no_suppressed_value_is_shown_as_zero(texts):
    for name, text in texts.items():
        if name.endswith(".html"):
            assert not re.search(r"\(n\s=\s0\)", text), name  # no-break spaces too
            assert "n \\= 0" not in text, name
