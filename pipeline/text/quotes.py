"""The selected quotes as Markdown block quotes, attributed by respondent group only."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.analysis.interviews import InterviewData
from pipeline.analysis.quotes import select_quotes
from pipeline.analysis.scope import Scope
from pipeline.formatting import md_text
from pipeline.i18n import Catalog
from pipeline.text.markdown import paragraph

_t = Catalog("quotes")


def quotes_markdown(
    data: InterviewData,
    scope: Scope,
    *,
    names: Sequence[str] = (),
    seed: int | str = 0,
    level: int = 1,
) -> str:
    """`select_quotes` as Markdown: per theme a bold label, then its quotes.

    Each quote is a block quote ending in "— group label". Quote text is escaped with
    `md_text`, so markup in a quote (HTML, links, raw blocks, Typst code) renders
    literally. Groups below the rule give no quotes; the method section says so once.

    Returns:
        Markdown text; the no-quotes sentence when nothing can be shown.
    """
    quotes = select_quotes(data, scope, names=names, seed=seed, level=level)
    parts: list[str] = []
    for _, rows in quotes.groupby("theme", sort=False):
        parts.append(f"**{md_text(rows['theme_label'].iloc[0])}**\n")
        for quote, group in zip(rows["quote"], rows["group_label"], strict=True):
            parts.append(f"> {md_text(quote)}\n>\n> — {md_text(group)}\n")
    if not parts:
        return paragraph(_t(scope.lang, "none"))
    original = _t(scope.lang, "original")  # empty where the quotes' language is the report's
    if original:
        parts.insert(0, paragraph(original))
    return "\n".join(parts)
