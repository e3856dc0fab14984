"""The built wheel, installed into a fresh venv with no checkout, can init, validate and run.

The fresh venv gets this test venv's third-party packages through a `.pth` line (installing
them from a registry would take minutes), but `pipeline` itself only from the wheel: the
wheel is installed before that line exists, and the test asserts where `pipeline` comes from.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT, html_text

from pipeline.shipped import shipped_files

pytestmark = pytest.mark.e2e

# What is not part of the source: environments, caches, build products, outputs.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "output",
    "work", "work-quarto", "artifacts",
)  # fmt: skip


def _run(*command: str | Path, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the source (no build files left in the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    build = ("--no-deps", "--no-build-isolation", "--no-index", "--quiet")
    _ok(_run(sys.executable, "-m", "pip", "wheel", *build, "-w", tmp / "dist", source, cwd=tmp))
    (built,) = (tmp / "dist").glob("peer_eval-*.whl")
    return built


def test_the_wheel_ships_exactly_the_notebooks_and_templates(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        in_wheel = {
            name.removeprefix("pipeline/"): archive.read(name)
            for name in names
            if name.startswith(("pipeline/notebooks/", "pipeline/reports/"))
            and not name.endswith("/__init__.py")
        }
    assert in_wheel == shipped_files()
    assert "pipeline/render/templates/report.typ" in names
    assert not [name for name in names if "narrative/" in name or "data/demo" in name]


def test_a_fresh_venv_with_only_the_wheel_can_init_validate_and_run(wheel, tmp_path):
    venv = tmp_path / "venv"
    _ok(_run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path))
    python = venv / "bin" / "python"
    install = ("install", "--no-deps", "--no-index", "--quiet", wheel)
    _ok(_run(sys.executable, "-m", "pip", "--python", python, *install, cwd=tmp_path))
    # Only now the test venv's third-party packages (a .pth line is a path, not an install).
    code = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = Path(_ok(_run(python, "-c", code, cwd=tmp_path)).strip())
    (purelib / "test_venv_packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    where = _ok(_run(python, "-c", "import pipeline; print(pipeline.__file__)", cwd=tmp_path))
    assert Path(where.strip()).is_relative_to(venv), where

    peer_eval = venv / "bin" / "peer-eval"
    matrix = ("--region", "Stockholm", "--year", "2020")
    _ok(_run(peer_eval, "init", "evaluation", *matrix, cwd=tmp_path))
    project = tmp_path / "evaluation"
    demo = ROOT / "data" / "demo"
    for name in ("survey.csv", "population.csv", "interviews.csv", "segments.csv"):
        shutil.copy(demo / "2020" / name, project / "data" / "2020" / name)
    for name in ("codebook.yaml", "recommendations.yaml", "names.txt"):
        shutil.copy(demo / name, project / "data" / name)
    assert "OK:" in _ok(_run(peer_eval, "validate", cwd=project))
    build = ("--format", "html", "--renderer", "builtin", "--jobs", "1")
    _ok(_run(peer_eval, "run", *build, cwd=project))
    page = html_text(project / "reports" / "output" / "2020" / "stockholm" / "rapport.html")
    assert "Stockholm 2020" in page and "87,5 %" in page
    assert "Changed 0 file(s)" in _ok(_run(peer_eval, "upgrade", cwd=project))
