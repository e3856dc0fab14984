"""Draft or final: reasons from the narrative and the metadata, and --final's refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.config import PairSettings, ReportMeta
from pipeline.drafts import draft_status, narrative_file, refuse_drafts
from pipeline.errors import DraftError

FULL = ReportMeta(
    author="Utvärderingsenheten",
    commissioner="Socialförvaltningen",
    committee="Socialnämnden",
    case_number="SN 2021/0456",
    date=dt.date(2021, 3, 1),
)
NARRATIVE = {"summary": "S.", "conclusions": "C.", "recommendations": "R."}


def test_complete_report_is_final():
    status = draft_status(PairSettings(report=FULL), NARRATIVE, "n.md")
    assert status.status == "final" and not status.reasons


def test_missing_narrative_and_metadata_are_each_named_in_swedish():
    meta = FULL.model_copy(update={"case_number": "", "date": None})
    status = draft_status(PairSettings(report=meta), None, "reports/narrative/2019/orebro.md")
    assert status.status == "draft" and status.label == "Utkast"
    assert status.reasons == (
        "analytikerns text saknas (reports/narrative/2019/orebro.md)",
        "diarienummer saknas (report.case_number i params)",
        "rapportdatum saknas (report.date i params)",
    )


def test_english_draft_is_stated_in_english_and_names_the_missing_section():
    settings = PairSettings(lang="en", report=FULL)
    status = draft_status(settings, {"summary": "S.", "conclusions": "C."}, "x.en.md")
    assert status.label == "Draft"
    assert status.reasons == ('the section "# Recommendations" is missing in x.en.md',)


def test_the_tool_is_never_the_author():
    meta = FULL.model_copy(update={"author": "peer-eval"})
    status = draft_status(PairSettings(report=meta), NARRATIVE, "n.md")
    assert status.reasons == ("report.author namnger verktyget, inte en person eller organisation",)


def test_overview_needs_no_commission_metadata():
    status = draft_status(PairSettings(), NARRATIVE, "n.md", require_metadata=False)
    assert status.status == "final"


def test_narrative_file_per_language():
    assert narrative_file(Path("n"), 2020, "skane", "sv") == Path("n/2020/skane.md")
    assert narrative_file(Path("n"), 2020, "skane", "en") == Path("n/2020/skane.en.md")


def test_refuse_drafts_lists_each_draft_with_its_reasons():
    refuse_drafts([("2020/skane", ())])  # nothing to refuse
    with pytest.raises(DraftError) as error:
        refuse_drafts([("2020/skane", ()), ("2019/orebro", ("a saknas", "b saknas"))])
    lines = str(error.value).splitlines()
    assert lines[0] == "2019/orebro: draft: a saknas; b saknas"
    assert "1 report(s) are drafts" in lines[-1] and len(lines) == 2
    assert error.value.exit_code == 2


def test_banner_markdown_for_quarto_lists_the_reasons():
    from pipeline.drafts import banner_markdown

    mark = {"label": "Utkast", "intro": "Inte färdig\\:", "reasons": ["a saknas", "b saknas"]}
    text = banner_markdown(mark)
    assert text.startswith('::: {.draft-banner role="note"}\n**Utkast**: Inte färdig\\:')
    assert "- a saknas\n- b saknas\n:::" in text
    assert banner_markdown(None) == "" and banner_markdown({}) == ""


def test_list_shows_each_reports_status_and_what_a_draft_lacks(tmp_path):
    from support import make_project, run_cli

    params = make_project(tmp_path, overrides=True)
    out = str(tmp_path / "out")
    result = run_cli("list", "--params", str(params), "--out", out, "--renderer", "builtin")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["year", "region", "state", "status", "published", "why"]
    drafts = [line for line in lines if " draft " in line]
    assert len(drafts) == 1 and drafts[0].startswith("2019  Örebro"), drafts
    assert "analytikerns text saknas" in drafts[0] and "diarienummer saknas" in drafts[0]
    assert sum(" final " in line for line in lines) == 27  # 23 reports and 4 overviews


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_init_skeleton_left_as_it_is_is_a_draft(lang):
    # Before: its bracketed instructions counted as the analyst's text: `run --final`
    # published "Ersätt den här raden." three times to the committee.
    from pipeline import init_project
    from pipeline.narrative_sections import parse_narrative

    skeleton = Path(init_project.__file__).parent / "init_templates" / lang / "narrative.md"
    sections = parse_narrative(skeleton.read_text(encoding="utf-8"))
    status = draft_status(PairSettings(lang=lang, report=FULL), sections, "n.md")
    assert len(status.reasons) == 3
    # One section written, the instruction line still under it: the text counts.
    sections["summary"] = sections["summary"] + "\n\nRegionen har tre peer supportrar."
    status = draft_status(PairSettings(lang=lang, report=FULL), sections, "n.md")
    assert len(status.reasons) == 2
