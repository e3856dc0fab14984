"""The command line's refusals: bad usage stops with one line naming what is wrong (exit 2)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from support import ROOT, make_project, run_cli

PAIR = ["--region", "Stockholm", "--year", "2020", "--no-overview"]


def _publish_fake(out, lang: str = "sv") -> bytes:
    """A published Stockholm 2020 report (its manifest and HTML) in `lang`."""
    folder = out / "2020" / "stockholm"
    folder.mkdir(parents=True)
    (folder / "rapport.html").write_text(f'<html lang="{lang}"></html>', encoding="utf-8")
    manifest = {
        "report": {"region": "Stockholm", "year": 2020, "slug": "stockholm", "kind": "region"},
        "status": "final",
        "parameters": {"lang": lang, "formats": ["html"]},
        "components": {},
        "outputs": {"rapport.html": "0"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return (folder / "rapport.html").read_bytes()


def test_a_lang_run_refuses_to_replace_a_report_published_in_another_language(tmp_path):
    params, out = make_project(tmp_path), tmp_path / "out"
    before = _publish_fake(out, "sv")

    result = run_cli("run", "--params", str(params), "--out", str(out), *PAIR, "--lang", "en")

    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--lang: 'en' would replace 2020/stockholm published in 'sv'" in result.stderr
    assert (out / "2020" / "stockholm" / "rapport.html").read_bytes() == before
    assert not (out / "index.html").exists()  # nothing was built or written


def test_list_describes_the_published_report_not_the_params(tmp_path):
    # Published in English with HTML only (a `--lang en --format html` run) while params
    # say Swedish HTML and PDF: list said only what params would build.
    params, out = make_project(tmp_path), tmp_path / "out"
    _publish_fake(out, "en")

    result = run_cli("list", "--params", str(params), "--out", str(out), "--renderer", "builtin")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["year", "region", "state", "status", "published", "why"]
    (stockholm,) = [line for line in lines if line.startswith("2020  Stockholm")]
    assert stockholm.split()[4:7] == ["en", "html", "final"]
    (skane,) = [line for line in lines if line.startswith("2020  Skåne")]
    assert skane.split()[2] == "missing" and skane.split()[4] == "-"


def test_the_default_out_is_the_projects_not_the_working_directorys(tmp_path, monkeypatch):
    # Run from another folder, `run` read and wrote `reports/output` under that folder.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's pipeline, from any folder
    params = make_project(tmp_path)  # the project's root is tmp_path (it holds params/)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _publish_fake(tmp_path / "reports" / "output", "sv")

    ran = run_cli("run", "--params", str(params), *PAIR, "--lang", "en", cwd=elsewhere)
    pruned = run_cli("prune", "--params", str(params), cwd=elsewhere)

    # The run found the published report where the project keeps it, and refused.
    assert ran.returncode == 2, ran.stderr
    assert f"in {tmp_path / 'reports' / 'output'};" in ran.stderr
    assert "every report in " + str(tmp_path / "reports" / "output") in pruned.stdout
    assert list(elsewhere.iterdir()) == []


def test_an_unreachable_dask_scheduler_is_one_line_naming_it(tmp_path, monkeypatch):
    # Before: a 30-line traceback ending in "OSError: Timed out trying to connect".
    pytest.importorskip("distributed")
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    params, out = make_project(tmp_path), tmp_path / "out"
    address = "tcp://127.0.0.1:1"

    result = run_cli(
        "run", "--params", str(params), "--out", str(out), *PAIR,
        "--executor", "dask", "--scheduler", address,
    )  # fmt: skip

    assert result.returncode == 2, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: --scheduler {address}: cannot connect to a Dask scheduler")
    assert "Traceback" not in result.stderr
    assert not list(out.glob("2020/*/rapport.*"))


def test_validate_refuses_conflict_markers_in_a_narrative_with_file_and_line(tmp_path):
    # Before: validate said OK, and the run published the markers in the report.
    narratives = tmp_path / "narrative"
    shutil.copytree(ROOT / "reports" / "narrative", narratives)
    params = make_project(tmp_path, {"narrative_dir": str(narratives)})
    narrative = narratives / "2020" / "stockholm.md"
    lines = narrative.read_text(encoding="utf-8").splitlines()
    conflict = ["<<<<<<< this project", "Vår text.", "=======", "Ny text.", ">>>>>>> peer-eval"]
    narrative.write_text("\n".join(lines[:2] + conflict + lines[2:]) + "\n", encoding="utf-8")

    result = run_cli("validate", "--params", str(params))

    assert result.returncode == 2, result.stdout
    assert result.stderr.splitlines() == [
        f"error: {narrative}: line 3: unresolved conflict (<<<<<<< ... >>>>>>>, as peer-eval "
        "upgrade leaves them); keep the right lines and remove the markers"
    ]


def test_prune_rewrites_the_index_as_a_run_writes_it(tmp_path):
    # Before: the pruned index lost the response rates (and stale marks) a run writes.
    params, out = make_project(tmp_path), tmp_path / "out"
    built = run_cli("run", "--params", str(params), "--out", str(out), *PAIR)
    assert built.returncode == 0, built.stderr
    index = (out / "index.html").read_bytes()
    assert b"svarsfrekvens" in index
    left_behind = out / "2020" / "atlantis"  # a region params no longer declare
    shutil.copytree(out / "2020" / "stockholm", left_behind)

    pruned = run_cli("prune", "--params", str(params), "--out", str(out), "--yes")

    assert pruned.returncode == 0, pruned.stderr
    assert not left_behind.exists()
    assert (out / "index.html").read_bytes() == index


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--jobs", "0"],
            "error: --jobs: invalid value 0; expected 1 or more (default: cores)",
        ),
        (["--jobs", "-2"], "error: --jobs: invalid value -2; expected 1 or more"),
        (["--out", "/dev/null"], "error: --out: /dev/null is not a folder; expected a folder"),
        (["--renderer", "quarto"], "error: --renderer quarto: the quarto CLI is not on PATH;"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path, monkeypatch, args, expected):
    # Before: --jobs 0 and -2 ran; /dev/null failed at publishing ("File exists", exit 1);
    # a missing quarto was a render failure (exit 1).
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no quarto on it
    params = make_project(tmp_path)
    result = run_cli("run", "--params", str(params), "--out", str(tmp_path / "out"), *PAIR, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_params_pointing_at_a_folder_says_so(tmp_path):
    params = make_project(tmp_path)
    result = run_cli("validate", "--params", str(params.parent))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {params.parent}: is a folder; expected the params file, "
        "e.g. params/evaluation.yaml\n"
    )


def test_every_bad_option_is_named_at_once(tmp_path):
    # Before: one at a time (fix --renderer, then hear about --executor, then --lang).
    params = make_project(tmp_path)
    result = run_cli(
        "run", "--params", str(params), "--renderer", "x", "--executor", "y",
        "--format", "odt", "--lang", "fi",
    )  # fmt: skip
    assert result.returncode == 2
    options = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert options == ["--renderer", "--executor", "--format", "--lang"]
