"""The interview register: one row per interview (who, where, when, how).

Columns are REGISTER_COLUMNS of pipeline.schema, found by header (ignoring case and
white space) or through `TableOptions.columns`. Category cells (group, form, mode)
may hold the code, its Swedish or English label, or a text mapped in
`TableOptions.values`; region cells may hold any spelling of a known region (or a
mapped text) and come out in the spelling of `regions`. An individual interview
may leave `participants` empty (it has one participant).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.common import every_year_hints, map_headers, read_raw_table, warn_once
from pipeline.readers.convert import (
    Cells,
    allowed_text,
    check_identifiers,
    check_present,
    check_range,
    keep_years,
    region_expected,
    sorted_problems,
    to_choice,
    to_code,
    to_int,
    to_text,
    to_year,
)
from pipeline.readers.options import TableOptions
from pipeline.schema import REGISTER_COLUMNS

_log = logging.getLogger(__name__)
_WARNED: set[str] = set()
"""The warnings this process has logged already."""

_CATEGORY_COLUMNS = ("group", "form", "mode")
_PARTICIPANTS = "a whole number >= 1"


def read_register(
    path: Path,
    options: TableOptions,
    *,
    regions: Sequence[str],
    year: int | None = None,
    display: str | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Read and validate the interview register.

    Args:
        path: A .csv or .xlsx export.
        options: Layout of the export (column and value mappings, decimal mark).
        regions: The regions the evaluation knows; every row's region must be one.
        year: The evaluation round. When given, a `year` column may be absent (every
            interview gets this year) and every year present must equal it; when
            None, the `year` column is required (a register of several rounds).
        display: How to name the file in messages (default: the path as given).
        years: For a file holding every year (its path has no `{year}`), the params'
            years: rows of other years are left out (and said in the run log), rows
            may be of any of these, and the year column is required unless `year`
            fills it (params of one year).

    Returns:
        The register with REGISTER_COLUMNS (year and participants int64), sorted by
        interview_id.

    Raises:
        InputError: Every problem found: missing columns, no rows, empty ids, ids that
            are personal data, ids repeated within a year (ignoring case and white
            space), unknown codes or regions, participants
            not a whole number >= 1, an individual interview with more than one
            participant, a year other than `year`.
    """
    raw = read_raw_table(path, options, display)
    required = [c for c in REGISTER_COLUMNS if c != "year" or year is None]
    headers = map_headers(raw, options, required, optional=("year",), hints=every_year_hints(years))
    if headers.problems:
        raise InputError(headers.problems)
    raw, notes = keep_years(raw, headers.found.get("year"), years, decimal=options.decimal)
    # A header-only register is valid: a year may have a survey but no interview round.
    cells = {name: Cells.of(raw, header) for name, header in headers.found.items()}
    problems: list[Problem] = []
    columns: dict[str, pd.Series] = {}

    if "year" in cells:
        columns["year"], found = to_year(
            cells["year"], None if years is not None else year, decimal=options.decimal
        )
        problems += found
    else:
        columns["year"] = pd.Series([year] * len(raw.frame), dtype="Int64")
    ids = cells["interview_id"]
    columns["interview_id"] = to_text(ids)
    problems += check_identifiers(
        ids, "a unique interview id", "interview_id", years=columns["year"]
    )

    columns["region"], found = to_choice(
        cells["region"],
        regions,
        region_expected(regions),
        options.values.get("region"),
        what="region",
    )
    problems += found
    for name in _CATEGORY_COLUMNS:
        columns[name], found = to_code(cells[name], name, options.values.get(name))
        problems += found + check_present(cells[name], allowed_text(name))
    columns["participants"], found = _participants(
        cells["participants"], columns["form"], options.decimal
    )
    problems += found
    if problems:
        raise InputError(sorted_problems(problems, raw))
    warn_once(_log, notes, _WARNED)  # what was left out, once the rest reads
    frame = pd.DataFrame(columns)[list(REGISTER_COLUMNS)]
    frame = frame.astype({"year": "int64", "participants": "int64"})
    return frame.sort_values("interview_id", kind="stable").reset_index(drop=True)


def _participants(
    cells: Cells, form: pd.Series, decimal: str | None
) -> tuple[pd.Series, list[Problem]]:
    values, problems = to_int(cells, _PARTICIPANTS, decimal=decimal)
    problems += check_range(values, cells, _PARTICIPANTS, low=1)
    individual = (form == "individuell").to_numpy()
    # An individual interview has one participant; the analyst need not type it.
    values = values.where(~(values.isna().to_numpy() & individual), 1)
    for i in (values.isna() & cells.text.isna()).to_numpy().nonzero()[0]:
        problems.append(cells.problem(i, f"is empty; expected {_PARTICIPANTS}"))
    for i in ((values > 1).fillna(False) & individual).to_numpy().nonzero()[0]:
        problems.append(
            cells.problem(
                i,
                f"{cells.text.iloc[i]!r}: an individual interview has 1 participant; "
                "expected 1, or form 'grupp'",
            )
        )
    return values, problems
