"""Adding a language is adding files: a third catalog folder is found and its words used.

The catalogs are copied to a temporary folder with a German folder made from the English
one (a few messages translated), and `pipeline.i18n` is pointed at that folder. No code
changes: the params model, the report skeleton, the captions, the category labels, the
number format and the renderer's words all take the new language.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from pipeline import i18n
from pipeline.config import Pair, PairSettings
from pipeline.execute import localise_notebook
from pipeline.formatting import number, percent
from pipeline.render.quarto import quarto_front_matter
from pipeline.render.shortcodes import labels
from pipeline.report_source import compose_source, split_front_matter
from pipeline.schema import label

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "pipeline" / "locales"
GERMAN = {
    "rapport.yaml": {"title": "Evaluation der Peer-Unterstützung", "method": "Methode"},
    "narrative.yaml": {"summary": "Zusammenfassung"},
    "categories.yaml": {"gender.kvinna": "Frau"},
    "captions_survey.yaml": {"tbl-education.cap": "Bildungsniveau"},
    "render.yaml": {"tbl": "Tabelle"},
    "language.yaml": {"locale": "de_DE", "percent_suffix": "\u00a0%"},
}


def _clear_caches() -> None:
    i18n.languages.cache_clear()
    i18n.messages.cache_clear()


@pytest.fixture
def german(tmp_path, monkeypatch):
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    shutil.copytree(root / "en", root / "de")
    for name, changes in GERMAN.items():
        path = root / "de" / name
        texts = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(changes) <= set(texts), name  # translate existing messages only
        texts.update(changes)
        path.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(i18n, "_locales", lambda: root)
    _clear_caches()
    yield "de"
    monkeypatch.undo()
    _clear_caches()


def test_the_new_folder_is_a_language(german):
    assert i18n.languages() == ("sv", "de", "en")
    assert i18n.check_language(german) == "de"
    assert PairSettings(lang=german).lang == "de"


def test_the_report_skeleton_takes_the_new_language(german):
    skeleton = (ROOT / "reports" / "rapport.qmd").read_text(encoding="utf-8")
    pair = Pair(region="Skåne", year=2020, settings=PairSettings(lang=german))
    text = compose_source(skeleton, pair, dt.date(2026, 11, 25), {}, "n/2020/skane.de.md")
    front, body = split_front_matter(text)
    assert front["title"] == "Evaluation der Peer-Unterstützung"
    assert front["lang"] == "de" and front["report"]["date_text"] == "25\\. November 2026"
    assert "# Methode" in body.split("\n") and "# Zusammenfassung" in body.split("\n")
    assert "<!-- text:" not in text


def test_labels_numbers_captions_and_renderer_words_in_the_new_language(german):
    assert label("gender", "kvinna", german) == "Frau"
    assert number(1667.5, german) == "1.667,5"
    assert percent(87.5, german) == "87,5\u00a0%"
    assert labels(german)["tbl"] == "Tabelle"
    assert quarto_front_matter({"lang": german})["region"] == "DE"
    cell = nbformat.v4.new_code_cell("#| label: tbl-education\nx")
    notebook = localise_notebook(nbformat.v4.new_notebook(cells=[cell]), german, "survey")
    assert notebook.cells[0].source.split("\n")[1] == '#| tbl-cap: "Bildungsniveau"'


def test_without_the_folder_the_language_is_unknown():
    assert "de" not in i18n.languages()
    with pytest.raises(i18n.UnknownLanguageError):
        number(1.5, "de")
    with pytest.raises(ValueError, match="unsupported report language"):
        PairSettings(lang="de")
