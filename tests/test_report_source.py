import datetime as dt
from pathlib import Path

import pytest
import yaml

from pipeline.config import Pair, PairSettings, ReportMeta
from pipeline.i18n import MissingMessageError, languages
from pipeline.narrative_sections import parse_narrative
from pipeline.report_source import compose_source, split_front_matter

TEMPLATE = """---
title: "Utvärdering"
lang: sv
---

# Sammanfattning

<!-- narrative:summary -->

# Slutsatser

<!-- narrative:conclusions -->
"""


def _pair(region="Skåne <b>", lang="sv"):
    report = ReportMeta(organisation="Org [x](javascript:alert(1))", case_number="SN 1")
    return Pair(region=region, year=2020, settings=PairSettings(lang=lang, report=report))


def test_front_matter_carries_escaped_parameters():
    text = compose_source(TEMPLATE, _pair(), dt.date(2026, 11, 25), {}, "n/2020/skane.md")
    front, _ = split_front_matter(text)
    assert front["params"] == {"region": "Skåne \\<b\\>", "year": 2020}
    assert front["report"]["organisation"] == "Org \\[x\\]\\(javascript\\:alert\\(1\\)\\)"
    assert front["report"]["date_text"] == "25 november 2026"
    assert front["date"] == "2026-11-25" and front["lang"] == "sv"
    assert yaml.safe_load(text.split("---")[1])["title"] == "Utvärdering"


def test_narrative_fills_sections_and_missing_ones_get_placeholder():
    narrative = parse_narrative("# Slutsatser\n\nBra *arbete*.\n\n# Övrigt\nIgnored\n")
    assert narrative == {"conclusions": "Bra *arbete*."}
    text = compose_source(TEMPLATE, _pair(), dt.date(2026, 1, 1), narrative, "n/2020/skane.md")
    body = split_front_matter(text)[1]
    assert "Bra *arbete*." in body
    assert "Analytikerns text saknas" in body and '"# Sammanfattning"' in body
    assert "<!-- narrative" not in body


def test_english_headings_and_placeholder():
    narrative = parse_narrative("# Summary\nAll good.\n")
    text = compose_source(TEMPLATE, _pair(lang="en"), dt.date(2026, 1, 1), narrative, "x.md")
    assert "All good." in text and "The analyst's text is missing" in text


# --- one skeleton for every language ------------------------------------------------------

SKELETON = """---
title: "<!-- text:rapport.title -->"
lang: null
---

# <!-- text:narrative.summary -->

<!-- narrative:summary -->

<!-- text:rapport.method_text -->
"""


def test_skeleton_markers_are_filled_from_the_language_catalog():
    for lang, title, heading in (
        ("sv", "Utvärdering av peer support", "# Sammanfattning"),
        ("en", "Evaluation of peer support", "# Summary"),
    ):
        text = compose_source(SKELETON, _pair(lang=lang), dt.date(2026, 1, 1), {}, "x.md")
        front, body = split_front_matter(text)
        assert front["title"] == title and front["lang"] == lang
        assert heading in body.split("\n")
        assert "<!-- text:" not in text


def test_analyst_text_is_not_read_for_markers():
    narrative = {"summary": "See <!-- text:rapport.title --> here."}
    text = compose_source(SKELETON, _pair(), dt.date(2026, 1, 1), narrative, "x.md")
    assert "See <!-- text:rapport.title --> here." in text


def test_a_marker_without_a_message_is_an_error_naming_the_catalog():
    with pytest.raises(MissingMessageError, match=r"locales/en/rapport\.yaml"):
        compose_source(
            "---\nlang: null\n---\n<!-- text:rapport.nonexistent -->\n",
            _pair(lang="en"),
            dt.date(2026, 1, 1),
            {},
            "x.md",
        )


def test_the_repository_skeletons_compose_in_every_language():
    reports = Path(__file__).resolve().parent.parent / "reports"
    for stem in ("rapport", "oversikt"):
        skeleton = (reports / f"{stem}.qmd").read_text(encoding="utf-8")
        for lang in languages():
            text = compose_source(skeleton, _pair(lang=lang), dt.date(2026, 1, 1), {}, "x.md")
            assert "<!-- text:" not in text, (stem, lang)
            front, _ = split_front_matter(text)
            assert front["lang"] == lang and front["title"], (stem, lang)
