"""The population reader: the target population (people asked) per region and year.

Response rates divide the survey's respondents by these counts. Headers are renamed
through `TableOptions.columns`; every problem in the file is reported at once.
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
    check_present,
    check_range,
    check_unique,
    keep_years,
    region_expected,
    sorted_problems,
    to_choice,
    to_int,
    to_year,
)
from pipeline.readers.options import TableOptions
from pipeline.schema import POPULATION_COLUMNS

SWEDISH_POPULATION_COLUMNS: dict[str, str] = {
    "År": "year",
    "Kontext": "region",
    "Målpopulation (n)": "target_population",
}
"""Export header -> canonical column for a typical Swedish population sheet (an example)."""

_TARGET = "a whole number of people, 0 or more"
_log = logging.getLogger(__name__)
_WARNED: set[str] = set()
"""The warnings this process has logged already."""


def read_population(
    path: Path,
    options: TableOptions,
    *,
    regions: Sequence[str],
    year: int | None = None,
    display: str | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Read the target population table, or report every problem in it.

    Args:
        path: The file (.csv or .xlsx).
        options: Header mapping and CSV settings (`values["region"]` may rename regions).
        regions: The known regions; values are returned in this spelling.
        year: The evaluation year; fills a missing year column, else every row must
            equal it.
        display: How to name the file in messages (default: the path as given).
        years: For a file holding every year (its path has no `{year}`), the params'
            years: rows of other years are left out (and said in the run log), rows
            may be of any of these, and the year column is required unless `year`
            fills it (params of one year).

    Returns:
        Columns year (int64), region (str), target_population (int64), in file order.
        `attrs` holds where each row came from, for cross-checks with other files:
        "file" (as `display`), "rows" (spreadsheet rows) and "target_header" (as
        written).

    Raises:
        InputError: With one Problem per missing column, bad cell or repeated
            (year, region).
    """
    raw = read_raw_table(path, options, display)
    decimal = options.decimal if path.suffix.lower() == ".csv" else None
    required = [c for c in POPULATION_COLUMNS if not (c == "year" and year is not None)]
    headers = map_headers(raw, options, required, optional=("year",), hints=every_year_hints(years))
    problems: list[Problem] = list(headers.problems)
    if not len(raw.frame):
        problems.append(
            Problem(raw.display, "has a header but no data rows; expected one row per region")
        )
    raw, notes = keep_years(raw, headers.found.get("year"), years, decimal=decimal)
    n = len(raw.frame)
    columns: dict[str, pd.Series] = {"year": pd.Series([year] * n, dtype="Int64")}
    if "year" in headers.found:
        columns["year"], found = to_year(
            Cells.of(raw, headers.found["year"]),
            None if years is not None else year,
            decimal=decimal,
        )
        problems += found
    if "region" in headers.found:
        region = Cells.of(raw, headers.found["region"])
        columns["region"], found = to_choice(
            region, regions, region_expected(regions), options.values.get("region"), what="region"
        )
        problems += found
        problems += check_unique(
            pd.Series(list(zip(columns["year"], columns["region"], strict=True))),
            region,
            lambda i: f"region {columns['region'].iloc[i]!r} in {columns['year'].iloc[i]}",
        )
    if "target_population" in headers.found:
        target = Cells.of(raw, headers.found["target_population"])
        columns["target_population"], found = to_int(target, _TARGET, decimal=decimal)
        problems += found + check_present(target, _TARGET)
        problems += check_range(columns["target_population"], target, _TARGET, low=0)
    if problems:
        raise InputError(sorted_problems(problems, raw))
    frame = pd.DataFrame(
        {
            "year": columns["year"].astype("int64"),
            "region": columns["region"].astype("str"),
            "target_population": columns["target_population"].astype("int64"),
        }
    )
    warn_once(_log, notes, _WARNED)  # what was left out, once the rest reads
    frame.attrs = {
        "file": raw.display,
        "rows": list(raw.rows),
        "target_header": headers.found["target_population"],
    }
    return frame
