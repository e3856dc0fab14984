"""Run the differencing attacker on a finished build: every published table, every report.

`audit_build(out)` reads every report's HTML under a build's output folder (each year's
region reports and national overview), parses its tables, and writes what a reader
knows as linear relations (`pipeline.differencing`):

- a distribution table's answer options add up to its answered-total row, and that
  row plus the not-stated row is the group's public number of responses (from the
  response-rate table every report carries);
- the national gender table (overview, and each region report's copy) is the sum of
  the regions' gender tables; a region whose table is withheld (or that has no report)
  enters with every cell unknown, adding up to its public responses;
- the statistics tables (sums, means with their n, extremes; `pipeline.differencing_statistics`):
  national sum = the regions' sums, mean x n = sum, n x min <= sum <= n x max.

Every count shown as the suppression mark is a target, and so is every withheld sum of
a group with respondents. The audit returns the targets that the relations determine
(a statistic: to within the rounding of the published figures); an empty list means
no suppression is undone. `build_system(out).describe(finding)` names the report,
table and cell of a finding.

Tables are recognised by the texts the report writers take from the message catalogs,
in every language (`pipeline.differencing_labels`).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

from pipeline.differencing import Finding, System, sum_relation
from pipeline.differencing_labels import TableLabels, table_labels
from pipeline.differencing_statistics import NATIONAL, add_page, link_statistics
from pipeline.html_tables import Page, Table, page_language, parse_tables, published_count
from pipeline.i18n import languages
from pipeline.rounds import no_data
from pipeline.slug import slugify


def _is_distribution(table: Table, known: TableLabels) -> bool:
    return frozenset(table.head) in known.distribution_heads and any(
        row and row[0] in known.total for row in table.rows
    )


# --- the reader's knowledge ------------------------------------------------------------


def _responses(tables: list[Table], known: TableLabels) -> dict[str, float]:
    for table in tables:
        if len(table.head) >= 2 and table.head[1] in known.responses_head:
            found = {}
            # A region without a survey that year shows "ingen datainsamling": no answers.
            no_survey = {no_data(lang) for lang in languages()}
            for row in table.rows:
                name = NATIONAL if row[0] in known.all_total else slugify(row[0])
                found[name] = 0.0 if row[1] in no_survey else float(published_count(row[1]) or 0)
            return found
    return {}


def _add_distribution(
    system: System,
    table: Table,
    key: tuple,
    responses: float | None,
    codes: dict[str, str],
    known: TableLabels,
    place: str = "",
) -> list[Hashable]:
    """Relations of one distribution table; returns its category cell keys (by code)."""
    cells, total, missing = [], None, None
    for row in table.rows:
        value = published_count(row[1])
        where = f"{place} / {row[0]}" if place else ""
        if row[0] in known.total:
            total = (*key, "_total")
            system.publish(total, value, responses, place=where)
        elif row[0] in known.missing:
            missing = (*key, "_missing")
            system.publish(missing, value, responses, place=where)
        else:
            cell = (*key, codes.get(row[0], row[0]))
            system.publish(cell, value, responses, place=where)
            cells.append(cell)
    if total is not None:
        system.relations.append(sum_relation(cells, total))
        if missing is not None and responses is not None:
            system.relations.append(sum_relation([total, missing], responses))
    return cells


def build_system(out: Path) -> System:
    """The linear system a reader of every HTML report under `out` can write down.

    Args:
        out: A build's output folder (`<year>/<slug>/rapport.html`, `<year>/oversikt.html`).

    Returns:
        The system (values, relations, targets, bounds, places).
    """
    system = System()
    known = table_labels()
    responses_by_year: dict[str, dict[str, float]] = {}
    for year_dir in sorted(p for p in out.iterdir() if p.is_dir() and p.name.isdigit()):
        year = year_dir.name
        paths = {p.parent.name: p for p in sorted(year_dir.glob("*/rapport*.html"))}
        for overview in sorted(year_dir.glob("oversikt*.html"))[:1]:
            paths[NATIONAL] = overview
        pages = [_read_page(out, name, path) for name, path in paths.items()]
        responses: dict[str, float] = {}
        for page in pages:
            responses |= _responses(page.tables, known)
        responses_by_year[year] = responses
        regions = [r for r in responses if r != NATIONAL]
        gender_rows: dict[str, list[Hashable]] = {}
        for page in pages:
            name = page.group
            for index, table in enumerate(page.tables):
                if not _is_distribution(table, known):
                    continue
                place = f"{page.label}: {table.caption}"
                codes = known.gender_codes
                if table.caption in known.gender_nation:
                    key, count = (year, NATIONAL, "gender"), responses.get(NATIONAL)
                    cells = _add_distribution(system, table, key, count, codes, known, place)
                    gender_rows[NATIONAL] = cells
                elif table.caption in known.gender_region:
                    key, count = (year, name, "gender"), responses.get(name)
                    cells = _add_distribution(system, table, key, count, codes, known, place)
                    gender_rows[name] = cells
                else:
                    key = (year, name, table.caption or f"table-{index}")
                    _add_distribution(system, table, key, responses.get(name), {}, known, place)
            add_page(system, year, page)
        if NATIONAL in gender_rows:
            _link_gender(system, year, regions, responses)
    link_statistics(system, responses_by_year)
    return system


def _read_page(out: Path, name: str, path: Path) -> Page:
    html = path.read_text(encoding="utf-8")
    label = path.relative_to(out).as_posix()
    return Page(label, name, page_language(html), parse_tables(html))


def _link_gender(
    system: System, year: str, regions: list[str], responses: dict[str, float]
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
    """The suppressed cells of a build that its published tables determine.

    Args:
        out: The build's output folder.

    Returns:
        The determined cells (`build_system(out).describe(finding)` says where each
        is withheld); empty when every suppression holds.
    """
    return build_system(out).attack()
