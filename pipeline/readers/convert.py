"""Cell conversions shared by the readers: text cells in, typed columns and Problems out.

Two layers. The `parse_*` functions (pipeline.readers.values) turn one text into one
value or raise ValueError with a short reason ("is not a number"). The column helpers
(`to_float`, `to_int`, `to_bool`, `to_code`, `to_codes`, `check_range`, ...) apply them
to a whole `Cells` column and return the typed pandas Series together with one
`Problem` per bad cell, located by spreadsheet row and by the header as written in the
export, with the offending value quoted. Readers collect the problems of every column
and raise them together.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import pandas as pd

from pipeline.errors import Problem
from pipeline.pseudonymise import IDENTIFIER_KINDS, identifier_personal_data
from pipeline.readers.common import RawTable
from pipeline.readers.text_keys import text_key
from pipeline.readers.values import (
    BOOL_EXPECTED,
    code_lookup,
    map_code,
    map_codes,
    match_choice,
    parse_bool,
    parse_int,
    parse_number,
)
from pipeline.schema import CATEGORIES

__all__ = [
    "Cells",
    "allowed_text",
    "check_present",
    "check_identifiers",
    "check_range",
    "check_unique",
    "convert",
    "region_expected",
    "remap",
    "sorted_problems",
    "to_bool",
    "to_choice",
    "to_code",
    "to_codes",
    "to_float",
    "to_int",
    "option_lookup",
    "to_text",
    "to_ticks",
    "typed_texts",
    "to_year",
]

T = TypeVar("T")

# LimeSurvey exports a ticked option as "Y" and an unticked one as "N" (or empty).
_TICKED = frozenset({"1", "x", "ja", "yes", "y", "true", "sant"})
_UNTICKED = frozenset({"0", "nej", "no", "n", "false", "falskt"})
_QUOTED_LIMIT = 60  # characters of a cell quoted in a message


# --- one column -------------------------------------------------------------------


@dataclass(frozen=True)
class Cells:
    """One column of an export together with where each cell came from.

    Attributes:
        file: How to name the file in messages.
        header: The column header as written in the export.
        text: The cells, stripped text or None, with a 0..n-1 index.
        rows: The spreadsheet row of each cell (header = row 1).
    """

    file: str
    header: str
    text: pd.Series
    rows: Sequence[int]

    @classmethod
    def of(cls, raw: RawTable, header: str) -> Cells:
        """Return the column `header` (as written) of a raw table."""
        text = pd.Series([_text_or_none(v) for v in raw.frame[header]], dtype=object)
        return cls(file=raw.display, header=header, text=text, rows=list(raw.rows))

    def problem(self, position: int, message: str) -> Problem:
        """Return a Problem located at the cell in `position` (0-based data row)."""
        return Problem(self.file, message, row=self.rows[position], column=self.header)


def _text_or_none(value: object) -> str | None:
    # pandas may hand back NaN for an empty cell; the converters expect None.
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def remap(cells: Cells, texts: Mapping[str, str] | None) -> Cells:
    """Replace answer texts by what `texts` maps them to (an empty target means missing).

    Args:
        cells: The column.
        texts: Answer text as exported -> replacement; compared with `text_key`.

    Returns:
        A new Cells; unmapped cells keep their text.
    """
    if not texts:
        return cells
    lookup = {text_key(k): (v.strip() or None) for k, v in texts.items()}
    mapped = [lookup.get(text_key(t), t) if t is not None else None for t in cells.text]
    return Cells(cells.file, cells.header, pd.Series(mapped, dtype=object), cells.rows)


def convert(
    cells: Cells, parse: Callable[[str], T], expected: str, *, original: Cells | None = None
) -> tuple[list[T | None], list[Problem]]:
    """Apply `parse` to every non-empty cell; collect one Problem per failure.

    Each distinct text is parsed once, so a column of 10 000 repeated answers costs as
    much as its distinct answers.

    Args:
        cells: The column (possibly remapped).
        parse: Turns one text into a value or raises ValueError(reason).
        expected: What the cell should hold, for the message ("a number from 0 to 100").
        original: The column before remapping, to quote what the export says.

    Returns:
        The values (None where empty or bad) and the problems.
    """
    outcome: dict[str, tuple[bool, object]] = {}
    values: list[T | None] = []
    problems: list[Problem] = []
    shown = original.text if original is not None else cells.text
    for position, text in enumerate(cells.text):
        if text is None:
            values.append(None)
            continue
        if text not in outcome:
            try:
                outcome[text] = (True, parse(text))
            except ValueError as exc:
                outcome[text] = (False, str(exc))
        ok, result = outcome[text]
        if ok:
            values.append(result)  # type: ignore[arg-type]
        else:
            values.append(None)
            written = shown.iloc[position]
            quoted = (
                quote(written) if written == text else f"{quote(written)} (mapped to {quote(text)})"
            )
            problems.append(cells.problem(position, f"{quoted} {result}; expected {expected}"))
    return values, problems


def quote(value: str) -> str:
    """A cell's text as messages quote it: repr, shortened when long.

    A pasted essay or a whole column in one cell would otherwise make one message of
    30 000 characters.
    """
    if len(value) <= _QUOTED_LIMIT:
        return repr(value)
    count = f"{len(value):,}".replace(",", " ")
    return f"{value[: _QUOTED_LIMIT - 1] + '…'!r} ({count} characters)"


def to_text(cells: Cells) -> pd.Series:
    """Return the column as pandas strings (missing where empty)."""
    return pd.Series(cells.text.tolist(), dtype="str")


def to_float(
    cells: Cells,
    expected: str,
    *,
    decimal: str | None = None,
    percent: bool = False,
    refuse_ambiguous: bool = False,
) -> tuple[pd.Series, list[Problem]]:
    """Convert a column to float64 (NaN where empty or bad).

    Args:
        cells: The column.
        expected: What the cell should hold, for messages.
        decimal: The decimal mark, as for `parse_number`.
        percent: Whether a trailing "%" is allowed.
        refuse_ambiguous: Refuse "28.100" with no decimal mark set (see `parse_number`).

    Returns:
        The values and one Problem per bad cell.
    """

    def parse(text: str) -> float:
        return parse_number(text, decimal, percent=percent, refuse_ambiguous=refuse_ambiguous)

    values, problems = convert(cells, parse, expected)
    return pd.Series(values, dtype="float64"), problems


def to_int(
    cells: Cells, expected: str, *, decimal: str | None = None
) -> tuple[pd.Series, list[Problem]]:
    """Convert a column to nullable Int64 (<NA> where empty or bad).

    Args:
        cells: The column.
        expected: What the cell should hold, for messages.
        decimal: The decimal mark, as for `parse_number`.

    Returns:
        The values and one Problem per bad cell.
    """
    values, problems = convert(cells, lambda t: parse_int(t, decimal), expected)
    return pd.Series(values, dtype="Int64"), problems


def to_bool(
    cells: Cells, texts: Mapping[str, str] | None = None
) -> tuple[pd.Series, list[Problem]]:
    """Convert a yes/no column to the nullable "boolean" dtype.

    Args:
        cells: The column.
        texts: Answer text -> a yes/no spelling, e.g. {"Ja, via NSPH": "ja"}.

    Returns:
        The values and one Problem per bad cell.
    """
    mapped = remap(cells, texts)
    values, problems = convert(mapped, parse_bool, BOOL_EXPECTED, original=cells)
    return pd.Series(values, dtype="boolean"), problems


def to_code(
    cells: Cells, category: str, texts: Mapping[str, str] | None = None, *, name: str | None = None
) -> tuple[pd.Series, list[Problem]]:
    """Convert an answer column to the codes of a category (missing where empty or bad).

    A cell may hold the code itself, its Swedish or English label, or a text that
    `texts` maps to one of those.

    Args:
        cells: The column.
        category: A key of `pipeline.schema.CATEGORIES`.
        texts: Answer text as exported -> code (the params' `values` for the column).
        name: The canonical column, for messages (default: `category`).

    Returns:
        The codes as pandas strings and one Problem per bad cell.
    """
    mapped = remap(cells, texts)
    lookup = code_lookup(category)
    values, problems = convert(
        mapped, lambda t: map_code(t, lookup), allowed_text(category, name), original=cells
    )
    return pd.Series(values, dtype="str"), problems


def to_codes(
    cells: Cells,
    category: str,
    texts: Mapping[str, str] | None = None,
    *,
    delimiter: str = ";",
    name: str | None = None,
    other: str | None = None,
    none: Collection[str] = (),
    expected: str | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Convert a delimited multi-choice column to codes joined by ";" in codebook order.

    Args:
        cells: The column.
        category: A key of `pipeline.schema.CATEGORIES`.
        texts: Option text as exported -> code, applied to each option.
        delimiter: The separator between options inside a cell.
        name: The canonical column, for messages (default: `category`).
        other: The code an option that is no known spelling stands for (the free text
            of an "other, please specify" option); None refuses such an option.
        none: The texts of a "none of these" option (any case): a cell of only such
            texts is an answer that chose none ("").
        expected: What a cell should hold, for messages (default: the codes).

    Returns:
        The joined codes (missing where empty) and one Problem per bad cell.
    """
    lookup = option_lookup(category, texts)
    order = list(CATEGORIES[category])
    none_keys = frozenset(text_key(n) for n in none)
    values, problems = convert(
        cells,
        lambda t: ";".join(map_codes(t, lookup, delimiter, order, other, none_keys)),
        expected or allowed_text(category, name),
    )
    return pd.Series(values, dtype="str"), problems


def option_lookup(category: str, texts: Mapping[str, str] | None = None) -> dict[str, str]:
    """The spellings of a category's options: codes, labels and the texts mapped to them.

    Args:
        category: A key of `pipeline.schema.CATEGORIES`.
        texts: Option text as exported -> a code or label.

    Returns:
        `text_key(spelling)` -> code.
    """
    lookup = code_lookup(category)
    for text, target in (texts or {}).items():
        if text_key(target) in lookup:
            lookup[text_key(text)] = lookup[text_key(target)]
    return lookup


def to_ticks(
    cells: Cells, option_texts: Iterable[str], *, free_text: bool = False
) -> tuple[pd.Series, list[Problem]]:
    """Convert a 0/1 option column of a multi-choice item to "boolean".

    Chosen: 1, x, ja, yes, y, true, or the option's own text (its header, code or label).
    Not chosen: 0, nej, no, n, false. Empty stays missing.

    Args:
        cells: The option's column.
        option_texts: The spellings that also mean "chosen".
        free_text: The column of an "other, please specify" option, where a tool writes
            the typed text instead of a tick: any other text is chosen too.

    Returns:
        The ticks and one Problem per bad cell.
    """
    own = {text_key(t) for t in option_texts} | {text_key(cells.header)}

    def parse(text: str) -> bool:
        key = text_key(text)
        if key in _TICKED or key in own:
            return True
        if key in _UNTICKED:
            return False
        if free_text:
            return True
        raise ValueError("is not a tick")

    values, problems = convert(cells, parse, "1/x/ja/Y when chosen, 0/nej/N or empty when not")
    return pd.Series(values, dtype="boolean"), problems


def typed_texts(cells: Cells, option_texts: Iterable[str]) -> int:
    """How many cells of an option column hold a typed text rather than a tick word.

    Args:
        cells: The option's column.
        option_texts: The spellings that mean "chosen", as for `to_ticks`.

    Returns:
        The number of such cells (their texts are not kept anywhere).
    """
    words = _TICKED | _UNTICKED | {text_key(t) for t in option_texts} | {text_key(cells.header)}
    return sum(1 for text in cells.text if text is not None and text_key(text) not in words)


def allowed_text(category: str, name: str | None = None, hint: str | None = None) -> str:
    """Return the "expected ..." phrase listing a category's codes (and a hint, if any)."""
    codes = ", ".join(CATEGORIES[category])
    more = f"; {hint}" if hint else ""
    return f"one of {codes} (or a text mapped under values.{name or category}{more})"


# --- checks on converted columns --------------------------------------------------


def check_range(
    values: pd.Series,
    cells: Cells,
    expected: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> list[Problem]:
    """Return one Problem per value outside [low, high] (or (low, high] with low_open).

    Args:
        values: The converted column, aligned with `cells`.
        cells: The raw column, for locations and the value as written.
        expected: The allowed range in words, for the message.
        low: The smallest allowed value, if any.
        high: The largest allowed value, if any.
        low_open: Whether `low` itself is excluded (salary > 0).

    Returns:
        The problems, in row order.
    """
    numbers = values.astype("float64")
    bad = pd.Series(False, index=numbers.index)
    if low is not None:
        bad |= (numbers <= low) if low_open else (numbers < low)
    if high is not None:
        bad |= numbers > high
    bad &= numbers.notna()
    return [
        cells.problem(i, f"{quote(cells.text.iloc[i])} is out of range; expected {expected}")
        for i in bad.to_numpy().nonzero()[0]
    ]


def check_present(cells: Cells, expected: str) -> list[Problem]:
    """Return one Problem per empty cell of a column that must always be filled."""
    return [
        cells.problem(i, f"is empty; expected {expected}")
        for i in cells.text.isna().to_numpy().nonzero()[0]
    ]


def check_unique(keys: pd.Series, cells: Cells, what: Callable[[int], str]) -> list[Problem]:
    """Return one Problem per repeat of a key, naming the row where it first appeared.

    Args:
        keys: One hashable key (or tuple) per row, aligned with `cells`; keys that are
            or contain a missing value are skipped.
        cells: The column the problem is reported in.
        what: Describes the key of a data row (0-based), e.g. "respondent id 'R3'".

    Returns:
        The problems, in row order.
    """
    first: dict[object, int] = {}
    problems = []
    for position, key in enumerate(keys):
        parts = key if isinstance(key, tuple) else (key,)
        if any(part is None or pd.isna(part) for part in parts):
            continue
        if key in first:
            earlier = cells.rows[first[key]]
            problems.append(
                cells.problem(position, f"{what(position)} is duplicated (also on row {earlier})")
            )
        else:
            first[key] = position
    return problems


def check_identifiers(
    cells: Cells, expected: str, name: str, *, years: pd.Series | None = None
) -> list[Problem]:
    """Ids that are empty, personal data, or repeated (ignoring case and white space).

    An id is copied into tables, snapshots and log lines, so one that is an e-mail
    address, an identity number, a phone number or a name is refused; the message names
    what it looks like and never the value. Ids are compared as `text_key` does
    ("S-12" and "s-12 " are one id); with `years`, only within the same year (a file
    holding every year may number each year's rows from 1).

    Args:
        cells: The id column.
        expected: What a cell should hold, e.g. "a respondent id".
        name: How a repeated id is named, e.g. "respondent id" ("respondent id 'R1'").
        years: Each row's year, when the file may hold several.

    Returns:
        The problems: empty cells, then personal data, then repeats, each in row order.
    """
    problems = check_present(cells, expected)
    kinds: dict[str, str | None] = {}
    for text in cells.text:
        if text is not None and text not in kinds:
            kinds[text] = identifier_personal_data(text)
    personal = [
        position
        for position, text in enumerate(cells.text)
        if text is not None and kinds[text] is not None
    ]
    problems += [
        cells.problem(
            position,
            f"looks like {IDENTIFIER_KINDS[kinds[cells.text.iloc[position]]]} (not shown "
            f"here); expected {expected} that is not personal data: a running number or a "
            "code, not a name, an e-mail address, or a phone or identity number",
        )
        for position in personal
    ]
    # 0 for "the file's one year": check_unique skips keys with a missing part.
    year_of = years.tolist() if years is not None else [0] * len(cells.text)
    skipped = set(personal)  # repeated, they would be quoted
    keys = pd.Series(
        [
            None if text is None or position in skipped else (year_of[position], text_key(text))
            for position, text in enumerate(cells.text)
        ],
        dtype=object,
    )
    return problems + check_unique(keys, cells, lambda i: f"{name} {quote(cells.text.iloc[i])}")


# --- columns every table has ------------------------------------------------------


def to_choice(
    cells: Cells,
    choices: Sequence[str],
    expected: str,
    texts: Mapping[str, str] | None = None,
    *,
    what: str = "value",
) -> tuple[pd.Series, list[Problem]]:
    """Convert a column to the spelling used in `choices` (e.g. "skåne" -> "Skåne").

    Args:
        cells: The column.
        choices: The accepted values in their canonical spelling.
        expected: What the cell should hold, for messages.
        texts: Answer text -> replacement applied first (e.g. "Region Skåne" -> "Skåne").
        what: What a choice is, for messages ("region").

    Returns:
        The values as pandas strings and one Problem per unknown or empty cell.
    """
    mapped = remap(cells, texts)

    def choose(text: str) -> str:
        try:
            return match_choice(text, choices, what)
        except ValueError as exc:
            raise ValueError(f"{exc}{_lost_zeros(text, texts)}") from None

    values, problems = convert(mapped, choose, expected, original=cells)
    return pd.Series(values, dtype="str"), problems + check_present(mapped, expected)


def _lost_zeros(text: str, texts: Mapping[str, str] | None) -> str:
    """A hint when a mapped code differs from `text` only by leading zeros (0114 and 114).

    A spreadsheet stores a kommunkod typed as a number without its leading zero.
    """
    if not text.isdigit():
        return ""
    for written in texts or {}:
        if written.isdigit() and written != text and written.lstrip("0") == text.lstrip("0"):
            return (
                f" (the mapping has {written!r}: the spreadsheet dropped the leading zero? "
                f"format the column as text, or map {text!r} too)"
            )
    return ""


def to_year(
    cells: Cells, year: int | None, *, decimal: str | None = None
) -> tuple[pd.Series, list[Problem]]:
    """Convert a year column; every cell must be filled and, if `year` is given, equal it.

    Args:
        cells: The column.
        year: The year the file is read for, if any.
        decimal: The decimal mark, as for `parse_number`.

    Returns:
        The years (Int64) and the problems.
    """
    expected = "a year such as 2021" if year is None else f"the year {year}"
    values, problems = to_int(cells, expected, decimal=decimal)
    problems += check_present(cells, expected)
    if year is not None:
        problems += [
            cells.problem(i, f"{quote(cells.text.iloc[i])} is another year; expected {expected}")
            for i in (values.notna() & (values != year)).to_numpy().nonzero()[0]
        ]
    else:
        problems += check_range(values, cells, "a year from 1900 to 2100", low=1900, high=2100)
    return values, problems


def keep_years(
    raw: RawTable,
    header: str | None,
    years: Sequence[int] | None,
    *,
    decimal: str | None = None,
) -> tuple[RawTable, list[Problem]]:
    """The rows of a file holding every year whose year is one of `years`, and a note.

    A single export of every year (its path has no `{year}`) may hold years the params
    do not report on; their rows are left out before anything else is checked, so an
    old year's answers need not meet this evaluation's rules. A year cell that is empty
    or no year stays, to be refused by the reader.

    Args:
        raw: The export.
        header: Its year column, as written; None when it has none (the reader
            refuses that for a file of every year).
        years: The years to keep (the params' years); None for a file of one year,
            which is returned as it is.
        decimal: The decimal mark, as for `parse_number`.

    Returns:
        The table of the kept rows, and at most one Problem for the run log saying how
        many rows of which years were left out.
    """
    if years is None or header is None:
        return raw, []
    wanted = set(years)
    left_out: dict[int, int] = {}
    keep = []
    for text in Cells.of(raw, header).text:
        try:
            number = parse_int(text, decimal) if text is not None else None
        except ValueError:
            number = None
        if number is None or number in wanted:
            keep.append(True)
        else:
            keep.append(False)
            left_out[number] = left_out.get(number, 0) + 1
    if not left_out:
        return raw, []
    frame = raw.frame[keep].reset_index(drop=True)
    rows = [row for row, kept in zip(raw.rows, keep, strict=True) if kept]
    count = sum(left_out.values())
    shown = ", ".join(str(y) for y in sorted(left_out))
    note = Problem(
        raw.display,
        f"{count} row{'s' if count != 1 else ''} of year{'s' if len(left_out) > 1 else ''} "
        f"{shown} not in params; ignored (column {header!r})",
    )
    return replace(raw, frame=frame, rows=rows), [note]


def sorted_problems(problems: Iterable[Problem], raw: RawTable) -> list[Problem]:
    """Order problems as the analyst reads the file: by row, then by column position.

    Args:
        problems: The problems found.
        raw: The export they refer to.

    Returns:
        File-level problems first (with, when there are any, how the file's text was
        decoded if its letters may be wrong), then row by row, left to right.
    """
    position = {header: i for i, header in enumerate(raw.frame.columns)}
    ordered = sorted(
        problems, key=lambda p: (p.row or 0, position.get(p.column, -1) if p.column else -1)
    )
    if ordered and raw.encoding_note:
        # Wrong letters make regions and answers fail; say why before the failures.
        ordered.insert(0, Problem(raw.display, raw.encoding_note))
    return ordered


def region_expected(regions: Sequence[str]) -> str:
    """Return the "expected ..." phrase for a region column."""
    return f"one of the regions {', '.join(regions)}" if regions else "a region listed in params"
