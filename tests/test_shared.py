"""Outputs shared by the reports of a year: computed once per run, the same bytes."""

from __future__ import annotations

import pandas as pd

from pipeline.analysis import Scope
from pipeline.shared import once

CALLS: list[tuple] = []


def _table(frame: pd.DataFrame, year: int, lang: str) -> str:
    CALLS.append((year, lang))
    return f"{lang}: {int(frame['n'].sum())} in {year}"


def test_the_same_arguments_are_computed_once_per_run(tmp_path):
    CALLS.clear()
    snapshot = str(tmp_path / "inputs" / "2020.pickle")
    frame = pd.DataFrame({"region": ["A", "B"], "n": [3, 4]})
    first = once(snapshot, _table, frame, 2020, "sv")
    assert once(snapshot, _table, frame.copy(), 2020, "sv") == first == "sv: 7 in 2020"
    assert CALLS == [(2020, "sv")]  # the second report read the stored output

    # Different content, year or language: computed again, never a stale share.
    assert once(snapshot, _table, frame.assign(n=[3, 5]), 2020, "sv") == "sv: 8 in 2020"
    assert once(snapshot, _table, frame, 2020, "en") == "en: 7 in 2020"
    assert once(snapshot, _table, frame, lang="sv", year=2019) == "sv: 7 in 2019"
    assert len(CALLS) == 4


def test_without_a_snapshot_or_with_undigestible_arguments_nothing_is_shared(tmp_path):
    CALLS.clear()
    frame = pd.DataFrame({"n": [1]})
    once("", _table, frame, 2020, "sv")
    once("", _table, frame, 2020, "sv")
    assert len(CALLS) == 2  # outside a run every call computes
    snapshot = str(tmp_path / "inputs" / "2020.pickle")
    assert once(snapshot, lambda f: f"{len(f)}", frame) == "1"
    assert once(snapshot, lambda f: f"{len(f) + 1}", frame) == "2"  # lambdas are never keyed
    assert not (tmp_path / "inputs").exists()


def _scoped(frame: pd.DataFrame, scope: Scope) -> str:
    CALLS.append((scope.region, scope.year))
    return f"{scope.lang}: {int(frame['n'].sum())} in {scope.year}"


def test_a_scope_is_a_key_by_its_fields(tmp_path):
    CALLS.clear()
    snapshot = str(tmp_path / "inputs" / "2020.pickle")
    frame = pd.DataFrame({"n": [3, 4]})
    nation = Scope(region="A", year=2020).nationwide()
    assert once(snapshot, _scoped, frame, nation) == "sv: 7 in 2020"
    assert once(snapshot, _scoped, frame, Scope(region="B", year=2020).nationwide())
    assert CALLS == [(None, 2020)]  # every region's report shares the national table
    once(snapshot, _scoped, frame, Scope(region=None, year=2020, k=6))
    assert len(CALLS) == 2  # another rule: computed again
