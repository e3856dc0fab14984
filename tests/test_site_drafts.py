"""The index marks drafts from their manifests (pipeline.site: a status per cell)."""

from __future__ import annotations

import json

from pipeline.site import index_html, published_reports


def _manifest(root, year, slug, region, status=None):
    folder = root / str(year) / slug
    folder.mkdir(parents=True)
    data = {"report": {"region": region, "year": year}, "outputs": {"rapport.html": "x"}}
    if status:
        data |= {"status": status, "draft_reasons": ["x saknas"] if status == "draft" else []}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def test_draft_is_marked_and_final_and_old_manifests_are_not(tmp_path):
    _manifest(tmp_path, 2019, "orebro", "Örebro", "draft")
    _manifest(tmp_path, 2019, "skane", "Skåne", "final")
    _manifest(tmp_path, 2019, "norrland", "Norrland")  # before drafts existed: final
    entries = {e["region"]: e["status"] for e in published_reports(tmp_path)}
    assert entries == {"Örebro": "draft", "Skåne": "final", "Norrland": "final"}
    page = index_html(published_reports(tmp_path), "sv")
    assert page.count('class="status status-draft"') == 1
    row = next(r for r in page.split("<tr") if "Örebro" in r)
    assert 'status-draft"' in row and ">Utkast</span>" in row
    assert ">Draft</span>" in index_html(published_reports(tmp_path), "en")


def test_draft_reasons_are_in_the_page_not_in_a_tooltip(tmp_path):
    # A title attribute is out of reach by keyboard and touch: the reasons are a list
    # in the cell, escaped like every other manifest text.
    folder = tmp_path / "2019" / "orebro"
    folder.mkdir(parents=True)
    reasons = ["analytikerns text saknas (a.md)", "diarienummer <script>alert(1)</script>"]
    data = {"report": {"region": "Örebro", "year": 2019}, "outputs": {"rapport.html": "x"}}
    data |= {"status": "draft", "draft_reasons": reasons}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    page = index_html(published_reports(tmp_path), "sv")
    cell = next(r for r in page.split("<tr") if "Örebro" in r)
    assert (
        '<ul class="draft-reasons"><li>analytikerns text saknas (a.md)</li>'
        "<li>diarienummer &lt;script&gt;alert(1)&lt;/script&gt;</li></ul>"
    ) in cell
    assert " title=" not in cell and "<script>alert" not in page
