"""The failures of issue 10, each as a test: hierarchical codes, factor subtrees, mappings.

Every test here failed on the code before the change (noted per test).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers.codebook import read_codebook
from pipeline.readers.codes import CodeScheme
from pipeline.readers.options import TableOptions
from pipeline.readers.register import read_register
from pipeline.readers.segments import read_segment_source
from pipeline.schema import REGIONS

FIXTURES = Path(__file__).parent / "fixtures" / "interviews"
NS = "urn:QDA-XML:project:1.0"


@pytest.fixture(scope="module")
def codebook():
    return read_codebook(FIXTURES / "codebook.yaml")


@pytest.fixture(scope="module")
def register():
    return read_register(FIXTURES / "register.csv", TableOptions(), regions=REGIONS, year=2020)


def _read(path, codebook, register, values=None, scheme=None):
    return read_segment_source(
        path, TableOptions(values=values or {}), codebook=codebook, register=register,
        scheme=scheme, display=path.name,
    )  # fmt: skip


def _taguette(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "highlights.csv"
    path.write_text("id,document,tag,content\n" + rows, encoding="utf-8")
    return path


def _rows(source) -> list[tuple[str, ...]]:
    return [tuple(r) for r in source.frame.itertuples(index=False)]


def test_taguette_hierarchical_theme_and_factor_tags(tmp_path, codebook, register):
    # Before: 'faktor' and 'bidrag/forstaelse' were unknown themes (ids cannot hold "/").
    path = _taguette(
        tmp_path,
        "1,STO-01.docx,bidrag/forstaelse,Förstod mig.\n"
        "1,STO-01.docx,faktor/framjande,Förstod mig.\n"
        "2,STO-01.docx,implementering/handledning,Ingen handledning.\n"
        "2,STO-01.docx,faktor/hindrande,Ingen handledning.\n",
    )
    source = _read(path, codebook, register, scheme=CodeScheme(factors=("faktor",)))
    assert _rows(source) == [
        ("STO-01", "bidrag.forstaelse", "framjande", "Förstod mig."),
        ("STO-01", "implementering.handledning", "hindrande", "Ingen handledning."),
    ]
    tally = source.tally
    assert (tally.read, tally.themes, tally.factors, tally.excluded) == (4, 2, 2, {})


def test_a_highlight_with_only_a_factor_is_not_dropped_silently(tmp_path, codebook, register):
    # Before: the factor tag marked a highlight that had no theme; the row vanished.
    path = _taguette(tmp_path, "1,STO-01,roll,Text\n2,STO-01,hindrande,Annan text\n")
    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register)
    assert [str(p) for p in excinfo.value.problems] == [
        "highlights.csv: row 3: coded only with the factor code 'hindrande' and no theme; add "
        "a theme code to it in the analysis tool, or set inputs.segments.codes: {factor_only: "
        "exclude} (or a theme id it counts under)"
    ]
    counted = _read(path, codebook, register, scheme=CodeScheme(factor_only="exclude")).tally
    assert counted.excluded == {"codes.factor_only": 1}
    assert counted.read == 2 == counted.themes + sum(counted.excluded.values())
    assigned = _read(path, codebook, register, scheme=CodeScheme(factor_only="roll"))
    assert _rows(assigned)[-1] == ("STO-01", "roll", "hindrande", "Annan text")


def _qdpx(tmp_path: Path, codebook_xml: str, selections: str, text: str) -> Path:
    path = tmp_path / "p.qdpx"
    project = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p">'
        f"<CodeBook><Codes>{codebook_xml}</Codes></CodeBook><Sources>"
        f'<TextSource guid="s1" name="intervju_brukare_03.docx" '
        f'plainTextPath="internal://s1.txt">{selections}</TextSource></Sources></Project>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
        archive.writestr("Sources/s1.txt", text)
    return path


def _selection(guid: str, text: str, part: str, *codes: str) -> str:
    start = text.index(part)
    codings = "".join(
        f'<Coding guid="{guid}{c}"><CodeRef targetGUID="{c}"/></Coding>' for c in codes
    )
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{start}" '
        f'endPosition="{start + len(part)}">{codings}</PlainTextSelection>'
    )


FACTOR_TREE = (
    '<Code guid="f" name="faktor" isCodable="false">'
    '<Code guid="fp" name="Stärkande" isCodable="true"/>'
    '<Code guid="fh" name="hindrande" isCodable="true"/></Code>'
    '<Code guid="r" name="roll" isCodable="true"/>'
    '<Code guid="b" name="Bidrag till brukare" isCodable="true">'
    '<Code guid="bf" name="Förståelse" isCodable="true"/></Code>'
)
TEXT = "Hon förstod mig. Rollen var oklar."


def test_qdpx_factor_subtree_overlap_values_factor_and_document_map(tmp_path, codebook, register):
    # Before: 'faktor' children were unknown themes, values.factor was ignored for .qdpx,
    # and documents could not be mapped to register ids from params.
    selections = (
        _selection("a", TEXT, "Hon förstod mig.", "bf")
        + _selection("b", TEXT, "förstod mig", "fp")  # overlapping, factor only
        + _selection("c", TEXT, "Rollen var oklar.", "r", "fh")
    )
    path = _qdpx(tmp_path, FACTOR_TREE, selections, TEXT)
    source = _read(
        path,
        codebook,
        register,
        values={
            "factor": {"Stärkande": "framjande"},
            "interview_id": {"intervju_brukare_03.docx": "STO-01"},
        },
        scheme=CodeScheme(factors=("faktor",)),
    )
    assert _rows(source) == [
        ("STO-01", "bidrag.forstaelse", "framjande", "Hon förstod mig."),
        ("STO-01", "roll", "hindrande", "Rollen var oklar."),
    ]
    assert (source.tally.read, source.tally.themes, source.tally.factors) == (4, 2, 2)


def test_mapping_the_factor_group_to_nothing_keeps_the_factors(tmp_path, codebook, register):
    # Before: `theme: {faktor: ""}` (what the error suggested) made every segment neutral.
    selections = _selection("c", TEXT, "Rollen var oklar.", "r", "fh")
    path = _qdpx(tmp_path, FACTOR_TREE, selections, TEXT)
    source = _read(
        path,
        codebook,
        register,
        values={"theme": {"faktor": ""}, "interview_id": {"intervju_brukare_03": "STO-01"}},
    )
    assert _rows(source) == [("STO-01", "roll", "hindrande", "Rollen var oklar.")]


def test_unmapped_document_names_the_closest_interview_and_the_mapping(
    tmp_path, codebook, register
):
    path = _taguette(tmp_path, "1,STO-1,roll,Text\n")
    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register)
    [problem] = excinfo.value.problems
    assert "(closest interview_id: 'STO-01')" in str(problem)
    assert "inputs.segments.values: {interview_id: {'STO-1': 'STO-01'}}" in str(problem)


def test_grouping_parent_of_the_themes_is_stripped(tmp_path, codebook, register):
    path = _taguette(
        tmp_path,
        "1,STO-01,Teman/Bidrag till brukare/Förståelse,A\n2,STO-01,Teman/roll,B\n3,STO-01,memo,C\n",
    )
    scheme = CodeScheme(themes=("Teman",), exclude=(("memo",),))
    source = _read(path, codebook, register, scheme=scheme)
    assert [r[1] for r in _rows(source)] == ["bidrag.forstaelse", "roll"]
    assert source.tally.excluded == {"codes.exclude": 1}
    with pytest.raises(InputError, match="outside the theme subtree 'Teman'"):
        _read(_taguette(tmp_path, "1,STO-01,Annat/roll,A\n"), codebook, register, scheme=scheme)


def test_match_by_leaf(tmp_path, codebook, register):
    path = _taguette(tmp_path, "1,STO-01,Gamla koder/Handledning,A\n")
    source = _read(path, codebook, register, scheme=CodeScheme(match="leaf"))
    assert _rows(source) == [("STO-01", "implementering.handledning", "neutral", "A")]


def test_factor_only_rule_naming_no_theme_is_reported(tmp_path, codebook, register):
    path = _taguette(tmp_path, "1,STO-01,hindrande,Text\n")
    with pytest.raises(InputError, match="codes.factor_only is 'övrigt', which is neither"):
        _read(path, codebook, register, scheme=CodeScheme(factor_only="övrigt"))


def test_qdpx_source_text_by_relative_path_and_file_name(tmp_path, codebook, register):
    # qualitative-coding 1.7.0 writes plainTextPath="<file>.txt" and no source name.
    path = tmp_path / "p.qdpx"
    text = "Rollen var oklar."
    project = (
        f'<Project xmlns="{NS}"><CodeBook><Codes><Code guid="r" name="roll"/></Codes>'
        '</CodeBook><Sources><TextSource guid="s1" plainTextPath="STO-01.txt">'
        f"{_selection('a', text, 'Rollen var oklar.', 'r')}</TextSource></Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
        archive.writestr("sources/STO-01.txt", text)
    assert _rows(_read(path, codebook, register)) == [
        ("STO-01", "roll", "neutral", "Rollen var oklar.")
    ]
