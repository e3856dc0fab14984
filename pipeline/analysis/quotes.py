"""Representative, pseudonymised quotes per theme, chosen deterministically."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence

import pandas as pd

from pipeline.analysis.interviews import InterviewData, coded_segments, quote_small_groups
from pipeline.analysis.scope import Scope
from pipeline.pseudonymise import pseudonymise
from pipeline.schema import label
from pipeline.transcript import (
    DEFAULT_TAGS,
    CleanedExcerpt,
    SpeakerTags,
    TranscriptTally,
    clean_transcript,
    tally_transcripts,
)

QUOTE_WORDS = (12, 60)
"""Preferred quote length in words (inclusive); shorter or longer excerpts come later."""

QUOTE_COLUMNS = ["theme", "theme_label", "group", "group_label", "factor", "quote"]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def select_quotes(
    data: InterviewData,
    scope: Scope,
    *,
    names: Sequence[str] = (),
    seed: int | str = 0,
    level: int = 1,
    tags: SpeakerTags = DEFAULT_TAGS,
) -> pd.DataFrame:
    """Up to `scope.quotes_per_theme` quotes per theme, pseudonymised.

    Each excerpt is first cleaned of its transcription conventions (speaker tags,
    interviewer turns, time stamps, marks: `pipeline.transcript`), so that what follows
    sees the interviewee's words; an excerpt of only the interviewer's words, or of
    several interviewees, is not a candidate. Candidates are the non-empty segments
    of the scope's region-year from respondent groups whose quotes may be shown
    (`quote_small_groups`). Per theme, excerpts of 12-60 words come first; among
    equals the order is a SHA-256 hash of (seed, interview id, excerpt), so the
    choice is the same on every run and for any row order. Picks are spread over
    groups and interviews: each pick prefers the group, then the interview, used least
    so far in that theme; an excerpt is used for at most one theme, and no sentence is
    shown twice.

    Args:
        data: The register, coded segments and codebook (themes are rolled up to
            `level` and labelled from it).
        scope: Region, year, language (labels, pseudonymisation markers),
            interview_k and quotes_per_theme.
        names: Names to pseudonymise in the quotes.
        seed: Seed of the selection (from params).
        level: Theme level the quotes are grouped by.
        tags: The transcripts' speaker tags (params `inputs.segments.speakers`).

    Returns:
        Columns theme, theme_label, group, group_label, factor, quote (pseudonymised).
        No interview ids: quotes are attributed only by respondent group.

    Raises:
        ValueError: A segment's theme is not in the codebook.
    """
    spoken = dataclasses.replace(data, segments=_quotable(data.segments, tags, names))
    small = quote_small_groups(data.register, scope)
    _, coded = coded_segments(spoken, scope, level=level, leave_out=small)
    book = data.book
    coded = coded.drop_duplicates(["theme", "interview_id", "excerpt"])
    coded["_tier"] = [_length_tier(e) for e in coded["excerpt"]]
    coded["_hash"] = [
        _stable_hash(seed, i, e)
        for i, e in zip(coded["interview_id"], coded["excerpt"], strict=True)
    ]
    coded = coded.sort_values(["_tier", "_hash", "factor"], kind="stable")

    records = []
    used: set[tuple[str, str]] = set()
    said: set[str] = set()  # a report never shows the same sentence in two quotes
    for theme in sorted(coded["theme"].unique(), key=book.sort_key):
        candidates = coded.loc[coded["theme"] == theme]
        for pick in _spread(candidates, scope.quotes_per_theme, used, said):
            used.add((pick["interview_id"], pick["excerpt"]))
            records.append(
                {
                    "theme": theme,
                    "theme_label": book.label(theme, scope.lang),
                    "group": pick["group"],
                    "group_label": label("group", pick["group"], scope.lang),
                    "factor": pick["factor"],
                    "quote": pseudonymise(" ".join(pick["excerpt"].split()), names, scope.lang),
                }
            )
    return pd.DataFrame.from_records(records, columns=QUOTE_COLUMNS)


def transcript_tallies(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    names: Sequence[str] = (),
    tags: SpeakerTags = DEFAULT_TAGS,
) -> dict[int, TranscriptTally]:
    """Per year, what cleaning the excerpts of transcription conventions changes.

    Each excerpt of an interview counts once, however many themes it is coded with.

    Args:
        register: The interview register (interview_id, year).
        segments: The coded segments (interview_id, excerpt).
        names: The names list (a listed name is a speaker tag after a sentence too).
        tags: The transcripts' speaker tags.

    Returns:
        Year -> tally, for the years of the register that have segments.
    """
    years = dict(zip(register["interview_id"], register["year"], strict=True))
    distinct = segments.drop_duplicates(["interview_id", "excerpt"])
    by_year: dict[int, list[str]] = {}
    for interview, excerpt in zip(distinct["interview_id"], distinct["excerpt"], strict=True):
        if isinstance(excerpt, str) and interview in years:
            by_year.setdefault(int(years[interview]), []).append(excerpt)
    return {
        year: tally_transcripts(excerpts, tags, names) for year, excerpts in sorted(by_year.items())
    }


def _quotable(segments: pd.DataFrame, tags: SpeakerTags, names: Sequence[str]) -> pd.DataFrame:
    """The segments whose excerpt can be quoted, with the excerpt cleaned (a new frame)."""
    cleaned: dict[str, CleanedExcerpt] = {}
    texts = []
    for excerpt in segments["excerpt"]:
        if not isinstance(excerpt, str) or not excerpt.strip():
            texts.append(None)
            continue
        if excerpt not in cleaned:
            cleaned[excerpt] = clean_transcript(excerpt, tags, names)
        done = cleaned[excerpt]
        texts.append(done.text if done.quotable else None)
    keep = [text is not None for text in texts]
    return segments.loc[keep].assign(excerpt=[t for t in texts if t is not None])


def _length_tier(excerpt: str) -> int:
    words = len(excerpt.split())
    low, high = QUOTE_WORDS
    return 0 if low <= words <= high else 1


def _stable_hash(seed: object, interview_id: object, excerpt: str) -> str:
    # Python's hash() is salted per process; SHA-256 gives the same order on every run.
    data = "\x1f".join([str(seed), str(interview_id), excerpt]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _sentence_set(excerpt: str) -> set[str]:
    return {s.strip().casefold() for s in _SENTENCE_SPLIT.split(excerpt) if s.strip()}


def _spread(
    candidates: pd.DataFrame, count: int, used: set[tuple[str, str]], said: set[str]
) -> list[dict[str, object]]:
    """Greedy picks in candidate order, preferring groups and interviews used least.

    Excerpts that repeat a sentence of a quote already picked (`said`, updated here)
    are passed over, so that no report prints the same sentence twice.
    """
    pool = [
        row
        for row in candidates.to_dict("records")
        if (row["interview_id"], row["excerpt"]) not in used
        and not _sentence_set(str(row["excerpt"])) & said
    ]
    picks: list[dict[str, object]] = []
    groups: dict[str, int] = {}
    interviews: dict[str, int] = {}
    while pool and len(picks) < count:
        best = min(
            range(len(pool)),
            key=lambda i: (
                groups.get(pool[i]["group"], 0),
                interviews.get(pool[i]["interview_id"], 0),
                i,
            ),
        )
        pick = pool.pop(best)
        said |= _sentence_set(str(pick["excerpt"]))
        pool = [row for row in pool if not _sentence_set(str(row["excerpt"])) & said]
        groups[pick["group"]] = groups.get(pick["group"], 0) + 1
        interviews[pick["interview_id"]] = interviews.get(pick["interview_id"], 0) + 1
        picks.append(pick)
    return picks
