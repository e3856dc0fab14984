"""Complementary suppression for statistics across reports: the national overview's.

The overview shows, for the whole country, the sum, mean and spread of every numeric
item (age, months as a peer supporter, employment percentage, salary) once the country
has `extremes_k` answers; each region's report shows its own only from `extremes_k`
answers. With exactly one region below that threshold, the national sum minus the
other regions' published sums is that region's sum (and the national mean times the
national N is the national sum). Each table passing its own rule is not enough.

`national_complement` decides, per year and item, what else the national table
withholds: it writes what a reader of every report of the year knows with the same
relations the audit of a build uses (`pipeline.differencing_statistics`), asks the
attacker (`pipeline.differencing`) whether a withheld sum is determined, and if so
withholds, in this order until nothing is:

1. the national sum, mean and standard deviation of that item (`TOTALS`);
2. also its minimum and maximum (only when all answers are equal, min = max, which
   with the public N gives every sum away).

Apart from that, the national minimum (maximum) is withheld when no region that shows
its own has it and the regions that withhold theirs have fewer than `extremes_k` answers
together: it is then the answer of a person in a group the rule protects
(`hidden_extremes`).

Why the national figures and not a second region's: the national sum is the only
published total of regional statistics, so withholding it always breaks the link,
and it costs three cells of one table, while a region's sum and mean appear in its
own statistics table, its key figures of every later year and the overview's key
figures by region. Median and quartiles of the whole country stay. There is no
statistics table with group rows and a total row inside one report (a region's
report describes one group; key figures by year have no total), so nothing else
needs complementary suppression.

The attacker here reads the exact values (a stronger reader than the rounded HTML
allows), so a pattern it accepts also passes the audit of the built reports.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis.scope import Scope
from pipeline.analysis.survey import NUMERIC_ITEMS, describe_numeric, linked_tails
from pipeline.differencing import System
from pipeline.differencing_statistics import (
    NATIONAL,
    link_statistics,
    publish_statistics,
)
from pipeline.disclosure import (
    DEFAULT_EXTREMES_K,
    DEFAULT_K,
    extremes_publishable,
    suppress_statistics,
)
from pipeline.slug import slugify
from pipeline.text.survey import numeric_items_markdown

TOTALS = ("mean", "std", "sum")
"""What the national table withholds first: the sum and what gives it away."""

EXTREMES = ("min", "max")
"""What it withholds next, when min = max makes every answer known."""

_SHOWN = ("n", "missing", "min", "max", "mean", "sum")
"""The statistics the attacker reads (the linear ones, and the extremes as bounds)."""


def national_complement(
    survey: pd.DataFrame,
    year: int,
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
    items: Sequence[str] = NUMERIC_ITEMS,
) -> dict[str, tuple[str, ...]]:
    """The statistics the national table withholds beyond its own rule, per item.

    Args:
        survey: The canonical survey table (all regions and years).
        year: The year.
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.
        items: The numeric items of the national table.

    Returns:
        Item -> statistics to withhold (`TOTALS`, or `TOTALS` and `EXTREMES`); items
        that need nothing are left out.
    """
    rows = survey.loc[survey["year"] == year]
    found: dict[str, tuple[str, ...]] = {}
    for item in items:
        for extra in ((), TOTALS, (*TOTALS, *EXTREMES)):
            if not _system(rows, str(year), item, k, extremes_k, extra).attack():
                break
        extra = (*extra, *(e for e in hidden_extremes(rows, item, k, extremes_k) if e not in extra))
        if extra:
            found[item] = extra
    return found


def hidden_extremes(
    rows: pd.DataFrame, item: str, k: int, extremes_k: int | None
) -> tuple[str, ...]:
    """The national extremes of an item that would be the answer of a small group.

    A reader knows which regions withhold their own extremes (their response counts are
    public). A national minimum (maximum) that no region showing its own has is one of
    theirs; when those regions have fewer than `extremes_k` answers together, it is the
    answer of a person in a group the rule protects (a region of one respondent with
    the highest salary of the year would otherwise have it printed in the overview).

    Args:
        rows: The survey rows of one year (every region).
        item: The numeric item.
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.

    Returns:
        "min" and/or "max", the ones to withhold.
    """
    answers = pd.to_numeric(rows[item], errors="coerce")
    if answers.dropna().empty:
        return ()
    shown, hidden_answers = [], 0
    for _, region_rows in rows.groupby("region", sort=True):
        region_answers = answers.loc[region_rows.index].dropna()
        if extremes_publishable(len(region_answers), k, extremes_k) and not linked_tails(
            region_rows, item, k
        ):
            shown.append(region_answers)
        else:
            hidden_answers += len(region_answers)
    if extremes_publishable(hidden_answers, k, extremes_k):
        return ()  # one answer among enough people, as any group's extremes are
    national = {"min": answers.min(), "max": answers.max()}
    return tuple(
        name
        for name, value in national.items()
        if not any(getattr(group, name)() == value for group in shown)
    )


def national_numeric_markdown(survey: pd.DataFrame, scope: Scope) -> str:
    """The overview's table of numeric items for the whole country, linked.

    Args:
        survey: The canonical survey table (all regions and years).
        scope: The whole country (`region=None`) in the overview's year and language.

    Returns:
        Markdown (see `pipeline.text.survey.numeric_items_markdown`), with the
        complementary suppression of `national_complement` and its note.
    """
    also = national_complement(survey, scope.year, scope.k, scope.extremes_k)
    # The overview shows no national table in bands: its extremes give none away (a
    # region's bands are the regions' own reports', `hidden_extremes`).
    return numeric_items_markdown(survey, scope, also=also, beside_bands=False)


def _system(
    rows: pd.DataFrame,
    year: str,
    item: str,
    k: int,
    extremes_k: int | None,
    national_extra: Sequence[str],
) -> System:
    """What a reader of every report of the year knows about one item."""
    system = System()
    responses = {NATIONAL: float(len(rows))}
    groups = {slugify(str(r)): rows.loc[rows["region"] == r] for r in sorted(set(rows["region"]))}
    groups[NATIONAL] = rows
    for group, answers in groups.items():
        responses[group] = float(len(answers))
        extra = national_extra if group == NATIONAL else ()
        _publish(system, year, group, item, answers[item], k, extremes_k, extra)
    link_statistics(system, {year: responses})
    return system


def _publish(
    system: System,
    year: str,
    group: str,
    item: str,
    answers: pd.Series,
    k: int,
    extremes_k: int | None,
    extra: Sequence[str],
) -> None:
    stats = describe_numeric(answers)
    disclosed = suppress_statistics(stats, int(stats["n"]), k, extremes_k, extra)
    values = {
        stat: None if disclosed.suppressed.at[stat, "value"] else _value(stats[stat])
        for stat in _SHOWN
    }
    publish_statistics(system, year, group, item, values)


def _value(value: float) -> float | None:
    # A statistic of no answers (NaN) is shown as "–": the reader learns nothing from it.
    return None if pd.isna(value) else float(value)
