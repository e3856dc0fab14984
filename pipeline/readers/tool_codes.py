"""The code trees of qualitative-analysis tools' exports: REFI-QDA projects and codebooks, Taguette.

Each function returns the codes of one file as (path, description) pairs, a path being
the chain of code names from the top of the tree (a Taguette tag is split at the
scheme's separator). pipeline.readers.qda_codebook turns them into a `Codebook`; the
formats are registered in pipeline.readers.formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.readers.codebook import match_key
from pipeline.readers.codes import CodeScheme
from pipeline.readers.common import map_headers, read_raw_table
from pipeline.readers.options import TableOptions
from pipeline.readers.qdpx import open_project, project_root
from pipeline.readers.refi import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, code_paths, code_tree
from pipeline.readers.refi import parse_xml as _parse_xml
from pipeline.readers.safety import check_file_size

CodePaths = list[tuple[tuple[str, ...], str]]


def qdpx_codes(path: Path, scheme: CodeScheme, shown: str) -> CodePaths:
    """The CodeBook of a REFI-QDA project (.qdpx)."""
    with open_project(path, shown) as archive:
        root = project_root(archive, shown)
    q = f"{{{PROJECT_NAMESPACE}}}"
    return _tree_paths(root.find(f"{q}CodeBook/{q}Codes"), PROJECT_NAMESPACE, shown)


def qdc_codes(path: Path, scheme: CodeScheme, shown: str) -> CodePaths:
    """A REFI-QDA codebook (.qdc)."""
    check_file_size(path, shown)  # the limit every other input has (limits.max_table_mb)
    root = _parse_xml(path.read_bytes(), shown, path.name)
    q = f"{{{CODEBOOK_NAMESPACE}}}"
    if root.tag != f"{q}CodeBook":
        raise InputError(Problem(shown, _wrong_root(root.tag)))
    return _tree_paths(root.find(f"{q}Codes"), CODEBOOK_NAMESPACE, shown)


def _wrong_root(tag: str) -> str:
    name, namespace = tag.rpartition("}")[2], tag[1:].partition("}")[0] if "}" in tag else ""
    if name == "CodeBook":
        where = f"in the namespace {namespace}" if namespace else "without a namespace"
        return (
            f"the root element CodeBook is {where}; expected "
            f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"> (a REFI-QDA codebook)'
        )
    return f"the root element is {name!r}; expected CodeBook in the namespace {CODEBOOK_NAMESPACE}"


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


_TAGUETTE_PARENTS = ("parent", "tag_parent")  # Taguette 1.5 writes "parent"; others tag_parent


def taguette_codes(path: Path, scheme: CodeScheme, shown: str) -> CodePaths:
    """Taguette's codebook export (.csv/.xlsx: tag, parent, description, ...).

    Nested tags carry their parent in a column (`parent`, or `tag_parent`), or their
    whole path (`tag_full_path`); the tree is built from it, so two children of the
    same name under different parents (``implementering/ovrigt``, ``bidrag/ovrigt``)
    stay two codes.
    """
    raw = read_raw_table(path, TableOptions(), shown)
    mapped = map_headers(
        raw,
        TableOptions(),
        ("tag",),
        optional=("description", "tag_full_path", *_TAGUETTE_PARENTS),
    )
    if mapped.problems:
        raise InputError(
            Problem(
                raw.display,
                f"unrecognised codebook layout: found columns {list(raw.frame.columns)}; "
                "expected Taguette's codebook export (tag, parent, description, ...)",
                row=1,
            )
        )
    headers = mapped.found
    parent_header = next((headers[c] for c in _TAGUETTE_PARENTS if c in headers), None)
    rows = []
    for row, cells in zip(raw.rows, raw.frame.to_dict("records"), strict=True):
        tag = cells[headers["tag"]]
        if tag:
            rows.append(
                _TagRow(
                    row=row,
                    tag=tag,
                    parent=cells[parent_header] if parent_header else None,
                    full_path=cells[headers["tag_full_path"]]
                    if "tag_full_path" in headers
                    else None,
                    description=str(cells.get(headers.get("description", ""), None) or ""),
                )
            )
    problems: list[Problem] = []
    paths = _tag_paths(rows, scheme, raw.display, parent_header, problems)
    if problems:
        raise InputError(problems)
    return [(paths[i], r.description) for i, r in enumerate(rows) if i in paths]


@dataclass(frozen=True)
class _TagRow:
    row: int
    tag: str
    parent: str | None
    full_path: str | None
    description: str


def _tag_paths(
    rows: list[_TagRow],
    scheme: CodeScheme,
    shown: str,
    parent_header: str | None,
    problems: list[Problem],
) -> dict[int, tuple[str, ...]]:
    """Each row's code path: its full path, else its parent's path and its own tag."""
    by_tag: dict[str, list[int]] = {}
    for index, tag_row in enumerate(rows):
        by_tag.setdefault(match_key(tag_row.tag), []).append(index)
    paths: dict[int, tuple[str, ...]] = {}
    for index in range(len(rows)):
        chain: list[int] = []  # the rows from this one up to one whose path is known
        current: int | None = index
        while current is not None and current not in paths:
            tag_row = rows[current]
            if current in chain:
                names = " > ".join(repr(rows[i].tag) for i in chain)
                problems.append(
                    Problem(
                        shown,
                        f"the tags' parents loop ({names}); expected each tag once, under its "
                        "parent",
                        row=tag_row.row,
                        column=parent_header,
                    )
                )
                return paths
            chain.append(current)
            if tag_row.full_path or not tag_row.parent:
                break
            parents = by_tag.get(match_key(tag_row.parent), [])
            if len(parents) != 1:
                reason = "no tag of the codebook" if not parents else "the tag of several rows"
                problems.append(
                    Problem(
                        shown,
                        f"parent {tag_row.parent!r} of tag {tag_row.tag!r} is {reason}; "
                        "expected the tag (or full path) of exactly one row",
                        row=tag_row.row,
                        column=parent_header,
                    )
                )
                return paths
            current = parents[0]
        for member in reversed(chain):
            paths[member] = _tag_path(rows[member], paths, rows, by_tag, scheme)
    return paths


def _tag_path(
    tag_row: _TagRow,
    paths: dict[int, tuple[str, ...]],
    rows: list[_TagRow],
    by_tag: dict[str, list[int]],
    scheme: CodeScheme,
) -> tuple[str, ...]:
    if tag_row.full_path:
        return scheme.parts(tag_row.full_path)
    own = scheme.parts(tag_row.tag)
    if not tag_row.parent:
        return own
    parent = paths[by_tag[match_key(tag_row.parent)][0]]
    # Taguette writes a nested tag's whole path as its tag; older exports only its name.
    return own if own[: len(parent)] == parent else (*parent, *own)
