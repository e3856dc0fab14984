"""REFI-QDA and Taguette codings that used to be lost or miscounted silently.

Each test builds the smallest export that showed the defect (see the comment "Before:")
and asserts where every coding went: a segment, a factor, or a counted exclusion.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers.codes import CodeScheme
from pipeline.readers.formats import read_any_codebook
from pipeline.readers.options import TableOptions
from pipeline.readers.register import read_register
from pipeline.readers.safety import MB, Limits, use_limits
from pipeline.readers.segments import read_segment_source
from pipeline.schema import REGIONS

FIXTURES = Path(__file__).parent / "fixtures" / "interviews"
NS = "urn:QDA-XML:project:1.0"
QDC = 'xmlns="urn:QDA-XML:codebook:1.0"'

CODES = (
    '<Code guid="B" name="Bidrag"><Code guid="B1" name="Isolering"/></Code>'
    '<Code guid="I" name="Implementering"><Code guid="I1" name="Lön"/></Code>'
    '<Code guid="F" name="faktor"><Code guid="F1" name="Främjande"/>'
    '<Code guid="F2" name="Hindrande"/></Code>'
)
LONELY = "Jag kände mig mindre ensam."
SALARY = "Lönen är för låg."
TEXT = f"Svar: {LONELY} Ja. {SALARY} Slut."


@pytest.fixture(scope="module")
def register():
    return read_register(FIXTURES / "register.csv", TableOptions(), regions=REGIONS, year=2020)


def _selection(guid: str | None, part: str, *codes: str, text: str = TEXT) -> str:
    start = text.index(part)
    codings = "".join(
        f'<Coding guid="c{i}"><CodeRef targetGUID="{c}"/></Coding>' for i, c in enumerate(codes)
    )
    key = f' guid="{guid}"' if guid is not None else ""
    return (
        f'<PlainTextSelection{key} startPosition="{start}" '
        f'endPosition="{start + len(part)}">{codings}</PlainTextSelection>'
    )


def _source(guid: str, body: str, *, name: str = "STO-01", text: str = TEXT) -> str:
    return (
        f'<TextSource guid="{guid}" name="{name}"><PlainTextContent>{text}</PlainTextContent>'
        f"{body}</TextSource>"
    )


def _qdpx(tmp_path: Path, sources: str, *, codes: str = CODES, extra: str = "") -> Path:
    path = tmp_path / "p.qdpx"
    project = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>{extra}<Sources>{sources}</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
    return path


def _read(path: Path, register, scheme: CodeScheme | None = None, codebook: Path | None = None):
    scheme = scheme or CodeScheme()
    book = read_any_codebook(codebook or path, scheme=scheme, display="cb")
    return read_segment_source(
        path, TableOptions(), codebook=book, register=register, scheme=scheme, display=path.name
    )


def _rows(source) -> list[tuple[str, ...]]:
    return [tuple(r) for r in source.frame.itertuples(index=False)]


def _problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_a_top_level_code_of_only_factors_is_the_factor_group(tmp_path, register):
    # Before: 'Faktorer' became a theme and the coding 'Faktorer > Främjande' a segment of
    # it: 2 themes + 0 factors, the factor of the Isolering segment lost.
    codes = CODES.replace('name="faktor"', 'name="Faktorer"')
    path = _qdpx(tmp_path, _source("S1", _selection("P1", LONELY, "B1", "F1")), codes=codes)
    book = read_any_codebook(path, scheme=CodeScheme(), display="cb")
    assert "faktorer" not in book.ids
    source = _read(path, register)
    assert _rows(source) == [("STO-01", "bidrag.isolering", "framjande", LONELY)]
    assert (source.tally.themes, source.tally.factors) == (1, 1)


def test_a_top_level_theme_coded_by_factor_stays_a_theme(tmp_path, register):
    # The same shape as a factor group, but its name is a theme's: Handledning > Hindrande
    # is the theme Handledning with the factor hindrande.
    codes = CODES + (
        '<Code guid="H" name="Handledning"><Code guid="H1" name="Främjande"/>'
        '<Code guid="H2" name="Hindrande"/></Code>'
    )
    path = _qdpx(tmp_path, _source("S1", _selection("P1", SALARY, "H2")), codes=codes)
    source = _read(path, register)
    assert _rows(source) == [("STO-01", "handledning", "hindrande", SALARY)]


def test_a_theme_with_factor_children_below_the_top_stays_a_theme(tmp_path, register):
    codes = CODES + (
        '<Code guid="R" name="Roll"><Code guid="R1" name="Handledning">'
        '<Code guid="R2" name="Hindrande"/></Code></Code>'
    )
    path = _qdpx(tmp_path, _source("S1", _selection("P1", SALARY, "R2")), codes=codes)
    source = _read(path, register)
    assert _rows(source) == [("STO-01", "roll.handledning", "hindrande", SALARY)]


TAGUETTE_CODEBOOK = (
    "tag,parent,description,number of highlights\n"
    "implementering,,Införande,0\n"
    "ovrigt,implementering,Övrigt om införandet,1\n"
    "bidrag,,Bidrag till brukare,0\n"
    "bidrag/ovrigt,bidrag,Övrigt om bidrag,1\n"
)


def test_taguette_nested_tags_keep_same_named_children_apart(tmp_path, register):
    # Before: the parent column was ignored, both 'ovrigt' tags became one theme 'ovrigt'.
    (tmp_path / "codebook.csv").write_text(TAGUETTE_CODEBOOK, encoding="utf-8")
    book = read_any_codebook(tmp_path / "codebook.csv", scheme=CodeScheme(), display="cb")
    assert list(book.ids) == ["implementering", "implementering.ovrigt", "bidrag", "bidrag.ovrigt"]
    highlights = tmp_path / "highlights.csv"
    highlights.write_text(
        "id,document,tag,tag_parent,content\n"
        "1,STO-01,ovrigt,implementering,Det tog tid.\n"
        "2,STO-01,bidrag/ovrigt,bidrag,Jag fick en vän.\n",
        encoding="utf-8",
    )
    source = _read(highlights, register, codebook=tmp_path / "codebook.csv")
    assert [r[1] for r in _rows(source)] == ["implementering.ovrigt", "bidrag.ovrigt"]


def test_taguette_parent_that_is_no_tag_is_refused(tmp_path):
    (tmp_path / "codebook.csv").write_text(
        "tag,parent\nbidrag,\nisolering,bidrag till brukare\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as excinfo:
        read_any_codebook(tmp_path / "codebook.csv", scheme=CodeScheme(), display="cb.csv")
    assert _problems(excinfo) == [
        "cb.csv: row 3: column 'parent': parent 'bidrag till brukare' of tag 'isolering' is no "
        "tag of the codebook; expected the tag (or full path) of exactly one row"
    ]


def test_selections_without_guid_are_units_of_their_own(tmp_path, register):
    # Before: every selection without guid was the unit "None": Hindrande leaked to Isolering.
    body = _selection(None, SALARY, "I1", "F2") + _selection(None, LONELY, "B1")
    source = _read(_qdpx(tmp_path, _source("S1", body)), register)
    assert sorted(_rows(source)) == [
        ("STO-01", "bidrag.isolering", "neutral", LONELY),
        ("STO-01", "implementering.lon", "hindrande", SALARY),
    ]


def test_a_selection_guid_reused_in_one_source_makes_no_shared_unit(tmp_path, register):
    body = _selection("P1", SALARY, "I1", "F2") + _selection("P1", LONELY, "B1")
    source = _read(_qdpx(tmp_path, _source("S1", body)), register)
    assert ("STO-01", "bidrag.isolering", "neutral", LONELY) in _rows(source)


def test_a_factor_only_selection_overlaps_only_in_its_own_source_text(tmp_path, register):
    # Before: overlap was judged by interview, so a factor in part 2 of an interview
    # marked a theme at the same positions in part 1.
    part_1, part_2 = f"Svar: {LONELY} Slut.", f"Svar: {SALARY} Slut."
    sources = _source(
        "S1", _selection("P1", LONELY, "B1", text=part_1), name="STO-01 del 1", text=part_1
    ) + _source(
        "S2",
        _selection("P2", SALARY, "I1", text=part_2) + _selection("P3", SALARY, "F2", text=part_2),
        name="STO-01 del 2",
        text=part_2,
    )
    extra = (
        '<Variables><Variable guid="V" name="interview_id" typeOfVariable="Text"/></Variables>'
        '<Cases><Case guid="C"><VariableValue><VariableRef targetGUID="V"/><TextValue>STO-01'
        '</TextValue></VariableValue><SourceRef targetGUID="S1"/><SourceRef targetGUID="S2"/>'
        "</Case></Cases>"
    )
    source = _read(_qdpx(tmp_path, sources, extra=extra), register)
    assert sorted(_rows(source)) == [
        ("STO-01", "bidrag.isolering", "neutral", LONELY),
        ("STO-01", "implementering.lon", "hindrande", SALARY),
    ]


def test_the_same_coding_by_two_coders_counts_once(tmp_path, register):
    # Before: two Codings of one selection, or two selections of one range, each with
    # the same code: 4 segments from 2 excerpts.
    body = (
        _selection("P1", SALARY, "I1", "I1")
        + _selection("P2", LONELY, "B1", "F1")
        + _selection("P3", LONELY, "B1", "F1")
    )
    source = _read(_qdpx(tmp_path, _source("S1", body)), register)
    assert sorted(_rows(source)) == [
        ("STO-01", "bidrag.isolering", "framjande", LONELY),
        ("STO-01", "implementering.lon", "neutral", SALARY),
    ]
    tally = source.tally
    assert (tally.read, tally.themes, tally.factors, tally.duplicates) == (6, 2, 2, 2)
    assert tally.balanced
    assert "+ 2 duplicate codings of the same excerpt (several coders or a repeated row) " in (
        tally.line()
    )


def test_the_same_sentence_at_two_places_is_two_excerpts(tmp_path, register):
    text = f"{LONELY} Ja. {LONELY}"
    second = f'<PlainTextSelection guid="P2" startPosition="{len(text) - len(LONELY)}" '
    second += f'endPosition="{len(text)}"><Coding guid="x"><CodeRef targetGUID="B1"/></Coding>'
    body = _selection("P1", LONELY, "B1", text=text) + second + "</PlainTextSelection>"
    source = _read(_qdpx(tmp_path, _source("S1", body, text=text)), register)
    assert len(source.frame) == 2 and source.tally.duplicates == 0


def test_coders_who_disagree_on_the_factor_are_reported(tmp_path, register):
    body = _selection("P2", LONELY, "B1", "F1") + _selection("P3", LONELY, "B1", "F2")
    with pytest.raises(InputError) as excinfo:
        _read(_qdpx(tmp_path, _source("S1", body)), register)
    assert _problems(excinfo) == [
        "p.qdpx: TextSource 'STO-01' (guid S1) PlainTextSelection P3: the excerpt is coded "
        "'bidrag.isolering' also at TextSource 'STO-01' (guid S1) PlainTextSelection P2, with "
        "the factor 'framjande' there and 'hindrande' here; expected one factor for one "
        "excerpt and theme (the coders disagree)"
    ]


@pytest.mark.parametrize(
    "table",
    [
        "interview_id,theme,factor,excerpt\nSTO-01,roll,hindrande,Oklart.\n"
        "STO-01,roll,hindrande,Oklart.\n",
        "id,document,tag,content\n7,STO-01,roll,Oklart.\n7,STO-01,roll,Oklart.\n",
    ],
)
def test_a_repeated_table_row_counts_once(tmp_path, register, table):
    path = tmp_path / "segments.csv"
    path.write_text(table, encoding="utf-8")
    book = read_any_codebook(FIXTURES / "codebook.yaml", display="cb")
    source = read_segment_source(path, TableOptions(), codebook=book, register=register)
    assert len(source.frame) == 1
    assert (source.tally.read, source.tally.themes, source.tally.duplicates) == (2, 1, 1)


def test_whole_source_codings_and_coded_notes_are_counted_as_excluded(tmp_path, register):
    # Before: both were skipped and missing from the tally.
    body = '<Coding guid="w"><CodeRef targetGUID="B1"/></Coding>' + _selection("P1", SALARY, "I1")
    notes = (
        f'<Notes><Note guid="N1" name="Memo"><PlainTextContent>{TEXT}</PlainTextContent>'
        f"{_selection('P9', LONELY, 'B1')}</Note></Notes>"
    )
    tally = _read(_qdpx(tmp_path, _source("S1", body), extra=notes), register).tally
    assert tally.excluded == {"whole-source coding": 1, "coded note": 1}
    assert tally.balanced and tally.read == 3
    assert "+ 2 excluded (1 coded note, 1 whole-source coding)" in tally.line()


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        (
            f'<qda:Project xmlns:qda="{NS}"><CodeBook><Codes>{CODES}</Codes></CodeBook>'
            f"<Sources>{_source('S1', _selection('P1', SALARY, 'I1'))}</Sources></qda:Project>",
            "CodeBook (in no namespace), Codes (in no namespace), Code (in no namespace), "
            "Sources (in no namespace) ...",
        ),
        (
            f'<Project xmlns="{NS}" xmlns:v="urn:vendor"><CodeBook><Codes>{CODES}</Codes>'
            "</CodeBook><Sources>"
            + _source(
                "S1", _selection("P1", SALARY, "I1").replace("PlainTextSel", "v:PlainTextSel")
            )
            + "</Sources></Project>",
            "PlainTextSelection (in urn:vendor)",
        ),
    ],
)
def test_refi_elements_outside_the_namespace_are_refused(tmp_path, register, project, expected):
    # Before: they were skipped, and validate reported 0 codings as OK.
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
    book = read_any_codebook(FIXTURES / "codebook.yaml", display="cb")
    with pytest.raises(InputError) as excinfo:
        read_segment_source(path, TableOptions(), codebook=book, register=register, display="p")
    assert _problems(excinfo) == [
        f"p: project.qde has REFI-QDA elements outside the namespace {NS}, which are not read: "
        f"{expected}; expected every element in that namespace (a prefixed root needs "
        "prefixed children: re-export the project)"
    ]


def test_an_unknown_source_kind_with_codings_is_refused(tmp_path, register):
    source = _source("S1", _selection("P1", SALARY, "I1")).replace("TextSource", "HtmlSource")
    with pytest.raises(InputError) as excinfo:
        _read(_qdpx(tmp_path, source), register)
    assert _problems(excinfo) == [
        "p.qdpx: Sources holds a HtmlSource 'STO-01' (guid S1) with codings, which is no "
        "REFI-QDA source kind and is not read; expected TextSource, PDFSource, PictureSource, "
        "AudioSource, VideoSource"
    ]


def test_codes_nested_beyond_the_depth_cap_are_one_problem(tmp_path):
    # Before: 990 levels of <Code> exhausted the recursion: a traceback, not a message.
    deep = "".join(f'<Code guid="g{i}" name="k{i}">' for i in range(990)) + "</Code>" * 990
    path = tmp_path / "deep.qdc"
    path.write_text(f"<CodeBook {QDC}><Codes>{deep}</Codes></CodeBook>", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        read_any_codebook(path, display="deep.qdc")
    assert _problems(excinfo) == [
        "deep.qdc: codes are nested more than 100 levels deep (under 'k99'); expected a code "
        "tree of at most 100 levels"
    ]


def test_a_code_tree_within_the_cap_reads_in_document_order(tmp_path):
    nested = "".join(f'<Code guid="g{i}" name="k{i}">' for i in range(100)) + "</Code>" * 100
    path = tmp_path / "cb.qdc"
    path.write_text(f"<CodeBook {QDC}><Codes>{nested}</Codes></CodeBook>", encoding="utf-8")
    book = read_any_codebook(path, display="cb.qdc")
    assert len(book.ids) == 100 and list(book.ids)[:2] == ["k0", "k0.k1"]


def test_empty_selection_and_coding_without_coderef_say_so(tmp_path, register):
    # Before: "positions 10..10 are outside the text" and "CodeRef to unknown code None".
    body = (
        '<PlainTextSelection guid="E1" startPosition="10" endPosition="10">'
        '<Coding guid="c"><CodeRef targetGUID="B1"/></Coding></PlainTextSelection>'
        '<PlainTextSelection guid="E2" startPosition="0" endPosition="4">'
        '<Coding guid="c2"/></PlainTextSelection>'
    )
    with pytest.raises(InputError) as excinfo:
        _read(_qdpx(tmp_path, _source("S1", body)), register)
    assert _problems(excinfo) == [
        "p.qdpx: TextSource 'STO-01' (guid S1): PlainTextSelection E1: empty selection "
        "(positions 10..10); expected a selection of at least one character",
        "p.qdpx: TextSource 'STO-01' (guid S1) PlainTextSelection E2: Coding c2 has no "
        "CodeRef; expected <CodeRef targetGUID=...> naming a Code of the CodeBook",
    ]


def test_a_plain_text_path_that_starts_with_sources_is_found(tmp_path, register):
    # Before: plainTextPath="Sources/S3.txt" was looked up as Sources/Sources/S3.txt.
    path = tmp_path / "p.qdpx"
    source = (
        '<TextSource guid="S1" name="STO-01" plainTextPath="Sources/S3.txt">'
        f"{_selection('P1', SALARY, 'I1')}</TextSource>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "project.qde",
            f'<Project xmlns="{NS}"><CodeBook><Codes>{CODES}</Codes></CodeBook>'
            f"<Sources>{source}</Sources></Project>",
        )
        archive.writestr("Sources/S3.txt", TEXT)
    assert _rows(_read(path, register)) == [("STO-01", "implementering.lon", "neutral", SALARY)]


def test_a_qdc_without_namespace_says_so(tmp_path):
    path = tmp_path / "cb.qdc"
    path.write_text(f"<CodeBook><Codes>{CODES}</Codes></CodeBook>", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        read_any_codebook(path, display="cb.qdc")
    assert _problems(excinfo) == [
        "cb.qdc: the root element CodeBook is without a namespace; expected "
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"> (a REFI-QDA codebook)'
    ]


def test_a_qdc_is_held_to_the_size_limit(tmp_path):
    path = tmp_path / "cb.qdc"
    path.write_text(f"<CodeBook {QDC}><Codes>{CODES}</Codes></CodeBook>" + " " * MB)
    with use_limits(Limits(max_table_mb=1)), pytest.raises(InputError) as excinfo:
        read_any_codebook(path, display="cb.qdc")
    assert _problems(excinfo)[0].startswith("cb.qdc: is 1 MB, more than the 1 MB an input")


def test_a_cell_of_several_codes_is_one_coding_per_code(tmp_path, register):
    # Before: ATLAS.ti's "Lön\nIsolering" was one unknown code, the hint mapping the whole cell.
    path = tmp_path / "quotations.csv"
    path.write_text(
        'Document,Codes,Quotation Content\nSTO-01,"roll\nFrämjande",Oklart.\n'
        'STO-02,"roll\nbidrag.forstaelse",Förstod mig.\n',
        encoding="utf-8",
    )
    options = TableOptions(
        columns={"Document": "interview_id", "Codes": "theme", "Quotation Content": "excerpt"}
    )
    book = read_any_codebook(FIXTURES / "codebook.yaml", display="cb")
    source = read_segment_source(path, options, codebook=book, register=register)
    assert _rows(source) == [
        ("STO-01", "roll", "framjande", "Oklart."),
        ("STO-02", "roll", "neutral", "Förstod mig."),
        ("STO-02", "bidrag.forstaelse", "neutral", "Förstod mig."),
    ]
    assert (source.tally.read, source.tally.themes, source.tally.factors) == (4, 3, 1)


def test_maxqda_rows_of_one_position_are_one_segment(tmp_path, register):
    # Before: the factor code's own row (same Document, Begin, End) was refused as
    # "coded only with the factor code".
    path = tmp_path / "coded_segments.csv"
    path.write_text(
        "Document name,Code,Begin,End,Segment\n"
        "STO-01,implementering/handledning,3,3,Handledningen hjälpte.\n"
        "STO-01,faktor/Främjande,3,3,Handledningen hjälpte.\n"
        "STO-01,roll,5,6,Oklart.\n",
        encoding="utf-8",
    )
    options = TableOptions(
        columns={"Document name": "interview_id", "Code": "theme", "Segment": "excerpt"}
    )
    book = read_any_codebook(FIXTURES / "codebook.yaml", display="cb")
    scheme = CodeScheme(factors=("faktor",))
    source = read_segment_source(path, options, codebook=book, register=register, scheme=scheme)
    assert _rows(source) == [
        ("STO-01", "implementering.handledning", "framjande", "Handledningen hjälpte."),
        ("STO-01", "roll", "neutral", "Oklart."),
    ]


def test_maxqda_segments_in_one_paragraph_keep_their_own_factor(tmp_path, register):
    # Before: MAXQDA's Begin and End count paragraphs, so two segments of one paragraph
    # were one unit: the salary segment silently took the supervision segment's factor.
    path = tmp_path / "coded_segments.csv"
    path.write_text(
        "Document name,Code,Begin,End,Segment\n"
        "STO-01,implementering/handledning,3,3,Handledningen hjälpte.\n"
        "STO-01,faktor/Främjande,3,3,Handledningen hjälpte.\n"
        "STO-01,roll,3,3,Men rollen var oklar.\n",
        encoding="utf-8",
    )
    options = TableOptions(
        columns={"Document name": "interview_id", "Code": "theme", "Segment": "excerpt"}
    )
    book = read_any_codebook(FIXTURES / "codebook.yaml", display="cb")
    scheme = CodeScheme(factors=("faktor",))
    source = read_segment_source(path, options, codebook=book, register=register, scheme=scheme)
    assert _rows(source) == [
        ("STO-01", "implementering.handledning", "framjande", "Handledningen hjälpte."),
        ("STO-01", "roll", "neutral", "Men rollen var oklar."),
    ]


def test_a_code_path_with_another_tools_separator_says_to_set_the_separator(tmp_path, register):
    # Before: MAXQDA's "Implementering\Handledning" was only "names no theme", though one
    # setting reads it.
    path = tmp_path / "coded_segments.csv"
    path.write_text(
        "Document name,Code,Segment\nSTO-01,Implementering\\Handledning,Handledningen hjälpte.\n",
        encoding="utf-8",
    )
    options = TableOptions(
        columns={"Document name": "interview_id", "Code": "theme", "Segment": "excerpt"}
    )
    book = read_any_codebook(FIXTURES / "codebook.yaml", display="cb")
    with pytest.raises(InputError) as excinfo:
        read_segment_source(path, options, codebook=book, register=register)
    assert _problems(excinfo)[0].endswith(
        """('' excludes it); if '\\\\' separates its levels, set inputs.segments.codes: """
        """{separator: "\\\\"}"""
    )
    scheme = CodeScheme(separator="\\")
    source = read_segment_source(path, options, codebook=book, register=register, scheme=scheme)
    assert _rows(source) == [
        ("STO-01", "implementering.handledning", "neutral", "Handledningen hjälpte."),
    ]


def test_codes_in_other_scripts_get_usable_ids_and_clashes_name_the_codes(tmp_path):
    # Before: '😀' and '中文主题' got an empty id; two codes of one id were reported by the
    # key path 'themes[1].id' of a YAML file that does not exist.
    path = tmp_path / "cb.qdc"
    codes = '<Code guid="a" name="😀"/><Code guid="b" name="中文主题"/>'
    path.write_text(f"<CodeBook {QDC}><Codes>{codes}</Codes></CodeBook>", encoding="utf-8")
    assert list(read_any_codebook(path, display="cb.qdc").ids) == [
        "u1f600",
        "u4e2d_u6587_u4e3b_u9898",
    ]
    codes = '<Code guid="a" name="Stöd &amp; hjälp"/><Code guid="b" name="Stöd hjälp"/>'
    path.write_text(f"<CodeBook {QDC}><Codes>{codes}</Codes></CodeBook>", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        read_any_codebook(path, display="cb.qdc")
    assert _problems(excinfo) == [
        "cb.qdc: the codes 'Stöd & hjälp' and 'Stöd hjälp' both get the theme id "
        "'stod_hjalp'; expected codes whose names differ in more than punctuation and case "
        "(rename one in the tool)"
    ]


def _archive(tmp_path: Path, sources: str, files: dict[str, str]) -> Path:
    """A project whose source texts are files of the archive (CRLF survives, as in XML not)."""
    path = _qdpx(tmp_path, sources)
    with zipfile.ZipFile(path, "a") as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def _coded(guid: str, start: int, end: int, *codes: str) -> str:
    codings = "".join(
        f'<Coding guid="{guid}c{i}"><CodeRef targetGUID="{c}"/></Coding>'
        for i, c in enumerate(codes)
    )
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}">'
        f"{codings}</PlainTextSelection>"
    )


def test_the_text_representation_of_a_pdf_is_read(tmp_path, register):
    # Before: "PDFSource 'STO-01.pdf' has codings, which are not read", although the coded
    # text is in the archive (REFI-QDA 1.5: PDFSource/Representation is a TextSource).
    start = TEXT.index(SALARY)
    source = (
        '<PDFSource guid="S1" name="STO-01.pdf" path="internal://S1.pdf">'
        '<Representation guid="R1" name="STO-01.txt" plainTextPath="internal://R1.txt">'
        f"{_coded('P1', start, start + len(SALARY), 'I1')}"
        '<Coding guid="w"><CodeRef targetGUID="B1"/></Coding></Representation></PDFSource>'
    )
    found = _read(_archive(tmp_path, source, {"Sources/R1.txt": TEXT}), register)
    assert _rows(found) == [("STO-01", "implementering.lon", "neutral", SALARY)]
    # A coding of the whole representation classifies the document: counted, not lost.
    assert found.tally.excluded == {"whole-source coding": 1}
    assert found.tally.balanced and found.tally.read == 2


@pytest.mark.parametrize("kind", ["AudioSource", "VideoSource"])
def test_the_transcript_of_a_recording_is_read_between_its_sync_points(tmp_path, register, kind):
    # Before: refused ("import the transcript as text"); a TranscriptSelection runs from the
    # character position of one SyncPoint to that of another.
    start, end = TEXT.index(LONELY), TEXT.index(LONELY) + len(LONELY)
    source = (
        f'<{kind} guid="S1" name="STO-01.mp3" path="internal://S1.mp3">'
        '<Transcript guid="T1" name="STO-01" plainTextPath="internal://T1.txt">'
        '<SyncPoint guid="sp0" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="sp1" position="{start}" timeStamp="1200"/>'
        f'<SyncPoint guid="sp2" position="{end}" timeStamp="2500"/>'
        '<TranscriptSelection guid="TS1" fromSyncPoint="sp1" toSyncPoint="sp2">'
        '<Coding guid="c1"><CodeRef targetGUID="B1"/></Coding>'
        '<Coding guid="c2"><CodeRef targetGUID="F2"/></Coding></TranscriptSelection>'
        f"</Transcript></{kind}>"
    )
    found = _read(_archive(tmp_path, source, {"Sources/T1.txt": TEXT}), register)
    assert _rows(found) == [("STO-01", "bidrag.isolering", "hindrande", LONELY)]
    assert found.tally.balanced and found.tally.read == 2


def test_codings_on_pdf_regions_and_media_time_ranges_are_refused_saying_what_to_do(
    tmp_path, register
):
    sources = (
        '<PDFSource guid="S1" name="STO-01.pdf"><PDFSelection guid="X1" page="2" firstX="1" '
        'firstY="2" secondX="300" secondY="400"><Coding guid="c1"><CodeRef targetGUID="B1"/>'
        "</Coding></PDFSelection></PDFSource>"
        '<AudioSource guid="S2" name="STO-02.mp3"><AudioSelection guid="A1" begin="1000" '
        'end="5000"><Coding guid="c2"><CodeRef targetGUID="B1"/></Coding></AudioSelection>'
        '<AudioSelection guid="A2" begin="6000" end="7000"><Coding guid="c3">'
        '<CodeRef targetGUID="B1"/></Coding></AudioSelection>'
        '<Transcript guid="T2" name="t"><PlainTextContent>Ja.</PlainTextContent>'
        '<SyncPoint guid="p0" position="0"/><TranscriptSelection guid="TS9" '
        'fromSyncPoint="p0" toSyncPoint="nowhere"><Coding guid="c4"><CodeRef targetGUID="B1"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    with pytest.raises(InputError) as excinfo:
        _read(_qdpx(tmp_path, sources), register)
    assert _problems(excinfo) == [
        "p.qdpx: PDFSource 'STO-01.pdf' (guid S1): PDFSelection X1 (page 2, 1,2 to 300,400) "
        "has codings on a region of a PDF page, which are not read; expected codings on the "
        "PDF's text Representation (code the PDF's text, not a region, in the tool; or import "
        "the transcript as text)",
        "p.qdpx: AudioSource 'STO-02.mp3' (guid S2) Transcript 't' (guid T2): "
        "TranscriptSelection TS9: toSyncPoint 'nowhere' is no SyncPoint with a position in its "
        "Transcript; expected the guid of a <SyncPoint position=...> there",
        "p.qdpx: AudioSource 'STO-02.mp3' (guid S2): AudioSelection A1 (1000..5000 ms) (and 1 "
        "more) has codings on a time range of the recording, which are not read; expected "
        "codings on its Transcript (code the transcript's text in the tool; or import the "
        "transcript as text)",
    ]


HELP = "Handledningen hjälpte mig mycket."
TAIL = " Sedan gick vi vidare till nästa fråga om arbetsmiljön på enheten."


def _utf16(text: str, part: str) -> tuple[int, int]:
    start = len(text[: text.index(part)].encode("utf-16-le")) // 2
    return start, start + len(part.encode("utf-16-le")) // 2


def _utf8(text: str, part: str) -> tuple[int, int]:
    start = len(text[: text.index(part)].encode())
    return start, start + len(part.encode())


def _crlf_as_one(text: str, part: str) -> tuple[int, int]:
    flat = text.replace("\r\n", "\n")
    return flat.index(part), flat.index(part) + len(part)


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("Svar: Det var 😀😀 roligt. " + HELP + TAIL, _utf16, "UTF-16 code units"),
        (
            "Svar: Det var svårt.\r\nJa.\r\n" + HELP + TAIL,
            _crlf_as_one,
            "characters with CRLF as one",
        ),
        ("\ufeffSvar: Lönen är låg. " + HELP + TAIL, _utf8, "UTF-8 bytes"),
    ],
)
def test_positions_counted_in_another_unit_are_read_in_it_with_a_warning(
    tmp_path, register, caplog, text, count, unit
):
    # Before: read as characters they were shifted: "ndledningen hjälpte mig mycket. S".
    body = _coded("P1", *count(text.removeprefix("\ufeff"), HELP), "I1")
    source = (
        f'<TextSource guid="S1" name="STO-01" plainTextPath="internal://S1.txt">{body}</TextSource>'
    )
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.qdpx"):
        found = _read(_archive(tmp_path, source, {"Sources/S1.txt": text}), register)
    assert _rows(found) == [("STO-01", "implementering.lon", "neutral", HELP)]
    assert [r.getMessage() for r in caplog.records] == [
        f"p.qdpx: TextSource 'STO-01' (guid S1): selection positions read as {unit}, not "
        "characters as REFI-QDA says: as characters 1 of the 1 selections they move cut words "
        f"or leave the text, as {unit} all fall on word boundaries"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Svar: Det var bra. " + HELP.replace("ä", "a") + TAIL.replace("ä", "a").replace("å", "a"),
        "Svar: Det var svårt. Lönen är låg. " + HELP + TAIL,
    ],
)
def test_sloppy_selections_are_never_moved_or_refused(tmp_path, register, caplog, text):
    # A coder who starts or ends a selection mid-word: in plain ASCII text nothing can be
    # another unit; in Swedish text one sloppy selection of three is no shift.
    help_ = HELP if HELP in text else HELP.replace("ä", "a")
    start = text.index(help_)
    words = text.index("vidare")
    body = (
        _coded("P1", start + 2, start + len(help_) - 3, "I1")  # "ndledningen ... myck"
        + _coded("P2", 0, 5, "B1")
        + _coded("P3", words, words + len("vidare"), "B1")
    )
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.qdpx"):
        found = _read(_qdpx(tmp_path, _source("S1", body, text=text)), register)
    assert help_[2:-3] in [row[3] for row in _rows(found)]
    assert not caplog.records


def test_positions_no_unit_explains_are_refused_naming_the_cut(tmp_path, register):
    # Two selections after 'ö' that cut words as characters, and as UTF-8 bytes too.
    text = "Lönen är låg. " + HELP + TAIL
    start = text.index(HELP)
    body = _coded("P1", start + 1, start + 12, "I1") + _coded("P2", start + 3, start + 20, "B1")
    with pytest.raises(InputError) as excinfo:
        _read(_qdpx(tmp_path, _source("S1", body, text=text)), register)
    assert _problems(excinfo) == [
        "p.qdpx: TextSource 'STO-01' (guid S1): PlainTextSelection P1: positions 15..26 would "
        "cut …en är låg. H[andledninge]n hjälpte mi…; REFI-QDA positions count characters, and as "
        "characters most selections of this text cut words or leave it, read as UTF-8 bytes "
        "they do not all fit either; expected selections on word boundaries (re-export the "
        "project, or check the source text against the tool's; inputs.segments.positions: "
        "characters reads them as characters all the same)"
    ]


def test_positions_characters_reads_them_as_the_standard_says(tmp_path, register, caplog):
    # The analyst's way out of the refusal above: the coders did cut those words.
    text = "Lönen är låg. " + HELP + TAIL
    start = text.index(HELP)
    body = _coded("P1", start + 1, start + 12, "I1") + _coded("P2", start + 3, start + 20, "B1")
    path = _qdpx(tmp_path, _source("S1", body, text=text))
    scheme = CodeScheme()
    book = read_any_codebook(path, scheme=scheme, display="cb")
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.qdpx"):
        found = read_segment_source(
            path, TableOptions(positions="characters"), codebook=book, register=register,
            scheme=scheme, display=path.name,
        )  # fmt: skip
    assert [row[3] for row in _rows(found)] == [
        text[start + 1 : start + 12],
        text[start + 3 : start + 20],
    ]
    assert not caplog.records


def test_a_coding_elsewhere_in_a_recording_is_refused_not_skipped(tmp_path, register):
    # A Coding straight under a Transcript (no TranscriptSelection) would be lost unread.
    source = (
        '<AudioSource guid="S1" name="STO-01.mp3"><Transcript guid="T1" name="t">'
        '<PlainTextContent>Ja.</PlainTextContent><Coding guid="c1"><CodeRef targetGUID="B1"/>'
        "</Coding></Transcript></AudioSource>"
    )
    with pytest.raises(InputError) as excinfo:
        _read(_qdpx(tmp_path, source), register)
    assert _problems(excinfo) == [
        "p.qdpx: AudioSource 'STO-01.mp3' (guid S1) has 1 coding outside a text selection, "
        "which are not read; expected them in a PlainTextSelection of its Representation "
        "(PDF) or a TranscriptSelection of its Transcript (audio, video)"
    ]


def test_byte_positions_past_the_end_of_the_text_are_read_as_bytes(tmp_path, register, caplog):
    # UTF-8 byte offsets of the last sentence run past the text's length in characters.
    text = "Här får vi stöd och förståelse för återhämtningen på så många sätt. " + HELP
    start, end = _utf8(text, HELP)
    assert end > len(text)
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.qdpx"):
        found = _read(
            _qdpx(tmp_path, _source("S1", _coded("P1", start, end, "I1"), text=text)), register
        )
    assert _rows(found) == [("STO-01", "implementering.lon", "neutral", HELP)]
    assert "read as UTF-8 bytes" in caplog.records[0].getMessage()
