"""Tests for pipeline.readers.population."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.options import TableOptions
from pipeline.readers.population import SWEDISH_POPULATION_COLUMNS, read_population
from pipeline.schema import REGIONS

EXPECTED = pd.DataFrame(
    {
        "year": pd.Series([2021, 2021, 2021], dtype="int64"),
        "region": pd.Series(["Stockholm", "Skåne", "Örebro"], dtype="str"),
        "target_population": pd.Series([8, 35, 1], dtype="int64"),
    }
)


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "population.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _lines(path: Path, options: TableOptions | None = None, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_population(path, options or TableOptions(), regions=REGIONS, display="p", **kwargs)
    return str(caught.value).splitlines()


def test_canonical_csv(tmp_path):
    path = _csv(tmp_path, "year,region,target_population\n2021,Stockholm,8\n2021,skåne,35\n"
                "2021, ÖREBRO ,1\n")  # fmt: skip
    got = read_population(path, TableOptions(), regions=REGIONS)
    pd.testing.assert_frame_equal(got, EXPECTED)


def test_swedish_cp1252_csv_without_year_column_takes_the_year(tmp_path):
    text = "Kontext;Målpopulation (n)\nStockholm;8\nSkåne;35\nÖrebro;1,0\n"
    path = _csv(tmp_path, text, encoding="cp1252")
    options = TableOptions(columns=SWEDISH_POPULATION_COLUMNS)
    got = read_population(path, options, regions=REGIONS, year=2021)
    pd.testing.assert_frame_equal(got, EXPECTED)


def test_xlsx_gives_the_same_table(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["År", "Kontext", "Målpopulation (n)"])
    for row in ([2021, "Stockholm", 8], [2021, "Skåne", 35], [None, None, None],
                [2021, "Örebro", 1]):  # fmt: skip
        book.active.append(row)
    path = tmp_path / "population.xlsx"
    book.save(path)
    options = TableOptions(columns=SWEDISH_POPULATION_COLUMNS)
    got = read_population(path, options, regions=REGIONS, year=2021)
    pd.testing.assert_frame_equal(got, EXPECTED)


def test_region_renamed_through_values(tmp_path):
    path = _csv(tmp_path, "year,region,target_population\n2021,Region Örebro län,1\n")
    options = TableOptions(values={"region": {"Region Örebro län": "Örebro"}})
    got = read_population(path, options, regions=REGIONS)
    assert got["region"].tolist() == ["Örebro"]


def test_every_problem_at_once(tmp_path):
    path = _csv(
        tmp_path,
        "year,region,target_population\n"
        "2021,Stockholm,8\n"
        "2021,Gotland,-3\n"
        "2020,Skåne,tio\n"
        '2021,STOCKHOLM,"2,5"\n'
        ",Skåne,\n",
    )
    assert _lines(path, TableOptions(decimal=","), year=2021) == [
        "p: row 3: column 'region': 'Gotland' is not a known region; expected one of the regions "
        "Stockholm, Skåne, Västra Götaland, Norrland, Jönköping, Örebro",
        "p: row 3: column 'target_population': '-3' is out of range; "
        "expected a whole number of people, 0 or more",
        "p: row 4: column 'year': '2020' is another year; expected the year 2021",
        "p: row 4: column 'target_population': 'tio' is not a whole number; "
        "expected a whole number of people, 0 or more",
        "p: row 5: column 'region': region 'Stockholm' in 2021 is duplicated (also on row 2)",
        "p: row 5: column 'target_population': '2,5' is not a whole number; "
        "expected a whole number of people, 0 or more",
        "p: row 6: column 'year': is empty; expected the year 2021",
        "p: row 6: column 'target_population': is empty; "
        "expected a whole number of people, 0 or more",
    ]


def test_same_region_in_two_years_is_fine_but_not_twice_in_one(tmp_path):
    path = _csv(tmp_path, "year,region,target_population\n2020,Skåne,30\n2021,Skåne,35\n")
    got = read_population(path, TableOptions(), regions=REGIONS)
    assert got["year"].tolist() == [2020, 2021]
    path = _csv(tmp_path, "year,region,target_population\n2021,Skåne,30\n2021,skåne,35\n")
    assert _lines(path) == [
        "p: row 3: column 'region': region 'Skåne' in 2021 is duplicated (also on row 2)"
    ]


def test_missing_columns_name_the_mapping(tmp_path):
    path = _csv(tmp_path, "Kontext,Antal\nSkåne,35\n")
    options = TableOptions(columns=SWEDISH_POPULATION_COLUMNS)
    assert _lines(path, options) == [
        "p: row 1: no column for 'year'; expected a header 'År' (mapped to 'year' under columns)",
        "p: row 1: no column for 'target_population'; expected a header 'Målpopulation (n)' "
        "(mapped to 'target_population' under columns)",
    ]


def test_header_only_and_empty(tmp_path):
    path = _csv(tmp_path, "year,region,target_population\n")
    assert _lines(path) == ["p: has a header but no data rows; expected one row per region"]
    path = _csv(tmp_path, "")
    assert _lines(path) == ["p: file is empty; expected a header row"]


def test_a_population_written_with_a_thousands_point_is_refused_as_ambiguous(tmp_path):
    path = _csv(tmp_path, "year;region;target_population\n2021;Skåne;1.000\n")
    assert _lines(path, year=2021) == [
        "p: row 2: column 'target_population': '1.000' is ambiguous: the '.' may group "
        'thousands or mark decimals; set decimal: "," or "." in the input\'s options, or '
        "write the number without it; expected a whole number of people, 0 or more"
    ]
    got = read_population(path, TableOptions(decimal=","), regions=REGIONS, year=2021)
    assert got["target_population"].tolist() == [1000]


def test_a_total_row_is_refused_naming_the_regions(tmp_path):
    path = _csv(tmp_path, "region,target_population\nSkåne,40\nTotalt,40\n")
    [line] = _lines(path, year=2021)
    assert line.startswith("p: row 3: column 'region': 'Totalt' looks like a total row, not")
    assert line.endswith("expected one of the regions " + ", ".join(REGIONS))


def test_the_reader_tells_where_each_row_came_from(tmp_path):
    path = _csv(tmp_path, "Kontext;Målpopulation (n)\n\nSkåne;40\n")
    got = read_population(
        path, TableOptions(columns=SWEDISH_POPULATION_COLUMNS), regions=REGIONS, year=2021,
        display="p",
    )  # fmt: skip
    assert got.attrs == {"file": "p", "rows": [3], "target_header": "Målpopulation (n)"}


def test_a_kommunkod_that_lost_its_leading_zero_names_the_mapping(tmp_path):
    # Before: a kommunkod typed as a number (114 for 0114) was only "not a known region",
    # though values.region maps "0114".
    book = openpyxl.Workbook()
    book.active.append(["Kommunkod", "target_population"])
    book.active.append([114, 5])
    path = tmp_path / "population.xlsx"
    book.save(path)
    options = TableOptions(
        columns={"Kommunkod": "region"}, values={"region": {"0114": "Upplands Väsby"}}
    )
    with pytest.raises(InputError) as caught:
        read_population(path, options, regions=["Upplands Väsby"], year=2024, display="p")
    assert str(caught.value) == (
        "p: row 2: column 'Kommunkod': '114' is not a known region (the mapping has '0114': "
        "the spreadsheet dropped the leading zero? format the column as text, or map '114' "
        "too); expected one of the regions Upplands Väsby"
    )
