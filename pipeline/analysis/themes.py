"""Thematic analysis of coded interviews: themes by group, factors, themes across rounds.

Disclosure (`pipeline.disclosure`, the interview rule, `scope.interview_k`): a respondent
group below the minimum is left out of every per-theme statistic of its region-year (so
that no total minus the published groups reveals it). Every value passes through a
`Disclosed` table; a table with no publishable group is withheld, never shown as zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis.interviews import (
    GROUPS,
    InterviewData,
    coded_segments,
    group_sizes,
    published_persons,
    rounds,
    small_groups,
)
from pipeline.analysis.interviews import interviews as scope_interviews
from pipeline.analysis.scope import Scope
from pipeline.disclosure import (
    Disclosed,
    disclose_cells,
    disclose_interview_groups,
    disclose_interview_totals,
    no_mask,
)
from pipeline.i18n import DEFAULT_LANGUAGE, Catalog
from pipeline.schema import CATEGORIES, label

FACTORS: tuple[str, ...] = tuple(CATEGORIES["factor"])

TREND_THRESHOLD = 15.0
"""Change in percentage points (first to last round) from which a theme grew or faded."""

TRENDS: tuple[str, ...] = ("grew", "faded", "stable")
"""Trend codes of `classify_trends`; their labels are the `themes` catalog's trend_<code>."""

_t = Catalog("themes")


def _rule(scope: Scope) -> int:
    """The interview rule's minimum; None breaks every group down (a minimum of one)."""
    return 1 if scope.interview_k is None else scope.interview_k


# --- themes by group --------------------------------------------------------------------

_THEME_GROUP_COLUMNS = [
    "theme",
    "label",
    "group",
    "group_label",
    "interviews",
    "mentioning",
    "share",
    "segments",
]


def disclose_theme_by_group(data: InterviewData, scope: Scope, *, level: int = 1) -> Disclosed:
    """Interviews mentioning each theme, per respondent group, through the interview rule.

    Segments are rolled up to the theme at `level` (1 = top level); a segment coded at
    a higher level than `level` counts for that higher theme itself.

    Args:
        data: The register, coded segments and codebook.
        scope: Region, year, language (of the label columns) and `interview_k`.
        level: Theme level to report (1 or 2).

    Returns:
        A disclosed long table, one row per theme and group (codebook order, then group
        order), with columns theme, label, group, group_label, interviews (public),
        mentioning, share (percent), segments; the last three are suppressed for groups
        below interview_k, and the whole table is withheld when no group reaches it.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    book = data.book
    every, coded = coded_segments(data, scope, level=level)
    theme_rows = book.level_themes(level, coded["theme"].unique().tolist(), scope.lang)
    sizes = every.groupby("group")["interview_id"].nunique()
    mentions, counts = _tally(coded, ["theme", "group"])
    records = []
    for theme, name in zip(theme_rows["theme"], theme_rows["label"], strict=True):
        for group in GROUPS:
            if group not in sizes.index:
                continue
            n = int(sizes[group])
            hit = int(mentions.get((theme, group), 0))
            records.append(
                {
                    "theme": theme,
                    "label": name,
                    "group": group,
                    "group_label": label("group", group, scope.lang),
                    "interviews": n,
                    "mentioning": hit,
                    "share": 100.0 * hit / n,
                    "segments": int(counts.get((theme, group), 0)),
                }
            )
    frame = pd.DataFrame.from_records(records, columns=_THEME_GROUP_COLUMNS)
    persons = group_sizes(data.register, scope).to_dict()
    return disclose_interview_groups(
        frame, persons, _rule(scope), columns=("mentioning", "share", "segments")
    )


def theme_by_group(data: InterviewData, scope: Scope, *, level: int = 1) -> pd.DataFrame:
    """`disclose_theme_by_group` as a plain frame (for notebooks, text and the overview).

    Returns:
        Its table with a `suppressed` column (bool); for suppressed groups mentioning,
        share and segments are NA.
    """
    return theme_by_group_frame(disclose_theme_by_group(data, scope, level=level))


def theme_by_group_frame(disclosed: Disclosed) -> pd.DataFrame:
    """`theme_by_group` of a table `disclose_theme_by_group` already made.

    Returns:
        Its table with a `suppressed` column (bool); for suppressed groups mentioning,
        share and segments are NA.
    """
    frame = disclosed.table.copy()
    frame["suppressed"] = disclosed.suppressed["mentioning"].astype(bool)
    return frame.astype(
        {"interviews": "Int64", "mentioning": "Int64", "share": "Float64", "segments": "Int64"}
    )


def _tally(coded: pd.DataFrame, keys: list[str]) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """Per combination of `keys`: the interviews mentioning it, and its segments.

    As a groupby's nunique of interview_id and size, in one pass in Python over a
    region's few segments (a groupby, and lookups in its MultiIndex, cost far more).
    Rows with a missing key are counted under it but never looked up; a missing
    interview id is a segment but no interview, as nunique has it.
    """
    interviews: dict[tuple, set] = {}
    segments: dict[tuple, int] = {}
    columns = [*(coded[k] for k in keys), coded["interview_id"]]
    for *key_values, interview_id in zip(*columns, strict=True):
        key = tuple(key_values)
        segments[key] = segments.get(key, 0) + 1
        ids = interviews.setdefault(key, set())
        if not pd.isna(interview_id):
            ids.add(interview_id)
    return {key: len(ids) for key, ids in interviews.items()}, segments


# --- promoting and hindering factors ----------------------------------------------------


def factors_by_theme(data: InterviewData, scope: Scope, *, level: int = 1) -> pd.DataFrame:
    """Promoting, hindering and neutral segment counts per theme (small groups left out).

    Returns:
        One row per theme at the level (codebook order) with columns theme, label,
        framjande, hindrande, neutral, segments.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    book = data.book
    small = small_groups(data.register, scope)
    _, coded = coded_segments(data, scope, level=level, leave_out=small)
    frame = book.level_themes(level, coded["theme"].unique().tolist(), scope.lang)
    # As a dict: a lookup in a MultiIndex Series per theme and factor costs a hundred
    # times more.
    counts = coded.groupby(["theme", "factor"]).size().to_dict()
    for factor in FACTORS:
        frame[factor] = [int(counts.get((t, factor), 0)) for t in frame["theme"]]
    frame["segments"] = frame[list(FACTORS)].sum(axis=1).astype(int)
    return frame


def disclose_factors(data: InterviewData, scope: Scope, *, level: int = 1) -> Disclosed:
    """`factors_by_theme` through the interview rule: withheld when no group reaches it.

    A region-year without interviews gives an empty table, as `disclose_theme_by_group`
    does: nothing was collected, so nothing is withheld (the report says "ingen
    datainsamling", not that the groups were too small).
    """
    table = factors_by_theme(data, scope, level=level)
    if scope_interviews(data.register, scope).empty:
        empty = table.iloc[0:0]
        return disclose_cells(empty, no_mask(empty), _rule(scope))
    persons = published_persons(data.register, scope)
    return disclose_interview_totals(table, persons, _rule(scope))


def main_factors(data: InterviewData, scope: Scope, *, top: int = 3) -> pd.DataFrame:
    """Each top-level theme's main promoting and hindering factors.

    The factors are the level-2 themes with the most promoting (or hindering)
    segments; ties follow codebook order; themes without such segments are omitted.

    Returns:
        Columns theme, theme_label, factor (framjande|hindrande), subtheme,
        subtheme_label, segments, rank (1 = most), at most `top` per theme and factor.
    """
    level2 = factors_by_theme(data, scope, level=2)
    book = data.book
    records = []
    for row in level2.to_dict("records"):
        parent = book.ancestor(row["theme"], 1)
        if parent == row["theme"]:
            continue  # coded at the top level: not a specific factor
        for factor in ("framjande", "hindrande"):
            if row[factor] > 0:
                records.append(
                    {
                        "theme": parent,
                        "theme_label": book.label(parent, scope.lang),
                        "factor": factor,
                        "subtheme": row["theme"],
                        "subtheme_label": row["label"],
                        "segments": int(row[factor]),
                        "_key": book.sort_key(row["theme"]),
                        "_parent_key": book.sort_key(parent),
                    }
                )
    columns = ["theme", "theme_label", "factor", "subtheme", "subtheme_label", "segments", "rank"]
    if not records:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame.from_records(records)
    frame["_factor"] = frame["factor"].map({"framjande": 0, "hindrande": 1})
    frame["_neg"] = -frame["segments"]
    frame = frame.sort_values(["_parent_key", "_factor", "_neg", "_key"], kind="stable")
    frame["rank"] = frame.groupby(["theme", "factor"], sort=False).cumcount() + 1
    frame = frame.loc[frame["rank"] <= top]
    return frame[columns].reset_index(drop=True)


# --- themes across rounds ---------------------------------------------------------------


def themes_across_rounds(
    data: InterviewData, scope: Scope, *, years: Sequence[int] | None = None, level: int = 1
) -> pd.DataFrame:
    """Share of interviews mentioning each theme, per evaluation round.

    Small groups (`scope.interview_k`, per round) are left out of both numerator and
    denominator of that round.

    Args:
        data: The register, coded segments and codebook.
        scope: Region, language and interview_k; its year bounds the default rounds.
        years: The rounds; default `rounds(data.register, scope)`.
        level: Theme level (1 or 2).

    Returns:
        A long frame, one row per theme and round (codebook order, then year), with
        columns theme, label, year, interviews, mentioning, share (percent; NA for a
        round without interviews).

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    book = data.book
    years = sorted({int(y) for y in (rounds(data.register, scope) if years is None else years)})
    per_year = {}
    for year in years:
        at = scope.at(year)
        small = small_groups(data.register, at)
        per_year[year] = coded_segments(data, at, level=level, leave_out=small)
    used = sorted({t for _, coded in per_year.values() for t in coded["theme"]})
    theme_rows = book.level_themes(level, used, scope.lang)
    mentioned = {year: _tally(coded, ["theme"])[0] for year, (_, coded) in per_year.items()}
    records = []
    for theme, name in zip(theme_rows["theme"], theme_rows["label"], strict=True):
        for year in years:
            kept, _ = per_year[year]
            n = len(kept)
            hit = int(mentioned[year].get((theme,), 0))
            records.append(
                {
                    "theme": theme,
                    "label": name,
                    "year": year,
                    "interviews": n,
                    "mentioning": hit,
                    "share": 100.0 * hit / n if n else pd.NA,
                }
            )
    columns = ["theme", "label", "year", "interviews", "mentioning", "share"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype({"year": int, "interviews": int, "mentioning": int, "share": "Float64"})


def disclose_across_rounds(
    data: InterviewData, scope: Scope, *, years: Sequence[int] | None = None, level: int = 1
) -> Disclosed:
    """`themes_across_rounds` through the interview rule.

    A round in which no group reaches interview_k has its mentions and shares
    suppressed (not zero); the table is withheld when that holds for every round.
    """
    across = themes_across_rounds(data, scope, years=years, level=level)
    empty = across["interviews"] == 0
    mask = pd.DataFrame(False, index=across.index, columns=across.columns)
    mask["mentioning"] = mask["share"] = empty
    withheld = "interviews" if len(across) and bool(empty.all()) else ""
    return disclose_cells(across, mask, _rule(scope), withheld)


_NO_TREND: dict[str, object] = dict.fromkeys(
    ["theme", "label", "first", "last", "first_share", "last_share", "change", "trend"], pd.NA
) | {"trend_label": ""}
"""A theme's row of `classify_trends` before its rounds are compared."""


def classify_trends(
    across: pd.DataFrame, *, threshold: float = TREND_THRESHOLD, lang: str = DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """Classify each theme as grew, faded or stable from its first to its last round.

    Args:
        across: Output of `themes_across_rounds`.
        threshold: Minimum change in percentage points for grew/faded.
        lang: Language of the trend label.

    Returns:
        One row per theme with columns theme, label, first, last (years), first_share,
        last_share, change (percentage points), trend (grew|faded|stable, NA when the
        shares are missing or there is only one round), trend_label.
    """
    # One pass over the rows in Python: a theme has a handful of rounds, and a groupby
    # with a dropna and a sort per theme cost most of the rounds table.
    themes: dict[object, tuple[object, list[tuple[object, object]]]] = {}
    rows = zip(across["theme"], across["label"], across["year"], across["share"], strict=True)
    for theme, name, year, share in rows:
        if pd.isna(theme):
            continue  # as a groupby leaves it out
        shares = themes.setdefault(theme, (name, []))[1]
        if not pd.isna(share):
            shares.append((year, share))
    records = []
    for theme, (name, shares) in themes.items():
        record: dict[str, object] = {**_NO_TREND, "theme": theme, "label": name}
        shares = sorted(shares, key=lambda pair: pair[0])
        if len(shares) >= 2:
            (first, first_share), (last, last_share) = shares[0], shares[-1]
            change = float(last_share) - float(first_share)  # type: ignore[arg-type]
            trend = "grew" if change >= threshold else "faded" if change <= -threshold else "stable"
            record.update(
                first=int(first),  # type: ignore[call-overload]
                last=int(last),  # type: ignore[call-overload]
                first_share=float(first_share),  # type: ignore[arg-type]
                last_share=float(last_share),  # type: ignore[arg-type]
                change=change,
                trend=trend,
                trend_label=_t(lang, f"trend_{trend}"),
            )
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(_NO_TREND))
