"""Tests for pipeline.readers.recommendations: recommendations and their follow-up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers.recommendations import (
    RECOMMENDATION_COLUMNS,
    read_recommendations,
    status_table,
)

REGIONS = ("Stockholm", "Skåne")

VALID = """\
recommendations:
  - id: STO-2017-1
    region: stockholm
    made: 2017
    text: {sv: "Tydliggör arbetsbeskrivningen", en: "Clarify the job description"}
    status: {2020: Delvis genomförd, 2018: kvarstar}
  - id: STO-2018-1
    region: Stockholm
    made: 2018
    text: {sv: "Säkra handledningen", en: "Secure supervision"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recommendations.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_reads_recommendations_with_status_by_round(tmp_path):
    frame = read_recommendations(_write(tmp_path, VALID), regions=REGIONS)

    assert list(frame.columns) == list(RECOMMENDATION_COLUMNS)
    assert frame["id"].tolist() == ["STO-2017-1", "STO-2018-1"]
    assert frame["region"].tolist() == ["Stockholm", "Stockholm"]
    assert frame["made"].tolist() == [2017, 2018]
    assert frame["made"].dtype == "int64"
    assert frame["text_en"].tolist() == ["Clarify the job description", "Secure supervision"]
    assert frame["status"].tolist() == [{2018: "kvarstar", 2020: "delvis"}, {}]
    assert list(frame.loc[0, "status"]) == [2018, 2020]  # in round order


def test_status_table_is_long(tmp_path):
    frame = read_recommendations(_write(tmp_path, VALID), regions=REGIONS)

    expected = pd.DataFrame(
        {
            "id": ["STO-2017-1", "STO-2017-1"],
            "region": ["Stockholm", "Stockholm"],
            "made": [2017, 2017],
            "year": [2018, 2020],
            "status": ["kvarstar", "delvis"],
        }
    ).astype({"id": "str", "region": "str", "status": "str"})
    pd.testing.assert_frame_equal(status_table(frame), expected)


def test_empty_list_gives_an_empty_table(tmp_path):
    frame = read_recommendations(_write(tmp_path, "recommendations: []\n"), regions=REGIONS)

    assert frame.empty
    assert status_table(frame).empty


def test_reports_every_problem_with_its_key_path(tmp_path):
    text = """\
recommendations:
  - id: STO-2017-1
    region: Uppsala
    made: 2017
    text: {sv: "A"}
    status: {2017: kvarstar, 2019: klar, "sen": delvis}
    owner: nämnden
  - id: sto-2017-1
    region: Skåne
    made: yes
    text: {sv: "B", en: "B"}
  - just text
"""
    with pytest.raises(InputError) as excinfo:
        read_recommendations(_write(tmp_path, text), regions=REGIONS, display="rec.yaml")

    assert _problems(excinfo) == [
        "rec.yaml: key 'recommendations[0].owner': unknown key 'owner'; expected one of id, "
        "region, made, text, status",
        "rec.yaml: key 'recommendations[0].region': 'Uppsala' is not a known region; expected "
        "one of Stockholm, Skåne",
        "rec.yaml: key 'recommendations[0].text.en': expected a non-empty text, found None",
        "rec.yaml: key 'recommendations[0].status.2017': a follow-up in 2017 is not after the "
        "year the recommendation was made (2017)",
        "rec.yaml: key 'recommendations[0].status.2019': 'klar' is not a status; expected one "
        "of kvarstar, delvis, genomford",
        "rec.yaml: key 'recommendations[0].status.sen': 'sen' is not a year; expected a round "
        "such as 2020",
        "rec.yaml: key 'recommendations[1].made': expected the year the recommendation was "
        "made, found True",
        "rec.yaml: key 'recommendations[1].id': duplicated id 'sto-2017-1' (first at "
        "recommendations[0])",
        "rec.yaml: key 'recommendations[2]': expected a mapping",
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = _write(tmp_path, "recommendations:\n  - id: A\n   region: Skåne\n")

    with pytest.raises(InputError) as excinfo:
        read_recommendations(path, regions=REGIONS, display="rec.yaml")

    [message] = _problems(excinfo)
    assert message.startswith("rec.yaml: YAML syntax error at line 3")


def test_top_level_must_be_the_recommendations_list(tmp_path):
    with pytest.raises(InputError) as excinfo:
        read_recommendations(
            _write(tmp_path, "rekommendationer: []\n"), regions=REGIONS, display="rec.yaml"
        )

    assert _problems(excinfo) == [
        "rec.yaml: key 'rekommendationer': unknown key 'rekommendationer'; expected one of "
        "recommendations",
        "rec.yaml: key 'recommendations': expected a list of recommendations",
    ]
