"""The notebooks and report templates that peer-eval ships, which `init` copies into a project.

They live at the repository's top level (`notebooks/`, `reports/`: the layout of an
evaluation project, and the demo's own copies) and are installed as the resource packages
`pipeline.notebooks` and `pipeline.reports` (the `package_dir` mapping in setup.py), so an
editable install and a wheel are read the same way, through `importlib.resources`.

A project never runs these directly: it runs its own copies (`notebooks_dir`,
`templates_dir` in params), which the analyst may edit; `peer-eval upgrade` merges later
changes of these files into them.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from pipeline.errors import UsageError


@dataclass(frozen=True)
class ShippedFolder:
    """A project folder whose matching files ship in a resource package."""

    folder: str
    """The folder in a project, relative to its root (POSIX)."""
    package: str
    """The resource package that holds the shipped files."""
    patterns: tuple[str, ...]
    """Which files, relative to the folder: `*` within one name, `**/` any sub-folders."""


SHIPPED: tuple[ShippedFolder, ...] = (
    ShippedFolder("notebooks", "pipeline.notebooks", ("*.ipynb", "overview/*.ipynb")),
    ShippedFolder("reports", "pipeline.reports", ("*.qmd",)),
)
"""Everything a new project gets copied. setup.py/pyproject.toml ship the same files (the
wheel test checks that the wheel holds exactly these)."""


def shipped_files(folders: tuple[ShippedFolder, ...] | None = None) -> dict[str, bytes]:
    """Return every shipped file, by its path in a project.

    Args:
        folders: What to collect (default: everything peer-eval ships).

    Returns:
        Relative POSIX path in a project (e.g. "notebooks/survey.ipynb") -> content, sorted.

    Raises:
        UsageError: A resource package is missing, or one of its patterns matches no file:
            the installation is incomplete, and a project made from it would not build.
    """
    found: dict[str, bytes] = {}
    for spec in SHIPPED if folders is None else folders:
        root = _resource_root(spec.package)
        for pattern in spec.patterns:
            matches = _matching(root, pattern)
            if not matches:
                raise UsageError(
                    f"peer-eval is installed without {spec.folder}/{pattern} "
                    f"(resource package {spec.package}); reinstall peer-eval"
                )
            for relative, resource in matches.items():
                found[f"{spec.folder}/{relative}"] = resource.read_bytes()
    return dict(sorted(found.items()))


def _resource_root(package: str) -> Traversable:
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError:
        raise UsageError(
            f"peer-eval is installed without its resource package {package}; "
            "reinstall peer-eval (from a checkout: pip install -e .)"
        ) from None
    return resources.files(module)


def _matching(root: Traversable, pattern: str) -> dict[str, Traversable]:
    """Files under `root` whose relative path matches `pattern`, walking only as deep as needed."""
    regex = _pattern_regex(pattern)
    depth = None if "**" in pattern else pattern.count("/")
    return {
        relative: resource
        for relative, resource in _walk(root, "", depth)
        if regex.fullmatch(relative)
    }


def _walk(folder: Traversable, prefix: str, depth: int | None) -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        relative = prefix + entry.name
        if entry.is_file():
            yield relative, entry
        elif entry.is_dir() and (depth is None or depth > 0):
            yield from _walk(entry, relative + "/", None if depth is None else depth - 1)


@cache
def _pattern_regex(pattern: str) -> re.Pattern:
    parts = re.split(r"(\*\*/|\*)", pattern)
    wildcard = {"**/": "(?:[^/]+/)*", "*": "[^/]*"}
    return re.compile("".join(wildcard.get(part, re.escape(part)) for part in parts))
