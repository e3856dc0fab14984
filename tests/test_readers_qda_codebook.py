"""Codebooks from qualitative-analysis tools: error paths (the happy paths read real exports
in test_readers_qda_fixtures.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers.codes import CodeScheme
from pipeline.readers.formats import read_any_codebook

QDA = Path(__file__).parent / "fixtures" / "qda"
QDC = 'xmlns="urn:QDA-XML:codebook:1.0"'


def _problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_labels_for_a_theme_the_codebook_lacks(tmp_path):
    shutil.copy(QDA / "taguette" / "codebook.csv", tmp_path / "codebook.csv")
    (tmp_path / "codebook.labels.yaml").write_text(
        'implementering: {sv: "Implementering", en: "Implementation"}\n'
        'implementering.lön: {sv: "Lön", en: "Salary"}\n',
        encoding="utf-8",
    )
    scheme = CodeScheme(factors=("faktor",), exclude=(("bra citat",), ("interesting",)))
    with pytest.raises(InputError) as excinfo:
        read_any_codebook(tmp_path / "codebook.csv", scheme=scheme, display="cb.csv")
    [problem] = _problems(excinfo)
    assert problem.startswith(
        "codebook.labels.yaml: key 'implementering.lön': labels for 'implementering.lön', "
        "which is not a theme of the codebook cb.csv; expected one of"
    )


def test_labels_need_both_languages(tmp_path):
    (tmp_path / "c.qdc").write_text(
        f'<CodeBook {QDC}><Codes><Code guid="a" name="Roll"/></Codes></CodeBook>', "utf-8"
    )
    (tmp_path / "c.labels.yaml").write_text('roll: {sv: "Roll"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"key 'roll.en': expected a non-empty text"):
        read_any_codebook(tmp_path / "c.qdc")


def test_qdc_with_a_doctype_is_refused(tmp_path):
    (tmp_path / "c.qdc").write_text(
        f'<!DOCTYPE CodeBook [<!ENTITY x "y">]><CodeBook {QDC}><Codes/></CodeBook>', "utf-8"
    )
    with pytest.raises(InputError) as excinfo:
        read_any_codebook(tmp_path / "c.qdc", display="c.qdc")
    assert _problems(excinfo) == [
        "c.qdc: c.qdc declares a DOCTYPE, which REFI-QDA files do not have; refused for safety"
    ]


def test_qdc_malformed_and_wrong_root(tmp_path):
    (tmp_path / "a.qdc").write_text(f"<CodeBook {QDC}><Codes>", "utf-8")
    with pytest.raises(InputError, match=r"a.qdc is not well-formed XML: .* at line 1"):
        read_any_codebook(tmp_path / "a.qdc")
    (tmp_path / "b.qdc").write_text('<Project xmlns="urn:QDA-XML:project:1.0"/>', "utf-8")
    with pytest.raises(InputError, match="root element is 'Project'; expected CodeBook"):
        read_any_codebook(tmp_path / "b.qdc")


def test_a_codebook_of_only_factors_has_no_themes(tmp_path):
    (tmp_path / "c.qdc").write_text(
        f'<CodeBook {QDC}><Codes><Code guid="a" name="Främjande"/></Codes></CodeBook>', "utf-8"
    )
    with pytest.raises(InputError, match="no theme codes found"):
        read_any_codebook(tmp_path / "c.qdc")


def test_taguette_codebook_needs_its_columns(tmp_path):
    (tmp_path / "c.csv").write_text("name,count\nroll,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised codebook layout"):
        read_any_codebook(tmp_path / "c.csv")


def test_yaml_codebook_still_read(tmp_path):
    book = read_any_codebook(Path(__file__).parent / "fixtures" / "interviews" / "codebook.yaml")
    assert "implementering.handledning" in book.ids
