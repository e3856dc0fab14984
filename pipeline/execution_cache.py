"""Executed notebooks kept between runs, so that a change that only affects rendering
(narrative, report template, renderer) re-renders without executing anything.

A pair's entry is `<out>/.cache/<year>/<slug>/`: the executed notebooks and, written
last, `record.json` with the hash of everything execution depends on and each
notebook's hash. An entry is used only when its record names the current execution
hash and every notebook still has its recorded hash; anything else (no record, a
truncated or edited one, a missing notebook) is a miss, and the pair executes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from pipeline.publish import write_file_atomic

CACHE = ".cache"
RECORD = "record.json"


def entry_dir(out: Path, year: int, slug: str) -> Path:
    """The cache entry of one pair (or of a year's overview, slug `oversikt`)."""
    return out / CACHE / str(year) / slug


def is_valid(entry: Path, digest: str) -> bool:
    """Whether `entry` holds the executed notebooks for the execution hash `digest`."""
    return _valid_notebooks(entry, digest) is not None


def restore(entry: Path, digest: str, notebooks_dir: Path) -> bool:
    """Copy a valid entry's notebooks into `notebooks_dir`.

    Args:
        entry: The pair's cache entry.
        digest: The execution hash the notebooks must have been made for.
        notebooks_dir: The work directory's notebooks folder (created if absent).

    Returns:
        True when the notebooks were restored; False on a miss (nothing copied).
    """
    notebooks = _valid_notebooks(entry, digest)
    if notebooks is None:
        return False
    notebooks_dir.mkdir(parents=True, exist_ok=True)
    for name, data in notebooks.items():
        (notebooks_dir / name).write_bytes(data)
    return True


def store(entry: Path, digest: str, notebooks_dir: Path, mode: int = 0o600) -> None:
    """Replace the entry with the executed notebooks in `notebooks_dir`.

    The old record goes first and the new one is written last, so an interrupted
    store leaves an entry without a record: a miss, never a wrong hit.

    Args:
        entry: The pair's cache entry.
        digest: The execution hash the notebooks were made for.
        notebooks_dir: The executed notebooks.
        mode: Permission bits of the written files.
    """
    (entry / RECORD).unlink(missing_ok=True)
    shutil.rmtree(entry, ignore_errors=True)
    hashes = {}
    for notebook in sorted(notebooks_dir.glob("*.ipynb")):
        data = notebook.read_bytes()
        write_file_atomic(entry / notebook.name, data, mode)
        hashes[notebook.name] = hashlib.sha256(data).hexdigest()
    record = json.dumps({"execute_digest": digest, "notebooks": hashes}, sort_keys=True)
    write_file_atomic(entry / RECORD, record.encode("utf-8"), mode)


def _valid_notebooks(entry: Path, digest: str) -> dict[str, bytes] | None:
    try:
        record = json.loads((entry / RECORD).read_text(encoding="utf-8"))
        if record["execute_digest"] != digest or not record["notebooks"]:
            return None
        notebooks = {}
        for name, expected in record["notebooks"].items():
            data = (entry / Path(name).name).read_bytes()
            if hashlib.sha256(data).hexdigest() != expected:
                return None
            notebooks[Path(name).name] = data
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return notebooks
