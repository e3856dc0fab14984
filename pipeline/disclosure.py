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
  one joint pattern (`pipeline.linked`); so do the national statistics (sum, mean,
  spread) of an item whose regional sums they would give away
  (`pipeline.linked_statistics`). Both are audited by `pipeline.differencing`.
- **Withheld, never zero.** A withheld table says why in one sentence
  (`disclosed_withheld_message`); a suppressed value is never shown or drawn as zero.

Tables that passed the rule are `Disclosed` objects; only the rule functions can make
one, and the report's Markdown and figure functions accept nothing else. A `Disclosed`
table holds no suppressed value at all (the cells are blanked, not just flagged), so
even a careless caller cannot print one.

The package in modules, one job each; callers import everything from this one:

- `pipeline.disclosure` (this module): the rules applied to whole tables
  (`disclose_distribution`, `suppress_statistics`, ...);
- `pipeline.disclosure_rules`: the decisions on one group or cell (`is_small`,
  `suppression_mask`, `extremes_publishable`, ...) and the parameters' defaults;
- `pipeline.disclosed`: the `Disclosed` type, its display (`display_table`) and the
  sentence a withheld table shows;
- `pipeline.disclosure_text`: the mark, footnotes and method sentences.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import pandas as pd

from pipeline.disclosed import (  # noqa: F401  (re-exported: callers import them here)
    Disclosed,
    disclosed_withheld_message,
    display_table,
    make,
    no_mask,
    withhold,
)
from pipeline.disclosure_rules import (  # noqa: F401  (re-exported)
    DEFAULT_EXTREMES_K,
    DEFAULT_INTERVIEW_K,
    DEFAULT_K,
    ROBUST_STATISTICS,
    extremes_publishable,
    interview_publishable,
    is_publishable,
    is_small,
    protected,
    quotes_publishable,
    statistic_publishable,
    suppression_mask,
)
from pipeline.disclosure_text import (  # noqa: F401  (re-exported: callers import them here)
    SUPPRESSED_MARK,
    footnote,
    region_withheld_message,
    rules_text,
    withheld_message,
)

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
    mask = no_mask(table)
    if not is_publishable(base, k):
        return withhold(table, k, _small_or_no_data(base, table, count, kind))
    suppressed = suppression_mask(table.loc[cells, count], k, total_shown=True)
    for column in (count, *percents):
        mask.loc[cells, column] = suppressed
    if not protected(
        [int(v) for v in table.loc[cells, count].fillna(0)],
        list(suppressed),
        [is_small(v, k) for v in table.loc[cells, count]],
        k,
    ):
        # Even suppressing every cell would not hide them (e.g. k=5, six answers as 1+5).
        return withhold(table, k, "unprotectable")
    return make(table, mask, k)


def _small_or_no_data(base: int, table: pd.DataFrame, count: str, kind: str) -> str:
    """Why a distribution below k is withheld: "small", or "no_data" when nobody was asked.

    A table without a single respondent (no answers and no item non-response) is a region
    or year without a survey: saying that fewer than k answered, or marking it withheld,
    would describe a data collection that never took place.
    """
    missing = int(table.loc[table[kind] == "missing", count].fillna(0).sum())
    return "small" if base or missing else "no_data"


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
        return withhold(table, k, _small_or_no_data(base, table, count, kind))
    cells = table[kind] == "category"
    suppressed = table[count].map(lambda n: is_small(n, k) or is_small(base - n, k)) & cells
    mask = no_mask(table)
    for column in (count, *percents):
        mask[column] = suppressed.astype(bool)
    return make(table, mask, k)


def suppress_statistics(
    describe: Mapping[str, float],
    n: int,
    k: int,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
    also: Collection[str] = (),
) -> Disclosed:
    """Apply the rules to descriptive statistics of one group.

    Fewer than k answers publish nothing; fewer than `extremes_k` publish only the
    `ROBUST_STATISTICS` (counts, median, quartiles): the others are suppressed.

    Args:
        describe: Statistic name -> value, e.g. `pipeline.analysis.survey.describe_numeric`.
        n: Number of answers the statistics are computed from.
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold; None applies k alone.
        also: Statistics suppressed as well, decided by complementary suppression
            across reports (`pipeline.linked_statistics`).

    Returns:
        A disclosed one-column table (index: statistic, column "value"), withheld
        entirely when n < k.
    """
    table = pd.DataFrame({"value": pd.Series(dict(describe), dtype="float64")})
    if not is_publishable(n, k):
        asked = n + int(describe.get("missing", 0) or 0)  # those who got the question
        return withhold(table, k, "small" if asked else "no_data")
    mask = no_mask(table)
    if not extremes_publishable(n, k, extremes_k):
        mask["value"] = [key not in ROBUST_STATISTICS for key in table.index]
    mask["value"] = mask["value"] | table.index.isin(list(also))
    return make(table, mask, k)


def disclose_statistics_table(
    values: pd.DataFrame,
    bases: pd.DataFrame,
    k: int,
    counts: pd.DataFrame | None = None,
    public: Iterable[str] = (),
) -> Disclosed:
    """Apply the rule cell by cell to a table of statistics (e.g. key indicators by year).

    Args:
        values: The statistics.
        bases: Same shape: the number of answers behind each value.
        k: The minimum group size.
        counts: Same shape, optional: for shares, the number with the property (NaN
            for other statistics); see `statistic_publishable`.
        public: Columns published as they are (response counts, target population, rate).
            The other columns are counts, shares and medians: a mean (a sum over a
            published n) would also need the extremes threshold, so none is given here.

    Returns:
        The disclosed table.
    """
    public = set(public)
    mask = no_mask(values)
    for column in values.columns:
        if column in public:
            continue
        for row in values.index:
            count = None if counts is None else counts.at[row, column]
            mask.at[row, column] = not statistic_publishable(int(bases.at[row, column]), k, count)
    return make(values, mask, k)


def disclose_public(table: pd.DataFrame, k: int) -> Disclosed:
    """Pass a table of public figures (responses and target population per region).

    Args:
        table: The table.
        k: The minimum group size (recorded for the footnote).

    Returns:
        The table as a disclosed table with nothing suppressed.
    """
    return make(table, no_mask(table), k)


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
    mask = no_mask(table)
    for column in columns:
        mask[column] = small.astype(bool)
    # Withheld when nothing is left; labels and the public interview counts stay.
    withheld = bool(len(table)) and bool(small.all())
    return make(table, mask, interview_k, withheld, "interviews")


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
        return withhold(table, interview_k, "interviews")
    return make(table, no_mask(table), interview_k)


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
    return make(table, mask, k, bool(withheld_reason), withheld_reason)


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
