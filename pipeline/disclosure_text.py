"""The texts of disclosure control: the mark, the footnote, withheld and method sentences.

Kept apart from the rules (`pipeline.disclosure`, which re-exports these) so that the
rules module stays about rules. Every text is plain: escape it (`pipeline.formatting.md_text`)
before it enters Markdown.
"""

from __future__ import annotations

from pipeline.i18n import Catalog

_t = Catalog("disclosure")

SUPPRESSED_MARK = "–*"
"""What a suppressed cell shows (en dash and asterisk, explained by `footnote`)."""


def footnote(k: int, lang: str = "sv") -> str:
    """The footnote under a table or figure with suppressed cells (plain text).

    Args:
        k: The minimum group size.
        lang: The report language.

    Returns:
        E.g. "Uppgifter för grupper med färre än 5 personer redovisas inte (markeras –*)."
    """
    return _t(lang, "footnote", k=k, mark=SUPPRESSED_MARK)


def withheld_message(k: int, lang: str = "sv", reason: str = "small") -> str:
    """What a withheld table or figure says instead of numbers (plain text).

    Args:
        k: The minimum group size (of the rule that withheld it).
        lang: The report language.
        reason: `Disclosed.reason`: "small", "unprotectable", "linked", "interviews" or
            "no_data" (nobody was asked: no data collection, nothing withheld).

    Returns:
        One sentence, e.g. "Uppgifterna redovisas inte (färre än 5 svarande)."
    """
    known = reason in ("unprotectable", "linked", "interviews", "no_data")
    return _t(lang, f"withheld_{reason if known else 'small'}", k=k)


def rules_text(k: int, interview_k: int, extremes_k: int, lang: str = "sv") -> list[str]:
    """The disclosure rules with their parameters, for the method section (plain text).

    Args:
        k: The survey rule's minimum group size.
        interview_k: The interview rule's minimum group size (persons).
        extremes_k: The extremes-and-totals threshold (answers).
        lang: The report language.

    Returns:
        One sentence per rule.
    """
    values = {
        "k": k,
        "extremes_k": max(k, extremes_k),
        "interview_k": interview_k,
        "quote_k": max(2, interview_k),
        "mark": SUPPRESSED_MARK,
    }
    keys = ("rules_survey", "rules_extremes", "rules_interviews", "rules_zero")
    return [_t(lang, key, **values) for key in keys]


def region_withheld_message(region: str, year: int, k: int, lang: str = "sv") -> str:
    """The text a region's report shows instead of survey statistics (plain text).

    The region name is data: escape the result (`pipeline.formatting.md_text`) before it
    enters Markdown.

    Args:
        region: The region.
        year: The year.
        k: The minimum group size.
        lang: The report language.

    Returns:
        One paragraph of plain text.
    """
    return _t(lang, "region_withheld", region=region, year=year, k=k)


def extremes_note(k: int, extremes_k: int | None, lang: str) -> str:
    """The note under a statistics table whose extremes and totals are withheld."""
    threshold = max(k, extremes_k or 0)
    return _t(lang, "extremes_note", threshold=threshold, mark=SUPPRESSED_MARK)


def complement_note(k: int, extremes_k: int | None, lang: str) -> str:
    """The note under the national statistics when complementary suppression withheld some.

    Args:
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.
        lang: The report language.

    Returns:
        One sentence saying why the whole country's sum, mean and spread are not shown.
    """
    threshold = max(k, extremes_k or 0)
    return _t(lang, "complement_note", threshold=threshold, mark=SUPPRESSED_MARK)


def tails_note(lang: str) -> str:
    """The note under statistics whose extremes a table in bands made withheld.

    See `pipeline.analysis.survey.TAIL_STATISTICS`.
    """
    return _t(lang, "tails_note", mark=SUPPRESSED_MARK)
