"""Word output (`docx`) from the built-in renderer: content, styles, safety, determinism.

The Quarto renderer's docx (Quarto's `docx` format with the same reference document)
is checked on real output in tests/test_quarto_real.py when Quarto is on PATH.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx as python_docx
import pytest
from support import make_project, run_cli
from test_browser import CASE_NUMBER, HOSTILE, LABEL, ORGANISATION, _flat, _hostile_build
from test_render_builtin import TIMESTAMP, _make_work

from pipeline.render import docx, docx_figures, render

A4 = (7560310, 10692130)  # EMU: 210 x 297 mm, as python-docx reads it back
FIELD_MARKUP = ("<w:fldSimple", "<w:instrText", "<w:fldChar", "<w:sdt>")


def _text(path: Path) -> str:
    """Every paragraph and table cell of the document, in order, one per line."""
    document = python_docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines).replace("\u00a0", " ")


def _captions(path: Path) -> list[str]:
    document = python_docx.Document(str(path))
    styles = ("Table Caption", "Image Caption")
    return [p.text for p in document.paragraphs if p.style.name in styles]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_reference_doc_is_a4_and_deterministic():
    first = docx.reference_doc()
    docx.reference_doc.cache_clear()
    assert docx.reference_doc() == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        styles = archive.read("word/styles.xml").decode("utf-8")
    assert '<w:sz w:val="22" />' in styles and "<w:tblBorders>" in styles
    section = python_docx.Document(io.BytesIO(first)).sections[0]
    assert (section.page_width, section.page_height) == A4


def test_normalise_fixes_zip_timestamps_and_keeps_content():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", (2026, 12, 1, 19, 0, 0)), "a")
        archive.writestr(zipfile.ZipInfo("word/document.xml", (2026, 12, 1, 19, 0, 2)), "b")
    out = docx.normalise(buffer.getvalue())
    assert docx.normalise(out) == out
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        names = [i.filename for i in archive.infolist()]
        assert names == ["[Content_Types].xml", "word/document.xml"]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("word/document.xml") == b"b"


@pytest.fixture(scope="module")
def small_docx(tmp_path_factory) -> Path:
    qmd = _make_work(tmp_path_factory.mktemp("docx"))
    return render(qmd, ["docx"], renderer="builtin", timestamp=TIMESTAMP)["docx"]


def test_builtin_docx_has_title_cover_captions_and_figure(small_docx):
    text = _text(small_docx)
    for expected in (
        "Utvärdering av peer support",
        "Västra Götaland <b> 2019",  # subtitle, from escaped params: literal
        "25 november 2026",
        "Stockholms stad",
        "Socialnämnden",
        "Diarienummer: SN 2020/123",
        "Rapporten gäller Västra Götaland <b>. Se Figur 1 och Tabell 1.",
        "38,8 %",
    ):
        assert expected in text, expected
    assert _captions(small_docx) == ["Figur 1: Svarsfrekvens per region", "Tabell 1: Svarsfrekvens"]
    parts = _parts(small_docx)
    # The figure as SVG, with a PNG in the main picture for Word 2013 and other readers.
    media = sorted(n for n in parts if n.startswith("word/media/"))
    assert [Path(n).suffix for n in media] == [".png", ".svg"]
    assert parts[media[0]].startswith(b"\x89PNG\r\n\x1a\n")
    document = parts["word/document.xml"]
    assert re.search(rb'<a:blip r:embed="\w+png"><a:extLst>.*<asvg:svgBlip ', document)
    assert b'descr="data:' not in document  # pandoc's copy of the data URI is gone
    for name, data in parts.items():  # every XML part still parses
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(data)
    assert b'descr="Stapeldiagram \xc3\xb6ver svarsfrekvens"' in parts["word/document.xml"]
    assert re.search(rb'<w:lang [^>]*w:val="sv-SE"', parts["word/styles.xml"])
    section = python_docx.Document(str(small_docx)).sections[0]
    assert (section.page_width, section.page_height) == A4


def test_builtin_docx_hostile_text_is_literal(small_docx):
    text = _text(small_docx)
    assert "<script>alert(1)</script> [x](javascript:alert(1))" in text
    assert '#read("/etc/passwd") ] + [#read("/etc/passwd")]' in text and "@name" in text
    parts = _parts(small_docx)
    document = parts["word/document.xml"].decode("utf-8")
    for markup in FIELD_MARKUP:  # no fields (no TOC either): nothing Word would run
        assert markup not in document, markup
    rels = b"".join(v for k, v in parts.items() if k.endswith(".rels")).decode("utf-8")
    assert "javascript:" not in rels and "file:" not in rels
    assert not any(n.endswith((".bin", ".vba", "vbaProject.bin")) for n in parts)


def test_builtin_docx_is_byte_identical_on_rerun(small_docx, tmp_path):
    again = render(_make_work(tmp_path), ["docx"], renderer="builtin", timestamp=TIMESTAMP)
    assert again["docx"].read_bytes() == small_docx.read_bytes()
    with zipfile.ZipFile(small_docx) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_english_docx_is_tagged_en_gb(tmp_path):
    out = render(_make_work(tmp_path, lang="en"), ["docx"], renderer="builtin", timestamp=0)
    parts = _parts(out["docx"])
    assert re.search(rb'<w:lang [^>]*w:val="en-GB"', parts["word/styles.xml"])
    assert "Case number: SN 2020/123" in _text(out["docx"])
    assert _captions(out["docx"])[0].startswith("Figure 1: ")


# --- the demo report, end to end -------------------------------------------------------


@pytest.mark.e2e
def test_demo_report_as_docx(tmp_path):
    params = make_project(tmp_path)
    out = tmp_path / "out"
    result = run_cli(
        "run", "--params", str(params), "--out", str(out), "--region", "Stockholm",
        "--year", "2020", "--format", "docx,html", "--no-overview", "--renderer", "builtin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = out / "2020" / "stockholm"
    assert sorted(p.name for p in folder.glob("rapport.*")) == ["rapport.docx", "rapport.html"]
    text = _text(folder / "rapport.docx")
    assert "Stockholm 2020" in text
    assert "Svarsfrekvens: 87,5 %" in text
    assert text.count("–*") >= 10  # disclosure marks in tables and the note explaining them
    assert "markeras –*" in text
    captions = _captions(folder / "rapport.docx")
    assert "Tabell 1: Svarsfrekvens per region" in captions
    assert "Figur 1: Svarsfrekvens per region" in captions
    assert len([c for c in captions if c.startswith("Tabell ")]) >= 10
    # The HTML report's captions are the same, in the same order (a withheld table keeps
    # its caption above the note, as a paragraph).
    html = (folder / "rapport.html").read_text(encoding="utf-8")
    # Captions (capitalised), not the disclosure notes that name tables ("Tabell 5: uppgifterna…").
    html_captions = re.findall(r">((?:Tabell|Figur) \d+: [A-ZÅÄÖ][^<]*)<", html)
    numbered = [line for line in text.splitlines() if re.match(r"(Tabell|Figur) \d+: ", line)]
    assert list(dict.fromkeys(html_captions)) == numbered
    assert "rapport.docx" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_hostile_text_is_literal_in_docx(tmp_path):
    result = _hostile_build(tmp_path, HOSTILE, "docx")
    assert result.returncode == 0, result.stdout + result.stderr
    path = tmp_path / "out" / "2020" / "stockholm" / "rapport.docx"
    text = _flat(_text(path))
    for quote in HOSTILE:
        assert _flat(quote) in text, quote
    for literal in (LABEL, ORGANISATION, CASE_NUMBER):
        assert literal in text, literal
    assert "root:x:0:0" not in text
    document = _parts(path)["word/document.xml"].decode("utf-8")
    for markup in FIELD_MARKUP:
        assert markup not in document, markup
    assert "javascript:" not in "".join(
        v.decode("utf-8") for k, v in _parts(path).items() if k.endswith(".rels")
    )


def test_png_fallback_leaves_pictures_with_a_raster_alone():
    document = b'<w:document><a:blip r:embed="rId5" /></w:document>'
    parts = {"word/document.xml": document, "[Content_Types].xml": b"<Types/>"}
    assert docx_figures.add_png_fallbacks(parts) == parts
