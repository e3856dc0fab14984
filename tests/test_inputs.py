import shutil
from pathlib import Path

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
