"""The demo build's PDFs are publishable: checked page by page with pdfplumber and pypdf."""

from __future__ import annotations

import pytest
from pdf_support import (
    figure_alt_texts,
    hyphen_breaks,
    overlapping_cells,
    printed_page_numbers,
    table_cells,
    xmp,
)
from pypdf import PdfReader
from support import ROOT

from pipeline.captions import caption_domain
from pipeline.i18n import languages, messages

pytestmark = pytest.mark.e2e

PDFS = {
    "stockholm": "2020/stockholm/rapport.pdf",
    "skane": "2020/skane/rapport.pdf",
    "orebro": "2020/orebro/rapport.pdf",
    "oversikt": "2020/oversikt.pdf",
}


@pytest.fixture(scope="module", params=list(PDFS))
def pdf(request, demo_build):
    _, out, _ = demo_build
    return out / PDFS[request.param]


def test_table_cells_never_break_words_with_a_hyphen_nor_overlap(pdf):
    cells = table_cells(pdf)
    assert len(cells) > 20, "expected the report's tables in the tag tree"
    broken = [(c.page, c.lines) for c in hyphen_breaks(cells)]
    assert broken == []
    overlaps = [(a.page, a.lines, b.lines) for a, b in overlapping_cells(cells)]
    assert overlaps == []


def test_page_labels_equal_the_printed_page_numbers(pdf):
    printed = printed_page_numbers(pdf)
    labels = PdfReader(pdf).page_labels
    assert printed[0] == "" and all(printed[1:]), printed
    assert labels[1:] == printed[1:]
    assert printed[1:] == [str(n) for n in range(1, len(printed))]


def test_metadata_and_standards(pdf):
    meta = PdfReader(pdf).metadata
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate"):
        assert meta.get(key), key
    assert meta["/CreationDate"].startswith("D:20261125")  # the demo's report date
    packet = xmp(pdf)
    assert "<pdfaid:part>2</pdfaid:part>" in packet
    assert "<pdfaid:conformance>A</pdfaid:conformance>" in packet
    assert "<pdfuaid:part>1</pdfuaid:part>" in packet
    assert "/StructTreeRoot" in PdfReader(pdf).trailer["/Root"]


def test_every_figure_has_alt_text_built_from_its_data(pdf):
    alts = figure_alt_texts(pdf)
    assert alts, "no figures tagged"
    assert all(len(alt) > 40 for alt in alts), alts
    # built from the data: never the generic chart descriptions of the caption catalogs
    generic = {
        " ".join(text.split())
        for notebook in (ROOT / "notebooks").rglob("*.ipynb")
        for lang in languages()
        for key, text in messages(lang, caption_domain(notebook.stem)).items()
        if key.endswith(".alt")
    }
    assert generic
    assert not set(alts) & generic, set(alts) & generic
