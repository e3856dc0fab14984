"""The scope of a report: which rows it covers and the disclosure settings it is held to."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipeline.disclosure import DEFAULT_EXTREMES_K, DEFAULT_INTERVIEW_K, DEFAULT_K
from pipeline.i18n import DEFAULT_LANGUAGE, check_language


@dataclass(frozen=True, kw_only=True)
class Scope:
    """One region (or the whole country) in one year, in one language, under the rules.

    Attributes:
        region: The region; None is every region (the national overview).
        year: The evaluation round (the report year).
        lang: The report language; one with catalogs (`pipeline.i18n`), else an error.
        k: The survey rule's minimum group size.
        interview_k: The interview rule's minimum group size (persons); None breaks
            every group down.
        extremes_k: Answers needed for min, max, sum, mean and spread; None: no such rule.
        quotes_per_theme: Quotes shown per theme (at most).
    """

    region: str | None
    year: int
    lang: str = DEFAULT_LANGUAGE
    k: int = DEFAULT_K
    interview_k: int | None = DEFAULT_INTERVIEW_K
    extremes_k: int | None = DEFAULT_EXTREMES_K
    quotes_per_theme: int = 2

    def __post_init__(self) -> None:
        check_language(self.lang)
        object.__setattr__(self, "year", int(self.year))  # numpy ints compare alike

    def at(self, year: int) -> Scope:
        """The same scope in another year (a round of the same region)."""
        return dataclasses.replace(self, year=year)

    def nationwide(self) -> Scope:
        """The same scope over every region (for tables that show the whole country)."""
        return dataclasses.replace(self, region=None)
