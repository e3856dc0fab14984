"""The `Disclosed` type: a table that passed the disclosure rules, and its display.

Only the rule functions of `pipeline.disclosure` (and `pipeline.linked`, through
`disclose_cells`) make one, through `make`: the constructor checks a token only this
module holds. The report's Markdown and figure functions accept nothing else. A
`Disclosed` table holds no suppressed value at all (the cells are blanked, not just
flagged), so even a careless caller cannot print one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.disclosure_text import SUPPRESSED_MARK, withheld_message

_TOKEN = object()  # only this module holds it, so only `make` makes Disclosed tables


@dataclass(frozen=True)
class Disclosed:
    """A table that passed the small-cell rule; the only input the report formatters take.

    Attributes:
        table: The values; every suppressed cell is blanked (NaN), so it cannot leak.
        suppressed: Same shape as `table`, True where a cell is suppressed.
        k: The minimum group size the rule was applied with.
        withheld: True when the whole breakdown is withheld (group smaller than k).
        reason: Why it is withheld (see the field's note).
    """

    table: pd.DataFrame
    suppressed: pd.DataFrame
    k: int
    withheld: bool = False
    _token: object = field(default=None, repr=False, compare=False)
    reason: str = ""
    """Why the table is withheld: "small" (group below k), "unprotectable" (no
    suppression pattern hides the small cells), "interviews" (no respondent group has
    enough persons) or "no_data" (not a single respondent: no data collection, nothing
    withheld); empty when it is not withheld."""

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise TypeError(
                "Disclosed tables are made only by pipeline.disclosure functions "
                "(disclose_distribution, disclose_multi_choice, suppress_statistics, ...)"
            )

    @property
    def any_suppressed(self) -> bool:
        """True when at least one cell is suppressed or the table is withheld."""
        return self.withheld or bool(self.suppressed.to_numpy().any())


def make(
    table: pd.DataFrame, mask: pd.DataFrame, k: int, withheld: bool = False, reason: str = ""
) -> Disclosed:
    """The disclosed table: `table` with every cell of `mask` blanked (for rule functions).

    Args:
        table: The values.
        mask: Same shape, True where a cell is suppressed.
        k: The minimum group size of the rule that decided `mask`.
        withheld: Whether the whole table is withheld.
        reason: Why it is withheld (`Disclosed.reason`); ignored when it is not.

    Returns:
        The disclosed table.
    """
    blanked = table.copy()
    aligned = mask.index.equals(blanked.index)
    for column in mask.columns:
        hide = mask[column]
        if not hide.any():
            continue
        numeric = pd.api.types.is_numeric_dtype(blanked[column]) and not (
            pd.api.types.is_bool_dtype(blanked[column])
        )
        if aligned and hide.all():
            # A whole column hidden (every withheld table): the same blank column, made
            # directly instead of converted and then masked cell by cell.
            blank = np.nan if numeric else None
            dtype = "float64" if numeric else object
            blanked[column] = pd.Series([blank] * len(blanked), index=blanked.index, dtype=dtype)
        elif numeric:
            blanked[column] = blanked[column].astype("float64").mask(hide)
        else:
            blanked[column] = blanked[column].astype(object).mask(hide, None)
    return Disclosed(blanked, mask.copy(), k, withheld, _TOKEN, reason if withheld else "")


def no_mask(table: pd.DataFrame) -> pd.DataFrame:
    """A mask of `table`'s shape that suppresses nothing."""
    return pd.DataFrame(False, index=table.index, columns=table.columns)


def withhold(table: pd.DataFrame, k: int, reason: str = "small") -> Disclosed:
    """The whole table withheld (every cell blanked) for `reason`."""
    mask = pd.DataFrame(True, index=table.index, columns=table.columns)
    return make(table, mask, k, withheld=True, reason=reason)


def display_table(
    disclosed: Disclosed, formats: Mapping[str, Callable[[object], str]]
) -> pd.DataFrame:
    """Format a disclosed table for display: suppressed cells show `SUPPRESSED_MARK`.

    Args:
        disclosed: The disclosed table.
        formats: Column -> formatter (e.g. `pipeline.formatting.percent`); other
            columns are shown with `str`. Empty values (NaN, None) show as "".

    Returns:
        A frame of strings with the same index and columns.

    Raises:
        TypeError: When given anything but a `Disclosed` table.
    """
    if not isinstance(disclosed, Disclosed):
        raise TypeError("display_table takes a Disclosed table (see pipeline.disclosure)")
    table = disclosed.table
    hidden = _aligned(disclosed.suppressed, table)
    # Column by column over the arrays (the same scalars `.at` gives): a report formats
    # some fifty tables, and cell-wise `.at` reads and writes cost more than the rest.
    shown = {
        column: [
            SUPPRESSED_MARK if masked else _shown(value, formats.get(column, str))
            for value, masked in zip(table[column].array, hidden[column].array, strict=True)
        ]
        for column in table.columns
    }
    return pd.DataFrame(shown, index=table.index, columns=table.columns, dtype=str)


def _aligned(mask: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """`mask` in `table`'s row and column order (cells are matched by label)."""
    if mask.index.equals(table.index) and mask.columns.equals(table.columns):
        return mask
    return mask.loc[table.index, table.columns]


def _shown(value: object, fmt: Callable[[object], str]) -> str:
    """A published cell's text: empty for a missing value, else `fmt(value)`."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return fmt(value)


def disclosed_withheld_message(disclosed: Disclosed, lang: str = "sv") -> str:
    """The sentence a withheld disclosed table or figure shows (plain text).

    Args:
        disclosed: A withheld table.
        lang: "sv" or "en".

    Returns:
        `withheld_message` for the table's rule and reason.
    """
    return withheld_message(disclosed.k, lang, disclosed.reason or "small")
