"""Pieces of report Markdown that every table of the text layer shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from pipeline.disclosure import (
    SUPPRESSED_MARK,
    Disclosed,
    disclosed_withheld_message,
    display_table,
    footnote,
)
from pipeline.formatting import md_text, number, percent
from pipeline.tables import markdown_table


def paragraph(text: str) -> str:
    """Plain text as one escaped Markdown paragraph."""
    return md_text(text) + "\n"


def count(value: object, lang: str) -> str:
    """A count cell: the suppression mark for NA, else a whole number by locale."""
    return SUPPRESSED_MARK if pd.isna(value) else number(int(value), lang, 0)


def counts(lang: str) -> Callable[[object], str]:
    """A formatter of whole numbers (for `display_table`)."""
    return lambda v: number(float(v), lang, 0)


def shares(lang: str) -> Callable[[object], str]:
    """A formatter of percentages with one decimal (for `display_table`)."""
    return lambda v: percent(float(v), lang, 1)


def withheld(disclosed: Disclosed, lang: str) -> str:
    """The one paragraph a withheld table shows instead of numbers."""
    return paragraph(disclosed_withheld_message(disclosed, lang))


def footnote_markdown(k: int | None, lang: str) -> str:
    """The suppression footnote (k of the rule that suppressed), escaped."""
    return md_text(footnote(int(k or 0), lang))


def notes_markdown(notes: list[str]) -> str:
    """Notes under a table, each its own escaped paragraph."""
    return "".join("\n" + md_text(note) + "\n" for note in notes)


def disclosed_markdown(
    disclosed: Disclosed,
    headers: Mapping[str, str],
    formats: Mapping[str, Callable[[object], str]],
    lang: str,
    align: str | None = None,
) -> str:
    """Render a disclosed table as a Markdown pipe table, with the footnote when needed.

    Args:
        disclosed: Output of a `pipeline.disclosure` function; nothing else is accepted.
        headers: Column -> header text, in display order (other columns are dropped).
        formats: Column -> formatter for the values.
        lang: The report language (footnote and withheld text).
        align: Column alignment for `markdown_table`.

    Returns:
        Markdown: the table (or the withheld sentence) and, when cells are suppressed,
        the footnote as its own paragraph.

    Raises:
        TypeError: When `disclosed` is not a `Disclosed` table.
    """
    if not isinstance(disclosed, Disclosed):
        raise TypeError("disclosed_markdown takes a Disclosed table (see pipeline.disclosure)")
    if disclosed.withheld:
        return withheld(disclosed, lang)
    shown = display_table(disclosed, formats)[list(headers)]
    shown.columns = list(headers.values())
    text = markdown_table(shown, align)
    if disclosed.any_suppressed:
        text += notes_markdown([footnote(disclosed.k, lang)])
    return text
