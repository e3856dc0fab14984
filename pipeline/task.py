"""A build's unit of work: one report (a region-year, or a year's national overview).

`PairTask` is everything a build of one report needs, as plain data (picklable, so it
can run in this process, a process pool or on Dask workers); `PairResult` is what came
of it. Planning them is `pipeline.build`; building them, `pipeline.build.build_pair`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Pair
from pipeline.drafts import DraftStatus

MANIFEST = "manifest.json"
OVERVIEW_STEM = "oversikt"
# What execution depends on; every other component only affects rendering, so a change
# there re-renders from the cached executed notebooks (pipeline.execution_cache).
EXECUTE_COMPONENTS = ("notebooks", "code", "parameters", "data")


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
        return hash_text(json.dumps(self.components, sort_keys=True))

    @property
    def execute_digest(self) -> str:
        """One hash over what the executed notebooks depend on (EXECUTE_COMPONENTS)."""
        execute = {key: self.components[key] for key in EXECUTE_COMPONENTS}
        return hash_text(json.dumps(execute, sort_keys=True))

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


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
