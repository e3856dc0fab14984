"""The index page over every published report (`<out>/index.html`).

One self-contained page (no file or request beyond itself): a region x year grid whose
cells give the response rate, the report's status (final, draft, failed, stale) and
links to its HTML and PDF; a search box filters the grid without a network (a few lines
of inline script; without script the whole grid shows). On a phone each region becomes
a card of its years. Every data value is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.formatting import percent
from pipeline.i18n import Catalog
from pipeline.publish import FAILED, write_file_atomic

if TYPE_CHECKING:
    import pandas as pd

STATUSES = ("final", "draft", "failed", "stale")

_t = Catalog("site")

_CSS = """
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:72rem;
padding:1rem 1.25rem 3rem;line-height:1.5;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin:.5rem 0}p{max-width:46rem}
a{color:#0b5394}a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #b85a1a;
outline-offset:2px}
.filters{display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;align-items:end;margin:1.25rem 0 .5rem}
.filters label{display:block;font-weight:600;font-size:.95rem}
.filters input,.filters select{font:inherit;padding:.35rem .5rem;border:1px solid #6b6b6b;
border-radius:4px;min-width:14rem;max-width:100%;background:#fff;color:#1b1b1b}
.count{color:#4a4a4a;font-size:.95rem;margin:.25rem 0 1rem}
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #d9d9d9;vertical-align:top}
thead th{border-bottom:2px solid #1b1b1b}
.rate{display:block;font-size:1.15rem;font-weight:600;font-variant-numeric:tabular-nums}
.rate-none{font-size:.9rem;font-weight:400}
.rate small{font-weight:400;font-size:.8rem;color:#4a4a4a;margin-left:.25rem}
.status{display:inline-block;font-size:.8rem;font-weight:600;padding:.05rem .45rem;
border-radius:3px;margin:.15rem .75rem .15rem 0;border:1px solid currentColor}
.status-final{color:#1e5e35}.status-draft{color:#fff;background:#b3261e;border-color:#b3261e}.status-failed{color:#a11d2d}
.status-stale{color:#5b4a8a}.status-missing{color:#595959;border-style:dashed}
.links a{margin-right:.75rem;white-space:nowrap}.date{display:block;font-size:.8rem;color:#4a4a4a}
.year-label{display:none}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
.help{font-size:.9rem;color:#4a4a4a}
.draft-reasons{font-size:.8rem;color:#4a4a4a;margin:.15rem 0 .35rem;padding-left:1.1rem}
[hidden]{display:none!important}
@media (max-width:44rem){
 thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table,tbody,tr,th,td,caption{display:block;width:100%}
 tr{border:1px solid #d9d9d9;border-radius:6px;margin:0 0 1rem;padding:.25rem .5rem}
 tbody th{font-size:1.15rem;border-bottom:1px solid #d9d9d9}
 td{display:grid;grid-template-columns:4rem 1fr;gap:0 .5rem;border-bottom:1px solid #eee}
 td:last-child{border-bottom:0}
 .year-label{display:block;font-weight:700}
}
@media print{a{color:#000}.filters,.count{display:none}}
"""

# Filters rows by the search text (region name or year) and the chosen status. Without
# script nothing is hidden. Only fixed strings and the page's own elements are used.
_SCRIPT = """
(function () {
  var search = document.getElementById('search'), status = document.getElementById('status');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#grid tbody tr'));
  var count = document.getElementById('count'), template = count.getAttribute('data-template');
  var cols = Array.prototype.slice.call(document.querySelectorAll('#grid thead th[data-year]'));
  function apply() {
    var q = search.value.trim().toLowerCase(), s = status.value, shown = 0;
    var yearQuery = /^\\d{4}$/.test(q);
    var years = cols.map(function (c) { return c.getAttribute('data-year'); });
    rows.forEach(function (row) {
      var name = row.getAttribute('data-region').toLowerCase();
      var cells = Array.prototype.slice.call(row.querySelectorAll('td[data-year]'));
      var match = !q || name.indexOf(q) !== -1 || (yearQuery && years.indexOf(q) !== -1);
      var statusOk = !s || cells.some(function (c) {
        var inYear = !yearQuery || c.getAttribute('data-year') === q;
        return c.getAttribute('data-status') === s && inYear;
      });
      row.hidden = !(match && statusOk);
      if (!row.hidden) { shown += 1; }
    });
    cols.forEach(function (c) {
      var hide = yearQuery && years.indexOf(q) !== -1 && c.getAttribute('data-year') !== q;
      c.hidden = hide;
      rows.forEach(function (row) {
        var cell = row.querySelector('td[data-year="' + c.getAttribute('data-year') + '"]');
        if (cell) { cell.hidden = hide; }
      });
    });
    count.textContent = template.replace('{n}', shown).replace('{total}', rows.length);
  }
  search.addEventListener('input', apply);
  status.addEventListener('change', apply);
  document.getElementById('filters').hidden = false;
  apply();
})();
"""


def published_reports(out: Path, pairs: set[tuple[int, str]] | None = None) -> list[dict]:
    """Read the manifests of every published report under `out`.

    Args:
        out: The output directory.
        pairs: Only reports of these (year, region slug) pairs, and the overviews of
            their years: what params still declare (None: every report found).

    Returns:
        One entry per report: region, year, slug, formats, dates, status ("final"
        unless the manifest says "draft"); sorted by year (newest first), then region
        (each year's national overview first).
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
        status = data.get("status") if data.get("status") in STATUSES else "final"
        entries.append(
            {
                "region": report["region"],
                "year": int(report["year"]),
                "overview": overview,
                "slug": "oversikt" if overview else folder.name,
                "href": folder.name if overview else f"{folder.parent.name}/{folder.name}",
                "formats": sorted(data.get("outputs", {})),
                "report_date": (data.get("parameters", {}).get("report") or {}).get("date") or "",
                "lang": data.get("parameters", {}).get("lang", ""),
                "built": built.isoformat(),
                "status": status,
                "draft_reasons": [str(r) for r in data.get("draft_reasons") or []],
                "manifest": manifest.relative_to(out).as_posix(),
            }
        )
    entries.sort(key=lambda e: (-e["year"], not e["overview"], e["region"]))
    return entries


def _declared(folder: Path, report: dict, pairs: set[tuple[int, str]]) -> bool:
    if report.get("kind") == "overview":
        return folder.name in {str(year) for year, _ in pairs}
    return (folder.parent.name, folder.name) in {(str(y), slug) for y, slug in pairs}


def failed_pairs(out: Path) -> set[tuple[int, str]]:
    """(year, slug) of every pair whose last build failed (its notebooks kept in `.failed/`)."""
    return {
        (int(p.parent.name), p.name)
        for p in (out / FAILED).glob("[0-9][0-9][0-9][0-9]/*")
        if p.is_dir()
    }


def with_states(
    entries: list[dict],
    failed: set[tuple[int, str]],
    stale: set[str] = frozenset(),
) -> list[dict]:
    """Entries with `status` raised to "failed" or "stale" where the build says so.

    Args:
        entries: From `published_reports`.
        failed: (year, slug) pairs whose last build failed.
        stale: Manifest paths (relative to the output directory, e.g.
            "2020/stockholm/manifest.json") of reports that are out of date.

    Returns:
        New entries (the input is not changed).
    """
    result = []
    for entry in entries:
        status = entry["status"]
        if (entry["year"], entry["slug"]) in failed:
            status = "failed"
        elif entry["manifest"] in stale:
            status = "stale"
        result.append({**entry, "status": status})
    # A pair that failed and was never published still gets its cell, in its region's
    # row (found by slug in another year), or in a row of its own named by the slug.
    names = {e["slug"]: e["region"] for e in entries if not e["overview"]}
    published = {(e["year"], e["slug"]) for e in entries}
    for year, slug in sorted(failed - published):
        result.append(
            {
                "region": names.get(slug, slug),
                "year": year,
                "overview": False,
                "slug": slug,
                "href": "",
                "formats": [],
                "report_date": "",
                "lang": "",
                "built": "",
                "status": "failed",
                "draft_reasons": [],
                "manifest": "",
            }
        )
    result.sort(key=lambda e: (-e["year"], not e["overview"], e["region"]))
    return result


def index_html(
    entries: list[dict],
    lang: str = "sv",
    rates: Mapping[tuple[int, str], str] | None = None,
) -> str:
    """Return the index page (self-contained; every data value HTML-escaped).

    Args:
        entries: From `published_reports` (optionally through `with_states`).
        lang: Language of the page.
        rates: Formatted response rate by (year, region name), e.g. "87,5 %".

    Returns:
        The page's HTML.
    """
    text = _t.texts(lang)
    esc = html.escape
    rates = rates or {}
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(text['title'])}</title><style>{_CSS}</style></head><body>",
        f"<main><h1>{esc(text['title'])}</h1><p>{esc(text['intro'])}</p>",
    ]
    if not entries:
        parts.append(f"<p>{esc(text['empty'])}</p></main></body></html>\n")
        return "\n".join(parts)
    years = sorted({e["year"] for e in entries}, reverse=True)
    # One row per slug (a region's name could be spelt differently over the years); the
    # row is named as in its newest report. Overviews first (entries are sorted so).
    rows: dict[str, dict[int, dict]] = {}
    names: dict[str, str] = {}
    for entry in entries:
        names.setdefault(entry["slug"], entry["region"])
        rows.setdefault(entry["slug"], {})[entry["year"]] = entry
    parts.append(_filters(text))
    parts.append(f'<p class="help">{esc(text["status_help"])}</p>')
    parts.append(f'<table id="grid"><caption>{esc(text["caption"])}</caption><thead><tr>')
    parts.append(f'<th scope="col">{esc(text["region"])}</th>')
    parts += [f'<th scope="col" data-year="{y}">{y}</th>' for y in years]
    parts.append("</tr></thead><tbody>")
    for slug, by_year in rows.items():
        region = names[slug]
        parts.append(f'<tr data-region="{esc(region)}"><th scope="row">{esc(region)}</th>')
        for year in years:
            entry = by_year.get(year)
            name = entry["region"] if entry else region
            parts.append(_cell(entry, name, year, text, lang, rates))
        parts.append("</tr>")
    parts.append("</tbody></table>")
    parts.append(f"</main><script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def _filters(text: Mapping[str, str]) -> str:
    """The search box and status filter (hidden until the script runs: they need it)."""
    esc = html.escape
    options = "".join(f'<option value="{s}">{esc(text[s])}</option>' for s in ("", *STATUSES) if s)
    return (
        '<div class="filters" id="filters" hidden>'
        f'<div><label for="search">{esc(text["search"])}</label>'
        '<input id="search" type="search" autocomplete="off" aria-controls="grid"></div>'
        f'<div><label for="status">{esc(text["status_filter"])}</label>'
        f'<select id="status" aria-controls="grid"><option value="">{esc(text["all"])}</option>'
        f"{options}</select></div></div>"
        f'<p class="count" id="count" role="status" aria-live="polite" '
        f'data-template="{esc(text["shown"])}"></p>'
    )


def _cell(
    entry: dict | None,
    region: str,
    year: int,
    text: Mapping[str, str],
    lang: str,
    rates: Mapping[tuple[int, str], str],
) -> str:
    esc = html.escape
    label = f'<span class="year-label" aria-hidden="true">{year}</span>'
    if entry is None:
        return (
            f'<td data-year="{year}" data-status="missing">{label}'
            f'<span class="status status-missing">{esc(text["missing"])}</span></td>'
        )
    status = entry["status"]
    pieces = [f'<td data-year="{year}" data-status="{esc(status)}">{label}<div>']
    rate = rates.get((year, region))
    if rate == text["no_survey"]:
        pieces.append(f'<span class="rate rate-none">{esc(rate)}</span>')
    elif rate:
        # The space keeps "50 % svarsfrekvens" two words in copied and extracted text.
        pieces.append(f'<span class="rate">{esc(rate)} <small>{esc(text["rate"])}</small></span>')
    pieces.append(f'<span class="status status-{esc(status)}">{esc(text[status])}</span>')
    if entry["draft_reasons"]:
        # In the page, not in a tooltip: a title attribute is out of reach by keyboard
        # and touch, and of most screen readers.
        reasons = "".join(f"<li>{esc(reason)}</li>" for reason in entry["draft_reasons"])
        pieces.append(f'<ul class="draft-reasons">{reasons}</ul>')
    other = entry["lang"] and entry["lang"] != lang
    hreflang = f' hreflang="{esc(entry["lang"])}"' if other else ""
    links = " ".join(
        f'<a href="{esc(entry["href"])}/{esc(name)}"{hreflang}>'
        f"{esc(name.rsplit('.', 1)[-1].upper())}"
        f'<span class="visually-hidden"> {esc(region)} {year}</span></a>'
        for name in entry["formats"]
    )
    pieces.append(f'<span class="links">{links}</span>')
    if entry["report_date"]:
        pieces.append(
            f'<span class="date">{esc(text["report_date"])} {esc(str(entry["report_date"]))}</span>'
        )
    pieces.append("</div></td>")
    return "".join(pieces)


def response_rate_labels(
    survey: pd.DataFrame,
    population: pd.DataFrame,
    years: Iterable[int],
    lang: str,
    overview_name: str,
    regions: Iterable[str] = (),
) -> dict[tuple[int, str], str]:
    """The response rate of every region-year (and the country, for the overview row).

    Response counts are public (no small-cell rule applies), as in the reports' table.

    Args:
        survey: The canonical survey table.
        population: The population table.
        years: The years of the grid.
        lang: Number format.
        overview_name: The overview row's name (its rate is the country's).
        regions: The params' regions: one that a year's population file does not list
            (it joins in a later round) had no survey that year either, as its report says.

    Returns:
        Formatted rates ("87,5 %") by (year, region name); unknown rates left out.
    """
    # Here, not with the module: a run that finds its index current (a no-op) needs
    # neither pandas nor the analysis.
    import pandas as pd

    from pipeline.analysis.survey import response_rates

    labels: dict[tuple[int, str], str] = {}
    for year in sorted(set(years)):
        for row in response_rates(survey, population, year).itertuples(index=False):
            name = overview_name if row.is_total else row.region
            if not row.surveyed:
                # As the report says: no survey that year, not "0 % svarsfrekvens".
                labels[(year, name)] = _t(lang, "no_survey")
            elif not pd.isna(row.response_rate):
                labels[(year, name)] = percent(row.response_rate, lang)
        for region in regions:
            labels.setdefault((year, region), _t(lang, "no_survey"))
    return labels


def write_index(
    out: Path,
    lang: str = "sv",
    mode: int = 0o600,
    pairs: set[tuple[int, str]] | None = None,
    *,
    stale: set[str] = frozenset(),
    rates: Mapping[tuple[int, str], str] | None = None,
) -> Path:
    """Write `<out>/index.html` atomically over every published report (of `pairs`).

    Args:
        out: The output directory.
        lang: Language of the page.
        mode: File mode of the page.
        pairs: Only reports of these (year, region slug) pairs and their years' overviews:
            what params still declare (None: every report found).
        stale: Manifest paths (relative to `out`) of reports that are out of date.
        rates: Formatted response rate by (year, region name).

    Returns:
        The page's path.
    """
    path = out / "index.html"
    failed = failed_pairs(out)
    if pairs is not None:
        failed = {(year, slug) for year, slug in failed if (year, slug) in pairs}
    entries = with_states(published_reports(out, pairs), failed, stale)
    # Whatever writes the index makes the recorded key void; `peer-eval run` records anew.
    (out / INDEX_KEY).unlink(missing_ok=True)
    write_file_atomic(path, index_html(entries, lang, rates).encode("utf-8"), mode)
    return path


INDEX_KEY = Path(".cache") / "index.key"
"""Where a run records what the index page it wrote was made from (see `index_key`)."""


def index_key(
    tasks: list, pairs: set[tuple[int, str]], lang: str, stale: set[str], out: Path
) -> str:
    """A digest of everything the index page is made from.

    The planned reports (their manifests and dependency digests, which cover the
    inputs, the parameters and this code), the input files' hashes (the response
    rates), the declared pairs, the language, and which reports are stale or failed.
    Another run that changes the published reports writes the index, and the key, anew.

    Args:
        tasks: The run's planned tasks (`pipeline.build.PairTask`).
        pairs: The declared (year, region slug) pairs.
        lang: The index language.
        stale: Manifest paths of stale reports (see `index_details`).
        out: The output directory.
    """
    parts = {
        "lang": lang,
        "pairs": sorted(pairs),
        "stale": sorted(stale),
        "failed": sorted(failed_pairs(out)),
        "reports": sorted((str(t.manifest_path), t.digest) for t in tasks),
        "inputs": sorted({(name, digest) for t in tasks for name, digest in t.inputs.items()}),
    }
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def index_is_current(out: Path, key: str) -> bool:
    """Whether `<out>/index.html` is the page `key` describes (written by an earlier run)."""
    try:
        return (out / "index.html").is_file() and (out / INDEX_KEY).read_text() == key
    except OSError:
        return False


def record_index_key(out: Path, key: str, mode: int) -> None:
    """Remember what the index just written was made from."""
    write_file_atomic(out / INDEX_KEY, key.encode("utf-8"), mode)


def index_details(
    tasks: list, data: object | None, project: object, out: Path, mode: int, lang: str = ""
) -> dict:
    """The index's stale reports and response rates for `write_index`, after a run.

    The rates are computed from `data` and recorded (`<out>/.cache/index-rates.json`,
    with `rates_key`); without data, they are the ones recorded by the run that last
    read these very input files (see `recorded_rates`).

    Args:
        tasks: The run's planned tasks (`pipeline.build.PairTask`).
        data: The loaded evaluation (`pipeline.inputs.EvaluationData`), or None when the
            run read no inputs.
        project: The loaded project.
        out: The output directory.
        mode: File mode of the recorded rates.
        lang: Language of the rates' number format (the index's); default the params'.

    Returns:
        Keyword arguments `stale` and `rates`.

    Raises:
        ValueError: No data, and no rates recorded for these inputs.
    """
    from pipeline.build import staleness
    from pipeline.report_source import overview_region

    stale = {
        Path(t.manifest_path).relative_to(Path(t.out)).as_posix()
        for t in tasks
        if staleness(t)[0] == "stale"
    }
    lang = lang or project.evaluation.lang
    key = rates_key(tasks, lang)
    if data is None:
        rates = recorded_rates(out, key)
        if rates is None:
            raise ValueError("no data given and no response rates recorded for these inputs")
        return {"stale": stale, "rates": rates}
    years = {t.pair.year for t in tasks}
    rates = response_rate_labels(
        data.survey,
        data.population,
        years,
        lang,
        overview_region(lang),
        regions=project.evaluation.regions,
    )
    record = {"key": key, "rates": [[year, name, label] for (year, name), label in rates.items()]}
    write_file_atomic(out / RATES_RECORD, json.dumps(record, ensure_ascii=False).encode(), mode)
    return {"stale": stale, "rates": rates}


RATES_RECORD = Path(".cache") / "index-rates.json"


def publish_index(
    out: Path,
    tasks: list,
    data: object | None,
    project: object,
    *,
    lang: str,
    mode: int,
    pairs: set[tuple[int, str]],
) -> Path:
    """Write the index as a run leaves it: stale marks and response rates, and its key.

    `peer-eval run` and `peer-eval prune` both write it so: the page over the same
    published reports is the same whichever wrote it.

    Args:
        out: The output directory.
        tasks: The planned tasks (`pipeline.build.PairTask`).
        data: The loaded evaluation, or None to take the recorded response rates.
        project: The loaded project.
        lang: The index language.
        mode: File mode of the page and its records.
        pairs: The declared (year, region slug) pairs.

    Returns:
        The page's path.
    """
    details = index_details(tasks, data, project, out, mode, lang)
    index = write_index(out, lang, mode, pairs, **details)
    record_index_key(out, index_key(tasks, pairs, lang, details["stale"], out), mode)
    return index


def index_language(run_lang: str | None, params_lang: str) -> str:
    """The index's language: that of the reports the run publishes (`--lang` over params)."""
    return run_lang or params_lang


def rates_key(tasks: list, lang: str) -> str:
    """A digest of what the index's response rates are made from.

    Each year's input files, the parameters and this code (the tasks' execution-stage
    components "data", "parameters" and "code"), and the language of their numbers.
    """
    parts = sorted(
        {(t.pair.year, t.components["data"], t.components["parameters"], t.components["code"])
         for t in tasks}
    )  # fmt: skip
    return hashlib.sha256(json.dumps({"lang": lang, "years": parts}).encode("utf-8")).hexdigest()


def recorded_rates(out: Path, key: str) -> dict[tuple[int, str], str] | None:
    """The response rates an earlier run recorded for `key`, or None (none, or another key)."""
    try:
        record = json.loads((out / RATES_RECORD).read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        return {(int(year), str(name)): str(label) for year, name, label in record["rates"]}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # unreadable or from another version: read the inputs instead
