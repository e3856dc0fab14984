"""How an export's layout maps onto a canonical table (set per input in params).

These are also the layout keys of an input in params: `pipeline.config.InputSpec` is a
`TableOptions` with a path, so the keys, their types and their checks are declared once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_text(value: object) -> object:
    # YAML reads an unquoted 12 as a number and yes/no as booleans; headers and answer
    # texts are text. A number is taken as written; a boolean cannot be (was it "yes",
    # "on" or "true"?), so the analyst is asked to quote it.
    if isinstance(value, bool):
        raise ValueError(f'{value!r} is a YAML boolean here; quote the text, e.g. "yes"')
    if isinstance(value, int | float):
        return str(value)
    return value


def _texts(mapping: object) -> object:
    if not isinstance(mapping, dict):
        return mapping
    return {_as_text(k): _as_text(v) for k, v in mapping.items()}


class MultiChoice(_Options):
    """A multi-choice item stored either as one delimited column or as 0/1 columns.

    Attributes:
        columns: Export header -> canonical code, when every option is its own
            column (checked when it holds 1, "1", "x", "ja", "yes", "true" or the
            option's own text; unchecked when empty, 0, "nej", "no", "false").
        delimiter: The separator inside one column, when the item is one column.
        other: In one column, the code that an option which is no known text stands
            for: the free text of an "other, please specify" option, which tools write
            as one more option (`Stödsamtal;Annat: fika`, Google Forms: `Stödsamtal,
            fika`). Unset, such an option is refused as unknown.
        none: In one column, the texts of a "none of these" option (`Inget av
            ovanstående`): a cell holding only such texts answered and chose no
            option; beside a chosen option such a text is a contradiction, refused.
    """

    columns: dict[str, str] = Field(default_factory=dict)
    delimiter: str = ";"
    other: str | None = None
    none: list[str] = Field(default_factory=list)


class TableOptions(_Options):
    """Layout of one input file.

    Attributes:
        columns: Export header -> canonical column name. Headers not listed keep
            their name; matching ignores case and surrounding white space.
        values: Canonical column -> {answer text as exported: canonical code}.
            Matching ignores case and surrounding white space.
        multi_choice: Canonical column -> how its options are stored.
        sheet: Worksheet name or 0-based index for .xlsx (default: the first visible).
        header_row: The spreadsheet row of the header (default: the first row that is
            not empty); rows above it are ignored.
        skip_rows: Spreadsheet rows to ignore, e.g. [2] for SurveyMonkey's second
            header row.
        encoding: Text encoding for .csv; None detects UTF-8 (with or without BOM)
            and falls back to Windows-1252.
        delimiter: Field separator for .csv; None detects "," or ";" (or tab).
        decimal: Decimal mark for numbers; None accepts both "," and ".".
        positions: REFI-QDA selection positions: "detect" recognises an exporter that
            counted them in another unit (pipeline.readers.positions); "characters"
            reads them as the standard says, whatever they cut.
    """

    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    multi_choice: dict[str, MultiChoice] = Field(default_factory=dict)
    sheet: str | int | None = None
    header_row: int | None = Field(default=None, ge=1)
    skip_rows: list[int] = Field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    decimal: Literal[",", "."] | None = None
    positions: Literal["detect", "characters"] = "detect"

    @field_validator("columns", mode="before")
    @classmethod
    def _columns_as_text(cls, value: object) -> object:
        return _texts(value)

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        return {k: _texts(v) for k, v in value.items()}
