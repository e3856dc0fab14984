"""The Quarto renderer: `quarto render` on the report source, once per output format.

Runs in the source's folder, as documented for the CLI
(https://quarto.org/docs/cli/render.html):

    quarto render rapport.qmd --to html --no-execute
    quarto render rapport.qmd --to typst --no-execute

`--no-execute` because everything was executed before (papermill): the `.qmd` has
no code cells, and `{{< embed >}}` takes the outputs stored in the executed
notebooks (Quarto does not execute `.ipynb` files unless told to). Quarto names the
outputs after the source: `rapport.html`, and `rapport.pdf` for the `typst` format
(the intermediate `.typ` is removed). `SOURCE_DATE_EPOCH` is set to the build
timestamp for tools that honour it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import yaml

from pipeline.drafts import banner_markdown
from pipeline.errors import RenderError
from pipeline.report_source import split_front_matter

SAFETY_FILTER = Path(__file__).parent / "templates" / "safety.lua"

QUARTO_TIMEOUT = 600  # seconds per format; a render takes a few seconds
QUARTO_FORMATS: dict[str, tuple[str, str]] = {"html": ("html", ".html"), "pdf": ("typst", ".pdf")}
"""Our format name -> (Quarto's --to format, suffix of the file Quarto writes)."""


def quarto_command(source: Path, fmt: str, quarto: str = "quarto") -> list[str]:
    """The command line that renders `source` to one format (run it in `source.parent`).

    Args:
        source: The `.qmd` file.
        fmt: "html" or "pdf".
        quarto: The Quarto executable.

    Returns:
        The argument list for `subprocess.run`.
    """
    return [quarto, "render", source.name, "--to", QUARTO_FORMATS[fmt][0], "--no-execute"]


def quarto_environment(timestamp: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Quarto: the current one plus `SOURCE_DATE_EPOCH`."""
    return {**(os.environ if base is None else base), "SOURCE_DATE_EPOCH": str(timestamp)}


def render(source: Path, formats: Sequence[str], *, timestamp: int) -> dict[str, Path]:
    """Render `source` with the Quarto CLI into `rapport.html` / `rapport.pdf` beside it.

    Args:
        source: The `.qmd` file.
        formats: Any of "html", "pdf".
        timestamp: Seconds since the epoch, passed as `SOURCE_DATE_EPOCH`.

    Returns:
        The written files by format.

    Raises:
        RenderError: When Quarto is missing, fails, times out or writes no output.
    """
    quarto = _executable()
    _add_safety_filter(source)
    written = {}
    for fmt in formats:
        target = source.with_suffix(QUARTO_FORMATS[fmt][1])
        target.unlink(missing_ok=True)  # so a stale file never passes for a fresh one
        command = quarto_command(source, fmt, quarto)
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
        if result.returncode != 0 or not target.is_file():
            message = (result.stderr or result.stdout).strip() or f"no {target.name} written"
            raise RenderError(f"{' '.join(command)} failed: {message}")
        written[fmt] = target
    return written


def _add_safety_filter(source: Path) -> None:
    """Give Quarto the built-in renderer's Lua filter (safe link schemes, scrolling tables).

    Quarto documents `filters:` in the front matter; the filter is copied beside the
    source so the work directory stays self-contained.
    """
    shutil.copyfile(SAFETY_FILTER, source.parent / SAFETY_FILTER.name)
    text = source.read_text(encoding="utf-8")
    front, body = split_front_matter(text)
    filters = list(front.get("filters") or [])
    banner = banner_markdown(front.get("draft_mark"))  # Quarto uses its own templates
    if SAFETY_FILTER.name not in filters or banner:
        front["filters"] = list(dict.fromkeys([*filters, SAFETY_FILTER.name]))
        header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        source.write_text(f"---\n{header}---\n{banner}{body}", encoding="utf-8")


def version() -> str:
    """ "quarto <version>" as reported by `quarto --version`."""
    try:
        result = subprocess.run(
            [_executable(), "--version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise RenderError(f"quarto --version failed: {exc}") from exc
    return f"quarto {result.stdout.strip()}"


def _executable() -> str:
    quarto = shutil.which("quarto")
    if quarto is None:
        raise RenderError("the quarto CLI is not on PATH (use renderer 'builtin')")
    return quarto
