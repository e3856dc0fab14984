"""Draft or final: what a report still lacks before it may go to the committee.

A report is a *draft* while its narrative (in the report's own language) or any of the
required metadata is missing. Drafts are published with a visible "Utkast"/"Draft"
mark (HTML banner, PDF watermark, index, manifest) so that nobody mistakes them for
the final report; `peer-eval run --final` refuses to publish them.

Everything here is decided from the params and the narrative file alone, before any
notebook runs, so `--final` can stop a run before any work is done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import PairSettings
from pipeline.errors import DraftError
from pipeline.i18n import DEFAULT_LANGUAGE, Catalog

REQUIRED_METADATA: tuple[str, ...] = ("author", "commissioner", "committee", "case_number", "date")
"""`report.*` keys that a final report must have."""

DRAFT = "draft"
FINAL = "final"

_t = Catalog("drafts")
_headings = Catalog("narrative")
NARRATIVE_KEYS: tuple[str, ...] = ("summary", "conclusions", "recommendations")
"""The narrative sections a final report needs (headings: catalog `narrative`)."""

_TOOL_NAMES = frozenset({"peer-eval", "peer_eval", "pipeline"})


@dataclass(frozen=True)
class DraftStatus:
    """Whether a report is final, and if not, why (in the report's language)."""

    reasons: tuple[str, ...]
    lang: str = "sv"

    @property
    def status(self) -> str:
        """ "draft" or "final"."""
        return DRAFT if self.reasons else FINAL

    @property
    def is_draft(self) -> bool:
        """True while anything is missing."""
        return bool(self.reasons)

    @property
    def label(self) -> str:
        """The mark: "Utkast" or "Draft"."""
        return text(self.lang, "label")

    @property
    def intro(self) -> str:
        """The sentence that leads the list of reasons."""
        return text(self.lang, "intro")


def text(lang: str, key: str, **values: object) -> str:
    """A fixed draft text in the language (an unknown language is an error)."""
    return _t(lang, key, **values)


def narrative_file(narrative_dir: Path, year: int, slug: str, lang: str) -> Path:
    """The narrative of one report: `<slug>.md` (default language) or `<slug>.<lang>.md`.

    Args:
        narrative_dir: The project's narrative folder.
        year: The report year.
        slug: The region slug (or the overview's file stem).
        lang: The report language.

    Returns:
        The path (it may not exist).
    """
    suffix = ".md" if lang == DEFAULT_LANGUAGE else f".{lang}.md"
    return narrative_dir / str(year) / f"{slug}{suffix}"


def draft_status(
    settings: PairSettings,
    narrative: dict[str, str] | None,
    shown_path: str,
    *,
    require_metadata: bool = True,
) -> DraftStatus:
    """Decide whether a report is a draft and list what is missing.

    Args:
        settings: The pair's resolved settings (language and report metadata).
        narrative: The parsed narrative sections, or None when the file is missing.
        shown_path: The narrative path as the analyst sees it (relative to the project).
        require_metadata: False for the national overview, which has no commission.

    Returns:
        The status; its reasons are in the report's language.
    """
    lang = settings.lang
    reasons: list[str] = []
    if narrative is None:
        reasons.append(text(lang, "no_narrative", path=shown_path))
    else:
        for key in NARRATIVE_KEYS:
            if not written(narrative.get(key) or ""):
                heading = _headings(lang, key)
                reasons.append(text(lang, "no_section", heading=heading, path=shown_path))
    if require_metadata:
        meta = settings.report
        for key in REQUIRED_METADATA:
            value = getattr(meta, key)
            if value is None or not str(value).strip():
                reasons.append(text(lang, "no_meta", field=text(lang, key), name=key))
        if meta.author.strip().casefold() in _TOOL_NAMES:
            reasons.append(text(lang, "tool_author"))
    return DraftStatus(tuple(reasons), lang)


# The instruction a skeleton from `peer-eval init` puts under each heading:
# "*\[Sammanfatta ... Ersätt den här raden.\]*", an italic bracketed line.
_INSTRUCTION = re.compile(r"^\s*\*\\\[.*\\\]\*\s*$")


def written(section: str) -> bool:
    """Whether a narrative section holds the analyst's text, not only the skeleton's
    bracketed instructions (left as they are, they would go to the committee)."""
    return any(line.strip() and not _INSTRUCTION.match(line) for line in section.splitlines())


def refuse_drafts(reports: list[tuple[str, tuple[str, ...]]]) -> None:
    """Stop a `--final` run that would publish drafts, naming what each one lacks.

    Args:
        reports: (report key such as "2019/orebro", its draft reasons) per planned report.

    Raises:
        DraftError: One line per draft: "2019/orebro: draft: reason; reason".
    """
    drafts = [(key, reasons) for key, reasons in reports if reasons]
    if drafts:
        lines = [f"{key}: draft: {'; '.join(reasons)}" for key, reasons in drafts]
        lines.append(
            f"--final: {len(drafts)} report(s) are drafts; nothing was built. "
            "Complete them, or run without --final to publish them marked as drafts."
        )
        raise DraftError("\n".join(lines))


def banner_markdown(mark: dict) -> str:
    """The draft banner as a Markdown block, for renderers without the built-in templates.

    Args:
        mark: The front matter's `draft_mark` (label, intro, reasons), already escaped
            Markdown (pipeline.report_source).

    Returns:
        A fenced div `.draft-banner` to put first in the body; "" for no mark.
    """
    if not isinstance(mark, dict) or not mark.get("label"):
        return ""
    lines = ['::: {.draft-banner role="note"}', f"**{mark['label']}**: {mark.get('intro', '')}", ""]
    lines += [f"- {reason}" for reason in mark.get("reasons") or []]
    return "\n".join([*lines, ":::", "", ""])
