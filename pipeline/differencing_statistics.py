"""Statistics in the differencing attacker: sums, means and their n, across reports.

The reports publish descriptive statistics of the numeric survey items (age, months as
a peer supporter, employment percentage, salary): each region's report its table of
statistics (answers N, not stated, minimum, maximum, mean, sum, percentiles ...), the
data table of its months-worked figure and its key figures by year (mean age, mean
employment percentage); the national overview the same statistics for the whole
country and every region's key figures side by side. Per year and item, a reader knows:

- the national sum is the sum of the regions' sums, the national N the sum of their
  N, and the same for "not stated"; a region's N plus not stated is its public number
  of responses (`link_statistics`);
- a mean times its N is the sum (two inequalities, since the mean is rounded);
- a group's sum lies between N x minimum and N x maximum, with the group's own
  extremes or else the national ones (every answer lies between those);
- sums and counts are not negative (the items are ages, months, percentages, kronor).

Medians, quartiles and the standard deviation are not linear in the answers, and the
attacker leaves them out; the rules withhold the standard deviation with the sum.

Every suppressed sum of a group with respondents is a target. A sum is a statistic,
not a count: it is disclosed when a reader can pin it to within rounding
(`pipeline.differencing.Finding`). A withheld mean is the same secret (sum over a
known N), so its places are named with the sum's.

The cells are published through `publish_statistics` from parsed HTML
(`pipeline.differencing_html`) or from computed tables (`pipeline.linked_statistics`),
so the attacker and the protection against it write the same relations. Tables, items
and rows are recognised by their catalog texts (`pipeline.differencing_labels`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from pipeline.differencing import Relation, System, sum_relation
from pipeline.differencing_labels import StatisticsLabels, statistic_label, statistics_labels
from pipeline.html_tables import Page, Table, published_number

NATIONAL = "__national__"
"""The group key of the whole country."""

STATISTICS = "statistics"
"""The third part of every statistics cell key: (year, group, STATISTICS, item, stat)."""

LINKED = ("n", "missing", "sum")
"""The additive statistics: a national one is the sum of the regions'."""

_COUNTS = {"n", "missing"}


def statistic_key(year: str, group: str, item: str, stat: str) -> tuple:
    """The key of one statistic of one group's item in one year."""
    return (str(year), group, STATISTICS, item, stat)


def publish_statistics(
    system: System,
    year: str,
    group: str,
    item: str,
    values: Mapping[str, float | None],
    tolerance: float = 0.0,
    place: str = "",
    labels: Mapping[str, str] | None = None,
) -> None:
    """Record the statistics a table shows for one group's item (None: suppressed).

    Args:
        system: The reader's system.
        year: The year the statistics describe.
        group: A region's slug, or `NATIONAL`.
        item: The item, e.g. "age".
        values: Statistic ("n", "missing", "min", "max", "mean", "sum") -> shown value.
        tolerance: Rounding of the shown non-count values (half the last digit).
        place: Where the table is, for findings.
        labels: Statistic -> its row label in the table (default: the statistic's name).
    """
    for stat, value in values.items():
        key = statistic_key(year, group, item, stat)
        where = f"{place} / {(labels or {}).get(stat, stat)}" if place else ""
        rounding = 0.0 if stat in _COUNTS else tolerance
        # Not secrets themselves: `link_statistics` makes the withheld sums the targets.
        system.publish(key, value, None, rounding, where, secret=False)


def add_page(system: System, year: str, page: Page) -> None:
    """Record every statistics table of one report.

    Args:
        system: The reader's system.
        year: The report's year.
        page: The report.
    """
    known = statistics_labels()
    for table in page.tables:
        if not table.head or not table.rows:
            continue
        first = table.head[0]
        if first in known.statistic_head and any(row[0] in known.rows for row in table.rows):
            _add_statistics_table(system, year, page, table, known)


def _add_statistics_table(
    system: System, year: str, page: Page, table: Table, known: StatisticsLabels
) -> None:
    national = any(caption in table.caption for caption in known.national_captions)
    group = NATIONAL if national or page.group == NATIONAL else page.group
    for column, head in enumerate(table.head[1:], start=1):
        item = known.items.get(head)
        if item is None and head in known.value_head:
            caption = table.caption.rsplit(":", 1)[-1].strip()
            item = known.figure_items.get(caption, caption)
        if item is None:
            continue
        cells = [(row[0], row[column]) for row in table.rows if len(row) > column]
        decimals = [
            shown[1]
            for label, text in cells
            if label not in known.other_units and (shown := published_number(text, page.lang))
        ]
        tolerance = 0.5 * 10.0 ** -max(decimals, default=0)
        values: dict[str, float | None] = {}
        for label, text in cells:
            if label in known.rows:
                shown = published_number(text, page.lang)
                values[known.rows[label]] = None if shown is None else shown[0]
        place = f"{page.label}: {table.caption}: {head}"
        labels = {known.rows[label]: label for label, _ in cells if label in known.rows}
        for stat in ("mean", "sum"):  # a row no item may show is left out of the table
            if stat not in values:
                values[stat] = None
                labels[stat] = f"{statistic_label(page.lang, stat)} (row left out)"
        publish_statistics(system, year, group, item, values, tolerance, place, labels)


# --- the relations -----------------------------------------------------------------------

Bound = tuple[float, float] | None
"""A published figure and its rounding, e.g. a maximum (29 900, 0.5)."""


def link_statistics(system: System, responses: Mapping[str, Mapping[str, float]]) -> None:
    """Write the relations between every published statistic, per year and item.

    Call once, after every table is published. A region that appears in a year's
    response counts but has no published statistic enters with every cell unknown.

    Args:
        system: The reader's system.
        responses: Year -> group (region slug, `NATIONAL`) -> public number of responses.
    """
    cells = [key for key in system.values if len(key) == 5 and key[2] == STATISTICS]
    for year, item in sorted({(key[0], key[3]) for key in cells}):
        counts = responses.get(year, {})
        groups = {key[1] for key in cells if key[0] == year and key[3] == item}
        regions = sorted((groups | set(counts)) - {NATIONAL})
        national = NATIONAL in groups
        every_answer = _extremes(system, year, NATIONAL, item)  # the national min and max
        for region in regions:
            _link_group(system, year, region, item, counts.get(region), every_answer)
        if national:
            _link_group(system, year, NATIONAL, item, counts.get(NATIONAL), every_answer)
            for stat in LINKED:
                parts = [statistic_key(year, r, item, stat) for r in regions]
                whole = statistic_key(year, NATIONAL, item, stat)
                system.relations.append(sum_relation(parts, whole))


def _link_group(
    system: System,
    year: str,
    group: str,
    item: str,
    responses: float | None,
    every_answer: tuple[Bound, Bound],
) -> None:
    key = {stat: statistic_key(year, group, item, stat) for stat in (*LINKED, "mean")}
    for stat in LINKED:
        if key[stat] not in system.values:
            system.values[key[stat]] = None
    if responses is not None:
        system.upper[key["n"]] = system.upper[key["missing"]] = responses
        system.relations.append(sum_relation([key["n"], key["missing"]], responses))
    mean = system.values.get(key["mean"])
    if mean is not None:
        shown = (mean, system.tolerance.get(key["mean"], 0.0))
        _bound_sum(system, key, shown, shown)  # mean x N = sum, to within its rounding
    own_low, own_high = _extremes(system, year, group, item)
    lows = [b for b in (own_low, every_answer[0]) if b is not None]
    highs = [b for b in (own_high, every_answer[1]) if b is not None]
    _bound_sum(system, key, max(lows, default=None), min(highs, default=None))
    if system.values[key["sum"]] is None and (responses is None or responses > 0):
        if key["sum"] not in system.targets:
            system.targets.append(key["sum"])
        system.continuous.add(key["sum"])
        places = system.places.setdefault(key["sum"], [])
        places += [p for p in system.places.get(key["mean"], []) if p not in places]
        if not places:
            places.append(f"{year} {group}: sum of {item} (no table shows it)")


def _extremes(system: System, year: str, group: str, item: str) -> tuple[Bound, Bound]:
    """The published minimum and maximum of a group's item, with their rounding."""
    found = []
    for stat in ("min", "max"):
        key = statistic_key(year, group, item, stat)
        value = system.values.get(key)
        found.append(None if value is None else (value, system.tolerance.get(key, 0.0)))
    return found[0], found[1]


def _bound_sum(system: System, key: Mapping[str, Hashable], low: Bound, high: Bound) -> None:
    """N x low <= sum <= N x high (every answer lies between low and high), rounded."""
    n, total = key["n"], key["sum"]
    if low is not None:
        value, rounding = low
        system.relations.append(Relation(((n, value), (total, -1.0)), 0.0, True, ((n, -rounding),)))
    if high is not None:
        value, rounding = high
        system.relations.append(Relation(((total, 1.0), (n, -value)), 0.0, True, ((n, -rounding),)))
