"""Writing a pair's Quarto report source from the skeleton, params and narrative.

One skeleton serves every language (reports/rapport.qmd, reports/oversikt.qmd): it holds
the structure, and `<!-- text:DOMAIN.KEY -->` markers where a heading or a fixed
paragraph goes, filled here from the message catalogs (`pipeline/locales/<lang>/
DOMAIN.yaml`; catalog text is ours, never data, so it is not escaped). This module also
adds the pair's front matter (every data-derived value escaped for Markdown) and the
analyst's narrative sections in place of `<!-- narrative:NAME -->` markers.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from pipeline import front_matter
from pipeline.config import Pair, ReportMeta
from pipeline.drafts import DraftStatus
from pipeline.formatting import date as format_date
from pipeline.formatting import md_text
from pipeline.i18n import Catalog, check_language

_MARKER = re.compile(r"^<!-- narrative:([a-z_]+) -->$", re.MULTILINE)

_TEXT_MARKER = re.compile(r"<!-- text:([a-z_]+)\.([a-z_]+) -->")
_narrative = Catalog("narrative")
_overview = Catalog("oversikt")
_commission_text = Catalog("report_text")  # the commission sentence's words


def overview_region(lang: str) -> str:
    """The name the national overview goes by where a region name is expected."""
    return _overview(lang, "region")


def fill_text(template: str, lang: str) -> str:
    """Replace every `<!-- text:DOMAIN.KEY -->` marker by that catalog message in `lang`.

    Raises:
        MissingMessageError: A marker names a message the language's catalog lacks.
    """
    return _TEXT_MARKER.sub(lambda m: Catalog(m.group(1))(lang, m.group(2)), template)


def _fill_front(value: object, lang: str) -> object:
    if isinstance(value, str):
        return fill_text(value, lang)
    if isinstance(value, dict):
        return {key: _fill_front(item, lang) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill_front(item, lang) for item in value]
    return value


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split a Quarto source into its YAML front matter and body.

    Args:
        text: The whole source.

    Returns:
        (front matter mapping, body text).

    Raises:
        ValueError: The source does not start with a YAML front matter block.
    """
    found = front_matter.split(text)
    if found is None:
        raise ValueError("a report template must start with a '---' YAML front matter block")
    return yaml.safe_load(found.yaml) or {}, found.body


def compose_source(
    template: str,
    pair: Pair,
    report_date: dt.date,
    narrative: dict[str, str],
    narrative_path: str,
    draft: DraftStatus | None = None,
    links: dict | None = None,
) -> str:
    """Return the report source for one pair.

    Args:
        template: The skeleton's text (front matter + body, with text markers).
        pair: The region-year with its settings.
        report_date: The date printed on the report.
        narrative: Parsed narrative sections (may be empty).
        narrative_path: Where the analyst writes the narrative (for the placeholder).
        draft: The report's draft status; a draft gets a `draft_mark` front-matter
            entry (label, intro, reasons) that the templates show as banner and
            watermark (not `draft`, which Quarto uses for something else).
        links: Relative links to the report's neighbours (`pipeline.links.report_links`),
            written to the front matter as `links:` for the HTML header bar.

    Returns:
        Quarto Markdown source.
    """
    settings = pair.settings
    meta = settings.report
    lang = check_language(settings.lang)
    front, body = split_front_matter(template)
    front = _fill_front(front, lang)
    body = fill_text(body, lang)
    front["lang"] = lang
    if meta.title:
        front["title"] = md_text(meta.title)
    front["date"] = report_date.isoformat()
    front["params"] = {"region": md_text(pair.region), "year": pair.year}
    front["report"] = {
        "organisation": md_text(meta.organisation),
        "committee": md_text(meta.committee),
        "commissioner": md_text(meta.commissioner),
        "author": md_text(meta.author),
        "case_number": md_text(meta.case_number),
        "date_text": md_text(format_date(report_date, lang)),
        "commission": commission_markdown(meta, lang),
        "k": settings.k,
        "interview_k": settings.interview_k,
        "extremes_k": settings.extremes_k,
    }
    if draft is not None and draft.is_draft:
        front["draft_mark"] = {
            "label": md_text(draft.label),
            "intro": md_text(draft.intro),
            "reasons": [md_text(reason) for reason in draft.reasons],
        }
    if links:
        front["links"] = links

    def fill(match: re.Match) -> str:
        key = match.group(1)
        if narrative.get(key):
            return narrative[key]
        heading = _narrative(lang, key) if _narrative.has(lang, key) else key.capitalize()
        return _narrative(lang, "missing", heading=heading, path=md_text(narrative_path))

    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n{_MARKER.sub(fill, body)}"


def commission_markdown(meta: ReportMeta, lang: str = "sv") -> str:
    """The commission sentence, naming a missing field instead of leaving a gap.

    Args:
        meta: The report metadata from params (and the pair's override).
        lang: The report language.

    Returns:
        One escaped Markdown paragraph (a draft names what is missing in brackets).
    """
    values = {}
    for key in ("author", "commissioner", "committee", "case_number"):
        given = str(getattr(meta, key) or "").strip()
        values[key] = given or _commission_text(lang, "missing", field=_commission_text(lang, key))
    commissioner = values["commissioner"]
    if meta.organisation.strip() and meta.organisation.strip() != commissioner:
        commissioner = f"{commissioner} {_commission_text(lang, 'and')} {meta.organisation.strip()}"
    values["commissioner"] = commissioner
    return md_text(_commission_text(lang, "commission", **values))
