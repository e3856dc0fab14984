"""Tests of the differencing attacker and of complementary suppression across reports.

The attacker (`pipeline.differencing`) must find what a careful reader finds: a
suppressed cell that a total, or the national table minus the other regions, gives
away. A planted leak (the national table published without complementary suppression)
proves it finds one; `pipeline.linked` must leave it nothing to find, on inline data with
a one- and a two-respondent region and on a real build.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pypandoc
import pytest
from support import make_project, run_cli

from pipeline import linked
from pipeline.analysis import Scope
from pipeline.differencing import (
    InconsistentTables,
    Relation,
    _Program,
    attack,
    ranges,
    sum_relation,
)
from pipeline.differencing_html import audit_build, build_system, parse_tables
from pipeline.shared import once
from pipeline.slug import slugify
from pipeline.text.survey import distribution_markdown

K = 5


# --- the method -------------------------------------------------------------------------


def test_one_suppressed_cell_of_a_shown_total_is_determined():
    values = {"a": 7.0, "b": None, "c": 0.0, "total": 9.0}
    found = attack(values, [sum_relation(["a", "b", "c"], "total")])
    assert [(f.cell, f.low, f.high) for f in found] == [("b", 2, 2)]


def test_two_suppressed_cells_of_a_total_are_not_determined():
    values = {"a": 7.0, "b": None, "c": None, "total": 10.0}
    relations = [sum_relation(["a", "b", "c"], "total")]
    assert attack(values, relations) == []
    assert [(f.low, f.high) for f in ranges(values, relations)] == [(0, 3), (0, 3)]


def test_bounds_can_determine_a_cell():
    # b + c = 1 with c at most 0 (a known bound) gives b = 1.
    values = {"b": None, "c": None}
    found = attack(values, [sum_relation(["b", "c"], 1.0)], upper={"c": 0.0})
    assert {f.cell: f.low for f in found} == {"b": 1, "c": 0}


def test_an_unbounded_cell_has_no_upper_end_and_inconsistent_tables_are_an_error():
    # b - c = 1 (a difference the reader knows) bounds neither cell from above.
    values = {"b": None, "c": None}
    relations = [Relation((("b", 1.0), ("c", -1.0)), 1.0)]
    assert [(f.cell, f.low, f.high) for f in ranges(values, relations)] == [
        ("b", 1, math.inf),
        ("c", 0, math.inf),
    ]
    with pytest.raises(InconsistentTables):  # a + b = 1 with both cells at most 0
        ranges(values, [sum_relation(["b", "c"], 1.0)], upper={"b": 0.0, "c": 0.0})


def test_the_solver_tells_unbounded_from_infeasible_when_asked_to():
    unbounded = _Program([np.array([-1.0])], [-highspy.kHighsInf], [0.0], [(0.0, None)])
    highs = unbounded._model()
    assert unbounded._feasibility(highs) == highspy.HighsModelStatus.kUnbounded
    infeasible = _Program([np.array([1.0])], [5.0], [5.0], [(0.0, 1.0)])
    highs = infeasible._model()
    assert infeasible._feasibility(highs) == highspy.HighsModelStatus.kInfeasible


def test_national_minus_the_other_regions_is_found():
    # Region A (one respondent) is withheld; B and C are shown in full; the nation too.
    values = {
        ("A", "k"): None,
        ("A", "m"): None,
        ("B", "k"): 8.0,
        ("B", "m"): 0.0,
        ("C", "k"): 6.0,
        ("C", "m"): 6.0,
        ("N", "k"): 14.0,
        ("N", "m"): 7.0,
    }
    relations = [sum_relation([(r, c) for r in "ABC"], ("N", c)) for c in "km"]
    relations.append(sum_relation([("A", "k"), ("A", "m")], 1.0))
    found = {f.cell: f.low for f in attack(values, relations)}
    assert found == {("A", "k"): 0, ("A", "m"): 1}


# --- inline builds: planted leak, and the linked pattern ---------------------------------


def _survey(genders: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(region, 2020, g) for region, values in genders.items() for g in values]
    return pd.DataFrame(rows, columns=["region", "year", "gender"])


def _rates(data: pd.DataFrame) -> str:
    lines = ["| Region | Antal svar (n) | Målpopulation (N) | Svarsfrekvens |", "|---|--:|--:|--:|"]
    counts = data.groupby("region").size()
    for region, n in counts.items():
        lines.append(f"| {region} | {n} | {n} | 100 % |")
    lines.append(f"| Totalt | {len(data)} | {len(data)} | 100 % |")
    return ": Svarsfrekvens per region\n\n" + "\n".join(lines) + "\n"


def _write_build(out: Path, data: pd.DataFrame, linked_tables: bool) -> None:
    """A build's HTML: per region its gender table and the national one, and an overview."""

    def national() -> str:
        if linked_tables:
            return linked.gender_markdown(data, None, 2020, "sv", K)
        return distribution_markdown(data, "gender", Scope(region=None, year=2020, k=K))

    def regional(region: str) -> str:
        if linked_tables:
            return linked.gender_markdown(data, region, 2020, "sv", K)
        return distribution_markdown(data, "gender", Scope(region=region, year=2020, k=K))

    def page(*parts: str) -> str:
        return pypandoc.convert_text("\n\n".join(parts), "html", format="markdown")

    def captioned(caption: str, text: str) -> str:
        return f": {caption}\n\n{text}" if text.lstrip().startswith("|") else text

    nation = captioned("Könsfördelning bland de svarande i hela landet", national())
    for region in sorted(set(data["region"])):
        folder = out / "2020" / slugify(region)
        folder.mkdir(parents=True)
        own = captioned("Könsfördelning bland de svarande i regionen", regional(region))
        (folder / "rapport.html").write_text(page(_rates(data), own, nation), encoding="utf-8")
    (out / "2020" / "oversikt.html").write_text(page(_rates(data), nation), encoding="utf-8")


LEAKY = {
    "Alby": ["man"],  # one respondent
    "Berga": ["kvinna"] * 8,
    "Cedra": ["kvinna"] * 6 + ["man"] * 6,
}
SMALL_REGIONS = {
    "Alby": ["man"],  # one respondent
    "Dala": ["kvinna", "annat"],  # two respondents
    "Berga": ["kvinna"] * 8,
    "Cedra": ["kvinna"] * 6 + ["man"] * 6,
    "Esby": ["kvinna"] * 5 + ["man"] * 2 + [None],
}


def test_the_parsed_build_holds_the_published_tables(tmp_path):
    _write_build(tmp_path, _survey(LEAKY), linked_tables=False)
    tables = parse_tables((tmp_path / "2020" / "berga" / "rapport.html").read_text())
    assert [t.caption for t in tables] == [
        "Svarsfrekvens per region",
        "Könsfördelning bland de svarande i regionen",
        "Könsfördelning bland de svarande i hela landet",
    ]
    assert tables[1].rows[0] == ["Kvinna", "8", "100 %"]


def test_a_planted_leak_is_found(tmp_path):
    """Each table passes its own rule, but national minus the others gives Alby away."""
    _write_build(tmp_path, _survey(LEAKY), linked_tables=False)
    found = {f.cell: (f.low, f.high) for f in audit_build(tmp_path)}
    assert found[("2020", "alby", "gender", "man")] == (1, 1)  # the one person is a man
    assert found[("2020", "alby", "gender", "kvinna")] == (0, 0)


@pytest.mark.parametrize("genders", [LEAKY, SMALL_REGIONS], ids=["one", "one-and-two"])
def test_linked_suppression_leaves_nothing_to_find(tmp_path, genders):
    data = _survey(genders)
    _write_build(tmp_path, data, linked_tables=True)
    system = build_system(tmp_path)
    assert ("2020", "alby", "gender", "man") in system.targets  # the secret is examined
    assert audit_build(tmp_path) == []
    # Every report shows the same national table, cut from one pattern.
    copies = {
        p.read_text().split("hela landet")[-1] for p in sorted(tmp_path.glob("2020/*/rapport.html"))
    }
    assert len(copies) == 1


def test_linked_tables_still_show_what_is_safe():
    family = linked.linked_distributions(_survey(SMALL_REGIONS), "gender", 2020, K)
    berga = family["Berga"]
    assert not berga.withheld and berga.table.loc[berga.table["code"] == "kvinna", "n"].item() == 8
    assert family["Alby"].withheld and family["Dala"].withheld  # 1 and 2 respondents
    assert not family[linked.NATIONAL].withheld  # protected by complementary cells instead


def test_within_a_run_the_family_is_decided_once_and_reads_the_same(tmp_path, monkeypatch):
    data = _survey(SMALL_REGIONS)
    alone = {r: linked.gender_markdown(data, r, 2020, "sv", K) for r in [*SMALL_REGIONS, None]}
    decided = []
    real = linked.linked_distributions
    monkeypatch.setattr(
        linked, "linked_distributions", lambda *a, **kw: decided.append(a) or real(*a, **kw)
    )
    snapshot = str(tmp_path / "inputs" / "2020.pickle")  # the run's: shared outputs beside it
    shared = {
        r: linked.gender_markdown(data, r, 2020, "sv", K, partial(once, snapshot))
        for r in [*SMALL_REGIONS, None]
    }
    assert shared == alone  # the same bytes as each report deciding it alone
    assert len(decided) == 1  # one attacker run for every report of the year
    assert "Kvinna" in shared["Berga"] and "Kvinna" in shared[None]


# --- a real build -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_build(tmp_path_factory) -> Path:
    """Every demo region in 2020 (Örebro: one respondent, Norrland: two), HTML only."""
    tmp = tmp_path_factory.mktemp("differencing-build")
    params = make_project(tmp)
    out = tmp / "out"
    result = run_cli(
        "run", "--params", str(params), "--out", str(out),
        "--renderer", "builtin", "--year", "2020", "--format", "html",
        "--jobs", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.e2e
def test_the_attacker_finds_nothing_in_a_demo_build(html_build):
    system = build_system(html_build)
    secrets = [t for t in system.targets if t[1] in ("orebro", "norrland")]
    assert secrets  # the one- and two-respondent regions are among the examined cells
    # ... their statistics too: the sums withheld below extremes_k (pipeline.linked_statistics)
    assert {("2020", r, "statistics", "age", "sum") for r in ("orebro", "norrland")} <= set(
        system.targets
    )
    assert len(system.relations) > 20
    assert audit_build(html_build) == []


@pytest.mark.e2e
def test_the_attacker_finds_nothing_in_the_shared_demo_build(demo_build):
    _, out, _ = demo_build
    assert audit_build(out) == []
