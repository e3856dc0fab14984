"""Survey tables and sentences as report Markdown (disclosed tables only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from pipeline.analysis.scope import Scope
from pipeline.analysis.survey import (
    NUMERIC_ITEMS,
    STATISTICS,
    compares_with_round,
    disclose_item,
    disclose_numeric,
    not_surveyed,
    rate_distribution,
    rate_quartiles,
    region_and_total,
    response_rates,
)
from pipeline.disclosure import (
    SUPPRESSED_MARK,
    Disclosed,
    disclose_public,
    extremes_publishable,
    footnote,
    region_publishable,
    region_withheld_message,
    withheld_message,
)
from pipeline.disclosure_text import complement_note, extremes_note, tails_note
from pipeline.formatting import md_text, number, percent
from pipeline.i18n import DEFAULT_LANGUAGE, Catalog
from pipeline.rounds import join_words, no_data
from pipeline.tables import markdown_table
from pipeline.text.markdown import counts, disclosed_markdown, notes_markdown, paragraph, shares

_t = Catalog("survey")
_items = Catalog("survey_items")

_DECIMALS: dict[str, int] = {"salary_monthly_fte": 0}


def item_label(column: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The report label of a survey item ("months_worked" -> "Månader som ..."), else its name."""
    return _items(lang, column) if _items.has(lang, column) else column


def response_rates_markdown(survey: pd.DataFrame, population: pd.DataFrame, scope: Scope) -> str:
    """The response-rate table of the scope's year: every region and a total.

    Responses per region are public, so nothing is suppressed. In a region's report
    the table comes with its lead sentence; in a round of more than
    FULL_COMPARISON_MAX_REGIONS regions it shows that region and the total only, and
    the lead gives the spread of the regions' rates (the overview has every region).
    Without a region (the overview) the table has every region and no lead.
    """
    rates = response_rates(survey, population, scope.year)
    lead = ""
    if scope.region is not None:
        lead = _rates_lead(rates, scope) + "\n\n"
        if compares_with_round(rates):
            rates = region_and_total(rates, scope.region)
    return lead + _rates_table(rates, scope)


def _rates_table(rates: pd.DataFrame, scope: Scope) -> str:
    lang = scope.lang
    rates = rates.copy()
    rates.loc[rates["is_total"], "region"] = _t(lang, "all_total")
    headers = {
        "region": _t(lang, "region"),
        "responses": _t(lang, "responses"),
        "target_population": _t(lang, "target"),
        "response_rate": _t(lang, "rate"),
    }
    formats = {"responses": counts(lang), "target_population": counts(lang)}
    formats["response_rate"] = shares(lang)
    shown = rates_cells(rates, formats, lang)
    return disclosed_markdown(disclose_public(shown, scope.k), headers, {}, lang) + (
        _not_surveyed_note(rates, scope)
    )


def rates_cells(
    rates: pd.DataFrame, formats: Mapping[str, Callable[[object], str]], lang: str
) -> pd.DataFrame:
    """`response_rates` as display text: a region without a survey reads "ingen datainsamling".

    Its responses and rate are no data collection, not "0" and "0 %" (a target population
    asked nobody); its target population stays, it is a fact of the round.
    """
    shown = rates.copy()
    mark = no_data(lang)
    for column, fmt in formats.items():
        shown[column] = [
            mark
            if not surveyed and column != "target_population"
            else ""
            if pd.isna(value)
            else fmt(value)
            for value, surveyed in zip(rates[column], rates["surveyed"], strict=True)
        ]
    return shown


def _not_surveyed_note(rates: pd.DataFrame, scope: Scope) -> str:
    """The note naming the regions without a survey, and what the total counts then."""
    regions = not_surveyed(rates)
    if not regions:
        return ""
    note = _t(
        scope.lang,
        "not_surveyed_note",
        regions=join_words(regions, scope.lang),
        year=scope.year,
        no_data=no_data(scope.lang),
    )
    return notes_markdown([note])


def _rates_lead(rates: pd.DataFrame, scope: Scope) -> str:
    """The sentence before the table in a region's report."""
    lang = scope.lang
    quartiles = rate_quartiles(rates)
    if not compares_with_round(rates) or quartiles is None:
        return _t(lang, "rates_lead")
    q1, median, q3 = (percent(q, lang) for q in quartiles)
    regions = number(int((~rates["is_total"]).sum()), lang, 0)
    # Catalog text is Markdown (its cross-reference stays one); the region is data.
    text = _t(lang, "rates_lead_round", region="\x00", regions=regions)
    text += " " + _t(lang, "rates_spread", q1=q1, median=median, q3=q3)
    before, after = text.split("\x00")
    return before + md_text(scope.region) + after


def response_rate_figure_data(survey: pd.DataFrame, population: pd.DataFrame, scope: Scope) -> str:
    """The data of the response-rate chart: every region's row, or the regions per band.

    In a round of more than FULL_COMPARISON_MAX_REGIONS regions the chart shows how
    many regions fall in each band of response rate (`rate_distribution`), and its
    data is that table; otherwise it is the table of every region.
    """
    rates = response_rates(survey, population, scope.year)
    if not compares_with_round(rates):
        return _rates_table(rates, scope)
    lang = scope.lang
    bands = rate_distribution(rates)
    table = pd.DataFrame(
        {
            "band": [
                _t(lang, "rate_band", lower=number(lo, lang, 0), upper=number(up, lang, 0))
                for lo, up in zip(bands["lower"], bands["upper"], strict=True)
            ],
            "regions": bands["regions"],
        }
    )
    headers = {"band": _t(lang, "rate"), "regions": _t(lang, "regions")}
    formats = {"regions": counts(lang)}
    return disclosed_markdown(disclose_public(table, scope.k), headers, formats, lang)


def numeric_markdown(survey: pd.DataFrame, column: str, scope: Scope) -> str:
    """The descriptive table of one numeric item (statistic | value)."""
    return numeric_items_markdown(survey, scope, columns=(column,), single=True)


def numeric_items_markdown(
    survey: pd.DataFrame,
    scope: Scope,
    *,
    columns: Sequence[str] = NUMERIC_ITEMS,
    single: bool = False,
    also: Mapping[str, Sequence[str]] | None = None,
    beside_bands: bool = True,
) -> str:
    """The descriptive table of numeric items side by side (statistics as rows).

    Each item passes the rules on its own (`pipeline.analysis.survey.disclose_numeric`):
    an item with fewer than k answers is suppressed in its whole column, one with fewer
    than extremes_k shows only counts, median and quartiles. A statistic that no item
    may show is left out as a row rather than printed as a row of marks.

    Args:
        survey: The canonical survey table (the scope's respondents are selected).
        scope: Region (None: every region), year, language, k and extremes_k.
        columns: The numeric items, one column each.
        single: One item, shown with the header "Värde" (see `numeric_markdown`).
        also: Item -> statistics withheld by complementary suppression across reports
            (`pipeline.linked_statistics`), with its note.
        beside_bands: Whether the report also shows the items in bands
            (`pipeline.analysis.survey.disclose_numeric`).

    Returns:
        Markdown table (statistic | item ...) with the footnote when anything was
        suppressed, or the withheld sentence when no item can be shown.
    """
    lang = scope.lang
    also = also or {}
    disclosed = disclose_numeric(
        survey, scope, columns=columns, also=also, beside_bands=beside_bands
    )
    if all(d.withheld for d in disclosed.values()):
        reasons = {d.reason for d in disclosed.values()}  # "no_data": nobody was asked
        reason = reasons.pop() if len(reasons) == 1 else "small"
        return paragraph(withheld_message(scope.k, lang, reason))
    statistics = [
        key
        for key in STATISTICS
        if any(not d.suppressed.at[key, "value"] for d in disclosed.values())
    ]
    shown: dict[str, list[str]] = {}
    for column, d in disclosed.items():
        decimals = _DECIMALS.get(column, 1)
        head = _t(lang, "value") if single else item_label(column, lang)
        shown[head] = [
            SUPPRESSED_MARK
            if d.suppressed.at[key, "value"]
            else _format_statistic(key, d.table.at[key, "value"], decimals, lang)
            for key in statistics
        ]
    labels = [_t(lang, f"stat_{key}") for key in statistics]
    text = markdown_table(pd.DataFrame({_t(lang, "statistic"): labels, **shown}))
    notes = []
    if any(d.withheld for d in disclosed.values()):
        notes.append(footnote(scope.k, lang))
    if any(
        not d.withheld
        and not extremes_publishable(int(d.table.at["n", "value"]), scope.k, scope.extremes_k)
        for d in disclosed.values()
    ):
        notes.append(extremes_note(scope.k, scope.extremes_k, lang))
    if any(also.get(c) and not d.withheld for c, d in disclosed.items()):
        notes.append(complement_note(scope.k, scope.extremes_k, lang))
    # Above the extremes threshold only `also` and the tails rule (`linked_tails`) withhold
    # statistics, and `also` never holds a percentile: a hidden 5th percentile is the tails'.
    if any(
        not d.withheld
        and extremes_publishable(int(d.table.at["n", "value"]), scope.k, scope.extremes_k)
        and d.suppressed.at["p5", "value"]
        for d in disclosed.values()
    ):
        notes.append(tails_note(lang))
    return text + notes_markdown(notes)


def _format_statistic(key: str, value: float, decimals: int, lang: str) -> str:
    if key in ("n", "missing", "unique"):
        return number(value, lang, 0)
    if key == "missing_pct":
        return percent(value, lang, 1)
    return number(value, lang, decimals)


def distribution_markdown(survey: pd.DataFrame, column: str, scope: Scope) -> str:
    """The distribution table (answer | number | share) of an item among the scope's respondents.

    Tasks are multi-choice (shares of those who answered the item); employment percentage
    and salary come in bands (`pipeline.analysis.survey.disclose_item`).
    """
    return distribution_table_markdown(disclose_item(survey, column, scope), scope.lang)


def distribution_table_markdown(disclosed: Disclosed, lang: str) -> str:
    """A disclosed distribution (answer | number | share) as Markdown.

    Returns:
        Markdown table with the footnote when cells are suppressed, or the withheld
        sentence.
    """
    headers = {
        "label": _t(lang, "answer"),
        "n": _t(lang, "n"),
        "percent": _t(lang, "percent"),
    }
    return disclosed_markdown(
        disclosed, headers, {"n": counts(lang), "percent": shares(lang)}, lang
    )


def region_withheld_markdown(scope: Scope) -> str:
    """The paragraph a report shows instead of survey statistics for a region below k."""
    return paragraph(region_withheld_message(scope.region, scope.year, scope.k, scope.lang))


def survey_status_markdown(survey: pd.DataFrame, population: pd.DataFrame, scope: Scope) -> str:
    """One paragraph on the survey of the scope: who answered, or why nothing is shown.

    A region without a single answer had no survey that year (`response_rates`): the
    paragraph says so ("ingen datainsamling"), not that fewer than k answered. So does a
    region that year's population file does not list (it has no answers either: a
    region with answers needs a population row, `pipeline.inputs`).
    """
    lang = scope.lang
    rates = response_rates(survey, population, scope.year).set_index("region")
    if scope.region not in rates.index or not rates.at[scope.region, "surveyed"]:
        return paragraph(
            _t(lang, "not_surveyed", region=scope.region, year=scope.year, no_data=no_data(lang))
        )
    if not region_publishable(survey, scope.region, scope.year, scope.k):
        return region_withheld_markdown(scope)
    row = rates.loc[scope.region]
    text = _t(
        lang,
        "status",
        n=number(int(row["responses"]), lang, 0),
        target=number(int(row["target_population"]), lang, 0),
        rate=percent(float(row["response_rate"]), lang),
    )
    return paragraph(text)
