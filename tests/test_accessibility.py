"""WCAG 2.1 A and AA in a real browser: axe-core on every demo page, keyboard, language, links.

axe-core comes bundled with `axe-playwright-python` (nothing is downloaded); it runs in
Debian's Chromium on the shared demo build: the three region reports, the year's
national overview and the index, at a laptop's and a phone's width.
"""

from __future__ import annotations

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from browser_support import PHONE, file_path, launch, open_page
from playwright.sync_api import sync_playwright
from support import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAPTOP_1366 = (1366, 800)
SIZES = {"laptop": LAPTOP_1366, "phone": PHONE}
# Every page of the shared demo build and its language.
PAGES = {
    "stockholm": ("2020/stockholm/rapport.html", "sv"),
    "skane": ("2020/skane/rapport.html", "en"),
    "orebro": ("2020/orebro/rapport.html", "sv"),
    "oversikt": ("2020/oversikt.html", "sv"),
    "index": ("index.html", "sv"),
}
REPORTS = ["stockholm", "skane", "orebro"]

# Every link, button, field and focusable region that is displayed (not inside a closed
# <details>), each numbered so that the Tab walk can say which it reached.
FOCUSABLE_JS = """() => [...document.querySelectorAll(
  'a[href], button, input, select, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
    && !(e.closest('details:not([open])') && e.tagName !== 'SUMMARY'))
  .map((e, i) => { e.dataset.focusIndex = String(i); return e.outerHTML.slice(0, 100); })"""
ACTIVE_JS = "() => document.activeElement ? document.activeElement.dataset.focusIndex : null"


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    playwright = sync_playwright().start()
    context = launch(playwright, tmp_path_factory.mktemp("chromium-a11y"))
    yield context
    context.close()
    playwright.stop()


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_21_aa_violations(demo_build, chromium, axe, name, size):
    _, out, _ = demo_build
    page, log = open_page(chromium, out / PAGES[name][0], SIZES[size])
    try:
        # Open every folded figure table, so its contents are checked too.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        violations = [
            (v["id"], v["impact"], [n["html"][:100] for n in v["nodes"][:3]])
            for v in result.response["violations"]
        ]
        assert violations == [], violations
        assert result.response["passes"], "axe ran no checks"
        assert log.page_errors == [] and log.console_errors == []
    finally:
        page.close()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_page_scroll_and_screenshot(demo_build, chromium, name, size):
    _, out, _ = demo_build
    page, _ = open_page(chromium, out / PAGES[name][0], SIZES[size])
    try:
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (scroll, client)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{size}.png"))
    finally:
        page.close()


NARROWEST = (320, 800)  # WCAG 1.4.10 reflow: 320 CSS px (a 1280 px screen at 400 %)


@pytest.mark.parametrize("name", list(PAGES))
def test_a_table_that_scrolls_is_a_tab_stop_and_one_that_never_scrolls_is_not(
    demo_build, chromium, name
):
    # At the narrowest width every table container that scrolls sideways is focusable
    # (axe: scrollable-region-focusable); one that does not scroll there never scrolls at
    # any width, and a tab stop on it would be one more key press for nothing.
    _, out, _ = demo_build
    page, _ = open_page(chromium, out / PAGES[name][0], NARROWEST)
    try:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        wraps = page.evaluate(
            """() => [...document.querySelectorAll('.table-wrap')].map(w => [
              w.querySelector('table').id, w.scrollWidth > w.clientWidth,
              w.getAttribute('tabindex') === '0'])"""
        )
        unreachable = [table for table, scrolls, focusable in wraps if scrolls and not focusable]
        assert unreachable == [], unreachable
        if name != "index":
            assert any(not focusable for _, _, focusable in wraps), wraps
            assert any(focusable for _, _, focusable in wraps), wraps
    finally:
        page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_keyboard_reaches_every_link_and_control(demo_build, chromium, name):
    _, out, _ = demo_build
    page, _ = open_page(chromium, out / PAGES[name][0], LAPTOP_1366)
    try:
        focusable = page.evaluate(FOCUSABLE_JS)
        assert focusable
        reached = []
        for _ in range(len(focusable) + 2):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(ACTIVE_JS))
        missing = [f for i, f in enumerate(focusable) if str(i) not in reached]
        assert missing == [], missing
    finally:
        page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_language_is_declared(demo_build, chromium, name):
    _, out, _ = demo_build
    relative, lang = PAGES[name]
    page, _ = open_page(chromium, out / relative)
    try:
        assert page.evaluate("() => document.documentElement.lang") == lang
        if name == "index":  # a report in another language is announced as such
            hreflangs = page.evaluate(
                """() => [...document.querySelectorAll('a[hreflang]')]
                  .map(a => [a.getAttribute('href'), a.getAttribute('hreflang')])"""
            )
            assert ["2020/skane/rapport.html", "en"] in hreflangs, hreflangs
    finally:
        page.close()


@pytest.mark.parametrize("name", REPORTS)
def test_report_links_its_pdf_the_index_the_overview_and_its_other_years(
    demo_build, chromium, name
):
    params, out, _ = demo_build
    years = yaml.safe_load(params.read_text(encoding="utf-8"))["years"]
    path = out / PAGES[name][0]
    page, _ = open_page(chromium, path)
    try:
        bar = page.locator("nav.doc-bar")
        targets = {
            a.get_attribute("href"): file_path(a.evaluate("a => a.href"))
            for a in bar.locator("a").all()
        }
        assert targets["rapport.pdf"].read_bytes()[:5] == b"%PDF-"
        assert targets["../../index.html"] == out / "index.html"
        assert targets["../oversikt.html"] == out / "2020" / "oversikt.html"
        assert targets[f"../../2020/{path.parent.name}/rapport.html"] == path
        assert all(t.is_file() for t in targets.values() if "2020" in t.parts or t.suffix == ".pdf")
        slug = path.parent.name
        year_links = [a.get_attribute("href") for a in bar.locator(".doc-bar-years a").all()]
        assert year_links == [f"../../{y}/{slug}/rapport.html" for y in sorted(years)]
        assert bar.locator('a[aria-current="page"]').inner_text() == "2020"
    finally:
        page.close()


def test_index_search_filters_the_grid_offline(demo_build, chromium):
    _, out, _ = demo_build
    page, log = open_page(chromium, out / "index.html", PHONE)
    try:
        rows = page.locator("#grid tbody tr")
        total = rows.count()
        assert total >= 4  # the overview and three regions
        page.fill("#search", "skån")
        visible = [r.get_attribute("data-region") for r in rows.all() if r.is_visible()]
        assert visible == ["Skåne"]
        assert "1 av" in page.locator("#count").inner_text()
        page.fill("#search", "")
        page.select_option("#status", "final")
        assert sum(r.is_visible() for r in rows.all()) == total  # a fresh build: all final
        cell = page.locator('tr[data-region="Stockholm"] td[data-year="2020"]')
        assert "%" in cell.locator(".rate").inner_text()
        assert cell.locator("a").count() == 2
        assert log.foreign_requests((out / "index.html").as_uri()) == []
    finally:
        page.close()


def test_figure_text_is_real_text_and_its_data_is_a_table(demo_build, chromium):
    _, out, _ = demo_build
    page, _ = open_page(chromium, out / PAGES["stockholm"][0])
    try:
        figures = page.evaluate(
            """() => [...document.querySelectorAll('figure')].map(f => {
              const next = f.nextElementSibling, svg = f.querySelector('svg[role=img]');
              return {id: f.id, label: svg ? svg.getAttribute('aria-label') : '',
                texts: f.querySelectorAll('svg text').length,
                details: !!(next && next.matches('details.figure-data')),
                table: !!(next && next.querySelector('table th'))}; })"""
        )
        assert figures, "no figures"
        for figure in figures:
            assert figure["texts"] > 0, figure  # text stays text (svg.fonttype none)
            assert figure["details"], figure
            withheld = "redovisas inte" in figure["label"]  # the placeholder says so, no data
            assert figure["table"] or withheld, figure
            assert len(figure["label"]) > 40, figure  # built from the data, not the chart type
        rate = next(f for f in figures if f["id"] == "fig-response-rate")
        assert "Stockholm" in rate["label"] or "%" in rate["label"], rate
    finally:
        page.close()


def test_print_hides_navigation(demo_build, chromium):
    _, out, _ = demo_build
    page, _ = open_page(chromium, out / PAGES["stockholm"][0])
    try:
        page.emulate_media(media="print")
        assert not page.locator("nav.doc-bar").is_visible()
        assert page.locator("main").is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_alt_texts_say_in_words_what_the_tables_mark(demo_build, chromium, name):
    # "–*" (withheld) and "·" (no data collection) are read out as symbols: alt texts
    # use words instead (Örebro 2020 has a withheld interview round).
    _, out, _ = demo_build
    page, _ = open_page(chromium, out / PAGES[name][0])
    try:
        labels = page.evaluate(
            "() => [...document.querySelectorAll('[aria-label]')].map(e => e.ariaLabel)"
        )
    finally:
        page.close()
    marked = [label for label in labels if "–*" in label or "·" in label]
    assert marked == [], marked
