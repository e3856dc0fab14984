"""Word output (`rapport.docx`), for the administration that drafts the committee paper.

The built-in renderer writes it with pandoc's docx writer (sandboxed, with the same
Markdown reader and link filter as HTML and PDF); the Quarto renderer asks Quarto for
its `docx` format. Both use the reference document built here for styles: pandoc's own
default (`pandoc --print-default-data-file reference.docx`) on A4 with 11 pt text and
ruled tables, zipped again with fixed timestamps, so every machine builds the same bytes.

Figures are embedded from data URIs (pandoc reads no files in sandbox mode), as SVG
with a PNG fallback (`docx_figures`); captions and table captions are the renderer's
numbered ones, in Word's "Image Caption" and "Table Caption" styles. No table of
contents: it would be a Word field. Data text is Markdown-escaped before pandoc sees
it, and the reader has no raw OpenXML, so neither script nor field codes can come
from data.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pypandoc

from pipeline.errors import RenderError
from pipeline.formatting import language_tag
from pipeline.render import docx_figures
from pipeline.render.notebook_cells import Output
from pipeline.render.pandoc import PANDOC_TIMEOUT, run_pandoc
from pipeline.render.shortcodes import Source, expand, labels

TEMPLATES = Path(__file__).parent / "templates"
COVER_FILTER = TEMPLATES / "cover.lua"
REFERENCE_NAME = "reference.docx"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold

# (file in the package, text pandoc's default has, text it becomes). Each must match
# once: a pandoc whose default differs fails here loudly instead of styling silently.
_ADJUSTMENTS = (
    (  # A4 with 2.5 cm margins (pandoc takes the page setup from the reference doc)
        "word/document.xml",
        "<w:sectPr>",
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838" />'
        '<w:pgMar w:top="1418" w:right="1418" w:bottom="1418" w:left="1418" '
        'w:header="709" w:footer="709" w:gutter="0" />',
    ),
    (  # 11 pt body text, as the PDF
        "word/styles.xml",
        '<w:sz w:val="24" />\n        <w:szCs w:val="24" />',
        '<w:sz w:val="22" />\n        <w:szCs w:val="22" />',
    ),
    (  # tables ruled above and below, as in the PDF and HTML
        "word/styles.xml",
        '<w:tblInd w:w="0" w:type="dxa" />',
        '<w:tblInd w:w="0" w:type="dxa" /><w:tblBorders>'
        '<w:top w:val="single" w:sz="6" w:space="0" w:color="808080" />'
        '<w:bottom w:val="single" w:sz="6" w:space="0" w:color="808080" />'
        "</w:tblBorders>",
    ),
)


@functools.cache
def reference_doc() -> bytes:
    """The reference document for styles: pandoc's default adjusted, deterministic bytes.

    Raises:
        RenderError: When pandoc cannot print its default, or it no longer has the
            text an adjustment replaces.
    """
    try:
        result = subprocess.run(
            [pypandoc.get_pandoc_path(), "--print-default-data-file", REFERENCE_NAME],
            capture_output=True,
            timeout=PANDOC_TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise RenderError(f"pandoc could not print its default {REFERENCE_NAME}: {exc}") from exc
    with zipfile.ZipFile(io.BytesIO(result.stdout)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for name, old, new in _ADJUSTMENTS:
        text = parts[name].decode("utf-8")
        if text.count(old) != 1:
            raise RenderError(f"pandoc's default {REFERENCE_NAME} changed: no {old!r} in {name}")
        parts[name] = text.replace(old, new).encode("utf-8")
    return _zip(parts)


def render(doc: Source, lang: str, metadata: dict, timestamp: int) -> bytes:
    """The report source as a Word document (the built-in renderer's docx writer).

    Args:
        doc: The parsed report source.
        lang: The report language.
        metadata: The built-in renderer's pandoc metadata (title, subtitle, date-text,
            report fields), Markdown strings that pandoc escapes.
        timestamp: Seconds since the epoch; the document's dates and zip timestamps.

    Returns:
        The bytes of `rapport.docx`.

    Raises:
        ShortcodeError: For shortcodes or embeds that cannot be resolved.
        RenderError: When pandoc fails.
    """
    markdown = expand(doc, lang=lang, image_ref=data_uri)
    meta = {**metadata, "date": metadata.get("date-text", ""), "peer-eval": cover_labels(lang)}
    with tempfile.TemporaryDirectory(prefix="peer-eval-docx-") as tmp:
        folder = Path(tmp)
        meta_file = folder / "metadata.json"
        meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        reference = folder / REFERENCE_NAME
        reference.write_bytes(reference_doc())
        target = folder / "rapport.docx"
        args = [
            "--to=docx",
            f"--metadata-file={meta_file}",
            f"--reference-doc={reference}",
            f"--lua-filter={TEMPLATES / 'safety.lua'}",
            f"--lua-filter={COVER_FILTER}",
            "--variable",
            f"lang={language_tag(lang)}",
            f"--output={target}",
        ]
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(timestamp)}
        run_pandoc(markdown, args, what="docx", env=env)
        if not target.is_file():
            raise RenderError("pandoc (docx) wrote no file")
        return normalise(target.read_bytes())


def cover_labels(lang: str) -> dict:
    """The fixed words cover.lua prints (metadata key `peer-eval`)."""
    words = labels(lang)
    return {"case-label": words["case"], "date-label": words["date"], "toc-title": words["toc"]}


def data_uri(name: str, output: Output, alt: str) -> str:
    """An embedded image as a data URI (pandoc in sandbox mode reads no image files)."""
    data = output.data.encode("utf-8") if isinstance(output.data, str) else output.data
    return f"data:{output.mime};base64,{base64.b64encode(data).decode('ascii')}"


def normalise(data: bytes) -> bytes:
    """The docx as published: PNG fallbacks for SVG pictures, fixed timestamps and modes.

    Pandoc honours SOURCE_DATE_EPOCH already; zipping again with fixed timestamps and
    permissions, entries in order, makes the bytes independent of the pandoc and of the
    Quarto that wrote them. `docx_figures` adds the PNG older Word versions show.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    return _zip(docx_figures.add_png_fallbacks(parts))


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    return buffer.getvalue()
