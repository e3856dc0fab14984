"""The one reading of Quarto's `#| key: value` cell option lines (captions, labels, alt text)."""

from __future__ import annotations

import re

OPTION_LINE = re.compile(r"^#\|\s*([A-Za-z0-9_-]+)\s*:(.*)$")
"""One `#| key: value` cell option line: the key, and the value as written (YAML)."""
