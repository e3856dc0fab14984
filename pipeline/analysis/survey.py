"""Survey statistics: response rates, descriptives and distributions of survey items.

Two kinds of function: the statistics of a group of respondents (`describe_numeric`,
`distribution`, `band_distribution`, `multi_choice_distribution`) describe exactly the
rows they are given; the functions that take a `Scope` take the whole survey, select the
scope's respondents (`respondents`) and return `Disclosed` tables that passed the
small-cell rule (`pipeline.disclosure`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.analysis.scope import Scope
from pipeline.disclosure import (
    DEFAULT_K,
    Disclosed,
    disclose_distribution,
    disclose_multi_choice,
    suppress_statistics,
    withhold,
)
from pipeline.formatting import number
from pipeline.i18n import DEFAULT_LANGUAGE, Catalog
from pipeline.schema import CATEGORIES, label

PERCENTILE_METHOD = "linear"
"""numpy's percentile method: rank h = (n - 1) p + 1, linear between neighbours.

It is Hyndman & Fan's definition 7, the default of numpy, R and Excel's PERCENTILE.INC.
The seed's months-worked table (N=43, percentiles 1.2/3.4/7.5/22/67.5/88.8/99.3) is
reproducible with whole months only under this definition: with "weibull"
(h = (n + 1) p, SPSS's default) the 95th percentile lies 0.8 of the way between two
observations, and 0.8 times a whole number can never end in .3. `tests/test_survey.py`
holds a 43-value sample that reproduces every figure of that table. The report states
it in one sentence (the `survey_method` catalog's `percentiles`).
"""

PERCENTILES: tuple[int, ...] = (5, 10, 25, 50, 75, 90, 95)

STATISTICS: tuple[str, ...] = (
    "n",
    "missing",
    "missing_pct",
    "unique",
    "min",
    "max",
    "mean",
    "std",
    "sum",
    *(f"p{p}" for p in PERCENTILES),
)
"""The keys of `describe_numeric`, in the order of the seed's table."""

NUMERIC_ITEMS: tuple[str, ...] = ("age", "months_worked", "employment_pct", "salary_monthly_fte")
BOOLEAN_COLUMNS: tuple[str, ...] = ("trained", "supervision")
EMPLOYMENT_EDGES: tuple[float, ...] = (50, 75, 100)
"""Employment bands: under 50, 50-74, 75-99 and 100 %."""
SALARY_EDGES: tuple[float, ...] = (25_000, 30_000, 35_000)
"""Salary bands (SEK per month, full-time equivalent)."""
BANDED_ITEMS: dict[str, tuple[float, ...]] = {
    "employment_pct": EMPLOYMENT_EDGES,
    "salary_monthly_fte": SALARY_EDGES,
}
"""Numeric items whose distribution a report also shows in bands (`disclose_item`)."""
TAIL_STATISTICS: tuple[str, ...] = ("min", "max", "p5", "p10", "p90", "p95")
"""The statistics that pin the lowest and highest answers.

With the linear rule a percentile interpolates two neighbouring answers: at n = 10 the
5th and 10th percentiles and the minimum give the two lowest answers exactly, the 90th
and 95th and the maximum the two highest. Beside the same item's table in bands, that
places single answers in bands whose counts are suppressed.
"""
FOLLOW_UPS: dict[str, str] = {
    "training_provider": "trained",
    "supervision_frequency": "supervision",
}
"""Items asked only of those who answered yes to another item: item -> that filter item.

A follow-up's answered total is at most the filter's count of that answer, so it bounds
the filter's cells: beside a filter table with a suppressed cell it can give that cell away
(supervision "yes" –* and "no" –* of 7, and 6 who say how often they get it: "no" is 1).
"""

_t = Catalog("survey")


def respondents(survey: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The survey's rows of the scope's region (every region when None) and year."""
    keep = survey["year"] == scope.year
    if scope.region is not None:
        keep &= survey["region"] == scope.region
    return survey.loc[keep].copy()


def years_up_to(survey: pd.DataFrame, population: pd.DataFrame, scope: Scope) -> list[int]:
    """The years with survey or population data up to and including the scope's, sorted."""
    years = set(survey["year"].astype(int)) | set(population["year"].astype(int))
    return sorted(y for y in years if y <= scope.year)


# --- response rates -----------------------------------------------------------------------


def response_rates(survey: pd.DataFrame, population: pd.DataFrame, year: int) -> pd.DataFrame:
    """Responses, target population and response rate per region in one year, with a total.

    Regions come in the population table's order, then regions that only the survey has
    (sorted). A region without a target population gets NaN target and rate; the total
    rate is then NaN too, since it would not describe the whole population.

    A region without a single answer had no survey that year (`surveyed` False): the
    data cannot tell a survey nobody answered from one never sent, and the rounds
    (`pipeline.rounds`) count a survey year by its answers, so the report says "ingen
    datainsamling" there, never "0 %". Its rate is NaN, and its target population is
    left out of the total's: a total rate that counted people nobody asked would
    understate how many of those asked answered.

    Returns:
        Columns region, responses, target_population, response_rate (percent 0-100,
        unrounded; NaN where not surveyed), surveyed and is_total (True only on the
        last row, region "Total", whose target counts the surveyed regions only).
    """
    pop = population.loc[population["year"] == year]
    targets = dict(zip(pop["region"], pop["target_population"].astype(float), strict=True))
    counts = survey.loc[survey["year"] == year, "region"].value_counts()
    regions = list(dict.fromkeys(pop["region"]))
    regions += sorted(set(counts.index) - set(regions))
    rows = []
    for region in regions:
        n = int(counts.get(region, 0))
        target = targets.get(region, np.nan)
        rows.append((region, n, target, rate(n, target) if n else np.nan, n > 0, False))
    surveyed = [r for r in rows if r[4]]
    total_n = sum(r[1] for r in surveyed)
    known = [r[2] for r in surveyed if not np.isnan(r[2])]
    total_target = float(sum(known)) if surveyed and len(known) == len(surveyed) else np.nan
    total_rate = rate(total_n, total_target) if surveyed else np.nan
    rows.append(("Total", total_n, total_target, total_rate, bool(surveyed), True))
    frame = pd.DataFrame(
        rows,
        columns=[
            "region",
            "responses",
            "target_population",
            "response_rate",
            "surveyed",
            "is_total",
        ],
    )
    return frame.astype({"responses": "int64", "surveyed": bool, "is_total": bool})


def not_surveyed(rates: pd.DataFrame) -> list[str]:
    """The regions of `response_rates` without a survey that year (no answers)."""
    return rates.loc[~rates["surveyed"] & ~rates["is_total"], "region"].tolist()


# A round of more regions than this compares each region with the whole round in its
# own report (its row, the total and the spread of the regions' rates); the table of
# every region is the national overview's. At a national round (290 municipalities) a
# table and a chart of every region in each of 290 reports would be unreadable, and
# would make every report's cost grow with the size of the round.
FULL_COMPARISON_MAX_REGIONS = 30
RATE_BIN_WIDTH = 10  # percentage points per bar of the regions' distribution


def compares_with_round(rates: pd.DataFrame) -> bool:
    """Whether a region's report shows its own row and the round's total, not every region.

    Args:
        rates: Output of `response_rates`.
    """
    return int((~rates["is_total"]).sum()) > FULL_COMPARISON_MAX_REGIONS


def region_and_total(rates: pd.DataFrame, region: str) -> pd.DataFrame:
    """The rows of `response_rates` for one region and the total, in that order."""
    return rates.loc[(rates["region"] == region) | rates["is_total"]].reset_index(drop=True)


def rate_quartiles(rates: pd.DataFrame) -> tuple[float, float, float] | None:
    """First quartile, median and third quartile of the regions' response rates.

    Returns:
        None when no region has a known rate.
    """
    known = _known_rates(rates)
    if known.empty:
        return None
    q1, median, q3 = known.quantile([0.25, 0.5, 0.75]).tolist()
    return float(q1), float(median), float(q3)


def _known_rates(rates: pd.DataFrame) -> pd.Series:
    """The regions' response rates (not the total's), where known."""
    return rates.loc[~rates["is_total"], "response_rate"].dropna()


def rate_distribution(rates: pd.DataFrame, width: int = RATE_BIN_WIDTH) -> pd.DataFrame:
    """How many regions had a response rate in each band of `width` percentage points.

    Bands run from 0 to the highest rate (a rate over 100 %, more answers than the
    target population, gets bands of its own); 100 % falls in the last band below it.

    Returns:
        Columns lower, upper (percent) and regions (count), one row per band, in order;
        empty when no region has a known rate.
    """
    known = _known_rates(rates)
    if known.empty:
        return pd.DataFrame({"lower": [], "upper": [], "regions": []}, dtype="int64")
    top = max(100, int(np.ceil(known.max() / width)) * width)
    lowers = list(range(0, top, width))
    bands = np.minimum((known // width).astype(int), len(lowers) - 1)
    counts = bands.value_counts().reindex(range(len(lowers)), fill_value=0)
    frame = pd.DataFrame(
        {"lower": lowers, "upper": [lower + width for lower in lowers], "regions": counts.tolist()}
    )
    return frame.astype("int64")


def rate(n: int, target: float) -> float:
    """n as a percentage of the target population; NaN without a (positive) target."""
    if np.isnan(target) or target <= 0:
        return np.nan
    return 100.0 * n / target


# --- numeric items ------------------------------------------------------------------------


def describe_numeric(series: pd.Series) -> pd.Series:
    """Describe a numeric item the way the seed's months-worked table does.

    Args:
        series: The item, one value per respondent; NaN/NA is a missing answer.

    Returns:
        A float Series indexed by `STATISTICS`: n (answered), missing (count) and
        missing_pct (% of all rows), unique, min, max, mean, std (sample, ddof=1),
        sum, and percentiles p5..p95 (`PERCENTILE_METHOD`). Statistics that need
        answers are NaN when there are none (std needs two).
    """
    values = pd.to_numeric(series, errors="coerce").astype("float64")
    answered = values.dropna().to_numpy()
    total = len(values)
    n = len(answered)
    stats: dict[str, float] = {
        "n": float(n),
        "missing": float(total - n),
        "missing_pct": 100.0 * (total - n) / total if total else np.nan,
        "unique": float(len(np.unique(answered))),
    }
    if n:
        stats |= {
            "min": float(answered.min()),
            "max": float(answered.max()),
            "mean": float(answered.mean()),
            "std": float(answered.std(ddof=1)) if n > 1 else np.nan,
            "sum": float(answered.sum()),
        }
        quantiles = np.percentile(answered, PERCENTILES, method=PERCENTILE_METHOD)
        stats |= {f"p{p}": float(q) for p, q in zip(PERCENTILES, quantiles, strict=True)}
    return pd.Series(stats, dtype="float64", name=series.name).reindex(list(STATISTICS))


def disclose_numeric(
    survey: pd.DataFrame,
    scope: Scope,
    *,
    columns: Sequence[str] = NUMERIC_ITEMS,
    also: Mapping[str, Sequence[str]] | None = None,
    beside_bands: bool = True,
) -> dict[str, Disclosed]:
    """Each numeric item's `describe_numeric` of the scope's respondents, through the rules.

    Args:
        survey: The canonical survey table (the scope's respondents are selected).
        scope: Region (None: every region), year, language, k and extremes_k.
        columns: The numeric items.
        also: Item -> statistics withheld by complementary suppression across reports
            (`pipeline.linked_statistics`).
        beside_bands: Whether the same report shows the items' tables in bands (a
            region's does, the overview does not): then `linked_tails` applies.

    Returns:
        Item -> disclosed statistics (`pipeline.disclosure.suppress_statistics`, with
        `scope.k` and `scope.extremes_k`).
    """
    rows = respondents(survey, scope)
    also = also or {}
    described = {column: describe_numeric(rows[column]) for column in columns}
    return {
        column: suppress_statistics(
            stats,
            int(stats["n"]),
            scope.k,
            scope.extremes_k,
            (*also.get(column, ()), *(linked_tails(rows, column, scope.k) if beside_bands else ())),
        )
        for column, stats in described.items()
    }


def linked_tails(rows: pd.DataFrame, column: str, k: int) -> tuple[str, ...]:
    """The tail statistics an item withholds because its table in bands suppresses a cell.

    Args:
        rows: The group's respondents.
        column: The numeric item.
        k: The minimum group size.

    Returns:
        `TAIL_STATISTICS` when the item is shown in bands (`BANDED_ITEMS`) and that table
        suppresses a cell (or is withheld); else nothing.
    """
    if column not in BANDED_ITEMS:
        return ()
    bands = band_distribution(rows, column, BANDED_ITEMS[column])
    return TAIL_STATISTICS if disclose_distribution(bands, k).any_suppressed else ()


# --- distributions --------------------------------------------------------------------------


def _distribution_frame(
    answered: pd.Series, order: Sequence[tuple[str, str]], missing: int, lang: str
) -> pd.DataFrame:
    """Build kind/code/label/n/percent rows: categories, the answered total, missing."""
    counts = answered.value_counts()
    known = {code for code, _ in order}
    extra = sorted(str(c) for c in counts.index if str(c) not in known)
    order = [*order, *((code, code) for code in extra)]
    base = int(counts.sum())
    rows = []
    for code, text in order:
        n = int(counts.get(code, 0))
        rows.append(("category", code, text, n, 100.0 * n / base if base else np.nan))
    rows.append(("total", None, _t(lang, "total"), base, 100.0 if base else np.nan))
    rows.append(("missing", None, _t(lang, "missing"), int(missing), np.nan))
    frame = pd.DataFrame(rows, columns=["kind", "code", "label", "n", "percent"])
    return frame.astype({"n": "int64", "percent": "float64"})


def distribution(rows: pd.DataFrame, column: str, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Counts and percentages of a categorical or yes/no item among the rows given.

    Categories come in the order of `pipeline.schema.CATEGORIES` (codes not listed
    there follow, sorted, labelled by their code); yes/no items show Ja/Nej (Yes/No).
    Percentages are of those who answered the item.

    Returns:
        Columns kind ("category", "total", "missing"), code, label, n, percent; one
        row per category, then the answered total (100 %), then missing (no percent).
    """
    values = rows[column]
    answered = values.dropna()
    if column in BOOLEAN_COLUMNS or pd.api.types.is_bool_dtype(values):
        answered = answered.astype(bool).map({True: "yes", False: "no"})
        order = [("yes", _t(lang, "answer_yes")), ("no", _t(lang, "answer_no"))]
    else:
        answered = answered.astype(str)
        order = [(code, label(column, code, lang)) for code in CATEGORIES.get(column, {})]
    return _distribution_frame(answered, order, int(values.isna().sum()), lang)


def band_distribution(
    rows: pd.DataFrame, column: str, edges: Sequence[float], lang: str = DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """Counts and percentages of a numeric item in bands, among the rows given.

    Bands are [-inf, e1), [e1, e2), ..., [e_last, inf): with `EMPLOYMENT_EDGES` that is
    under 50, 50-74, 75-99 and 100 %.

    Returns:
        The same layout as `distribution` (codes "band1", "band2", ...).
    """
    values = pd.to_numeric(rows[column], errors="coerce").astype("float64")
    answered = values.dropna()
    bands = np.searchsorted(np.asarray(edges, dtype=float), answered.to_numpy(), side="right")
    labels = _band_labels(column, edges, lang)
    order = [(f"band{i + 1}", text) for i, text in enumerate(labels)]
    codes = pd.Series([f"band{b + 1}" for b in bands], index=answered.index, dtype=object)
    return _distribution_frame(codes, order, int(values.isna().sum()), lang)


def _band_labels(column: str, edges: Sequence[float], lang: str) -> list[str]:
    """Labels "Under 50 %", "50–74 %", ..., "100 %" (employment) or "... kr" (salary)."""
    suffix = _t(lang, "percent_suffix" if column == "employment_pct" else "currency_suffix")

    def num(value: float) -> str:
        return number(value, lang, 0) + suffix

    labels = [_t(lang, "band_under", value=num(edges[0]))]
    # Answers are whole numbers in practice, so [50, 75) reads "50–74".
    labels += [
        f"{number(lo, lang, 0)}–{num(hi - 1)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]
    if column == "employment_pct" and edges[-1] == 100:
        labels.append(num(100))  # nobody works more than full time
    else:
        labels.append(_t(lang, "band_or_more", value=num(edges[-1])))
    return labels


def _task_codes(value: object) -> list[str] | None:
    """The chosen codes of a multi-choice answer; None when it was not answered."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return [code.strip() for code in str(value).split(";") if code.strip()]


# Options a survey need not offer: a row only where someone chose them, so a survey
# without an "other" option does not report that no one chose it.
_SHOWN_WHEN_CHOSEN = {"tasks": ("annan",)}


def multi_choice_distribution(
    rows: pd.DataFrame, column: str = "tasks", lang: str = DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """How many of the rows given chose each option of a multi-choice item.

    A missing answer counts as not answered. An empty one ("": every option column
    held an explicit "not ticked") answered and chose none of the options, so it
    counts in the base. Percentages are of those who answered, so they need not add
    up to 100.

    Returns:
        Columns kind, code, label, n, percent: one "category" row per option (schema
        order, an optional option only when chosen, then unknown codes sorted), a
        "total" row with the base (respondents who answered; no percent) and a
        "missing" row.
    """
    answers = [_task_codes(v) for v in rows[column]]
    chosen = [set(a) for a in answers if a is not None]
    base = len(chosen)
    picked = set().union(*chosen) if chosen else set()
    optional = _SHOWN_WHEN_CHOSEN.get(column, ())
    codes = [c for c in CATEGORIES.get(column, {}) if c not in optional or c in picked]
    codes += sorted(picked - set(CATEGORIES.get(column, {})))
    records = []
    for code in codes:
        n = sum(1 for c in chosen if code in c)
        records.append(
            ("category", code, label(column, code, lang), n, 100.0 * n / base if base else np.nan)
        )
    records.append(("total", None, _t(lang, "respondents"), base, np.nan))
    records.append(("missing", None, _t(lang, "missing"), len(answers) - base, np.nan))
    frame = pd.DataFrame(records, columns=["kind", "code", "label", "n", "percent"])
    return frame.astype({"n": "int64", "percent": "float64"})


def disclose_item(survey: pd.DataFrame, column: str, scope: Scope) -> Disclosed:
    """The distribution of an item among the scope's respondents (`disclose_answers`)."""
    return disclose_answers(respondents(survey, scope), column, scope.lang, scope.k)


def disclose_answers(
    rows: pd.DataFrame, column: str, lang: str = DEFAULT_LANGUAGE, k: int = DEFAULT_K
) -> Disclosed:
    """The distribution of an item among the rows given, through the k rule.

    Tasks are a multi-choice item, employment percentage and salary come in bands
    (`BANDED_ITEMS`), every other item is categorical or yes/no. A follow-up item
    (`FOLLOW_UPS`) is withheld, reason "linked", when its filter's table suppresses a cell
    and its own table is not withheld already (then its own reason is the one given).
    """
    if column == "tasks":
        return disclose_multi_choice(multi_choice_distribution(rows, column, lang), k)
    if column in BANDED_ITEMS:
        table = band_distribution(rows, column, BANDED_ITEMS[column], lang)
    else:
        table = distribution(rows, column, lang)
    own = disclose_distribution(table, k)
    if own.withheld:  # its own reason (too few answered) comes before the filter's
        return own
    if column in FOLLOW_UPS and disclose_answers(rows, FOLLOW_UPS[column], lang, k).any_suppressed:
        # Its answered total would bound the filter's hidden cells (`FOLLOW_UPS`).
        return withhold(table, k, "linked")
    return own
