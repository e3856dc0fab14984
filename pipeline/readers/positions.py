"""Which unit the selection positions of one REFI-QDA source text count in.

REFI-QDA positions count characters (Unicode code points) from 0. Some exporters
count otherwise: a tool built on UTF-16 strings (.NET, Java) counts an emoji or
other character outside the Basic Multilingual Plane as 2, a transcript saved with
CRLF line breaks may have been counted with each CRLF as 1, and some count UTF-8
bytes. Read as characters, such positions shift and the quote is cut mid-word
("ndledningen hjälpte mig mycket. S").

The rule, per source text (`read_positions`):

* Each alternative unit (UTF-16 code units, characters with CRLF as one, UTF-8
  bytes) is considered only if it reads some selection differently from characters,
  which needs a character outside the BMP, a CRLF or a non-ASCII character before
  that selection's end. A text without them is always read as characters.
* A boundary cuts a word when the characters on both sides of it are letters or
  digits. The character reading is suspect for a unit when more than half of the
  selections that unit reads differently cut a word at their start or end, or fall
  outside the text, as characters.
* When exactly one suspect unit puts every selection it reads differently on word
  boundaries (inside the text, not inside a character), the positions are read in
  that unit (the caller warns). Otherwise (no unit fits, or several do) the source is
  refused, naming the first selection that cuts a word and the text it would cut (a
  text whose only misfits lie outside it is left to the check of the text's length).

Sloppy selections (a coder who started mid-word) are a minority in a source and
change nothing; and the selections an alternative unit reads the same way never
count for or against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Span = tuple[int, int]


def _utf16(text: str, index: int) -> int:
    return 2 if ord(text[index]) > 0xFFFF else 1


def _crlf_as_one(text: str, index: int) -> int:
    # The CR of a CRLF counts nothing: the pair is one position, before the CR.
    return 0 if text[index] == "\r" and text[index + 1 : index + 2] == "\n" else 1


def _utf8(text: str, index: int) -> int:
    return len(text[index].encode("utf-8", "surrogatepass"))


UNITS: tuple[tuple[str, Callable[[str, int], int]], ...] = (
    ("UTF-16 code units", _utf16),
    ("characters with CRLF as one", _crlf_as_one),
    ("UTF-8 bytes", _utf8),
)


@dataclass(frozen=True)
class Reading:
    """How one source text's selection positions are read.

    Attributes:
        spans: Per selection given, its (start, end) in characters of the text.
        unit: The alternative unit the positions were read in; None: characters.
        suspect: Selections that cut a word (or fall outside the text) as characters,
            of those the unit reads differently (for the warning).
        refused: The index of the selection to name when the source is refused.
        reason: Why it is refused (what the other units gave).
    """

    spans: list[Span]
    unit: str | None = None
    suspect: tuple[int, int] = (0, 0)
    refused: int | None = None
    reason: str = ""


def cuts_word(text: str, index: int) -> bool:
    """Whether a boundary at `index` falls between two letters or digits."""
    return 0 < index < len(text) and text[index - 1].isalnum() and text[index].isalnum()


def fits(text: str, span: Span | None) -> bool:
    """Whether a span lies inside the text with both ends on word boundaries."""
    if span is None:
        return False
    start, end = span
    return 0 <= start < end <= len(text) and not cuts_word(text, start) and not cuts_word(text, end)


def _index(text: str, width: Callable[[str, int], int]) -> dict[int, int]:
    """Offset in the unit -> character index (the first index at that offset)."""
    found: dict[int, int] = {}
    offset = 0
    for index in range(len(text)):
        found.setdefault(offset, index)
        offset += width(text, index)
    found.setdefault(offset, len(text))
    return found


def read_positions(text: str, spans: Sequence[Span]) -> Reading:
    """Read the non-empty selection spans of one source text (see the module's rule)."""
    spans = list(spans)
    if all(fits(text, span) for span in spans):
        return Reading(spans)  # every selection on word boundaries as characters: the standard
    suspects: list[tuple[str, list[Span | None], bool, tuple[int, int]]] = []
    for name, width in UNITS:
        if not _may_differ(text, name):
            continue
        index = _index(text, width)
        mapped = [_mapped(index, span) for span in spans]
        changed = [i for i, m in enumerate(mapped) if m != spans[i]]
        if not changed:
            continue
        bad = [i for i in changed if not fits(text, spans[i])]
        if len(bad) * 2 <= len(changed):
            continue
        every = all(fits(text, mapped[i]) for i in changed)
        suspects.append((name, mapped, every, (len(bad), len(changed))))
    if not suspects:
        return Reading(spans)
    fitting = [s for s in suspects if s[2]]
    if len(fitting) == 1:
        name, mapped, _, counts = fitting[0]
        return Reading([m or s for m, s in zip(mapped, spans, strict=True)], name, counts)
    inside = [i for i, (start, end) in enumerate(spans) if 0 <= start < end <= len(text)]
    cutting = [i for i in inside if not fits(text, spans[i])]
    if not cutting:
        return Reading(spans)  # only selections outside the text: reported as such
    first = cutting[0]
    if fitting:
        reason = f"read as {' or as '.join(s[0] for s in fitting)} they all fit, which is ambiguous"
    else:
        reason = f"read as {' or as '.join(s[0] for s in suspects)} they do not all fit either"
    return Reading(spans, refused=first, reason=reason)


def _may_differ(text: str, unit: str) -> bool:
    if unit == "UTF-16 code units":
        return any(ord(c) > 0xFFFF for c in text)
    if unit == "characters with CRLF as one":
        return "\r\n" in text
    return not text.isascii()


def _mapped(index: dict[int, int], span: Span) -> Span | None:
    start, end = index.get(span[0]), index.get(span[1])
    return None if start is None or end is None else (start, end)


def shown_cut(text: str, span: Span, context: int = 12, longest: int = 60) -> str:
    """The selected text in brackets with a little context, shortened: 'fick [ndledn...t. S]var'."""
    start, end = max(0, min(span[0], len(text))), max(0, min(span[1], len(text)))
    inner = text[start:end]
    if len(inner) > longest:
        inner = f"{inner[: longest // 2]}…{inner[-longest // 2 :]}"
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    lead = "…" if start > context else ""
    tail = "…" if end + context < len(text) else ""
    return f"{lead}{before}[{inner}]{after}{tail}".replace("\r", "\\r").replace("\n", "\\n")
