import pandas as pd
import pytest

from pipeline import followup as fu


def recommendations() -> pd.DataFrame:
    rows = [
        (
            "R10",
            "Stockholm",
            2017,
            "Förankra hos medarbetare",
            "Anchor with staff",
            {2018: "kvarstar", 2020: "kvarstar"},
        ),
        (
            "R2",
            "Stockholm",
            2017,
            "Höj lönen",
            "Raise the salary",
            {"2018": "kvarstar", "2020": "genomford"},
        ),
        ("R3", "Stockholm", 2018, "Skriv arbetsbeskrivning", "", {2020: "delvis"}),
        ("R4", "Stockholm", 2018, "Utbilda chefer", "Train managers", {}),
        ("R5", "Stockholm", 2020, "Ny <b>idé</b>", "New idea", {}),
        ("R6", "Stockholm", 2021, "Senare", "Later", {}),
        ("S1", "Skåne", 2017, "Annan region", "Other region", {2020: "kvarstar"}),
    ]
    return pd.DataFrame(rows, columns=["id", "region", "made", "text_sv", "text_en", "status"])


def test_recommendation_followup_states_what_changed() -> None:
    table = fu.recommendation_followup(recommendations(), "Stockholm", 2020, "sv")
    assert table["id"].tolist() == ["R2", "R10", "R3", "R4", "R5"]  # by year, natural id order
    change = table.set_index("id")["change"].to_dict()
    assert change == {
        "R2": "changed",
        "R10": "unchanged",
        "R3": "first",
        "R4": "not_followed",
        "R5": "new",
    }
    texts = table.set_index("id")["change_text"]
    assert texts["R2"] == "Ändrad från Kvarstår till Genomförd"
    assert texts["R10"] == "Oförändrad: Kvarstår"
    assert texts["R3"] == "Första uppföljningen: Delvis genomförd"
    rounds_ = table.set_index("id")[["2017", "2018", "2020"]]
    assert rounds_.loc["R2"].tolist() == ["Ny", "Kvarstår", "Genomförd"]
    assert rounds_.loc["R3"].tolist() == ["", "Ny", "Delvis genomförd"]
    assert rounds_.loc["R4"].tolist() == ["", "Ny", "–"]


def test_recommendation_followup_in_an_earlier_year_and_english() -> None:
    table = fu.recommendation_followup(recommendations(), "Stockholm", 2018, "en")
    assert table["id"].tolist() == ["R2", "R10", "R3", "R4"]
    assert list(table.columns[3:5]) == ["2017", "2018"]
    assert table.set_index("id").loc["R2", "change_text"] == "First follow-up: Still open"
    # an empty English text falls back to Swedish
    assert table.set_index("id").loc["R3", "text"] == "Skriv arbetsbeskrivning"


def test_recommendation_followup_rejects_unknown_status() -> None:
    recs = recommendations()
    recs.at[0, "status"] = {2018: "klar"}
    with pytest.raises(ValueError, match="R10: 2018='klar'"):
        fu.recommendation_followup(recs, "Stockholm", 2020)


def test_recommendation_followup_markdown_escapes_text() -> None:
    text = fu.recommendation_followup_markdown(recommendations(), "Stockholm", 2020, "sv")
    assert "| R5\\. Ny \\<b\\>idé\\<\\/b\\> | 2020 |  |  | Ny | Ny |" in text
    assert "Förändring sedan förra omgången" in text
    none = fu.recommendation_followup_markdown(recommendations(), "Norrland", 2020, "en")
    assert none == "There are no recommendations for Norrland up to 2020\\.\n"


def test_a_round_without_follow_up_keeps_its_column_and_is_named() -> None:
    text = fu.recommendation_followup_markdown(
        recommendations(), "Stockholm", 2020, "sv", all_rounds=[2017, 2018, 2019, 2020]
    )
    header = text.splitlines()[0]
    assert "| 2018 | 2019 \\(ingen datainsamling\\) | 2020 |" in header
    assert "följdes inte upp 2019\\, eftersom Stockholm inte hade någon intervjuomgång" in text
    plain = fu.recommendation_followup_markdown(recommendations(), "Stockholm", 2020, "sv")
    assert "2019" not in plain  # without the rounds nothing is invented
