"""REFI-QDA XML shared by the project (.qdpx) and codebook (.qdc) readers.

Parsing goes through `defusedxml`, which refuses DTDs (so no entity can be declared,
expanded or fetched); a malformed document is one problem naming its line. Codes
are nested `<Code guid name>` elements; `code_tree` turns them into paths
("Teman", "Bidrag", "Isolering") and reports a code that is its own ancestor (a
guid reused inside its own subtree: a cycle) instead of looping.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pipeline.errors import InputError, Problem

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"


def parse_xml(data: bytes, shown: str, member: str) -> ET.Element:
    """Parse XML safely, or stop with one problem.

    Args:
        data: The document.
        shown: The file, for messages.
        member: The document's name inside the file (e.g. "project.qde").

    Raises:
        InputError: A DOCTYPE (refused for safety), or malformed XML (with its line).
    """
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise InputError(
            Problem(
                shown,
                f"{member} declares a DOCTYPE, which REFI-QDA files do not have; "
                "refused for safety",
            )
        ) from None
    except LookupError as exc:  # an XML declaration naming an encoding Python lacks
        raise InputError(
            Problem(shown, f"{member} declares an unknown text encoding ({exc}); expected UTF-8")
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise InputError(
            Problem(
                shown,
                f"{member} is not well-formed XML: {reason} at line {line}, column {column + 1}",
            )
        ) from None


def plain(tag: str) -> str:
    """The local name of a namespaced tag."""
    return tag.rpartition("}")[2]


def guid(value: str | None) -> str | None:
    """A GUID in one spelling: braces dropped, lower case ({ABC...} == abc...)."""
    return value.strip().strip("{}").lower() if value else None


@dataclass(frozen=True)
class Code:
    """One code of a code tree.

    Attributes:
        name: The code's name.
        parent: The parent code's guid (None at the top).
        description: The code's description, if any.
    """

    name: str
    parent: str | None
    description: str = ""


MAX_CODE_DEPTH = 100  # real code trees are a few levels deep; far beyond is a hostile file


def code_tree(
    codes_element: ET.Element | None, namespace: str, shown: str, problems: list[Problem]
) -> dict[str, Code]:
    """Collect the nested Code elements under a `<Codes>` element, by guid.

    Problems (a code without guid or name, a guid used twice) are appended. The tree
    is walked with an explicit stack, so no nesting exhausts Python's recursion.

    Raises:
        InputError: Codes nested deeper than MAX_CODE_DEPTH levels.
    """
    q = f"{{{namespace}}}"
    found: dict[str, Code] = {}
    if codes_element is None:
        return found
    # (code, its parent's guid, its depth), popped in document order (parents first).
    stack = [(code, None, 1) for code in reversed(codes_element.findall(f"{q}Code"))]
    while stack:
        code, parent, depth = stack.pop()
        key, name = guid(code.get("guid")), code.get("name")
        if key is None or not name:
            problems.append(
                Problem(shown, f"Code {name!r} (guid {code.get('guid')}) lacks a guid or name")
            )
            continue
        if key in found:
            problems.append(
                Problem(shown, f"Code {name!r}: guid {code.get('guid')} is used by two codes")
            )
        description = (code.findtext(f"{q}Description") or "").strip()
        found[key] = Code(name=name.strip(), parent=parent, description=description)
        children = code.findall(f"{q}Code")
        if children and depth >= MAX_CODE_DEPTH:
            raise InputError(
                Problem(
                    shown,
                    f"codes are nested more than {MAX_CODE_DEPTH} levels deep (under "
                    f"{name!r}); expected a code tree of at most {MAX_CODE_DEPTH} levels",
                )
            )
        stack += [(child, key, depth + 1) for child in reversed(children)]
    return found


def code_paths(codes: dict[str, Code], shown: str) -> dict[str, tuple[str, ...]]:
    """Every code's path, by guid.

    Raises:
        InputError: The tree has a cycle (reported once per code on it).
    """
    paths: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for key in codes:
        try:
            paths[key] = code_path(codes, key, shown)
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise InputError(problems)
    return paths


def code_path(codes: dict[str, Code], key: str, shown: str) -> tuple[str, ...]:
    """The names from the top of the tree down to the code `key`.

    Raises:
        InputError: The code's ancestors loop (a cycle in the code tree).
    """
    walk: list[str] = []
    current: str | None = key
    while current is not None and current in codes:
        if current in walk:
            loop = walk[walk.index(current) :]
            # The same cycle reads the same from whichever code it is met.
            first = loop.index(min(loop))
            loop = loop[first:] + loop[:first]
            names = " > ".join(f"{codes[g].name!r}" for g in [*loop, loop[0]])
            raise InputError(
                Problem(
                    shown,
                    f"the code tree has a cycle: {names} (guids {', '.join(loop)}); expected "
                    "each code once, nested under its parent",
                )
            )
        walk.append(current)
        current = codes[current].parent
    return tuple(codes[g].name for g in reversed(walk))
