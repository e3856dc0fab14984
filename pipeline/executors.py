"""Executors: where a run's tasks are built (this process, a process pool, or Dask).

Every executor runs `pipeline.build.build_pair` on each task and yields the results
as they arrive; a task needs nothing from other tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from pipeline.build import build_pair, keep_failed, needs_execution
from pipeline.errors import UsageError
from pipeline.kernel_template import start_template
from pipeline.publish import FAILED, WORK
from pipeline.task import PairResult, PairTask


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


def builds_in_process(tasks: list[PairTask], jobs: int) -> bool:
    """Whether the local executor builds `tasks` in this process rather than in a pool.

    A run with no more pairs than jobs (an analyst's region-year and its overview)
    builds them in threads here: worker processes would each import the pipeline and
    start a kernel template of their own (about 2 s of CPU apiece) for a pair or two.
    Most of a pair's work is in its kernels, pandoc and Typst, which are processes anyway.
    """
    return jobs <= 1 or len(tasks) <= jobs


def _run_local(tasks: list[PairTask], jobs: int, _scheduler: str | None) -> Iterable[PairResult]:
    # Fewer pairs than jobs: the cores left over run each pair's notebooks side by side.
    side_by_side = jobs >= 2 * len(tasks)
    if builds_in_process(tasks, jobs):
        # In this process; its kernel template (pipeline.kernel_template) stops at exit.
        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield build_pair(task, side_by_side)
            return
        with ThreadPoolExecutor(max_workers=len(tasks)) as threads:
            running = [threads.submit(build_pair, task, side_by_side) for task in tasks]
            for future in as_completed(running):
                yield future.result()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: workers start clean (no inherited threads or open kernels). Each
    # worker starts its kernel template at once, so it is warm for the first notebook.
    context = multiprocessing.get_context("forkserver")
    # A run that only re-renders needs no kernels: start no templates for it.
    warm = start_template if any(needs_execution(task) for task in tasks) else None
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=context, initializer=warm
    ) as pool:
        try:
            futures = [pool.submit(build_pair, task, side_by_side) for task in tasks]
            for future in as_completed(futures):
                yield future.result()
        except BaseException:  # Ctrl-C, SIGTERM (pipeline.cli), or the caller stopped early
            _stop_workers(pool)
            raise


def _stop_workers(pool) -> None:
    """Kill a pool's workers now: left running, each would finish and publish its pair.

    Their kernel templates see their pipe close and exit, and the notebook processes
    die with the templates; a pair killed half-way never reached its atomic swap.
    """
    pool.shutdown(wait=False, cancel_futures=True)
    kill = getattr(pool, "kill_workers", None)  # Python 3.14+
    if kill is not None:
        kill()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()


# A pair whose worker dies (killed, out of memory) is retried once on another worker,
# then reported failed; a worker holds only the pair it runs, so no other pair is
# blamed for its death. These apply to the LocalCluster started here; a cluster given
# by --scheduler follows its own configuration.
# Each worker's statistical profiler (a thread sampling its stack every 10 ms, keeping
# a profile per second for the last 1000) feeds only the dashboard, which is off here:
# it would cost every worker CPU and memory that grows for the first 17 minutes.
DASK_CONFIG = {
    "distributed.scheduler.allowed-failures": 1,
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.profile.enabled": False,
}


def _run_dask(tasks: list[PairTask], jobs: int, scheduler: str | None) -> Iterable[PairResult]:
    # distributed sets its loggers' levels as it is imported (INFO, so a run would print
    # the cluster's every start, stop and closed connection, with tracebacks); the levels
    # the CLI chose are put back.
    quieted = logging.getLogger("distributed").level
    try:  # the optional extra peer-eval[dask], imported only when chosen
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise UsageError(
            f"--executor dask needs {exc.name}, which is not installed: "
            "pip install 'peer-eval[dask]'"
        ) from None
    finally:
        logging.getLogger("distributed").setLevel(quieted)
    if not tasks:  # a no-op run: no cluster to start or connect to
        return

    cluster = None
    if scheduler is None:
        with dask.config.set(DASK_CONFIG):
            cluster = LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None,
            )  # fmt: skip
    try:
        client = Client(scheduler or cluster)
    except (OSError, ValueError) as exc:  # nobody listening there, or not an address
        if cluster is not None:
            cluster.close()
        raise UsageError(
            f"--scheduler {scheduler}: cannot connect to a Dask scheduler ({exc}); "
            "start one there, or leave --scheduler out for a local cluster"
        ) from None
    try:
        by_key = {f"peer-eval-{task.pair.key}": task for task in tasks}
        # Only as_completed holds a future until it is done; then it is released, so that
        # neither the cluster nor this process keeps the results of a whole round.
        completed = as_completed(
            [client.submit(build_pair, task, key=key, pure=False) for key, task in by_key.items()]
        )
        for future in completed:
            try:
                result = future.result()
            except Exception as exc:  # the worker died (KilledWorker), or lost the result
                result = _lost(by_key[future.key], exc)
            future.release()
            yield result
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
    kept = keep_failed(work, failed, out) if work.exists() else ""
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
