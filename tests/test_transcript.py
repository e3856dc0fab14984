"""Tests for pipeline.transcript: what a quote leaves out of a coded transcript excerpt.

The excerpts are written as transcription tools and transcribers write them: f4/f5transkript
(`I:` / `B:` and `#00:12:31-5#` at each turn's end), MAXQDA's time stamps, Markdown-bold
tags, a Taguette highlight whose lines the tool joined with a space, group interviews
(`IP1:` / `IP2:`), first names as tags.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis import Scope
from pipeline.analysis import quotes as q
from pipeline.analysis.interviews import InterviewData
from pipeline.text import quotes as q_text
from pipeline.transcript import (
    OMISSION,
    SpeakerTags,
    TranscriptTally,
    clean_transcript,
    tag_problem,
    tally_transcripts,
)


def cleaned(text: str, **kwargs) -> str:
    return clean_transcript(text, **kwargs).text


# --- speaker tags -------------------------------------------------------------------


def test_f4_transcript_keeps_the_answers_and_marks_the_question_left_out() -> None:
    excerpt = (
        "B: Vi hade ingen introduktion alls, jag fick hitta allt själv. #00:04:12-3#\n"
        "\n"
        "I: Hur länge höll det på? #00:04:15-0#\n"
        "\n"
        "B: Ett halvår ungefär, sen kom handledningen igång. #00:04:21-7#"
    )
    done = clean_transcript(excerpt)
    assert done.text == (
        "Vi hade ingen introduktion alls, jag fick hitta allt själv. "
        "[…] Ett halvår ungefär, sen kom handledningen igång."
    )
    assert done.speaker_tags and done.time_stamps and done.quotable


def test_a_leading_interviewee_tag_is_removed() -> None:
    for tag in ("IP", "IP1", "IP 1", "R", "Respondent", "Informant", "B", "Interviewee"):
        assert cleaned(f"{tag}: Det bär mig genom tunga perioder.") == (
            "Det bär mig genom tunga perioder."
        ), tag


def test_a_leading_interviewer_question_is_left_out_without_a_mark() -> None:
    for tag in ("I", "Int", "Intervjuare", "Interviewer", "I2"):
        excerpt = f"{tag}: Hur ser din handledning ut?\nIP: Vi träffas varannan vecka."
        assert cleaned(excerpt) == "Vi träffas varannan vecka.", tag


def test_tags_in_bold_or_brackets_are_tags() -> None:
    excerpt = (
        "**Intervjuare:** Vad betyder det för dig?\n"
        "**IP:** Att någon förstår utan att jag förklarar.\n"
        "**Intervjuare**: Hur då?\n"
        "[IP]: Hon har själv varit där."
    )
    assert cleaned(excerpt) == (
        f"Att någon förstår utan att jag förklarar. {OMISSION} Hon har själv varit där."
    )


def test_tags_within_one_line_after_a_sentence_end() -> None:
    # What an export that joins a transcript's lines gives.
    excerpt = "I: Hur togs hon emot? IP: Bra, tycker jag. I: Och personalen? IP: Mer tveksamt."
    assert cleaned(excerpt) == f"Bra, tycker jag. {OMISSION} Mer tveksamt."


def test_a_taguette_highlight_over_two_lines_loses_the_second_lines_tag() -> None:
    # tests/fixtures/qda: Taguette joined the two lines of a highlight with a space.
    excerpt = (
        "Annas samtal har gjort att jag vågar gå till gruppen igen 💬🙂 "
        "Brukare: Förut satt jag bara hemma."
    )
    assert cleaned(excerpt) == (
        "Annas samtal har gjort att jag vågar gå till gruppen igen 💬🙂 Förut satt jag bara hemma."
    )


def test_respondent_groups_as_tags_are_the_interviewees() -> None:
    for tag in ("Enhetschef", "Medarbetare", "Peer supporter", "Brukare", "Service user"):
        excerpt = f"Intervjuare: Hur var det?\n{tag}: Lönen ligger under de andras."
        assert cleaned(excerpt) == "Lönen ligger under de andras.", tag


def test_only_the_interviewers_words_are_not_quotable() -> None:
    done = clean_transcript("Intervjuare: Hur har stödet varit?\nI: Och i gruppen?")
    assert done.only_interviewer and not done.quotable and done.text == ""


def test_words_of_two_interviewees_are_not_one_quote() -> None:
    # A group interview: two people's words attributed as one person's would misquote both.
    done = clean_transcript("IP1: Vi fick ingen lön i början.\nIP2: Inte jag heller.")
    assert done.several_interviewees and not done.quotable
    named = clean_transcript("Anna: Vi fick ingen lön.\nErik: Inte jag heller.")
    assert named.several_interviewees and not named.quotable
    # The same person twice is one interviewee.
    same = clean_transcript("IP2: Vi fick ingen lön.\nI: Aldrig?\nIP2: Inte första året.")
    assert same.quotable and same.text == f"Vi fick ingen lön. {OMISSION} Inte första året."


def test_words_before_the_first_tag_are_the_interviewees() -> None:
    excerpt = "och det skaver i gruppen. I: Hur då? IP: Vi gör samma jobb."
    assert cleaned(excerpt) == f"och det skaver i gruppen. {OMISSION} Vi gör samma jobb."


def test_a_first_name_as_a_tag_is_dropped_listed_or_not() -> None:
    excerpt = "Intervjuare: Hur började det?\nLinnea: Jag blev tillfrågad av min chef."
    assert cleaned(excerpt) == "Jag blev tillfrågad av min chef."  # not in names.txt
    # After a sentence's end within a line: an answer to the interviewer's turn ...
    assert cleaned("I: Hur började det? Linnea: Min chef frågade.") == "Min chef frågade."
    # ... or a name of the names list.
    assert cleaned("Det var svårt. Linnea: Ja.", names=["Linnea Berg"]) == "Det var svårt. Ja."
    # Initials are names too.
    assert cleaned("I: Hur började det?\nAS: Min chef frågade.") == "Min chef frågade."
    # Two names: two people, whoever asked (the interviewer needs a tag of the params).
    assert not clean_transcript("KL: Hur började det?\nAS: Min chef frågade.").quotable


def test_a_word_and_what_is_said_of_it_is_no_name_tag() -> None:
    # A speaker's turn starts a sentence; a topic and a colon goes on in lower case.
    assert cleaned("Handledning: det är viktigt för oss.") == "Handledning: det är viktigt för oss."
    assert cleaned("Bra.\nLönen: den är för låg.") == "Bra.\nLönen: den är för låg."
    # A listed name is a tag whatever follows, so it never reaches the quote.
    assert cleaned("Linnea: ja, det var så.", names=["Linnea"]) == "ja, det var så."
    assert cleaned("Linnea: Ja, det var så.") == "Ja, det var så."


def test_a_name_used_as_a_tag_never_reaches_the_quote() -> None:
    register = pd.DataFrame(
        [("B1", 2020, "R", "brukare", "individuell", 3, "fysiskt")],
        columns=["interview_id", "year", "region", "group", "form", "participants", "mode"],
    )
    codebook = pd.DataFrame(
        [("bidrag", None, 1, "Bidrag", "Contribution", 1)],
        columns=["id", "parent", "level", "label_sv", "label_en", "order"],
    )
    excerpts = [
        "Intervjuare: Hur har stödet varit?\nKarin: Hon har gjort att jag vågar gå ut igen.",
        "Intervjuare: Och nu?\nLinnea: Nu går jag på promenad varje tisdag med gruppen.",
    ]
    segments = pd.DataFrame(
        [("B1", "bidrag", "framjande", e) for e in excerpts],
        columns=["interview_id", "theme", "factor", "excerpt"],
    )
    data = InterviewData(register, segments, codebook)
    scope = Scope(region="R", year=2020, interview_k=None, quotes_per_theme=5)
    quotes = q.select_quotes(data, scope, names=["Karin"])["quote"].tolist()
    assert sorted(quotes) == [
        "Hon har gjort att jag vågar gå ut igen.",
        "Nu går jag på promenad varje tisdag med gruppen.",
    ]
    text = q_text.quotes_markdown(data, scope, names=["Karin"])
    for leaked in ("Karin", "Linnea", "[namn]:", "Intervjuare", "Hur har stödet"):
        assert leaked not in text.replace("\\", ""), leaked


def _one_theme(excerpts: list[tuple[str, str]]) -> InterviewData:
    """Service-user interviews (id, excerpt) coded with one theme."""
    ids = sorted({i for i, _ in excerpts})
    register = pd.DataFrame(
        [(i, 2020, "R", "brukare", "grupp", 3, "fysiskt") for i in ids],
        columns=["interview_id", "year", "region", "group", "form", "participants", "mode"],
    )
    codebook = pd.DataFrame(
        [("bidrag", None, 1, "Bidrag", "Contribution", 1)],
        columns=["id", "parent", "level", "label_sv", "label_en", "order"],
    )
    segments = pd.DataFrame(
        [(i, "bidrag", "framjande", e) for i, e in excerpts],
        columns=["interview_id", "theme", "factor", "excerpt"],
    )
    return InterviewData(register, segments, codebook)


def test_quotes_are_chosen_by_the_length_of_the_interviewees_words() -> None:
    # 24 words as coded, 4 of them the interviewee's: a short quote, not a medium one.
    question = (
        "Intervjuare: Om du tänker tillbaka på hela det första året med peer supportern "
        "här på enheten, vad var det som betydde mest för dig?"
    )
    answer = (
        "Att hon tog sig tid att lyssna på mig och förstod hur det var när ingen annan "
        "gjorde det."
    )  # 19 words
    data = _one_theme([("B1", f"{question}\nIP: Allt, faktiskt. Allt."), ("B2", answer)])
    scope = Scope(region="R", year=2020, interview_k=None, quotes_per_theme=1)
    for seed in range(12):
        assert q.select_quotes(data, scope, seed=seed)["quote"].tolist() == [answer], seed


def test_an_excerpt_of_only_the_interviewers_words_is_never_a_quote() -> None:
    data = _one_theme([("B1", "Intervjuare: Hur har stödet från peer supportern varit för dig?")])
    scope = Scope(region="R", year=2020, interview_k=None, quotes_per_theme=3)
    assert q.select_quotes(data, scope).empty
    assert "Inga citat kan visas" in q_text.quotes_markdown(data, scope)


# --- ordinary text stays as it is ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Jag tänkte: det här klarar jag.",
        "Hon sa: nu får det vara nog.",
        "Tre saker: tid, lyssnande och förståelse.",
        "Det var en sak till. Slutsatsen: vi behöver mer tid.",
        "Det var en sak till. Handledning: den behövs varje vecka.",  # no sign of a tag
        "Problemet: ingen lyssnade på oss.",
        "Vi ses 10:30 på tisdagar, ibland kl. 9:15.",
        "Det som hände [på enheten] var att jag […] fick gå.",
        "Jag ringde 112 och de kom: ambulansen, polisen.",
        "I början var det svårt.",
    ],
)
def test_ordinary_text_is_returned_unchanged(text) -> None:
    done = clean_transcript(text)
    assert done.text is text and not done.changed and done.quotable


# --- time stamps and marks ----------------------------------------------------------


@pytest.mark.parametrize(
    "stamp", ["#00:12:31-5#", "#00:12:31#", "[00:12:31]", "(00:12)", "00:12:31", "[01:02:03.250]"]
)
def test_time_stamps_are_removed(stamp) -> None:
    done = clean_transcript(f"Det var tufft i början {stamp} men nu går det bättre.")
    assert done.text == "Det var tufft i början men nu går det bättre."
    assert done.time_stamps and not done.speaker_tags


def test_a_maxqda_transcript_with_stamps_at_each_turn() -> None:
    excerpt = (
        "[00:12:31] Interviewer: What changed for you?\n"
        "[00:12:35] Respondent: I leave the flat again (laughs) and I talk to people."
    )
    assert cleaned(excerpt) == "I leave the flat again and I talk to people."


@pytest.mark.parametrize(
    "mark", ["(skratt)", "[skrattar]", "(paus)", "(lång paus)", "(3 sek)", "(suckar)", "[laughs]"]
)
def test_non_verbal_marks_and_pauses_are_removed(mark) -> None:
    done = clean_transcript(f"Jag vet inte {mark} det bara blev så.")
    assert done.text == "Jag vet inte det bara blev så."
    assert done.marks


@pytest.mark.parametrize("mark", ["(ohörbart)", "[ohörbart]", "(otydligt)", "[inaudible]"])
def test_words_not_heard_are_marked_as_an_omission(mark) -> None:
    assert cleaned(f"Det var {mark} som hjälpte mest.") == f"Det var {OMISSION} som hjälpte mest."


def test_omission_marks_do_not_pile_up_or_frame_the_quote() -> None:
    excerpt = "I: Vad hände?\nIP: Jag (ohörbart)\nI: Förlåt?\nIP: Jag fick gå. (ohörbart)"
    assert cleaned(excerpt) == f"Jag {OMISSION} Jag fick gå."


def test_only_marks_leave_no_words() -> None:
    done = clean_transcript("(skratt) (paus)")
    assert not done.quotable and not done.only_interviewer


# --- params -------------------------------------------------------------------------


def test_tag_sets_are_configurable() -> None:
    tags = SpeakerTags(interviewer=("Moderator",), interviewee=("Deltagare",))
    excerpt = "Moderator: Hur ofta ses ni?\nDeltagare 3: Varannan vecka."
    assert cleaned(excerpt, tags=tags) == "Varannan vecka."
    # "I" is no longer the interviewer's tag: a capitalised single letter is no name.
    assert cleaned("I: Hur?", tags=tags) == "I: Hur?"


@pytest.mark.parametrize(("tag", "ok"), [("IP", True), ("Peer supporter", True), ("IP1", False)])
def test_tag_problem(tag, ok) -> None:
    assert (tag_problem(tag) is None) is ok
    assert tag_problem("I:") and tag_problem("") and tag_problem("en två tre")


# --- the run log --------------------------------------------------------------------


def test_tally_counts_each_kind_and_says_it_without_quoting() -> None:
    tally = tally_transcripts(
        [
            "IP: Det var bra. #00:01:02-3#",
            "I: Hur var det?\nIP: Bra (skratt).",
            "Intervjuare: Hur var det?",
            "IP1: Ja.\nIP2: Nej.",
            "Helt vanlig text.",
        ]
    )
    assert tally == TranscriptTally(
        cleaned=2, speaker_tags=2, time_stamps=1, marks=1, only_interviewer=1,
        several_interviewees=1,
    )  # fmt: skip
    assert tally.line(2020) == (
        "2020: 2 quote texts cleaned (2 with speaker tags, 1 with time stamps, 1 with "
        "transcription marks); 1 excerpt only the interviewer's words, 1 excerpt with words "
        "of several interviewees (not quoted)"
    )
    assert not tally_transcripts(["Helt vanlig text."])


def test_transcript_tallies_per_year_count_an_excerpt_once() -> None:
    register = pd.DataFrame({"interview_id": ["A", "B"], "year": [2019, 2020]})
    tagged = "IP: Handledningen bär mig."
    segments = pd.DataFrame(
        {
            "interview_id": ["A", "A", "B", "B"],
            "theme": ["x", "y", "x", "x"],
            "excerpt": [tagged, tagged, "Intervjuare: Och sen?", "Vanlig text."],
        }
    )
    tallies = q.transcript_tallies(register, segments)
    assert tallies[2019] == TranscriptTally(cleaned=1, speaker_tags=1)
    assert tallies[2020] == TranscriptTally(only_interviewer=1)


# --- any text -----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters=":#([")))
def test_text_without_colons_stamps_or_brackets_is_never_changed(text) -> None:
    done = clean_transcript(text)
    assert done.text is text and not done.changed


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="IPRabc :.?!\n#()[]…0123456789*🙂", max_size=80))
def test_a_cleaned_text_is_tidy(text) -> None:
    done = clean_transcript(text)
    if done.changed:
        assert done.text == " ".join(done.text.split())
        assert not done.text.startswith(OMISSION) and not done.text.endswith(OMISSION)
