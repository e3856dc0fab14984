"""The Quarto backend's reader and Lua filters, run with pandoc directly (no Quarto needed).

The input is the markup Quarto hands its filters for an embedded notebook cell: a
`div.cell` carrying the executed notebook's absolute path, tags, execution count and
`quarto-private-N` metadata (written out as data-* attributes in HTML), plus narrative
text with hostile strings and citations. pandoc runs with the reader Quarto is given
(`from:`) and the filters in the order of the front matter after Quarto's own.
"""

from __future__ import annotations

import base64
import html.parser
import subprocess

import pypandoc
import pytest
import typst
from browser_support import PHONE, launch, open_page, require_chromium
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from pipeline.render import quarto

PANDOC = pypandoc.get_pandoc_path()
FILTERS = [quarto.SAFETY_FILTER, quarto.CITATIONS_FILTER, quarto.TEMPLATES / "cover.lua"]
NOTEBOOK = "/home/analyst/out/.work/2020/stockholm/notebooks/survey.ipynb"

CELL_ATTRIBUTES = [
    ("execution_count", "3"),
    ("tags", "[]"),
    ("notebook", NOTEBOOK),
    # Quarto's jupyter engine wraps other cell metadata in a JSON envelope (here papermill's).
    ("quarto-private-1", '{"key":"papermill","value":{"duration":1.25,"status":"completed"}}'),
    ("layout-align", "center"),
    ("data-quarto-private-2", "x"),
]


def _cell(attributes: list[tuple[str, str]]) -> str:
    attrs = " ".join(f"{key}='{value}'" for key, value in attributes)
    inner = '::: {.cell-output-display execution_count="3"}\nSvar: 7\n:::\n'
    return f"::: {{.cell {attrs}}}\n{inner}:::\n"


def _pandoc(markdown: str, to: str, filters=(), reader: str = quarto.QUARTO_READER, *extra) -> str:
    command = [PANDOC, "--sandbox", f"--from={reader}", f"--to={to}", *extra]
    command += [f"--lua-filter={f}" for f in filters]
    result = subprocess.run(
        command, input=markdown, capture_output=True, text=True, encoding="utf-8", check=True
    )
    return result.stdout


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _elements(markup: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(markup)
    return parser.tags


def test_cells_lose_machine_paths_and_unstable_attributes():
    out = _pandoc(_cell(CELL_ATTRIBUTES), "html", [quarto.CELLS_FILTER])
    assert NOTEBOOK not in out and ".work" not in out
    for name in ("data-notebook", "data-tags", "data-execution_count", "quarto-private"):
        assert name not in out
    divs = [attrs for tag, attrs in _elements(out) if tag == "div"]
    assert divs[0] == {"class": "cell", "data-layout-align": "center"}
    assert divs[1] == {"class": "cell-output-display"}
    # Without the filter, pandoc writes them all, as Quarto's HTML did.
    raw = _pandoc(_cell(CELL_ATTRIBUTES), "html")
    assert f'data-notebook="{NOTEBOOK}"' in raw and 'data-quarto-private-1="' in raw


def test_cell_attributes_come_out_in_one_order():
    kept = [("zeta", "1"), ("alpha", "2"), ("layout-align", "center"), ("notebook", NOTEBOOK)]
    outputs = {
        _pandoc(_cell(order), "html", [quarto.CELLS_FILTER])
        for order in (kept, kept[::-1], kept[1:] + kept[:1])
    }
    assert len(outputs) == 1
    (out,) = outputs
    assert '<div class="cell" data-alpha="2" data-layout-align="center"' in out.replace("\n", " ")


@pytest.mark.parametrize("to", ["html", "typst", "docx"])
def test_plain_citations_become_literal_text(to, tmp_path):
    markdown = "Se @tbl-response-rate. Skriv till @citation eller [@namn, s. 3].\n"
    if to == "docx":
        target = tmp_path / "out.docx"
        _pandoc(markdown, "docx", FILTERS, quarto.QUARTO_READER, f"--output={target}")
        out = subprocess.run(
            [PANDOC, "--sandbox", str(target), "--to=plain"], capture_output=True, text=True
        ).stdout
        assert "@citation" in out and "[@namn, s. 3]" in out
        return
    out = _pandoc(markdown, to, FILTERS)
    if to == "html":
        assert "@citation" in out and "[@namn, s. 3]" in out
        assert 'data-cites="citation"' not in out and 'data-cites="namn"' not in out
        # A cross-reference is left for Quarto's crossref filter (run before this one).
        assert 'data-cites="tbl-response-rate"' in out
    else:
        assert "\\@citation" in out and "#cite(<citation>" not in out
        assert "#cite(<tbl-response-rate>" in out


def test_typst_compiles_with_a_narrative_citation(tmp_path):
    """Issue 14, point 2: `@word` made Typst fail ("does not contain a bibliography")."""
    markdown = "# Slutsatser\n\nSkriv till @citation.\n"
    source = tmp_path / "doc.typ"
    source.write_text(_pandoc(markdown, "typst", [], quarto.QUARTO_READER, "--standalone"))
    with pytest.raises(Exception, match="bibliography"):
        typst.compile(str(source))
    source.write_text(_pandoc(markdown, "typst", FILTERS, quarto.QUARTO_READER, "--standalone"))
    assert typst.compile(str(source)).startswith(b"%PDF")


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[klick](javascript:alert(3))",
    "```{=html}\n<b>raw</b>\n```",
    "`<i>x</i>`{=html}",
    "$x^2$ \\(y\\)",
    '#read("/etc/passwd")',
]


def test_quarto_reader_keeps_narrative_html_inert():
    """Issue 14, point 1: Quarto read the narrative with raw HTML on."""
    out = _pandoc("\n\n".join(HOSTILE) + "\n", "html", FILTERS)
    tags = {tag for tag, _ in _elements(out)}
    assert not tags & {"script", "img", "b", "i", "math"}
    assert all(not any(k.startswith("on") for k in attrs) for _, attrs in _elements(out))
    assert not any(a.get("href", "").startswith("javascript:") for _, a in _elements(out))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=alert(2)&gt;" in out
    # The same text with Quarto's default reader would run the script.
    assert "<script>alert(1)</script>" in _pandoc(HOSTILE[0], "html", reader="markdown")


def test_cover_block_from_metadata_is_literal():
    meta = (
        "---\nreport:\n"
        "  organisation: '\\<img src=x onerror=alert(7)\\> \\#read(\"/etc/passwd\")'\n"
        "  committee: Socialnämnden\n  case_number: 'SN 2026/1 \\*\\*B\\*\\*'\n"
        "peer-eval:\n  toc: true\n  toc-title: 'Inne\"hålls\\\\förteckning'\n"
        "  case-label: Diarienummer\n---\n\n# Del\n\nText.\n"
    )
    out = _pandoc(meta, "html", FILTERS)
    assert '<div id="report-cover" class="report-cover">' in out
    assert '&lt;img src=x onerror=alert(7)&gt; #read("/etc/passwd")' in out
    assert "<p>Socialnämnden</p>" in out and "Diarienummer: SN 2026/1 **B**" in out
    assert out.index("report-cover") < out.index("<h1")
    typ = _pandoc(meta, "typst", FILTERS)
    assert '\\#read(\\"/etc/passwd\\")' in typ and "Diarienummer: SN 2026/1 \\*\\*B\\*\\*" in typ
    # Contents after the cover page; its title is a Typst string, escaped.
    assert '#outline(title: "Inne\\"hålls\\\\förteckning", depth: 2)' in typ
    assert typ.index("<report-cover>") < typ.index("#pagebreak") < typ.index("#outline")


def test_cover_page_and_contents_compile_in_typst(tmp_path):
    """The raw Typst cover.lua inserts (page breaks, the outline) is valid Typst."""
    meta = (
        "---\ntitle: Utvärdering\nreport:\n  organisation: 'Region \\#Test'\n"
        "  case_number: 'SN 1'\npeer-eval:\n  toc: true\n  toc-title: 'Innehålls\"förteckning'\n"
        "  case-label: Diarienummer\n---\n\n# Del ett\n\nText.\n\n# Del två\n\nMer.\n"
    )
    source = tmp_path / "doc.typ"
    source.write_text(_pandoc(meta, "typst", FILTERS, quarto.QUARTO_READER, "--standalone"))
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(typst.compile(str(source)))
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert "Region #Test" in pages[0] and "Diarienummer: SN 1" in pages[0]
    assert 'Innehålls"förteckning' in pages[1]  # a Typst string: the quote is escaped
    assert "Del ett" in pages[1] and "Del två" in pages[1]  # the contents, on their own page
    assert "Text." in pages[2]


@pytest.mark.browser
def test_quarto_stylesheet_keeps_a_phone_page_from_scrolling_sideways(tmp_path):
    """quarto.css (Quarto HTML has no Bootstrap with `minimal: true`) on pandoc's page."""
    header = "| " + " | ".join(f"Mycket lång kolumnrubrik {i}" for i in range(12)) + " |"
    rule = "|" + "---|" * 12
    row = "| " + " | ".join("123 456" for _ in range(12)) + " |"
    svg = (
        "data:image/svg+xml;base64,"
        + base64.b64encode(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="300"></svg>'
        ).decode()
    )
    sections = "\n\n".join(f"# Avsnitt {i}\n\nText {i}." for i in range(12))
    markdown = (
        f"---\ntitle: Rapport\n---\n\n{header}\n{rule}\n{row}\n\n"
        f"Ord{'x' * 300}\n\n![Figur 1: bred]({svg})\n\n{sections}\n"
    )
    page_file = tmp_path / "rapport.html"
    page_file.write_text(
        _pandoc(
            markdown,
            "html5",
            [quarto.SAFETY_FILTER],
            quarto.QUARTO_READER,
            "--standalone",
            "--toc",
            "--embed-resources",
            f"--css={quarto.STYLESHEET}",
            "--metadata=document-css:false",
        ),  # fmt: skip
        encoding="utf-8",
    )
    require_chromium()
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        page, log = open_page(context, page_file, PHONE)
        width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        last = page.locator("nav#TOC a").last
        last.scroll_into_view_if_needed()
        visible = last.is_visible()
        page.close()
        context.close()
    assert width[0] <= width[1] + 1, width
    assert visible and log.page_errors == []
