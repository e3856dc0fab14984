"""The one matplotlib style of the product, and deterministic SVG output.

Figure functions elsewhere return `matplotlib.figure.Figure` objects and never
touch files; notebooks display them with `show`, which emits SVG that is
byte-identical from run to run (fixed hash salt, no date metadata).
"""

from __future__ import annotations

import contextlib
import io

import matplotlib as mpl
from matplotlib.figure import Figure

PALETTE: tuple[str, ...] = ("#1f5f8b", "#e07b39", "#5a9e6f", "#b5485d", "#7d6ca8", "#8c8c8c")
PROMOTING_COLOUR = "#2f7d4f"
HINDERING_COLOUR = "#b5485d"

STYLE: dict[str, object] = {
    "figure.figsize": (7.0, 3.8),
    "figure.dpi": 100,
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#dddddd",
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "svg.hashsalt": "peer-eval",  # fixed ids inside the SVG: reproducible bytes
    "svg.fonttype": "path",  # text as paths: looks the same in browser and Typst
}


def report_style() -> contextlib.AbstractContextManager:
    """Context in which figure functions build their figures (axes read rcParams when made).

    Usage: ``with report_style(): fig = new_figure(); ax = fig.subplots(); ...``
    """
    return mpl.rc_context(STYLE)


def new_figure(width: float = 7.0, height: float = 3.8) -> Figure:
    """Create a figure in the report style, detached from pyplot's global state.

    Args:
        width: Width in inches.
        height: Height in inches.

    Returns:
        A new Figure (no pyplot figure manager, so nothing leaks between figures).
    """
    with mpl.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def to_svg(figure: Figure) -> str:
    """Render a figure to SVG text without any date or random id.

    Args:
        figure: The figure to render.

    Returns:
        SVG source text, identical for identical figures.
    """
    buffer = io.StringIO()
    with mpl.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def show(figure: Figure) -> None:
    """Display a figure in a notebook as deterministic SVG (what the report embeds)."""
    from IPython.display import SVG, display

    display(SVG(to_svg(figure)))
