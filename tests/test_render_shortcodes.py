"""Shortcode, embed and cross-reference resolution of the built-in renderer (no pandoc)."""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from pipeline.errors import ShortcodeError
from pipeline.formatting import md_text
from pipeline.render import notebook_cells
from pipeline.render.notebook_cells import Output, cell_options, read_cells
from pipeline.render.shortcodes import expand, read_source, resolve_front_matter

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5"/></svg>'
FRONT = """---
title: "Utvärdering"
subtitle: "{{< meta params.region >}} {{< meta params.year >}}"
lang: sv
params: {region: "Västra Götaland", year: 2019, share: 0.5, region_list: [a, b]}
---
"""


def _cell(source: str, *outputs: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in outputs]
    return cell


def _work(tmp_path: Path, body: str, cells: list | None = None) -> Path:
    """A work dir with rapport.qmd (FRONT + body) and notebooks/survey.ipynb."""
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = cells if cells is not None else _default_cells()
    nbformat.write(nb, tmp_path / "notebooks" / "survey.ipynb")
    qmd = tmp_path / "rapport.qmd"
    qmd.write_text(FRONT + body, encoding="utf-8")
    return qmd


def _default_cells() -> list:
    return [
        _cell(
            '#| label: fig-a\n#| fig-cap: "Svar per grupp"\n'
            '#| fig-alt: "Staplar med \\"svar\\""\nx',
            {"image/svg+xml": SVG, "text/plain": "<SVG>"},
        ),
        _cell('#| label: fig-b\n#| fig-cap: "Andra"\nx', {"image/svg+xml": SVG}),
        _cell(
            '#| label: tbl-a\n#| tbl-cap: "Svarsfrekvens"\nx',
            {"text/markdown": "Intro.\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nNot.\n"},
        ),
        _cell("#| label: fig-empty\nx"),
        _cell("#| label: txt-hostile\nx", {"text/markdown": "{{< include x >}} @fig-a"}),
    ]


def _expand(qmd: Path, lang: str = "sv") -> str:
    return expand(read_source(qmd), lang=lang, image_ref=lambda name, out, alt: f"IMG:{name}")


def test_meta_strings_inserted_as_is_and_numbers_escaped(tmp_path):
    qmd = _work(tmp_path, "I {{< meta params.region >}}: {{< meta params.share >}}.\n")
    assert _expand(qmd).strip() == "I Västra Götaland: 0\\.5."


def test_front_matter_meta_resolved(tmp_path):
    qmd = _work(tmp_path, "x\n")
    front = resolve_front_matter(read_source(qmd))
    assert front["subtitle"] == "Västra Götaland 2019"
    assert front["params"]["region"] == "Västra Götaland"


def test_figure_embed_numbered_with_caption_alt_and_anchor(tmp_path):
    body = "Se @fig-b och @fig-a.\n\n{{< embed notebooks/survey.ipynb#fig-b >}}\n\n"
    body += "{{< embed notebooks/survey.ipynb#fig-a >}}\n"
    markdown = _expand(_work(tmp_path, body))
    assert "Se [Figur 1](#fig-b) och [Figur 2](#fig-a)." in markdown
    assert '![Figur 1: Andra](IMG:fig-b){#fig-b width="100%"}' in markdown
    assert (
        '![Figur 2: Svar per grupp](IMG:fig-a){#fig-a width="100%" alt="Staplar med \\"svar\\""}'
        in markdown
    )


def test_english_labels(tmp_path):
    body = "See @tbl-a, @fig-a.\n\n{{< embed notebooks/survey.ipynb#fig-a >}}\n"
    body += "{{< embed notebooks/survey.ipynb#tbl-a >}}\n"
    markdown = _expand(_work(tmp_path, body), lang="en")
    assert "See [Table 1](#tbl-a), [Figure 1](#fig-a)." in markdown
    assert ": Table 1: Svarsfrekvens {#tbl-a}" in markdown


def test_table_caption_goes_right_before_the_pipe_table(tmp_path):
    markdown = _expand(_work(tmp_path, "{{< embed notebooks/survey.ipynb#tbl-a >}}\n"))
    expected = "Intro.\n\n: Tabell 1: Svarsfrekvens {#tbl-a}\n\n| a | b |\n|---|--:|\n| 1 | 2 |"
    assert expected in markdown
    assert "Not." in markdown


def test_unknown_crossref_becomes_warning_text(tmp_path, caplog):
    qmd = _work(tmp_path, "Se @fig-nowhere, mejla a@fig-x och \\@fig-a.\n")
    with caplog.at_level(logging.WARNING):
        markdown = _expand(qmd)
    assert markdown.strip() == "Se **?\\@fig\\-nowhere**, mejla a@fig-x och \\@fig-a."
    assert "@fig-nowhere" in caplog.text and "rapport.qmd:7" in caplog.text


def test_escaped_shortcode_is_literal(tmp_path):
    markdown = _expand(_work(tmp_path, "Skriv {{{< meta params.region >}}} så.\n"))
    assert markdown.strip() == "Skriv " + md_text("{{< meta params.region >}}") + " så."


def test_embedded_output_is_never_rescanned_for_shortcodes(tmp_path):
    markdown = _expand(_work(tmp_path, "{{< embed notebooks/survey.ipynb#txt-hostile >}}\n"))
    assert "{{< include x >}}" in markdown


def test_embedded_output_crossrefs_resolve_and_escaped_data_stays_inert(tmp_path):
    # A notebook's own sentence may point to a table; data in it passed md_text.
    body = "{{< embed notebooks/survey.ipynb#txt-hostile >}}\n\n"
    body += "{{< embed notebooks/survey.ipynb#fig-a >}}\n"
    markdown = _expand(_work(tmp_path, body))
    assert "{{< include x >}} [Figur 1](#fig-a)" in markdown
    assert md_text("@fig-a") == "\\@fig\\-a"  # what data text looks like: never a ref


def test_unknown_shortcodes_all_reported_with_file_and_line(tmp_path):
    body = "a {{< include other.qmd >}}\n\n{{< video x.mp4 >}} and {{% env HOME %}}\n"
    body += "{{< embed notebooks/survey.ipynb#fig-nope >}}\n"
    with pytest.raises(ShortcodeError) as err:
        _expand(_work(tmp_path, body))
    lines = str(err.value).splitlines()
    assert len(lines) == 4, lines
    assert "rapport.qmd:10: {{< embed notebooks/survey.ipynb#fig-nope >}}: notebook" in lines[0]
    assert "rapport.qmd:7: unknown shortcode {{< include other.qmd >}}" in lines[1]
    assert "rapport.qmd:9: unknown shortcode {{< video x.mp4 >}}" in lines[2]
    assert "rapport.qmd:9: unsupported shortcode {{% env HOME %}}" in lines[3]


def test_unknown_shortcode_in_front_matter(tmp_path):
    qmd = _work(tmp_path, "x\n")
    qmd.write_text(FRONT.replace("Utvärdering", "{{< env USER >}}") + "x\n", encoding="utf-8")
    with pytest.raises(ShortcodeError, match="front matter: unknown shortcode"):
        resolve_front_matter(read_source(qmd))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{< embed notebooks/survey.ipynb#fig-nope >}}", "has no cell labelled 'fig-nope'"),
        ("{{< embed notebooks/other.ipynb#fig-a >}}", "notebook notebooks/other.ipynb not found"),
        ("{{< embed notebooks/survey.ipynb#fig-empty >}}", "doesn't contain output to embed"),
        ("{{< embed ../x.ipynb#fig-a >}}", "only .ipynb notebooks inside"),
        ("Text {{< embed notebooks/survey.ipynb#fig-a >}}", "must stand alone on its line"),
        ("{{< meta params.nope >}}", "no front-matter key 'params.nope'"),
        ("{{< meta params.region_list >}}", "is not a single value"),
        ("{{< meta params.region", "unterminated shortcode"),
    ],
)
def test_embed_and_meta_errors(tmp_path, body, message):
    with pytest.raises(ShortcodeError, match="rapport.qmd:7: .*" + message.replace("(", r"\(")):
        _expand(_work(tmp_path, body + "\n"))


def test_same_cell_embedded_twice_is_an_error(tmp_path):
    body = (
        "{{< embed notebooks/survey.ipynb#fig-a >}}\n\n{{< embed notebooks/survey.ipynb#fig-a >}}\n"
    )
    with pytest.raises(ShortcodeError, match="already embedded on line 7"):
        _expand(_work(tmp_path, body))


def test_figure_cell_without_image_becomes_captioned_block(tmp_path):
    cells = [
        _cell('#| label: fig-few\n#| fig-cap: "Få svar"\nx', {"text/markdown": "För få svar."})
    ]
    markdown = _expand(_work(tmp_path, "{{< embed notebooks/survey.ipynb#fig-few >}}\n", cells))
    assert (
        "::: {#fig-few .captioned}\n\nFör få svar.\n\n[Figur 1: Få svar]{.caption}\n\n:::"
        in markdown
    )


def test_plain_text_output_is_a_literal_code_block(tmp_path):
    cells = [_cell("#| label: tbl-raw\nx", {"text/plain": "a ```` b"})]
    markdown = _expand(_work(tmp_path, "{{< embed notebooks/survey.ipynb#tbl-raw >}}\n", cells))
    assert "`````\na ```` b\n`````" in markdown
    assert "[Tabell 1]{.caption}" in markdown


def test_png_output_is_decoded_to_bytes(tmp_path):
    seen: list[Output] = []
    cells = [_cell("#| label: fig-png\nx", {"image/png": "iVBORw0KGgo="})]
    qmd = _work(tmp_path, "{{< embed notebooks/survey.ipynb#fig-png >}}\n", cells)
    expand(read_source(qmd), lang="sv", image_ref=lambda n, out, alt: seen.append(out) or "x")
    assert seen == [Output("image/png", b"\x89PNG\r\n\x1a\n")]


def test_cell_options_parse_yaml_comment_lines():
    source = '#| label: fig-x\n#| fig-cap: "A: b"\n#|fig-alt: c\nplot()\n#| label: late'
    assert cell_options(source) == {"label": "fig-x", "fig-cap": "A: b", "fig-alt": "c"}
    assert cell_options("plot()") == {}


def test_a_notebook_read_again_is_read_from_its_content_not_its_name(tmp_path):
    qmd = _work(tmp_path, "{{< embed notebooks/survey.ipynb#tbl-a >}}\n")
    notebook = tmp_path / "notebooks" / "survey.ipynb"
    first = read_cells(notebook)
    assert read_cells(notebook)["tbl-a"] is first["tbl-a"]  # HTML and PDF of a pair: one parse
    with pytest.raises(TypeError):
        first["tbl-a"].options["tbl-cap"] = "changed"  # shared cells are read-only
    stat = notebook.stat()
    # Rewritten with the same size and timestamps: still read again.
    changed = notebook.read_text(encoding="utf-8").replace("Svarsfrekvens", "Andel svarare")
    notebook.write_text(changed, encoding="utf-8")
    os.utime(notebook, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert notebook.stat().st_size == stat.st_size
    assert read_cells(notebook)["tbl-a"].options["tbl-cap"] == "Andel svarare"
    assert "Andel svarare" in _expand(qmd)


def test_formats_rendering_side_by_side_parse_a_notebook_once(tmp_path, monkeypatch):
    _work(tmp_path, "x\n")
    notebook = tmp_path / "notebooks" / "survey.ipynb"
    parses = []

    def slow_parse(path, content):  # long enough for the other thread to arrive meanwhile
        parses.append(path)
        time.sleep(0.2)
        return parse(path, content)

    parse = notebook_cells._parse_cells
    monkeypatch.setattr(notebook_cells, "_parse_cells", slow_parse)
    monkeypatch.setattr(notebook_cells, "_RECENT", OrderedDict())  # other tests' notebooks
    with ThreadPoolExecutor(max_workers=2) as pool:
        html, pdf = pool.map(lambda _: read_cells(notebook), range(2))
    assert parses == [notebook]
    assert html["tbl-a"] is pdf["tbl-a"]


def test_unsupported_language(tmp_path):
    with pytest.raises(ShortcodeError, match="lang 'fi' is not supported"):
        _expand(_work(tmp_path, "x\n"), lang="fi")
