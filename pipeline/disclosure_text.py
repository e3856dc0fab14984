"""The texts of disclosure control: the mark, the footnote, withheld and method sentences.

Kept apart from the rules (`pipeline.disclosure`, which re-exports these) so that the
rules module stays about rules. Every text is plain: escape it (`pipeline.formatting.md_text`)
before it enters Markdown.
"""

from __future__ import annotations

SUPPRESSED_MARK = "–*"
"""What a suppressed cell shows (en dash and asterisk, explained by `footnote`)."""


def footnote(k: int, lang: str = "sv") -> str:
    """The footnote under a table or figure with suppressed cells (plain text).

    Args:
        k: The minimum group size.
        lang: "sv" or "en".

    Returns:
        E.g. "Uppgifter för grupper med färre än 5 personer redovisas inte (markeras –*)."
    """
    if lang == "en":
        return (
            f"Figures for groups of fewer than {k} people are not shown (marked {SUPPRESSED_MARK})."
        )
    return (
        f"Uppgifter för grupper med färre än {k} personer redovisas inte "
        f"(markeras {SUPPRESSED_MARK})."
    )


def withheld_message(k: int, lang: str = "sv", reason: str = "small") -> str:
    """What a withheld table or figure says instead of numbers (plain text).

    Args:
        k: The minimum group size (of the rule that withheld it).
        lang: "sv" or "en".
        reason: `Disclosed.reason`: "small", "unprotectable" or "interviews".

    Returns:
        One sentence, e.g. "Uppgifterna redovisas inte (färre än 5 svarande)."
    """
    en = lang == "en"
    if reason == "unprotectable":
        if en:
            return (
                "Not shown: with so few answers per option, single answers could be "
                "worked out from the table."
            )
        return (
            "Uppgifterna redovisas inte: med så få svar per svarsalternativ skulle enskilda "
            "svar kunna räknas fram ur tabellen."
        )
    if reason == "interviews":
        if en:
            return (
                f"Not shown: no respondent group had at least {k} participants, so what "
                "was said is not broken down."
            )
        return (
            f"Redovisas inte: ingen respondentgrupp hade minst {k} deltagare, så det som "
            "sades redovisas inte uppdelat."
        )
    if en:
        return f"Not shown (fewer than {k} respondents)."
    return f"Uppgifterna redovisas inte (färre än {k} svarande)."


def rules_text(k: int, interview_k: int, extremes_k: int, lang: str = "sv") -> list[str]:
    """The disclosure rules with their parameters, for the method section (plain text).

    Args:
        k: The survey rule's minimum group size.
        interview_k: The interview rule's minimum group size (persons).
        extremes_k: The extremes-and-totals threshold (answers).
        lang: "sv" or "en".

    Returns:
        One sentence per rule.
    """
    extremes_k = max(k, extremes_k)
    if lang == "en":
        return [
            f"Survey: counts, shares and statistics for groups of fewer than {k} people are "
            f"not shown (marked {SUPPRESSED_MARK}); where a hidden value could be worked out "
            "from a total, from another table of this report or from the other regions' "
            "reports, further values are hidden as well. Response counts per region are "
            "public.",
            f"Minimum, maximum, sum, mean and standard deviation are shown only for groups of "
            f"at least {extremes_k} answers; smaller groups show the median and quartiles.",
            f"Interviews: the number of interviews and participants per respondent group is "
            f"always shown; themes and factors are broken down only for groups with at least "
            f"{interview_k} participants, and quotes are attributed to a respondent group "
            f"only, never to a group of fewer than {max(2, interview_k)} participants.",
            "A value that is not shown is never shown, drawn or described as zero.",
        ]
    return [
        f"Enkäten: antal, andelar och statistik för grupper med färre än {k} personer "
        f"redovisas inte (markeras {SUPPRESSED_MARK}); där en dold uppgift skulle kunna räknas "
        "fram ur en summa, ur en annan tabell i rapporten eller ur de andra regionernas "
        "rapporter döljs fler uppgifter. Antalet svar per region är offentligt.",
        f"Minsta och största värde, summa, medelvärde och standardavvikelse redovisas bara "
        f"för grupper med minst {extremes_k} svar; mindre grupper redovisas med median och "
        "kvartiler.",
        f"Intervjuerna: antal intervjuer och deltagare per respondentgrupp redovisas alltid; "
        f"teman och faktorer redovisas per grupp bara för grupper med minst {interview_k} "
        f"deltagare, och citat anges bara med respondentgrupp, aldrig för en grupp med färre "
        f"än {max(2, interview_k)} deltagare.",
        "En uppgift som inte redovisas visas, ritas eller beskrivs aldrig som noll.",
    ]


def region_withheld_message(region: str, year: int, k: int, lang: str = "sv") -> str:
    """The text a region's report shows instead of survey statistics (plain text).

    The region name is data: escape the result (`pipeline.formatting.md_text`) before it
    enters Markdown.

    Args:
        region: The region.
        year: The year.
        k: The minimum group size.
        lang: "sv" or "en".

    Returns:
        One paragraph of plain text.
    """
    if lang == "en":
        return (
            f"Fewer than {k} people in {region} answered the survey in {year}. To protect "
            "the respondents, the report shows no survey statistics for groups this small."
        )
    return (
        f"Färre än {k} personer i {region} besvarade enkäten {year}. För att skydda de "
        "svarande redovisas ingen statistik från enkäten för så små grupper."
    )


def extremes_note(k: int, extremes_k: int | None, lang: str) -> str:
    """The note under a statistics table whose extremes and totals are withheld."""
    threshold = max(k, extremes_k or 0)
    if lang == "en":
        return (
            f"For items with fewer than {threshold} answers only the median and quartiles "
            f"are shown (minimum, maximum, sum, mean and spread are marked {SUPPRESSED_MARK} "
            "or left out)."
        )
    return (
        f"För frågor med färre än {threshold} svar redovisas bara median och kvartiler "
        f"(lägsta och högsta värde, summa, medelvärde och spridning markeras {SUPPRESSED_MARK} "
        "eller utelämnas)."
    )


def complement_note(k: int, extremes_k: int | None, lang: str) -> str:
    """The note under the national statistics when complementary suppression withheld some.

    Args:
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.
        lang: "sv" or "en".

    Returns:
        One sentence saying why the whole country's sum, mean and spread are not shown.
    """
    threshold = max(k, extremes_k or 0)
    if lang == "en":
        return (
            "Where the whole country's sum, mean and standard deviation together with the "
            "regions' own tables would give away the sum for a region with fewer than "
            f"{threshold} answers, they are not shown either (marked {SUPPRESSED_MARK} or "
            "left out)."
        )
    return (
        "Där hela landets summa, medelvärde och standardavvikelse tillsammans med "
        "regionernas egna tabeller skulle visa summan för en region med färre än "
        f"{threshold} svar redovisas de inte heller (markeras {SUPPRESSED_MARK} eller "
        "utelämnas)."
    )
