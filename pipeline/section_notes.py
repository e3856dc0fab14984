"""One disclosure note per report section, naming the tables and figures it concerns.

Pure text on the expanded report Markdown, which the renderer runs just before pandoc;
its own module, away from the report texts (pipeline.report_text) and their analysis and
pandas, which a run that only re-renders does not otherwise need.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.disclosure_text import SUPPRESSED_MARK
from pipeline.i18n import Catalog, languages

_t = Catalog("report_text")
_NO_DATA = Catalog("rounds")  # "ingen datainsamling", as tables of rounds without data say


def _caption_words(kind: str) -> set[str]:
    """The word a numbered caption starts with ("Tabell", "Table"), in every language."""
    return {_t(lang, kind) for lang in languages()}


def _caption_pattern() -> re.Pattern:
    """A numbered caption's start ("Tabell 3:", "[Figure 2]"), in any language's words."""
    words = sorted(_caption_words("table") | _caption_words("figure"), key=len, reverse=True)
    kinds = "|".join(re.escape(word) for word in words)
    return re.compile(rf"^(?::\s|!\[|\[)(?P<kind>{kinds}) (?P<n>\d+)[:\]]")


_DIV_OPEN = re.compile(r"^:::+\s*\{")
_DIV_CLOSE = re.compile(r"^:::+\s*$")


def merge_section_notes(
    markdown: str, notes: Sequence[str], lang: str = "sv", *, no_data: Sequence[str] = ()
) -> str:
    """Say each disclosure note once per level-1 section, naming the tables it concerns.

    Tables with suppressed cells each end in the same footnote; read in a row, the
    sentence repeats a dozen times. Here every occurrence of a note after a table or
    figure caption is taken out (inside a captioned block, where the note is the whole
    content, it becomes the suppression mark) and one sentence at the place of the
    section's last occurrence says it for all of them: "Tabell 3, 5 och 6: uppgifter ...".
    A note with no caption before it (the key figures in the summary) stays as it is.

    Args:
        markdown: The expanded report Markdown (shortcodes resolved, captions numbered).
        notes: The exact Markdown paragraphs to merge (as `md_text` wrote them).
        lang: The report language.
        no_data: Those of `notes` that say there was no data collection: nothing was
            withheld, so inside a block they become "ingen datainsamling", never the
            suppression mark (which the method section explains as a withheld value).

    Returns:
        The Markdown with the notes merged.
    """
    lines = markdown.split("\n")
    wanted = {note.strip() for note in [*notes, *no_data] if note.strip()}
    marks = {note.strip(): _NO_DATA(lang, "no_data") for note in no_data}
    sections: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        if line.startswith("# "):
            sections.append([])
        sections[-1].append(index)
    for indices in sections:
        _merge_in_section(lines, indices, wanted, lang, marks)
    return "\n".join(line for line in lines if line is not None)  # type: ignore[comparison-overlap]


def _merge_in_section(
    lines: list, indices: list[int], wanted: set[str], lang: str, marks: dict[str, str]
) -> None:
    caption_start = _caption_pattern()
    caption: tuple[str, str] | None = None
    in_div = False
    found: dict[str, list[tuple[int, tuple[str, str], bool]]] = {}
    for index in indices:
        line = lines[index]
        text = line.strip()
        match = caption_start.match(text)
        if match:
            caption = (match.group("kind"), match.group("n"))
        if _DIV_OPEN.match(text):
            in_div = True
            # A captioned figure block has its caption last, after the note: the note
            # belongs to the block's own caption, not to the table printed above it.
            caption = _block_caption(lines, indices, index, caption_start) or caption
        elif _DIV_CLOSE.match(text):
            in_div = False
        if text in wanted and caption is not None:
            found.setdefault(text, []).append((index, caption, in_div))
    for note, places in found.items():
        refs = _ref_list([c for _, c, _ in places], lang)
        merged = f"{refs}: {note[:1].lower()}{note[1:]}"
        mark = marks.get(note, SUPPRESSED_MARK.replace("*", "\\*"))
        for index, _, inside in places[:-1]:
            lines[index] = mark if inside else None
        last, _, _ = places[-1]
        lines[last] = merged


def _block_caption(
    lines: list, indices: list[int], start: int, caption_start: re.Pattern
) -> tuple[str, str] | None:
    """The caption ("Figur", "2") of the fenced block opened at `start`, wherever in it."""
    for index in range(start + 1, indices[-1] + 1):  # a section's lines are consecutive
        text = (lines[index] or "").strip()
        if _DIV_CLOSE.match(text) or _DIV_OPEN.match(text):
            return None
        match = caption_start.match(text)
        if match:
            return (match.group("kind"), match.group("n"))
    return None


def _ref_list(captions: list[tuple[str, str]], lang: str) -> str:
    """ "Tabell 3–6 och 9 samt Figur 2" from the captions, numbers in order of appearance.

    Three or more numbers in a row are a range ("Tabell 3–12", not ten numbers), and the
    tables and the figures are joined by "samt" / ", and": "Tabell 13 och 14 och Figur 4
    och 5" read as four items.
    """
    conjunction = _t(lang, "and")
    groups: dict[str, list[str]] = {}
    for kind, n in captions:
        key = "table" if kind in _caption_words("table") else "figure"
        if n not in groups.setdefault(key, []):
            groups[key].append(n)
    parts = []
    for key, numbers in groups.items():
        items = _ranges(numbers)
        if len(items) == 1 and len(numbers) == 1:
            parts.append(f"{_t(lang, key)} {items[0]}")
        elif len(items) == 1:
            parts.append(f"{_t(lang, f'{key}s')} {items[0]}")
        else:
            word = _t(lang, f"{key}s")  # the plural, as "Tables 3 and 5" has it
            parts.append(f"{word} {', '.join(items[:-1])} {conjunction} {items[-1]}")
    return _t(lang, "kinds_and").join(parts)


def _ranges(numbers: list[str]) -> list[str]:
    """ "3", "4", "5", "7" -> "3–5", "7": runs of three or more consecutive numbers."""
    items: list[str] = []
    run: list[int] = []
    for n in [int(x) for x in numbers] + [-1]:
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if len(run) >= 3:
            items.append(f"{run[0]}\u2013{run[-1]}")
        else:
            items += [str(x) for x in run]
        run = [n]
    return items
