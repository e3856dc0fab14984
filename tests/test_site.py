import json

from pipeline.site import index_html, published_reports


def _report(out, year, slug, region, outputs=("rapport.html", "rapport.pdf")):
    folder = out / str(year) / slug
    folder.mkdir(parents=True)
    manifest = {"report": {"region": region, "year": year, "slug": slug},
                "parameters": {"lang": "sv", "report": {"date": "2026-11-25"}},
                "outputs": {name: "0" for name in outputs}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_index_lists_reports_newest_year_first_with_links(tmp_path):
    _report(tmp_path, 2019, "skane", "Skåne")
    _report(tmp_path, 2020, "orebro", "Örebro", ("rapport.html",))
    entries = published_reports(tmp_path)
    assert [(e["year"], e["region"]) for e in entries] == [(2020, "Örebro"), (2019, "Skåne")]
    page = index_html(entries, "sv")
    assert '<html lang="sv">' in page
    assert 'href="2019/skane/rapport.pdf"' in page and 'href="2020/orebro/rapport.html"' in page
    assert page.index(">2020<") < page.index(">2019<")


def test_index_escapes_region_names(tmp_path):
    _report(tmp_path, 2020, "x", "<script>alert(1)</script>")
    page = index_html(published_reports(tmp_path))
    # The page has one script of its own (the filter); the name never becomes one.
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert page.count("<script>") == 1


def test_empty_index_says_so(tmp_path):
    assert "Inga rapporter" in index_html(published_reports(tmp_path), "sv")


def test_overview_is_listed_first_in_its_year(tmp_path):
    _report(tmp_path, 2020, "skane", "Skåne")
    manifest = {"report": {"region": "Nationell översikt", "year": 2020, "kind": "overview"},
                "parameters": {"lang": "sv"}, "outputs": {"oversikt.html": "0"}}  # fmt: skip
    (tmp_path / "2020" / "oversikt.json").write_text(json.dumps(manifest))
    entries = published_reports(tmp_path)
    assert [e["region"] for e in entries] == ["Nationell översikt", "Skåne"]
    assert 'href="2020/oversikt.html"' in index_html(entries)
