"""Key indicators as report Markdown: a region year by year, the summary, every region."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import pandas as pd

from pipeline.analysis.indicators import (
    KEY_INDICATORS,
    PUBLIC,
    Indicators,
    disclose_indicators,
)
from pipeline.analysis.scope import Scope
from pipeline.disclosure import SUPPRESSED_MARK, display_table, footnote
from pipeline.formatting import md_text, number
from pipeline.i18n import Catalog
from pipeline.rounds import join_words, no_data
from pipeline.tables import markdown_table
from pipeline.text.markdown import counts, notes_markdown, shares

_t = Catalog("indicators")

_SHARES = ("response_rate", "trained_pct", "supervision_pct", "median_employment_pct")
_COUNTS = ("responses", "target_population", "median_salary")


def _format(key: str, lang: str) -> Callable[[object], str]:
    if key in _COUNTS:
        return counts(lang)
    if key in _SHARES:
        return shares(lang)
    return lambda v: number(float(v), lang, 1)


def _cells(indicators: Indicators, lang: str) -> pd.DataFrame:
    """The displayed values, indicators as rows and years as columns (marks where hidden).

    A year without a single answer had no survey (as in `pipeline.rounds`): its values
    read "ingen datainsamling", not "0", "0 %" or a suppression mark (nothing was
    collected, so nothing is withheld); its target population stays, or, when that
    year's population file does not list the region at all, reads the same.
    """
    formats = {key: _format(key, lang) for key in KEY_INDICATORS}
    shown = display_table(indicators.disclosed, formats)
    targets = indicators.disclosed.table["target_population"]
    for year in _not_surveyed(indicators):
        keep = ["target_population"] if pd.notna(targets.get(year)) else []
        shown.loc[year, [key for key in shown.columns if key not in keep]] = no_data(lang)
    return shown.T


def _not_surveyed(indicators: Indicators) -> list[int]:
    """The years (rows) of the indicators without a single survey answer."""
    responses = indicators.disclosed.table["responses"]
    return [year for year, n in responses.items() if n == 0]


def _notes(indicators: Indicators, scope: Scope) -> str:
    """The footnote of an indicator table when the k rule hid a value.

    Years without a survey do not count: their cells read "ingen datainsamling".
    """
    disclosed = indicators.disclosed
    collected = [row for row in disclosed.table.index if row not in _not_surveyed(indicators)]
    if disclosed.suppressed.loc[collected].to_numpy().any():
        return notes_markdown([footnote(scope.k, scope.lang)])
    return notes_markdown([])


def key_indicators_markdown(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    scope: Scope,
    *,
    years: Sequence[int] | None = None,
) -> str:
    """The key-indicator table of the scope's region (indicators as rows, years as columns).

    Years default to every year with data up to the scope's (`years_up_to`).
    """
    indicators = disclose_indicators(survey, population, scope, years=years)
    shown = _cells(indicators, scope.lang)
    shown.columns = [str(year) for year in shown.columns]
    shown.insert(0, _t(scope.lang, "indicator"), [_t(scope.lang, key) for key in shown.index])
    return markdown_table(shown.reset_index(drop=True)) + _notes(indicators, scope)


def key_figures_markdown(survey: pd.DataFrame, population: pd.DataFrame, scope: Scope) -> str:
    """The summary's key figures of the scope's region-year, as a bullet list.

    The same disclosed values as the key-indicator table's column for the year:
    suppressed indicators are left out of the list (the footnote says why).
    """
    indicators = disclose_indicators(survey, population, scope, years=[scope.year])
    shown = _cells(indicators, scope.lang).iloc[:, 0]
    # In a year without a survey only the public figures are listed (answers and rate
    # as "ingen datainsamling"): six more lines saying the same would bury the target.
    lines = [
        f"- {md_text(_t(scope.lang, key))}: {md_text(value)}"
        for key, value in shown.items()
        if value != SUPPRESSED_MARK
        and value != "–"
        and (value != no_data(scope.lang) or key in PUBLIC)
    ]
    # The list leaves a withheld figure out rather than marking it: the note says so,
    # not "(markeras –*)" about a mark the list does not have.
    hidden = [key for key, value in shown.items() if value == SUPPRESSED_MARK]
    note = ""
    answers = int(indicators.disclosed.table["responses"].iloc[0])
    if hidden and answers < scope.k:  # the region's whole survey is below the rule
        note = notes_markdown([_t(scope.lang, "left_out_all", k=scope.k)])
    elif hidden:
        names = [_t(scope.lang, key) for key in hidden]
        # "Andel utbildade och andel med handledning": only a word's first letter lowered
        # ("SEK" stays).
        items = join_words([names[0], *(n[:1].lower() + n[1:] for n in names[1:])], scope.lang)
        key = "left_out_one" if len(hidden) == 1 else "left_out_many"
        note = notes_markdown([_t(scope.lang, key, k=scope.k, items=items)])
    return "\n".join(lines) + "\n" + note


def regional_indicators_markdown(
    survey: pd.DataFrame, population: pd.DataFrame, scope: Scope
) -> str:
    """Key indicators of every region in the scope's year, side by side (the overview).

    Each region's values pass the same rules as in its own report.

    Returns:
        Markdown table (indicator | region ...) with each distinct footnote once.
    """
    year = scope.year
    regions = list(population.loc[population["year"] == year, "region"])
    regions += sorted(set(survey.loc[survey["year"] == year, "region"]) - set(regions))
    columns: dict[str, list[str]] = {}
    notes: dict[str, None] = {}
    for region in regions:
        at = dataclasses.replace(scope, region=region)
        indicators = disclose_indicators(survey, population, at, years=[year])
        columns[region] = list(_cells(indicators, scope.lang).iloc[:, 0])
        notes[_notes(indicators, at)] = None
    names = [_t(scope.lang, key) for key in KEY_INDICATORS]
    table = pd.DataFrame({_t(scope.lang, "indicator"): names, **columns})
    return markdown_table(table) + "".join(notes)
