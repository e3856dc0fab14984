"""Two stages, two keys: a narrative edit re-renders from the cached executed notebooks,
and `peer-eval preview` shows a pair's report, re-rendered on every save."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import launch
from support import ROOT, make_project, run_cli

from pipeline.execution_cache import RECORD, entry_dir, is_valid, restore, store

PAIR = ["--region", "Stockholm", "--year", "2020", "--no-overview", "--renderer", "builtin"]


# --- the cache on its own -----------------------------------------------------------------


def test_cache_restores_only_a_complete_entry_for_the_same_digest(tmp_path):
    executed = tmp_path / "executed"
    executed.mkdir()
    (executed / "survey.ipynb").write_text('{"cells": []}')
    entry = entry_dir(tmp_path / "out", 2020, "stockholm")
    store(entry, "digest-1", executed)
    assert is_valid(entry, "digest-1")
    assert not is_valid(entry, "digest-2")  # data or code changed: execute again

    target = tmp_path / "work" / "notebooks"
    assert restore(entry, "digest-1", target)
    assert (target / "survey.ipynb").read_text() == '{"cells": []}'

    (entry / "survey.ipynb").write_text('{"cells": ["edited"]}')
    assert not restore(entry, "digest-1", tmp_path / "other")  # hash no longer matches
    (entry / RECORD).write_text('{"execute_digest": "digest-1", "noteb')  # truncated
    assert not is_valid(entry, "digest-1")
    (entry / RECORD).unlink()
    assert not is_valid(entry, "digest-1")  # an interrupted store: a miss, not a hit


# --- end to end ---------------------------------------------------------------------------


def _project(tmp_path: Path) -> tuple[Path, Path, Path]:
    narrative_dir = tmp_path / "narrative"
    shutil.copytree(ROOT / "reports" / "narrative", narrative_dir)
    params = make_project(tmp_path, {"narrative_dir": str(narrative_dir)})
    return params, tmp_path / "out", narrative_dir / "2020" / "stockholm.md"


@pytest.mark.e2e
def test_narrative_edit_rerenders_without_executing_and_matches_a_full_build(tmp_path):
    params, out, narrative = _project(tmp_path)
    args = ["run", "--params", str(params), "--out", str(out), *PAIR]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "2020/stockholm: built" in first.stderr

    narrative.write_text(narrative.read_text(encoding="utf-8") + "\nEn ny mening.\n", "utf-8")
    listed = run_cli("list", "--params", str(params), "--out", str(out), "--renderer", "builtin")
    (line,) = [row for row in listed.stdout.splitlines() if row.startswith("2020  Stockholm")]
    assert line.split()[2] == "stale" and "render: narrative" in line

    second = run_cli(*args)
    assert second.returncode == 0, second.stderr
    assert "2020/stockholm: re-rendered" in second.stderr
    html = out / "2020" / "stockholm" / "rapport.html"
    assert "En ny mening." in html.read_text(encoding="utf-8")
    rerendered = {p.name: p.read_bytes() for p in html.parent.glob("*") if p.is_file()}

    forced = run_cli(*args, "--force")
    assert "2020/stockholm: built" in forced.stderr  # --force executes again
    rebuilt = {p.name: p.read_bytes() for p in html.parent.glob("*") if p.is_file()}
    assert rerendered == rebuilt  # the same bytes either way

    # A damaged cache record costs an execution, never a wrong or failed report.
    record = entry_dir(out, 2020, "stockholm") / RECORD
    record.write_text("{not json", encoding="utf-8")
    narrative.write_text(narrative.read_text(encoding="utf-8") + "\nTill.\n", "utf-8")
    third = run_cli(*args)
    assert third.returncode == 0, third.stderr
    assert "2020/stockholm: built" in third.stderr
    assert json.loads(record.read_text(encoding="utf-8"))["notebooks"]


def _start_preview(params: Path, out: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "preview", "Stockholm", "2020",
         "--params", str(params), "--out", str(out), "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    deadline = time.monotonic() + 300
    for line in process.stdout:
        if line.startswith("preview: "):
            return process, line.split()[1]
        assert time.monotonic() < deadline, "preview did not start"
    process.kill()
    raise AssertionError(f"preview exited with {process.wait()}")


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _wait_for_version(url: str, after: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json.loads(_get(url + "version"))
        if state["version"] != after or state["error"]:
            return state
        time.sleep(0.05)
    raise AssertionError("the preview did not re-render")


@pytest.mark.e2e
def test_preview_rerenders_on_save_shows_errors_and_publishes_nothing(tmp_path):
    params, out, narrative = _project(tmp_path)
    original = narrative.read_text(encoding="utf-8")
    process, url = _start_preview(params, out)
    try:
        state = json.loads(_get(url + "version"))
        assert state == {"version": 1, "error": ""}
        assert b"Stockholm" in _get(url + "rapport.html")

        narrative.write_text(original + "\nFörhandsvisningens nya mening.\n", encoding="utf-8")
        state = _wait_for_version(url, 1)
        assert state == {"version": 2, "error": ""}
        assert "Förhandsvisningens nya mening." in _get(url + "rapport.html").decode("utf-8")

        # A shortcode the renderer refuses: the error is shown, the last report stays.
        narrative.write_text(original + "\n{{< include /etc/passwd >}}\n", encoding="utf-8")
        state = _wait_for_version(url, 2)
        assert state["version"] == 2 and "shortcode" in state["error"]
        assert "Förhandsvisningens nya mening." in _get(url + "rapport.html").decode("utf-8")
        with pytest.raises(urllib.error.HTTPError):
            _get(url + "../../params/evaluation.yaml")
    finally:
        process.terminate()
        process.wait(timeout=30)
    published = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert published == []  # no report, manifest or index: preview never publishes


@pytest.mark.e2e
@pytest.mark.browser
def test_preview_page_reloads_the_report_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    params, out, narrative = _project(tmp_path)
    process, url = _start_preview(params, out)
    playwright = sync_playwright().start()
    context = launch(playwright, tmp_path / "profile")
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        frame = page.frame_locator("iframe#report")
        assert "Stockholm" in frame.locator("body").inner_text()
        narrative.write_text(
            narrative.read_text(encoding="utf-8") + "\nSynlig i webbläsaren.\n", encoding="utf-8"
        )
        frame.get_by_text("Synlig i webbläsaren.").wait_for(timeout=30_000)
    finally:
        context.close()
        playwright.stop()
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.e2e
def test_notebooks_load_the_runs_snapshot_and_the_run_removes_it(tmp_path):
    params, out, _ = _project(tmp_path)
    result = run_cli("run", "--params", str(params), "--out", str(out), *PAIR, "--format", "html")
    assert result.returncode == 0, result.stderr
    notebook = json.loads((out / "2020" / "stockholm" / "notebooks" / "survey.ipynb").read_text())
    injected = [
        "".join(cell["source"])
        for cell in notebook["cells"]
        if "injected-parameters" in cell["metadata"].get("tags", [])
    ]
    assert 'inputs_snapshot = "../../inputs/2020.pickle"' in injected[0]  # no machine path
    assert not (out / ".work").exists()  # the snapshot went with the run
