"""Tests for pipeline.upgrade (`peer-eval upgrade`): later fixes in, the analyst's edits kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import make_resource_package
from typer.testing import CliRunner

from pipeline import shipped
from pipeline.build import plan_tasks
from pipeline.cli import app
from pipeline.config import load_project, plan_pairs
from pipeline.errors import InputError, UsageError
from pipeline.init_project import init_project
from pipeline.shipped import ShippedFolder, shipped_files
from pipeline.upgrade import (
    STATE_FILE,
    apply_upgrade,
    conflict_problems,
    installed_version,
    plan_upgrade,
)

NOTEBOOK = "".join(f"line {n} of the survey notebook\n" for n in range(1, 11))


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Path:
    """A peer-eval installation whose shipped files the test can change (its resource root)."""
    root = tmp_path / "installed"
    make_resource_package(monkeypatch, root, "fake_notebooks", {"survey.ipynb": NOTEBOOK})
    template = {"rapport.qmd": "---\ntitle: x\n---\nText\n"}
    make_resource_package(monkeypatch, root, "fake_reports", template)
    monkeypatch.setattr(
        shipped,
        "SHIPPED",
        (
            ShippedFolder("notebooks", "fake_notebooks", ("*.ipynb",)),
            ShippedFolder("reports", "fake_reports", ("*.qmd",)),
        ),
    )
    return root


@pytest.fixture
def project(tmp_path, installed) -> Path:
    target = tmp_path / "project"
    init_project(target, regions=["A"], years=[2020])
    return target


def _replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _upgrade(project: Path, *options: str):
    return CliRunner().invoke(app, ["upgrade", str(project), *options])


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_keeps_the_analysts_edit_and_takes_the_fix(project, installed):
    notebook = project / "notebooks" / "survey.ipynb"
    _replace_line(notebook, "line 2 of", "line 2, edited by the analyst, of")
    _replace_line(installed / "fake_notebooks" / "survey.ipynb", "line 9 of", "line 9, fixed, of")
    result = _upgrade(project)
    assert result.exit_code == 0, result.output
    assert "merge    notebooks/survey.ipynb: edits here and in peer-eval merged" in result.output
    text = notebook.read_text(encoding="utf-8")
    assert "line 2, edited by the analyst, of" in text and "line 9, fixed, of" in text
    assert text.count("\n") == 10
    # The new base is peer-eval's file: a second upgrade has nothing to do.
    again = _upgrade(project)
    assert again.exit_code == 0 and "Changed 0 file(s)" in again.output
    assert notebook.read_text(encoding="utf-8") == text


def test_a_conflicting_edit_is_marked_and_exits_1(project, installed):
    notebook = project / "notebooks" / "survey.ipynb"
    _replace_line(notebook, "line 5 of", "line 5 as the analyst wants it, of")
    _replace_line(installed / "fake_notebooks" / "survey.ipynb", "line 5 of", "line 5 fixed, of")
    result = _upgrade(project)
    assert result.exit_code == 1, result.output
    assert "conflict notebooks/survey.ipynb: 1 conflicting edit(s), marked" in result.output
    text = notebook.read_text(encoding="utf-8")
    version = installed_version()
    assert (
        "<<<<<<< this project\nline 5 as the analyst wants it, of the survey notebook\n"
        f"=======\nline 5 fixed, of the survey notebook\n>>>>>>> peer-eval {version}\n"
    ) in text
    assert "line 4 of" in text and "line 6 of" in text
    # Until the markers are resolved, another upgrade refuses (and changes nothing).
    before = _snapshot(project)
    refused = _upgrade(project)
    assert refused.exit_code == 2
    assert "resolve the conflict markers" in refused.output
    assert "notebooks/survey.ipynb" in refused.output
    assert _snapshot(project) == before


def test_unedited_files_take_the_new_version_and_new_files_are_added(project, installed):
    (installed / "fake_reports" / "rapport.qmd").write_text("---\ntitle: y\n---\nNew\n")
    (installed / "fake_notebooks" / "themes.ipynb").write_text("{}\n")
    result = _upgrade(project)
    assert result.exit_code == 0, result.output
    assert "update   reports/rapport.qmd: not edited here" in result.output
    assert "add      notebooks/themes.ipynb: new in peer-eval" in result.output
    assert (project / "reports" / "rapport.qmd").read_text() == "---\ntitle: y\n---\nNew\n"
    assert (project / "notebooks" / "themes.ipynb").read_text() == "{}\n"
    state = json.loads((project / STATE_FILE).read_text(encoding="utf-8"))
    assert sorted(state["files"]) == sorted(shipped_files())


def test_a_file_no_longer_shipped_is_removed_only_when_unedited(project, installed):
    (installed / "fake_reports" / "rapport.qmd").unlink()
    (installed / "fake_reports" / "skeleton.qmd").write_text("one skeleton\n")
    (installed / "fake_notebooks" / "survey.ipynb").unlink()
    (installed / "fake_notebooks" / "other.ipynb").write_text("{}\n")
    _replace_line(project / "notebooks" / "survey.ipynb", "line 1 of", "line 1, mine, of")
    result = _upgrade(project)
    assert result.exit_code == 1, result.output
    assert "remove   reports/rapport.qmd: no longer shipped" in result.output
    assert "conflict notebooks/survey.ipynb: edited here, no longer shipped" in result.output
    assert not (project / "reports" / "rapport.qmd").exists()
    assert "line 1, mine, of" in (project / "notebooks" / "survey.ipynb").read_text()
    assert (project / "reports" / "skeleton.qmd").read_text() == "one skeleton\n"


def test_a_file_the_analyst_removed_is_not_restored(project, installed):
    (project / "reports" / "rapport.qmd").unlink()
    (installed / "fake_reports" / "rapport.qmd").write_text("---\ntitle: y\n---\nNew\n")
    result = _upgrade(project)
    assert result.exit_code == 1
    assert "removed here, changed in peer-eval: not restored" in result.output
    assert not (project / "reports" / "rapport.qmd").exists()


def test_dry_run_lists_the_changes_and_writes_nothing(project, installed):
    _replace_line(project / "notebooks" / "survey.ipynb", "line 2 of", "line 2, mine, of")
    _replace_line(installed / "fake_notebooks" / "survey.ipynb", "line 9 of", "line 9, fixed, of")
    (installed / "fake_reports" / "rapport.qmd").write_text("---\ntitle: y\n---\nNew\n")
    before = _snapshot(project)
    result = _upgrade(project, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "merge    notebooks/survey.ipynb" in result.output
    assert "update   reports/rapport.qmd" in result.output
    assert "Would change 2 file(s)" in result.output
    assert _snapshot(project) == before


def test_a_folder_not_made_by_init_is_refused(tmp_path, installed):
    with pytest.raises(UsageError, match=r"not a project made by peer-eval init"):
        plan_upgrade(tmp_path, shipped_files(), "9")
    assert _upgrade(tmp_path).exit_code == 2


def test_a_changed_base_copy_is_refused(project, installed):
    _replace_line(project / ".peer-eval/base/notebooks/survey.ipynb", "line 3 of", "line three of")
    with pytest.raises(UsageError, match=r"survey.ipynb: changed since peer-eval copied it"):
        plan_upgrade(project, shipped_files(), "9")


def test_a_state_file_naming_a_path_outside_the_project_is_refused(project, installed):
    state_file = project / STATE_FILE
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["files"]["../outside.txt"] = "0" * 64
    state_file.write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(UsageError, match=r"'../outside.txt' is outside the project"):
        plan_upgrade(project, shipped_files(), "9")


def test_a_merge_without_git_names_git(project, installed, monkeypatch):
    _replace_line(project / "notebooks" / "survey.ipynb", "line 2 of", "line 2, mine, of")
    _replace_line(installed / "fake_notebooks" / "survey.ipynb", "line 9 of", "line 9, fixed, of")
    monkeypatch.setenv("PATH", str(project))  # no git there
    with pytest.raises(UsageError, match=r"notebooks/survey.ipynb: .*needs git"):
        plan_upgrade(project, shipped_files(), "9")


def test_a_new_project_from_the_real_installation_is_up_to_date(tmp_path):
    init_project(tmp_path / "new", regions=["A"], years=[2020])
    files = shipped_files()
    changes = plan_upgrade(tmp_path / "new", files, installed_version())
    assert changes == []
    apply_upgrade(tmp_path / "new", changes, files, installed_version())
    assert _upgrade(tmp_path / "new").exit_code == 0


def test_a_build_refuses_a_template_with_conflict_markers(project, installed):
    template = project / "reports" / "rapport.qmd"
    _replace_line(template, "Text", "My text")
    _replace_line(installed / "fake_reports" / "rapport.qmd", "Text", "Fixed text")
    assert _upgrade(project).exit_code == 1
    loaded = load_project(project / "params" / "evaluation.yaml")
    with pytest.raises(InputError, match=r"rapport\.qmd: line \d+: unresolved conflict"):
        plan_tasks(loaded, plan_pairs(loaded), project / "out", "builtin")
    template.write_text("---\ntitle: x\n---\nMy fixed text\n", encoding="utf-8")  # resolved
    assert len(plan_tasks(loaded, plan_pairs(loaded), project / "out", "builtin")) == 1


def test_conflict_problems_name_file_and_line_and_ignore_a_heading_underline(tmp_path):
    marked, underlined = tmp_path / "marked.md", tmp_path / "underlined.md"
    marked.write_text(
        "# Summary\n<<<<<<< this project\nMine\n=======\nTheirs\n>>>>>>> peer-eval 2\n",
        encoding="utf-8",
    )
    underlined.write_text("Summary\n=======\n\nText.\n", encoding="utf-8")  # Markdown

    problems = conflict_problems([marked, underlined, tmp_path / "missing.md"])

    assert [str(p) for p in problems] == [
        f"{marked}: line 2: unresolved conflict (<<<<<<< ... >>>>>>>, as peer-eval upgrade "
        "leaves them); keep the right lines and remove the markers"
    ]
