"""A differencing attacker: can a suppressed cell be worked out from what is published?

The national overview, every region's report and every year are published together.
A reader who puts them side by side knows linear relations between their cells: a
table's categories add up to its answered total; categories plus "Uppgift saknas" add
up to the region's public number of responses; the national table is the sum of the
regions' tables. This module writes the published values and those relations as a
linear system and asks, for every suppressed cell, the smallest and largest value it
can take (two linear programs solved by HiGHS, over the non-negative
relaxation of the integer counts). A cell whose integer range is a single value is
*determined*: its suppression protects nothing.

Statistics (sums, means) enter the same way: the national sum of an item is the sum of
the regions' sums, a mean times its n is a sum, and a sum lies between n x minimum and
n x maximum (inequalities). Published statistics are rounded, so a relation holds only
to within the rounding of its figures, and a derived statistic is never exact. A
*continuous* target (a sum) is therefore solved twice, with the rounding as published
and with it doubled: a target whose range is what rounding alone explains (it grows as
fast as the rounding does, and would shrink to one value without it) is determined.

`attack` is the method; `pipeline.linked` and `pipeline.linked_statistics` use it to
choose complementary suppression across reports, and `pipeline.differencing_html` runs
it on a finished build's HTML.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

_EPS = 1e-6


@dataclass(frozen=True)
class Relation:
    """A linear relation the reader knows: sum of coefficient x cell equals `total`.

    Attributes:
        terms: (cell key, coefficient) pairs.
        total: The right-hand side (a public number, or 0 for "this equals that").
        at_most: The sum is at most `total` instead of equal to it (e.g. a sum of n
            answers is at most n times the published maximum).
        rounding: (cell key, coefficient) pairs added to `terms` for the rounding of a
            published figure used as a coefficient: "sum <= (max + 0.05) x n" is
            terms ((sum, 1), (n, -max)) and rounding ((n, -0.05),).
    """

    terms: tuple[tuple[Hashable, float], ...]
    total: float = 0.0
    at_most: bool = False
    rounding: tuple[tuple[Hashable, float], ...] = ()


@dataclass(frozen=True)
class Finding:
    """A suppressed cell and the range the published tables leave for it.

    Attributes:
        cell: The cell's key.
        low: The smallest value consistent with everything published (an integer for
            a count).
        high: The largest such value.
        continuous: A statistic (a sum), not a count: `low` and `high` are not rounded.
        rounding: For a statistic: how much wider the range gets when the rounding of
            every published figure doubles.
    """

    cell: Hashable
    low: float
    high: float
    continuous: bool = False
    rounding: float = 0.0

    @property
    def determined(self) -> bool:
        """True when the suppression is undone: one value (a count), or a range that
        the rounding of the published figures alone explains (a statistic)."""
        if not self.continuous:
            return self.low == self.high
        if math.isinf(self.high):
            return False
        width = self.high - self.low
        # Without rounding the range would be 2 x width - (width + rounding) wide.
        return width - self.rounding <= 0.5 * self.rounding + _EPS * max(1.0, abs(self.high))


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
    tolerance: Mapping[Hashable, float] | None = None,
    continuous: Collection[Hashable] = (),
) -> list[Finding]:
    """The range of every suppressed target cell under the published relations.

    Args:
        values: Every cell the relations mention: its published value, or None when
            it is suppressed (unknown to the reader).
        relations: What the reader knows about the cells.
        targets: The suppressed cells to examine (default: every unknown cell).
        upper: Known upper bounds per unknown cell (default: none beyond the relations).
        tolerance: Per published cell, how far its true value may lie from the shown
            one (half the last shown digit of a rounded statistic); default exact.
        continuous: Targets that are statistics, not counts (see `Finding`).

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
    bounds = [(0.0, (upper or {}).get(key)) for key in unknown]

    def program(factor: float) -> _Program:
        return _program(values, relations, index, tolerance or {}, bounds, factor)

    published, doubled = program(1.0), None
    continuous = set(continuous)
    findings = []
    for key in targets:
        low, high = published.range(index[key])
        if key not in continuous:
            findings.append(Finding(key, math.ceil(low - _EPS), _floor(high)))
            continue
        if doubled is None:
            doubled = program(2.0)
        wide_low, wide_high = doubled.range(index[key])
        growth = (wide_high - wide_low) - (high - low)
        findings.append(Finding(key, low, high, True, 0.0 if math.isnan(growth) else growth))
    return findings


def attack(
    values: Mapping[Hashable, float | None],
    relations: Iterable[Relation],
    targets: Iterable[Hashable] | None = None,
    upper: Mapping[Hashable, float] | None = None,
    tolerance: Mapping[Hashable, float] | None = None,
    continuous: Collection[Hashable] = (),
) -> list[Finding]:
    """The suppressed target cells that the published tables determine.

    Args:
        values: Published values per cell, None for suppressed cells.
        relations: What the reader knows.
        targets: The suppressed cells that must stay protected (default: all unknown).
        upper: Known upper bounds per unknown cell.
        tolerance: Rounding of published cells (see `ranges`).
        continuous: Targets that are statistics, not counts.

    Returns:
        The determined cells (empty when every suppression holds).
    """
    found = ranges(values, relations, targets, upper, tolerance, continuous)
    return [f for f in found if f.determined]


class _Program:
    """The reader's linear program: equalities, inequalities and bounds on the unknowns.

    One HiGHS model is built once and solved for each objective in turn: only the
    cost of one unknown changes between solves, so each solve starts from the last
    optimal basis and takes a few pivots. (Through `scipy.optimize.linprog` every solve
    rebuilt and presolved the model: at a national round of 290 municipalities the
    attacker's thousand linear programs then took most of a report's time.)
    """

    def __init__(
        self,
        rows: list[np.ndarray],
        lower: list[float],
        upper: list[float],
        bounds: list[tuple[float, float | None]],
    ):
        """Rows of coefficients over the unknowns, each row's sum between `lower` and
        `upper` (equal for an equality, -inf for "at most"); `bounds` per unknown."""
        self.bounds = bounds
        self._highs: highspy.Highs | None = None
        self._rows = (rows, lower, upper)
        self._costed: int | None = None

    def range(self, column: int) -> tuple[float, float]:
        """The smallest and largest value of one unknown (high: inf when unbounded)."""
        low = self._solve(column, 1.0)
        high = self._solve(column, -1.0)
        return (0.0 if low is None else low), (math.inf if high is None else -high)

    def _solve(self, column: int, sign: float) -> float | None:
        """The minimum of `sign` times the unknown `column`; None when unbounded."""
        highs = self._model()
        if self._costed is not None and self._costed != column:
            highs.changeColCost(self._costed, 0.0)
        highs.changeColCost(column, sign)
        self._costed = column
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(highs.getInfo().objective_function_value)
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            status = self._feasibility(highs)
        if status == highspy.HighsModelStatus.kUnbounded:
            return None
        if status == highspy.HighsModelStatus.kInfeasible:
            raise InconsistentTables("published values admit no solution")
        raise RuntimeError(f"linear program failed: {highs.modelStatusToString(status)}")

    def _feasibility(self, highs: highspy.Highs) -> highspy.HighsModelStatus:
        """Tell "unbounded" from "infeasible" when the solver could not: solve without costs.

        The next `_solve` sets the costs it needs again.
        """
        if self._costed is not None:
            highs.changeColCost(self._costed, 0.0)
        highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            return highspy.HighsModelStatus.kUnbounded
        return highspy.HighsModelStatus.kInfeasible

    def _model(self) -> highspy.Highs:
        if self._highs is not None:
            return self._highs
        rows, lower, upper = self._rows
        columns = len(self.bounds)
        matrix = sparse.csc_matrix(np.array(rows) if rows else (0, columns))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = columns, matrix.shape[0]
        lp.col_cost_ = np.zeros(columns)
        lp.col_lower_ = np.array([low for low, _ in self.bounds], dtype=float)
        lp.col_upper_ = np.array(
            [highspy.kHighsInf if high is None else high for _, high in self.bounds], dtype=float
        )
        lp.row_lower_ = np.array(lower, dtype=float)
        lp.row_upper_ = np.array(upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        highs = _new_highs()
        highs.setOptionValue("output_flag", False)
        # The same model for every objective: presolve would redo its work per solve
        # and throw away the basis the next solve starts from.
        highs.setOptionValue("presolve", "off")
        highs.passModel(lp)
        self._highs = highs
        return highs


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A HiGHS model, its one-time banner kept off this process's standard output.

    HiGHS writes the banner to file descriptor 1 when a process makes its first model;
    in a notebook kernel (which captures that descriptor) it would become cell output.
    """
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _banner_shown = True
    return highs


def _program(
    values: Mapping[Hashable, float | None],
    relations: list[Relation],
    index: Mapping[Hashable, int],
    tolerance: Mapping[Hashable, float],
    bounds: list[tuple[float, float | None]],
    factor: float,
) -> _Program:
    """The relations over the unknowns, with every rounding allowance times `factor`."""
    rows, lower, upper = [], [], []
    for relation in relations:
        row = np.zeros(len(index))
        total, slack = relation.total, 0.0
        terms = [*relation.terms, *((k, factor * c) for k, c in relation.rounding)]
        for key, coefficient in terms:
            value = values[key]
            if value is None:
                row[index[key]] += coefficient
            else:
                total -= coefficient * float(value)
                slack += abs(coefficient) * factor * tolerance.get(key, 0.0)
        if not row.any():
            broken = total < -slack - _EPS if relation.at_most else abs(total) > slack + _EPS
            if broken:
                raise InconsistentTables(f"published values break a relation: {relation}")
            continue
        rows.append(row)
        if relation.at_most:
            lower.append(-highspy.kHighsInf)
            upper.append(total + slack)
        else:  # rounded figures: the sum lies within total +- slack (0 when exact)
            lower.append(total - slack)
            upper.append(total + slack)
    return _Program(rows, lower, upper, bounds)


@dataclass
class System:
    """What a reader of a set of reports knows: published cells, relations, secrets.

    Attributes:
        values: Every cell: its published value, or None when it is suppressed.
        relations: The linear relations between cells the reader knows.
        targets: The suppressed cells that must stay protected.
        upper: Known upper bounds of unknown cells (e.g. a region's responses).
        tolerance: Rounding of published statistics (see `ranges`).
        continuous: Targets that are statistics, not counts.
        places: Where each cell is shown or withheld ("2020/orebro: Tabell ..."), for
            findings a person can look up.
    """

    values: dict[Hashable, float | None] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    targets: list[Hashable] = field(default_factory=list)
    upper: dict[Hashable, float] = field(default_factory=dict)
    tolerance: dict[Hashable, float] = field(default_factory=dict)
    continuous: set[Hashable] = field(default_factory=set)
    places: dict[Hashable, list[str]] = field(default_factory=dict)

    def publish(
        self,
        key: Hashable,
        value: float | None,
        bound: float | None = None,
        tolerance: float = 0.0,
        place: str = "",
        secret: bool = True,
    ) -> None:
        """Record a published cell; a value shown anywhere is known everywhere.

        Args:
            key: The cell.
            value: The shown value; None when it is suppressed.
            bound: An upper bound of the cell (e.g. the group's responses).
            tolerance: How far the true value may lie from the shown one (rounding).
            place: Where it is shown, for findings.
            secret: Whether a suppressed value is a target (not for cells such as an
                item's number of answers, which the rules do not protect).
        """
        known = self.values.get(key)
        if value is not None and (known is None or tolerance < self.tolerance.get(key, 0.0)):
            self.values[key], self.tolerance[key] = value, tolerance  # the most precise copy
        elif known is None:
            self.values[key] = None
        if value is None and secret and key not in self.targets:
            self.targets.append(key)
        if bound is not None:
            self.upper[key] = bound
        if place and place not in self.places.setdefault(key, []):
            self.places[key].append(place)

    def attack(self) -> list[Finding]:
        """The targets the relations determine (see `attack`)."""
        targets = [t for t in self.targets if self.values.get(t) is None]
        return attack(
            self.values, self.relations, targets, self.upper, self.tolerance, self.continuous
        )

    def describe(self, finding: Finding) -> str:
        """One line for a person: where the cell is withheld and the range left for it."""
        where = "; ".join(self.places.get(finding.cell, [])) or repr(finding.cell)
        if finding.continuous:
            return f"{where}: between {finding.low:.2f} and {finding.high:.2f}"
        if finding.determined:
            return f"{where}: = {finding.low}"
        return f"{where}: between {finding.low} and {finding.high}"


def _floor(value: float) -> int | float:
    return value if math.isinf(value) else math.floor(value + _EPS)
