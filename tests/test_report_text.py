"""Prose from the table objects: commission sentence, interview counts, merged notes."""

from __future__ import annotations

import datetime as dt

from pipeline.config import ReportMeta
from pipeline.report_text import commission_markdown, merge_section_notes

NOTE = "Uppgifter saknas \\(–\\*\\)\\."


def test_commission_names_missing_fields_instead_of_a_gap():
    text = commission_markdown(ReportMeta(), "sv")
    assert "tagits fram av \\[författare saknas\\]" in text
    assert "diarienummer \\[diarienummer saknas\\]" in text
    full = ReportMeta(
        author="Enheten", commissioner="Förvaltningen", committee="Nämnden",
        case_number="SN 1/2", date=dt.date(2021, 1, 1),
    )  # fmt: skip
    assert "av Enheten på uppdrag av Förvaltningen och redovisas för Nämnden" in (
        commission_markdown(full, "sv")
    )


def test_notes_merge_to_one_sentence_per_section_naming_the_tables():
    markdown = "\n".join(
        [
            "# Resultat", ": Tabell 3: A {#tbl-a}", "| x |", "", NOTE, "",
            ": Tabell 4: B {#tbl-b}", "| y |", "", NOTE, "",
            "# Över tid", ": Tabell 5: C {#tbl-c}", "| z |", "", NOTE,
        ]
    )  # fmt: skip
    merged = merge_section_notes(markdown, [NOTE], "sv")
    assert merged.count(NOTE) == 0
    assert "Tabell 3 och 4: uppgifter saknas" in merged
    assert "Tabell 5: uppgifter saknas" in merged


def test_note_without_a_caption_before_it_stays_and_withheld_block_keeps_a_mark():
    markdown = "\n".join(
        [
            "# Sammanfattning", "- a", "", NOTE, "",
            "# Resultat", "::: {#tbl-a .captioned}", "[Tabell 1: A]{.caption}", NOTE, ":::",
            "", "::: {#tbl-b .captioned}", "[Tabell 2: B]{.caption}", NOTE, ":::",
        ]
    )  # fmt: skip
    merged = merge_section_notes(markdown, [NOTE], "en").split("\n")
    assert merged[3] == NOTE  # the summary's note: no table to name
    assert "–\\*" in merged and "Tables 1 and 2: uppgifter saknas \\(–\\*\\)\\." in merged
