"""The interview method table as report Markdown, with its notes on persons and small groups."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis.interviews import MODES, method_table, small_groups
from pipeline.analysis.scope import Scope
from pipeline.formatting import md_text, number
from pipeline.i18n import Catalog
from pipeline.rounds import join_words
from pipeline.schema import label
from pipeline.tables import markdown_table
from pipeline.text.markdown import count, paragraph

_t = Catalog("interviews")


def no_interviews(scope: Scope) -> str:
    """The paragraph for a region-year without interviews (the region is escaped)."""
    return paragraph(_t(scope.lang, "no_interviews", region=scope.region, year=scope.year))


def group_list(groups: Sequence[str], lang: str) -> str:
    """ "Enhetschefer och medarbetare": a list of groups that reads as part of a sentence."""
    names = [label("group", g, lang) for g in groups]
    return join_words([names[0], *(n.lower() for n in names[1:])], lang) if names else ""


def method_table_markdown(register: pd.DataFrame, scope: Scope) -> str:
    """The method table as Markdown, with notes on the unit (persons) and small groups.

    Interview and participant counts are always shown (method transparency), also for
    groups below `scope.interview_k`; the note says that those groups are reported as
    counts only.

    Returns:
        Markdown: a pipe table and notes, or the no-interviews sentence.
    """
    lang = scope.lang
    table = method_table(register, scope)
    if len(table) == 1:
        return no_interviews(scope)
    shown = pd.DataFrame(
        {
            _t(lang, "group"): table["label"],
            **{
                _t(lang, column): [count(v, lang) for v in table[column]]
                for column in ("interviews", "individual", "group_interviews", "participants")
            },
            _t(lang, "mode"): [_modes_text(row, lang) for row in table.to_dict("records")],
        }
    )
    parts = [markdown_table(shown, align="lrrrrl"), md_text(_t(lang, "unit_note"))]
    small = small_groups(register, scope)
    if small:
        note = _t(lang, "small_note", groups=group_list(small, lang), k=scope.interview_k)
        parts.append(md_text(note))
    return "\n".join(parts) + "\n"


def _modes_text(row: dict[str, object], lang: str) -> str:
    return ", ".join(
        f"{label('mode', m, lang)} {number(int(row[m]), lang, 0)}"  # type: ignore[call-overload]
        for m in MODES
        if row[m]
    )
