"""Region slugs for paths: lower-case ASCII, words joined by hyphens."""

from __future__ import annotations

import re
import unicodedata


def slugify(name: str) -> str:
    """Return the path slug of a region name: "Västra Götaland" -> "vastra-gotaland".

    Args:
        name: A region or municipality name.

    Returns:
        Lower-case ASCII letters and digits joined by single hyphens.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
