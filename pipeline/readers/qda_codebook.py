"""Codebooks exported by qualitative-analysis tools, read into the same `Codebook`.

Read by suffix (the formats are registered in pipeline.readers.formats, the code
trees read by pipeline.readers.tool_codes):

* ``.yaml`` / ``.yml``: the project's own codebook (pipeline.readers.codebook);
* ``.qdpx``: the CodeBook of a REFI-QDA project;
* ``.qdc``: a REFI-QDA codebook (Taguette, NVivo, MAXQDA, ATLAS.ti, QualCoder);
* ``.csv`` / ``.xlsx``: Taguette's codebook export (columns ``tag``, ``description``).

Each code is a path (nested codes, or a Taguette tag split at "/"). The same
`CodeScheme` as for the segments decides which codes are themes: codes in the
factor subtree or named as factors, and excluded codes, are not; the theme subtree
(`codes.themes`) is stripped. A theme's id is its path in id form
(``Bidrag till brukare/Isolering`` -> ``bidrag_till_brukare.isolering``), so the
segments of the same tool match it by path; parents implied by a path are themes
too. Without `codes.factors`, a top-level code whose children are all factor codes
(``Faktorer > Främjande, Hindrande``) groups the factors and is no theme. Labels are
the tool's code names in both languages unless a labels YAML
(`inputs.codebook.labels`, default ``<codebook>.labels.yaml`` beside it when
present) gives them::

    bidrag_till_brukare.isolering: {sv: "Bryta isolering", en: "Breaking isolation"}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.readers.codebook import Codebook, parse_codebook, texts
from pipeline.readers.codes import CodeScheme, theme_id_part
from pipeline.readers.yamlfile import load_yaml
from pipeline.schema import LANGUAGES

CodeReader = Callable[[Path, CodeScheme, str], list[tuple[tuple[str, ...], str]]]
"""Reads a tool's export: (path, scheme, display) -> (code path, description) pairs."""


def labels_beside(path: Path, labels: Path | None) -> Path | None:
    """The labels YAML of a tool's codebook: the one given, else `<codebook>.labels.yaml`."""
    if labels is not None:
        return labels
    beside = path.with_name(f"{path.stem}.labels.yaml")
    return beside if beside.is_file() else None


def tool_codebook(
    path: Path,
    *,
    codes: CodeReader,
    scheme: CodeScheme,
    labels: Path | None,
    display: str,
) -> Codebook:
    """The codebook of a qualitative-analysis tool's export, whose codes `codes` reads.

    Args:
        path: The export.
        codes: Reads its code tree (pipeline.readers.tool_codes).
        scheme: Which codes are themes.
        labels: A labels YAML (theme id -> {sv, en}); default: beside the file.
        display: How to name the file in messages.

    Raises:
        InputError: Every problem found (unreadable file, unknown layout, a cycle in
            the code tree, labels for unknown themes ...).
    """
    if not path.is_file():
        raise InputError(Problem(display, "file not found"))
    found = codes(path, scheme, display)
    # Taguette writes its tags flat, the path in the name ("faktor/hindrande").
    found = [(tuple(q for p in parts for q in scheme.parts(p)), d) for parts, d in found]
    themes = _theme_paths(found, scheme)
    extra = labels_beside(path, labels)
    overrides = _read_labels(extra, _shown_beside(display, path, extra)) if extra else {}
    return parse_codebook(_document(themes, overrides, display, extra, path), display)


def _shown_beside(shown: str, path: Path, other: Path) -> str:
    return str(Path(shown).parent / other.name) if other.parent == path.parent else str(other)


def _theme_paths(
    codes: list[tuple[tuple[str, ...], str]], scheme: CodeScheme
) -> dict[tuple[str, ...], str]:
    """Theme path -> description, in tree order, parents before children."""
    themes: dict[tuple[str, ...], str] = {}
    groups = factor_groups([parts for parts, _ in codes], scheme)
    for parts, description in codes:
        if parts[:1] in groups:
            continue
        path = _theme_path(parts, scheme)
        if not path:
            continue
        for depth in range(1, len(path)):
            themes.setdefault(path[:depth], "")
        themes[path] = description or themes.get(path, "")
    return themes


def factor_groups(paths: list[tuple[str, ...]], scheme: CodeScheme) -> set[tuple[str, ...]]:
    """Top-level codes that only group the factor codes (``Faktorer > Främjande, Hindrande``).

    Without `codes.factors` the factors are known by name only, so their parent would
    otherwise become a theme (and a coding of ``Faktorer > Främjande`` a segment of
    it, its factor lost). A top-level code is such a group when it has children, every
    one of its descendants is a factor code one level below it, and its name says
    factors (``Faktorer``, ``Främjande och hindrande faktorer``, ``Factors``): a theme
    coded by factor (``Handledning > Främjande, Hindrande``) has the same shape.
    """
    if scheme.factors is not None:
        return set()  # the analyst named the factor subtree
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for parts in paths:
        if len(parts) > 1:
            children.setdefault(parts[:1], []).append(parts)
    return {
        top
        for top, below in children.items()
        if all(len(p) == 2 and scheme.factor(p[1]) for p in below)
        and scheme.factor(top[0]) is None
        and _FACTOR_GROUP_NAME.search(top[0])
    }


_FACTOR_GROUP_NAME = re.compile(r"fa[ck]tor", re.IGNORECASE)


def _theme_path(parts: tuple[str, ...], scheme: CodeScheme) -> tuple[str, ...]:
    def under(path: tuple[str, ...], root: tuple[str, ...]) -> bool:
        return len(path) >= len(root) and all(
            theme_id_part(a) == theme_id_part(b) for a, b in zip(path, root, strict=False)
        )

    if any(under(parts, e) for e in scheme.exclude):
        return ()
    if scheme.factors is not None and under(parts, scheme.factors):
        return ()
    if scheme.factors is None and any(scheme.factor(p) for p in parts):
        return ()  # a factor code, or a theme inside a factor branch: not a theme of its own
    if scheme.themes:
        if not under(parts, scheme.themes):
            return ()
        parts = parts[len(scheme.themes) :]
    return parts


def _document(
    themes: dict[tuple[str, ...], str],
    labels: Mapping[str, dict[str, str]],
    shown: str,
    labels_path: Path | None,
    path: Path,
) -> dict:
    nodes: dict[tuple[str, ...], dict] = {}
    top: list[dict] = []
    named: dict[str, tuple[str, ...]] = {}
    for theme_path, description in themes.items():
        theme_id = ".".join(theme_id_part(p) for p in theme_path)
        other = named.setdefault(theme_id, theme_path)
        if other != theme_path:
            # The YAML key path of the generated codebook would mean nothing to the analyst.
            raise InputError(
                Problem(
                    shown,
                    f"the codes {' > '.join(other)!r} and {' > '.join(theme_path)!r} both "
                    f"get the theme id {theme_id!r}; expected codes whose names differ in "
                    "more than punctuation and case (rename one in the tool)",
                )
            )
        label = labels.get(theme_id) or dict.fromkeys(LANGUAGES, theme_path[-1])
        node: dict = {"id": theme_id, "label": dict(label)}
        if description.strip():
            node["description"] = dict.fromkeys(LANGUAGES, description.strip())
        nodes[theme_path] = node
        parent = nodes.get(theme_path[:-1])
        (parent.setdefault("children", []) if parent is not None else top).append(node)
    ids = sorted(n["id"] for n in nodes.values())
    unknown = sorted(set(labels) - set(ids))
    if unknown and labels_path is not None:
        raise InputError(
            [
                Problem(
                    _shown_beside(shown, path, labels_path),
                    f"labels for {theme!r}, which is not a theme of the codebook "
                    f"{shown}; expected one of {', '.join(ids)}",
                    key=theme,
                )
                for theme in unknown
            ]
        )
    if not top:
        raise InputError(
            Problem(shown, "no theme codes found (every code is a factor or excluded)")
        )
    return {"themes": top}


def _read_labels(path: Path, shown: str) -> dict[str, dict[str, str]]:
    data = load_yaml(path, shown)
    if not isinstance(data, Mapping):
        raise InputError(Problem(shown, "expected a mapping: theme id -> {sv: ..., en: ...}"))
    problems: list[Problem] = []
    found = {
        str(theme): texts(value, str(theme), shown, problems, required=True)
        for theme, value in data.items()
    }
    if problems:
        raise InputError(problems)
    return found
