"""How the PDF reads in print and to a screen reader: headings, quotes, marks, figures, tables.

One report source, rendered once, with what the defects were found on: a quote section
from `quotes_markdown` long enough to run over pages, paragraphs where the withheld mark
"–*" falls at every place in a line, a withheld figure and a withheld table (no image, no
table: the renderer's `.captioned` blocks), a table with a long head over short values
beside a column of names, and a 20-row table after a page of text.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pdfplumber
import pytest
from pdf_support import table_cells
from pypdf import PdfReader

from pipeline.analysis import Scope
from pipeline.analysis.interviews import InterviewData
from pipeline.formatting import md_text
from pipeline.render import render
from pipeline.tables import markdown_table
from pipeline.text.quotes import quotes_markdown

THEMES = ["Implementering", "Yrkesroll", "Bidrag till brukarna"]
SENTENCE = (
    "det blev tydligare vad peer supportern skulle göra och vi fick tid att prata om hur "
    "arbetet fördelades mellan oss i gruppen så att ingen behövde gissa längre"
)
WORDS = SENTENCE.split(" ")
QMD = """---
title: "Utvärdering av peer support"
subtitle: "{{< meta params.region >}} {{< meta params.year >}}"
lang: sv
date: "2026-11-25"
params: {region: Stockholm, year: 2020}
report: {organisation: "Stockholms stad", committee: "Socialnämnden"}
format:
  typst: {toc: true, section-numbering: "1.1"}
---

# Resultat

{{< embed notebooks/survey.ipynb#md-marks >}}

{{< embed notebooks/survey.ipynb#fig-withheld >}}

{{< embed notebooks/survey.ipynb#tbl-withheld >}}

{{< embed notebooks/survey.ipynb#tbl-rounds >}}

FILLER

{{< embed notebooks/survey.ipynb#tbl-long >}}

# Teman

LINES

## Citat

{{< embed notebooks/survey.ipynb#md-quotes >}}
"""
# Paragraphs before the long table and one-line paragraphs before the quotes: chosen so
# that, with the template before these checks, the long table was split over two pages,
# a quote was split from its attribution and a theme label ended a page.
FILLER, LINES = 3, 18
LONG_HEAD = "2019 (ingen datainsamling)"
ROUND_THEMES = [
    "Implementering",
    "Yrkesroll och arbetsfördelning",
    "Bidrag till brukarna",
    "Bidrag till verksamheterna",
    "Fortlevnad och spridning",
    "Genus och intersektionalitet",
]


def _interviews() -> InterviewData:
    """24 interviews, each with a different quote of 26 to 48 words in each of 3 themes."""
    register = pd.DataFrame(
        [
            (
                f"I{i}",
                2020,
                "Stockholm",
                "brukare" if i % 2 else "medarbetare",
                "individuell",
                1,
                "video",
            )
            for i in range(24)
        ],  # fmt: skip
        columns=["interview_id", "year", "region", "group", "form", "participants", "mode"],
    )
    quote_words = WORDS * 3  # 12 to 60 words: one to six lines
    segments = pd.DataFrame(
        [
            (
                f"I{i}",
                theme,
                "framjande",
                f"Citat {t}-{i}: " + " ".join(quote_words[: 12 + i * 7 % 49]),
            )
            for i in range(24)
            for t, theme in enumerate(["impl", "roll", "bidrag"])
        ],
        columns=["interview_id", "theme", "factor", "excerpt"],
    )
    codebook = pd.DataFrame(
        [
            (key, None, 1, label, label, order)
            for order, (key, label) in enumerate(
                zip(["impl", "roll", "bidrag"], THEMES, strict=True)
            )
        ],
        columns=["id", "parent", "level", "label_sv", "label_en", "order"],
    )
    return InterviewData(register, segments, codebook)


def _cell(label: str, markdown: str, option: str = "") -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f"#| label: {label}\n{option}x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": markdown})]
    return cell


def _work(directory: Path, filler: int = FILLER, lines: int = LINES) -> Path:
    scope = Scope(region="Stockholm", year=2020, lang="sv", interview_k=3, quotes_per_theme=12)
    marks = "\n\n".join(
        md_text(" ".join(WORDS[:i]) + " (markeras –*) och n = 18 eller utelämnas i tabellen.")
        for i in range(24)
    )
    n = "n\u00a0=\u00a0"  # as pipeline.text.themes writes the heads
    rounds = markdown_table(
        pd.DataFrame(
            {
                "Tema": ROUND_THEMES,
                f"2017 ({n}18)": ["50 %"] * 6,
                f"2018 ({n}19)": ["58 %"] * 6,
                LONG_HEAD: ["·"] * 6,
                f"2020 ({n}21)": ["33 %"] * 6,
                "Utveckling": ["Oförändrat"] * 6,
            }
        ),
        "lrrrrl",
    )
    rows = pd.DataFrame({"Rad": [f"Rad {i}" for i in range(20)], "Antal": list(range(20))})
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("md-marks", marks),
        _cell("fig-withheld", "Uppgifterna redovisas inte\\.", '#| fig-cap: "Månader"\n'),
        _cell("tbl-withheld", "–\\*", '#| tbl-cap: "Månadslön"\n'),
        _cell("tbl-rounds", rounds, '#| tbl-cap: "Teman över omgångarna"\n'),
        _cell("tbl-long", markdown_table(rows, "lr"), '#| tbl-cap: "Lång tabell"\n'),
        _cell("md-quotes", quotes_markdown(_interviews(), scope, seed=1)),
    ]
    (directory / "notebooks").mkdir(parents=True)
    nbformat.write(nb, directory / "notebooks" / "survey.ipynb")
    text = QMD.replace("FILLER", "\n\n".join([" ".join(WORDS * 3)] * filler))
    text = text.replace("LINES", "\n\n".join(["Rad."] * lines))
    qmd = directory / "rapport.qmd"
    qmd.write_text(text, encoding="utf-8")
    return qmd


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    qmd = _work(tmp_path_factory.mktemp("layout"))
    return render(qmd, ["pdf"], renderer="builtin", timestamp=0)["pdf"]


@pytest.fixture(scope="module")
def tree(pdf) -> list[dict]:
    with pdfplumber.open(pdf) as document:
        return document.structure_tree


def _walk(elements: list[dict]):
    for element in elements:
        yield element
        yield from _walk(element.get("children", []))


def _pages(element: dict) -> set[int]:
    return {e["page_number"] for e in _walk([element]) if "page_number" in e}


def _bookmarks(outline: list, depth: int = 0) -> list[tuple[int, str]]:
    """The PDF's bookmarks as (depth, title), in order."""
    found = []
    for item in outline:
        if isinstance(item, list):
            found += _bookmarks(item, depth + 1)
        else:
            found.append((depth, item.title))
    return found


def _lines(pdf: Path) -> list[list[str]]:
    return [(page.extract_text() or "").splitlines() for page in PdfReader(pdf).pages]


def test_quote_theme_labels_are_headings_in_the_tags_and_the_bookmarks(pdf, tree):
    # Before: bold paragraphs, P in the tag tree, missing from the bookmarks.
    headings = [(e["type"], e.get("title")) for e in _walk(tree) if e["type"] in {"H2", "H3"}]
    assert headings == [("H2", "Citat"), *(("H3", theme) for theme in THEMES)], headings
    bookmarks = _bookmarks(PdfReader(pdf).outline)
    assert bookmarks[-4:] == [(1, "2.1 Citat"), *((2, theme) for theme in THEMES)]  # unnumbered


def test_a_quote_and_its_attribution_stay_on_one_page(tree):
    quotes = [e for e in _walk(tree) if e["type"] == "BlockQuote"]
    assert len(quotes) == 36
    assert len(set().union(*map(_pages, quotes))) > 2, "the quotes should run over pages"
    split = [sorted(_pages(q)) for q in quotes if len(_pages(q)) != 1]
    assert split == []


def test_no_heading_is_the_last_thing_on_its_page(pdf, tree):
    body = next(e for e in tree if e["type"] == "Document")["children"]
    for heading, following in zip(body, body[1:], strict=False):
        if heading["type"] in {"H1", "H2", "H3"} and heading.get("title") != "Innehållsförteckning":
            assert min(_pages(following)) in _pages(heading), heading.get("title")
    # Before: a theme label (a bold paragraph) ended a page, its quotes on the next.
    last = [[line for line in page if not line.startswith("Sida ")][-1] for page in _lines(pdf)]
    assert not set(last) & set(THEMES), last


def test_the_withheld_mark_never_breaks_after_its_dash(pdf):
    lines = [line for page in _lines(pdf) for line in page]
    ending = [line for line in lines if line.rstrip().endswith("–")]
    assert [line for line in lines if line.lstrip().startswith("*")] == []
    assert ending == []
    assert sum(line.count("–*") for line in lines) >= 24


def test_withheld_figure_and_table_are_captioned_and_listed_as_real_ones(pdf, tree):
    # Before: plain blocks, the caption a left-aligned paragraph, not in the lists.
    pages = _lines(pdf)
    lists = " ".join(pages[2] + pages[3])
    assert "Figur 1: Månader" in lists and "Tabell 1: Månadslön" in lists, lists
    captions = [e for e in _walk(tree) if e["type"] == "Caption"]
    assert len(captions) == 4  # the two withheld ones too (and the two real tables)
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            words = page.extract_words()
            top = {w["text"]: w["top"] for w in words}
            if "Månader" in top and "redovisas" in top:
                assert top["Månader"] > top["redovisas"]  # caption below, as a figure's
            if "Månadslön" in top and "–*" in top:
                assert top["Månadslön"] < top["–*"]  # caption above, as a table's


def test_a_long_head_over_short_values_leaves_the_room_to_the_names(pdf):
    # Before: "Yrkesroll och / arbetsfördelning" on two lines, to give "2019 (ingen
    # datainsamling)" over a column of "·" the room to stand on one line.
    cells = table_cells(pdf)
    names = [c.lines for c in cells if c.kind == "TD" and c.lines[0] in ROUND_THEMES]
    assert len(names) == 6 and all(len(lines) == 1 for lines in names), names
    heads = [c.lines for c in cells if c.kind == "TH" and c.lines[0].startswith("20")]
    assert len(heads) == 4
    assert ("2017", "(n = 18)") in heads and ("2020", "(n = 21)") in heads, heads


def test_a_table_that_fits_on_a_page_is_not_split(pdf):
    rows = [c for c in table_cells(pdf) if c.kind == "TD" and c.lines[0].startswith("Rad ")]
    assert len(rows) == 20
    assert len({c.page for c in rows}) == 1, sorted({c.page for c in rows})


def test_the_title_is_the_documents_first_heading(pdf, tree):
    # Before: the title page's title was a P; PDF/UA wants it tagged as a heading.
    headings = [e for e in _walk(tree) if e["type"].startswith("H")]
    assert headings[0]["type"] == "H1"
    assert headings[0]["title"] == "Utvärdering av peer support Stockholm 2020"
    assert _pages(headings[0]) == {1}
    reader = PdfReader(pdf)
    assert reader.metadata.title == "Utvärdering av peer support – Stockholm 2020"
    assert bool(reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])
    assert _bookmarks(reader.outline)[0] == (0, "1 Resultat")
    # the running header names chapters, never the title
    assert all(not page[0].endswith("Utvärdering av peer support") for page in _lines(pdf)[1:])


def test_a_withheld_figure_shows_hostile_caption_and_body_literally(tmp_path):
    # withheld.lua writes raw Typst around the blocks: data inside them stays escaped.
    hostile = '"]) #read("/etc/passwd") [<x>] \\ #panic()'
    caption = '#read("/etc/passwd") ) #panic()'  # a caption is the notebook's Markdown
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("fig-hostile", md_text(hostile), f"#| fig-cap: {json.dumps(caption)}\n")]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "survey.ipynb")
    qmd = tmp_path / "rapport.qmd"
    head = QMD.split("# Resultat")[0]
    qmd.write_text(head + "# Resultat\n\n{{< embed notebooks/survey.ipynb#fig-hostile >}}\n")
    pdf = render(qmd, ["pdf"], renderer="builtin", timestamp=0)["pdf"]
    text = " ".join(" ".join(page) for page in _lines(pdf))
    assert hostile in text and f"Figur 1: {caption}" in text and "root:" not in text
