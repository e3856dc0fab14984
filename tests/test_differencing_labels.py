"""Tests that the differencing attacker reads tables by the catalog texts the writers use.

The attacker must recognise exactly what the reports print: a catalog text changed, or
a language added, reaches it without code changes (`pipeline.differencing_labels`).
"""

from __future__ import annotations

import pandas as pd
import pypandoc
import pytest

from pipeline import i18n
from pipeline.analysis import Scope
from pipeline.analysis.survey import NUMERIC_ITEMS
from pipeline.differencing import System
from pipeline.differencing_labels import by_text, statistics_labels, table_labels
from pipeline.differencing_statistics import add_page, statistic_key
from pipeline.errors import PeerEvalError
from pipeline.html_tables import Page, parse_tables
from pipeline.i18n import Catalog, languages
from pipeline.text.survey import item_label, numeric_items_markdown

_survey = Catalog("survey")


def _patch(monkeypatch, lang: str, domain: str, key: str, text: str) -> None:
    """Give one catalog message a new text for the rest of the test."""
    original = i18n.messages

    def patched(this_lang: str, this_domain: str) -> dict[str, str]:
        found = dict(original(this_lang, this_domain))
        if (this_lang, this_domain) == (lang, domain):
            found[key] = text
        return found

    monkeypatch.setattr(i18n, "messages", patched)


@pytest.mark.parametrize("lang", languages())
def test_every_statistics_label_the_writer_prints_maps_to_its_key(lang):
    known = statistics_labels()
    for stat in ("n", "missing", "min", "max", "mean", "sum"):
        assert known.rows[_survey(lang, f"stat_{stat}")] == stat
    for item in NUMERIC_ITEMS:
        assert known.items[item_label(item, lang)] == item
    assert _survey(lang, "statistic") in known.statistic_head
    assert _survey(lang, "stat_std") not in known.rows  # not linear: left out


def test_a_changed_catalog_text_is_what_the_attacker_reads(monkeypatch):
    _patch(monkeypatch, "sv", "survey", "stat_sum", "Totalsumma")
    ages = [25 + 3 * i for i in range(12)]
    survey = pd.DataFrame(
        {"region": "Alby", "year": 2020, "age": ages, "months_worked": 5.0}
        | {"employment_pct": 50.0, "salary_monthly_fte": 30_000.0}
    )
    scope = Scope(region="Alby", year=2020, lang="sv", k=5, extremes_k=10)
    table = numeric_items_markdown(survey, scope, columns=("age",))
    assert "| Totalsumma" in table and "| Summa" not in table
    html = pypandoc.convert_text(f": Ålder\n\n{table}", "html", format="markdown")

    system = System()
    add_page(system, "2020", Page("2020/alby/rapport.html", "alby", "sv", parse_tables(html)))

    key = statistic_key("2020", "alby", "age", "sum")
    assert system.values[key] == sum(ages)
    assert system.places[key] == ["2020/alby/rapport.html: Ålder: Ålder / Totalsumma"]
    assert "Summa" not in statistics_labels().rows


def test_a_changed_caption_is_how_the_gender_table_is_found(monkeypatch):
    _patch(monkeypatch, "en", "captions_survey", "tbl-gender.cap", "Respondents by gender")
    known = table_labels()
    assert "Respondents by gender" in known.gender_region
    assert "Gender of respondents in the region" not in known.gender_region
    assert "Könsfördelning bland de svarande i regionen" in known.gender_region


def test_two_keys_with_one_text_are_an_error(monkeypatch):
    _patch(monkeypatch, "en", "survey", "stat_max", "Minimum")
    with pytest.raises(PeerEvalError, match=r"locales/en/survey\.yaml: stat_max .*'Minimum'"):
        by_text("survey", {"stat_min": "min", "stat_max": "max"})
