"""`to_svg` writes the bytes `savefig` would, for every kind of figure the reports draw."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib as mpl
import pytest
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from test_figures_survey import group_survey, rates_tables
from test_figures_themes import across_table, factor_table, heat_table

from pipeline.analysis.survey import response_rates
from pipeline.figures import survey as fs
from pipeline.figures import themes as ft
from pipeline.figures.style import STYLE, new_figure, to_svg


def _colourbar() -> Figure:
    figure = new_figure(4.0, 3.0)
    axes = figure.subplots()
    image = axes.imshow([[0.0, 1.0], [2.0, 3.0]], cmap="Blues")
    figure.colorbar(image, ax=axes, fraction=0.05).set_label("Andel")
    figure.supxlabel("En fotnot om små grupper", fontsize=8, x=0.01, ha="left")
    return figure


FIGURES: dict[str, Callable[[], Figure]] = {
    "response rates": lambda: fs.response_rate_figure(*rates_tables(), 2020),
    "rate bands": lambda: fs.rate_distribution_figure(response_rates(*rates_tables(), 2020), 2020),
    "distribution": lambda: fs.distribution_figure(group_survey(), "gender"),
    "tasks": lambda: fs.tasks_figure(group_survey(), "en"),
    "box plot": lambda: fs.numeric_figure(group_survey(), "months_worked"),
    "heatmap": lambda: ft.theme_heatmap(heat_table(), "sv"),
    "factors": lambda: ft.factors_chart(factor_table(), "sv"),
    "rounds": lambda: ft.rounds_chart(across_table(), "en"),
    "colour bar and footnote": _colourbar,
}


def _savefig(figure: Figure) -> str:
    buffer = io.StringIO()
    with mpl.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


@pytest.mark.parametrize("kind", list(FIGURES))
def test_to_svg_writes_what_savefig_writes(kind):
    made, again = FIGURES[kind](), FIGURES[kind]()
    assert isinstance(made, Figure), made
    assert to_svg(made) == _savefig(again)


def test_to_svg_leaves_the_figure_as_it_found_it():
    figure, twin = FIGURES["heatmap"](), FIGURES["heatmap"]()
    canvas, dpi = figure.canvas, figure.dpi
    to_svg(figure)
    assert figure.canvas is canvas and not isinstance(figure.canvas, FigureCanvasSVG)
    assert figure.dpi == dpi
    # Drawn again, a laid-out figure is laid out from where it is, by savefig too.
    _savefig(twin)
    assert to_svg(figure) == _savefig(twin)
