"""The survey reach a narrative states, checked against the response-rate table."""

from __future__ import annotations

import pandas as pd

from pipeline.analysis.survey import response_rates
from pipeline.config import load_project, plan_pairs
from pipeline.inputs import load_evaluation
from pipeline.narrative_facts import (
    Mismatch,
    narrative_warnings,
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


def test_every_demo_narrative_states_the_reach_of_its_report():
    project = load_project(ROOT / "params" / "evaluation.yaml")
    data = load_evaluation(project)
    assert narrative_warnings(project, plan_pairs(project), data.survey, data.population) == []
