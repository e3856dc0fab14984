"""The import graph of `pipeline/`: acyclic, and analysis modules import no I/O or orchestration.

Every module is parsed with `ast` (imports inside functions count: a lazy import is
still a dependency, and a cycle hidden in a function is still a cycle). The layers are
defined by rule, so modules added later fall into one by their name:

* **I/O and orchestration** (`IO_AND_ORCHESTRATION`): the `readers` and `render`
  packages, and the modules that run, execute, publish or serve a build. A module
  belongs to it when its first name below `pipeline` is one of these names, or starts
  with one followed by an underscore (`build_plan`, `render_...`), or is inside such a
  package (`pipeline/build/...`).
* **settings** (`config`): the params models. Analysis may read settings; settings
  build on the readers' option types.
* **analysis**: every other module. It may import analysis and settings only.

docs/architecture.md states the same rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"

IO_AND_ORCHESTRATION = frozenset(
    {
        "__main__",
        "build",
        "cli",
        "execute",
        "execution_cache",
        "executors",
        "init_project",
        "inputs",
        "kernel",
        "kernels",
        "preview",
        "progress",
        "prune",
        "publish",
        "readers",
        "render",
        "report_source",
        "shared",
        "shell",
        "site",
        "snapshot",
        "staleness",
        "task",
        "upgrade",
    }
)
SETTINGS = frozenset({"config"})


def module_files(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under `package` (a package dir)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = [package.name, *path.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: Iterable[str]) -> set[str]:
    """The modules of `modules` that the module `name` (at `path`) imports, anywhere in it."""
    known = set(modules)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(_known_prefix(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                # `from pkg import sub` imports the submodule; `from mod import name` the module.
                full = f"{base}.{alias.name}"
                found.add(full if full in known else _known_prefix(base, known))
    found.discard("")
    found.discard(name)
    return found


def _known_prefix(dotted: str, known: set[str]) -> str:
    """The longest prefix of `dotted` that is one of `known` ('' when none)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return ""


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = module_files(package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def layer(module: str) -> str:
    """'io' (I/O and orchestration), 'settings' or 'analysis', by the rule above."""
    parts = module.split(".")
    if len(parts) < 2:
        return "analysis"  # the package's own __init__
    first = parts[1]
    if first in SETTINGS:
        return "settings"
    if any(first == n or first.startswith(f"{n}_") for n in IO_AND_ORCHESTRATION):
        return "io"
    return "analysis"


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """'analysis -> io' imports, one line each."""
    return [
        f"{module} (analysis) imports {target} ({layer(target)})"
        for module, targets in sorted(graph.items())
        if layer(module) == "analysis"
        for target in sorted(targets)
        if layer(target) == "io"
    ]


# --- the project ---------------------------------------------------------------------


def test_pipeline_imports_have_no_cycle():
    graph = import_graph(PIPELINE)
    assert len(graph) > 50  # every module was found
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_analysis_modules_import_no_reader_renderer_or_orchestrator():
    graph = import_graph(PIPELINE)
    assert {"pipeline.disclosure", "pipeline.formatting"} <= {
        m for m in graph if layer(m) == "analysis"
    }
    assert layer_violations(graph) == []


def test_the_layers_follow_the_rule():
    assert layer("pipeline.readers.qdpx") == "io"
    assert layer("pipeline.render.builtin") == "io"
    assert layer("pipeline.build_plan") == "io"  # a module split out of build.py
    assert layer("pipeline.builder") == "analysis"  # a name merely starting the same
    assert layer("pipeline.config") == "settings"
    assert layer("pipeline.themes") == "analysis"
    assert layer("pipeline.survey_stats") == "analysis"


# --- the checker itself, on planted violations ---------------------------------------


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pipeline"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_checker_finds_a_cycle_through_a_function_level_import(tmp_path):
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "readers/__init__.py": "",
            "readers/a.py": "from pipeline.readers.b import f\n",
            "readers/b.py": "def f():\n    from pipeline.readers import a\n    return a\n",
            "readers/c.py": "from . import a\n",
        },
    )
    graph = import_graph(package)
    assert graph["pipeline.readers.c"] == {"pipeline.readers.a"}  # a relative import
    assert find_cycle(graph) == ["pipeline.readers.a", "pipeline.readers.b", "pipeline.readers.a"]


def test_checker_accepts_an_acyclic_package(tmp_path):
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "import pipeline.b\nimport pandas\n",
            "b.py": "from pipeline import c\n",
            "c.py": "",
        },
    )
    graph = import_graph(package)
    assert graph["pipeline.a"] == {"pipeline.b"}  # outside packages are not nodes
    assert find_cycle(graph) is None
    assert layer_violations(graph) == []


@pytest.mark.parametrize(
    "statement",
    [
        "from pipeline.readers.survey import read_survey",
        "import pipeline.render",
        "def later():\n    from pipeline import build_plan\n",
        "from .publish import write",
    ],
)
def test_checker_finds_analysis_importing_io(tmp_path, statement):
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "stats.py": statement + "\n",
            "readers/__init__.py": "",
            "readers/survey.py": "",
            "render/__init__.py": "",
            "build_plan.py": "",
            "publish.py": "",
        },
    )
    [violation] = layer_violations(import_graph(package))
    assert violation.startswith("pipeline.stats (analysis) imports pipeline.")


def test_checker_lets_io_import_analysis_and_analysis_import_settings(tmp_path):
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "stats.py": "from pipeline.config import Settings\n",
            "config.py": "from pipeline.readers.options import TableOptions\n",
            "readers/__init__.py": "",
            "readers/options.py": "",
            "build.py": "from pipeline import stats\n",
        },
    )
    assert layer_violations(import_graph(package)) == []
