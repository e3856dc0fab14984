import json
import shutil

from support import ROOT, make_project

from pipeline.build import MANIFEST, manifest_for, plan_tasks, staleness
from pipeline.config import load_project, plan_pairs


def _publish_fake(task):
    """What a successful build leaves, without running it: outputs and a manifest."""
    folder = task.published_dir
    folder.mkdir(parents=True, exist_ok=True)
    for name in task.output_names:
        (folder / name).write_text("report")
    manifest = manifest_for(task, {name: "0" for name in task.output_names})
    task.manifest_path.write_text(json.dumps(manifest))


def _tasks(params, out):
    project = load_project(params)
    return {t.pair.key: t for t in plan_tasks(project, plan_pairs(project), out, "builtin")}


def test_changing_one_years_survey_makes_only_reports_that_read_it_stale(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    params = make_project(tmp_path, {"data_dir": str(data)})
    out = tmp_path / "out"
    for task in _tasks(params, out).values():
        _publish_fake(task)
    assert {staleness(t)[0] for t in _tasks(params, out).values()} == {"fresh"}

    survey = data / "2019" / "survey.csv"
    survey.write_text(survey.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    states = {key: staleness(t) for key, t in _tasks(params, out).items()}
    for key, (state, reasons) in states.items():
        year = int(key.split("/")[0])
        # a report of year Y reads the survey of every year up to Y
        assert (state, reasons) == (("stale", ["data"]) if year >= 2019 else ("fresh", [])), key


def test_override_changes_only_its_pair_and_missing_output_is_stale(tmp_path):
    params = make_project(tmp_path)
    out = tmp_path / "out"
    for task in _tasks(params, out).values():
        _publish_fake(task)
    override = params.parent / "overrides" / "2018" / "skane.yaml"
    override.parent.mkdir(parents=True)
    override.write_text("k: 3\n", encoding="utf-8")
    (out / "2017" / "orebro" / "rapport.pdf").unlink()
    states = {key: staleness(t) for key, t in _tasks(params, out).items()}
    assert states["2018/skane"] == ("stale", ["parameters", "settings"])
    assert states["2017/orebro"] == ("stale", ["rapport.pdf missing"])
    assert sum(state == "fresh" for state, _ in states.values()) == len(states) - 2


def test_a_setting_the_notebooks_are_not_given_changes_only_the_rendering(tmp_path):
    # Before: every setting was in the execution key: a new case number or format
    # re-executed the pair's notebooks for what only the rendering shows.
    params = make_project(tmp_path)
    out = tmp_path / "out"
    before = _tasks(params, out)["2018/skane"]
    _publish_fake(before)
    override = params.parent / "overrides" / "2018" / "skane.yaml"
    override.parent.mkdir(parents=True)
    override.write_text("formats: [html]\nreport: {case_number: SN 2019/12}\n", encoding="utf-8")
    after = _tasks(params, out)["2018/skane"]
    assert staleness(after) == ("stale", ["settings", "links"])  # no PDF to link to now
    assert after.execute_digest == before.execute_digest


def test_failed_and_missing_states(tmp_path):
    params = make_project(tmp_path)
    out = tmp_path / "out"
    tasks = _tasks(params, out)
    (out / ".failed" / "2020" / "skane").mkdir(parents=True)
    assert staleness(tasks["2020/skane"]) == ("failed", ["last build failed"])
    assert staleness(tasks["2020/orebro"]) == ("missing", [])
    assert not (out / "2020" / "orebro" / MANIFEST).exists()
