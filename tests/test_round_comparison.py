"""A large round: each region's report compares it with the round, not with every region.

Above FULL_COMPARISON_MAX_REGIONS regions, a region's response-rate table holds its own
row and the total, its lead gives the spread of the regions' rates, and the chart
shows how many regions fall in each band; the overview keeps every region's row.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from test_survey import make_survey, seed_population, seed_survey

from pipeline.analysis import Scope
from pipeline.analysis import survey as S
from pipeline.figures import survey as F
from pipeline.text import survey as T


def round_of(regions: int, year: int = 2020) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A survey and population of `regions` regions; region i has i % 10 + 1 of 10 answering."""
    names = [f"Kommun {i:03d}" for i in range(regions)]
    answers = {name: i % 10 + 1 for i, name in enumerate(names)}
    survey = make_survey(
        [{"year": year, "region": name} for name, n in answers.items() for _ in range(n)]
    )
    population = pd.DataFrame(
        {"year": [year] * regions, "region": names, "target_population": [10] * regions}
    )
    return survey, population


def rows(markdown: str) -> list[list[str]]:
    """The body rows of the first pipe table (header and rule left out)."""
    lines = [ln for ln in markdown.splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[2:]]


def test_the_threshold_is_the_number_of_regions_not_of_rows():
    at_most = S.response_rates(*round_of(S.FULL_COMPARISON_MAX_REGIONS), 2020)
    above = S.response_rates(*round_of(S.FULL_COMPARISON_MAX_REGIONS + 1), 2020)
    assert not S.compares_with_round(at_most)
    assert S.compares_with_round(above)


def test_region_and_total_keep_that_region_and_the_total_in_order():
    rates = S.response_rates(*round_of(40), 2020)
    picked = S.region_and_total(rates, "Kommun 007")
    assert picked["region"].tolist() == ["Kommun 007", "Total"]
    assert picked["responses"].tolist() == [8, sum(i % 10 + 1 for i in range(40))]


def test_quartiles_and_bands_of_the_regions_rates():
    rates = S.response_rates(*round_of(40), 2020)  # 10 %, 20 %, ..., 100 %, four times each
    assert S.rate_quartiles(rates) == (30.0, 55.0, 80.0)
    bands = S.rate_distribution(rates)
    assert bands["lower"].tolist() == list(range(0, 100, 10))
    # 10 % opens the second band; 100 % falls in the last band, not one of its own.
    assert bands["regions"].tolist() == [0, 4, 4, 4, 4, 4, 4, 4, 4, 8]
    assert bands["regions"].sum() == 40


def test_a_rate_over_100_percent_gets_a_band_of_its_own():
    survey, population = round_of(31)
    population.loc[0, "target_population"] = 1  # one answer of a target of one... times one
    extra = make_survey([{"year": 2020, "region": "Kommun 000"}] * 2)
    rates = S.response_rates(pd.concat([survey, extra], ignore_index=True), population, 2020)
    bands = S.rate_distribution(rates)
    assert bands["upper"].max() == 300  # 3 answers of a target of 1: 300 %
    assert bands["regions"].sum() == 31


def test_no_known_rate_gives_no_bands_and_no_quartiles():
    survey, population = round_of(31)
    rates = S.response_rates(survey, population.assign(target_population=np.nan), 2020)
    assert S.rate_quartiles(rates) is None
    assert S.rate_distribution(rates).empty


def test_a_regions_report_in_a_large_round_shows_its_row_and_the_total():
    survey, population = round_of(290)
    text = T.response_rates_markdown(survey, population, Scope(region="Kommun 007", year=2020))
    assert [r[0] for r in rows(text)] == ["Kommun 007", "Totalt"]
    lead = text.split("\n\n")[0]
    assert lead.startswith("@tbl-response-rate visar")
    assert "Kommun 007" in lead and "290 regioner" in lead
    assert "den nationella översikten" in lead
    assert re.search(r"mellan 30\u00a0% och 80\u00a0%; medianen var 55\u00a0%", lead)


def test_a_small_round_keeps_every_region_in_every_report():
    text = T.response_rates_markdown(
        seed_survey(), seed_population(), Scope(region="Skåne", year=2020)
    )
    assert len(rows(text)) == 7  # six regions and the total
    assert text.startswith("@tbl-response-rate visar hur många peer supportrar")
    assert "i varje\nregion." in text or "i varje region." in text


def test_the_overview_keeps_every_region_and_has_no_lead():
    survey, population = round_of(290)
    text = T.response_rates_markdown(survey, population, Scope(region=None, year=2020))
    assert len(rows(text)) == 291
    assert text.startswith("|")


def test_region_names_in_the_lead_are_escaped():
    survey, population = round_of(31)
    survey.loc[survey["region"] == "Kommun 003", "region"] = "<b>@x</b>"
    population.loc[population["region"] == "Kommun 003", "region"] = "<b>@x</b>"
    text = T.response_rates_markdown(survey, population, Scope(region="<b>@x</b>", year=2020))
    lead = text.split("\n\n")[0]
    assert "<b>" not in lead and "\\<b\\>\\@x" in lead


def test_the_chart_of_a_large_round_is_the_distribution_with_its_data_and_alt():
    survey, population = round_of(40)
    figure = F.response_rate_figure(survey, population, 2020, "sv")
    assert isinstance(figure, Figure)
    bars = [p for p in figure.axes[0].patches]
    assert len(bars) == 10  # one bar per band, not one per region
    assert [round(b.get_height()) for b in bars] == [0, 4, 4, 4, 4, 4, 4, 4, 4, 8]
    data = T.response_rate_figure_data(survey, population, Scope(region=None, year=2020))
    assert rows(data)[-1] == ["90–100\u00a0\\%", "8"]
    alt = F.response_rate_alt(survey, population, 2020, "sv")
    assert "40 regionerna" in alt and "medianen var 55\u00a0%" in alt


def test_the_chart_of_a_small_round_has_a_bar_per_region():
    figure = F.response_rate_figure(seed_survey(), seed_population(), 2020, "en")
    assert len(figure.axes[0].patches) == 6
    data = T.response_rate_figure_data(
        seed_survey(), seed_population(), Scope(region=None, year=2020, lang="en")
    )
    assert len(rows(data)) == 7
