"""The Quarto backend: what it hands to Quarto (always) and a real render (with Quarto).

Without Quarto, a stand-in CLI records its arguments, working folder, environment and
the source as Quarto would read it; the tests check the exact command line, front
matter and filters. The Lua filters themselves are tested with pandoc in
tests/test_quarto_filters.py. The tests marked `quarto` run the real CLI.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from support import ROOT, make_project

from pipeline.errors import RenderError
from pipeline.render import docx, quarto, render, resolve_renderer
from pipeline.report_source import split_front_matter

# A stand-in for the quarto CLI: records argv, cwd, SOURCE_DATE_EPOCH and the source text,
# then writes the files Quarto would write (or fails, or writes nothing, as asked).
FAKE_QUARTO = """#!{python}
import json, os, pathlib, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("1.11.0")
    sys.exit(0)
log = pathlib.Path({log!r})
calls = json.loads(log.read_text()) if log.exists() else []
source = pathlib.Path(args[1])
calls.append({{"args": args, "cwd": os.getcwd(), "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
               "source": source.read_text(encoding="utf-8"), "files": sorted(os.listdir("."))}})
log.write_text(json.dumps(calls))
mode = {mode!r}
if mode == "fail":
    print("ERROR: something broke", file=sys.stderr)
    sys.exit(1)
if mode == "ok":
    for to in args[args.index("--to") + 1].split(","):
        suffix = {{"html": ".html", "typst": ".pdf", "docx": ".docx"}}[to]
        if to == "docx":  # a zip with today's timestamps, as a pandoc without SOURCE_DATE_EPOCH
            import zipfile
            with zipfile.ZipFile(source.with_suffix(suffix), "w") as archive:
                archive.writestr("word/document.xml", "rendered docx")
        else:
            source.with_suffix(suffix).write_text("rendered " + to)
"""

FRONT = {
    "title": "Utvärdering av peer support",
    "subtitle": "{{< meta params.region >}} {{< meta params.year >}}",
    "lang": "sv",
    "format": {
        "html": {"embed-resources": True, "toc": True, "notebook-links": False},
        "typst": {"toc": True, "section-numbering": "1.1"},
    },
    "date": "2026-11-25",
    "params": {"region": "V\\ästra Götaland", "year": 2019},
    "report": {"organisation": "Region \\<x\\>", "case_number": "SN 2026/1", "k": 5},
}


def fake_quarto(tmp_path: Path, monkeypatch, mode: str = "ok") -> Path:
    """Put a stand-in `quarto` first on PATH; returns the file its calls are logged in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls.json"
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO.format(python=sys.executable, log=str(log), mode=mode))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def _source(tmp_path: Path, front: dict | None = None) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    source = work / "rapport.qmd"
    header = yaml.safe_dump(front or FRONT, allow_unicode=True, sort_keys=False)
    source.write_text(f"---\n{header}---\n\n# Del\n\nText.\n", encoding="utf-8")
    return source


def test_one_command_line_for_all_formats():
    source = Path("/any/work/rapport.qmd")
    assert quarto.quarto_command(source, ["html", "pdf", "docx"]) == [
        "quarto", "render", "rapport.qmd", "--to", "html,typst,docx", "--no-execute",
    ]  # fmt: skip
    pdf = ["/opt/q", "render", "rapport.qmd", "--to", "typst", "--no-execute"]
    assert quarto.quarto_command(source, ["pdf"], "/opt/q") == pdf


def test_environment_sets_source_date_epoch():
    env = quarto.quarto_environment(1_790_000_000, {"PATH": "/bin"})
    assert env == {"PATH": "/bin", "SOURCE_DATE_EPOCH": "1790000000"}


def test_front_matter_handed_to_quarto():
    resolved = {**FRONT, "subtitle": "V\\ästra Götaland 2019"}
    out = quarto.quarto_front_matter(FRONT, resolved)
    # 1. Inert text: no raw HTML/TeX/Typst, no math, no smart quotes; citations kept.
    assert out["from"] == (
        "markdown-smart-raw_html-raw_attribute-raw_tex-latex_macros-tex_math_dollars"
    )
    # 2. Filters after Quarto's: link safety, citations as text, the cover; cell
    #    attributes after the rendering filters.
    assert out["filters"] == [
        "quarto", "safety.lua", "citations.lua", "cover.lua",
        {"at": "post-render", "path": "cells.lua"},
    ]  # fmt: skip
    # 3. Archival PDF on A4, language sv-SE, the date in words.
    assert out["region"] == "SE" and out["lang"] == "sv"
    assert out["date-format"] == "long" and out["date"] == "2026-11-25"
    assert out["format"]["typst"] == {
        "toc": False,  # the contents come after the cover page (cover.lua)
        "section-numbering": "1.1",
        "pdf-standard": "a-2b",
        "papersize": "a4",
    }
    # 4, 7. No notebook links or format box, one self-contained file without Bootstrap.
    assert out["format"]["html"] == {
        "embed-resources": True,
        "toc": True,
        "notebook-links": False,
        "minimal": True,
        "css": ["quarto.css"],
        "format-links": False,
        "anchor-sections": False,
        "code-copy": False,
    }
    assert out["format"]["docx"] == {"reference-doc": "reference.docx", "toc": False}
    # 7. The page title carries the region; the cover words come from the renderer.
    assert out["pagetitle"] == "Utvärdering av peer support – V\\ästra Götaland 2019"
    assert out["peer-eval"] == {
        "case-label": "Diarienummer",
        "date-label": "Datum",
        "toc-title": "Innehållsförteckning",
        "toc": True,
    }
    # Everything else is kept as written, and the input is not modified.
    for key in ("title", "subtitle", "params", "report"):
        assert out[key] == FRONT[key]
    assert "from" not in FRONT and "filters" not in FRONT and "docx" not in FRONT["format"]


def test_front_matter_in_english():
    front = {**FRONT, "lang": "en", "format": {"typst": {"toc": False}}}
    out = quarto.quarto_front_matter(front)
    assert out["region"] == "GB"
    assert out["peer-eval"]["toc-title"] == "Contents" and out["peer-eval"]["toc"] is False
    assert out["pagetitle"] == f"{FRONT['title']} – {FRONT['subtitle']}"


def test_a_draft_says_so_in_its_page_title():
    front = {**FRONT, "draft_mark": {"label": "Utkast", "intro": "x", "reasons": ["y"]}}
    out = quarto.quarto_front_matter(front)
    assert out["pagetitle"] == f"Utkast: {FRONT['title']} – {FRONT['subtitle']}"


def test_front_matter_overrides_unsafe_template_options():
    front = {
        **FRONT,
        "from": "markdown+raw_html",
        "filters": ["evil.lua"],
        "format": {
            "html": {"embed-resources": False, "notebook-links": True, "format-links": True},
            "typst": {"pdf-standard": "1.7", "papersize": "us-letter"},
        },
    }
    out = quarto.quarto_front_matter(front)
    assert out["from"] == quarto.QUARTO_READER
    assert "evil.lua" not in out["filters"]
    html, typst = out["format"]["html"], out["format"]["typst"]
    assert html["embed-resources"] is True and html["notebook-links"] is False
    assert html["format-links"] is False
    assert typst["pdf-standard"] == "a-2b" and typst["papersize"] == "a4"


def test_render_runs_quarto_once_in_the_work_dir(tmp_path, monkeypatch):
    log = fake_quarto(tmp_path, monkeypatch)
    source = _source(tmp_path)
    (source.parent / "rapport.pdf").write_text("stale")
    assert resolve_renderer("auto") == ("quarto", "quarto 1.11.0")
    written = render(source, ["html", "pdf", "docx"], timestamp=42)
    assert written == {f: source.with_suffix("." + f) for f in ("html", "pdf", "docx")}
    assert written["pdf"].read_text() == "rendered typst"
    (call,) = json.loads(log.read_text())  # one Quarto start-up for all three formats
    assert call["args"] == ["render", "rapport.qmd", "--to", "html,typst,docx", "--no-execute"]
    assert call["cwd"] == str(source.parent) and call["epoch"] == "42"
    assert quarto.version() == "quarto 1.11.0"
    # Quarto read the rewritten front matter, with the files it names beside the source.
    front, body = split_front_matter(call["source"])
    resolved = {**FRONT, "subtitle": "V\\ästra Götaland 2019"}  # meta shortcodes resolved
    assert front == quarto.quarto_front_matter(FRONT, resolved)
    assert body == "\n# Del\n\nText.\n"
    for name in ("safety.lua", "citations.lua", "cover.lua", "cells.lua", "quarto.css"):
        assert name in call["files"]
        assert (source.parent / name).read_bytes() == (quarto.TEMPLATES / name).read_bytes()
    assert (source.parent / "reference.docx").read_bytes() == docx.reference_doc()


def test_render_twice_gives_the_same_source(tmp_path, monkeypatch):
    log = fake_quarto(tmp_path, monkeypatch)
    source = _source(tmp_path)
    render(source, ["html"], renderer="quarto", timestamp=0)
    render(source, ["html"], renderer="quarto", timestamp=0)
    first, second = json.loads(log.read_text())
    assert first["source"] == second["source"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [("fail", "ERROR: something broke"), ("silent", "no rapport.html, rapport.pdf written")],
)
def test_quarto_failure_is_a_render_error(tmp_path, monkeypatch, mode, message):
    fake_quarto(tmp_path, monkeypatch, mode)
    with pytest.raises(
        RenderError, match=f"render rapport.qmd --to html,typst --no-execute failed: {message}"
    ):
        render(_source(tmp_path), ["html", "pdf"], renderer="quarto", timestamp=0)


def test_missing_quarto_is_a_render_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="quarto CLI is not on PATH"):
        render(_source(tmp_path), ["html"], renderer="quarto", timestamp=0)


@pytest.mark.e2e
def test_pipeline_picks_quarto_on_path_and_publishes_its_files(tmp_path, monkeypatch):
    """`auto` with a (stand-in) Quarto on PATH: one call per pair, its files published."""
    path = os.environ["PATH"]
    log = fake_quarto(tmp_path, monkeypatch)
    params = make_project(tmp_path, overrides=True)  # the demo's case numbers
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--params", str(params), "--out", str(out),
         "--region", "Stockholm", "--year", "2020", "--format", "html,pdf,docx", "--no-overview"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PATH": f"{tmp_path / 'bin'}:{path}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = out / "2020" / "stockholm"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["renderer"] == {"name": "quarto", "version": "quarto 1.11.0"}
    with zipfile.ZipFile(folder / "rapport.docx") as archive:  # timestamps fixed
        assert archive.read("word/document.xml") == b"rendered docx"
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    (call,) = json.loads(log.read_text())
    assert call["args"][3] == "html,typst,docx"
    front, _ = split_front_matter(call["source"])
    assert front["pagetitle"] == "Utvärdering av peer support – Stockholm 2020"
    assert front["region"] == "SE" and front["params"]["region"] == "Stockholm"
    assert front["report"]["case_number"] and front["peer-eval"]["toc"] is True
    assert {"notebooks", "reference.docx", "cells.lua"} <= set(call["files"])


def test_template_may_turn_the_html_contents_off_but_not_the_safety_options():
    front = {**FRONT, "format": {"html": {"toc": False, "embed-resources": False}}}
    html = quarto.quarto_front_matter(front)["format"]["html"]
    assert html["toc"] is False and html["embed-resources"] is True


def test_other_quarto_version_is_named_in_a_warning(tmp_path, monkeypatch, caplog):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text("#!/bin/sh\necho 1.9.5\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert quarto.version() == "quarto 1.9.5"
    assert "targets Quarto 1.11; found 1.9.5" in caplog.text
