"""Evaluation rounds as the data have them: which years, which with survey or interviews.

A region's rounds are the years up to the report year in which it has survey responses
or interviews. The report names its round by ordinal ("den fjärde") from this list, and
names the years in which a data collection did not take place ("ingen datainsamling"),
so that a missing year is never dropped without a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.formatting import md_text
from pipeline.i18n import Catalog

NO_DATA: dict[str, str] = {"sv": "ingen datainsamling", "en": "no data collection"}
"""How a round without a data collection is marked in tables and text."""

_ORDINALS = {
    "sv": ("första", "andra", "tredje", "fjärde", "femte", "sjätte", "sjunde", "åttonde",
           "nionde", "tionde"),
    "en": ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
           "ninth", "tenth"),
}  # fmt: skip

_t = Catalog("rounds")


@dataclass(frozen=True)
class Rounds:
    """A region's evaluation rounds up to a report year."""

    years: tuple[int, ...]
    survey: tuple[int, ...]
    interviews: tuple[int, ...]

    def ordinal_number(self, year: int) -> int:
        """1 for the first round; the round number of `year` among the region's rounds."""
        return self.years.index(year) + 1 if year in self.years else len(self.years) + 1

    def missing(self, kind: str) -> tuple[int, ...]:
        """Rounds without the given data collection ("survey" or "interviews")."""
        have = set(self.survey if kind == "survey" else self.interviews)
        return tuple(y for y in self.years if y not in have)


def evaluation_rounds(
    survey: pd.DataFrame, register: pd.DataFrame, region: str, year: int
) -> Rounds:
    """The region's rounds up to `year`: years with survey responses or interviews.

    Args:
        survey: The canonical survey table (columns region, year).
        register: The interview register (columns region, year).
        region: The region.
        year: The report year.

    Returns:
        The rounds, each list sorted.
    """

    def years_of(frame: pd.DataFrame) -> set[int]:
        rows = frame.loc[frame["region"] == region, "year"].astype(int)
        return {int(y) for y in rows if y <= year}

    surveyed, interviewed = years_of(survey), years_of(register)
    return Rounds(
        years=tuple(sorted(surveyed | interviewed)),
        survey=tuple(sorted(surveyed)),
        interviews=tuple(sorted(interviewed)),
    )


def ordinal(n: int, lang: str = "sv") -> str:
    """An ordinal word: 4 -> "fjärde" / "fourth"; beyond ten "11:e" / "11th"."""
    words = _ORDINALS.get(lang, _ORDINALS["sv"])
    if 1 <= n <= len(words):
        return words[n - 1]
    if lang == "en":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return f"{n}:e"


def join_words(items: Sequence[object], lang: str = "sv") -> str:
    """ "a, b och c" / "a, b and c" (no serial comma, as both styles allow)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    conjunction = _t(lang, "and")
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def rounds_markdown(
    survey: pd.DataFrame, register: pd.DataFrame, region: str, year: int, lang: str = "sv"
) -> str:
    """Which round this report is, and which data collections each round had.

    Args:
        survey: The canonical survey table.
        register: The interview register.
        region: The region.
        year: The report year.
        lang: "sv" or "en".

    Returns:
        One escaped Markdown paragraph.
    """
    info = evaluation_rounds(survey, register, region, year)
    if len(info.years) <= 1:
        return md_text(_t(lang, "only", year=year, region=region)) + "\n"
    n = info.ordinal_number(year)
    sentences = [
        _t(
            lang,
            "nth",
            year=year,
            ordinal=ordinal(n, lang),
            region=region,
            years=join_words(info.years, lang),
        )
    ]
    both = [y for y in info.years if y in info.survey and y in info.interviews]
    survey_only = info.missing("interviews")
    interviews_only = info.missing("survey")
    no_data = NO_DATA.get(lang, NO_DATA["sv"])
    if both and (survey_only or interviews_only):
        sentences.append(_t(lang, "both", years=join_words(both, lang)))
    if survey_only:
        years = join_words(survey_only, lang)
        sentences.append(_capital(_t(lang, "survey_only", years=years, no_data=no_data)))
    if interviews_only:
        years = join_words(interviews_only, lang)
        sentences.append(_capital(_t(lang, "interviews_only", years=years, no_data=no_data)))
    return md_text(" ".join(sentences)) + "\n"


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
