"""The Quarto renderer: one `quarto render` call for every asked format of a report source.

Targets Quarto 1.11 (checked against a 1.11 development build with pandoc 3.9 and
Typst 0.15; see docs/quarto.md). Runs in the source's folder, as documented for the
CLI (https://quarto.org/docs/cli/render.html); `--to` takes a comma-separated list, so
one Quarto (and one Deno start-up) renders all formats:

    quarto render rapport.qmd --to html,typst,docx --no-execute

`--no-execute` because everything was executed before (papermill): the `.qmd` has no
code cells, and `{{< embed >}}` takes the outputs stored in the executed notebooks.
Quarto names the outputs after the source (`rapport.html`, `rapport.pdf` for the
`typst` format, `rapport.docx`). `SOURCE_DATE_EPOCH` is set to the build timestamp,
which fixes the docx zip timestamps and the PDF dates.

Before the call, `quarto_front_matter` rewrites the source's front matter with the
settings that make Quarto's output meet the built-in renderer's rules (inert text,
PDF/A on A4, language and region, no machine paths, stable attribute order), and the
Lua filters and style files it names are copied beside the source.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import yaml

from pipeline.drafts import banner_markdown
from pipeline.errors import RenderError, UsageError
from pipeline.formatting import locale
from pipeline.i18n import DEFAULT_LANGUAGE
from pipeline.render import docx
from pipeline.render.shortcodes import Source, labels, resolve_front_matter
from pipeline.report_source import split_front_matter

TEMPLATES = Path(__file__).parent / "templates"
SAFETY_FILTER = TEMPLATES / "safety.lua"
CITATIONS_FILTER = TEMPLATES / "citations.lua"
CELLS_FILTER = TEMPLATES / "cells.lua"
STYLESHEET = TEMPLATES / "quarto.css"
SUPPORT_FILES = (SAFETY_FILTER, CITATIONS_FILTER, docx.COVER_FILTER, CELLS_FILTER, STYLESHEET)
"""Files copied beside the source, where its front matter names them."""

_log = logging.getLogger(__name__)
TARGET_VERSION = "1.11"
"""The Quarto version the options and filters were checked against (docs/quarto.md)."""
QUARTO_TIMEOUT = 900  # seconds for all formats of one report; a render takes a few seconds
QUARTO_FORMATS: dict[str, tuple[str, str]] = {
    "html": ("html", ".html"),
    "pdf": ("typst", ".pdf"),
    "docx": ("docx", ".docx"),
}
"""Our format name -> (Quarto's --to format, suffix of the file Quarto writes)."""

# Pandoc's reader for the whole document, set with Quarto's `from:` option. As in the
# built-in renderer, nothing in the text can become raw HTML/TeX/Typst, math (MathJax is
# an external script) or typographic quotes. Citations stay on: Quarto's cross-references
# (@fig-x, @tbl-x) are citations; citations.lua turns any other back into text.
QUARTO_READER = "markdown" + "".join(
    f"-{ext}"
    for ext in ("smart", "raw_html", "raw_attribute", "raw_tex", "latex_macros", "tex_math_dollars")
)

FILTERS = [
    "quarto",  # Quarto's own filters first: the filters below see resolved cross-references
    SAFETY_FILTER.name,
    CITATIONS_FILTER.name,
    docx.COVER_FILTER.name,
    # After Quarto's layout and rendering filters, which add the cell attributes.
    {"at": "post-render", "path": CELLS_FILTER.name},
]
FORMAT_OPTIONS: dict[str, dict] = {
    "html": {
        "embed-resources": True,  # one file, no network: figures and CSS inside
        "minimal": True,  # no Bootstrap theme or scripts (1.6 MB -> a few hundred kB)
        "css": [STYLESHEET.name],
        "notebook-links": False,  # no links to the work folder's notebooks
        "format-links": False,  # no "Other formats" box
        "anchor-sections": False,
        "code-copy": False,
    },
    "typst": {
        "pdf-standard": "a-2b",  # archival, as the built-in renderer's PDF
        "papersize": "a4",
        # The contents come after the cover page, from cover.lua.
        "toc": False,
    },
    "docx": {"reference-doc": docx.REFERENCE_NAME, "toc": False},
}
"""Quarto format options that override the template's (the rest of it is kept)."""
FORMAT_DEFAULTS: dict[str, dict] = {"html": {"toc": True}}
"""Quarto format options the template may change."""


def quarto_command(source: Path, formats: Sequence[str], quarto: str = "quarto") -> list[str]:
    """The command line that renders `source` to all `formats` (run it in `source.parent`).

    Args:
        source: The `.qmd` file.
        formats: Any of "html", "pdf", "docx".
        quarto: The Quarto executable.

    Returns:
        The argument list for `subprocess.run`.
    """
    to = ",".join(QUARTO_FORMATS[fmt][0] for fmt in formats)
    return [quarto, "render", source.name, "--to", to, "--no-execute"]


def quarto_environment(timestamp: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Quarto: the current one plus `SOURCE_DATE_EPOCH`."""
    return {**(os.environ if base is None else base), "SOURCE_DATE_EPOCH": str(timestamp)}


def quarto_front_matter(front: dict, resolved: dict | None = None) -> dict:
    """The source's front matter with the settings this backend gives Quarto.

    Args:
        front: The front matter as written by `report_source.compose_source`.
        resolved: The same with `meta` shortcodes resolved (for the page title); by
            default `front` itself.

    Returns:
        A new mapping: `front` plus reader, filters, region, date format, page title,
        cover fields for the filters and the format options of `FORMAT_OPTIONS`.
    """
    resolved = front if resolved is None else resolved
    lang = str(front.get("lang") or DEFAULT_LANGUAGE)
    labels(lang)  # raises for a language without labels
    out = copy.deepcopy(front)
    out["from"] = QUARTO_READER
    out["filters"] = copy.deepcopy(FILTERS)
    out["region"] = locale(lang).split("_")[1]  # Quarto's ISO 3166 region: sv_SE -> SE
    out["date-format"] = "long"
    title = str(resolved.get("title") or "")
    subtitle = str(resolved.get("subtitle") or "")
    out["pagetitle"] = f"{title} – {subtitle}" if title and subtitle else title or subtitle
    mark = front.get("draft_mark")
    if isinstance(mark, dict) and mark.get("label"):  # a draft says so in its title too
        out["pagetitle"] = f"{mark['label']}: {out['pagetitle']}"
    # Read by cover.lua: fixed words of the cover page and the contents.
    # The template's typst `toc` asks for contents; once rewritten, `peer-eval` holds it.
    earlier = front.get("peer-eval") if isinstance(front.get("peer-eval"), dict) else {}
    toc = earlier.get("toc", _options(front, "typst").get("toc", True))
    out["peer-eval"] = {**docx.cover_labels(lang), "toc": bool(toc)}
    formats = {}
    for name, options in FORMAT_OPTIONS.items():
        defaults = FORMAT_DEFAULTS.get(name, {})
        formats[name] = {**defaults, **_options(front, name), **copy.deepcopy(options)}
    out["format"] = formats
    return out


def render(source: Path, formats: Sequence[str], *, timestamp: int) -> dict[str, Path]:
    """Render `source` with one Quarto CLI call into `rapport.html|pdf|docx` beside it.

    Args:
        source: The `.qmd` file.
        formats: Any of "html", "pdf", "docx".
        timestamp: Seconds since the epoch, passed as `SOURCE_DATE_EPOCH`.

    Returns:
        The written files by format.

    Raises:
        RenderError: When Quarto is missing, fails, times out or writes no output.
    """
    quarto = _executable()
    prepare(source)
    targets = {fmt: source.with_suffix(QUARTO_FORMATS[fmt][1]) for fmt in formats}
    for target in targets.values():
        target.unlink(missing_ok=True)  # so a stale file never passes for a fresh one
    command = quarto_command(source, formats, quarto)
    try:
        result = subprocess.run(
            command,
            cwd=source.parent,
            env=quarto_environment(timestamp),
            capture_output=True,
            text=True,
            timeout=QUARTO_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{' '.join(command)}: no result in {QUARTO_TIMEOUT} s") from exc
    missing = [t.name for t in targets.values() if not t.is_file()]
    if result.returncode != 0 or missing:
        message = (result.stderr or result.stdout).strip() or f"no {', '.join(missing)} written"
        raise RenderError(f"{' '.join(command)} failed: {message}")
    if "docx" in targets:  # fixed zip timestamps, whatever Quarto's pandoc did
        targets["docx"].write_bytes(docx.normalise(targets["docx"].read_bytes()))
    return targets


def prepare(source: Path) -> None:
    """Rewrite the source's front matter for Quarto and copy the files it names beside it.

    The work directory stays self-contained: Quarto resolves filter, CSS and
    reference-doc paths against the source's folder.
    """
    text = source.read_text(encoding="utf-8")
    front, body = split_front_matter(text)
    resolved = resolve_front_matter(Source(source, front, body, 1))
    banner = banner_markdown(front.get("draft_mark"))  # Quarto uses its own templates
    header = yaml.safe_dump(
        quarto_front_matter(front, resolved), allow_unicode=True, sort_keys=False, width=1000
    )
    source.write_text(f"---\n{header}---\n{banner}{body}", encoding="utf-8")
    for path in SUPPORT_FILES:
        shutil.copyfile(path, source.parent / path.name)
    (source.parent / docx.REFERENCE_NAME).write_bytes(docx.reference_doc())


def version() -> str:
    """ "quarto <version>" as reported by `quarto --version`.

    Logs a warning when it is not the Quarto version this backend targets.

    Raises:
        UsageError: Quarto is not on PATH: asked for by name (`--renderer quarto`)
            where it is not installed, which is for the user to change (exit 2).
        RenderError: `quarto --version` fails.
    """
    if shutil.which("quarto") is None:
        raise UsageError(
            "--renderer quarto: the quarto CLI is not on PATH; install Quarto, "
            "or use --renderer builtin (or auto)"
        )
    try:
        result = subprocess.run(
            [_executable(), "--version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise RenderError(f"quarto --version failed: {exc}") from exc
    found = result.stdout.strip()
    if found.split(".")[:2] != TARGET_VERSION.split("."):
        _log.warning("the Quarto backend targets Quarto %s; found %s", TARGET_VERSION, found)
    return f"quarto {found}"


def _options(front: dict, name: str) -> dict:
    options = (front.get("format") or {}).get(name)
    return options if isinstance(options, dict) else {}


def _executable() -> str:
    quarto = shutil.which("quarto")
    if quarto is None:
        raise RenderError("the quarto CLI is not on PATH (use renderer 'builtin')")
    return quarto
