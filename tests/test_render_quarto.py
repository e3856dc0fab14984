"""The Quarto backend: the command lines it builds (always) and a real render (with Quarto)."""

from __future__ import annotations

import json
import shutil
import stat
import sys
from pathlib import Path

import nbformat
import pytest

from pipeline.errors import RenderError
from pipeline.render import quarto, render, resolve_renderer

# A stand-in for the quarto CLI: records argv, cwd and SOURCE_DATE_EPOCH, then writes the
# output file Quarto would write (or fails, or writes nothing, as the test asks).
FAKE_QUARTO = """#!{python}
import json, os, pathlib, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("1.11.0")
    sys.exit(0)
log = pathlib.Path({log!r})
calls = json.loads(log.read_text()) if log.exists() else []
calls.append({{"args": args, "cwd": os.getcwd(), "epoch": os.environ.get("SOURCE_DATE_EPOCH")}})
log.write_text(json.dumps(calls))
mode = {mode!r}
if mode == "fail":
    print("ERROR: something broke", file=sys.stderr)
    sys.exit(1)
if mode == "ok":
    suffix = {{"html": ".html", "typst": ".pdf"}}[args[args.index("--to") + 1]]
    pathlib.Path(args[1]).with_suffix(suffix).write_text("rendered")
"""


def _fake_quarto(tmp_path: Path, monkeypatch, mode: str = "ok") -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.json"
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO.format(python=sys.executable, log=str(log), mode=mode))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def _source(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    source = work / "rapport.qmd"
    source.write_text("---\ntitle: x\n---\n\nText.\n", encoding="utf-8")
    return source


def test_command_lines():
    source = Path("/any/work/rapport.qmd")
    html = ["quarto", "render", "rapport.qmd", "--to", "html", "--no-execute"]
    assert quarto.quarto_command(source, "html") == html
    pdf = ["/opt/q", "render", "rapport.qmd", "--to", "typst", "--no-execute"]
    assert quarto.quarto_command(source, "pdf", "/opt/q") == pdf


def test_environment_sets_source_date_epoch():
    env = quarto.quarto_environment(1_790_000_000, {"PATH": "/bin"})
    assert env == {"PATH": "/bin", "SOURCE_DATE_EPOCH": "1790000000"}


def test_render_runs_quarto_in_the_work_dir(tmp_path, monkeypatch):
    log = _fake_quarto(tmp_path, monkeypatch)
    source = _source(tmp_path)
    (source.parent / "rapport.pdf").write_text("stale")
    assert resolve_renderer("auto") == ("quarto", "quarto 1.11.0")
    written = render(source, ["html", "pdf"], timestamp=42)
    assert written == {"html": source.with_suffix(".html"), "pdf": source.with_suffix(".pdf")}
    assert written["pdf"].read_text() == "rendered"
    calls = json.loads(log.read_text())
    assert [c["args"][3] for c in calls] == ["html", "typst"]
    assert all(
        c["args"][:2] == ["render", "rapport.qmd"] and "--no-execute" in c["args"] for c in calls
    )
    assert {c["cwd"] for c in calls} == {str(source.parent)}
    assert {c["epoch"] for c in calls} == {"42"}
    assert quarto.version() == "quarto 1.11.0"
    # Quarto gets the same link-safety filter as the built-in renderer, via front matter.
    assert "filters:\n- safety.lua\n" in source.read_text(encoding="utf-8")
    assert (source.parent / "safety.lua").read_bytes() == quarto.SAFETY_FILTER.read_bytes()


@pytest.mark.parametrize(
    ("mode", "message"), [("fail", "ERROR: something broke"), ("silent", "no rapport.html written")]
)
def test_quarto_failure_is_a_render_error(tmp_path, monkeypatch, mode, message):
    _fake_quarto(tmp_path, monkeypatch, mode)
    with pytest.raises(
        RenderError, match=f"render rapport.qmd --to html --no-execute failed: {message}"
    ):
        render(_source(tmp_path), ["html"], renderer="quarto", timestamp=0)


def test_missing_quarto_is_a_render_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="quarto CLI is not on PATH"):
        render(_source(tmp_path), ["html"], renderer="quarto", timestamp=0)


@pytest.mark.quarto
def test_real_quarto_renders_embedded_notebook(tmp_path):
    if not shutil.which("quarto"):
        pytest.skip("quarto CLI not on PATH: install Quarto to run the Quarto backend test")
    work = tmp_path / "work"
    (work / "notebooks").mkdir(parents=True)
    cell = nbformat.v4.new_code_cell('#| label: tbl-rate\n#| tbl-cap: "Svarsfrekvens"\nx')
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/markdown": "| a | b |\n|---|---|\n| 1 | 2 |\n"}
        )
    ]
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
        }
    )
    nb.cells = [cell]
    nbformat.write(nb, work / "notebooks" / "survey.ipynb")
    source = work / "rapport.qmd"
    source.write_text(
        '---\ntitle: "Utvärdering"\nlang: sv\nparams: {region: "Skåne", year: 2019}\n'
        "format:\n  html: {embed-resources: true, toc: true, notebook-links: false}\n"
        "  typst: {toc: true}\n---\n\n# Del\n\n{{< meta params.region >}}: se @tbl-rate.\n\n"
        "{{< embed notebooks/survey.ipynb#tbl-rate >}}\n",
        encoding="utf-8",
    )
    written = render(source, ["html", "pdf"], renderer="quarto", timestamp=1_790_000_000)
    html = written["html"].read_text(encoding="utf-8")
    assert "Skåne" in html and "Tabell" in html and "Innehållsförteckning" in html
    assert written["pdf"].read_bytes().startswith(b"%PDF")
