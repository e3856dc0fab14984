"""Every file format the readers accept, in one place: format -> suffixes -> reader.

Two kinds of input come in more than one format, each a `Registry`
(pipeline.readers.registry) that the readers look a file up in by its suffix:

* **coded interview segments** (`SEGMENT_FORMATS`, used by pipeline.readers.segments):
  a table (the canonical layout or Taguette's highlights export, told apart by their
  headers) or a REFI-QDA project. Each reader returns the file's `Codings`; turning
  codings into segments is the same for all (pipeline.readers.reconcile).
* **codebooks** (`CODEBOOK_FORMATS`, `read_any_codebook`): the project's YAML, the
  CodeBook of a REFI-QDA project, a REFI-QDA codebook, or Taguette's codebook export.

To read a new format, write a function with the signature of its registry's others
and register it below; no other reader changes. The other inputs (survey, population,
register, recommendations) have one format each; pipeline.readers.catalog says which
reader reads each input of params.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Protocol

from pipeline.readers.codebook import YAML_CODEBOOK_SUFFIXES, Codebook, read_codebook
from pipeline.readers.codes import CodeScheme
from pipeline.readers.options import TableOptions
from pipeline.readers.qda_codebook import labels_beside, tool_codebook
from pipeline.readers.qdpx import qdpx_codings
from pipeline.readers.reconcile import Codings, Tally
from pipeline.readers.registry import Registry
from pipeline.readers.segment_tables import table_codings
from pipeline.readers.tool_codes import qdc_codes, qdpx_codes, taguette_codes

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


class SegmentReader(Protocol):
    def __call__(
        self, path: Path, options: TableOptions, *, display: str, separator: str, tally: Tally
    ) -> Codings: ...


class CodebookReader(Protocol):
    def __call__(
        self, path: Path, *, scheme: CodeScheme, labels: Path | None, display: str
    ) -> Codebook: ...


SEGMENT_FORMATS: Registry[SegmentReader] = Registry("coded segments")
SEGMENT_FORMATS.register(
    "table",
    table_codings,
    suffixes=TABLE_SUFFIXES,
    description="a table: interview_id, theme, factor, excerpt, or Taguette's highlights",
    default=True,  # the table reader names the suffixes it accepts
)
SEGMENT_FORMATS.register(
    "refi-qda",
    qdpx_codings,
    suffixes=(".qdpx",),
    description="a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder, qualitative-coding)",
)


def _yaml_codebook(
    path: Path, *, scheme: CodeScheme, labels: Path | None, display: str
) -> Codebook:
    # The project's own codebook names its themes and labels itself.
    return read_codebook(path, display)


CODEBOOK_FORMATS: Registry[CodebookReader] = Registry("codebook")
CODEBOOK_FORMATS.register(
    "yaml",
    _yaml_codebook,
    suffixes=YAML_CODEBOOK_SUFFIXES,
    description="the project's codebook.yaml",
    default=True,  # the YAML reader says what it expected of another file
)
CODEBOOK_FORMATS.register(
    "refi-qda",
    partial(tool_codebook, codes=qdpx_codes),
    suffixes=(".qdpx",),
    description="the CodeBook of a REFI-QDA project",
)
CODEBOOK_FORMATS.register(
    "refi-qda-codebook",
    partial(tool_codebook, codes=qdc_codes),
    suffixes=(".qdc",),
    description="a REFI-QDA codebook (Taguette, NVivo, MAXQDA, ATLAS.ti, QualCoder)",
)
CODEBOOK_FORMATS.register(
    "taguette",
    partial(tool_codebook, codes=taguette_codes),
    suffixes=TABLE_SUFFIXES,
    description="Taguette's codebook export (tag, description)",
)


def read_any_codebook(
    path: Path,
    *,
    scheme: CodeScheme | None = None,
    labels: Path | None = None,
    display: str | None = None,
) -> Codebook:
    """Read a codebook in any registered format (see pipeline.readers.qda_codebook).

    Args:
        path: The codebook file.
        scheme: Which codes are themes (default: factors recognised by name).
        labels: A labels YAML of a tool's codebook (theme id -> {sv, en}); default:
            `<codebook>.labels.yaml` beside the file.
        display: How to name the file in messages.

    Raises:
        InputError: Every problem found.
    """
    reader = CODEBOOK_FORMATS.for_path(path).read
    return reader(path, scheme=scheme or CodeScheme(), labels=labels, display=display or str(path))


def labels_file(path: Path, labels: Path | None) -> Path | None:
    """The labels YAML a codebook is read with (none for the project's YAML codebook)."""
    if CODEBOOK_FORMATS.for_path(path).name == "yaml":
        return None
    return labels_beside(path, labels)
