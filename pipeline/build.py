"""The build: plan -> check cache -> execute -> render -> publish, for every region-year.

Each pair is one task that needs nothing from other tasks: it executes the notebooks
in its own working directory, writes and renders its report source there, and
publishes the finished directory atomically. Tasks are plain data so that they can
run in this process, in a process pool, or on Dask workers.

This module plans tasks (their dependency hashes) and builds one (`build_pair`: the
stages). The task itself is `pipeline.task`, whether a report is stale
`pipeline.staleness`, publishing it `pipeline.publish_pair`, and where tasks run
`pipeline.executors`; the names callers use from those are importable from here too.
"""

from __future__ import annotations

import calendar
import errno
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import execution_cache
from pipeline.config import Pair, PairSettings, Project, report_date, round_settings
from pipeline.drafts import draft_status, narrative_file
from pipeline.errors import InputError, PeerEvalError, Problem
from pipeline.inputs_files import file_hashes, input_files
from pipeline.links import report_links
from pipeline.narrative_sections import parse_narrative
from pipeline.publish import FAILED, WORK, publish_failure
from pipeline.publish_pair import manifest_for, publish_report
from pipeline.render import render, resolve_renderer
from pipeline.report_source import compose_source, overview_region
from pipeline.staleness import select_todo, stale_stage, staleness, with_snapshot
from pipeline.task import (
    EXECUTE_COMPONENTS,
    MANIFEST,
    OVERVIEW_STEM,
    PairResult,
    PairTask,
    hash_text,
)
from pipeline.upgrade import conflict_problems

__all__ = [  # this module's own API and the names its callers import from here
    "EXECUTE_COMPONENTS", "MANIFEST", "OVERVIEW_STEM", "PairResult",
    "PairTask", "build_pair", "execute_pair", "manifest_for", "needs_execution",
    "plan_overviews", "plan_tasks", "publish_report", "render_pair", "restore_execution",
    "select_todo", "stale_stage", "staleness", "store_execution", "with_snapshot",
]  # fmt: skip

PACKAGE_DIR = Path(__file__).resolve().parent
_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


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
            template=project.templates_dir / "rapport.qmd",
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
        settings: The params-level settings with command-line options applied; each
            overview is dated like its round (`pipeline.config.round_settings`).

    Returns:
        Tasks whose outputs are `<out>/<year>/oversikt.html|pdf` and `oversikt.json`.
    """
    notebooks = tuple(str(p) for p in sorted((project.notebooks_dir / "overview").glob("*.ipynb")))
    if not notebooks:
        return []
    template = project.templates_dir / f"{OVERVIEW_STEM}.qmd"
    if not template.is_file():
        raise InputError(Problem(str(template), "overview template not found"))
    planner = _Planner(project, out, renderer)
    regions = project.evaluation.model_dump_json(include={"regions", "inputs"})
    return [
        planner.task(
            Pair(
                region=overview_region(settings.lang),
                year=year,
                settings=round_settings(project, settings, year),
            ),
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
        # The message catalogs are code too: notebooks print their texts and captions.
        code = sorted(PACKAGE_DIR.rglob("*.py")) + sorted((PACKAGE_DIR / "locales").rglob("*.yaml"))
        self.code_hash = _hash_files([p for p in code if render_dir not in p.parents])
        self.render_code_hash = _hash_files(
            [p for p in code if render_dir in p.parents] + _render_templates()
        )
        self.commit = _git_commit(project.root)
        self._inputs: dict[int, dict[str, str]] = {}  # year -> input hashes, shared by its pairs
        # Notebooks and templates are shared by every task: read and hashed once per run.
        self._file_hashes: dict[tuple[Path, ...], str] = {}
        self.has_overview = any((project.notebooks_dir / "overview").glob("*.ipynb"))

    def hash_files(self, paths: list[Path]) -> str:
        """`_hash_files(paths)`, computed once per run for the same files."""
        key = tuple(paths)
        if key not in self._file_hashes:
            self._file_hashes[key] = _hash_files(paths)
        return self._file_hashes[key]

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
            "notebooks": self.hash_files([Path(p) for p in notebooks]),
            "template": self.hash_files([template]),
            "code": self.code_hash,
            "render_code": self.render_code_hash,
            # What the notebooks are given; the other settings (formats, the title page's
            # metadata, time limits) only change the rendering: `settings`.
            "parameters": hash_text(
                json.dumps(notebook_settings(pair, kind), sort_keys=True) + parameters
            ),
            "settings": hash_text(pair.model_dump_json()),
            "data": hash_text(json.dumps(inputs, sort_keys=True)),
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
            overview=self.has_overview,
        )
        components["links"] = hash_text(json.dumps(links, sort_keys=True))
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
    template = project.templates_dir / "rapport.qmd"
    if pairs and not template.is_file():
        problems.append(Problem(str(template), "report template not found"))
    problems += conflict_problems(source_files(project, pairs))
    if problems:
        raise InputError(problems)


def source_files(project: Project, pairs: list[Pair]) -> list[Path]:
    """The project's own files a build of `pairs` reads besides the data, sorted.

    The notebooks (also the overview's), the report templates (the templates folder's
    own files) and the narratives of the pairs and of their years'
    overviews, in every language the pairs are built in: where `peer-eval upgrade`
    (or an analyst's own merge) may leave conflict markers.
    """
    notebooks = project.notebooks_dir
    files = [*notebooks.glob("*.ipynb"), *(notebooks / "overview").glob("*.ipynb")]
    templates = project.templates_dir
    files += [p for p in templates.glob("*") if p.is_file()]
    narratives = {
        narrative_file(project.narrative_dir, pair.year, stem, pair.settings.lang)
        for pair in pairs
        for stem in (pair.slug, OVERVIEW_STEM)
    }
    return sorted({*files, *(p for p in narratives if p.is_file())})


def build_pair(task: PairTask, side_by_side: bool = False) -> PairResult:
    """Execute, render and publish one region-year; never raises for a failing pair.

    Args:
        task: The planned task.
        side_by_side: Execute the pair's notebooks at the same time (see `execute_pair`).

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
            execute_pair(task, work, side_by_side=side_by_side)
        rendered = render_pair(task, work, task.pair.settings.formats)
        publish_report(task, work, rendered)
        if result.executed:  # after publishing: the cache never takes the report's space
            store_execution(task, work)
        result.outputs = [_relative(task.published_dir / p.name, out) for p in rendered.values()]
        shutil.rmtree(failed_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    except PeerEvalError as exc:
        result.status = "failed"
        result.error = str(exc)
        result.kept = keep_failed(work, failed_dir, out)
    except OSError as exc:  # a full or read-only disk while working: say so, keep the old report
        result.status = "failed"
        if exc.errno in _DISK_ERRORS:
            needed = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
            result.error = str(publish_failure(exc, task.published_dir, needed))
        else:
            result.error = f"{type(exc).__name__}: {exc}"
        result.kept = keep_failed(work, failed_dir, out)
    except Exception as exc:  # a bug must fail its pair, not the whole run
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}"
        result.kept = keep_failed(work, failed_dir, out)
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


def notebook_settings(pair: Pair, kind: str) -> dict[str, object]:
    """The pair's settings its notebooks are given as parameters (with two paths more).

    Only these, the notebooks, the code and the data decide the executed notebooks
    (`pipeline.task.EXECUTE_COMPONENTS`).
    """
    settings = pair.settings
    parameters: dict[str, object] = {"year": pair.year, "lang": settings.lang, "k": settings.k}
    parameters |= {"interview_k": settings.interview_k, "extremes_k": settings.extremes_k}
    if kind == "region":
        parameters |= {"region": pair.region, "quotes_per_theme": settings.quotes_per_theme}
    return parameters


def execute_pair(task: PairTask, work: Path, *, side_by_side: bool = False) -> None:
    """Execute the pair's notebooks into `work/notebooks`.

    Args:
        task: The planned task.
        work: Its work directory.
        side_by_side: A thread per notebook, each with its own kernel, for a run with
            cores to spare (fewer pairs than jobs): a one-pair run then takes about
            the time of its slower notebook. Otherwise one after the other.

    Raises:
        ExecutionError: When a notebook fails (the executed notebook is in `work`);
            the first failing notebook in order, as one after the other would say.
    """
    # Imported here: papermill, nbclient and jupyter_client cost a no-op or render-only
    # run (and each of its pool workers) a third of a second and are not needed there.
    from pipeline.execute import execute_notebook

    settings = task.pair.settings
    parameters = notebook_settings(task.pair, task.kind)
    parameters["params_file"] = task.params_file
    parameters["inputs_snapshot"] = task.inputs_snapshot

    def execute(notebook: str) -> None:
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

    # Side by side only with cores to spare: with every core busy building other pairs
    # it measured hardly faster at a national round (290 x 1: 1.49 against 1.48 s per
    # pair), for more CPU and a kernel more per worker at the memory peak (1528 against
    # 1465 MB at 290 x 3; docs/performance.md).
    if not side_by_side or len(task.notebooks) < 2:
        for notebook in task.notebooks:
            execute(notebook)
        return
    with ThreadPoolExecutor(max_workers=len(task.notebooks)) as pool:
        running = [pool.submit(execute, notebook) for notebook in task.notebooks]
        for future in running:
            future.result()


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


def _quiet_loggers() -> None:
    """papermill and nbclient log every kernel hiccup; the run's summary reports failures.

    Called in each task because pool and Dask workers never run the CLI's logging setup.
    """
    for name in ("papermill", "nbclient", "traitlets"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def keep_failed(work: Path, failed_dir: Path, out: Path) -> str:
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


def _render_templates() -> list[Path]:
    return sorted(p for p in (PACKAGE_DIR / "render" / "templates").rglob("*") if p.is_file())


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


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
