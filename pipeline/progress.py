"""Progress while pairs build: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from pipeline.build import PairResult


class Progress:
    """Reports each finished pair, then a summary table.

    Args:
        total: Pairs to build.
        skipped: Pairs skipped as fresh.
    """

    def __init__(self, total: int, skipped: int):
        self.total, self.skipped, self.done = total, skipped, 0
        self.console = Console(stderr=True)
        self.interactive = sys.stderr.isatty()
        self._bar: RichProgress | None = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.interactive and self.total:
            self._bar = RichProgress(
                TextColumn("[bold]Building reports"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("", total=self.total)
        elif self.total:
            self.console.print(f"building {self.total} report(s), {self.skipped} up to date")
        return self

    def __exit__(self, *exc_info) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc_info)

    def advance(self, result: PairResult) -> None:
        """Record one finished pair."""
        self.done += 1
        status = result.status
        if status == "built" and not result.executed:
            status = "re-rendered"  # from the cached executed notebooks
        line = f"{result.key}: {status} ({result.seconds:.1f} s)"
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=line)
            if result.status == "failed":
                self._bar.console.print(f"[red]failed[/red] {result.key}: {result.error}")
        else:
            suffix = f": {result.error}" if result.error else ""
            print(f"[{self.done}/{self.total}] {line}{suffix}", file=sys.stderr, flush=True)

    def summary(self, results: list[PairResult], skipped: int, seconds: float, index: Path) -> None:
        """Print the end-of-run table: built, skipped, failed, time; and each failure."""
        built = sum(r.status == "built" for r in results)
        failed = [r for r in results if r.status == "failed"]
        table = Table(title="peer-eval run", show_header=True)
        for column in ("built", "skipped (fresh)", "failed", "time"):
            table.add_column(column, justify="right")
        table.add_row(str(built), str(skipped), str(len(failed)), f"{seconds:.1f} s")
        self.console.print(table)
        for result in failed:
            self.console.print(f"failed {result.key}: {result.error}", markup=False)
            if result.kept:
                self.console.print(f"  executed notebooks kept in {result.kept}", markup=False)
        self.console.print(f"index: {index}", markup=False)
