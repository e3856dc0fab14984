"""The interviews of a scope: respondent groups, their sizes, the method table, coded segments.

The interview rule (`pipeline.disclosure`) counts persons, not interviews: a group
interview with six peer supporters is six persons. A respondent group with fewer than
`scope.interview_k` persons in a region-year is reported as counts only; quotes need a
group of at least two whatever the setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from pipeline.analysis.codebook import Codebook
from pipeline.analysis.scope import Scope
from pipeline.disclosure import interview_publishable, quotes_publishable
from pipeline.i18n import Catalog
from pipeline.schema import CATEGORIES, label

GROUPS: tuple[str, ...] = tuple(CATEGORIES["group"])
MODES: tuple[str, ...] = tuple(CATEGORIES["mode"])

_t = Catalog("interviews")


@dataclass(frozen=True)
class InterviewData:
    """The interview tables of an evaluation, as the readers return them."""

    register: pd.DataFrame
    """One row per interview: interview_id, year, region, group, form, participants, mode."""
    segments: pd.DataFrame
    """One row per coded segment: interview_id, theme, factor, excerpt."""
    codebook: pd.DataFrame
    """The codebook's themes: id, parent, level, label_sv, label_en, order."""

    @cached_property
    def book(self) -> Codebook:
        """The codebook, indexed once: every analysis of a report reads the same one.

        Indexing the table is a Python loop over its rows; a report asks for the
        codebook some thirty times, so it is built on first use and kept with the
        (frozen) tables it was built from.
        """
        return Codebook(self.codebook)


def regional(data: InterviewData, region: str) -> InterviewData:
    """The region's interviews (every year) and their segments, in their original order.

    Every function of this package that takes a `Scope` reads only the scope's
    region, so a report gives the same results on these tables as on the national
    ones; it just no longer filters the whole country again in each of them.

    Args:
        data: The register, coded segments and codebook (e.g. of the whole country).
        region: The region.

    Returns:
        The register's rows of the region, the segments of those interviews, and the
        same codebook.
    """
    register = data.register.loc[data.register["region"] == region]
    segments = data.segments.loc[data.segments["interview_id"].isin(register["interview_id"])]
    return InterviewData(register, segments, data.codebook)


def interviews(register: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The register's rows of the scope's region and year (a new frame)."""
    mask = (register["region"] == scope.region) & (register["year"].astype(int) == scope.year)
    return register.loc[mask].copy()


def group_sizes(register: pd.DataFrame, scope: Scope) -> pd.Series:
    """Participants (persons) per respondent group, in group order, groups with interviews."""
    rows = interviews(register, scope)
    # A region-year has a handful of interviews and a report asks for these sizes some
    # twenty times: a sum in Python costs a fraction of a pandas groupby.
    totals: dict[str, object] = {}
    for group, n in zip(rows["group"], rows["participants"], strict=True):
        if group in GROUPS:  # a missing count adds nothing, as in a groupby sum
            totals[group] = totals.get(group, 0) + (0 if pd.isna(n) else n)
    order = [g for g in GROUPS if g in totals]
    # As a groupby's reindex makes it: inferred from the names, the column's type when empty.
    index = pd.Index(order, dtype=None if order else rows["group"].dtype, name="group")
    return pd.Series([int(totals[g]) for g in order], index=index, name="participants", dtype=int)


def small_groups(register: pd.DataFrame, scope: Scope) -> list[str]:
    """Groups with fewer than `scope.interview_k` persons (none when it is None), in order."""
    if scope.interview_k is None:
        return []
    sizes = group_sizes(register, scope)
    return [g for g, n in sizes.items() if not interview_publishable(int(n), scope.interview_k)]


def quote_small_groups(register: pd.DataFrame, scope: Scope) -> list[str]:
    """Groups whose quotes are never shown: below max(2, interview_k) persons, in order."""
    sizes = group_sizes(register, scope)
    k = 1 if scope.interview_k is None else scope.interview_k
    return [g for g, n in sizes.items() if not quotes_publishable(int(n), k)]


def published_persons(register: pd.DataFrame, scope: Scope) -> int:
    """Persons in the groups that are broken down (not small)."""
    small = set(small_groups(register, scope))
    return int(sum(int(n) for g, n in group_sizes(register, scope).items() if g not in small))


def rounds(register: pd.DataFrame, scope: Scope) -> list[int]:
    """The region's years with interviews up to and including the scope's year, sorted."""
    years = register.loc[register["region"] == scope.region, "year"].astype(int)
    return sorted({int(y) for y in years if y <= scope.year})


def method_table(register: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Interviews and participants per respondent group, with form and mode, and a total.

    Returns:
        One row per group with interviews (group order), then a total row (group
        "total"). Columns: group, label, interviews, individual, group_interviews,
        participants, and one count column per mode code (fysiskt, telefon, video).
    """
    rows = interviews(register, scope)
    records = [
        _method_row(rows.loc[rows["group"] == group], group, label("group", group, scope.lang))
        for group in GROUPS
        if (rows["group"] == group).any()
    ]
    records.append(_method_row(rows, "total", _t(scope.lang, "total")))
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


def coded_segments(
    data: InterviewData, scope: Scope, *, level: int, leave_out: Sequence[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scope's interviews and their segments, with themes rolled up to `level`.

    Args:
        data: The register, coded segments and codebook.
        scope: The region and year.
        level: The theme level.
        leave_out: Respondent groups whose interviews and segments are left out.

    Returns:
        The interviews kept, and their segments with a `group` and a rolled-up `theme`.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    rows = interviews(data.register, scope)
    rows = rows.loc[~rows["group"].isin(leave_out)]
    coded = _with_group(data.segments, rows[["interview_id", "group"]])
    coded["theme"] = data.book.roll_up(coded["theme"], level)
    return rows, coded


def _with_group(segments: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The segments of `groups`' interviews, in segment order, with each one's `group`.

    The same frame as an inner many-to-one merge on interview_id, at a fifth of its
    cost on a region's few rows (a report makes it a dozen times); the merge itself
    decides the cases the shortcut does not cover (repeated or missing ids, unlike
    types), so its errors and its matching stay what they were.
    """
    ids = groups["interview_id"]
    unlike = ids.dtype != segments["interview_id"].dtype or "group" in segments.columns
    if unlike or ids.hasnans or not ids.is_unique:
        return segments.merge(groups, on="interview_id", how="inner", validate="m:1")
    group_of = dict(zip(ids, groups["group"], strict=True))
    coded = segments.loc[segments["interview_id"].isin(list(group_of))].reset_index(drop=True)
    coded["group"] = pd.Series(
        [group_of[i] for i in coded["interview_id"]], index=coded.index, dtype=groups["group"].dtype
    )
    return coded
