"""Reading a tabular export (.csv or .xlsx) into text cells with spreadsheet row numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.options import TableOptions

_FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True)
class RawTable:
    """An export as the analyst sees it: every cell as stripped text or None.

    Attributes:
        display: How to name the file in messages.
        frame: One column per header (headers as written), values str or None.
        rows: For each frame row, its row number in the spreadsheet (header = 1).
    """

    display: str
    frame: pd.DataFrame
    rows: list[int]


def read_raw_table(path: Path, options: TableOptions, display: str | None = None) -> RawTable:
    """Read a .csv or .xlsx export into a RawTable, or stop with an InputError.

    Args:
        path: The file to read.
        options: Encoding, delimiter and sheet options (others are used later).
        display: How to name the file in messages (default: the path as given).

    Returns:
        The table with text cells; fully empty rows are dropped.

    Raises:
        InputError: Missing, empty or unreadable file, or duplicated headers.
    """
    shown = display or str(path)
    if not path.is_file():
        raise InputError(Problem(shown, "file not found"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, records = _read_csv(path, options, shown)
    elif suffix in (".xlsx", ".xlsm"):
        header, records = _read_xlsx(path, options, shown)
    else:
        raise InputError(Problem(shown, f"unsupported file type {suffix!r}; expected .csv or .xlsx"))
    header = [_clean(h) or "" for h in header]
    if not any(header):
        raise InputError(Problem(shown, "file is empty; expected a header row"))
    problems = [
        Problem(shown, f"duplicated column header {h!r}", row=1, column=h)
        for i, h in enumerate(header)
        if h and h.casefold() in {x.casefold() for x in header[:i]}
    ]
    if problems:
        raise InputError(problems)
    kept, rows = [], []
    for number, record in records:
        cells = [_clean(v) for v in record]
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise InputError(
                Problem(shown, f"has {len(cells)} fields but the header has {len(header)}; "
                        "check the delimiter", row=number)
            )
        cells = (cells + [None] * len(header))[: len(header)]
        if any(c is not None for c in cells):
            kept.append(cells)
            rows.append(number)
    frame = pd.DataFrame(kept, columns=header, dtype=object)
    return RawTable(display=shown, frame=frame, rows=rows)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _decode(data: bytes, options: TableOptions, shown: str) -> str:
    if options.encoding:
        try:
            return data.decode(options.encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(shown, f"is not valid {options.encoding} text (byte {exc.start})")
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Swedish Excel on Windows saves CSV as Windows-1252; every byte decodes there
        # except five undefined ones, which mean the file is not text at all.
        try:
            return data.decode(_FALLBACK_ENCODING)
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(shown, "is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8")
            ) from exc


def _read_csv(path: Path, options: TableOptions, shown: str):
    text = _decode(path.read_bytes(), options, shown)
    if not text.strip():
        raise InputError(Problem(shown, "file is empty; expected a header row"))
    delimiter = options.delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise InputError(Problem(shown, f"is not valid CSV: {exc}", row=reader.line_num)) from exc
    # Spreadsheet row numbers: csv.reader counts physical lines, which differ from
    # records only when a quoted cell holds a line break; use the record index.
    header = lines[0][1]
    return header, [(i + 2, row) for i, (_, row) in enumerate(lines[1:])]


def _sniff_delimiter(text: str) -> str:
    first = text.splitlines()[0]
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_xlsx(path: Path, options: TableOptions, shown: str):
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(Problem(shown, f"is not a readable .xlsx workbook ({exc})")) from exc
    try:
        sheet = _pick_sheet(book, options.sheet, shown)
        values = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not values:
        raise InputError(Problem(shown, "worksheet is empty; expected a header row"))
    return list(values[0]), [(i + 2, list(r)) for i, r in enumerate(values[1:])]


def _pick_sheet(book, sheet: str | int | None, shown: str):
    if sheet is None:
        return book.worksheets[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(book.worksheets):
            return book.worksheets[sheet]
        raise InputError(Problem(shown, f"has no worksheet number {sheet}"))
    if sheet in book.sheetnames:
        return book[sheet]
    raise InputError(Problem(shown, f"has no worksheet {sheet!r}; found {book.sheetnames}"))
