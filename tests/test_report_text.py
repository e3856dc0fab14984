"""Prose from the table objects: commission sentence, interview counts, merged notes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.analysis import Scope
from pipeline.analysis.interviews import InterviewData
from pipeline.analysis.themes import theme_by_group
from pipeline.config import ReportMeta
from pipeline.overview import theme_prevalence_with_nation, theme_prevalence_with_nation_markdown
from pipeline.report_source import commission_markdown
from pipeline.report_text import (
    interview_status_markdown,
)
from pipeline.schema import REGISTER_COLUMNS, SEGMENT_COLUMNS
from pipeline.section_notes import merge_section_notes

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


def test_a_no_data_note_in_a_block_says_no_data_collection_not_the_suppression_mark():
    # Nothing was collected, so nothing is withheld: "–*" would say the opposite.
    no_data = "Inga intervjuer att redovisa \\(ingen datainsamling\\)\\."
    markdown = "\n".join(
        [
            "# Teman", "::: {#fig-a .captioned}", no_data, "[Figur 4: A]{.caption}", ":::", "",
            "::: {#fig-b .captioned}", no_data, "[Figur 5: B]{.caption}", ":::",
        ]
    )  # fmt: skip
    merged = merge_section_notes(markdown, [NOTE], "sv", no_data=[no_data]).split("\n")
    assert "–\\*" not in merged and "ingen datainsamling" in merged
    assert "Figur 4 och 5: inga intervjuer att redovisa \\(ingen datainsamling\\)\\." in merged
    english = merge_section_notes(markdown, [], "en", no_data=[no_data]).split("\n")
    assert "no data collection" in english


def test_note_in_a_withheld_figure_names_the_figure_not_the_table_above():
    # A withheld figure's block has its caption last, after the note (as the renderer
    # writes it); the table printed just above it is not what is withheld.
    markdown = "\n".join(
        [
            "# Resultat", ": Tabell 5: A {#tbl-a}", "| x |", "",
            "::: {#fig-b .captioned}", NOTE, "[Figur 2: B]{.caption}", ":::", "",
            "::: {#fig-c .captioned}", "![Figur 3: C](c.svg)", ":::", "",
        ]
    )  # fmt: skip
    merged = merge_section_notes(markdown, [NOTE], "sv")
    assert "Figur 2: uppgifter saknas \\(–\\*\\)\\." in merged.split("\n")
    assert "Tabell 5" not in merged.replace(": Tabell 5: A", "")


# --- interview status: counted from the theme table --------------------------------------

REGISTER = pd.DataFrame(
    [
        ("a1", 2020, "R", "medarbetare", "individuell", 1, "fysiskt"),
        ("b1", 2020, "R", "brukare", "grupp", 5, "fysiskt"),
        ("c1", 2020, "R", "enhetschef", "individuell", 1, "telefon"),
        ("d1", 2018, "R", "brukare", "grupp", 5, "video"),
    ],
    columns=REGISTER_COLUMNS,
)
SEGMENTS = pd.DataFrame(
    [
        ("a1", "impl.hand", "framjande", "s1"),
        ("b1", "impl.hand", "framjande", "s2"),
        ("b1", "impl", "neutral", "s3"),
        ("b1", "bidrag", "framjande", "s4"),
        ("c1", "impl.hand", "hindrande", "s5"),
        ("d1", "bidrag", "framjande", "s6"),
    ],
    columns=SEGMENT_COLUMNS,
)
CODEBOOK = pd.DataFrame(
    [
        ("impl", None, 1, "Implementering", "Implementation", 1),
        ("impl.hand", "impl", 2, "Handledning", "Supervision", 1),
        ("bidrag", None, 1, "Bidrag", "Contribution", 2),
        ("roll", None, 1, "Yrkesroll", "Professional role", 3),
    ],
    columns=["id", "parent", "level", "label_sv", "label_en", "order"],
)
SURVEY = pd.DataFrame({"region": ["R", "R", "R"], "year": [2018, 2019, 2020]})


def test_interview_status_counts_are_the_theme_tables():
    text = interview_status_markdown(REGISTER, SEGMENTS, CODEBOOK, SURVEY, "R", 2020, "sv", 5)
    table = theme_by_group(
        InterviewData(REGISTER, SEGMENTS, CODEBOOK), Scope(region="R", year=2020, interview_k=5)
    )
    shown = table.loc[~table["suppressed"]]
    assert int(shown["segments"].sum()) == 3  # the manager's and staff's segments are out
    assert "genomfördes 3 intervjuer med sammanlagt 7 deltagare" in text
    assert "bygger på 1 av intervjuerna\\; enhetschefer och medarbetare ingår inte" in text
    assert "eftersom grupperna har färre än 5 deltagare" in text
    assert "kodades i 3 segment inom 2 av kodbokens 3 teman" in text
    assert text.rstrip().endswith("@tbl-themes och @fig-themes visar i hur många intervjuer "
                                  "varje tema förekom, per grupp.")  # fmt: skip


def test_interview_status_when_no_group_is_reported_says_so_not_zero_interviews():
    # Groups of 1, 5 and 1 persons under a rule of 6: none is broken down.
    text = interview_status_markdown(REGISTER, SEGMENTS, CODEBOOK, SURVEY, "R", 2020, "sv", 6)
    assert "bygger på 0" not in text
    assert (
        "Ingen respondentgrupp hade minst 6 deltagare\\, så temaredovisningen bygger inte" in text
    )
    assert "@tbl" not in text and "@fig" not in text
    english = interview_status_markdown(REGISTER, SEGMENTS, CODEBOOK, SURVEY, "R", 2020, "en", 6)
    assert "rests on 0" not in english
    assert "No respondent group had at least 6 participants" in english


def test_interview_status_without_interviews_points_to_no_table():
    text = interview_status_markdown(REGISTER, SEGMENTS, CODEBOOK, SURVEY, "R", 2019, "en", 5)
    assert "R had no interview round in 2019 \\(no data collection\\)" in text
    assert "The latest round with interviews was 2018\\." in text
    assert "@tbl" not in text and "@fig" not in text


def test_overview_national_column_pools_only_reported_groups():
    table = theme_prevalence_with_nation(REGISTER, SEGMENTS, CODEBOOK, 2020, 5, "sv", ["R"])
    # Only the users' group interview (5 persons) is reported: 1 interview, both themes.
    assert table.set_index("theme")["Hela landet"].to_dict() == {
        "impl": 100.0, "bidrag": 100.0, "roll": 0.0,
    }  # fmt: skip
    assert table["R"].tolist() == table["Hela landet"].tolist()


def test_method_lead_points_to_the_table_only_when_there_are_interviews():
    from pipeline.report_text import method_markdown

    text = method_markdown(REGISTER, "R", 2020, "en", 5)
    assert text.startswith("@tbl-method shows who was interviewed in R and how.\n\n|")
    assert "@tbl" not in method_markdown(REGISTER, "R", 2019, "sv", 5)


def test_overview_theme_columns_give_the_interviews_behind_each_share():
    # A share without its base reads the same for 1 of 1 and 20 of 20 interviews.
    text = theme_prevalence_with_nation_markdown(REGISTER, SEGMENTS, CODEBOOK, 2020, "sv", 5, ["R"])
    assert text.startswith(
        "| Tema | R \\(n\u00a0\\=\u00a01\\) | Hela landet \\(n\u00a0\\=\u00a01\\) |"
    )
    assert "av de n intervjuerna i redovisade grupper" in text
    # A region with no reported group has no base: its column is marked, its head bare.
    none = theme_prevalence_with_nation_markdown(REGISTER, SEGMENTS, CODEBOOK, 2020, "en", 6, ["R"])
    assert none.startswith("| Theme | R | Whole country |")


def test_a_section_note_names_a_run_of_tables_as_a_range_and_joins_kinds_with_samt():
    # "Tabell 3, 4, 5, 6, 7, 8, 9, 10, 11 och 12 och Figur 2 och 3" read as one long list.
    lines = ["# Resultat"]
    for n in range(3, 13):
        lines += [f": Tabell {n}: T {{#tbl-{n}}}", "| x |", "", NOTE, ""]
    for n in (2, 3):
        lines += [f"::: {{#fig-{n} .captioned}}", NOTE, f"[Figur {n}: F]{{.caption}}", ":::", ""]
    merged = merge_section_notes("\n".join(lines), [NOTE], "sv")
    assert "Tabell 3\u201312 samt Figur 2 och 3: uppgifter saknas" in merged
    english = merge_section_notes("\n".join(lines), [NOTE], "en")
    assert "Tables 3\u201312, and Figures 2 and 3: uppgifter saknas" in english
