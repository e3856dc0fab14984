"""Tests of the figure style: colours readable against the figure's white background."""

from __future__ import annotations

import pytest

from pipeline.figures.style import HINDERING_COLOUR, PALETTE, PROMOTING_COLOUR

WHITE = "#ffffff"
BOX_FILL = "#dbe7f0"  # the numeric figure's box, behind its median line


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.1) of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_ratio_matches_the_wcag_examples():
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast("#e07b39", WHITE) == pytest.approx(2.97, abs=0.01)  # the old total line


@pytest.mark.parametrize("colour", [*PALETTE, PROMOTING_COLOUR, HINDERING_COLOUR])
def test_every_line_and_mark_colour_has_3_to_1_against_white(colour):
    # WCAG 1.4.11: lines, bars and markers are graphical objects a reader must make out.
    assert contrast(colour, WHITE) >= 3.0, colour


def test_the_total_line_colour_is_readable_as_text_and_on_the_box():
    # PALETTE[1] also colours the total's label (9 pt text: 4.5:1, WCAG 1.4.3) and the
    # median line drawn across the numeric figure's light blue box.
    assert contrast(PALETTE[1], WHITE) >= 4.5
    assert contrast(PALETTE[1], BOX_FILL) >= 3.0
