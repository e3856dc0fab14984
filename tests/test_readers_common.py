"""Tests for pipeline.readers.common (tables, headers), .values (cells), .convert (columns)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.common import map_headers, read_raw_table
from pipeline.readers.convert import (
    Cells,
    check_range,
    check_unique,
    remap,
    to_code,
    to_float,
    to_ticks,
    to_year,
)
from pipeline.readers.options import TableOptions
from pipeline.readers.text_keys import text_key
from pipeline.readers.values import (
    code_lookup,
    map_codes,
    match_choice,
    parse_bool,
    parse_int,
    parse_number,
)
from pipeline.schema import CATEGORIES

# --- read_raw_table -------------------------------------------------------------------


def _write(tmp_path: Path, data: bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_cells_are_stripped_text_and_rows_count_from_the_header(tmp_path):
    data = b'a;b\n 1 ; x \n;\n"multi\nline";\n3;\n'
    raw = read_raw_table(_write(tmp_path, data), TableOptions())
    assert list(raw.frame.columns) == ["a", "b"]
    assert raw.frame.to_numpy().tolist() == [["1", "x"], ["multi\nline", None], ["3", None]]
    # The empty record (row 3) is dropped; a quoted line break does not shift numbering.
    assert raw.rows == [2, 4, 5]


@pytest.mark.parametrize(
    "data",
    [
        "Ålder;Kön\n43;Kvinna\n".encode(),
        "Ålder;Kön\n43;Kvinna\n".encode("utf-8-sig"),
        "Ålder;Kön\n43;Kvinna\n".encode("cp1252"),
        "Ålder\tKön\n43\tKvinna\n".encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-tab"],
)
def test_encodings_and_delimiters_are_detected(tmp_path, data):
    raw = read_raw_table(_write(tmp_path, data), TableOptions())
    assert list(raw.frame.columns) == ["Ålder", "Kön"]
    assert raw.frame.iloc[0].tolist() == ["43", "Kvinna"]


def test_xlsx_cells_keep_what_the_analyst_sees(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "pct", "n", "flag"])
    sheet.append([7.0, 0.755, 40.5, True])
    sheet.append([None, None, None, None])
    sheet.append(["B", 1, None, None])
    sheet["B2"].number_format = "0.0%"
    sheet["B4"].number_format = "0%"
    path = tmp_path / "t.xlsx"
    book.save(path)
    raw = read_raw_table(path, TableOptions())
    assert raw.frame.to_numpy().tolist() == [
        ["7", "75.5 %", "40.5", "True"],
        ["B", "100 %", None, None],
    ]
    assert raw.rows == [2, 4]


def test_xlsx_sheet_by_name_and_missing_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["first"])
    book.create_sheet("Svar").append(["second"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    assert list(read_raw_table(path, TableOptions(sheet="Svar")).frame.columns) == ["second"]
    with pytest.raises(InputError, match=r"has no worksheet 'Nej'; found \['Sheet', 'Svar'\]"):
        read_raw_table(path, TableOptions(sheet="Nej"))


def test_a_workbook_is_not_read_without_defusedxml(tmp_path, monkeypatch):
    import openpyxl.xml

    book = openpyxl.Workbook()
    book.active.append(["first"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="not parsing with defusedxml"):
        read_raw_table(path, TableOptions())


def test_too_many_fields_names_the_headers(tmp_path):
    path = _write(tmp_path, b"a,b\n1,2,3\n")
    with pytest.raises(InputError) as caught:
        read_raw_table(path, TableOptions(), display="t")
    assert str(caught.value) == (
        "t: row 2: has 3 fields but the header has 2 ('a', 'b'); check the delimiter "
        "(read with ',')"
    )


def test_single_column_with_separators_in_an_xlsx(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["id;age"])
    book.active.append(["1;40"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_raw_table(path, TableOptions(), display="t")
    assert str(caught.value) == (
        "t: row 1: all headers are in one column ('id', 'age'); the worksheet holds delimited "
        "text separated by ';'; split it into columns (Data > Text to Columns) or export it as .csv"
    )


def test_a_genuine_single_column_file_is_fine(tmp_path):
    raw = read_raw_table(_write(tmp_path, b"id\n1\n2\n"), TableOptions())
    assert raw.frame["id"].tolist() == ["1", "2"]


def test_unsupported_suffix(tmp_path):
    with pytest.raises(InputError, match="unsupported file type '.txt'"):
        read_raw_table(_write(tmp_path, b"a\n1\n", "t.txt"), TableOptions())


def test_explicit_encoding_that_does_not_fit(tmp_path):
    path = _write(tmp_path, "Ålder\n1\n".encode("cp1252"))
    with pytest.raises(InputError, match="is not valid utf-8 text"):
        read_raw_table(path, TableOptions(encoding="utf-8"))


# --- map_headers ----------------------------------------------------------------------


def test_headers_match_ignoring_case_and_spacing(tmp_path):
    raw = read_raw_table(
        _write(tmp_path, "  Ålder , REGION,Kön\n1,2,3\n".encode()), TableOptions(delimiter=",")
    )
    options = TableOptions(columns={"ålder": "age", " kön  ": "gender"})
    found = map_headers(raw, options, ["age", "region"], optional=["gender", "year"])
    assert found.found == {"age": "Ålder", "region": "REGION", "gender": "Kön"}
    assert found.problems == []


def test_missing_header_suggests_the_closest(tmp_path):
    raw = read_raw_table(_write(tmp_path, b"Alder,x\n1,2\n"), TableOptions())
    options = TableOptions(columns={"Ålder": "age"})
    [problem] = map_headers(raw, options, ["age"]).problems
    assert str(problem) == (
        f"{raw.display}: row 1: no column for 'age'; expected a header 'Ålder' "
        "(mapped to 'age' under columns); closest header found: 'Alder'"
    )


def test_reserved_headers_are_skipped(tmp_path):
    raw = read_raw_table(_write(tmp_path, b"tasks,b\n1,2\n"), TableOptions())
    found = map_headers(raw, TableOptions(), [], optional=["tasks"], reserved=["TASKS"])
    assert found.found == {}


def test_text_key():
    assert text_key("  Hur många\nmånader  ") == "hur många månader"


# --- single cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("40,5", None, 40.5),
        ("40.5", None, 40.5),
        ("1 667", None, 1667.0),
        ("25\u00a0000", None, 25000.0),
        ("-3", None, -3.0),
        ("\u22123", None, -3.0),
        ("27 500,5", ",", 27500.5),
        ("25.000,5", ",", 25000.5),
        ("25,000.5", ".", 25000.5),
        ("7", ".", 7.0),
    ],
)
def test_parse_number(text, decimal, expected):
    assert parse_number(text, decimal) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "reason"),
    [
        ("fyrtio", None, "is not a number"),
        ("4 0", None, "is not a number"),
        ("1,5,3", None, "is not a number"),
        ("40.5", ",", "is not a number with decimal mark ','"),
        ("100 %", None, "is not a number"),
        ("", None, "is not a number"),
    ],
)
def test_parse_number_rejects(text, decimal, reason):
    with pytest.raises(ValueError) as caught:
        parse_number(text, decimal)
    assert str(caught.value) == reason


def test_parse_number_percent_and_int():
    assert parse_number("100 %", percent=True) == 100.0
    assert parse_number("75%", percent=True) == 75.0
    assert parse_int("43") == 43
    assert parse_int("43,0") == 43
    for bad in ("43,5", "fyrtio"):
        with pytest.raises(ValueError, match="is not a whole number"):
            parse_int(bad)


def test_parse_bool():
    assert [parse_bool(t) for t in ("Ja", "NEJ", "yes", "no", "1", "0", "True", "falskt")] == [
        True, False, True, False, True, False, True, False,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="is not a yes/no answer"):
        parse_bool("kanske")


def test_codes_accept_code_and_labels():
    lookup = code_lookup("gender")
    assert lookup["kvinna"] == "kvinna"
    assert lookup["woman"] == "kvinna"
    assert lookup["vill ej ange"] == "vill_ej_ange"


def test_map_codes_orders_by_codebook_and_deduplicates():
    lookup = code_lookup("tasks")
    order = ["stodsamtal", "grupper", "foredrag"]
    assert map_codes("Föreläsningar; stödsamtal;Föreläsningar;", lookup, ";", order) == [
        "stodsamtal",
        "foredrag",
    ]
    with pytest.raises(ValueError, match="has an unknown option 'Dans'"):
        map_codes("Stödsamtal|Dans", lookup, "|", order)


def test_match_choice():
    assert match_choice(" skåne ", ["Stockholm", "Skåne"]) == "Skåne"
    with pytest.raises(ValueError, match="is not a known region"):
        match_choice("Gotland", ["Skåne"], "region")


# --- columns --------------------------------------------------------------------------


def _cells(*texts: str | None) -> Cells:
    return Cells("f", "H", pd.Series(list(texts), dtype=object), [2 + i for i in range(len(texts))])


def test_to_float_locates_bad_cells_and_keeps_dtype():
    values, problems = to_float(_cells("1,5", None, "x", "x"), "a number")
    assert values.dtype == "float64"
    assert values.isna().tolist() == [False, True, True, True]
    assert [str(p) for p in problems] == [
        "f: row 4: column 'H': 'x' is not a number; expected a number",
        "f: row 5: column 'H': 'x' is not a number; expected a number",
    ]


def test_check_range_bounds():
    cells = _cells("0", "5", "10", None)
    values = pd.Series([0.0, 5.0, 10.0, float("nan")])
    assert check_range(values, cells, "0-10", low=0, high=10) == []
    problems = check_range(values, cells, "above 0 to 9", low=0, high=9, low_open=True)
    assert [p.row for p in problems] == [2, 4]


def test_check_unique_names_both_rows_and_skips_missing():
    cells = _cells("A", "B", "A", None, None, "A")
    problems = check_unique(cells.text, cells, lambda i: f"id {cells.text.iloc[i]!r}")
    assert [str(p) for p in problems] == [
        "f: row 4: column 'H': id 'A' is duplicated (also on row 2)",
        "f: row 7: column 'H': id 'A' is duplicated (also on row 2)",
    ]


def test_to_code_reports_mapped_text():
    values, problems = to_code(_cells("Kvinna", "Okänt"), "gender", {"okänt": "unknown"})
    assert values.tolist()[0] == "kvinna"
    assert [str(p) for p in problems] == [
        "f: row 3: column 'H': 'Okänt' (mapped to 'unknown') is not a known answer; expected "
        "one of kvinna, man, annat, vill_ej_ange (or a text mapped under values.gender)"
    ]


def test_remap_empty_target_means_missing_and_leaves_input_alone():
    cells = _cells("Vet ej", "3")
    mapped = remap(cells, {"vet ej": " "})
    assert mapped.text.tolist() == [None, "3"]
    assert cells.text.tolist() == ["Vet ej", "3"]


def test_to_ticks():
    values, problems = to_ticks(_cells("1", "x", "0", None, "Stödsamtal", "H", "?"), ["Stödsamtal"])
    assert values.astype(object).tolist()[:6] == [True, True, False, pd.NA, True, True]
    assert [p.row for p in problems] == [8]


def test_to_year_without_expected_year_checks_plausibility():
    values, problems = to_year(_cells("2021", "21", None), None)
    assert values.tolist()[0] == 2021
    assert sorted(str(p) for p in problems) == [
        "f: row 3: column 'H': '21' is out of range; expected a year from 1900 to 2100",
        "f: row 4: column 'H': is empty; expected a year such as 2021",
    ]


@pytest.mark.parametrize("text", ["1.000", "28.100", "29,500", "1 000.500", "-2,000"])
def test_a_single_mark_before_three_digits_is_ambiguous_in_counts_and_amounts(text):
    with pytest.raises(ValueError, match="is ambiguous: the '[.,]' may group thousands"):
        parse_number(text, refuse_ambiguous=True)
    with pytest.raises(ValueError, match="set decimal"):
        parse_int(text)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("28.1", None, 28.1),  # not three digits: a decimal mark
        ("0.500", None, 0.5),  # no thousands start with 0
        ("1234.000", None, 1234.0),  # four digits before the mark: not grouped
        ("28.100", ",", 28100.0),  # declared: the point groups thousands
        ("28.100", ".", 28.1),
    ],
)
def test_an_unambiguous_or_declared_mark_is_read(text, decimal, expected):
    assert parse_number(text, decimal, refuse_ambiguous=True) == expected


def test_without_refuse_ambiguous_a_mark_stays_decimal():
    # Percentages and months may well have three decimals.
    assert parse_number("0,750") == 0.75
    assert parse_number("1.000") == 1.0


def test_text_keys_compare_decomposed_and_composed_text_alike():
    import unicodedata

    assert text_key(unicodedata.normalize("NFD", "Skåne")) == text_key("skåne")
    assert match_choice(unicodedata.normalize("NFD", "Kön"), ["Kön"]) == "Kön"


def test_an_unknown_region_says_total_row_or_misspelling():
    with pytest.raises(ValueError, match="looks like a total row"):
        match_choice("Totalt", ["Skåne", "Halland"], "region")
    with pytest.raises(ValueError, match=r"a misspelling of 'Skåne'\?"):
        match_choice("Skane", ["Skåne", "Halland"], "region")
    with pytest.raises(ValueError, match=r"^is not a known region$"):
        match_choice("Gotland", ["Skåne", "Halland"], "region")


def test_unquoted_yaml_numbers_in_mappings_are_taken_as_text():
    options = TableOptions(columns={12: "region"}, values={"region": {12: "Skåne", 1.5: "x"}})
    assert options.columns == {"12": "region"}
    assert options.values == {"region": {"12": "Skåne", "1.5": "x"}}
    with pytest.raises(ValueError, match="YAML boolean here; quote the text"):
        TableOptions(values={"trained": {True: "ja"}})


# --- rows above the header, sheets, formulas, delimiters --------------------------------


def _csv_raw(tmp_path: Path, text: str, **options):
    return read_raw_table(_write(tmp_path, text.encode()), TableOptions(**options), "t")


def _refusal(tmp_path: Path, text: str, **options) -> str:
    with pytest.raises(InputError) as caught:
        _csv_raw(tmp_path, text, **options)
    return str(caught.value)


def test_leading_blank_rows_and_excel_sep_line_are_not_the_header(tmp_path):
    raw = _csv_raw(tmp_path, ";;\r\na;b\r\n1;2\r\n")
    assert list(raw.frame.columns) == ["a", "b"] and raw.rows == [3]
    raw = _csv_raw(tmp_path, "sep=,\r\na;x,b\r\n1;y,2\r\n")
    assert list(raw.frame.columns) == ["a;x", "b"] and raw.rows == [2]


def test_a_title_row_names_the_header_row_and_header_row_reads_it(tmp_path):
    text = "Enkät 2026\na;b\n1;2\n"
    assert _refusal(tmp_path, text) == (
        "t: row 1: holds only 'Enkät 2026', a title rather than a header row; the header "
        "seems to be row 2: set header_row: 2 in the input's options"
    )
    raw = _csv_raw(tmp_path, text, header_row=2)
    assert list(raw.frame.columns) == ["a", "b"] and raw.rows == [3]


def test_surveymonkeys_second_header_row_is_one_line_and_can_be_skipped(tmp_path):
    text = "Respondent ID,age,\n,Open-Ended Response,Stödsamtal\n1,43,Stödsamtal\n"
    assert _refusal(tmp_path, text) == (
        "t: row 2: looks like a second header row (SurveyMonkey's 'Response' / "
        "'Open-Ended Response'), not answers; set skip_rows: [2] in the input's options"
    )
    raw = _csv_raw(tmp_path, text, skip_rows=[2])
    assert raw.rows == [3] and raw.frame["age"].tolist() == ["43"]


@pytest.mark.parametrize(
    "header",
    [
        '"Respondent-ID, löpnummer\n(från verktyget)";region;age',
        'id;region;"Hur många procent, ungefär, av en heltid, i genomsnitt, per månad?"',
    ],
    ids=["quoted-line-break", "many-commas"],
)
def test_the_delimiter_is_detected_from_parsed_records_not_the_first_line(tmp_path, header):
    raw = _csv_raw(tmp_path, header + "\n1;Skåne;43\n2;Halland;50\n")
    assert raw.frame.shape == (2, 3)
    assert raw.frame.iloc[:, 1].tolist() == ["Skåne", "Halland"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_bom_never_stays_in_the_first_header(tmp_path, encoding):
    path = _write(tmp_path, "\ufeffa;b\n1;2\n".encode(encoding))
    raw = read_raw_table(path, TableOptions(encoding=encoding), "t")
    assert list(raw.frame.columns) == ["a", "b"]


def _book(tmp_path: Path, prepare) -> Path:
    book = openpyxl.Workbook()
    prepare(book)
    path = tmp_path / "t.xlsx"
    book.save(path)
    return path


def test_a_hidden_first_sheet_is_skipped(tmp_path):
    def prepare(book):
        old = book.active
        old.title = "Gammal"
        old.append(["a"])
        old.append(["old"])
        old.sheet_state = "hidden"
        new = book.create_sheet("Svar")
        new.append(["a"])
        new.append(["new"])

    raw = read_raw_table(_book(tmp_path, prepare), TableOptions(), "t")
    assert raw.frame["a"].tolist() == ["new"]


def test_a_sheet_without_the_columns_points_at_the_sheet_that_has_them(tmp_path):
    def prepare(book):
        book.active.title = "Info"
        book.active["A1"] = "Export från Netigate"
        answers = book.create_sheet("Svar")
        answers.append(["Ålder", "region"])
        answers.append([43, "Skåne"])

    options = TableOptions(columns={"Ålder": "age"})
    raw = read_raw_table(_book(tmp_path, prepare), options, "t")
    [problem] = map_headers(raw, options, ["age", "region"]).problems
    assert str(problem) == (
        "t: the worksheet read has no column for 'age', 'region', but worksheet 'Svar' has "
        "them; set sheet: 'Svar' in the input's options"
    )


def test_literal_percent_in_a_number_format_is_not_a_percentage(tmp_path):
    def prepare(book):
        sheet = book.active
        sheet.append(["quoted", "escaped", "percent"])
        sheet.append([75, 50, 0.25])
        sheet["A2"].number_format = '0" %"'
        sheet["B2"].number_format = "0\\%"
        sheet["C2"].number_format = "0%"

    raw = read_raw_table(_book(tmp_path, prepare), TableOptions(), "t")
    assert raw.frame.iloc[0].tolist() == ["75", "50", "25 %"]


def test_a_formula_computing_empty_text_is_a_value_and_unread_columns_are_not_checked(tmp_path):
    from hostile.make_corpus import _cell, _sheet, _xlsx

    rows = (
        '<row r="1">' + _cell("A1", "respondent_id") + _cell("B1", "region")
        + _cell("C1", "Kontroll") + '</row><row r="2">' + _cell("A2", "SU1")
        + '<c r="B2" t="str"><f>IF(A2="","x","")</f><v></v></c>'
        + '<c r="C2"><f>INDIRECT("x")</f></c></row>'
    )  # fmt: skip
    (tmp_path / "f.xlsx").write_bytes(_xlsx(_sheet(rows)))
    raw = read_raw_table(tmp_path / "f.xlsx", TableOptions(), "f.xlsx")
    assert raw.frame.iloc[0].tolist() == ["SU1", None, None]
    assert map_headers(raw, TableOptions(), ["respondent_id", "region"]).problems == []
    with pytest.raises(InputError) as caught:
        map_headers(raw, TableOptions(columns={"Kontroll": "age"}), ["age"])
    assert str(caught.value).startswith(
        "f.xlsx: row 2: column 'Kontroll': cell C2 holds a formula (=INDIRECT(\"x\")) without"
    )


def test_a_known_option_containing_the_delimiter_is_kept_whole():
    lookup = code_lookup("tasks")
    lookup[text_key("Gruppverksamhet (t.ex. återhämtningsguide, NECT)")] = "grupper"
    cell = "Stödsamtal, Gruppverksamhet (t.ex. återhämtningsguide, NECT), Föreläsningar"
    order = list(CATEGORIES["tasks"])
    assert map_codes(cell, lookup, ",", order) == ["stodsamtal", "grupper", "foredrag"]
    with pytest.raises(
        ValueError, match="unknown option 'Gruppverksamhet \\(t.ex. återhämtningsguide'"
    ):
        map_codes("Gruppverksamhet (t.ex. återhämtningsguide, NECT)", code_lookup("tasks"), ",",
                  order)  # fmt: skip


def test_limesurvey_y_and_n_are_ticks():
    cells = Cells("t", "tasks[SQ001]", pd.Series(["Y", "N", None], dtype=object), [2, 3, 4])
    ticks, problems = to_ticks(cells, ["stodsamtal"])
    assert ticks.tolist() == [True, False, pd.NA] and problems == []


def test_a_huge_cell_is_shortened_in_messages():
    cells = Cells("t", "region", pd.Series(["x" * 30_000], dtype=object), [2])
    _, [problem] = to_float(cells, "a number")
    assert len(str(problem)) < 200
    assert "(30 000 characters) is not a number" in str(problem)


def test_surveymonkeys_option_columns_are_named_by_question_and_option(tmp_path):
    # Before: with skip_rows: [2] every option column but the first had no header and its
    # answers were ignored: a respondent's three tasks came out as the first one only.
    text = (
        "Respondent ID,Vilka arbetsuppgifter har du?,,,Ålder\n"
        ",Stödsamtal,Gruppverksamhet,Föreläsningar,Response\n"
        "114,Stödsamtal,,Föreläsningar,43\n"
    )
    raw = _csv_raw(tmp_path, text, skip_rows=[2])
    assert list(raw.frame.columns) == [
        "Respondent ID",
        "Vilka arbetsuppgifter har du?: Stödsamtal",
        "Vilka arbetsuppgifter har du?: Gruppverksamhet",
        "Vilka arbetsuppgifter har du?: Föreläsningar",
        "Ålder",
    ]
    assert raw.frame.iloc[0].tolist() == ["114", "Stödsamtal", None, "Föreläsningar", "43"]


def test_a_column_without_a_header_that_holds_values_is_refused(tmp_path):
    # Before: the answers under an empty header were silently ignored.
    assert _refusal(tmp_path, "id,tasks,\n1,Stödsamtal,Föreläsningar\n2,,\n") == (
        "t: row 2: column C has no header in row 1 but holds 'Föreläsningar'; expected a "
        "header over every column with values: name it (for SurveyMonkey's second header "
        "row, which names the options of a multiple-choice question, set skip_rows to that "
        "row)"
    )
    assert list(_csv_raw(tmp_path, "id,tasks,\n1,Stödsamtal,\n").frame.columns) == [
        "id",
        "tasks",
        "",
    ]


def test_a_quote_never_closed_is_refused_not_read_as_one_cell_to_the_end(tmp_path):
    # Before: the quote opened on row 2 took the two rows after it into its excerpt, so
    # two coded segments vanished without a word.
    text = (
        "interview_id,theme,excerpt\n"
        'STO-01,roll,"Hon sa ja till allt\n'
        "STO-02,roll,Det var bra.\n"
        "STO-03,roll,Inget att tillägga.\n"
    )
    assert _refusal(tmp_path, text) == (
        "t: row 2: a quoted cell that starts on this row is never closed, so the 2 line(s) "
        'after it would be read as part of that one cell; expected a closing " (a stray '
        "quote, or a file cut off)"
    )
    assert _refusal(tmp_path, 'a,b\n1,"cut of').startswith("t: row 2: a quoted cell")
    # A closed quoted cell that ends in a line break, and a file without a final line
    # break, are read as they are.
    raw = _csv_raw(tmp_path, 'a,b\n1,"two\nlines\n"\n2,x')
    assert raw.frame["b"].tolist() == ["two\nlines", "x"]


def test_xlsx_escapes_of_control_characters_are_the_characters(tmp_path):
    # Before: Excel and XlsxWriter store a carriage return in a cell as _x000D_, and
    # openpyxl hands the escape over as text: a quote read "Ja._x000D_ Vi gick" in reports.
    book = openpyxl.Workbook()
    book.active.append(["interview_id", "excerpt"])
    # openpyxl writes the text as it is, so the file holds the escapes Excel writes.
    book.active.append(["STO-01", "Ja._x000D_\nVi gick vidare. Kod _x005F_x000D_ stod kvar."])
    path = tmp_path / "t.xlsx"
    book.save(path)
    raw = read_raw_table(path, TableOptions(), "t")
    assert raw.frame["excerpt"].tolist() == ["Ja.\r\nVi gick vidare. Kod _x000D_ stod kvar."]
