"""Any character in a quote renders: emoji, CJK, right-to-left scripts, combining marks.

A character no installed font has is replaced visibly and reported; the PDF still builds.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.formatting import md_text
from pipeline.render import render
from pipeline.render.builtin import FALLBACK_FONT_DIRS
from pipeline.render.glyphs import REPLACEMENT, compile_with_fallback, undisplayable

TIMESTAMP = 1_790_000_000
QUOTE = (
    "Chatt 💬🙂 👍🏽, 你好, 안녕, こんにちは, مرحبا بكم, שלום עליכם, "
    "e\u0301 och a\u030a, rad ett\nrad två"
)
HIEROGLYPH = "\U00013000"  # EGYPTIAN HIEROGLYPH A001: in no font installed here
QMD = """---
title: "Tecken"
lang: sv
date: "2026-11-25"
format:
  html: {embed-resources: true, toc: false}
  typst: {toc: false}
---

# Citat

> QUOTE
"""

needs_fonts = pytest.mark.skipif(
    not all(d.is_dir() for d in FALLBACK_FONT_DIRS),
    reason="fallback fonts missing: bash scripts/setup.sh --system",
)


def _render(tmp_path: Path, text: str) -> dict[str, Path]:
    qmd = tmp_path / "rapport.qmd"
    qmd.write_text(QMD.replace("QUOTE", md_text(text)), encoding="utf-8")
    return render(qmd, ["html", "pdf"], renderer="builtin", timestamp=TIMESTAMP)


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) missing")
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_fonts
def test_emoji_cjk_rtl_and_combining_marks_render_in_html_and_pdf(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        out = _render(tmp_path, QUOTE)
    html = out["html"].read_text(encoding="utf-8")
    text = " ".join(_pdf_text(out["pdf"]).split())
    for piece in ("💬🙂", "你好", "안녕", "こんにちは", "مرحبا", "שלום", "rad ett rad två"):
        assert piece in html
    for piece in ("💬", "🙂", "你好", "안녕", "こんにちは", "rad ett rad två"):
        assert piece in text, piece
    # Right-to-left words come out of pdftotext in logical or visual order; both are fine.
    assert "مرحبا" in text or "ابحرم" in text
    assert "שלום" in text or "םולש" in text
    assert "é" in text.replace("e\u0301", "é")
    assert REPLACEMENT not in text
    assert not [r for r in caplog.records if "no installed font" in r.getMessage()]


@needs_fonts
def test_a_character_no_font_has_is_replaced_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        out = _render(tmp_path, f"Tecknet {HIEROGLYPH} och 💬 finns.")
    text = _pdf_text(out["pdf"])
    assert REPLACEMENT in text and "💬" in text
    assert HIEROGLYPH in out["html"].read_text(encoding="utf-8")  # the browser may have it
    [warning] = [r.getMessage() for r in caplog.records if "no installed font" in r.getMessage()]
    assert "EGYPTIAN HIEROGLYPH A001 (U+13000)" in warning


def test_undisplayable_reads_typst_messages():
    message = (
        'PDF/A-2b error: the text `"💬"` could not be displayed with font '
        '`"Libertinus Serif"`\nerror: the text `"𓀀x"` could not be displayed'
    )
    assert undisplayable(message) == ["💬", "𓀀x"]


def test_other_compile_errors_are_raised(tmp_path):
    typ = tmp_path / "x.typ"
    typ.write_text("x", encoding="utf-8")

    def broken(_: Path) -> bytes:
        raise RuntimeError("unknown variable: foo")

    with pytest.raises(RuntimeError, match="unknown variable"):
        compile_with_fallback(typ, broken)


def _fonts_drawing(path: Path, char: str) -> list[str]:
    """The fonts of a PDF whose ToUnicode map gives `char` (the fonts that drew it)."""
    from pypdf import PdfReader

    code = f"{ord(char):04X}".encode()
    found = []
    for page in PdfReader(path).pages:
        for name, ref in (page["/Resources"].get("/Font") or {}).items():
            font = ref.get_object()
            cmap = font.get("/ToUnicode")
            if cmap is not None and code in cmap.get_object().get_data().upper():
                found.append(str(font.get("/BaseFont", name)))
    return found


@needs_fonts
def test_an_emoji_sequence_is_drawn_by_the_emoji_font_as_one(tmp_path):
    # Before: 👩🏽‍⚕️ fell apart in fallback and the body font (Libertinus has U+2695) drew
    # a lone small ⚕ where the health worker belonged. © stays the body font's.
    out = _render(tmp_path, "Hon är 👩🏽\u200d⚕\ufe0f hos oss ©")
    assert not [f for f in _fonts_drawing(out["pdf"], "\u2695") if "Libertinus" in f]
    assert any("Libertinus" in f for f in _fonts_drawing(out["pdf"], "©"))
    text = _pdf_text(out["pdf"])
    assert "👩🏽\u200d⚕\ufe0f" in text


def test_the_report_template_holds_nothing_that_looks_like_an_emoji():
    # One would send every report through the fallback fonts (slower, pipeline.render.builtin).
    from pipeline.render.builtin import _MAY_BE_EMOJI, TEMPLATES

    assert _MAY_BE_EMOJI.search((TEMPLATES / "report.typ").read_text(encoding="utf-8")) is None
