"""Removing published reports of pairs that params no longer declare (`peer-eval prune`).

A region or year taken out of params leaves its reports in the output tree; the index
no longer lists them (site.py lists only declared pairs), but the files stay reachable
by their address. `prune` lists them and, when confirmed, removes each folder in one
rename into the staging area (atomic: it is there whole or gone), then deletes it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Project
from pipeline.publish import FAILED, STAGING
from pipeline.slug import slugify


@dataclass(frozen=True)
class Stale:
    """A published folder no pair in params owns.

    Attributes:
        path: The folder under the output directory.
        what: "year" (a whole year: its reports and overview), "report", or "failed"
            (executed notebooks kept from a failed build).
    """

    path: Path
    what: str


def declared_pairs(project: Project) -> set[tuple[int, str]]:
    """Every (year, region slug) the params declare."""
    evaluation = project.evaluation
    return {(year, slugify(region)) for year in evaluation.years for region in evaluation.regions}


def stale_folders(out: Path, pairs: set[tuple[int, str]]) -> list[Stale]:
    """Published (and kept failed) folders of pairs not in `pairs`, sorted.

    Args:
        out: The output directory.
        pairs: The declared (year, slug) pairs.

    Returns:
        Whole year folders for years not declared, else report folders of regions not
        declared in that year; and the same under `.failed/`.
    """
    years = {str(year) for year, _ in pairs}
    slugs = {(str(year), slug) for year, slug in pairs}
    found = []
    for base, what in ((out, "report"), (out / FAILED, "failed")):
        if not base.is_dir():
            continue
        for year_dir in sorted(p for p in base.iterdir() if _is_year(p)):
            if year_dir.name not in years:
                found.append(Stale(year_dir, "year" if what == "report" else what))
                continue
            for folder in sorted(p for p in year_dir.iterdir() if p.is_dir()):
                if (year_dir.name, folder.name) not in slugs:
                    found.append(Stale(folder, what))
    return found


def remove(out: Path, stale: list[Stale]) -> None:
    """Remove the folders: each vanishes in one rename, then is deleted.

    The caller holds the output lock. After a crash the renamed copies sit in the
    staging area, which the next run clears (publish.recover).
    """
    trash = out / STAGING / "pruned"
    trash.mkdir(parents=True, exist_ok=True)
    for index, item in enumerate(stale):
        target = trash / f"{index}-{item.path.name}"
        os.rename(item.path, target)
        shutil.rmtree(target)
    shutil.rmtree(trash, ignore_errors=True)


def _is_year(path: Path) -> bool:
    return path.is_dir() and len(path.name) == 4 and path.name.isdigit()
