"""Reading a tabular export (.csv or .xlsx) into text cells with spreadsheet row numbers."""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.options import TableOptions
from pipeline.readers.safety import (
    check_file_size,
    check_row,
    current_limits,
    open_archive,
    openpyxl_parses_with_defusedxml,
    read_member,
)
from pipeline.readers.text_keys import text_key

_FALLBACK_ENCODING = "cp1252"
_DELIMITERS = (";", ",", "\t")
_ZIP_MAGIC = b"PK\x03\x04"


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
        InputError: Missing, empty, binary or undecodable file; a workbook named .csv;
            all headers in one column (wrong delimiter; the message lists the headers
            and the delimiter that fits); duplicated headers; a row with more fields
            than the header.
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
        raise InputError(
            Problem(shown, f"unsupported file type {suffix!r}; expected .csv or .xlsx")
        )
    header = [_clean(h) or "" for h in header]
    if not any(header):
        raise InputError(Problem(shown, "file is empty; expected a header row"))
    _check_single_column(header, suffix, options, shown)
    problems = [
        Problem(shown, f"duplicated column header {h!r}", row=1, column=h)
        for i, h in enumerate(header)
        if h and text_key(h) in {text_key(x) for x in header[:i]}
    ]
    if problems:
        raise InputError(problems)
    kept, rows = [], []
    for number, record in records:
        cells = [_clean(v) for v in record]
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise InputError(
                Problem(
                    shown,
                    f"has {len(cells)} fields but the header has {len(header)} "
                    f"({_quoted(header)}); check the delimiter",
                    row=number,
                )
            )
        cells = (cells + [None] * len(header))[: len(header)]
        if any(c is not None for c in cells):
            kept.append(cells)
            rows.append(number)
    frame = pd.DataFrame(kept, columns=header, dtype=object)
    return RawTable(display=shown, frame=frame, rows=rows)


@dataclass(frozen=True)
class HeaderMap:
    """Which export header holds which canonical column.

    Attributes:
        found: Canonical column -> header as written in the export.
        problems: Missing required columns and headers that collide.
    """

    found: dict[str, str]
    problems: list[Problem]


def map_headers(
    raw: RawTable,
    options: TableOptions,
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    reserved: Iterable[str] = (),
) -> HeaderMap:
    """Match the export's headers to canonical column names through `options.columns`.

    A header matches a canonical name when `options.columns` maps it there or when it
    is the canonical name itself; both comparisons ignore case and surrounding or
    repeated white space. Headers that match nothing are ignored (exports carry
    time stamps and other extras).

    Args:
        raw: The export.
        options: Holds the header mapping.
        required: Canonical columns that must be present.
        optional: Canonical columns taken when present.
        reserved: Headers used otherwise (e.g. multi-choice option columns); skipped.

    Returns:
        The matches, and one Problem per missing required column (naming the expected
        canonical name and how to map it) or per header that repeats a match.
    """
    wanted = list(dict.fromkeys([*required, *optional]))
    by_key = {text_key(name): name for name in wanted}
    mapped = {text_key(k): v for k, v in options.columns.items()}
    skip = {text_key(h) for h in reserved}
    found: dict[str, str] = {}
    problems = []
    for header in raw.frame.columns:
        key = text_key(header)
        if not key or key in skip:
            continue
        name = mapped.get(key) or by_key.get(key)
        if name not in wanted:
            continue
        if name in found:
            problems.append(
                Problem(
                    raw.display,
                    f"also holds {name!r}, like column {found[name]!r}; keep or map only one",
                    row=1,
                    column=header,
                )
            )
        else:
            found[name] = header
    headers = [h for h in raw.frame.columns if h]
    for name in required:
        if name not in found:
            problems.append(Problem(raw.display, _missing(name, options, headers), row=1))
    return HeaderMap(found=found, problems=problems)


def _missing(name: str, options: TableOptions, headers: list[str]) -> str:
    expected = [h for h, target in options.columns.items() if target == name]
    if expected:
        message = (
            f"no column for {name!r}; expected a header {_quoted(expected, ' or ')} "
            f"(mapped to {name!r} under columns)"
        )
    else:
        message = (
            f"no column for {name!r}; expected a header {name!r}, "
            f"or map the export's header to {name!r} under columns"
        )
    keys = {text_key(h): h for h in headers}
    close = difflib.get_close_matches(
        text_key(expected[0] if expected else name), list(keys), n=1, cutoff=0.8
    )
    if close:
        message += f"; closest header found: {keys[close[0]]!r}"
    return message


def _quoted(values: Iterable[str], joiner: str = ", ") -> str:
    return joiner.join(repr(v) for v in values)


def _check_single_column(header: list[str], suffix: str, options: TableOptions, shown: str):
    # An export read with the wrong delimiter arrives as one column whose header still
    # contains the real separators; say so instead of listing every column as missing.
    if len([h for h in header if h]) != 1:
        return
    only = next(h for h in header if h)
    counts = {d: only.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if not counts[best]:
        return
    shown_delimiter = "tab" if best == "\t" else repr(best)
    found = _quoted(part.strip() for part in only.split(best))
    if suffix == ".csv":
        used = options.delimiter or best
        advice = (
            f"the file seems to be separated by {shown_delimiter}, not {used!r}; "
            f"set delimiter: {best!r} in the input's options (or leave it unset to detect it)"
            if used != best
            else "check the delimiter"
        )
    else:
        advice = (
            f"the worksheet holds delimited text separated by {shown_delimiter}; "
            "split it into columns (Data > Text to Columns) or export it as .csv"
        )
    raise InputError(Problem(shown, f"all headers are in one column ({found}); {advice}", row=1))


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
            codecs.lookup(options.encoding)
        except LookupError:
            raise InputError(
                Problem(
                    shown,
                    f"unknown encoding {options.encoding!r} in the input's options; "
                    "expected e.g. utf-8 or cp1252 (or leave it unset to detect it)",
                )
            ) from None
        try:
            return data.decode(options.encoding)
        except UnicodeDecodeError as exc:
            raise InputError(Problem(shown, _undecodable(data, exc, options.encoding))) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(shown, "is not valid UTF-16 text")) from exc
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


def _undecodable(data: bytes, exc: UnicodeDecodeError, encoding: str) -> str:
    """Say where a file stops being `encoding` text, and what the bytes may have meant."""
    # A line, not a row: the file cannot be parsed into rows before it is decoded.
    line = data[: exc.start].count(b"\n") + 1
    bad = data[exc.start : exc.end]
    message = f"is not valid {encoding} text at line {line} (byte {exc.start}: 0x{bad.hex()})"
    try:
        guess = bad.decode(_FALLBACK_ENCODING)
    except UnicodeDecodeError:
        return message
    if codecs.lookup(encoding).name == codecs.lookup(_FALLBACK_ENCODING).name:
        return message
    return (
        f"{message}, which is {guess!r} in Windows-1252; set encoding: {_FALLBACK_ENCODING} "
        "in the input's options (or leave it unset to detect it)"
    )


def _read_csv(path: Path, options: TableOptions, shown: str):
    check_file_size(path, shown)
    data = path.read_bytes()
    if data.startswith(_ZIP_MAGIC):
        raise InputError(
            Problem(
                shown,
                "is an Excel workbook (or other zip file), not CSV text; "
                "name it .xlsx or export it as CSV",
            )
        )
    text = _decode(data, options, shown)
    if "\x00" in text:
        raise InputError(Problem(shown, "is a binary file, not CSV text; export it as CSV"))
    if not text.strip():
        raise InputError(Problem(shown, "file is empty; expected a header row"))
    if options.delimiter and len(options.delimiter) != 1:
        # csv.reader would raise a TypeError: say which option is wrong instead.
        raise InputError(
            Problem(
                shown,
                f"delimiter {options.delimiter!r} in the input's options is not one "
                "character; expected e.g. ',' or ';' (or leave it unset to detect it)",
            )
        )
    delimiter = options.delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for row in reader:
            lines.append((reader.line_num, row))
            check_row(shown, len(lines), len(row))
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

    if not openpyxl_parses_with_defusedxml():  # a broken install, not a broken file
        raise RuntimeError("openpyxl is not parsing with defusedxml: bash scripts/setup.sh")

    # The archive's directory is checked first (sizes, names, ratios): openpyxl would
    # inflate whatever it declares. Its XML is parsed with defusedxml (safety module).
    with open_archive(path, shown, what="xlsx") as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                # Before openpyxl: it parses a whole sheet that states no dimension.
                _count_rows(read_member(archive, member, shown), shown)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(Problem(shown, _unreadable(exc))) from None
    try:
        sheet = _pick_sheet(book, options.sheet, shown)
        xml = _sheet_xml(path, sheet, shown)
        values = _sheet_values(sheet, shown)
        _check_formulas(xml, shown)
    finally:
        book.close()
    if not values:
        raise InputError(Problem(shown, "worksheet is empty; expected a header row"))
    return list(values[0]), [(i + 2, list(r)) for i, r in enumerate(values[1:])]


def _sheet_values(sheet, shown: str) -> list[list[object]]:
    """The worksheet's cells row by row, stopping at the row and column limits."""
    # The declared dimension (<dimension ref="A1:XFD1048576">) is the file's claim,
    # not its content: without it openpyxl yields only the rows that are there.
    sheet.reset_dimensions()
    values = []
    try:
        for number, row in enumerate(sheet.iter_rows(), start=1):
            check_row(shown, number, len(row))
            values.append([_cell_value(cell) for cell in row])
    except InputError:
        raise
    except Exception as exc:  # a DTD/entity (defusedxml), broken XML, a bad cell
        raise InputError(Problem(shown, _unreadable(exc))) from None
    while values and all(v is None for v in values[-1]):
        values.pop()  # trailing formatted-but-empty rows
    return values


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s/>]")


def _sheet_xml(path: Path, sheet, shown: str) -> bytes:
    """The worksheet's XML, read with the archive limits (b"" if openpyxl hides it)."""
    member = (getattr(sheet, "_worksheet_path", None) or "").lstrip("/")
    with open_archive(path, shown, what="xlsx") as archive:
        if member not in archive.namelist():
            return b""
        return read_member(archive, member, shown)


def _count_rows(xml: bytes, shown: str) -> None:
    # Counting row tags in the bytes takes milliseconds; parsing a million empty rows
    # before the row limit stops them takes many seconds.
    rows = len(_ROW_TAG.findall(xml))
    if rows > current_limits().max_rows:
        check_row(shown, rows, 0)


def _check_formulas(xml: bytes, shown: str) -> None:
    """Refuse formula cells that hold no computed value.

    Cells are read as the values Excel last computed (data_only). A workbook written
    by a program other than a spreadsheet may hold formulas without computed values,
    which would read as empty cells: say so rather than lose the answers.
    """
    from defusedxml.ElementTree import iterparse

    if not _FORMULA_TAG.search(xml):
        return
    try:
        for _, element in iterparse(io.BytesIO(xml)):
            if element.tag != f"{_SHEET_NS}c":
                continue
            formula = element.find(f"{_SHEET_NS}f")
            value = element.find(f"{_SHEET_NS}v")
            if formula is not None and (value is None or not (value.text or "").strip()):
                reference = element.get("r", "?")
                raise InputError(
                    Problem(
                        shown,
                        f"cell {reference} holds a formula (={formula.text or ''}) without a "
                        "computed value; open and save the workbook in Excel or LibreOffice, "
                        "or paste the values",
                        row=_row_of(reference),
                    )
                )
            element.clear()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(Problem(shown, _unreadable(exc))) from None


def _unreadable(exc: BaseException) -> str:
    """One line on why openpyxl could not read a workbook (its messages span lines)."""
    from defusedxml import DefusedXmlException

    cause = exc
    while cause.__cause__ or cause.__context__:
        if isinstance(cause, DefusedXmlException):
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, DefusedXmlException):
        return (
            f"is not a readable .xlsx workbook: its XML declares entities ({cause}), "
            "which workbooks do not have; refused for safety"
        )
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"is not a readable .xlsx workbook ({first})"


def _row_of(reference: str) -> int | None:
    digits = "".join(ch for ch in reference if ch.isdigit())
    return int(digits) if digits else None


def _cell_value(cell) -> object:
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", None) or ""
    # A cell formatted as percent shows 75 % but holds 0.75; keep what the analyst sees.
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        shown = round(value * 100, 10)
        return f"{int(shown) if float(shown).is_integer() else shown} %"
    return value


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
