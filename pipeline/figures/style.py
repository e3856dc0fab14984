"""The one matplotlib style of the product, and deterministic SVG output.

Figure functions elsewhere return `matplotlib.figure.Figure` objects and never
touch files; notebooks display them with `show`, which emits SVG that is
byte-identical from run to run (fixed hash salt, no date metadata).

Text in the SVG stays text (`svg.fonttype: none`): selectable and searchable in the
HTML report, and typeset by Typst in the PDF's body font, Libertinus Serif (which
Typst carries itself). Matplotlib measures the labels with DejaVu Serif, the next
family in the list, whose glyphs are wider, so a label never outgrows its space.
"""

from __future__ import annotations

import contextlib
import io
import logging

import matplotlib as mpl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# Lines, bars and marks on white: each colour has at least 3:1 contrast against the
# background (WCAG 1.4.11, graphical objects; tests/test_figures_style.py checks). The
# second, the total line and its label, also colours text, so it has at least 4.5:1.
PALETTE: tuple[str, ...] = ("#1f5f8b", "#b35617", "#5a9e6f", "#b5485d", "#7d6ca8", "#8c8c8c")
PROMOTING_COLOUR = "#2f7d4f"
HINDERING_COLOUR = "#b5485d"

# The body font of the PDF first, then the one matplotlib has here for measuring.
FONT_FAMILY = ["Libertinus Serif", "DejaVu Serif", "serif"]
STYLE: dict[str, object] = {
    "figure.figsize": (7.0, 3.8),
    "figure.dpi": 100,
    "font.family": FONT_FAMILY,
    "font.size": 10,
    "axes.titlesize": 11,
    "xtick.labelsize": 9,  # serif tick labels of neighbouring heatmap columns stay apart
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#dddddd",
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "svg.hashsalt": "peer-eval",  # fixed ids inside the SVG: reproducible bytes
    "svg.fonttype": "none",  # text as text: selectable, searchable, in the body font
}


# Libertinus Serif is Typst's font, not installed for matplotlib: expected, not a problem.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


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

    The bytes are those of `figure.savefig(buffer, format="svg", metadata=...)` (the
    tests compare the two), for a third of its text measuring. `savefig` lays a
    figure out on one renderer, draws it once more on a second to finish the layout,
    and then for real on a third; text extents are cached per renderer, and
    measuring text is most of what a chart costs (about a third of a report's figure
    time at a national round). Here the layout engine measures on the renderer that
    draws, in the one draw that `print_svg` would do: the same renderer, at the same
    72 dpi, with the same metadata.

    Args:
        figure: The figure to render.

    Returns:
        SVG source text, identical for identical figures.
    """
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG

    buffer = io.StringIO()
    canvas, dpi = figure.canvas, figure.dpi
    with mpl.rc_context(STYLE):
        try:
            figure.dpi = 72  # SVG user units are points (what print_svg sets)
            width, height = figure.get_size_inches()
            svg = RendererSVG(width * 72, height * 72, buffer, image_dpi=dpi, metadata=_METADATA)
            renderer = MixedModeRenderer(figure, width, height, dpi, svg)
            _DrawingCanvas(figure, renderer)
            figure.draw(renderer)  # runs the layout engine, which asks the canvas
            renderer.finalize()
        finally:
            figure.set_canvas(canvas)
            figure.dpi = dpi
    return buffer.getvalue()


_METADATA = {"Date": None, "Creator": None}


class _DrawingCanvas(FigureCanvasSVG):
    """An SVG canvas whose `get_renderer` is the renderer drawing the figure.

    A figure's layout engine measures its text on `figure.canvas.get_renderer()` when
    the canvas has one (as Agg's does), else on a renderer of its own.
    """

    def __init__(self, figure: Figure, renderer: object):
        super().__init__(figure)
        self._renderer = renderer

    def get_renderer(self) -> object:
        return self._renderer


def warm_up() -> None:
    """Draw and save one small figure in the report style, throwing it away.

    The kernel template (pipeline.kernel_server) calls this once, so that every kernel forked
    from it starts with what a first figure would otherwise load in each kernel: the
    fonts and their metrics, the text and SVG machinery. Nothing here is kept that
    could change a later figure: the SVG of a figure depends only on that figure.
    """
    with report_style():
        figure = new_figure(3.0, 2.0)
        axes = figure.subplots()
        axes.barh([0, 1], [40.0, 60.0], color=PALETTE[0])
        axes.set_yticks([0, 1], ["Åsa", "Örebro 1/2"])
        # Inside the image's limits: a text beyond them collapses the constrained layout
        # (matplotlib warns, and the layout engine is not warmed up).
        axes.text(0.2, 0, "1/2 (50 %)", va="center", fontsize=9)
        axes.set_xlabel("Andel (%)")
        axes.set_title("Svarsfrekvens", loc="left")
        image = axes.imshow([[0.0, 50.0], [25.0, 100.0]], cmap="Blues", aspect="auto")
        figure.colorbar(image, ax=axes, fraction=0.05)
    to_svg(figure)


def show(figure: Figure, alt: str | None = None, data: str | None = None) -> None:
    """Display a figure in a notebook as deterministic SVG (what the report embeds).

    Args:
        figure: The figure.
        alt: Alt text built from the figure's data (the `*_alt` functions); it goes
            into the output's metadata, where the renderer takes it in place of the
            cell's generic `fig-alt`.
        data: The figure's data as a Markdown pipe table (escaped, e.g. from
            `pipeline.tables.markdown_table`); the HTML report shows it under the
            figure, folded, for readers who cannot see the chart.
    """
    display_svg(to_svg(figure), figure_metadata(alt, data))


def display_svg(svg: str, metadata: dict) -> None:
    """Display SVG text as a notebook output: its `<svg>` element, as image/svg+xml.

    IPython's `SVG` object finds that element by parsing the whole document with
    minidom, which for a chart of 290 regions costs a quarter of a second. The text
    is matplotlib's own, whose root element is the first `<svg` in it (after the XML
    declaration and the DOCTYPE, which the output leaves out, as IPython does).
    """
    from IPython.display import display

    start = svg.find("<svg")
    element = svg[start:].rstrip() if start >= 0 else svg
    display({"image/svg+xml": element}, raw=True, metadata=metadata or None)


def figure_metadata(alt: str | None, data: str | None) -> dict[str, dict[str, str]]:
    """The display metadata `show` attaches to a figure: `{"peer-eval": {...}}`."""
    fields = {k: v for k, v in (("alt", alt), ("data", data)) if v}
    return {"peer-eval": fields} if fields else {}
