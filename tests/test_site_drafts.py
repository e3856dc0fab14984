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
