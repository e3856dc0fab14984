"""The code trees of qualitative-analysis tools' exports: REFI-QDA projects and codebooks, Taguette.

Each function returns the codes of one file as (path, description) pairs, a path being
the chain of code names from the top of the tree (a Taguette tag is split at the
scheme's separator). pipeline.readers.qda_codebook turns them into a `Codebook`; the
formats are registered in pipeline.readers.formats.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.readers.codes import CodeScheme
from pipeline.readers.common import map_headers, read_raw_table
from pipeline.readers.options import TableOptions
from pipeline.readers.qdpx import open_project, project_root
from pipeline.readers.refi import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, code_paths, code_tree
from pipeline.readers.refi import parse_xml as _parse_xml

CodePaths = list[tuple[tuple[str, ...], str]]


def qdpx_codes(path: Path, scheme: CodeScheme, shown: str) -> CodePaths:
    """The CodeBook of a REFI-QDA project (.qdpx)."""
    with open_project(path, shown) as archive:
        root = project_root(archive, shown)
    q = f"{{{PROJECT_NAMESPACE}}}"
    return _tree_paths(root.find(f"{q}CodeBook/{q}Codes"), PROJECT_NAMESPACE, shown)


def qdc_codes(path: Path, scheme: CodeScheme, shown: str) -> CodePaths:
    """A REFI-QDA codebook (.qdc)."""
    root = _parse_xml(path.read_bytes(), shown, path.name)
    q = f"{{{CODEBOOK_NAMESPACE}}}"
    if root.tag != f"{q}CodeBook":
        raise InputError(
            Problem(
                shown,
                f"the root element is {root.tag.rpartition('}')[2]!r}; expected CodeBook in "
                f"the namespace {CODEBOOK_NAMESPACE}",
            )
        )
    return _tree_paths(root.find(f"{q}Codes"), CODEBOOK_NAMESPACE, shown)


def _tree_paths(codes_element, namespace: str, shown: str) -> CodePaths:
    problems: list[Problem] = []
    codes = code_tree(codes_element, namespace, shown, problems)
    try:
        paths = code_paths(codes, shown)
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    if problems:
        raise InputError(problems)
    return [(paths[key], code.description) for key, code in codes.items()]


def taguette_codes(path: Path, scheme: CodeScheme, shown: str) -> CodePaths:
    """Taguette's codebook export (.csv/.xlsx with the columns tag, description)."""
    raw = read_raw_table(path, TableOptions(), shown)
    mapped = map_headers(raw, TableOptions(), ("tag",), optional=("description",))
    if mapped.problems:
        raise InputError(
            Problem(
                raw.display,
                f"unrecognised codebook layout: found columns {list(raw.frame.columns)}; "
                "expected Taguette's codebook export (tag, description, ...)",
                row=1,
            )
        )
    found = []
    for cells in raw.frame.to_dict("records"):
        tag = cells[mapped.found["tag"]]
        if tag:
            description = cells.get(mapped.found.get("description", ""), None) or ""
            found.append((scheme.parts(tag), str(description)))
    return found
