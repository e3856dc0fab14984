"""The synthetic demo data: reproducible from its script, and shaped as the brief requires."""

from __future__ import annotations

import csv
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from pipeline import schema

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SCRIPT = DEMO / "make_demo.py"
YEARS = (2017, 2018, 2019, 2020)
HAND_WRITTEN = {"README.md", "make_demo.py"}
TABLE_2020 = {
    "Stockholm": (7, 8),
    "Skåne": (19, 35),
    "Västra Götaland": (11, 14),
    "Norrland": (2, 2),
    "Jönköping": (4, 8),
    "Örebro": (1, 1),
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _rows(root: Path, year: int, name: str) -> list[dict[str, str]]:
    with (root / str(year) / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _theme_ids(themes: list[dict]) -> list[str]:
    ids = []
    for theme in themes:
        ids.append(theme["id"])
        ids.extend(_theme_ids(theme.get("children", [])))
    return ids


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = _run("--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def ten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo10")
    result = _run("--out", str(out), "--regions", "10")
    assert result.returncode == 0, result.stderr
    return out


def test_regenerating_gives_the_committed_files_byte_for_byte(fresh: Path) -> None:
    committed = {k: v for k, v in _files(DEMO).items() if k not in HAND_WRITTEN}
    generated = _files(fresh)
    assert sorted(generated) == sorted(committed)
    changed = [name for name in generated if generated[name] != committed[name]]
    assert changed == [], "rerun python data/demo/make_demo.py and commit the result"


def test_files_are_utf8_without_bom_with_lf_line_endings(fresh: Path) -> None:
    for name, data in _files(fresh).items():
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in data, name
        assert data.endswith(b"\n"), name
        data.decode("utf-8")


def test_whole_demo_directory_stays_small() -> None:
    assert sum(len(data) for data in _files(DEMO).values()) < 300_000


def test_csv_headers_are_the_canonical_columns(fresh: Path) -> None:
    expected = {
        "survey": [*schema.SURVEY_COLUMNS, "employer"],
        "population": list(schema.POPULATION_COLUMNS),
        "interviews": list(schema.REGISTER_COLUMNS),
        "segments": list(schema.SEGMENT_COLUMNS),
    }
    for year in YEARS:
        for name, columns in expected.items():
            header = (fresh / str(year) / f"{name}.csv").read_text(encoding="utf-8")
            assert header.splitlines()[0].split(",") == columns, (year, name)


def test_2020_responses_and_population_equal_the_seed_table() -> None:
    responses = Counter(row["region"] for row in _rows(DEMO, 2020, "survey"))
    population = {r["region"]: int(r["target_population"]) for r in _rows(DEMO, 2020, "population")}
    assert {region: (responses[region], population[region]) for region in population} == TABLE_2020
    assert sum(responses.values()) == 44


def test_every_year_has_a_population_row_per_region_and_small_cells() -> None:
    small = 0
    for year in YEARS:
        population = _rows(DEMO, year, "population")
        assert [r["region"] for r in population] == list(schema.REGIONS)
        responses = Counter(row["region"] for row in _rows(DEMO, year, "survey"))
        for row in population:
            assert 1 <= responses[row["region"]] <= int(row["target_population"])
        small += sum(1 for n in responses.values() if n < 5)
    assert small >= 8  # several region-years below a typical k of 5


def test_2020_survey_resembles_the_seed_figures() -> None:
    rows = _rows(DEMO, 2020, "survey")
    ages = [int(r["age"]) for r in rows if r["age"]]
    assert (min(ages), max(ages)) == (24, 69)
    assert 42.8 <= statistics.mean(ages) <= 43.8
    months = [float(r["months_worked"]) for r in rows if r["months_worked"]]
    assert (min(months), max(months), statistics.median(months)) == (0, 120, 22)
    assert 0.10 <= 1 - len(months) / len(rows) <= 0.20
    salaries = [float(r["salary_monthly_fte"]) for r in rows if r["salary_monthly_fte"]]
    assert min(salaries) >= 24_000 and max(salaries) <= 32_000
    genders = Counter(r["gender"] for r in rows)
    assert genders["kvinna"] > genders["man"] > 0
    stockholm = Counter(r["gender"] for r in rows if r["region"] == "Stockholm")
    assert stockholm == {"man": 3, "kvinna": 4}
    assert Counter(r["training_provider"] for r in rows).most_common(1)[0][0] == "nsph"
    assert Counter(r["supervision"] for r in rows).most_common(1)[0][0] == "ja"
    assert sum(1 for r in rows for value in r.values() if value == "") >= 20


def test_survey_values_use_the_canonical_codes() -> None:
    coded = ("gender", "education", "training_provider", "supervision_frequency", "employer")
    for year in YEARS:
        rows = _rows(DEMO, year, "survey")
        ids = [r["respondent_id"] for r in rows]
        assert len(set(ids)) == len(ids) and ids == sorted(ids)
        assert all(re.fullmatch(rf"SU{year}-\d{{4}}", i) for i in ids)
        for row in rows:
            assert row["year"] == str(year)
            for column in coded:
                assert row[column] in ("", *schema.CATEGORIES[column]), (row, column)
            assert row["trained"] in ("", "ja", "nej") and row["supervision"] in ("", "ja", "nej")
            tasks = row["tasks"].split(";") if row["tasks"] else []
            assert set(tasks) <= set(schema.CATEGORIES["tasks"])
            if row["trained"] == "nej":
                assert row["training_provider"] == ""
            if row["employment_pct"]:
                assert 0 < float(row["employment_pct"]) <= 100


def test_stockholm_2020_register_has_the_final_rounds_interviews() -> None:
    register = [r for r in _rows(DEMO, 2020, "interviews") if r["region"] == "Stockholm"]
    interviews = Counter(r["group"] for r in register)
    participants: Counter[str] = Counter()
    for row in register:
        participants[row["group"]] += int(row["participants"])
    groups = ("enhetschef", "medarbetare", "peer_supporter", "brukare")
    assert [interviews[g] for g in groups] == [4, 7, 1, 9]
    assert [participants[g] for g in groups] == [4, 7, 6, 12]
    forms = Counter((r["group"], r["form"], r["participants"]) for r in register)
    assert forms[("brukare", "grupp", "4")] == 1 and forms[("brukare", "individuell", "1")] == 8


def test_stockholm_has_no_interviews_in_2019_and_other_region_years_have_some() -> None:
    for year in YEARS:
        regions = Counter(r["region"] for r in _rows(DEMO, year, "interviews"))
        expected = [r for r in schema.REGIONS if not (r == "Stockholm" and year == 2019)]
        assert sorted(regions) == sorted(expected), year


def test_register_values_are_valid_and_ids_unique_across_years() -> None:
    ids = []
    for year in YEARS:
        for row in _rows(DEMO, year, "interviews"):
            ids.append(row["interview_id"])
            assert re.fullmatch(rf"INT-{year}-[A-Z0-9]{{3}}-\d\d", row["interview_id"])
            assert row["group"] in schema.CATEGORIES["group"]
            assert row["form"] in schema.CATEGORIES["form"]
            assert row["mode"] in schema.CATEGORIES["mode"]
            participants = int(row["participants"])
            assert participants == 1 if row["form"] == "individuell" else participants >= 2
    assert len(set(ids)) == len(ids)


def test_every_segment_refers_to_an_interview_of_the_same_year() -> None:
    for year in YEARS:
        known = {r["interview_id"] for r in _rows(DEMO, year, "interviews")}
        segments = _rows(DEMO, year, "segments")
        assert segments and {s["interview_id"] for s in segments} == known
        assert all(s["factor"] in schema.CATEGORIES["factor"] for s in segments)
        assert all(s["excerpt"].strip() for s in segments)


def test_every_segment_theme_is_in_the_codebook() -> None:
    codebook = yaml.safe_load((DEMO / "codebook.yaml").read_text(encoding="utf-8"))
    ids = set(_theme_ids(codebook["themes"]))
    used = {s["theme"] for year in YEARS for s in _rows(DEMO, year, "segments")}
    assert used <= ids
    assert any("." not in theme for theme in used)  # parents are used as well as children


def test_codebook_is_hierarchical_with_prefixed_child_ids() -> None:
    codebook = yaml.safe_load((DEMO / "codebook.yaml").read_text(encoding="utf-8"))

    def check(themes: list[dict], parent: str | None) -> None:
        for theme in themes:
            if parent is None:
                assert re.fullmatch(r"[a-z0-9_]+", theme["id"])
            else:
                assert re.fullmatch(rf"{re.escape(parent)}\.[a-z0-9_]+", theme["id"])
            assert theme["label"]["sv"] and theme["label"]["en"]
            assert theme["description"]["sv"] and theme["description"]["en"]
            check(theme.get("children", []), theme["id"])

    check(codebook["themes"], None)
    ids = set(_theme_ids(codebook["themes"]))
    for required in (
        "implementering.introduktion",
        "implementering.lon",
        "roll.arbetsfordelning",
        "bidrag_brukare.isolering",
        "bidrag_organisation",
        "fortsattning.spridning",
        "genus",
    ):
        assert required in ids


def test_recommendations_are_followed_up_with_valid_statuses() -> None:
    recs = yaml.safe_load((DEMO / "recommendations.yaml").read_text(encoding="utf-8"))
    recs = recs["recommendations"]
    assert len({r["id"] for r in recs}) == len(recs)
    assert sum(r["region"] == "Stockholm" for r in recs) >= 5
    for rec in recs:
        assert rec["region"] in schema.REGIONS
        assert rec["text"]["sv"] and rec["text"]["en"]
        assert rec["status"] and all(year > rec["made"] for year in rec["status"])
        assert set(rec["status"].values()) <= set(schema.CATEGORIES["recommendation_status"])


def test_a_few_excerpts_carry_personal_data_of_every_kind() -> None:
    names = (DEMO / "names.txt").read_text(encoding="utf-8").split()
    kinds = {
        "name": re.compile(r"\b(" + "|".join(names) + r")\b"),
        "pnr": re.compile(r"\b(\d{8}|\d{6})-\d{4}\b"),
        "phone": re.compile(r"(\+46 |0)\d{1,2}-?\d{3} \d{2,3} \d{2}"),
        "email": re.compile(r"\b[\w.]+@[\w.]+\.[a-z]+\b"),
    }
    excerpts = [s["excerpt"] for year in YEARS for s in _rows(DEMO, year, "segments")]
    found = {kind: [e for e in excerpts if rx.search(e)] for kind, rx in kinds.items()}
    assert all(found.values()), {k: len(v) for k, v in found.items()}
    with_personal_data = {e for hits in found.values() for e in hits}
    assert 8 <= len(with_personal_data) <= 12
    assert len(names) >= 12 and len(set(names)) == len(names)


def test_stockholm_themes_shift_from_role_to_continuation() -> None:
    def shares(year: int) -> tuple[float, float]:
        themes = [s["theme"] for s in _rows(DEMO, year, "segments") if "-STO-" in s["interview_id"]]
        early = sum(t.startswith("roll") or t == "implementering.introduktion" for t in themes)
        late = sum(t.startswith("fortsattning") or t == "bidrag_brukare.tid" for t in themes)
        return early / len(themes), late / len(themes)

    (early_2017, late_2017), (early_2020, late_2020) = shares(2017), shares(2020)
    assert early_2017 > 2 * early_2020
    assert late_2020 > 2 * late_2017


def test_ten_regions_adds_synthetic_regions_and_keeps_the_real_ones(fresh: Path, ten: Path) -> None:
    names = (ten / "regions.txt").read_text(encoding="utf-8").splitlines()
    assert names == [*schema.REGIONS, "Region 07", "Region 08", "Region 09", "Region 10"]
    for year in YEARS:
        assert [r["region"] for r in _rows(ten, year, "population")] == names
        assert {r["region"] for r in _rows(ten, year, "survey")} == set(names)
        register = _rows(ten, year, "interviews")
        assert {r["region"] for r in register} >= set(names[6:])
        known = {r["interview_id"] for r in register}
        assert {s["interview_id"] for s in _rows(ten, year, "segments")} == known
        real = [r for r in _rows(ten, year, "survey") if r["region"] in schema.REGIONS]
        assert real == _rows(fresh, year, "survey")


def test_a_default_run_removes_a_stale_regions_txt(tmp_path: Path) -> None:
    (tmp_path / "regions.txt").write_text("Region 07\n", encoding="utf-8")
    assert _run("--out", str(tmp_path)).returncode == 0
    assert not (tmp_path / "regions.txt").exists()


@pytest.mark.parametrize("count", ["0", "321", "many"])
def test_an_impossible_region_count_is_refused(count: str, tmp_path: Path) -> None:
    result = _run("--out", str(tmp_path), "--regions", count)
    assert result.returncode == 2
    assert "--regions" in result.stderr
    assert not any(tmp_path.iterdir())
