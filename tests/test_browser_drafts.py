"""The demo's one draft, as a reader sees it in Chromium: banner in the report, mark in the index.

Screenshots are checked, not only taken: the banner's pixels are read back in the page
(canvas) and must show the draft red in the first screen of the report, and the index
row of the draft must carry the mark while the final reports' rows do not.
"""

from __future__ import annotations

import base64

import pytest
from browser_support import PHONE, launch, open_page
from playwright.sync_api import sync_playwright
from pypdf import PdfReader
from support import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
DRAFT = "2019/orebro/rapport.html"
FINAL = "2019/skane/rapport.html"

# Share of a PNG's pixels that are the draft red (#b3261e, give or take antialiasing).
RED_SHARE_JS = """async (data) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + data;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let red = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i] > 150 && px[i + 1] < 80 && px[i + 2] < 80) red++;
  }
  return red / (px.length / 4);
}"""


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """One headless Chromium for the module."""
    playwright = sync_playwright().start()
    context = launch(playwright, tmp_path_factory.mktemp("chromium-drafts"))
    yield context
    context.close()
    playwright.stop()


def _red_share(page, png: bytes) -> float:
    return page.evaluate(RED_SHARE_JS, base64.b64encode(png).decode("ascii"))


@pytest.mark.parametrize("size", [None, PHONE], ids=["laptop", "phone"])
def test_draft_report_shows_its_banner_in_the_first_screen(full_demo, chromium, size):
    _, out = full_demo
    page, log = open_page(chromium, out / DRAFT, *([size] if size else []))
    try:
        banner = page.locator(".draft-banner")
        assert banner.count() == 1 and banner.is_visible()
        box = banner.bounding_box()
        assert box["y"] + box["height"] <= page.viewport_size["height"], box
        text = banner.inner_text()
        assert "Utkast" in text.title() and "analytikerns text saknas" in text
        assert "diarienummer saknas" in text
        ARTIFACTS.mkdir(exist_ok=True)
        name = "laptop" if size is None else "phone"
        shot = page.screenshot(path=str(ARTIFACTS / f"draft-orebro-2019-{name}.png"))
        assert _red_share(page, banner.screenshot()) > 0.02  # the red frame and label
        assert _red_share(page, shot) > 0.002
        assert log.console_errors == [] and log.page_errors == []
    finally:
        page.close()


def test_final_report_has_no_banner(full_demo, chromium):
    _, out = full_demo
    page, _ = open_page(chromium, out / FINAL)
    try:
        assert page.locator(".draft-banner").count() == 0
        assert _red_share(page, page.screenshot()) < 0.001
    finally:
        page.close()


def test_index_marks_the_draft_and_only_the_draft(full_demo, chromium):
    _, out = full_demo
    page, _ = open_page(chromium, out / "index.html")
    try:
        marked = page.evaluate(
            """() => [...document.querySelectorAll('a[href$="rapport.html"]')].map(a => {
              let box = a.parentElement;
              while (box && box.querySelectorAll('a[href$="rapport.html"]').length === 1
                     && box.parentElement && box.parentElement.tagName !== 'BODY'
                     && box.parentElement.querySelectorAll('a[href$="rapport.html"]')
                        .length === 1) box = box.parentElement;
              return [a.getAttribute('href'), /utkast|draft/i.test(box.textContent)];
            })"""
        )
        drafts = sorted(href for href, is_draft in marked if is_draft)
        assert drafts == [DRAFT], drafts
        mark = page.locator(".status-draft")
        assert mark.count() == 1 and mark.is_visible()
        mark.scroll_into_view_if_needed()
        row = page.locator("tr", has=mark)
        ARTIFACTS.mkdir(exist_ok=True)
        png = (row if row.count() else mark).screenshot(path=str(ARTIFACTS / "index-draft.png"))
        assert _red_share(page, png) > 0.005
    finally:
        page.close()


def test_draft_is_marked_on_every_printed_page_and_in_its_title(full_demo, chromium, tmp_path):
    _, out = full_demo
    page, _ = open_page(chromium, out / DRAFT)
    try:
        assert page.title().startswith("Utkast: ")
        assert not page.locator(".draft-print-mark").is_visible()  # on screen: the banner
        pdf = tmp_path / "printed.pdf"
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    assert len(pages) > 3
    assert [i for i, text in enumerate(pages, 1) if "UTKAST" not in text] == []


def test_index_shows_the_draft_reasons_in_the_page(full_demo, chromium):
    _, out = full_demo
    page, _ = open_page(chromium, out / "index.html")
    try:
        reasons = page.locator('td[data-status="draft"] .draft-reasons li')
        assert reasons.count() == 2
        assert all(r.is_visible() for r in reasons.all())
        assert "analytikerns text saknas" in reasons.first.inner_text()
        assert page.locator(".status[title]").count() == 0  # no tooltip-only text
    finally:
        page.close()
