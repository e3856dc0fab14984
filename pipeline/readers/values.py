"""One cell's text to one value: numbers, yes/no, category codes and choices as analysts type them.

Each function takes one text and returns its value or raises ValueError with a short
reason ("is not a number"); pipeline.readers.convert applies them to whole columns and
turns the reasons into Problems that name the row and column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence

from pipeline.readers.text_keys import text_key
from pipeline.schema import CATEGORIES

# Swedish locales group thousands with no-break or thin spaces and may write U+2212 minus.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
_TRUE = frozenset({"1", "ja", "j", "yes", "y", "true", "sant"})
_FALSE = frozenset({"0", "nej", "n", "no", "false", "falskt"})
BOOL_EXPECTED = "ja/nej, yes/no, 1/0 or true/false"

TOTAL_ROW_NAMES = frozenset(
    {"totalt", "total", "summa", "sum", "hela landet", "riket", "sverige", "samtliga", "alla"}
    | {"alla regioner", "samtliga regioner", "grand total", "totalsumma"}
)
"""What the last row of a spreadsheet's table is called when it sums the regions above."""


def _number_pattern(decimal: str | None) -> re.Pattern[str]:
    # With a known decimal mark the other mark may group thousands ("25.000,5");
    # when either mark may be the decimal one, only spaces group thousands.
    marks = ",." if decimal is None else re.escape(decimal)
    groups = " " if decimal is None else " " + ("." if decimal == "," else ",")
    return re.compile(rf"[+-]?(?:\d{{1,3}}(?:[{re.escape(groups)}]\d{{3}})+|\d+)(?:[{marks}]\d+)?")


_PATTERNS = {mark: _number_pattern(mark) for mark in (None, ",", ".")}

# "1.000" or "29,500": one mark followed by exactly three digits, after 1-3 digits that do
# not start with 0. Swedish and German writers group thousands with a point, English
# writers with a comma; with no decimal mark declared it is a guess either way.
_AMBIGUOUS_GROUPING = re.compile(r"[+-]?[1-9]\d{0,2}(?: \d{3})*[.,]\d{3}")
AMBIGUOUS_REASON = (
    "is ambiguous: the {mark!r} may group thousands or mark decimals; set decimal: "
    '"," or "." in the input\'s options, or write the number without it'
)


_TOO_LARGE = 2.0**53  # beyond this, floats skip whole numbers and int64 may overflow


def parse_number(
    text: str, decimal: str | None = None, *, percent: bool = False, refuse_ambiguous: bool = False
) -> float:
    """Parse a number as analysts type it: "40,5", "40.5", "1 667", "25 000".

    Args:
        text: The cell text.
        decimal: The decimal mark, "," or "."; None accepts either (then only spaces
            may group thousands).
        percent: Whether a trailing "%" is allowed ("100 %" -> 100.0).
        refuse_ambiguous: With `decimal` None, refuse "1.000" and "29,500", which in
            counts and salaries more likely group thousands than mark decimals.

    Returns:
        The number.

    Raises:
        ValueError: When the text is not a number in that notation, or is ambiguous.
    """
    if decimal not in _PATTERNS:
        raise ValueError(f"decimal mark must be ',' or '.', not {decimal!r}")
    value = text.strip().translate(_SPACES)
    if percent and value.endswith("%"):
        value = value[:-1].rstrip()
    if not _PATTERNS[decimal].fullmatch(value):
        if decimal is not None and _PATTERNS[None].fullmatch(value):
            raise ValueError(f"is not a number with decimal mark {decimal!r}")
        raise ValueError("is not a number")
    if decimal is None and refuse_ambiguous and _AMBIGUOUS_GROUPING.fullmatch(value):
        mark = "." if "." in value else ","
        raise ValueError(AMBIGUOUS_REASON.format(mark=mark))
    if decimal is None:
        number = float(value.replace(" ", "").replace(",", "."))
    else:
        grouping = "." if decimal == "," else ","
        number = float(value.replace(" ", "").replace(grouping, "").replace(decimal, "."))
    if abs(number) >= _TOO_LARGE:  # hundreds of digits: inf, or beyond int64
        raise ValueError("is too large a number")
    return number


def parse_int(text: str, decimal: str | None = None) -> int:
    """Parse a whole number; "43", "43,0" and "1 667" are whole, "43,5" is not.

    With `decimal` None, "1.000" and "1,000" are refused as ambiguous (1 or 1000?).

    Args:
        text: The cell text.
        decimal: The decimal mark, as for `parse_number`.

    Returns:
        The integer.

    Raises:
        ValueError: When the text is not a whole number, or is ambiguous.
    """
    try:
        number = parse_number(text, decimal, refuse_ambiguous=True)
    except ValueError as exc:
        if str(exc).startswith("is ambiguous"):
            raise
        raise ValueError("is not a whole number") from None
    if not number.is_integer():
        raise ValueError("is not a whole number")
    return int(number)


def parse_bool(text: str) -> bool:
    """Parse a yes/no answer: ja/nej, yes/no, 1/0, true/false (any case).

    Args:
        text: The cell text.

    Returns:
        True for yes, False for no.

    Raises:
        ValueError: For any other text.
    """
    key = text_key(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError("is not a yes/no answer")


def code_lookup(category: str) -> dict[str, str]:
    """Return the accepted spellings of a category's codes: the codes and their labels.

    Args:
        category: A key of `pipeline.schema.CATEGORIES`.

    Returns:
        `text_key(spelling)` -> code, for every code and its Swedish and English label.
    """
    lookup: dict[str, str] = {}
    for code, labels in CATEGORIES[category].items():
        for spelling in (*labels.values(), code):
            lookup[text_key(spelling)] = code
    return lookup


def map_code(text: str, lookup: Mapping[str, str]) -> str:
    """Map one answer text to its code.

    Args:
        text: The answer as exported.
        lookup: `text_key(spelling)` -> code, e.g. from `code_lookup`.

    Returns:
        The code.

    Raises:
        ValueError: When the text is not a known spelling.
    """
    try:
        return lookup[text_key(text)]
    except KeyError:
        raise ValueError("is not a known answer") from None


def map_codes(
    text: str,
    lookup: Mapping[str, str],
    delimiter: str,
    order: Sequence[str],
    other: str | None = None,
    none: Collection[str] = (),
) -> list[str]:
    """Map a multi-choice cell ("Stödsamtal; Föreläsningar") to codes in `order`.

    Args:
        text: The cell as exported.
        lookup: `text_key(spelling)` -> code.
        delimiter: The separator between the chosen options.
        order: All codes in their stable (codebook) order.
        other: The code of an "other, please specify" option, whose free text tools
            write into the cell as one more option ("Stödsamtal;Annat: fika"); with
            None such an option is unknown.
        none: The `text_key`s of a "none of these" option: no code; a cell of only
            such options chose none.

    Returns:
        The chosen codes, each once, in `order` (none chosen: an empty list).

    Raises:
        ValueError: Naming the first option that is not a known spelling (without
            `other`), or a "none of these" option beside a chosen one.
    """
    items = split_options(text, lookup, delimiter)
    unknown = _unknown(items, lookup, none)
    if unknown and not other:
        raise ValueError(f"has an unknown option {unknown[0].strip()!r}")
    said_none = [item for item in items if text_key(item) in none]
    chosen = {
        lookup[text_key(item)]
        for item in items
        if text_key(item) in lookup and text_key(item) not in none
    }
    if unknown:
        chosen.add(other)
    if said_none and chosen:
        raise ValueError(f"chooses options beside {said_none[0].strip()!r} (none of them)")
    return [code for code in order if code in chosen]


def unknown_options(
    text: str, lookup: Mapping[str, str], delimiter: str, none: Collection[str] = ()
) -> list[str]:
    """The options of a multi-choice cell that are no known spelling (free text, typos).

    Args:
        text: The cell as exported.
        lookup: `text_key(spelling)` -> code.
        delimiter: The separator between the chosen options.
        none: The `text_key`s of a "none of these" option, which are known.

    Returns:
        Those options as written, in the cell's order.
    """
    return _unknown(split_options(text, lookup, delimiter), lookup, none)


def _unknown(items: Sequence[str], lookup: Mapping[str, str], none: Collection[str]) -> list[str]:
    """The options that are no known spelling and no "none of these" text, in order."""
    return [
        item
        for item in items
        if item.strip() and text_key(item) not in lookup and text_key(item) not in none
    ]


def split_options(text: str, lookup: Mapping[str, str], delimiter: str) -> list[str]:
    """Split a multi-choice cell at `delimiter`, keeping known options that contain it whole.

    "Stödsamtal, Gruppverksamhet (t.ex. återhämtningsguide, NECT)" split at "," is two
    options when the second is a known spelling: at each part, the longest run of parts
    that joins into a known spelling is taken first.

    Args:
        text: The cell as exported.
        lookup: `text_key(spelling)` -> code.
        delimiter: The separator between the chosen options.

    Returns:
        The options as written.
    """
    parts = text.split(delimiter)
    options = []
    start = 0
    while start < len(parts):
        end = next(
            (
                end
                for end in range(len(parts), start + 1, -1)
                if text_key(delimiter.join(parts[start:end])) in lookup
            ),
            start + 1,
        )
        options.append(delimiter.join(parts[start:end]))
        start = end
    return options


def match_choice(text: str, choices: Sequence[str], what: str = "value") -> str:
    """Return the entry of `choices` that equals `text` ignoring case and spacing.

    Args:
        text: The cell text, e.g. "skåne".
        choices: The accepted spellings, e.g. the params' regions.
        what: What a choice is, for the reason ("is not a known region").

    Returns:
        The spelling from `choices` ("Skåne").

    Raises:
        ValueError: When no choice matches.
    """
    for choice in choices:
        if text_key(choice) == text_key(text):
            return choice
    raise ValueError(_unknown_choice(text, choices, what))


def folded_key(text: str) -> str:
    """Return `text_key(text)` without diacritics: "Skane" and "Skåne" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text_key(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_total_row_name(text: str) -> bool:
    """Whether a region cell names the sum of the other rows ("Totalt", "Summa")."""
    return text_key(text) in TOTAL_ROW_NAMES


def _unknown_choice(text: str, choices: Sequence[str], what: str) -> str:
    if what == "region" and is_total_row_name(text):
        return (
            "looks like a total row, not a region (national totals are summed from the "
            "regions' rows: remove it)"
        )
    close = [c for c in choices if folded_key(c) == folded_key(text)]
    if close:
        return f"is not a known {what} (a misspelling of {close[0]!r}?)"
    return f"is not a known {what}"
