"""Find a labelled cell in an executed notebook and turn its outputs into embeddable parts.

Quarto identifies a cell by the `#| label: ...` option comment at the top of its
source; the other `#|` lines (`fig-cap`, `fig-alt`, `tbl-cap`, ...) are YAML options.
Only rich display outputs (`display_data`, `execute_result`) are embedded, as Quarto
does for a figure or table cell; `stream` output (prints, warnings) never reaches a
report.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import nbformat
import yaml

from pipeline.errors import ShortcodeError

_OPTION_PREFIX = re.compile(r"^#\|\s?")
_RICH_OUTPUTS = ("display_data", "execute_result")
# Preferred MIME type of one output, best first: what the renderers can show without
# raw HTML (which is switched off so that data text can never become markup).
_MIME_PREFERENCE = ("image/svg+xml", "image/png", "text/markdown", "text/plain")


@dataclass(frozen=True)
class Output:
    """One displayed output of a cell, in the form the report uses.

    Attributes:
        mime: The MIME type chosen for this output.
        data: SVG or Markdown or plain text as `str`; PNG as raw `bytes`.
        alt: For a figure shown with `pipeline.figures.style.show`: alt text built
            from the figure's data ("" when the notebook gave none).
        table: Likewise: the figure's data as a Markdown pipe table, or "".
    """

    mime: str
    data: str | bytes
    alt: str = ""
    table: str = ""

    @property
    def is_image(self) -> bool:
        """Whether the output is a picture (SVG or PNG)."""
        return self.mime.startswith("image/")


@dataclass(frozen=True)
class Cell:
    """A labelled notebook cell: its `#|` options and its displayed outputs.

    Attributes:
        label: The `#| label:` value.
        options: All `#|` options parsed as YAML.
        outputs: The embeddable outputs, in display order.
    """

    label: str
    options: Mapping[str, object] = field(default_factory=dict)
    outputs: tuple[Output, ...] = ()


def cell_options(source: str) -> dict[str, object]:
    """Parse the leading `#|` option comments of a cell source as YAML.

    Args:
        source: The cell source.

    Returns:
        The options, empty when the cell has none.

    Raises:
        ValueError: When the option lines are not a YAML mapping.
    """
    lines = []
    for line in source.splitlines():
        if not line.startswith("#|"):
            break
        lines.append(_OPTION_PREFIX.sub("", line, count=1))
    if not lines:
        return {}
    options = yaml.safe_load("\n".join(lines))
    if not isinstance(options, dict):
        raise ValueError("the '#|' option lines are not a YAML mapping")
    return options


# Recently read notebooks by the digest of their bytes. A pair's HTML and PDF embed the
# same two executed notebooks: parsing, validating and reading every cell's options
# once instead of once per format saves about 12 ms per notebook. Keyed by content, a
# notebook that changes is read again whatever its timestamps say. The formats render
# side by side in threads (and a Dask worker renders pairs in threads), so the lock is
# held while a notebook is parsed: the second format waits for the first's parse instead
# of parsing too. Parsing holds the GIL anyway, so the lock costs no parallelism.
_RECENT: OrderedDict[bytes, dict[str, Cell]] = OrderedDict()
_RECENT_SIZE = 4
_RECENT_LOCK = threading.Lock()


def read_cells(notebook: Path) -> dict[str, Cell]:
    """Read every labelled code cell of an executed notebook.

    Args:
        notebook: Path of the `.ipynb` file.

    Returns:
        Cells by label (cells without a `#| label:` are left out); their options
        are read-only, as the same cells are returned for the same file content.

    Raises:
        ShortcodeError: When the notebook cannot be read, a cell's options are not
            valid YAML, or two cells share a label.
    """
    try:
        content = notebook.read_bytes()
    except OSError as exc:
        raise ShortcodeError(f"{notebook}: cannot read the notebook: {exc}") from exc
    digest = hashlib.blake2b(content, digest_size=20).digest()
    with _RECENT_LOCK:
        cells = _RECENT.get(digest)
        if cells is None:
            cells = _RECENT[digest] = _parse_cells(notebook, content)
            if len(_RECENT) > _RECENT_SIZE:
                _RECENT.popitem(last=False)
        else:
            _RECENT.move_to_end(digest)
        return dict(cells)


def _parse_cells(notebook: Path, content: bytes) -> dict[str, Cell]:
    try:
        nb = nbformat.reads(content.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, ValueError) as exc:  # NotJSONError is a ValueError
        raise ShortcodeError(f"{notebook}: cannot read the notebook: {exc}") from exc
    cells: dict[str, Cell] = {}
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        try:
            options = cell_options(cell.source)
        except (yaml.YAMLError, ValueError) as exc:
            raise ShortcodeError(f"{notebook}: cell {index}: bad '#|' options: {exc}") from exc
        label = options.get("label")
        if label is None:
            continue
        label = str(label)
        if label in cells:
            raise ShortcodeError(f"{notebook}: cell {index}: label {label!r} is used twice")
        outputs = tuple(_output(o) for o in cell.get("outputs", []) if _is_rich(o))
        cells[label] = Cell(label=label, options=MappingProxyType(options), outputs=outputs)
    return cells


def _is_rich(output: dict) -> bool:
    return output.get("output_type") in _RICH_OUTPUTS and any(
        mime in output.get("data", {}) for mime in _MIME_PREFERENCE
    )


def _output(output: dict) -> Output:
    data = output["data"]
    mime = next(m for m in _MIME_PREFERENCE if m in data)
    value = data[mime]
    if isinstance(value, list):  # notebooks on disk may split text into lines
        value = "".join(value)
    extra = output.get("metadata", {}).get("peer-eval", {})
    extra = extra if isinstance(extra, dict) else {}
    alt, table = (str(extra.get(k) or "") for k in ("alt", "data"))
    if mime == "image/png":
        return Output(mime, base64.b64decode(value), alt, table)
    return Output(mime, value, alt, table)
