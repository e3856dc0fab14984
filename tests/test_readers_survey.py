"""Tests for pipeline.readers.survey: exports in several layouts -> one canonical table."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.errors import InputError, Problem
from pipeline.readers import survey as survey_reader
from pipeline.readers.options import MultiChoice, TableOptions
from pipeline.readers.survey import (
    OUTPUT_COLUMNS,
    SWEDISH_COLUMNS,
    SWEDISH_TASK_COLUMNS,
    read_survey,
    swedish_options,
)
from pipeline.schema import REGIONS, SURVEY_COLUMNS

NA = None

# The canonical table every export below must produce (hand-written).
EXPECTED = pd.DataFrame(
    {
        "respondent_id": pd.Series(["R01", "R02", "R03", "R04", "R05", "R06"], dtype="str"),
        "year": pd.Series([2021] * 6, dtype="int64"),
        "region": pd.Series(
            ["Skåne", "Stockholm", "Västra Götaland", "Örebro", "Jönköping", "Norrland"],
            dtype="str",
        ),
        "gender": pd.Series(["kvinna", "man", "annat", "vill_ej_ange", "kvinna", "kvinna"]),
        "age": pd.Series([43, 29, NA, 61, 24, 69], dtype="Int64"),
        "education": pd.Series(
            ["gymnasium", "hogskola", "eftergymnasial", NA, "grundskola", "hogskola"], dtype="str"
        ),
        "trained": pd.Series([True, True, False, True, NA, True], dtype="boolean"),
        "training_provider": pd.Series(["nsph", "region", NA, "annan", NA, "nsph"], dtype="str"),
        "employment_pct": [100.0, 50.0, 75.0, 25.0, float("nan"), 40.5],
        "months_worked": [40.5, 7.5, float("nan"), 120.0, 0.0, 22.0],
        "salary_monthly_fte": [25000.0, 27500.5, float("nan"), 31000.0, float("nan"), 26000.0],
        "supervision": pd.Series([True, False, NA, True, True, True], dtype="boolean"),
        "supervision_frequency": pd.Series(
            ["varannan_vecka", NA, NA, "mer_sallan", "varje_vecka", "varje_manad"], dtype="str"
        ),
        "tasks": pd.Series(
            [
                "stodsamtal;foredrag",
                "grupper",
                NA,
                "aktiviteter;personalgrupper;motesstod",
                "stodsamtal;grupper;aktiviteter;personalgrupper;foredrag;motesstod",
                "",
            ],
            dtype="str",
        ),
        "employer": pd.Series(
            ["kommun", "region", NA, "brukarorganisation", "annan", "kommun"], dtype="str"
        ),
    }
)

H = {canonical: header for header, canonical in SWEDISH_COLUMNS.items()}
H["months_worked"] = "Hur många månader har du arbetat som peer supporter?"
H["gender"] = "Kön"
SWEDISH_HEADERS = [
    H[c]
    for c in (
        "respondent_id",
        "region",
        "gender",
        "age",
        "education",
        "trained",
        "training_provider",
        "employment_pct",
        "months_worked",
        "salary_monthly_fte",
        "supervision",
        "supervision_frequency",
    )
]
# Answer texts as the survey tool writes them, shared by the .xlsx and the .csv.
SWEDISH_ROWS = [
    ["R01", "Skåne", "Kvinna", "Gymnasium eller motsvarande", "Ja",
     "NSPH (Nationell Samverkan för Psykisk Hälsa)", "Ja", "Varannan vecka", "Kommunen"],
    ["R02", "Stockholm", "Man", "Högskola eller universitet", "Ja",
     "Regionen eller kommunen", "Nej", None, "Regionen"],
    ["R03", "Västra Götaland", "Icke-binär", "Eftergymnasial utbildning (ej högskola)", "Nej",
     None, None, None, None],
    ["R04", "Örebro", "Vill ej uppge", None, "ja", "Annan", "JA",
     "Mer sällan än en gång i månaden", "Brukar- eller anhörigorganisation"],
    ["R05", "Jönköping", "kvinna", "Grundskola eller motsvarande", None, None, "Ja",
     "En gång i veckan", "Annan"],
    ["R06", "Norrland", "KVINNA", "Högskola/universitet", "Ja", "NSPH", "Ja",
     "En gång i månaden", "Kommun"],
]  # fmt: skip
AGES = [43, 29, None, 61, 24, 69]
XLSX_NUMBERS = [  # employment, months, salary as Excel holds them
    [100, 40.5, 25000],
    [50, 7.5, 27500.5],
    [0.75, None, None],  # formatted as percent in the sheet: shows "75%"
    [25, 120, 31000],
    [None, 0, None],
    [40.5, 22, 26000],
]
CSV_NUMBERS = [
    ["100 %", "40,5", "25 000"],
    ["50", "7,5", "27 500,5"],
    ["75%", None, None],
    ["25", "120", "31000"],
    [None, "0", None],
    ["40,5", "22", "26\u00a0000"],
]
TICKS = [  # one 0/1 column per task, in SWEDISH_TASK_COLUMNS order
    [1, None, None, None, "x", None],
    [0, 1, 0, 0, 0, 0],
    [None] * 6,
    [0, 0, 1, 1, 0, "Stöd vid möten och kontakter"],
    ["1", 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 0, 0],
]
TASK_TEXTS = [
    "Föreläsningar;Stödsamtal",
    "Gruppverksamhet (t.ex. återhämtningsguide, NECT)",
    None,
    "Stöd vid möten och kontakter; Promenader och aktiviteter;Arbete med personalgrupper",
    "Stödsamtal;Gruppverksamhet;aktiviteter;personalgrupper;Föreläsningar;motesstod",
    None,  # R06 ticked nothing; one text column cannot tell that from no answer
]


def _swedish_record(i: int, numbers: list) -> list:
    rid, region, gender, education, trained, provider, supervised, freq, employer = SWEDISH_ROWS[i]
    return [
        rid, region, gender, AGES[i], education, trained, provider, *numbers[i],
        supervised, freq,
    ]  # fmt: skip


def _write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tidsstämpel", *SWEDISH_HEADERS, *SWEDISH_TASK_COLUMNS, H["employer"]])
    for i in range(6):
        sheet.append(
            ["2021-03-01", *_swedish_record(i, XLSX_NUMBERS), *TICKS[i], SWEDISH_ROWS[i][8]]
        )
    sheet.cell(row=4, column=9).number_format = "0%"  # R03's employment 0.75
    book.save(path)
    return path


def _write_csv(path: Path, header: list, rows: list, *, encoding: str, delimiter: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def _write_swedish_csv(path: Path) -> Path:
    header = ["År", *SWEDISH_HEADERS, H["tasks"], H["employer"]]
    rows = [
        ["2021", *_swedish_record(i, CSV_NUMBERS), TASK_TEXTS[i], SWEDISH_ROWS[i][8]]
        for i in range(6)
    ]
    rows[0][2] = "skåne"  # regions match whatever the case
    return _write_csv(path, header, rows, encoding="cp1252", delimiter=";")


def test_xlsx_with_tick_columns_gives_the_canonical_table(tmp_path):
    path = _write_xlsx(tmp_path / "enkat.xlsx")
    # Only the xlsx has R06's explicit "none ticked"; the text layout cannot say so.
    got = read_survey(path, swedish_options(tasks_as_columns=True), regions=REGIONS, year=2021)
    pd.testing.assert_frame_equal(got, EXPECTED)


def test_swedish_cp1252_csv_gives_the_same_table_as_the_xlsx(tmp_path):
    xlsx = read_survey(
        _write_xlsx(tmp_path / "enkat.xlsx"),
        swedish_options(tasks_as_columns=True),
        regions=REGIONS,
        year=2021,
    )
    path = _write_swedish_csv(tmp_path / "enkat.csv")
    assert "Ålder".encode("cp1252") in path.read_bytes()  # really Windows-1252
    got = read_survey(path, swedish_options(delimiter=";", decimal=","), regions=REGIONS)
    expected = xlsx.copy()
    expected.loc[5, "tasks"] = None
    pd.testing.assert_frame_equal(got, expected)
    # Also with every CSV setting detected rather than given.
    pd.testing.assert_frame_equal(read_survey(path, swedish_options(), regions=REGIONS), expected)


def test_canonical_utf8_bom_comma_csv_needs_no_mapping(tmp_path):
    frame = EXPECTED.astype(object).where(EXPECTED.notna(), None)
    rows = frame.to_numpy().tolist()
    rows[5][13] = None  # no tasks written as an empty cell
    rows[0][2] = "SKÅNE"
    path = _write_csv(
        tmp_path / "survey.csv", list(OUTPUT_COLUMNS), rows, encoding="utf-8-sig", delimiter=","
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    got = read_survey(path, TableOptions(), regions=REGIONS, year=2021)
    expected = EXPECTED.copy()
    expected.loc[5, "tasks"] = None
    pd.testing.assert_frame_equal(got, expected)


def test_output_has_exactly_the_schema_columns_and_employer_when_absent(tmp_path):
    header = [c for c in SURVEY_COLUMNS if c != "year"]
    row = ["A1", "Stockholm", "", "", "", "", "", "", "", "", "", "", ""]
    path = _write_csv(tmp_path / "s.csv", header, [row], encoding="utf-8", delimiter=",")
    got = read_survey(path, TableOptions(), regions=REGIONS, year=2020)
    assert list(got.columns) == list(OUTPUT_COLUMNS)
    assert got["employer"].isna().all()
    assert got.loc[0, "year"] == 2020
    assert str(got["trained"].dtype) == "boolean"
    assert pd.isna(got.loc[0, "tasks"])


def test_values_mapping_applies_to_yes_no_and_empty_target_means_missing(tmp_path):
    header = [c for c in SURVEY_COLUMNS if c != "year"]
    row = ["A1", "Region Skåne", "", "vet ej", "", "Ja, hos NSPH", "", "", "", "", "", "", ""]
    path = _write_csv(tmp_path / "s.csv", header, [row], encoding="utf-8", delimiter=",")
    options = TableOptions(
        values={
            "trained": {"Ja, hos NSPH": "ja"},
            "age": {"Vet ej": ""},
            "region": {"region skåne": "Skåne"},
        }
    )
    got = read_survey(path, options, regions=REGIONS, year=2020)
    assert got["trained"].tolist() == [True]
    assert pd.isna(got.loc[0, "age"])
    assert got.loc[0, "region"] == "Skåne"


# --- problems -------------------------------------------------------------------------

BAD_HEADER = ["Respondent-ID", "Kontext", "Kön", "Ålder", "Utbildningsnivå",
              "Har du genomfört en utbildning i peer support?",
              "Jag har gått utbildning i peer support som erbjuds av:",
              "Hur många procent omfattar din tjänst som peer supporter?",
              "Hur många månader har du arbetat som peer supporter?",
              "Får du handledning i ditt arbete som peer supporter?",
              "Hur ofta får du tillgång till handledning i ditt arbete som peer supporter?",
              "Vilka arbetsuppgifter har du?"]  # fmt: skip
BAD_ROWS = [
    ["R1", "Skåne", "Kvinna", "fyrtio", "", "Ja", "NSPH", "100", "3", "Ja", "", "Stödsamtal"],
    ["R2", "Gotland", "Man", "35", "", "Nej", "", "140", "2,5", "", "", ""],
    ["R1", "Örebro", "Kvinna", "50", "", "", "", "50", "1", "", "", ""],
]


def test_bad_export_reports_every_problem_once_with_file_row_and_column(tmp_path):
    path = _write_csv(tmp_path / "x.csv", BAD_HEADER, BAD_ROWS, encoding="utf-8", delimiter=";")
    with pytest.raises(InputError) as caught:
        read_survey(path, swedish_options(), regions=REGIONS, year=2021, display="enkät.csv")
    assert str(caught.value).splitlines() == [
        "enkät.csv: row 1: no column for 'salary_monthly_fte'; expected a header "
        "'Månadslön baserat på en heltidstjänst' (mapped to 'salary_monthly_fte' under columns)",
        "enkät.csv: row 2: column 'Ålder': 'fyrtio' is not a whole number; "
        "expected a whole number of years from 16 to 100",
        "enkät.csv: row 3: column 'Kontext': 'Gotland' is not a known region; "
        "expected one of the regions Stockholm, Skåne, Västra Götaland, Norrland, Jönköping, "
        "Örebro",
        "enkät.csv: row 3: column 'Hur många procent omfattar din tjänst som peer supporter?': "
        "'140' is out of range; expected a percentage from 0 to 100",
        "enkät.csv: row 4: column 'Respondent-ID': respondent id 'R1' is duplicated "
        "(also on row 2)",
    ]
    assert len(caught.value.problems) == 5


def test_cell_problems_quote_value_and_list_allowed_codes(tmp_path):
    header = ["respondent_id", "region", "gender", "age", "education", "trained",
              "training_provider", "employment_pct", "months_worked", "salary_monthly_fte",
              "supervision", "supervision_frequency", "tasks", "year"]  # fmt: skip
    rows = [
        ["A", "Skåne", "kvinna", "15", "x", "kanske", "", "-1", "-2", "0", "", "", "", "2020"],
        ["", "", "", "43,5", "", "", "", "", "", "", "", "", "Stödsamtal;Dans", ""],
    ]
    path = _write_csv(tmp_path / "s.csv", header, rows, encoding="utf-8", delimiter=";")
    with pytest.raises(InputError) as caught:
        read_survey(path, TableOptions(), regions=["Skåne"], year=2021, display="s.csv")
    assert str(caught.value).splitlines() == [
        "s.csv: row 2: column 'age': '15' is out of range; "
        "expected a whole number of years from 16 to 100",
        "s.csv: row 2: column 'education': 'x' is not a known answer; expected one of "
        "grundskola, gymnasium, eftergymnasial, hogskola (or a text mapped under values.education)",
        "s.csv: row 2: column 'trained': 'kanske' is not a yes/no answer; "
        "expected ja/nej, yes/no, 1/0 or true/false",
        "s.csv: row 2: column 'employment_pct': '-1' is out of range; "
        "expected a percentage from 0 to 100",
        "s.csv: row 2: column 'months_worked': '-2' is out of range; "
        "expected a number of months, 0 or more",
        "s.csv: row 2: column 'salary_monthly_fte': '0' is out of range; "
        "expected a monthly salary in SEK above 0",
        "s.csv: row 2: column 'year': '2020' is another year; expected the year 2021",
        "s.csv: row 3: column 'respondent_id': is empty; expected a respondent id",
        "s.csv: row 3: column 'region': is empty; expected one of the regions Skåne",
        "s.csv: row 3: column 'age': '43,5' is not a whole number; "
        "expected a whole number of years from 16 to 100",
        "s.csv: row 3: column 'tasks': 'Stödsamtal;Dans' has an unknown option 'Dans'; "
        "expected one of stodsamtal, grupper, aktiviteter, personalgrupper, foredrag, motesstod, "
        "annan (or a text mapped under values.tasks; for the free text of an 'other, please "
        "specify' option written into this cell, set multi_choice.tasks.other: annan; for a "
        "'none of these' option, list its text under multi_choice.tasks.none)",
        "s.csv: row 3: column 'year': is empty; expected the year 2021",
    ]


def test_missing_year_without_argument_and_unknown_mapped_text(tmp_path):
    header = [c for c in SURVEY_COLUMNS if c != "year"]
    row = ["A1", "Skåne", "Kvinna ", "", "", "", "", "", "", "", "", "", ""]
    path = _write_csv(tmp_path / "s.csv", header, [row], encoding="utf-8", delimiter=",")
    options = TableOptions(values={"gender": {"kvinna": "female"}})
    with pytest.raises(InputError) as caught:
        read_survey(path, options, regions=REGIONS, display="s.csv")
    assert str(caught.value).splitlines() == [
        "s.csv: row 1: no column for 'year'; expected a header 'year', "
        "or map the export's header to 'year' under columns",
        "s.csv: row 2: column 'gender': 'Kvinna' (mapped to 'female') is not a known answer; "
        "expected one of kvinna, man, annat, vill_ej_ange (or a text mapped under values.gender)",
    ]


def test_tick_columns_problems(tmp_path):
    header = [c for c in SURVEY_COLUMNS if c not in ("year", "tasks")]
    header += ["Stödsamtal", "Grupp"]
    row = ["A1", "Skåne", "", "", "", "", "", "", "", "", "", "", "kanske", "1"]
    path = _write_csv(tmp_path / "s.csv", header, [row], encoding="utf-8", delimiter=",")
    layout = MultiChoice(columns={"Stödsamtal": "stodsamtal", "Grupp": "grupper", "Dans": "foo"})
    options = TableOptions(multi_choice={"tasks": layout})
    with pytest.raises(InputError) as caught:
        read_survey(path, options, regions=REGIONS, year=2021, display="s.csv")
    assert str(caught.value).splitlines() == [
        "s.csv: multi_choice.tasks.columns maps 'Dans' to 'foo'; expected one of stodsamtal, "
        "grupper, aktiviteter, personalgrupper, foredrag, motesstod, annan",
        "s.csv: row 2: column 'Stödsamtal': 'kanske' is not a tick; "
        "expected 1/x/ja/Y when chosen, 0/nej/N or empty when not",
    ]
    layout = MultiChoice(columns={"Stödsamtal": "stodsamtal", "Föreläsning": "foredrag"})
    with pytest.raises(InputError, match="no column 'Föreläsning' for the tasks option"):
        read_survey(path, TableOptions(multi_choice={"tasks": layout}), regions=REGIONS, year=2021)


def test_two_headers_for_one_column_is_a_problem(tmp_path):
    header = ["Kön", "Könstillhörighet", *[c for c in SURVEY_COLUMNS if c != "gender"]]
    row = ["Man", "Kvinna", "A1", "2021", "Skåne", *[""] * 10]
    path = _write_csv(tmp_path / "s.csv", header, [row], encoding="utf-8", delimiter=",")
    with pytest.raises(InputError) as caught:
        read_survey(path, swedish_options(), regions=REGIONS, display="s.csv")
    assert str(caught.value).splitlines() == [
        "s.csv: row 1: column 'Könstillhörighet': also holds 'gender', like column 'Kön'; "
        "keep or map only one",
    ]


# --- edge cases -----------------------------------------------------------------------


def _problem_lines(path: Path, options: TableOptions | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_survey(path, options or TableOptions(), regions=REGIONS, year=2021, display="f")
    return str(caught.value).splitlines()


def test_empty_file(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"")
    assert _problem_lines(path) == ["f: file is empty; expected a header row"]
    path.write_text("\n\n  \n", encoding="utf-8")
    assert _problem_lines(path) == ["f: file is empty; expected a header row"]


def test_header_only(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(",".join(OUTPUT_COLUMNS) + "\n", encoding="utf-8")
    assert _problem_lines(path) == [
        "f: has a header but no data rows; expected one row per respondent"
    ]


def test_wrong_delimiter_lists_headers_and_suggests_the_right_one(tmp_path):
    path = _write_swedish_csv(tmp_path / "s.csv")
    lines = _problem_lines(path, swedish_options(delimiter=","))
    assert len(lines) == 1
    assert lines[0].startswith(
        "f: row 1: all headers are in one column ('År', 'Respondent-ID', 'Kontext', 'Kön', "
    )
    assert lines[0].endswith(
        "the file seems to be separated by ';', not ','; set delimiter: ';' in the input's "
        "options (or leave it unset to detect it)"
    )


def test_binary_garbage(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(bytes(range(256)) * 8)
    assert _problem_lines(path) == [
        "f: is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8"
    ]
    path.write_bytes(b"\x00\x01\x02respondent_id\x00,\x10\x00\n")
    assert _problem_lines(path) == ["f: is a binary file, not CSV text; export it as CSV"]
    xlsx = tmp_path / "s.xlsx"
    xlsx.write_bytes(b"\x93\x00garbage" * 50)
    [line] = _problem_lines(xlsx)
    assert line.startswith("f: is not a readable .xlsx workbook")


def test_workbook_saved_as_csv(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(_write_xlsx(tmp_path / "s.xlsx").read_bytes())
    assert _problem_lines(path) == [
        "f: is an Excel workbook (or other zip file), not CSV text; name it .xlsx or export it "
        "as CSV"
    ]


def test_missing_file(tmp_path):
    assert _problem_lines(tmp_path / "nope.csv") == ["f: file not found"]


def test_duplicated_header(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("respondent_id,Region,region\nA,Skåne,Skåne\n", encoding="utf-8")
    assert _problem_lines(path) == ["f: row 1: column 'region': duplicated column header 'region'"]


def test_a_windows_1252_fallback_is_named_when_values_fail(tmp_path):
    from pipeline.readers.common import read_raw_table
    from pipeline.readers.convert import sorted_problems

    path = tmp_path / "s.csv"
    path.write_bytes(b"a;b\n" + "Skåne;".encode() + "st\xf6d".encode("cp1252") + b"\n")
    raw = read_raw_table(path, TableOptions(), "s.csv")
    [note, problem] = sorted_problems([Problem("s.csv", "x", row=2, column="a")], raw)
    assert str(note) == (
        "s.csv: was read as Windows-1252, since line 2 is not UTF-8 (byte 0xf6); if letters "
        "look wrong, save the file as CSV UTF-8 or set encoding: in the input's options"
    )
    assert sorted_problems([], raw) == []


def test_an_employment_share_of_full_time_is_refused_not_read_as_under_one_percent(tmp_path):
    # Before: 0.75 (a cell not formatted as a percentage, or a statistics program's
    # export) was read as 0.75 % and counted in the band "Under 50 %".
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["respondent_id", "employment_pct"])
    sheet.append(["R1", 0.75])
    sheet.append(["R2", 50])
    sheet.append(["R3", 0])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_survey(path, TableOptions(), regions=REGIONS, year=2021)
    assert [str(p) for p in caught.value.problems if p.column == "employment_pct"] == [
        f"{path}: row 2: column 'employment_pct': '0.75' looks like a share of full time, "
        "not a percentage (75 % exported as 0.75); expected a percentage from 0 to 100: "
        "write it as a percentage, e.g. 75, or format the cells as percentages"
    ]


def test_unanswered_and_repeated_responses_are_read_and_reported(tmp_path, caplog, monkeypatch):
    # Before: a started but unanswered response and a double submission under a new id
    # counted as respondents (and in the response rate) without a word.
    header = ",".join(SURVEY_COLUMNS)
    answers = "kvinna,43,hogskola,ja,nsph,75,22,29500,ja,varje_manad,stodsamtal"
    path = tmp_path / "survey.csv"
    path.write_text(
        f"{header}\nR1,2021,Skåne,{answers}\nR2,2021,Skåne,{',' * 10}\n"
        f"R3,2021,Skåne,{answers}\nR4,2021,Stockholm,{answers}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(survey_reader, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.survey"):
        frame = read_survey(path, TableOptions(), regions=REGIONS, year=2021, display="s")
        read_survey(path, TableOptions(), regions=REGIONS, year=2021, display="s")  # once
    assert frame["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert [r.getMessage() for r in caplog.records] == [
        "s: 1 response(s) answer no question (rows 3); they count as respondents in the "
        "response rate: remove them if they only opened the survey",
        "s: row 4: respondent 'R3' gives every answer of row 2 (respondent 'R1'): the same "
        "person twice? both count as respondents",
    ]


# --- exports as real tools write them ---------------------------------------------------
#
# Each export below is written the way the tool writes it (layout, headers, the free text
# of an "other, please specify" option, the columns it adds), so that a change to the
# reader that breaks one tool's export shows here.

QUESTIONS = {  # the Swedish question texts of a typical export -> canonical column
    "Kontext": "region",
    "Kön": "gender",
    "Ålder": "age",
    "Utbildningsnivå": "education",
    "Har du genomfört en utbildning i peer support?": "trained",
    "Jag har gått utbildning i peer support som erbjuds av:": "training_provider",
    "Hur många procent omfattar din tjänst som peer supporter?": "employment_pct",
    "Hur många månader har du arbetat som peer supporter?": "months_worked",
    "Månadslön baserat på en heltidstjänst": "salary_monthly_fte",
    "Får du handledning i ditt arbete som peer supporter?": "supervision",
    "Hur ofta får du tillgång till handledning i ditt arbete som peer supporter?": (
        "supervision_frequency"
    ),
}
ANSWERS = [  # two respondents' answers to QUESTIONS, as the tools write them
    ["Skåne", "Kvinna", 43, "Högskola eller universitet", "Ja", "NSPH (Nationell Samverkan "
     "för Psykisk Hälsa)", 75, 22, 29500, "Ja", "En gång i månaden"],
    ["Stockholm", "Man", 35, "Gymnasium eller motsvarande", "Nej", None, 50, 6, None, "Nej",
     None],
    ["Örebro", "Kvinna", 52, None, "Ja", "Annan", 100, 40, 31000, "Ja", "Varannan vecka"],
]  # fmt: skip
FREE_TEXT = "fika med brukare hos Anna Svensson"  # what an "other" answer may say
TASKS = "Vilka arbetsuppgifter har du?"


def _ms_forms_xlsx(path: Path, tasks: list[str | None]) -> Path:
    """A Microsoft Forms export: ID, times, the respondent's e-mail and name, then answers.

    Forms writes a multiple-choice answer as the chosen options joined by ";" with a
    trailing ";", and an "Other" answer's free text as one more option.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["ID", "Starttid", "Tid för slutförande", "E-post", "Namn",
                  "Senaste ändringstid", *QUESTIONS, TASKS])  # fmt: skip
    people = [("anna.svensson@region.se", "Anna Svensson"), ("anonymous", None),
              ("b.berg@kommun.se", "Bo Berg")]  # fmt: skip
    for i, (answers, task) in enumerate(zip(ANSWERS, tasks, strict=True)):
        email, name = people[i]
        sheet.append([i + 1, "3/1/21 10:15:32", "3/1/21 10:21:07", email, name, None,
                      *answers, task])  # fmt: skip
    book.save(path)
    return path


def _ms_forms_options(**tasks: object) -> TableOptions:
    return TableOptions(
        columns={"ID": "respondent_id", **QUESTIONS, TASKS: "tasks"},
        values={k: dict(v) for k, v in survey_reader.SWEDISH_VALUES.items()},
        multi_choice={"tasks": MultiChoice(**tasks)},
    )


def test_microsoft_forms_export_ignores_its_e_mail_and_name_columns(tmp_path, caplog):
    path = _ms_forms_xlsx(
        tmp_path / "forms.xlsx", ["Stödsamtal;Föreläsningar;", "Stödsamtal;", None]
    )
    frame = read_survey(path, _ms_forms_options(), regions=REGIONS, year=2021)
    assert frame["respondent_id"].tolist() == ["1", "2", "3"]
    assert frame["tasks"].tolist()[:2] == ["stodsamtal;foredrag", "stodsamtal"]
    assert pd.isna(frame.loc[2, "tasks"])
    assert list(frame.columns) == list(OUTPUT_COLUMNS)  # no e-mail, no name


def test_microsoft_forms_problems_never_quote_the_e_mail_or_name_columns(tmp_path, caplog):
    path = _ms_forms_xlsx(tmp_path / "forms.xlsx", ["Stödsamtal;", "Dans;", None])
    book = openpyxl.load_workbook(path)
    book.active["I2"] = "fyrtio"  # Ålder
    book.save(path)
    with caplog.at_level(logging.WARNING), pytest.raises(InputError) as caught:
        read_survey(path, _ms_forms_options(), regions=REGIONS, year=2021, display="f.xlsx")
    text = str(caught.value) + caplog.text
    assert "row 2: column 'Ålder': 'fyrtio'" in text and "'Dans'" in text
    for personal in ("anna.svensson", "Anna Svensson", "b.berg", "Bo Berg", "anonymous"):
        assert personal not in text


def test_microsoft_forms_e_mail_as_respondent_id_is_refused_without_quoting_it(tmp_path):
    path = _ms_forms_xlsx(tmp_path / "forms.xlsx", [None, None, None])
    options = _ms_forms_options().model_copy(
        update={"columns": {"E-post": "respondent_id", **QUESTIONS, TASKS: "tasks"}}
    )
    with pytest.raises(InputError) as caught:
        read_survey(path, options, regions=REGIONS, year=2021, display="f.xlsx")
    lines = str(caught.value).splitlines()
    assert lines == [
        f"f.xlsx: row {row}: column 'E-post': looks like an e-mail address (not shown here); "
        "expected a respondent id that is not personal data: a running number or a code, "
        "not a name, an e-mail address, or a phone or identity number"
        for row in (2, 4)
    ]


def test_microsoft_forms_other_free_text_is_annan_when_params_say_so(tmp_path, caplog, monkeypatch):
    tasks = [f"Stödsamtal;{FREE_TEXT};", "Föreläsningar;", None]
    path = _ms_forms_xlsx(tmp_path / "forms.xlsx", tasks)
    with pytest.raises(InputError) as caught:  # by default an unknown option, as before
        read_survey(path, _ms_forms_options(), regions=REGIONS, year=2021, display="f")
    [line] = str(caught.value).splitlines()
    assert line.endswith(
        "set multi_choice.tasks.other: annan; for a 'none of these' option, list its text "
        "under multi_choice.tasks.none)"
    )
    monkeypatch.setattr(survey_reader, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.survey"):
        frame = read_survey(
            path, _ms_forms_options(other="annan"), regions=REGIONS, year=2021, display="f"
        )
    assert frame["tasks"].tolist()[:2] == ["stodsamtal;annan", "foredrag"]
    assert [r.getMessage() for r in caplog.records] == [
        f"f: column {TASKS!r}: 1 answer(s) hold an option that is no listed task, read as "
        "'annan' (multi_choice.tasks.other; the free text is not read)"
    ]
    assert "fika" not in caplog.text and "Anna" not in frame.to_csv()


def _google_forms_csv(path: Path, tasks: list[str | None]) -> Path:
    """A Google Forms CSV: a time stamp first, checkbox answers joined by ", "."""
    header = ["Tidstämpel", *QUESTIONS, TASKS]
    stamps = ["2021/03/01 10:15:32 fm CET", "2021/03/01 1:02:11 em CET",
              "2021/03/02 9:45:00 fm CET"]  # fmt: skip
    rows = [[stamps[i], *ANSWERS[i], tasks[i]] for i in range(3)]
    return _write_csv(path, header, rows, encoding="utf-8", delimiter=",")


def _google_options(**tasks: object) -> TableOptions:
    # Forms has no respondent id: its time stamp identifies a response.
    return TableOptions(
        columns={"Tidstämpel": "respondent_id", **QUESTIONS, TASKS: "tasks"},
        values={k: dict(v) for k, v in survey_reader.SWEDISH_VALUES.items()},
        multi_choice={"tasks": MultiChoice(delimiter=",", **tasks)},
    )


def test_google_forms_csv_with_comma_separated_checkboxes_and_other_text(tmp_path):
    tasks = [
        "Stödsamtal, Gruppverksamhet (t.ex. återhämtningsguide, NECT), Föreläsningar",
        f"Promenader och aktiviteter, {FREE_TEXT}, och lite annat",  # free text with a comma
        "Annat",  # the "Other" option's label itself
    ]
    path = _google_forms_csv(tmp_path / "svar.csv", tasks)
    frame = read_survey(path, _google_options(other="annan"), regions=REGIONS, year=2021)
    assert frame["tasks"].tolist() == [
        "stodsamtal;grupper;foredrag", "aktiviteter;annan", "annan"
    ]  # fmt: skip
    assert frame["respondent_id"].tolist()[0] == "2021/03/01 10:15:32 fm CET"
    with pytest.raises(InputError, match="has an unknown option 'fika med brukare"):
        read_survey(path, _google_options(), regions=REGIONS, year=2021)


def test_multi_choice_other_must_name_a_task_and_fits_one_column_only(tmp_path):
    path = _google_forms_csv(tmp_path / "svar.csv", ["Stödsamtal", None, None])
    with pytest.raises(InputError) as caught:
        read_survey(path, _google_options(other="övrigt"), regions=REGIONS, year=2021, display="f")
    assert str(caught.value).splitlines() == [
        "f: multi_choice.tasks.other is 'övrigt'; expected one of stodsamtal, grupper, "
        "aktiviteter, personalgrupper, foredrag, motesstod, annan"
    ]
    options = _google_options().model_copy(
        update={
            "columns": {"Tidstämpel": "respondent_id", **QUESTIONS},
            "multi_choice": {"tasks": MultiChoice(columns={TASKS: "stodsamtal"}, other="annan")},
        }
    )
    with pytest.raises(InputError, match="multi_choice.tasks.other applies to tasks in one column"):
        read_survey(path, options, regions=REGIONS, year=2021)


def _surveymonkey_csv(path: Path, ticks: list[list[str | None]]) -> Path:
    """A SurveyMonkey CSV: two header rows, the options of a question under its text.

    The question's text stands over its first option column only; the second row names
    each option. The "Annat (ange)" column holds the typed text instead of the option.
    """
    options = ["Stödsamtal", "Föreläsningar", "Annat (ange)"]
    header = ["Respondent ID", "Insamlare-ID", "Startdatum", *QUESTIONS, TASKS, "", ""]
    second = ["", "", "", *["Response"] * len(QUESTIONS), *options]
    rows = [
        [f"1145{i}0987{i}", "431234567", "03/01/2021 10:15:32 AM", *ANSWERS[i], *ticks[i]]
        for i in range(3)
    ]
    return _write_csv(path, header, [second, *rows], encoding="utf-8", delimiter=",")


def _surveymonkey_options() -> TableOptions:
    return TableOptions(
        columns={"Respondent ID": "respondent_id", **QUESTIONS},
        values={k: dict(v) for k, v in survey_reader.SWEDISH_VALUES.items()},
        skip_rows=[2],
        multi_choice={
            "tasks": MultiChoice(
                columns={
                    f"{TASKS}: Stödsamtal": "stodsamtal",
                    f"{TASKS}: Föreläsningar": "foredrag",
                    f"{TASKS}: Annat (ange)": "annan",
                }
            )
        },
    )


def test_surveymonkey_other_column_holding_the_typed_text_counts_as_ticked(
    tmp_path, caplog, monkeypatch
):
    ticks = [["Stödsamtal", None, FREE_TEXT], [None, "Föreläsningar", None], [None, None, None]]
    path = _surveymonkey_csv(tmp_path / "monkey.csv", ticks)
    monkeypatch.setattr(survey_reader, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.survey"):
        frame = read_survey(path, _surveymonkey_options(), regions=REGIONS, year=2021, display="m")
    assert frame["tasks"].tolist()[:2] == ["stodsamtal;annan", "foredrag"]
    assert pd.isna(frame.loc[2, "tasks"])  # nothing ticked at all: no answer
    assert frame["respondent_id"].tolist()[0] == "114500987" + "0"
    assert [r.getMessage() for r in caplog.records] == [
        f"m: column '{TASKS}: Annat (ange)': 1 typed answer(s) read as the option 'annan' "
        "chosen (the free text is not read)"
    ]
    assert "fika" not in caplog.text


def test_an_option_column_of_another_task_still_refuses_free_text(tmp_path):
    ticks = [["kanske", None, None], [None, None, None], [None, None, None]]
    path = _surveymonkey_csv(tmp_path / "monkey.csv", ticks)
    with pytest.raises(InputError, match="'kanske' is not a tick"):
        read_survey(path, _surveymonkey_options(), regions=REGIONS, year=2021)


def _netigate_xlsx(path: Path, ticks: list[list[object]]) -> Path:
    """A Netigate/Questback workbook: 0/1 per option, the "other" text in its own column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Respondent-ID", "Datum", *QUESTIONS, "Stödsamtal", "Föreläsningar",
                  "Annat", "Annat, nämligen:"])  # fmt: skip
    for i in range(3):
        sheet.append([f"R{i + 1}", "2021-03-01", *ANSWERS[i], *ticks[i]])
    book.save(path)
    return path


def _netigate_options() -> TableOptions:
    return TableOptions(
        columns={"Respondent-ID": "respondent_id", **QUESTIONS},
        values={k: dict(v) for k, v in survey_reader.SWEDISH_VALUES.items()},
        multi_choice={
            "tasks": MultiChoice(
                columns={
                    "Stödsamtal": "stodsamtal",
                    "Föreläsningar": "foredrag",
                    "Annat": "annan",
                    "Annat, nämligen:": "annan",  # its free text ticks the same option
                }
            )
        },
    )


def test_all_options_explicitly_unticked_is_an_answer_choosing_none_not_missing(tmp_path):
    ticks = [[0, 0, 0, None], [None, None, None, None], [1, 0, 0, None]]
    frame = read_survey(
        _netigate_xlsx(tmp_path / "n.xlsx", ticks), _netigate_options(), regions=REGIONS, year=2021
    )
    assert frame["tasks"].tolist()[0] == ""  # answered: none of these
    assert pd.isna(frame.loc[1, "tasks"])  # every option empty: did not answer
    assert frame["tasks"].tolist()[2] == "stodsamtal"


def test_a_separate_other_text_column_mapped_to_annan_ticks_it(tmp_path):
    ticks = [[1, 0, 0, FREE_TEXT], [0, 1, 1, None], [0, 0, 0, "nej"]]
    frame = read_survey(
        _netigate_xlsx(tmp_path / "n.xlsx", ticks), _netigate_options(), regions=REGIONS, year=2021
    )
    assert frame["tasks"].tolist() == ["stodsamtal;annan", "foredrag;annan", ""]


# --- identifiers ------------------------------------------------------------------------


def _ids_csv(tmp_path: Path, ids: list[str], years: list[int] | None = None) -> Path:
    """A canonical export of respondents who answered only the gender question."""
    answers = [c for c in SURVEY_COLUMNS if c not in ("respondent_id", "year", "region")]
    header = ["respondent_id", "region", *(["year"] if years else []), *answers]
    rows = [
        [rid, "Skåne", *([years[i]] if years else []), "kvinna", *[None] * (len(answers) - 1)]
        for i, rid in enumerate(ids)
    ]
    return _write_csv(tmp_path / "ids.csv", header, rows, encoding="utf-8", delimiter=",")


def _id_lines(path: Path, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_survey(path, TableOptions(), regions=REGIONS, display="f", **kwargs)
    return [str(p) for p in caught.value.problems if p.column == "respondent_id"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("anna.svensson@example.se", "an e-mail address"),
        ("850212-1232", "a personal identity or coordination number"),
        ("198502121232", "a personal identity or coordination number"),
        ("850272-1239", "a personal identity or coordination number"),  # samordningsnummer
        ("070-123 45 67", "a phone number"),
        ("+46 8 123 456 78", "a phone number"),
        ("Anna Svensson", "a person's name"),
    ],
)
def test_a_respondent_id_that_is_personal_data_is_refused_without_its_value(tmp_path, value, kind):
    path = _ids_csv(tmp_path, ["S-1", value, value])
    lines = _id_lines(path, year=2021)
    assert lines == [
        f"f: row {row}: column 'respondent_id': looks like {kind} (not shown here); expected "
        "a respondent id that is not personal data: a running number or a code, not a name, "
        "an e-mail address, or a phone or identity number"
        for row in (3, 4)
    ]  # repeated, but not quoted as a duplicate either
    assert all(value not in line for line in lines)


def test_ids_that_are_not_personal_data_pass(tmp_path):
    # Running numbers, tool codes, SurveyMonkey's 11 digits, a number with a wrong check
    # digit, a date-like code: none identifies a person.
    ids = ["1", "S-12", "SU2020-0001", "11452098765", "850212-1233", "2021-03-01", "R 17"]
    frame = read_survey(_ids_csv(tmp_path, ids), TableOptions(), regions=REGIONS, year=2021)
    assert frame["respondent_id"].tolist() == ids


def test_respondent_ids_differing_in_case_or_spaces_are_duplicates(tmp_path):
    path = _ids_csv(tmp_path, ["S-12", "s-12 ", " S-12"])
    assert _id_lines(path, year=2021) == [
        "f: row 3: column 'respondent_id': respondent id 's-12' is duplicated (also on row 2)",
        "f: row 4: column 'respondent_id': respondent id 'S-12' is duplicated (also on row 2)",
    ]


# --- one export for every year ----------------------------------------------------------


def test_a_file_of_every_year_keeps_the_params_years_and_says_what_it_left_out(
    tmp_path, caplog, monkeypatch
):
    ids = ["1", "2", "1", "2", "3", "1"]  # each year numbered from 1
    years = [2015, 2015, 2020, 2020, 2021, 2016]
    path = _ids_csv(tmp_path, ids, years)
    monkeypatch.setattr(survey_reader, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.survey"):
        frame = read_survey(
            path, TableOptions(), regions=REGIONS, years=[2020, 2021], display="alla.csv"
        )
        read_survey(path, TableOptions(), regions=REGIONS, years=[2020, 2021], display="alla.csv")
    assert frame["year"].tolist() == [2020, 2020, 2021]
    assert frame["respondent_id"].tolist() == ["1", "2", "3"]
    assert [r.getMessage() for r in caplog.records] == [
        "alla.csv: 3 rows of years 2015, 2016 not in params; ignored (column 'year')"
    ]  # once, though read twice


def test_a_file_of_every_year_refuses_an_id_twice_in_one_year(tmp_path):
    path = _ids_csv(tmp_path, ["1", "1", "1"], [2020, 2021, 2021])
    assert _id_lines(path, years=[2020, 2021]) == [
        "f: row 4: column 'respondent_id': respondent id '1' is duplicated (also on row 3)"
    ]


def test_a_file_of_every_year_needs_a_year_column(tmp_path):
    path = _ids_csv(tmp_path, ["1", "2"])
    with pytest.raises(InputError) as caught:
        read_survey(path, TableOptions(), regions=REGIONS, years=[2020, 2021], display="f")
    assert str(caught.value).splitlines() == [
        "f: row 1: no column for 'year'; expected a header 'year', or map the export's header "
        "to 'year' under columns; the path has no {year}, so the file holds every year and "
        "each row must say its year"
    ]
    # With one year in params, a file without a year column is that year's.
    frame = read_survey(path, TableOptions(), regions=REGIONS, year=2021, years=[2021])
    assert frame["year"].tolist() == [2021, 2021]


def test_a_file_of_every_year_refuses_a_row_without_a_year(tmp_path):
    path = _ids_csv(tmp_path, ["1", "2"], [2020, 2020])
    path.write_text(path.read_text().replace("2,Skåne,2020", "2,Skåne,tjugo"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_survey(path, TableOptions(), regions=REGIONS, years=[2020], display="f")
    assert str(caught.value).splitlines() == [
        "f: row 3: column 'year': 'tjugo' is not a whole number; expected a year such as 2021"
    ]


def test_a_none_of_these_option_is_an_answer_that_chose_none(tmp_path):
    tasks = ["Inget av ovanstående", "Stödsamtal, Föreläsningar", None]
    path = _google_forms_csv(tmp_path / "svar.csv", tasks)
    with pytest.raises(InputError, match="unknown option 'Inget av ovanstående'"):
        read_survey(path, _google_options(), regions=REGIONS, year=2021)
    options = _google_options(none=["inget av ovanstående"])  # any case
    frame = read_survey(path, options, regions=REGIONS, year=2021)
    # "" is an answer with no option chosen (in the base of the tasks table), NA no answer.
    assert frame["tasks"].tolist()[:2] == ["", "stodsamtal;foredrag"]
    assert pd.isna(frame.loc[2, "tasks"])


def test_none_of_these_beside_a_chosen_option_is_refused(tmp_path):
    path = _google_forms_csv(
        tmp_path / "svar.csv", ["Stödsamtal, Inget av ovanstående", None, None]
    )
    options = _google_options(none=["Inget av ovanstående"])
    with pytest.raises(InputError) as caught:
        read_survey(path, options, regions=REGIONS, year=2021, display="f")
    [line] = str(caught.value).splitlines()
    assert line.startswith(
        f"f: row 2: column {TASKS!r}: 'Stödsamtal, Inget av ovanstående' chooses options "
        "beside 'Inget av ovanstående' (none of them); expected"
    )


def test_multi_choice_none_fits_one_column_only(tmp_path):
    path = _google_forms_csv(tmp_path / "svar.csv", ["Stödsamtal", None, None])
    options = _google_options().model_copy(
        update={
            "columns": {"Tidstämpel": "respondent_id", **QUESTIONS},
            "multi_choice": {"tasks": MultiChoice(columns={TASKS: "stodsamtal"}, none=["Inget"])},
        }
    )
    with pytest.raises(InputError, match="multi_choice.tasks.none applies to tasks in one column"):
        read_survey(path, options, regions=REGIONS, year=2021)


def test_none_of_these_is_not_counted_as_other_free_text(tmp_path, caplog, monkeypatch):
    tasks = ["Inget av ovanstående", f"Stödsamtal, {FREE_TEXT}", None]
    path = _google_forms_csv(tmp_path / "svar.csv", tasks)
    monkeypatch.setattr(survey_reader, "_WARNED", set())
    options = _google_options(other="annan", none=["Inget av ovanstående"])
    with caplog.at_level(logging.WARNING, logger="pipeline.readers.survey"):
        frame = read_survey(path, options, regions=REGIONS, year=2021, display="f")
    assert frame["tasks"].tolist()[:2] == ["", "stodsamtal;annan"]
    assert [r.getMessage() for r in caplog.records] == [
        f"f: column {TASKS!r}: 1 answer(s) hold an option that is no listed task, read as "
        "'annan' (multi_choice.tasks.other; the free text is not read)"
    ]
