"""Reading a tagged PDF for the layout and accessibility checks (pdfplumber and pypdf).

Table cells are found through the tag tree (TH/TD elements and their marked-content
ids), not by guessing from ruling lines, so the checks see exactly what a screen reader
sees as a cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

HYPHENS = ("-", "\u00ad", "\u2010")
_PAGE_NUMBER = re.compile(r"(?:Sida|Page) (\d+) (?:av|of) (\d+)")


@dataclass(frozen=True)
class CellText:
    """The text of one table cell on one page, line by line, with its bounding box."""

    page: int
    kind: str  # "TH" or "TD"
    lines: tuple[str, ...]
    box: tuple[float, float, float, float]  # x0, top, x1, bottom


def _elements(tree: list[dict], kinds: set[str]) -> list[dict]:
    found: list[dict] = []
    for element in tree:
        if element.get("type") in kinds:
            found.append(element)
        found += _elements(element.get("children", []), kinds)
    return found


def _mcids(element: dict) -> set[int]:
    ids = set(element.get("mcids") or [])
    for child in element.get("children", []):
        ids |= _mcids(child)
    return ids


def table_cells(path: Path) -> list[CellText]:
    """Every non-empty table cell of the PDF, found through its tag tree."""
    cells = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            by_mcid: dict[int, list[dict]] = {}
            for char in page.chars:
                if char.get("mcid") is not None:
                    by_mcid.setdefault(char["mcid"], []).append(char)
            for element in _elements(page.structure_tree, {"TH", "TD"}):
                chars = [c for m in sorted(_mcids(element)) for c in by_mcid.get(m, [])]
                chars = [c for c in chars if c["text"].strip()]
                if not chars:
                    continue
                lines: dict[int, list[dict]] = {}
                for char in chars:
                    lines.setdefault(round(char["top"]), []).append(char)
                text = tuple(_line_text(line) for _, line in sorted(lines.items()))
                box = (
                    min(c["x0"] for c in chars),
                    min(c["top"] for c in chars),
                    max(c["x1"] for c in chars),
                    max(c["bottom"] for c in chars),
                )
                cells.append(CellText(page.page_number, element["type"], text, box))
    return cells


def _line_text(chars: list[dict]) -> str:
    """The text of one line; a gap wider than a fifth of the font size is a space
    (Typst places words without drawing space glyphs)."""
    text, previous = "", None
    for char in sorted(chars, key=lambda c: c["x0"]):
        if previous is not None and char["x0"] - previous["x1"] > 0.2 * char["size"]:
            text += " "
        text += char["text"]
        previous = char
    return text


def hyphen_breaks(cells: list[CellText]) -> list[CellText]:
    """Cells with a line that ends in a hyphen and continues with a lower-case letter."""
    return [
        cell
        for cell in cells
        if any(
            line.endswith(HYPHENS) and following[:1].islower()
            for line, following in zip(cell.lines, cell.lines[1:], strict=False)
        )
    ]


def overlapping_cells(cells: list[CellText], tolerance: float = 0.3) -> list[tuple]:
    """Pairs of cells on the same page whose text boxes overlap."""
    pairs = []
    for i, a in enumerate(cells):
        for b in cells[i + 1 :]:
            if a.page != b.page:
                continue
            (ax0, at, ax1, ab), (bx0, bt, bx1, bb) = a.box, b.box
            if min(ax1, bx1) - max(ax0, bx0) > tolerance and min(ab, bb) - max(at, bt) > tolerance:
                pairs.append((a, b))
    return pairs


def figure_alt_texts(path: Path) -> list[str]:
    """The alt text of every Figure element in the tag tree ("" where it has none)."""
    with pdfplumber.open(path) as pdf:
        return [e.get("alt_text") or "" for e in _elements(pdf.structure_tree, {"Figure"})]


def printed_page_numbers(path: Path) -> list[str]:
    """Per page, the number its footer prints ("Sida 3 av 14" -> "3"), or "" for none."""
    numbers = []
    for page in PdfReader(path).pages:
        found = _PAGE_NUMBER.findall(page.extract_text() or "")
        numbers.append(found[-1][0] if found else "")
    return numbers


def xmp(path: Path) -> str:
    """The document's XMP metadata packet."""
    reader = PdfReader(path)
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
