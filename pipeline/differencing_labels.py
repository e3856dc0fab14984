"""The texts the differencing attacker recognises a build's tables by, from the catalogs.

The attacker (`pipeline.differencing_html`, `pipeline.differencing_statistics`) finds
a table by its caption and headings and a cell by its row label. Those are the texts
the report writers take from the message catalogs (`pipeline.i18n`): `survey` for the
survey tables' headings and statistics, `survey_items` for the numeric items,
`indicators` for the key figures, `captions_survey` and `captions_overview` for
captions, `categories` for answer options. Every map here is built from them in every
language, so a changed text or a new language reaches the attacker with no code change.

Each map goes from a shown text to what the attacker calls it ("Summa" -> "sum"). The
maps are built when asked for (the catalogs themselves are cached), so a test may
change a catalog text and see the attacker follow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.analysis.survey import NUMERIC_ITEMS
from pipeline.errors import PeerEvalError
from pipeline.i18n import Catalog, languages
from pipeline.schema import CODES

_LINEAR = ("n", "missing", "min", "max", "mean", "sum")
"""The statistics rows the attacker reads (sums and counts, and the extremes as bounds)."""

_OTHER_UNITS = ("n", "missing", "missing_pct", "unique")
"""Statistics rows not in their item's unit, so not rounded like its statistics."""

_FIGURE_ITEMS = {"fig-months-worked.cap": "months_worked"}
"""Figures whose data table (heading "value") holds one numeric item's statistics."""


def by_text(domain: str, keys: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """Every language's text of each catalog key -> what the key stands for.

    Args:
        domain: The catalog, e.g. "survey".
        keys: Catalog key -> its meaning (e.g. "stat_sum" -> "sum"), or keys that
            stand for themselves.

    Returns:
        Text -> meaning, over every language in `pipeline.i18n.languages()`.

    Raises:
        PeerEvalError: Two keys of different meaning share a text, so a reader could
            not tell their tables or rows apart.
    """
    meanings = dict(keys) if isinstance(keys, Mapping) else {key: key for key in keys}
    catalog = Catalog(domain)
    found: dict[str, str] = {}
    for lang in languages():
        for key, meaning in meanings.items():
            text = catalog(lang, key)
            if found.setdefault(text, meaning) != meaning:
                raise PeerEvalError(
                    f"pipeline/locales/{lang}/{domain}.yaml: {key} has the text {text!r} "
                    f"that also stands for {found[text]!r}; expected distinct texts"
                )
    return found


@dataclass(frozen=True)
class StatisticsLabels:
    """How the attacker finds the statistics tables and key figures of a report."""

    statistic_head: frozenset[str]  # the first heading of a statistics table
    value_head: frozenset[str]  # the heading of a figure's one-item data table
    items: dict[str, str]  # a column heading -> numeric item
    figure_items: dict[str, str]  # a figure's caption -> its item
    rows: dict[str, str]  # a row label -> statistic ("n", "missing", ..., "sum")
    other_units: frozenset[str]  # row labels of counts and shares
    national_captions: frozenset[str]  # a caption holding one is the whole country's


def statistics_labels() -> StatisticsLabels:
    """The labels of the statistics tables, in every catalog language."""
    return StatisticsLabels(
        statistic_head=frozenset(by_text("survey", ["statistic"])),
        value_head=frozenset(by_text("survey", ["value"])),
        items=by_text("survey_items", NUMERIC_ITEMS),
        figure_items=by_text("captions_survey", _FIGURE_ITEMS),
        rows=by_text("survey", {f"stat_{stat}": stat for stat in _LINEAR}),
        other_units=frozenset(by_text("survey", [f"stat_{stat}" for stat in _OTHER_UNITS])),
        national_captions=frozenset(by_text("captions_overview", ["tbl-numeric.cap"])),
    )


def statistic_label(lang: str, stat: str) -> str:
    """The row label of one statistic in a report's language (its name if none)."""
    survey = Catalog("survey")
    if lang in languages() and survey.has(lang, f"stat_{stat}"):
        return survey(lang, f"stat_{stat}")
    return stat


@dataclass(frozen=True)
class TableLabels:
    """How the attacker finds the distribution, response-rate and gender tables."""

    distribution_heads: frozenset[frozenset[str]]  # per language: answer, number, share
    total: frozenset[str]  # a distribution's answered-total row
    missing: frozenset[str]  # its not-stated row
    responses_head: frozenset[str]  # the second heading of the response-rate table
    all_total: frozenset[str]  # that table's row of every region
    gender_region: frozenset[str]  # the caption of a region's gender table
    gender_nation: frozenset[str]  # the caption of the whole country's gender table
    gender_codes: dict[str, str]  # an answer option of the gender table -> its code


def table_labels() -> TableLabels:
    """The labels of the distribution and gender tables, in every catalog language."""
    survey = Catalog("survey")
    heads = frozenset(
        frozenset(survey(lang, key) for key in ("answer", "n", "percent")) for lang in languages()
    )
    return TableLabels(
        distribution_heads=heads,
        total=frozenset(by_text("survey", ["total"])),
        missing=frozenset(by_text("survey", ["missing"])),
        responses_head=frozenset(by_text("survey", ["responses"])),
        all_total=frozenset(by_text("survey", ["all_total"])),
        gender_region=frozenset(by_text("captions_survey", ["tbl-gender.cap"])),
        gender_nation=frozenset(
            by_text("captions_survey", ["tbl-gender-national.cap"])
            | by_text("captions_overview", ["tbl-gender.cap"])
        ),
        gender_codes=by_text("categories", {f"gender.{c}": c for c in CODES["gender"]}),
    )
