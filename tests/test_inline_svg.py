"""SVG figures inlined into the HTML page: ids made unique per figure, references kept."""

from __future__ import annotations

import base64

from pipeline.render.inline_svg import inline_svgs


def _img(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}" />'


SVG = (
    '<?xml version="1.0"?>\n<svg width="10pt" height="5pt" xmlns:xlink="http://www.w3.org/1999/xlink">'
    "<style>text { fill: red }</style>"
    '<defs><clipPath id="p1"><rect/></clipPath><path id="p12" d="M0"/></defs>'
    '<g clip-path="url(#p1)"><use xlink:href="#p12"/><use xlink:href="#p1"/></g>'
    '<a href="#elsewhere">x</a><g style="fill: url(#none)"/></svg>'
)


def test_each_figure_gets_its_own_ids_and_its_references_follow():
    html = inline_svgs(f"<p>{_img(SVG, 'Första')}</p><p>{_img(SVG, 'Andra')}</p>")
    first, second = html.split("<p>")[1:]
    assert '<svg class="figure-svg" role="img" aria-label="Första"' in first
    # p1 and p12: one a prefix of the other, each renamed whole, references with them.
    for figure, prefix in ((first, "f1-"), (second, "f2-")):
        assert f'id="{prefix}p1"' in figure and f'id="{prefix}p12"' in figure
        assert f"url(#{prefix}p1)" in figure
        assert f'xlink:href="#{prefix}p12"' in figure and f'xlink:href="#{prefix}p1"' in figure
        assert 'id="p1"' not in figure and "#p12" not in figure
    # What the figure does not define is not touched; the size and style move out.
    assert 'href="#elsewhere"' in first and "url(#none)" in first
    assert "<style>" not in html and 'width="10pt"' not in html and "<?xml" not in html
