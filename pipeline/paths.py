"""The project's layout: the folders everything else derives from its root.

Kept apart from `pipeline.config` (pydantic) so that the command line can find the
output folder before it loads anything: `pipeline.cli` guesses from it whether to
start a kernel early.
"""

from __future__ import annotations

from pathlib import Path

OUTPUT_DIR = Path("reports") / "output"


def project_root(params_file: Path) -> Path:
    """The project's root: the folder holding `params/` (the params file's parent's parent)."""
    return params_file.resolve().parent.parent


def output_dir(root: Path) -> Path:
    """Where the reports are published unless `--out` says otherwise: `<root>/reports/output`."""
    return root / OUTPUT_DIR
