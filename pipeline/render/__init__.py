"""Render a report source (`rapport.qmd`) to HTML, PDF and Word, with Quarto or built-in.

Renderers are looked up by name in `RENDERERS`; "auto" means Quarto when the
`quarto` CLI is on PATH, else the built-in pandoc + Typst renderer.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.render import builtin, quarto

FORMATS: tuple[str, ...] = ("html", "pdf", "docx")


@dataclass(frozen=True)
class Renderer:
    """A way to render a report source.

    Attributes:
        render: `(source, formats, *, timestamp) -> {format: path}`.
        version: Name and version for the manifest.
    """

    render: Callable[..., dict[str, Path]]
    version: Callable[[], str]


RENDERERS: dict[str, Renderer] = {
    "builtin": Renderer(builtin.render, builtin.version),
    "quarto": Renderer(quarto.render, quarto.version),
}


def resolve_renderer(name: str) -> tuple[str, str]:
    """The concrete renderer for `name` and its version, for plans and manifests.

    Args:
        name: "auto" (quarto if its CLI is on PATH, else builtin), "quarto" or "builtin".

    Returns:
        (renderer name, version text), e.g. ("builtin", "builtin (pandoc 3.9, typst 0.15.2)").

    Raises:
        UsageError: For a name that is neither "auto" nor in `RENDERERS`.
        RenderError: When the renderer's tools cannot report a version.
    """
    concrete = _concrete(name)
    return concrete, RENDERERS[concrete].version()


def render(
    source: Path, formats: Sequence[str], *, renderer: str = "auto", timestamp: int
) -> dict[str, Path]:
    """Render `source` into `rapport.html` / `rapport.pdf` / `rapport.docx` next to it.

    Args:
        source: The report source (`.qmd`) in its work directory.
        formats: Any of "html", "pdf", "docx".
        renderer: "auto", "quarto" or "builtin".
        timestamp: Seconds since the epoch (from SOURCE_DATE_EPOCH or params): fixes
            the PDF's dates, so the same inputs give the same bytes.

    Returns:
        The written files by format, in the order asked for.

    Raises:
        UsageError: For an unknown renderer or format.
        ShortcodeError: When the built-in renderer meets a shortcode it cannot resolve.
        RenderError: When pandoc, Typst or Quarto fails.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown output format(s) {unknown}; expected any of {list(FORMATS)}")
    return RENDERERS[_concrete(renderer)].render(
        Path(source), list(dict.fromkeys(formats)), timestamp=timestamp
    )


def renderer_version(name: str) -> str:
    """Renderer and version for the manifest, e.g. "builtin (pandoc 3.9, typst 0.15.2)"."""
    return resolve_renderer(name)[1]


def _concrete(name: str) -> str:
    if name == "auto":
        return "quarto" if shutil.which("quarto") else "builtin"
    if name not in RENDERERS:
        raise UsageError(f"unknown renderer {name!r}; expected auto or one of {sorted(RENDERERS)}")
    return name
