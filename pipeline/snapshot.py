"""Inputs read and validated once per run, handed to every notebook as a snapshot.

`peer-eval run` validates every input before any work (pipeline.inputs). Without a
snapshot each notebook would read and validate the same files again: at a national
round (290 municipalities) that is about a second per notebook, more than the
notebook's own work. So the run writes the validated tables once per report year
into its private work folder, `<out>/.work/inputs/<year>.pickle`, and the notebooks
load that (milliseconds). The manifest still records the original files' hashes.

The snapshot is written by this run, for this run, into a folder only its owner can
write, and removed when the run ends; a notebook run without one (an analyst opening
it in Jupyter, `peer-eval preview`) reads the files itself.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Project
from pipeline.errors import UsageError
from pipeline.publish import WORK, write_file_atomic

if TYPE_CHECKING:  # the readers (and pandas) only where inputs are read
    from pipeline.inputs import EvaluationData

SNAPSHOTS = "inputs"
_FORMAT = "peer-eval inputs snapshot 1"


def snapshot_dir(out: Path) -> Path:
    """Where a run keeps its snapshots."""
    return out / WORK / SNAPSHOTS


def write_snapshots(
    project: Project, years: Iterable[int], out: Path, *, known: dict[int, EvaluationData]
) -> dict[int, str]:
    """Write one snapshot per report year: the inputs of every year up to it.

    Args:
        project: The loaded project.
        years: The report years of the run.
        out: The output directory.
        known: Already validated data by report year (the run's up-front check), reused.

    Returns:
        Report year -> snapshot path (a year whose snapshot could not be written, on a
        full disk, is left out: its notebooks read the files).

    Raises:
        InputError: Cannot happen after the run's up-front check, which read the same files.
    """
    paths = {}
    for year in sorted(set(years)):
        data = known.get(year)
        if data is None:
            from pipeline.inputs import load_evaluation

            data = load_evaluation(project, upto_year=year)
        path = snapshot_dir(out) / f"{year}.pickle"
        payload = {"format": _FORMAT, "year": year, "data": data}
        try:
            write_file_atomic(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 0o600)
        except OSError as exc:  # a full disk: the notebooks read the files themselves
            logging.getLogger(__name__).warning("no inputs snapshot for %s (%s)", year, exc)
            continue
        paths[year] = str(path)
    return paths


def load_inputs(params_file: str, year: int, snapshot: str = "") -> EvaluationData:
    """What a notebook calls: the run's snapshot when it has one, else the files themselves.

    Args:
        params_file: The params file (used when there is no snapshot).
        year: The report year.
        snapshot: The run's snapshot for `year` ("" for none).

    Returns:
        The validated inputs of every year up to `year`.

    Raises:
        UsageError: A snapshot that is not one of this version for `year`.
        InputError: Without a snapshot, any problem in the input files.
    """
    if not snapshot:
        from pipeline.inputs import load_for_notebook

        return load_for_notebook(params_file, year)
    with open(snapshot, "rb") as handle:
        payload = pickle.load(handle)
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise UsageError(f"{snapshot}: not an inputs snapshot of this peer-eval version")
    if payload["year"] != year:
        raise UsageError(f"{snapshot}: a snapshot for {payload['year']}, not {year}")
    return payload["data"]
