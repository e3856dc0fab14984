"""The tables of a published HTML report, read back as plain text and numbers.

What a reader of a build sees: each table's caption, header and body cells, and the
numbers in them as the report's locale prints them ("1 817" and "43,3" in Swedish,
"1,817" and "43.3" in English). Used by the differencing attacker
(`pipeline.differencing_html`), which must read exactly what was published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from babel.numbers import get_decimal_symbol, get_group_symbol

from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.formatting import locale
from pipeline.i18n import DEFAULT_LANGUAGE, languages
from pipeline.rounds import no_data


@dataclass
class Table:
    """One parsed HTML table: its caption, header cells and body rows (plain text)."""

    caption: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """One published report as the attacker reads it."""

    label: str
    """Where it is, for findings: "2020/orebro/rapport.html"."""
    group: str
    """Whose report: a region's slug, or the overview's key (`differencing_statistics.NATIONAL`)."""
    lang: str
    tables: list[Table]


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._stack.append(Table())
        elif not self._stack:
            return
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "caption" and self._caption is not None:
            table.caption = _clean("".join(self._caption))
            self._caption = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                table.head = self._row
            else:
                table.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def parse_tables(html: str) -> list[Table]:
    """Every table of an HTML page, with its caption (the text after "Tabell N:").

    Args:
        html: The page.

    Returns:
        The tables in document order.
    """
    parser = _TableParser()
    parser.feed(html)
    for table in parser.tables:
        table.caption = re.sub(r"^(Tabell|Table)\s+\d+\s*[:.]\s*", "", table.caption)
    return parser.tables


def page_language(html: str) -> str:
    """The report language of a page from `<html lang=...>` (default: the default language)."""
    match = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z-]+)", html[:2000])
    tag = match.group(1).lower() if match else ""
    found = [lang for lang in languages() if tag.split("-")[0] == lang]
    return found[0] if found else DEFAULT_LANGUAGE


def published_count(text: str) -> float | None:
    """A published count: None for the suppression mark, else the number.

    Raises:
        ValueError: When the cell is neither the mark nor a whole number.
    """
    if text == SUPPRESSED_MARK:
        return None
    digits = re.sub(r"[\s,]", "", text)
    if not re.fullmatch(r"\d+", digits):
        raise ValueError(f"not a count: {text!r}")
    return float(digits)


def published_number(text: str, lang: str) -> tuple[float, int] | None:
    """A published statistic and its shown decimals; None for the mark or an empty cell.

    Args:
        text: The cell, e.g. "1 817", "43,3", "27,900" (English), "56,9 %".
        lang: The page's language; its locale's group and decimal symbols are read.

    Returns:
        (value, number of decimals shown), or None.

    Raises:
        ValueError: When the cell is not a number in that locale.
    """
    if text == SUPPRESSED_MARK or text in ("", "–", no_data(lang)):
        return None  # a year without a data collection publishes nothing either
    group, decimal = get_group_symbol(locale(lang)), get_decimal_symbol(locale(lang))
    plain = re.sub(r"\s", "", text).rstrip("%").replace(group, "").replace(decimal, ".")
    plain = plain.replace("\u2212", "-")
    if not re.fullmatch(r"-?\d+(\.\d+)?", plain):
        raise ValueError(f"not a number: {text!r}")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return float(plain), decimals
