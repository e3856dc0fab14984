"""SVG figures in a Word file get a PNG beside them, as Word itself stores SVG pictures.

pandoc's docx writer embeds an SVG picture only through Office 2016's `svgBlip`
extension, with no picture in the main `a:blip`: Word 2013 and older, and other
programs that read .docx, then show an empty frame. Word's own files carry a PNG in
`a:blip` and the SVG in the extension; this module adds that PNG, rasterised by the
Typst wheel (already a dependency) with only its embedded fonts, so the bytes are the
same on every machine. It also drops the data URI pandoc copies into each picture's
`pic:cNvPr descr` (the alt text Word shows is `wp:docPr descr`, which stays).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import typst

from pipeline.errors import RenderError

PPI = 150  # a full-width figure (16 cm) becomes about 950 pixels wide
DOCUMENT = "word/document.xml"
RELATIONSHIPS = "word/_rels/document.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
_IMAGE_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
# An SVG-only picture as pandoc writes it: an empty a:blip whose extension list names
# the SVG part's relationship id.
_SVG_ONLY_BLIP = re.compile(
    r'<a:blip>(?=(?:(?!</a:blip>).)*?<asvg:svgBlip [^>]*?r:embed="(?P<rid>[\w.-]+)")', re.DOTALL
)
_DATA_URI_DESCR = re.compile(r'(<pic:cNvPr [^>]*?)descr="data:[^"]*"')


def add_png_fallbacks(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The docx parts with a PNG fallback for each SVG-only picture.

    Args:
        parts: Part name -> bytes, in zip order.

    Returns:
        A new mapping (the PNG parts appended after the others); `parts` itself is
        returned unchanged when there is no document part.

    Raises:
        RenderError: When Typst cannot rasterise an SVG.
    """
    if DOCUMENT not in parts:
        return parts
    document = parts[DOCUMENT].decode("utf-8")
    document = _DATA_URI_DESCR.sub(r"\1", document)
    ids = list(dict.fromkeys(m.group("rid") for m in _SVG_ONLY_BLIP.finditer(document)))
    if not ids:
        return {**parts, DOCUMENT: document.encode("utf-8")}
    relationships = parts[RELATIONSHIPS].decode("utf-8")
    targets = {rid: _target(relationships, rid) for rid in ids}
    document = _SVG_ONLY_BLIP.sub(lambda m: f'<a:blip r:embed="{m.group("rid")}png">', document)
    added = "".join(
        f'<Relationship Type="{_IMAGE_TYPE}" Id="{rid}png" Target="{_png_name(target)}" />'
        for rid, target in targets.items()
    )
    out = dict(parts)
    out[DOCUMENT] = document.encode("utf-8")
    out[RELATIONSHIPS] = relationships.replace("</Relationships>", added + "</Relationships>")
    out[RELATIONSHIPS] = out[RELATIONSHIPS].encode("utf-8")
    types = parts[CONTENT_TYPES].decode("utf-8")
    if 'Extension="png"' not in types:
        png = '<Default Extension="png" ContentType="image/png" />'
        types = types.replace("<Default ", png + "<Default ", 1)
    out[CONTENT_TYPES] = types.encode("utf-8")
    for target in targets.values():
        out["word/" + _png_name(target)] = rasterise(parts["word/" + target])
    return out


def rasterise(svg: bytes) -> bytes:
    """An SVG picture as PNG at `PPI`, drawn by Typst with its embedded fonts only."""
    with tempfile.TemporaryDirectory(prefix="peer-eval-svg-") as tmp:
        root = Path(tmp)
        (root / "figure.svg").write_bytes(svg)
        source = root / "figure.typ"
        source.write_text(
            '#set page(width: auto, height: auto, margin: 0pt)\n#image("figure.svg")\n',
            encoding="utf-8",
        )
        try:
            return typst.compile(
                str(source), root=str(root), format="png", ppi=PPI, ignore_system_fonts=True
            )
        except Exception as exc:  # typst.TypstError carries Typst's diagnostics
            raise RenderError(f"typst could not rasterise a Word figure: {exc}") from exc


def _target(relationships: str, rid: str) -> str:
    match = re.search(rf'<Relationship [^>]*Id="{re.escape(rid)}"[^>]*>', relationships)
    target = re.search(r'Target="(media/[\w.-]+\.svg)"', match.group(0)) if match else None
    if target is None:
        raise RenderError(f"docx: picture {rid} has no SVG part in {RELATIONSHIPS}")
    return target.group(1)


def _png_name(target: str) -> str:
    return target[: -len(".svg")] + ".png"
