"""Thematic analysis of coded interviews: method, themes by group, factors, rounds, quotes.

Pure functions over the canonical register, segments and codebook tables
(`pipeline.schema`), each with a `*_markdown` variant that formats the result as report
Markdown (every data-derived text escaped by `md_text` / `markdown_table`).

Disclosure (`pipeline.disclosure`, the interview rule): the unit is persons, not
interviews; a group interview with six peer supporters counts as six. The `k` argument
of these functions is the interview rule's minimum (`interview_k` in params). A
respondent group with fewer than k participants in a region-year is reported as counts
only (method table): its segments are left out of every per-theme statistic of that
region-year (so that no total minus the published groups reveals it) and its quotes
are never shown; quotes need a group of at least two whatever k is. Every table and
figure value passes through a `Disclosed` table (`disclose_theme_by_group`,
`disclose_factors`, `disclose_across_rounds`); a table with no publishable group is
withheld with a sentence saying why, never shown as zeros.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pandas as pd

from pipeline.disclosure import (
    SUPPRESSED_MARK,
    Disclosed,
    disclose_cells,
    disclose_interview_groups,
    disclose_interview_totals,
    disclosed_withheld_message,
    display_table,
    footnote,
    interview_publishable,
    quotes_publishable,
)
from pipeline.formatting import md_text, number, percent
from pipeline.pseudonymise import pseudonymise
from pipeline.schema import CATEGORIES, label
from pipeline.tables import markdown_table

GROUPS: tuple[str, ...] = tuple(CATEGORIES["group"])
MODES: tuple[str, ...] = tuple(CATEGORIES["mode"])
FACTORS: tuple[str, ...] = tuple(CATEGORIES["factor"])

TREND_THRESHOLD = 15.0
"""Change in percentage points (first to last round) from which a theme grew or faded."""

TRENDS: dict[str, dict[str, str]] = {
    "grew": {"sv": "Ökat", "en": "Increased"},
    "faded": {"sv": "Minskat", "en": "Decreased"},
    "stable": {"sv": "Oförändrat", "en": "Unchanged"},
}

QUOTE_WORDS = (12, 60)
"""Preferred quote length in words (inclusive); shorter or longer excerpts come later."""

_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "group": "Respondentgrupp",
        "interviews": "Intervjuer",
        "individual": "Individuella",
        "group_interviews": "Gruppintervjuer",
        "participants": "Deltagare",
        "mode": "Genomförande",
        "total": "Totalt",
        "theme": "Tema",
        "all": "Samtliga",
        "segments": "Kodade segment",
        "no_interviews": "Inga intervjuer finns för {region} {year}.",
        "no_factors": "Det finns inga främjande eller hindrande faktorer att redovisa.",
        "no_subfactors": (
            "De främjande och hindrande faktorerna är kodade på temanivå, utan underteman."
        ),
        "unit_note": (
            "Deltagare räknas som personer: en gruppintervju med sex deltagare är sex personer."
        ),
        "small_note": (
            "{groups} hade färre än {k} deltagare och redovisas endast med antal; "
            "gruppens svar ingår inte i temaredovisningen och citat visas inte."
        ),
        "suppressed_note": "Samtliga och kodade segment omfattar endast redovisade grupper.",
        "no_themes": "Inga teman att redovisa för {year}, eftersom inga intervjuer gjordes.",
        "no_segments": "Inga kodade segment att redovisa för {year}.",
        "factors_lead": (
            "Punkterna nämner upp till {top} faktorer per tema och riktning; @tbl-factors "
            "redovisar alla kodade segment per tema."
        ),
        "factor_rest": "{n} segment om andra faktorer eller temat i stort",
        "factor_head": "{direction} ({n} {segment_word})",
        "no_round": "ingen datainsamling",
        "no_round_note": "{region} hade ingen intervjuomgång {years} (ingen datainsamling).",
        "small_rounds": ("Grupper med färre än {k} deltagare ingår inte i andelarna: {items}."),
        "and": "och",
        "mention_note": "Antal intervjuer där temat nämns (minst ett kodat segment).",
        "promoting": "främjande",
        "hindering": "hindrande",
        "none": "inga",
        "factors_head": "Främjande och hindrande faktorer per tema (antal kodade segment).",
        "rounds_note": (
            "Andel intervjuer som nämner temat per omgång. Ett tema räknas som ökat eller "
            "minskat när andelen har ändrats med minst {threshold} procentenheter mellan "
            "första ({first}) och senaste omgången ({last}), annars som oförändrat."
        ),
        "single_round": "Endast en omgång ({year}); ingen jämförelse över tid är möjlig.",
        "trend": "Utveckling",
        "no_quotes": "Inga citat kan visas.",
    },
    "en": {
        "group": "Respondent group",
        "interviews": "Interviews",
        "individual": "Individual",
        "group_interviews": "Group interviews",
        "participants": "Participants",
        "mode": "Mode",
        "total": "Total",
        "theme": "Theme",
        "all": "All",
        "segments": "Coded segments",
        "no_interviews": "There are no interviews for {region} {year}.",
        "no_factors": "There are no promoting or hindering factors to report.",
        "no_subfactors": "The promoting and hindering factors are coded at theme level only.",
        "unit_note": (
            "Participants are counted as persons: a group interview with six participants "
            "is six persons."
        ),
        "small_note": (
            "{groups} had fewer than {k} participants and are reported as counts only; "
            "their answers are left out of the theme analysis and no quotes are shown."
        ),
        "suppressed_note": "All and coded segments cover the reported groups only.",
        "no_themes": "There are no themes to report for {year}, as no interviews took place.",
        "no_segments": "There are no coded segments to report for {year}.",
        "factors_lead": (
            "The bullets name up to {top} factors per theme and direction; @tbl-factors "
            "gives every coded segment per theme."
        ),
        "factor_rest": "{n} segments on other factors or the theme as a whole",
        "factor_head": "{direction} ({n} {segment_word})",
        "no_round": "no data collection",
        "no_round_note": "{region} had no interview round in {years} (no data collection).",
        "small_rounds": (
            "Groups with fewer than {k} participants are left out of the shares: {items}."
        ),
        "and": "and",
        "mention_note": "Number of interviews mentioning the theme (at least one coded segment).",
        "promoting": "promoting",
        "hindering": "hindering",
        "none": "none",
        "factors_head": "Promoting and hindering factors per theme (number of coded segments).",
        "rounds_note": (
            "Share of interviews mentioning the theme per round. A theme increased or "
            "decreased when its share changed by at least {threshold} percentage points "
            "between the first ({first}) and the latest round ({last}); otherwise it is "
            "unchanged."
        ),
        "single_round": "Only one round ({year}); no comparison over time is possible.",
        "trend": "Trend",
        "no_quotes": "No quotes can be shown.",
        "quotes_original": "Quotes are given in the original Swedish, as they were said.",
    },
}


# --- shared helpers ---------------------------------------------------------------------


def _t(lang: str, key: str, **values: object) -> str:
    texts = _TEXT.get(lang, _TEXT["sv"])
    return texts[key].format(**values) if values else texts[key]


def _interviews(register: pd.DataFrame, region: str, year: int) -> pd.DataFrame:
    mask = (register["region"] == region) & (register["year"].astype(int) == int(year))
    return register.loc[mask].copy()


def group_sizes(register: pd.DataFrame, region: str, year: int) -> pd.Series:
    """Number of participants (persons) per respondent group in a region-year.

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.

    Returns:
        Participants per group code, in group order, only groups with interviews.
    """
    rows = _interviews(register, region, year)
    sizes = rows.groupby("group")["participants"].sum().astype(int)
    return sizes.reindex([g for g in GROUPS if g in sizes.index]).astype(int)


def small_groups(register: pd.DataFrame, region: str, year: int, k: int | None) -> list[str]:
    """Respondent groups of a region-year with fewer than k participants (persons).

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.
        k: The minimum group size; None means no group is small.

    Returns:
        Group codes in group order.
    """
    if k is None:
        return []
    sizes = group_sizes(register, region, year)
    return [g for g, n in sizes.items() if not interview_publishable(int(n), k)]


def rounds(register: pd.DataFrame, region: str, year: int) -> list[int]:
    """The evaluation rounds of a region up to and including `year` that have interviews.

    Args:
        register: The interview register.
        region: The region.
        year: The report year.

    Returns:
        Sorted years.
    """
    years = register.loc[register["region"] == region, "year"].astype(int)
    return sorted({int(y) for y in years if y <= int(year)})


def _group_list(groups: Sequence[str], lang: str) -> str:
    """ "Enhetschefer och medarbetare": a list that reads as part of a sentence."""
    names = [label("group", g, lang) for g in groups]
    return _join([names[0], *(n.lower() for n in names[1:])], lang) if names else ""


def _small_note(groups: Sequence[str], k: int, lang: str) -> str:
    return md_text(_t(lang, "small_note", groups=_group_list(groups, lang), k=k))


def _count(value: object, lang: str) -> str:
    return SUPPRESSED_MARK if pd.isna(value) else number(int(value), lang, 0)


def _withheld(disclosed: Disclosed, lang: str) -> str:
    return md_text(disclosed_withheld_message(disclosed, lang)) + "\n"


def _footnote(k: int | None, lang: str) -> str:
    return md_text(footnote(int(k or 0), lang))


# --- codebook ---------------------------------------------------------------------------


def _parent(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _codebook(themes: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {
        str(row["id"]): {
            "parent": _parent(row["parent"]),
            "level": int(row["level"]),
            "label_sv": row.get("label_sv"),
            "label_en": row.get("label_en"),
            "order": row["order"],
        }
        for row in themes.to_dict("records")
    }


def theme_label(themes: pd.DataFrame, theme_id: str, lang: str = "sv") -> str:
    """The label of a theme in a language (Swedish, then the id, when it has none).

    Args:
        themes: The codebook themes (id, parent, level, label_sv, label_en, order).
        theme_id: A theme id.
        lang: "sv" or "en".

    Returns:
        The label as plain (unescaped) text.
    """
    entry = _codebook(themes).get(theme_id)
    return _label_of(entry, theme_id, lang)


def _label_of(entry: dict[str, object] | None, theme_id: str, lang: str) -> str:
    if entry is None:
        return theme_id
    for key in (f"label_{lang}", "label_sv"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return theme_id


def _sort_key(book: dict[str, dict[str, object]], theme_id: str) -> tuple:
    """Codebook order from the root down, so children follow their parent."""
    path: list[tuple[float, str]] = []
    current: str | None = theme_id
    for _ in range(len(book) + 1):
        if current is None or current not in book:
            break
        order = book[current]["order"]
        path.append((float(order) if not pd.isna(order) else float("inf"), current))
        current = book[current]["parent"]  # type: ignore[assignment]
    return tuple(reversed(path))


def _ancestor(book: dict[str, dict[str, object]], theme_id: str, level: int) -> str:
    """The theme's ancestor at `level`; a theme above that level stands for itself."""
    current = theme_id
    for _ in range(len(book) + 1):
        entry = book[current]
        if int(entry["level"]) <= level or entry["parent"] is None:  # type: ignore[arg-type]
            return current
        current = entry["parent"]  # type: ignore[assignment]
    raise ValueError(f"theme {theme_id!r}: the codebook's parent links form a cycle")


def _check_themes(segments: pd.DataFrame, book: dict[str, dict[str, object]]) -> None:
    unknown = sorted({str(t) for t in segments["theme"]} - set(book))
    if unknown:
        raise ValueError(f"segments use theme ids that are not in the codebook: {unknown}")


def _coded(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    level: int,
    k: int | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Interviews and segments of a region-year with themes rolled up to `level`.

    Returns the interviews of publishable groups, their segments (with a `group` and a
    rolled-up `theme` column), and the small groups that were left out.
    """
    book = _codebook(themes)
    interviews = _interviews(register, region, year)
    small = small_groups(register, region, year, k)
    interviews = interviews.loc[~interviews["group"].isin(small)]
    coded = segments.merge(
        interviews[["interview_id", "group"]], on="interview_id", how="inner", validate="m:1"
    )
    _check_themes(coded, book)
    coded["theme"] = [_ancestor(book, str(t), level) for t in coded["theme"]]
    return interviews, coded, small


def _level_themes(themes: pd.DataFrame, level: int, used: Sequence[str], lang: str) -> pd.DataFrame:
    """Every codebook theme at `level`, plus higher themes that segments were coded at."""
    book = _codebook(themes)
    ids = {t for t, e in book.items() if e["level"] == level} | set(used)
    ordered = sorted(ids, key=lambda t: _sort_key(book, t))
    return pd.DataFrame({"theme": ordered, "label": [_label_of(book[t], t, lang) for t in ordered]})


# --- method -----------------------------------------------------------------------------


def method_table(register: pd.DataFrame, region: str, year: int, lang: str = "sv") -> pd.DataFrame:
    """Interviews and participants per respondent group, with form and mode, and a total.

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.
        lang: Language of the `label` column.

    Returns:
        One row per group with interviews (group order), then a total row (group
        "total"). Columns: group, label, interviews, individual, group_interviews,
        participants, and one count column per mode code (fysiskt, telefon, video).
    """
    rows = _interviews(register, region, year)
    records = []
    for group in GROUPS:
        part = rows.loc[rows["group"] == group]
        if part.empty:
            continue
        records.append(_method_row(part, group, label("group", group, lang)))
    records.append(_method_row(rows, "total", _t(lang, "total")))
    return pd.DataFrame.from_records(records)


def _method_row(part: pd.DataFrame, group: str, name: str) -> dict[str, object]:
    row: dict[str, object] = {
        "group": group,
        "label": name,
        "interviews": len(part),
        "individual": int((part["form"] == "individuell").sum()),
        "group_interviews": int((part["form"] == "grupp").sum()),
        "participants": int(part["participants"].sum()),
    }
    for mode in MODES:
        row[mode] = int((part["mode"] == mode).sum())
    return row


def method_table_markdown(
    register: pd.DataFrame, region: str, year: int, lang: str = "sv", k: int | None = None
) -> str:
    """The method table as Markdown, with notes on the unit (persons) and small groups.

    Interview and participant counts are always shown (method transparency), also for
    groups below k; the note says that those groups are reported as counts only.

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.
        lang: "sv" or "en".
        k: The minimum group size (persons) for anything beyond counts.

    Returns:
        Markdown: a pipe table and notes.
    """
    table = method_table(register, region, year, lang)
    if len(table) == 1:
        return md_text(_t(lang, "no_interviews", region=region, year=year)) + "\n"
    shown = pd.DataFrame(
        {
            _t(lang, "group"): table["label"],
            _t(lang, "interviews"): [_count(v, lang) for v in table["interviews"]],
            _t(lang, "individual"): [_count(v, lang) for v in table["individual"]],
            _t(lang, "group_interviews"): [_count(v, lang) for v in table["group_interviews"]],
            _t(lang, "participants"): [_count(v, lang) for v in table["participants"]],
            _t(lang, "mode"): [_modes_text(row, lang) for row in table.to_dict("records")],
        }
    )
    parts = [markdown_table(shown, align="lrrrrl"), md_text(_t(lang, "unit_note"))]
    small = small_groups(register, region, year, k)
    if small and k is not None:
        parts.append(_small_note(small, k, lang))
    return "\n".join(parts) + "\n"


def _modes_text(row: dict[str, object], lang: str) -> str:
    return ", ".join(
        f"{label('mode', m, lang)} {number(int(row[m]), lang, 0)}"  # type: ignore[call-overload]
        for m in MODES
        if row[m]
    )


# --- themes by group --------------------------------------------------------------------


def disclose_theme_by_group(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    level: int = 1,
    k: int | None = None,
    lang: str = "sv",
) -> Disclosed:
    """Interviews mentioning each theme, per respondent group, through the interview rule.

    Segments are rolled up to the theme at `level` (1 = top level); a segment coded at
    a higher level than `level` counts for that higher theme itself.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes (id, parent, level, label_sv, label_en, order).
        region: The region.
        year: The evaluation round.
        level: Theme level to report (1 or 2).
        k: The interview rule's minimum group size (persons); None reports every group.
        lang: Language of the label columns.

    Returns:
        A disclosed long table, one row per theme and group (codebook order, then group
        order), with columns theme, label, group, group_label, interviews (public),
        mentioning, share (percent), segments; the last three are suppressed for groups
        below k, and the whole table is withheld when no group reaches k.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    all_rows = _interviews(register, region, year)
    _, coded, _ = _coded(register, segments, themes, region, year, level, None)
    theme_rows = _level_themes(themes, level, coded["theme"].unique().tolist(), lang)
    sizes = all_rows.groupby("group")["interview_id"].nunique()
    mentions = coded.groupby(["theme", "group"])["interview_id"].nunique()
    counts = coded.groupby(["theme", "group"]).size()
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
                    "group_label": label("group", group, lang),
                    "interviews": n,
                    "mentioning": hit,
                    "share": 100.0 * hit / n,
                    "segments": int(counts.get((theme, group), 0)),
                }
            )
    frame = pd.DataFrame.from_records(records, columns=_THEME_GROUP_COLUMNS[:-1])
    persons = group_sizes(register, region, year).to_dict()
    return disclose_interview_groups(
        frame, persons, 1 if k is None else k, columns=("mentioning", "share", "segments")
    )


def theme_by_group(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    level: int = 1,
    k: int | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """The disclosed theme x group table as a plain frame (for notebooks and the overview).

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The evaluation round.
        level: Theme level to report (1 or 2).
        k: The interview rule's minimum group size (persons).
        lang: Language of the label columns.

    Returns:
        `disclose_theme_by_group`'s table with a `suppressed` column (bool); for
        suppressed groups mentioning, share and segments are NA.
    """
    disclosed = disclose_theme_by_group(register, segments, themes, region, year, level, k, lang)
    frame = disclosed.table.copy()
    frame["suppressed"] = disclosed.suppressed["mentioning"].astype(bool)
    return frame.astype(
        {"interviews": "Int64", "mentioning": "Int64", "share": "Float64", "segments": "Int64"}
    )


_THEME_GROUP_COLUMNS = [
    "theme",
    "label",
    "group",
    "group_label",
    "interviews",
    "mentioning",
    "share",
    "segments",
    "suppressed",
]


def theme_by_group_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    level: int = 1,
) -> str:
    """The theme x group table as Markdown, suppressed groups marked `SUPPRESSED_MARK`.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The evaluation round.
        lang: "sv" or "en".
        k: The interview rule's minimum group size (persons).
        level: Theme level (1 or 2).

    Returns:
        Markdown: a pipe table (columns "Group (n = interviews)") and notes; the
        withheld sentence when no group has k persons.
    """
    disclosed = disclose_theme_by_group(register, segments, themes, region, year, level, k, lang)
    table = disclosed.table
    if table.empty:
        return md_text(_t(lang, "no_themes", year=year)) + "\n"
    if disclosed.withheld:
        return _withheld(disclosed, lang)
    hidden = disclosed.suppressed["mentioning"]
    shown = display_table(disclosed, {"mentioning": lambda v: number(int(v), lang, 0)})
    published = table.loc[~hidden]
    n_all = int(published.drop_duplicates("group")["interviews"].sum())
    columns: dict[str, list[str]] = {_t(lang, "theme"): []}
    group_heads = {
        g: f"{label('group', g, lang)} (n = {number(int(n), lang, 0)})"
        for g, n in table.drop_duplicates("group")[["group", "interviews"]].itertuples(index=False)
    }
    all_head = f"{_t(lang, 'all')} (n = {number(n_all, lang, 0)})"
    for head in [*group_heads.values(), all_head, _t(lang, "segments")]:
        columns[head] = []
    for _, rows in table.groupby("theme", sort=False):
        columns[_t(lang, "theme")].append(str(rows["label"].iloc[0]))
        for group, head in group_heads.items():
            columns[head].append(
                str(shown.loc[rows.index[rows["group"] == group][0], "mentioning"])
            )
        public = rows.loc[~hidden[rows.index]]
        columns[all_head].append(_count(int(public["mentioning"].sum()), lang))
        columns[_t(lang, "segments")].append(_count(int(public["segments"].sum()), lang))
    parts = [markdown_table(pd.DataFrame(columns)), md_text(_t(lang, "mention_note"))]
    if hidden.any():
        parts += [_footnote(k, lang), md_text(_t(lang, "suppressed_note"))]
    return "\n".join(parts) + "\n"


# --- promoting and hindering factors ----------------------------------------------------


def factors_by_theme(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    level: int = 1,
    k: int | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """Promoting, hindering and neutral segment counts per theme.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The evaluation round.
        level: Theme level (1 or 2).
        k: Minimum group size (persons); segments of smaller groups are left out.
        lang: Language of the label column.

    Returns:
        One row per theme at the level (codebook order) with columns theme, label,
        framjande, hindrande, neutral, segments.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    _, coded, _ = _coded(register, segments, themes, region, year, level, k)
    frame = _level_themes(themes, level, coded["theme"].unique().tolist(), lang)
    counts = coded.groupby(["theme", "factor"]).size()
    for factor in FACTORS:
        frame[factor] = [int(counts.get((t, factor), 0)) for t in frame["theme"]]
    frame["segments"] = frame[list(FACTORS)].sum(axis=1).astype(int)
    return frame


def _published_persons(register: pd.DataFrame, region: str, year: int, k: int | None) -> int:
    sizes = group_sizes(register, region, year)
    small = set(small_groups(register, region, year, k))
    return int(sum(int(n) for g, n in sizes.items() if g not in small))


def disclose_factors(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    level: int = 1,
    k: int | None = None,
    lang: str = "sv",
) -> Disclosed:
    """`factors_by_theme` through the interview rule: withheld when no group reaches k.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The evaluation round.
        level: Theme level (1 or 2).
        k: The interview rule's minimum group size (persons).
        lang: Language of the label column.

    Returns:
        The disclosed table (columns as `factors_by_theme`).
    """
    table = factors_by_theme(register, segments, themes, region, year, level, k, lang)
    persons = _published_persons(register, region, year, k)
    return disclose_interview_totals(table, persons, 1 if k is None else k)


def main_factors(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    top: int = 3,
    k: int | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """Each top-level theme's main promoting and hindering factors.

    The factors are the level-2 themes with the most promoting (or hindering)
    segments; ties follow codebook order; themes without such segments are omitted.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The evaluation round.
        top: How many factors per theme and direction.
        k: Minimum group size (persons); segments of smaller groups are left out.
        lang: Language of the labels.

    Returns:
        Columns theme, theme_label, factor (framjande|hindrande), subtheme,
        subtheme_label, segments, rank (1 = most).
    """
    level2 = factors_by_theme(register, segments, themes, region, year, 2, k, lang)
    book = _codebook(themes)
    records = []
    for row in level2.to_dict("records"):
        parent = _ancestor(book, row["theme"], 1)
        if parent == row["theme"]:
            continue  # coded at the top level: not a specific factor
        for factor in ("framjande", "hindrande"):
            if row[factor] > 0:
                records.append(
                    {
                        "theme": parent,
                        "theme_label": _label_of(book[parent], parent, lang),
                        "factor": factor,
                        "subtheme": row["theme"],
                        "subtheme_label": row["label"],
                        "segments": int(row[factor]),
                        "_key": _sort_key(book, row["theme"]),
                        "_parent_key": _sort_key(book, parent),
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


def factors_by_theme_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    top: int = 3,
) -> str:
    """Promoting/hindering counts per top-level theme and each theme's main factors.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The evaluation round.
        lang: "sv" or "en".
        k: Minimum group size (persons).
        top: Main factors listed per theme and direction.

    Returns:
        Markdown: a pipe table, then one bullet per theme listing its main factors.
    """
    disclosed = disclose_factors(register, segments, themes, region, year, 1, k, lang)
    if disclosed.withheld:
        return _withheld(disclosed, lang)
    parts = [
        md_text(_t(lang, "factors_head")),
        "",
        factors_table_markdown(register, segments, themes, region, year, lang, k),
    ]
    listed = main_factors_markdown(register, segments, themes, region, year, lang, k, top)
    if listed:
        parts.append(listed)
    return "\n".join(parts)


def factors_table_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
) -> str:
    """The promoting / hindering / neutral segment counts per top-level theme, as a table.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook's themes table.
        region: The region.
        year: The evaluation round.
        lang: "sv" or "en".
        k: Minimum group size (persons).

    Returns:
        A Markdown pipe table.
    """
    disclosed = disclose_factors(register, segments, themes, region, year, 1, k, lang)
    if disclosed.withheld:
        return _withheld(disclosed, lang)
    table = disclosed.table
    if not int(table["segments"].sum()):
        return md_text(_t(lang, "no_segments", year=year)) + "\n"
    shown = pd.DataFrame(
        {
            _t(lang, "theme"): table["label"],
            label("factor", "framjande", lang): [_count(v, lang) for v in table["framjande"]],
            label("factor", "hindrande", lang): [_count(v, lang) for v in table["hindrande"]],
            label("factor", "neutral", lang): [_count(v, lang) for v in table["neutral"]],
            _t(lang, "segments"): [_count(v, lang) for v in table["segments"]],
        }
    )
    return markdown_table(shown)


def main_factors_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    top: int = 3,
) -> str:
    """One bullet per theme naming its main promoting and hindering factors.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook's themes table.
        region: The region.
        year: The evaluation round.
        lang: "sv" or "en".
        k: Minimum group size (persons).
        top: Main factors listed per theme and direction.

    Returns:
        Markdown bullets and the small-group note (empty when there is nothing to list).
    """
    disclosed = disclose_factors(register, segments, themes, region, year, 1, k, lang)
    if disclosed.withheld:
        return ""  # the factor table says why it is withheld
    table = disclosed.table
    if not int(table["segments"].sum()):
        return ""  # the factor table already says that there is nothing to report
    factors = main_factors(register, segments, themes, region, year, top, k, lang)
    bullets = []
    for row in table.to_dict("records"):
        rows = factors.loc[factors["theme"] == row["theme"]]
        if rows.empty:
            continue
        name = md_text(rows["theme_label"].iloc[0])
        lists = [
            _factor_list(rows.loc[rows["factor"] == factor], int(row[factor]), factor, lang)
            for factor in ("framjande", "hindrande")
        ]
        bullets.append(f"- **{name}**: " + "; ".join(lists))
    if not bullets:
        if int(table[["framjande", "hindrande"]].to_numpy().sum()):
            return md_text(_t(lang, "no_subfactors")) + "\n"  # coded at theme level only
        return md_text(_t(lang, "no_factors")) + "\n"
    # The lead is our own sentence: its cross-reference must stay a reference.
    lead = md_text(_t(lang, "factors_lead", top=number(top, lang, 0)))
    lead = lead.replace(md_text("@tbl-factors"), "@tbl-factors")
    return lead + "\n\n" + "\n".join(bullets) + "\n"


def _factor_list(rows: pd.DataFrame, total: int, factor: str, lang: str) -> str:
    """ "hindrande (6 segment): A (2), B (1) och 3 segment om andra faktorer": sums to total."""
    word = "segment" if lang == "sv" or total == 1 else "segments"
    direction = label("factor", factor, lang).lower()
    head = _t(lang, "factor_head", direction=direction, n=total, segment_word=word)
    if not total:
        return f"{md_text(head)}"
    items = [
        f"{md_text(name)} ({number(int(n), lang, 0)})"
        for name, n in zip(rows["subtheme_label"], rows["segments"], strict=True)
    ]
    rest = total - int(rows["segments"].sum())
    if rest > 0:
        items.append(md_text(_t(lang, "factor_rest", n=number(rest, lang, 0))))
    return f"{md_text(head)}: {_join(items, lang)}"


def _join(items: Sequence[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_t(lang, 'and')} {items[-1]}"


# --- themes across rounds ---------------------------------------------------------------


def themes_across_rounds(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    years: Sequence[int],
    level: int = 1,
    k: int | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """Share of interviews mentioning each theme, per evaluation round.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        years: The rounds, e.g. `rounds(register, region, year)`.
        level: Theme level (1 or 2).
        k: Minimum group size (persons), applied per round; small groups are left out
            of both numerator and denominator of that round.
        lang: Language of the label column.

    Returns:
        A long frame, one row per theme and round (codebook order, then year), with
        columns theme, label, year, interviews, mentioning, share (percent; NA for a
        round without interviews).

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    years = sorted({int(y) for y in years})
    per_year = {y: _coded(register, segments, themes, region, y, level, k) for y in years}
    used = sorted({t for _, coded, _ in per_year.values() for t in coded["theme"]})
    theme_rows = _level_themes(themes, level, used, lang)
    records = []
    for theme, name in zip(theme_rows["theme"], theme_rows["label"], strict=True):
        for year in years:
            interviews, coded, _ = per_year[year]
            n = len(interviews)
            hit = int(coded.loc[coded["theme"] == theme, "interview_id"].nunique())
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
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    years: Sequence[int],
    level: int = 1,
    k: int | None = None,
    lang: str = "sv",
) -> Disclosed:
    """`themes_across_rounds` through the interview rule.

    A round in which no group reaches k has its mentions and shares suppressed (not
    zero); the table is withheld when that holds for every round.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        years: The rounds.
        level: Theme level (1 or 2).
        k: The interview rule's minimum group size (persons), applied per round.
        lang: Language of the label column.

    Returns:
        The disclosed long table (columns as `themes_across_rounds`).
    """
    across = themes_across_rounds(register, segments, themes, region, years, level, k, lang)
    empty = across["interviews"] == 0
    mask = pd.DataFrame(False, index=across.index, columns=across.columns)
    mask["mentioning"] = mask["share"] = empty
    withheld = "interviews" if len(across) and bool(empty.all()) else ""
    return disclose_cells(across, mask, 1 if k is None else k, withheld)


def classify_trends(
    across: pd.DataFrame, threshold: float = TREND_THRESHOLD, lang: str = "sv"
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
    records = []
    for theme, rows in across.groupby("theme", sort=False):
        rows = rows.dropna(subset=["share"]).sort_values("year")
        record: dict[str, object] = {
            "theme": theme,
            "label": across.loc[across["theme"] == theme, "label"].iloc[0],
            "first": pd.NA,
            "last": pd.NA,
            "first_share": pd.NA,
            "last_share": pd.NA,
            "change": pd.NA,
            "trend": pd.NA,
            "trend_label": "",
        }
        if len(rows) >= 2:
            first, last = rows.iloc[0], rows.iloc[-1]
            change = float(last["share"]) - float(first["share"])
            trend = "grew" if change >= threshold else "faded" if change <= -threshold else "stable"
            record.update(
                first=int(first["year"]),
                last=int(last["year"]),
                first_share=float(first["share"]),
                last_share=float(last["share"]),
                change=change,
                trend=trend,
                trend_label=TRENDS[trend].get(lang, TRENDS[trend]["sv"]),
            )
        records.append(record)
    columns = [
        "theme",
        "label",
        "first",
        "last",
        "first_share",
        "last_share",
        "change",
        "trend",
        "trend_label",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def themes_across_rounds_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    threshold: float = TREND_THRESHOLD,
    level: int = 1,
    all_rounds: Sequence[int] | None = None,
) -> str:
    """Shares per round for every round up to `year`, with the trend and its threshold.

    A round of the evaluation without interviews in the region keeps its column,
    marked "ingen datainsamling", and a sentence names it: no year disappears silently.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        region: The region.
        year: The report year; all earlier rounds with interviews are included.
        lang: "sv" or "en".
        k: Minimum group size (persons), applied per round.
        threshold: Percentage points for grew/faded.
        level: Theme level (1 or 2).
        all_rounds: The region's evaluation rounds (`pipeline.rounds`), including
            those without interviews; default: only the rounds with interviews.

    Returns:
        Markdown: a pipe table (theme, one column per round "2017 (n = 20)", trend)
        and notes stating the threshold, the rounds without interviews and the
        groups left out.
    """
    years = rounds(register, region, year)
    if not years:
        return md_text(_t(lang, "no_interviews", region=region, year=year)) + "\n"
    disclosed = disclose_across_rounds(register, segments, themes, region, years, level, k, lang)
    if disclosed.withheld:
        return _withheld(disclosed, lang)
    across = disclosed.table
    trends = classify_trends(across, threshold, lang).set_index("theme")
    sizes = across.drop_duplicates("year").set_index("year")["interviews"]
    absent = sorted({int(y) for y in all_rounds or ()} - set(years))
    absent = [y for y in absent if years[0] < y <= int(year)]
    heads = {
        y: f"{y} ({_t(lang, 'no_round')})"
        if y in absent
        else f"{y} (n = {number(int(sizes[y]), lang, 0)})"
        if sizes[y]
        else str(y)
        for y in sorted([*years, *absent])
    }
    columns: dict[str, list[str]] = {_t(lang, "theme"): []}
    for head in heads.values():
        columns[head] = []
    single = len(years) < 2
    if not single:
        columns[_t(lang, "trend")] = []
    for theme, rows in across.groupby("theme", sort=False):
        columns[_t(lang, "theme")].append(str(rows["label"].iloc[0]))
        for y, head in heads.items():
            if y in absent:
                columns[head].append("·")
                continue
            share = rows.loc[rows["year"] == y, "share"].iloc[0]
            columns[head].append(
                SUPPRESSED_MARK if pd.isna(share) else percent(float(share), lang, 0)
            )
        if not single:
            columns[_t(lang, "trend")].append(str(trends.loc[theme, "trend_label"]) or "–")
    align = "l" + "r" * len(heads) + ("" if single else "l")
    parts = [markdown_table(pd.DataFrame(columns), align=align)]
    if single:
        parts.append(md_text(_t(lang, "single_round", year=years[0])))
    else:
        note = _t(
            lang,
            "rounds_note",
            threshold=number(threshold, lang, 1),
            first=years[0],
            last=years[-1],
        )
        parts.append(md_text(note))
    if disclosed.any_suppressed:
        parts.append(_footnote(k, lang))
    if absent:
        missing = _join([str(y) for y in absent], lang)
        parts.append(md_text(_t(lang, "no_round_note", region=region, years=missing)))
    smalls = [(y, small_groups(register, region, y, k)) for y in years]
    items = [f"{_group_list(small, lang).lower()} {y}" for y, small in smalls if small]
    if k is not None and items:
        parts.append(md_text(_t(lang, "small_rounds", k=k, items=_join(items, lang))))
    return "\n".join(parts) + "\n"


# --- quotes -----------------------------------------------------------------------------


def select_quotes(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    region: str,
    year: int,
    per_theme: int = 2,
    k: int = 5,
    names: Sequence[str] = (),
    seed: int | str = 0,
    themes: pd.DataFrame | None = None,
    level: int = 1,
    lang: str = "sv",
) -> pd.DataFrame:
    """Representative, pseudonymised quotes per theme, chosen deterministically.

    Candidates are the non-empty segments of the region-year from respondent groups
    with at least k participants (persons); groups below k never contribute a quote.
    Per theme, excerpts of 12-60 words come first; among equals the order is a SHA-256
    hash of (seed, interview id, excerpt), so the choice is the same on every run and
    for any row order. Picks are spread over groups and interviews: each pick prefers
    the group, then the interview, used least so far in that theme; an excerpt is used
    for at most one theme.

    Args:
        register: The interview register.
        segments: The coded segments.
        region: The region.
        year: The evaluation round.
        per_theme: Quotes per theme (at most).
        k: Minimum group size (persons) for a group's quotes to be shown.
        names: Names to pseudonymise in the quotes.
        seed: Seed of the selection (from params).
        themes: The codebook; when given, themes are rolled up to `level` via the
            codebook and labelled from it, otherwise by the dotted id prefix.
        level: Theme level the quotes are grouped by.
        lang: Language of the labels and pseudonymisation markers.

    Returns:
        Columns theme, theme_label, group, group_label, factor, quote (pseudonymised).
        No interview ids: quotes are attributed only by respondent group.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    interviews = _interviews(register, region, year)
    small = quote_small_groups(register, region, year, k)
    interviews = interviews.loc[~interviews["group"].isin(small)]
    coded = segments.merge(
        interviews[["interview_id", "group"]], on="interview_id", how="inner", validate="m:1"
    )
    coded = coded.loc[[isinstance(e, str) and e.strip() != "" for e in coded["excerpt"]]]
    book = _codebook(themes) if themes is not None else None
    if book is not None:
        _check_themes(coded, book)
        coded["theme"] = [_ancestor(book, str(t), level) for t in coded["theme"]]
    else:
        coded["theme"] = [".".join(str(t).split(".")[:level]) for t in coded["theme"]]
    coded = coded.drop_duplicates(["theme", "interview_id", "excerpt"])
    coded["_tier"] = [_length_tier(e) for e in coded["excerpt"]]
    coded["_hash"] = [
        _stable_hash(seed, i, e)
        for i, e in zip(coded["interview_id"], coded["excerpt"], strict=True)
    ]
    coded = coded.sort_values(["_tier", "_hash", "factor"], kind="stable")

    def order(theme: str) -> tuple:
        return _sort_key(book, theme) if book is not None else (theme,)

    records = []
    used: set[tuple[str, str]] = set()
    said: set[str] = set()  # a report never shows the same sentence in two quotes
    for theme in sorted(coded["theme"].unique(), key=order):
        candidates = coded.loc[coded["theme"] == theme]
        for pick in _spread(candidates, per_theme, used, said):
            used.add((pick["interview_id"], pick["excerpt"]))
            records.append(
                {
                    "theme": theme,
                    "theme_label": _label_of(book.get(theme), theme, lang) if book else theme,
                    "group": pick["group"],
                    "group_label": label("group", pick["group"], lang),
                    "factor": pick["factor"],
                    "quote": pseudonymise(" ".join(pick["excerpt"].split()), names, lang),
                }
            )
    columns = ["theme", "theme_label", "group", "group_label", "factor", "quote"]
    return pd.DataFrame.from_records(records, columns=columns)


def _length_tier(excerpt: str) -> int:
    words = len(excerpt.split())
    low, high = QUOTE_WORDS
    return 0 if low <= words <= high else 1


def _stable_hash(seed: object, interview_id: object, excerpt: str) -> str:
    # Python's hash() is salted per process; SHA-256 gives the same order on every run.
    data = "\x1f".join([str(seed), str(interview_id), excerpt]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _sentence_set(excerpt: str) -> set[str]:
    return {s.strip().casefold() for s in _SENTENCE_SPLIT.split(excerpt) if s.strip()}


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def _spread(
    candidates: pd.DataFrame,
    count: int,
    used: set[tuple[str, str]],
    said: set[str] | None = None,
) -> list[dict[str, object]]:
    """Greedy picks in candidate order, preferring groups and interviews used least.

    Excerpts that repeat a sentence of a quote already picked (`said`, updated here)
    are passed over, so that no report prints the same sentence twice.
    """
    said = set() if said is None else said
    pool = [
        row
        for row in candidates.to_dict("records")
        if (row["interview_id"], row["excerpt"]) not in used
        and not _sentence_set(str(row["excerpt"])) & said
    ]
    picks: list[dict[str, object]] = []
    groups: dict[str, int] = {}
    interviews: dict[str, int] = {}
    while pool and len(picks) < count:
        best = min(
            range(len(pool)),
            key=lambda i: (
                groups.get(pool[i]["group"], 0),
                interviews.get(pool[i]["interview_id"], 0),
                i,
            ),
        )
        pick = pool.pop(best)
        said |= _sentence_set(str(pick["excerpt"]))
        pool = [row for row in pool if not _sentence_set(str(row["excerpt"])) & said]
        groups[pick["group"]] = groups.get(pick["group"], 0) + 1
        interviews[pick["interview_id"]] = interviews.get(pick["interview_id"], 0) + 1
        picks.append(pick)
    return picks


def select_quotes_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int = 5,
    per_theme: int = 2,
    names: Sequence[str] = (),
    seed: int | str = 0,
    themes: pd.DataFrame | None = None,
    level: int = 1,
) -> str:
    """Selected quotes as Markdown block quotes attributed by respondent group.

    Each theme gets a bold paragraph with its label, then its quotes as block quotes
    ending in "— group label". Quote text is escaped with `md_text`, so markup in a
    quote (HTML, links, raw blocks, Typst code) renders literally.

    Args:
        register: The interview register.
        segments: The coded segments.
        region: The region.
        year: The evaluation round.
        lang: "sv" or "en".
        k: Minimum group size (persons) for a group's quotes to be shown.
        per_theme: Quotes per theme (at most).
        names: Names to pseudonymise.
        seed: Seed of the selection.
        themes: The codebook (labels and roll-up), optional.
        level: Theme level.

    Returns:
        Markdown text.
    """
    quotes = select_quotes(
        register, segments, region, year, per_theme, k, names, seed, themes, level, lang
    )
    parts: list[str] = []
    for _, rows in quotes.groupby("theme", sort=False):
        parts.append(f"**{md_text(rows['theme_label'].iloc[0])}**\n")
        for quote, group in zip(rows["quote"], rows["group_label"], strict=True):
            parts.append(f"> {md_text(quote)}\n>\n> — {md_text(group)}\n")
    if not parts:
        parts.append(md_text(_t(lang, "no_quotes")) + "\n")
    elif lang == "en":
        parts.insert(0, md_text(_t(lang, "quotes_original")) + "\n")
    # Groups below k give no quotes: the method section says so once for the report.
    return "\n".join(parts)


def quote_small_groups(register: pd.DataFrame, region: str, year: int, k: int) -> list[str]:
    """Respondent groups whose quotes are never shown (`pipeline.disclosure.quotes_publishable`).

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.
        k: The interview rule's minimum group size (persons).

    Returns:
        Group codes in group order: groups below max(2, k) persons.
    """
    sizes = group_sizes(register, region, year)
    return [g for g, n in sizes.items() if not quotes_publishable(int(n), k)]
