"""Theme tables, factor lists and themes across rounds as report Markdown.

Every table here formats a `Disclosed` table of `pipeline.analysis.themes`: suppressed
groups show the one mark with the one footnote, and a withheld table is one sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis.interviews import InterviewData, rounds, small_groups
from pipeline.analysis.scope import Scope
from pipeline.analysis.themes import (
    TREND_THRESHOLD,
    classify_trends,
    disclose_across_rounds,
    disclose_factors,
    disclose_theme_by_group,
    main_factors,
)
from pipeline.disclosure import SUPPRESSED_MARK, Disclosed, display_table
from pipeline.formatting import md_text, number, percent
from pipeline.i18n import Catalog
from pipeline.rounds import join_words
from pipeline.schema import label
from pipeline.tables import markdown_table
from pipeline.text.interviews import group_list
from pipeline.text.markdown import count, footnote_markdown, paragraph, withheld

_t = Catalog("themes")
# "n = 18" in a column head: no-break spaces, so the head never breaks as "(n =" / "18)"
# (numbers are formatted with no-break spaces too: "87,5 %", "27 900").
N_EQUALS = "n\u00a0=\u00a0"


# --- themes by group --------------------------------------------------------------------


def theme_by_group_markdown(data: InterviewData, scope: Scope, *, level: int = 1) -> str:
    """The theme x group table (`disclose_theme_by_group`), suppressed groups marked.

    Returns:
        Markdown: a pipe table (columns "Group (n = interviews)", all reported groups,
        coded segments) and notes; the withheld sentence when no group may be shown.
    """
    return theme_by_group_table(disclose_theme_by_group(data, scope, level=level), scope)


def theme_by_group_table(disclosed: Disclosed, scope: Scope) -> str:
    """`theme_by_group_markdown` of a theme x group table already disclosed.

    A notebook shows the table, draws it and describes it: it discloses it once
    (`disclose_theme_by_group`, same scope) and passes it to each.

    Returns:
        Markdown, as `theme_by_group_markdown`.
    """
    lang = scope.lang
    table = disclosed.table
    if table.empty:
        return paragraph(_t(lang, "no_themes", year=scope.year))
    if disclosed.withheld:
        return withheld(disclosed, lang)
    hidden = disclosed.suppressed["mentioning"]
    shown = display_table(disclosed, {"mentioning": lambda v: number(int(v), lang, 0)})
    published = table.loc[~hidden]
    n_all = int(published.drop_duplicates("group")["interviews"].sum())
    columns: dict[str, list[str]] = {_t(lang, "theme"): []}
    group_heads = {
        g: f"{label('group', g, lang)} ({N_EQUALS}{number(int(n), lang, 0)})"
        for g, n in table.drop_duplicates("group")[["group", "interviews"]].itertuples(index=False)
    }
    all_head = f"{_t(lang, 'all')} ({N_EQUALS}{number(n_all, lang, 0)})"
    for head in [*group_heads.values(), all_head, _t(lang, "segments")]:
        columns[head] = []
    for name, cells, mentioning, segments in _theme_rows(table, hidden, shown["mentioning"]):
        columns[_t(lang, "theme")].append(str(name))
        for group, head in group_heads.items():
            columns[head].append(str(cells[group]))
        columns[all_head].append(count(int(mentioning), lang))
        columns[_t(lang, "segments")].append(count(int(segments), lang))
    parts = [markdown_table(pd.DataFrame(columns)), md_text(_t(lang, "mention_note"))]
    if hidden.any():
        parts += [footnote_markdown(scope.interview_k, lang), md_text(_t(lang, "suppressed_note"))]
    return "\n".join(parts) + "\n"


def _theme_rows(
    table: pd.DataFrame, hidden: pd.Series, shown: pd.Series
) -> list[tuple[object, dict[object, str], float, float]]:
    """Per theme (in table order): its label, each group's shown cell, and the published
    groups' mentions and segments.

    One pass over the rows in Python: a pandas groupby with a few lookups per theme
    and group cost more than the rest of the table.
    """
    themes: dict[object, tuple[object, dict[object, str], list[float]]] = {}
    published = ~hidden.reindex(table.index).to_numpy(dtype=bool)
    columns = ("theme", "label", "group", "mentioning", "segments")
    rows = zip(*(table[c] for c in columns), strict=True)
    for (theme, name, group, mentioning, segments), public, cell in zip(
        rows, published, shown.reindex(table.index), strict=True
    ):
        _, cells, sums = themes.setdefault(theme, (name, {}, [0, 0]))
        cells.setdefault(group, cell)  # a theme's first row of the group, as it is shown
        if public:
            sums[0] += mentioning
            sums[1] += segments
    return [(name, cells, sums[0], sums[1]) for name, cells, sums in themes.values()]


# --- promoting and hindering factors ----------------------------------------------------


def factors_by_theme_markdown(data: InterviewData, scope: Scope, *, top: int = 3) -> str:
    """A heading, the factor table and each theme's main factors (`main_factors_markdown`)."""
    disclosed = disclose_factors(data, scope)
    if disclosed.withheld:
        return withheld(disclosed, scope.lang)
    parts = [md_text(_t(scope.lang, "factors_head")), "", factors_table(disclosed, scope)]
    listed = main_factors_list(disclosed, data, scope, top=top)
    if listed:
        parts.append(listed)
    return "\n".join(parts)


def factors_table_markdown(data: InterviewData, scope: Scope) -> str:
    """The promoting / hindering / neutral segment counts per top-level theme, as a table."""
    return factors_table(disclose_factors(data, scope), scope)


def main_factors_markdown(data: InterviewData, scope: Scope, *, top: int = 3) -> str:
    """One bullet per theme naming its main promoting and hindering factors.

    Returns:
        A lead sentence and the bullets; empty when the factor table is withheld or
        has no segments (the table says why).
    """
    return main_factors_list(disclose_factors(data, scope), data, scope, top=top)


def factors_table(disclosed: Disclosed, scope: Scope) -> str:
    """`factors_table_markdown` of a factor table already disclosed (`disclose_factors`)."""
    lang = scope.lang
    if disclosed.withheld:
        return withheld(disclosed, lang)
    table = disclosed.table
    if table.empty:  # no interviews this year (`disclose_factors`): nothing was withheld
        return paragraph(_t(lang, "no_collection", year=scope.year))
    if not int(table["segments"].sum()):
        return paragraph(_t(lang, "no_segments", year=scope.year))
    shown = pd.DataFrame(
        {
            _t(lang, "theme"): table["label"],
            **{
                label("factor", factor, lang): [count(v, lang) for v in table[factor]]
                for factor in ("framjande", "hindrande", "neutral")
            },
            _t(lang, "segments"): [count(v, lang) for v in table["segments"]],
        }
    )
    return markdown_table(shown)


def main_factors_list(
    disclosed: Disclosed, data: InterviewData, scope: Scope, *, top: int = 3
) -> str:
    """`main_factors_markdown` with the factor table already disclosed (`disclose_factors`).

    Args:
        disclosed: `disclose_factors(data, scope)`.
        data: The same tables (the level-2 factors are counted from them).
        scope: The same scope.
        top: Factors named per theme and direction.

    Returns:
        Markdown, as `main_factors_markdown`.
    """
    lang = scope.lang
    table = disclosed.table
    if disclosed.withheld or not int(table["segments"].sum()):
        return ""  # the factor table says why there is nothing to list
    # The factors of each theme, in their order, as plain records: a few per theme, and
    # selecting them with pandas per theme and direction cost more than the rest.
    by_theme: dict[object, list[dict[str, object]]] = {}
    for factor_row in main_factors(data, scope, top=top).to_dict("records"):
        by_theme.setdefault(factor_row["theme"], []).append(factor_row)
    if not int(table[["framjande", "hindrande"]].to_numpy().sum()):
        return paragraph(_t(lang, "no_factors"))
    if not by_theme:
        return paragraph(_t(lang, "no_subfactors"))  # coded at theme level only
    bullets = []
    for row in table.to_dict("records"):
        if not int(row["framjande"]) + int(row["hindrande"]):
            continue  # neutral segments only: no factor to name (the table counts them)
        # A theme coded at theme level only still gets its bullet ("1 segment om andra
        # faktorer"): leaving it out made the list contradict the table above it.
        rows = by_theme.get(row["theme"], [])
        lists = [
            _factor_list([r for r in rows if r["factor"] == factor], int(row[factor]), factor, lang)
            for factor in ("framjande", "hindrande")
        ]
        bullets.append(f"- **{md_text(row['label'])}**: " + "; ".join(lists))
    # The lead is our own sentence: its cross-reference must stay a reference.
    lead = md_text(_t(lang, "factors_lead", top=number(top, lang, 0)))
    lead = lead.replace(md_text("@tbl-factors"), "@tbl-factors")
    return lead + "\n\n" + "\n".join(bullets) + "\n"


def _factor_list(rows: list[dict[str, object]], total: int, factor: str, lang: str) -> str:
    """ "hindrande (6 segment): A (2), B (1) och 3 segment om andra faktorer": sums to total."""
    word = _t(lang, "segment_one" if total == 1 else "segment_many")
    direction = label("factor", factor, lang).lower()
    head = md_text(_t(lang, "factor_head", direction=direction, n=total, segment_word=word))
    if not total:
        return head
    items = [
        f"{md_text(r['subtheme_label'])} ({number(int(r['segments']), lang, 0)})"  # type: ignore[call-overload]
        for r in rows
    ]
    rest = total - sum(int(r["segments"]) for r in rows)  # type: ignore[call-overload]
    if rest > 0:
        rest_word = _t(lang, "segment_one" if rest == 1 else "segment_many")
        items.append(
            md_text(_t(lang, "factor_rest", n=number(rest, lang, 0), segment_word=rest_word))
        )
    return f"{head}: {join_words(items, lang)}"


# --- themes across rounds ---------------------------------------------------------------


def themes_across_rounds_markdown(
    data: InterviewData,
    scope: Scope,
    *,
    all_rounds: Sequence[int] | None = None,
    threshold: float = TREND_THRESHOLD,
    level: int = 1,
) -> str:
    """Shares per round for every round up to the scope's year, with the trend.

    A round of the evaluation without interviews in the region keeps its column,
    marked "ingen datainsamling", and a sentence names it: no year disappears silently.

    Args:
        data: The register, coded segments and codebook.
        scope: Region, report year (all earlier rounds with interviews are included),
            language and interview_k (applied per round).
        all_rounds: The region's evaluation rounds (`pipeline.rounds`), including
            those without interviews; default: only the rounds with interviews.
        threshold: Percentage points for grew/faded.
        level: Theme level (1 or 2).

    Returns:
        Markdown: a pipe table (theme, one column per round "2017 (n = 20)", trend)
        and notes stating the threshold, the rounds without interviews and the
        groups left out.
    """
    years = rounds(data.register, scope)
    if not years:  # as the rounds figure says it, so the section says it once for both
        return paragraph(_t(scope.lang, "no_collection"))
    disclosed = disclose_across_rounds(data, scope, years=years, level=level)
    return across_rounds_table(disclosed, data, scope, all_rounds=all_rounds, threshold=threshold)


def across_rounds_table(
    disclosed: Disclosed,
    data: InterviewData,
    scope: Scope,
    *,
    all_rounds: Sequence[int] | None = None,
    threshold: float = TREND_THRESHOLD,
) -> str:
    """`themes_across_rounds_markdown` of a table already disclosed.

    Args:
        disclosed: `disclose_across_rounds(data, scope)` (its rounds are the region's
            rounds with interviews up to the scope's year, `rounds`).
        data: The same tables (for the rounds and their small groups).
        scope: The same scope.
        all_rounds: The region's evaluation rounds, as `themes_across_rounds_markdown`.
        threshold: Percentage points for grew/faded.

    Returns:
        Markdown, as `themes_across_rounds_markdown`.
    """
    lang = scope.lang
    years = rounds(data.register, scope)
    if not years:  # as the rounds figure says it, so the section says it once for both
        return paragraph(_t(lang, "no_collection"))
    if disclosed.withheld:
        return withheld(disclosed, lang)
    across = disclosed.table
    trends = classify_trends(across, threshold=threshold, lang=lang).set_index("theme")
    sizes = across.drop_duplicates("year").set_index("year")["interviews"]
    absent = sorted({int(y) for y in all_rounds or ()} - set(years))
    absent = [y for y in absent if years[0] < y <= scope.year]
    heads = {
        y: f"{y} ({_t(lang, 'no_round')})"
        if y in absent
        else f"{y} ({N_EQUALS}{number(int(sizes[y]), lang, 0)})"
        if sizes[y]
        else str(y)
        for y in sorted([*years, *absent])
    }
    single = len(years) < 2
    theme_head, trend_head = _t(lang, "theme"), _t(lang, "trend")
    columns: dict[str, list[str]] = {theme_head: [], **{head: [] for head in heads.values()}}
    if not single:
        columns[trend_head] = []
    trend_labels = dict(zip(trends.index, trends["trend_label"], strict=True))
    for theme, (name, by_year) in _shares_by_theme(across).items():
        columns[theme_head].append(str(name))
        for y, head in heads.items():
            share = pd.NA if y in absent else by_year[y]
            columns[head].append(
                "·"
                if y in absent
                else SUPPRESSED_MARK
                if pd.isna(share)
                else percent(float(share), lang, 0)
            )
        if not single:
            columns[trend_head].append(str(trend_labels[theme]) or "–")
    align = "l" + "r" * len(heads) + ("" if single else "l")
    parts = [markdown_table(pd.DataFrame(columns), align=align)]
    if single:
        parts.append(md_text(_t(lang, "single_round", year=years[0])))
    else:
        threshold_text = number(threshold, lang, 1)
        note = _t(lang, "rounds_note", threshold=threshold_text, first=years[0], last=years[-1])
        parts.append(md_text(note))
    if disclosed.any_suppressed:
        parts.append(footnote_markdown(scope.interview_k, lang))
    if absent:
        missing = join_words([str(y) for y in absent], lang)
        parts.append(md_text(_t(lang, "no_round_note", region=scope.region, years=missing)))
    smalls = [(y, small_groups(data.register, scope.at(y))) for y in years]
    items = [f"{group_list(small, lang).lower()} {y}" for y, small in smalls if small]
    if scope.interview_k is not None and items:
        note = _t(lang, "small_rounds", k=scope.interview_k, items=join_words(items, lang))
        parts.append(md_text(note))
    return "\n".join(parts) + "\n"


def _shares_by_theme(across: pd.DataFrame) -> dict[object, tuple[object, dict[object, object]]]:
    """Theme -> (its label, year -> share): each theme's first row per year, in table order.

    One pass in Python; a groupby with a lookup per theme and round cost more than the
    rest of the table.
    """
    themes: dict[object, tuple[object, dict[object, object]]] = {}
    rows = zip(across["theme"], across["label"], across["year"], across["share"], strict=True)
    for theme, name, year, share in rows:
        themes.setdefault(theme, (name, {}))[1].setdefault(year, share)
    return themes
