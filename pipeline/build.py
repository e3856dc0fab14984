"""The build: plan -> check cache -> execute -> render -> publish, for every region-year.

Each pair is one task that needs nothing from other tasks: it executes the notebooks
in its own working directory, writes and renders its report source there, and
publishes the finished directory atomically. Tasks are plain data so that they can
run in this process, in a process pool, or on Dask workers.
"""

from __future__ import annotations

import calendar
import dataclasses
import errno
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pipeline import execution_cache
from pipeline.config import Pair, PairSettings, Project, report_date
from pipeline.drafts import DraftStatus, draft_status, narrative_file
from pipeline.errors import InputError, PeerEvalError, Problem
from pipeline.inputs import file_hashes, input_files
from pipeline.links import report_links
from pipeline.publish import (
    FAILED,
    STAGING,
    WORK,
    publish_dir,
    publish_failure,
    write_file_atomic,
    write_files_atomic,
)
from pipeline.render import render, resolve_renderer
from pipeline.report_source import compose_source, parse_narrative

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = "manifest.json"
OVERVIEW_STEM = "oversikt"
OVERVIEW_REGION = {"sv": "Nationell översikt", "en": "National overview"}
# What execution depends on; every other component only affects rendering, so a change
# there re-renders from the cached executed notebooks (pipeline.execution_cache).
EXECUTE_COMPONENTS = ("notebooks", "code", "parameters", "data")
_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)
_PACKAGES = (
    "peer-eval", "pandas", "matplotlib", "papermill", "ipykernel", "nbformat", "pypandoc-binary",
    "typst", "babel", "openpyxl", "pydantic",
)  # fmt: skip


@dataclass(frozen=True)
class PairTask:
    """Everything one region-year build needs, as plain data (picklable for workers)."""

    pair: Pair
    params_file: str
    root: str
    out: str
    renderer: str
    renderer_version: str
    notebooks: tuple[str, ...]
    template: str
    narrative_file: str
    components: dict[str, str]
    inputs: dict[str, str]
    git_commit: str
    output_mode: str
    kind: str = "region"  # "region": one region-year; "overview": all regions of a year
    draft_reasons: tuple[str, ...] = ()  # empty: final; else what is missing (report language)
    reuse_execution: bool = True  # False (--force): execute even if the cache is valid
    inputs_snapshot: str = ""  # the run's validated inputs (pipeline.snapshot), or "" for none
    links: dict = field(default_factory=dict)  # to the PDF, index, other years (pipeline.links)

    @property
    def draft(self) -> DraftStatus:
        """The report's draft status (decided at planning, from params and narrative)."""
        return DraftStatus(self.draft_reasons, self.pair.settings.lang)

    @property
    def digest(self) -> str:
        """One hash over everything the report depends on."""
        return _hash_text(json.dumps(self.components, sort_keys=True))

    @property
    def execute_digest(self) -> str:
        """One hash over what the executed notebooks depend on (EXECUTE_COMPONENTS)."""
        execute = {key: self.components[key] for key in EXECUTE_COMPONENTS}
        return _hash_text(json.dumps(execute, sort_keys=True))

    @property
    def stem(self) -> str:
        """Output file names: rapport.html / rapport.pdf, or oversikt.html / oversikt.pdf."""
        return OVERVIEW_STEM if self.kind == "overview" else "rapport"

    @property
    def published_dir(self) -> Path:
        """Where the finished report lives: its own folder, or the year's for an overview."""
        year_dir = Path(self.out) / str(self.pair.year)
        return year_dir if self.kind == "overview" else year_dir / self.pair.slug

    @property
    def manifest_path(self) -> Path:
        """The published manifest."""
        if self.kind == "overview":
            return self.published_dir / f"{OVERVIEW_STEM}.json"
        return self.published_dir / MANIFEST

    @property
    def output_names(self) -> list[str]:
        """The published report files, by format."""
        return [f"{self.stem}.{fmt}" for fmt in self.pair.settings.formats]


@dataclass
class PairResult:
    """What happened to one pair."""

    key: str
    region: str
    year: int
    status: str  # built | skipped | failed
    executed: bool = True  # False: rendered from the cached executed notebooks
    seconds: float = 0.0
    error: str = ""
    kept: str = ""
    outputs: list[str] = field(default_factory=list)


def plan_tasks(project: Project, pairs: list[Pair], out: Path, renderer: str) -> list[PairTask]:
    """Turn pairs into tasks with their dependency hashes.

    Args:
        project: The loaded project.
        pairs: The pairs to build.
        out: The output directory.
        renderer: auto, quarto or builtin.

    Returns:
        One task per pair, in the pairs' order.
    """
    notebooks = tuple(str(p) for p in sorted(project.notebooks_dir.glob("*.ipynb")))
    _check_sources(project, pairs, notebooks)
    planner = _Planner(project, out, renderer)
    inputs_spec = project.evaluation.inputs.model_dump_json()
    return [
        planner.task(
            pair,
            notebooks,
            template=project.templates_dir / f"rapport.{pair.settings.lang}.qmd",
            narrative=narrative_file(
                project.narrative_dir, pair.year, pair.slug, pair.settings.lang
            ),
            parameters=inputs_spec,
        )
        for pair in pairs
    ]


def plan_overviews(
    project: Project, pairs: list[Pair], out: Path, renderer: str, settings: PairSettings
) -> list[PairTask]:
    """One national-overview task per year among `pairs` (none without an overview notebook).

    Args:
        project: The loaded project.
        pairs: The planned pairs (their years get an overview).
        out: The output directory.
        renderer: auto, quarto or builtin.
        settings: The params-level settings with command-line options applied.

    Returns:
        Tasks whose outputs are `<out>/<year>/oversikt.html|pdf` and `oversikt.json`.
    """
    notebooks = tuple(str(p) for p in sorted((project.notebooks_dir / "overview").glob("*.ipynb")))
    if not notebooks:
        return []
    template = project.templates_dir / f"{OVERVIEW_STEM}.{settings.lang}.qmd"
    if not template.is_file():
        raise InputError(Problem(str(template), "overview template not found"))
    planner = _Planner(project, out, renderer)
    regions = project.evaluation.model_dump_json(include={"regions", "inputs"})
    return [
        planner.task(
            Pair(region=OVERVIEW_REGION[settings.lang], year=year, settings=settings),
            notebooks,
            template=template,
            narrative=narrative_file(project.narrative_dir, year, OVERVIEW_STEM, settings.lang),
            parameters=regions,
            kind="overview",
        )
        for year in sorted({pair.year for pair in pairs})
    ]


class _Planner:
    """What every task of one run shares: renderer, code hash, commit, output folder."""

    def __init__(self, project: Project, out: Path, renderer: str):
        self.project, self.out = project, out.resolve()
        self.renderer, self.version = resolve_renderer(renderer)
        render_dir = PACKAGE_DIR / "render"
        code = sorted(PACKAGE_DIR.rglob("*.py"))
        self.code_hash = _hash_files([p for p in code if render_dir not in p.parents])
        self.render_code_hash = _hash_files(
            [p for p in code if render_dir in p.parents] + _render_templates()
        )
        self.commit = _git_commit(project.root)
        self._inputs: dict[int, dict[str, str]] = {}  # year -> input hashes, shared by its pairs

    def task(
        self,
        pair: Pair,
        notebooks: tuple[str, ...],
        *,
        template: Path,
        narrative: Path | None,
        parameters: str,
        kind: str = "region",
    ) -> PairTask:
        """A task with the hashes of everything its report depends on."""
        project = self.project
        if pair.year not in self._inputs:
            self._inputs[pair.year] = file_hashes(project, input_files(project, pair.year))
        inputs = self._inputs[pair.year]
        components = {
            "notebooks": _hash_files([Path(p) for p in notebooks]),
            "template": _hash_files([template]),
            "code": self.code_hash,
            "render_code": self.render_code_hash,
            "parameters": _hash_text(pair.model_dump_json() + parameters),
            "data": _hash_text(json.dumps(inputs, sort_keys=True)),
            "renderer": self.version,
        }
        draft: tuple[str, ...] = ()
        if narrative is not None:
            components["narrative"] = _hash_files([narrative]) if narrative.is_file() else "none"
            sections = _read_narrative(narrative)
            shown = _relative(narrative, project.root)
            status = draft_status(pair.settings, sections, shown, require_metadata=kind == "region")
            draft = status.reasons
        links = report_links(
            kind=kind,
            year=pair.year,
            slug=pair.slug,
            stem=OVERVIEW_STEM if kind == "overview" else "rapport",
            formats=pair.settings.formats,
            years=project.evaluation.years,
            overview=any((project.notebooks_dir / "overview").glob("*.ipynb")),
        )
        components["links"] = _hash_text(json.dumps(links, sort_keys=True))
        return PairTask(
            pair=pair,
            params_file=str(project.params_file),
            root=str(project.root),
            out=str(self.out),
            renderer=self.renderer,
            renderer_version=self.version,
            notebooks=notebooks,
            template=str(template),
            narrative_file=str(narrative or ""),
            components=components,
            inputs=inputs,
            git_commit=self.commit,
            output_mode=project.evaluation.output_mode,
            kind=kind,
            draft_reasons=draft,
            links=links,
        )


def _read_narrative(path: Path) -> dict[str, str] | None:
    """The narrative's sections, or None when there is no narrative file."""
    if not path.is_file():
        return None
    return parse_narrative(path.read_text(encoding="utf-8"))


def _check_sources(project: Project, pairs: list[Pair], notebooks: tuple[str, ...]) -> None:
    problems = []
    if not notebooks:
        problems.append(Problem(str(project.notebooks_dir), "no notebooks (*.ipynb) to execute"))
    for lang in sorted({pair.settings.lang for pair in pairs}):
        template = project.templates_dir / f"rapport.{lang}.qmd"
        if not template.is_file():
            problems.append(Problem(str(template), f"report template for lang {lang!r} not found"))
    if problems:
        raise InputError(problems)


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


def build_pair(task: PairTask) -> PairResult:
    """Execute, render and publish one region-year; never raises for a failing pair.

    Args:
        task: The planned task.

    Returns:
        The result; on failure the executed notebooks are kept under `<out>/.failed/`.
    """
    started = time.monotonic()
    pair = task.pair
    out = Path(task.out)
    work = out / WORK / str(pair.year) / pair.slug
    failed_dir = out / FAILED / str(pair.year) / pair.slug
    result = PairResult(key=pair.key, region=pair.region, year=pair.year, status="built")
    _quiet_loggers()
    # Work, cache and kept notebooks hold quotes and tables before disclosure checks are
    # published: in private mode nobody else may even look inside.
    for scratch in (out / WORK, out / FAILED, out / execution_cache.CACHE):
        scratch.mkdir(parents=True, exist_ok=True)
        os.chmod(scratch, 0o755 if task.output_mode == "shared" else 0o700)
    shutil.rmtree(work, ignore_errors=True)
    (work / "notebooks").mkdir(parents=True)
    try:
        result.executed = not restore_execution(task, work)
        if result.executed:
            execute_pair(task, work)
        rendered = render_pair(task, work, task.pair.settings.formats)
        _publish(task, work, rendered)
        if result.executed:  # after publishing: the cache never takes the report's space
            store_execution(task, work)
        result.outputs = [_relative(task.published_dir / p.name, out) for p in rendered.values()]
        shutil.rmtree(failed_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    except PeerEvalError as exc:
        result.status = "failed"
        result.error = str(exc)
        result.kept = _keep_failed(work, failed_dir, out)
    except OSError as exc:  # a full or read-only disk while working: say so, keep the old report
        result.status = "failed"
        if exc.errno in _DISK_ERRORS:
            needed = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
            result.error = str(publish_failure(exc, task.published_dir, needed))
        else:
            result.error = f"{type(exc).__name__}: {exc}"
        result.kept = _keep_failed(work, failed_dir, out)
    except Exception as exc:  # a bug must fail its pair, not the whole run
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}"
        result.kept = _keep_failed(work, failed_dir, out)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def restore_execution(task: PairTask, work: Path) -> bool:
    """Put the cached executed notebooks into `work/notebooks` when they are still valid.

    Returns:
        True when restored (nothing needs executing); False when the pair must execute.
    """
    if not task.reuse_execution:
        return False
    entry = execution_cache.entry_dir(Path(task.out), task.pair.year, task.pair.slug)
    return execution_cache.restore(entry, task.execute_digest, work / "notebooks")


def needs_execution(task: PairTask) -> bool:
    """Whether building `task` must execute notebooks (no valid cached execution)."""
    entry = execution_cache.entry_dir(Path(task.out), task.pair.year, task.pair.slug)
    return not (task.reuse_execution and execution_cache.is_valid(entry, task.execute_digest))


def execute_pair(task: PairTask, work: Path) -> None:
    """Execute the pair's notebooks into `work/notebooks`.

    Raises:
        ExecutionError: When a notebook fails (the executed notebook is in `work`).
    """
    # Imported here: papermill, nbclient and jupyter_client cost a no-op or render-only
    # run (and each of its pool workers) a third of a second and are not needed there.
    from pipeline.execute import execute_notebook

    pair, settings = task.pair, task.pair.settings
    parameters = {"year": pair.year, "lang": settings.lang, "k": settings.k}
    parameters |= {"interview_k": settings.interview_k, "extremes_k": settings.extremes_k}
    parameters["params_file"] = task.params_file
    parameters["inputs_snapshot"] = task.inputs_snapshot
    if task.kind == "region":
        parameters |= {"region": pair.region, "quotes_per_theme": settings.quotes_per_theme}
    for notebook in task.notebooks:
        source = Path(notebook)
        execute_notebook(
            source,
            work / "notebooks" / source.name,
            parameters,
            lang=settings.lang,
            cwd=work,
            timeout_seconds=settings.timeout_seconds,
            memory_mb=settings.kernel_memory_mb,
        )


def store_execution(task: PairTask, work: Path) -> None:
    """Keep the executed notebooks in `work/notebooks` for render-only rebuilds."""
    entry = execution_cache.entry_dir(Path(task.out), task.pair.year, task.pair.slug)
    mode = 0o644 if task.output_mode == "shared" else 0o600
    try:
        execution_cache.store(entry, task.execute_digest, work / "notebooks", mode)
    except OSError as exc:  # a full disk: the cache only saves time
        logging.getLogger(__name__).warning("%s: execution not cached (%s)", task.pair.key, exc)


def render_pair(task: PairTask, work: Path, formats: Iterable[str]) -> dict[str, Path]:
    """Write the pair's report source into `work` and render it from the executed notebooks.

    Args:
        task: The planned task.
        work: Its work directory, with the executed notebooks in `notebooks/`.
        formats: The formats to render.

    Returns:
        The rendered files by format.
    """
    pair = task.pair
    date = report_date(pair.settings)
    narrative_path = Path(task.narrative_file)
    sections = _read_narrative(narrative_path) if task.narrative_file else None
    shown = _relative(narrative_path, Path(task.root))
    # Decided again from the narrative as read now: the same as at planning in a run, and
    # current in a preview, where the narrative changes while the task stays.
    draft = task.draft
    if task.narrative_file:
        require = task.kind == "region"
        draft = draft_status(pair.settings, sections, shown, require_metadata=require)
    source_text = compose_source(
        Path(task.template).read_text(encoding="utf-8"),
        pair,
        date,
        sections or {},
        shown,
        draft=draft,
        links=task.links,
    )
    report_source = work / f"{task.stem}.qmd"
    report_source.write_text(source_text, encoding="utf-8")
    timestamp = calendar.timegm(date.timetuple())
    return render(report_source, list(formats), renderer=task.renderer, timestamp=timestamp)


def run_tasks(
    tasks: list[PairTask],
    jobs: int,
    on_result: Callable[[PairResult], None] = lambda r: None,
    executor: str = "local",
    scheduler: str | None = None,
) -> list[PairResult]:
    """Build tasks with the chosen executor, reporting each result as it arrives.

    Args:
        tasks: Tasks to build.
        jobs: Parallel pairs for the local executor (1 = in this process).
        on_result: Called with each finished result (for progress display).
        executor: "local" (process pool) or "dask".
        scheduler: Dask scheduler address ("tcp://host:8786"); None starts a
            LocalCluster on this machine.

    Returns:
        Results in the tasks' order.
    """
    results: dict[str, PairResult] = {}
    for result in _EXECUTORS[executor](tasks, jobs, scheduler):
        results[result.key] = result
        on_result(result)
    return [results[task.pair.key] for task in tasks]


def _run_local(tasks: list[PairTask], jobs: int, _scheduler: str | None) -> Iterable[PairResult]:
    if jobs <= 1 or len(tasks) <= 1:
        # In this process; its kernel template (pipeline.kernels) stops at exit.
        for task in tasks:
            yield build_pair(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # forkserver: workers start clean (no inherited threads or open kernels). Each
    # worker starts its kernel template at once, so it is warm for the first notebook.
    context = multiprocessing.get_context("forkserver")
    # A run that only re-renders needs no kernels: start no templates for it.
    warm = _start_template if any(needs_execution(task) for task in tasks) else None
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=context, initializer=warm
    ) as pool:
        futures = [pool.submit(build_pair, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()


def _start_template() -> None:
    """Pool initialiser: this worker's kernel template, started now (see pipeline.kernels)."""
    from pipeline.kernels import start_template

    start_template()


# A pair whose worker dies (killed, out of memory) is retried once on another worker,
# then reported failed; a worker holds only the pair it runs, so no other pair is
# blamed for its death. These apply to the LocalCluster started here; a cluster given
# by --scheduler follows its own configuration.
DASK_CONFIG = {
    "distributed.scheduler.allowed-failures": 1,
    "distributed.scheduler.worker-saturation": 1.0,
}


def _run_dask(tasks: list[PairTask], jobs: int, scheduler: str | None) -> Iterable[PairResult]:
    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        with dask.config.set(DASK_CONFIG):
            cluster = LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None,
            )  # fmt: skip
    client = Client(scheduler or cluster)
    try:
        by_key = {f"peer-eval-{task.pair.key}": task for task in tasks}
        futures = [client.submit(build_pair, task, key=key, pure=False)
                   for key, task in by_key.items()]  # fmt: skip
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker died (KilledWorker), or lost the result
                yield _lost(by_key[future.key], exc)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _lost(task: PairTask, exc: Exception) -> PairResult:
    """The result of a pair whose worker died while building it: failed, nothing published.

    A dead worker never reached the atomic swap, so the published report is the old
    one; its work folder (if this machine sees it) is kept for debugging.
    """
    pair, out = task.pair, Path(task.out)
    work = out / WORK / str(pair.year) / pair.slug
    failed = out / FAILED / str(pair.year) / pair.slug
    kept = _keep_failed(work, failed, out) if work.exists() else ""
    name = type(exc).__name__
    reason = (
        "its Dask worker died while building it, also when retried"
        if name == "KilledWorker"
        else str(exc)
    )
    return PairResult(
        key=pair.key, region=pair.region, year=pair.year, status="failed",
        error=f"{name}: {reason}; nothing was published", kept=kept,
    )  # fmt: skip


_EXECUTORS = {"local": _run_local, "dask": _run_dask}
EXECUTORS = tuple(_EXECUTORS)


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
        "packages": _package_versions(),
        "python": platform.python_version(),
        "git_commit": task.git_commit,
        "outputs": outputs,
    }


def _publish(task: PairTask, work: Path, rendered: dict[str, Path]) -> None:
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


def _quiet_loggers() -> None:
    """papermill and nbclient log every kernel hiccup; the run's summary reports failures.

    Called in each task because pool and Dask workers never run the CLI's logging setup.
    """
    for name in ("papermill", "nbclient", "traitlets"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _keep_failed(work: Path, failed_dir: Path, out: Path) -> str:
    """Keep the executed notebooks (with the error) for debugging; never published."""
    shutil.rmtree(failed_dir, ignore_errors=True)
    try:
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        if work.exists():
            os.rename(work, failed_dir)
    except OSError:  # a full or read-only disk: the pair's failure is reported anyway
        shutil.rmtree(work, ignore_errors=True)
        return ""
    return _relative(failed_dir, out)


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _render_templates() -> list[Path]:
    return sorted(p for p in (PACKAGE_DIR / "render" / "templates").rglob("*") if p.is_file())


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def _hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _package_versions() -> dict[str, str]:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _git_commit(root: Path) -> str:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return completed.stdout.strip() if completed.returncode == 0 else "unknown"


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
