"""The one form in which headers, answer texts and codebook labels are compared.

Its own module, importing only the standard library, so that the code scheme
(pipeline.config) can use it without the table readers, and so without pandas and
openpyxl, which a run that reads no input (a no-op or a re-render) never needs.
"""

from __future__ import annotations

import unicodedata


def text_key(text: str) -> str:
    """Return the form in which headers and answer texts are compared.

    Case is ignored, runs of white space (including the line breaks Excel keeps in
    long headers) count as one space, and text is compared in Unicode NFC: macOS tools
    and text copied from PDFs write "å" as "a" plus a combining ring (NFD).

    Args:
        text: A header or an answer text.

    Returns:
        The case-folded text with white space collapsed.
    """
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()
