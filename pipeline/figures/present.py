"""Display a figure, or the sentence that replaces a figure a disclosure rule withholds.

Figure functions return a Figure, or plain text when their disclosed table is withheld:
a figure with nothing to draw is left out and the report says why in one sentence
instead. The notebook cell still has an output, so the report's embed finds it.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from pipeline.figures.style import show
from pipeline.formatting import md_text


def present(result: Figure | str, alt: str | None = None, data: str | None = None) -> None:
    """Display a figure as deterministic SVG, or a sentence as escaped Markdown.

    Args:
        result: What a figure function returned.
        alt: The figure's alt text built from its data (see `pipeline.figures.style.show`).
        data: The figure's data as a Markdown table, shown folded under it in HTML.
    """
    if isinstance(result, Figure):
        show(result, alt=alt, data=data)
        return
    from IPython.display import Markdown, display

    display(Markdown(md_text(str(result)) + "\n"))
