"""The published tree equals what the manifests and the index say.

A format dropped for one run (`--format html`) removes that format's previous file
and its manifest entry; reports of pairs no longer in params leave the index at
once and the tree through `peer-eval prune`.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from support import make_project, run_cli

from pipeline.site import published_reports


def _manifest(folder, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def test_the_index_lists_only_declared_pairs(tmp_path):
    out = tmp_path
    for year, slug in ((2020, "stockholm"), (2020, "gotland"), (2016, "stockholm")):
        report = {"region": slug.title(), "year": year, "slug": slug, "kind": "region"}
        _manifest(out / str(year) / slug, {"report": report, "outputs": {"rapport.html": "x"}})
    overview = {"region": "Nationell översikt", "year": 2016, "kind": "overview"}
    (out / "2016" / "oversikt.json").write_text(json.dumps({"report": overview}), "utf-8")

    listed = published_reports(out, {(2020, "stockholm")})

    assert [(e["year"], e["href"]) for e in listed] == [(2020, "2020/stockholm")]
    assert len(published_reports(out)) == 4  # without a filter: every manifest found


def test_a_corrupt_manifest_is_left_out_of_the_index_with_a_warning(tmp_path, caplog):
    folder = tmp_path / "2020" / "stockholm"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"report": {"region": "Stock', encoding="utf-8")
    (tmp_path / "2020" / "oversikt.json").write_text("[1, 2]", encoding="utf-8")

    assert published_reports(tmp_path) == []
    assert "2020/stockholm/manifest.json is unreadable" in caplog.text
    assert "2020/oversikt.json is unreadable" in caplog.text


@pytest.mark.e2e
def test_a_run_with_fewer_formats_leaves_no_unlisted_overview(tmp_path, demo_build):
    params, demo_out, _ = demo_build
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    assert (out / "2020" / "oversikt.pdf").is_file()

    result = run_cli(
        "run", "--params", str(params), "--out", str(out),
        "--renderer", "builtin", "--region", "Stockholm",
        "--year", "2020", "--format", "html",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "2020" / "oversikt.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == ["oversikt.html"]
    assert not (out / "2020" / "oversikt.pdf").exists()
    assert sorted(p.name for p in (out / "2020" / "stockholm").glob("rapport.*")) == [
        "rapport.html"
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2020/oversikt.html"' in index and "oversikt.pdf" not in index
    assert 'href="2020/stockholm/rapport.pdf"' not in index
    # The other pairs were not part of this run: their files and links stay.
    assert (out / "2020" / "skane" / "rapport.pdf").is_file()
    assert 'href="2020/skane/rapport.pdf"' in index


@pytest.mark.e2e
def test_prune_lists_then_removes_reports_no_longer_in_params(tmp_path, demo_build):
    _, demo_out, _ = demo_build
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    shutil.copytree(out / "2020" / "stockholm", out / "2016" / "stockholm")  # a year dropped
    (out / ".failed" / "2020" / "orebro").mkdir(parents=True)
    params = make_project(tmp_path)
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data["regions"] = [r for r in data["regions"] if r != "Örebro"]
    params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = ("prune", "--params", str(params), "--out", str(out))

    listed = run_cli(*args)

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split("\n")[:3] == [
        "year   2016", "report 2020/orebro", "failed .failed/2020/orebro",
    ]  # fmt: skip
    assert "Nothing removed" in listed.stdout
    assert (out / "2020" / "orebro" / "rapport.html").is_file()

    removed = run_cli(*args, "--yes")

    assert removed.returncode == 0, removed.stderr
    assert "Removed 3 folders" in removed.stdout
    assert not (out / "2016").exists() and not (out / "2020" / "orebro").exists()
    assert not (out / ".failed" / "2020" / "orebro").exists()
    assert (out / "2020" / "stockholm" / "rapport.html").is_file()
    assert (out / "2020" / "oversikt.html").is_file()
    assert not (out / ".staging").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "orebro" not in index and "2016" not in index
    assert 'href="2020/stockholm/rapport.html"' in index

    again = run_cli(*args)
    assert again.returncode == 0 and "Nothing to prune" in again.stdout
