"""Writing a pair's Quarto report source from the template, params and narrative.

The template (reports/rapport.<lang>.qmd) holds the fixed structure and text. This
module adds the pair's front matter (every data-derived value escaped for Markdown)
and the analyst's narrative sections in place of `<!-- narrative:NAME -->` markers.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from pipeline import front_matter
from pipeline.config import Pair
from pipeline.drafts import DraftStatus
from pipeline.formatting import date as format_date
from pipeline.formatting import md_text
from pipeline.report_text import commission_markdown

_MARKER = re.compile(r"^<!-- narrative:([a-z_]+) -->$", re.MULTILINE)
_SECTION_HEADING = re.compile(r"^# +(.+?)\s*#*\s*$", re.MULTILINE)

NARRATIVE_SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("sammanfattning", "summary"),
    "conclusions": ("slutsatser", "conclusions"),
    "recommendations": ("rekommendationer", "recommendations"),
}
"""Narrative section keys and the level-1 headings (sv, en) that start them."""

_PLACEHOLDER = {
    "sv": '*\\[Analytikerns text saknas. Skriv den under rubriken "# {heading}" i {path}.\\]*',
    "en": (
        "*\\[The analyst's text is missing. "
        'Write it under the heading "# {heading}" in {path}.\\]*'
    ),
}


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split a Quarto source into its YAML front matter and body.

    Args:
        text: The whole source.

    Returns:
        (front matter mapping, body text).

    Raises:
        ValueError: The source does not start with a YAML front matter block.
    """
    found = front_matter.split(text)
    if found is None:
        raise ValueError("a report template must start with a '---' YAML front matter block")
    return yaml.safe_load(found.yaml) or {}, found.body


def parse_narrative(text: str) -> dict[str, str]:
    """Split an analyst's narrative Markdown into sections by its level-1 headings.

    Args:
        text: The narrative file's content.

    Returns:
        Section key -> Markdown body (headings matched in Swedish or English,
        ignoring case). Text under other headings is ignored.
    """
    sections: dict[str, str] = {}
    headings = list(_SECTION_HEADING.finditer(text))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        title = heading.group(1).strip().casefold()
        for key, names in NARRATIVE_SECTIONS.items():
            if title in names:
                sections[key] = text[heading.end() : end].strip()
    return sections


def compose_source(
    template: str,
    pair: Pair,
    report_date: dt.date,
    narrative: dict[str, str],
    narrative_path: str,
    draft: DraftStatus | None = None,
    links: dict | None = None,
) -> str:
    """Return the report source for one pair.

    Args:
        template: The language's template text (front matter + body).
        pair: The region-year with its settings.
        report_date: The date printed on the report.
        narrative: Parsed narrative sections (may be empty).
        narrative_path: Where the analyst writes the narrative (for the placeholder).
        draft: The report's draft status; a draft gets a `draft_mark` front-matter
            entry (label, intro, reasons) that the templates show as banner and
            watermark (not `draft`, which Quarto uses for something else).
        links: Relative links to the report's neighbours (`pipeline.links.report_links`),
            written to the front matter as `links:` for the HTML header bar.

    Returns:
        Quarto Markdown source.
    """
    front, body = split_front_matter(template)
    settings = pair.settings
    meta = settings.report
    lang = settings.lang
    front["lang"] = lang
    if meta.title:
        front["title"] = md_text(meta.title)
    front["date"] = report_date.isoformat()
    front["params"] = {"region": md_text(pair.region), "year": pair.year}
    front["report"] = {
        "organisation": md_text(meta.organisation),
        "committee": md_text(meta.committee),
        "commissioner": md_text(meta.commissioner),
        "author": md_text(meta.author),
        "case_number": md_text(meta.case_number),
        "date_text": md_text(format_date(report_date, lang)),
        "commission": commission_markdown(meta, lang),
        "k": settings.k,
        "interview_k": settings.interview_k,
        "extremes_k": settings.extremes_k,
    }
    if draft is not None and draft.is_draft:
        front["draft_mark"] = {
            "label": md_text(draft.label),
            "intro": md_text(draft.intro),
            "reasons": [md_text(reason) for reason in draft.reasons],
        }
    if links:
        front["links"] = links

    def fill(match: re.Match) -> str:
        key = match.group(1)
        if narrative.get(key):
            return narrative[key]
        heading = NARRATIVE_SECTIONS.get(key, (key, key))[0 if lang == "sv" else 1].capitalize()
        return _PLACEHOLDER[lang].format(heading=heading, path=md_text(narrative_path))

    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n{_MARKER.sub(fill, body)}"
