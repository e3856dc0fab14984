"""Typst compiles in a short-lived child process, so that no worker keeps Typst's caches.

The `typst` wheel memoises its work per process and evicts only what the last ten
compilations did not use: about 45 MB per report, so a pool or Dask worker that
renders report after report holds some 450 MB more after its tenth PDF, and keeps
growing slowly beyond (measured at a national round: benchmarks/NATIONAL.md). A
child that compiles one PDF and exits gives all of it back, for about a tenth of a
second of interpreter start.

The child runs in isolated mode (`python -I`: no script folder or user site on the
path, no PYTHON* variables) and imports only `typst`; the source, root and options
travel as JSON on its stdin, the PDF comes back on its stdout, and Typst's message
on its stderr when the compile fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TYPST_TIMEOUT = 300  # seconds; a report's PDF takes about one

_CHILD = """
import json, sys
import typst
request = json.load(sys.stdin)
try:
    pdf = typst.compile(request.pop("source"), **request)
except Exception as exc:
    sys.stderr.write(str(exc))
    sys.exit(1)
sys.stdout.buffer.write(pdf)
"""


class TypstCompileError(RuntimeError):
    """Typst refused the source; the message is Typst's own (its diagnostics)."""


def compile_pdf(
    source: Path,
    *,
    root: Path,
    pdf_standards: list[str],
    timestamp: int,
    font_paths: list[str],
) -> bytes:
    """`typst.compile(source, ...)` with these options, in a child process.

    Fonts are the wheel's own and `font_paths` only (system fonts ignored), as in
    `pipeline.render.builtin`, so that every machine writes the same bytes.

    Raises:
        TypstCompileError: Typst failed (its diagnostics are the message), or did
            not finish within TYPST_TIMEOUT.
    """
    request = {
        "source": str(source),
        "root": str(root),
        "pdf_standards": pdf_standards,
        "timestamp": timestamp,
        "ignore_system_fonts": True,
        "font_paths": font_paths,
    }
    try:
        completed = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=json.dumps(request).encode("utf-8"),
            capture_output=True,
            timeout=TYPST_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TypstCompileError(f"did not finish in {TYPST_TIMEOUT} s") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", errors="replace").strip()
        raise TypstCompileError(message or f"the compiler exited with {completed.returncode}")
    return completed.stdout
