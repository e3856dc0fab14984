"""The exception family of peer-eval. Exit codes live on the classes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class PeerEvalError(Exception):
    """Raised when peer-eval cannot continue; the base of every project error."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as the analyst sees it.

    Attributes:
        file: The input file (as given, or relative to the project).
        message: What was found and what was expected.
        row: The row number as shown in a spreadsheet (header is row 1), if any.
        column: The column header as written in the file, if any.
        key: A dotted key path for YAML/params input, if any.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.key is not None:
            where.append(f"key {self.key!r}")
        return f"{': '.join(where)}: {self.message}"


class InputError(PeerEvalError):
    """Raised when inputs (params or data) are invalid; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(PeerEvalError):
    """Raised when the command line asks for something impossible."""

    exit_code = 2


class DraftError(PeerEvalError):
    """Raised when `--final` is asked for and some reports are still drafts."""

    exit_code = 2


class ShortcodeError(PeerEvalError):
    """Raised when a report source uses a shortcode the built-in renderer cannot resolve."""

    exit_code = 2


class RenderError(PeerEvalError):
    """Raised when pandoc, Typst or Quarto fails to produce an output."""


class ExecutionError(PeerEvalError):
    """Raised when a notebook fails; names the notebook and the failing cell."""

    def __init__(self, notebook: str, cell: str, error: str):
        self.notebook, self.cell, self.error = notebook, cell, error
        super().__init__(f"{notebook}: cell {cell}: {error}")


class PublishError(PeerEvalError):
    """Raised when a finished report cannot be put into the output tree (full, read-only)."""


class LockError(PeerEvalError):
    """Raised when another live run holds the output directory."""

    exit_code = 2


def validation_problems(file: object, exc: ValidationError) -> list[Problem]:
    """A pydantic validation error as Problems, one per error, each naming its key path.

    Args:
        file: The file (or "command line") the validated values came from.
        exc: The error.
    """
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required key is missing"
        else:
            given = error.get("input")
            shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
            message = error["msg"].removeprefix("Value error, ") + shown
        problems.append(Problem(str(file), message, key=key))
    return problems
