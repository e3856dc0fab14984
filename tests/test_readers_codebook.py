"""Tests for pipeline.readers.codebook: the theme tree from codebook.yaml."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.codebook import THEME_COLUMNS, read_codebook

VALID = """\
themes:
  - id: implementering
    label: {sv: "Implementering", en: "Implementation"}
    description: {sv: "Hur arbetet infördes", en: "How the work was introduced"}
    children:
      - id: implementering.handledning
        label: {sv: "Handledning", en: "Supervision"}
      - id: implementering.ovrigt
        label: {sv: "Övrigt", en: "Other"}
  - id: roll
    label: {sv: "Yrkesroll", en: "Professional role"}
    children:
      - id: roll.ovrigt
        label: {sv: "Övrigt", en: "Other"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _messages(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_reads_the_tree_depth_first(tmp_path):
    book = read_codebook(_write(tmp_path, VALID), display="codebook.yaml")

    assert list(book.themes.columns) == list(THEME_COLUMNS)
    assert book.ids == (
        "implementering",
        "implementering.handledning",
        "implementering.ovrigt",
        "roll",
        "roll.ovrigt",
    )
    assert book.themes["parent"].tolist() == [
        None,
        "implementering",
        "implementering",
        None,
        "roll",
    ]
    assert book.themes["level"].tolist() == [1, 2, 2, 1, 2]
    assert book.themes["order"].tolist() == [0, 1, 2, 3, 4]
    assert book.themes["description_en"].tolist()[:2] == ["How the work was introduced", ""]


def test_label_and_top_level(tmp_path):
    book = read_codebook(_write(tmp_path, VALID))

    assert book.label("implementering.handledning") == "Handledning"
    assert book.label("implementering.handledning", "en") == "Supervision"
    assert book.top_level("implementering.handledning") == "implementering"
    assert book.top_level("roll") == "roll"
    with pytest.raises(ValueError, match="language"):
        book.label("roll", "de")
    with pytest.raises(KeyError):
        book.label("saknas")


def test_resolve_matches_ids_and_labels_leniently(tmp_path):
    book = read_codebook(_write(tmp_path, VALID))

    assert book.resolve("implementering.handledning") == "implementering.handledning"
    assert book.resolve("  handledning ") == "implementering.handledning"
    assert book.resolve("SUPERVISION") == "implementering.handledning"
    assert book.resolve(unicodedata.normalize("NFD", "Yrkesroll")) == "roll"
    # "Övrigt" labels two themes, so it names neither; the ids still do.
    assert book.resolve("Övrigt") is None
    assert book.resolve("roll.ovrigt") == "roll.ovrigt"
    assert book.resolve("okänd") is None


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = _write(tmp_path, "themes:\n  - id: a\n    label: {sv: 'A', en: 'A'\n  - id: b\n")

    with pytest.raises(InputError) as excinfo:
        read_codebook(path, display="codebook.yaml")

    [message] = _messages(excinfo)
    assert message.startswith("codebook.yaml: YAML syntax error at line 4")


def test_duplicated_yaml_key_names_the_line(tmp_path):
    path = _write(tmp_path, "themes:\n  - id: a\n    id: b\n    label: {sv: A, en: A}\n")

    with pytest.raises(InputError) as excinfo:
        read_codebook(path, display="codebook.yaml")

    assert _messages(excinfo) == [
        "codebook.yaml: YAML syntax error at line 3, column 5: duplicated key 'id'"
    ]


def test_reports_every_problem_with_its_key_path(tmp_path):
    text = """\
themes:
  - id: Implementering
    label: {sv: "Implementering"}
    colour: red
  - id: roll
    label: {sv: "Roll", en: "Role", de: "Rolle"}
    children:
      - id: rolle.x
        label: {sv: "X", en: "X"}
      - id: roll.y
        label: {sv: "", en: "Y"}
  - id: roll
    label: {sv: "Roll", en: "Role"}
version: 2
"""
    with pytest.raises(InputError) as excinfo:
        read_codebook(_write(tmp_path, text), display="cb.yaml")

    messages = _messages(excinfo)
    assert "cb.yaml: key 'version': unknown key 'version'; expected one of themes" in messages
    assert any(
        m.startswith("cb.yaml: key 'themes[0].id': invalid theme id 'Implementering'")
        for m in messages
    )
    assert "cb.yaml: key 'themes[0].label.en': expected a non-empty text, found None" in messages
    assert any(m.startswith("cb.yaml: key 'themes[0].colour': unknown key") for m in messages)
    assert any(m.startswith("cb.yaml: key 'themes[1].label.de': unknown key") for m in messages)
    assert (
        "cb.yaml: key 'themes[1].children[0].id': theme id 'rolle.x' is a child of 'roll'; "
        "expected an id starting with 'roll.'"
    ) in messages
    assert (
        "cb.yaml: key 'themes[1].children[1].label.sv': expected a non-empty text, found ''"
        in messages
    )
    assert (
        "cb.yaml: key 'themes[2].id': duplicated theme id 'roll' (first at themes[1])" in messages
    )
    assert len(messages) == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "cb.yaml: expected a mapping with the key 'themes'"),
        ("themes: []\n", "cb.yaml: key 'themes': expected a non-empty list of themes"),
        (
            "themes:\n  - id: a\n    label: {sv: A, en: A}\n    children: b\n",
            "cb.yaml: key 'themes[0].children': expected a list of themes",
        ),
        (
            "themes:\n  - id: a\n    label: Text\n",
            "cb.yaml: key 'themes[0].label': expected a mapping with the texts 'sv' and 'en'",
        ),
    ],
)
def test_structural_errors(tmp_path, text, expected):
    with pytest.raises(InputError) as excinfo:
        read_codebook(_write(tmp_path, text), display="cb.yaml")

    assert _messages(excinfo) == [expected]


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_codebook(tmp_path / "nope.yaml")


def test_theme_table_is_a_dataframe_with_int_columns(tmp_path):
    book = read_codebook(_write(tmp_path, VALID))

    assert isinstance(book.themes, pd.DataFrame)
    assert book.themes["level"].dtype == "int64"
    assert book.themes["order"].dtype == "int64"
