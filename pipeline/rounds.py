"""Evaluation rounds as the data have them: which years, which with survey or interviews.

A region's rounds are the years up to the report year in which it has survey responses
or interviews, or is in the target population (it took part in that year's evaluation
even if nobody answered and nobody was interviewed), and the report year itself. Every
report of the region counts the same rounds, whichever data collection a year lacked.
The report names its round by ordinal ("den fjärde") from this list, and
names the years in which a data collection did not take place ("ingen datainsamling"),
so that a missing year is never dropped without a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.formatting import md_text
from pipeline.i18n import Catalog

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
    survey: pd.DataFrame,
    register: pd.DataFrame,
    region: str,
    year: int,
    population: pd.DataFrame | None = None,
) -> Rounds:
    """The region's rounds up to `year`: years with survey responses, interviews or a
    target population, and `year` itself (a report is being made for it).

    Args:
        survey: The canonical survey table (columns region, year).
        register: The interview register (columns region, year).
        region: The region.
        year: The report year.
        population: The population table (columns region, year); a year the region is
            in it is a round, also without answers or interviews.

    Returns:
        The rounds, each list sorted.
    """

    def years_of(frame: pd.DataFrame) -> set[int]:
        rows = frame.loc[frame["region"] == region, "year"].astype(int)
        return {int(y) for y in rows if y <= year}

    surveyed, interviewed = years_of(survey), years_of(register)
    listed = years_of(population) if population is not None else set()
    return Rounds(
        years=tuple(sorted(surveyed | interviewed | listed | {year})),
        survey=tuple(sorted(surveyed)),
        interviews=tuple(sorted(interviewed)),
    )


def ordinal(n: int, lang: str = "sv") -> str:
    """An ordinal word: 4 -> "fjärde" / "fourth"; beyond the catalog's words "11:e" / "11th"."""
    if _t.has(lang, f"ordinal_{n}"):
        return _t(lang, f"ordinal_{n}")
    # English "1st, 2nd, 3rd" but "11th-13th"; a language without such forms gives every
    # suffix the same text.
    last = n % 10
    special = last in (1, 2, 3) and not 10 <= n % 100 <= 20
    return f"{n}{_t(lang, f'ordinal_suffix_{last}' if special else 'ordinal_suffix')}"


def no_data(lang: str = "sv") -> str:
    """How a round without a data collection is marked in tables and text."""
    return _t(lang, "no_data")


def join_words(items: Sequence[object], lang: str = "sv") -> str:
    """ "a, b och c" / "a, b and c" (no serial comma, as both styles allow)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    conjunction = _t(lang, "and")
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def rounds_markdown(
    survey: pd.DataFrame,
    register: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    population: pd.DataFrame | None = None,
) -> str:
    """Which round this report is, and which data collections each round had.

    Args:
        survey: The canonical survey table.
        register: The interview register.
        region: The region.
        year: The report year.
        lang: The report language.
        population: The population table (see `evaluation_rounds`).

    Returns:
        One escaped Markdown paragraph.
    """
    info = evaluation_rounds(survey, register, region, year, population)
    # A first round without a survey or interviews says so too, as later rounds do.
    sentences = [
        _t(lang, "only", year=year, region=region)
        if len(info.years) <= 1
        else _t(
            lang,
            "nth",
            year=year,
            ordinal=ordinal(info.ordinal_number(year), lang),
            region=region,
            years=join_words(info.years, lang),
        )
    ]
    both = [y for y in info.years if y in info.survey and y in info.interviews]
    neither = [y for y in info.missing("survey") if y in info.missing("interviews")]
    survey_only = [y for y in info.missing("interviews") if y not in neither]
    interviews_only = [y for y in info.missing("survey") if y not in neither]
    if both and (survey_only or interviews_only or neither):
        sentences.append(_t(lang, "both", years=join_words(both, lang)))
    if survey_only:
        years = join_words(survey_only, lang)
        sentences.append(_capital(_t(lang, "survey_only", years=years, no_data=no_data(lang))))
    if interviews_only:
        years = join_words(interviews_only, lang)
        sentences.append(_capital(_t(lang, "interviews_only", years=years, no_data=no_data(lang))))
    if neither:
        years = join_words(neither, lang)
        sentences.append(_capital(_t(lang, "neither", years=years, no_data=no_data(lang))))
    return md_text(" ".join(sentences)) + "\n"


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
