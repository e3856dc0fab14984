from pathlib import Path

import pytest

from pipeline.config import load_project, overview_settings, plan_pairs, report_date, round_settings
from pipeline.errors import InputError

BASE = """
data_dir: data
regions: [Stockholm, Västra Götaland]
years: [2019, 2020]
"""


def _params(tmp_path: Path, text: str = BASE) -> Path:
    path = tmp_path / "params" / "evaluation.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _override(tmp_path: Path, year: str, slug: str, text: str) -> None:
    path = tmp_path / "params" / "overrides" / year / f"{slug}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_plan_is_every_region_by_every_year_with_defaults(tmp_path):
    project = load_project(_params(tmp_path))
    pairs = plan_pairs(project)
    assert [(p.year, p.slug) for p in pairs] == [
        (2019, "stockholm"),
        (2019, "vastra-gotaland"),
        (2020, "stockholm"),
        (2020, "vastra-gotaland"),
    ]
    assert all(p.settings.lang == "sv" and p.settings.k == 5 for p in pairs)
    assert project.data_dir == (tmp_path / "data").resolve()


def test_layers_override_then_command_line_win(tmp_path):
    project = load_project(_params(tmp_path, BASE + "k: 7\nreport: {case_number: A}\n"))
    _override(tmp_path, "2020", "stockholm", "lang: en\nreport: {committee: Nämnden}\n")
    pairs = {p.key: p for p in plan_pairs(project, cli_settings={"formats": ["html"]})}
    sthlm = pairs["2020/stockholm"].settings
    assert sthlm.lang == "en" and sthlm.k == 7 and sthlm.formats == ("html",)
    assert sthlm.report.committee == "Nämnden" and sthlm.report.case_number == "A"
    assert pairs["2019/stockholm"].settings.lang == "sv"


def test_unknown_key_names_file_and_key(tmp_path):
    path = _params(tmp_path, BASE + "colour: blue\nreport: {titel: x}\n")
    with pytest.raises(InputError) as info:
        load_project(path)
    lines = str(info.value).splitlines()
    assert f"{path.resolve()}: key 'colour': unknown key" in lines
    assert f"{path.resolve()}: key 'report.titel': unknown key" in lines


def test_bad_year_and_wrong_type_are_errors(tmp_path):
    path = _params(tmp_path, "regions: [Skåne]\nyears: [20200]\nk: many\n")
    with pytest.raises(InputError) as info:
        load_project(path)
    text = str(info.value)
    assert "key 'years'" in text and "20200" in text
    assert "key 'k'" in text


def test_a_boolean_is_no_number(tmp_path):
    # Before: YAML's `true` was taken for 1: `k: true` switched the small-cell rule off.
    path = _params(tmp_path, BASE + "k: true\n")
    with pytest.raises(InputError) as info:
        load_project(path)
    assert "key 'k': Input should be a valid integer (got True)" in str(info.value)
    project = load_project(_params(tmp_path))
    _override(tmp_path, "2020", "stockholm", "extremes_k: yes\n")
    with pytest.raises(InputError, match="key 'extremes_k'"):
        plan_pairs(project)


def test_override_for_undeclared_region_or_bad_key_is_an_error(tmp_path):
    project = load_project(_params(tmp_path))
    _override(tmp_path, "2020", "atlantis", "lang: en\n")
    _override(tmp_path, "2019", "stockholm", "language: en\n")
    with pytest.raises(InputError) as info:
        plan_pairs(project)
    text = str(info.value)
    assert "atlantis.yaml" in text and "not one of" in text
    assert "stockholm.yaml: key 'language': unknown key" in text


def test_an_override_ending_in_yml_is_refused_not_ignored(tmp_path):
    # Before: params/overrides/2020/stockholm.yml was never read, and nothing said so.
    project = load_project(_params(tmp_path))
    path = tmp_path / "params" / "overrides" / "2020" / "stockholm.yml"
    path.parent.mkdir(parents=True)
    path.write_text("lang: en\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        plan_pairs(project)
    assert str(info.value) == (
        f"{path}: not read: overrides end in .yaml; rename it stockholm.yaml"
    )


def test_project_output_dir_is_under_the_root_not_the_working_directory(tmp_path):
    project = load_project(_params(tmp_path))
    assert project.output_dir == tmp_path.resolve() / "reports" / "output"


def test_selection_by_name_or_slug_and_unknown_selection(tmp_path):
    project = load_project(_params(tmp_path))
    pairs = plan_pairs(project, regions=["vastra-gotaland"], years=[2020])
    assert [p.region for p in pairs] == ["Västra Götaland"]
    with pytest.raises(InputError, match="unknown region 'Atlantis'"):
        plan_pairs(project, regions=["Atlantis"])
    with pytest.raises(InputError, match="unknown year 1999"):
        plan_pairs(project, years=[1999])


def test_duplicate_slugs_are_rejected(tmp_path):
    with pytest.raises(InputError, match="same slug"):
        load_project(_params(tmp_path, "regions: [Örebro, Orebro]\nyears: [2020]\n"))


def test_report_date_from_params_then_source_date_epoch(tmp_path, monkeypatch):
    project = load_project(_params(tmp_path, BASE + "report: {date: 2021-03-04}\n"))
    assert str(report_date(plan_pairs(project)[0].settings)) == "2021-03-04"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    project = load_project(_params(tmp_path))
    assert str(report_date(plan_pairs(project)[0].settings)) == "2020-09-13"


def test_each_overview_is_dated_like_its_round_not_like_the_newest(tmp_path):
    project = load_project(_params(tmp_path, BASE + "report: {date: 2026-11-25}\n"))
    _override(tmp_path, "2019", "stockholm", "report: {date: 2020-03-11}\n")
    _override(tmp_path, "2019", "vastra-gotaland", "report: {date: 2020-03-04}\n")
    settings = overview_settings(project)
    assert str(report_date(round_settings(project, settings, 2019))) == "2020-03-11"
    assert str(report_date(round_settings(project, settings, 2020))) == "2026-11-25"


def test_unknown_report_language_names_the_file_and_key(tmp_path):
    path = _params(tmp_path, BASE + "lang: de\n")
    with pytest.raises(InputError) as info:
        load_project(path)
    assert f"{path}: key 'lang': unsupported report language; expected one of sv, en" in str(
        info.value
    )
    project = load_project(_params(tmp_path))
    _override(tmp_path, "2020", "stockholm", "lang: fi\n")
    with pytest.raises(InputError) as info:
        plan_pairs(project)
    assert "stockholm.yaml: key 'lang': unsupported report language" in str(info.value)
    assert "'fi'" in str(info.value)


def test_speaker_tags_default_to_the_common_conventions_and_may_be_replaced(tmp_path):
    speakers = load_project(_params(tmp_path)).evaluation.inputs.segments.speakers
    assert {"I", "Intervjuare", "Interviewer"} <= set(speakers.interviewer)
    assert {"IP", "R", "Respondent", "Informant", "B", "Interviewee"} <= set(speakers.interviewee)
    text = BASE + "inputs:\n  segments:\n    path: '{year}/s.csv'\n"
    text += "    speakers: {interviewer: [Moderator]}\n"
    tags = load_project(_params(tmp_path, text)).evaluation.inputs.segments.speakers.tags()
    assert tags.interviewer == ("Moderator",)
    assert "IP" in tags.interviewee  # the other list keeps its default


@pytest.mark.parametrize(
    ("speakers", "key", "message"),
    [
        ("{interviewer: ['I:']}", "interviewer", "tag 'I:': expected one or two words"),
        ("{interviewee: [IP1]}", "interviewee", "tag 'IP1': expected one or two words"),
        (
            "{interviewee: [I, IP]}",
            "",
            "'I' in both interviewer and interviewee; expected each tag in one list",
        ),
        ("{speaker: [I]}", "speaker", "unknown key"),
    ],
)
def test_bad_speaker_tags_name_the_key(tmp_path, speakers, key, message):
    text = BASE + f"inputs:\n  segments:\n    path: '{{year}}/s.csv'\n    speakers: {speakers}\n"
    path = _params(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_project(path)
    where = "inputs.segments.speakers" + (f".{key}" if key else "")
    assert f"key '{where}" in str(info.value) and message in str(info.value)
