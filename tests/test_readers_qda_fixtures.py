"""Exports made by the real tools (Taguette 1.5.2, qualitative-coding 1.7.8), read whole.

tests/fixtures/qda/README.md says how each export was made; truth.yaml holds the
hand-counted codings per theme, factor and group. Every test reads a committed
export through the same readers `peer-eval validate` uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.readers.codes import CodeScheme
from pipeline.readers.formats import read_any_codebook
from pipeline.readers.options import TableOptions
from pipeline.readers.register import read_register
from pipeline.readers.segments import read_segment_source
from pipeline.schema import REGIONS

QDA = Path(__file__).parent / "fixtures" / "qda"
TRUTH = yaml.safe_load((QDA / "truth.yaml").read_text(encoding="utf-8"))
DOCUMENTS = {
    "intervju_enhetschef_01": "STO-EC-01",
    "intervju_medarbetare_02": "STO-MA-02",
    "intervju_peer_03": "STO-PS-03",
    "intervju_brukare_04": "STO-BR-04",
}
TAGUETTE = CodeScheme(
    factors=("faktor",), exclude=(("bra citat",), ("interesting",)), factor_only="exclude"
)
QC = CodeScheme(
    themes=("teman",), factors=("faktor",), exclude=(("bra_citat",),), factor_only="exclude"
)
EXPORTS = [
    ("taguette", "taguette/codebook.csv", "taguette/highlights.csv", TAGUETTE),
    ("taguette", "taguette/codebook.qdc", "taguette/highlights.xlsx", TAGUETTE),
    ("taguette", "taguette/codebook.xlsx", "taguette/highlights.csv", TAGUETTE),
    ("qc", "qc/projekt.qdpx", "qc/projekt.qdpx", QC),
]


@pytest.fixture(scope="module")
def register():
    return read_register(QDA / "register.csv", TableOptions(), regions=REGIONS, year=2020)


def _read(codebook: str, segments: str, scheme: CodeScheme, register):
    book = read_any_codebook(QDA / codebook, scheme=scheme)
    options = TableOptions(values={"interview_id": DOCUMENTS})
    source = read_segment_source(
        QDA / segments, options, codebook=book, register=register, scheme=scheme
    )
    return book, source


@pytest.mark.parametrize(("tool", "codebook", "segments", "scheme"), EXPORTS)
def test_codings_per_theme_factor_and_group_match_the_truth(
    tool, codebook, segments, scheme, register
):
    truth = TRUTH[tool]
    _, source = _read(codebook, segments, scheme, register)
    frame, tally = source.frame, source.tally
    found: dict[str, dict[str, int]] = {}
    for theme, factor in zip(frame["theme"], frame["factor"], strict=True):
        found.setdefault(theme, {}).setdefault(factor, 0)
        found[theme][factor] += 1
    assert found == truth["segments"]
    groups = frame.merge(register, on="interview_id")["group"].value_counts().to_dict()
    assert groups == truth["groups"]
    assert (tally.read, tally.themes, tally.factors) == (
        truth["read"], truth["themes"], truth["factors"],
    )  # fmt: skip
    assert tally.excluded == truth["excluded"]
    assert tally.read == tally.themes + tally.factors + sum(tally.excluded.values())
    assert tally.segments == len(frame) == truth["themes"]


@pytest.mark.parametrize(("tool", "codebook", "segments", "scheme"), EXPORTS)
def test_codebook_from_the_tool_with_labels_beside_it(tool, codebook, segments, scheme, register):
    book, _ = _read(codebook, segments, scheme, register)
    assert set(book.ids) == {
        "implementering", "implementering.handledning", "implementering.introduktion",
        "bidrag_brukare", "bidrag_brukare.isolering", "bidrag_brukare.forstaelse",
        "organisation", "organisation.lon", "organisation.arbetsmiljo",
    }  # fmt: skip
    # Factor codes, excluded codes and the grouping parent "teman" are no themes.
    assert book.label("bidrag_brukare.isolering", "sv") == "Bryta isolering"
    assert book.label("bidrag_brukare.isolering", "en") == "Breaking isolation"
    assert book.top_level("organisation.lon") == "organisation"


def test_emoji_cjk_arabic_and_identity_number_survive_reading(register):
    _, source = _read(*EXPORTS[0][1:], register)
    text = "\n".join(source.frame["excerpt"])
    assert "💬🙂" in text
    assert "19850212 1234" in text  # pseudonymised later, when quoted
    _, qdpx = _read(*EXPORTS[-1][1:], register)
    assert "💬🙂" in "\n".join(qdpx.frame["excerpt"])


def test_taguette_csv_and_xlsx_give_the_same_table(register):
    _, csv = _read(*EXPORTS[0][1:], register)
    _, xlsx = _read(*EXPORTS[1][1:], register)
    assert csv.frame.equals(xlsx.frame)
