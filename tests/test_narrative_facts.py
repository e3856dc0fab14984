"""The survey reach and the recommendations a narrative states, checked against the data."""

from __future__ import annotations

import pandas as pd

from pipeline.analysis.survey import response_rates
from pipeline.config import load_project, plan_pairs
from pipeline.inputs import load_evaluation
from pipeline.narrative_facts import (
    Mismatch,
    narrative_warnings,
    recommendation_items,
    recommendation_mismatches,
    survey_reach_claims,
    survey_reach_mismatches,
)
from tests.support import ROOT


def _rates() -> pd.DataFrame:
    survey = pd.DataFrame({"year": [2020] * 3, "region": ["A", "A", "A"]})
    population = pd.DataFrame(
        {"year": [2020, 2020], "region": ["A", "B"], "target_population": [4, 2]}
    )
    return response_rates(survey, population, 2020)


def test_reach_claims_in_swedish_and_english():
    assert survey_reach_claims("Enkäten nådde 4 av regionens\n7 peer supportrar.", "sv") == [(4, 7)]
    assert survey_reach_claims("19 of 35\npeer supporters answered the survey", "en") == [(19, 35)]
    assert survey_reach_claims("Enkäten nådde hälften.", "sv") == []


def test_a_stale_reach_is_a_mismatch_and_a_true_one_is_not():
    rates = _rates()
    text = "Enkäten nådde 3 av regionens 4 peer supportrar."
    assert survey_reach_mismatches(text, "sv", rates, "A") == []
    wrong = "Enkäten nådde 2 av regionens 4 peer supportrar."
    assert survey_reach_mismatches(wrong, "sv", rates, "A") == [Mismatch((2, 4), (3, 4))]
    # B has no answers: no survey, so any reach is wrong (the reviewer's "2 av regionens 2").
    no_survey = "Enkäten nådde 2 av regionens 2 peer supportrar."
    assert survey_reach_mismatches(no_survey, "sv", rates, "B") == [Mismatch((2, 2), None)]


def test_every_demo_narrative_agrees_with_its_report_and_the_register():
    project = load_project(ROOT / "params" / "evaluation.yaml")
    data = load_evaluation(project)
    assert data.recommendations is not None  # the demo keeps a register
    pairs = plan_pairs(project)
    assert (
        narrative_warnings(project, pairs, data.survey, data.population, data.recommendations) == []
    )


def test_recommendation_items_are_the_outer_list_items_as_plain_text():
    section = (
        "Tre saker:\n\n1. Ta fram **en skriftlig**\n   introduktionsplan.\n\n"
        "   Den ska finnas före start.\n2. `Handledning` varannan vecka.\n"
        "   - till exempel i grupp\n- Egen punkt\n"
    )
    assert recommendation_items(section) == [
        "Ta fram en skriftlig introduktionsplan.",
        "Handledning varannan vecka.",
        "Egen punkt",
    ]


def _register() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["A-2020-1", "A-2020-2", "A-2019-1"],
            "region": ["A", "A", "A"],
            "made": [2020, 2020, 2019],
            "text_sv": ["Erbjud handledning.", "Skriv arbetsbeskrivningar.", "Rekrytera fler."],
            "text_en": ["Offer supervision.", "Write job descriptions.", "Recruit more."],
        }
    )


def test_a_narrative_recommending_other_things_than_the_register_is_flagged():
    # The demo's Stockholm 2017 recommended three things and the 2018 report followed
    # up three others: the register's, which the 2017 report never gave the committee.
    section = "1. Erbjud handledning (A-2020-1).\n2. Planera finansieringen.\n"
    missing, extra = recommendation_mismatches(section, _register(), "A", 2020, "sv")
    assert missing == [("A-2020-2", "Skriv arbetsbeskrivningar.")]
    assert extra == ["Planera finansieringen."]
    both = "- Offer supervision\n- write job descriptions.\n"
    assert recommendation_mismatches(both, _register(), "A", 2020, "en") == ([], [])


def test_a_report_the_register_records_nothing_for_is_not_compared():
    assert recommendation_mismatches("1. Vad som helst.\n", _register(), "A", 2018, "sv") == (
        [],
        [],
    )
    assert recommendation_mismatches("1. Vad som helst.\n", _register(), "B", 2020, "sv") == (
        [],
        [],
    )
