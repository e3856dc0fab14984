"""The index page over every published report (`<out>/index.html`)."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from pathlib import Path

from pipeline.publish import write_file_atomic

_TEXT = {
    "sv": {
        "title": "Utvärderingar av peer support",
        "intro": "Alla publicerade rapporter, per år och region.",
        "region": "Region",
        "report_date": "Rapportdatum",
        "built": "Byggd",
        "formats": "Rapport",
        "empty": "Inga rapporter är publicerade ännu.",
        "lang": "Språk",
    },
    "en": {
        "title": "Evaluations of peer support",
        "intro": "Every published report, by year and region.",
        "region": "Region",
        "report_date": "Report date",
        "built": "Built",
        "formats": "Report",
        "empty": "No reports have been published yet.",
        "lang": "Language",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:60rem;
padding:1rem 1.25rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;
border-bottom:1px solid #e3e3e3}a{color:#0b5394}a:focus{outline:2px solid #e07b39}
.formats a{margin-right:.8rem}@media print{a{color:#000}}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;
clip:rect(0 0 0 0);white-space:nowrap}
"""


def published_reports(out: Path, pairs: set[tuple[int, str]] | None = None) -> list[dict]:
    """Read the manifests of every published report under `out`.

    Args:
        out: The output directory.
        pairs: Only reports of these (year, region slug) pairs, and the overviews of
            their years: what params still declare (None: every report found).

    Returns:
        One entry per report: region, year, slug, formats, dates; sorted by year
        (newest first), then region.
    """
    entries = []
    manifests = sorted(out.glob("[0-9][0-9][0-9][0-9]/*/manifest.json"))
    manifests += sorted(out.glob("[0-9][0-9][0-9][0-9]/oversikt.json"))
    for manifest in manifests:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            report = data["report"]
            if not isinstance(report, dict):
                raise TypeError("its report entry is not a mapping")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logging.getLogger(__name__).warning(
                "%s is unreadable (%s); its report is left out of the index", manifest, exc
            )
            continue
        folder = manifest.parent
        if pairs is not None and not _declared(folder, report, pairs):
            continue
        built = dt.datetime.fromtimestamp(manifest.stat().st_mtime, tz=dt.UTC).date()
        overview = report.get("kind") == "overview"
        entries.append(
            {
                "region": report["region"],
                "year": int(report["year"]),
                "overview": overview,
                "href": folder.name if overview else f"{folder.parent.name}/{folder.name}",
                "formats": sorted(data.get("outputs", {})),
                "report_date": (data.get("parameters", {}).get("report") or {}).get("date") or "",
                "lang": data.get("parameters", {}).get("lang", ""),
                "built": built.isoformat(),
            }
        )
    entries.sort(key=lambda e: (-e["year"], not e["overview"], e["region"]))
    return entries


def _declared(folder: Path, report: dict, pairs: set[tuple[int, str]]) -> bool:
    if report.get("kind") == "overview":
        return folder.name in {str(year) for year, _ in pairs}
    return (folder.parent.name, folder.name) in {(str(y), slug) for y, slug in pairs}


def index_html(entries: list[dict], lang: str = "sv") -> str:
    """Return the index page (self-contained; every data value HTML-escaped)."""
    text = _TEXT.get(lang, _TEXT["sv"])
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(text['title'])}</title><style>{_CSS}</style></head><body>",
        f"<main><h1>{esc(text['title'])}</h1><p>{esc(text['intro'])}</p>",
    ]
    if not entries:
        parts.append(f"<p>{esc(text['empty'])}</p>")
    for year in sorted({e["year"] for e in entries}, reverse=True):
        parts.append(f'<section><h2 id="y{year}">{year}</h2><table><thead><tr>')
        for key in ("region", "formats", "lang", "report_date", "built"):
            parts.append(f'<th scope="col">{esc(text[key])}</th>')
        parts.append("</tr></thead><tbody>")
        for entry in (e for e in entries if e["year"] == year):
            links = " ".join(
                f'<a href="{esc(entry["href"])}/{esc(name)}">{esc(name.rsplit(".", 1)[-1].upper())}'
                f'<span class="visually-hidden"> {esc(entry["region"])} {year}</span></a>'
                for name in entry["formats"]
            )
            parts.append(
                f'<tr><td>{esc(entry["region"])}</td><td class="formats">{links}</td>'
                f"<td>{esc(entry['lang'])}</td><td>{esc(str(entry['report_date']))}</td>"
                f"<td>{esc(entry['built'])}</td></tr>"
            )
        parts.append("</tbody></table></section>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def write_index(
    out: Path, lang: str = "sv", mode: int = 0o600, pairs: set[tuple[int, str]] | None = None
) -> Path:
    """Write `<out>/index.html` atomically over every published report (of `pairs`)."""
    path = out / "index.html"
    entries = published_reports(out, pairs)
    write_file_atomic(path, index_html(entries, lang).encode("utf-8"), mode)
    return path
