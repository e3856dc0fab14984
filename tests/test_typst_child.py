"""PDFs compiled in a child process: the same bytes as in this process, Typst's own errors."""

from __future__ import annotations

import pytest
import typst

from pipeline.render.typst_child import TypstCompileError, compile_pdf

SOURCE = '#set document(title: "Prov")\n#set text(lang: "sv")\n= Rubrik\n\nÅtta öar. #lorem(30)\n'
OPTIONS = {"pdf_standards": ["a-2a", "ua-1"], "timestamp": 1_600_000_000, "font_paths": []}


def test_the_child_writes_the_bytes_typst_writes_here(tmp_path):
    source = tmp_path / "prov.typ"
    source.write_text(SOURCE, encoding="utf-8")
    here = typst.compile(str(source), root=str(tmp_path), ignore_system_fonts=True, **OPTIONS)
    assert compile_pdf(source, root=tmp_path, **OPTIONS) == here
    assert here.startswith(b"%PDF")


def test_a_failing_compile_raises_with_typsts_diagnostics(tmp_path):
    source = tmp_path / "trasig.typ"
    source.write_text('#set document(title: "T")\n#let x = (\n', encoding="utf-8")
    with pytest.raises(TypstCompileError) as raised:
        compile_pdf(source, root=tmp_path, **OPTIONS)
    with pytest.raises(Exception) as in_process:
        typst.compile(str(source), root=str(tmp_path), ignore_system_fonts=True, **OPTIONS)
    assert str(raised.value) == str(in_process.value).strip()
