"""The input files a report depends on, and their hashes: what planning reads of the inputs.

Apart from the readers (pipeline.inputs), so that planning a run, and so a no-op run,
lists and hashes the files without importing pandas and every reader.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.config import Project
from pipeline.readers.codebook import YAML_CODEBOOK_SUFFIXES

PER_YEAR = ("survey", "population", "interviews", "segments")


def input_files(project: Project, year: int) -> list[Path]:
    """The files a report of `year` reads: per-year inputs of every year up to it, and shared ones.

    Args:
        project: The loaded project.
        year: The report year.

    Returns:
        Absolute paths, sorted.
    """
    inputs = project.evaluation.inputs
    files = set()
    for earlier in project.evaluation.years:
        if earlier > year:
            continue
        for name in PER_YEAR:
            if name == "segments":
                files.update(inputs.segments.resolve_all(project.data_dir, earlier))
            else:
                files.add(getattr(inputs, name).resolve(project.data_dir, earlier))
    for spec in (inputs.codebook, inputs.recommendations, inputs.names):
        if spec is not None:
            files.add(spec.resolve(project.data_dir, year))
    labels = codebook_labels(project)
    if labels is not None:
        files.add(labels)
    return sorted(files)


def codebook_labels(project: Project) -> Path | None:
    """The labels YAML the codebook is read with (None for the project's YAML codebook)."""
    spec = project.evaluation.inputs.codebook
    path = spec.resolve(project.data_dir, 0)
    if path.suffix.lower() in YAML_CODEBOOK_SUFFIXES:
        return None  # what the format registry says of these, without importing every reader
    from pipeline.readers.formats import labels_file

    given = project.data_dir / spec.labels if spec.labels else None
    return labels_file(path, given)


def file_hashes(project: Project, files: list[Path]) -> dict[str, str]:
    """SHA-256 of each file, keyed by its path relative to the project root."""
    hashes = {}
    for path in files:
        try:
            name = str(path.relative_to(project.root))
        except ValueError:
            name = str(path)
        hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return hashes
