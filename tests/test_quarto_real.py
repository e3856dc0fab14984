"""The Quarto backend against the real Quarto CLI: each point of issue 14 on real output.

Runs only where `quarto` is on PATH (Quarto cannot be installed from the registries the
project's machines reach); elsewhere every test here skips, saying why, and the same
behaviour is covered by tests/test_render_quarto.py (what is handed to Quarto) and
tests/test_quarto_filters.py (the filters, run with pandoc).
"""

from __future__ import annotations

import html.parser
import re
import shutil
from pathlib import Path

import pytest
from browser_support import PHONE, launch, open_page, require_chromium
from playwright.sync_api import sync_playwright
from pypdf import PdfReader
from support import make_project, pdf_text, run_cli
from test_browser import CASE_NUMBER, HOSTILE, ORGANISATION, _flat, _hostile_build
from test_render_docx import _captions, _text

pytestmark = [
    pytest.mark.quarto,
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("quarto") is None,
        reason="quarto CLI not on PATH: install Quarto 1.11 to run the real-Quarto tests",
    ),
]

HTML_BUDGET = 600_000  # bytes; the built-in renderer's HTML of the same report is ~0.39 MB
A4 = (595.28, 841.89)  # points
FORMATS = "html,pdf,docx"


def _build(params: Path, out: Path) -> Path:
    result = run_cli(
        "run", "--params", str(params), "--out", str(out), "--region", "Stockholm",
        "--year", "2020", "--format", FORMATS, "--no-overview", "--renderer", "quarto",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "2020" / "stockholm"


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """Stockholm 2020 rendered by Quarto twice, into two output folders."""
    tmp = tmp_path_factory.mktemp("quarto")
    params = make_project(tmp)
    return _build(params, tmp / "out1"), _build(params, tmp / "out2")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """Stockholm 2020 with hostile text everywhere, rendered by Quarto."""
    tmp = tmp_path_factory.mktemp("quarto-hostile")
    result = _hostile_build(tmp, HOSTILE, FORMATS, renderer="quarto")
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp / "out" / "2020" / "stockholm"


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs), ""))

    def handle_data(self, data):
        if self.found and self.found[-1][0] == "script":
            tag, attrs, text = self.found[-1]
            self.found[-1] = (tag, attrs, text + data)


def _elements(path: Path) -> list[tuple[str, dict, str]]:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


def test_manifest_names_quarto(builds):
    manifest = (builds[0] / "manifest.json").read_text(encoding="utf-8")
    assert '"name": "quarto"' in manifest


def test_1_narrative_and_data_html_is_inert(hostile, tmp_path):
    elements = _elements(hostile / "rapport.html")
    assert not [t for t, _, text in elements if t == "script" and "alert" in text]
    assert not [(t, a) for t, a, _ in elements for k in a if k.startswith("on")]
    assert not [a for _, a, _ in elements if "javascript:" in (a.get("href") or "")]
    assert not [a for t, a, _ in elements if t == "img" and a.get("src") == "x"]
    require_chromium()
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        page, log = open_page(context, hostile / "rapport.html", PHONE)
        body = _flat(page.evaluate("document.body.innerText"))
        page.close()
        context.close()
    assert log.dialogs == [], log.dialogs
    for quote in HOSTILE:
        assert _flat(quote) in body, quote
    for text in (ORGANISATION, CASE_NUMBER):
        assert text in body, text


def test_2_narrative_citation_is_text_and_typst_builds(hostile):
    assert "@citation" in _flat(pdf_text(hostile / "rapport.pdf"))
    assert "@citation" in _flat(_text(hostile / "rapport.docx"))
    assert 'data-cites="citation"' not in (hostile / "rapport.html").read_text(encoding="utf-8")


def test_3_pdf_is_archival_a4_sv_se_with_long_date(builds):
    reader = PdfReader(builds[0] / "rapport.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv-SE"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert re.search(r"pdfaid:part[>=\"']+2", xmp) and re.search(
        r"pdfaid:conformance[>=\"']+B", xmp
    )
    text = _flat(pdf_text(builds[0] / "rapport.pdf"))
    assert "25 november 2026" in text and "2026-11-25" not in text


def test_4_no_machine_paths_published(builds):
    for path in (builds[0] / "rapport.html", builds[0] / "manifest.json"):
        text = path.read_text(encoding="utf-8")
        assert "data-notebook" not in text and ".work/" not in text
        assert str(builds[0].parent.parent.parent) not in text


def test_5_reruns_are_byte_identical(builds):
    first, second = builds
    for name in ("rapport.html", "rapport.pdf", "rapport.docx", "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_7_title_cover_size_and_no_format_box(builds):
    page = (builds[0] / "rapport.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
    assert "Stockholm 2020" in title
    assert "Andra format" not in page and "Other Formats" not in page
    assert len(page.encode("utf-8")) <= HTML_BUDGET
    cover = _flat(pdf_text(builds[0] / "rapport.pdf")).split("Innehållsförteckning")[0]
    for field in ("Peer support i Sverige", "Socialnämnden", "Diarienummer"):
        assert field in cover, field


def test_7_phone_layout_does_not_scroll_sideways(builds, tmp_path):
    require_chromium()
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        page, log = open_page(context, builds[0] / "rapport.html", PHONE)
        width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        link = page.locator("nav#TOC a").last
        link.scroll_into_view_if_needed()
        visible = link.is_visible()
        page.close()
        context.close()
    assert width[0] <= width[1] + 1, width
    assert visible


def test_docx_from_quarto(builds):
    text = _text(builds[0] / "rapport.docx")
    assert "Stockholm" in text and "87,5 %" in text and "–*" in text
    assert "Tabell 1" in text and "Svarsfrekvens per region" in text
    assert any(c.startswith("Tabell 1") for c in _captions(builds[0] / "rapport.docx"))
