"""Which reader reads each input of params (`inputs:` in evaluation.yaml), by the input's name.

pipeline.inputs reads an evaluation through this table and through the two readers of
inputs that come in several formats (pipeline.readers.formats); it imports no reader
module itself, so the readers can be rearranged without touching the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import pandas as pd

from pipeline.readers.codebook import Codebook
from pipeline.readers.formats import labels_file, read_any_codebook
from pipeline.readers.options import TableOptions
from pipeline.readers.population import read_population
from pipeline.readers.recommendations import read_recommendations
from pipeline.readers.register import read_register
from pipeline.readers.segments import Tally, read_segment_source
from pipeline.readers.survey import read_survey

__all__ = [
    "YEAR_TABLES",
    "Codebook",
    "Tally",
    "labels_file",
    "read_any_codebook",
    "read_recommendations",
    "read_segment_source",
]


class YearTableReader(Protocol):
    def __call__(
        self,
        path: Path,
        options: TableOptions,
        *,
        regions: Sequence[str],
        year: int | None = None,
        display: str | None = None,
        years: Sequence[int] | None = None,
    ) -> pd.DataFrame: ...


YEAR_TABLES: Mapping[str, YearTableReader] = MappingProxyType(
    {"survey": read_survey, "population": read_population, "interviews": read_register}
)
"""The per-year tables, by their name under `inputs:`; segments are read per source file."""
