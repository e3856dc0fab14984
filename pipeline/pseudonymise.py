"""Pseudonymisation of quote text: names, personal identity numbers, phones, e-mail.

Quotes reach a report only after this step. Each detector finds spans in the original
text; spans are resolved by priority (e-mail, identity number, phone, name) and replaced
in one pass, so a marker such as "[telefon]" is never itself matched again and an
e-mail address is replaced whole rather than name by name.

The detectors are deliberately narrow where ordinary evaluation text is concerned:
years ("2020"), counts ("12 brukare"), percentages ("40 %") and dates ("01-12-2020")
are left alone. Where a digit string is ambiguous (ten digits that are both a plausible
identity number and a plausible mobile number) it is still replaced; only the marker
may differ.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

import phonenumbers

from pipeline.i18n import Catalog

_markers = Catalog("pseudonymise")  # the replacement per kind of personal data

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])")

# Personal identity number: optional century, YYMMDD, optional separator (-, +, an en
# dash, or a space as typed in chat: "19850212 1234"), 4 digits. The look-arounds keep
# it from matching inside a longer digit string.
_ID_NUMBER = re.compile(
    r"(?<![\w+-])(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[-+\u2013]|[ \u00a0](?:[-+] ?)?)?(?P<tail>\d{4})(?!\w)"
)

# Phone numbers: candidates are national (leading 0, then an area code of 1-3 digits not
# starting with 0) or international (+46 / 0046, optional "(0)"). The subscriber part is
# groups of 2-3 digits separated by at most one space; a hyphen is allowed only after the
# area code, so dates such as "01-12-2020" do not qualify. Whether a candidate is a real
# number is phonenumbers' (libphonenumber's) decision for region SE; its own matcher
# adds numbers written otherwise, except dates and times it would take for numbers.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?P<international>\+46|0046)[ -]?(?P<trunk>\(0\)[ -]?)?|0)"
    r"[1-9]\d{0,2}[ -]?\d{2,3}(?: ?\d{2,3}){1,3}(?!\w)"
)
_NOT_A_PHONE = re.compile(r"[.:/]|^\d{1,4}-\d{1,2}-\d{1,4}$")

_PRIORITY = ("email", "id_number", "phone", "name")


def pseudonymise(text: str, names: Sequence[str] = (), lang: str = "sv") -> str:
    """Replace personal data in a text with markers such as "[namn]".

    Replaced: names from `names` (whole words, case-insensitive, also with a Swedish
    genitive -s, so "Karins" for "Karin"; a full name also part by part, so "Anna
    Svensson" removes "Anna", "Annas" and "Svensson"; with the rest of the name around
    them, `_whole_name`: "Sven-Erik Lindqvist" for "Erik"); Swedish personal identity
    numbers (YYYYMMDD-XXXX, YYMMDD-XXXX, YYMMDD+XXXX, with a space, an en dash or no
    separator, also as 12 digits; coordination numbers with day + 60 too); Swedish
    phone numbers that libphonenumber (`phonenumbers`, region SE) takes as valid
    ("070-123 45 67", "08-123 456 78", "+46 70 123 45 67", "0701234567"); e-mail
    addresses.

    Args:
        text: The text, e.g. a coded interview excerpt.
        names: Names to remove (first names, surnames or full names). Empty or
            blank entries are ignored.
        lang: Language of the markers (a report language).

    Returns:
        The text with every detected item replaced by its marker (Unicode NFC).
    """
    text = unicodedata.normalize("NFC", text)
    spans = _resolve(_detect(text, names))
    out: list[str] = []
    position = 0
    for start, end, kind in spans:
        out.append(text[position:start])
        out.append(_marker(kind, lang))
        position = end
    out.append(text[position:])
    return "".join(out)


IDENTIFIER_KINDS: dict[str, str] = {
    "email": "an e-mail address",
    "id_number": "a personal identity or coordination number",
    "phone": "a phone number",
    "name": "a person's name",
}
"""What `identifier_personal_data` returns, in words for a message that must not quote the value."""

# "Anna Svensson", "Sven-Erik af Klint": two to four words of letters, the first and the
# last capitalised. Ids are numbers or codes (S-12, SU2020-0001); a value of words alone
# is what an export's name column holds.
_FULL_NAME = re.compile(
    r"[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*"
    r"(?: [^\W\d_]+(?:[-'’][^\W\d_]+)*){1,3}"
)
# Swedish numbers have 7 digits at the least (0 + area code + subscriber), ids 10.
_FEWEST_PHONE_DIGITS = 7


def identifier_personal_data(text: str) -> str | None:
    """Say whether a whole identifier is personal data, with the detectors quotes use.

    A respondent or interview id is copied into tables and logs, so it must not be an
    e-mail address, a personal identity or coordination number (with a valid check
    digit, so that a date-like code is not taken for one), a phone number that
    libphonenumber takes as valid for region SE (written with its leading 0 or +46, so
    a plain running number is not), or a full name (two to four words of letters, the
    first and the last capitalised).

    Args:
        text: The identifier as exported.

    Returns:
        A key of `IDENTIFIER_KINDS`, or None when the identifier is none of these.
    """
    value = unicodedata.normalize("NFC", " ".join(text.split()))
    if not value:
        return None
    if _EMAIL.fullmatch(value):
        return "email"
    digits = sum(ch.isdigit() for ch in value)
    if digits == 0:
        words = value.split(" ")
        if _FULL_NAME.fullmatch(value) and words[0][:1].isupper() and words[-1][:1].isupper():
            return "name"
        return None
    if digits < _FEWEST_PHONE_DIGITS:  # a running number or a short code: no phone, no id
        return None
    number = _ID_NUMBER.fullmatch(value)
    if number and _is_id_number(number):
        digits = number["yy"] + number["mm"] + number["dd"] + number["tail"]
        if _luhn_valid(digits):
            return "id_number"
    if any(start == 0 and end == len(value) for start, end, _ in _phone_spans(value)):
        return "phone"
    if any(start == 0 and end == len(value) for start, end, _ in _matcher_spans(value)):
        return "phone"
    return None


def _marker(kind: str, lang: str) -> str:
    return _markers(lang, kind)


def _detect(text: str, names: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), "email"
    for match in _ID_NUMBER.finditer(text):
        # "850212 1234 5678" is a digit sequence, not an identity number and a count.
        spaced = match["sep"] is not None and match["sep"][:1] in " \u00a0"
        if spaced and re.match(r"[ \u00a0]?\d", text[match.end() :]):
            continue
        if _is_id_number(match):
            yield match.start(), match.end(), "id_number"
    yield from _phone_spans(text)
    yield from _matcher_spans(text)
    pattern = _names_pattern(names)
    if pattern is not None:
        for match in pattern.finditer(text):
            yield (*_whole_name(text, match.start(), match.end()), "name")


# A capitalised word (letters, an inner hyphen or apostrophe) and an optional genitive.
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[-'’](?=[^\W\d_]))*(?:s|'s|’s|')?(?![\w])")
_SURNAMES_AFTER = 2  # "Anna Karin Lindqvist": a middle name and a surname at most


def _whole_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a listed name to the whole name around it.

    Names lists hold first names; what people say holds more: the other half of a
    double name ("Sven-Erik" with only "Erik" listed, "Anna-Karin" with "Anna") and the
    surnames after it ("Sven-Erik Lindqvist"), which would otherwise stay in the quote
    beside the marker. A capitalised word joined by a hyphen, or following after one
    space, is taken as part of the name: in Swedish a capitalised word inside a
    sentence is a name far more often than anything else, and a quote that loses a
    place name is better than one that keeps a surname.
    """
    while start > 1 and text[start - 1] == "-":
        before = re.search(r"[^\W\d_]+$", text[: start - 1])
        if before is None or not before.group(0)[0].isupper():
            break
        start = before.start()
    while end < len(text) and text[end] == "-":
        after = _NAME_WORD.match(text, end + 1)
        if after is None or not after.group(0)[0].isupper():
            break
        end = after.end()
    for _ in range(_SURNAMES_AFTER):
        if text[end : end + 1] != " ":
            break
        after = _NAME_WORD.match(text, end + 1)
        if after is None or not after.group(0)[0].isupper():
            break
        end = after.end()
    return start, end


def _resolve(spans: Iterator[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep non-overlapping spans, higher-priority kinds and earlier/longer spans first."""
    ordered = sorted(spans, key=lambda s: (_PRIORITY.index(s[2]), s[0], -(s[1] - s[0])))
    taken: list[tuple[int, int, str]] = []
    for start, end, kind in ordered:
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, kind))
    return sorted(taken)


def _is_id_number(match: re.Match[str]) -> bool:
    century = match["century"]
    if century is not None and century not in ("18", "19", "20"):
        return False
    month, day = int(match["mm"]), int(match["dd"])
    # Day + 60 marks a coordination number (samordningsnummer).
    if not (1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)):
        return False
    digits = match["yy"] + match["mm"] + match["dd"] + match["tail"]
    if century is None and not match["sep"] and digits.startswith("0"):
        # Ten bare digits starting with 0 are also what a mobile number looks like;
        # only a valid check digit makes it an identity number (else the phone
        # detector replaces it).
        return _luhn_valid(digits)
    return True


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _phone_spans(text: str) -> Iterator[tuple[int, int, str]]:
    position = 0
    while (match := _PHONE.search(text, position)) is not None:
        # A number followed by more digit groups ("070-123 45 67 12 gånger") first
        # matches too long; drop trailing groups until the digit count fits.
        candidate: re.Match[str] | None = match
        while candidate is not None and not _is_phone(candidate):
            cut = candidate.group(0).rfind(" ")
            candidate = (
                _PHONE.match(text, candidate.start(), candidate.start() + cut) if cut > 0 else None
            )
        if candidate is not None:
            yield candidate.start(), candidate.end(), "phone"
            position = candidate.end()
        else:
            position = match.start() + 1


def _is_phone(match: re.Match[str]) -> bool:
    return _valid_phone(match.group(0))


def _valid_phone(text: str) -> bool:
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def _matcher_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for match in phonenumbers.PhoneNumberMatcher(text, "SE", leniency=phonenumbers.Leniency.VALID):
        raw = match.raw_string
        if raw[:1] in "0+" and not _NOT_A_PHONE.search(raw):
            yield match.start, match.end, "phone"


def _names_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    cleaned = {unicodedata.normalize("NFC", " ".join(n.split())) for n in names if n.strip()}
    cleaned = {n for n in cleaned if re.search(r"\w", n)}
    # Every part of a full name on its own: "Anna Svensson" also removes "Anna",
    # "Svensson" and "Svenssons". Lower-case particles ("af", "von", "de") are words too
    # common to remove.
    cleaned |= {
        part
        for name in cleaned
        for part in name.split(" ")
        if len(part) > 1 and part[:1].isupper() and re.search(r"\w", part)
    }
    if not cleaned:
        return None
    # Longest first so "Anna-Karin" wins over "Anna"; sorted for a stable pattern.
    alternatives = [
        r"\s+".join(re.escape(part) for part in name.split(" "))
        for name in sorted(cleaned, key=lambda n: (-len(n), n))
    ]
    genitive = r"(?:s|'s|’s|')?"
    return re.compile(
        r"(?<!\w)(?:" + "|".join(alternatives) + ")" + genitive + r"(?![\w])",
        re.IGNORECASE,
    )
