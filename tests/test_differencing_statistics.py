"""Tests of statistics in the differencing attacker and of their complementary suppression.

The national overview shows the whole country's sum and mean of every numeric item; a
region below `extremes_k` answers shows neither. With exactly one such region, national
minus the other regions gives its sum away. The attacker (`pipeline.differencing_statistics`
through `pipeline.differencing_html`) must find that in a build's HTML, and
`pipeline.linked_statistics` must leave it nothing to find.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pypandoc
import pytest
from support import ROOT, make_project, run_cli

from pipeline import linked_statistics
from pipeline.analysis import Scope
from pipeline.analysis.survey import describe_numeric
from pipeline.differencing import Relation, attack, ranges, sum_relation
from pipeline.differencing_html import audit_build, build_system
from pipeline.differencing_statistics import NATIONAL, statistic_key
from pipeline.disclosure import SUPPRESSED_MARK, suppress_statistics
from pipeline.disclosure_text import complement_note, extremes_note
from pipeline.html_tables import page_language, parse_tables, published_number
from pipeline.slug import slugify
from pipeline.text.survey import numeric_items_markdown

K, EXTREMES_K = 5, 10
ITEMS = ("age", "months_worked", "employment_pct", "salary_monthly_fte")
REGION_CAPTION = "Ålder, erfarenhet, tjänstgöringsgrad och lön"
NATION_CAPTION = "Ålder, månader som peer supporter, tjänstgöringsgrad och lön i hela landet"


def _people(region: str, n: int, seed: int) -> list[dict]:
    """n respondents with varied answers (no two regions alike)."""
    return [
        {
            "region": region,
            "year": 2020,
            "age": 25 + (7 * i + seed) % 40,
            "months_worked": float((11 * i + 3 * seed) % 90),
            "employment_pct": float(25 + (25 * (i + seed)) % 100),
            "salary_monthly_fte": 24_000.0 + 100 * ((13 * i + seed) % 70),
        }
        for i in range(n)
    ]


def _survey(sizes: dict[str, int]) -> pd.DataFrame:
    rows = [p for seed, (r, n) in enumerate(sizes.items()) for p in _people(r, n, seed)]
    return pd.DataFrame(rows)


LEAKY = {"Alby": 1, "Berga": 12, "Cedra": 10}  # Alby alone below extremes_k
SMALL_REGIONS = {"Alby": 1, "Dala": 2, "Berga": 12, "Cedra": 10, "Esby": 6}


def _rates(data: pd.DataFrame) -> str:
    lines = ["| Region | Antal svar (n) | Målpopulation (N) | Svarsfrekvens |", "|---|--:|--:|--:|"]
    for region, n in data.groupby("region").size().items():
        lines.append(f"| {region} | {n} | {n} | 100 % |")
    lines.append(f"| Totalt | {len(data)} | {len(data)} | 100 % |")
    return ": Svarsfrekvens per region\n\n" + "\n".join(lines) + "\n"


def _page(*parts: str) -> str:
    return pypandoc.convert_text("\n\n".join(parts), "html", format="markdown")


def _scope(region: str | None) -> Scope:
    return Scope(region=region, year=2020, lang="sv", k=K, extremes_k=EXTREMES_K)


def _captioned(caption: str, text: str) -> str:
    return f": {caption}\n\n{text}" if text.lstrip().startswith("|") else text


def _write_build(out: Path, data: pd.DataFrame, linked: bool, drop_sum: bool = False) -> None:
    """Every region's statistics table, and the overview's national one (linked or not)."""
    for region in sorted(set(data["region"])):
        own = numeric_items_markdown(data, _scope(region), columns=ITEMS)
        folder = out / "2020" / slugify(region)
        folder.mkdir(parents=True)
        (folder / "rapport.html").write_text(
            _page(_rates(data), _captioned(REGION_CAPTION, own)), encoding="utf-8"
        )
    if linked:
        nation = linked_statistics.national_numeric_markdown(data, _scope(None))
    else:
        nation = numeric_items_markdown(data, _scope(None), columns=ITEMS)
    if drop_sum:  # a table that withholds the sum but still shows the mean and its N
        nation = "\n".join(line for line in nation.split("\n") if not line.startswith("| Summa"))
    (out / "2020" / "oversikt.html").write_text(
        _page(_rates(data), _captioned(NATION_CAPTION, nation)), encoding="utf-8"
    )


def _secret(region: str, item: str = "age") -> tuple:
    return statistic_key("2020", slugify(region), item, "sum")


# --- reading the published numbers ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1 817", "sv", (1817.0, 0)),
        ("43,3", "sv", (43.3, 1)),
        ("27,900", "en", (27900.0, 0)),
        ("47.5", "en", (47.5, 1)),
        ("56,9 %", "sv", (56.9, 1)),
        (SUPPRESSED_MARK, "sv", None),
    ],
)
def test_published_numbers_are_read_in_the_page_locale(text, lang, expected):
    assert published_number(text, lang) == expected


def test_the_page_language_decides_the_locale():
    assert page_language('<!DOCTYPE html>\n<html lang="en">') == "en"
    assert page_language('<html lang="sv">') == "sv"
    assert page_language("<p>a fragment</p>") == "sv"  # the reports' default


def test_a_number_in_the_wrong_form_is_an_error():
    with pytest.raises(ValueError, match="not a number: 'n/a'"):
        published_number("n/a", "sv")


# --- the method: rounded statistics ----------------------------------------------------


def test_a_sum_known_to_within_rounding_is_determined():
    # national 100.0 +- 0.05 = a + b with b = 60.0 +- 0.05: a is 40 to within 0.1.
    values = {"nat": 100.0, "a": None, "b": 60.0}
    found = attack(
        values,
        [sum_relation(["a", "b"], "nat")],
        tolerance={"nat": 0.05, "b": 0.05},
        continuous=["a"],
    )
    assert [f.cell for f in found] == ["a"]
    assert found[0].low == pytest.approx(39.9) and found[0].high == pytest.approx(40.1)


def test_two_withheld_sums_under_one_total_are_not_determined():
    values = {"nat": 100.0, "a": None, "c": None, "b": 60.0}
    relations = [sum_relation(["a", "b", "c"], "nat")]
    tolerance = {"nat": 0.05, "b": 0.05}
    assert attack(values, relations, tolerance=tolerance, continuous=["a", "c"]) == []
    [a] = ranges(values, relations, ["a"], None, tolerance, ["a"])
    assert (a.low, a.high) == (pytest.approx(0.0), pytest.approx(40.1))


def test_a_mean_times_its_n_bounds_the_sum_both_ways():
    # mean 12.5 (+- 0.05) over n = 4 answers: the sum lies in [49.8, 50.2].
    values = {"sum": None, "n": 4.0}
    relations = [
        Relation((("sum", 1.0), ("n", -12.5)), 0.0, True, (("n", -0.05),)),
        Relation((("n", 12.5), ("sum", -1.0)), 0.0, True, (("n", -0.05),)),
    ]
    [finding] = ranges(values, relations, ["sum"], continuous=["sum"])
    assert (finding.low, finding.high) == (pytest.approx(49.8), pytest.approx(50.2))
    assert finding.determined


# --- inline builds: planted leak, the fix, small regions ---------------------------------


def test_a_planted_leak_in_the_national_statistics_is_found(tmp_path):
    """Each table passes its own rule, but national minus Berga and Cedra gives Alby away."""
    data = _survey(LEAKY)
    _write_build(tmp_path, data, linked=False)
    system = build_system(tmp_path)
    found = {f.cell: f for f in system.attack()}
    alby_age = float(data.loc[data["region"] == "Alby", "age"].sum())
    for item in ITEMS:
        assert _secret("Alby", item) in found, item
    assert found[_secret("Alby")].low <= alby_age <= found[_secret("Alby")].high
    assert found[_secret("Alby")].high - found[_secret("Alby")].low < 1.0
    assert "2020 alby: sum of age" in system.describe(found[_secret("Alby")])


def test_a_finding_names_the_table_and_cell(tmp_path):
    # Alby (6 answers) shows its own table without the sum: national minus the rest.
    data = _survey({"Alby": 6, "Berga": 12, "Cedra": 10})
    _write_build(tmp_path, data, linked=False)
    system = build_system(tmp_path)
    finding = {f.cell: f for f in system.attack()}[_secret("Alby")]
    where = f"2020/alby/rapport.html: {REGION_CAPTION}: Ålder / Summa (row left out)"
    assert system.describe(finding).startswith(where)
    assert "Ålder / Medelvärde (row left out)" in system.describe(finding)  # mean x N too
    assert finding.low <= data.loc[data["region"] == "Alby", "age"].sum() <= finding.high


def test_a_mean_with_its_n_gives_the_sum_away_too(tmp_path):
    data = _survey(LEAKY)
    _write_build(tmp_path, data, linked=False, drop_sum=True)
    nation = (tmp_path / "2020" / "oversikt.html").read_text()
    assert "Summa" not in nation and "Medelvärde" in nation
    assert _secret("Alby") in {f.cell for f in audit_build(tmp_path)}


def test_the_fix_withholds_the_national_totals_and_says_why(tmp_path):
    data = _survey(LEAKY)
    _write_build(tmp_path, data, linked=True)
    system = build_system(tmp_path)
    assert _secret("Alby") in system.targets  # the secret is still examined
    assert audit_build(tmp_path) == []
    [table] = parse_tables((tmp_path / "2020" / "oversikt.html").read_text())[1:]
    shown = [row[0] for row in table.rows]
    # No item may show them, so the rows are left out (as below extremes_k); the rest stays.
    assert not {"Medelvärde", "Standardavvikelse", "Summa"} & set(shown)
    assert {"Antal svar (n)", "Lägsta värde", "Högsta värde", "Median"} <= set(shown)
    text = linked_statistics.national_numeric_markdown(data, _scope(None))
    assert complement_note(K, EXTREMES_K, "sv").split(" (")[0] in text.replace("\\", "")
    assert extremes_note(K, EXTREMES_K, "sv").split(" (")[0] not in text.replace("\\", "")


def test_complementary_cells_show_the_one_mark():
    """One item withheld by the pattern: its cells are marked, the others' are shown."""
    data = _survey({"Berga": 12, "Cedra": 10})
    text = numeric_items_markdown(
        data, _scope(None), columns=ITEMS, also={"age": linked_statistics.TOTALS}
    )
    [table] = parse_tables(_page(_captioned(NATION_CAPTION, text)))
    rows = {row[0]: row[1:] for row in table.rows}
    for label in ("Medelvärde", "Standardavvikelse", "Summa"):
        assert rows[label][0] == SUPPRESSED_MARK
        assert SUPPRESSED_MARK not in rows[label][1:]
    assert rows["Högsta värde"][0] != SUPPRESSED_MARK
    assert complement_note(K, EXTREMES_K, "sv").split(" (")[0] in text.replace("\\", "")


@pytest.mark.parametrize("linked", [False, True], ids=["unlinked", "linked"])
def test_one_and_two_respondent_regions_leave_nothing_to_find(tmp_path, linked):
    """Alby (1), Dala (2) and Esby (6) are all below extremes_k: no sum is alone."""
    data = _survey(SMALL_REGIONS)
    _write_build(tmp_path, data, linked=linked)
    system = build_system(tmp_path)
    for region in ("Alby", "Dala", "Esby"):
        assert _secret(region) in system.targets
    assert audit_build(tmp_path) == []
    # Not safe by luck: Alby's age sum is left a wide range, not one value.
    [alby] = ranges(
        system.values,
        system.relations,
        [_secret("Alby")],
        system.upper,
        system.tolerance,
        system.continuous,
    )
    assert alby.high - alby.low > 10


# --- the protection on inline frames: the thresholds ------------------------------------


@pytest.mark.parametrize("size", [1, 2, K - 1, K, EXTREMES_K - 1, EXTREMES_K])
def test_the_national_totals_are_withheld_exactly_when_one_region_is_below_the_threshold(size):
    data = _survey({"Alby": size, "Berga": 12, "Cedra": 10})
    found = linked_statistics.national_complement(data, 2020, K, EXTREMES_K, ITEMS)
    if size < EXTREMES_K:
        assert {item: found[item][:3] for item in ITEMS} == dict.fromkeys(
            ITEMS, linked_statistics.TOTALS
        )
        # Beyond the totals: the national extremes that only Alby has (age and months
        # are not shown in bands, so Berga and Cedra show theirs).
        others = data.loc[data["region"] != "Alby"]
        for item in ("age", "months_worked"):
            only_alby = {
                name
                for name in linked_statistics.EXTREMES
                if getattr(data[item], name)() != getattr(others[item], name)()
            }
            assert set(found[item][3:]) == only_alby, item
    else:  # Alby's own sum and extremes are published: nothing to protect
        assert found == {}


def test_a_national_extreme_only_a_small_region_has_is_withheld():
    # Alby's one respondent is the oldest of the year; Berga and Cedra show their own
    # maxima, so the overview's would be Alby's answer.
    data = _survey({"Alby": 1, "Berga": 12, "Cedra": 10})
    data.loc[data["region"] == "Alby", "age"] = 69
    assert linked_statistics.hidden_extremes(data, "age", K, EXTREMES_K) == ("max",)
    # Shared with a region that shows it: nothing new.
    data.loc[data.index[data["region"] == "Berga"][0], "age"] = 69
    assert linked_statistics.hidden_extremes(data, "age", K, EXTREMES_K) == ()


def test_a_national_extreme_among_enough_hidden_answers_stays():
    # Four regions withhold their extremes, with 12 answers together: the national
    # maximum is one answer among 12, as any group's of extremes_k or more.
    data = _survey({"Alby": 3, "Dala": 3, "Esby": 3, "Fors": 3, "Berga": 12})
    data.loc[data["region"] == "Alby", "age"] = 69
    assert linked_statistics.hidden_extremes(data, "age", K, EXTREMES_K) == ()
    # Two of them only (6 answers): withheld.
    fewer = data.loc[data["region"].isin(["Alby", "Dala", "Berga"])]
    assert linked_statistics.hidden_extremes(fewer, "age", K, EXTREMES_K) == ("max",)


def test_the_overview_prints_no_extreme_of_a_lone_small_region():
    data = _survey({"Alby": 1, "Berga": 12, "Cedra": 10})
    data.loc[data["region"] == "Alby", "age"] = 69
    markdown = linked_statistics.national_numeric_markdown(data, _scope(None))
    maximum = next(line for line in markdown.splitlines() if line.startswith("| Högsta värde"))
    assert maximum.split("|")[2].strip() == "–\\*"  # the age column: withheld, not 69
    assert "69" not in markdown


def test_all_answers_equal_also_withholds_the_national_extremes():
    # Everyone works full time: min = max = 100 and the public N give every sum away.
    data = _survey(LEAKY).assign(employment_pct=100.0)
    found = linked_statistics.national_complement(data, 2020, K, EXTREMES_K, ["employment_pct"])
    assert found == {"employment_pct": (*linked_statistics.TOTALS, *linked_statistics.EXTREMES)}


def test_the_demo_survey_needs_no_national_complement():
    """Every demo year has at least two regions below extremes_k per item."""
    years = range(2017, 2021)
    data = pd.concat(pd.read_csv(ROOT / "data" / "demo" / str(y) / "survey.csv") for y in years)
    for year in years:
        assert linked_statistics.national_complement(data, year, K, EXTREMES_K) == {}, year


def test_complementary_statistics_are_blanked_like_any_suppressed_cell():
    stats = describe_numeric(pd.Series([float(v) for v in range(20)]))
    disclosed = suppress_statistics(stats, 20, K, EXTREMES_K, also=("sum", "mean"))
    assert disclosed.suppressed.at["sum", "value"] and disclosed.suppressed.at["mean", "value"]
    assert pd.isna(disclosed.table.at["sum", "value"])
    assert not disclosed.suppressed.at["max", "value"]  # only what was asked for
    assert disclosed.table.at["max", "value"] == 19.0


# --- a real build with one region alone below the threshold -------------------------------


@pytest.fixture(scope="module")
def leaky_demo(tmp_path_factory) -> Path:
    """Demo 2020 where Norrland's, Jönköping's and Örebro's respondents answered as Skåne's:
    for months worked and employment percentage, Stockholm alone is then below
    extremes_k (4 and 6 answers; Västra Götaland has 10)."""
    tmp = tmp_path_factory.mktemp("statistics-build")
    data_dir = tmp / "data"
    shutil.copytree(ROOT / "data" / "demo", data_dir)
    path = data_dir / "2020" / "survey.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["region"].isin(["Norrland", "Jönköping", "Örebro"]), "region"] = "Skåne"
    frame.to_csv(path, index=False)
    params = make_project(tmp, {"data_dir": str(data_dir)})
    out = tmp / "out"
    args = ["run", "--params", str(params), "--out", str(out), "--renderer", "builtin"]
    args += ["--year", "2020", "--format", "html", "--jobs", "2"]
    for region in ("Stockholm", "Skåne", "Västra Götaland"):
        args += ["--region", region]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.e2e
def test_a_build_with_one_region_below_the_threshold_is_protected(leaky_demo):
    system = build_system(leaky_demo)
    for item in ("months_worked", "employment_pct"):
        assert statistic_key("2020", "stockholm", item, "sum") in system.targets
        assert system.values[statistic_key("2020", NATIONAL, item, "sum")] is None
    assert system.values[statistic_key("2020", NATIONAL, "age", "sum")] is not None
    assert audit_build(leaky_demo) == []
    overview = (leaky_demo / "2020" / "oversikt.html").read_text(encoding="utf-8")
    # The note is said once, naming its table (pipeline.section_notes.merge_section_notes).
    assert re.search(r"Tabell \d+: där hela landets summa, medelvärde", overview)
