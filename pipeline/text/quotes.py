"""The selected quotes as Markdown block quotes, attributed by respondent group only."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.analysis.interviews import InterviewData, group_sizes, quote_small_groups
from pipeline.analysis.quotes import select_quotes
from pipeline.analysis.scope import Scope
from pipeline.formatting import md_text
from pipeline.i18n import Catalog
from pipeline.schema import label
from pipeline.text.markdown import paragraph
from pipeline.transcript import DEFAULT_TAGS, SpeakerTags

_t = Catalog("quotes")
# The language the interviews were held in, so the language of every quote (the
# locale's "original" note names it). In a report in another language each quote is
# marked as a part in this language (WCAG 3.1.2, PDF/UA): pandoc writes `lang="sv"`
# on its HTML element and `set text(lang: "sv")` in Typst (Swedish hyphenation, /Lang
# on the PDF structure element).
QUOTE_LANGUAGE = "sv"


def quotes_markdown(
    data: InterviewData,
    scope: Scope,
    *,
    names: Sequence[str] = (),
    seed: int | str = 0,
    level: int = 1,
    heading: int = 3,
    tags: SpeakerTags = DEFAULT_TAGS,
) -> str:
    """`select_quotes` as Markdown: per theme a heading, then its quotes.

    The theme label is a real heading (level `heading`, unnumbered; the report embeds
    the quotes under a level-2 heading), not a bold paragraph: a screen reader can jump
    to it, and it is in the PDF's structure tree and bookmarks (WCAG 1.3.1, PDF/UA).

    Each quote is a block quote ending in "— " and its speaker's group as one person
    ("— Enhetschef": one manager said it, although the group is "Enhetschefer"). Quote
    text is escaped with `md_text`, so markup in a quote (HTML, links, raw blocks, Typst
    code) renders literally. Groups below the rule give no quotes; the method section
    says so once.

    In a report not in QUOTE_LANGUAGE the quote's text (not the attribution, which is
    in the report's language) sits in a pandoc div with `lang` set to it (a Markdown
    attribute, no raw markup).

    Returns:
        Markdown text; the no-quotes sentence when nothing can be shown.
    """
    quotes = select_quotes(data, scope, names=names, seed=seed, level=level, tags=tags)
    foreign = scope.lang != QUOTE_LANGUAGE
    parts: list[str] = []
    for _, rows in quotes.groupby("theme", sort=False):
        parts.append(f"{'#' * heading} {md_text(rows['theme_label'].iloc[0])} {{.unnumbered}}\n")
        for quote, group in zip(rows["quote"], rows["group"], strict=True):
            said = f"> {md_text(quote)}\n"
            if foreign:  # the quote, not its attribution (which is in the report's language)
                said = f"> ::: {{lang={QUOTE_LANGUAGE}}}\n{said}> :::\n"
            parts.append(f"{said}>\n> — {md_text(label('speaker', group, scope.lang))}\n")
    if not parts:
        return paragraph(_no_quotes(data, scope))
    original = _t(scope.lang, "original")  # empty where the quotes' language is the report's
    if original:
        parts.insert(0, paragraph(original))
    return "\n".join(parts)


def _no_quotes(data: InterviewData, scope: Scope) -> str:
    """Why there are no quotes: no interviews, every group below the rule, or none fit.

    "No quotes can be shown" alone, in a year without interviews, reads as if quotes
    were withheld from a data collection that never took place.
    """
    sizes = group_sizes(data.register, scope)
    if not len(sizes):
        return _t(scope.lang, "none_collected", year=scope.year)
    if set(quote_small_groups(data.register, scope)) == set(sizes.index):
        k = max(2, scope.interview_k or 0)
        return _t(scope.lang, "none_small", k=k)
    return _t(scope.lang, "none")
