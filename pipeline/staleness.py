"""Whether a planned report is up to date, and which reports a run builds.

A report is fresh when its published manifest records the same dependency hashes as
the task planned now and every output file is there; otherwise `staleness` names what
changed, and `stale_stage` says whether that needs the notebooks executed again or
only rendering.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
from pathlib import Path

from pipeline.publish import FAILED, WORK
from pipeline.task import EXECUTE_COMPONENTS, PairTask


def staleness(task: PairTask) -> tuple[str, list[str]]:
    """Say whether a pair's published report is up to date.

    Args:
        task: The planned task.

    Returns:
        (state, reasons): state is fresh, stale, failed or missing; reasons name the
        changed dependencies (e.g. ["data", "code"]).
    """
    published = task.published_dir
    failed = Path(task.out) / FAILED / str(task.pair.year) / task.pair.slug
    manifest = _read_manifest(task.manifest_path)
    if manifest is None and task.manifest_path.exists():
        # A truncated or corrupted manifest (a disk that filled, a hand edit): rebuild
        # this pair; never trust its outputs, never stop the run.
        logging.getLogger(__name__).warning(
            "%s is unreadable; %s will be rebuilt", task.manifest_path, task.pair.key
        )
        reasons = [f"{task.manifest_path.name} unreadable"]
        if failed.exists():
            return "failed", ["last build failed", *reasons]
        return "stale", reasons
    if manifest is None:
        return ("failed", ["last build failed"]) if failed.exists() else ("missing", [])
    missing = [name for name in task.output_names if not (published / name).is_file()]
    old = manifest.get("components")
    old = old if isinstance(old, dict) else {}
    changed = [key for key, value in task.components.items() if old.get(key) != value]
    reasons = changed + [f"{name} missing" for name in missing]
    if failed.exists():
        return "failed", ["last build failed", *reasons]
    return ("stale", reasons) if reasons else ("fresh", [])


def published_language(task: PairTask) -> str | None:
    """The language of the task's published report, or None when none is published."""
    manifest = _read_manifest(task.manifest_path) or {}
    parameters = manifest.get("parameters")
    lang = parameters.get("lang") if isinstance(parameters, dict) else None
    return lang if isinstance(lang, str) else None


def published_summary(task: PairTask) -> str:
    """What is published for the task, from its manifest: "sv html,pdf final", or "-".

    The language, formats and status of the report as it is in the output folder, which
    a `--lang` or `--format` run may have made other than params say.
    """
    manifest = _read_manifest(task.manifest_path)
    if manifest is None:
        return "-"
    outputs = manifest.get("outputs")
    names = sorted(outputs) if isinstance(outputs, dict) else []
    formats = ",".join(name.rsplit(".", 1)[-1] for name in names) or "-"
    status = manifest.get("status") if manifest.get("status") in ("draft", "final") else "final"
    return f"{published_language(task) or '?'} {formats} {status}"


def replaced_in_other_language(tasks: list[PairTask]) -> list[tuple[PairTask, str]]:
    """The tasks whose published report is in another language than they would build.

    Both languages have the same file names (`rapport.html`), so building such a task
    into the same output folder would replace the published report.

    Returns:
        (task, the published report's language), in the tasks' order.
    """
    replaced = []
    for task in tasks:
        published = published_language(task)
        if published is not None and published != task.pair.settings.lang:
            replaced.append((task, published))
    return replaced


def select_todo(tasks: list[PairTask], *, force: bool) -> list[PairTask]:
    """The tasks a run builds: the stale ones, or with `force` all, execution included."""
    if force:
        return [dataclasses.replace(task, reuse_execution=False) for task in tasks]
    return [task for task in tasks if staleness(task)[0] != "fresh"]


def with_snapshot(task: PairTask, snapshots: dict[int, str]) -> PairTask:
    """The task with its year's inputs snapshot, as a path relative to its work folder.

    Relative, so that the executed notebooks (whose parameters cell records it) hold no
    machine path and are the same bytes whatever the output folder.
    """
    snapshot = snapshots.get(task.pair.year)
    if snapshot is None:
        return task
    work = Path(task.out) / WORK / str(task.pair.year) / task.pair.slug
    return dataclasses.replace(task, inputs_snapshot=os.path.relpath(snapshot, work))


def stale_stage(reasons: list[str]) -> str:
    """The first stage a stale pair must redo: "execute", or "render" when only what
    rendering reads changed (narrative, template, renderer) or an output file is missing.
    """
    return "execute" if any(reason in EXECUTE_COMPONENTS for reason in reasons) else "render"


def _read_manifest(path: Path) -> dict | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return _parsed_manifest(str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)


@functools.lru_cache(maxsize=4096)
def _parsed_manifest(path: str, _mtime_ns: int, _size: int, _inode: int) -> dict | None:
    # Keyed by the file's identity and version: a run asks for each manifest before it
    # builds and again for the index, and a no-op of a national round has thousands.
    # A manifest is replaced by a rename (a new inode), never rewritten in place.
    # Callers only read the result.
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
