"""Tests of the survey figures: Figure objects, labels by language, disclosure, alt texts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from pipeline.figures import survey as F
from pipeline.figures.style import to_svg
from pipeline.schema import SURVEY_COLUMNS

REGIONS = {"Stockholm": (7, 8), "Skåne": (19, 35), "Norrland": (2, 2), "Jönköping": (4, 8)}


def make_survey(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in (*SURVEY_COLUMNS, "employer"):
        if column not in frame:
            frame[column] = None
    frame = frame[[*SURVEY_COLUMNS, "employer"]]
    dtypes = {"age": "Int64", "trained": "boolean", "supervision": "boolean", "year": "int64"}
    dtypes |= dict.fromkeys(("employment_pct", "months_worked", "salary_monthly_fte"), "float64")
    for column in ("respondent_id", "region", "gender", "education", "training_provider",
                   "supervision_frequency", "tasks", "employer"):  # fmt: skip
        dtypes[column] = "str"
    return frame.astype(dtypes)


def rates_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The survey and population of REGIONS in 2020."""
    rows = [{"year": 2020, "region": r} for r, (n, _) in REGIONS.items() for _ in range(n)]
    population = pd.DataFrame(
        {
            "year": 2020,
            "region": list(REGIONS),
            "target_population": [t for _, t in REGIONS.values()],
        }
    )
    return make_survey(rows), population


def group_survey() -> pd.DataFrame:
    """21 answers of one region: genders, months worked and tasks, a few missing."""
    genders = ["kvinna"] * 12 + ["man"] * 6 + ["annat"] * 2 + [None]
    months = [float(m) for m in range(1, 21)] + [np.nan]
    tasks = ["stodsamtal;grupper"] * 19 + ["stodsamtal", None]
    return make_survey(
        [
            {"year": 2020, "region": "Skåne", "gender": g, "months_worked": m, "tasks": t}
            for g, m, t in zip(genders, months, tasks, strict=True)
        ]
    )


@pytest.fixture
def rates_input() -> tuple[pd.DataFrame, pd.DataFrame]:
    return rates_tables()


@pytest.fixture
def group() -> pd.DataFrame:
    return group_survey()


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def _bars(fig: Figure) -> list[float | None]:
    """Bar width per category row, None where no bar is drawn (a suppressed category)."""
    rows = len(fig.axes[0].get_yticklabels())
    widths: list[float | None] = [None] * rows
    for patch in fig.axes[0].patches:
        widths[round(patch.get_y() + patch.get_height() / 2)] = patch.get_width()
    return widths


# --- response rate -------------------------------------------------------------------------


def test_response_rate_figure_sv(rates_input):
    fig = F.response_rate_figure(*rates_input, 2020)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(REGIONS)
    assert ax.get_xlabel() == "Svarsfrekvens (%)"
    assert _bars(fig) == pytest.approx([87.5, 100 * 19 / 35, 100.0, 50.0])
    texts = _texts(fig)
    assert "87,5\u00a0%  (7 av 8)" in texts and "Totalt 60,4\u00a0%" in texts  # 32 of 53
    assert ax.lines[0].get_xdata()[0] == pytest.approx(100 * 32 / 53)


def test_response_rate_figure_en(rates_input):
    fig = F.response_rate_figure(*rates_input, 2020, lang="en")
    assert fig.axes[0].get_xlabel() == "Response rate (%)"
    assert "87.5%  (7 of 8)" in _texts(fig) and "Total 60.4%" in _texts(fig)


def test_response_rate_total_line_passes_behind_the_value_labels(rates_input):
    # The dashed total line (60,4 %) crosses Skåne's and Jönköping's labels: each label it
    # crosses has an opaque white box drawn above the line, so its digits stay readable.
    fig = F.response_rate_figure(*rates_input, 2020)
    ax = fig.axes[0]
    fig.canvas.draw()
    line = ax.lines[0]
    x = ax.transData.transform((line.get_xdata()[0], 0))[0]
    crossed = [t for t in ax.texts if t.get_window_extent().x0 < x < t.get_window_extent().x1]
    assert {t.get_text() for t in crossed} >= {"54,3\u00a0%  (19 av 35)", "50\u00a0%  (4 av 8)"}
    for text in crossed:
        box = text.get_bbox_patch()
        assert box is not None, text.get_text()
        assert box.get_facecolor() == (1.0, 1.0, 1.0, 1.0), text.get_text()
        assert text.get_zorder() > line.get_zorder() > ax.patches[0].get_zorder()


def test_response_rate_figure_marks_a_region_without_survey(rates_input):
    survey, population = rates_input
    survey = survey.loc[survey["region"] != "Jönköping"]  # 4 of 8 answered: now nobody
    fig = F.response_rate_figure(survey, population, 2020)
    texts = _texts(fig)
    assert "ingen datainsamling" in texts and not any(t.startswith("0\u00a0%") for t in texts)
    assert "Totalt 62,2\u00a0%" in texts  # 28 of 45: Jönköping's 8 were not asked
    alt = F.response_rate_alt(survey, population, 2020)
    assert "Jönköping" not in alt and "lägst Skåne (54,3\u00a0%)" in alt


def test_response_rate_alt_names_total_highest_and_lowest(rates_input):
    sv = F.response_rate_alt(*rates_input, 2020)
    assert (
        "32 av 53 (60,4\u00a0%)" in sv
        and "Norrland (100\u00a0%)" in sv
        and "Jönköping (50\u00a0%)" in sv
    )
    en = F.response_rate_alt(*rates_input, 2020, "en")
    assert "32 of 53 responded (60.4%)" in en and "Jönköping (50%)" in en


def test_response_rate_figure_takes_mathtext_in_region_names_literally(rates_input):
    survey, population = rates_input
    odd = make_survey([{"year": 2020, "region": "$x^2$ \\frac"}])
    fig = F.response_rate_figure(pd.concat([survey, odd], ignore_index=True), population, 2020)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "\\$x^2\\$ \\frac"
    to_svg(fig)  # renders without a mathtext error


# --- distributions ------------------------------------------------------------------------------


def test_distribution_figure_suppresses_small_cells(group):
    fig = F.distribution_figure(group, "gender")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Kvinna",
        "Man",
        "Annat",
        "Vill ej ange",
    ]
    # Kvinna 12/20 shown; annat 2 (primary) and man 6 (secondary) have no bar at all:
    # a zero-length bar would draw a suppressed value as zero. "Vill ej ange" is a real 0.
    assert _bars(fig) == [60.0, None, None, 0.0]
    texts = _texts(fig)
    assert texts.count("–*") == 2 and "60\u00a0%" in texts and "30\u00a0%" not in texts
    assert any("markeras –*" in t for t in texts)
    assert ax.get_xlabel() == "Andel av dem som svarat (%)"
    assert ax.get_title(loc="left") == "Kön (n = 20)"


def test_distribution_figure_english_labels(group):
    fig = F.distribution_figure(group, "gender", lang="en")
    ax = fig.axes[0]
    assert ax.get_yticklabels()[0].get_text() == "Woman"
    assert ax.get_xlabel() == "Share of those answering (%)"
    assert any("marked –*" in t for t in _texts(fig))


def test_distribution_alt_never_names_a_suppressed_number(group):
    text = F.distribution_alt(group, "gender")
    assert text == (
        "Stapeldiagram: Kön bland 20 svarande. Kvinna 60\u00a0%; Vill ej ange 0\u00a0%. "
        "2 svarsalternativ redovisas inte, för att skydda enskilda svarande."
    )
    assert "30" not in text and "10\u00a0%" not in text


def test_distribution_alt_says_in_words_what_is_hidden(group):
    # A screen reader reads "–*" as "dash asterisk": the alt text says it in words, and
    # with every option hidden it has no empty sentence (". .").
    assert "–*" not in F.distribution_alt(group, "gender", "en")
    hidden = group.assign(gender=["kvinna"] * 4 + ["man"] * 4 + ["annat"] * 4 + [None] * 9)
    text = F.distribution_alt(hidden, "gender", k=5)
    assert text == (
        "Stapeldiagram: Kön bland 12 svarande. "
        "4 svarsalternativ redovisas inte, för att skydda enskilda svarande."
    ), text


def test_distribution_figure_below_k_is_a_sentence_not_a_chart(group):
    small = group.iloc[:3]
    fig = F.distribution_figure(small, "gender")
    assert fig == "Uppgifterna redovisas inte (färre än 5 svarande)."  # no empty figure
    en = F.distribution_figure(small, "gender", lang="en")
    assert en == "Not shown (fewer than 5 respondents)."
    assert F.distribution_alt(small, "gender", "en") == (
        "Gender: Not shown (fewer than 5 respondents)."
    )


def test_tasks_figure_and_alt(group):
    fig = F.tasks_figure(group, lang="en")
    ax = fig.axes[0]
    assert ax.get_yticklabels()[0].get_text() == "Supportive conversations"
    assert ax.get_xlabel() == "Share of those who answered the question (%)"
    # 20 respondents name a task: all 20 do supportive conversations, 19 group sessions
    # (1 does not, so it is suppressed), nobody lectures.
    assert _bars(fig)[:3] == [100.0, None, 0.0]
    alt = F.tasks_alt(group, "en")
    assert "Supportive conversations 100%" in alt and "95" not in alt


def test_band_figures_for_employment(group):
    survey = group.assign(employment_pct=[50.0] * 10 + [100.0] * 10 + [np.nan])
    fig = F.distribution_figure(survey, "employment_pct")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Under 50 %", "50–74 %", "75–99 %", "100 %"]  # figures use plain spaces
    assert _bars(fig) == [0.0, 50.0, 0.0, 50.0]


# --- numeric ------------------------------------------------------------------------------------


def test_numeric_figure_draws_published_statistics(group):
    fig = F.numeric_figure(group)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Antal månader"
    assert ax.get_title(loc="left") == "Månader som peer supporter (n = 20)"
    texts = _texts(fig)
    # 1..20: p5 1.95, p25 5.75, median 10.5, p75 15.25, p95 19.05 (linear).
    for value in ("2", "5,8", "10,5", "15,2", "19"):  # one decimal, trailing zero dropped
        assert value in texts, value
    assert F.numeric_figure(group, lang="en").axes[0].get_xlabel() == "Months"


def test_numeric_alt(group):
    assert F.numeric_alt(group) == (
        "Lådagram: Månader som peer supporter bland 20 svarande: median 10,5, hälften mellan "
        "5,8 och 15,2, medelvärde 10,5."
    )
    assert "median 10.5" in F.numeric_alt(group, lang="en")


def test_numeric_figure_below_k(group):
    fig = F.numeric_figure(group.iloc[:4], "months_worked", "sv", k=5)
    assert fig == "Uppgifterna redovisas inte (färre än 5 svarande)."
    assert F.numeric_alt(group.iloc[:4], lang="sv", k=5).endswith("(färre än 5 svarande).")


@pytest.mark.parametrize("n", [5, 9])  # k and extremes threshold - 1
def test_numeric_figure_below_the_extremes_threshold_draws_quartiles_only(group, n):
    small = group.iloc[:n]  # months 1..n
    fig = F.numeric_figure(small, "months_worked", "sv", k=5)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    assert "1" not in texts and str(n) not in texts  # neither the minimum nor the maximum
    assert not fig.axes[0].lines or all(
        min(line.get_xdata()) >= 1.5 for line in fig.axes[0].lines if len(line.get_xdata())
    )  # no whisker reaches down to the smallest answer
    alt = F.numeric_alt(small, "months_worked", "sv", k=5)
    assert "medelvärde" not in alt and alt.startswith("Lådagram")
    assert "medelvärde" in F.numeric_alt(group.iloc[:10], "months_worked", "sv", k=5)


def test_numeric_figure_of_identical_answers_has_distinct_ticks_and_one_label(group):
    same = group.assign(months_worked=24.0)  # every answer 24: all statistics coincide
    fig = F.numeric_figure(same)
    fig.canvas.draw()  # ticks and their labels are made at draw time
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) >= 2, ticks
    assert all(float(t.replace(",", ".")) == int(t) for t in ticks), ticks  # whole months
    values = [t.get_text() for t in ax.texts]
    assert values.count("24") == 1, values


def test_value_labels_and_tick_decimals():
    assert F.value_labels([24.0, 24.0, 24.04, 25.0], "sv", 1) == [(24.0, "24"), (25.0, "25")]
    assert F.tick_decimals([23.0, 23.5, 24.0]) == 1
    assert F.tick_decimals([20.0, 40.0]) == 0 and F.tick_decimals([0.25, 0.5]) == 2
