"""Shared helpers for the end-to-end, browser and trust tests (imported as `support`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent

# The demo build the end-to-end and browser tests share: Stockholm (the seed's final
# round), Skåne (built in English through a per-pair override) and Örebro (one
# respondent: statistics withheld), all 2020.
PAIRS = [
    ("2020", "stockholm", "Stockholm"),
    ("2020", "skane", "Skåne"),
    ("2020", "orebro", "Örebro"),
]


def run_cli(*args: str, cwd: Path = ROOT, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run `python -m pipeline ARGS` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def make_project(tmp: Path, extra: dict | None = None, overrides: bool = False) -> Path:
    """A params file in `tmp` over the repository's notebooks, templates and demo data.

    Args:
        tmp: Folder for the new params/ directory.
        extra: Keys to set or replace in the demo params.
        overrides: Also copy the demo's per-pair overrides (case numbers, dates, the
            English Skåne 2020), so that the build is the demo exactly as published.

    Returns:
        The params file.
    """
    params = tmp / "params" / "evaluation.yaml"
    params.parent.mkdir(parents=True)
    data = yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))
    data |= {
        "data_dir": str(ROOT / "data" / "demo"),
        "narrative_dir": str(ROOT / "reports" / "narrative"),
        "notebooks_dir": str(ROOT / "notebooks"),
        "templates_dir": str(ROOT / "reports"),
    }
    data |= extra or {}
    params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    if overrides:
        shutil.copytree(ROOT / "params" / "overrides", params.parent / "overrides")
    return params


def pdf_text(path: Path) -> str:
    """The PDF's text, NFKC-normalised, non-breaking spaces as spaces."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return unicodedata.normalize("NFKC", text).replace("\u00a0", " ")


def html_text(path: Path) -> str:
    """The HTML source with non-breaking spaces as spaces."""
    return path.read_text(encoding="utf-8").replace("\u00a0", " ").replace("&nbsp;", " ")


def make_resource_package(monkeypatch, root: Path, name: str, files: dict[str, str]) -> None:
    """An importable resource package `name` in `root` holding `files`, for this test only."""
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text("", encoding="utf-8")
    for relative, text in files.items():
        (root / name / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / name / relative).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delitem(sys.modules, name, raising=False)  # another test's package of that name
