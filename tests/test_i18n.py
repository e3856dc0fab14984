"""The message catalogs: every language has every message with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import i18n


def test_default_language_first_and_english_present():
    assert i18n.languages()[0] == "sv"
    assert "en" in i18n.languages()


def test_unknown_language_is_an_error_not_swedish():
    with pytest.raises(i18n.UnknownLanguageError, match="'de'.*sv, en"):
        i18n.check_language("de")
    with pytest.raises(i18n.UnknownLanguageError):
        i18n.Catalog("anything")("de", "key")


def test_missing_message_names_the_file():
    with pytest.raises(i18n.MissingMessageError, match=r"locales/sv/nothing\.yaml"):
        i18n.Catalog("nothing")("sv", "absent")


@pytest.mark.parametrize("domain", i18n.domains())
def test_every_language_has_the_same_messages(domain):
    catalogs = {lang: i18n.messages(lang, domain) for lang in i18n.languages()}
    reference = catalogs[i18n.DEFAULT_LANGUAGE]
    for lang, texts in catalogs.items():
        assert texts.keys() == reference.keys(), (lang, domain, texts.keys() ^ reference.keys())
        for key, text in texts.items():
            assert i18n.placeholders(text) == i18n.placeholders(reference[key]), (lang, key)


def test_placeholders():
    assert i18n.placeholders("{n} av {total} ({share:.0f} %)") == {"n", "total", "share"}


def test_texts_is_a_checked_mapping_of_one_catalog():
    texts = i18n.Catalog("site").texts("en")
    assert texts["draft"] == "Draft" and set(texts) == set(i18n.messages("en", "site"))
    with pytest.raises(i18n.MissingMessageError, match=r"locales/en/site\.yaml"):
        texts["absent"]


PIPELINE = Path(i18n.__file__).parent
PER_LANGUAGE = re.compile(r'"(?:sv|en)"\s*:|lang\s*[!=]=\s*"(?:sv|en)"|\[\s*"sv"\s*\]')


def test_no_module_keeps_translations_of_its_own():
    offenders = [
        f"{path.relative_to(PIPELINE).as_posix()}: {match.group(0)}"
        for path in sorted(PIPELINE.rglob("*.py"))
        for match in PER_LANGUAGE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
