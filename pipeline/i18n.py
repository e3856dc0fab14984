"""One way to translate: message catalogs, one YAML file per language and subject.

Every fixed string of a report (sentences, table headings, captions, alt text) lives in
`pipeline/locales/<lang>/<domain>.yaml` as a flat mapping `key: text`, where text may hold
`str.format` placeholders (`{n}`). Adding a language is adding a folder of files; no code
changes. An unknown language is an error, never a silent fallback to Swedish.

A module takes its catalog once and calls it like the old `_t`:

    _t = Catalog("themes")
    _t(lang, "no_segments", n=3)
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources

import yaml

from pipeline.errors import PeerEvalError

DEFAULT_LANGUAGE = "sv"


class UnknownLanguageError(PeerEvalError, ValueError):
    """Raised for a report language that has no catalog folder."""

    exit_code = 2


class MissingMessageError(PeerEvalError, KeyError):
    """Raised for a key that a language's catalog lacks (a bug in the catalogs)."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def _locales():
    return resources.files("pipeline") / "locales"


@cache
def languages() -> tuple[str, ...]:
    """Return the languages with a catalog folder, the default first."""
    found = sorted(entry.name for entry in _locales().iterdir() if entry.is_dir())
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))


def check_language(lang: str) -> str:
    """Return `lang` when it has catalogs; otherwise raise one clear error."""
    if lang not in languages():
        raise UnknownLanguageError(
            f"unsupported report language {lang!r}; expected one of {', '.join(languages())}"
        )
    return lang


@cache
def messages(lang: str, domain: str) -> dict[str, str]:
    """Return one catalog (`locales/<lang>/<domain>.yaml`) as a dict; empty when absent."""
    check_language(lang)
    entry = _locales() / lang / f"{domain}.yaml"
    if not entry.is_file():
        return {}
    loaded = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise PeerEvalError(f"{entry}: expected a mapping of message keys to strings")
    return {str(key): value for key, value in loaded.items()}


def domains() -> tuple[str, ...]:
    """Return every catalog name found in any language."""
    names = {
        entry.name.removesuffix(".yaml")
        for lang in languages()
        for entry in (_locales() / lang).iterdir()
        if entry.name.endswith(".yaml")
    }
    return tuple(sorted(names))


def warm_up() -> None:
    """Read every catalog of every language (`messages` keeps them for the process).

    The kernel template (pipeline.kernel_server) calls this once, so that a kernel forked from
    it does not parse the same YAML catalogs again at its first message.
    """
    for lang in languages():
        for domain in domains():
            messages(lang, domain)


def placeholders(template: str) -> frozenset[str]:
    """Return the `{name}` placeholders of a message (for the catalog consistency test)."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    )


class Catalog:
    """The messages of one domain in every language, called as `catalog(lang, key, **values)`."""

    def __init__(self, domain: str):
        self.domain = domain

    def __call__(self, lang: str, key: str, **values: object) -> str:
        texts = messages(lang, self.domain)
        if key not in texts:
            raise MissingMessageError(
                f"message {self.domain}.{key} is missing from pipeline/locales/{lang}/"
                f"{self.domain}.yaml"
            )
        return texts[key].format(**values) if values else texts[key]

    def has(self, lang: str, key: str) -> bool:
        return key in messages(lang, self.domain)

    def texts(self, lang: str) -> Mapping[str, str]:
        """All of one language's messages, for code that passes them around as a mapping."""
        return _Texts(self, lang)


class _Texts(Mapping):
    """A read-only view of one catalog whose missing key is a `MissingMessageError`."""

    def __init__(self, catalog: Catalog, lang: str):
        self._catalog, self._lang = catalog, lang
        self._texts = messages(lang, catalog.domain)

    def __getitem__(self, key: str) -> str:
        return self._catalog(self._lang, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)
