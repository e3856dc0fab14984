"""Transcription conventions taken out of a coded excerpt before it can be quoted.

Excerpts coded in real transcripts carry what the transcriber wrote around the words:
speaker tags (`I:`, `IP1:`, `**Intervjuare:**`, `Anna:`), time stamps (f4/f5transkript's
and MAXQDA's `#00:12:31-5#`, `[00:12:31]`, `(00:12)`, `00:12:31`) and editorial marks
(`(skratt)`, `[paus]`, `(ohörbart)`). A quote is the interviewee's own words, so
`clean_transcript` returns the excerpt without them:

* a speaker tag at a turn start is removed; the interviewer's turns are left out,
  and where words of the interviewee follow again the omission is marked `OMISSION`
  ("[…]"), as quotes mark omissions; words before the first tag are the
  interviewee's; an excerpt of only the interviewer's words, or with the words of two
  different interviewees (`IP1:` and `IP2:`, `Anna:` and `Erik:`), is not quotable;
* time stamps and pause, laughter and other non-verbal marks are removed; a mark that
  words could not be heard (`(ohörbart)`, `[inaudible]`) becomes `OMISSION`: words are
  missing there, and the reader should see that.

A tag is one or two words (an optional number, `IP 2`), optionally in bold or in
brackets, followed by a colon, at a turn start: the start of the excerpt or of a line,
after a sentence's end (".", "?", "!", "…") or after an emoji (a tool that joins lines
with a space leaves "🙂 Brukare:"). Words of the configured tag sets are tags there.
Another capitalised word (a first name: `Anna:`) followed by a capital letter (a turn
starts a sentence; "Handledning: det är viktigt" is no tag) is a tag at the start of a
line; after a sentence's end within a line only where the excerpt shows it is one (the name is in
names.txt, the same tag starts a line elsewhere in it, or it answers an interviewer's
turn); a few words that start a sentence with a colon in speech (`Problemet:`) never
are. "Jag tänkte: det här klarar jag" has no tag: "Jag tänkte" is neither a tag of the
params nor capitalised words. An excerpt with none of these is returned unchanged.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OMISSION = "[…]"
"""How a quote marks words left out (Swedish and English typography alike)."""

DEFAULT_INTERVIEWER_TAGS: tuple[str, ...] = (
    "I",
    "Int",
    "Intervjuare",
    "Intervjuaren",
    "Fråga",
    "F",
    "Interviewer",
    "Q",
    "Question",
)
"""Tags of the interviewer's turns (a number may follow: `I2`)."""

DEFAULT_INTERVIEWEE_TAGS: tuple[str, ...] = (
    "IP",
    "R",
    "B",
    "D",
    "Respondent",
    "Informant",
    "Intervjuperson",
    "Deltagare",
    "Svar",
    "S",
    "Interviewee",
    "Participant",
    "Answer",
    "A",
    # The respondent groups, as a transcriber names the speaker's role.
    "Enhetschef",
    "Chef",
    "Medarbetare",
    "Personal",
    "Peer supporter",
    "Peer",
    "Brukare",
    "Unit manager",
    "Manager",
    "Staff",
    "Service user",
    "User",
)
"""Tags of the interviewees' turns (a number may follow: `IP1`, `Respondent 2`)."""

# Capitalised words that start a sentence with a colon in ordinary speech ("Problemet:
# ingen lyssnade"): never taken for a first name used as a speaker tag.
_NOT_NAMES = frozenset(
    {
        *("alltså", "dels", "då", "exempel", "exempelvis", "frågan", "grejen", "jag", "ja"),
        *("jo", "kort", "men", "nej", "nu", "obs", "och", "poängen", "problemet", "saken"),
        *("sedan", "sen", "sist", "skillnaden", "slutsatsen", "svaret", "så", "typ", "vi"),
        *("first", "note", "ok", "okej", "problem", "so", "well", "yes", "no"),
    }
)

# Time stamps: f4/f5transkript and MAXQDA "#00:12:31-5#", bracketed "[00:12:31]",
# "(00:12)", "[00:12:31.250]" or a range "[00:12:31 - 00:12:45]", and a bare h:mm:ss
# (a bare "10:30" is left: it is what a time of day looks like).
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,-]\d{1,3})?"
_TIME_STAMP = re.compile(
    rf"#{_CLOCK}#"
    rf"|[\[(]\s*{_CLOCK}(?:\s*[-–]\s*{_CLOCK})?\s*[\])]"
    r"|(?<![\d:])\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?(?![\d:])"
)

# Editorial marks in round or square brackets. Non-verbal sounds and pauses are not
# words: removed. "Could not be heard" marks a gap in the words: shown as OMISSION.
_NON_VERBAL = (
    r"skratt\w*|fniss\w*|ler|suck\w*|harkl\w*|host\w*|snyft\w*|gråter|gråt"
    r"|(?:kort|lång|längre|short|long)?\s*(?:paus|pause)\w*"
    r"|(?:paus\s*)?\d+(?:[.,]\d+)?\s*(?:s|sek|sekunder|sec|seconds)\.?"
    r"|tystnad|tyst|laugh\w*|chuckl\w*|sigh\w*|cough\w*|cries|crying|silence"
)
_UNHEARD = r"ohörbar\w*(?:\s+ord)?|otydlig\w*|ohörbart?|inaudible|unclear|incomprehensible"
_MARK = re.compile(
    rf"[(\[]\s*(?:(?P<unheard>{_UNHEARD})|(?P<non_verbal>{_NON_VERBAL}))\s*[)\]]",
    re.IGNORECASE,
)

# A speaker tag candidate: optional bold or bracket, one or two words (a number may
# end them), optional closing, a colon, then space or the end.
_WORD = r"[^\W\d_][\w'’-]*"
_TAG = re.compile(
    rf"(?P<open>\*\*|__|\[)?(?P<label>{_WORD}(?:[ \u00a0]{_WORD})?)"
    r"(?:[ \u00a0]?(?P<num>\d{1,2}))?"
    r"(?P<close1>\*\*|__|\])?:(?P<close2>\*\*|__|\])?(?=\s|$)"
)
_TAG_WORDS = re.compile(rf"{_WORD}(?:[ \u00a0]{_WORD})?")
_SENTENCE_END = ".!?…"
_LINE_START = re.compile(r"(?:^|\n)[ \t\u00a0]*")
# The character before a closing quote or bracket and the space; an emoji's variation
# selector or skin tone after it is part of the emoji.
_AFTER_SENTENCE = re.compile(
    r"(?P<last>[^\s\"'”’»)\]])[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]*"
    r"[\"'”’»)\]]*[ \t\u00a0]+(?=\S)"
)
_OMISSIONS = re.compile(r"\s*\[(?:…|\.\.\.)\](?:\s*\[(?:…|\.\.\.)\])*\s*")


def tag_problem(tag: str) -> str | None:
    """Why `tag` cannot be a speaker tag of the params, or None when it can.

    A tag is one or two words of letters, as written before the colon; a number after
    it (`IP1`, `Respondent 2`) is recognised by itself and is not part of it.
    """
    if not _TAG_WORDS.fullmatch(tag.strip()) or any(c.isdigit() for c in tag):
        return "expected one or two words of letters, without the colon or a number"
    return None


@dataclass(frozen=True)
class SpeakerTags:
    """The words that tag the interviewer's and the interviewees' turns (params)."""

    interviewer: tuple[str, ...] = DEFAULT_INTERVIEWER_TAGS
    interviewee: tuple[str, ...] = DEFAULT_INTERVIEWEE_TAGS


DEFAULT_TAGS = SpeakerTags()
"""The default tag sets (params without `inputs.segments.speakers`)."""


@dataclass(frozen=True)
class CleanedExcerpt:
    """An excerpt as it may be quoted, and what was taken out of it.

    Attributes:
        text: The interviewee's words ("" when none are left); the excerpt itself,
            character for character, when nothing was taken out.
        speaker_tags: Speaker tags were removed (or turns of others left out).
        time_stamps: Time stamps were removed.
        marks: Editorial marks were removed or shown as an omission.
        only_interviewer: The excerpt holds only the interviewer's words.
        several_interviewees: The excerpt holds words of two or more interviewees.
    """

    text: str
    speaker_tags: bool = False
    time_stamps: bool = False
    marks: bool = False
    only_interviewer: bool = False
    several_interviewees: bool = False

    @property
    def quotable(self) -> bool:
        """Whether the excerpt can be quoted: one interviewee's words are left."""
        return bool(self.text.strip()) and not self.several_interviewees

    @property
    def changed(self) -> bool:
        """Whether anything was taken out."""
        return self.speaker_tags or self.time_stamps or self.marks


@dataclass(frozen=True)
class TranscriptTally:
    """What `clean_transcript` did to the excerpts of one year (for `peer-eval validate`).

    Attributes:
        cleaned: Excerpts still quotable that had something taken out.
        speaker_tags: Of those, the ones with speaker tags.
        time_stamps: Of those, the ones with time stamps.
        marks: Of those, the ones with transcription marks.
        only_interviewer: Excerpts of only the interviewer's words (not quoted).
        several_interviewees: Excerpts with words of several interviewees (not quoted).
        no_words: Other excerpts with no words left once cleaned (not quoted).
    """

    cleaned: int = 0
    speaker_tags: int = 0
    time_stamps: int = 0
    marks: int = 0
    only_interviewer: int = 0
    several_interviewees: int = 0
    no_words: int = 0

    def __bool__(self) -> bool:
        return any(dataclasses.astuple(self))

    def line(self, year: int) -> str:
        """One line for `peer-eval validate`, without quoting any excerpt."""
        kinds = [
            f"{n} with {what}"
            for n, what in (
                (self.speaker_tags, "speaker tags"),
                (self.time_stamps, "time stamps"),
                (self.marks, "transcription marks"),
            )
            if n
        ]
        said = []
        if self.cleaned:
            said.append(f"{_count(self.cleaned, 'quote text')} cleaned ({', '.join(kinds)})")
        left_out = [
            f"{_count(n, 'excerpt')} {what}"
            for n, what in (
                (self.only_interviewer, "only the interviewer's words"),
                (self.several_interviewees, "with words of several interviewees"),
                (self.no_words, "with no words left"),
            )
            if n
        ]
        if left_out:
            said.append(", ".join(left_out) + " (not quoted)")
        return f"{year}: " + "; ".join(said)


def tally_transcripts(
    excerpts: Iterable[str], tags: SpeakerTags = DEFAULT_TAGS, names: Sequence[str] = ()
) -> TranscriptTally:
    """Count what cleaning does to `excerpts` (each distinct excerpt once)."""
    counts = dict.fromkeys((f.name for f in dataclasses.fields(TranscriptTally)), 0)
    for excerpt in excerpts:
        done = clean_transcript(excerpt, tags, names)
        if done.quotable and done.changed:
            counts["cleaned"] += 1
            for kind in ("speaker_tags", "time_stamps", "marks"):
                counts[kind] += getattr(done, kind)
        elif done.only_interviewer:
            counts["only_interviewer"] += 1
        elif done.several_interviewees:
            counts["several_interviewees"] += 1
        elif not done.quotable:
            counts["no_words"] += 1
    return TranscriptTally(**counts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class _Turn:
    start: int  # where the tag starts
    end: int  # where the words after it start
    interviewer: bool
    speaker: tuple[str, str] | None  # who, when the tag names one person; None: "the interviewee"


def clean_transcript(
    text: str, tags: SpeakerTags = DEFAULT_TAGS, names: Sequence[str] = ()
) -> CleanedExcerpt:
    """Take speaker tags, time stamps and transcription marks out of an excerpt.

    Args:
        text: The coded excerpt as read (line breaks kept).
        tags: The interviewer's and the interviewees' tag words.
        names: The names list (names.txt): a listed name with a colon after a sentence's
            end is a speaker tag.

    Returns:
        The cleaned excerpt; `text` unchanged when it had none of these.
    """
    stamped = _TIME_STAMP.sub("\n", text)
    marked = _MARK.sub(lambda m: f" {OMISSION} " if m["unheard"] else " ", stamped)
    turns = _turns(marked, tags, names)
    time_stamps, marks = stamped != text, marked != stamped
    if not (turns or time_stamps or marks):
        return CleanedExcerpt(text)
    spoken, several = _interviewee_words(marked, turns)
    only_interviewer = bool(turns) and not spoken and all(t.interviewer for t in turns)
    return CleanedExcerpt(
        _tidy(" ".join(spoken)) if spoken else "",
        speaker_tags=bool(turns),
        time_stamps=time_stamps,
        marks=marks,
        only_interviewer=only_interviewer,
        several_interviewees=several,
    )


def _interviewee_words(text: str, turns: list[_Turn]) -> tuple[list[str], bool]:
    """The interviewee's words in order, OMISSION between parts; whether several spoke."""
    # Each part: (words, interviewer?, speaker). Words before the first tag are the
    # interviewee's: an analyst codes what interviewees say, and a transcript that tags
    # every line repeats the same speaker's tag ("Brukare: ...\nBrukare: ...").
    parts: list[tuple[str, bool, tuple[str, str] | None]] = []
    parts.append((text[: turns[0].start] if turns else text, False, None))
    for index, turn in enumerate(turns):
        end = turns[index + 1].start if index + 1 < len(turns) else len(text)
        parts.append((text[turn.end : end], turn.interviewer, turn.speaker))
    speakers = {who for words, asked, who in parts if not asked and who and words.strip()}
    out: list[str] = []
    pending = False  # words left out since the last kept part
    for words, asked, _ in parts:
        if not words.strip():
            continue
        if asked:
            pending = True
            continue
        if pending and out:
            out.append(OMISSION)
        out.append(words.strip())
        pending = False
    return out, len(speakers) > 1


def _turns(text: str, tags: SpeakerTags, names: Sequence[str]) -> list[_Turn]:
    """The speaker tags of `text` that start a turn, in order."""
    asking = {_key(t) for t in tags.interviewer}
    answering = {_key(t) for t in tags.interviewee}
    listed = _name_keys(names)
    candidates = []
    for position, boundary in _turn_starts(text):
        match = _TAG.match(text, position)
        if match is None or not _wrapped_alike(match):
            continue
        label, number = _label(match)
        if not label[:1].isupper():
            continue
        key = _key(label)
        known = "interviewer" if key in asking else "interviewee" if key in answering else None
        if known is None and not _name_like(label):
            continue
        if known is None and key not in listed and _continues_lowercase(text, match.end()):
            # "Handledning: det är viktigt" is a word and what is said of it; after a
            # speaker's name the turn starts a sentence ("Anna: Jag tycker").
            continue
        candidates.append((match, boundary, key, number, known))
    # A first name used as a tag at a line start vouches for itself after a sentence too.
    line_names = {c[2] for c in candidates if c[1] == "line" and c[4] is None}
    turns: list[_Turn] = []
    for match, boundary, key, number, known in candidates:
        if known is None and boundary != "line":
            answers = bool(turns) and turns[-1].interviewer
            if not (key in listed or key in line_names or answers):
                continue
        if known == "interviewer":
            speaker = None
        elif known == "interviewee":
            speaker = ("number", number) if number else None
        else:
            speaker = ("name", f"{key} {number}".strip())
        turns.append(_Turn(match.start(), match.end(), known == "interviewer", speaker))
    return turns


def _turn_starts(text: str) -> list[tuple[int, str]]:
    """Where a turn may start: ('line', at a line's start) or ('sentence', after one).

    A sentence ends in ".", "?", "!" or "…" (a closing quote or bracket may follow), or
    with an emoji or other symbol: a tool that joins the lines of a highlight with a
    space leaves "gruppen igen 🙂 Brukare: ...".
    """
    starts: dict[int, str] = {}
    for match in _LINE_START.finditer(text):
        starts[match.end()] = "line"
    for match in _AFTER_SENTENCE.finditer(text):
        ends = match["last"] in _SENTENCE_END or unicodedata.category(match["last"])[0] == "S"
        if ends:
            starts.setdefault(match.end(), "sentence")
    return sorted(starts.items())


def _wrapped_alike(match: re.Match[str]) -> bool:
    """Bold or brackets around a tag close as they open: `**I:**`, `**I**:`, `[I]:`."""
    opened, closed = match["open"], match["close1"] or match["close2"]
    if opened is None:
        return closed is None
    return closed == {"[": "]"}.get(opened, opened)


def _label(match: re.Match[str]) -> tuple[str, str]:
    """The tag's words and its number ("IP1" -> ("IP", "1"))."""
    label, number = match["label"], match["num"] or ""
    glued = re.fullmatch(r"(.*?[^\W\d_])(\d{1,2})", label)
    if glued and not number:
        label, number = glued[1], glued[2]
    return label, number


def _continues_lowercase(text: str, position: int) -> bool:
    """Whether the first letter after `position` (spaces skipped) is lower case."""
    rest = text[position:].lstrip()
    return bool(rest) and rest[0].islower()


def _name_like(label: str) -> bool:
    """One or two capitalised words that are not words starting a sentence."""
    words = label.split()
    return all(
        w[:1].isupper() and len(w) >= 2 and w.casefold() not in _NOT_NAMES for w in words
    ) and not any(ch.isdigit() for ch in label)


def _key(label: str) -> str:
    return " ".join(unicodedata.normalize("NFC", label).replace("\u00a0", " ").split()).casefold()


def _name_keys(names: Iterable[str]) -> set[str]:
    """Every listed name and each part of a full name, as compared with a tag."""
    keys = set()
    for name in names:
        key = _key(name)
        if key:
            keys.add(key)
            keys.update(key.split(" "))
    return keys


def _tidy(text: str) -> str:
    """One space between words, no space before punctuation, one omission mark at a time."""
    text = " ".join(text.split())
    text = _OMISSIONS.sub(f" {OMISSION} ", text).strip()
    text = re.sub(r"\s+([.,!?;:…])", r"\1", text)
    if text.startswith(OMISSION):
        text = text[len(OMISSION) :].lstrip()
    if text.endswith(OMISSION):
        text = text[: -len(OMISSION)].rstrip()
    return text
