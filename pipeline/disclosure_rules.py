"""The disclosure rules at the level of one group or one cell: who may be shown.

Pure decisions on numbers (group sizes, counts), with the parameters' defaults; the
table functions of `pipeline.disclosure` apply them to whole tables. The rules are
described in that module's docstring.
"""

from __future__ import annotations

import pandas as pd

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


# --- suppression of one additive group ---------------------------------------------


def suppression_mask(
    counts: pd.Series, k: int, total_shown: bool = True, forced: pd.Series | None = None
) -> pd.Series:
    """Decide which cells of one additive group (cells that sum to a total) to suppress.

    Primary: counts 1..k-1. Secondary (only when the total is shown or derivable):
    the smallest remaining cells, non-zero ones first and then zeros, in table order on
    ties, until no suppressed cell can be recomputed (see `protected`).

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
        while not protected(values, mask, primary, k):
            candidates = [i for i, m in enumerate(mask) if not m]
            if not candidates:
                break
            # Non-zero cells protect better than zeros; then the smallest, then table order.
            mask[min(candidates, key=lambda i: (values[i] == 0, values[i], i))] = True
    return pd.Series(mask, index=counts.index, dtype=bool)


def protected(values: list[int], mask: list[bool], primary: list[bool], k: int) -> bool:
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
