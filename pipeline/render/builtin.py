"""The built-in renderer: the report source to HTML with pandoc, and to PDF with pandoc + Typst.

Used where the Quarto CLI is absent. `shortcodes.expand` turns the `.qmd` body into
plain pandoc Markdown; pandoc (the `pypandoc-binary` executable, run with
`--sandbox` and a timeout) writes HTML or Typst with this package's templates; the
`typst` wheel compiles the Typst source to a tagged PDF that declares both PDF/A-2a
(archival, accessible conformance level) and PDF/UA-1 (universal accessibility), with
only its embedded fonts, so every machine produces the same bytes.

Data text reaches pandoc already escaped by `md_text`, and pandoc reads it with the
safe reader of `pipeline.render.pandoc` (shared with the Word writer).
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import functools
import json
import re
import secrets
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypandoc
import typst
import yaml

from pipeline.disclosure_text import (
    complement_note,
    extremes_note,
    footnote,
    tails_note,
    withheld_message,
)
from pipeline.errors import InputError, Problem, RenderError
from pipeline.formatting import date as format_date
from pipeline.formatting import md_text
from pipeline.i18n import DEFAULT_LANGUAGE, Catalog
from pipeline.links import is_safe_link
from pipeline.publish import write_file_atomic
from pipeline.render.glyphs import compile_with_fallback, undisplayable
from pipeline.render.inline_svg import inline_svgs
from pipeline.render.notebook_cells import Output
from pipeline.render.pandoc import run_pandoc
from pipeline.render.shortcodes import (
    Source,
    expand,
    labels,
    read_source,
    resolve_front_matter,
    scalar_markdown,
)
from pipeline.render.typst_child import TypstCompileError, compile_pdf
from pipeline.section_notes import merge_section_notes

TEMPLATES = Path(__file__).parent / "templates"
# Fonts beyond the Typst wheel's own (Libertinus, New Computer Modern, DejaVu Sans Mono),
# for characters in quotes: Debian's Noto CJK (fonts-noto-cjk: Chinese, Japanese,
# Korean), Noto Color Emoji (fonts-noto-color-emoji) and DejaVu Sans (fonts-dejavu-core:
# Arabic, Hebrew, combining marks). Typst takes folders only. It uses these fonts only
# for characters the report fonts lack, so other reports are unaffected; a character
# none has is replaced (pipeline.render.glyphs).
FALLBACK_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
# Characters that may be (part of) an emoji: the symbol blocks where emoji of the first
# Unicode versions live, the joiner and emoji variation selector, and the emoji planes.
_MAY_BE_EMOJI = re.compile("[\u2300-\u2bff\u200d\ufe0f\U0001f000-\U0001faff]")
_SECTION_NUMBERING = re.compile(r"[1aAiI*.\-)( ]{1,20}")
_REPORT_FIELDS = (
    "organisation",
    "committee",
    "commissioner",
    "author",
    "case_number",
    "date_text",
)
# Typst 0.14+ can write one file that is PDF/A-2a and PDF/UA-1 at once: archival, tagged
# (structure tree, alt text, reading order) and checked by Typst while it writes.
PDF_STANDARDS = ("a-2a", "ua-1")
_BACKSLASH_ESCAPE = re.compile(r"\\(.)")


def render(source: Path, formats: Sequence[str], *, timestamp: int) -> dict[str, Path]:
    """Render a report source to `rapport.html` / `rapport.pdf` beside it.

    Args:
        source: The `.qmd` file (its embeds are resolved relative to its folder).
        formats: Any of "html", "pdf", "docx".
        timestamp: Seconds since the epoch; the PDF's creation time, and the report
            date when the front matter has none.

    Returns:
        The written files by format.

    Raises:
        ShortcodeError: For shortcodes or embeds that cannot be resolved.
        InputError: For a front-matter date that is not an ISO date.
        RenderError: When pandoc or Typst fails.
    """
    doc = read_source(source)
    front = resolve_front_matter(doc)
    lang = _lang(front)
    metadata = _metadata(doc, front, lang, timestamp)
    # The formats are independent, and most of each is waiting for a pandoc or Typst
    # process: side by side, a report's HTML and PDF take about the time of the slower
    # one (what an analyst waits for after a narrative edit). Written in format order,
    # and the first format that fails raises, as one after the other would.
    with ThreadPoolExecutor(max_workers=max(1, len(formats))) as pool:
        made = [pool.submit(_WRITERS[f], doc, front, lang, metadata, timestamp) for f in formats]
        written = {}
        for fmt, future in zip(formats, made, strict=True):
            target = source.with_suffix("." + fmt)
            # Readable by all (a report is for reading); the staging folder is synced on publishing.
            write_file_atomic(target, future.result(), 0o644, durable=False)
            written[fmt] = target
    return written


@functools.cache
def version() -> str:
    """Name and versions for the manifest, e.g. "builtin (pandoc 3.9, typst 0.15.1)".

    The Typst version is the compiler's own (what the PDF's Creator field says), which
    can differ from the version of the Python wheel that bundles it.
    """
    return f"builtin (pandoc {pypandoc.get_pandoc_version()}, typst {typst_version()})"


@functools.cache
def typst_version() -> str:
    """The version of the Typst compiler inside the `typst` wheel, e.g. "0.15.1"."""
    with tempfile.TemporaryDirectory(prefix="peer-eval-typst-") as tmp:
        probe = Path(tmp) / "version.typ"
        probe.write_text("", encoding="utf-8")
        try:
            return str(typst.eval(str(probe), "str(sys.version)")).strip('"')
        except Exception:  # an older wheel without eval: fall back to the wheel's version
            return typst.__version__


# --- HTML -------------------------------------------------------------------------------


def _render_html(doc: Source, front: dict, lang: str, metadata: dict, timestamp: int) -> bytes:
    # pandoc gets a short placeholder for each figure and the figures go in after it:
    # a chart of 290 regions is half a megabyte of base64 that pandoc would parse,
    # copy and write again, at twice the time of the rest of the report. A fresh
    # token per render: no text in the document can name a placeholder beforehand.
    token = secrets.token_hex(8)
    figures: dict[str, str] = {}

    def placeholder(name: str, output: Output, alt: str) -> str:
        ref = f"peer-eval-figure-{token}-{len(figures)}"
        figures[ref] = _data_uri(name, output, alt)
        return ref

    markdown = _notes_once(expand(doc, lang=lang, image_ref=placeholder), front, lang)
    html_format = _format_options(front, "html")
    extra = ["--section-divs", "--wrap=none"]
    if html_format.get("number-sections"):
        extra.append("--number-sections")
    if html_format.get("toc", True):
        extra += ["--toc", "--toc-depth=3"]
    html = _pandoc(
        markdown,
        to="html5",
        template=TEMPLATES / "report.html",
        metadata=metadata,
        variables=_variables(lang),
        extra=extra,
    )
    return inline_svgs(_put_figures(html, figures)).encode("utf-8")


def _put_figures(html: str, figures: dict[str, str]) -> str:
    """Each figure placeholder's `src` replaced by the figure's data URI."""
    if not figures:
        return html
    pattern = re.compile('src="(' + "|".join(map(re.escape, figures)) + ')"')
    return pattern.sub(lambda m: f'src="{figures[m.group(1)]}"', html)


def _data_uri(name: str, output: Output, alt: str) -> str:
    data = output.data.encode("utf-8") if isinstance(output.data, str) else output.data
    return f"data:{output.mime};base64,{base64.b64encode(data).decode('ascii')}"


# --- PDF --------------------------------------------------------------------------------


def _render_pdf(doc: Source, front: dict, lang: str, metadata: dict, timestamp: int) -> bytes:
    typst_format = _format_options(front, "typst")
    report_date = _date(doc, front, timestamp)
    variables = {
        **_variables(lang),
        "date-year": str(report_date.year),
        "date-month": str(report_date.month),
        "date-day": str(report_date.day),
        "toc-depth": "2",
    }
    numbering = str(typst_format.get("section-numbering", "1.1"))
    if _SECTION_NUMBERING.fullmatch(numbering):
        variables["section-numbering"] = numbering
    # A withheld figure or table as a Typst figure, laid out as the real ones.
    extra = [f"--lua-filter={TEMPLATES / 'withheld.lua'}"]
    extra += ["--toc"] if typst_format.get("toc", True) else []
    # Typst sees only this folder: the .typ source and the figures it shows.
    with tempfile.TemporaryDirectory(prefix="peer-eval-typst-") as tmp:
        root = Path(tmp)
        alt_texts: dict[str, str] = {}

        def image_file(name: str, output: Output, alt: str) -> str:
            filename = f"{name}.{'svg' if output.mime == 'image/svg+xml' else 'png'}"
            data = output.data.encode("utf-8") if isinstance(output.data, str) else output.data
            (root / filename).write_bytes(data)
            alt_texts[filename] = alt
            return filename

        markdown = _notes_once(expand(doc, lang=lang, image_ref=image_file), front, lang)
        source = _pandoc(
            markdown,
            to="typst",
            template=TEMPLATES / "report.typ",
            metadata=metadata,
            variables=variables,
            extra=extra,
        )
        typ = root / "rapport.typ"
        typ.write_text(_sized_tables(_with_alt_texts(source, alt_texts)), encoding="utf-8")
        document = _pdf_document_data(front, lang, alt_texts)
        (root / "document.json").write_text(
            json.dumps(document, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        # The PDF's creation and modification dates are the report date, like the
        # document date: what the committee receives is dated once, not by the build.
        return _typst(typ, root, calendar.timegm(report_date.timetuple()))


def _with_alt_texts(source: str, alt_texts: dict[str, str]) -> str:
    """Give each figure image its alt text (pandoc's Typst writer drops it).

    The alt text itself stays in `document.json`: the source only gets a call that
    looks it up by file name. The pattern `image("name"` occurs only in code pandoc
    generated: in text, pandoc escapes the quote. Names are labels (letters, digits,
    - and _) plus a suffix, so they are safe inside a Typst string.
    """
    for filename in alt_texts:
        source = source.replace(
            f'image("{filename}"', f'image("{filename}", alt: figure-alt("{filename}")'
        )
    return source


def _sized_tables(source: str) -> str:
    """Let the template size table columns from their content (see `sized-table`).

    `[#table(` occurs only in code pandoc generated (in text, pandoc escapes `#`).
    """
    return source.replace("[#table(", "[#sized-table(")


def _pdf_document_data(front: dict, lang: str, alt_texts: dict[str, str]) -> dict:
    """Plain strings the Typst template reads from `document.json` (never as source).

    Returns:
        author, subject (title and subtitle) and keywords for the PDF metadata, and
        each figure's alt text by image file name.
    """
    report = front.get("report") if isinstance(front.get("report"), dict) else {}
    title = _plain_text(front.get("title"))
    subtitle = _plain_text(front.get("subtitle"))
    params = front.get("params") if isinstance(front.get("params"), dict) else {}
    keywords = [w.strip() for w in labels(lang)["keywords"].split(",")]
    keywords += [str(params[k]) for k in ("region", "year") if params.get(k) is not None]
    author = _plain_text(report.get("author")) or _plain_text(report.get("organisation"))
    heading = f"{title} – {subtitle}" if subtitle else title
    words = labels(lang)
    addressee = ", ".join(
        part
        for part in (
            _plain_text(report.get("committee")),
            (f"{words['case']} {_plain_text(report.get('case_number'))}")
            if report.get("case_number")
            else "",
        )
        if part
    )
    return {
        "author": [author] if author else [],
        "subject": f"{heading}. {addressee}" if addressee else heading,
        "keywords": list(dict.fromkeys(k for k in keywords if k)),
        "alt": {name: " ".join(alt.split()) for name, alt in sorted(alt_texts.items())},
    }


def _plain_text(value: object) -> str:
    """A front-matter string as plain text: the Markdown backslash escapes undone."""
    text = scalar_markdown(value) or ""
    return " ".join(_BACKSLASH_ESCAPE.sub(r"\1", text).split())


def _typst(typ: Path, root: Path, timestamp: int) -> bytes:
    def compile_file(source: Path) -> bytes:
        # In a child process (pipeline.render.typst_child): Typst's caches would stay
        # in this worker. Only known fonts: identical output on every machine. The
        # fonts Typst carries first; the fallback folders (scanning them costs a
        # sixth of a report's compile) only when a character needs them, which PDF/A
        # makes Typst say, naming the character.
        options = {"root": root, "pdf_standards": list(PDF_STANDARDS), "timestamp": timestamp}
        fallback = [str(d) for d in FALLBACK_FONT_DIRS if d.is_dir()]
        if _MAY_BE_EMOJI.search(source.read_text(encoding="utf-8")):
            # The report font has some emoji's parts (⚕ of 👩🏽‍⚕️): without the emoji
            # font Typst would draw those and raise nothing.
            return compile_pdf(source, font_paths=fallback, **options)
        try:
            return compile_pdf(source, font_paths=[], **options)
        except TypstCompileError as exc:
            if not undisplayable(str(exc)):
                raise
        return compile_pdf(source, font_paths=fallback, **options)

    try:
        return compile_with_fallback(typ, compile_file)
    except Exception as exc:  # typst.TypstError and friends carry Typst's diagnostics
        hint = ""
        if "could not be displayed" in str(exc):
            hint = (
                " (no font here has these characters; install the fallback fonts: "
                "bash scripts/setup.sh --system)"
            )
        raise RenderError(f"typst failed to compile {typ.name}: {exc}{hint}") from exc


def _render_docx(doc: Source, front: dict, lang: str, metadata: dict, timestamp: int) -> bytes:
    from pipeline.render import docx  # docx uses this module's reader settings

    return docx.render(doc, lang, metadata, timestamp)


_WRITERS = {"html": _render_html, "pdf": _render_pdf, "docx": _render_docx}


# --- shared -----------------------------------------------------------------------------


def _pandoc(
    markdown: str,
    *,
    to: str,
    template: Path,
    metadata: dict,
    variables: dict[str, str],
    extra: list[str],
) -> str:
    """Run pandoc in sandbox mode on Markdown from stdin; return its output."""
    with tempfile.TemporaryDirectory(prefix="peer-eval-pandoc-") as tmp:
        meta_file = Path(tmp) / "metadata.yaml"
        meta_file.write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")
        args = [
            f"--to={to}",
            "--standalone",
            f"--template={template}",
            f"--metadata-file={meta_file}",
            f"--lua-filter={TEMPLATES / 'safety.lua'}",
            *extra,
        ]
        for key, value in variables.items():
            args += ["--variable", f"{key}={value}"]
        return run_pandoc(markdown, args, what=to)


def _metadata(doc: Source, front: dict, lang: str, timestamp: int) -> dict:
    """Pandoc metadata: Markdown strings, which pandoc escapes for HTML and Typst."""
    title = scalar_markdown(front.get("title")) or ""
    subtitle = scalar_markdown(front.get("subtitle")) or ""
    report = front.get("report")
    report = report if isinstance(report, dict) else {}
    fields = {k: scalar_markdown(report.get(k)) for k in _REPORT_FIELDS}
    date_text = fields.get("date_text") or md_text(format_date(_date(doc, front, timestamp), lang))
    metadata = {
        "title": title,
        "pagetitle": f"{title} – {subtitle}" if subtitle else title or "Rapport",
        "date-text": date_text,
        "report": {k: v for k, v in fields.items() if v},
    }
    if subtitle:
        metadata["subtitle"] = subtitle
    draft = _draft_metadata(front.get("draft_mark"))
    if draft:
        metadata["draft_mark"] = draft
        # The browser tab, bookmarks and history say it too, not only the page.
        metadata["pagetitle"] = f"{draft['label']}: {metadata['pagetitle']}"
    links = _links(front.get("links"))
    if links:
        metadata["links"] = links
    return metadata


_FIGURES_THEMES = Catalog("figures_themes")


def _notes_once(markdown: str, front: dict, lang: str) -> str:
    """One disclosure note per section (pipeline.section_notes), with the report's k values."""
    k = (front.get("report") or {}).get("k")
    if not isinstance(k, int):
        return markdown
    notes = [md_text(footnote(k, lang)), md_text(withheld_message(k, lang))]
    notes.append(md_text(withheld_message(k, lang, reason="unprotectable")))
    notes.append(md_text(withheld_message(k, lang, reason="linked")))
    notes.append(md_text(tails_note(lang)))
    # What each interview figure says in a year without interviews, and each survey table
    # in a year without a survey: once, for them all (not a disclosure note: no mark).
    no_data = [md_text(_FIGURES_THEMES(lang, "no_collection"))]
    no_data.append(md_text(withheld_message(k, lang, reason="no_data")))
    report = front.get("report") or {}
    if isinstance(report.get("interview_k"), int):
        interview_k = report["interview_k"]
        notes.append(md_text(footnote(interview_k, lang)))
        notes.append(md_text(withheld_message(interview_k, lang, reason="interviews")))
    if isinstance(report.get("extremes_k"), int):
        notes.append(md_text(extremes_note(k, report["extremes_k"], lang)))
        notes.append(md_text(complement_note(k, report["extremes_k"], lang)))
    return merge_section_notes(markdown, notes, lang, no_data=no_data)


def _draft_metadata(value: object) -> dict | None:
    """The draft mark (pipeline.drafts): label, intro and reasons, already escaped Markdown."""
    if not isinstance(value, dict) or not value.get("label"):
        return None
    reasons = [scalar_markdown(r) for r in value.get("reasons") or []]
    return {
        "label": scalar_markdown(value["label"]) or "",
        "intro": scalar_markdown(value.get("intro")) or "",
        "reasons": [r for r in reasons if r],
    }


def _links(value: object) -> dict:
    """The header bar's links from the front matter, keeping only safe relative paths.

    Values are written by the build (`pipeline.links`), never from data; still, a link
    that is not a plain relative path is dropped rather than trusted.
    """
    if not isinstance(value, dict):
        return {}
    links = {k: value[k] for k in ("index", "pdf", "overview") if is_safe_link(value.get(k))}
    years = [
        {
            "year": str(int(y["year"])),
            "href": y["href"],
            **({"current": True} if y.get("current") else {}),
        }
        for y in value.get("years") or []
        if isinstance(y, dict) and isinstance(y.get("year"), int) and is_safe_link(y.get("href"))
    ]
    if len(years) > 1:
        links["years"] = years
    return links


def _variables(lang: str) -> dict[str, str]:
    """Template variables the renderer computes itself (pandoc inserts them verbatim)."""
    words = labels(lang)
    return {
        "lang": lang,
        "toc-title": words["toc"],
        "page-label": words["page"],
        "date-label": words["date"],
        "case-label": words["case"],
        "committee-label": words["committee"],
        "commissioner-label": words["commissioner"],
        "author-label": words["author"],
        "page-of": words["page-of"],
        "figures-title": words["figures"],
        "tables-title": words["tables"],
        "nav-label": words["nav"],
        "index-label": words["index"],
        "overview-label": words["overview"],
        "years-label": words["years"],
        "pdf-label": words["pdf"],
        "skip-label": words["skip"],
    }


def _lang(front: dict) -> str:
    lang = str(front.get("lang") or DEFAULT_LANGUAGE)
    labels(lang)  # raises for a language without labels
    return lang


def _format_options(front: dict, name: str) -> dict:
    options = (front.get("format") or {}).get(name)
    return options if isinstance(options, dict) else {}


def _date(doc: Source, front: dict, timestamp: int) -> dt.date:
    """The report date: front-matter `date` (ISO), else the day of `timestamp` (UTC)."""
    value = front.get("date")
    if value is None:
        return dt.datetime.fromtimestamp(timestamp, dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        problem = Problem(str(doc.path), f"{value!r} is not an ISO date (YYYY-MM-DD)", key="date")
        raise InputError(problem) from exc
