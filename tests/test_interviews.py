"""Tests for the interview tables of a report (pipeline.analysis.interviews): narrowing."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from pipeline.analysis import Scope
from pipeline.analysis import interviews as iv
from pipeline.analysis import quotes as q
from pipeline.analysis import themes as th

REGISTER = pd.DataFrame(
    [
        ("a1", 2019, "R", "medarbetare", "individuell", 1, "fysiskt"),
        ("x1", 2020, "S", "medarbetare", "individuell", 1, "video"),
        ("a2", 2020, "R", "medarbetare", "individuell", 1, "fysiskt"),
        ("b1", 2020, "R", "brukare", "grupp", 5, "fysiskt"),
        ("x2", 2020, "S", "brukare", "grupp", 4, "video"),
    ],
    columns=["interview_id", "year", "region", "group", "form", "participants", "mode"],
)
SEGMENTS = pd.DataFrame(
    [
        ("x1", "impl", "framjande", "Annan region talar här om något helt annat."),
        ("a2", "impl.hand", "framjande", "Handledningen varje vecka gjorde att jag stannade."),
        ("b1", "impl", "hindrande", "Det tog lång tid innan någon förklarade rollen för oss."),
        ("a1", "impl.hand", "neutral", "Vi pratade om handledning ibland."),
        ("x2", "impl.hand", "hindrande", "Också en annan region."),
    ],
    columns=["interview_id", "theme", "factor", "excerpt"],
)
CODEBOOK = pd.DataFrame(
    [
        ("impl", None, 1, "Implementering", "Implementation", 1),
        ("impl.hand", "impl", 2, "Handledning", "Supervision", 1),
    ],
    columns=["id", "parent", "level", "label_sv", "label_en", "order"],
)


def national() -> iv.InterviewData:
    return iv.InterviewData(REGISTER, SEGMENTS, CODEBOOK)


def test_regional_keeps_the_regions_interviews_of_every_year_and_their_segments() -> None:
    narrowed = iv.regional(national(), "R")
    assert narrowed.register["interview_id"].tolist() == ["a1", "a2", "b1"]
    assert narrowed.segments["interview_id"].tolist() == ["a2", "b1", "a1"]  # segment order
    assert narrowed.codebook is CODEBOOK


def test_regional_leaves_the_national_tables_unchanged() -> None:
    before = REGISTER.copy(), SEGMENTS.copy()
    iv.regional(national(), "R")
    pdt.assert_frame_equal(REGISTER, before[0])
    pdt.assert_frame_equal(SEGMENTS, before[1])


def test_regional_region_without_interviews_is_empty() -> None:
    narrowed = iv.regional(national(), "Nowhere")
    assert narrowed.register.empty and narrowed.segments.empty


def test_every_analysis_gives_the_same_result_on_the_regional_tables() -> None:
    scope = Scope(region="R", year=2020, interview_k=None)
    whole, narrowed = national(), iv.regional(national(), "R")
    pdt.assert_frame_equal(th.theme_by_group(whole, scope), th.theme_by_group(narrowed, scope))
    pdt.assert_frame_equal(th.factors_by_theme(whole, scope), th.factors_by_theme(narrowed, scope))
    pdt.assert_frame_equal(
        th.themes_across_rounds(whole, scope), th.themes_across_rounds(narrowed, scope)
    )
    pdt.assert_frame_equal(q.select_quotes(whole, scope), q.select_quotes(narrowed, scope))
    for a, b in zip(
        iv.coded_segments(whole, scope, level=1),
        iv.coded_segments(narrowed, scope, level=1),
        strict=True,
    ):
        pdt.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_book_is_indexed_once_per_tables() -> None:
    data = national()
    assert data.book is data.book
    assert data.book.label("impl.hand", "en") == "Supervision"


def test_group_sizes_sum_persons_in_group_order_and_keep_the_groupby_shape() -> None:
    sizes = iv.group_sizes(REGISTER, Scope(region="R", year=2020))
    assert sizes.to_dict() == {"medarbetare": 1, "brukare": 5}
    assert sizes.index.name == "group" and sizes.name == "participants"
    assert sizes.dtype == "int64"
    assert iv.group_sizes(REGISTER, Scope(region="R", year=2018)).empty


def test_coded_segments_match_a_many_to_one_merge_and_keep_its_errors() -> None:
    scope = Scope(region="R", year=2020)
    rows, coded = iv.coded_segments(national(), scope, level=1, leave_out=("brukare",))
    assert rows["interview_id"].tolist() == ["a2"]
    expected = SEGMENTS.merge(rows[["interview_id", "group"]], on="interview_id", how="inner")
    expected["theme"] = ["impl"]
    pdt.assert_frame_equal(coded, expected)
    twice = pd.concat([REGISTER, REGISTER.iloc[[2]]], ignore_index=True)
    with pytest.raises(pd.errors.MergeError):
        iv.coded_segments(iv.InterviewData(twice, SEGMENTS, CODEBOOK), scope, level=1)
