"""Disclosure control: the small-cell rule, in one place.

Every count or statistic that reaches a report passes through this module. The rule,
with a minimum group size k from params (default 5):

- **Groups.** A breakdown (a distribution, a descriptive statistic) of a group with
  fewer than k people is not published at all; the report says so instead
  (`withheld_message`, `region_withheld_message`).
- **Primary suppression.** A category cell whose count is 1..k-1 is shown as
  `SUPPRESSED_MARK`, and its percentage is suppressed with it.
- **Secondary suppression.** When a table shows its total, one suppressed cell could be
  recomputed as total minus the shown cells. So more cells are suppressed, smallest
  first, until every suppressed cell has at least two values consistent with what is
  shown and with the rule itself (a primary cell is 1..k-1, any other is 0 or >= k).
  That covers the classic case (exactly one suppressed cell) and the subtler ones a
  rule-aware reader could undo, e.g. k=5 with a 1 and a 5 suppressed (sum 6 forces 1+5)
  or two suppressed cells summing to 2 (forces 1+1).
- **Zeros are shown.** "Nobody" identifies no one, and hiding zeros would make tables
  unreadable. A zero is suppressed only when it is needed as a secondary cell.
- **Item non-response is shown.** The number who skipped an item ("Uppgift saknas") is
  shown even when small: it is derivable anyway from the public number of respondents
  and the answered base behind every percentage, and it reveals no answer.
- **Response counts are public.** Responses and target population per region are
  published as they are (`disclose_public`), as the commissioning bodies do.
- **Extremes and totals.** Min, max, sum, mean and standard deviation of a group with
  fewer than `extremes_k` answers (params, default 10) are suppressed; such a group
  shows only counts, median and quartiles (`ROBUST_STATISTICS`).
- **Interviews** have their own minimum, `interview_k` persons (params, default 3):
  interview and participant counts per group are public; theme and factor counts of
  a group only when it reaches `interview_k` (`disclose_interview_groups`); quotes are
  attributed to a group only, never to a group of one (`quotes_publishable`).
- **Across reports.** A table that is the sum of tables in other reports (the
  national gender table over the regions' tables) gets complementary suppression from
  one joint pattern (`pipeline.linked`), audited by `pipeline.differencing`.
- **Withheld, never zero.** A withheld table says why in one sentence
  (`disclosed_withheld_message`); a suppressed value is never shown or drawn as zero.

Tables that passed the rule are `Disclosed` objects; only this module can make one, and
the report's Markdown and figure functions accept nothing else. A `Disclosed` table
holds no suppressed value at all (the cells are blanked, not just flagged), so even a
careless caller cannot print one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from pipeline.disclosure_text import (  # noqa: F401  (re-exported: callers import them here)
    SUPPRESSED_MARK,
    footnote,
    region_withheld_message,
    rules_text,
    withheld_message,
)

DEFAULT_K = 5
"""Minimum group size when params do not set one."""

DEFAULT_EXTREMES_K = 10
"""Answers a group needs before its min, max, sum, mean and spread are published."""

DEFAULT_INTERVIEW_K = 3
"""Persons a respondent group of the interviews needs before it is broken down by theme."""

ROBUST_STATISTICS = frozenset({"n", "missing", "missing_pct", "p25", "p50", "p75"})
"""What a group below the extremes threshold still shows: counts, median and quartiles.

A minimum or maximum is one person's answer; a sum (and a mean, which is the sum over a
published n, and the spread around it) can be differenced against another table. The
median and quartiles of a group of at least k are positions, robust to any single answer.
"""

_TOKEN = object()  # only this module holds it, so only this module makes Disclosed tables


def is_publishable(group_size: int, k: int) -> bool:
    """Return whether a group of `group_size` people may be broken down in a report.

    Args:
        group_size: Number of people (respondents, interviewees) in the group.
        k: The minimum group size from params.

    Returns:
        True when the group has at least k members.
    """
    return group_size >= k


def is_small(count: float, k: int) -> bool:
    """Return whether a count is a small cell (1..k-1) that must not be shown.

    Args:
        count: A cell count; NaN/None counts as not small (nothing to show).
        k: The minimum group size.

    Returns:
        True for 1 <= count < k.
    """
    if count is None or pd.isna(count):
        return False
    return 0 < count < k


# --- the output type ---------------------------------------------------------------


@dataclass(frozen=True)
class Disclosed:
    """A table that passed the small-cell rule; the only input the report formatters take.

    Attributes:
        table: The values; every suppressed cell is blanked (NaN), so it cannot leak.
        suppressed: Same shape as `table`, True where a cell is suppressed.
        k: The minimum group size the rule was applied with.
        withheld: True when the whole breakdown is withheld (group smaller than k).
        reason: Why it is withheld (see the field's note).
    """

    table: pd.DataFrame
    suppressed: pd.DataFrame
    k: int
    withheld: bool = False
    _token: object = field(default=None, repr=False, compare=False)
    reason: str = ""
    """Why the table is withheld: "small" (group below k), "unprotectable" (no
    suppression pattern hides the small cells) or "interviews" (no respondent group has
    enough persons); empty when it is not withheld."""

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise TypeError(
                "Disclosed tables are made only by pipeline.disclosure functions "
                "(disclose_distribution, disclose_multi_choice, suppress_statistics, ...)"
            )

    @property
    def any_suppressed(self) -> bool:
        """True when at least one cell is suppressed or the table is withheld."""
        return self.withheld or bool(self.suppressed.to_numpy().any())


def _make(
    table: pd.DataFrame, mask: pd.DataFrame, k: int, withheld: bool = False, reason: str = ""
) -> Disclosed:
    blanked = table.copy()
    for column in mask.columns:
        if not mask[column].any():
            continue
        if pd.api.types.is_numeric_dtype(blanked[column]) and not pd.api.types.is_bool_dtype(
            blanked[column]
        ):
            blanked[column] = blanked[column].astype("float64").mask(mask[column])
        else:
            blanked[column] = blanked[column].astype(object).mask(mask[column], None)
    return Disclosed(blanked, mask.copy(), k, withheld, _TOKEN, reason if withheld else "")


def _no_mask(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(False, index=table.index, columns=table.columns)


# --- suppression of one additive group ---------------------------------------------


def suppression_mask(
    counts: pd.Series, k: int, total_shown: bool = True, forced: pd.Series | None = None
) -> pd.Series:
    """Decide which cells of one additive group (cells that sum to a total) to suppress.

    Primary: counts 1..k-1. Secondary (only when the total is shown or derivable):
    the smallest remaining cells, non-zero ones first and then zeros, in table order on
    ties, until no suppressed cell can be recomputed (see `_protected`).

    Args:
        counts: Non-negative integer counts, one per cell of the group.
        k: The minimum group size.
        total_shown: Whether the group's total is shown (or derivable, e.g. from
            percentages); without it no secondary suppression is needed.
        forced: Cells already suppressed for another reason (complementary
            suppression across tables, `pipeline.linked`); they count as secondary.

    Returns:
        A boolean Series aligned with `counts`, True for cells to suppress.
    """
    values = [int(v) for v in counts.fillna(0)]
    primary = [is_small(v, k) for v in values]
    mask = list(primary)
    if forced is not None:
        mask = [m or bool(f) for m, f in zip(mask, forced.reindex(counts.index), strict=True)]
    if total_shown:
        while not _protected(values, mask, primary, k):
            candidates = [i for i, m in enumerate(mask) if not m]
            if not candidates:
                break
            # Non-zero cells protect better than zeros; then the smallest, then table order.
            mask[min(candidates, key=lambda i: (values[i] == 0, values[i], i))] = True
    return pd.Series(mask, index=counts.index, dtype=bool)


def _protected(values: list[int], mask: list[bool], primary: list[bool], k: int) -> bool:
    """Return whether every suppressed cell has at least two values consistent with the table.

    A reader knows the sum of the suppressed cells (total minus the shown ones) and the
    rule: a primary cell lies in 1..k-1, a secondary one is 0 or at least k.
    """
    hidden = [i for i, m in enumerate(mask) if m]
    if not hidden:
        return True
    total = sum(values[i] for i in hidden)
    domains = {
        i: set(range(1, min(k - 1, total) + 1)) if primary[i] else {0, *range(k, total + 1)}
        for i in hidden
    }
    for i in hidden:
        others = [domains[j] for j in hidden if j != i]
        reachable = _sumset(others, total)
        feasible = [v for v in domains[i] if (total - v) in reachable]
        if len(feasible) < 2:
            return False
    return True


def _sumset(domains: list[set[int]], limit: int) -> set[int]:
    sums = {0}
    for domain in domains:
        sums = {s + v for s in sums for v in domain if s + v <= limit}
    return sums


# --- tables ------------------------------------------------------------------------


def disclose_distribution(
    table: pd.DataFrame,
    k: int,
    count: str = "n",
    percents: Iterable[str] = ("percent",),
    kind: str = "kind",
) -> Disclosed:
    """Apply the rule to a one-way distribution (categories, total, missing rows).

    The rows whose `kind` is "category" form one additive group whose total (the row
    of kind "total", the answered base) is shown; rows of kind "missing" (item
    non-response) are shown as they are. When the answered base is below k the whole
    table is withheld.

    Args:
        table: A frame like `pipeline.analysis.survey.distribution` returns.
        k: The minimum group size.
        count: The count column.
        percents: Columns suppressed together with the count.
        kind: The column that says "category", "total" or "missing".

    Returns:
        The disclosed table.
    """
    cells = table[kind] == "category"
    base = int(table.loc[cells, count].fillna(0).sum())
    mask = _no_mask(table)
    if not is_publishable(base, k):
        return _withhold(table, k)
    suppressed = suppression_mask(table.loc[cells, count], k, total_shown=True)
    for column in (count, *percents):
        mask.loc[cells, column] = suppressed
    if not _protected(
        [int(v) for v in table.loc[cells, count].fillna(0)],
        list(suppressed),
        [is_small(v, k) for v in table.loc[cells, count]],
        k,
    ):
        # Even suppressing every cell would not hide them (e.g. k=5, six answers as 1+5).
        return _withhold(table, k, "unprotectable")
    return _make(table, mask, k)


def disclose_multi_choice(
    table: pd.DataFrame,
    k: int,
    count: str = "n",
    percents: Iterable[str] = ("percent",),
    kind: str = "kind",
) -> Disclosed:
    """Apply the rule to a multi-choice item (each option counted once per respondent).

    Options do not add up to a total, so there is no secondary suppression; instead an
    option is suppressed when either those who chose it or those who did not (base
    minus count) are 1..k-1, because "all but two do X" identifies the two as surely
    as "two do X". The whole table is withheld when the base is below k.

    Args:
        table: A frame like `pipeline.analysis.survey.multi_choice_distribution` returns.
        k: The minimum group size.
        count: The count column.
        percents: Columns suppressed together with the count.
        kind: The column that says "category", "total" (the base) or "missing".

    Returns:
        The disclosed table.
    """
    totals = table.loc[table[kind] == "total", count]
    base = int(totals.iloc[0]) if len(totals) else 0
    if not is_publishable(base, k):
        return _withhold(table, k)
    cells = table[kind] == "category"
    suppressed = table[count].map(lambda n: is_small(n, k) or is_small(base - n, k)) & cells
    mask = _no_mask(table)
    for column in (count, *percents):
        mask[column] = suppressed.astype(bool)
    return _make(table, mask, k)


def statistic_publishable(n: int, k: int, count: float | None = None) -> bool:
    """Return whether a statistic over `n` answers may be published.

    Args:
        n: Number of answers the statistic is computed from.
        k: The minimum group size.
        count: For a share (e.g. % trained): the number with the property; the share is
            then also suppressed when `count` or `n - count` is 1..k-1.

    Returns:
        True when the statistic may be shown.
    """
    if not is_publishable(n, k):
        return False
    if count is None or pd.isna(count):
        return True
    return not (is_small(count, k) or is_small(n - count, k))


def extremes_publishable(n: int, k: int, extremes_k: int | None = DEFAULT_EXTREMES_K) -> bool:
    """Return whether min, max, sum, mean and spread over `n` answers may be published.

    Args:
        n: Number of answers.
        k: The minimum group size (the extremes threshold is never below it).
        extremes_k: The extremes-and-totals threshold from params; None: k alone.

    Returns:
        True when n reaches both thresholds.
    """
    return is_publishable(n, max(k, extremes_k or 0))


def suppress_statistics(
    describe: Mapping[str, float], n: int, k: int, extremes_k: int | None = DEFAULT_EXTREMES_K
) -> Disclosed:
    """Apply the rules to descriptive statistics of one group.

    Fewer than k answers publish nothing; fewer than `extremes_k` publish only the
    `ROBUST_STATISTICS` (counts, median, quartiles): the others are suppressed.

    Args:
        describe: Statistic name -> value, e.g. `pipeline.analysis.survey.describe_numeric`.
        n: Number of answers the statistics are computed from.
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold; None applies k alone.

    Returns:
        A disclosed one-column table (index: statistic, column "value"), withheld
        entirely when n < k.
    """
    table = pd.DataFrame({"value": pd.Series(dict(describe), dtype="float64")})
    if not is_publishable(n, k):
        return _withhold(table, k)
    mask = _no_mask(table)
    if not extremes_publishable(n, k, extremes_k):
        mask["value"] = [key not in ROBUST_STATISTICS for key in table.index]
    return _make(table, mask, k)


def disclose_statistics_table(
    values: pd.DataFrame,
    bases: pd.DataFrame,
    k: int,
    counts: pd.DataFrame | None = None,
    public: Iterable[str] = (),
    totals: Iterable[str] = (),
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> Disclosed:
    """Apply the rule cell by cell to a table of statistics (e.g. key indicators by year).

    Args:
        values: The statistics.
        bases: Same shape: the number of answers behind each value.
        k: The minimum group size.
        counts: Same shape, optional: for shares, the number with the property (NaN
            for other statistics); see `statistic_publishable`.
        public: Columns published as they are (response counts, target population, rate).
        totals: Columns of means (a sum over a published n) that also need the
            extremes-and-totals threshold.
        extremes_k: That threshold; None applies k alone.

    Returns:
        The disclosed table.
    """
    public, totals = set(public), set(totals)
    mask = _no_mask(values)
    for column in values.columns:
        if column in public:
            continue
        for row in values.index:
            count = None if counts is None else counts.at[row, column]
            base = int(bases.at[row, column])
            ok = statistic_publishable(base, k, count)
            if column in totals:
                ok = ok and extremes_publishable(base, k, extremes_k)
            mask.at[row, column] = not ok
    return _make(values, mask, k)


def disclose_public(table: pd.DataFrame, k: int) -> Disclosed:
    """Pass a table of public figures (responses and target population per region).

    Args:
        table: The table.
        k: The minimum group size (recorded for the footnote).

    Returns:
        The table as a disclosed table with nothing suppressed.
    """
    return _make(table, _no_mask(table), k)


# --- interviews ---------------------------------------------------------------------


def interview_publishable(persons: int, interview_k: int) -> bool:
    """Return whether an interview group may be broken down by theme and factor.

    Interview and participant counts per group are always published (the method
    table); what a group said, counted per theme, only when it has `interview_k`
    persons (a group interview with six participants is six persons).

    Args:
        persons: Participants of the group in the region-year.
        interview_k: The interview rule's minimum group size from params.

    Returns:
        True when the group has at least `interview_k` persons.
    """
    return is_publishable(persons, interview_k)


def quotes_publishable(persons: int, interview_k: int) -> bool:
    """Return whether quotes may be attributed to an interview group.

    A quote names its group and nothing else; a group of one would name the person,
    so at least two persons are needed whatever `interview_k` is.

    Args:
        persons: Participants of the group in the region-year.
        interview_k: The interview rule's minimum group size.

    Returns:
        True when the group has at least max(2, interview_k) persons.
    """
    return is_publishable(persons, max(2, interview_k))


def disclose_interview_groups(
    table: pd.DataFrame,
    persons: Mapping[str, int],
    interview_k: int,
    group: str = "group",
    columns: Iterable[str] = (),
) -> Disclosed:
    """Apply the interview rule to a table with one row per (theme, group) or group.

    Rows of groups below `interview_k` persons have `columns` suppressed; the table is
    withheld (reason "interviews") when no group reaches it. Only `columns` are ever
    blanked: labels and interview counts per group are public (the method table).

    Args:
        table: The table, with a group column.
        persons: Persons per group code in the region-year.
        interview_k: The interview rule's minimum group size.
        group: The group column.
        columns: The columns that describe what the group said (counts, shares).

    Returns:
        The disclosed table.
    """
    small = ~table[group].map(lambda g: interview_publishable(int(persons.get(g, 0)), interview_k))
    mask = _no_mask(table)
    for column in columns:
        mask[column] = small.astype(bool)
    # Withheld when nothing is left; labels and the public interview counts stay.
    withheld = bool(len(table)) and bool(small.all())
    return _make(table, mask, interview_k, withheld, "interviews")


def disclose_interview_totals(table: pd.DataFrame, persons: int, interview_k: int) -> Disclosed:
    """Apply the interview rule to a table over the published groups taken together.

    The caller has already left out the groups below `interview_k` (`persons` counts
    the rest); when nothing is left the table is withheld, never shown as zeros.

    Args:
        table: The table (e.g. factors per theme, shares per region).
        persons: Persons of the groups the table covers.
        interview_k: The interview rule's minimum group size.

    Returns:
        The disclosed table.
    """
    if not interview_publishable(persons, interview_k):
        return _withhold(table, interview_k, "interviews")
    return _make(table, _no_mask(table), interview_k)


def disclose_cells(
    table: pd.DataFrame, mask: pd.DataFrame, k: int, withheld_reason: str = ""
) -> Disclosed:
    """Make a disclosed table from a suppression pattern decided by a rule of this package.

    For rules that span tables (`pipeline.linked`, where the pattern comes from a
    joint table and every published piece is cut from it) and for rules decided row by
    row elsewhere (a round of interviews without a publishable group).

    Args:
        table: The values.
        mask: Same shape, True where a cell is suppressed.
        k: The minimum group size the pattern was made with.
        withheld_reason: When set, the table is withheld for this reason (see
            `Disclosed.reason`); the mask still says which cells are blank.

    Returns:
        The disclosed table.
    """
    mask = mask.reindex_like(table).fillna(False).astype(bool)
    return _make(table, mask, k, bool(withheld_reason), withheld_reason)


def _withhold(table: pd.DataFrame, k: int, reason: str = "small") -> Disclosed:
    mask = pd.DataFrame(True, index=table.index, columns=table.columns)
    return _make(table, mask, k, withheld=True, reason=reason)


def display_table(
    disclosed: Disclosed, formats: Mapping[str, Callable[[object], str]]
) -> pd.DataFrame:
    """Format a disclosed table for display: suppressed cells show `SUPPRESSED_MARK`.

    Args:
        disclosed: The disclosed table.
        formats: Column -> formatter (e.g. `pipeline.formatting.percent`); other
            columns are shown with `str`. Empty values (NaN, None) show as "".

    Returns:
        A frame of strings with the same index and columns.

    Raises:
        TypeError: When given anything but a `Disclosed` table.
    """
    if not isinstance(disclosed, Disclosed):
        raise TypeError("display_table takes a Disclosed table (see pipeline.disclosure)")
    shown = pd.DataFrame(index=disclosed.table.index, columns=disclosed.table.columns, dtype=str)
    for column in disclosed.table.columns:
        fmt = formats.get(column, str)
        for row in disclosed.table.index:
            value = disclosed.table.at[row, column]
            if disclosed.suppressed.at[row, column]:
                shown.at[row, column] = SUPPRESSED_MARK
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                shown.at[row, column] = ""
            else:
                shown.at[row, column] = fmt(value)
    return shown


# --- texts ---------------------------------------------------------------------------


def disclosed_withheld_message(disclosed: Disclosed, lang: str = "sv") -> str:
    """The sentence a withheld disclosed table or figure shows (plain text).

    Args:
        disclosed: A withheld table.
        lang: "sv" or "en".

    Returns:
        `withheld_message` for the table's rule and reason.
    """
    return withheld_message(disclosed.k, lang, disclosed.reason or "small")


def region_publishable(survey: pd.DataFrame, region: str, year: int, k: int) -> bool:
    """Return whether a region's survey in a year has enough respondents for statistics.

    Args:
        survey: The canonical survey table.
        region: The region.
        year: The year (evaluation round).
        k: The minimum group size.

    Returns:
        True when at least k people in the region answered that year.
    """
    rows = (survey["region"] == region) & (survey["year"] == year)
    return is_publishable(int(rows.sum()), k)
