"""SVG figures into the HTML page itself, so their text can be selected and searched.

pandoc writes an embedded SVG figure as `<img src="data:image/svg+xml;base64,...">`;
this module swaps each for the SVG element, named by the image's alt text.
"""

from __future__ import annotations

import base64
import re

# pandoc writes an embedded SVG figure as <img src="data:image/svg+xml;base64,..." ...>;
# data text can never produce this (pandoc escapes "<" in text).
_SVG_IMG = re.compile(
    r'<img src="data:image/svg\+xml;base64,(?P<data>[A-Za-z0-9+/=]+)"(?P<attrs>[^>]*)>'
)
_ALT_ATTR = re.compile(r'\balt="(?P<alt>[^"]*)"')
_SVG_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SVG_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_SVG_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')
# Where an SVG names an id: its definition and its two kinds of reference.
_ID_USE = re.compile(
    r'(?P<open>id=")(?P<id>[^"]+)(?P<close>")'
    r"|(?P<open2>url\(#)(?P<url>[^)]+)(?P<close2>\))"
    r'|(?P<open3>href="#)(?P<href>[^"]+)(?P<close3>")'
)


def inline_svgs(html: str) -> str:
    """Put SVG figures into the page itself, so their text can be selected and searched.

    Each SVG (matplotlib's, whose text it XML-escaped) becomes `<svg role="img"
    aria-label="alt">`; its ids get a per-figure prefix (several figures on one page
    must not share a clip-path id), and its global `<style>` rule moves to styles.css.
    """
    count = 0

    def inline(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        svg = base64.b64decode(match.group("data")).decode("utf-8")
        alt = _ALT_ATTR.search(match.group("attrs"))
        label = alt.group("alt") if alt else ""  # already HTML-escaped by pandoc
        svg = _SVG_STYLE.sub("", _SVG_PROLOG.sub("", svg, count=1))
        svg = _prefix_ids(svg, f"f{count}-")
        root = _SVG_ROOT.search(svg)
        if root is None:
            return match.group(0)
        opening = _SVG_SIZE.sub("", root.group(0))
        opening = opening.replace(
            "<svg", f'<svg class="figure-svg" role="img" aria-label="{label}"', 1
        )
        return svg[: root.start()] + opening + svg[root.end() :].rstrip()

    return _SVG_IMG.sub(inline, html)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Every id the SVG defines, and every reference to one, with `prefix` in front.

    One pass over the text: a chart of 290 regions defines thousands of ids, and a
    replace per id over the whole SVG took seconds per report.
    """
    ids = set(_SVG_ID.findall(svg))

    def prefixed(match: re.Match[str]) -> str:
        kind = next(k for k in ("", "2", "3") if match.group(f"open{k}") is not None)
        name = match.group({"": "id", "2": "url", "3": "href"}[kind])
        if name not in ids:
            return match.group(0)
        return match.group(f"open{kind}") + prefix + name + match.group(f"close{kind}")

    return _ID_USE.sub(prefixed, svg)
