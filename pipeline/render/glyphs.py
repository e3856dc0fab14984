"""Characters no installed font can show: replaced visibly, reported, never a failed PDF.

PDF/A forbids a glyph-less character, so Typst refuses the whole document when a quote
holds a character that neither the report fonts nor any fallback font covers (an
Egyptian hieroglyph, a private-use character from a chat app ...). `compile_with_fallback`
compiles, and on that one error replaces the character named in Typst's diagnostic
with a visible replacement character in the generated Typst source, logs a warning
naming it, and compiles again.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

REPLACEMENT = "\ufffd"
"""Shown instead of an undisplayable character (DejaVu Sans has it)."""
_LAST_RESORT = "?"
_UNDISPLAYABLE = re.compile(r'the text `"(?P<text>.+?)"` could not be displayed')
_MAX_ROUNDS = 50


def undisplayable(message: str) -> list[str]:
    """The texts Typst says no font can display, from its error message."""
    return [m.group("text") for m in _UNDISPLAYABLE.finditer(message)]


def compile_with_fallback(typ: Path, compile_file: Callable[[Path], bytes]) -> bytes:
    """Compile `typ`, replacing characters no font has until it compiles.

    Args:
        typ: The generated Typst source (rewritten in place when a character is replaced).
        compile_file: Compiles a Typst file to PDF bytes; raises with Typst's message.

    Returns:
        The PDF.

    Raises:
        Exception: Whatever `compile_file` raises for any other reason.
    """
    for _ in range(_MAX_ROUNDS):
        try:
            return compile_file(typ)
        except Exception as exc:  # typst.TypstError carries the diagnostics as text
            texts = undisplayable(str(exc))
            source = typ.read_text(encoding="utf-8")
            changed = source
            for text in texts:
                # Only the characters Typst reported, and never ASCII: Typst markup is ASCII.
                for char in dict.fromkeys(c for c in text if ord(c) > 127):
                    substitute = _LAST_RESORT if char == REPLACEMENT else REPLACEMENT
                    if char in changed:
                        log.warning(
                            "no installed font has %s (U+%04X); shown as %r in the PDF",
                            unicodedata.name(char, "an unnamed character"),
                            ord(char),
                            substitute,
                        )
                        changed = changed.replace(char, substitute)
            if changed == source:
                raise
            typ.write_text(changed, encoding="utf-8")
    return compile_file(typ)
