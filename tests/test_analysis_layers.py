"""The analysis layer returns data, the text layer words: analysis never imports text or I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
FORBIDDEN = ("pipeline.text", "pipeline.readers", "pipeline.render", "pipeline.build")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted((PIPELINE / "analysis").glob("*.py")), ids=lambda p: p.name)
def test_analysis_imports_no_text_reader_renderer_or_build(path):
    bad = {m for m in _imports(path) if m.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


LAYERS = sorted([*(PIPELINE / "analysis").glob("*.py"), *(PIPELINE / "text").glob("*.py")])


@pytest.mark.parametrize("path", LAYERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_module_of_the_layers_is_over_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500
