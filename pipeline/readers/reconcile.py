"""From codings (one code on one highlight or selection) to canonical segments, with a tally.

Every segment reader turns its export into `Coding`s and calls `combine`. Codings of
one unit (a Taguette highlight id, a REFI-QDA selection) share their factor: a factor
coding (``faktor/hindrande``) gives every theme coding of its unit that factor. In a
REFI-QDA project a selection coded only with a factor also gives its factor to the
theme codings of selections whose text range overlaps it (tools such as
qualitative-coding write one selection per code).

Nothing is dropped silently: `Tally` counts, per source file, codings read = codings
used as themes + used as factors + excluded by a named rule; a coding that lands
nowhere is an error naming the file, the row or selection, the code and the mapping
to add.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipeline.errors import Problem
from pipeline.readers.codebook import Codebook, match_key
from pipeline.readers.codes import (
    FACTOR_ONLY_EXCLUDE,
    CodeScheme,
    Meaning,
    ThemeIndex,
    classify,
    factor_choices,
)
from pipeline.schema import SEGMENT_COLUMNS


@dataclass(frozen=True)
class Coding:
    """One code on one highlight or selection, as found in an export.

    Attributes:
        document: The interview as written (interview id or document name).
        code: The code as written (theme id, label, tag or path); None when empty.
        excerpt: The coded text.
        unit: The highlight or selection it belongs to (codings of one unit share a
            factor); None makes the coding a unit of its own.
        span: (start, end) character positions in the document, when known.
        factor: An explicit factor as written (a factor column); it wins.
        parts: The code's path when the tool gives a tree; else `code` is split.
        row: The spreadsheet row (header is row 1), for tabular exports.
        element: Where the coding sits in an XML export.
        source: The XML element of its document (messages about the document).
    """

    document: str | None
    code: str | None
    excerpt: str | None
    unit: str | None = None
    span: tuple[int, int] | None = None
    factor: str | None = None
    parts: tuple[str, ...] | None = None
    row: int | None = None
    element: str | None = None
    source: str | None = None


@dataclass
class Tally:
    """How the codings of one source file were used.

    Attributes:
        file: The source file as shown in messages.
        read: Codings read.
        themes: Codings used as themes (each one segment).
        factors: Codings used as factors of other codings' segments.
        excluded: Named rule -> codings it excluded.
        duplicates: Theme codings of an excerpt and theme already coded in the file
            (several coders, a repeated row): counted once, as one segment.
        segments: Segments produced.
    """

    file: str
    read: int = 0
    themes: int = 0
    factors: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    segments: int = 0

    def exclude(self, rule: str, count: int = 1) -> None:
        """Count `count` codings excluded by `rule`."""
        self.excluded[rule] = self.excluded.get(rule, 0) + count

    @property
    def balanced(self) -> bool:
        """Whether every coding read is accounted for."""
        excluded = sum(self.excluded.values())
        return self.read == self.themes + self.factors + excluded + self.duplicates

    def line(self) -> str:
        """One line for `peer-eval validate`."""
        rules = ", ".join(_excluded(rule, n) for rule, n in sorted(self.excluded.items()))
        excluded = sum(self.excluded.values())
        detail = f" ({rules})" if rules else ""
        merged = (
            f" + {self.duplicates} duplicate coding{'s' if self.duplicates > 1 else ''} of the "
            "same excerpt (several coders or a repeated row) counted once"
            if self.duplicates
            else ""
        )
        return (
            f"{self.file}: {self.read} codings read = {self.themes} used as themes + "
            f"{self.factors} used as factors + {excluded} excluded{detail}{merged}; "
            f"{self.segments} segments"
        )


def _excluded(rule: str, count: int) -> str:
    """ "2 by codes.exclude" for a params rule; "2 whole-source codings" for a kind of coding."""
    if "." in rule:
        return f"{count} by {rule}"
    return f"{count} {rule}{'s' if count > 1 else ''}"


@dataclass(frozen=True)
class Codings:
    """What a segment format (pipeline.readers.formats) reads from one file, before `combine`.

    Attributes:
        codings: In file order.
        problems: Problems found while reading (each names its row or element).
        display: How messages name the file.
        columns: Canonical column -> the export's header, for messages about cells.
    """

    codings: list[Coding]
    problems: list[Problem]
    display: str
    columns: dict[str, str] = field(default_factory=dict)


class InterviewMatcher:
    """Finds the register's interview_id that a document name or id denotes.

    A name denotes an interview when `document_map` (params `values.interview_id`)
    maps it to one, or when it equals an interview_id; both ignoring case, white
    space and a document extension (.docx, .txt ...).
    """

    def __init__(self, register: pd.DataFrame, document_map: Mapping[str, str] | None = None):
        self._ids = {match_key(str(i)): str(i) for i in register["interview_id"]}
        self._map = {document_key(k): v for k, v in (document_map or {}).items()}

    def match(self, name: str | None) -> str | None:
        """Return the interview_id, or None when `name` denotes none."""
        if name is None:
            return None
        name = self._map.get(document_key(name), name)
        return self._ids.get(match_key(name)) or self._ids.get(document_key(name))

    def hint(self, name: str) -> str:
        """What to add so that `name` matches: the closest interview id, and the mapping."""
        ids = sorted(self._ids.values())
        close = difflib.get_close_matches(document_key(name), [i.lower() for i in ids], n=1)
        closest = next((i for i in ids if i.lower() == close[0]), None) if close else None
        target = closest or "<interview_id>"
        shown = f" (closest interview_id: {closest!r})" if closest else ""
        return (
            f"expected an interview_id of the register{shown}; map the document: "
            f"inputs.segments.values: {{interview_id: {{{name!r}: {target!r}}}}}"
        )


_DOCUMENT_SUFFIXES = (".docx", ".doc", ".odt", ".rtf", ".txt", ".pdf", ".md", ".html", ".htm")
# A REFI-QDA AudioSource or VideoSource is named after its recording (its transcript is read).
_DOCUMENT_SUFFIXES += (".mp3", ".m4a", ".wav", ".ogg", ".wma", ".mp4", ".mov", ".avi", ".mkv")


def document_key(name: str) -> str:
    """The form of a document name used to match it: no extension, lenient case and space."""
    name = name.strip()
    for suffix in _DOCUMENT_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return match_key(name)


def clean_excerpt(text: str | None) -> str:
    """Return an excerpt in canonical form: NFC, "\\n" line breaks, no surrounding space."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


@dataclass
class _Unit:
    document: str | None
    themes: list[tuple[Coding, Meaning]] = field(default_factory=list)
    factors: list[tuple[Coding, Meaning]] = field(default_factory=list)
    span: tuple[int, int] | None = None
    text: str | None = None  # the source text the span counts in (one interview may have several)
    attached: bool = False
    borrowed: list[tuple[Coding, Meaning]] = field(default_factory=list)


def combine(
    codings: Sequence[Coding],
    *,
    display: str,
    scheme: CodeScheme,
    codebook: Codebook,
    interviews: InterviewMatcher,
    tally: Tally,
    columns: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Classify codings, give theme codings their factors, and count everything.

    Args:
        codings: The codings in export order.
        display: How to name the file in messages.
        scheme: The params' code rules.
        codebook: The themes.
        interviews: Matches documents to register interviews.
        tally: Counts are added here (it may already hold exclusions the reader made).
        columns: Canonical column -> the export's header, for messages.

    Returns:
        The SEGMENT_COLUMNS table (sorted by interview, then export order) and the
        problems found (the table is meaningless when there are any).
    """
    columns = columns or {}
    index = ThemeIndex(codebook)
    problems: list[Problem] = []
    unknown: dict[str, tuple[str, str, list[Coding]]] = {}
    bad_documents: dict[str, list[Coding]] = {}
    units: dict[tuple, _Unit] = {}
    for number, coding in enumerate(codings):
        tally.read += 1
        if coding.code is None or not coding.code.strip():
            problems.append(
                _at(
                    display,
                    coding,
                    columns.get("theme"),
                    "empty theme; expected a theme id or label of the codebook",
                )
            )
            continue
        parts = coding.parts or scheme.parts(coding.code)
        meaning = classify(parts, scheme, index)
        if meaning.kind == "excluded":
            tally.exclude(str(meaning.rule))
            continue
        if meaning.kind == "unknown":
            written = scheme.written(parts)
            unknown.setdefault(match_key(written), (written, str(meaning.hint), []))[2].append(
                coding
            )
            continue
        if interviews.match(coding.document) is None:
            bad_documents.setdefault(coding.document or "", []).append(coding)
            continue
        key = (coding.document, coding.unit) if coding.unit is not None else (number,)
        unit = units.setdefault(
            key, _Unit(document=coding.document, span=coding.span, text=coding.source)
        )
        (unit.themes if meaning.kind == "theme" else unit.factors).append((coding, meaning))
    for document, found in bad_documents.items():
        first = found[0]
        if first.source is not None:
            first = Coding(document, first.code, first.excerpt, element=first.source)
            found = found[:1]
        problems.append(
            _at(
                display,
                first,
                columns.get("interview_id"),
                f"{document!r} is not an interview in the register"
                f"{_more(found)}; {interviews.hint(document)}",
            )
        )
    for written, hint, found in unknown.values():
        message = f"code {written!r}{_more(found)}: {hint}"
        problems.append(_at(display, found[0], columns.get("theme"), message))
    _attach_overlapping(units)
    found: list[tuple[tuple[str, str, str, str], Coding]] = []
    for unit in units.values():
        found += _unit_segments(
            unit, scheme, codebook, interviews, tally, display, problems, columns
        )
    records = _merge_duplicates(found, tally, display, problems)
    frame = pd.DataFrame(records, columns=list(SEGMENT_COLUMNS), dtype=object).astype("str")
    tally.segments = len(frame)
    return frame.sort_values("interview_id", kind="stable").reset_index(drop=True), problems


def _attach_overlapping(units: dict[tuple, _Unit]) -> None:
    """A factor-only unit gives its factor codings to theme units whose span overlaps it.

    Spans count in one source text, so only units of the same text can overlap.
    """
    with_themes = [u for u in units.values() if u.themes and u.span is not None]
    for unit in units.values():
        if unit.themes or not unit.factors or unit.span is None:
            continue
        start, end = unit.span
        targets = [
            u
            for u in with_themes
            if (u.document, u.text) == (unit.document, unit.text)
            and u.span[0] < end
            and start < u.span[1]
        ]
        for target in targets:
            target.borrowed += unit.factors  # counted once, with the unit they belong to
        unit.attached = bool(targets)


def _unit_segments(
    unit: _Unit,
    scheme: CodeScheme,
    codebook: Codebook,
    interviews: InterviewMatcher,
    tally: Tally,
    display: str,
    problems: list[Problem],
    columns: Mapping[str, str],
) -> list[tuple[tuple[str, str, str, str], Coding]]:
    if unit.attached:
        tally.factors += len(unit.factors)  # their factor went to the overlapping units
        return []
    factors = unit.factors + unit.borrowed
    marks = {m.factor for _, m in factors}
    if len(marks) > 1:
        written = ", ".join(repr(c.code) for c, _ in factors)
        problems.append(
            _at(
                display,
                factors[0][0],
                None,
                f"coded with the factors {written}; expected one factor per highlight or selection",
            )
        )
        return []
    mark = next(iter(marks), None)
    themes = list(unit.themes)
    if not themes and unit.factors:
        first = unit.factors[0][0]
        if scheme.factor_only == FACTOR_ONLY_EXCLUDE:
            tally.exclude("codes.factor_only", len(unit.factors))
            return []
        if scheme.factor_only is None or codebook.resolve(scheme.factor_only) is None:
            fix = (
                "add a theme code to it in the analysis tool, or set inputs.segments.codes: "
                "{factor_only: exclude} (or a theme id it counts under)"
            )
            if scheme.factor_only is not None:
                fix = (
                    f"codes.factor_only is {scheme.factor_only!r}, which is neither 'exclude' "
                    "nor a theme id or label of the codebook"
                )
            message = f"coded only with the factor code {first.code!r} and no theme; {fix}"
            problems.append(_at(display, first, None, message))
            return []
        theme = codebook.resolve(scheme.factor_only)
        themes = [(first, Meaning("theme", theme=theme))]
        tally.factors += len(unit.factors)
        tally.themes -= 1  # counted below as a theme; the coding is a factor coding
    elif unit.factors:
        tally.factors += len(unit.factors)
    records = []
    for coding, meaning in themes:
        tally.themes += 1
        factor = meaning.factor
        if mark is not None and factor is not None and factor != mark:
            problems.append(
                _at(
                    display,
                    coding,
                    None,
                    f"code {coding.code!r} carries the factor "
                    f"{factor!r} but its highlight or selection is coded {mark!r}; expected "
                    "one factor",
                )
            )
            continue
        factor = factor or mark or "neutral"
        if coding.factor is not None:
            explicit = scheme.factor(coding.factor)
            if explicit is None:
                problems.append(
                    _at(
                        display,
                        coding,
                        columns.get("factor"),
                        f"{coding.factor!r} is not a factor; "
                        f"expected one of {factor_choices()} (or map it under values.factor)",
                    )
                )
                continue
            factor = explicit
        excerpt = clean_excerpt(coding.excerpt)
        if not excerpt:
            problems.append(
                _at(
                    display,
                    coding,
                    columns.get("excerpt"),
                    "empty excerpt; expected the coded text",
                )
            )
            continue
        interview = interviews.match(coding.document)
        records.append(((str(interview), str(meaning.theme), factor, excerpt), coding))
    return records


def _merge_duplicates(
    found: list[tuple[tuple[str, str, str, str], Coding]],
    tally: Tally,
    display: str,
    problems: list[Problem],
) -> list[tuple[str, str, str, str]]:
    """One segment per excerpt and theme: the same coding twice in one file counts once.

    Several coders (two Codings of one selection, or two selections of the same range),
    or a row repeated in a table, code one excerpt twice; counted twice it would double
    the theme's weight, as a source listed twice would (refused in pipeline.inputs).
    The same excerpt is the same text of an interview, and in a REFI-QDA project also
    the same range of the same source text (one sentence said twice is two excerpts).
    Two codings that disagree on the factor are an error: which one holds is the
    analysts' call.
    """
    kept: dict[tuple, tuple[tuple[str, str, str, str], Coding]] = {}
    for record, coding in found:
        interview, theme, factor, excerpt = record
        key = (interview, theme, excerpt, coding.source, coding.span)
        first = kept.setdefault(key, (record, coding))
        if first[1] is coding:
            continue
        if first[0][2] != factor:
            problems.append(
                _at(
                    display,
                    coding,
                    None,
                    f"the excerpt is coded {theme!r} also at {_where(first[1])}, with the "
                    f"factor {first[0][2]!r} there and {factor!r} here; expected one factor "
                    "for one excerpt and theme (the coders disagree)",
                )
            )
            continue
        tally.themes -= 1
        tally.duplicates += 1
    return [record for record, _ in kept.values()]


def _where(coding: Coding) -> str:
    if coding.element is not None:
        return coding.element
    return f"row {coding.row}" if coding.row is not None else "another coding"


def _more(found: list[Coding]) -> str:
    if len(found) < 2:
        return ""
    rows = [c.row for c in found if c.row is not None]
    if rows:
        shown = ", ".join(map(str, rows[:8])) + (" ..." if len(rows) > 8 else "")
        return f" (rows {shown})"
    return f" ({len(found)} codings)"


def _at(display: str, coding: Coding, column: str | None, message: str) -> Problem:
    if coding.element is not None:
        return Problem(display, f"{coding.element}: {message}")
    return Problem(display, message, row=coding.row, column=column)
