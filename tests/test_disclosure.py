"""Tests of the small-cell rule: primary and secondary suppression, withheld groups, texts."""

from __future__ import annotations

import itertools
import random
import re

import numpy as np
import pandas as pd
import pytest

from pipeline.disclosure import (
    SUPPRESSED_MARK,
    Disclosed,
    disclose_distribution,
    disclose_interview_groups,
    disclose_interview_totals,
    disclose_multi_choice,
    disclose_public,
    disclose_statistics_table,
    disclosed_withheld_message,
    display_table,
    footnote,
    interview_publishable,
    is_publishable,
    is_small,
    quotes_publishable,
    region_publishable,
    region_withheld_message,
    rules_text,
    statistic_publishable,
    suppress_statistics,
    suppression_mask,
    withheld_message,
)


def _dist(counts: list[int], missing: int = 0) -> pd.DataFrame:
    """A distribution table like pipeline.analysis.survey.distribution returns."""
    base = sum(counts)
    rows = [("category", f"c{i}", f"C{i}", n, 100 * n / base) for i, n in enumerate(counts)]
    rows += [("total", None, "Total", base, 100.0), ("missing", None, "Missing", missing, np.nan)]
    return pd.DataFrame(rows, columns=["kind", "code", "label", "n", "percent"])


def _mask(counts: list[int], k: int = 5, total_shown: bool = True) -> list[bool]:
    return suppression_mask(pd.Series(counts), k, total_shown).tolist()


def _recoverable(counts: list[int], mask: list[bool], k: int) -> bool:
    """Brute force: can a reader who knows the total and the rule pin any suppressed cell?

    Every suppressed cell is tried with every value 0..total; an assignment is consistent
    when it sums to the hidden total, primary cells (1..k-1 in the truth) lie in 1..k-1 and
    the others are 0 or >= k.
    """
    hidden = [i for i, m in enumerate(mask) if m]
    if not hidden:
        return False
    total = sum(counts[i] for i in hidden)
    primary = [0 < counts[i] < k for i in hidden]

    def allowed(v: int, p: bool) -> bool:
        return 1 <= v <= k - 1 if p else v == 0 or v >= k

    seen: list[set[int]] = [set() for _ in hidden]
    for combo in itertools.product(range(total + 1), repeat=len(hidden)):
        if sum(combo) == total and all(allowed(v, p) for v, p in zip(combo, primary, strict=True)):
            for j, v in enumerate(combo):
                seen[j].add(v)
    return any(len(values) < 2 for values in seen)


# --- groups and cells -----------------------------------------------------------------


def test_is_publishable_at_and_below_k():
    assert is_publishable(5, 5)
    assert not is_publishable(4, 5)
    assert not is_publishable(0, 5)


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (4, True), (5, False)])
def test_is_small_is_one_to_k_minus_one(count, small):
    assert is_small(count, 5) is small


def test_is_small_nan_is_not_small():
    assert not is_small(float("nan"), 5)


# --- suppression masks ----------------------------------------------------------------------


def test_no_small_cell_suppresses_nothing_and_zeros_are_shown():
    assert _mask([10, 0, 7]) == [False, False, False]


def test_one_small_cell_takes_the_next_smallest_nonzero_cell_with_it():
    # 2 is primary; 0 is shown (zeros identify nobody); 6 is the smallest other cell.
    assert _mask([20, 2, 0, 6, 9]) == [False, True, False, True, False]


def test_primary_only_when_total_not_shown():
    assert _mask([20, 2, 6], total_shown=False) == [False, True, False]


def test_a_one_and_a_five_are_not_enough_with_k_5():
    # Hidden sum 6 = 1 + 5 is the only split with a 1..4 cell and a cell that is 0 or >= 5.
    mask = _mask([1, 5, 9, 30])
    assert mask == [True, True, True, False]
    assert not _recoverable([1, 5, 9, 30], mask, 5)


def test_two_ones_are_not_enough_on_their_own():
    # Two primaries summing to 2 must both be 1; a third cell goes with them.
    mask = _mask([1, 1, 8, 20])
    assert mask == [True, True, True, False]
    assert not _recoverable([1, 1, 8, 20], mask, 5)


def test_the_brute_force_checker_sees_the_naive_leak():
    # Sanity check of the checker itself: only the 1 and the 5 hidden is recoverable.
    assert _recoverable([1, 5, 9, 30], [True, True, False, False], 5)
    assert _recoverable([3, 9], [True, False], 5)


def test_suppressed_cells_can_never_be_recomputed_from_the_total():
    rng = random.Random("disclosure")
    for _ in range(300):
        counts = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12]) for _ in range(rng.randint(2, 5))]
        mask = _mask(counts)
        assert all(m for c, m in zip(counts, mask, strict=True) if 0 < c < 5), counts
        if not all(mask):
            assert not _recoverable(counts, mask, 5), (counts, mask)


# --- distributions -----------------------------------------------------------------------


def test_distribution_suppresses_percent_with_count_and_keeps_no_value():
    disclosed = disclose_distribution(_dist([12, 3, 6], missing=2), 5)
    assert isinstance(disclosed, Disclosed)
    assert disclosed.any_suppressed and not disclosed.withheld
    rows = disclosed.suppressed
    assert rows.loc[1, "n"] and rows.loc[1, "percent"]  # primary 3
    assert rows.loc[2, "n"] and rows.loc[2, "percent"]  # secondary 6
    assert not rows.loc[0, "n"]
    # The blanked table holds no trace of the suppressed values.
    assert disclosed.table.loc[[1, 2], ["n", "percent"]].isna().all().all()
    assert disclosed.table.loc[0, "n"] == 12
    # The total and the item non-response are shown.
    assert disclosed.table.loc[3, "n"] == 21 and disclosed.table.loc[4, "n"] == 2


def test_distribution_below_k_answers_is_withheld():
    disclosed = disclose_distribution(_dist([3, 1], missing=10), 5)
    assert disclosed.withheld and disclosed.any_suppressed
    assert disclosed.suppressed.all().all()
    assert disclosed.table["n"].isna().all()


def test_distribution_without_small_cells_is_unchanged():
    disclosed = disclose_distribution(_dist([12, 0, 6]), 5)
    assert not disclosed.any_suppressed
    assert disclosed.table["n"].tolist() == [12, 0, 6, 18, 0]


def test_display_table_marks_suppressed_cells_and_blanks_empty_ones():
    disclosed = disclose_distribution(_dist([12, 3, 6]), 5)
    shown = display_table(disclosed, {"n": lambda v: f"{int(v)}"})
    assert shown["n"].tolist() == ["12", SUPPRESSED_MARK, SUPPRESSED_MARK, "21", "0"]
    assert shown.loc[4, "percent"] == ""


def test_display_table_matches_cells_by_label_and_keeps_the_frames_shape():
    from pipeline.disclosed import make

    table = pd.DataFrame({"n": [4, 7, 9], "label": ["a", None, "c"]}, index=[2, 0, 1])
    mask = pd.DataFrame({"label": [False] * 3, "n": [True, False, False]}, index=[0, 1, 2])
    shown = display_table(make(table, mask, 5), {"n": lambda v: f"<{int(v)}>"})
    assert shown.index.tolist() == [2, 0, 1] and shown.columns.tolist() == ["n", "label"]
    assert shown["n"].tolist() == ["<4>", SUPPRESSED_MARK, "<9>"]  # row 0 is the masked one
    assert shown["label"].tolist() == ["a", "", "c"]
    empty = display_table(make(table.iloc[0:0], mask.iloc[0:0], 5), {})
    assert empty.empty and empty.columns.tolist() == ["n", "label"]
    assert all(pd.api.types.is_string_dtype(t) for t in empty.dtypes)


def test_whole_hidden_columns_are_blank_as_cell_by_cell_masking_makes_them():
    from pipeline.disclosed import make, withhold

    table = pd.DataFrame(
        {"n": [4, 7], "share": pd.array([1.5, None], dtype="Float64"), "label": ["a", "b"]},
        index=[3, 1],
    )
    whole = withhold(table, 5).table
    assert whole.dtypes.tolist() == ["float64", "float64", object]
    assert whole["n"].isna().all() and whole["label"].tolist() == [None, None]
    partly = pd.DataFrame({"n": [True, False], "share": [True, True], "label": [False, True]})
    blanked = make(table, partly.set_axis(table.index), 5).table
    assert blanked["n"].tolist()[1] == 7.0 and np.isnan(blanked["n"].tolist()[0])
    assert blanked["share"].isna().all() and blanked["label"].tolist() == ["a", None]


def test_display_table_refuses_an_undisclosed_frame():
    with pytest.raises(TypeError, match="Disclosed"):
        display_table(_dist([12, 3]), {})


def test_disclosed_cannot_be_made_outside_the_module():
    frame = _dist([1, 2])
    with pytest.raises(TypeError, match="only by pipeline.disclosure"):
        Disclosed(frame, frame.isna(), 5)


# --- multi-choice ---------------------------------------------------------------------------


def test_multi_choice_suppresses_small_choosers_and_small_non_choosers():
    rows = [
        ("category", "a", "A", 10, 83.3),  # 2 did not choose it: suppressed
        ("category", "b", "B", 6, 50.0),
        ("category", "c", "C", 1, 8.3),  # 1 chose it: suppressed
        ("category", "d", "D", 12, 100.0),  # everybody: nobody singled out
        ("total", None, "Base", 12, np.nan),
        ("missing", None, "Missing", 1, np.nan),
    ]
    table = pd.DataFrame(rows, columns=["kind", "code", "label", "n", "percent"])
    disclosed = disclose_multi_choice(table, 5)
    assert disclosed.suppressed["n"].tolist() == [True, False, True, False, False, False]
    assert disclosed.suppressed["percent"].tolist() == disclosed.suppressed["n"].tolist()


def test_multi_choice_below_k_base_is_withheld():
    table = pd.DataFrame(
        [("category", "a", "A", 3, 100.0), ("total", None, "Base", 3, np.nan)],
        columns=["kind", "code", "label", "n", "percent"],
    )
    assert disclose_multi_choice(table, 5).withheld


# --- statistics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "count", "ok"),
    [(4, None, False), (5, None, True), (10, 5.0, True), (10, 3.0, False), (10, 8.0, False),
     (10, 10.0, True), (10, 0.0, True), (10, float("nan"), True)],
)  # fmt: skip
def test_statistic_publishable(n, count, ok):
    assert statistic_publishable(n, 5, count) is ok


def test_statistics_of_fewer_than_k_answers_are_suppressed_entirely():
    stats = {"n": 4.0, "mean": 30.0, "max": 60.0}
    disclosed = suppress_statistics(stats, 4, 5)
    assert disclosed.withheld
    assert disclosed.table["value"].isna().all()
    shown = suppress_statistics(stats, 5, 5, extremes_k=None)
    assert not shown.withheld and shown.table.loc["mean", "value"] == 30.0


def test_statistics_table_suppresses_cells_and_keeps_public_columns():
    values = pd.DataFrame({"responses": [3.0, 20.0], "mean_age": [40.0, 41.0],
                           "share": [50.0, 90.0]}, index=[2019, 2020])  # fmt: skip
    bases = pd.DataFrame({"responses": [3, 20], "mean_age": [3, 20], "share": [3, 20]},
                         index=[2019, 2020])  # fmt: skip
    counts = pd.DataFrame({"responses": [np.nan] * 2, "mean_age": [np.nan] * 2,
                           "share": [1.5, 18.0]}, index=[2019, 2020])  # fmt: skip
    disclosed = disclose_statistics_table(values, bases, 5, counts, public=("responses",))
    assert disclosed.suppressed.to_dict(orient="list") == {
        "responses": [False, False],
        "mean_age": [True, False],
        "share": [True, True],  # 2020: 18 of 20 leaves a group of 2
    }
    assert disclosed.table.loc[2019, "responses"] == 3.0


def test_public_table_is_passed_unchanged():
    table = pd.DataFrame({"region": ["Örebro"], "responses": [1]})
    disclosed = disclose_public(table, 5)
    assert not disclosed.any_suppressed and disclosed.table.equals(table)


# --- regions and texts ------------------------------------------------------------------------


def test_region_publishable_counts_the_region_in_the_year():
    survey = pd.DataFrame({"region": ["A"] * 5 + ["B"] * 2 + ["A"], "year": [2020] * 7 + [2019]})
    assert region_publishable(survey, "A", 2020, 5)
    assert not region_publishable(survey, "B", 2020, 5)
    assert not region_publishable(survey, "A", 2019, 5)
    assert not region_publishable(survey, "C", 2020, 5)


def test_texts_name_k_in_both_languages():
    assert (
        footnote(5) == "Uppgifter för grupper med färre än 5 personer redovisas inte (markeras –*)."
    )
    assert (
        footnote(3, "en") == "Figures for groups of fewer than 3 people are not shown (marked –*)."
    )
    assert withheld_message(5) == "Uppgifterna redovisas inte (färre än 5 svarande)."
    assert "fewer than 7" in withheld_message(7, "en")
    sv, en = (
        region_withheld_message("Örebro", 2020, 5),
        region_withheld_message("Örebro", 2020, 5, "en"),
    )
    assert "Örebro" in sv and "färre än 5" in sv.lower() and "2020" in sv
    assert "Fewer than 5" in en and "Örebro" in en


# --- the rules of issue 11: extremes, interviews, reasons, method text ------------------

K = 5
EXTREMES = 10
ROBUST = {"n", "missing", "missing_pct", "p25", "p50", "p75"}


def _describe(n: int) -> dict[str, float]:
    from pipeline.analysis.survey import describe_numeric

    return dict(describe_numeric(pd.Series([20_000.0 + 1_000 * i for i in range(n)])))


@pytest.mark.parametrize("n", [1, 2, K - 1])
def test_statistics_below_k_show_nothing(n):
    disclosed = suppress_statistics(_describe(n), n, K, EXTREMES)
    assert disclosed.withheld and disclosed.table["value"].isna().all()


@pytest.mark.parametrize("n", [K, EXTREMES - 1])
def test_statistics_below_the_extremes_threshold_show_only_robust_ones(n):
    disclosed = suppress_statistics(_describe(n), n, K, EXTREMES)
    assert not disclosed.withheld
    shown = {key for key, hidden in disclosed.suppressed["value"].items() if not hidden}
    assert shown == ROBUST  # no min, max, sum, mean, std, outer percentiles or unique
    for key in ("min", "max", "sum", "mean", "std", "p5", "p95"):
        assert np.isnan(disclosed.table.at[key, "value"]), key  # blanked, not just flagged
    values = set(disclosed.table["value"].dropna())
    assert 20_000.0 not in values and 20_000.0 + 1_000 * (n - 1) not in values


def test_statistics_at_the_extremes_threshold_show_everything():
    disclosed = suppress_statistics(_describe(EXTREMES), EXTREMES, K, EXTREMES)
    assert not disclosed.any_suppressed
    assert disclosed.table.at["min", "value"] == 20_000 and disclosed.table.at["sum", "value"]


def test_the_extremes_threshold_is_never_below_k():
    disclosed = suppress_statistics(_describe(6), 6, 8, extremes_k=3)
    assert disclosed.withheld  # k wins
    assert suppress_statistics(_describe(8), 8, 8, 3).table.at["max", "value"] == 27_000


@pytest.mark.parametrize("base", [1, 2, K - 1])
def test_distribution_of_a_group_below_k_is_withheld_as_small(base):
    disclosed = disclose_distribution(_dist([base]), K)
    assert disclosed.withheld and disclosed.reason == "small"
    assert disclosed_withheld_message(disclosed) == withheld_message(K)


def test_a_distribution_no_pattern_protects_says_so_not_fewer_than_k():
    # Six answers as 1 + 5: whatever is hidden, a rule-aware reader finds 1 and 5.
    disclosed = disclose_distribution(_dist([1, 5]), K)
    assert disclosed.withheld and disclosed.reason == "unprotectable"
    text = disclosed_withheld_message(disclosed)
    assert "färre än" not in text and "räknas fram" in text


def test_distribution_at_k_is_shown():
    disclosed = disclose_distribution(_dist([K, 0]), K)
    assert not disclosed.withheld and not disclosed.any_suppressed


IK = 3  # interview_k


@pytest.mark.parametrize(("persons", "shown"), [(1, False), (2, False), (IK, True), (6, True)])
def test_interview_groups_are_broken_down_only_from_interview_k_persons(persons, shown):
    table = pd.DataFrame(
        {"group": ["enhetschef", "brukare"], "interviews": [persons, 9], "mentioning": [1, 4]}
    )
    disclosed = disclose_interview_groups(
        table, {"enhetschef": persons, "brukare": 12}, IK, columns=("mentioning",)
    )
    assert bool(disclosed.suppressed.at[0, "mentioning"]) is not shown
    assert disclosed.table.at[0, "interviews"] == persons  # counts per group stay public
    assert not disclosed.withheld


@pytest.mark.parametrize("persons", [1, 2])
def test_interview_table_without_any_publishable_group_is_withheld_not_zero(persons):
    table = pd.DataFrame({"group": ["enhetschef"], "interviews": [persons], "mentioning": [0]})
    disclosed = disclose_interview_groups(
        table, {"enhetschef": persons}, IK, columns=["mentioning"]
    )
    assert disclosed.withheld and disclosed.reason == "interviews"
    assert np.isnan(disclosed.table.at[0, "mentioning"])
    assert disclose_interview_totals(table, persons, IK).withheld
    assert not disclose_interview_totals(table, IK, IK).withheld


@pytest.mark.parametrize(
    ("persons", "interview_k", "allowed"),
    [(1, 1, False), (2, 1, True), (2, 3, False), (3, 3, True), (1, 3, False)],
)
def test_quotes_never_come_from_a_group_of_one(persons, interview_k, allowed):
    assert quotes_publishable(persons, interview_k) is allowed
    assert interview_publishable(persons, interview_k) is (persons >= interview_k)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_method_text_states_every_rule_with_its_parameters(lang):
    text = " ".join(rules_text(5, 3, 10, lang))
    for number in ("5", "3", "10"):
        assert re.search(rf"\b{number}\b", text), number
    assert SUPPRESSED_MARK in text
    assert ("noll" if lang == "sv" else "zero") in text
    assert " 7 " in " ".join(rules_text(7, 4, 6, lang)) + " "  # extremes never below k


def test_every_withheld_reason_has_its_own_sentence_in_both_languages():
    for lang in ("sv", "en"):
        texts = {withheld_message(4, lang, r) for r in ("small", "unprotectable", "interviews")}
        assert len(texts) == 3


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("reason", ["small", "unprotectable", "linked", "interviews", "no_data"])
def test_a_withheld_sentence_reads_after_its_tables_names_with_one_colon(lang, reason):
    # The section note says "Tabell 11: <sentence>"; a colon inside the sentence made it
    # "Tabell 11: uppgifterna redovisas inte: tillsammans med ...".
    from pipeline.disclosure_text import withheld_message

    assert ":" not in withheld_message(3, lang, reason)
