"""Publishable documents from the built-in renderer: accessible HTML and PDF/A-2a + PDF/UA-1.

One small report source with a figure whose notebook output carries data-built alt text
and its data table, a wide table of long Swedish words, the header-bar links and the
title-page fields, rendered once to HTML and PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from pdf_support import (
    figure_alt_texts,
    hyphen_breaks,
    overlapping_cells,
    printed_page_numbers,
    table_cells,
    xmp,
)
from pypdf import PdfReader

from pipeline.figures.style import figure_metadata
from pipeline.formatting import md_text
from pipeline.links import report_links
from pipeline.render import render
from pipeline.tables import markdown_table

TIMESTAMP = 1_790_000_000  # 2026-09-21: the build time differs from the report date
REPORT_DATE = dt.date(2026, 11, 25)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
    '<defs><clipPath id="clip1"><rect width="200" height="100"/></clipPath></defs>'
    '<g clip-path="url(#clip1)"><rect x="10" y="10" width="80" height="80" fill="#1f5f8b"/>'
    '<text x="100" y="50" style="font-family: \'Libertinus Serif\', serif">Stockholm</text></g>'
    "</svg>"
)
DATA_ALT = "Stapeldiagram: Stockholm 87,5 % (7 av 8), Örebro 100 % (1 av 1)."
DATA_TABLE = markdown_table(
    pd.DataFrame({"Region": ["Stockholm", "Örebro"], "Andel": ["87,5 %", "100 %"]})
)
WORDS = [
    "Implementering",
    "Jönköping",
    "Oförändrat",
    "Västra Götaland",
    "Yrkesroll och arbetsfördelning",
]
WIDE = markdown_table(
    pd.DataFrame(
        {
            "Tema": WORDS,
            "Ålder": ["42,9"] * 5,
            "2017": ["53 %"] * 5,
            "2018": ["47 %"] * 5,
            "Gruppintervjuer": ["1"] * 5,
            "Implementeringsgrad": ["Oförändrat"] * 5,
            "Utveckling": ["Ökat"] * 5,
        }
    ),
    "lrrrrll",
)
QMD = """---
title: "Utvärdering av peer support"
subtitle: "{{< meta params.region >}} {{< meta params.year >}}"
lang: sv
date: "2026-11-25"
params: {region: Stockholm, year: 2020}
report:
  organisation: "Stockholms stad"
  committee: "Socialnämnden"
  commissioner: "Socialförvaltningen"
  author: "Utvärderingsenheten"
  case_number: "SN 2020/123"
  date_text: "25 november 2026"
LINKS
format:
  html: {embed-resources: true, toc: true}
  typst: {toc: true, section-numbering: "1.1"}
---

# Inledning

Se @fig-rate och @tbl-wide.

{{< embed notebooks/survey.ipynb#fig-rate >}}

# Resultat

{{< embed notebooks/survey.ipynb#tbl-wide >}}

# Slutsatser

Slut.
"""


def _work(directory: Path, links: dict | None = None) -> Path:
    (directory / "notebooks").mkdir(parents=True)
    figure = nbformat.v4.new_code_cell(
        '#| label: fig-rate\n#| fig-cap: "Svarsfrekvens"\n#| fig-alt: "Generisk text"\nshow(f)'
    )
    figure.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/svg+xml": SVG, "text/plain": "<SVG>"},
            metadata=figure_metadata(DATA_ALT, DATA_TABLE),
        )
    ]
    table = nbformat.v4.new_code_cell('#| label: tbl-wide\n#| tbl-cap: "Teman över tid"\nx')
    table.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": WIDE})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure, table]
    nbformat.write(nb, directory / "notebooks" / "survey.ipynb")
    qmd = directory / "rapport.qmd"
    block = yaml.safe_dump({"links": links}, allow_unicode=True) if links else ""
    qmd.write_text(QMD.replace("LINKS\n", block), encoding="utf-8")
    return qmd


LINKS = report_links(
    kind="region",
    year=2020,
    slug="stockholm",
    stem="rapport",
    formats=["html", "pdf"],
    years=[2018, 2019, 2020],
    overview=True,
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    qmd = _work(tmp_path_factory.mktemp("documents"), LINKS)
    return render(qmd, ["html", "pdf"], renderer="builtin", timestamp=TIMESTAMP)


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return rendered["html"].read_text(encoding="utf-8")


# --- HTML -------------------------------------------------------------------------------


def test_figure_is_inline_svg_with_text_and_data_alt(html):
    svg = re.search(r'<svg class="figure-svg" role="img" aria-label="([^"]*)"[^>]*>', html)
    assert svg and svg.group(1) == DATA_ALT  # the data-built text beats the generic fig-alt
    assert "Generisk text" not in html
    assert "<text " in html and ">Stockholm</text>" in html  # text stays text
    # ids are made unique per figure, and references follow them
    assert 'id="f1-clip1"' in html and "url(#f1-clip1)" in html and 'id="clip1"' not in html
    assert "data:image/svg" not in html


def test_figure_data_is_a_folded_table_under_the_figure(html):
    details = re.search(r"</figure>\s*<details class=\"figure-data\">(.*?)</details>", html, re.S)
    assert details, "expected <details> right after the figure"
    body = details.group(1)
    assert "<summary>\nData i figuren\n</summary>" in body or "<summary>Data i figuren" in body
    assert "<th" in body and "87,5 %" in body and "Örebro" in body
    assert '<table id="fig-rate-data">' in body  # captioned, named, with its own id
    assert "<caption>Data i figuren: Figur 1: Svarsfrekvens</caption>" in body
    # Two short columns fit the narrowest page: nothing scrolls, so no tab stop.
    assert '<div class="table-wrap">\n<table id="fig-rate-data">' in body


def test_header_bar_links_pdf_index_overview_and_other_years(html):
    bar = re.search(r'<nav class="doc-bar" aria-label="Dokument">(.*?)</nav>', html, re.S)
    assert bar
    hrefs = re.findall(r'href="([^"]+)"', bar.group(1))
    assert hrefs == [
        "../../index.html",
        "../oversikt.html",
        "rapport.pdf",
        "../../2018/stockholm/rapport.html",
        "../../2019/stockholm/rapport.html",
        "../../2020/stockholm/rapport.html",
    ]
    assert '<a href="../../2020/stockholm/rapport.html" aria-current="page">2020</a>' in html
    assert '<a class="skip-link" href="#content">' in html


def test_unsafe_links_in_front_matter_are_dropped(tmp_path):
    links = {
        "index": "javascript:alert(1)",
        "pdf": "https://example.org/x.pdf",
        "years": [
            {"year": 2019, "href": "../../2019/x/rapport.html"},
            {"year": 2020, "href": "//x"},
        ],
    }
    out = render(_work(tmp_path, links), ["html"], renderer="builtin", timestamp=0)
    page = out["html"].read_text(encoding="utf-8")
    assert "javascript:" not in page and "example.org" not in page and 'href="//x"' not in page
    assert 'class="doc-bar-years"' not in page  # one safe year left: nothing to choose


def test_wide_tables_scroll_in_a_named_focusable_region(html):
    assert re.search(
        r'<div class="table-wrap" tabindex="0" role="region" '
        r'aria-label="Tabell 1: Teman över tid">',
        html,
    )


def test_only_a_table_that_may_scroll_is_a_tab_stop(html):
    # axe's scrollable-region-focusable asks a scrolling region to be focusable; a
    # region that never scrolls should not be a tab stop. The wide table is one, the
    # figure's two-column data table (it fits 320 px) is a plain container.
    assert html.count('tabindex="0"') == 1
    assert html.count('role="region"') == 1
    assert '<div class="table-wrap">\n<table id="fig-rate-data">' in html


def test_table_rows_are_labelled_by_a_row_header_in_the_first_column(html):
    # A cross tabulation read by a screen reader names each cell's theme and column
    # (WCAG 1.3.1): the first column's cells are <th scope="row">, the head <th scope="col">.
    table = re.search(r'<table id="tbl-wide">.*?</table>', html, re.DOTALL).group(0)
    head, body = table.split("<tbody>")
    assert re.findall(r'<th style="text-align: left;" scope="col">(.*?)</th>', head)[0] == "Tema"
    assert len(re.findall(r'<th [^>]*scope="col"', head)) == 7
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    assert len(rows) == len(WORDS)
    for word, row in zip(WORDS, rows, strict=True):
        cells = re.findall(r"<(t[dh])([^>]*)>(.*?)</t[dh]>", row, re.DOTALL)
        assert cells[0][0] == "th" and 'scope="row"' in cells[0][1], row
        assert cells[0][2] == word
        assert [tag for tag, _, _ in cells[1:]] == ["td"] * 6, row


# --- PDF --------------------------------------------------------------------------------


def test_pdf_declares_pdfa_2a_and_pdfua_1_and_is_tagged(rendered):
    packet = xmp(rendered["pdf"])
    assert "<pdfaid:part>2</pdfaid:part>" in packet
    assert "<pdfaid:conformance>A</pdfaid:conformance>" in packet
    assert "<pdfuaid:part>1</pdfuaid:part>" in packet
    root = PdfReader(rendered["pdf"]).trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "sv"


def test_pdf_metadata_and_dates(rendered):
    meta = PdfReader(rendered["pdf"]).metadata
    assert meta.title == "Utvärdering av peer support – Stockholm 2020"
    assert meta.author == "Utvärderingsenheten"
    assert meta.subject == (
        "Utvärdering av peer support – Stockholm 2020. Socialnämnden, Diarienummer SN 2020/123"
    )
    assert meta["/Keywords"] == "peer support, utvärdering, socialpsykiatri, Stockholm, 2020"
    # The document's date is the report date, not the build time.
    assert meta["/CreationDate"].startswith("D:" + REPORT_DATE.strftime("%Y%m%d"))
    assert meta["/ModDate"] == meta["/CreationDate"]
    assert "<dc:language><rdf:Bag><rdf:li>sv</rdf:li>" in xmp(rendered["pdf"])


def test_every_pdf_figure_has_the_data_alt_text(rendered):
    assert figure_alt_texts(rendered["pdf"]) == [DATA_ALT]


def test_page_labels_equal_printed_page_numbers(rendered):
    reader = PdfReader(rendered["pdf"])
    printed = printed_page_numbers(rendered["pdf"])
    assert printed[0] == ""  # the title page has no number ...
    assert printed[1:] == [str(n) for n in range(1, len(printed))]  # ... then 1, 2, 3
    assert reader.page_labels[1:] == printed[1:]
    total = len(printed) - 1
    assert f"Sida 1 av {total}" in reader.pages[1].extract_text()


def test_title_page_lists_and_running_header(rendered):
    pages = [p.extract_text() for p in PdfReader(rendered["pdf"]).pages]
    title = pages[0]
    for expected in ["Stockholms stad", "Socialnämnden", "Datum 25 november 2026",
                     "Diarienummer SN 2020/123", "Uppdragsgivare Socialförvaltningen",
                     "Författare Utvärderingsenheten"]:  # fmt: skip
        assert expected in title, expected
    text = "\n".join(pages)
    assert "Figurer" in text and "Tabeller" in text
    assert re.search(r"Figur 1: Svarsfrekvens[ .]*\d", text)  # list of figures entry
    assert re.search(r"Tabell 1: Teman över tid[ .]*\d", text)
    # The running header names the chapter: the list pages theirs, the body page the
    # first chapter that starts on it.
    assert pages[2].splitlines()[0].endswith("Figurer")
    assert pages[3].splitlines()[0].endswith("1 Inledning")


def test_table_words_are_never_hyphenated_and_cells_never_overlap(rendered):
    cells = table_cells(rendered["pdf"])
    texts = [" ".join(c.lines) for c in cells]
    assert "Implementeringsgrad" in texts and "Jönköping" in texts, texts
    assert hyphen_breaks(cells) == []
    assert overlapping_cells(cells) == []
    headers = {" ".join(c.lines) for c in cells if c.kind == "TH"}
    assert {"2017", "2018"} <= headers  # separate, not "20172018"


def test_number_columns_are_narrow_and_text_columns_wide(rendered):
    cells = [c for c in table_cells(rendered["pdf"]) if c.kind == "TD"]
    width = {(" ".join(c.lines)): c.box[2] - c.box[0] for c in cells}
    assert width["Yrkesroll och arbetsfördelning"] > 3 * width["53 %"]
    # a right-aligned number column: its values end at the same x
    ends = {round(c.box[2], 1) for c in cells if c.lines == ("53 %",)}
    assert len(ends) == 1


def test_same_source_gives_identical_documents(rendered, tmp_path):
    again = render(_work(tmp_path, LINKS), ["html", "pdf"], renderer="builtin", timestamp=TIMESTAMP)
    assert again["html"].read_bytes() == rendered["html"].read_bytes()
    assert again["pdf"].read_bytes() == rendered["pdf"].read_bytes()


def test_data_text_in_alt_reaches_typst_only_as_json(tmp_path):
    """A hostile alt text is shown literally: it is read from JSON, never parsed as Typst."""
    hostile = '#read("/etc/passwd") "] + [#panic()] \\ ' + md_text("<b>")
    qmd = _work(tmp_path)
    nb_path = tmp_path / "notebooks" / "survey.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].outputs[0]["metadata"] = figure_metadata(hostile, None)
    nbformat.write(nb, nb_path)
    out = render(qmd, ["pdf"], renderer="builtin", timestamp=0)
    assert figure_alt_texts(out["pdf"]) == [" ".join(hostile.split())]
