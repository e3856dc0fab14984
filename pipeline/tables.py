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
    header = [md_text(c) for c in frame.columns]
    rows = [[md_text(v) for v in row] for row in frame.itertuples(index=False)]
    # pandoc sizes the columns of a wide pipe table by the dashes under each header:
    # give every column dashes in proportion to its longest text (within bounds) so
    # label columns get room in the PDF instead of one hyphenated word per line.
    widths = [
        min(25, max(3, len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]))
        for i in range(n)
    ]
    rule = [
        "-" * (w - 1) + ":" if a == "r" else ":" + "-" * (w - 1)
        for a, w in zip(align, widths, strict=True)
    ]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"
