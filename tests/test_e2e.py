"""End to end on the demo data: the real CLI, papermill, a real kernel, pandoc and Typst."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest
import yaml
from pypdf import PdfReader
from support import PAIRS, ROOT, html_text, make_project, pdf_text, run_cli

pytestmark = pytest.mark.e2e


def test_every_pair_is_published_with_html_pdf_manifest_and_notebooks(demo_build):
    _, out, _ = demo_build
    for year, slug, region in PAIRS:
        folder = out / year / slug
        assert sorted(p.name for p in folder.iterdir()) == [
            "manifest.json", "notebooks", "rapport.html", "rapport.pdf",
        ]  # fmt: skip
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["report"] == {
            "region": region, "year": int(year), "slug": slug, "kind": "region",
        }  # fmt: skip
        assert manifest["renderer"]["name"] == "builtin"
        assert "data/demo/2020/survey.csv" in " ".join(manifest["inputs"])
        assert all(len(h) == 64 for h in manifest["inputs"].values())
        assert set(manifest["outputs"]) == {"rapport.html", "rapport.pdf"}
        assert manifest["packages"]["papermill"] != "not installed"
        assert sorted(p.name for p in (folder / "notebooks").iterdir()) == [
            "interviews.ipynb", "survey.ipynb",
        ]  # fmt: skip
    index = (out / "index.html").read_text(encoding="utf-8")
    for year, slug, _ in PAIRS:
        assert f'href="{year}/{slug}/rapport.html"' in index
        assert f'href="{year}/{slug}/rapport.pdf"' in index
    assert not (out / ".work").exists() and not (out / ".staging").exists()


@pytest.mark.parametrize(
    ("slug", "region", "rate"),
    [
        ("stockholm", "Stockholm", "87,5 %"),
        ("skane", "Skåne", "54.3%"),
        ("orebro", "Örebro", "100 %"),
    ],
)
def test_region_year_and_response_rate_in_html_and_pdf(demo_build, slug, region, rate):
    _, out, _ = demo_build
    folder = out / "2020" / slug
    for text in (html_text(folder / "rapport.html"), pdf_text(folder / "rapport.pdf")):
        assert f"{region} 2020" in text
        assert rate in text
        # The seed's table: every region's rate appears in every report of the year.
        assert ("64,7 %" if slug != "skane" else "64.7%") in text


def test_stockholm_method_table_shows_the_final_round(demo_build):
    _, out, _ = demo_build
    page = html_text(out / "2020" / "stockholm" / "rapport.html")
    # Typst may hyphenate a label across lines ("Enhetsche-\nfer"): join such words.
    raw = pdf_text(out / "2020" / "stockholm" / "rapport.pdf")
    pdf = " ".join(re.sub(r"[-\u00ad]\n", "", raw).split())
    # columns: interviews, individual, group interviews, participants
    expected = {
        "Enhetschefer": ["4", "4", "0", "4"],
        "Medarbetare": ["7", "7", "0", "7"],
        "Peer supportrar": ["1", "0", "1", "6"],
        "Brukare": ["9", "8", "1", "12"],
    }
    for group, counts in expected.items():
        row = re.search(rf"<tr[^>]*>\s*<th[^>]*>{group}</th>(.*?)</tr>", page, re.DOTALL)
        assert row, group
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.DOTALL)
        assert cells[:4] == counts, (group, cells)
        pattern = r"\s+".join([*group.split(), *counts]) + r"\b"
        assert re.search(pattern, pdf), group


def test_english_report_is_english_and_swedish_is_swedish(demo_build):
    _, out, _ = demo_build
    english = html_text(out / "2020" / "skane" / "rapport.html")
    swedish = html_text(out / "2020" / "stockholm" / "rapport.html")
    assert '<html lang="en"' in english and "Evaluation of peer support" in english
    assert '<html lang="sv"' in swedish and "Innehållsförteckning" in swedish
    assert "Figure 1" in english and "Figur 1" in swedish


def test_small_region_shows_no_statistics(demo_build):
    _, out, _ = demo_build
    text = pdf_text(out / "2020" / "orebro" / "rapport.pdf")
    assert "Färre än 5 personer i Örebro besvarade enkäten 2020" in " ".join(text.split())
    assert "Medelvärde" not in text and "Standardavvikelse" not in text


def test_executed_notebooks_have_no_errors_and_no_timings(demo_build):
    _, out, _ = demo_build
    for year, slug, _ in PAIRS:
        for path in (out / year / slug / "notebooks").glob("*.ipynb"):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                for output in cell.get("outputs", []):
                    assert output.output_type != "error", (path, cell.source)
                    assert output.get("name") != "stderr", (path, output.get("text"))
                assert "execution" not in cell.metadata
            assert "start_time" not in notebook.metadata.papermill


def test_html_references_nothing_outside_the_file(demo_build):
    _, out, _ = demo_build
    for _, slug, _ in PAIRS:
        page = html_text(out / "2020" / slug / "rapport.html")
        # The header bar links the report's neighbours in the output tree (navigation,
        # not resources): plain relative paths. Everything else is in the file.
        bar = re.search(r'<nav class="doc-bar".*?</nav>', page, re.S)
        assert bar, "no header bar"
        neighbours = set(re.findall(r'href="([^"]*)"', bar.group(0)))
        assert {"rapport.pdf", "../../index.html", "../oversikt.html"} <= neighbours
        assert all(re.fullmatch(r"(\.\./)*[\w./-]+", link) for link in neighbours), neighbours
        for attribute in re.findall(r'(?:src|href|action|poster|data)\s*=\s*"([^"]*)"', page):
            assert attribute.startswith(("#", "data:")) or attribute in neighbours, attribute
        assert "@import" not in page and "url(http" not in page


def test_second_run_skips_fresh_pairs_and_force_rebuilds(demo_build):
    params, out, _ = demo_build
    html = out / "2020" / "stockholm" / "rapport.html"
    before = html.stat().st_mtime_ns
    again = run_cli("run", "--params", str(params), "--out", str(out), "--year", "2020",
                    "--region", "Stockholm", "--renderer", "builtin")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert html.stat().st_mtime_ns == before
    content = html.read_bytes()
    forced = run_cli("run", "--params", str(params), "--out", str(out), "--year", "2020",
                     "--region", "Stockholm", "--force", "--renderer", "builtin")  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert html.stat().st_mtime_ns != before
    assert html.read_bytes() == content  # rebuilt, byte for byte the same
    listing = run_cli("list", "--params", str(params), "--out", str(out), "--renderer", "builtin")
    assert re.search(r"2020\s+Stockholm\s+fresh", listing.stdout)
    assert re.search(r"2019\s+Stockholm\s+missing", listing.stdout)


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"colour": "blue"}, "key 'colour': unknown key"),
        ({"years": [2017, 20200]}, "key 'years'"),
        (
            {
                "regions": [
                    "Stockholm",
                    "Skåne",
                    "Västra Götaland",
                    "Norrland",
                    "Jönköping",
                    "Örebro",
                    "Atlantis",
                ]
            },
            "key 'regions.6': unknown region 'Atlantis'",
        ),
    ],
)
def test_invalid_params_exit_2_with_one_line_and_publish_nothing(tmp_path, extra, key):
    params = make_project(tmp_path, extra)
    out = tmp_path / "out"
    result = run_cli("run", "--params", str(params), "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(params) in lines[0] and key in lines[0]
    assert not out.exists()


def _fonts(reader: PdfReader) -> set[tuple[str, bool]]:
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    embedded = any(
                        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                    )
                    fonts.add((str(descriptor["/FontName"]), embedded))
    return fonts


@pytest.mark.parametrize(("slug", "lang"), [("stockholm", "sv"), ("skane", "en")])
def test_pdf_is_archival_tagged_and_has_title_page_toc_and_page_numbers(demo_build, slug, lang):
    params, out, _ = demo_build
    path = out / "2020" / slug / "rapport.pdf"
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>A</pdfaid:conformance>" in xmp  # PDF/A-2a: tagged
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp  # and PDF/UA-1
    assert "/OutputIntents" in root  # PDF/A needs an output intent (sRGB)
    fonts = _fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert root["/Lang"] == lang
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged PDF
    text = pdf_text(path)
    report = yaml.safe_load(params.read_text(encoding="utf-8"))["report"]
    # Each report's case number is its own, in the demo's per-pair override.
    override = params.parent / "overrides" / "2020" / f"{slug}.yaml"
    report |= yaml.safe_load(override.read_text(encoding="utf-8"))["report"]
    first_page = " ".join((reader.pages[0].extract_text() or "").split())
    for field in ("organisation", "committee", "case_number"):
        assert report[field] in first_page, field
    assert ("25 november 2026" if lang == "sv" else "25 November 2026") in first_page
    assert ("Innehållsförteckning" if lang == "sv" else "Contents") in text
    word = "Sida" if lang == "sv" else "Page"
    for number, page in enumerate(reader.pages[1:], start=1):  # counted after the title page
        assert re.search(rf"\b{word} {number}\b", page.extract_text() or ""), number


def test_national_overview_is_published_per_year(demo_build):
    _, out, _ = demo_build
    for name in ("oversikt.html", "oversikt.pdf", "oversikt.json"):
        assert (out / "2020" / name).is_file(), name
    page = html_text(out / "2020" / "oversikt.html")
    for region in ("Stockholm", "Skåne", "Västra Götaland", "Norrland", "Jönköping", "Örebro"):
        assert region in page
    assert "87,5 %" in page and "64,7 %" in page
    assert 'href="2020/oversikt.html"' in html_text(out / "index.html")


def test_init_then_fill_with_demo_files_then_run_publishes(tmp_path):
    project = tmp_path / "utvardering"
    created = run_cli("init", str(project), "--region", "Stockholm", "--year", "2020")
    assert created.returncode == 0, created.stderr
    params = project / "params" / "evaluation.yaml"
    empty = run_cli("validate", "--params", str(params))
    assert empty.returncode == 2 and "has a header but no data rows" in empty.stderr
    demo = ROOT / "data" / "demo"
    for name in ("survey.csv", "population.csv", "interviews.csv", "segments.csv"):
        shutil.copy(demo / "2020" / name, project / "data" / "2020" / name)
    for name in ("codebook.yaml", "recommendations.yaml", "names.txt"):
        shutil.copy(demo / name, project / "data" / name)
    assert run_cli("validate", "--params", str(params)).returncode == 0
    out = project / "reports" / "output"
    result = run_cli(
        "run", "--params", str(params), "--out", str(out), "--format", "html",
        "--renderer", "builtin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = html_text(out / "2020" / "stockholm" / "rapport.html")
    assert "Stockholm 2020" in page and "87,5 %" in page
    assert (out / "2020" / "oversikt.html").is_file() and (out / "index.html").is_file()
