"""Survey statistics: response rates, descriptives, distributions, key indicators (pure).

The statistics functions take the canonical survey table (`pipeline.schema`) and return
frames of raw numbers for notebooks and figures. The `*_markdown` functions are what the
report shows: they compute, pass the result through `pipeline.disclosure` (the
small-cell rule) and format only the disclosed table, so a report table cannot skip the
rule. Filter the survey to the region and year before calling (`select`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.disclosure import (
    DEFAULT_EXTREMES_K,
    DEFAULT_INTERVIEW_K,
    DEFAULT_K,
    SUPPRESSED_MARK,
    Disclosed,
    disclose_distribution,
    disclose_multi_choice,
    disclose_public,
    disclose_statistics_table,
    disclosed_withheld_message,
    display_table,
    extremes_publishable,
    footnote,
    region_publishable,
    region_withheld_message,
    rules_text,
    suppress_statistics,
    withheld_message,
)
from pipeline.disclosure_text import complement_note, extremes_note
from pipeline.formatting import md_text, number, percent
from pipeline.schema import CATEGORIES, label
from pipeline.tables import markdown_table

PERCENTILE_METHOD = "linear"
"""numpy's percentile method: rank h = (n - 1) p + 1, linear between neighbours.

It is Hyndman & Fan's definition 7, the default of numpy, R and Excel's PERCENTILE.INC.
The seed's months-worked table (N=43, percentiles 1.2/3.4/7.5/22/67.5/88.8/99.3) is
reproducible with whole months only under this definition: with "weibull"
(h = (n + 1) p, SPSS's default) the 95th percentile lies 0.8 of the way between two
observations, and 0.8 times a whole number can never end in .3. `tests/test_survey.py`
holds a 43-value sample that reproduces every figure of that table.
"""

PERCENTILE_METHOD_TEXT: dict[str, str] = {
    "sv": (
        "Percentiler är beräknade med linjär interpolation mellan närliggande observationer "
        "(rang (n − 1) · p + 1, samma definition som Excels PERCENTIL.INK och R:s standard)."
    ),
    "en": (
        "Percentiles are computed by linear interpolation between neighbouring observations "
        "(rank (n − 1) · p + 1, the definition of Excel's PERCENTILE.INC and R's default)."
    ),
}
"""One sentence for the report's method section."""

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

_STATISTIC_LABELS: dict[str, dict[str, str]] = {
    "n": {"sv": "Antal svar (N)", "en": "Answers (N)"},
    "missing": {"sv": "Uppgift saknas (n)", "en": "Not stated (n)"},
    "missing_pct": {"sv": "Uppgift saknas (% av alla)", "en": "Not stated (% of all)"},
    "unique": {"sv": "Antal olika värden", "en": "Unique values"},
    "min": {"sv": "Lägsta värde", "en": "Minimum"},
    "max": {"sv": "Högsta värde", "en": "Maximum"},
    "mean": {"sv": "Medelvärde", "en": "Mean"},
    "std": {"sv": "Standardavvikelse", "en": "Standard deviation"},
    "sum": {"sv": "Summa", "en": "Sum"},
    **{
        f"p{p}": {"sv": f"{p}:e percentilen", "en": f"{p}th percentile"}
        for p in PERCENTILES
        if p != 50
    },
    "p50": {"sv": "Median", "en": "Median"},
}

ITEM_LABELS: dict[str, dict[str, str]] = {
    "gender": {"sv": "Kön", "en": "Gender"},
    "age": {"sv": "Ålder", "en": "Age"},
    "education": {"sv": "Utbildningsnivå", "en": "Level of education"},
    "trained": {"sv": "Utbildning i peer support", "en": "Peer-support training"},
    "training_provider": {"sv": "Utbildningsanordnare", "en": "Training provider"},
    "employment_pct": {"sv": "Tjänstgöringsgrad", "en": "Employment percentage"},
    "months_worked": {"sv": "Månader som peer supporter", "en": "Months as peer supporter"},
    "salary_monthly_fte": {
        "sv": "Månadslön (heltid, kronor)",
        "en": "Monthly salary (full time, SEK)",
    },
    "supervision": {"sv": "Får handledning", "en": "Receives supervision"},
    "supervision_frequency": {"sv": "Handledningens frekvens", "en": "Supervision frequency"},
    "tasks": {"sv": "Arbetsuppgifter", "en": "Tasks"},
    "employer": {"sv": "Arbetsgivare", "en": "Employer"},
}
"""Report labels of survey items (titles of tables and figures)."""

BOOLEAN_COLUMNS: tuple[str, ...] = ("trained", "supervision")
EMPLOYMENT_EDGES: tuple[float, ...] = (50, 75, 100)
"""Employment bands: under 50, 50-74, 75-99 and 100 %."""
SALARY_EDGES: tuple[float, ...] = (25_000, 30_000, 35_000)
"""Salary bands (SEK per month, full-time equivalent)."""

_DECIMALS: dict[str, int] = {"salary_monthly_fte": 0}

_TEXT: dict[str, dict[str, str]] = {
    "yes": {"sv": "Ja", "en": "Yes"},
    "no": {"sv": "Nej", "en": "No"},
    "missing": {"sv": "Uppgift saknas", "en": "Not stated"},
    "total": {"sv": "Totalt (besvarat)", "en": "Total (answered)"},
    "respondents": {"sv": "Svarande (minst en uppgift)", "en": "Respondents (any task)"},
    "all_total": {"sv": "Totalt", "en": "Total"},
    "region": {"sv": "Region", "en": "Region"},
    "responses": {"sv": "Antal svar (n)", "en": "Responses (n)"},
    "target": {"sv": "Målpopulation (N)", "en": "Target population (N)"},
    "rate": {"sv": "Svarsfrekvens", "en": "Response rate"},
    "answer": {"sv": "Svar", "en": "Answer"},
    "n": {"sv": "Antal", "en": "Number"},
    "percent": {"sv": "Andel", "en": "Share"},
    "statistic": {"sv": "Mått", "en": "Statistic"},
    "value": {"sv": "Värde", "en": "Value"},
    "indicator": {"sv": "Indikator", "en": "Indicator"},
}

_INDICATORS: dict[str, dict[str, str]] = {
    "responses": {"sv": "Antal svar", "en": "Responses"},
    "target_population": {"sv": "Målpopulation", "en": "Target population"},
    "response_rate": {"sv": "Svarsfrekvens", "en": "Response rate"},
    "mean_age": {"sv": "Medelålder (år)", "en": "Mean age (years)"},
    "median_months_worked": {
        "sv": "Median antal månader som peer supporter",
        "en": "Median months as peer supporter",
    },
    "trained_pct": {"sv": "Andel utbildade", "en": "Share trained"},
    "supervision_pct": {"sv": "Andel med handledning", "en": "Share with supervision"},
    "mean_employment_pct": {
        "sv": "Genomsnittlig tjänstgöringsgrad",
        "en": "Mean employment percentage",
    },
    "median_salary": {
        "sv": "Median månadslön (heltid, kr)",
        "en": "Median monthly salary (full time, SEK)",
    },
}
KEY_INDICATORS: tuple[str, ...] = tuple(_INDICATORS)
"""The columns of `key_indicators` after `year`."""


def _t(key: str, lang: str) -> str:
    return _TEXT[key].get(lang, _TEXT[key]["sv"])


def item_label(column: str, lang: str = "sv") -> str:
    """Return the report label of a survey item, e.g. "months_worked" -> "Månader som ...".

    Args:
        column: A canonical survey column.
        lang: "sv" or "en".

    Returns:
        The label, or the column name when it has none.
    """
    return ITEM_LABELS.get(column, {}).get(lang, column)


def select(
    survey: pd.DataFrame, region: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """Return the rows of one region and/or year (a new frame).

    Args:
        survey: The canonical survey table.
        region: Keep only this region (None: all).
        year: Keep only this year (None: all).

    Returns:
        The selected rows.
    """
    keep = pd.Series(True, index=survey.index)
    if region is not None:
        keep &= survey["region"] == region
    if year is not None:
        keep &= survey["year"] == year
    return survey.loc[keep].copy()


def years_up_to(survey: pd.DataFrame, population: pd.DataFrame, year: int) -> list[int]:
    """Return the years with survey or population data up to and including `year`, sorted.

    Args:
        survey: The canonical survey table.
        population: The population table.
        year: The report year.

    Returns:
        Sorted years.
    """
    years = set(survey["year"].astype(int)) | set(population["year"].astype(int))
    return sorted(y for y in years if y <= year)


# --- response rates -------------------------------------------------------------------


def response_rates(survey: pd.DataFrame, population: pd.DataFrame, year: int) -> pd.DataFrame:
    """Responses, target population and response rate per region in one year, with a total.

    Regions come in the population table's order, then regions that only the survey has
    (sorted). A region without a target population gets NaN target and rate; the total
    rate is then NaN too, since it would not describe the whole population.

    Args:
        survey: The canonical survey table (all regions).
        population: The population table (`year, region, target_population`).
        year: The year.

    Returns:
        Columns region, responses, target_population, response_rate (percent 0-100,
        unrounded) and is_total (True only on the last row, region "Total").
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
        rows.append((region, n, target, _rate(n, target), False))
    total_n = sum(r[1] for r in rows)
    known = [r[2] for r in rows if not np.isnan(r[2])]
    total_target = float(sum(known)) if len(known) == len(rows) and rows else np.nan
    rows.append(("Total", total_n, total_target, _rate(total_n, total_target), True))
    frame = pd.DataFrame(
        rows, columns=["region", "responses", "target_population", "response_rate", "is_total"]
    )
    return frame.astype({"responses": "int64", "is_total": bool})


def _rate(n: int, target: float) -> float:
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
    rows.append(("total", None, _t("total", lang), base, 100.0 if base else np.nan))
    rows.append(("missing", None, _t("missing", lang), int(missing), np.nan))
    frame = pd.DataFrame(rows, columns=["kind", "code", "label", "n", "percent"])
    return frame.astype({"n": "int64", "percent": "float64"})


def distribution(survey: pd.DataFrame, column: str, lang: str = "sv") -> pd.DataFrame:
    """Counts and percentages of a categorical or yes/no item.

    Categories come in the order of `pipeline.schema.CATEGORIES` (codes not listed
    there follow, sorted, labelled by their code); yes/no items show Ja/Nej (Yes/No).
    Percentages are of those who answered the item.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The item, e.g. "gender", "trained".
        lang: "sv" or "en".

    Returns:
        Columns kind ("category", "total", "missing"), code, label, n, percent; one
        row per category, then the answered total (100 %), then missing (no percent).
    """
    values = survey[column]
    answered = values.dropna()
    if column in BOOLEAN_COLUMNS or pd.api.types.is_bool_dtype(values):
        answered = answered.astype(bool).map({True: "yes", False: "no"})
        order = [("yes", _t("yes", lang)), ("no", _t("no", lang))]
    else:
        answered = answered.astype(str)
        order = [(code, label(column, code, lang)) for code in CATEGORIES.get(column, {})]
    return _distribution_frame(answered, order, int(values.isna().sum()), lang)


def band_distribution(
    survey: pd.DataFrame, column: str, edges: Sequence[float], lang: str = "sv"
) -> pd.DataFrame:
    """Counts and percentages of a numeric item in bands (e.g. employment percentage).

    Bands are [-inf, e1), [e1, e2), ..., [e_last, inf): with `EMPLOYMENT_EDGES` that is
    under 50, 50-74, 75-99 and 100 %.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The numeric item.
        edges: Increasing band edges.
        lang: "sv" or "en".

    Returns:
        The same layout as `distribution` (codes "band1", "band2", ...).
    """
    values = pd.to_numeric(survey[column], errors="coerce").astype("float64")
    answered = values.dropna()
    bands = np.searchsorted(np.asarray(edges, dtype=float), answered.to_numpy(), side="right")
    labels = _band_labels(column, edges, lang)
    order = [(f"band{i + 1}", text) for i, text in enumerate(labels)]
    codes = pd.Series([f"band{b + 1}" for b in bands], index=answered.index, dtype=object)
    return _distribution_frame(codes, order, int(values.isna().sum()), lang)


def _band_labels(column: str, edges: Sequence[float], lang: str) -> list[str]:
    """Labels "Under 50 %", "50–74 %", ..., "100 %" (employment) or "... kr" (salary)."""
    if column == "employment_pct":
        suffix = "\u00a0%" if lang == "sv" else "%"  # no-break space, as in percent()
    else:
        suffix = "\u00a0kr" if lang == "sv" else "\u00a0SEK"
    num = lambda v: number(v, lang, 0)  # noqa: E731
    labels = [f"Under {num(edges[0])}{suffix}"]
    # Answers are whole numbers in practice, so [50, 75) reads "50–74".
    labels += [
        f"{num(lo)}–{num(hi - 1)}{suffix}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]
    if column == "employment_pct" and edges[-1] == 100:
        labels.append(f"{num(100)}{suffix}")  # nobody works more than full time
    else:
        labels.append(f"{num(edges[-1])}{suffix} {'eller mer' if lang == 'sv' else 'or more'}")
    return labels


def employment_bands(survey: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """Employment percentage in bands: under 50, 50-74, 75-99, 100 % (`band_distribution`)."""
    return band_distribution(survey, "employment_pct", EMPLOYMENT_EDGES, lang)


def salary_bands(
    survey: pd.DataFrame, lang: str = "sv", edges: Sequence[float] = SALARY_EDGES
) -> pd.DataFrame:
    """Monthly full-time salary in bands of SEK 5,000 (`band_distribution`)."""
    return band_distribution(survey, "salary_monthly_fte", edges, lang)


def _task_codes(value: object) -> list[str]:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [code.strip() for code in str(value).split(";") if code.strip()]


def multi_choice_distribution(
    survey: pd.DataFrame, column: str = "tasks", lang: str = "sv"
) -> pd.DataFrame:
    """How many respondents chose each option of a multi-choice item.

    A missing or empty answer counts as not answered. Percentages are of those who
    chose at least one option, so they need not add up to 100.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The item (codes joined with ";").
        lang: "sv" or "en".

    Returns:
        Columns kind, code, label, n, percent: one "category" row per option (schema
        order, then unknown codes sorted), a "total" row with the base (respondents
        with any option; no percent) and a "missing" row.
    """
    chosen = [set(_task_codes(v)) for v in survey[column]]
    base = sum(1 for c in chosen if c)
    codes = list(CATEGORIES.get(column, {}))
    codes += sorted(set().union(*chosen) - set(codes)) if chosen else []
    rows = []
    for code in codes:
        n = sum(1 for c in chosen if code in c)
        rows.append(
            ("category", code, label(column, code, lang), n, 100.0 * n / base if base else np.nan)
        )
    rows.append(("total", None, _t("respondents", lang), base, np.nan))
    rows.append(("missing", None, _t("missing", lang), len(chosen) - base, np.nan))
    frame = pd.DataFrame(rows, columns=["kind", "code", "label", "n", "percent"])
    return frame.astype({"n": "int64", "percent": "float64"})


# --- key indicators -----------------------------------------------------------------------


def key_indicators(
    survey: pd.DataFrame, population: pd.DataFrame, region: str, years: Iterable[int]
) -> pd.DataFrame:
    """A region's key figures per year, for following it across evaluation rounds.

    Args:
        survey: The canonical survey table (all years).
        population: The population table.
        region: The region.
        years: The years to show, e.g. `years_up_to(survey, population, report_year)`.

    Returns:
        One row per year (sorted) with columns year and `KEY_INDICATORS`: responses,
        target_population, response_rate, mean_age, median_months_worked, trained_pct,
        supervision_pct, mean_employment_pct, median_salary (NaN where nobody answered).
    """
    values, _, _ = _indicator_tables(survey, population, region, years)
    return values.reset_index()


def _indicator_tables(
    survey: pd.DataFrame, population: pd.DataFrame, region: str, years: Iterable[int]
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
        v["response_rate"] = _rate(len(rows), target)
        for key, column, how in (
            ("mean_age", "age", "mean"),
            ("median_months_worked", "months_worked", "median"),
            ("mean_employment_pct", "employment_pct", "mean"),
            ("median_salary", "salary_monthly_fte", "median"),
        ):
            answered = pd.to_numeric(rows[column], errors="coerce").astype("float64").dropna()
            v[key] = float(getattr(answered, how)()) if len(answered) else np.nan
            b[key] = len(answered)
        for key, column in (("trained_pct", "trained"), ("supervision_pct", "supervision")):
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


# --- Markdown for the report (disclosed tables only) ----------------------------------------


def disclosed_markdown(
    disclosed: Disclosed,
    headers: Mapping[str, str],
    formats: Mapping[str, Callable[[object], str]],
    lang: str = "sv",
    align: str | None = None,
) -> str:
    """Render a disclosed table as a Markdown pipe table, with the footnote when needed.

    Args:
        disclosed: Output of a `pipeline.disclosure` function; nothing else is accepted.
        headers: Column -> header text, in display order (other columns are dropped).
        formats: Column -> formatter for the values.
        lang: "sv" or "en" (footnote and withheld text).
        align: Column alignment for `markdown_table`.

    Returns:
        Markdown: the table (or the withheld message) and, when cells are suppressed,
        the footnote as its own paragraph.

    Raises:
        TypeError: When `disclosed` is not a `Disclosed` table.
    """
    if not isinstance(disclosed, Disclosed):
        raise TypeError("disclosed_markdown takes a Disclosed table (see pipeline.disclosure)")
    if disclosed.withheld:
        return md_text(disclosed_withheld_message(disclosed, lang)) + "\n"
    shown = display_table(disclosed, formats)[list(headers)]
    shown.columns = list(headers.values())
    text = markdown_table(shown, align)
    if disclosed.any_suppressed:
        text += "\n" + md_text(footnote(disclosed.k, lang)) + "\n"
    return text


def _count(lang: str) -> Callable[[object], str]:
    return lambda v: number(float(v), lang, 0)


def _pct(lang: str) -> Callable[[object], str]:
    return lambda v: percent(float(v), lang, 1)


def response_rates_markdown(
    survey: pd.DataFrame, population: pd.DataFrame, year: int, lang: str = "sv", k: int = DEFAULT_K
) -> str:
    """The response-rate table (responses per region are public, so nothing is suppressed).

    Args:
        survey: The canonical survey table (all regions).
        population: The population table.
        year: The year.
        lang: "sv" or "en".
        k: The minimum group size (kept for a uniform call; counts here are public).

    Returns:
        Markdown table with a total row.
    """
    rates = response_rates(survey, population, year)
    rates.loc[rates["is_total"], "region"] = _t("all_total", lang)
    headers = {
        "region": _t("region", lang),
        "responses": _t("responses", lang),
        "target_population": _t("target", lang),
        "response_rate": _t("rate", lang),
    }
    formats = {"responses": _count(lang), "target_population": _count(lang)}
    formats["response_rate"] = _pct(lang)
    return disclosed_markdown(disclose_public(rates, k), headers, formats, lang)


def numeric_markdown(
    survey: pd.DataFrame,
    column: str,
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> str:
    """The descriptive table of a numeric item (withheld below k answers).

    Below `extremes_k` answers only the robust statistics (counts, median, quartiles)
    are listed; see `pipeline.disclosure.suppress_statistics`.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The numeric item, e.g. "months_worked".
        lang: "sv" or "en".
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.

    Returns:
        Markdown table statistic | value, or the withheld message.
    """
    return numeric_items_markdown(survey, (column,), lang, k, extremes_k, single=True)


NUMERIC_ITEMS: tuple[str, ...] = ("age", "months_worked", "employment_pct", "salary_monthly_fte")


def numeric_items_markdown(
    survey: pd.DataFrame,
    columns: Sequence[str] = NUMERIC_ITEMS,
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
    single: bool = False,
    also: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The descriptive table of several numeric items side by side (statistics as rows).

    Each item passes the rules on its own (`pipeline.disclosure.suppress_statistics`):
    an item with fewer than k answers is suppressed in its whole column, one with fewer
    than `extremes_k` shows only counts, median and quartiles. A statistic that no item
    may show is left out as a row rather than printed as a row of marks.

    Args:
        survey: The canonical survey table (already filtered to the group).
        columns: The numeric items, one column each.
        lang: "sv" or "en".
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.
        single: One item, shown with the header "Värde" (see `numeric_markdown`).
        also: Item -> statistics withheld by complementary suppression across reports
            (`pipeline.linked_statistics`), with its note.

    Returns:
        Markdown table (statistic | item ...) with the footnote when anything was
        suppressed, or the withheld message when no item can be shown.
    """
    described = {column: describe_numeric(survey[column]) for column in columns}
    also = also or {}
    disclosed = {
        column: suppress_statistics(stats, int(stats["n"]), k, extremes_k, also.get(column, ()))
        for column, stats in described.items()
    }
    if all(d.withheld for d in disclosed.values()):
        return md_text(withheld_message(k, lang)) + "\n"
    statistics = [
        key
        for key in STATISTICS
        if any(not d.suppressed.at[key, "value"] for d in disclosed.values())
    ]
    shown: dict[str, list[str]] = {}
    for column, d in disclosed.items():
        decimals = _DECIMALS.get(column, 1)
        head = _t("value", lang) if single else item_label(column, lang)
        shown[head] = [
            SUPPRESSED_MARK
            if d.suppressed.at[key, "value"]
            else _format_statistic(key, d.table.at[key, "value"], decimals, lang)
            for key in statistics
        ]
    labels = [_STATISTIC_LABELS[key][_lang(lang)] for key in statistics]
    text = markdown_table(pd.DataFrame({_t("statistic", lang): labels, **shown}))
    notes = []
    if any(d.withheld for d in disclosed.values()):
        notes.append(footnote(k, lang))
    if any(
        not d.withheld and not extremes_publishable(int(described[c]["n"]), k, extremes_k)
        for c, d in disclosed.items()
    ):
        notes.append(extremes_note(k, extremes_k, lang))
    if any(also.get(c) and not d.withheld for c, d in disclosed.items()):
        notes.append(complement_note(k, extremes_k, lang))
    for note in notes:
        text += "\n" + md_text(note) + "\n"
    return text


def _format_statistic(key: str, value: float, decimals: int, lang: str) -> str:
    if key in ("n", "missing", "unique"):
        return number(value, lang, 0)
    if key == "missing_pct":
        return percent(value, lang, 1)
    return number(value, lang, decimals)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "sv"


def distribution_markdown(
    survey: pd.DataFrame, column: str, lang: str = "sv", k: int = DEFAULT_K
) -> str:
    """The distribution table of a categorical or yes/no item, disclosed.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The item.
        lang: "sv" or "en".
        k: The minimum group size.

    Returns:
        Markdown table answer | number | share.
    """
    return _distribution_markdown(distribution(survey, column, lang), lang, k)


def _distribution_markdown(table: pd.DataFrame, lang: str, k: int, multi: bool = False) -> str:
    disclosed = (disclose_multi_choice if multi else disclose_distribution)(table, k)
    return distribution_table_markdown(disclosed, lang)


def distribution_table_markdown(disclosed: Disclosed, lang: str = "sv") -> str:
    """A disclosed distribution (answer | number | share) as Markdown.

    Args:
        disclosed: A disclosed table with the columns of `distribution`.
        lang: "sv" or "en".

    Returns:
        Markdown table with the footnote when cells are suppressed, or the withheld
        sentence.
    """
    headers = {"label": _t("answer", lang), "n": _t("n", lang), "percent": _t("percent", lang)}
    return disclosed_markdown(disclosed, headers, {"n": _count(lang), "percent": _pct(lang)}, lang)


def tasks_markdown(survey: pd.DataFrame, lang: str = "sv", k: int = DEFAULT_K) -> str:
    """The tasks table (multi-choice; % of those who named any task), disclosed."""
    return _distribution_markdown(multi_choice_distribution(survey, "tasks", lang), lang, k, True)


def employment_markdown(survey: pd.DataFrame, lang: str = "sv", k: int = DEFAULT_K) -> str:
    """The employment-percentage bands table, disclosed."""
    return _distribution_markdown(employment_bands(survey, lang), lang, k)


def salary_markdown(survey: pd.DataFrame, lang: str = "sv", k: int = DEFAULT_K) -> str:
    """The salary bands table, disclosed."""
    return _distribution_markdown(salary_bands(survey, lang), lang, k)


def key_indicators_markdown(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    region: str,
    years: Iterable[int],
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> str:
    """The key-indicator table of a region (indicators as rows, years as columns).

    Responses, target population and response rate are public; every other value is
    suppressed when fewer than k answered, and shares also when the yes or the no
    group is 1..k-1 (see `pipeline.disclosure.statistic_publishable`); means also
    when fewer than `extremes_k` answered (a mean times the public n is a sum).

    Args:
        survey: The canonical survey table (all years).
        population: The population table.
        region: The region.
        years: The years to show.
        lang: "sv" or "en".
        k: The minimum group size.

    Returns:
        Markdown table.
    """
    values, bases, counts = _indicator_tables(survey, population, region, years)
    disclosed = _disclose_indicators(values, bases, counts, k, extremes_k)
    formats = {key: _indicator_format(key, lang) for key in KEY_INDICATORS}
    shown = display_table(disclosed, formats).T
    shown.columns = [str(year) for year in shown.columns]
    names = [_INDICATORS[key][_lang(lang)] for key in shown.index]
    shown.insert(0, _t("indicator", lang), names)
    text = markdown_table(shown.reset_index(drop=True))
    text += _indicator_notes([disclosed], bases, k, extremes_k, lang)
    return text


_MEANS = ("mean_age", "mean_employment_pct")


def _indicator_notes(
    tables: Sequence[Disclosed], bases: pd.DataFrame, k: int, extremes_k: int | None, lang: str
) -> str:
    """The footnotes of an indicator table: the k rule, and the means rule when it applied."""
    notes = []
    if any(d.any_suppressed for d in tables):
        notes.append(footnote(k, lang))
    means = [m for m in _MEANS if m in bases.columns]
    if any(
        d.suppressed.at[row, m] and bases.at[row, m] >= k
        for d in tables
        for row in d.table.index
        for m in means
    ):
        notes.append(extremes_note(k, extremes_k, lang))
    return "".join("\n" + md_text(note) + "\n" for note in notes)


def _disclose_indicators(
    values: pd.DataFrame,
    bases: pd.DataFrame,
    counts: pd.DataFrame,
    k: int,
    extremes_k: int | None,
) -> Disclosed:
    """The key indicators through the rules: public counts, shares, means (totals)."""
    return disclose_statistics_table(
        values,
        bases,
        k,
        counts,
        public=("responses", "target_population", "response_rate"),
        totals=_MEANS,
        extremes_k=extremes_k,
    )


def _indicator_format(key: str, lang: str) -> Callable[[object], str]:
    if key in ("responses", "target_population"):
        return _count(lang)
    if key in ("response_rate", "trained_pct", "supervision_pct", "mean_employment_pct"):
        return _pct(lang)
    if key == "median_salary":
        return _count(lang)
    return lambda v: number(float(v), lang, 1)


def region_withheld_markdown(region: str, year: int, lang: str = "sv", k: int = DEFAULT_K) -> str:
    """The paragraph a report shows instead of survey statistics for a region below k.

    Args:
        region: The region (escaped here: it is data).
        year: The year.
        lang: "sv" or "en".
        k: The minimum group size.

    Returns:
        One Markdown paragraph.
    """
    return md_text(region_withheld_message(region, year, k, lang)) + "\n"


def key_figures_markdown(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> str:
    """The summary's key figures for one region-year, as a bullet list.

    The same disclosed values as the key-indicator table's column for `year`:
    suppressed indicators are left out of the list (the footnote says why).

    Args:
        survey: The canonical survey table (all regions and years).
        population: The population table.
        region: The region.
        year: The report year.
        lang: "sv" or "en".
        k: The minimum group size.

    Returns:
        Markdown bullet list (escaped), with the footnote when anything was left out.
    """
    values, bases, counts = _indicator_tables(survey, population, region, [year])
    disclosed = _disclose_indicators(values, bases, counts, k, extremes_k)
    formats = {key: _indicator_format(key, lang) for key in KEY_INDICATORS}
    shown = display_table(disclosed, formats).T.iloc[:, 0]
    lines = [
        f"- {md_text(_INDICATORS[key][_lang(lang)])}: {md_text(value)}"
        for key, value in shown.items()
        if value != SUPPRESSED_MARK and value != "–"
    ]
    text = "\n".join(lines) + "\n"
    text += _indicator_notes([disclosed], bases, k, extremes_k, lang)
    return text


def survey_status_markdown(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int = DEFAULT_K,
) -> str:
    """One paragraph on the survey of a region-year: who answered, or why nothing is shown.

    Args:
        survey: The canonical survey table (all regions and years).
        population: The population table.
        region: The region.
        year: The report year.
        lang: "sv" or "en".
        k: The minimum group size.

    Returns:
        Markdown (escaped).
    """
    if not region_publishable(survey, region, year, k):
        return region_withheld_markdown(region, year, lang, k)
    rates = response_rates(survey, population, year).set_index("region")
    row = rates.loc[region]
    values = {
        "n": number(int(row["responses"]), lang, 0),
        "target": number(int(row["target_population"]), lang, 0),
        "rate": percent(float(row["response_rate"]), lang),
    }
    if lang == "en":
        text = "{n} of {target} peer supporters answered the survey ({rate}).".format(**values)
    else:
        text = "{n} av {target} peer supportrar besvarade enkäten ({rate}).".format(**values)
    return md_text(text) + "\n"


def method_markdown(
    lang: str = "sv",
    k: int = DEFAULT_K,
    interview_k: int = DEFAULT_INTERVIEW_K,
    extremes_k: int = DEFAULT_EXTREMES_K,
) -> str:
    """The method notes: every disclosure rule with its parameters, and the percentiles.

    Args:
        lang: "sv" or "en".
        k: The survey rule's minimum group size.
        interview_k: The interview rule's minimum group size (persons).
        extremes_k: The extremes-and-totals threshold.

    Returns:
        Markdown (escaped): a bullet list of the rules, then the percentile definition.
    """
    head = "Röjandekontroll:" if lang != "en" else "Disclosure control:"
    rules = "\n".join(f"- {md_text(rule)}" for rule in rules_text(k, interview_k, extremes_k, lang))
    percentiles = md_text(PERCENTILE_METHOD_TEXT[_lang(lang)])
    return f"{md_text(head)}\n\n{rules}\n\n{percentiles}\n"


def regional_indicators_markdown(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    year: int,
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> str:
    """Key indicators of every region in one year, side by side (for the national overview).

    Each region's values pass the same small-cell rule as in its own report: response
    counts, target population and rate are public, every other value is suppressed
    when fewer than k answered.

    Args:
        survey: The canonical survey table (all regions and years).
        population: The population table.
        year: The year.
        lang: "sv" or "en".
        k: The minimum group size.

    Returns:
        Markdown table (indicator | region ...) with the footnote when anything was suppressed.
    """
    regions = list(population.loc[population["year"] == year, "region"])
    regions += sorted(set(survey.loc[survey["year"] == year, "region"]) - set(regions))
    formats = {key: _indicator_format(key, lang) for key in KEY_INDICATORS}
    columns: dict[str, list[str]] = {}
    tables, all_bases = [], []
    for region in regions:
        values, bases, counts = _indicator_tables(survey, population, region, [year])
        disclosed = _disclose_indicators(values, bases, counts, k, extremes_k)
        tables.append(disclosed)
        all_bases.append(bases)
        columns[region] = list(display_table(disclosed, formats).iloc[0])
    names = [_INDICATORS[key][_lang(lang)] for key in KEY_INDICATORS]
    table = pd.DataFrame({_t("indicator", lang): names, **columns})
    notes = "".join(
        dict.fromkeys(
            _indicator_notes([d], b, k, extremes_k, lang)
            for d, b in zip(tables, all_bases, strict=True)
        )
    )
    return markdown_table(table) + notes
