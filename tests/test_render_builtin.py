"""The built-in renderer end to end: pandoc to HTML, pandoc + Typst to PDF/A-2a + PDF/UA-1."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from pipeline import render as render_module
from pipeline.errors import InputError, RenderError, UsageError
from pipeline.formatting import md_text
from pipeline.render import builtin, render, renderer_version
from pipeline.render.pandoc import run_pandoc
from pipeline.tables import markdown_table

TIMESTAMP = 1_790_000_000
HOSTILE = (
    "<script>alert(1)</script> [x](javascript:alert(1)) `{=html}` ```{=typst} @name "
    '#read("/etc/passwd") ] + [#read("/etc/passwd")] {{< include x >}} @fig-rate'
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
    '<rect x="10" y="10" width="80" height="80" fill="#1f5f8b"/></svg>'
)
QMD = """---
title: "Utvärdering av peer support"
subtitle: "{{< meta params.region >}} {{< meta params.year >}}"
lang: LANG
date: "2026-11-25"
params: {region: 'REGION', year: 2019}
report:
  organisation: "Stockholms stad"
  committee: "Socialnämnden"
  case_number: "SN 2020/123"
  date_text: "25 november 2026"
format:
  html: {embed-resources: true, toc: true, notebook-links: false}
  typst: {toc: true, section-numbering: "1.1"}
---

# Inledning

Rapporten gäller {{< meta params.region >}}. Se @fig-rate och @tbl-rate.

## Svarsfrekvens

{{< embed notebooks/survey.ipynb#fig-rate >}}

{{< embed notebooks/survey.ipynb#tbl-rate >}}

Slut.[^1]

[^1]: En fotnot.
"""


def _make_work(directory: Path, lang: str = "sv") -> Path:
    (directory / "notebooks").mkdir(parents=True)
    table = markdown_table(
        pd.DataFrame({"Grupp": ["Kvinna", HOSTILE], "Andel": ["38,8 %", "12 %"]})
    )
    figure = nbformat.v4.new_code_cell(
        '#| label: fig-rate\n#| fig-cap: "Svarsfrekvens per region"\n'
        '#| fig-alt: "Stapeldiagram över svarsfrekvens"\nshow(fig)'
    )
    figure.outputs = [
        nbformat.v4.new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "<SVG>"})
    ]
    tbl = nbformat.v4.new_code_cell('#| label: tbl-rate\n#| tbl-cap: "Svarsfrekvens"\nx')
    markdown = table + "\n" + md_text("Not: " + HOSTILE) + "\n"
    tbl.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": markdown})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure, tbl]
    nbformat.write(nb, directory / "notebooks" / "survey.ipynb")
    qmd = directory / "rapport.qmd"
    text = QMD.replace("LANG", lang).replace("REGION", md_text("Västra Götaland <b>"))
    qmd.write_text(text, encoding="utf-8")
    return qmd


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    qmd = _make_work(tmp_path_factory.mktemp("sv"))
    return render(qmd, ["html", "pdf"], renderer="builtin", timestamp=TIMESTAMP)


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return rendered["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(rendered) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(rendered["pdf"]).pages)
    # Typst may hyphenate long words: undo the soft hyphen at a line end.
    return text.replace("\u00ad\n", "").replace("\u00ad", "-")


def test_outputs_written_next_to_source(rendered):
    assert rendered["html"].name == "rapport.html" and rendered["pdf"].name == "rapport.pdf"
    assert rendered["html"].parent == rendered["pdf"].parent


def test_html_structure(html):
    assert '<html lang="sv">' in html
    assert '<h2 id="toc-title">Innehållsförteckning</h2>' in html
    assert "<title>Utvärdering av peer support – Västra Götaland &lt;b&gt; 2019</title>" in html
    # The SVG is in the page itself (its text selectable), named by its alt text.
    assert re.search(
        r'<figure id="fig-rate">\s*<svg class="figure-svg" role="img" '
        r'aria-label="Stapeldiagram över svarsfrekvens"',
        html,
    )
    assert "<figcaption>Figur 1: Svarsfrekvens per region</figcaption>" in html
    assert '<table id="tbl-rate">\n<caption>Tabell 1: Svarsfrekvens</caption>' in html
    assert '<a href="#fig-rate">Figur 1</a>' in html and '<a href="#tbl-rate">Tabell 1</a>' in html
    assert '<p class="organisation">Stockholms stad</p>' in html
    assert "SN 2020/123" in html and "25 november 2026" in html
    assert "@media print" in html and 'name="viewport"' in html


def test_figures_go_into_the_page_after_pandoc(html):
    # pandoc saw a placeholder per figure (not half a megabyte of base64); every one
    # was replaced, so the page holds the figure and no trace of the placeholder.
    assert "peer-eval-figure-" not in html
    assert html.count('<svg class="figure-svg"') == 1


def test_html_shows_hostile_data_literally(html):
    assert "<script" not in html and "<b>" not in html
    assert "javascript:" not in "".join(re.findall(r'(?:href|src)="[^"]*"', html))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))" in html
    assert '#read("/etc/passwd")] {{&lt; include x &gt;}} @fig-rate' in html


def test_html_is_self_contained(html):
    references = re.findall(r'\b(?:src|href)\s*=\s*["\']?([^"\'\s>]*)', html, re.IGNORECASE)
    assert references, "expected the figure and the internal links"
    assert all(ref.startswith(("#", "data:")) for ref in references), references
    assert "<link" not in html and "@import" not in html and "url(" not in html


def test_pdf_title_page_toc_and_page_numbers(pdf_text, rendered):
    for expected in [
        "Stockholms stad",
        "Socialnämnden",
        "Utvärdering av peer support",
        "Västra Götaland <b> 2019",
        "25 november 2026",
        "SN 2020/123",
        "Innehållsförteckning",
        "1.1 Svarsfrekvens",
        "Se Figur 1 och Tabell 1.",
        "Figur 1: Svarsfrekvens per region",
        "Tabell 1: Svarsfrekvens",
        "Sida 1",
        "Sida 2",
    ]:
        assert expected in pdf_text, expected
    assert PdfReader(rendered["pdf"]).metadata.title == (
        "Utvärdering av peer support – Västra Götaland <b> 2019"
    )


def test_pdf_shows_hostile_data_literally(pdf_text):
    flat = " ".join(pdf_text.split())
    assert "<script>alert(1)</script> [x](javascript:alert(1)) `{=html}` ```{=typst} @name" in flat
    assert '#read("/etc/passwd") ] + [#read("/etc/passwd")] {{< include x >}} @fig-rate' in flat
    assert "root:" not in pdf_text  # /etc/passwd was never read


def test_pdf_is_pdfa_2a_and_pdfua_1_with_embedded_fonts(rendered):
    reader = PdfReader(rendered["pdf"])
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>2</pdfaid:part>|pdfaid:part=\"2\"", xmp)
    assert re.search(r"<pdfaid:conformance>A</pdfaid:conformance>|pdfaid:conformance=\"A\"", xmp)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            fonts[font["/BaseFont"]] = any(k.startswith("/FontFile") for k in descriptor)
    assert fonts and all(fonts.values()), fonts
    assert any("LibertinusSerif" in name for name in fonts)


def test_same_inputs_give_identical_bytes(rendered, tmp_path):
    again = render(_make_work(tmp_path), ["html", "pdf"], renderer="builtin", timestamp=TIMESTAMP)
    assert again["html"].read_bytes() == rendered["html"].read_bytes()
    assert again["pdf"].read_bytes() == rendered["pdf"].read_bytes()


def test_english_report(tmp_path):
    out = render(_make_work(tmp_path, lang="en"), ["html", "pdf"], renderer="builtin", timestamp=0)
    html = out["html"].read_text(encoding="utf-8")
    assert '<html lang="en">' in html and '<h2 id="toc-title">Contents</h2>' in html
    assert "<figcaption>Figure 1: Svarsfrekvens per region</figcaption>" in html
    text = "\n".join(page.extract_text() for page in PdfReader(out["pdf"]).pages)
    assert "Contents" in text and "Page 1" in text and "Table 1: Svarsfrekvens" in text


def test_date_text_defaults_to_formatted_date(tmp_path):
    qmd = _make_work(tmp_path)
    qmd.write_text(qmd.read_text().replace('  date_text: "25 november 2026"\n', ""))
    html = render(qmd, ["html"], renderer="builtin", timestamp=0)["html"].read_text()
    assert "<dd>25 november 2026</dd>" in html


def test_a_draft_says_so_in_its_title_and_on_every_printed_page(tmp_path):
    qmd = _make_work(tmp_path)
    mark = "draft_mark: {label: Utkast, intro: 'Ett utkast:', reasons: ['text saknas']}\n"
    qmd.write_text(qmd.read_text().replace("format:\n", mark + "format:\n", 1))
    html = render(qmd, ["html"], renderer="builtin", timestamp=0)["html"].read_text()
    assert (
        "<title>Utkast: Utvärdering av peer support – Västra Götaland &lt;b&gt; 2019</title>"
        in html
    )
    # A fixed element (printed on every page), hidden on screen and from screen readers,
    # which hear the banner.
    assert '<div class="draft-print-mark" aria-hidden="true">Utkast</div>' in html
    assert ".draft-print-mark { display: none; }" in html
    print_css = html[html.index(".draft-print-mark { display: none; }") :]
    assert re.search(r"\.draft-print-mark \{\s*display: block;\s*position: fixed;", print_css)


def test_the_suppression_mark_never_breaks_in_html():
    # A browser may break after an en dash: "–" and "*" on two lines of a narrow cell.
    markdown = "| Svar | Antal |\n|:--|--:|\n| Man | –\\* |\n\nMarkeras –\\*).\n"
    filters = [f"--lua-filter={builtin.TEMPLATES / 'safety.lua'}"]
    html = run_pandoc(markdown, ["--to=html5", *filters], what="html5")
    assert '<td style="text-align: right;"><span class="nowrap">–*</span></td>' in html
    assert '<span class="nowrap">–*).</span>' in html
    typst = run_pandoc(markdown, ["--to=typst", *filters], what="typst")
    assert "nowrap" not in typst


def test_bad_date_is_an_input_error(tmp_path):
    qmd = _make_work(tmp_path)
    qmd.write_text(qmd.read_text().replace('"2026-11-25"', '"25/11/2026"'))
    with pytest.raises(InputError, match="key 'date': '25/11/2026' is not an ISO date"):
        render(qmd, ["pdf"], renderer="builtin", timestamp=0)


def test_typst_failure_is_a_render_error(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(builtin.TEMPLATES, templates)
    with (templates / "report.typ").open("a") as handle:
        handle.write("\n#no-such-function()\n")
    monkeypatch.setattr(builtin, "TEMPLATES", templates)
    with pytest.raises(RenderError, match="typst failed.*no-such-function"):
        render(_make_work(tmp_path / "w"), ["pdf"], renderer="builtin", timestamp=0)
    assert not (tmp_path / "w" / "rapport.pdf").exists()


def test_pandoc_failure_is_a_render_error(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(builtin.TEMPLATES, templates)
    (templates / "report.html").write_text("$if(title)$ never closed")
    monkeypatch.setattr(builtin, "TEMPLATES", templates)
    with pytest.raises(RenderError, match=r"pandoc \(html5\) failed"):
        render(_make_work(tmp_path / "w"), ["html"], renderer="builtin", timestamp=0)


def test_registry_and_auto(monkeypatch, tmp_path):
    assert set(render_module.RENDERERS) == {"builtin", "quarto"}
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    name, version = render_module.resolve_renderer("auto")
    assert name == "builtin" and version == renderer_version("builtin")
    assert re.fullmatch(r"builtin \(pandoc [\d.]+, typst [\d.]+\)", version)
    with pytest.raises(UsageError, match="unknown renderer 'latex'"):
        render(tmp_path / "rapport.qmd", ["html"], renderer="latex", timestamp=0)
    with pytest.raises(UsageError, match="unknown output format"):
        render(tmp_path / "rapport.qmd", ["odt"], renderer="builtin", timestamp=0)


def test_pandoc_runs_with_a_small_heap_unless_the_caller_chose_one(monkeypatch):
    # The binary's built-in 64 MB heap made every pandoc process hold about 175 MB.
    from pipeline.render import pandoc

    seen = []
    real_run = pandoc.subprocess.run

    def recording(command, **kwargs):
        seen.append(kwargs["env"].get("GHCRTS"))
        return real_run(command, **kwargs)

    monkeypatch.setattr(pandoc.subprocess, "run", recording)
    monkeypatch.delenv("GHCRTS", raising=False)
    assert "<h1" in pandoc.run_pandoc("# Rubrik\n", ["--to=html5"], what="html5")
    monkeypatch.setenv("GHCRTS", "-H32m")
    assert "<h1" in pandoc.run_pandoc("# Rubrik\n", ["--to=html5"], what="html5")
    assert seen == [pandoc.RUNTIME_OPTIONS, "-H32m"]
