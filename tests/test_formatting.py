import datetime as dt
import string
from decimal import Decimal

import pytest

from pipeline.formatting import date, md_text, number, percent


def test_every_ascii_punctuation_character_is_escaped():
    assert md_text(string.punctuation) == "".join("\\" + c for c in string.punctuation)
    assert md_text("Skåne <script>") == "Skåne \\<script\\>"


def test_line_breaks_fold_so_data_cannot_start_a_block():
    assert md_text("rad ett\n# rubrik\r\n\n```{=html}") == (
        "rad ett \\# rubrik \\`\\`\\`\\{\\=html\\}"
    )
    assert md_text(None) == "" and md_text("  kant  ") == "kant"


def test_no_break_spaces_survive():
    assert md_text("27\u00a0900") == "27\u00a0900"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1667, "sv", 1, "1\u00a0667"),
        (38.77, "sv", 1, "38,8"),
        (38.77, "en", 1, "38.8"),
        (2.0, "sv", 1, "2"),
        (None, "sv", 1, "–"),
        (float("nan"), "en", 0, "–"),
    ],
)
def test_numbers_by_locale(value, lang, decimals, expected):
    assert number(value, lang, decimals) == expected


def test_percent_by_locale():
    assert percent(87.5) == "87,5\u00a0%"
    assert percent(64.70588, "en") == "64.7%"
    assert percent(100.0) == "100\u00a0%"
    assert percent(None) == "–"


def test_dates_by_locale():
    assert date(dt.date(2026, 11, 25)) == "25 november 2026"
    assert date(dt.date(2026, 11, 25), "en") == "25 November 2026"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_number_and_percent_format_as_babels_own_functions(lang):
    import numpy as np
    from babel.numbers import format_decimal, format_percent

    from pipeline.formatting import _language, _pattern, locale

    values = [0, 1, -3, 7.25, 1667, 38.849, 0.05, 2.5, 1234567.891, np.int64(42), np.float64(3.35)]
    values += [0.0, -0.0, -0.04, 1e-7, 2.5e20, Decimal("12.50"), Decimal("-0"), np.float32(0.1)]
    suffix = _language(lang, "percent_suffix")
    for value in values * 2:  # the second time from the cache of formatted numbers
        for decimals in (0, 1, 2):
            pattern = _pattern(decimals)
            expected = format_decimal(value, format=pattern, locale=locale(lang))
            assert number(value, lang, decimals) == expected
            expected = format_percent(value / 100, format=pattern + suffix, locale=locale(lang))
            assert percent(value, lang, decimals) == expected
