"""End to end from the real tools' exports: validate's reconciliation, the report, bad input.

A tmp project copies the demo data and replaces Stockholm 2020's coded segments and
the codebook by an export of Taguette or qualitative-coding (tests/fixtures/qda), as
an analyst would point params at them.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from support import ROOT, html_text, pdf_text, run_cli
from typer.testing import CliRunner

from pipeline.cli import app

QDA = ROOT / "tests" / "fixtures" / "qda"
MODERATED = (
    "Samtalsledare: Hur märks det? Peer supporter: Brukarna litar på mig när jag berättar om "
    "min egen väg."
)
DOCUMENTS = {
    "intervju_enhetschef_01": "STO-EC-01",
    "intervju_medarbetare_02": "STO-MA-02",
    "intervju_peer_03": "STO-PS-03",
    "intervju_brukare_04": "STO-BR-04",
}
TOOLS = {
    "taguette": {
        "files": [
            "taguette/highlights.csv",
            "taguette/codebook.csv",
            "taguette/codebook.labels.yaml",
        ],
        "segments": "2020/highlights.csv",
        "codebook": "codebook.csv",
        "codes": {
            "factors": "faktor",
            "exclude": ["bra citat", "interesting"],
            "factor_only": "exclude",
        },
        "tally": "22 codings read = 11 used as themes + 8 used as factors + 3 excluded "
        "(2 by codes.exclude, 1 by codes.factor_only); 11 segments",
        # Taguette joined the two lines of one highlight: the second line's "Brukare:".
        "transcripts": "  2020: 1 quote text cleaned (1 with speaker tags)\n",
    },
    "qc": {
        "files": ["qc/projekt.qdpx", "qc/projekt.labels.yaml"],
        "segments": "2020/projekt.qdpx",
        "codebook": "projekt.qdpx",
        "codes": {
            "themes": "teman",
            "factors": "faktor",
            "exclude": ["bra_citat"],
            "factor_only": "exclude",
        },
        "tally": "24 codings read = 12 used as themes + 9 used as factors + 3 excluded "
        "(2 by codes.exclude, 1 by codes.factor_only); 12 segments",
        # qc codes whole lines: every one begins with its speaker's tag.
        "transcripts": "  2020: 12 quote texts cleaned (12 with speaker tags)\n",
    },
}


def qda_project(tmp: Path, tool: str) -> Path:
    """A project over a copy of the demo data with `tool`'s export as the 2020 segments."""
    data = tmp / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    spec = TOOLS[tool]
    for name in spec["files"]:
        target = (
            data / ("2020" if name.endswith(("highlights.csv", ".qdpx")) else "") / Path(name).name
        )
        shutil.copy(QDA / name, target)
    if tool == "qc":  # the project is both the codebook and the 2020 segments
        shutil.copy(QDA / "qc" / "projekt.qdpx", data / "projekt.qdpx")
    register = (QDA / "register.csv").read_text(encoding="utf-8").splitlines()[1:]
    with (data / "2020" / "interviews.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(register) + "\n")
    with (data / "names.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nAnna Svensson\n")
    params = tmp / "params" / "evaluation.yaml"
    params.parent.mkdir(parents=True)
    base = yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))
    base |= {
        "data_dir": str(data),
        "narrative_dir": str(ROOT / "reports" / "narrative"),
        "notebooks_dir": str(ROOT / "notebooks"),
        "templates_dir": str(ROOT / "reports"),
        "regions": ["Stockholm"],
        "years": [2020],
        "quotes_per_theme": 20,
    }
    base["inputs"]["segments"] = {
        "path": spec["segments"],
        "values": {"interview_id": DOCUMENTS},
        "codes": spec["codes"],
    }
    base["inputs"]["codebook"] = {"path": spec["codebook"]}
    params.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    return params


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_validate_prints_the_reconciliation(tmp_path, tool):
    params = qda_project(tmp_path, tool)
    result = CliRunner().invoke(app, ["validate", "--params", str(params)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    assert TOOLS[tool]["tally"] in result.output
    assert TOOLS[tool]["transcripts"] in result.output


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _break(params: Path, how: str) -> None:
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    segments = data["inputs"]["segments"]
    if how == "unmapped code":  # a tag added after the codebook was exported
        export = Path(data["data_dir"]) / "2020" / "highlights.csv"
        text = export.read_text(encoding="utf-8")
        export.write_text(text.replace("organisation/lon,", "organisation/löner,"), "utf-8")
    elif how == "document without register row":
        del segments["values"]["interview_id"]["intervju_peer_03"]
    elif how == "unknown values key":
        segments["values"]["document"] = {"x": "y"}
    params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (
            "unmapped code",
            [
                "highlights.csv: row 6: column 'tag': code 'organisation/löner': it names no "
                "theme of the codebook; add it to the codebook, or map it: inputs.segments."
                "values: {theme: {'organisation/löner': <theme id>}} (closest theme: "
                "'organisation.lon')",
            ],
        ),
        (
            "document without register row",
            [
                "highlights.csv: row 13: column 'document': 'intervju_peer_03' is not an "
                "interview in the register (rows 13, 14, 15, 16, 17); expected an interview_id "
                "of the register; map the document: inputs.segments.values: {interview_id: "
                "{'intervju_peer_03': '<interview_id>'}}",
            ],
        ),
        (
            "unknown values key",
            [
                "evaluation.yaml: key 'inputs.segments.values.document': unknown key; expected one "
                "of interview_id, theme, factor, excerpt"
            ],
        ),
    ],
)
def test_bad_input_exits_2_one_line_each_and_changes_nothing(tmp_path, how, expected):
    params = qda_project(tmp_path, "taguette")
    out = tmp_path / "out"
    (out / "2020" / "stockholm").mkdir(parents=True)
    (out / "2020" / "stockholm" / "rapport.html").write_text("published before", encoding="utf-8")
    before = _tree(out)
    _break(params, how)
    result = CliRunner().invoke(app, ["run", "--params", str(params), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert start in line, line
    assert _tree(out) == before


def test_codebook_cycle_exits_2(tmp_path):
    params = qda_project(tmp_path, "qc")
    data = yaml.safe_load(params.read_text(encoding="utf-8"))["data_dir"]
    broken = Path(data) / "projekt.qdpx"
    import zipfile

    with zipfile.ZipFile(QDA / "qc" / "projekt.qdpx") as source:
        members = {n: source.read(n) for n in source.namelist()}
    qde = members["project.qde"].decode("utf-8")
    # "isolering" reuses the guid of its grandparent "teman": teman > bidrag > teman ...
    teman = qde.split('name="teman" guid="')[1].split('"')[0]
    isolering = qde.split('name="isolering" guid="')[1].split('"')[0]
    bidrag = qde.split('name="bidrag_brukare" guid="')[1].split('"')[0]
    members["project.qde"] = qde.replace(isolering, teman).encode("utf-8")
    with zipfile.ZipFile(broken, "w") as target:
        for name, content in members.items():
            target.writestr(name, content)
    out = tmp_path / "out"
    (out / "2020").mkdir(parents=True)
    (out / "2020" / "index.html").write_text("published before", encoding="utf-8")
    before = _tree(out)
    result = CliRunner().invoke(app, ["run", "--params", str(params), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert _tree(out) == before
    # One line per problem: the reused guid, and the cycle it makes (once).
    assert result.output.splitlines() == [
        f"error: data/projekt.qdpx: Code 'isolering': guid {teman} is used by two codes",
        "error: data/projekt.qdpx: the code tree has a cycle: 'bidrag_brukare' > 'isolering' "
        f"> 'bidrag_brukare' (guids {bidrag}, {teman}); expected each code once, nested under "
        "its parent",
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_report_from_the_export_shows_factors_and_its_pdf_has_the_emoji(tmp_path, tool):
    params = qda_project(tmp_path, tool)
    if tool == "taguette":  # and a character no installed font has: a warning, not a failure
        export = tmp_path / "data" / "2020" / "highlights.csv"
        with export.open("a", encoding="utf-8") as handle:
            handle.write("99,intervju_peer_03,bidrag_brukare/forstaelse,Jag ritade \U00013000.\n")
            # A transcript tagging its moderator so: the params say whose turn it is.
            handle.write(f"100,intervju_peer_03,bidrag_brukare/forstaelse,{MODERATED}\n")
        settings = yaml.safe_load(params.read_text(encoding="utf-8"))
        speakers = {"interviewer": ["I", "Intervjuare", "Samtalsledare"]}
        settings["inputs"]["segments"]["speakers"] = speakers
        params.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "run", "--params", str(params), "--out", str(out), "--renderer", "builtin",
        "--no-overview", "--jobs", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    if tool == "taguette":
        assert "EGYPTIAN HIEROGLYPH A001 (U+13000)" in result.stdout + result.stderr
    folder = out / "2020" / "stockholm"
    page = html_text(folder / "rapport.html")
    pdf = pdf_text(folder / "rapport.pdf")
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    isolation = "3" if tool == "qc" else "2"
    for text in (words, " ".join(pdf.split())):
        # The factors per theme, from the export's factor codings.
        assert (
            "främjande (2 segment): Handledning (2); hindrande (1 segment): Introduktion (1)"
            in text
        )
        promoting = int(isolation) + 1
        assert (
            f"främjande ({promoting} segment): Bryta isolering ({isolation}) och Förståelse (1)"
            in text
        )
        # Equal counts follow codebook order, which differs between the tools' codebooks.
        pattern = (
            r"hindrande \(2 segment\): "
            r"(Lön \(1\) och Arbetsmiljö \(1\)|Arbetsmiljö \(1\) och Lön \(1\))"
        )
        assert re.search(pattern, text)
    assert "💬" in page
    assert "💬" in pdf
    # Quotes are pseudonymised: the listed name, its genitive and the numbers are gone.
    for leaked in ("Annas", "19850212 1234", "070-123 45 67"):
        assert leaked not in page and leaked not in pdf
    # Quotes are the interviewees' words: no speaker tag, no interviewer's question.
    said = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", quote)).split())
        for quote in re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S)
    ]
    assert any("Förut satt jag bara hemma." in quote for quote in said)
    for quote in said:
        assert not re.search(r"(Brukare|Enhetschef|Medarbetare|Peer supporter|Intervjuare):", quote)
    if tool == "taguette":
        assert any(quote.startswith("Brukarna litar på mig när jag") for quote in said)
        assert "Samtalsledare" not in words and "Hur märks det" not in words
