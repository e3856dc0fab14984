"""Tests of the survey statistics and of the disclosed Markdown tables, on hand-made frames."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import Scope
from pipeline.analysis import survey as S
from pipeline.analysis.indicators import key_indicators
from pipeline.disclosure import SUPPRESSED_MARK, disclose_distribution
from pipeline.i18n import Catalog, UnknownLanguageError
from pipeline.schema import SURVEY_COLUMNS
from pipeline.text import indicators as I
from pipeline.text import markdown as M
from pipeline.text import survey as T

SEED_REGIONS = {
    "Stockholm": (7, 8),
    "Skåne": (19, 35),
    "Västra Götaland": (11, 14),
    "Norrland": (2, 2),
    "Jönköping": (4, 8),
    "Örebro": (1, 1),
}

# 43 whole-month answers that reproduce every figure of the seed's months-worked table:
# N 43, unique 30, min 0, max 120, mean 38.77, StDev 35.80, sum 1667 and percentiles
# 1.2/3.4/7.5/22/67.5/88.8/99.3 (found by a search under the "linear" definition).
SEED_MONTHS = [
    0, 1, 1, 3, 3, 5, 5, 5, 6, 7, 7, 8, 8, 13, 16, 17, 19, 19, 21, 22, 22, 22,
    23, 27, 29, 29, 42, 54, 55, 56, 60, 60, 75, 75, 80, 83, 83, 84, 90, 93, 100, 119, 120,
]  # fmt: skip


def make_survey(rows: list[dict]) -> pd.DataFrame:
    """A canonical survey table from partial rows (other columns missing), canonical dtypes."""
    frame = pd.DataFrame(rows)
    for column in (*SURVEY_COLUMNS, "employer"):
        if column not in frame:
            frame[column] = None
    frame = frame[[*SURVEY_COLUMNS, "employer"]]
    if frame["respondent_id"].isna().all():
        frame["respondent_id"] = [f"R{i:03d}" for i in range(len(frame))]
    dtypes = {"age": "Int64", "trained": "boolean", "supervision": "boolean", "year": "int64"}
    dtypes |= dict.fromkeys(("employment_pct", "months_worked", "salary_monthly_fte"), "float64")
    for column in ("respondent_id", "region", "gender", "education", "training_provider",
                   "supervision_frequency", "tasks", "employer"):  # fmt: skip
        dtypes[column] = "str"
    return frame.astype(dtypes)


def seed_survey(year: int = 2020) -> pd.DataFrame:
    rows = [
        {"year": year, "region": region}
        for region, (n, _) in SEED_REGIONS.items()
        for _ in range(n)
    ]
    return make_survey(rows)


def seed_population(year: int = 2020) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [year] * len(SEED_REGIONS),
            "region": list(SEED_REGIONS),
            "target_population": [target for _, target in SEED_REGIONS.values()],
        }
    )


def at(region: str | None = "Skåne", year: int = 2020, lang: str = "sv", **rules) -> Scope:
    """A scope of the survey rules (k, extremes_k as keywords; defaults otherwise)."""
    return Scope(region=region, year=year, lang=lang, **rules)


def group(genders: list[str | None], **columns) -> pd.DataFrame:
    rows = [{"year": 2020, "region": "Skåne", "gender": g} for g in genders]
    for name, values in columns.items():
        for row, value in zip(rows, values, strict=True):
            row[name] = value
    return make_survey(rows)


# --- response rates -----------------------------------------------------------------------


def test_response_rates_reproduce_the_seed_table():
    survey = seed_survey()
    assert len(survey) == 44
    rates = S.response_rates(survey, seed_population(), 2020)
    expected = [
        ("Stockholm", 7, 8, 87.5),
        ("Skåne", 19, 35, 54.3),
        ("Västra Götaland", 11, 14, 78.6),
        ("Norrland", 2, 2, 100.0),
        ("Jönköping", 4, 8, 50.0),
        ("Örebro", 1, 1, 100.0),
        ("Total", 44, 68, 64.7),
    ]
    got = [
        (r.region, r.responses, int(r.target_population), round(r.response_rate, 1))
        for r in rates.itertuples()
    ]
    assert got == expected
    assert rates["is_total"].tolist() == [False] * 6 + [True]


def test_response_rates_order_other_years_and_unknown_targets():
    survey = pd.concat([seed_survey(), seed_survey(2019)], ignore_index=True)
    extra = make_survey([{"year": 2020, "region": r} for r in ["Zeta", "Alfa", "Alfa"]])
    survey = pd.concat([survey, extra], ignore_index=True)
    rates = S.response_rates(survey, seed_population(), 2020)
    # Population order first, then regions only the survey has, sorted.
    assert rates["region"].tolist()[-3:] == ["Alfa", "Zeta", "Total"]
    alfa = rates.loc[rates["region"] == "Alfa"].iloc[0]
    assert alfa["responses"] == 2 and np.isnan(alfa["target_population"])
    total = rates.iloc[-1]
    assert total["responses"] == 47  # 2019 rows are not counted
    assert np.isnan(total["response_rate"])  # not every region has a target


def test_response_rates_region_without_responses_was_not_surveyed():
    # No answers at all is no survey (as pipeline.rounds counts survey years): no 0 % rate,
    # and the total's target leaves out the people nobody asked (68 - 1 of Örebro).
    population = seed_population()
    survey = seed_survey().query("region != 'Örebro'")
    rates = S.response_rates(survey, population, 2020).set_index("region")
    assert rates.loc["Örebro", "responses"] == 0 and np.isnan(rates.loc["Örebro", "response_rate"])
    assert not rates.loc["Örebro", "surveyed"] and rates.loc["Skåne", "surveyed"]
    assert rates.loc["Örebro", "target_population"] == 1
    assert rates.loc["Total", "target_population"] == 67
    assert rates.loc["Total", "response_rate"] == pytest.approx(100 * 43 / 67)
    assert S.not_surveyed(rates.reset_index()) == ["Örebro"]


def test_response_rates_of_a_year_nobody_answered_have_no_total_rate():
    rates = S.response_rates(seed_survey().iloc[0:0], seed_population(), 2020)
    assert not rates["surveyed"].any() and rates["response_rate"].isna().all()


def test_response_rates_markdown_marks_a_region_without_survey():
    survey = seed_survey().query("region != 'Örebro'")
    sv = T.response_rates_markdown(survey, seed_population(), at())
    assert "| Örebro | ingen datainsamling | 1 | ingen datainsamling |" in sv
    assert "| Totalt | 43 | 67 | 64\\,2\u00a0\\% |" in sv
    assert "Örebro hade ingen enkät 2020" in sv and "| Örebro | 0 |" not in sv
    en = T.response_rates_markdown(survey, seed_population(), at(lang="en"))
    assert "| Örebro | no data collection | 1 | no data collection |" in en
    assert "Örebro had no survey in 2020" in en


def test_survey_status_of_a_region_without_survey_says_no_data_collection():
    survey = seed_survey().query("region != 'Örebro'")
    text = T.survey_status_markdown(survey, seed_population(), at(region="Örebro"))
    assert "ingen datainsamling" in text and "Färre än" not in text


def test_response_rates_markdown_sv_and_en():
    survey, population = seed_survey(), seed_population()
    sv = T.response_rates_markdown(survey, population, at())
    assert "| Skåne | 19 | 35 | 54\\,3\u00a0\\% |" in sv
    assert "| Totalt | 44 | 68 | 64\\,7\u00a0\\% |" in sv
    en = T.response_rates_markdown(survey, population, at(lang="en"))
    assert "| Stockholm | 7 | 8 | 87\\.5\\% |" in en and "| Total | 44 | 68 |" in en


def test_response_rates_markdown_escapes_region_names():
    survey = make_survey([{"year": 2020, "region": "<script>x</script>"}])
    text = T.response_rates_markdown(survey, seed_population(), at())
    assert "<script>" not in text and "\\<script\\>" in text


# --- numeric description ----------------------------------------------------------------------


def test_describe_reproduces_the_seed_months_table():
    series = pd.Series(SEED_MONTHS + [np.nan] * 8)
    stats = S.describe_numeric(series)
    assert list(stats.index) == list(S.STATISTICS)
    assert (stats["n"], stats["missing"], stats["unique"]) == (43, 8, 30)
    assert round(stats["missing_pct"], 1) == 15.7
    assert (stats["min"], stats["max"], stats["sum"]) == (0, 120, 1667)
    assert round(stats["mean"], 2) == 38.77 and round(stats["std"], 2) == 35.80
    percentiles = [round(stats[f"p{p}"], 1) for p in S.PERCENTILES]
    assert percentiles == [1.2, 3.4, 7.5, 22.0, 67.5, 88.8, 99.3]


def test_percentile_method_on_a_hand_computed_sample():
    # n = 4, rank h = (n - 1) p + 1: p25 -> 1.75 -> 10 + 0.75 * 10 = 17.5;
    # p90 -> 3.7 -> 30 + 0.7 * 10 = 37; p5 -> 1.15 -> 11.5. Weibull would give 12.5 for p25.
    stats = S.describe_numeric(pd.Series([40.0, 10.0, 30.0, 20.0]))
    assert stats["p25"] == pytest.approx(17.5)
    assert stats["p90"] == pytest.approx(37.0)
    assert stats["p5"] == pytest.approx(11.5)
    assert stats["p50"] == pytest.approx(25.0)
    assert stats["std"] == pytest.approx(12.909944, abs=1e-6)  # sample sd, ddof=1
    assert S.PERCENTILE_METHOD == "linear"
    for lang in ("sv", "en"):
        assert "(n − 1)" in Catalog("survey_method")(lang, "percentiles")


def test_describe_handles_no_and_one_answer_and_nullable_ints():
    empty = S.describe_numeric(pd.Series([np.nan, np.nan]))
    assert empty["n"] == 0 and empty["missing_pct"] == 100 and np.isnan(empty["mean"])
    one = S.describe_numeric(pd.Series([33], dtype="Int64"))
    assert one["mean"] == 33 and np.isnan(one["std"])
    ages = S.describe_numeric(pd.Series([30, pd.NA, 50], dtype="Int64"))
    assert ages["n"] == 2 and ages["mean"] == 40 and ages["missing"] == 1


def test_numeric_markdown_shows_the_table_at_k_and_withholds_below():
    survey = group(["kvinna"] * 6, months_worked=[1, 2, 3, 4, 5, np.nan])
    text = T.numeric_markdown(survey, "months_worked", at(k=5))
    assert "| Antal svar \\(n\\) | 5 |" in text and "| Median | 3 |" in text
    assert "Medelvärde" not in text and "Lägsta" not in text  # 5 answers < extremes_k 10
    assert "| Medelvärde | 3 |" in T.numeric_markdown(
        survey, "months_worked", at(k=5, extremes_k=None)
    )
    hidden = T.numeric_markdown(survey, "months_worked", at(k=6))
    assert hidden == "Uppgifterna redovisas inte \\(färre än 6 svarande\\)\\.\n"


# --- distributions ------------------------------------------------------------------------


def test_distribution_counts_in_schema_order_with_missing_row():
    survey = group(["man", "kvinna", "kvinna", None, "okand", "kvinna"])
    table = S.distribution(survey, "gender")
    assert table["label"].tolist() == [
        "Kvinna", "Man", "Annat", "Vill ej ange", "okand", "Totalt (besvarat)", "Uppgift saknas",
    ]  # fmt: skip
    assert table["n"].tolist() == [3, 1, 0, 0, 1, 5, 1]
    assert table["percent"].iloc[:5].tolist() == [60.0, 20.0, 0.0, 0.0, 20.0]
    assert table["kind"].tolist() == ["category"] * 5 + ["total", "missing"]
    assert np.isnan(table["percent"].iloc[-1])


def test_distribution_of_booleans_is_yes_no():
    survey = group([None] * 4, trained=[True, False, True, None])
    sv = S.distribution(survey, "trained")
    assert sv["label"].tolist()[:2] == ["Ja", "Nej"] and sv["n"].tolist() == [2, 1, 3, 1]
    assert S.distribution(survey, "trained", "en")["label"].tolist()[:2] == ["Yes", "No"]


def test_distribution_does_not_mutate_its_input():
    survey = group(["man", "kvinna"], trained=[True, None])
    before = survey.copy()
    S.distribution(survey, "trained")
    S.multi_choice_distribution(survey)
    S.band_distribution(survey, "employment_pct", S.EMPLOYMENT_EDGES)
    pd.testing.assert_frame_equal(survey, before)


def test_multi_choice_counts_respondents_per_task():
    survey = group(
        [None] * 5,
        tasks=["stodsamtal;grupper", "stodsamtal", "", None, "grupper;nytt;stodsamtal"],
    )
    table = S.multi_choice_distribution(survey, "tasks", "sv").set_index("code", drop=False)
    assert table.loc["stodsamtal", "n"] == 3 and table.loc["grupper", "n"] == 2
    assert table.loc["stodsamtal", "percent"] == pytest.approx(75.0)  # 3 of the 4 who answered
    assert table.loc["foredrag", "n"] == 0
    assert table.loc["nytt", "label"] == "nytt"  # unknown code after the schema's
    assert "annan" not in table.index  # an "other" option no one chose: maybe not offered
    assert table["kind"].tolist()[-2:] == ["total", "missing"]
    # "" (every option column an explicit "not ticked") answered, choosing none; only the
    # missing answer is missing. Before, both were missing and the shares too high.
    assert table["n"].tolist()[-2:] == [4, 1]


def test_multi_choice_shows_the_other_option_only_when_chosen():
    survey = group([None] * 3, tasks=["stodsamtal;annan", "stodsamtal", ""])
    table = S.multi_choice_distribution(survey, "tasks", "sv").set_index("code", drop=False)
    assert table.loc["annan", "n"] == 1 and table.loc["annan", "label"] == "Annat"
    assert table["code"].tolist()[:7] == [
        "stodsamtal", "grupper", "aktiviteter", "personalgrupper", "foredrag", "motesstod", "annan"
    ]  # fmt: skip


def test_employment_bands_edges_and_labels():
    survey = group([None] * 8, employment_pct=[10, 49.9, 50, 74, 75, 99, 100, np.nan])
    table = S.band_distribution(survey, "employment_pct", S.EMPLOYMENT_EDGES)
    assert table["n"].tolist() == [2, 2, 2, 1, 7, 1]
    expected = ["Under 50\u00a0%", "50–74\u00a0%", "75–99\u00a0%", "100\u00a0%"]
    assert table["label"].tolist()[:4] == expected
    assert (
        S.band_distribution(survey, "employment_pct", S.EMPLOYMENT_EDGES, "en")["label"].tolist()[1]
        == "50–74%"
    )


def test_salary_bands_labels():
    survey = group([None] * 3, salary_monthly_fte=[24_000, 30_000, 41_000])
    table = S.band_distribution(survey, "salary_monthly_fte", S.SALARY_EDGES)
    assert table["n"].tolist()[:4] == [1, 0, 1, 1]
    assert table["label"].tolist()[:4] == [
        "Under 25\xa0000\xa0kr", "25\xa0000–29\xa0999\xa0kr", "30\xa0000–34\xa0999\xa0kr",
        "35\xa0000\xa0kr eller mer",
    ]  # fmt: skip
    assert (
        S.band_distribution(survey, "salary_monthly_fte", S.SALARY_EDGES, "en")["label"].tolist()[3]
        == "35,000\u00a0SEK or more"
    )


# --- disclosed Markdown -----------------------------------------------------------------------


def _cells(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    body = [row for row in rows[1:] if not re.match(r"^\| :?-", row)]  # drop the rule line
    return [[c.strip() for c in row.strip("|").split(" | ")] for row in body]


def _small_numbers(markdown: str, k: int) -> list[str]:
    """Every standalone number 1..k-1 in the text (the footnote's k itself is not small)."""
    return re.findall(rf"(?<![\d,.\\]])\b[1-{k - 1}]\b(?![\d]|\\[,.]\d)", markdown)


def test_distribution_markdown_suppresses_small_cells_and_adds_footnote():
    survey = group(["kvinna"] * 12 + ["man"] * 6 + ["annat"] * 2 + [None] * 3)
    text = T.distribution_markdown(survey, "gender", at(k=5))
    rows = {r[0]: r[1:] for r in _cells(text)}
    assert rows["Kvinna"] == ["12", "60\u00a0\\%"]
    assert rows["Man"] == [SUPPRESSED_MARK.replace("*", "\\*")] * 2  # secondary
    assert rows["Annat"] == [SUPPRESSED_MARK.replace("*", "\\*")] * 2  # primary
    assert rows["Vill ej ange"] == ["0", "0\u00a0\\%"]
    assert rows["Totalt \\(besvarat\\)"] == ["20", "100\u00a0\\%"]
    assert "markeras –\\*" in text


def test_no_small_count_reaches_markdown_for_a_region_of_two():
    survey = make_survey(
        [
            {"year": 2020, "region": "Norrland", "gender": "kvinna", "age": 30, "trained": True,
             "months_worked": 3, "employment_pct": 50, "salary_monthly_fte": 26000,
             "supervision": True, "supervision_frequency": "varje_vecka", "tasks": "stodsamtal",
             "education": "hogskola", "training_provider": "nsph", "employer": "kommun"},
            {"year": 2020, "region": "Norrland", "gender": "man", "age": 41, "trained": False,
             "months_worked": 1, "employment_pct": 100, "salary_monthly_fte": 29000,
             "supervision": True, "tasks": "grupper;stodsamtal"},
        ]
    )  # fmt: skip
    population = pd.DataFrame({"year": [2020], "region": ["Norrland"], "target_population": [2]})
    NORRLAND = at("Norrland", k=5)  # noqa: N806
    outputs = [T.distribution_markdown(survey, c, NORRLAND) for c in (
        "gender", "education", "trained", "training_provider", "supervision",
        "supervision_frequency", "employer")]  # fmt: skip
    outputs += [T.numeric_markdown(survey, c, NORRLAND) for c in (
        "age", "months_worked", "employment_pct", "salary_monthly_fte")]  # fmt: skip
    outputs += [
        T.distribution_markdown(survey, "tasks", NORRLAND),
        T.distribution_markdown(survey, "employment_pct", at("Norrland", lang="en", k=5)),
        T.distribution_markdown(survey, "salary_monthly_fte", NORRLAND),
    ]
    for text in outputs:
        assert _small_numbers(text, 5) == [], text
        assert "redovisas inte" in text or "not shown" in text.lower().replace("\\", "")
    indicators = I.key_indicators_markdown(survey, population, NORRLAND)
    rows = {r[0]: r[1:] for r in _cells(indicators)}
    # Responses are public; every statistic of the two is suppressed.
    assert rows["Antal svar"] == ["2"] and rows["Svarsfrekvens"] == ["100\u00a0\\%"]
    for name in ("Medianålder \\(år\\)", "Andel utbildade", "Median månadslön \\(heltid\\, kr\\)"):
        assert rows[name] == ["–\\*"]


def test_no_primary_count_appears_in_any_table_of_a_mixed_group():
    rng = np.random.default_rng(7)
    genders = rng.choice(
        ["kvinna", "man", "annat", "vill_ej_ange"], p=[0.6, 0.3, 0.07, 0.03], size=23
    )
    survey = group(list(genders), trained=list(rng.random(23) < 0.85))
    for column in ("gender", "trained"):
        table = S.distribution(survey, column)
        text = T.distribution_markdown(survey, column, at(k=5))
        rows = _cells(text)
        for row, n in zip(rows, table["n"], strict=True):
            if 0 < n < 5:
                assert row[1:] == ["–\\*", "–\\*"], (column, row)


def test_disclosed_markdown_accepts_only_disclosed_tables():
    with pytest.raises(TypeError, match="Disclosed"):
        M.disclosed_markdown(S.distribution(group(["man"] * 9), "gender"), {"label": "x"}, {}, "sv")
    disclosed = disclose_distribution(S.distribution(group(["man"] * 9), "gender"), 5)
    text = M.disclosed_markdown(disclosed, {"label": "Svar", "n": "Antal"}, {"n": str}, "sv")
    assert text.startswith("| Svar | Antal |") and "markeras" not in text


def test_tasks_markdown_suppresses_tasks_that_all_but_a_few_do():
    tasks = ["stodsamtal;grupper"] * 8 + ["stodsamtal"] * 2
    text = T.distribution_markdown(group([None] * 10, tasks=tasks), "tasks", at(lang="en", k=5))
    rows = {r[0]: r[1:] for r in _cells(text)}
    assert rows["Supportive conversations"] == ["10", "100\\%"]
    assert rows["Group sessions"] == ["–\\*", "–\\*"]  # 2 did not: they would be singled out
    assert rows["Lectures"] == ["0", "0\\%"]
    assert "marked –\\*" in text


# --- key indicators ---------------------------------------------------------------------------


def _indicator_survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        {"year": 2020, "region": "Skåne", "age": age, "months_worked": m, "trained": t,
         "supervision": s, "employment_pct": e, "salary_monthly_fte": sal}
        for age, m, t, s, e, sal in [
            (30, 10, True, True, 50, 25000), (40, 20, True, True, 100, 27000),
            (50, 30, True, False, 75, 29000), (20, 40, True, True, 25, 31000),
            (35, np.nan, True, True, 50, 33000), (45, 60, False, None, None, None),
        ]
    ]  # fmt: skip
    rows += [{"year": 2019, "region": "Skåne", "age": 33}, {"year": 2020, "region": "Örebro"}]
    population = pd.DataFrame(
        {"year": [2019, 2020, 2020], "region": ["Skåne", "Skåne", "Örebro"],
         "target_population": [4, 12, 1]}
    )  # fmt: skip
    return make_survey(rows), population


def test_key_indicators_hand_computed():
    survey, population = _indicator_survey()
    table = key_indicators(survey, population, at(), years=[2020, 2019]).set_index("year")
    assert list(table.index) == [2019, 2020]
    row = table.loc[2020]
    assert row["responses"] == 6 and row["target_population"] == 12 and row["response_rate"] == 50
    assert row["median_age"] == 37.5  # of 20, 30, 35, 40, 45, 50
    assert row["median_months_worked"] == 30  # of 10, 20, 30, 40, 60
    assert row["trained_pct"] == pytest.approx(500 / 6)
    assert row["supervision_pct"] == pytest.approx(80.0)
    assert row["median_employment_pct"] == 50 and row["median_salary"] == 29000
    early = table.loc[2019]
    assert early["responses"] == 1 and early["response_rate"] == 25 and early["median_age"] == 33
    assert np.isnan(early["median_salary"])


def test_key_indicators_markdown_suppresses_per_cell():
    survey, population = _indicator_survey()
    text = I.key_indicators_markdown(survey, population, at(k=5))
    rows = {r[0]: r[1:] for r in _cells(text)}
    assert _cells(text)[0][0] == "Antal svar"
    assert rows["Antal svar"] == ["1", "6"]  # public
    assert rows["Svarsfrekvens"] == ["25\u00a0\\%", "50\u00a0\\%"]
    # 2019: one answer; 2020: six answers, a median shown from k (a mean needed 10)
    assert rows["Medianålder \\(år\\)"] == ["–\\*", "37\\,5"]
    assert rows["Median tjänstgöringsgrad"] == ["–\\*", "50\u00a0\\%"]
    assert "färre än 10 svar" not in text
    assert rows["Andel utbildade"] == ["–\\*", "–\\*"]  # 2020: 5 of 6, one untrained
    assert rows["Andel med handledning"] == ["–\\*", "–\\*"]  # 4 of 5
    assert rows["Median månadslön \\(heltid\\, kr\\)"] == ["–\\*", "29\u00a0000"]
    assert "| Indikator | 2019 | 2020 |" in text and "markeras" in text


def test_years_up_to_and_respondents():
    survey, population = _indicator_survey()
    assert S.years_up_to(survey, population, at()) == [2019, 2020]
    assert S.years_up_to(survey, population, at(year=2019)) == [2019]
    assert len(S.respondents(survey, at())) == 6
    assert len(S.respondents(survey, at().nationwide())) == 7  # every region of the year


def test_region_withheld_markdown_escapes_the_region():
    text = T.region_withheld_markdown(at("Ö*rebro", k=5))
    assert "Ö\\*rebro" in text and "Färre än 5" in text


# --- extremes and totals (issue 11) --------------------------------------------------------

_EXTREME_ROWS = ("Lägsta värde", "Högsta värde", "Summa", "Medelvärde", "Standardavvikelse")


@pytest.mark.parametrize("n", [5, 9])  # k and the extremes threshold - 1
def test_numeric_items_below_the_extremes_threshold_show_no_min_max_or_sum(n):
    salaries = [25_400.0 + 700 * i for i in range(n)]
    table = group(["kvinna"] * n, salary_monthly_fte=salaries, age=list(range(28, 28 + n)))
    text = T.numeric_items_markdown(table, at(k=5), columns=("age", "salary_monthly_fte"))
    for row in _EXTREME_ROWS:
        assert f"| {row} |" not in text, row
    assert "| Median |" in text and "25\u00a0400" not in text and "| 28 |" not in text
    assert "färre än 10 svar" in text


def test_numeric_items_mix_thresholds_per_item():
    n = 10
    table = group(["kvinna"] * n, age=list(range(30, 30 + n)), months_worked=[1.0] * 6 + [None] * 4)
    text = T.numeric_items_markdown(table, at(k=5), columns=("age", "months_worked"))
    assert "| Lägsta värde | 30 | –\\* |" in text  # age has 10 answers, months only 6


def test_an_unknown_language_is_an_error_not_swedish():
    with pytest.raises(UnknownLanguageError, match="'de'"):
        at(lang="de")
    with pytest.raises(UnknownLanguageError):
        S.distribution(group(["man"]), "gender", "de")


# --- tables that give each other away ----------------------------------------------------

# The reviewer's Västra Götaland 2020: ten employment percentages, banded 2 / 6 / 1 / 1.
EMPLOYMENT = [20, 25, 50, 50, 50, 50, 50, 60, 80, 100]


def _employment_scope() -> tuple[pd.DataFrame, Scope]:
    rows = [{"year": 2020, "region": "VG", "employment_pct": float(v)} for v in EMPLOYMENT]
    return make_survey(rows), Scope(region="VG", year=2020, lang="sv", k=5, extremes_k=10)


def test_tails_are_withheld_beside_bands_with_a_suppressed_cell():
    survey, scope = _employment_scope()
    assert S.disclose_item(survey, "employment_pct", scope).any_suppressed  # 2, 1, 1 hidden
    stats = S.disclose_numeric(survey, scope, columns=["employment_pct"])["employment_pct"]
    hidden = stats.suppressed["value"]
    # Minimum, the 5th and 10th percentiles pin the two lowest answers (20, 25), the
    # maximum with the 90th and 95th the two highest (80, 100): the hidden bands' counts.
    assert all(hidden[s] for s in S.TAIL_STATISTICS)
    assert not any(hidden[s] for s in ("n", "p25", "p50", "p75", "mean", "sum"))
    markdown = T.numeric_items_markdown(survey, scope, columns=["employment_pct"])
    for shown in ("22,2", "24,5", "82", "91"):  # what the tails were
        assert shown not in markdown
    assert "tillsammans med frågans tabell i intervall" in markdown


def test_tails_stay_when_the_bands_hide_nothing():
    rows = [
        {"year": 2020, "region": "VG", "employment_pct": float(v)} for v in [50] * 5 + [100] * 5
    ]
    survey = make_survey(rows)
    scope = Scope(region="VG", year=2020, lang="sv", k=5, extremes_k=10)
    assert not S.disclose_item(survey, "employment_pct", scope).any_suppressed
    stats = S.disclose_numeric(survey, scope, columns=["employment_pct"])["employment_pct"]
    assert not stats.suppressed.at["max", "value"] and stats.table.at["max", "value"] == 100


def _supervision(yes: int, no: int) -> tuple[pd.DataFrame, Scope]:
    """`yes` respondents with weekly supervision and `no` without any."""
    with_it = {"supervision": True, "supervision_frequency": "varje_vecka"}
    rows = [{"year": 2020, "region": "Sthlm", **with_it} for _ in range(yes)]
    rows += [{"year": 2020, "region": "Sthlm", "supervision": False} for _ in range(no)]
    return make_survey(rows), Scope(region="Sthlm", year=2020, lang="sv", k=5)


def test_a_follow_up_is_withheld_when_its_filter_hides_a_cell():
    # Supervision: yes 6, no 1 (both hidden); how often: 6 answered. Shown, the 6 would
    # make "yes" at least 6 and so "no" exactly 1.
    survey, scope = _supervision(yes=6, no=1)
    assert S.disclose_item(survey, "supervision", scope).any_suppressed
    follow_up = S.disclose_item(survey, "supervision_frequency", scope)
    assert follow_up.withheld and follow_up.reason == "linked"
    markdown = T.distribution_markdown(survey, "supervision_frequency", scope)
    assert "6" not in markdown and "tillsammans med en annan tabell" in markdown


def test_a_follow_up_too_small_itself_gives_its_own_reason():
    # Örebro 2020 of the demo, one respondent: every table said "fewer than 5 answered"
    # but the follow-ups said "together with another table", the lesser reason.
    survey, scope = _supervision(yes=1, no=0)
    follow_up = S.disclose_item(survey, "supervision_frequency", scope)
    assert follow_up.withheld and follow_up.reason == "small"
    markdown = T.distribution_markdown(survey, "supervision_frequency", scope)
    assert "tillsammans med en annan tabell" not in markdown


def test_a_follow_up_is_shown_when_its_filter_hides_nothing():
    survey, scope = _supervision(yes=6, no=5)
    follow_up = S.disclose_item(survey, "supervision_frequency", scope)
    assert not follow_up.withheld and follow_up.table["n"].max() == 6


def test_a_report_without_the_bands_keeps_the_tails():
    # The overview shows no national table in bands: nothing for its tails to give away.
    survey, scope = _employment_scope()
    stats = S.disclose_numeric(survey, scope, columns=["employment_pct"], beside_bands=False)
    assert stats["employment_pct"].table.at["max", "value"] == 100
    markdown = T.numeric_items_markdown(
        survey, scope, columns=["employment_pct"], beside_bands=False
    )
    assert "tillsammans med frågans tabell i intervall" not in markdown


def test_key_indicators_of_a_year_without_survey_say_no_data_collection():
    # 2019: Skåne has a target but no answers (no survey); 2020 has answers.
    survey = seed_survey()
    population = pd.concat([seed_population(2019), seed_population()], ignore_index=True)
    table = I.key_indicators_markdown(survey, population, at())
    assert "| Antal svar | ingen datainsamling | 19 |" in table
    assert "| Målpopulation | 35 | 35 |" in table
    assert "| Svarsfrekvens | ingen datainsamling | 54\\,3\u00a0\\% |" in table
    assert "0\u00a0\\%" not in table.split("Svarsfrekvens")[1].split("\n")[0]
    figures = I.key_figures_markdown(survey, population, at(year=2019))
    assert "- Antal svar: ingen datainsamling" in figures
    assert "- Svarsfrekvens: ingen datainsamling" in figures and "- Målpopulation: 35" in figures
    # Nothing was collected, so nothing is withheld: no suppression footnote.
    assert SUPPRESSED_MARK not in figures and "redovisas inte" not in figures


# --- a region without a survey: no data collection, never "fewer than k" ----------------


def test_survey_status_of_a_region_the_population_file_lacks_says_no_data_collection():
    # A params region that joins in a later round is in no file of this year at all.
    survey = seed_survey().query("region != 'Örebro'")
    population = seed_population().query("region != 'Örebro'")
    text = T.survey_status_markdown(survey, population, at(region="Örebro"))
    assert "Örebro hade ingen enkät 2020 \\(ingen datainsamling\\)" in text
    assert "Färre än" not in text


@pytest.mark.parametrize("column", ["education", "tasks", "employment_pct", "trained"])
def test_survey_tables_of_a_region_without_answers_say_no_data_collection(column):
    survey = seed_survey().query("region != 'Örebro'")
    sv = T.distribution_markdown(survey, column, at(region="Örebro"))
    assert "ingen datainsamling" in sv and "färre än" not in sv
    en = T.distribution_markdown(survey, column, at(region="Örebro", lang="en"))
    assert "no data collection" in en and "fewer than" not in en
    # Two answers are a survey with too few respondents, as before.
    assert "färre än 5 svarande" in T.distribution_markdown(survey, column, at(region="Norrland"))


def test_numeric_table_and_figure_of_a_region_without_answers_say_no_data_collection():
    from pipeline.figures import survey as F

    survey = seed_survey().query("region != 'Örebro'")
    table = T.numeric_items_markdown(survey, at(region="Örebro"))
    assert "ingen datainsamling" in table and "färre än" not in table
    rows = S.respondents(survey, at(region="Örebro"))
    figure = F.numeric_figure(rows, "months_worked", "sv", 5, 10)
    assert isinstance(figure, str) and "ingen datainsamling" in figure
    alt = F.numeric_alt(rows, "months_worked", "sv", 5, 10)
    assert "ingen datainsamling" in alt and "färre än" not in alt


def test_an_item_nobody_answered_in_a_surveyed_region_is_withheld_not_no_data():
    # Asked but unanswered (every value missing) is a survey: "fewer than k answered".
    survey = group(["kvinna"] * 6, months_worked=[None] * 6)
    table = T.numeric_markdown(survey, "months_worked", at())
    assert "färre än 5 svarande" in table and "ingen datainsamling" not in table


def test_key_figures_of_a_region_the_population_file_lacks_leave_no_empty_value():
    survey = seed_survey().query("region != 'Örebro'")
    population = seed_population().query("region != 'Örebro'")
    figures = I.key_figures_markdown(survey, population, at(region="Örebro"))
    assert "- Målpopulation: ingen datainsamling" in figures
    assert not re.search(r": *$", figures, flags=re.MULTILINE)
    table = I.key_indicators_markdown(survey, population, at(region="Örebro"))
    assert "| Målpopulation | ingen datainsamling |" in table


def test_key_figures_say_which_figures_they_leave_out_without_a_mark_they_do_not_show():
    # The list leaves a withheld figure out; "(markeras –*)" would point to no mark.
    population = seed_population()
    few = I.key_figures_markdown(seed_survey(), population, at(region="Norrland", lang="en"))
    assert SUPPRESSED_MARK.replace("*", "\\*") not in few
    assert "The other key figures are not shown \\(fewer than 5 respondents\\)" in few
    rows = [{"year": 2020, "region": "Skåne", "trained": t} for t in [True] * 17 + [False] * 2]
    survey = pd.concat([seed_survey().query("region != 'Skåne'"), make_survey(rows)])
    some = I.key_figures_markdown(survey, population, at())
    assert "markeras" not in some
    assert "andel utbildade" in some and "redovisas inte\\, eftersom de skulle visa" in some
    assert "Antal svar: 19" in some
