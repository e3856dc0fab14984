"""Reading a tabular export (.csv or .xlsx) into text cells with spreadsheet row numbers."""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
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
# Excel writes and honours a first line "sep=;" naming the delimiter; it is not a row.
_SEP_LINE = re.compile(r"sep=(.)\r?\n?")
# SurveyMonkey's second header row: under each question, "Response" or the option texts.
_SECOND_HEADER_CELLS = frozenset({"response", "open-ended response"})
_SNIFF_RECORDS = 50
_SNIFF_CHARACTERS = 200_000


@dataclass(frozen=True)
class Formula:
    """A formula cell of a worksheet that holds no computed value.

    Attributes:
        row: Its spreadsheet row.
        column: Its 0-based column.
        reference: Its cell reference, e.g. "B2".
        formula: The formula, without "=".
    """

    row: int
    column: int
    reference: str
    formula: str


@dataclass(frozen=True)
class RawTable:
    """An export as the analyst sees it: every cell as stripped text or None.

    Attributes:
        display: How to name the file in messages.
        frame: One column per header (headers as written), values str or None.
        rows: For each frame row, its row number in the spreadsheet (header = 1).
        uncomputed: Formula cells without a computed value; refused only in the
            columns a reader takes (`map_headers`), as an unused helper column may
            hold anything.
        other_sheets: For a workbook, the header row of each other visible sheet, to
            point at the right one when the read sheet lacks a column.
        encoding_note: For a CSV file whose letters may be wrong, how it was decoded
            (Windows-1252 after a non-UTF-8 line, or UTF-8 text that looks encoded twice);
            readers add it to their problems, since bad letters make values fail.
    """

    display: str
    frame: pd.DataFrame
    rows: list[int]
    uncomputed: tuple[Formula, ...] = ()
    other_sheets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    encoding_note: str | None = None


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
    uncomputed: tuple[Formula, ...] = ()
    other_sheets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    note = None
    if suffix == ".csv":
        delimiter, records, note = _read_csv(path, options, shown)
    elif suffix in (".xlsx", ".xlsm"):
        delimiter = None
        records, uncomputed, other_sheets = _read_xlsx(path, options, shown)
    else:
        raise InputError(
            Problem(shown, f"unsupported file type {suffix!r}; expected .csv or .xlsx")
        )
    skipped = set(options.skip_rows)
    second = {n: r for n, r in records if n in skipped}
    records = [(n, r) for n, r in records if n not in skipped]
    header_row, header, records = _split_header(records, options, shown)
    header = _named_from_second_row(
        [_clean(h) or "" for h in header], second.get(header_row + 1, [])
    )
    _check_single_column(header, suffix, options, shown, delimiter)
    _check_title_row(header, header_row, records, shown)
    _check_second_header_row(records, shown)
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
                    f"has {len(cells)} fields but the header"
                    f"{f' (row {header_row})' if header_row != 1 else ''} has "
                    f"{len(header)} ({_quoted(header)}); check the delimiter "
                    f"(read with {_delimiter_name(delimiter)})",
                    row=number,
                )
            )
        cells = (cells + [None] * len(header))[: len(header)]
        if any(c is not None for c in cells):
            kept.append(cells)
            rows.append(number)
    unnamed = _unnamed_columns(header, header_row, kept, rows, shown)
    if unnamed:
        raise InputError(unnamed)
    frame = pd.DataFrame(kept, columns=header, dtype=object)
    return RawTable(
        display=shown,
        frame=frame,
        rows=rows,
        uncomputed=uncomputed,
        other_sheets=other_sheets,
        encoding_note=note,
    )


def _named_from_second_row(header: list[str], second: Sequence[object]) -> list[str]:
    """Name a multiple-choice question's option columns from SurveyMonkey's second header row.

    SurveyMonkey writes a question's text over its first column only, and on a second
    header row (`skip_rows: [2]`) `Response` or `Open-Ended Response` under a question of
    one column and each option's name under a multiple-choice question's columns. Such
    an option column is named "<question>: <option>", like one column per option of
    other tools; the other headers stay. A skipped row of another kind names nothing.

    Args:
        header: The header cells, cleaned ("" for an empty one).
        second: The skipped row right below the header, if any.

    Returns:
        The header with the option columns named.
    """
    names = [_clean(v) or "" for v in second]
    if not any(text_key(n) in _SECOND_HEADER_CELLS for n in names):
        return header
    named = []
    question = ""
    for index, name in enumerate(header):
        question = name or question
        option = names[index] if index < len(names) else ""
        if option and text_key(option) not in _SECOND_HEADER_CELLS and question:
            named.append(f"{question}: {option}")
        else:
            named.append(name)
    return named


def _unnamed_columns(
    header: list[str], header_row: int, kept: list[list], rows: list[int], shown: str
) -> list[Problem]:
    """One Problem per column without a header that holds values (they could not be read).

    SurveyMonkey names a multiple-choice question's options on its second header row and
    leaves their cells in the first empty, so skipping that row left every option but the
    first without a name, and their answers were ignored.
    """
    from openpyxl.utils import get_column_letter  # openpyxl only where a table is read

    problems = []
    for index, name in enumerate(header):
        if name:
            continue
        cells = ((n, c[index]) for n, c in zip(rows, kept, strict=True))
        filled = next(((n, v) for n, v in cells if v is not None), None)
        if filled is None:
            continue
        number, value = filled
        problems.append(
            Problem(
                shown,
                f"column {get_column_letter(index + 1)} has no header in row {header_row} but "
                f"holds {_shortened(value, 60)!r}; expected a header over every column with "
                "values: name it (for SurveyMonkey's second header row, which names the "
                "options of a multiple-choice question, set skip_rows to that row)",
                row=number,
            )
        )
    return problems


def _split_header(
    records: list[tuple[int, list]], options: TableOptions, shown: str
) -> tuple[int, list, list[tuple[int, list]]]:
    """The header's row number, the header and the records below it.

    The header is row `options.header_row`, or else the first row that is not empty:
    an export may start with a blank row, which a spreadsheet shows as row 1.
    """
    if options.header_row is not None:
        for position, (number, record) in enumerate(records):
            if number == options.header_row:
                return number, record, records[position + 1 :]
        raise InputError(
            Problem(shown, f"has no row {options.header_row} (header_row in the input's options)")
        )
    for position, (number, record) in enumerate(records):
        if any(_clean(v) for v in record):
            return number, record, records[position + 1 :]
    raise InputError(Problem(shown, "file is empty; expected a header row"))


def _check_title_row(
    header: list[str], header_row: int, records: list[tuple[int, list]], shown: str
) -> None:
    # A title above the table ("Enkät 2026, export 1 mars") makes a one-cell "header"
    # followed by rows of many cells; say where the header seems to be.
    if len([h for h in header if h]) != 1:
        return
    following = next(((n, r) for n, r in records if any(_clean(v) for v in r)), None)
    if following is None or len([v for v in following[1] if _clean(v)]) < 2:
        return
    title = next(h for h in header if h)
    raise InputError(
        Problem(
            shown,
            f"holds only {_shortened(title)!r}, a title rather than a header row; the "
            f"header seems to be row {following[0]}: set header_row: {following[0]} in "
            "the input's options",
            row=header_row,
        )
    )


def _check_second_header_row(records: list[tuple[int, list]], shown: str) -> None:
    if not records:
        return
    number, record = records[0]
    if any(text_key(_clean(v) or "") in _SECOND_HEADER_CELLS for v in record):
        raise InputError(
            Problem(
                shown,
                "looks like a second header row (SurveyMonkey's 'Response' / 'Open-Ended "
                f"Response'), not answers; set skip_rows: [{number}] in the input's options",
                row=number,
            )
        )


def _shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def uncomputed_problems(raw: RawTable, headers: Iterable[str]) -> list[Problem]:
    """One Problem per column among `headers` that holds formulas without computed values.

    Cells are read as the values Excel last computed (data_only). A workbook written
    by a program other than a spreadsheet may hold formulas without computed values,
    which would read as empty cells: say so rather than lose the answers.
    """
    positions = {i for i, h in enumerate(raw.frame.columns) if text_key(h) in _keys(headers)}
    problems, seen = [], set()
    for cell in raw.uncomputed:
        if cell.column in positions and cell.column not in seen:
            seen.add(cell.column)
            problems.append(
                Problem(
                    raw.display,
                    f"cell {cell.reference} holds a formula (={_shortened(cell.formula)}) "
                    "without a computed value; open and save the workbook in Excel or "
                    "LibreOffice, or paste the values",
                    row=cell.row,
                    column=raw.frame.columns[cell.column],
                )
            )
    return problems


def _keys(headers: Iterable[str]) -> set[str]:
    return {text_key(h) for h in headers if h}


EVERY_YEAR_HINT = (
    "the path has no {year}, so the file holds every year and each row must say its year"
)
"""Why a file holding every year needs a year column (a hint of `map_headers`)."""


def every_year_hints(years: Sequence[int] | None) -> dict[str, str]:
    """`map_headers` hints for a file holding every year (`years` given), else none."""
    return {"year": EVERY_YEAR_HINT} if years is not None else {}


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
    hints: Mapping[str, str] | None = None,
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
        hints: Canonical column -> why the file needs it, added to the message when
            it is missing (`EVERY_YEAR_HINT`).

    Returns:
        The matches, and one Problem per missing required column (naming the expected
        canonical name and how to map it) or per header that repeats a match.

    Raises:
        InputError: A column it takes (or a reserved one) holds formulas without
            computed values (one Problem per such column).
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
    missing = [name for name in required if name not in found]
    elsewhere = _sheet_with(raw, options, missing) if missing else None
    if elsewhere is not None:
        problems.append(
            Problem(
                raw.display,
                f"the worksheet read has no column for {_quoted(missing)}, but worksheet "
                f"{elsewhere!r} has them; set sheet: {elsewhere!r} in the input's options",
            )
        )
    else:
        for name in missing:
            hint = (hints or {}).get(name)
            message = _missing(name, options, headers) + (f"; {hint}" if hint else "")
            problems.append(Problem(raw.display, message, row=1))
    present = {text_key(h) for h in raw.frame.columns}
    read = [*found.values(), *(h for h in reserved if text_key(h) in present)]
    uncomputed = uncomputed_problems(raw, read)
    if uncomputed:
        # Its cells would read as empty and fail again as such: say only this.
        raise InputError(uncomputed)
    return HeaderMap(found=found, problems=problems)


def warn_once(logger: logging.Logger, problems: Iterable[Problem], seen: set[str]) -> None:
    """Log each Problem as a warning unless this process logged it already.

    A run reads a year's files again for each later year's report (trends), and a file
    holding every year once per load: the run log should say a thing once.

    Args:
        logger: The reader's logger.
        problems: What to say (read as they are, but worth knowing).
        seen: The messages logged so far (the reader's own set).
    """
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            logger.warning("%s", problem)


def _sheet_with(raw: RawTable, options: TableOptions, names: list[str]) -> str | None:
    """The first other worksheet whose header row holds every column in `names`."""
    mapped = {text_key(k): v for k, v in options.columns.items()}
    for sheet, header in raw.other_sheets:
        there = {mapped.get(text_key(h), text_key(h)) for h in header if h}
        if all(name in there for name in names):
            return sheet
    return None


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


def _delimiter_name(delimiter: str | None) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def _check_single_column(
    header: list[str], suffix: str, options: TableOptions, shown: str, used: str | None
) -> None:
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
        advice = (
            f"the file seems to be separated by {shown_delimiter}, not {_delimiter_name(used)}; "
            f"set delimiter: {best!r} in the input's options (or leave it unset to detect it)"
            if used != best
            else f"check the delimiter (read with {_delimiter_name(used)})"
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
    # A byte order mark is no text, whatever the encoding: with encoding: utf-8 it would
    # stay glued to the first header.
    return _decode_text(data, options, shown).removeprefix("\ufeff")


def _decode_text(data: bytes, options: TableOptions, shown: str) -> str:
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
    note = _encoding_note(data, text, options)
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
    declared = _SEP_LINE.match(text)
    if declared:
        text = text[declared.end() :]
    delimiter = options.delimiter or (declared.group(1) if declared else _sniff_delimiter(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for row in reader:
            lines.append((reader.line_num, row))
            check_row(shown, len(lines), len(row))
    except csv.Error as exc:
        raise InputError(Problem(shown, f"is not valid CSV: {exc}", row=reader.line_num)) from exc
    if lines and _quote_left_open(text, delimiter, lines[-1][1]):
        swallowed = lines[-1][1][-1].rstrip("\r\n").count("\n")
        raise InputError(
            Problem(
                shown,
                f"a quoted cell that starts on this row is never closed, so the "
                f"{swallowed} line(s) after it would be read as part of that one cell; "
                'expected a closing " (a stray quote, or a file cut off)',
                row=len(lines),
            )
        )
    # Spreadsheet row numbers: csv.reader counts physical lines, which differ from
    # records only when a quoted cell holds a line break; use the record index.
    return delimiter, [(i + 1, row) for i, (_, row) in enumerate(lines)], note


def _quote_left_open(text: str, delimiter: str, last: list[str]) -> bool:
    """Whether the CSV text ends inside a quoted cell (csv.reader then reads on silently).

    A quote never closed takes every line after it into one cell: rows vanish without a
    word. Only such a file ends without a line break, or with a last cell that ends in
    one; those are parsed again in strict mode, which refuses an open quote at the end.
    """
    ends_cell = bool(last) and last[-1].endswith(("\n", "\r"))
    if text.endswith(("\n", "\r")) and not ends_cell:
        return False
    strict = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in strict:
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# Swedish letters encoded as UTF-8 and decoded again as Windows-1252.
_MOJIBAKE = re.compile("Ã[¥¤¶…„–©]")


def _encoding_note(data: bytes, text: str, options: TableOptions) -> str | None:
    """How the letters may have gone wrong, or None when the text looks right."""
    if options.encoding is None and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return (
                f"was read as Windows-1252, since line {line} is not UTF-8 (byte "
                f"0x{data[exc.start : exc.end].hex()}); if letters look wrong, save the file "
                "as CSV UTF-8 or set encoding: in the input's options"
            )
    found = _MOJIBAKE.search(text)
    if found:
        line = text[: found.start()].count("\n") + 1
        return (
            f"line {line} holds {found.group()!r}, which is how {_unmangled(found.group())!r} "
            "looks when UTF-8 text is read as Windows-1252; save the file as CSV UTF-8"
        )
    return None


def _unmangled(text: str) -> str:
    try:
        return text.encode(_FALLBACK_ENCODING).decode("utf-8")
    except UnicodeError:
        return text


def _sniff_delimiter(text: str) -> str:
    """The candidate that splits the first records most consistently into most fields.

    Records are parsed as the csv module parses them, so a quoted header cell with a
    line break or commas in it ("Respondent-ID, löpnummer") does not count.
    """
    sample = text[:_SNIFF_CHARACTERS]  # the first records, not a copy of a 50 MB file
    scores = {d: _consistency(sample, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: scores[d])
    return best if scores[best][0] else ","


def _consistency(text: str, delimiter: str) -> tuple[bool, int, int]:
    """(splits at all, records with the usual field count, the usual field count)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        counts = [len(r) for r in itertools.islice(reader, _SNIFF_RECORDS) if any(r)]
    except csv.Error:
        return (False, 0, 0)
    if not counts:
        return (False, 0, 0)
    usual = max(set(counts), key=lambda n: (counts.count(n), n))
    return (usual > 1, counts.count(usual), usual)


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
        uncomputed = _uncomputed_formulas(xml, shown)
        others = tuple(
            (other.title, _first_row(other))
            for other in book.worksheets
            if other is not sheet and getattr(other, "sheet_state", "visible") == "visible"
        )
    finally:
        book.close()
    if not values:
        raise InputError(Problem(shown, "worksheet is empty; expected a header row"))
    return [(i + 1, list(r)) for i, r in enumerate(values)], uncomputed, others


def _first_row(sheet) -> tuple[str, ...]:
    try:
        for row in sheet.iter_rows(max_row=1, values_only=True):
            return tuple(_clean(v) or "" for v in row[: current_limits().max_columns])
    except Exception:  # another sheet's damage is no reason to refuse this one
        return ()
    return ()


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


def _uncomputed_formulas(xml: bytes, shown: str) -> tuple[Formula, ...]:
    """The formula cells that hold no computed value (see `uncomputed_problems`).

    A formula whose result is the empty string (=IF(A2>0;"";"saknas")) is stored by
    Excel and LibreOffice as a text cell (t="str") with an empty value: computed.
    """
    from defusedxml.ElementTree import iterparse

    if not _FORMULA_TAG.search(xml):
        return ()
    found = []
    try:
        for _, element in iterparse(io.BytesIO(xml)):
            if element.tag != f"{_SHEET_NS}c":
                continue
            formula = element.find(f"{_SHEET_NS}f")
            value = element.find(f"{_SHEET_NS}v")
            computed = element.get("t") == "str" and value is not None
            if formula is not None and not computed and not (value is not None and value.text):
                reference = element.get("r", "?")
                found.append(
                    Formula(
                        _row_of(reference) or 0,
                        _column_of(reference),
                        reference,
                        formula.text or "",
                    )
                )
            element.clear()
    except Exception as exc:
        raise InputError(Problem(shown, _unreadable(exc))) from None
    return tuple(found)


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


def _column_of(reference: str) -> int:
    """The 0-based column of a cell reference ("B2" -> 1, "AA7" -> 26)."""
    number = 0
    for letter in reference:
        if not letter.isalpha():
            break
        number = number * 26 + ord(letter.upper()) - ord("A") + 1
    return number - 1


def _cell_value(cell) -> object:
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        from openpyxl.utils.escape import unescape  # loaded already: the workbook is open

        # OOXML writes control characters as _xHHHH_ (Excel a carriage return as
        # _x000D_, a literal "_x" as _x005F_x); openpyxl leaves the escapes in the text.
        return unescape(value)
    number_format = getattr(cell, "number_format", None) or ""
    # A cell formatted as percent shows 75 % but holds 0.75; keep what the analyst sees.
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and _is_percent(number_format)
    ):
        shown = round(value * 100, 10)
        return f"{int(shown) if float(shown).is_integer() else shown} %"
    return value


_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.')


def _is_percent(number_format: str) -> bool:
    """Whether a number format scales by 100: a bare %, not a quoted "%" or an escaped \\%."""
    return "%" in _QUOTED_OR_ESCAPED.sub("", number_format)


def _pick_sheet(book, sheet: str | int | None, shown: str):
    if sheet is None:
        # A hidden sheet is an exporter's or an analyst's scratch copy, not the answers.
        visible = [
            ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"
        ]
        return (visible or book.worksheets)[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(book.worksheets):
            return book.worksheets[sheet]
        raise InputError(Problem(shown, f"has no worksheet number {sheet}"))
    if sheet in book.sheetnames:
        return book[sheet]
    raise InputError(Problem(shown, f"has no worksheet {sheet!r}; found {book.sheetnames}"))
