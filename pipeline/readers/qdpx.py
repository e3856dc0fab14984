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
      Sources/PDFSource/Representation (a TextSource: the PDF's text, read as one)
      Sources/AudioSource|VideoSource/Transcript (plainTextPath or PlainTextContent)
        SyncPoint (guid, position, timeStamp)
        TranscriptSelection (guid, fromSyncPoint, toSyncPoint)/Coding/CodeRef

Positions count characters (Unicode code points) from 0; a selection covers
`text[startPosition:endPosition]`, a TranscriptSelection the transcript from the
position of one SyncPoint to that of the other. Positions an exporter counted in
UTF-16 units, with CRLF as one or in UTF-8 bytes are recognised by the words they cut
and read in that unit with a warning, or refused (pipeline.readers.positions).
Codings of a whole source (a Coding directly under the source or its Representation)
classify the document rather than an excerpt, and codings in notes (memos) are no
interview; neither is read, both are counted in the tally as excluded. Codings with
no text (PDFSelection, PictureSelection, AudioSelection, VideoSelection) are an error
saying where to code instead. REFI-QDA elements outside the namespace (a prefixed
root with unprefixed children) are an error rather than skipped.

Each code on a selection is one coding; its code path is the chain of names from
the top of the CodeBook (``Teman > Bidrag > Isolering``), and how a path becomes a
theme or a factor is pipeline.readers.codes, as for every reader. Codings of one
selection share their factor; a selection coded only with a factor gives it to the
theme codings of selections of the same source text whose range overlaps it
(pipeline.readers.reconcile). A selection without guid (or with one repeated in its
source) is a unit of its own.

The interview of a source is the value of a variable `interview_id` (of a Case
that refers to the source, or of the source itself), else the source's name (else
its plainTextPath); it must match an interview_id of the register, directly or
through `values.interview_id`, ignoring case, white space and an extension such as
".docx". All XML is parsed with defusedxml (pipeline.readers.refi).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.readers.codebook import match_key
from pipeline.readers.options import TableOptions
from pipeline.readers.positions import Reading, read_positions, shown_cut
from pipeline.readers.reconcile import Coding, Codings, Tally
from pipeline.readers.refi import PROJECT_NAMESPACE, Code, code_paths, code_tree, guid, parse_xml
from pipeline.readers.refi import plain as _plain
from pipeline.readers.safety import open_archive, read_member

NAMESPACE = PROJECT_NAMESPACE
_Q = f"{{{NAMESPACE}}}"
_PROJECT_FILE = "project.qde"
_INTERNAL = "internal://"
_INTERVIEW_VARIABLE = "interview_id"
_OTHER_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
_TEXT_ONLY = "only text is read (import the transcript as text)"
# Selections with no text in the archive -> what they are on, and what could be done.
_NO_TEXT = {
    "PDFSelection": "a region of a PDF page, which are not read; expected codings on the "
    "PDF's text Representation (code the PDF's text, not a region, in the tool; or import "
    "the transcript as text)",
    "AudioSelection": "a time range of the recording, which are not read; expected codings "
    "on its Transcript (code the transcript's text in the tool; or import the transcript "
    "as text)",
    "VideoSelection": "a time range of the recording, which are not read; expected codings "
    "on its Transcript (code the transcript's text in the tool; or import the transcript "
    "as text)",
    "PictureSelection": f"a region of a picture, which are not read; {_TEXT_ONLY}",
    "TextDescription": f"the description of a picture, which are not read; {_TEXT_ONLY}",
}
_log = logging.getLogger(__name__)


def open_project(path: Path, shown: str) -> zipfile.ZipFile:
    """Open a .qdpx archive, or stop with one problem."""
    if not path.is_file():
        raise InputError(Problem(shown, "file not found"))
    return open_archive(path, shown, what=".qdpx (zip)")  # sizes, names and ratios first


def qdpx_codings(
    path: Path, options: TableOptions, *, display: str, separator: str, tally: Tally
) -> Codings:
    """Read the codings of the coded text selections of a REFI-QDA project.

    Args:
        path: The .qdpx file.
        options: Only `positions` applies: a project has no table layout (the
            segment formats share one signature, pipeline.readers.formats).
        display: How to name the file in messages.
        separator: A code name holding this is split into path parts.
        tally: Codings not read as excerpts are counted here as excluded (codings of a
            whole source, codings in notes); the others reach `combine`, which counts them.

    Returns:
        The codings in source order and position, and the problems found: missing
        source texts, selections outside their text, CodeRefs to unknown codes and
        codings of non-text sources.

    Raises:
        InputError: A missing or broken archive, a missing project.qde, malformed XML,
            a DOCTYPE, or a cycle in the code tree.
    """
    with open_project(path, display) as archive:
        root = project_root(archive, display)
        problems: list[Problem] = []
        problems += _foreign_elements(root, display)
        codings = _Reader(
            root, archive, display, problems, separator, detect=options.positions == "detect"
        ).codings()
    _count_unread(root, tally)
    return Codings(codings, problems, display)


def project_root(archive: zipfile.ZipFile, shown: str) -> ET.Element:
    """The parsed project.qde of an open archive (its root must be a Project)."""
    member = next((n for n in archive.namelist() if n.casefold() == _PROJECT_FILE), None)
    if member is None:
        raise InputError(
            Problem(shown, f"has no {_PROJECT_FILE}; expected a REFI-QDA project archive")
        )
    root = parse_xml(_read_member(archive, member, shown), shown, member)
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
    return read_member(archive, member, shown)  # bounded by the run's limits


class _Reader:
    """Walks one project tree; collects codings and problems (one per bad element)."""

    def __init__(
        self,
        root: ET.Element,
        archive: zipfile.ZipFile,
        shown: str,
        problems: list[Problem],
        separator: str = "/",
        *,
        detect: bool = True,
    ):
        self.root, self.archive, self.shown, self.problems = root, archive, shown, problems
        self.detect = detect  # positions counted in another unit (else characters, always)
        self.codes: dict[str, Code] = code_tree(
            root.find(f"{_Q}CodeBook/{_Q}Codes"), NAMESPACE, shown, problems
        )
        try:
            self.paths = code_paths(self.codes, shown)
        except InputError as exc:
            raise InputError(problems + exc.problems) from None
        # Taguette-style flat names carry their path ("faktor/hindrande"): split them.
        self.paths = {
            key: tuple(q for p in path for q in p.split(separator) if q.strip())
            for key, path in self.paths.items()
        }
        self.variables = {
            guid(v.get("guid")): v.get("name") or ""
            for v in root.findall(f"{_Q}Variables/{_Q}Variable")
        }
        self.case_interviews: dict[str, str] = {}
        for case in root.findall(f"{_Q}Cases/{_Q}Case"):
            interview = self._interview_variable(case)
            if interview is not None:
                for ref in case.findall(f"{_Q}SourceRef"):
                    self.case_interviews[guid(ref.get("targetGUID")) or ""] = interview

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.shown, message))

    def codings(self) -> list[Coding]:
        found: list[Coding] = []
        sources = self.root.find(f"{_Q}Sources")
        if sources is None:
            return found
        for source in sources:
            kind = _plain(source.tag)
            if kind == "TextSource":
                found += self._text_source(source, source, self._where(source, kind))
            elif kind in _OTHER_SOURCES:
                found += self._media_source(source, kind)
            elif source.find(f".//{_Q}Coding") is not None:
                self.problem(
                    f"Sources holds a {kind} {source.get('name')!r} (guid {source.get('guid')}) "
                    "with codings, which is no REFI-QDA source kind and is not read; expected "
                    f"TextSource, {', '.join(_OTHER_SOURCES)}"
                )
        return found

    @staticmethod
    def _name(source: ET.Element) -> str:
        path = source.get("plainTextPath") or source.get("path") or ""
        return source.get("name") or path.rpartition("/")[2]

    def _where(self, source: ET.Element, kind: str) -> str:
        return f"{kind} {self._name(source)!r} (guid {source.get('guid')})"

    def _media_source(self, source: ET.Element, kind: str) -> list[Coding]:
        """The codings of a PDF, audio or video source's text; those on regions or times refused.

        REFI-QDA 1.5: a PDFSource may carry a text `Representation` (a TextSource whose
        PlainTextSelections count in its text); an AudioSource or VideoSource carries
        `Transcript`s (text with SyncPoints at character positions, and TranscriptSelections
        from one SyncPoint to another). PDFSelection (page coordinates), PictureSelection
        (pixels) and AudioSelection / VideoSelection (milliseconds) have no text.
        """
        where = self._where(source, kind)
        found: list[Coding] = []
        handled = {id(c) for c in source.findall(f"{_Q}Coding")}  # whole-source: tallied
        if kind == "PDFSource":
            for representation in source.findall(f"{_Q}Representation"):
                handled |= {id(c) for c in representation.findall(f"{_Q}Coding")}
                handled |= _ids(representation.findall(f"{_Q}PlainTextSelection/{_Q}Coding"))
                rkey = representation.get("guid")
                found += self._text_source(source, representation, f"{where} Representation {rkey}")
        for transcript in source.findall(f"{_Q}Transcript"):
            handled |= _ids(transcript.findall(f"{_Q}TranscriptSelection/{_Q}Coding"))
            named = f"{where} Transcript {transcript.get('name')!r} (guid {transcript.get('guid')})"
            found += self._text_source(source, transcript, named)
        for tag, fix in _NO_TEXT.items():
            coded = [
                s for s in source.findall(f"{_Q}{tag}") if s.find(f".//{_Q}Coding") is not None
            ]
            for selection in coded:
                handled |= _ids(selection.iter(f"{_Q}Coding"))
            if coded:
                more = f" (and {len(coded) - 1} more)" if len(coded) > 1 else ""
                self.problem(
                    f"{where}: {tag} {coded[0].get('guid')} ({_extent(coded[0])}){more} has "
                    f"codings on {fix}"
                )
        left = [c for c in source.iter(f"{_Q}Coding") if id(c) not in handled]
        if left:
            self.problem(
                f"{where} has {len(left)} coding{'s' if len(left) > 1 else ''} outside a text "
                "selection, which are not read; expected them in a PlainTextSelection of its "
                "Representation (PDF) or a TranscriptSelection of its Transcript (audio, video)"
            )
        return found

    def _interview_variable(self, element: ET.Element) -> str | None:
        for value in element.findall(f"{_Q}VariableValue"):
            ref = value.find(f"{_Q}VariableRef")
            name = self.variables.get(guid(ref.get("targetGUID")) if ref is not None else None)
            if name is not None and match_key(name) == _INTERVIEW_VARIABLE:
                text = value.findtext(f"{_Q}TextValue") or value.findtext(f"{_Q}IntegerValue")
                if text and text.strip():
                    return text.strip()
        return None

    def _text_source(self, owner: ET.Element, holder: ET.Element, where: str) -> list[Coding]:
        """The codings of the coded selections of one text: a TextSource, a PDF's
        Representation or a Transcript (`holder`) of the source `owner`."""
        key = holder.get("guid")
        transcript = _plain(holder.tag) == "Transcript"
        tag = "TranscriptSelection" if transcript else "PlainTextSelection"
        selections = [s for s in holder.findall(f"{_Q}{tag}") if s.find(f"{_Q}Coding") is not None]
        if not selections:
            return []  # memos and uncoded documents need not be interviews
        written = (
            self._interview_variable(owner)
            or self.case_interviews.get(guid(owner.get("guid")) or "")
            or self._name(owner)
        )
        text = self._text(holder, where)
        if text is None:
            return []
        found: list[Coding] = []
        units = _selection_units(guid(key) or "", selections)
        bounds = self._sync_points(holder, selections, where) if transcript else None
        for start, end, index, selection in sorted(
            self._positions(selections, text, where, bounds)
        ):
            found += self._codings(selection, written, text, start, end, where, units[index])
        return found

    def _sync_points(
        self, transcript: ET.Element, selections: list[ET.Element], where: str
    ) -> list[tuple[str | None, str | None]]:
        """Each TranscriptSelection's (start, end) as written: the positions of its SyncPoints."""
        points = {
            guid(p.get("guid")): p.get("position") for p in transcript.findall(f"{_Q}SyncPoint")
        }
        bounds: list[tuple[str | None, str | None]] = []
        for selection in selections:
            ends = []
            for side in ("fromSyncPoint", "toSyncPoint"):
                target = selection.get(side)
                position = points.get(guid(target))
                if position is None:
                    self.problem(
                        f"{where}: TranscriptSelection {selection.get('guid')}: {side} "
                        f"{target!r} is no SyncPoint with a position in its Transcript; "
                        "expected the guid of a <SyncPoint position=...> there"
                    )
                ends.append(position)
            bounds.append((ends[0], ends[1]))
        return bounds

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
        if "://" in path and not path.startswith(_INTERNAL):
            self.problem(
                f"{where}: source text {path!r} is outside the archive; expected "
                f"{_INTERNAL}<file> (export the project with its sources)"
            )
            return None
        wanted = path.removeprefix(_INTERNAL).lstrip("/")
        if wanted.partition("/")[0].casefold() == "sources":
            wanted = wanted.partition("/")[2]  # a path relative to the archive's root
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

    def _positions(
        self,
        selections: list[ET.Element],
        text: str,
        where: str,
        bounds: list[tuple[str | None, str | None]] | None = None,
    ):
        """Each selection's (start, end, index, element), in characters of `text`.

        Positions an exporter counted in another unit are read in that unit, or the
        source is refused (pipeline.readers.positions).
        """
        tag = "TranscriptSelection" if bounds is not None else "PlainTextSelection"
        written: list[tuple[int, int, int, ET.Element]] = []
        for index, selection in enumerate(selections):
            key = selection.get("guid")
            if bounds is not None:
                raw = bounds[index]
                if raw[0] is None or raw[1] is None:
                    continue  # reported with its SyncPoints
            else:
                raw = (selection.get("startPosition"), selection.get("endPosition"))
            try:
                start, end = int(raw[0] or ""), int(raw[1] or "")
            except ValueError:
                self.problem(
                    f"{where}: {tag} {key}: positions {raw[0]!r}..{raw[1]!r} are not whole numbers"
                )
                continue
            written.append((start, end, index, selection))
        spans = [(s, e) for s, e, _, _ in written if s != e]
        reading = read_positions(text, spans) if self.detect else Reading(spans)
        nonempty = [w for w in written if w[0] != w[1]]
        if reading.refused is not None:
            start, end, _, selection = nonempty[reading.refused]
            self.problem(
                f"{where}: {tag} {selection.get('guid')}: positions {start}..{end} would cut "
                f"{shown_cut(text, (start, end))}; REFI-QDA positions count characters, and "
                "as characters most selections of this text cut words or leave it, "
                f"{reading.reason}; "
                "expected selections on word boundaries (re-export the project, or check the "
                "source text against the tool's; inputs.segments.positions: characters reads "
                "them as characters all the same)"
            )
            return
        if reading.unit is not None:
            bad, changed = reading.suspect
            _log.warning(
                "%s",
                Problem(
                    self.shown,
                    f"{where}: selection positions read as {reading.unit}, not characters as "
                    f"REFI-QDA says: as characters {bad} of the {changed} selections they move "
                    f"cut words or leave the text, as {reading.unit} all fall on word boundaries",
                ),
            )
        mapped = iter(reading.spans)
        for start, end, index, selection in written:
            if start != end:
                start, end = next(mapped)
            key = selection.get("guid")
            if start == end and 0 <= start <= len(text):
                self.problem(
                    f"{where}: {tag} {key}: empty selection (positions "
                    f"{start}..{end}); expected a selection of at least one character"
                )
                continue
            if not 0 <= start < end <= len(text):
                self.problem(
                    f"{where}: {tag} {key}: positions {start}..{end} are outside "
                    f"the text of {len(text)} characters; expected 0 <= start < end <= "
                    f"{len(text)}"
                )
                continue
            yield start, end, index, selection

    def _codings(
        self,
        selection: ET.Element,
        document: str,
        text: str,
        start: int,
        end: int,
        where: str,
        unit: str,
    ) -> list[Coding]:
        key = selection.get("guid")
        element = f"{where} {_plain(selection.tag)} {key}"
        found = []
        for coding in selection.findall(f"{_Q}Coding"):
            ref = coding.find(f"{_Q}CodeRef")
            if ref is None:
                self.problem(
                    f"{element}: Coding {coding.get('guid')} has no CodeRef; expected "
                    "<CodeRef targetGUID=...> naming a Code of the CodeBook"
                )
                continue
            target = ref.get("targetGUID")
            code = guid(target) or ""
            if code not in self.codes:
                self.problem(
                    f"{element}: CodeRef to unknown code {target}; expected the guid "
                    "of a Code in the CodeBook"
                )
                continue
            path = self.paths[code]
            found.append(
                Coding(
                    document=document,
                    code="/".join(path),
                    parts=path,
                    excerpt=text[start:end],
                    unit=unit,
                    span=(start, end),
                    element=element,
                    source=where,
                )
            )
        return found


def _ids(elements: Iterable[ET.Element]) -> set[int]:
    return {id(e) for e in elements}


def _extent(selection: ET.Element) -> str:
    """Where a selection without text lies, as its attributes say."""
    get = selection.get
    if _plain(selection.tag) == "PDFSelection":
        return (
            f"page {get('page')}, {get('firstX')},{get('firstY')} to "
            f"{get('secondX')},{get('secondY')}"
        )
    if _plain(selection.tag) in ("AudioSelection", "VideoSelection"):
        return f"{get('begin')}..{get('end')} ms"
    if _plain(selection.tag) == "PictureSelection":
        return f"{get('firstX')},{get('firstY')} to {get('secondX')},{get('secondY')}"
    return f"guid {get('guid')}"


def _selection_units(source: str, selections: list[ET.Element]) -> list[str]:
    """The unit (codings sharing a factor) of each selection of one source text.

    A selection is its own unit: keyed by its guid within its source, or by its
    place when it has no guid or shares its guid with another selection (else all
    of them would be one unit and a factor would pass between unrelated excerpts).
    """
    keys = [guid(s.get("guid")) for s in selections]
    counts = Counter(keys)
    return [
        f"{source}/{key}" if key and counts[key] == 1 else f"{source}/#{index}"
        for index, key in enumerate(keys)
    ]


# The elements this reader looks for: found outside the namespace, they would be
# skipped and their codings lost.
_READ_ELEMENTS = frozenset(
    {"CodeBook", "Codes", "Code", "Sources", "TextSource", "PlainTextSelection", "Coding"}
    | {"CodeRef", "PlainTextContent", "Cases", "Case", "Variables", "Variable", "Notes"}
    | {"Note", "Representation", "Transcript", "TranscriptSelection", "SyncPoint"}
    | {*_OTHER_SOURCES, *_NO_TEXT}
)


def _foreign_elements(root: ET.Element, shown: str) -> list[Problem]:
    """One problem when REFI-QDA elements sit outside its namespace (they would be skipped)."""
    found: dict[str, str] = {}
    for element in root.iter():
        name = _plain(element.tag)
        namespace = element.tag[1:].partition("}")[0] if element.tag.startswith("{") else ""
        if name in _READ_ELEMENTS and namespace != NAMESPACE:
            found.setdefault(name, f"in {namespace}" if namespace else "in no namespace")
    if not found:
        return []
    listed = [f"{name} ({where})" for name, where in found.items()]
    shown_elements = ", ".join(listed[:4]) + (" ..." if len(listed) > 4 else "")
    return [
        Problem(
            shown,
            f"{_PROJECT_FILE} has REFI-QDA elements outside the namespace {NAMESPACE}, which "
            f"are not read: {shown_elements}; expected every element in that namespace "
            "(a prefixed root needs prefixed children: re-export the project)",
        )
    ]


def _count_unread(root: ET.Element, tally: Tally) -> None:
    """Count the codings that classify no excerpt: of a whole source, or in a note."""
    texts = root.findall(f"{_Q}Sources/*") + root.findall(
        f"{_Q}Sources/{_Q}PDFSource/{_Q}Representation"
    )
    for source in texts:
        whole = len(source.findall(f"{_Q}Coding"))  # directly under the source (or its text)
        if whole:
            tally.read += whole
            tally.exclude("whole-source coding", whole)
    for note in root.iter(f"{_Q}Note"):
        coded = len(note.findall(f".//{_Q}Coding"))
        if coded:
            tally.read += coded
            tally.exclude("coded note", coded)
