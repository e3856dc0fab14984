"""The benchmarks import only what the pipeline has (they run outside the test suite)."""

from __future__ import annotations

import ast
import importlib

import pytest
from support import ROOT

BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))


def _pipeline_imports(path) -> list[tuple[str, str]]:
    """(module, name) of every `from pipeline... import name` in the file, nested ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pipeline":
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_every_name_a_benchmark_imports_from_the_pipeline_exists(path):
    missing = [
        f"{module}.{name}"
        for module, name in _pipeline_imports(path)
        if not hasattr(importlib.import_module(module), name) and not _is_module(f"{module}.{name}")
    ]
    assert missing == []


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        return False
    return True
