"""Disclosure control: the small-cell rule, in one place.

Every count or statistic that reaches a report passes through this module.
"""

from __future__ import annotations


def is_publishable(group_size: int, k: int) -> bool:
    """Return whether a group of `group_size` people may be broken down in a report.

    Args:
        group_size: Number of people (respondents, interviewees) in the group.
        k: The minimum group size from params.

    Returns:
        True when the group has at least k members.
    """
    return group_size >= k
