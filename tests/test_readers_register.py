"""Tests for pipeline.readers.register: the interview register."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.options import TableOptions
from pipeline.readers.register import read_register
from pipeline.schema import REGISTER_COLUMNS

REGIONS = ("Stockholm", "Skåne", "Örebro")


def _csv(tmp_path: Path, text: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_reads_codes_labels_and_sorts_by_id(tmp_path):
    path = _csv(
        tmp_path,
        "interview_id;year;region;group;form;participants;mode\n"
        "STO-02;2020;stockholm;Peer supportrar;Gruppintervju;6;Video\n"
        "STO-01;2020;Stockholm;enhetschef;individuell;1;fysiskt\n"
        "ORE-01;2020; örebro ;Service users;Individual interview;;Telephone\n",
    )

    frame = read_register(path, TableOptions(), regions=REGIONS, year=2020)

    expected = pd.DataFrame(
        {
            "interview_id": ["ORE-01", "STO-01", "STO-02"],
            "year": [2020, 2020, 2020],
            "region": ["Örebro", "Stockholm", "Stockholm"],
            "group": ["brukare", "enhetschef", "peer_supporter"],
            "form": ["individuell", "individuell", "grupp"],
            "participants": [1, 1, 6],
            "mode": ["telefon", "fysiskt", "video"],
        }
    )
    expected = expected.astype(
        {c: "str" for c in expected.columns if c not in ("year", "participants")}
    )
    assert list(frame.columns) == list(REGISTER_COLUMNS)
    pd.testing.assert_frame_equal(frame, expected)


def test_year_column_may_be_absent_when_the_year_is_given(tmp_path):
    path = _csv(
        tmp_path,
        "Intervju;Region;Grupp;Form;Deltagare;Sätt\nS1;Skåne;Medarbetare;Grupp;3;Sthlm-video\n",
    )
    options = TableOptions(
        columns={
            "Intervju": "interview_id",
            "Region": "region",
            "Grupp": "group",
            "Form": "form",
            "Deltagare": "participants",
            "Sätt": "mode",
        },
        values={"mode": {"sthlm-video": "video"}},
    )

    frame = read_register(path, options, regions=REGIONS, year=2018)

    assert frame.loc[0, "year"] == 2018
    assert frame.loc[0, "mode"] == "video"
    assert frame.loc[0, "group"] == "medarbetare"


def test_region_mapping_through_values(tmp_path):
    path = _csv(
        tmp_path,
        "interview_id,year,region,group,form,participants,mode\n"
        "S1,2019,Region Skåne,brukare,grupp,4,video\n",
    )
    options = TableOptions(values={"region": {"Region Skåne": "Skåne"}})

    frame = read_register(path, options, regions=REGIONS)

    assert frame["region"].tolist() == ["Skåne"]


def test_reads_xlsx(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(REGISTER_COLUMNS))
    sheet.append(["S1", 2020, "Skåne", "brukare", "grupp", 4.0, "video"])
    path = tmp_path / "register.xlsx"
    book.save(path)

    frame = read_register(path, TableOptions(), regions=REGIONS, year=2020)

    assert frame.loc[0, "participants"] == 4
    assert frame["year"].dtype == "int64"


def test_reports_every_bad_cell_with_row_and_column(tmp_path):
    path = _csv(
        tmp_path,
        "interview_id;year;region;group;form;participants;mode\n"
        "A;2020;Stockholm;brukare;individuell;2;video\n"  # individual with 2
        "a;2020;Uppsala;chef;grupp;0;brev\n"  # duplicate id, region, group, participants, mode
        ";2019;Skåne;brukare;grupp;;video\n",  # empty id, other year, empty participants
    )

    with pytest.raises(InputError) as excinfo:
        read_register(path, TableOptions(), regions=REGIONS, year=2020, display="reg.csv")

    assert _problems(excinfo) == [
        "reg.csv: row 2: column 'participants': '2': an individual interview has 1 "
        "participant; expected 1, or form 'grupp'",
        "reg.csv: row 3: column 'interview_id': interview_id 'a' is duplicated (also on row 2)",
        "reg.csv: row 3: column 'region': 'Uppsala' is not a known region; expected one of "
        "the regions Stockholm, Skåne, Örebro",
        "reg.csv: row 3: column 'group': 'chef' is not a known answer; expected one of "
        "enhetschef, medarbetare, peer_supporter, brukare (or a text mapped under values.group)",
        "reg.csv: row 3: column 'participants': '0' is out of range; expected a whole number >= 1",
        "reg.csv: row 3: column 'mode': 'brev' is not a known answer; expected one of fysiskt, "
        "telefon, video (or a text mapped under values.mode)",
        "reg.csv: row 4: column 'interview_id': is empty; expected a unique interview id",
        "reg.csv: row 4: column 'year': '2019' is another year; expected the year 2020",
        "reg.csv: row 4: column 'participants': is empty; expected a whole number >= 1",
    ]


def test_missing_columns_are_all_reported(tmp_path):
    path = _csv(tmp_path, "interview_id;region;group\nA;Skåne;brukare\n")

    with pytest.raises(InputError) as excinfo:
        read_register(path, TableOptions(), regions=REGIONS, display="reg.csv")

    messages = _problems(excinfo)
    assert len(messages) == 4  # year (no year given), form, participants, mode
    assert all(m.startswith("reg.csv: row 1: no column for") for m in messages)
    assert any("'year'" in m for m in messages)


def test_header_only_register_is_a_year_without_interviews(tmp_path):
    path = _csv(tmp_path, ",".join(REGISTER_COLUMNS) + "\n")

    frame = read_register(path, TableOptions(), regions=REGIONS, year=2020)

    assert list(frame.columns) == list(REGISTER_COLUMNS) and frame.empty
    assert str(frame["participants"].dtype) == "int64"


def test_year_required_without_a_given_year(tmp_path):
    path = _csv(
        tmp_path,
        "interview_id,year,region,group,form,participants,mode\n"
        "A,,Skåne,brukare,grupp,3,video\n"
        "B,20x0,Skåne,brukare,grupp,3,video\n",
    )

    with pytest.raises(InputError) as excinfo:
        read_register(path, TableOptions(), regions=REGIONS, display="reg.csv")

    messages = _problems(excinfo)
    assert messages[0] == "reg.csv: row 2: column 'year': is empty; expected a year such as 2021"
    assert messages[1].startswith("reg.csv: row 3: column 'year': '20x0' is not a whole number")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("karin.lind@kommun.se", "an e-mail address"),
        ("19850212-1232", "a personal identity or coordination number"),
        ("0701234567", "a phone number"),
        ("Karin Lind", "a person's name"),
    ],
)
def test_an_interview_id_that_is_personal_data_is_refused_without_its_value(tmp_path, value, kind):
    # A register kept by hand may name the interviewee; the id reaches every table.
    path = _csv(
        tmp_path,
        "interview_id,region,group,form,participants,mode\n"
        f"{value},Skåne,brukare,individuell,1,video\nSKA-02,Skåne,brukare,grupp,3,video\n",
    )
    with pytest.raises(InputError) as excinfo:
        read_register(path, TableOptions(), regions=REGIONS, year=2020, display="reg.csv")
    assert _problems(excinfo) == [
        f"reg.csv: row 2: column 'interview_id': looks like {kind} (not shown here); expected "
        "a unique interview id that is not personal data: a running number or a code, not a "
        "name, an e-mail address, or a phone or identity number"
    ]


def test_interview_ids_differing_in_case_or_spaces_are_duplicates(tmp_path):
    path = _csv(
        tmp_path,
        "interview_id,region,group,form,participants,mode\n"
        "SKA-01,Skåne,brukare,grupp,3,video\n ska-01 ,Skåne,brukare,grupp,3,video\n",
    )
    with pytest.raises(InputError) as excinfo:
        read_register(path, TableOptions(), regions=REGIONS, year=2020, display="reg.csv")
    assert _problems(excinfo) == [
        "reg.csv: row 3: column 'interview_id': interview_id 'ska-01' is duplicated (also on row 2)"
    ]


def test_a_register_of_every_year_keeps_the_params_years_and_ids_per_year(tmp_path):
    path = _csv(
        tmp_path,
        "interview_id,year,region,group,form,participants,mode\n"
        "INT-01,2016,Atlantis,okänd,grupp,3,video\n"  # not a params year: not even checked
        "INT-01,2019,Skåne,brukare,grupp,3,video\n"
        "INT-01,2020,Skåne,brukare,grupp,3,video\n",  # each round numbers from 1
    )
    frame = read_register(path, TableOptions(), regions=REGIONS, years=[2019, 2020])
    assert frame["year"].tolist() == [2019, 2020]
    with pytest.raises(InputError, match="no column for 'year'.*the path has no [{]year[}]"):
        read_register(
            _csv(tmp_path, "interview_id,region,group,form,participants,mode\n", "r2.csv"),
            TableOptions(),
            regions=REGIONS,
            years=[2019, 2020],
        )
