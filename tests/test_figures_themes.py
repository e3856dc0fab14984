"""Tests for pipeline.figures.themes: what each figure draws, and its alt text."""

from __future__ import annotations

import io
import re

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from pipeline.disclosure import (
    Disclosed,
    disclose_cells,
    disclose_interview_groups,
    disclose_interview_totals,
)
from pipeline.figures import themes as ft
from pipeline.figures.style import HINDERING_COLOUR, PROMOTING_COLOUR, to_svg

PERSONS = {"enhetschef": 1, "brukare": 9}  # one manager: below interview_k 3


def heat_table() -> Disclosed:
    return disclose_interview_groups(
        heat_frame().drop(columns="suppressed"),
        PERSONS,
        3,
        columns=("mentioning", "share", "segments"),
    )


def heat_frame() -> pd.DataFrame:
    rows = [  # the manager's counts are real here: the rule must hide them
        ("impl", "Implementering", "enhetschef", 4, 4, 100.0, 7, True),
        ("impl", "Implementering", "brukare", 9, 6, 66.7, 8, False),
        ("roll", "Lön $5$ i månaden", "enhetschef", 4, 1, 25.0, 1, True),
        ("roll", "Lön $5$ i månaden", "brukare", 9, 0, 0.0, 0, False),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "theme",
            "label",
            "group",
            "interviews",
            "mentioning",
            "share",
            "segments",
            "suppressed",
        ],
    )
    frame["group_label"] = frame["group"]
    return frame.astype(
        {"interviews": "Int64", "mentioning": "Int64", "share": "Float64", "segments": "Int64"}
    )


def factor_table() -> Disclosed:
    return disclose_interview_totals(factor_frame(), 9, 3)


def factor_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme": ["impl", "roll"],
            "label": ["Implementering", "Yrkesroll"],
            "framjande": [5, 0],
            "hindrande": [2, 3],
            "neutral": [1, 0],
            "segments": [8, 3],
        }
    )


def across_table() -> Disclosed:
    frame = across_frame()
    return disclose_cells(frame, pd.DataFrame(False, frame.index, frame.columns), 3)


def across_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme": ["impl", "impl", "roll", "roll"],
            "label": ["Implementering", "Implementering", "Yrkesroll", "Yrkesroll"],
            "year": [2017, 2020, 2017, 2020],
            "interviews": [10, 20, 10, 20],
            "mentioning": [2, 16, 5, 10],
            "share": pd.array([20.0, 80.0, 50.0, 50.0], dtype="Float64"),
        }
    )


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def svg_text(fig: Figure) -> str:
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def test_heatmap_annotates_counts_and_hatches_suppressed_groups() -> None:
    fig = ft.theme_heatmap(heat_table(), "sv")
    assert isinstance(fig, Figure)
    annotations = texts(fig)
    assert annotations.count("–*") == 2  # both manager cells, the one mark
    assert "4/4" not in annotations and "1/4" not in annotations
    assert "6/9" in annotations and "0/9" in annotations
    assert not any(a.startswith(("4/", "None")) for a in annotations)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["Enhetschefer\nn = 4\n(ej redovisad)", "Brukare\nn = 9"]
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 2


def test_heatmap_in_english() -> None:
    fig = ft.theme_heatmap(heat_table(), "en")
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "Unit\nmanagers\nn = 4\n(not reported)"  # one word per line


def test_dollar_in_theme_labels_is_not_mathtext() -> None:
    fig = ft.theme_heatmap(heat_table(), "sv")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[1] == r"Lön \$5\$ i månaden"
    # One plain <text> element with the literal characters (mathtext would split it up).
    rendered = re.findall(r"<text[^>]*>([^<]*)</text>", svg_text(fig))
    assert "Lön $5$ i månaden" in rendered
    to_svg(fig)  # and the product's own renderer does not fail on it


def test_heatmap_alt_text_has_the_numbers() -> None:
    alt = ft.theme_heatmap_alt(heat_table(), "sv")
    assert "Implementering: Enhetschefer ej redovisad" in alt
    assert "Brukare 6 av 9" in alt
    assert "Lön $5$ i månaden: " in alt
    assert "Service users 0 of 9" in ft.theme_heatmap_alt(heat_table(), "en")


def test_factors_chart_diverges_hindering_left_promoting_right() -> None:
    fig = ft.factors_chart(factor_table(), "sv")
    ax = fig.axes[0]
    bars = {(to_hex(p.get_facecolor()), round(p.get_width(), 6)) for p in ax.patches}
    assert (PROMOTING_COLOUR, 5) in bars and (PROMOTING_COLOUR, 0) in bars
    assert (HINDERING_COLOUR, -2) in bars and (HINDERING_COLOUR, -3) in bars
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Implementering", "Yrkesroll"]
    assert ax.yaxis_inverted()  # first theme on top
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Främjande", "Hindrande"]


def test_factors_chart_alt_text() -> None:
    alt = ft.factors_chart_alt(factor_table(), "en")
    assert "Implementation" not in alt  # labels come from the table, not translated
    assert "Implementering: 5 promoting, 2 hindering." in alt
    assert "Yrkesroll: 0 främjande, 3 hindrande." in ft.factors_chart_alt(factor_table(), "sv")


def test_rounds_chart_plots_one_line_per_theme() -> None:
    fig = ft.rounds_chart(across_table(), "sv")
    ax = fig.axes[0]
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert lines == {"Implementering": [20.0, 80.0], "Yrkesroll": [50.0, 50.0]}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2017", "2020"]
    assert ax.get_ylim() == (0, 100)


def test_rounds_chart_alt_text_with_trends() -> None:
    trends = pd.DataFrame({"theme": ["impl", "roll"], "trend_label": ["Ökat", "Oförändrat"]})
    alt = ft.rounds_chart_alt(across_table(), "sv", trends)
    assert "Implementering: 2017 20\u00a0%, 2020 80\u00a0% (ökat)." in alt
    assert "Yrkesroll: 2017 50\u00a0%, 2020 50\u00a0% (oförändrat)." in alt
    assert "2017 20%" in ft.rounds_chart_alt(across_table(), "en")


def gap_table() -> Disclosed:
    """Rounds 2017, 2018 (withheld: no group of interview_k) and 2020; 2019 had none."""
    frame = pd.DataFrame(
        {
            "theme": ["impl"] * 3 + ["roll"] * 3,
            "label": ["Implementering"] * 3 + ["Yrkesroll"] * 3,
            "year": [2017, 2018, 2020] * 2,
            "interviews": [10, 0, 20] * 2,
            "mentioning": [2, 0, 16, 5, 0, 10],
            "share": pd.array([20.0, 0.0, 80.0, 50.0, 0.0, 50.0], dtype="Float64"),
        }
    )
    mask = pd.DataFrame(False, frame.index, frame.columns)
    mask["mentioning"] = mask["share"] = frame["interviews"] == 0
    return disclose_cells(frame, mask, 3)


ROUNDS = [2017, 2018, 2019, 2020]


def test_rounds_chart_breaks_the_line_at_a_round_without_a_share() -> None:
    # 2018 withheld and 2019 without interviews: no point there, and no line drawn
    # across them as if the share had been measured; 2019 keeps its place on the axis.
    fig = ft.rounds_chart(gap_table(), "sv", all_rounds=ROUNDS)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2017", "2018", "2019\n(ingen datainsamling)", "2020"]
    for line in ax.get_lines():
        xs, ys = list(line.get_xdata()), [float(y) for y in line.get_ydata()]
        assert xs == ROUNDS
        # NaN breaks matplotlib's line: 2017 and 2020 are two dots, not joined.
        assert [y == y for y in ys] == [True, False, False, True], (line.get_label(), ys)


def test_rounds_chart_alt_says_withheld_and_not_collected_in_words() -> None:
    alt = ft.rounds_chart_alt(gap_table(), "sv", all_rounds=ROUNDS)
    assert "–*" not in alt and "·" not in alt
    assert (
        "Implementering: 2017 20\u00a0%, 2018 ej redovisad, 2019 ingen datainsamling, "
        "2020 80\u00a0%." in alt
    ), alt
    assert alt.endswith(
        "Omgångar som inte redovisas hade för få deltagare i varje respondentgrupp."
    )  # noqa: E501
    en = ft.rounds_chart_alt(gap_table(), "en", all_rounds=ROUNDS)
    assert "2018 not reported, 2019 no data collection, 2020 80%" in en, en


@pytest.mark.parametrize(
    "build",
    [
        lambda: ft.theme_heatmap(disclose_interview_groups(heat_frame().iloc[0:0], PERSONS, 3)),
        lambda: ft.factors_chart(disclose_interview_totals(factor_frame().iloc[0:0], 9, 3)),
        lambda: ft.rounds_chart(
            disclose_cells(across_frame().iloc[0:0], pd.DataFrame(dtype=bool), 3)
        ),
    ],
)
def test_empty_tables_give_the_no_collection_sentence_not_an_empty_figure(build) -> None:
    # An empty table is a year without interviews: nothing was collected, so the
    # report says so in words instead of drawing an empty chart.
    assert build() == "Inga intervjuer att redovisa (ingen datainsamling)."


@pytest.mark.parametrize(
    "alt",
    [
        lambda: ft.theme_heatmap_alt(disclose_interview_groups(heat_frame().iloc[0:0], PERSONS, 3)),
        lambda: ft.factors_chart_alt(disclose_interview_totals(factor_frame().iloc[0:0], 9, 3)),
        lambda: ft.rounds_chart_alt(
            disclose_cells(across_frame().iloc[0:0], pd.DataFrame(dtype=bool), 3), "en"
        ),
    ],
)
def test_empty_tables_alt_text_says_no_data_collection(alt) -> None:
    assert alt() in {
        "Inga intervjuer att redovisa (ingen datainsamling).",
        "No interviews to report (no data collection).",
    }


@pytest.mark.parametrize("persons", [1, 2])
def test_withheld_tables_give_a_sentence_not_an_empty_figure(persons) -> None:
    only_small = {"enhetschef": persons, "brukare": persons}
    heat = disclose_interview_groups(
        heat_frame().drop(columns="suppressed"), only_small, 3, columns=("mentioning", "share")
    )
    factors = disclose_interview_totals(factor_frame(), 0, 3)
    for result in (
        ft.theme_heatmap(heat, "sv"),
        ft.factors_chart(factors, "sv"),
        ft.theme_heatmap_alt(heat, "sv"),
        ft.factors_chart_alt(factors, "sv"),
    ):
        assert isinstance(result, str)
        assert result.startswith(
            "Redovisas inte, eftersom ingen respondentgrupp hade minst 3 deltagare"
        )
        assert not re.search(r"\b[0-9]\b(?! deltagare)", result)  # no count, no zero


def test_figure_functions_take_only_disclosed_tables() -> None:
    with pytest.raises(TypeError, match="Disclosed"):
        ft.theme_heatmap(heat_frame(), "sv")
    with pytest.raises(TypeError, match="Disclosed"):
        ft.factors_chart(factor_frame(), "sv")
    with pytest.raises(TypeError, match="Disclosed"):
        ft.rounds_chart(across_frame(), "sv")


def test_figures_render_to_identical_svg() -> None:
    first = to_svg(ft.rounds_chart(across_table(), "sv"))
    second = to_svg(ft.rounds_chart(across_table(), "sv"))
    assert first == second
