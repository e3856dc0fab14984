"""The one form in which headers, answer texts and codebook labels are compared.

Its own module, with no imports, so that the code scheme (pipeline.config) can use it
without the table readers, and so without pandas and openpyxl, which a run that reads
no input (a no-op or a re-render) never needs.
"""

from __future__ import annotations


def text_key(text: str) -> str:
    """Return the form in which headers and answer texts are compared.

    Case is ignored and runs of white space (including the line breaks Excel keeps in
    long headers) count as one space.

    Args:
        text: A header or an answer text.

    Returns:
        The case-folded text with white space collapsed.
    """
    return " ".join(text.split()).casefold()
