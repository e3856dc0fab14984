"""Numbers in a narrative that the pipeline can check against the report's own tables.

A narrative is the analyst's prose, written once for the data of its year. When the data
change (a late survey export, a region's answers withdrawn), a sentence such as "Enkäten
nådde 4 av regionens 7 peer supportrar" can go stale and contradict Table 1 of the same
report. Only the survey's reach is recognised: it is the one figure the demo narratives
(and the narrative template) state in a fixed form; other prose is not parsed.

The recommendations are the other fact a narrative states that the pipeline holds too:
the recommendations register (`inputs.recommendations`) records what each report
recommended, and next year's report follows those up (its Table "Uppföljning av
rekommendationer"). A narrative that recommends something else gives the committee
recommendations that will never be followed up, and next year's table follows up
recommendations the committee was never given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from pipeline.config import Pair, Project

_t = Catalog("narrative_facts")


@dataclass(frozen=True)
class Mismatch:
    """A narrative's survey reach that the response-rate table contradicts."""

    claimed: tuple[int, int]
    actual: tuple[int, int] | None
    """(responses, target population); None when the region had no survey that year."""


def survey_reach_claims(text: str, lang: str) -> list[tuple[int, int]]:
    """Every "N av regionens M peer supportrar" ("N of M peer supporters answered")."""
    # The sentence's words are the catalog's (`reach_pattern`, {n} and {target} for the
    # numbers); any run of spaces or a line break may separate them.
    words = _t(lang, "reach_pattern").split()
    parts = [r"(\d+)" if w in ("{n}", "{target}") else re.escape(w) for w in words]
    pattern = re.compile(r"\s+".join(parts))
    return [(int(n), int(m)) for n, m in pattern.findall(text)]


def survey_reach_mismatches(
    text: str, lang: str, rates: pd.DataFrame, region: str
) -> list[Mismatch]:
    """The reach claims of a region's narrative that its response-rate row does not bear out.

    Args:
        text: The narrative (Markdown).
        lang: Its language.
        rates: `pipeline.analysis.survey.response_rates` of the report's year.
        region: The report's region.

    Returns:
        One `Mismatch` per wrong claim; empty when every claim agrees (or none is made).
    """
    row = rates.loc[(rates["region"] == region) & ~rates["is_total"]]
    actual: tuple[int, int] | None = None
    if len(row) and bool(row["surveyed"].iloc[0]) and not pd.isna(row["target_population"].iloc[0]):
        actual = (int(row["responses"].iloc[0]), int(row["target_population"].iloc[0]))
    return [Mismatch(claim, actual) for claim in survey_reach_claims(text, lang) if claim != actual]


def recommendation_items(section: str) -> list[str]:
    """The items of the lists in a narrative's recommendations section, as plain text.

    Only the outer lists' items count (a nested list explains its item); an item's
    first paragraph is its recommendation. Markup is dropped, lines are joined.
    """
    items, depth, wanted = [], 0, False
    for token in MarkdownIt("commonmark").parse(section):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            wanted = depth == 1
        elif token.type == "inline" and wanted:
            items.append(_plain(token))
            wanted = False
    return items


def _plain(inline: Token) -> str:
    words = [
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ]
    return " ".join("".join(words).split())


def _same(a: str, b: str) -> bool:
    """One recommendation in two places: equal, or one holds the other (an id, a reason)."""
    a, b = (" ".join(t.casefold().rstrip(".").split()) for t in (a, b))
    return a in b or b in a


def recommendation_mismatches(
    section: str, register: pd.DataFrame, region: str, year: int, lang: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """The register's recommendations of a report missing from its narrative, and back.

    Args:
        section: The narrative's recommendations section (Markdown; may be empty).
        register: `pipeline.readers.recommendations.read_recommendations`.
        region: The report's region.
        year: The report's year.
        lang: The narrative's language (which text of the register to compare).

    Returns:
        (id, text) of each recommendation the register says the report made that the
        section does not list, and each item of the section the register does not hold.
        Both empty when the register records no recommendation for the report: then
        the register is not kept for it, and nothing can disagree.
    """
    made = register.loc[(register["region"] == region) & (register["made"] == year)]
    if made.empty:
        return [], []
    column = f"text_{lang}" if f"text_{lang}" in made.columns else "text_sv"
    recorded = [(str(i), str(t)) for i, t in zip(made["id"], made[column], strict=True)]
    items = recommendation_items(section)
    missing = [(i, t) for i, t in recorded if not any(_same(t, item) for item in items)]
    extra = [item for item in items if not any(_same(t, item) for _, t in recorded)]
    return missing, extra


def narrative_warnings(
    project: Project,
    pairs: Sequence[Pair],
    survey: pd.DataFrame,
    population: pd.DataFrame,
    recommendations: pd.DataFrame | None = None,
) -> list[str]:
    """One line per narrative claim that its report's tables or the register contradict.

    The survey reach against Table 1; the recommendations against the register's
    recommendations of the report (when a register is kept). For `peer-eval validate`:
    a warning, not an input error (the report still builds; the analyst decides whether
    the prose or the data is stale).
    """
    from pipeline.analysis.survey import response_rates
    from pipeline.drafts import narrative_file
    from pipeline.narrative_sections import parse_narrative

    lines = []
    for pair in pairs:
        lang = pair.settings.lang
        path = narrative_file(project.narrative_dir, pair.year, pair.slug, lang)
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        rates = response_rates(survey, population, pair.year)
        for wrong in survey_reach_mismatches(text, lang, rates, pair.region):
            n, m = wrong.claimed
            actual = (
                _t(lang, "reach_no_survey")
                if wrong.actual is None
                else _t(lang, "reach_actual", n=wrong.actual[0], target=wrong.actual[1])
            )
            lines.append(_t(lang, "reach_wrong", path=shown, n=n, target=m, actual=actual))
        if recommendations is None:
            continue
        section = parse_narrative(text).get("recommendations") or ""
        missing, extra = recommendation_mismatches(
            section, recommendations, pair.region, pair.year, lang
        )
        lines += [_t(lang, "recommendation_missing", path=shown, id=i, text=t) for i, t in missing]
        lines += [_t(lang, "recommendation_extra", path=shown, text=t) for t in extra]
    return lines
