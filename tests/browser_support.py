"""Headless Chromium for the browser tests: launching, page logs and in-page queries.

Chromium comes from Debian (`/usr/bin/chromium`, installed by `scripts/setup.sh --system`);
Playwright only drives it, so nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = (390, 844)
LAPTOP = (1280, 800)

# Every attribute of every element, as [tag, name, value]: the hostile-text checks look
# for event handlers and script URLs anywhere in the document.
ALL_ATTRIBUTES_JS = """() => [...document.querySelectorAll('*')].flatMap(
    e => [...e.attributes].map(a => [e.tagName.toLowerCase(), a.name, a.value]))"""

# The report's document outline as the browser sees it.
OUTLINE_JS = """() => ({
  lang: document.documentElement.getAttribute('lang'),
  images: [...document.images].map(i => ({
    alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0,
    src: i.getAttribute('src').slice(0, 30)})),
  svgs: [...document.querySelectorAll('svg[role="img"]')].map(s =>
    (s.getAttribute('aria-label') || (s.querySelector('title') || {}).textContent || '')),
  figures: [...document.querySelectorAll('figure')].map(f => ({
    id: f.id, graphic: !!f.querySelector('img, svg'),
    caption: (f.querySelector('figcaption') || {}).textContent || ''})),
  tables: [...document.querySelectorAll('main table')].map(t => ({
    id: t.id, caption: (t.querySelector('caption') || {}).textContent || ''})),
  // Numbered captions; a figure's folded data table repeats its figure's caption.
  captions: [...document.querySelectorAll('figcaption, caption, .captioned .caption')]
    .filter(c => !c.closest('.figure-data')).map(c => c.textContent.trim()),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  toc: [...document.querySelectorAll('nav#TOC a')].map(a => a.getAttribute('href')),
  tocTitle: (document.getElementById('toc-title') || {}).textContent || '',
  links: [...document.querySelectorAll('main a[href]')].map(a => ({
    href: a.getAttribute('href'), text: a.textContent.trim()})),
})"""

# Words in table cells that are wider than their cell, i.e. broken across lines, as
# [table id, word, cell content width]: measured with the cell's own font on a canvas.
BROKEN_WORDS_JS = """() => {
  const ctx = document.createElement('canvas').getContext('2d'); const out = [];
  for (const cell of document.querySelectorAll('main th, main td')) {
    const style = getComputedStyle(cell); ctx.font = style.font;
    const width = cell.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    for (const word of cell.textContent.split(/\\s+/)) {
      if (word && ctx.measureText(word).width > width + 1)
        out.push([cell.closest('table').id, word, Math.round(width)]);
    }
  }
  return out; }"""


@dataclass
class PageLog:
    """What a page did while it was open: console errors, uncaught errors, requests, dialogs."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign_requests(self, own: str) -> list[str]:
        """Requests for anything but the page's own file and `data:` URIs."""
        return [url for url in self.requests if url != own and not url.startswith("data:")]


def require_chromium() -> None:
    """Fail (never skip) when Debian's Chromium is missing: CI must run these tests."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium; "
            "install it with `bash scripts/setup.sh --system` (apt-get install chromium)"
        )


def launch(playwright: Playwright, profile: Path) -> BrowserContext:
    """Debian's Chromium, headless, with a fresh user-data dir and no background traffic.

    Args:
        playwright: A started Playwright.
        profile: An empty folder for the user-data dir.

    Returns:
        The browser context (closing it closes the browser).
    """
    require_chromium()
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=LAUNCH_ARGS,
        headless=True,
        viewport={"width": LAPTOP[0], "height": LAPTOP[1]},
    )


def open_page(
    context: BrowserContext, path: Path, size: tuple[int, int] = LAPTOP
) -> tuple[Page, PageLog]:
    """Open a file in a new tab of `size`, logging from before the first request.

    Dialogs are recorded and dismissed, so a page that calls `alert()` cannot hang a test.

    Args:
        context: The browser context.
        path: The HTML file.
        size: Viewport width and height in CSS pixels.

    Returns:
        The loaded page and its log (which keeps filling while the page is open).
    """
    page = context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))

    def _dialog(dialog: Dialog) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", _dialog)
    page.goto(path.as_uri(), wait_until="load")
    return page, log


def file_path(url: str) -> Path:
    """The local path of a `file://` URL."""
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(url2pathname(parsed.path))


def fragment_id(href: str) -> str:
    """The element id an in-page link `#...` points to (percent-decoded)."""
    assert href.startswith("#"), href
    return unquote(href[1:])
