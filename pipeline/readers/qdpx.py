"""REFI-QDA projects (.qdpx), the exchange format of NVivo, ATLAS.ti, MAXQDA and QualCoder.

A .qdpx file is a zip archive holding `project.qde` (XML in the namespace
`urn:QDA-XML:project:1.0`, REFI-QDA 1.5) and the source texts under `Sources/`
(`sources/` is accepted too). The parts read are::

    Project
      CodeBook/Codes/Code (guid, name; nested)
      Variables/Variable (guid, name)
      Cases/Case: SourceRef (targetGUID), VariableValue (VariableRef, TextValue)
      Sources/TextSource (guid, name; plainTextPath="internal://x.txt" or PlainTextContent)
        PlainTextSelection (guid, startPosition, endPosition)
          Coding/CodeRef (targetGUID)

Positions count characters (Unicode code points) from 0; a selection covers
`text[startPosition:endPosition]`. Codings of a whole source (a Coding directly
under TextSource) classify the document rather than an excerpt and are not read.

How codes become themes and factors (factor codes are those named with a factor
code or label: framjande/Främjande/Promoting, hindrande/Hindrande/Hindering,
neutral):

* a code whose name (or `code_map` entry) is a theme id or label is that theme; its
  factor is that of its nearest ancestor named as a factor (code tree
  ``Främjande > Handledning``), else neutral;
* a factor code under another code gives its parent's theme that factor (code tree
  ``Handledning > Hindrande``);
* a top-level factor code coded on the same selection as theme codes (sibling
  codings) gives them its factor.

The interview of a source is the value of a variable `interview_id` (of a Case
that refers to the source, or of the source itself), else the source's name; either
must match an interview_id of the register (directly or through `source_map`),
ignoring case, white space and an extension such as ".docx".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.codebook import Codebook, match_key
from pipeline.readers.segments import CodedSegment, InterviewMatcher, build_segments, factor_code

NAMESPACE = "urn:QDA-XML:project:1.0"
_Q = f"{{{NAMESPACE}}}"
_PROJECT_FILE = "project.qde"
_INTERNAL = "internal://"
_INTERVIEW_VARIABLE = "interview_id"
# Larger members are refused rather than read into memory (a zip bomb defence).
_MAX_MEMBER_BYTES = 512 * 1024 * 1024
_OTHER_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")


@dataclass(frozen=True)
class _Code:
    name: str
    parent: str | None


class _Doctype(Exception):
    """Raised by the XML pre-check when the document declares a DOCTYPE."""


def read_qdpx(
    path: Path,
    *,
    codebook: Codebook,
    register: pd.DataFrame,
    code_map: Mapping[str, str] | None = None,
    source_map: Mapping[str, str] | None = None,
    display: str | None = None,
) -> pd.DataFrame:
    """Read the coded text selections of a REFI-QDA project as canonical segments.

    Args:
        path: The .qdpx file.
        codebook: The themes codes must belong to.
        register: The interview register; every coded source must be an interview.
        code_map: Code name -> theme id, for codes not named by theme id or label; a
            code mapped to "" is not a theme and its codings are skipped.
        display: How to name the file in messages (default: the path as given).

    Returns:
        SEGMENT_COLUMNS sorted by interview_id, then source order and position.

    Raises:
        InputError: A missing or broken archive, a missing project.qde, malformed XML
            or a DOCTYPE, or every problem found: missing source texts, selections
            outside their text, CodeRefs to unknown codes, sources that are not
            interviews, codings of non-text sources, and codes not in the codebook.
    """
    shown = display or str(path)
    if not path.is_file():
        raise InputError(Problem(shown, "file not found"))
    from pipeline.readers.safety import open_archive  # sizes, names and ratios first

    archive = open_archive(path, shown, what=".qdpx (zip)")
    with archive:
        root = _parse_project(archive, shown)
        problems: list[Problem] = []
        segments = _Reader(
            root, archive, InterviewMatcher(register, source_map), shown, problems
        ).segments()
    try:
        frame = build_segments(
            segments, display=shown, codebook=codebook, register=register, theme_map=code_map
        )
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    if problems:
        raise InputError(problems)
    return frame


def _parse_project(archive: zipfile.ZipFile, shown: str) -> ET.Element:
    member = next((n for n in archive.namelist() if n.casefold() == _PROJECT_FILE), None)
    if member is None:
        raise InputError(
            Problem(shown, f"has no {_PROJECT_FILE}; expected a REFI-QDA project archive")
        )
    data = _read_member(archive, member, shown)
    # Check well-formedness and refuse any DOCTYPE before building the tree: without a
    # DTD no entity can be declared, so nothing is expanded or fetched.
    checker = expat.ParserCreate()

    def refuse_doctype(*_args: object) -> None:
        raise _Doctype

    checker.StartDoctypeDeclHandler = refuse_doctype
    try:
        checker.Parse(data, True)
    except _Doctype:
        raise InputError(
            Problem(
                shown,
                f"{member} declares a DOCTYPE, which REFI-QDA projects do not "
                "have; refused for safety",
            )
        ) from None
    except expat.ExpatError as exc:
        raise InputError(
            Problem(
                shown,
                f"{member} is not well-formed XML: {expat.errors.messages[exc.code]} "
                f"at line {exc.lineno}, column {exc.offset + 1}",
            )
        ) from None
    root = ET.fromstring(data)
    if root.tag != f"{_Q}Project":
        raise InputError(
            Problem(
                shown,
                f"{member} has the root element {_plain(root.tag)!r}; expected "
                f"Project in the namespace {NAMESPACE}",
            )
        )
    return root


def _read_member(archive: zipfile.ZipFile, member: str, shown: str) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > _MAX_MEMBER_BYTES:
        raise InputError(Problem(shown, f"{member} is too large ({info.file_size} bytes)"))
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            Problem(shown, f"{member} cannot be read from the archive: {exc}")
        ) from exc


def _plain(tag: str) -> str:
    return tag.rpartition("}")[2]


def _guid(value: str | None) -> str | None:
    # GUIDs may be written with braces and in either case ({ABC...} == abc...).
    return value.strip().strip("{}").lower() if value else None


class _Reader:
    """Walks one project tree; collects codings and problems (one per bad element)."""

    def __init__(
        self,
        root: ET.Element,
        archive: zipfile.ZipFile,
        interviews: InterviewMatcher,
        shown: str,
        problems: list[Problem],
    ):
        self.root, self.archive, self.shown, self.problems = root, archive, shown, problems
        self.interviews = interviews
        self.codes: dict[str, _Code] = {}
        for codes in root.findall(f"{_Q}CodeBook/{_Q}Codes"):
            self._collect_codes(codes, None)
        self.variables = {
            _guid(v.get("guid")): v.get("name") or ""
            for v in root.findall(f"{_Q}Variables/{_Q}Variable")
        }
        self.case_interviews: dict[str, str] = {}
        for case in root.findall(f"{_Q}Cases/{_Q}Case"):
            interview = self._interview_variable(case)
            if interview is not None:
                for ref in case.findall(f"{_Q}SourceRef"):
                    self.case_interviews[_guid(ref.get("targetGUID")) or ""] = interview

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.shown, message))

    def segments(self) -> list[CodedSegment]:
        found: list[CodedSegment] = []
        sources = self.root.find(f"{_Q}Sources")
        if sources is None:
            return found
        for source in sources:
            kind = _plain(source.tag)
            if kind == "TextSource":
                found += self._text_source(source)
            elif kind in _OTHER_SOURCES and source.find(f".//{_Q}Coding") is not None:
                self.problem(
                    f"{kind} {source.get('name')!r} (guid {source.get('guid')}) has codings, "
                    "which are not read; only text sources are (import the transcript as text)"
                )
        return found

    def _collect_codes(self, parent_element: ET.Element, parent: str | None) -> None:
        for code in parent_element.findall(f"{_Q}Code"):
            guid, name = _guid(code.get("guid")), code.get("name")
            if guid is None or not name:
                self.problem(f"Code {name!r} (guid {code.get('guid')}) lacks a guid or name")
                continue
            if guid in self.codes:
                self.problem(f"Code {name!r}: guid {code.get('guid')} is used by two codes")
            self.codes[guid] = _Code(name=name, parent=parent)
            self._collect_codes(code, guid)

    def _interview_variable(self, element: ET.Element) -> str | None:
        for value in element.findall(f"{_Q}VariableValue"):
            ref = value.find(f"{_Q}VariableRef")
            name = self.variables.get(_guid(ref.get("targetGUID")) if ref is not None else None)
            if name is not None and match_key(name) == _INTERVIEW_VARIABLE:
                text = value.findtext(f"{_Q}TextValue") or value.findtext(f"{_Q}IntegerValue")
                if text and text.strip():
                    return text.strip()
        return None

    def _text_source(self, source: ET.Element) -> list[CodedSegment]:
        name, guid = source.get("name") or "", source.get("guid")
        selections = [
            s
            for s in source.findall(f"{_Q}PlainTextSelection")
            if s.find(f"{_Q}Coding") is not None
        ]
        if not selections:
            return []  # memos and uncoded documents need not be interviews
        where = f"TextSource {name!r} (guid {guid})"
        written = (
            self._interview_variable(source) or self.case_interviews.get(_guid(guid) or "") or name
        )
        interview = self.interviews.match(written)
        if interview is None:
            self.problem(
                f"{where}: {written!r} is not an interview in the register; expected a source "
                f"named by its interview_id, or a case variable {_INTERVIEW_VARIABLE!r}"
            )
        text = self._text(source, where)
        if interview is None or text is None:
            return []
        found: list[CodedSegment] = []
        for start, end, _, selection in sorted(self._positions(selections, text, where)):
            found += self._codings(selection, text[start:end], interview, where)
        return found

    def _text(self, source: ET.Element, where: str) -> str | None:
        content = source.find(f"{_Q}PlainTextContent")
        if content is not None:
            return content.text or ""
        path = source.get("plainTextPath")
        if not path:
            self.problem(
                f"{where}: source text missing; expected plainTextPath or PlainTextContent"
            )
            return None
        if not path.startswith(_INTERNAL):
            self.problem(
                f"{where}: source text {path!r} is outside the archive; expected "
                f"{_INTERNAL}<file> (export the project with its sources)"
            )
            return None
        wanted = path[len(_INTERNAL) :].lstrip("/")
        member = next(
            (
                n
                for n in self.archive.namelist()
                if n.partition("/")[0].casefold() == "sources" and n.partition("/")[2] == wanted
            ),
            None,
        )
        if member is None:
            self.problem(f"{where}: source text missing: Sources/{wanted} is not in the archive")
            return None
        try:
            return _read_member(self.archive, member, self.shown).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(f"{where}: {member} is not UTF-8 text (byte {exc.start})")
            return None

    def _positions(self, selections: list[ET.Element], text: str, where: str):
        for index, selection in enumerate(selections):
            guid = selection.get("guid")
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                self.problem(
                    f"{where}: PlainTextSelection {guid}: positions "
                    f"{selection.get('startPosition')!r}..{selection.get('endPosition')!r} "
                    "are not whole numbers"
                )
                continue
            if not 0 <= start < end <= len(text):
                self.problem(
                    f"{where}: PlainTextSelection {guid}: positions {start}..{end} are outside "
                    f"the text of {len(text)} characters; expected 0 <= start < end <= "
                    f"{len(text)}"
                )
                continue
            yield start, end, index, selection

    def _codings(
        self, selection: ET.Element, excerpt: str, interview: str, where: str
    ) -> list[CodedSegment]:
        element = f"{where} PlainTextSelection {selection.get('guid')}"
        themed: list[tuple[str, str | None]] = []
        marks: list[str] = []
        for coding in selection.findall(f"{_Q}Coding"):
            ref = coding.find(f"{_Q}CodeRef")
            target = ref.get("targetGUID") if ref is not None else None
            code = self.codes.get(_guid(target) or "")
            if code is None:
                self.problem(
                    f"{element}: CodeRef to unknown code {target}; expected the guid "
                    "of a Code in the CodeBook"
                )
                continue
            theme, factor = self._theme_and_factor(code)
            if theme is None:
                marks.append(code.name)
            else:
                themed.append((theme, factor))
        factors = {factor_code(m) for m in marks}
        if len(factors) > 1:
            self.problem(
                f"{element}: coded with the factors {', '.join(map(repr, marks))}; "
                "expected one factor per selection"
            )
            return []
        if marks and not themed:
            self.problem(
                f"{element}: coded only with the factor code {marks[0]!r}; expected "
                "a theme code as well"
            )
        mark = marks[0] if marks else None
        return [
            CodedSegment(
                document=interview,
                code=theme,
                factor=factor if factor is not None else mark,
                excerpt=excerpt,
                element=element,
            )
            for theme, factor in themed
        ]

    def _theme_and_factor(self, code: _Code) -> tuple[str | None, str | None]:
        """Return (theme code name, factor as written); no theme for a top-level factor."""
        ancestors = []
        parent = code.parent
        while parent is not None and parent in self.codes and len(ancestors) < 100:
            ancestors.append(self.codes[parent])
            parent = self.codes[parent].parent
        if _is_factor(code.name):
            theme = next((a.name for a in ancestors if not _is_factor(a.name)), None)
            return theme, code.name
        factor = next((a.name for a in ancestors if _is_factor(a.name)), None)
        return code.name, factor


def _is_factor(name: str) -> bool:
    return factor_code(name) is not None
