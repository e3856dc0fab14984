"""An analyst's narrative file split into the report sections it fills.

Pure text, its own module: the report source (`pipeline.report_source`) puts the
sections into the report, and validate's narrative checks (`pipeline.narrative_facts`)
read the recommendations section without the report machinery.
"""

from __future__ import annotations

import re

from pipeline.drafts import NARRATIVE_KEYS
from pipeline.i18n import Catalog, languages

_SECTION_HEADING = re.compile(r"^# +(.+?)\s*#*\s*$", re.MULTILINE)
_narrative = Catalog("narrative")


def narrative_headings() -> dict[str, frozenset[str]]:
    """Narrative section key -> its level-1 heading in every language, case-folded."""
    return {
        key: frozenset(_narrative(lang, key).casefold() for lang in languages())
        for key in NARRATIVE_KEYS
    }


def parse_narrative(text: str) -> dict[str, str]:
    """Split an analyst's narrative Markdown into sections by its level-1 headings.

    Args:
        text: The narrative file's content.

    Returns:
        Section key -> Markdown body (headings matched in any catalog language,
        ignoring case). Text under other headings is ignored.
    """
    sections: dict[str, str] = {}
    names_of = narrative_headings()
    headings = list(_SECTION_HEADING.finditer(text))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        title = heading.group(1).strip().casefold()
        for key, names in names_of.items():
            if title in names:
                sections[key] = text[heading.end() : end].strip()
    return sections
