"""The method notes of every report: the disclosure rules with their values, percentiles."""

from __future__ import annotations

from pipeline.analysis.scope import Scope
from pipeline.disclosure import rules_text
from pipeline.formatting import md_text
from pipeline.i18n import Catalog

_t = Catalog("survey_method")


def method_markdown(scope: Scope) -> str:
    """A bullet list of the rules (k, interview_k, extremes_k), then the percentile definition."""
    lang = scope.lang
    rules = rules_text(scope.k, scope.interview_k, scope.extremes_k, lang)
    bullets = "\n".join(f"- {md_text(rule)}" for rule in rules)
    return f"{md_text(_t(lang, 'head'))}\n\n{bullets}\n\n{md_text(_t(lang, 'percentiles'))}\n"
