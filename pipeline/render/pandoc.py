"""pandoc as both renderers run it: sandboxed, on data-safe Markdown from stdin, with a timeout.

Data text reaches pandoc already escaped by `md_text`; on top of that the reader switches
off every extension that could turn text into raw HTML/Typst/TeX, raw attributes,
citations or math, so even an escaping slip shows characters, not markup.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

import pypandoc

from pipeline.errors import RenderError

PANDOC_TIMEOUT = 120  # seconds; a report takes well under one
_READER_OFF = (
    "smart",  # typographic quotes would alter quoted data
    "raw_html",
    "raw_attribute",  # `x`{=html} / ```{=typst} blocks
    "raw_tex",
    "latex_macros",
    "citations",  # @name
    "tex_math_dollars",  # $...$ would need MathJax (an external script)
    "yaml_metadata_block",  # metadata comes only from --metadata-file
)
PANDOC_READER = "markdown" + "".join(f"-{ext}" for ext in _READER_OFF)
# pandoc's Haskell runtime: a suggested heap of 16 MB instead of the binary's built-in 64 MB.
# A report needs a few MB live; each pandoc process then holds about 125 MB instead of
# 175 MB, and a run has up to two per worker at once (HTML and PDF side by side). Measured
# on a national report: the same output, CPU time within the noise. A runtime that
# takes no options only warns on stderr. The caller's own GHCRTS wins.
RUNTIME_OPTIONS = "-H16m"


def run_pandoc(
    markdown: str, args: Sequence[str], *, what: str, env: Mapping[str, str] | None = None
) -> str:
    """Run `pandoc --sandbox --from=PANDOC_READER ARGS` on `markdown`; return its stdout.

    Args:
        markdown: The document, on standard input.
        args: The writer, template, filters, variables and output options.
        what: The output format, for messages ("html5", "typst", "docx").
        env: The environment (default: this process's).

    Raises:
        RenderError: When pandoc fails or does not finish within PANDOC_TIMEOUT.
    """
    command = [pypandoc.get_pandoc_path(), "--sandbox", f"--from={PANDOC_READER}", *args]
    environment = dict(env) if env is not None else dict(os.environ)
    environment.setdefault("GHCRTS", RUNTIME_OPTIONS)
    try:
        result = subprocess.run(
            command,
            input=markdown,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=PANDOC_TIMEOUT,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pandoc ({what}) did not finish in {PANDOC_TIMEOUT} s") from exc
    if result.returncode != 0:
        raise RenderError(f"pandoc ({what}) failed: {result.stderr.strip()}")
    return result.stdout
