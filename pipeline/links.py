"""Links between published documents: a report's PDF, the index, its other years, the overview.

The output tree is fixed (`<year>/<slug>/rapport.html`, `<year>/oversikt.html`,
`index.html`), so every link is a relative path that works offline, from a file
share or from a web server alike. The build puts them into the report's front
matter (`links:`); the HTML template shows them in its header bar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SAFE_LINK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*|\.\./[A-Za-z0-9._/-]+")
"""What a link may look like: a relative path of letters, digits, `.`, `_`, `/` and `-`."""


def report_links(
    *,
    kind: str,
    year: int,
    slug: str,
    stem: str,
    formats: Iterable[str],
    years: Iterable[int],
    overview: bool,
) -> dict:
    """Relative links from one published report to its neighbours.

    Args:
        kind: "region" (a region-year report) or "overview" (a year's national overview).
        year: The report's year.
        slug: The region's slug (unused for an overview).
        stem: The report's file stem ("rapport" or "oversikt").
        formats: The formats published (a PDF link only when "pdf" is among them).
        years: Every year of the evaluation (the region's other years are linked).
        overview: Whether the year has a national overview.

    Returns:
        `{"index": ..., "pdf": ..., "overview": ..., "years": [{"year", "href", "current"}]}`;
        keys without a target are left out.
    """
    region = kind != "overview"
    up = "../../" if region else "../"
    links: dict = {"index": f"{up}index.html"}
    if "pdf" in set(formats):
        links["pdf"] = f"{stem}.pdf"
    if region and overview:
        links["overview"] = "../oversikt.html"
    target = f"{slug}/rapport.html" if region else "oversikt.html"
    links["years"] = [
        {"year": y, "href": f"{up}{y}/{target}", "current": y == year}
        for y in sorted(set(years) | {year})
    ]
    return links


def is_safe_link(href: object) -> bool:
    """Whether `href` is a relative path this module could have made (no scheme, no `..` tricks)."""
    return (
        isinstance(href, str)
        and bool(SAFE_LINK.fullmatch(href))
        and "//" not in href
        and not any(part == ".." for part in href.split("/")[2:])
    )
