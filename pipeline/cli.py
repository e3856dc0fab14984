"""The `peer-eval` command line: parses options and delegates. Logging is set up only here.

Exit codes: 0 everything published (or valid), 1 some pair failed, 2 invalid input or usage.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.errors import InputError, PeerEvalError, Problem

if TYPE_CHECKING:
    from pipeline.build import PairTask

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Reproducible evaluation reports for peer support: every region x year, HTML and PDF.",
)

ParamsOption = Annotated[
    Path, typer.Option("--params", "-p", help="The params file.", show_default=True)
]
RegionOption = Annotated[
    list[str] | None, typer.Option("--region", "-r", help="Only this region (repeatable).")
]
YearOption = Annotated[
    list[int] | None, typer.Option("--year", "-y", help="Only this year (repeatable).")
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Output directory (default: reports/output of the params' project)."
    ),
]
DEFAULT_PARAMS = Path("params/evaluation.yaml")


def _fail(error: PeerEvalError) -> typer.Exit:
    for line in str(error).splitlines():
        typer.echo(f"error: {line}", err=True)
    return typer.Exit(error.exit_code)


@app.command()
def run(
    params: ParamsOption = DEFAULT_PARAMS,
    out: OutOption = None,
    region: RegionOption = None,
    year: YearOption = None,
    renderer: Annotated[
        str, typer.Option(help="auto (quarto if on PATH, else builtin), quarto or builtin.")
    ] = "auto",
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="Comma-separated: html,pdf,docx.")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Report language, e.g. sv or en.")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild every pair, changed or not.")] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Pairs built in parallel (default: cores).")
    ] = None,
    executor: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait for another run on --out to finish.")] = False,
    overview: Annotated[
        bool, typer.Option(help="Also build each year's national overview (oversikt.html/pdf).")
    ] = True,
    final: Annotated[
        bool, typer.Option("--final", help="Refuse to publish drafts; list what each lacks.")
    ] = False,
) -> None:
    """Build and publish the reports of every (or the chosen) region x year."""
    from pipeline.kernel_template import start_template, stop_template
    from pipeline.paths import output_dir, project_root

    if jobs is not None and jobs < 1:  # before anything starts
        raise _fail(_usage_error("--jobs", f"{jobs}; expected 1 or more (default: cores)"))
    jobs = jobs or os.cpu_count() or 1
    # A small run builds in this process (pipeline.executors.builds_in_process). When it
    # is a first build of chosen region-years, it will execute notebooks: its kernel
    # template starts first thing, so that the template's imports (about a second)
    # overlap this run's own imports and planning. Stopped (killed) as soon as the plan
    # shows no kernel is needed here after all.
    guessed_out = out or output_dir(project_root(params))  # the same as project.output_dir
    if executor == "local" and _first_build_of_few(guessed_out, region, year, jobs, overview):
        start_template()
    from pipeline.build import (
        needs_execution,
        plan_overviews,
        plan_tasks,
        select_todo,
        with_snapshot,
    )
    from pipeline.config import load_project, overview_settings, plan_pairs
    from pipeline.drafts import refuse_drafts
    from pipeline.executors import EXECUTORS, builds_in_process, run_tasks
    from pipeline.progress import Progress
    from pipeline.prune import declared_pairs
    from pipeline.publish import output_lock, publish_failure, recover, tidy
    from pipeline.render import RENDERERS
    from pipeline.site import (
        index_is_current,
        index_key,
        index_language,
        publish_index,
        rates_key,
        recorded_rates,
    )
    from pipeline.snapshot import snapshot_dir, write_snapshots

    try:
        # Every bad option at once, as bad inputs are reported: one line each.
        problems = _choice_problems("--renderer", renderer, ("auto", *RENDERERS))
        problems += _choice_problems("--executor", executor, EXECUTORS)
        try:
            cli_settings = _cli_settings(format, lang)
        except InputError as error:
            problems += error.problems
        if problems:
            raise InputError(problems)
        project = load_project(params)
        out = _checked_out(out or project.output_dir)
        pairs = plan_pairs(project, region, year, cli_settings)
        last_year = max(p.year for p in pairs)
        tasks = plan_tasks(project, pairs, out, renderer)
        if overview:
            settings = overview_settings(project, cli_settings)
            tasks += plan_overviews(project, pairs, out, renderer, settings)
        if lang is not None:
            _refuse_replacing_languages(tasks, lang, out)
        if final:
            refuse_drafts([(_task_key(t), t.draft_reasons) for t in tasks])
        started = time.monotonic()
        # The index is in the language of the reports this run publishes (--lang wins).
        declared = declared_pairs(project)
        index_lang = index_language(lang, project.evaluation.lang)

        def up_to_date(todo: list[PairTask]) -> bool:
            # Nothing to build and the index as the last run left it: the inputs are the
            # files the published reports were built (and validated) from, so neither
            # reading them again nor rewriting the index would change anything.
            return not todo and index_is_current(
                out, index_key(tasks, declared, index_lang, set(), out)
            )

        def reads_inputs(todo: list[PairTask]) -> bool:
            # Only a run that executes notebooks reads the inputs. One that only renders
            # (a narrative or template edit) builds from notebooks an earlier run executed
            # from these very files, after validating them; its index takes the response
            # rates that run recorded for them (`recorded_rates`).
            if any(needs_execution(t) for t in todo):
                return True
            rates = recorded_rates(out, rates_key(tasks, index_lang))
            return rates is None and not up_to_date(todo)

        # Otherwise the inputs are validated before any work (the output folder is not
        # even locked yet); the notebooks load a snapshot of them.
        def load():
            # Imported here: the readers bring pandas, which a run that reads no input
            # (a no-op or a re-render) never needs.
            from pipeline.inputs import load_evaluation

            return load_evaluation(project, upto_year=last_year)

        data = load() if reads_inputs(select_todo(tasks, force=force)) else None
        with output_lock(out, wait=wait):
            recover(out)
            todo = select_todo(tasks, force=force)
            if not (builds_in_process(todo, jobs) and any(needs_execution(t) for t in todo)):
                stop_template()  # started for nothing (if started at all)
            if data is None and reads_inputs(todo):  # another run changed the folder meanwhile
                data = load()
            unchanged = up_to_date(todo)
            years = {t.pair.year for t in todo if needs_execution(t)}
            snapshots = write_snapshots(project, years, out, known={last_year: data})
            todo = [with_snapshot(t, snapshots) for t in todo]
            skipped = len(tasks) - len(todo)
            try:
                with Progress(total=len(todo), skipped=skipped) as progress:
                    results = run_tasks(todo, jobs, progress.advance, executor, scheduler)
            finally:
                shutil.rmtree(snapshot_dir(out), ignore_errors=True)
            tidy(out)
            mode = 0o644 if project.evaluation.output_mode == "shared" else 0o600
            index = out / "index.html"
            try:
                if not unchanged:
                    index = publish_index(
                        out, tasks, data, project, lang=index_lang, mode=mode, pairs=declared
                    )
            except OSError as exc:  # full or read-only: the reports are published already
                raise publish_failure(exc, out, 0) from None
        progress.summary(results, skipped, time.monotonic() - started, index)
    except PeerEvalError as error:
        raise _fail(error) from None
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def _first_build_of_few(
    out: Path, regions: list[str] | None, years: list[int] | None, jobs: int, overview: bool
) -> bool:
    """A guess before planning: this run builds in its own process and executes notebooks.

    True for a run of named regions and years, no more pairs (and overviews) than jobs
    (the rule of `pipeline.executors.builds_in_process`, which imports too much to be
    asked this early), one of which has never been executed into `out` (no execution
    cache entry). Cheap: no params, no inputs, no hashes. A wrong guess costs a template
    killed unused, or a template started later, at its first notebook.
    """
    from pipeline.execution_cache import entry_dir
    from pipeline.slug import slugify

    if not regions or not years:
        return False
    tasks = len(regions) * len(years) + (len(years) if overview else 0)
    if jobs > 1 and tasks > jobs:
        return False
    return any(not entry_dir(out, y, slugify(r)).is_dir() for r in regions for y in years)


def _refuse_replacing_languages(tasks: list[PairTask], lang: str, out: Path) -> None:
    """Stop a `--lang` run that would replace reports published in another language.

    A report has the same file names in every language, so an English build of a pair
    published in Swedish would silently take the Swedish report's place. A municipality
    publishing both keeps each language in its own output folder.

    Raises:
        InputError: One problem per report that would be replaced.
    """
    from pipeline.staleness import replaced_in_other_language

    problems = [
        Problem(
            "--lang",
            f"{lang!r} would replace {_task_key(task)} published in {published!r} in {out}; "
            f"build the {lang!r} reports into another folder (e.g. --out {out}-{lang})",
        )
        for task, published in replaced_in_other_language(tasks)
    ]
    if problems:
        raise InputError(problems)


def _checked_out(out: Path) -> Path:
    """`out`, unless it exists as something other than a folder (a file, /dev/null).

    Raises:
        InputError: Naming --out; before any work, instead of a failure at publishing.
    """
    if out.exists() and not out.is_dir():
        raise InputError(
            Problem("--out", f"{out} is not a folder; expected a folder (made if missing)")
        )
    return out


def _task_key(task: PairTask) -> str:
    """A report as the analyst names it: "2019/orebro", or "2019/oversikt" for an overview."""
    return f"{task.pair.year}/oversikt" if task.kind == "overview" else task.pair.key


def _cli_settings(format: str | None, lang: str | None) -> dict:
    """The settings given on the command line, checked, as params keys.

    The choices are the params models' own (`Format`, `Language` in pipeline.config).

    Raises:
        InputError: One problem per bad option.
    """
    from pipeline.config import FORMATS
    from pipeline.i18n import languages

    settings: dict = {}
    problems: list[Problem] = []
    if format is not None:
        formats = [f.strip() for f in format.split(",") if f.strip()]
        if not formats or any(f not in FORMATS for f in formats):
            expected = ", ".join(FORMATS)
            message = f"{format!r}; expected any of {expected}, e.g. html,pdf"
            problems += _usage_error("--format", message).problems
        settings["formats"] = formats
    if lang is not None:
        if lang not in languages():
            message = f"{lang!r}; expected one of {', '.join(languages())}"
            problems += _usage_error("--lang", message).problems
        settings["lang"] = lang
    if problems:
        raise InputError(problems)
    return settings


def _choice_problems(option: str, value: str, choices: tuple[str, ...]) -> list[Problem]:
    """None if `value` is one of `choices`, else a problem naming the option and them."""
    if value in choices:
        return []
    expected = " or ".join(choices) if len(choices) == 2 else ", ".join(choices)
    return _usage_error(option, f"{value!r}; expected {expected}").problems


def _usage_error(option: str, message: str) -> InputError:
    """An invalid command-line value, as an input problem naming the option."""
    return InputError(Problem(option, f"invalid value {message}"))


@app.command()
def validate(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Check params, every input file and the project's notebooks, templates and narratives.

    Prints one line per problem (exit 2), also per conflict marker left by `upgrade`, or OK.
    """
    from pipeline.analysis.quotes import transcript_tallies
    from pipeline.build import source_files
    from pipeline.config import load_project, plan_pairs
    from pipeline.inputs import load_evaluation
    from pipeline.narrative_facts import narrative_warnings
    from pipeline.upgrade import conflict_problems

    try:
        project = load_project(params)
        pairs = plan_pairs(project)
        # Conflict markers left by `peer-eval upgrade` are reported with the data's
        # problems: one list to work through.
        conflicts = conflict_problems(source_files(project, pairs))
        try:
            data = load_evaluation(project)
        except InputError as error:
            raise InputError(conflicts + error.problems) from None
        if conflicts:
            raise InputError(conflicts)
    except PeerEvalError as error:
        raise _fail(error) from None
    typer.echo(
        f"OK: {params}: {len(project.evaluation.regions)} regions x "
        f"{len(project.evaluation.years)} years = {len(pairs)} reports; "
        f"{len(data.survey)} survey responses, {len(data.register)} interviews, "
        f"{len(data.segments)} coded segments."
    )
    for tally in data.tallies:  # every coding accounted for, per segment source
        typer.echo(f"  {tally.line()}")
    # What quotes will not show of the excerpts: transcription conventions, per year.
    tallies = transcript_tallies(
        data.register, data.segments, names=data.names, tags=data.speaker_tags
    )
    for year, cleaned in tallies.items():
        if cleaned:
            typer.echo(f"  {cleaned.line(year)}")
    # Narrative prose that the data no longer bear out: a warning, the reports still build.
    for line in narrative_warnings(
        project, pairs, data.survey, data.population, data.recommendations
    ):
        typer.echo(f"  {line}")


@app.command("list")
def list_pairs(
    params: ParamsOption = DEFAULT_PARAMS,
    out: OutOption = None,
    renderer: Annotated[str, typer.Option(help="Renderer the state is judged against.")] = "auto",
) -> None:
    """Show the run matrix and each pair's state: fresh, stale (and why), failed or missing.

    "status" is what a run would publish (draft or final, from params and narrative);
    "published" is what is in --out now: language, formats and status of its manifest.

    A stale pair says which stage it must redo: "render:" when only what rendering reads
    changed (narrative, template, renderer), "execute:" when the notebooks must run again.
    """
    from pipeline.build import plan_overviews, plan_tasks, stale_stage, staleness
    from pipeline.config import load_project, overview_settings, plan_pairs
    from pipeline.staleness import published_summary

    try:
        project = load_project(params)
        out = _checked_out(out or project.output_dir)
        pairs = plan_pairs(project)
        tasks = plan_tasks(project, pairs, out, renderer)
        tasks += plan_overviews(project, pairs, out, renderer, overview_settings(project))
    except PeerEvalError as error:
        raise _fail(error) from None
    typer.echo(f"{'year':<6}{'region':<24}{'state':<9}{'status':<8}{'published':<20}why")
    for task in tasks:
        state, reasons = staleness(task)
        why = ", ".join(reasons)
        if state == "stale":
            why = f"{stale_stage(reasons)}: {why}"
        if task.draft_reasons:
            why = "; ".join(filter(None, [why, *task.draft_reasons]))
        typer.echo(
            f"{task.pair.year:<6}{task.pair.region:<24}{state:<9}{task.draft.status:<8}"
            f"{published_summary(task):<20}{why}"
        )


@app.command()
def preview(
    region: Annotated[str, typer.Argument(help="The region (name or slug).")],
    year: Annotated[int, typer.Argument(help="The year.")],
    params: ParamsOption = DEFAULT_PARAMS,
    out: OutOption = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    lang: Annotated[str | None, typer.Option(help="Report language, e.g. sv or en.")] = None,
) -> None:
    """Preview one report in the browser, re-rendered on every save of its narrative."""
    from pipeline.build import plan_tasks
    from pipeline.config import load_project, plan_pairs
    from pipeline.inputs import load_evaluation
    from pipeline.preview import run_preview

    try:
        if not 0 <= port <= 65535:
            raise _usage_error("--port", f"{port}; expected 0-65535 (0: any free port)")
        project = load_project(params)
        out = _checked_out(out or project.output_dir)
        pairs = plan_pairs(project, [region], [year], _cli_settings(None, lang))
        load_evaluation(project, upto_year=year)
        (task,) = plan_tasks(project, pairs, out, "builtin")
        run_preview(task, port=port, echo=typer.echo)
    except PeerEvalError as error:
        raise _fail(error) from None


@app.command()
def prune(
    params: ParamsOption = DEFAULT_PARAMS,
    out: OutOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Remove without asking.")] = False,
) -> None:
    """Remove published reports of regions and years that params no longer declare.

    Lists them first; removes them when confirmed (or with --yes). Without a terminal
    to ask on and without --yes, nothing is removed.
    """
    from pipeline.build import plan_overviews, plan_tasks
    from pipeline.config import load_project, overview_settings, plan_pairs
    from pipeline.prune import declared_pairs, remove, stale_folders
    from pipeline.publish import output_lock, recover, tidy
    from pipeline.site import publish_index, rates_key, recorded_rates

    try:
        project = load_project(params)
        out = _checked_out(out or project.output_dir)
        pairs = declared_pairs(project)
        if not out.is_dir():
            typer.echo(f"Nothing to prune: {out} does not exist.")
            return
        with output_lock(out):
            recover(out)
            stale = stale_folders(out, pairs)
            if not stale:
                typer.echo(f"Nothing to prune: every report in {out} is declared in {params}.")
                return
            for item in stale:
                typer.echo(f"{item.what:<7}{item.path.relative_to(out)}")
            if not yes and not _confirmed(f"Remove these {len(stale)} folders from {out}?"):
                typer.echo("Nothing removed (confirm, or run with --yes).")
                return
            # Planned as a run of every pair would be, so that the index is the one that
            # run writes for the reports left (response rates and stale marks included).
            planned = plan_pairs(project)
            tasks = plan_tasks(project, planned, out, "auto")
            tasks += plan_overviews(project, planned, out, "auto", overview_settings(project))
            lang = project.evaluation.lang
            data = None
            if recorded_rates(out, rates_key(tasks, lang)) is None:  # none for these inputs
                from pipeline.inputs import load_evaluation

                data = load_evaluation(project)
            remove(out, stale)
            tidy(out)
            mode = 0o644 if project.evaluation.output_mode == "shared" else 0o600
            publish_index(out, tasks, data, project, lang=lang, mode=mode, pairs=pairs)
        typer.echo(f"Removed {len(stale)} folders; index rewritten.")
    except PeerEvalError as error:
        raise _fail(error) from None


def _confirmed(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:
        return False


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="New project folder (must be empty).")],
    region: RegionOption = None,
    year: YearOption = None,
    lang: Annotated[str, typer.Option(help="Language of templates and reports, e.g. sv.")] = "sv",
) -> None:
    """Create a new evaluation project: params, data templates, notebooks, report templates."""
    from pipeline.init_project import init_project

    try:
        created = init_project(directory, regions=region or None, years=year or None, lang=lang)
    except PeerEvalError as error:
        raise _fail(error) from None
    for path in created:
        typer.echo(f"created {path}")
    typer.echo(
        f"Next: read {directory / 'README.md'}, fill in data/, then run "
        f"'peer-eval validate --params {directory / 'params' / 'evaluation.yaml'}'."
    )


@app.command()
def upgrade(
    directory: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
    dry_run: Annotated[bool, typer.Option(help="Only list what would change.")] = False,
) -> None:
    """Merge this peer-eval's notebook and template fixes into a project, keeping its edits.

    Exit 1 when an edit here and one in peer-eval touch the same lines (marked in the file).
    """
    from pipeline.shipped import shipped_files
    from pipeline.upgrade import apply_upgrade, installed_version, plan_upgrade

    try:
        shipped, version = shipped_files(), installed_version()
        changes = plan_upgrade(directory, shipped, version)
    except PeerEvalError as error:
        raise _fail(error) from None
    if not dry_run:
        apply_upgrade(directory, changes, shipped, version)
    for change in changes:
        typer.echo(f"{change.action:8} {change.path}: {change.reason}")
    conflicts = sum(change.action == "conflict" for change in changes)
    typer.echo(
        f"{'Would change' if dry_run else 'Changed'} {len(changes) - conflicts} file(s) "
        f"for peer-eval {version}; {conflicts} conflict(s)"
        + (" to resolve by hand (marked <<<<<<< in the file)." if conflicts else ".")
    )
    if conflicts:
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # nbclient and papermill log every kernel hiccup; the summary reports failures.
    for noisy in ("papermill", "nbclient", "traitlets", "distributed", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    # SIGTERM (a service manager, `kill`, a CI timeout) stops a run as Ctrl-C does: the
    # workers are stopped and the scratch folders cleaned before exit, so that nothing is
    # published after the run has gone and dropped its lock.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        app()  # Typer exits with 130 on KeyboardInterrupt
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        if _stopped_by:  # 128 + the signal, as the shell reports a process it stopped
            sys.exit(128 + _stopped_by[-1])
        raise


_stopped_by: list[int] = []


def _interrupted(signum: int, _frame: object) -> None:
    _stopped_by.append(signum)
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
