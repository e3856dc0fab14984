"""A registry of file formats: a format's name and file suffixes -> the function that reads it.

The same pattern as papermill's engine and I/O-handler registries: the formats are
registered in one place (pipeline.readers.formats), and the readers that accept
several formats look the reader up by a file's suffix instead of importing each
other. Adding a format is one `register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

R = TypeVar("R", bound=Callable)


@dataclass(frozen=True)
class Format(Generic[R]):
    """One registered format.

    Attributes:
        name: The format's name ("refi-qda", "taguette").
        suffixes: File suffixes, lower case with the dot (".qdpx").
        read: The function that reads a file of this format.
        description: What the format is, for documentation and messages.
    """

    name: str
    suffixes: tuple[str, ...]
    read: R
    description: str


class Registry(Generic[R]):
    """Formats of one kind of input (interview codings, codebooks), keyed by name and suffix."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._formats: dict[str, Format[R]] = {}
        self._default: str | None = None

    def register(
        self,
        name: str,
        read: R,
        *,
        suffixes: tuple[str, ...],
        description: str,
        default: bool = False,
    ) -> None:
        """Register a format; `default` reads files whose suffix no format claims.

        Raises:
            ValueError: The name, or one of the suffixes, is registered already.
        """
        if name in self._formats:
            raise ValueError(f"{self.what}: the format {name!r} is registered already")
        for suffix in suffixes:
            owner = self._owner(suffix)
            if owner is not None:
                raise ValueError(f"{self.what}: {suffix} is registered to {owner.name!r}")
        self._formats[name] = Format(name, tuple(s.lower() for s in suffixes), read, description)
        if default:
            self._default = name

    def get(self, name: str) -> Format[R]:
        """The format called `name`.

        Raises:
            KeyError: No such format; the message lists the registered ones.
        """
        try:
            return self._formats[name]
        except KeyError:
            known = ", ".join(sorted(self._formats))
            raise KeyError(f"{self.what}: no format {name!r}; registered: {known}") from None

    def for_path(self, path: Path) -> Format[R]:
        """The format that reads `path`, by its suffix (case does not matter), else the default.

        Raises:
            KeyError: No format claims the suffix and there is no default.
        """
        found = self._owner(path.suffix.lower())
        if found is not None:
            return found
        if self._default is None:
            raise KeyError(
                f"{self.what}: no format reads {path.suffix or 'files without a suffix'}"
            )
        return self._formats[self._default]

    def formats(self) -> tuple[Format[R], ...]:
        """Every registered format, in registration order."""
        return tuple(self._formats.values())

    def _owner(self, suffix: str) -> Format[R] | None:
        return next((f for f in self._formats.values() if suffix in f.suffixes), None)
