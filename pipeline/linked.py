"""Complementary suppression across reports: tables that add up to a published table.

Every region's report shows the gender distribution of its respondents and of the
whole country, and the national overview shows the national one. The national table
is the sum of the regions' tables, and the regions' response counts are public, so a
region's suppressed cell (Örebro's single respondent, say) could be recomputed as
national total minus the other regions. Suppressing each table on its own is not
enough.

`linked_distributions` therefore decides one suppression pattern for the whole family
(every region's table and the national one, one year): each table first gets its own
rule (`pipeline.disclosure.disclose_distribution`); then the differencing attacker
(`pipeline.differencing.attack`) looks for a suppressed category cell that the family
determines, and another cell in the same answer option is suppressed (the national
cell first, then the smallest published regional one) with the table's own secondary
rule rerun around it, until the attacker finds nothing. Every report cuts its table
from this same pattern, so all of them agree.

Item non-response ("Uppgift saknas") and the answered total are not protected cells
(see `pipeline.disclosure`): they enter the attacker's relations but are not targets.

The pattern is the same for every report of the year, and deciding it is the costliest
step of a report at a national round (hundreds of linear programs per round of the
attacker at 290 municipalities), so within a run the whole family's tables are made
once and shared: the notebook passes `share`, the run's memo (`pipeline.shared.once`
bound to the run's inputs snapshot), so this module stays free of files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable

import pandas as pd

from pipeline.analysis.survey import distribution
from pipeline.differencing import Relation, attack, sum_relation
from pipeline.disclosure import (
    DEFAULT_K,
    Disclosed,
    disclose_cells,
    disclose_distribution,
    suppression_mask,
)
from pipeline.text.survey import distribution_table_markdown

NATIONAL = None
"""The key of the national table in `linked_distributions`."""

_MAX_ROUNDS = 200

Share = Callable[..., str]
"""A memo: `share(function, *args)` returns `function(*args)`, possibly made once per run."""


def _here(function: Callable[..., str], *args: object) -> str:
    return function(*args)


def linked_distributions(
    survey: pd.DataFrame, column: str, year: int, k: int = DEFAULT_K, lang: str = "sv"
) -> dict[str | None, Disclosed]:
    """One suppression pattern for a distribution in every region and in the whole country.

    Args:
        survey: The canonical survey table (all regions and years).
        column: The item, e.g. "gender".
        year: The year.
        k: The minimum group size.
        lang: Language of the labels.

    Returns:
        Region name (and `NATIONAL`) -> disclosed distribution table.
    """
    rows = survey.loc[survey["year"] == year]
    regions = sorted({str(r) for r in rows["region"]})
    tables: dict[str | None, pd.DataFrame] = {
        region: distribution(rows.loc[rows["region"] == region], column, lang) for region in regions
    }
    tables[NATIONAL] = distribution(rows, column, lang)
    first = {name: disclose_distribution(table, k) for name, table in tables.items()}
    hidden = {name: _hidden(d) for name, d in first.items()}
    withheld = {name for name, d in first.items() if d.withheld}
    for _ in range(_MAX_ROUNDS):
        values, relations, targets, upper = _system(tables, hidden, withheld)
        findings = attack(values, relations, targets, upper)
        if not findings:
            break
        name, code = findings[0].cell
        extra = _complement(tables, hidden, withheld, name, code)
        if extra is None:  # nothing left to hide in that column: withhold the national table
            withheld.add(NATIONAL)
            continue
        table_name, row = extra
        hidden[table_name] = _reprotect(tables[table_name], hidden[table_name], row, k)
    else:  # pragma: no cover - the loop hides a cell per round and cells are finite
        withheld.add(NATIONAL)
    return {
        name: _disclosed(table, hidden[name], k, first[name], name in withheld)
        for name, table in tables.items()
    }


def linked_distribution_markdown(
    survey: pd.DataFrame,
    column: str,
    region: str | None,
    year: int,
    lang: str = "sv",
    k: int = DEFAULT_K,
    share: Share | None = None,
) -> str:
    """One region's (or the national, `region=None`) table of a linked distribution.

    Args:
        survey: The canonical survey table (all regions and years).
        column: The item.
        region: The region, or None for the whole country.
        year: The year.
        lang: "sv" or "en".
        k: The minimum group size.
        share: The run's memo, `share(function, *args)` (e.g. `pipeline.shared.once`
            bound to the inputs snapshot): the family's tables are then made once per run
            and shared by every report (None: made here).

    Returns:
        Markdown: the disclosed table and footnote, or the withheld sentence.
    """
    share = share or _here
    family = json.loads(share(family_markdown, survey, column, year, lang, k))
    key = _NATIONAL_KEY if region is None else region
    if key not in family:  # no respondents at all: an empty, withheld table
        empty = survey.iloc[0:0]
        return distribution_table_markdown(
            disclose_distribution(distribution(empty, column, lang), k), lang
        )
    return family[key]


def family_markdown(survey: pd.DataFrame, column: str, year: int, lang: str, k: int) -> str:
    """Every table of the family as Markdown, as JSON: region name (or "" for the
    whole country) -> the table's Markdown (see `linked_distributions`)."""
    family = linked_distributions(survey, column, year, k, lang)
    return json.dumps(
        {
            _NATIONAL_KEY if name is NATIONAL else name: distribution_table_markdown(table, lang)
            for name, table in family.items()
        },
        ensure_ascii=False,
        sort_keys=True,
    )


# The national table's key in `family_markdown` (JSON keys are strings; no region is "").
_NATIONAL_KEY = ""


def gender_markdown(
    survey: pd.DataFrame,
    region: str | None,
    year: int,
    lang: str = "sv",
    k: int = DEFAULT_K,
    share: Share | None = None,
) -> str:
    """The gender table of a region (or, `region=None`, of the whole country), linked.

    Args:
        survey: The canonical survey table (all regions and years).
        region: The region, or None.
        year: The year.
        lang: "sv" or "en".
        k: The minimum group size.
        share: The run's memo, to share the family within a run.

    Returns:
        Markdown (see `linked_distribution_markdown`).
    """
    return linked_distribution_markdown(survey, "gender", region, year, lang, k, share)


# --- the pattern ------------------------------------------------------------------------


def _hidden(disclosed: Disclosed) -> pd.Series:
    cells = disclosed.table["kind"] == "category"
    return disclosed.suppressed["n"].where(cells, False).astype(bool)


def _system(
    tables: dict[str | None, pd.DataFrame],
    hidden: dict[str | None, pd.Series],
    withheld: set[str | None],
) -> tuple[dict, list[Relation], list[Hashable], dict]:
    """The reader's view of the family: values, relations, protected cells, bounds."""
    values: dict[Hashable, float | None] = {}
    relations: list[Relation] = []
    targets: list[Hashable] = []
    upper: dict[Hashable, float] = {}
    codes = sorted({c for t in tables.values() for c in _codes(t)})
    for name, table in tables.items():
        out = name in withheld
        responses = float(table["n"].sum() - table.loc[table["kind"] == "total", "n"].sum())
        counts = _codes(table)
        for code in codes:
            value = float(counts.get(code, 0))
            secret = out or bool(hidden[name].get(_row(table, code), False))
            values[(name, code)] = None if secret else value
            if secret and code in counts:  # an absent code is a public zero
                targets.append((name, code))
            upper[(name, code)] = responses
        for kind in ("total", "missing"):
            value = float(table.loc[table["kind"] == kind, "n"].iloc[0])
            values[(name, f"_{kind}")] = None if out else value
            upper[(name, f"_{kind}")] = responses
        relations.append(sum_relation([(name, c) for c in codes], (name, "_total")))
        relations.append(sum_relation([(name, "_total"), (name, "_missing")], responses))
    regions = [name for name in tables if name is not NATIONAL]
    for code in [*codes, "_total", "_missing"]:
        relations.append(sum_relation([(r, code) for r in regions], (NATIONAL, code)))
    return values, relations, targets, upper


def _codes(table: pd.DataFrame) -> dict[str, int]:
    cells = table.loc[table["kind"] == "category"]
    return {str(c): int(n) for c, n in zip(cells["code"], cells["n"], strict=True)}


def _row(table: pd.DataFrame, code: str) -> Hashable | None:
    match = table.index[(table["kind"] == "category") & (table["code"].astype(str) == code)]
    return match[0] if len(match) else None


def _complement(
    tables: dict[str | None, pd.DataFrame],
    hidden: dict[str | None, pd.Series],
    withheld: set[str | None],
    name: str | None,
    code: str,
) -> tuple[str | None, Hashable] | None:
    """A published cell of the same answer option to suppress as well (or None)."""
    candidates = []
    for other, table in tables.items():
        if other == name or other in withheld:
            continue
        row = _row(table, code)
        if row is None or hidden[other][row]:
            continue
        n = int(table.at[row, "n"])
        # The national cell first (one cell protects every region), then the smallest
        # non-zero regional cell, zeros last; ties in name order.
        candidates.append((other is not NATIONAL, n == 0, n, str(other), other, row))
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c[:4])
    return best[4], best[5]


def _reprotect(table: pd.DataFrame, hidden: pd.Series, row: Hashable, k: int) -> pd.Series:
    """Hide `row` too, then rerun the table's own secondary rule around it."""
    forced = hidden.copy()
    forced[row] = True
    cells = table["kind"] == "category"
    mask = suppression_mask(table.loc[cells, "n"], k, True, forced.loc[cells])
    return forced.where(~cells, mask.reindex(forced.index, fill_value=False)).astype(bool)


def _disclosed(
    table: pd.DataFrame, hidden: pd.Series, k: int, first: Disclosed, withheld: bool
) -> Disclosed:
    if first.withheld:
        return first
    if withheld:
        mask = pd.DataFrame(True, index=table.index, columns=table.columns)
        return disclose_cells(table, mask, k, "unprotectable")
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    mask["n"] = mask["percent"] = hidden
    return disclose_cells(table, mask, k)
