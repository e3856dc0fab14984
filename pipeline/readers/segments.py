"""Coded interview segments: one row per coded excerpt (SEGMENT_COLUMNS).

Three layouts are read, chosen by file suffix (the formats are registered in
pipeline.readers.formats) and headers:

* **Canonical** `.csv`/`.xlsx` with the columns interview_id, theme, factor, excerpt
  (or an export's own headers mapped through `TableOptions.columns`). An empty or
  absent factor means `neutral`.
* **Taguette's highlights export** (`.csv`/`.xlsx` with the headers id, document,
  tag, content), recognised by those headers. Taguette writes one row per highlight
  and tag, so each row is one coding; rows of one highlight (same id) share their
  factor. A highlight without tags (empty tag) is counted as excluded.
* **REFI-QDA projects** (`.qdpx`, from NVivo, ATLAS.ti, MAXQDA, QualCoder,
  qualitative-coding): see pipeline.readers.qdpx; the tables: pipeline.readers.segment_tables.

How a code (a tag such as ``bidrag_brukare/isolering`` or ``faktor/hindrande``)
becomes a theme or a factor is the same for every layout: pipeline.readers.codes.
How codings become segments, and the tally `peer-eval validate` prints:
pipeline.readers.reconcile. A document is matched to the register through
`values.interview_id` (document name -> interview_id), else by its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.readers.codebook import Codebook
from pipeline.readers.codes import CodeScheme
from pipeline.readers.formats import SEGMENT_FORMATS
from pipeline.readers.options import TableOptions
from pipeline.readers.reconcile import (
    Coding,
    InterviewMatcher,
    Tally,
    clean_excerpt,
    combine,
    document_key,
)

__all__ = [
    "Coding",
    "InterviewMatcher",
    "SegmentSource",
    "Tally",
    "clean_excerpt",
    "document_key",
    "factor_code",
    "read_qdpx",
    "read_segment_source",
    "read_segments",
    "scheme_from_options",
]


@dataclass(frozen=True)
class SegmentSource:
    """The segments of one source file and how its codings were used.

    Attributes:
        frame: SEGMENT_COLUMNS.
        tally: Codings read = used as themes + used as factors + excluded.
    """

    frame: pd.DataFrame
    tally: Tally


def scheme_from_options(options: TableOptions, scheme: CodeScheme | None = None) -> CodeScheme:
    """The code scheme with the options' `values.theme` and `values.factor` tables."""
    base = scheme or CodeScheme()
    return CodeScheme(
        separator=base.separator,
        themes=base.themes,
        factors=base.factors,
        match=base.match,
        exclude=base.exclude,
        factor_only=base.factor_only,
        theme_map=dict(options.values.get("theme", {})),
        factor_map=dict(options.values.get("factor", {})),
    )


def read_segments(
    path: Path,
    options: TableOptions,
    *,
    codebook: Codebook,
    register: pd.DataFrame,
    source_map: Mapping[str, str] | None = None,
    display: str | None = None,
    scheme: CodeScheme | None = None,
) -> pd.DataFrame:
    """Read and validate coded segments from a canonical table, Taguette or REFI-QDA.

    Args:
        path: A .csv, .xlsx or .qdpx file.
        options: Layout of a table export; `values["theme"]` maps codes to theme ids,
            `values["factor"]` factor texts to factor codes and `values["interview_id"]`
            document names to interview ids (for every layout).
        codebook: The themes codes must belong to.
        register: The interview register (REGISTER_COLUMNS); every segment's
            interview must be in it.
        source_map: Document name -> interview_id (added to `values["interview_id"]`).
        display: How to name the file in messages (default: the path as given).
        scheme: How code paths map onto themes and factors (default: by path, factors
            recognised by name).

    Returns:
        SEGMENT_COLUMNS, interview_id in the register's spelling, sorted by
        interview_id and then by order in the export.

    Raises:
        InputError: Every problem found, or an unreadable file.
    """
    return read_segment_source(
        path,
        options,
        codebook=codebook,
        register=register,
        source_map=source_map,
        display=display,
        scheme=scheme,
    ).frame


def read_segment_source(
    path: Path,
    options: TableOptions,
    *,
    codebook: Codebook,
    register: pd.DataFrame,
    source_map: Mapping[str, str] | None = None,
    display: str | None = None,
    scheme: CodeScheme | None = None,
) -> SegmentSource:
    """Like `read_segments`, and also return the tally of how codings were used."""
    full = scheme_from_options(options, scheme)
    documents = {**options.values.get("interview_id", {}), **(source_map or {})}
    interviews = InterviewMatcher(register, documents)
    shown = display or str(path)
    tally = Tally(file=shown)
    source = SEGMENT_FORMATS.for_path(path).read(
        path, options, display=shown, separator=full.separator, tally=tally
    )
    shown = source.display
    frame, found = combine(
        source.codings,
        display=shown,
        scheme=full,
        codebook=codebook,
        interviews=interviews,
        tally=tally,
        columns=source.columns,
    )
    problems = source.problems + found
    if problems:
        # In file order: row problems by row, then those of XML elements.
        raise InputError(sorted(problems, key=lambda p: (p.row is None, p.row or 0)))
    return SegmentSource(frame=frame, tally=tally)


def factor_code(text: str | None, mapping: Mapping[str, str] | None = None) -> str | None:
    """Return the factor code that `text` denotes, or None when it denotes none.

    An absent factor (None) is `neutral`. A text denotes a factor when it is the code,
    its Swedish or English label ("Främjande", "Hindering"), or a text that `mapping`
    maps to one of those; case and white space do not matter.
    """
    return CodeScheme(factor_map=dict(mapping or {})).factor(text)


def read_qdpx(
    path: Path,
    *,
    codebook: Codebook,
    register: pd.DataFrame,
    code_map: Mapping[str, str] | None = None,
    source_map: Mapping[str, str] | None = None,
    display: str | None = None,
) -> pd.DataFrame:
    """Read a REFI-QDA project as canonical segments (see `read_segments`).

    Args:
        path: The .qdpx file.
        codebook: The themes codes must belong to.
        register: The interview register; every coded source must be an interview.
        code_map: Code name or path -> theme id; "" excludes the code.
        source_map: Source name -> interview_id.
        display: How to name the file in messages (default: the path as given).

    Returns:
        SEGMENT_COLUMNS sorted by interview_id, then source order and position.
    """
    return read_segments(
        path,
        TableOptions(values={"theme": dict(code_map or {})}),
        codebook=codebook,
        register=register,
        source_map=source_map,
        display=display,
    )
