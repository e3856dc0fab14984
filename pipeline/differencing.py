"""A differencing attacker: can a suppressed cell be worked out from what is published?

The national overview, every region's report and every year are published together.
A reader who puts them side by side knows linear relations between their cells: a
table's categories add up to its answered total; categories plus "Uppgift saknas" add
up to the region's public number of responses; the national table is the sum of the
regions' tables. This module writes the published values and those relations as a
linear system and asks, for every suppressed cell, the smallest and largest value it
can take (two linear programs, `scipy.optimize.linprog`, over the non-negative
relaxation of the integer counts). A cell whose integer range is a single value is
*determined*: its suppression protects nothing.

`attack` is the method; `pipeline.linked` uses it to choose complementary suppression
across reports, and `pipeline.differencing_html` runs it on a finished build's HTML.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

_EPS = 1e-6


@dataclass(frozen=True)
class Relation:
    """A linear relation the reader knows: sum of coefficient x cell equals `total`.

    Attributes:
        terms: (cell key, coefficient) pairs.
        total: The right-hand side (a public number, or 0 for "this equals that").
    """

    terms: tuple[tuple[Hashable, float], ...]
    total: float = 0.0


@dataclass(frozen=True)
class Finding:
    """A suppressed cell and the integer range the published tables leave for it.

    Attributes:
        cell: The cell's key.
        low: The smallest value consistent with everything published.
        high: The largest such value.
    """

    cell: Hashable
    low: int
    high: int

    @property
    def determined(self) -> bool:
        """True when only one value is possible: the suppression is undone."""
        return self.low == self.high


class InconsistentTables(ValueError):
    """The published values contradict the relations (a bug in the tables or the model)."""


def sum_relation(parts: Iterable[Hashable], whole: Hashable | float) -> Relation:
    """The relation "the parts add up to the whole" (a cell key or a public number).

    Args:
        parts: Cell keys.
        whole: A cell key, or the number the parts add up to.

    Returns:
        The relation.
    """
    terms = [(p, 1.0) for p in parts]
    if isinstance(whole, int | float) and not isinstance(whole, bool):
        return Relation(tuple(terms), float(whole))
    return Relation((*terms, (whole, -1.0)), 0.0)


def ranges(
    values: Mapping[Hashable, float | None],
    relations: Iterable[Relation],
    targets: Iterable[Hashable] | None = None,
    upper: Mapping[Hashable, float] | None = None,
) -> list[Finding]:
    """The integer range of every suppressed target cell under the published relations.

    Args:
        values: Every cell the relations mention: its published value, or None when
            it is suppressed (unknown to the reader).
        relations: What the reader knows about the cells.
        targets: The suppressed cells to examine (default: every unknown cell).
        upper: Known upper bounds per unknown cell (default: none beyond the relations).

    Returns:
        One finding per target, in target order.

    Raises:
        InconsistentTables: When the published values admit no solution.
        KeyError: A relation names a cell missing from `values`.
    """
    relations = list(relations)
    unknown = sorted({k for k, v in values.items() if v is None}, key=repr)
    index = {key: i for i, key in enumerate(unknown)}
    targets = unknown if targets is None else [t for t in targets if t in index]
    if not targets:
        return []
    rows, rhs = [], []
    for relation in relations:
        row = np.zeros(len(unknown))
        total = relation.total
        for key, coefficient in relation.terms:
            value = values[key]
            if value is None:
                row[index[key]] += coefficient
            else:
                total -= coefficient * float(value)
        if not row.any():
            if abs(total) > _EPS:
                raise InconsistentTables(f"published values break a relation: {relation}")
            continue
        rows.append(row)
        rhs.append(total)
    upper = upper or {}
    bounds = [(0.0, upper.get(key)) for key in unknown]
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    findings = []
    for key in targets:
        objective = np.zeros(len(unknown))
        objective[index[key]] = 1.0
        low = _solve(objective, a_eq, b_eq, bounds)
        high = _solve(-objective, a_eq, b_eq, bounds)
        high = math.inf if high is None else -high
        findings.append(Finding(key, math.ceil(low - _EPS), _floor(high)))
    return findings


def attack(
    values: Mapping[Hashable, float | None],
    relations: Iterable[Relation],
    targets: Iterable[Hashable] | None = None,
    upper: Mapping[Hashable, float] | None = None,
) -> list[Finding]:
    """The suppressed target cells that the published tables determine exactly.

    Args:
        values: Published values per cell, None for suppressed cells.
        relations: What the reader knows.
        targets: The suppressed cells that must stay protected (default: all unknown).
        upper: Known upper bounds per unknown cell.

    Returns:
        The determined cells (empty when every suppression holds).
    """
    return [f for f in ranges(values, relations, targets, upper) if f.determined]


def _solve(
    objective: np.ndarray,
    a_eq: np.ndarray | None,
    b_eq: np.ndarray | None,
    bounds: list[tuple[float, float | None]],
) -> float | None:
    """The optimum of one LP; None when unbounded."""
    result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if result.status == 2:
        raise InconsistentTables("published values admit no solution")
    if result.status == 3:
        return None
    if result.status != 0:
        raise RuntimeError(f"linear program failed: {result.message}")
    return float(result.fun)


def _floor(value: float) -> int | float:
    return value if math.isinf(value) else math.floor(value + _EPS)
