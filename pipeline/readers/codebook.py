"""The codebook: the themes interviews are coded with, read from `codebook.yaml`.

Format (every key other than these is an error)::

    themes:
      - id: implementering                  # lower-case a-z, 0-9, "_" and "."
        label: {sv: "Implementering", en: "Implementation"}   # both languages required
        description: {sv: "...", en: "..."}  # optional
        children:                             # optional, nested to any depth
          - id: implementering.introduktion   # must start with "<parent id>."
            label: {sv: "Introduktion", en: "Introduction"}

The YAML helpers here (`load_yaml`, `key_path`) are shared with the other YAML readers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError, Problem
from pipeline.readers.text_keys import text_key
from pipeline.readers.yamlfile import load_yaml
from pipeline.schema import LANGUAGES

if TYPE_CHECKING:
    import pandas as pd

# The project's own codebook (pipeline.readers.formats registers them to it).
YAML_CODEBOOK_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")
THEME_COLUMNS: tuple[str, ...] = (
    "id",
    "parent",
    "level",
    "label_sv",
    "label_en",
    "description_sv",
    "description_en",
    "order",
)

_ID_PATTERN = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
_THEME_KEYS = ("id", "label", "description", "children")


@dataclass(frozen=True, eq=False)
class Codebook:
    """The validated theme tree.

    Attributes:
        themes: One row per theme in codebook order (depth first), with columns
            THEME_COLUMNS: `parent` is None for top-level themes, `level` is 1 for
            them, `order` counts from 0.
    """

    themes: pd.DataFrame

    @property
    def ids(self) -> tuple[str, ...]:
        """Every theme id, in codebook order."""
        return tuple(self.themes["id"])

    @cached_property
    def _rows(self) -> dict[str, dict[str, object]]:
        return {row["id"]: row for row in self.themes.to_dict("records")}

    @cached_property
    def _names(self) -> dict[str, str | None]:
        # Labels may repeat across branches ("Övrigt"); such a label names no theme.
        names: dict[str, str | None] = {}
        for row in self._rows.values():
            for text in {row["label_sv"], row["label_en"]}:
                key = match_key(str(text))
                names[key] = None if names.get(key, row["id"]) != row["id"] else row["id"]
        names.update({match_key(theme): theme for theme in self._rows})
        return names

    def label(self, theme_id: str, lang: str = "sv") -> str:
        """Return the label of a theme.

        Args:
            theme_id: A theme id of this codebook.
            lang: A report language.

        Returns:
            The label in that language.

        Raises:
            KeyError: The id is not in the codebook.
            ValueError: The language is not supported.
        """
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")
        return str(self._rows[theme_id][f"label_{lang}"])

    def top_level(self, theme_id: str) -> str:
        """Return the id of the top-level theme that `theme_id` belongs to (itself if top-level).

        Raises:
            KeyError: The id is not in the codebook.
        """
        row = self._rows[theme_id]
        while row["parent"] is not None:
            row = self._rows[str(row["parent"])]
        return str(row["id"])

    def resolve(self, name: str) -> str | None:
        """Return the theme id that `name` denotes, or None.

        A name denotes a theme when it equals the theme's id or its Swedish or English
        label, ignoring case, surrounding and repeated white space and Unicode
        normalisation form. A label shared by two themes denotes neither.
        """
        return self._names.get(match_key(name))


def match_key(text: str) -> str:
    """Return the form of `text` used for lenient matching of names, ids and codes.

    Case, repeated or surrounding white space and the Unicode normalisation form
    (macOS writes "ä" decomposed) do not matter.
    """
    return text_key(unicodedata.normalize("NFC", text))


def read_codebook(path: Path, display: str | None = None) -> Codebook:
    """Read and validate `codebook.yaml`.

    Args:
        path: The YAML file.
        display: How to name the file in messages (default: the path as given).

    Returns:
        The codebook.

    Raises:
        InputError: Unreadable file, YAML syntax error (with line), or every
            structural problem found (with the YAML key path).
    """
    shown = display or str(path)
    return parse_codebook(load_yaml(path, shown), shown)


def parse_codebook(data: object, display: str) -> Codebook:
    """Validate an already loaded codebook document (see the module docstring).

    Args:
        data: The loaded YAML document.
        display: How to name the file in messages.

    Returns:
        The codebook.

    Raises:
        InputError: Every problem found, one per line, each naming its key path.
    """
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    if not isinstance(data, Mapping):
        raise InputError(Problem(display, "expected a mapping with the key 'themes'"))
    problems += unknown_keys(data, ("themes",), "", display)
    themes = data.get("themes")
    if not isinstance(themes, list) or not themes:
        problems.append(Problem(display, "expected a non-empty list of themes", key="themes"))
    else:
        _walk(themes, None, 1, "themes", display, rows, problems)
    seen: dict[str, str] = {}
    for row in rows:
        where, theme = str(row.pop("_key")), str(row["id"])
        if theme in seen:
            problems.append(
                Problem(
                    display,
                    f"duplicated theme id {theme!r} (first at {seen[theme]})",
                    key=f"{where}.id",
                )
            )
        seen.setdefault(theme, where)
    if problems:
        raise InputError(problems)
    import pandas as pd  # here: the params' code scheme imports this module, pandas costs 0.2 s

    frame = pd.DataFrame(rows, columns=list(THEME_COLUMNS))
    frame["level"] = frame["level"].astype("int64")
    frame["order"] = frame["order"].astype("int64")
    frame["parent"] = frame["parent"].astype(object).where(frame["parent"].notna(), None)
    return Codebook(themes=frame)


def _walk(
    themes: list,
    parent: str | None,
    level: int,
    at: str,
    display: str,
    rows: list[dict[str, object]],
    problems: list[Problem],
) -> None:
    for index, theme in enumerate(themes):
        where = f"{at}[{index}]"
        if not isinstance(theme, Mapping):
            problems.append(Problem(display, "expected a mapping with id and label", key=where))
            continue
        problems.extend(unknown_keys(theme, _THEME_KEYS, where, display))
        theme_id = _theme_id(theme.get("id"), parent, f"{where}.id", display, problems)
        label = texts(theme.get("label"), f"{where}.label", display, problems, required=True)
        description = texts(
            theme.get("description"), f"{where}.description", display, problems, required=False
        )
        if theme_id is not None:
            rows.append(
                {
                    "_key": where,
                    "id": theme_id,
                    "parent": parent,
                    "level": level,
                    **{f"label_{lang}": label.get(lang, "") for lang in LANGUAGES},
                    **{f"description_{lang}": description.get(lang, "") for lang in LANGUAGES},
                    "order": len(rows),
                }
            )
        children = theme.get("children")
        if children is None:
            continue
        if not isinstance(children, list):
            problems.append(Problem(display, "expected a list of themes", key=f"{where}.children"))
        elif theme_id is not None:
            _walk(children, theme_id, level + 1, f"{where}.children", display, rows, problems)


def _theme_id(
    value: object, parent: str | None, where: str, display: str, problems: list[Problem]
) -> str | None:
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        problems.append(
            Problem(
                display,
                f"invalid theme id {value!r}; expected lower-case letters a-z, "
                "digits, '_' and '.' (e.g. implementering.handledning)",
                key=where,
            )
        )
        return None
    if parent is not None and not value.startswith(parent + "."):
        problems.append(
            Problem(
                display,
                f"theme id {value!r} is a child of {parent!r}; expected an id "
                f"starting with {parent + '.'!r}",
                key=where,
            )
        )
        return None
    return value


def texts(
    value: object, where: str, display: str, problems: list[Problem], *, required: bool
) -> dict[str, str]:
    """Validate a `{sv: ..., en: ...}` mapping of non-empty texts.

    Args:
        value: The loaded YAML value (None when the key is absent).
        where: Its key path, for messages.
        display: How to name the file in messages.
        problems: Problems found are appended here.
        required: Whether the key must be present (it then needs both languages).

    Returns:
        The texts by language (only the valid ones).
    """
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        problems.append(
            Problem(display, "expected a mapping with the texts 'sv' and 'en'", key=where)
        )
        return {}
    problems.extend(unknown_keys(value, LANGUAGES, where, display))
    found: dict[str, str] = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            found[lang] = text.strip()
        elif text is not None or required:
            problems.append(
                Problem(
                    display, f"expected a non-empty text, found {text!r}", key=f"{where}.{lang}"
                )
            )
    return found


def unknown_keys(
    mapping: Mapping, allowed: tuple[str, ...], where: str, display: str
) -> list[Problem]:
    """Return one problem per key of `mapping` that is not in `allowed`."""
    return [
        Problem(
            display,
            f"unknown key {key!r}; expected one of {', '.join(allowed)}",
            key=key_path(where, key),
        )
        for key in mapping
        if key not in allowed
    ]


def key_path(where: str, key: object) -> str:
    """Join a YAML key path and a key: ("themes[0]", "id") -> "themes[0].id"."""
    return f"{where}.{key}" if where else str(key)
