"""pyproject.toml declares what the code imports, with upper bounds; Dask stays optional."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from support import ROOT

from pipeline.errors import UsageError
from pipeline.executors import run_tasks

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Bounded by the kernel-compatibility check over their tested range, not here.
KERNEL_STACK = {
    "papermill", "nbclient", "jupyter-client", "jupyter-core", "ipykernel", "nbformat",
    "pyzmq", "traitlets",
}  # fmt: skip


def _requirements(*groups: str) -> list[Requirement]:
    lines = list(PYPROJECT["dependencies"])
    for group in groups:
        lines += PYPROJECT["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def _imported_top_level_modules() -> dict[str, str]:
    """Top-level module -> one file importing it, over pipeline/ and the shipped notebooks."""
    sources = [(str(p), p.read_text(encoding="utf-8")) for p in (ROOT / "pipeline").rglob("*.py")]
    for notebook in (ROOT / "notebooks").rglob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        sources += [(str(notebook), "".join(c["source"])) for c in code]
    found: dict[str, str] = {}
    for where, text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], where)
    return found


def test_every_imported_package_is_declared():
    declared = {canonicalize_name(r.name) for r in _requirements("dask")}
    distributions = packages_distributions()
    undeclared = []
    for module, where in sorted(_imported_top_level_modules().items()):
        if module in sys.stdlib_module_names or module == "pipeline":
            continue
        names = {canonicalize_name(d) for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared.append(f"{module} ({', '.join(sorted(names))}), imported in {where}")
    assert not undeclared


def test_every_dependency_outside_the_kernel_stack_has_an_upper_bound():
    unbounded = [
        str(r)
        for r in _requirements(*PYPROJECT["optional-dependencies"])
        if canonicalize_name(r.name) not in KERNEL_STACK
        and not any(spec.operator in ("<", "<=", "==", "~=") for spec in r.specifier)
    ]
    assert not unbounded


def test_dask_is_an_extra_imported_only_by_its_executor():
    assert "dask" not in {r.name for r in _requirements()}
    # Import every pipeline module (not the command line's entry point, which runs it): none
    # may pull in dask or distributed.
    code = (
        "import pkgutil, importlib, sys, pipeline\n"
        "for m in pkgutil.walk_packages(pipeline.__path__, 'pipeline.'):\n"
        "    if m.name != 'pipeline.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('dask', 'distributed')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_modules_of_a_run_import_neither_pandas_nor_openpyxl():
    # What `peer-eval run` imports to plan, and to re-render after a narrative edit: a
    # no-op run reads no input and renders nothing, a re-render reads no input, and
    # pandas (0.25 s) and openpyxl (0.1 s) were a third of a no-op. The readers, the
    # report texts and the index's response rates import them where they are used.
    modules = (
        "pipeline.cli", "pipeline.config", "pipeline.build", "pipeline.drafts",
        "pipeline.executors", "pipeline.progress", "pipeline.prune", "pipeline.publish",
        "pipeline.render", "pipeline.site", "pipeline.snapshot", "pipeline.inputs_files",
        "pipeline.report_source", "pipeline.section_notes", "pipeline.publish_pair",
    )  # fmt: skip
    code = (
        f"import importlib, sys\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
        "print(sorted(n for n in ('pandas', 'numpy', 'openpyxl') if n in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_dask_executor_without_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(UsageError, match=r"distributed.*pip install 'peer-eval\[dask\]'"):
        run_tasks([], 1, executor="dask")
