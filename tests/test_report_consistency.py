"""Every demo report says one consistent thing (issue 12's acceptance).

Parses each published demo HTML report and checks that the text agrees with the tables
of the same report, that the round ordinal is the data's, that every "Tabell N" /
"Figur N" reference resolves, that no sentence is said twice, that placeholder text
appears only in reports marked as drafts, and that the English report is English.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from support import ROOT, run_cli

from pipeline.inputs import load_for_notebook
from pipeline.rounds import evaluation_rounds, ordinal

pytestmark = pytest.mark.e2e

_TAGS = re.compile(r"<[^>]+>")
_BLOCKS = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1>", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\[])")
_REF = re.compile(
    r"\b(Tabell|Tables?|Figur|Figures?) (\d+(?:, \d+)*(?: (?:och|and) \d+)?)(?![\d:])"
)
_CAPTION = re.compile(r"(Tabell|Table|Figur|Figure) (\d+):")
PLACEHOLDERS = ("Analytikerns text saknas", "The analyst's text is missing")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).replace("\u00a0", " ").split())


def _prose(page: str) -> list[str]:
    """Paragraphs and list items outside tables, the banner and the table of contents."""
    body = re.sub(r"<table\b.*?</table>", "", page, flags=re.DOTALL)
    body = re.sub(r"<nav\b.*?</nav>", "", body, flags=re.DOTALL)
    body = re.sub(r'<div class="draft-banner".*?</div>', "", body, flags=re.DOTALL)
    body = re.sub(r"<(figcaption|caption)\b.*?</\1>", "", body, flags=re.DOTALL)
    return [_text(m.group(2)) for m in _BLOCKS.finditer(body) if _text(m.group(2))]


def _table(page: str, table_id: str) -> list[list[str]]:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.DOTALL)
    assert match, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(0), re.DOTALL)
    return [
        [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.DOTALL)] for r in rows
    ]


def _reports(out: Path) -> list[tuple[Path, dict]]:
    manifests = sorted(out.glob("[0-9]*/*/manifest.json"))
    return [
        (m.parent / "rapport.html", json.loads(m.read_text(encoding="utf-8"))) for m in manifests
    ]


def _overviews(out: Path) -> list[tuple[Path, dict]]:
    manifests = sorted(out.glob("[0-9]*/oversikt.json"))
    return [
        (m.parent / "oversikt.html", json.loads(m.read_text(encoding="utf-8"))) for m in manifests
    ]


def test_demo_has_every_report_and_exactly_one_draft(full_demo):
    _, out = full_demo
    reports = _reports(out)
    assert len(reports) == 24
    drafts = [
        m["report"]["slug"] + str(m["report"]["year"]) for _, m in reports if m["status"] == "draft"
    ]
    assert drafts == ["orebro2019"]
    assert all(m["status"] in ("draft", "final") for _, m in reports)
    overviews = _overviews(out)
    assert len(overviews) == 4 and all(m["status"] == "final" for _, m in overviews)


def test_counts_in_text_equal_the_theme_table(full_demo):
    _, out = full_demo
    checked = 0
    for path, _ in _reports(out):
        page = path.read_text(encoding="utf-8")
        prose = " ".join(_prose(page))
        said = re.search(
            r"(?:kodades i|coded in) (\d+) segments? (?:inom|on) (\d+) (?:av kodbokens|of the "
            r"codebook's) (\d+) (?:teman|themes)",
            prose,
        )
        basis = re.search(r"(?:bygger på|rests on) (\d+) (?:av|of the) intervjuer", prose)
        if not said:
            continue
        rows = _table(page, "tbl-themes")
        head, body = rows[0], rows[1:]
        segments = [int(r[-1].replace(" ", "").replace(",", "")) for r in body]
        assert int(said.group(1)) == sum(segments), path
        assert int(said.group(2)) == sum(1 for s in segments if s), path
        assert int(said.group(3)) == len(body), path
        shown = re.search(r"\(n\s=\s(\d+)\)", head[-2])
        if basis:
            assert int(basis.group(1)) == int(shown.group(1)), path
        factors = _table(page, "tbl-factors")[1:]
        assert sum(int(r[-1]) for r in factors) == sum(segments), path
        checked += 1
    assert checked >= 8


def test_round_ordinal_is_the_number_of_rounds_in_the_data(full_demo):
    params, out = full_demo
    data = {}
    for path, manifest in _reports(out):
        region, year = manifest["report"]["region"], manifest["report"]["year"]
        if year not in data:
            data[year] = load_for_notebook(str(params), year)
        info = evaluation_rounds(
            data[year].survey, data[year].register, region, year, data[year].population
        )
        lang = manifest["parameters"]["lang"]
        prose = " ".join(_prose(path.read_text(encoding="utf-8")))
        expected = ordinal(len(info.years), lang)
        sentence = (
            f"Omgången {year} är den {expected} utvärderingsomgången i {region}"
            if lang == "sv"
            else f"The {year} round is the {expected} evaluation round in {region}"
        )
        assert sentence in prose, (path, sentence)
        for missing in info.missing("interviews"):
            assert f"{missing} genomfördes enbart enkäten" in prose or (
                f"In {missing} only the survey" in prose
            ), path
            if year > missing and year in info.interviews:
                head = _table(path.read_text(encoding="utf-8"), "tbl-rounds")[0]
                assert any(h.startswith(f"{missing} (ingen datainsamling") for h in head), head


def test_every_table_and_figure_reference_resolves(full_demo):
    _, out = full_demo
    for path, _ in _reports(out) + _overviews(out):
        page = path.read_text(encoding="utf-8")
        present = {(k[0] in "T", int(n)) for k, n in _CAPTION.findall(_text(page))}
        for paragraph in _prose(page):
            for kind, numbers in _REF.findall(paragraph):
                for number in re.findall(r"\d+", numbers):
                    assert (kind[0] == "T", int(number)) in present, (path, paragraph)


def test_no_sentence_occurs_twice(full_demo):
    _, out = full_demo
    for path, _ in _reports(out) + _overviews(out):
        sentences = [
            s for block in _prose(path.read_text(encoding="utf-8"))
            for s in _SENTENCE_END.split(block) if len(s.split()) >= 4
        ]  # fmt: skip
        repeated = [s for s, n in Counter(sentences).items() if n > 1]
        assert repeated == [], (path, repeated)


def test_placeholders_only_in_reports_marked_draft(full_demo):
    _, out = full_demo
    for path, manifest in _reports(out) + _overviews(out):
        page = path.read_text(encoding="utf-8")
        placeholder = any(p in page for p in PLACEHOLDERS)
        if manifest["status"] == "final":
            assert not placeholder, path
            assert 'class="draft-banner"' not in page, path
        else:
            assert 'class="draft-banner"' in page and "Utkast" in page, path
            assert manifest["draft_reasons"], path
    assert "Utkast" in (out / "index.html").read_text(encoding="utf-8")


def test_english_report_has_no_swedish_fixed_strings_and_an_english_narrative(full_demo):
    _, out = full_demo
    path = out / "2020" / "skane" / "rapport.html"
    page = path.read_text(encoding="utf-8")
    assert '<html lang="en"' in page
    # Quotes are data (said in Swedish) and names are data: check everything else.
    page = re.sub(r"<blockquote\b.*?</blockquote>", "", page, flags=re.DOTALL)
    text = _text(page)
    glossary = yaml.safe_load((ROOT / "pipeline" / "glossary.yaml").read_text(encoding="utf-8"))
    for term in glossary["terms"]:
        if term["sv"] != term["en"]:
            assert not re.search(rf"\b{re.escape(term['sv'])}\b", text), term["sv"]
    prose = " ".join(_prose(page))
    for swedish in (" och ", " att ", " är ", " inte ", " för "):
        data_free = prose.replace("Peer support i Sverige (syntetiska demodata)", "")
        assert swedish not in data_free.replace("Enheten för uppföljning och analys", ""), swedish
    assert "the contribution to service users dominates" in prose  # the English narrative


def test_overview_has_a_national_column_and_the_national_descriptive_table(full_demo):
    _, out = full_demo
    page = (out / "2020" / "oversikt.html").read_text(encoding="utf-8")
    themes = _table(page, "tbl-themes")
    # Each share column gives its base: "Hela landet (n = 56)".
    assert re.fullmatch(r"Hela landet \(n\s=\s\d+\)", themes[0][-1])
    assert all(row[-1] for row in themes[1:])
    numeric = [row[0] for row in _table(page, "tbl-numeric")]
    for statistic in ("Antal svar (n)", "Uppgift saknas (n)", "Median", "95:e percentilen"):
        assert statistic in numeric
    assert "Totalt" in [row[0] for row in _table(page, "tbl-response-rate")]
    assert "Den fjärde omgången har den högsta svarsfrekvensen" in page  # its own narrative


def test_final_refuses_the_demo_draft_and_builds_nothing(tmp_path):
    from support import make_project

    params = make_project(tmp_path, overrides=True)
    out = tmp_path / "out"
    result = run_cli(
        "run", "--params", str(params), "--out", str(out), "--renderer", "builtin", "--final"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if ": draft: " in line]
    assert len(lines) == 1 and lines[0].startswith("error: 2019/orebro: draft: "), result.stderr
    assert "analytikerns text saknas" in lines[0] and "diarienummer saknas" in lines[0]
    assert not out.exists() or not any(out.glob("[0-9]*"))
