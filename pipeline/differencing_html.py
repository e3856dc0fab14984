"""Run the differencing attacker on a finished build: every published table, every report.

`audit_build(out)` reads every report's HTML under a build's output folder (each year's
region reports and national overview), parses its tables, and writes what a reader
knows as linear relations (`pipeline.differencing`):

- a distribution table's answer options add up to its "Totalt (besvarat)" row, and
  that row plus "Uppgift saknas" is the group's public number of responses (from the
  response-rate table every report carries);
- the national gender table (overview, and each region report's copy) is the sum of
  the regions' gender tables; a region whose table is withheld (or that has no report)
  enters with every cell unknown, adding up to its public responses.

Every cell shown as the suppression mark is a target. The audit returns the targets
that the relations determine exactly; an empty list means no suppression is undone.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from pipeline.differencing import Finding, Relation, attack, sum_relation
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.schema import CATEGORIES
from pipeline.slug import slugify

_TOTAL = {"Totalt (besvarat)", "Total (answered)"}
_MISSING = {"Uppgift saknas", "Not stated"}
_DISTRIBUTION_HEAD = ({"Svar", "Antal", "Andel"}, {"Answer", "Number", "Share"})
_RATE_HEAD = ("Antal svar (n)", "Responses (n)")
_ALL = {"Totalt", "Total"}
_GENDER_REGION = (
    "Könsfördelning bland de svarande i regionen",
    "Gender of respondents in the region",
)
_GENDER_NATION = (
    "Könsfördelning bland de svarande i hela landet",
    "Gender of respondents in the whole country",
)
_GENDER_CODES = {
    text: code for code, labels in CATEGORIES["gender"].items() for text in labels.values()
}
NATIONAL = "__national__"


@dataclass
class Table:
    """One parsed HTML table: its caption, header cells and body rows (plain text)."""

    caption: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


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


def _count(text: str) -> float | None:
    """A published count: None for the suppression mark, else the number."""
    if text == SUPPRESSED_MARK:
        return None
    digits = re.sub(r"[\s ]", "", text)
    if not re.fullmatch(r"\d+", digits):
        raise ValueError(f"not a count: {text!r}")
    return float(digits)


def _is_distribution(table: Table) -> bool:
    head = set(table.head)
    return any(head == expected for expected in _DISTRIBUTION_HEAD) and any(
        row and row[0] in _TOTAL for row in table.rows
    )


# --- the reader's knowledge ------------------------------------------------------------


@dataclass
class _System:
    values: dict[Hashable, float | None] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    targets: list[Hashable] = field(default_factory=list)
    upper: dict[Hashable, float] = field(default_factory=dict)

    def publish(self, key: Hashable, value: float | None, bound: float | None) -> None:
        """Record a published cell; a value shown anywhere is known everywhere."""
        known = self.values.get(key)
        self.values[key] = value if known is None else known
        if value is None and key not in self.targets:
            self.targets.append(key)
        if bound is not None:
            self.upper[key] = bound


def _responses(tables: list[Table]) -> dict[str, float]:
    for table in tables:
        if len(table.head) >= 2 and table.head[1] in _RATE_HEAD:
            found = {}
            for row in table.rows:
                name = NATIONAL if row[0] in _ALL else slugify(row[0])
                found[name] = float(_count(row[1]) or 0)
            return found
    return {}


def _add_distribution(
    system: _System, table: Table, key: tuple, responses: float | None, codes: dict[str, str]
) -> list[Hashable]:
    """Relations of one distribution table; returns its category cell keys (by code)."""
    cells, total, missing = [], None, None
    for row in table.rows:
        value = _count(row[1])
        if row[0] in _TOTAL:
            total = (*key, "_total")
            system.publish(total, value, responses)
        elif row[0] in _MISSING:
            missing = (*key, "_missing")
            system.publish(missing, value, responses)
        else:
            cell = (*key, codes.get(row[0], row[0]))
            system.publish(cell, value, responses)
            cells.append(cell)
    if total is not None:
        system.relations.append(sum_relation(cells, total))
        if missing is not None and responses is not None:
            system.relations.append(sum_relation([total, missing], responses))
    return cells


def build_system(out: Path) -> _System:
    """The linear system a reader of every HTML report under `out` can write down.

    Args:
        out: A build's output folder (`<year>/<slug>/rapport.html`, `<year>/oversikt.html`).

    Returns:
        The system (values, relations, targets, bounds).
    """
    system = _System()
    for year_dir in sorted(p for p in out.iterdir() if p.is_dir() and p.name.isdigit()):
        pages = {p.parent.name: p for p in sorted(year_dir.glob("*/rapport*.html"))}
        for overview in sorted(year_dir.glob("oversikt*.html"))[:1]:
            pages[NATIONAL] = overview
        parsed = {
            name: parse_tables(path.read_text(encoding="utf-8")) for name, path in pages.items()
        }
        responses: dict[str, float] = {}
        for tables in parsed.values():
            responses |= _responses(tables)
        regions = [r for r in responses if r != NATIONAL]
        gender_rows: dict[str, list[Hashable]] = {}
        for name, tables in parsed.items():
            for index, table in enumerate(tables):
                if not _is_distribution(table):
                    continue
                if table.caption in _GENDER_NATION:
                    key, count = (year_dir.name, NATIONAL, "gender"), responses.get(NATIONAL)
                    cells = _add_distribution(system, table, key, count, _GENDER_CODES)
                    gender_rows[NATIONAL] = cells
                elif table.caption in _GENDER_REGION:
                    key, count = (year_dir.name, name, "gender"), responses.get(name)
                    gender_rows[name] = _add_distribution(system, table, key, count, _GENDER_CODES)
                else:
                    key = (year_dir.name, name, table.caption or f"table-{index}")
                    _add_distribution(system, table, key, responses.get(name), {})
        if NATIONAL in gender_rows:
            _link_gender(system, year_dir.name, regions, responses)
    return system


def _link_gender(
    system: _System, year: str, regions: list[str], responses: dict[str, float]
) -> None:
    """National gender cells = sum over the regions; unseen regions are all unknown."""
    codes = sorted(
        {key[3] for key in system.values if key[:3] == (year, NATIONAL, "gender")}
        | {key[3] for r in regions for key in system.values if key[:3] == (year, r, "gender")}
    )
    for region in regions:
        seen = any(key[:3] == (year, region, "gender") for key in system.values)
        bound = responses.get(region)
        for code in codes:
            key = (year, region, "gender", code)
            if key not in system.values:
                # Not published: unknown if the whole table is missing, else a public 0.
                system.values[key] = 0.0 if seen and not code.startswith("_") else None
                if bound is not None:
                    system.upper[key] = bound
        if not seen:
            # A withheld table: its answer options are the secrets it protects.
            cats = [(year, region, "gender", c) for c in codes if not c.startswith("_")]
            total = (year, region, "gender", "_total")
            missing = (year, region, "gender", "_missing")
            system.relations.append(sum_relation(cats, total))
            if bound is not None:
                system.relations.append(sum_relation([total, missing], bound))
            if bound:
                system.targets += [c for c in cats if c not in system.targets]
    national = (year, NATIONAL, "gender")
    for code in codes:
        if (*national, code) not in system.values:
            system.values[(*national, code)] = 0.0
        parts = [(year, r, "gender", code) for r in regions]
        system.relations.append(sum_relation(parts, (*national, code)))


def audit_build(out: Path) -> list[Finding]:
    """The suppressed cells of a build that its published tables determine exactly.

    Args:
        out: The build's output folder.

    Returns:
        The determined cells; empty when every suppression holds.
    """
    system = build_system(out)
    return attack(system.values, system.relations, system.targets, system.upper)
