"""Numbers in a narrative that the pipeline can check against the report's own tables.

A narrative is the analyst's prose, written once for the data of its year. When the data
change (a late survey export, a region's answers withdrawn), a sentence such as "Enkäten
nådde 4 av regionens 7 peer supportrar" can go stale and contradict Table 1 of the same
report. Only the survey's reach is recognised: it is the one figure the demo narratives
(and the narrative template) state in a fixed form; other prose is not parsed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

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


def narrative_warnings(
    project: Project, pairs: Sequence[Pair], survey: pd.DataFrame, population: pd.DataFrame
) -> list[str]:
    """One line per narrative whose survey reach contradicts its report's Table 1.

    For `peer-eval validate`: a warning, not an input error (the report still builds; the
    analyst decides whether the prose or the data is stale).
    """
    from pipeline.analysis.survey import response_rates
    from pipeline.drafts import narrative_file

    lines = []
    for pair in pairs:
        lang = pair.settings.lang
        path = narrative_file(project.narrative_dir, pair.year, pair.slug, lang)
        if not path.is_file():
            continue
        rates = response_rates(survey, population, pair.year)
        for wrong in survey_reach_mismatches(
            path.read_text(encoding="utf-8"), lang, rates, pair.region
        ):
            n, m = wrong.claimed
            actual = (
                _t(lang, "reach_no_survey")
                if wrong.actual is None
                else _t(lang, "reach_actual", n=wrong.actual[0], target=wrong.actual[1])
            )
            shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
            lines.append(_t(lang, "reach_wrong", path=shown, n=n, target=m, actual=actual))
    return lines
