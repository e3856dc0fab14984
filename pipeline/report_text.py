"""Report prose built from the same computed objects as the tables it describes.

Each sentence here reads its numbers from the table function whose output the report
shows next to it (`pipeline.analysis.themes.theme_by_group` for the interview themes), so
the text can never count differently from the table. Sentences that point to a table or figure
(`@tbl-themes`) are written only when that table has something to show.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analysis import Scope
from pipeline.analysis.interviews import GROUPS, InterviewData
from pipeline.analysis.themes import theme_by_group, theme_by_group_frame
from pipeline.disclosure import Disclosed
from pipeline.formatting import md_text, number
from pipeline.i18n import Catalog
from pipeline.rounds import evaluation_rounds, join_words
from pipeline.schema import label
from pipeline.text.interviews import method_table_markdown

_t = Catalog("report_text")


def method_markdown(
    register: pd.DataFrame, region: str, year: int, lang: str = "sv", k: int | None = None
) -> str:
    """The method table, led by a sentence pointing to it only when there are interviews.

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.
        lang: The report language.
        k: Minimum group size (persons).

    Returns:
        Markdown: the lead sentence (with its cross-reference) and the method table, or
        the table function's no-interviews sentence alone.
    """
    table = method_table_markdown(
        register, Scope(region=region, year=year, lang=lang, interview_k=k)
    )
    pair = register[(register["region"] == region) & (register["year"].astype(int) == year)]
    if pair.empty:
        return table
    lead = _t(lang, "method_lead", region="\x00").split("\x00")
    return lead[0] + md_text(region) + lead[1] + "\n\n" + table


def interview_status_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    survey: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    *,
    by_group: Disclosed | None = None,
) -> str:
    """The paragraph that opens the interview themes, counted from the theme table.

    Interviews and participants are the method table's totals; the interviews in the
    theme analysis, the coded segments and the themes are read from `theme_by_group`,
    the very frame behind the theme table, so text and table always agree.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        survey: The survey responses (to name the rounds in a year without interviews).
        region: The region.
        year: The evaluation round.
        lang: The report language.
        k: Minimum group size (persons).
        by_group: The theme table itself, when the notebook has already disclosed it
            (`disclose_theme_by_group` of the same tables, region, year, language and
            k); else it is made here.

    Returns:
        Markdown. Without interviews: a sentence saying so (and the latest round with
        interviews), with no pointer to the theme table or figure.
    """
    pair = register[(register["region"] == region) & (register["year"].astype(int) == year)]
    if pair.empty:
        parts = [_t(lang, "none", region=region, year=year)]
        earlier = [y for y in evaluation_rounds(survey, register, region, year).interviews]
        if earlier:
            parts.append(_t(lang, "latest", latest=earlier[-1]))
        return md_text(" ".join(parts)) + "\n"
    scope = Scope(region=region, year=year, lang=lang, interview_k=k)
    if by_group is None:
        table = theme_by_group(InterviewData(register, segments, themes), scope)
    else:
        table = theme_by_group_frame(by_group)
    shown = table.loc[~table["suppressed"]]
    interviews_shown = int(shown.drop_duplicates("group")["interviews"].sum())
    per_theme = shown.groupby("theme", sort=False)["segments"].sum()
    sentences = [
        _t(
            lang,
            "held",
            region=region,
            year=year,
            interviews=number(len(pair), lang, 0),
            participants=number(int(pair["participants"].sum()), lang, 0),
        )
    ]
    small = sorted(set(table.loc[table["suppressed"], "group"]), key=GROUPS.index)
    if small and not interviews_shown:
        # "rests on 0 of the interviews; every group is left out" said as one plain fact.
        sentences.append(_t(lang, "basis_none", k=k))
    elif small:
        groups = join_words([label("group", g, lang).lower() for g in small], lang)
        sentences.append(
            _t(
                lang,
                "basis_part",
                shown=number(interviews_shown, lang, 0),
                groups=groups,
                which=_t(lang, "which_many" if len(small) > 1 else "which_one"),
                k=k,
            )
        )
    else:
        sentences.append(_t(lang, "basis_all"))
    segments_total = int(per_theme.sum()) if len(per_theme) else 0
    if segments_total:
        sentences.append(
            _t(
                lang,
                "coded",
                segments=number(segments_total, lang, 0),
                themes=number(int((per_theme > 0).sum()), lang, 0),
                book=number(len(per_theme), lang, 0),
            )
        )
    elif interviews_shown:  # with no group shown, the basis sentence has said it all
        sentences.append(_t(lang, "coded_none"))
    text = md_text(" ".join(sentences))
    if interviews_shown:
        # Our own sentence with cross-references: not escaped, no data in it.
        text += " " + _t(lang, "pointer")
    return text + "\n"
