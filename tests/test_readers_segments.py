"""Tests for pipeline.readers.segments: canonical tables and Taguette highlight exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.codebook import read_codebook
from pipeline.readers.options import TableOptions
from pipeline.readers.register import read_register
from pipeline.readers.segments import factor_code, read_segments
from pipeline.schema import REGIONS, SEGMENT_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "interviews"

EXPECTED = [
    (
        "STO-01",
        "bidrag.forstaelse",
        "framjande",
        "Jag fick förståelse för återhämtning – äntligen.",
    ),
    ("STO-01", "implementering.handledning", "hindrande", "Handledningen saknades i början."),
    (
        "STO-01",
        "implementering.introduktion",
        "neutral",
        "Ingen visste vad en peer supporter skulle göra.",
    ),
    ("STO-02", "roll", "neutral", "Vi möttes på café."),
    (
        "STO-02",
        "bidrag.forstaelse",
        "framjande",
        "Det var lättare att prata när någon förstått på riktigt.",
    ),
]


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS), dtype=object).astype("str")


@pytest.fixture(scope="module")
def codebook():
    return read_codebook(FIXTURES / "codebook.yaml")


@pytest.fixture(scope="module")
def register():
    return read_register(FIXTURES / "register.csv", TableOptions(), regions=REGIONS, year=2020)


def _read(path: Path, codebook, register, options=None, **kwargs) -> pd.DataFrame:
    return read_segments(
        path, options or TableOptions(), codebook=codebook, register=register, **kwargs
    )


def _csv(tmp_path: Path, text: str, name: str = "segments.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_canonical_csv_sorted_by_interview_then_file_order(codebook, register):
    frame = _read(FIXTURES / "segments.csv", codebook, register)

    pd.testing.assert_frame_equal(frame, _frame(EXPECTED))


def test_taguette_export_gives_the_same_table(codebook, register):
    # "bra citat" marks good quotes; it is not a theme, so it is mapped to nothing.
    options = TableOptions(values={"theme": {"Bra citat": ""}})

    frame = _read(FIXTURES / "taguette_highlights.csv", codebook, register, options)

    pd.testing.assert_frame_equal(frame, _frame(EXPECTED))


def test_taguette_documents_through_source_map_and_factor_column(tmp_path, codebook, register):
    path = _csv(
        tmp_path,
        "id,document,tag,content,factor\n"
        "1,Intervju med brukare 1.docx,Supervision,Handledning varje vecka,främjande\n"
        "2,Intervju med brukare 1.docx,roll/hindrande,Ingen arbetsbeskrivning,\n",
    )

    frame = _read(path, codebook, register, source_map={"intervju med brukare 1": "sto-01"})

    pd.testing.assert_frame_equal(
        frame,
        _frame(
            [
                ("STO-01", "implementering.handledning", "framjande", "Handledning varje vecka"),
                ("STO-01", "roll", "hindrande", "Ingen arbetsbeskrivning"),
            ]
        ),
    )


def test_export_headers_mapped_through_options(tmp_path, codebook, register):
    path = _csv(tmp_path, "Intervju;Kod;Citat\nSKA-01;Roll;Jag  visste inte.  \n")
    options = TableOptions(
        columns={"Intervju": "interview_id", "Kod": "theme", "Citat": "excerpt"},
        values={"theme": {"roll": "roll"}},
    )

    frame = _read(path, codebook, register, options)

    pd.testing.assert_frame_equal(
        frame, _frame([("SKA-01", "roll", "neutral", "Jag  visste inte.")])
    )


def test_every_row_problem_and_one_line_per_unknown_code(tmp_path, codebook, register):
    path = _csv(
        tmp_path,
        "interview_id;theme;factor;excerpt\n"
        "STO-09;roll;;Text\n"  # unknown interview
        "STO-01;lön;;Text\n"  # unknown code
        "STO-01;roll;ibland;Text\n"  # unknown factor
        "STO-01;roll;;\n"  # empty excerpt
        "STO-02;Arbetsmiljö;;Text\n"  # unknown code
        "STO-02;Lön;hindrande;Text\n"  # the same unknown code
        "STO-02;;;Text\n",  # empty theme
    )

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="seg.csv")

    # One line per problem, in row order; an unknown code is one line naming its rows and
    # the mapping to add (changed on purpose: it was one line for all unknown codes).
    assert _problems(excinfo) == [
        "seg.csv: row 2: column 'interview_id': 'STO-09' is not an interview in the register; "
        "expected an interview_id of the register (closest interview_id: 'STO-02'); map the "
        "document: inputs.segments.values: {interview_id: {'STO-09': 'STO-02'}}",
        "seg.csv: row 3: column 'theme': code 'lön' (rows 3, 7): it names no theme of the "
        "codebook; add it to the codebook, or map it: inputs.segments.values: {theme: "
        "{'lön': <theme id>}} ('' excludes it)",
        "seg.csv: row 4: column 'factor': 'ibland' is not a factor; expected one of framjande, "
        "hindrande, neutral (or map it under values.factor)",
        "seg.csv: row 5: column 'excerpt': empty excerpt; expected the coded text",
        "seg.csv: row 6: column 'theme': code 'Arbetsmiljö': it names no theme of the "
        "codebook; add it to the codebook, or map it: inputs.segments.values: {theme: "
        "{'Arbetsmiljö': <theme id>}} ('' excludes it)",
        "seg.csv: row 8: column 'theme': empty theme; expected a theme id or label of the codebook",
    ]


def test_taguette_conflicting_factor_tags(tmp_path, codebook, register):
    path = _csv(
        tmp_path,
        "id,document,tag,content\n"
        "1,STO-01,roll,Text\n"
        "1,STO-01,främjande,Text\n"
        "1,STO-01,Hindering,Text\n",
    )

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="tag.csv")

    assert _problems(excinfo) == [
        "tag.csv: row 3: coded with the factors 'främjande', 'Hindering'; expected one factor "
        "per highlight or selection"
    ]


def test_taguette_unknown_document(tmp_path, codebook, register):
    path = _csv(tmp_path, "id,document,tag,content\n1,Okänd.docx,roll,Text\n")

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="tag.csv")

    assert _problems(excinfo) == [
        "tag.csv: row 2: column 'document': 'Okänd.docx' is not an interview in the register; "
        "expected an interview_id of the register; map the document: inputs.segments.values: "
        "{interview_id: {'Okänd.docx': '<interview_id>'}}"
    ]


def test_unrecognised_layout(tmp_path, codebook, register):
    path = _csv(tmp_path, "a,b\n1,2\n")

    with pytest.raises(InputError, match="unrecognised layout"):
        _read(path, codebook, register)


def test_canonical_layout_needs_its_columns(tmp_path, codebook, register):
    path = _csv(tmp_path, "interview_id,theme\nSTO-01,roll\n")

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="seg.csv")

    [message] = _problems(excinfo)
    assert message.startswith("seg.csv: row 1: no column for 'excerpt'")


def test_header_only_file_gives_an_empty_table(tmp_path, codebook, register):
    path = _csv(tmp_path, "interview_id,theme,factor,excerpt\n")

    frame = _read(path, codebook, register)

    assert frame.empty
    assert list(frame.columns) == list(SEGMENT_COLUMNS)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, "neutral"),
        ("Främjande", "framjande"),
        ("fra\u0308mjande", "framjande"),  # decomposed "ä", as macOS writes it
        (" HINDERING ", "hindrande"),
        ("neutral", "neutral"),
        ("kanske", None),
    ],
)
def test_factor_code(text, code):
    assert factor_code(text) == code


def test_factor_code_mapping():
    assert factor_code("+", {"+": "framjande"}) == "framjande"
