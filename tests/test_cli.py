"""The command line's refusals: bad usage stops with one line naming what is wrong (exit 2)."""

from __future__ import annotations

import json

from support import make_project, run_cli

PAIR = ["--region", "Stockholm", "--year", "2020", "--no-overview"]


def _publish_fake(out, lang: str = "sv") -> bytes:
    """A published Stockholm 2020 report (its manifest and HTML) in `lang`."""
    folder = out / "2020" / "stockholm"
    folder.mkdir(parents=True)
    (folder / "rapport.html").write_text(f'<html lang="{lang}"></html>', encoding="utf-8")
    manifest = {
        "report": {"region": "Stockholm", "year": 2020, "slug": "stockholm", "kind": "region"},
        "status": "final",
        "parameters": {"lang": lang, "formats": ["html"]},
        "components": {},
        "outputs": {"rapport.html": "0"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return (folder / "rapport.html").read_bytes()


def test_a_lang_run_refuses_to_replace_a_report_published_in_another_language(tmp_path):
    params, out = make_project(tmp_path), tmp_path / "out"
    before = _publish_fake(out, "sv")

    result = run_cli("run", "--params", str(params), "--out", str(out), *PAIR, "--lang", "en")

    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--lang: 'en' would replace 2020/stockholm published in 'sv'" in result.stderr
    assert (out / "2020" / "stockholm" / "rapport.html").read_bytes() == before
    assert not (out / "index.html").exists()  # nothing was built or written
