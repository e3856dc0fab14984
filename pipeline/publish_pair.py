"""Publishing one built report: its files and manifest, swapped in atomically.

A region-year's report is a folder (`<out>/<year>/<slug>/`: HTML, PDF, executed
notebooks, manifest), staged beside the published one and swapped in with one rename;
a year's overview is files in the year's folder, all replaced or none. The manifest
holds no times, so identical inputs give identical bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
from importlib import metadata
from pathlib import Path

from pipeline.publish import (
    STAGING,
    publish_dir,
    publish_failure,
    write_file_atomic,
    write_files_atomic,
)
from pipeline.task import MANIFEST, OVERVIEW_STEM, PairTask

_PACKAGES = (
    "peer-eval", "pandas", "matplotlib", "papermill", "ipykernel", "nbformat", "pypandoc-binary",
    "typst", "babel", "openpyxl", "pydantic",
)  # fmt: skip


def manifest_for(task: PairTask, outputs: dict[str, str]) -> dict:
    """The manifest of one published report (no times: identical inputs, identical bytes)."""
    pair = task.pair
    return {
        "report": {"region": pair.region, "year": pair.year, "slug": pair.slug, "kind": task.kind},
        "status": task.draft.status,
        "draft_reasons": list(task.draft_reasons),
        "parameters": json.loads(pair.settings.model_dump_json()),
        "inputs": task.inputs,
        "components": task.components,
        "digest": task.digest,
        "renderer": {"name": task.renderer, "version": task.renderer_version},
        "packages": dict(_package_versions()),
        "python": platform.python_version(),
        "git_commit": task.git_commit,
        "outputs": outputs,
    }


def publish_report(task: PairTask, work: Path, rendered: dict[str, Path]) -> None:
    if task.kind == "overview":
        _publish_overview(task, rendered)
        return
    out = Path(task.out)
    staging = out / STAGING / str(task.pair.year) / task.pair.slug
    try:
        _stage_and_publish(task, work, rendered, staging)
    except OSError as exc:  # a full or read-only disk: the published report stays
        shutil.rmtree(staging, ignore_errors=True)
        needed = sum(p.stat().st_size for p in [*rendered.values(), *work.rglob("*.ipynb")])
        raise publish_failure(exc, task.published_dir, needed) from None


def _stage_and_publish(task: PairTask, work: Path, rendered: dict[str, Path], staging: Path):
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    mode = 0o644 if task.output_mode == "shared" else 0o600
    outputs = {}
    for path in rendered.values():
        data = path.read_bytes()
        write_file_atomic(staging / path.name, data, mode)
        outputs[path.name] = hashlib.sha256(data).hexdigest()
    for notebook in sorted((work / "notebooks").glob("*.ipynb")):
        write_file_atomic(staging / "notebooks" / notebook.name, notebook.read_bytes(), mode)
    manifest = json.dumps(manifest_for(task, outputs), indent=2, ensure_ascii=False, sort_keys=True)
    write_file_atomic(staging / MANIFEST, (manifest + "\n").encode("utf-8"), mode)
    for directory in (staging, staging / "notebooks"):
        os.chmod(directory, 0o755 if task.output_mode == "shared" else 0o700)
    publish_dir(staging, task.published_dir)


def _publish_overview(task: PairTask, rendered: dict[str, Path]) -> None:
    """An overview is files in the year's folder: all replaced or none, the manifest last."""
    mode = 0o644 if task.output_mode == "shared" else 0o600
    outputs, files = {}, {}
    for path in rendered.values():
        data = path.read_bytes()
        files[task.published_dir / path.name] = data
        outputs[path.name] = hashlib.sha256(data).hexdigest()
    manifest = json.dumps(manifest_for(task, outputs), indent=2, ensure_ascii=False, sort_keys=True)
    files[task.manifest_path] = (manifest + "\n").encode("utf-8")
    try:  # all files or none: a full disk leaves the previous overview whole
        write_files_atomic(files, mode)
    except OSError as exc:
        raise publish_failure(exc, task.published_dir, sum(map(len, files.values()))) from None
    # A format not built this run (--format html) leaves no file behind that the
    # manifest does not list: the folder holds what the manifest says, as a report's does.
    for stale in task.published_dir.glob(f"{OVERVIEW_STEM}.*"):
        if stale.name not in outputs and stale != task.manifest_path:
            stale.unlink(missing_ok=True)


@functools.cache  # what is installed does not change during a run
def _package_versions() -> dict[str, str]:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
