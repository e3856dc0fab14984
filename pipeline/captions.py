"""Captions and alt text of notebook cells, from the message catalogs.

A cell labelled `#| label: fig-x` in `notebooks/<name>.ipynb` takes its caption and alt
text from `pipeline/locales/<lang>/captions_<name>.yaml`, keys `fig-x.cap` and
`fig-x.alt`. They are written into the cell as the options Quarto and the built-in
renderer read (`#| fig-cap:`, `#| tbl-cap:`, `#| fig-alt:`) just before the notebook
runs, so the notebooks themselves carry no language. An option the cell sets itself is
kept as it is: a cell an analyst adds can carry its own caption.
"""

from __future__ import annotations

import json

import nbformat

from pipeline.cell_options import OPTION_LINE
from pipeline.errors import UsageError
from pipeline.i18n import Catalog, languages

# A catalog key "fig-x.cap" becomes the option "fig-cap" of the cell labelled "fig-x".
_SUFFIXES = ("cap", "alt")


def caption_domain(notebook_name: str) -> str:
    """The catalog of a notebook's captions: "survey" -> "captions_survey"."""
    return f"captions_{notebook_name}"


def localise_captions(
    notebook: nbformat.NotebookNode, lang: str, notebook_name: str
) -> nbformat.NotebookNode:
    """Return a copy of `notebook` whose labelled cells carry their captions in `lang`.

    Args:
        notebook: The source notebook (not modified).
        lang: The report language.
        notebook_name: The notebook's file stem ("survey"), which names its catalog.

    Returns:
        A copy with `#| <kind>-cap:` / `#| <kind>-alt:` lines after each label that has
        catalog messages (values double-quoted, as YAML reads them).

    Raises:
        UsageError: A cell still carries a per-language option such as `fig-cap-en`
            (captions per language live in the catalog now).
    """
    catalog = Catalog(caption_domain(notebook_name))
    result = nbformat.from_dict(notebook)
    for cell in result.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        options = [m.group(1) for m in map(OPTION_LINE.match, lines) if m]
        for option in options:
            parts = option.split("-")
            if len(parts) == 3 and parts[1] in _SUFFIXES and parts[2] in languages():
                raise UsageError(
                    f"{notebook_name}.ipynb: cell option {option!r} is no longer read; "
                    f"captions per language belong in pipeline/locales/<lang>/"
                    f"{caption_domain(notebook_name)}.yaml"
                )
        label = _label(lines)
        if label is None:
            continue
        kind = label.split("-", 1)[0]
        added = [
            f"#| {kind}-{suffix}: {_quoted(catalog(lang, f'{label}.{suffix}'))}"
            for suffix in _SUFFIXES
            if catalog.has(lang, f"{label}.{suffix}") and f"{kind}-{suffix}" not in options
        ]
        if added:
            at = next(i for i, line in enumerate(lines) if _is_label(line)) + 1
            cell.source = "\n".join([*lines[:at], *added, *lines[at:]])
    return result


def _quoted(text: str) -> str:
    """A double-quoted scalar (JSON's quoting is valid YAML, as the option lines are)."""
    return json.dumps(text, ensure_ascii=False)


def _is_label(line: str) -> bool:
    match = OPTION_LINE.match(line)
    return bool(match) and match.group(1) == "label"


def _label(lines: list[str]) -> str | None:
    for line in lines:
        if _is_label(line):
            return line.split(":", 1)[1].strip().strip("'\"")
    return None
