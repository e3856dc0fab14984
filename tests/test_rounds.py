"""Rounds from the data: ordinal, and years without a data collection named."""

from __future__ import annotations

import pandas as pd

from pipeline.rounds import evaluation_rounds, join_words, ordinal, rounds_markdown

SURVEY = pd.DataFrame({"region": ["A"] * 4 + ["B"], "year": [2017, 2018, 2019, 2020, 2020]})
REGISTER = pd.DataFrame({"region": ["A", "A", "A", "B"], "year": [2017, 2018, 2020, 2019]})


def test_rounds_are_the_years_with_any_data_up_to_the_report_year():
    info = evaluation_rounds(SURVEY, REGISTER, "A", 2020)
    assert info.years == (2017, 2018, 2019, 2020)
    assert info.missing("interviews") == (2019,) and info.missing("survey") == ()
    assert info.ordinal_number(2020) == 4
    assert evaluation_rounds(SURVEY, REGISTER, "A", 2018).years == (2017, 2018)


def test_rounds_sentence_names_the_ordinal_and_the_year_without_interviews():
    text = rounds_markdown(SURVEY, REGISTER, "A", 2020, "sv")
    assert "den fjärde utvärderingsomgången i A \\(2017\\, 2018\\, 2019 och 2020\\)" in text
    assert "2019 genomfördes enbart enkäten \\(intervjuer\\: ingen datainsamling\\)" in text
    english = rounds_markdown(SURVEY, REGISTER, "B", 2020, "en")
    assert "the second evaluation round in B" in english
    assert "In 2019 only interviews took place \\(survey\\: no data collection\\)" in english


def test_first_round_and_ordinals():
    assert "den första utvärderingsomgången" in rounds_markdown(SURVEY, REGISTER, "A", 2017)
    assert [ordinal(n) for n in (1, 3, 11)] == ["första", "tredje", "11:e"]
    assert [ordinal(n, "en") for n in (2, 12, 21)] == ["second", "12th", "21st"]
    assert join_words([1, 2, 3]) == "1, 2 och 3" and join_words(["x"], "en") == "x"


def test_a_year_without_any_data_collection_is_still_a_round_in_every_report():
    # Region C took part in 2019 (target population) but nobody answered and nobody was
    # interviewed: the 2019 and 2020 reports must count the same rounds.
    survey = pd.DataFrame({"region": ["C", "C", "C"], "year": [2017, 2018, 2020]})
    register = pd.DataFrame({"region": ["C", "C", "C"], "year": [2017, 2018, 2020]})
    population = pd.DataFrame({"region": ["C"] * 4, "year": [2017, 2018, 2019, 2020]})
    assert evaluation_rounds(survey, register, "C", 2019, population).ordinal_number(2019) == 3
    assert evaluation_rounds(survey, register, "C", 2020, population).years == (
        2017, 2018, 2019, 2020,
    )  # fmt: skip
    text = rounds_markdown(survey, register, "C", 2020, "sv", population)
    assert "den fjärde utvärderingsomgången i C \\(2017\\, 2018\\, 2019 och 2020\\)" in text
    assert "2019 genomfördes varken enkät eller intervjuer \\(ingen datainsamling\\)" in text
    assert "enbart" not in text
    # The report's own year is a round even before any data are in.
    assert evaluation_rounds(survey, register, "C", 2019).years == (2017, 2018, 2019)


def test_a_first_round_says_which_data_collection_it_lacked():
    # The only round so far: the sentence still names what was not collected, as the
    # sentence of a later round does.
    survey = pd.DataFrame({"region": ["D"], "year": [2019]})
    register = pd.DataFrame({"region": pd.Series(dtype=str), "year": pd.Series(dtype=int)})
    text = rounds_markdown(survey, register, "D", 2019, "sv")
    assert text.startswith("Omgången 2019 är den första utvärderingsomgången i D\\.")
    assert "2019 genomfördes enbart enkäten \\(intervjuer\\: ingen datainsamling\\)" in text
    nothing = rounds_markdown(survey.iloc[0:0], register, "D", 2019, "en")
    assert "In 2019 neither the survey nor interviews took place" in nothing
    both = rounds_markdown(survey, pd.DataFrame({"region": ["D"], "year": [2019]}), "D", 2019)
    assert both == "Omgången 2019 är den första utvärderingsomgången i D\\.\n"
