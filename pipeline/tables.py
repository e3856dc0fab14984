"""Markdown pipe tables from DataFrames, with every cell escaped as data."""

from __future__ import annotations

import pandas as pd

from pipeline.formatting import md_text


def markdown_table(frame: pd.DataFrame, align: str | None = None) -> str:
    """Render a frame of already formatted values as a Markdown pipe table.

    Cells and headers are escaped with `md_text`, so any text from data renders
    literally. Format numbers (pipeline.formatting) before calling this.

    Args:
        frame: The table; the index is ignored, columns are headers.
        align: One character per column, "l" or "r" (default: first column left,
            the others right).

    Returns:
        Markdown source of a pipe table, ending with a newline.
    """
    n = len(frame.columns)
    align = align or ("l" + "r" * (n - 1))
    if len(align) != n:
        raise ValueError(f"align has {len(align)} characters for {n} columns")
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(md_text(c) for c in frame.columns) + " |"]
    lines.append("| " + " | ".join(rule) + " |")
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(md_text(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
