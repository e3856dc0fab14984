"""Numbers, percentages and dates by locale, and escaping of data-derived text.

Every piece of text that comes from data (quotes, region names, codebook labels,
answer texts) passes `md_text` before it enters a Markdown report source. That one
function is the project's defence against Markdown, HTML and Typst injection: the
document renderers then see only literal characters.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import string
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import NumberPattern, parse_pattern

from pipeline.i18n import Catalog, languages

_language = Catalog("language")
_ESCAPES = str.maketrans({ch: "\\" + ch for ch in string.punctuation})
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+[ \t]*")


def md_text(value: object) -> str:
    """Escape data-derived text so that Markdown shows it literally.

    Every ASCII punctuation character is backslash-escaped (pandoc treats any escaped
    ASCII punctuation as a literal), so `<script>`, `[x](javascript:...)`,
    `{onclick=...}`, `{=html}` raw blocks, `@citations`, `#typst` and `*emphasis*`
    all render as the characters they are. Line breaks become spaces so a value can
    never start a new block (a heading, a list, a fenced raw block).

    Args:
        value: Any value; None becomes the empty string.

    Returns:
        Markdown source that renders as exactly the text of `value`.
    """
    if value is None:
        return ""
    # Fold line breaks (and the blanks around them) into one space; keep other white
    # space as it is, so the no-break spaces of "27 900" and "87,5 %" keep their job.
    text = _LINE_BREAKS.sub(" ", str(value)).strip(" \t")
    return text.translate(_ESCAPES)


def locale(lang: str) -> str:
    """The Babel locale of a report language ("sv" -> "sv_SE"); unknown: an error."""
    return _language(lang, "locale")


def language_tag(lang: str) -> str:
    """The BCP 47 tag of a report language's locale ("sv" -> "sv-SE")."""
    return locale(lang).replace("_", "-")


def _missing(value: float | int | None) -> bool:
    """Whether a number is missing (None or NaN), which a report shows as an en dash."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _pattern(decimals: int) -> str:
    """The CLDR pattern of a number with thousands grouping and at most `decimals` decimals."""
    return "#,##0" + ("." + "#" * decimals if decimals > 0 else "")


# A report formats a few thousand numbers with a handful of patterns in one language:
# parse each pattern and locale once (what babel's format_decimal and format_percent do
# on every call), then apply it exactly as they would.


@cache
def _number_format(name: str, decimals: int, suffix: str = "") -> tuple[NumberPattern, Locale]:
    """The parsed pattern `_pattern(decimals) + suffix` and the Babel locale `name`."""
    return parse_pattern(_pattern(decimals) + suffix), Locale.parse(name)


def _apply(value: float | int, lang: str, decimals: int, suffix: str = "") -> str:
    # Keyed by the locale, not the language: the language is looked up on every call,
    # so one whose catalogs are gone is an error again, as with babel's own functions.
    return _formatted(str(value), locale(lang), decimals, suffix)


@lru_cache(maxsize=4096)
def _formatted(text: str, name: str, decimals: int, suffix: str) -> str:
    # By the number's text, which is all babel reads of it (`Decimal(str(value))`, so
    # -0.0 stays "-0"): a report formats the same few hundred counts and shares again
    # and again, each a few tens of microseconds in babel.
    pattern, babel_locale = _number_format(name, decimals, suffix)
    return pattern.apply(decimal.Decimal(text), babel_locale)


def number(value: float | int | None, lang: str = "sv", decimals: int = 1) -> str:
    """Format a number for a report: "1 667" / "38,8" in Swedish, "1,667" / "38.8" in English.

    Args:
        value: The number; None or NaN gives an en dash.
        lang: The report language.
        decimals: Maximum number of decimals (trailing zeros are dropped).

    Returns:
        The formatted number.
    """
    if _missing(value):
        return "–"
    return _apply(value, lang, decimals)  # type: ignore[arg-type]


def percent(value: float | None, lang: str = "sv", decimals: int = 1) -> str:
    """Format a share in percent: 87.5 -> "87,5 %" (sv) or "87.5%" (en).

    Args:
        value: The percentage as a number from 0 to 100 (not a fraction).
        lang: The report language.
        decimals: Maximum number of decimals (trailing zeros are dropped).

    Returns:
        The formatted percentage.
    """
    if _missing(value):
        return "–"
    # Swedish writes a no-break space before the per cent sign ("87,5 %"), English none.
    suffix = _language(lang, "percent_suffix")
    return _apply(value / 100, lang, decimals, suffix)  # type: ignore[operator]


def date(value: dt.date, lang: str = "sv") -> str:
    """Format a report date: "25 november 2026" (sv) or "25 November 2026" (en)."""
    return _babel_format_date(value, format="long", locale=locale(lang))


def warm_up() -> None:
    """Format a number, a percentage and a date in every report language.

    The kernel template (pipeline.kernel_server) calls this once, so that every kernel forked
    from it starts with Babel's locale data loaded, which each kernel's first number
    would otherwise read and unpickle again. What stays besides is the caches of this
    module, which give every later call the same text as without them.
    """
    for lang in languages():
        number(1234.5, lang)
        percent(12.5, lang)
        date(dt.date(2026, 1, 1), lang)
