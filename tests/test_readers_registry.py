"""Tests for pipeline.readers.registry and the formats registered in pipeline.readers.formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers.formats import CODEBOOK_FORMATS, SEGMENT_FORMATS, labels_file
from pipeline.readers.registry import Registry


def _registry() -> Registry:
    formats = Registry("things")
    formats.register("a", lambda: "a", suffixes=(".a", ".aa"), description="A files")
    formats.register("b", lambda: "b", suffixes=(".b",), description="B files", default=True)
    return formats


def test_a_file_is_read_by_the_format_of_its_suffix_in_any_case():
    formats = _registry()
    assert formats.for_path(Path("x.AA")).name == "a"
    assert formats.for_path(Path("x.b")).read() == "b"
    assert formats.for_path(Path("x.unknown")).name == "b"  # the default
    assert [f.name for f in formats.formats()] == ["a", "b"]


def test_without_a_default_an_unclaimed_suffix_is_an_error():
    formats = Registry("things")
    formats.register("a", lambda: "a", suffixes=(".a",), description="A files")
    with pytest.raises(KeyError, match="things: no format reads .txt"):
        formats.for_path(Path("x.txt"))
    with pytest.raises(KeyError, match="no format 'z'; registered: a"):
        formats.get("z")


def test_a_name_or_suffix_cannot_be_registered_twice():
    formats = _registry()
    with pytest.raises(ValueError, match="'a' is registered already"):
        formats.register("a", lambda: "c", suffixes=(".c",), description="")
    with pytest.raises(ValueError, match=r"\.b is registered to 'b'"):
        formats.register("c", lambda: "c", suffixes=(".b",), description="")


@pytest.mark.parametrize(
    ("name", "segments", "codebook"),
    [
        ("segments.csv", "table", "taguette"),
        ("export.XLSX", "table", "taguette"),
        ("project.qdpx", "refi-qda", "refi-qda"),
        ("codebook.qdc", "table", "refi-qda-codebook"),
        ("codebook.yaml", "table", "yaml"),
        ("codebook.txt", "table", "yaml"),
    ],
)
def test_the_project_formats(name, segments, codebook):
    assert SEGMENT_FORMATS.for_path(Path(name)).name == segments
    assert CODEBOOK_FORMATS.for_path(Path(name)).name == codebook


def test_labels_beside_a_tool_codebook_but_never_for_the_yaml_one(tmp_path):
    (tmp_path / "codes.labels.yaml").write_text("{}\n", encoding="utf-8")
    assert labels_file(tmp_path / "codes.qdc", None) == tmp_path / "codes.labels.yaml"
    assert labels_file(tmp_path / "other.qdc", None) is None
    assert labels_file(tmp_path / "codes.yaml", tmp_path / "given.yaml") is None
