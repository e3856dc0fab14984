import datetime as dt

import yaml

from pipeline.config import Pair, PairSettings, ReportMeta
from pipeline.report_source import compose_source, parse_narrative, split_front_matter

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
