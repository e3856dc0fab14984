import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import ROOT, make_project

from pipeline.config import load_project
from pipeline.errors import InputError, Problem
from pipeline.inputs import load_evaluation, merge_repeated
from pipeline.inputs_files import input_files
from pipeline.readers.codebook import YAML_CODEBOOK_SUFFIXES
from pipeline.readers.formats import CODEBOOK_FORMATS


def test_params_may_report_on_some_of_the_regions_in_the_data(tmp_path):
    project = load_project(make_project(tmp_path, {"regions": ["Skåne"]}))
    data = load_evaluation(project)
    # The national tables still see every region the population files list.
    assert set(data.population["region"]) == {
        "Stockholm", "Skåne", "Västra Götaland", "Norrland", "Jönköping", "Örebro",
    }  # fmt: skip
    assert (data.survey["region"] == "Skåne").sum() > 0


def test_a_survey_region_without_population_is_an_error(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    survey = data / "2020" / "survey.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",Stockholm,", ",Stokholm,")
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = load_project(make_project(tmp_path, {"data_dir": str(data)}))
    with pytest.raises(InputError) as info:
        load_evaluation(project)
    [line] = str(info.value).splitlines()
    assert line.startswith("data/2020/survey.csv: row 4: column 'region': 'Stokholm' is not")


def test_repeated_problem_is_said_once_with_its_rows():
    problems = [Problem("s.csv", "'X' is not a known region", row=r, column="Kontext")
                for r in (2, 3, 5, 8, 9, 11, 12)]  # fmt: skip
    problems.insert(1, Problem("s.csv", "'fyrtio' is not a number", row=3, column="Ålder"))
    merged = merge_repeated(problems)
    assert [str(p) for p in merged] == [
        "s.csv: row 2: column 'Kontext': 'X' is not a known region "
        "(on 7 rows: 2, 3, 5, 8, 9 and 2 more)",
        "s.csv: row 3: column 'Ålder': 'fyrtio' is not a number",
    ]


def test_a_report_depends_on_the_years_up_to_its_own(tmp_path):
    project = load_project(make_project(tmp_path))
    names = {p.relative_to(ROOT / "data" / "demo").as_posix() for p in input_files(project, 2018)}
    assert "2018/survey.csv" in names and "2017/segments.csv" in names
    assert "2019/survey.csv" not in names and "codebook.yaml" in names


def test_planning_takes_for_the_projects_codebook_what_the_format_registry_does():
    # Planning skips the registry (it imports every reader) for these suffixes alone.
    for suffix in (*YAML_CODEBOOK_SUFFIXES, ".YAML"):
        assert CODEBOOK_FORMATS.for_path(Path(f"codebook{suffix}")).name == "yaml"
    assert CODEBOOK_FORMATS.for_path(Path("codebook.qdc")).name != "yaml"


def _demo_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    return data


def _problems(project) -> list[str]:
    with pytest.raises(InputError) as info:
        load_evaluation(project)
    return str(info.value).splitlines()


@pytest.mark.parametrize("name", ["Totalt", "Summa", "Skane"])
def test_a_total_or_misspelt_population_row_is_refused_not_counted(tmp_path, name):
    data = _demo_copy(tmp_path)
    population = data / "2020" / "population.csv"
    population.write_text(population.read_text(encoding="utf-8") + f"2020,{name},99\n")
    project = load_project(make_project(tmp_path, {"data_dir": str(data)}))
    [line] = _problems(project)
    assert line.startswith(f"data/2020/population.csv: row 8: column 'region': {name!r} ")
    assert "looks like a total row" in line or "a misspelling of 'Skåne'" in line


def test_population_regions_are_taken_after_values_region(tmp_path):
    data = _demo_copy(tmp_path)
    for year in (2017, 2018, 2019, 2020):
        population = data / str(year) / "population.csv"
        text = population.read_text(encoding="utf-8").replace("Skåne", "12")
        population.write_text(text.replace("year,region,", "year,Länskod,"), encoding="utf-8")
    inputs = yaml_inputs()
    inputs["population"] |= {"columns": {"Länskod": "region"}, "values": {"region": {12: "Skåne"}}}
    project = load_project(make_project(tmp_path, {"data_dir": str(data), "inputs": inputs}))
    data = load_evaluation(project)
    assert "Skåne" in set(data.population["region"])
    assert "12" not in set(data.population["region"])


def test_more_respondents_than_target_population_is_refused(tmp_path):
    data = _demo_copy(tmp_path)
    population = data / "2020" / "population.csv"
    population.write_text(
        population.read_text(encoding="utf-8").replace("2020,Skåne,35", "2020,Skåne,1"),
        encoding="utf-8",
    )
    project = load_project(make_project(tmp_path, {"data_dir": str(data)}))
    [line] = _problems(project)
    assert line.startswith(
        "data/2020/population.csv: row 3: column 'target_population': 1 is fewer than the "
    )
    assert "survey respondents in Skåne 2020 (response rate" in line


def _drop_region_from_year(data: Path, year: int, region: str, code: str) -> None:
    """Remove a region from one year's survey, population, register and segments."""
    for name in ("survey", "population", "interviews", "segments"):
        path = data / str(year) / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if f",{region}," not in line and f"-{code}-" not in line]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def test_a_region_that_joins_in_a_later_round_is_known_in_the_earlier_ones(tmp_path):
    # Örebro is in no 2017 file: the 2017 reports (and a run of 2017 alone, which reads
    # only 2017's files) must not call it unknown, while validate (every year) accepts it.
    data = _demo_copy(tmp_path)
    _drop_region_from_year(data, 2017, "Örebro", "ORE")
    project = load_project(make_project(tmp_path, {"data_dir": str(data)}))
    early = load_evaluation(project, upto_year=2017)
    assert "Örebro" not in set(early.population["region"])
    assert "Örebro" in set(load_evaluation(project).population["region"])


def test_a_params_region_in_no_population_file_is_unknown_in_every_year(tmp_path):
    project = load_project(make_project(tmp_path, {"regions": ["Skåne", "Gotland"]}))
    for upto_year in (2017, None):
        [line] = _problems_upto(project, upto_year)
        assert line.endswith(
            "key 'regions.1': unknown region 'Gotland': no population file lists it in any year"
        )


def _problems_upto(project, upto_year: int | None) -> list[str]:
    with pytest.raises(InputError) as info:
        load_evaluation(project, upto_year=upto_year)
    return str(info.value).splitlines()


def yaml_inputs() -> dict:
    import yaml

    params = yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))
    return params["inputs"]


# --- one file for every year ------------------------------------------------------------

YEARS = (2017, 2018, 2019, 2020)


def _every_year_file(data: Path, name: str, extra_rows: list[list[str]] = ()) -> list[list[str]]:
    """The demo's per-year files of `name` as one table (header once), plus extra rows."""
    import csv

    rows: list[list[str]] = []
    for year in YEARS:
        with (data / str(year) / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        rows += table if not rows else table[1:]
    return rows + list(extra_rows)


def _write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _write_rows(path: Path, rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _every_year_project(tmp_path: Path, survey_rows=None) -> tuple:
    """The demo with its survey, population and register each in one file of every year."""
    data = _demo_copy(tmp_path)
    old = ["2015", "Stockholm", *[""] * 13]  # a year params do not list
    survey = survey_rows or _every_year_file(data, "survey", [["OLD-1", *old], ["OLD-2", *old]])
    _write_xlsx(data / "enkat_alla_ar.xlsx", survey)
    _write_rows(data / "population_alla_ar.csv", _every_year_file(data, "population"))
    _write_rows(data / "intervjuer_alla_ar.csv", _every_year_file(data, "interviews"))
    inputs = yaml_inputs()
    inputs["survey"] = {"path": "enkat_alla_ar.xlsx"}
    inputs["population"] = {"path": "population_alla_ar.csv"}
    inputs["interviews"] = {"path": "intervjuer_alla_ar.csv"}
    project = load_project(make_project(tmp_path, {"data_dir": str(data), "inputs": inputs}))
    return project, data


def test_one_file_of_every_year_reads_as_the_per_year_files_do(tmp_path, caplog, monkeypatch):
    from pipeline.readers import survey as survey_reader

    per_year = load_evaluation(load_project(make_project(tmp_path / "per-year")))
    project, _ = _every_year_project(tmp_path)
    monkeypatch.setattr(survey_reader, "_WARNED", set())
    with caplog.at_level(logging.WARNING):
        data = load_evaluation(project)
        load_evaluation(project, upto_year=2018)  # another report's load: said once
    for name in ("survey", "population", "register", "segments"):
        pd.testing.assert_frame_equal(getattr(data, name), getattr(per_year, name))
    assert [r.getMessage() for r in caplog.records] == [
        "data/enkat_alla_ar.xlsx: 2 rows of year 2015 not in params; ignored (column 'year')"
    ]
    upto = load_evaluation(project, upto_year=2018)
    assert sorted(set(upto.survey["year"])) == [2017, 2018]


def test_a_year_of_params_missing_from_the_file_of_every_year_is_an_error(tmp_path):
    data = _demo_copy(tmp_path)
    rows = [r for r in _every_year_file(data, "survey") if r[1] not in ("2018", "2019")]
    project, _ = _every_year_project(tmp_path / "p", survey_rows=rows)
    assert _problems(project) == [
        "data/enkat_alla_ar.xlsx: has no rows of 2018, 2019; expected rows of every year of "
        "params in its year column (the path has no {year}, so this one file holds every "
        "year), or remove 2018, 2019 from years in params"
    ]


def test_a_file_of_every_year_without_a_year_column_is_one_line(tmp_path):
    data = _demo_copy(tmp_path)
    rows = [r[:1] + r[2:] for r in _every_year_file(data, "survey")]  # no year column
    project, _ = _every_year_project(tmp_path / "p", survey_rows=rows)
    assert _problems(project) == [
        "data/enkat_alla_ar.xlsx: row 1: no column for 'year'; expected a header 'year', or "
        "map the export's header to 'year' under columns; the path has no {year}, so the "
        "file holds every year and each row must say its year"
    ]


def test_a_problem_in_the_file_of_every_year_is_said_once(tmp_path):
    data = _demo_copy(tmp_path)
    rows = _every_year_file(data, "survey")
    rows[5][rows[0].index("age")] = "fyrtio"
    project, _ = _every_year_project(tmp_path / "p", survey_rows=rows)
    [line] = _problems(project)
    assert line.startswith("data/enkat_alla_ar.xlsx: row 6: column 'age': 'fyrtio'")


def test_every_year_reading_the_one_file_is_rebuilt_when_it_changes(tmp_path):
    from pipeline.inputs_files import file_hashes

    project, data = _every_year_project(tmp_path)
    single = data / "enkat_alla_ar.xlsx"
    assert all(single in input_files(project, year) for year in YEARS)
    before = {y: file_hashes(project, input_files(project, y)) for y in YEARS}
    rows = _every_year_file(data, "survey")
    rows[3][rows[0].index("age")] = "61"
    _write_xlsx(single, rows)
    after = {y: file_hashes(project, input_files(project, y)) for y in YEARS}
    assert all(before[y] != after[y] for y in YEARS)  # the data hash of every year's key
