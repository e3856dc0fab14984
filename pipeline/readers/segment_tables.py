"""Coded segments in tables: the canonical layout and Taguette's highlights export.

Both are `.csv`/`.xlsx`, told apart by their headers (see pipeline.readers.segments):
the canonical columns interview_id, theme, factor, excerpt (or an export's own
headers mapped through `TableOptions.columns`), or Taguette's id, document, tag,
content. Taguette writes one row per highlight and tag, so each row is one coding;
rows of one highlight (same id) share their factor, and a highlight without tags is
counted as excluded.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.readers.common import RawTable, map_headers, read_raw_table
from pipeline.readers.options import TableOptions
from pipeline.readers.reconcile import Coding, Codings, Tally
from pipeline.schema import SEGMENT_COLUMNS

_TAGUETTE_COLUMNS = ("id", "document", "tag", "content")
_POSITIONS = ("begin", "end")  # MAXQDA's segment position, as written
_TAGUETTE_TREE = ("tag_full_path", "tag_parent", "parent")  # where a nested tag's path is


def table_codings(
    path: Path, options: TableOptions, *, display: str, separator: str, tally: Tally
) -> Codings:
    """The codings of a canonical or Taguette table (`separator`: the scheme's code separator).

    Raises:
        InputError: An unreadable file, or headers of neither layout.
    """
    raw = read_raw_table(path, options, display)
    tally.file = raw.display
    codings, columns, problems = _table_codings(raw, options, tally, separator)
    return Codings(codings, problems, raw.display, columns)


def _table_codings(
    raw: RawTable, options: TableOptions, tally: Tally, separator: str
) -> tuple[list[Coding], dict[str, str], list[Problem]]:
    found = map_headers(raw, options, (), optional=SEGMENT_COLUMNS).found
    taguette = map_headers(raw, TableOptions(), (), optional=_TAGUETTE_COLUMNS).found
    if "interview_id" in found or "theme" in found:
        return _canonical(raw, options)
    if all(c in taguette for c in _TAGUETTE_COLUMNS[1:]):
        return _taguette(raw, tally, separator)
    raise InputError(
        Problem(
            raw.display,
            f"unrecognised layout: found columns {list(raw.frame.columns)}; "
            "expected interview_id, theme, factor, excerpt (or Taguette's id, document, "
            "tag, content)",
            row=1,
        )
    )


def _canonical(
    raw: RawTable, options: TableOptions
) -> tuple[list[Coding], dict[str, str], list[Problem]]:
    mapped = map_headers(
        raw, options, ("interview_id", "theme", "excerpt"), optional=("factor", *_POSITIONS)
    )
    if mapped.problems:
        raise InputError(mapped.problems)
    headers = mapped.found
    problems = []
    codings = []
    for row, cells in zip(raw.rows, raw.frame.to_dict("records"), strict=True):
        document = cells[headers["interview_id"]]
        if document is None:
            problems.append(
                Problem(
                    raw.display,
                    "empty cell; expected an interview_id of the register",
                    row=row,
                    column=headers["interview_id"],
                )
            )
            continue
        factor = cells[headers["factor"]] if "factor" in headers else None
        codes = _cell_codes(cells[headers["theme"]])
        unit = _segment_unit(cells, headers, row, several=len(codes) > 1)
        codings += [
            Coding(
                document=document,
                code=code,
                excerpt=cells[headers["excerpt"]],
                factor=factor,
                unit=unit,
                row=row,
            )
            for code in codes
        ]
    return codings, headers, problems


def _cell_codes(cell: str | None) -> list[str | None]:
    """The codes of one theme cell: ATLAS.ti's quotation report puts each on its own line."""
    if cell is None:
        return [None]
    codes = [line.strip() for line in cell.splitlines() if line.strip()]
    return codes or [cell]


def _segment_unit(cells: dict, headers: dict[str, str], row: int, *, several: bool) -> str | None:
    """The unit (codings sharing a factor) of a row: its segment's position, else the row.

    MAXQDA's "Coded segments" writes one row per code, the factor code on a row of its
    own with the same Begin and End; rows of one document, position and segment text are
    one segment. Begin and End count paragraphs in a text document, so two segments of
    one paragraph share a position and are told apart by their text.
    """
    if all(c in headers for c in _POSITIONS):
        begin, end = (cells[headers[c]] for c in _POSITIONS)
        if begin is not None and end is not None:
            excerpt = cells[headers["excerpt"]]
            return f"{begin}..{end}\x1f{excerpt}"
    return f"row {row}" if several else None


def _taguette(
    raw: RawTable, tally: Tally, separator: str
) -> tuple[list[Coding], dict[str, str], list[Problem]]:
    optional = (*_TAGUETTE_COLUMNS, "factor", *_TAGUETTE_TREE)
    found = map_headers(raw, TableOptions(), (), optional=optional).found
    codings = []
    for row, cells in zip(raw.rows, raw.frame.to_dict("records"), strict=True):
        tag = _nested_tag(cells, found, separator)
        if tag is None:
            tally.read += 1
            tally.exclude("untagged highlight")
            continue
        codings.append(
            Coding(
                document=cells[found["document"]],
                code=tag,
                excerpt=cells[found["content"]],
                unit=cells[found["id"]] if "id" in found else None,
                factor=cells[found["factor"]] if "factor" in found else None,
                row=row,
            )
        )
    columns = {
        "interview_id": found["document"],
        "theme": found["tag"],
        "factor": found.get("factor", found["tag"]),
        "excerpt": found["content"],
    }
    return codings, columns, []


def _nested_tag(cells: dict, found: dict[str, str], separator: str) -> str | None:
    """A highlight's tag with its whole path, so same-named children stay apart."""
    tag = cells[found["tag"]]
    full = cells[found["tag_full_path"]] if "tag_full_path" in found else None
    if tag is None or full:
        return full or tag
    header = next((found[c] for c in ("tag_parent", "parent") if c in found), None)
    parent = cells[header] if header else None
    if not parent or tag.startswith(f"{parent}{separator}"):
        return tag  # Taguette writes a nested tag's path as its tag
    return f"{parent}{separator}{tag}"
