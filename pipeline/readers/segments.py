"""Coded interview segments: one row per coded excerpt (SEGMENT_COLUMNS).

Three layouts are read, chosen by file suffix and headers:

* **Canonical** `.csv`/`.xlsx` with the columns interview_id, theme, factor, excerpt
  (or an export's own headers mapped through `TableOptions.columns`). An empty or
  absent factor means `neutral`.
* **Taguette's highlights export** (`.csv`/`.xlsx` with the headers id, document,
  tag, content), recognised by those headers. Taguette writes one row per highlight
  and tag; a highlight without tags (empty tag) is skipped. A tag names its theme
  (theme id, Swedish or English label, or a text mapped in `values["theme"]`), and
  carries its factor in one of two ways:

  - a suffix after the last "/": ``implementering.handledning/hindrande`` or
    ``Handledning/Främjande``;
  - a separate tag that is only a factor (``hindrande``, ``Främjande``,
    ``Promoting`` ...) on the same highlight (same id): it sets the factor of the
    highlight's other tags.

  An added `factor` column takes precedence over both. Without any, the factor is
  `neutral`. `document` is the interview: mapped through `source_map` (document
  name -> interview_id), else the document name itself (ignoring case, white space
  and an extension such as .docx or .txt) must be an interview_id.
* **REFI-QDA projects** (`.qdpx`, from NVivo, ATLAS.ti, MAXQDA, QualCoder):
  see pipeline.readers.qdpx.

In every layout, a code mapped to an empty text in `values["theme"]` (or a qdpx
`code_map`) is not a theme, and its codings are skipped: that is how tags used for
other purposes ("bra citat") are left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.codebook import Codebook, match_key
from pipeline.readers.common import RawTable, map_headers, read_raw_table
from pipeline.readers.convert import code_lookup
from pipeline.readers.options import TableOptions
from pipeline.schema import CATEGORIES, SEGMENT_COLUMNS

FACTOR_SEPARATOR = "/"
"""Separates a tag's theme from its factor: "implementering.handledning/hindrande"."""

_TAGUETTE_COLUMNS = ("id", "document", "tag", "content")
_FACTORS = code_lookup("factor")
_DOCUMENT_SUFFIX = re.compile(r"\.(docx?|odt|rtf|txt|pdf|md|html?)$", re.IGNORECASE)


@dataclass(frozen=True)
class CodedSegment:
    """One coding as found in an export, before validation.

    Attributes:
        document: The interview as written (interview id or document name).
        code: The code as written (theme id, label or tag); None when empty.
        factor: The factor as written; None means neutral.
        excerpt: The coded text.
        row: The spreadsheet row (header is row 1), for tabular exports.
        element: Where the coding sits in an XML export, e.g.
            "TextSource 'STO-01' PlainTextSelection {guid}".
    """

    document: str | None
    code: str | None
    factor: str | None
    excerpt: str | None
    row: int | None = None
    element: str | None = None


def read_segments(
    path: Path,
    options: TableOptions,
    *,
    codebook: Codebook,
    register: pd.DataFrame,
    source_map: Mapping[str, str] | None = None,
    display: str | None = None,
) -> pd.DataFrame:
    """Read and validate coded segments from a canonical table, Taguette or REFI-QDA.

    Args:
        path: A .csv, .xlsx or .qdpx file.
        options: Layout of a table export; `values["theme"]` maps codes to theme ids
            (also for .qdpx), `values["factor"]` maps factor texts to factor codes.
        codebook: The themes codes must belong to.
        register: The interview register (REGISTER_COLUMNS); every segment's
            interview must be in it.
        source_map: Document name -> interview_id, for exports that name documents.
        display: How to name the file in messages (default: the path as given).

    Returns:
        SEGMENT_COLUMNS, interview_id in the register's spelling, sorted by
        interview_id and then by order in the export.

    Raises:
        InputError: Every problem found (see `build_segments`), or an unreadable file.
    """
    if path.suffix.lower() == ".qdpx":
        # Imported here because the qdpx reader builds on this module.
        from pipeline.readers.qdpx import read_qdpx

        return read_qdpx(
            path,
            codebook=codebook,
            register=register,
            code_map=options.values.get("theme"),
            source_map=source_map,
            display=display,
        )
    raw = read_raw_table(path, options, display)
    found = map_headers(raw, options, (), optional=SEGMENT_COLUMNS).found
    taguette = map_headers(raw, TableOptions(), (), optional=_TAGUETTE_COLUMNS).found
    if "interview_id" in found or "theme" in found:
        segments, columns = _canonical(raw, options)
    elif all(c in taguette for c in _TAGUETTE_COLUMNS[1:]):
        segments, columns = _taguette(raw, options)
    else:
        raise InputError(
            Problem(
                raw.display,
                f"unrecognised layout: found columns {list(raw.frame.columns)}; "
                "expected interview_id, theme, factor, excerpt (or Taguette's id, document, "
                "tag, content)",
                row=1,
            )
        )
    return build_segments(
        segments,
        display=raw.display,
        codebook=codebook,
        register=register,
        source_map=source_map,
        theme_map=options.values.get("theme"),
        factor_map=options.values.get("factor"),
        columns=columns,
    )


def build_segments(
    segments: Sequence[CodedSegment],
    *,
    display: str,
    codebook: Codebook,
    register: pd.DataFrame,
    source_map: Mapping[str, str] | None = None,
    theme_map: Mapping[str, str] | None = None,
    factor_map: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Validate codings from any export and return the canonical segment table.

    Args:
        segments: The codings in export order.
        display: How to name the file in messages.
        codebook: The themes codes must belong to.
        register: The interview register.
        source_map: Document name -> interview_id.
        theme_map: Code as written -> theme id; an empty theme id skips the code.
        factor_map: Factor as written -> factor code.
        columns: Canonical column -> the export's header, for messages.

    Returns:
        SEGMENT_COLUMNS sorted by interview_id, then export order. Excerpts are
        stripped, in Unicode NFC and with "\\n" line breaks.

    Raises:
        InputError: One problem per empty or unknown interview, unknown factor or
            empty excerpt, and ONE problem listing every code not in the codebook.
    """
    interviews = InterviewMatcher(register, source_map)
    themes = {match_key(k): v for k, v in (theme_map or {}).items()}
    problems: list[Problem] = []
    missing: dict[str, tuple[str, list[CodedSegment]]] = {}
    records: list[tuple[str, str, str, str]] = []
    for segment in segments:

        def problem(column: str, message: str, segment: CodedSegment = segment) -> None:
            problems.append(_locate(display, segment, (columns or {}).get(column), message))

        code = segment.code
        mapped = themes.get(match_key(code)) if code is not None else None
        if mapped is not None and not mapped.strip():
            continue  # mapped to nothing: a code that is not a theme
        interview = interviews.match(segment.document)
        if interview is None:
            problem(
                "interview_id",
                f"{_shown(segment.document)} is not an interview in the "
                "register; expected an interview_id of the register",
            )
        theme = codebook.resolve(mapped if mapped is not None else code) if code else None
        if code is None:
            problem("theme", "empty theme; expected a theme id or label of the codebook")
        elif theme is None:
            written = mapped if mapped is not None else code
            # "Lön" and "lön" are one missing code; keep the first spelling for the message.
            missing.setdefault(match_key(written), (written, []))[1].append(segment)
        factor = factor_code(segment.factor, factor_map)
        if factor is None:
            problem(
                "factor",
                f"{_shown(segment.factor)} is not a factor; expected one of "
                f"{', '.join(CATEGORIES['factor'])}",
            )
        excerpt = clean_excerpt(segment.excerpt)
        if not excerpt:
            problem("excerpt", "empty excerpt; expected the coded text")
        if interview and theme and factor and excerpt:
            records.append((interview, theme, factor, excerpt))
    if missing:
        problems.append(_missing_codes(display, missing, (columns or {}).get("theme")))
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(records, columns=list(SEGMENT_COLUMNS), dtype=object).astype("str")
    return frame.sort_values("interview_id", kind="stable").reset_index(drop=True)


def factor_code(text: str | None, mapping: Mapping[str, str] | None = None) -> str | None:
    """Return the factor code that `text` denotes, or None when it denotes none.

    An absent factor (None) is `neutral`. A text denotes a factor when it is the code,
    its Swedish or English label ("Främjande", "Hindering"), or a text that `mapping`
    maps to one of those; case and white space do not matter.
    """
    if text is None:
        return "neutral"
    mapped = {match_key(k): v for k, v in (mapping or {}).items()}.get(match_key(text), text)
    return _FACTORS.get(match_key(mapped))


def clean_excerpt(text: str | None) -> str:
    """Return an excerpt in canonical form: NFC, "\\n" line breaks, no surrounding space."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


class InterviewMatcher:
    """Finds the register's interview_id that a document name or id denotes.

    A name denotes an interview when `source_map` maps it to one, or when it equals an
    interview_id; both ignoring case, white space and a document extension (.docx,
    .txt ...).
    """

    def __init__(self, register: pd.DataFrame, source_map: Mapping[str, str] | None = None):
        self._ids = {match_key(str(i)): str(i) for i in register["interview_id"]}
        self._map = {_document_key(k): v for k, v in (source_map or {}).items()}

    def match(self, name: str | None) -> str | None:
        """Return the interview_id, or None when `name` denotes none."""
        if name is None:
            return None
        name = self._map.get(_document_key(name), name)
        return self._ids.get(match_key(name)) or self._ids.get(_document_key(name))


def _document_key(name: str) -> str:
    return match_key(_DOCUMENT_SUFFIX.sub("", name.strip()))


def _shown(text: str | None) -> str:
    return "empty cell" if text is None else repr(text)


def _locate(display: str, segment: CodedSegment, column: str | None, message: str) -> Problem:
    if segment.element is not None:
        return Problem(display, f"{segment.element}: {message}")
    return Problem(display, message, row=segment.row, column=column)


def _missing_codes(
    display: str, missing: dict[str, tuple[str, list[CodedSegment]]], column: str | None
) -> Problem:
    parts = []
    for key in sorted(missing):
        code, segments = missing[key]
        rows = [s.row for s in segments if s.row is not None]
        if rows:
            where = f"row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}"
        else:
            where = f"{len(segments)} coding{'s' if len(segments) > 1 else ''}"
        parts.append(f"{code!r} ({where})")
    return Problem(
        display,
        f"{len(missing)} code{'s are' if len(missing) > 1 else ' is'} not in the codebook: "
        f"{'; '.join(parts)}; expected theme ids or labels of the codebook (add them to "
        "the codebook, or map them to a theme id in the theme value mapping)",
        column=column,
    )


def _canonical(raw: RawTable, options: TableOptions) -> tuple[list[CodedSegment], dict]:
    mapped = map_headers(raw, options, ("interview_id", "theme", "excerpt"), optional=("factor",))
    if mapped.problems:
        raise InputError(mapped.problems)
    headers = mapped.found
    segments = [
        CodedSegment(
            document=cells[headers["interview_id"]],
            code=cells[headers["theme"]],
            factor=cells[headers["factor"]] if "factor" in headers else None,
            excerpt=cells[headers["excerpt"]],
            row=row,
        )
        for row, cells in zip(raw.rows, raw.frame.to_dict("records"), strict=True)
    ]
    return segments, headers


def _taguette(raw: RawTable, options: TableOptions) -> tuple[list[CodedSegment], dict]:
    found = map_headers(raw, TableOptions(), (), optional=(*_TAGUETTE_COLUMNS, "factor")).found
    factor_map = options.values.get("factor")
    rows = list(zip(raw.rows, raw.frame.to_dict("records"), strict=True))
    # A tag that is only a factor marks the highlight (same id) it is attached to.
    marks: dict[str, tuple[str, int]] = {}
    conflicts: list[Problem] = []
    for row, cells in rows:
        tag, highlight = cells[found["tag"]], _highlight(cells, found)
        if tag is None or highlight is None or not _is_factor(tag, factor_map):
            continue
        if highlight in marks and factor_code(marks[highlight][0], factor_map) != factor_code(
            tag, factor_map
        ):
            conflicts.append(
                Problem(
                    raw.display,
                    f"highlight {highlight} has the factor tags "
                    f"{marks[highlight][0]!r} (row {marks[highlight][1]}) and {tag!r}; "
                    "expected one factor per highlight",
                    row=row,
                    column=found["tag"],
                )
            )
        marks.setdefault(highlight, (tag, row))
    if conflicts:
        raise InputError(conflicts)
    segments = []
    for row, cells in rows:
        tag, highlight = cells[found["tag"]], _highlight(cells, found)
        if tag is None or _is_factor(tag, factor_map):
            continue  # an untagged highlight, or a factor mark handled above
        code, factor = _split_tag(tag, factor_map)
        if factor is None and highlight in marks:
            factor = marks[highlight][0]
        if "factor" in found and cells[found["factor"]] is not None:
            factor = cells[found["factor"]]
        segments.append(
            CodedSegment(
                document=cells[found["document"]],
                code=code,
                factor=factor,
                excerpt=cells[found["content"]],
                row=row,
            )
        )
    columns = {
        "interview_id": found["document"],
        "theme": found["tag"],
        "factor": found.get("factor", found["tag"]),
        "excerpt": found["content"],
    }
    return segments, columns


def _is_factor(text: str, factor_map: Mapping[str, str] | None) -> bool:
    return factor_code(text, factor_map) is not None


def _highlight(cells: dict[str, str | None], found: dict[str, str]) -> str | None:
    return cells[found["id"]] if "id" in found else None


def _split_tag(tag: str, factor_map: Mapping[str, str] | None) -> tuple[str, str | None]:
    code, separator, suffix = tag.rpartition(FACTOR_SEPARATOR)
    if separator and code.strip() and _is_factor(suffix, factor_map):
        return code.strip(), suffix.strip()
    return tag, None
