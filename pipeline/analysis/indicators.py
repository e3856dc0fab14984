"""A region's key figures year by year, through the survey rules (`pipeline.disclosure`).

Responses, target population and response rate are public; every other value is
suppressed when fewer than k answered, and shares also when the yes or the no group is
1..k-1 (`pipeline.disclosure.statistic_publishable`).

Age and employment percentage are medians, as months worked and salary are: a mean is a
sum in disguise (times the public n), so it is shown only from `extremes_k` answers, and
in the many regions with fewer peer supporters than that its row of the table would be
withheld every year. The median is shown from k answers, as in the statistics table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis.scope import Scope
from pipeline.analysis.survey import rate, years_up_to
from pipeline.disclosure import Disclosed, disclose_statistics_table

KEY_INDICATORS: tuple[str, ...] = (
    "responses",
    "target_population",
    "response_rate",
    "median_age",
    "median_months_worked",
    "trained_pct",
    "supervision_pct",
    "median_employment_pct",
    "median_salary",
)
"""The indicator codes, in report order (labels: the `indicators` catalog)."""

PUBLIC: tuple[str, ...] = ("responses", "target_population", "response_rate")

_MEDIANS = (
    ("median_age", "age"),
    ("median_months_worked", "months_worked"),
    ("median_employment_pct", "employment_pct"),
    ("median_salary", "salary_monthly_fte"),
)
_SHARES = (("trained_pct", "trained"), ("supervision_pct", "supervision"))


@dataclass(frozen=True)
class Indicators:
    """Disclosed key indicators (one row per year) and the answers behind each value."""

    disclosed: Disclosed
    bases: pd.DataFrame


def key_indicators(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    scope: Scope,
    *,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """The scope region's key figures per year, raw (for notebooks and figures).

    Args:
        survey: The canonical survey table (all years).
        population: The population table.
        scope: The region; its year bounds the default years.
        years: The years; default `years_up_to(survey, population, scope)`.

    Returns:
        One row per year (sorted) with columns year and `KEY_INDICATORS` (NaN where
        nobody answered).
    """
    values, _, _ = _indicator_tables(
        survey, population, scope.region, _years(survey, population, scope, years)
    )
    return values.reset_index()


def disclose_indicators(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    scope: Scope,
    *,
    years: Sequence[int] | None = None,
) -> Indicators:
    """The key indicators of the scope's region through the k rule (`scope.k`).

    Years default to `years_up_to(survey, population, scope)`, as in `key_indicators`.
    """
    values, bases, counts = _indicator_tables(
        survey, population, scope.region, _years(survey, population, scope, years)
    )
    disclosed = disclose_statistics_table(
        values,
        bases,
        scope.k,
        counts,
        public=PUBLIC,
    )
    return Indicators(disclosed, bases)


def _years(
    survey: pd.DataFrame, population: pd.DataFrame, scope: Scope, years: Sequence[int] | None
) -> Iterable[int]:
    return years_up_to(survey, population, scope) if years is None else years


def _indicator_tables(
    survey: pd.DataFrame, population: pd.DataFrame, region: str | None, years: Iterable[int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Values, bases (answers behind each value) and counts (numerators of shares) by year."""
    values, bases, counts = {}, {}, {}
    pop = population.loc[population["region"] == region]
    for year in sorted(set(int(y) for y in years)):
        rows = survey.loc[(survey["region"] == region) & (survey["year"] == year)]
        target = pop.loc[pop["year"] == year, "target_population"]
        target = float(target.iloc[0]) if len(target) else np.nan
        v, b, c = {}, {}, {}
        v["responses"], v["target_population"] = float(len(rows)), target
        v["response_rate"] = rate(len(rows), target)
        for key, column in _MEDIANS:
            answered = pd.to_numeric(rows[column], errors="coerce").astype("float64").dropna()
            v[key] = float(answered.median()) if len(answered) else np.nan
            b[key] = len(answered)
        for key, column in _SHARES:
            answered = rows[column].dropna().astype(bool)
            yes = int(answered.sum())
            v[key] = 100.0 * yes / len(answered) if len(answered) else np.nan
            b[key], c[key] = len(answered), float(yes)
        values[year], bases[year], counts[year] = v, b, c
    index = pd.Index(list(values), name="year", dtype="int64")
    frame = pd.DataFrame.from_dict(values, orient="index").reindex(columns=list(KEY_INDICATORS))
    frame.index = index
    base = pd.DataFrame.from_dict(bases, orient="index").reindex(columns=list(KEY_INDICATORS))
    count = pd.DataFrame.from_dict(counts, orient="index").reindex(columns=list(KEY_INDICATORS))
    base.index, count.index = index, index
    return frame.astype("float64"), base.fillna(0).astype("int64"), count.astype("float64")
