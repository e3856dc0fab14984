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
from pipeline.analysis.themes import theme_by_group
from pipeline.config import ReportMeta
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.formatting import md_text, number
from pipeline.rounds import evaluation_rounds, join_words
from pipeline.schema import label
from pipeline.text.interviews import method_table_markdown

_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "commission": (
            "Rapporten är en del av den årliga uppföljningen av peer support. Den har tagits "
            "fram av {author} på uppdrag av {commissioner} och redovisas för {committee} "
            "(diarienummer {case_number})."
        ),
        "missing": "[{field} saknas]",
        "author": "författare",
        "commissioner": "uppdragsgivare",
        "committee": "nämnd",
        "case_number": "diarienummer",
        "held": "I {region} {year} genomfördes {interviews} intervjuer med sammanlagt "
        "{participants} deltagare.",
        "basis_all": "Alla intervjuer ingår i temaredovisningen.",
        "basis_part": (
            "Temaredovisningen bygger på {shown} av intervjuerna; {groups} ingår inte "
            "eftersom {which} färre än {k} deltagare."
        ),
        "coded": "De kodades i {segments} segment inom {themes} av kodbokens {book} teman.",
        "coded_none": "Inga av de redovisade intervjuerna har kodade segment.",
        "pointer": "@tbl-themes och @fig-themes visar i hur många intervjuer varje tema "
        "förekom, per grupp.",
        "none": (
            "{region} hade ingen intervjuomgång {year} (ingen datainsamling), så avsnittet "
            "redovisar inga teman, faktorer eller citat för året."
        ),
        "latest": "Den senaste omgången med intervjuer var {latest}.",
        "method_lead": "@tbl-method visar vilka som intervjuades i {region} och i vilken form.",
    },
    "en": {
        "commission": (
            "This report is part of the yearly follow-up of peer support. It was produced by "
            "{author} for {commissioner} and is presented to {committee} (case number "
            "{case_number})."
        ),
        "missing": "[{field} missing]",
        "author": "author",
        "commissioner": "commissioning body",
        "committee": "committee",
        "case_number": "case number",
        "held": "In {region} {year}, {interviews} interviews with {participants} participants "
        "in all were carried out.",
        "basis_all": "All interviews are part of the theme analysis.",
        "basis_part": (
            "The theme analysis rests on {shown} of the interviews; {groups} are left out "
            "because {which} fewer than {k} participants."
        ),
        "coded": "They were coded in {segments} segments on {themes} of the codebook's "
        "{book} themes.",
        "coded_none": "None of the reported interviews has coded segments.",
        "pointer": "@tbl-themes and @fig-themes show in how many interviews each theme came "
        "up, by group.",
        "none": (
            "{region} had no interview round in {year} (no data collection), so this section "
            "reports no themes, factors or quotes for the year."
        ),
        "latest": "The latest round with interviews was {latest}.",
        "method_lead": "@tbl-method shows who was interviewed in {region} and how.",
    },
}


_WHICH = {"sv": ("gruppen har", "grupperna har"), "en": ("the group has", "the groups have")}


def _t(lang: str, key: str, **values: object) -> str:
    texts = _TEXT.get(lang, _TEXT["sv"])
    return texts[key].format(**values) if values else texts[key]


def commission_markdown(meta: ReportMeta, lang: str = "sv") -> str:
    """The commission sentence, naming a missing field instead of leaving a gap.

    Args:
        meta: The report metadata from params (and the pair's override).
        lang: "sv" or "en".

    Returns:
        One escaped Markdown paragraph (a draft names what is missing in brackets).
    """
    values = {}
    for key in ("author", "commissioner", "committee", "case_number"):
        given = str(getattr(meta, key) or "").strip()
        values[key] = given or _t(lang, "missing", field=_t(lang, key))
    commissioner = values["commissioner"]
    if meta.organisation.strip() and meta.organisation.strip() != commissioner:
        joiner = " och " if lang == "sv" else " and "
        commissioner = f"{commissioner}{joiner}{meta.organisation.strip()}"
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
        lang: "sv" or "en".
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
        lang: "sv" or "en".
        k: Minimum group size (persons).

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
    table = theme_by_group(InterviewData(register, segments, themes), scope)
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
                which=_WHICH[lang if lang in _WHICH else "sv"][len(small) > 1],
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

_CAPTION = re.compile(r"^(?::\s|!\[|\[)(?P<kind>Tabell|Table|Figur|Figure) (?P<n>\d+)[:\]]")
_DIV_OPEN = re.compile(r"^:::+\s*\{")
_DIV_CLOSE = re.compile(r"^:::+\s*$")
_REFS = {"sv": ("Tabell", "Figur", "och"), "en": ("Table", "Figure", "and")}


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
        lang: "sv" or "en".

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
    caption: tuple[str, str] | None = None
    in_div = False
    found: dict[str, list[tuple[int, tuple[str, str], bool]]] = {}
    for index in indices:
        line = lines[index]
        text = line.strip()
        match = _CAPTION.match(text)
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
    table, figure, conjunction = _REFS.get(lang, _REFS["sv"])
    groups: dict[str, list[str]] = {}
    for kind, n in captions:
        word = table if kind in ("Tabell", "Table") else figure
        if n not in groups.setdefault(word, []):
            groups[word].append(n)
    parts = []
    for word, numbers in groups.items():
        if lang == "en" and len(numbers) > 1:
            word += "s"
        if len(numbers) == 1:
            parts.append(f"{word} {numbers[0]}")
        else:
            parts.append(f"{word} {', '.join(numbers[:-1])} {conjunction} {numbers[-1]}")
    return f" {conjunction} ".join(parts)
