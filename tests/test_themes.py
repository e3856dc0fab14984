"""Tests for the interview analysis (pipeline.analysis) and its text (pipeline.text).

Small hand-computed registers, segments and codebooks.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pypandoc
import pytest

from pipeline import report_text
from pipeline.analysis import Scope
from pipeline.analysis import interviews as iv
from pipeline.analysis import quotes as q
from pipeline.analysis import themes as th
from pipeline.disclosure import DEFAULT_INTERVIEW_K
from pipeline.text import interviews as iv_text
from pipeline.text import quotes as q_text
from pipeline.text import themes as th_text

REGISTER_COLUMNS = ["interview_id", "year", "region", "group", "form", "participants", "mode"]
SEGMENT_COLUMNS = ["interview_id", "theme", "factor", "excerpt"]
NO_SURVEY = pd.DataFrame({"region": pd.Series(dtype=str), "year": pd.Series(dtype=int)})


def at(
    region: str = "R", year: int = 2020, lang: str = "sv", k: int | None = None, per_theme: int = 2
) -> Scope:
    """A scope with the interview rule's k (None: every group broken down)."""
    return Scope(region=region, year=year, lang=lang, interview_k=k, quotes_per_theme=per_theme)


MEDIUM = (
    "Det betydde mycket att någon med egen erfarenhet tog sig tid att lyssna på mig "
    "och förstod hur det var"
)  # 21 words


def stockholm_2020() -> pd.DataFrame:
    """4 managers, 7 staff, 6 peer supporters in one group, 12 users in 8 + 1x4."""
    rows = [(f"C{i}", 2020, "Stockholm", "enhetschef", "individuell", 1, "video") for i in range(4)]
    rows += [
        (
            f"M{i}",
            2020,
            "Stockholm",
            "medarbetare",
            "individuell",
            1,
            "fysiskt" if i < 5 else "telefon",
        )
        for i in range(7)
    ]
    rows.append(("P1", 2020, "Stockholm", "peer_supporter", "grupp", 6, "fysiskt"))
    rows += [(f"B{i}", 2020, "Stockholm", "brukare", "individuell", 1, "fysiskt") for i in range(8)]
    rows.append(("BG", 2020, "Stockholm", "brukare", "grupp", 4, "fysiskt"))
    # Other rounds and regions must not leak into 2020 Stockholm.
    rows.append(("X17", 2017, "Stockholm", "brukare", "individuell", 1, "fysiskt"))
    rows.append(("Y20", 2020, "Skåne", "brukare", "grupp", 5, "video"))
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def codebook() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("roll", None, 1, "Yrkesroll", "Professional role", 2),
            ("roll.lon", "roll", 2, "Lön", "Salary", 1),
            ("impl", None, 1, "Implementering", "Implementation", 1),
            ("impl.intro", "impl", 2, "Introduktion", "Introduction", 2),
            ("impl.hand", "impl", 2, "Handledning", "Supervision", 1),
            ("bidrag", None, 1, "Bidrag", "Contribution", 3),
        ],
        columns=["id", "parent", "level", "label_sv", "label_en", "order"],
    )


def tables(
    register: pd.DataFrame, segments: pd.DataFrame, book: pd.DataFrame | None = None
) -> iv.InterviewData:
    """The interview tables with `codebook()` unless another is given."""
    return iv.InterviewData(register, segments, codebook() if book is None else book)


def small_register() -> pd.DataFrame:
    rows = [
        ("a1", 2020, "R", "medarbetare", "individuell", 1, "fysiskt"),
        ("a2", 2020, "R", "medarbetare", "individuell", 1, "fysiskt"),
        ("b1", 2020, "R", "brukare", "grupp", 5, "fysiskt"),
        ("c1", 2020, "R", "enhetschef", "individuell", 1, "telefon"),
    ]
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def small_segments() -> pd.DataFrame:
    rows = [
        ("a1", "impl.hand", "framjande", "s1"),
        ("a1", "impl.hand", "framjande", "s2"),
        ("a1", "impl.intro", "hindrande", "s3"),
        ("a2", "roll.lon", "hindrande", "s4"),
        ("b1", "impl", "neutral", "s5"),
        ("b1", "impl.hand", "framjande", "s6"),
        ("c1", "impl.hand", "hindrande", "s7"),
    ]
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


# --- method table -----------------------------------------------------------------------


def test_method_table_counts_persons_and_interviews_per_group() -> None:
    table = iv.method_table(stockholm_2020(), at("Stockholm"))
    assert table["group"].tolist() == [
        "enhetschef",
        "medarbetare",
        "peer_supporter",
        "brukare",
        "total",
    ]
    assert table["participants"].tolist() == [4, 7, 6, 12, 29]
    assert table["interviews"].tolist() == [4, 7, 1, 9, 21]
    assert table["individual"].tolist() == [4, 7, 0, 8, 19]
    assert table["group_interviews"].tolist() == [0, 0, 1, 1, 2]
    assert table["telefon"].tolist() == [0, 2, 0, 0, 2]
    assert table["video"].tolist() == [4, 0, 0, 0, 4]
    assert table["label"].tolist()[0] == "Enhetschefer"


def test_method_table_markdown_shows_counts_even_for_small_groups() -> None:
    text = iv_text.method_table_markdown(stockholm_2020(), at("Stockholm", lang="en", k=5))
    assert "| Unit managers | 4 | 4 | 0 | 4 | Video 4 |" in text
    assert "| Peer supporters | 1 | 0 | 1 | 6 | In person 1 |" in text
    assert "| Service users | 9 | 8 | 1 | 12 | In person 9 |" in text
    assert "| Total | 21 | 19 | 2 | 29 |" in text
    assert "Unit managers had fewer than 5 participants" in text
    assert "six persons" in text


def test_method_table_markdown_without_small_groups_has_no_suppression_note() -> None:
    text = iv_text.method_table_markdown(stockholm_2020(), at("Stockholm", k=4))
    assert "färre än" not in text
    assert "| Enhetschefer | 4 |" in text


def test_method_table_markdown_for_a_region_without_interviews_escapes_the_name() -> None:
    text = iv_text.method_table_markdown(stockholm_2020(), at("<b>Ort</b>", k=5))
    assert text == "Inga intervjuer finns för \\<b\\>Ort\\<\\/b\\> 2020\\.\n"


def test_rounds_table_of_a_region_without_interviews_says_what_its_figure_says() -> None:
    # The same sentence as the rounds figure's, so the section note names both at once.
    from pipeline.figures import themes as th_figures

    data = tables(small_register(), small_segments())
    text = th_text.themes_across_rounds_markdown(data, at("Annan", k=3))
    figure = th_figures.rounds_chart(th.disclose_across_rounds(data, at("Annan", k=3)), "sv")
    assert text == "Inga intervjuer att redovisa \\(ingen datainsamling\\)\\.\n"
    assert figure == "Inga intervjuer att redovisa (ingen datainsamling)."


def test_group_sizes_and_small_groups_count_persons() -> None:
    register = stockholm_2020()
    sizes = iv.group_sizes(register, at("Stockholm"))
    assert sizes.to_dict() == {
        "enhetschef": 4,
        "medarbetare": 7,
        "peer_supporter": 6,
        "brukare": 12,
    }
    assert iv.small_groups(register, at("Stockholm", k=5)) == ["enhetschef"]
    assert iv.small_groups(register, at("Stockholm", k=7)) == ["enhetschef", "peer_supporter"]
    assert iv.small_groups(register, at("Stockholm")) == []


def test_rounds_are_years_with_interviews_up_to_the_report_year() -> None:
    register = stockholm_2020()
    extra = pd.DataFrame(
        [
            ("Z18", 2018, "Stockholm", "brukare", "individuell", 1, "fysiskt"),
            ("Z21", 2021, "Stockholm", "brukare", "individuell", 1, "fysiskt"),
        ],
        columns=REGISTER_COLUMNS,
    )
    register = pd.concat([register, extra], ignore_index=True)
    assert iv.rounds(register, at("Stockholm")) == [2017, 2018, 2020]
    assert iv.rounds(register, at("Skåne")) == [2020]


# --- theme by group ---------------------------------------------------------------------


def test_theme_by_group_counts_interviews_and_segments_at_top_level() -> None:
    table = th.theme_by_group(tables(small_register(), small_segments()), at())
    got = {(r.theme, r.group): (r.mentioning, r.segments) for r in table.itertuples()}
    assert got[("impl", "medarbetare")] == (1, 3)  # a1 has three impl.* segments
    assert got[("roll", "medarbetare")] == (1, 1)
    assert got[("impl", "brukare")] == (1, 2)  # one coded at "impl" itself
    assert got[("impl", "enhetschef")] == (1, 1)
    assert got[("bidrag", "brukare")] == (0, 0)  # codebook themes without mentions stay
    # codebook order (impl 1, roll 2, bidrag 3), then group order
    assert table["theme"].drop_duplicates().tolist() == ["impl", "roll", "bidrag"]
    assert table["group"].drop_duplicates().tolist() == ["enhetschef", "medarbetare", "brukare"]
    share = table.set_index(["theme", "group"])["share"]
    assert share[("impl", "medarbetare")] == pytest.approx(50.0)
    assert not table["suppressed"].any()


def test_theme_by_group_level_two_keeps_segments_coded_at_top_level() -> None:
    table = th.theme_by_group(tables(small_register(), small_segments()), at(), level=2)
    themes = table["theme"].drop_duplicates().tolist()
    assert themes == ["impl", "impl.hand", "impl.intro", "roll.lon"]
    got = table.set_index(["theme", "group"])["mentioning"]
    assert got[("impl.hand", "medarbetare")] == 1
    assert got[("impl", "brukare")] == 1
    assert got[("impl.intro", "brukare")] == 0


def test_theme_by_group_suppresses_groups_below_k() -> None:
    table = th.theme_by_group(tables(small_register(), small_segments()), at(k=2))
    managers = table.loc[table["group"] == "enhetschef"]
    assert managers["suppressed"].all()
    assert managers["mentioning"].isna().all() and managers["segments"].isna().all()
    users = table.loc[(table["group"] == "brukare") & (table["theme"] == "impl")]
    assert users["mentioning"].tolist() == [1]  # 5 persons in one group interview: shown


def test_theme_by_group_markdown_totals_cover_only_reported_groups() -> None:
    text = th_text.theme_by_group_markdown(tables(small_register(), small_segments()), at(k=2))
    # "n = 1" with no-break spaces: a narrow column head never breaks it apart.
    header = (
        "| Tema | Enhetschefer \\(n\u00a0\\=\u00a01\\) | Medarbetare \\(n\u00a0\\=\u00a02\\) "
        "| Brukare \\(n\u00a0\\=\u00a01\\)"
    )
    assert header in text
    assert "| Samtliga \\(n\u00a0\\=\u00a03\\) | Kodade segment |" in text
    # impl: managers suppressed; staff 1, users 1 -> total 2, segments 3 + 2 = 5 (not 6)
    assert "| Implementering | –\\* | 1 | 1 | 2 | 5 |" in text  # one mark everywhere
    assert "färre än 2 personer" in text and "markeras –\\*" in text


def test_theme_by_group_rejects_unknown_theme_ids() -> None:
    segments = pd.concat(
        [
            small_segments(),
            pd.DataFrame([("a1", "okand.tema", "neutral", "x")], columns=SEGMENT_COLUMNS),
        ]
    )
    with pytest.raises(ValueError, match="okand.tema"):
        th.theme_by_group(tables(small_register(), segments), at())


def test_theme_labels_in_english_and_escaped_in_markdown() -> None:
    book = codebook()
    book.loc[book["id"] == "impl", "label_en"] = "Impl <i>|x|</i>"
    text = th_text.theme_by_group_markdown(
        tables(small_register(), small_segments(), book), at(lang="en", k=1)
    )
    assert "| Impl \\<i\\>\\|x\\|\\<\\/i\\> |" in text
    assert "Professional role" in text


# --- factors ----------------------------------------------------------------------------


def test_factors_by_theme_counts_promoting_and_hindering_segments() -> None:
    table = th.factors_by_theme(tables(small_register(), small_segments()), at())
    got = table.set_index("theme")[["framjande", "hindrande", "neutral", "segments"]]
    assert got.loc["impl"].tolist() == [3, 2, 1, 6]
    assert got.loc["roll"].tolist() == [0, 1, 0, 1]
    assert got.loc["bidrag"].tolist() == [0, 0, 0, 0]


def test_factors_by_theme_leaves_out_small_groups() -> None:
    table = th.factors_by_theme(tables(small_register(), small_segments()), at(k=2))
    assert table.set_index("theme").loc["impl", "hindrande"] == 1  # c1's segment left out


def test_factors_of_a_year_without_interviews_say_no_data_collection_not_too_small() -> None:
    data = tables(small_register(), small_segments())
    none_held = th.disclose_factors(data, at(year=2019, k=3))
    assert not none_held.withheld and none_held.table.empty
    assert th_text.factors_table(none_held, at(year=2019, k=3)) == (
        "Inga intervjuer att redovisa \\(ingen datainsamling\\)\\.\n"
    )
    # Interviews held but every group below the rule: withheld, for that reason.
    too_small = th.disclose_factors(data, at(k=6))
    assert too_small.withheld and too_small.reason == "interviews"
    assert "ingen datainsamling" not in th_text.factors_table(too_small, at(k=6))


def test_main_factors_rank_level_two_themes_with_ties_in_codebook_order() -> None:
    segments = pd.DataFrame(
        [
            ("a1", "impl.intro", "framjande", "x1"),
            ("a2", "impl.hand", "framjande", "x2"),
            ("a1", "impl.intro", "hindrande", "x3"),
            ("a2", "impl.intro", "hindrande", "x4"),
            ("a2", "impl.hand", "hindrande", "x5"),
        ],
        columns=SEGMENT_COLUMNS,
    )
    factors = th.main_factors(tables(small_register(), segments), at(), top=1)
    got = {(r.theme, r.factor): (r.subtheme, r.segments) for r in factors.itertuples()}
    # a 1-1 tie for promoting goes to impl.hand (order 1 before impl.intro's 2)
    assert got == {
        ("impl", "framjande"): ("impl.hand", 1),
        ("impl", "hindrande"): ("impl.intro", 2),
    }


def test_factors_markdown_lists_main_factors() -> None:
    text = th_text.factors_by_theme_markdown(tables(small_register(), small_segments()), at(k=1))
    assert "| Implementering | 3 | 2 | 1 | 6 |" in text
    # Each direction names its total from the table, so listed counts add up to it.
    assert (
        "- **Implementering**: främjande \\(3 segment\\): Handledning (3); "
        "hindrande \\(2 segment\\): Handledning (1) och Introduktion (1)"
    ) in text
    assert "- **Yrkesroll**: främjande \\(0 segment\\); hindrande \\(1 segment\\): Lön (1)" in text
    assert "@tbl-factors redovisar alla kodade segment" in text  # the list says it is short


def test_factor_bullet_counts_the_rest_in_the_right_number() -> None:
    # One promoting segment coded on the theme itself: "1 segment", not "1 segments".
    segments = pd.DataFrame(
        [("a1", "impl.hand", "framjande", "x1"), ("a1", "impl", "framjande", "x2")],
        columns=SEGMENT_COLUMNS,
    )
    data = tables(small_register(), segments)
    english = th_text.factors_by_theme_markdown(data, at(lang="en"))
    assert "Supervision (1) and 1 segment on other factors or the theme as a whole" in english
    assert "1 segments" not in english
    segments.loc[2] = ("a2", "impl", "framjande", "x3")
    english = th_text.factors_by_theme_markdown(tables(small_register(), segments), at(lang="en"))
    assert "and 2 segments on other factors" in english


# --- rounds -----------------------------------------------------------------------------


def rounds_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    register = pd.DataFrame(
        [
            (f"{y}-{i}", y, "R", "brukare", "individuell", 1, "fysiskt")
            for y in (2017, 2018, 2020)
            for i in range(10)
        ],
        columns=REGISTER_COLUMNS,
    )
    # impl: 2/10 -> 5/10 -> 8/10 (grew 60 pp); roll: 5 -> 5 -> 4 (stable -10);
    # bidrag: 5 -> 3 -> 3 (-20: faded).
    counts = {"impl.hand": (2, 5, 8), "roll.lon": (5, 5, 4), "bidrag": (5, 3, 3)}
    rows = []
    for theme, per_year in counts.items():
        for year, n in zip((2017, 2018, 2020), per_year, strict=True):
            rows += [(f"{year}-{i}", theme, "neutral", "t") for i in range(n)]
    return register, pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def test_themes_across_rounds_shares_and_trends() -> None:
    register, segments = rounds_data()
    across = th.themes_across_rounds(tables(register, segments), at(), years=[2020, 2017, 2018])
    shares = across.set_index(["theme", "year"])["share"]
    assert shares[("impl", 2017)] == pytest.approx(20.0)
    assert shares[("impl", 2020)] == pytest.approx(80.0)
    assert shares[("roll", 2018)] == pytest.approx(50.0)
    trends = th.classify_trends(across).set_index("theme")
    assert trends.loc["impl", "trend"] == "grew"
    assert trends.loc["roll", "trend"] == "stable"
    assert trends.loc["bidrag", "trend"] == "faded"
    assert trends.loc["bidrag", "change"] == pytest.approx(-20.0)
    assert trends.loc["impl", "trend_label"] == "Ökat"


def test_trend_threshold_is_inclusive() -> None:
    across = pd.DataFrame(
        {
            "theme": ["a", "a", "b", "b"],
            "label": ["A", "A", "B", "B"],
            "year": [2017, 2020, 2017, 2020],
            "share": [10.0, 25.0, 10.0, 24.9],
        }
    )
    trends = th.classify_trends(across, threshold=15, lang="en").set_index("theme")
    assert trends.loc["a", "trend_label"] == "Increased"
    assert trends.loc["b", "trend"] == "stable"


def test_single_round_has_no_trend() -> None:
    register, segments = rounds_data()
    across = th.themes_across_rounds(tables(register, segments), at(), years=[2017])
    assert th.classify_trends(across)["trend"].isna().all()
    text = th_text.themes_across_rounds_markdown(tables(register, segments), at(year=2017))
    assert "Endast en omgång med intervjuer \\(2017\\)" in text


def test_single_round_with_interviews_after_a_survey_only_round_says_with_interviews() -> None:
    # 2019 had the survey only: the report is the second round, and the rounds table
    # (one column, 2020) must not read as if the evaluation had a single round.
    register = pd.DataFrame(
        [("x1", 2020, "R", "brukare", "individuell", 1, "fysiskt")], columns=REGISTER_COLUMNS
    )
    segments = pd.DataFrame([("x1", "impl", "neutral", "s1")], columns=SEGMENT_COLUMNS)
    text = th_text.themes_across_rounds_markdown(
        tables(register, segments), at(lang="en"), all_rounds=[2019, 2020]
    )
    assert "Only one round with interviews \\(2020\\)" in text


def test_themes_across_rounds_markdown_states_the_threshold() -> None:
    register, segments = rounds_data()
    text = th_text.themes_across_rounds_markdown(tables(register, segments), at(lang="en"))
    assert (
        "| Theme | 2017 \\(n\u00a0\\=\u00a010\\) | 2018 \\(n\u00a0\\=\u00a010\\) "
        "| 2020 \\(n\u00a0\\=\u00a010\\) | Trend |" in text
    )
    assert "| Implementation | 20\\% | 50\\% | 80\\% | Increased |" in text
    assert "at least 15 percentage points" in text
    # the report year bounds the rounds
    text_2018 = th_text.themes_across_rounds_markdown(
        tables(register, segments), at(year=2018, lang="en")
    )
    assert "2020" not in text_2018


# --- quotes -----------------------------------------------------------------------------

STOCKHOLM = at("Stockholm", k=5)  # managers (4 persons) give no quotes


def quote_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    register = stockholm_2020()
    rows = []
    for index, interview in enumerate(["M0", "M1", "M2", "B0", "B1", "BG", "P1", "C0", "C1"]):
        for theme in ("impl.hand", "roll.lon"):
            rows.append((interview, theme, "framjande", f"{MEDIUM} ({interview} {theme} {index})"))
    rows.append(("B2", "impl.intro", "hindrande", "Kort."))
    return register, pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def test_quote_selection_is_deterministic_and_independent_of_row_order() -> None:
    register, segments = quote_data()
    first = q.select_quotes(tables(register, segments), STOCKHOLM, seed=7)
    shuffled = segments.sample(frac=1, random_state=3).reset_index(drop=True)
    second = q.select_quotes(tables(register.iloc[::-1], shuffled), STOCKHOLM, seed=7)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) == 4  # two themes x two quotes


def test_quote_selection_is_the_same_in_another_process() -> None:
    register, segments = quote_data()
    here = q.select_quotes(tables(register, segments), STOCKHOLM, seed=7)["quote"].tolist()
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import test_themes as t; "
        "from pipeline.analysis import quotes as q; r, s = t.quote_data(); "
        "print(json.dumps(q.select_quotes(t.tables(r, s), t.STOCKHOLM, seed=7)['quote'].tolist()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, os.path.dirname(__file__)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    import json

    assert json.loads(out.stdout) == here


def test_seed_changes_the_selection() -> None:
    register, segments = quote_data()
    picks = {
        tuple(q.select_quotes(tables(register, segments), STOCKHOLM, seed=s)["quote"])
        for s in range(6)
    }
    assert len(picks) > 1


def test_quotes_spread_across_groups_and_prefer_medium_length() -> None:
    register = stockholm_2020()
    segments = pd.DataFrame(
        [
            ("B0", "impl.hand", "framjande", MEDIUM + " ett"),
            ("B1", "impl.hand", "framjande", MEDIUM + " två"),
            ("B2", "impl.hand", "framjande", MEDIUM + " tre"),
            ("M0", "impl.hand", "framjande", "Kort svar."),
            ("M1", "impl.hand", "framjande", MEDIUM + " fyra"),
        ],
        columns=SEGMENT_COLUMNS,
    )
    quotes = q.select_quotes(tables(register, segments), STOCKHOLM, seed=1)
    assert sorted(quotes["group"]) == ["brukare", "medarbetare"]
    assert "Kort svar." not in quotes["quote"].tolist()  # a medium-length staff quote exists


def test_quotes_of_groups_below_k_never_appear() -> None:
    register, segments = quote_data()
    quotes = q.select_quotes(tables(register, segments), at("Stockholm", k=5, per_theme=10))
    assert "enhetschef" not in set(quotes["group"])  # 4 managers < 5
    assert "peer_supporter" in set(quotes["group"])  # one group interview of 6 persons
    text = q_text.quotes_markdown(tables(register, segments), at("Stockholm", k=5, per_theme=10))
    assert "C0" not in text and "C1" not in text
    # the method table says once per report why a group gives no quotes
    assert "Enhetschefer hade färre än 5 deltagare" not in text
    # with k = 4 the managers' quotes may be shown
    quotes4 = q.select_quotes(tables(register, segments), at("Stockholm", k=4, per_theme=10))
    assert "enhetschef" in set(quotes4["group"])


def test_quotes_carry_no_ids_and_are_pseudonymised() -> None:
    register = stockholm_2020()
    segments = pd.DataFrame(
        [("B0", "impl.hand", "framjande", "Karin ringde från 070-123 45 67 till mig.")],
        columns=SEGMENT_COLUMNS,
    )
    quotes = q.select_quotes(
        tables(register, segments), at("Stockholm", lang="en", k=5), names=["Karin"]
    )
    assert list(quotes.columns) == [
        "theme",
        "theme_label",
        "group",
        "group_label",
        "factor",
        "quote",
    ]
    assert quotes["quote"].tolist() == ["[name] ringde från [phone] till mig."]
    assert quotes["group_label"].tolist() == ["Service users"]
    text = q_text.quotes_markdown(tables(register, segments), STOCKHOLM, names=["Karin"])
    assert "Karin" not in text and "B0" not in text
    assert "> \\[namn\\] ringde från \\[telefon\\] till mig\\.\n>\n> — Brukare\n" in text


@pytest.mark.parametrize(("lang", "said_by"), [("sv", "Enhetschef"), ("en", "Unit manager")])
def test_a_quote_is_attributed_to_one_person_of_its_group(lang, said_by) -> None:
    # One manager said it: "— Enhetschefer" (the group's label) read as if all had.
    register = stockholm_2020()
    segments = pd.DataFrame([("C0", "impl.hand", "framjande", MEDIUM)], columns=SEGMENT_COLUMNS)
    text = q_text.quotes_markdown(tables(register, segments), at("Stockholm", lang=lang, k=3))
    assert text.endswith(f">\n> — {said_by}\n")


def test_quotes_in_an_english_report_are_marked_swedish() -> None:
    # Before: a screen reader read the Swedish quotes with the English voice, and Typst
    # hyphenated them by English rules (WCAG 3.1.2 language of parts).
    register = stockholm_2020()
    segments = pd.DataFrame(
        [("B0", "impl.hand", "framjande", "Det är en bra fråga.")], columns=SEGMENT_COLUMNS
    )
    english = q_text.quotes_markdown(tables(register, segments), at("Stockholm", lang="en", k=5))
    html = pypandoc.convert_text(english, "html", format="markdown")
    assert '<div lang="sv">\n<p>Det är en bra fråga.</p>\n</div>' in html
    assert "<p>— Service user</p>" in html  # the attribution is the report's language
    typst = pypandoc.convert_text(english, "typst", format="markdown")
    assert '#set text(lang: "sv"); Det är en bra fråga.' in typst
    swedish = q_text.quotes_markdown(tables(register, segments), STOCKHOLM)
    assert "lang=" not in swedish


def test_quote_themes_use_codebook_labels_and_order() -> None:
    register, segments = quote_data()
    quotes = q.select_quotes(tables(register, segments), STOCKHOLM)
    assert quotes["theme"].drop_duplicates().tolist() == ["impl", "roll"]
    assert quotes["theme_label"].drop_duplicates().tolist() == ["Implementering", "Yrkesroll"]


HOSTILE = [
    "<script>alert(1)</script>",
    '#read("/etc/passwd")',
    "[x](javascript:alert(1))",
    "```{=html}\n<b>raw</b>\n```",
    "# Rubrik",
]


def test_hostile_quote_text_is_escaped_and_renders_literally() -> None:
    register = stockholm_2020()
    segments = pd.DataFrame(
        [(f"B{i}", "impl.hand", "framjande", text) for i, text in enumerate(HOSTILE)],
        columns=SEGMENT_COLUMNS,
    )
    text = q_text.quotes_markdown(tables(register, segments), at("Stockholm", k=5, per_theme=10))
    assert "\\<script\\>alert\\(1\\)\\<\\/script\\>" in text
    assert '\\#read\\(\\"\\/etc\\/passwd\\"\\)' in text
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in text
    assert "\\{\\=html\\}" in text
    html = pypandoc.convert_text(text, "html", format="markdown")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<a " not in html and "[x](javascript:alert(1))" in html
    assert "<b>raw</b>" not in html and "<h1" not in html
    assert '#read("/etc/passwd")' in html.replace("&quot;", '"')
    assert html.count("<blockquote>") == len(HOSTILE)


def test_no_quotes_message() -> None:
    register = stockholm_2020()
    empty = pd.DataFrame(columns=SEGMENT_COLUMNS)
    text = q_text.quotes_markdown(tables(register, empty), at("Stockholm", lang="en", k=1))
    assert text == "No quotes can be shown\\.\n"


def test_no_quotes_say_why_when_nothing_was_collected_or_every_group_is_small() -> None:
    # "No quotes can be shown" in a year without interviews would read as withheld quotes.
    data = tables(small_register(), small_segments())
    none_held = q_text.quotes_markdown(data, at(year=2019, k=3))
    assert (
        none_held
        == "Inga citat\\, eftersom inga intervjuer gjordes 2019 \\(ingen datainsamling\\)\\.\n"
    )
    too_small = q_text.quotes_markdown(data, at(lang="en", k=6))
    assert too_small == (
        "No quotes are shown\\, because no respondent group had at least 6 participants\\.\n"
    )


# --- the interview rule with its defaults (issue 11) ------------------------------------

IK = DEFAULT_INTERVIEW_K


def seed_like() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stockholm 2020 as in the seed (4 / 7 / 6 / 12): every interview codes two themes."""
    register, segments = stockholm_2020(), []
    for interview in register.loc[register["year"] == 2020, "interview_id"]:
        segments.append((interview, "impl.hand", "framjande", f"{MEDIUM} ({interview} a)"))
        segments.append((interview, "roll.lon", "hindrande", f"{MEDIUM} ({interview} b)"))
    return register, pd.DataFrame(segments, columns=SEGMENT_COLUMNS)


def _cells(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|") and not set(line) <= set("|:- ")
    ]


def test_the_default_interview_k_is_small_enough_for_the_seed_and_protects_pairs() -> None:
    assert IK == 3  # 4 / 7 / 6 / 12 all reach it; a group of 1 or 2 never does


def test_seed_like_stockholm_shows_themes_factors_and_quotes_for_every_group() -> None:
    register, segments = seed_like()
    table = th_text.theme_by_group_markdown(tables(register, segments), at("Stockholm", k=IK))
    rows = _cells(table)
    assert rows[0][1:5] == [
        "Enhetschefer \\(n\u00a0\\=\u00a04\\)",
        "Medarbetare \\(n\u00a0\\=\u00a07\\)",
        "Peer supportrar \\(n\u00a0\\=\u00a01\\)",
        "Brukare \\(n\u00a0\\=\u00a09\\)",
    ]
    assert "–\\*" not in table and "Samtliga \\(n\u00a0\\=\u00a021\\)" in table
    factors = th_text.factors_table_markdown(tables(register, segments), at("Stockholm", k=IK))
    assert "| Implementering | 21 | 0 | 0 | 21 |" in factors
    listed = th_text.main_factors_markdown(tables(register, segments), at("Stockholm", k=IK))
    assert "Handledning (21)" in listed and "Lön (21)" in listed
    quotes = q.select_quotes(tables(register, segments), at("Stockholm", k=IK, per_theme=8))
    assert set(quotes["group"]) == {"enhetschef", "medarbetare", "peer_supporter", "brukare"}
    # Text and tables agree: the summary's segments are the table's coded segments.
    summary = report_text.interview_status_markdown(
        register, segments, codebook(), NO_SURVEY, "Stockholm", 2020, "sv", IK
    )
    segment_total = sum(int(r[-1]) for r in rows[1:])
    coded_themes = sum(int(r[-1]) > 0 for r in rows[1:])
    assert f"kodades i {segment_total} segment inom {coded_themes} av" in summary
    assert "21 intervjuer med sammanlagt 29 deltagare" in summary


def test_a_theme_coded_at_theme_level_only_keeps_its_factor_bullet() -> None:
    # Stockholm 2020 of the demo: one hindering segment on gender, coded at theme level;
    # the factor table counted it and the bullets below the table left the theme out.
    theme_level = pd.DataFrame([("c1", "bidrag", "hindrande", "s8")], columns=SEGMENT_COLUMNS)
    segments = pd.concat([small_segments(), theme_level], ignore_index=True)
    listed = th_text.main_factors_markdown(tables(small_register(), segments), at())
    bullets = [line for line in listed.splitlines() if line.startswith("- ")]
    assert [b.split("**")[1] for b in bullets] == ["Implementering", "Yrkesroll", "Bidrag"]
    assert bullets[2] == (
        "- **Bidrag**: främjande \\(0 segment\\); "
        "hindrande \\(1 segment\\): 1 segment om andra faktorer eller temat i stort"
    )


def small_groups_register() -> pd.DataFrame:
    rows = [
        ("c1", 2020, "R", "enhetschef", "individuell", 1, "telefon"),  # a group of one
        ("m1", 2020, "R", "medarbetare", "individuell", 1, "video"),  # a group of two
        ("m2", 2020, "R", "medarbetare", "individuell", 1, "video"),
        ("b1", 2020, "R", "brukare", "grupp", 3, "fysiskt"),  # exactly interview_k
    ]
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def small_groups_segments() -> pd.DataFrame:
    rows = [(i, "impl.hand", "framjande", f"{MEDIUM} ({i})") for i in ("c1", "m1", "m2", "b1")]
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def test_groups_of_one_and_two_are_never_broken_down() -> None:
    register, segments = small_groups_register(), small_groups_segments()
    table = th_text.theme_by_group_markdown(tables(register, segments), at(k=IK))
    impl = next(r for r in _cells(table) if r[0] == "Implementering")
    assert impl == ["Implementering", "–\\*", "–\\*", "1", "1", "1"]  # only the users' count
    assert "Samtliga \\(n\u00a0\\=\u00a01\\)" in table and "markeras –\\*" in table
    frame = th.theme_by_group(tables(register, segments), at(k=IK))
    assert frame.loc[frame["group"] != "brukare", "mentioning"].isna().all()
    quotes = q.select_quotes(tables(register, segments), at(k=IK, per_theme=9))
    assert set(quotes["group"]) == {"brukare"}
    # interview_k = 1 still never attributes a quote to the group of one
    loose = q.select_quotes(tables(register, segments), at(k=1, per_theme=9))
    assert set(loose["group"]) == {"medarbetare", "brukare"}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_region_without_a_publishable_group_says_why_and_shows_no_zeros(lang) -> None:
    register = small_groups_register().iloc[:3]  # only the groups of one and two
    segments = small_groups_segments().iloc[:3]
    args = (tables(register, segments), at(lang=lang, k=IK))
    withheld = th_text.theme_by_group_markdown(*args)
    assert "n \\= 0" not in withheld and "|" not in withheld
    assert withheld.count(".") == 1  # one sentence
    assert th_text.factors_table_markdown(*args) == withheld
    assert th_text.main_factors_markdown(*args) == ""  # the factor table already says why
    assert th_text.factors_by_theme_markdown(*args) == withheld
    rounds = th_text.themes_across_rounds_markdown(*args)
    assert rounds == withheld
    summary = report_text.interview_status_markdown(
        register, segments, codebook(), NO_SURVEY, "R", 2020, lang, IK
    )
    assert "segment" not in summary  # no coding count for groups the tables withhold
    quotes = q_text.quotes_markdown(tables(register, segments), at(lang=lang, k=IK, per_theme=5))
    assert MEDIUM[:20] not in quotes


def test_english_quotes_say_once_that_they_are_in_swedish() -> None:
    register, segments = quote_data()
    english = q_text.quotes_markdown(tables(register, segments), at("Stockholm", lang="en", k=5))
    swedish = q_text.quotes_markdown(tables(register, segments), STOCKHOLM)
    note = "Quotes are given in the original Swedish\\, as they were said\\.\n"
    assert english.startswith(note) and english.count(note) == 1
    body = english.removeprefix(note + "\n").replace("> ::: {lang=sv}\n", "").replace("> :::\n", "")
    assert body.count(">") == swedish.count(">")  # the same quotes, marked Swedish
    assert "original" not in swedish


# --- tables disclosed once, shown, drawn and described --------------------------------


@pytest.mark.parametrize("k", [None, 2, 6])
def test_text_of_a_disclosed_table_is_the_text_of_the_tables(k) -> None:
    earlier = pd.DataFrame(
        [("z1", 2019, "R", "medarbetare", "individuell", 1, "fysiskt")], columns=REGISTER_COLUMNS
    )
    register = pd.concat([earlier, small_register()], ignore_index=True)
    segments = pd.concat(
        [
            small_segments(),
            pd.DataFrame([("z1", "roll", "neutral", "s9")], columns=SEGMENT_COLUMNS),
        ],
        ignore_index=True,
    )
    data, scope = tables(register, segments), at(k=k)
    by_group = th.disclose_theme_by_group(data, scope)
    factors = th.disclose_factors(data, scope)
    across = th.disclose_across_rounds(data, scope)
    assert th_text.theme_by_group_table(by_group, scope) == th_text.theme_by_group_markdown(
        data, scope
    )
    assert th_text.factors_table(factors, scope) == th_text.factors_table_markdown(data, scope)
    assert th_text.main_factors_list(factors, data, scope) == th_text.main_factors_markdown(
        data, scope
    )
    rounds = [2018, 2019, 2020]
    assert th_text.across_rounds_table(
        across, data, scope, all_rounds=rounds
    ) == th_text.themes_across_rounds_markdown(data, scope, all_rounds=rounds)
    pd.testing.assert_frame_equal(th.theme_by_group_frame(by_group), th.theme_by_group(data, scope))
    status = (register, segments, codebook(), NO_SURVEY, "R", 2020, "sv", k)
    assert report_text.interview_status_markdown(
        *status, by_group=by_group
    ) == report_text.interview_status_markdown(*status)


def test_rounds_table_of_a_region_without_interviews_says_so() -> None:
    data = tables(small_register(), small_segments())
    across = th.disclose_across_rounds(data, at(region="Nowhere"))
    assert th_text.across_rounds_table(across, data, at(region="Nowhere")) == (
        "Inga intervjuer att redovisa \\(ingen datainsamling\\)\\.\n"
    )


def test_trends_compare_the_first_and_last_round_with_a_share_in_any_row_order() -> None:
    across = pd.DataFrame(
        {
            "theme": ["b", "a", "b", "a", "a", "c"],
            "label": ["B", "A", "B2", "A", "A", "C"],
            "year": [2020, 2020, 2017, 2017, 2019, 2020],
            "share": pd.array([10.0, None, 40.0, 20.0, 50.0, 5.0], dtype="Float64"),
        }
    )
    trends = th.classify_trends(across)
    assert trends["theme"].tolist() == ["b", "a", "c"]
    assert trends["label"].tolist() == ["B", "A", "C"]  # a theme's first label
    b, a, c = trends.to_dict("records")
    assert (b["first"], b["last"], b["change"], b["trend"]) == (2017, 2020, -30.0, "faded")
    assert (a["first"], a["last"], a["change"], a["trend"]) == (2017, 2019, 30.0, "grew")
    assert pd.isna(c["trend"]) and c["trend_label"] == ""


def test_tally_counts_interviews_and_segments_per_key_as_nunique_and_size() -> None:
    coded = pd.DataFrame(
        {
            "theme": ["a", "a", "b", "a"],
            "group": ["g", "g", "g", "h"],
            "interview_id": ["i1", "i1", None, "i2"],
        }
    )
    interviews, segments = th._tally(coded, ["theme", "group"])
    assert interviews == {("a", "g"): 1, ("b", "g"): 0, ("a", "h"): 1}
    assert segments == {("a", "g"): 2, ("b", "g"): 1, ("a", "h"): 1}


def test_quote_theme_labels_are_unnumbered_headings() -> None:
    # Before: "**Implementering**", a bold paragraph: no heading for a screen reader to
    # jump to, none in the PDF's tags or bookmarks (WCAG 1.3.1, PDF/UA).
    register, segments = quote_data()
    text = q_text.quotes_markdown(tables(register, segments), STOCKHOLM)
    assert "### Implementering {.unnumbered}\n" in text and "**" not in text
    typst = pypandoc.convert_text(text, "typst", format="markdown")
    assert "#heading(level: 3, numbering: none)[Implementering]" in typst


def test_group_sizes_in_column_heads_never_break() -> None:
    # Before: "(n = 18)" broke as "(n =" / "18)" in a narrow PDF column.
    register, segments = quote_data()
    text = th_text.theme_by_group_markdown(tables(register, segments), STOCKHOLM)
    assert "\\(n\u00a0\\=\u00a0" in text and "(n \\=" not in text
