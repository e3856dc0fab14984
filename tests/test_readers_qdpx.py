"""Tests for pipeline.readers.qdpx, and the acceptance test across all coding exports.

Projects are built here to the REFI-QDA 1.5 project schema (namespace
urn:QDA-XML:project:1.0): a zip with project.qde and the texts under Sources/.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.codebook import read_codebook
from pipeline.readers.options import TableOptions
from pipeline.readers.register import read_register
from pipeline.readers.segments import read_qdpx, read_segments
from pipeline.schema import REGIONS, SEGMENT_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "interviews"

TEXT_1 = (
    "Intervjuare: Hur började det?\r\n"
    "Jag fick förståelse för återhämtning – äntligen. Handledningen saknades i början. "
    "Ingen visste vad en peer supporter skulle göra.\r\n"
)
TEXT_2 = "Vi möttes på café. Det var lättare att prata när någon förstått på riktigt."

# Code guids
G_FRAMJANDE = "a0000000-0000-4000-8000-000000000001"
G_FORSTAELSE = "a0000000-0000-4000-8000-000000000002"
G_IMPL = "a0000000-0000-4000-8000-000000000003"
G_HANDLEDNING = "a0000000-0000-4000-8000-000000000004"
G_HINDRANDE = "a0000000-0000-4000-8000-000000000005"
G_INTRO = "a0000000-0000-4000-8000-000000000006"
G_ROLL = "a0000000-0000-4000-8000-000000000007"
G_BIDRAG = "a0000000-0000-4000-8000-000000000008"
G_VARIABLE = "b0000000-0000-4000-8000-000000000001"
G_SOURCE_1 = "c0000000-0000-4000-8000-000000000001"
G_SOURCE_2 = "c0000000-0000-4000-8000-000000000002"
G_MEMO = "c0000000-0000-4000-8000-000000000003"

# Three conventions for factors: the factor as parent code (Främjande > Förståelse),
# as child code (Handledning > Hindrande), and as a sibling coding (Främjande coded on
# the same selection as bidrag.forstaelse).
CODEBOOK = f"""
<CodeBook><Codes>
  <Code guid="{G_FRAMJANDE}" name="Främjande" isCodable="true">
    <Code guid="{G_FORSTAELSE}" name="Förståelse" isCodable="true"/>
  </Code>
  <Code guid="{G_IMPL}" name="Implementering" isCodable="true">
    <Code guid="{G_HANDLEDNING}" name="Handledning" isCodable="true">
      <Code guid="{G_HINDRANDE}" name="Hindrande" isCodable="true"/>
    </Code>
    <Code guid="{G_INTRO}" name="Intro (kod)" isCodable="true"/>
  </Code>
  <Code guid="{G_ROLL}" name="roll" isCodable="true"/>
  <Code guid="{G_BIDRAG}" name="bidrag.forstaelse" isCodable="true"/>
</Codes></CodeBook>
"""


def _selection(guid: str, text: str, excerpt: str, *codes: str) -> str:
    """A PlainTextSelection of `excerpt` in `text`, positions counted in characters."""
    start = text.index(excerpt)
    codings = "".join(
        f'<Coding guid="{guid[:-4]}{i:04d}"><CodeRef targetGUID="{code}"/></Coding>'
        for i, code in enumerate(codes)
    )
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{start}" '
        f'endPosition="{start + len(excerpt)}">{codings}</PlainTextSelection>'
    )


def _sources() -> str:
    # Selections are written out of text order on purpose: the reader orders them.
    selections_1 = "".join(
        [
            _selection(
                "d0000000-0000-4000-8000-000000010002",
                TEXT_1,
                "Handledningen saknades i början.",
                G_HINDRANDE,
            ),
            _selection(
                "d0000000-0000-4000-8000-000000010001",
                TEXT_1,
                "Jag fick förståelse för återhämtning – äntligen.",
                G_FORSTAELSE,
            ),
            _selection(
                "d0000000-0000-4000-8000-000000010003",
                TEXT_1,
                " Ingen visste vad en peer supporter skulle göra.",
                G_INTRO,
            ),
        ]
    )
    selections_2 = "".join(
        [
            _selection(
                "d0000000-0000-4000-8000-000000020001", TEXT_2, "Vi möttes på café.", G_ROLL
            ),
            _selection(
                "d0000000-0000-4000-8000-000000020002",
                TEXT_2,
                "Det var lättare att prata när någon förstått på riktigt.",
                G_BIDRAG,
                G_FRAMJANDE,
            ),
        ]
    )
    return f"""
<Sources>
  <TextSource guid="{G_SOURCE_1}" name="STO-01.docx" plainTextPath="internal://{G_SOURCE_1}.txt">
    {selections_1}
  </TextSource>
  <TextSource guid="{G_SOURCE_2}" name="Gruppintervju peer">
    <PlainTextContent>{escape(TEXT_2)}</PlainTextContent>
    {selections_2}
  </TextSource>
  <TextSource guid="{G_MEMO}" name="Memo" plainTextPath="internal://saknas.txt"/>
</Sources>
"""


CASES = f"""
<Variables>
  <Variable guid="{G_VARIABLE}" name="Interview_ID" typeOfVariable="Text"/>
</Variables>
<Cases>
  <Case guid="e0000000-0000-4000-8000-000000000001" name="Peer supportrar">
    <VariableValue><VariableRef targetGUID="{G_VARIABLE}"/><TextValue>STO-02</TextValue>
    </VariableValue>
    <SourceRef targetGUID="{G_SOURCE_2}"/>
  </Case>
</Cases>
"""


def _project(codebook: str = CODEBOOK, cases: str = CASES, sources: str | None = None) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Utvärdering 2020" origin="test">'
        f"{codebook}{cases}{_sources() if sources is None else sources}</Project>"
    )


def _build(path: Path, project: str | bytes | None, files: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        if project is not None:
            data = project.encode("utf-8") if isinstance(project, str) else project
            archive.writestr("project.qde", data)
        for name, text in (files or {}).items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def _default_files() -> dict[str, str]:
    return {f"Sources/{G_SOURCE_1}.txt": TEXT_1}


@pytest.fixture(scope="module")
def codebook():
    return read_codebook(FIXTURES / "codebook.yaml")


@pytest.fixture(scope="module")
def register():
    return read_register(FIXTURES / "register.csv", TableOptions(), regions=REGIONS, year=2020)


def _read(path: Path, codebook, register, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("code_map", {"intro (kod)": "implementering.introduktion"})
    return read_qdpx(path, codebook=codebook, register=register, **kwargs)


def _problems(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_same_codings_from_csv_taguette_and_qdpx_give_identical_tables(
    tmp_path, codebook, register
):
    qdpx = _build(tmp_path / "projekt.qdpx", _project(), _default_files())
    theme_map = {"Intro (kod)": "implementering.introduktion", "bra citat": ""}
    options = TableOptions(values={"theme": theme_map})

    from_csv = read_segments(
        FIXTURES / "segments.csv", options, codebook=codebook, register=register
    )
    from_taguette = read_segments(
        FIXTURES / "taguette_highlights.csv", options, codebook=codebook, register=register
    )
    from_qdpx = read_segments(qdpx, options, codebook=codebook, register=register)

    assert len(from_csv) == 5
    pd.testing.assert_frame_equal(from_taguette, from_csv)
    pd.testing.assert_frame_equal(from_qdpx, from_csv)


def test_positions_count_characters_not_bytes(tmp_path, codebook, register):
    frame = _read(_build(tmp_path / "p.qdpx", _project(), _default_files()), codebook, register)

    excerpt = frame.loc[frame["theme"] == "implementering.handledning", "excerpt"].item()
    assert excerpt == "Handledningen saknades i början."
    start = TEXT_1.index(excerpt)
    # Byte offsets would select something else here: the text before holds å, ä, ö and –.
    assert TEXT_1.encode()[start : start + len(excerpt.encode())].decode(errors="replace") != (
        excerpt
    )


def test_lower_case_sources_folder_and_braced_guids(tmp_path, codebook, register):
    project = _project().replace(f'targetGUID="{G_ROLL}"', f'targetGUID="{{{G_ROLL.upper()}}}"')
    path = _build(tmp_path / "p.qdpx", project, {f"sources/{G_SOURCE_1}.txt": TEXT_1})

    frame = _read(path, codebook, register)

    assert ("STO-02", "roll") in set(zip(frame["interview_id"], frame["theme"], strict=True))
    assert len(frame) == 5


def test_source_variable_names_the_interview(tmp_path, codebook, register):
    text = "Jag ringde varje vecka."
    sources = f"""<Sources><TextSource guid="{G_SOURCE_2}" name="Samtal 7">
      <PlainTextContent>{text}</PlainTextContent>
      <VariableValue><VariableRef targetGUID="{G_VARIABLE}"/><TextValue>ska-01</TextValue>
      </VariableValue>
      {_selection("d0000000-0000-4000-8000-000000030001", text, text, G_ROLL)}
    </TextSource></Sources>"""
    path = _build(tmp_path / "p.qdpx", _project(cases=CASES.split("<Cases>")[0], sources=sources))

    frame = _read(path, codebook, register)

    assert frame.to_dict("records") == [
        {"interview_id": "SKA-01", "theme": "roll", "factor": "neutral", "excerpt": text}
    ]


def test_broken_zip(tmp_path, codebook, register):
    path = tmp_path / "p.qdpx"
    path.write_bytes(b"not a zip at all")

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="p.qdpx")

    [message] = _problems(excinfo)
    assert message.startswith("p.qdpx: is not a .qdpx (zip) archive")


def test_missing_project_file(tmp_path, codebook, register):
    path = _build(tmp_path / "p.qdpx", None, _default_files())

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="p.qdpx")

    assert _problems(excinfo) == ["p.qdpx: has no project.qde; expected a REFI-QDA project archive"]


def test_malformed_xml_names_the_line(tmp_path, codebook, register):
    path = _build(tmp_path / "p.qdpx", _project().replace("</Codes>", "</Kodes>", 1))

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="p.qdpx")

    [message] = _problems(excinfo)
    assert message.startswith("p.qdpx: project.qde is not well-formed XML: mismatched tag at line")


def test_doctype_is_refused(tmp_path, codebook, register):
    project = _project().replace(
        "<Project ", '<!DOCTYPE Project [<!ENTITY x "xxxxxxxx">]>\n<Project ', 1
    )
    path = _build(tmp_path / "p.qdpx", project, _default_files())

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="p.qdpx")

    assert _problems(excinfo) == [
        "p.qdpx: project.qde declares a DOCTYPE, which REFI-QDA files do not have; "
        "refused for safety"
    ]


def test_wrong_root_element(tmp_path, codebook, register):
    path = _build(tmp_path / "p.qdpx", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>')

    with pytest.raises(InputError, match="root element 'CodeBook'; expected Project"):
        _read(path, codebook, register)


def test_selection_outside_text_unknown_code_and_missing_text_all_reported(
    tmp_path, codebook, register
):
    unknown = "f0000000-0000-4000-8000-000000000099"
    project = (
        _project()
        .replace('startPosition="0" endPosition="18"', 'startPosition="70" endPosition="90"')
        .replace(f'<CodeRef targetGUID="{G_INTRO}"/>', f'<CodeRef targetGUID="{unknown}"/>')
    )
    path = _build(tmp_path / "p.qdpx", project, {})  # the text of STO-01 is missing

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="p.qdpx")

    assert _problems(excinfo) == [
        f"p.qdpx: TextSource 'STO-01.docx' (guid {G_SOURCE_1}): source text missing: "
        f"Sources/{G_SOURCE_1}.txt is not in the archive",
        f"p.qdpx: TextSource 'Gruppintervju peer' (guid {G_SOURCE_2}): PlainTextSelection "
        "d0000000-0000-4000-8000-000000020001: positions 70..90 are outside the text of 75 "
        "characters; expected 0 <= start < end <= 75",
    ]
    path = _build(tmp_path / "q.qdpx", project, _default_files())
    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="q.qdpx")
    assert (
        f"q.qdpx: TextSource 'STO-01.docx' (guid {G_SOURCE_1}) PlainTextSelection "
        f"d0000000-0000-4000-8000-000000010003: CodeRef to unknown code {unknown}; expected "
        "the guid of a Code in the CodeBook"
    ) in _problems(excinfo)


def test_unknown_source_and_codes_missing_from_the_codebook(tmp_path, codebook, register):
    project = _project().replace('name="STO-01.docx"', 'name="Intervju 9.docx"')

    with pytest.raises(InputError) as excinfo:
        _read(
            _build(tmp_path / "p.qdpx", project, _default_files()),
            codebook,
            register,
            code_map={},
            display="p.qdpx",
        )

    # Changed on purpose: the message names the mapping to add, and the unmapped code
    # of the same project is reported too.
    hint = "(closest theme: 'implementering.introduktion') ('' excludes it)"
    unmapped = (
        "PlainTextSelection d0000000-0000-4000-8000-000000010003: code 'Implementering/Intro "
        "(kod)': it names no theme of the codebook; add it to the codebook, or map it: "
        f"inputs.segments.values: {{theme: {{'Implementering/Intro (kod)': <theme id>}}}} {hint}"
    )
    assert _problems(excinfo) == [
        f"p.qdpx: TextSource 'Intervju 9.docx' (guid {G_SOURCE_1}): 'Intervju 9.docx' is not an "
        "interview in the register; expected an interview_id of the register; map the "
        "document: inputs.segments.values: {interview_id: {'Intervju 9.docx': '<interview_id>'}}",
        f"p.qdpx: TextSource 'Intervju 9.docx' (guid {G_SOURCE_1}) {unmapped}",
    ]
    with pytest.raises(InputError) as excinfo:
        _read(
            _build(tmp_path / "q.qdpx", _project(), _default_files()),
            codebook,
            register,
            code_map={},
            display="q.qdpx",
        )
    assert _problems(excinfo) == [
        f"q.qdpx: TextSource 'STO-01.docx' (guid {G_SOURCE_1}) {unmapped}",
    ]


def test_conflicting_and_lone_factor_codings(tmp_path, codebook, register):
    text = "Bra och dåligt."
    sources = f"""<Sources><TextSource guid="{G_SOURCE_2}" name="STO-02">
      <PlainTextContent>{text}</PlainTextContent>
      {
        _selection(
            "d0000000-0000-4000-8000-000000040001", text, "Bra", G_ROLL, G_FRAMJANDE, G_HINDRANDE
        )
    }
      {_selection("d0000000-0000-4000-8000-000000040002", text, "dåligt", G_FRAMJANDE)}
    </TextSource></Sources>"""
    # Hindrande under Handledning is that theme's factor; a second top-level factor is
    # needed for a conflict, so add one.
    book = CODEBOOK.replace(
        "</Codes>",
        '<Code guid="a0000000-0000-4000-8000-000000000009" name="hindrande" '
        'isCodable="true"/></Codes>',
    )
    sources = sources.replace(G_HINDRANDE, "a0000000-0000-4000-8000-000000000009")
    path = _build(tmp_path / "p.qdpx", _project(codebook=book, sources=sources))

    with pytest.raises(InputError) as excinfo:
        _read(path, codebook, register, display="p.qdpx")

    where = f"p.qdpx: TextSource 'STO-02' (guid {G_SOURCE_2}) PlainTextSelection"
    assert _problems(excinfo) == [
        f"{where} d0000000-0000-4000-8000-000000040001: coded with the factors 'Främjande', "
        "'hindrande'; expected one factor per highlight or selection",
        f"{where} d0000000-0000-4000-8000-000000040002: coded only with the factor code "
        "'Främjande' and no theme; add a theme code to it in the analysis tool, or set "
        "inputs.segments.codes: {factor_only: exclude} (or a theme id it counts under)",
    ]


def test_codings_of_pdf_sources_are_reported(tmp_path, codebook, register):
    sources = f"""<Sources><PDFSource guid="{G_MEMO}" name="STO-01.pdf" path="internal://x.pdf">
      <PDFSelection guid="d0000000-0000-4000-8000-000000050001" page="1" firstX="0" firstY="0"
        secondX="10" secondY="10"><Coding guid="d0000000-0000-4000-8000-000000050002">
        <CodeRef targetGUID="{G_ROLL}"/></Coding></PDFSelection>
    </PDFSource></Sources>"""

    with pytest.raises(InputError) as excinfo:
        _read(
            _build(tmp_path / "p.qdpx", _project(sources=sources)),
            codebook,
            register,
            display="p.qdpx",
        )

    assert _problems(excinfo) == [
        f"p.qdpx: PDFSource 'STO-01.pdf' (guid {G_MEMO}): PDFSelection "
        "d0000000-0000-4000-8000-000000050001 (page 1, 0,0 to 10,10) has codings on a region "
        "of a PDF page, which are not read; expected codings on the PDF's text Representation "
        "(code the PDF's text, not a region, in the tool; or import the transcript as text)"
    ]


def test_project_without_codings_gives_an_empty_table(tmp_path, codebook, register):
    frame = _read(_build(tmp_path / "p.qdpx", _project(sources="")), codebook, register)

    assert frame.empty
    assert list(frame.columns) == list(SEGMENT_COLUMNS)


def test_missing_file(tmp_path, codebook, register):
    with pytest.raises(InputError, match="file not found"):
        _read(tmp_path / "nope.qdpx", codebook, register)


def test_source_map_through_read_segments(tmp_path, codebook, register):
    project = _project().replace('name="STO-01.docx"', 'name="Intervju 9.docx"')
    path = _build(tmp_path / "p.qdpx", project, _default_files())
    options = TableOptions(values={"theme": {"Intro (kod)": "implementering.introduktion"}})

    frame = read_segments(
        path, options, codebook=codebook, register=register, source_map={"intervju 9": "STO-01"}
    )

    assert frame["interview_id"].tolist() == ["STO-01"] * 3 + ["STO-02"] * 2
