"""The YAML front matter of a Quarto source: one definition for the writer and the renderers.

A source may start with a block between `---` lines (the closing line may be `...`, as
pandoc allows); the rest is its body.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class Split(NamedTuple):
    """A source split at the end of its front matter."""

    yaml: str
    """The front matter's YAML text (not parsed)."""
    body: str
    body_line: int
    """The 1-based line of the source that the body starts on."""


def split(text: str) -> Split | None:
    """The front matter and body of `text` (newlines as \\n), or None without front matter."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    return Split(match.group(1), text[match.end() :], match.group(0).count("\n") + 1)
