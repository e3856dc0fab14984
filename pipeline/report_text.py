"""Report prose built from the same computed objects as the tables it describes.

Each sentence here reads its numbers from the table function whose output the report
shows next to it (`pipeline.analysis.themes.theme_by_group` for the interview themes), so
the text can never count differently from the table. Sentences that point to a table or figure
(`@tbl-themes`) are written only when that table has something to show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from pipeline.analysis import Scope
from pipeline.analysis.interviews import GROUPS, InterviewData
from pipeline.analysis.themes import theme_by_group, theme_by_group_frame
from pipeline.config import ReportMeta
from pipeline.disclosure import SUPPRESSED_MARK, Disclosed
from pipeline.formatting import md_text, number
from pipeline.i18n import Catalog, languages
from pipeline.rounds import evaluation_rounds, join_words
from pipeline.schema import label
from pipeline.text.interviews import method_table_markdown

_t = Catalog("report_text")


def commission_markdown(meta: ReportMeta, lang: str = "sv") -> str:
    """The commission sentence, naming a missing field instead of leaving a gap.

    Args:
        meta: The report metadata from params (and the pair's override).
        lang: The report language.

    Returns:
        One escaped Markdown paragraph (a draft names what is missing in brackets).
    """
    values = {}
    for key in ("author", "commissioner", "committee", "case_number"):
        given = str(getattr(meta, key) or "").strip()
        values[key] = given or _t(lang, "missing", field=_t(lang, key))
    commissioner = values["commissioner"]
    if meta.organisation.strip() and meta.organisation.strip() != commissioner:
        commissioner = f"{commissioner} {_t(lang, 'and')} {meta.organisation.strip()}"
    values["commissioner"] = commissioner
    return md_text(_t(lang, "commission", **values))


def method_markdown(
    register: pd.DataFrame, region: str, year: int, lang: str = "sv", k: int | None = None
) -> str:
    """The method table, led by a sentence pointing to it only when there are interviews.

    Args:
        register: The interview register.
        region: The region.
        year: The evaluation round.
        lang: The report language.
        k: Minimum group size (persons).

    Returns:
        Markdown: the lead sentence (with its cross-reference) and the method table, or
        the table function's no-interviews sentence alone.
    """
    table = method_table_markdown(
        register, Scope(region=region, year=year, lang=lang, interview_k=k)
    )
    pair = register[(register["region"] == region) & (register["year"].astype(int) == year)]
    if pair.empty:
        return table
    lead = _t(lang, "method_lead", region="\x00").split("\x00")
    return lead[0] + md_text(region) + lead[1] + "\n\n" + table


def interview_status_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    survey: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    *,
    by_group: Disclosed | None = None,
) -> str:
    """The paragraph that opens the interview themes, counted from the theme table.

    Interviews and participants are the method table's totals; the interviews in the
    theme analysis, the coded segments and the themes are read from `theme_by_group`,
    the very frame behind the theme table, so text and table always agree.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook themes.
        survey: The survey responses (to name the rounds in a year without interviews).
        region: The region.
        year: The evaluation round.
        lang: The report language.
        k: Minimum group size (persons).
        by_group: The theme table itself, when the notebook has already disclosed it
            (`disclose_theme_by_group` of the same tables, region, year, language and
            k); else it is made here.

    Returns:
        Markdown. Without interviews: a sentence saying so (and the latest round with
        interviews), with no pointer to the theme table or figure.
    """
    pair = register[(register["region"] == region) & (register["year"].astype(int) == year)]
    if pair.empty:
        parts = [_t(lang, "none", region=region, year=year)]
        earlier = [y for y in evaluation_rounds(survey, register, region, year).interviews]
        if earlier:
            parts.append(_t(lang, "latest", latest=earlier[-1]))
        return md_text(" ".join(parts)) + "\n"
    scope = Scope(region=region, year=year, lang=lang, interview_k=k)
    if by_group is None:
        table = theme_by_group(InterviewData(register, segments, themes), scope)
    else:
        table = theme_by_group_frame(by_group)
    shown = table.loc[~table["suppressed"]]
    interviews_shown = int(shown.drop_duplicates("group")["interviews"].sum())
    per_theme = shown.groupby("theme", sort=False)["segments"].sum()
    sentences = [
        _t(
            lang,
            "held",
            region=region,
            year=year,
            interviews=number(len(pair), lang, 0),
            participants=number(int(pair["participants"].sum()), lang, 0),
        )
    ]
    small = sorted(set(table.loc[table["suppressed"], "group"]), key=GROUPS.index)
    if small:
        groups = join_words([label("group", g, lang).lower() for g in small], lang)
        sentences.append(
            _t(
                lang,
                "basis_part",
                shown=number(interviews_shown, lang, 0),
                groups=groups,
                which=_t(lang, "which_many" if len(small) > 1 else "which_one"),
                k=k,
            )
        )
    else:
        sentences.append(_t(lang, "basis_all"))
    segments_total = int(per_theme.sum()) if len(per_theme) else 0
    if segments_total:
        sentences.append(
            _t(
                lang,
                "coded",
                segments=number(segments_total, lang, 0),
                themes=number(int((per_theme > 0).sum()), lang, 0),
                book=number(len(per_theme), lang, 0),
            )
        )
    elif interviews_shown:  # with no group shown, the basis sentence has said it all
        sentences.append(_t(lang, "coded_none"))
    text = md_text(" ".join(sentences))
    if interviews_shown:
        # Our own sentence with cross-references: not escaped, no data in it.
        text += " " + _t(lang, "pointer")
    return text + "\n"


# --- one disclosure note per section ----------------------------------------------------


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


def merge_section_notes(markdown: str, notes: Sequence[str], lang: str = "sv") -> str:
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

    Returns:
        The Markdown with the notes merged.
    """
    lines = markdown.split("\n")
    wanted = {note.strip() for note in notes if note.strip()}
    sections: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        if line.startswith("# "):
            sections.append([])
        sections[-1].append(index)
    for indices in sections:
        _merge_in_section(lines, indices, wanted, lang)
    return "\n".join(line for line in lines if line is not None)  # type: ignore[comparison-overlap]


def _merge_in_section(lines: list, indices: list[int], wanted: set[str], lang: str) -> None:
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
        elif _DIV_CLOSE.match(text):
            in_div = False
        if text in wanted and caption is not None:
            found.setdefault(text, []).append((index, caption, in_div))
    for note, places in found.items():
        refs = _ref_list([c for _, c, _ in places], lang)
        merged = f"{refs}: {note[:1].lower()}{note[1:]}"
        for index, _, inside in places[:-1]:
            lines[index] = SUPPRESSED_MARK.replace("*", "\\*") if inside else None
        last, _, _ = places[-1]
        lines[last] = merged


def _ref_list(captions: list[tuple[str, str]], lang: str) -> str:
    """ "Tabell 3, 5 och Figur 2" from the captions, numbers in order of appearance."""
    conjunction = _t(lang, "and")
    groups: dict[str, list[str]] = {}
    for kind, n in captions:
        key = "table" if kind in _caption_words("table") else "figure"
        if n not in groups.setdefault(key, []):
            groups[key].append(n)
    parts = []
    for key, numbers in groups.items():
        if len(numbers) == 1:
            parts.append(f"{_t(lang, key)} {numbers[0]}")
        else:
            word = _t(lang, f"{key}s")  # the plural, as "Tables 3 and 5" has it
            parts.append(f"{word} {', '.join(numbers[:-1])} {conjunction} {numbers[-1]}")
    return f" {conjunction} ".join(parts)
