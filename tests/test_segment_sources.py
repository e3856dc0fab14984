"""Params for segment sources: several files per year, duplicates, and unknown `values` keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from support import ROOT, make_project
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_project

QDA = ROOT / "tests" / "fixtures" / "qda"


def _params(tmp_path: Path, segments: dict, **extra) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    register = (QDA / "register.csv").read_text(encoding="utf-8").splitlines()[1:]
    with (data / "2020" / "interviews.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(register) + "\n")
    shutil.copy(QDA / "qc" / "projekt.qdpx", data / "2020" / "projekt.qdpx")
    params = make_project(tmp_path, {"data_dir": str(data), "regions": ["Stockholm"],
                                     "years": [2020], **extra})  # fmt: skip
    content = yaml.safe_load(params.read_text(encoding="utf-8"))
    content["inputs"]["segments"] = segments
    params.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return params


QC_SOURCE = {
    "values": {
        "interview_id": {
            "intervju_enhetschef_01": "STO-EC-01",
            "intervju_medarbetare_02": "STO-MA-02",
            "intervju_peer_03": "STO-PS-03",
            "intervju_brukare_04": "STO-BR-04",
        },
        "theme": {
            # qc's organisation codes sit elsewhere in the demo codebook: an explicit table.
            "teman/organisation/lon": "implementering.lon",
            "teman/organisation/arbetsmiljo": "implementering.arbetsmiljo",
        },
    },
    "codes": {
        "themes": "teman",
        "factors": "faktor",
        "exclude": ["bra_citat"],
        "factor_only": "exclude",
    },
}


def test_two_sources_of_mixed_formats_combine(tmp_path):
    params = _params(
        tmp_path, {"path": ["{year}/segments.csv", "{year}/projekt.qdpx"], **QC_SOURCE}
    )
    result = CliRunner().invoke(app, ["validate", "--params", str(params)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.strip().startswith("data/2020/segments.csv: ") for line in lines)
    assert any("data/2020/projekt.qdpx: 24 codings read = 12 used as themes" in x for x in lines)


def test_the_same_source_twice_is_a_duplicate(tmp_path):
    data = tmp_path / "data"
    params = _params(tmp_path, {"path": ["{year}/projekt.qdpx", "{year}/kopia.qdpx"], **QC_SOURCE})
    shutil.copy(data / "2020" / "projekt.qdpx", data / "2020" / "kopia.qdpx")
    result = CliRunner().invoke(app, ["validate", "--params", str(params)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: data/2020/kopia.qdpx: 12 codings are also in data/2020/projekt.qdpx (same "
        "interview, theme and excerpt); expected each coding in one source (remove the "
        "duplicated source from inputs.segments.path)"
    ]


def test_unknown_keys_under_values_are_errors(tmp_path):
    params = make_project(
        tmp_path,
        {
            "inputs": {
                "segments": {"path": "{year}/segments.csv", "values": {"document": {"a": "b"}}},
                "survey": {"path": "{year}/survey.csv", "values": {"kön": {"K": "kvinna"}}},
            }
        },
    )
    result = CliRunner().invoke(app, ["validate", "--params", str(params)])
    assert result.exit_code == 2
    assert [line.split(": ", 2)[2] for line in result.output.splitlines()] == [
        "key 'inputs.survey.values.kön': unknown key; expected one of respondent_id, year, "
        "region, gender, age, education, trained, training_provider, employment_pct, "
        "months_worked, salary_monthly_fte, supervision, supervision_frequency, tasks, employer",
        "key 'inputs.segments.values.document': unknown key; expected one of interview_id, "
        "theme, factor, excerpt",
    ]


def test_unknown_code_rule_keys_are_errors(tmp_path):
    params = make_project(
        tmp_path, {"inputs": {"segments": {"path": "{year}/s.csv", "codes": {"factor": "x"}}}}
    )
    result = CliRunner().invoke(app, ["validate", "--params", str(params)])
    assert result.exit_code == 2
    assert "key 'inputs.segments.codes.factor': unknown key" in result.output


def test_segment_paths_need_year_with_several_years(tmp_path):
    params = make_project(tmp_path, {"inputs": {"segments": {"path": ["{year}/a.csv", "b.qdpx"]}}})
    result = CliRunner().invoke(app, ["validate", "--params", str(params)])
    assert result.exit_code == 2
    assert "'b.qdpx' has no {year}" in result.output
    assert load_project  # the params module is what reports it
