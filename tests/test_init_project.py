"""Tests for pipeline.init_project (`peer-eval init`)."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support import make_resource_package

from pipeline import init_project as init_module
from pipeline import shipped
from pipeline.config import (
    Evaluation,
    Inputs,
    InputSpec,
    PairSettings,
    ReportMeta,
    load_project,
    plan_pairs,
)
from pipeline.drafts import draft_status, narrative_file
from pipeline.errors import InputError, UsageError
from pipeline.init_project import HEADERS, init_project
from pipeline.inputs import load_evaluation
from pipeline.narrative_sections import parse_narrative
from pipeline.readers.codebook import read_codebook
from pipeline.readers.recommendations import parse_recommendations
from pipeline.readers.survey import read_survey
from pipeline.schema import CATEGORIES
from pipeline.shipped import ShippedFolder

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"


@pytest.fixture
def fake_project(tmp_path, monkeypatch) -> Path:
    """An installation that ships two notebooks, report templates and a theme file."""
    source = tmp_path / "installed"
    make_resource_package(
        monkeypatch,
        source,
        "fake_notebooks",
        {"survey.ipynb": "{}", "interviews.ipynb": "{}", "notes.txt": "not a notebook"},
    )
    make_resource_package(
        monkeypatch,
        source,
        "fake_reports",
        {
            name: f"content of reports/{name}"
            for name in ("rapport.qmd", "oversikt.qmd", "theme/a.css", "narrative/x.md")
        },
    )
    monkeypatch.setattr(
        shipped,
        "SHIPPED",
        (
            ShippedFolder("notebooks", "fake_notebooks", ("*.ipynb",)),
            ShippedFolder("reports", "fake_reports", ("*.qmd", "theme/**/*")),
        ),
    )
    return source


@pytest.fixture
def no_copies(monkeypatch) -> None:
    """An installation that ships no notebooks or report templates (tests of the rest)."""
    monkeypatch.setattr(shipped, "SHIPPED", ())


def _relative(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def _problems(project_root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_evaluation(load_project(project_root / "params" / "evaluation.yaml"))
    return str(caught.value).splitlines()


# --- the tree ---------------------------------------------------------------------------


def test_creates_the_expected_tree(tmp_path, fake_project):
    target = tmp_path / "new"
    created = init_project(target, regions=["Stockholm", "Västra Götaland"], years=[2021, 2020])
    assert created == sorted(created)
    assert _relative(target, created) == [
        ".peer-eval/README.md",
        ".peer-eval/base/notebooks/interviews.ipynb",
        ".peer-eval/base/notebooks/survey.ipynb",
        ".peer-eval/base/reports/oversikt.qmd",
        ".peer-eval/base/reports/rapport.qmd",
        ".peer-eval/base/reports/theme/a.css",
        ".peer-eval/state.json",
        "README.md",
        "data/2020/interviews.csv",
        "data/2020/population.csv",
        "data/2020/segments.csv",
        "data/2020/survey.csv",
        "data/2021/interviews.csv",
        "data/2021/population.csv",
        "data/2021/segments.csv",
        "data/2021/survey.csv",
        "data/README.md",
        "data/codebook.yaml",
        "data/names.txt",
        "data/recommendations.yaml",
        "notebooks/interviews.ipynb",
        "notebooks/survey.ipynb",
        "params/README.md",
        "params/evaluation.yaml",
        "reports/narrative/2020/oversikt.md",
        "reports/narrative/2020/stockholm.md",
        "reports/narrative/2020/vastra-gotaland.md",
        "reports/narrative/2021/oversikt.md",
        "reports/narrative/2021/stockholm.md",
        "reports/narrative/2021/vastra-gotaland.md",
        "reports/oversikt.qmd",
        "reports/rapport.qmd",
        "reports/theme/a.css",
    ]
    on_disk = sorted(p for p in target.rglob("*") if p.is_file())
    assert on_disk == created
    assert (target / "params" / "overrides").is_dir()
    assert not any((target / "params" / "overrides").iterdir())
    assert (target / "reports/rapport.qmd").read_text() == "content of reports/rapport.qmd"


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        (ShippedFolder("notebooks", "no_such_package", ("*.ipynb",)), "no_such_package"),
        (ShippedFolder("notebooks", "fake_notebooks", ("*.R",)), "without notebooks/*.R"),
    ],
)
def test_refuses_when_the_installation_lacks_a_shipped_file(
    tmp_path, fake_project, monkeypatch, folder, message
):
    monkeypatch.setattr(shipped, "SHIPPED", (folder,))
    with pytest.raises(UsageError, match=re.escape(message)):
        init_project(tmp_path / "new", regions=["A"], years=[2020])
    assert not (tmp_path / "new").exists()


def test_copies_the_real_project_templates(tmp_path):
    created = _relative(
        tmp_path / "new", init_project(tmp_path / "new", regions=["A"], years=[2020])
    )
    for name in ("reports/rapport.qmd", "reports/oversikt.qmd"):
        assert name in created
    in_checkout = sorted(
        [p.relative_to(REPO).as_posix() for p in (REPO / "notebooks").rglob("*.ipynb")]
        + [p.relative_to(REPO).as_posix() for p in (REPO / "reports").glob("*.qmd")]
    )
    copied = [p for p in created if re.fullmatch(r"notebooks/.*|reports/[^/]*\.qmd", p)]
    assert copied == in_checkout
    assert "notebooks/overview/overview.ipynb" in copied
    for name in copied:
        assert (tmp_path / "new" / name).read_bytes() == (REPO / name).read_bytes()


def test_header_only_csvs_have_the_canonical_columns(tmp_path, no_copies):
    init_project(tmp_path, regions=["A"], years=[2020])
    for name, header in HEADERS.items():
        text = (tmp_path / "data" / "2020" / f"{name}.csv").read_text(encoding="utf-8")
        assert text == ",".join(header) + "\n"
    assert HEADERS["survey"][-1] == "employer"


def test_no_placeholder_is_left_unfilled(tmp_path, no_copies):
    for lang in ("sv", "en"):
        target = tmp_path / lang
        for path in init_project(target, regions=["A"], years=[2020], lang=lang):
            assert "{{" not in path.read_text(encoding="utf-8").replace("{{{", ""), path


def test_defaults_one_example_region_this_year(tmp_path, no_copies):
    for lang, region in (("sv", "Exempelregion"), ("en", "Example region")):
        init_project(tmp_path / lang, lang=lang)
        evaluation = load_project(tmp_path / lang / "params" / "evaluation.yaml").evaluation
        assert evaluation.regions == (region,)
        assert evaluation.years == (dt.date.today().year,)
        assert evaluation.lang == lang


# --- refusals ---------------------------------------------------------------------------


def test_refuses_a_non_empty_target_and_writes_nothing(tmp_path, no_copies):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="not empty"):
        init_project(tmp_path, regions=["A"], years=[2020])
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_refuses_a_file_as_target(tmp_path, no_copies):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="not a folder"):
        init_project(target)


def test_accepts_an_existing_empty_folder(tmp_path, no_copies):
    created = init_project(tmp_path, regions=["A"], years=[2020])
    assert (tmp_path / "params" / "evaluation.yaml") in created


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lang": "de"}, "unsupported language 'de'"),
        ({"regions": ["Skåne", "skane"]}, "same slug 'skane'"),
        ({"regions": ["---"]}, "has no letters or digits"),
        ({"years": [1889]}, "year 1889 is outside 1990-2100"),
        ({"years": [2020, 2020]}, "years are listed twice"),
    ],
)
def test_refuses_bad_arguments_before_writing(tmp_path, no_copies, kwargs, message):
    target = tmp_path / "new"
    with pytest.raises(UsageError, match=re.escape(message)):
        init_project(target, **kwargs)
    assert not target.exists()


def test_a_failed_write_removes_only_what_it_created(tmp_path, monkeypatch):
    target = tmp_path / "new"
    # A copy onto a generated file: its exclusive creation fails after most files are written.
    clash = {"notebooks/a.ipynb": b"{}", "data/README.md": b"clash"}
    monkeypatch.setattr(init_module, "shipped_files", lambda: clash)
    with pytest.raises(UsageError, match=r"File exists \(.*data/README.md\)"):
        init_project(target, regions=["A"], years=[2020])
    assert not target.exists()


# --- params -----------------------------------------------------------------------------


def test_generated_params_load_and_plan(tmp_path, no_copies):
    init_project(tmp_path, regions=["Örebro", "Västra Götaland"], years=[2021, 2020], lang="en")
    project = load_project(tmp_path / "params" / "evaluation.yaml")
    assert project.root == tmp_path.resolve()
    assert project.data_dir == (tmp_path / "data").resolve()
    pairs = plan_pairs(project)
    assert [p.key for p in pairs] == [
        "2020/orebro",
        "2020/vastra-gotaland",
        "2021/orebro",
        "2021/vastra-gotaland",
    ]
    assert {p.settings.lang for p in pairs} == {"en"}
    # Where an English report reads its narrative: `<slug>.en.md` (it was `<slug>.md`).
    assert all(narrative_file(project.narrative_dir, p.year, p.slug, "en").is_file() for p in pairs)
    assert project.evaluation.inputs == Inputs()  # the written paths are the defaults


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_params_key_is_present_and_commented(tmp_path, no_copies, lang):
    init_project(tmp_path, regions=["A"], years=[2020], lang=lang)
    path = tmp_path / "params" / "evaluation.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == set(Evaluation.model_fields)
    assert set(data["report"]) == set(ReportMeta.model_fields)
    assert set(data["inputs"]) == set(Inputs.model_fields)
    assert set(data["inputs"]["survey"]) == set(InputSpec.model_fields)
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^\s*[a-z_]+:", line):
            previous = lines[index - 1].strip()
            assert "#" in line or previous.startswith("#"), f"uncommented key: {line!r}"


def test_comments_are_in_the_chosen_language(tmp_path, no_copies):
    init_project(tmp_path / "sv", regions=["A"], years=[2020])
    init_project(tmp_path / "en", regions=["A"], years=[2020], lang="en")
    swedish = (tmp_path / "sv" / "params" / "evaluation.yaml").read_text(encoding="utf-8")
    english = (tmp_path / "en" / "params" / "evaluation.yaml").read_text(encoding="utf-8")
    assert "minsta gruppstorlek" in swedish and "minimum group size" not in swedish
    assert "minimum group size" in english and "minsta gruppstorlek" not in english


def test_region_names_are_quoted_safely_in_yaml(tmp_path, no_copies):
    regions = ['Region "Nord": 1', "yes", "# kommun"]
    init_project(tmp_path, regions=regions, years=[2020])
    assert load_project(tmp_path / "params" / "evaluation.yaml").evaluation.regions == tuple(
        regions
    )


# --- templates that must validate -------------------------------------------------------


@pytest.mark.parametrize(("lang", "headings"), [("sv", "Sammanfattning"), ("en", "Summary")])
def test_narrative_has_the_three_sections(tmp_path, no_copies, lang, headings):
    init_project(tmp_path, regions=["Skåne"], years=[2020], lang=lang)
    path = narrative_file(tmp_path / "reports" / "narrative", 2020, "skane", lang)
    text = path.read_text(encoding="utf-8")
    assert f"# {headings}\n" in text
    sections = parse_narrative(text)
    assert set(sections) == {"summary", "conclusions", "recommendations"}
    assert all(len(body.splitlines()) == 1 for body in sections.values())


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_overview_gets_its_narrative_skeleton_too(tmp_path, no_copies, lang):
    # Before: init wrote none, so every overview was a draft ("the analyst's text is
    # missing") and `run --final` could never pass in a new project.
    init_project(tmp_path, regions=["Skåne"], years=[2020, 2021], lang=lang)
    narratives = tmp_path / "reports" / "narrative"
    skeleton = narrative_file(narratives, 2020, "skane", lang).read_text(encoding="utf-8")
    for year in (2020, 2021):
        overview = narrative_file(narratives, year, "oversikt", lang)
        assert overview.read_text(encoding="utf-8") == skeleton
        # Left as it is, it is a draft for the sections, not for a missing file.
        sections = parse_narrative(skeleton)
        status = draft_status(PairSettings(lang=lang), sections, "n.md", require_metadata=False)
        assert len(status.reasons) == 3 and sections is not None


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_starter_codebook_and_recommendations_validate(tmp_path, no_copies, lang):
    init_project(tmp_path, regions=["Skåne"], years=[2021], lang=lang)
    codebook = read_codebook(tmp_path / "data" / "codebook.yaml")
    assert "implementering.handledning" in codebook.ids
    assert codebook.label("roll", "en") == "Professional role and division of work"
    text = (tmp_path / "data" / "recommendations.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == {"recommendations": []}
    # The commented example, uncommented, is a valid recommendations file.
    example = text.split("recommendations:\n", 1)[1].split("\nrecommendations: []")[0]
    uncommented = "recommendations:\n" + re.sub(r"^# ?", "", example, flags=re.MULTILINE)
    table = parse_recommendations(yaml.safe_load(uncommented), "example", regions=["Skåne"])
    assert table[["region", "made"]].values.tolist() == [["Skåne", 2020]]
    assert table["status"].iloc[0] == {2021: "kvarstar"}


def test_names_file_has_only_a_comment(tmp_path, no_copies):
    init_project(tmp_path, regions=["A"], years=[2020])
    lines = (tmp_path / "data" / "names.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("# ")


def test_demo_data_validates_in_a_new_project(tmp_path, no_copies):
    with (DEMO / "2020" / "population.csv").open(encoding="utf-8") as handle:
        regions = [row["region"] for row in csv.DictReader(handle)]
    init_project(tmp_path, regions=regions, years=[2020])
    data_dir = tmp_path / "data"
    for path in (DEMO / "2020").glob("*.csv"):
        shutil.copyfile(path, data_dir / "2020" / path.name)
    for name in ("codebook.yaml", "recommendations.yaml", "names.txt"):
        shutil.copyfile(DEMO / name, data_dir / name)
    data = load_evaluation(load_project(tmp_path / "params" / "evaluation.yaml"))
    assert len(data.survey) == 44
    assert data.population["target_population"].sum() == 68
    assert len(data.segments) > 0


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_guide_examples_validate(tmp_path, no_copies, lang):
    """The example rows in data/README.md, pasted into the templates, are valid input."""
    init_project(tmp_path, regions=["Västra Götaland"], years=[2020], lang=lang)
    guide = (tmp_path / "data" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```\n(.*?)^```", guide, flags=re.MULTILINE | re.DOTALL)
    by_header = {",".join(header): name for name, header in HEADERS.items()}
    pasted = set()
    for block in blocks:
        name = by_header.get(block.splitlines()[0])
        if name:
            (tmp_path / "data" / "2020" / f"{name}.csv").write_text(block, encoding="utf-8")
            pasted.add(name)
    assert pasted == set(HEADERS)
    data = load_evaluation(load_project(tmp_path / "params" / "evaluation.yaml"))
    assert data.survey["tasks"].tolist() == ["stodsamtal;grupper", "stodsamtal"]
    assert data.register["participants"].tolist() == [1, 4]
    assert data.segments["theme"].tolist() == [
        "implementering.introduktion",
        "implementering.handledning",
    ]


def test_guide_lists_codes_with_labels_in_its_language(tmp_path, no_copies):
    init_project(tmp_path / "sv", regions=["A"], years=[2020])
    init_project(tmp_path / "en", regions=["A"], years=[2020], lang="en")
    swedish = (tmp_path / "sv" / "data" / "README.md").read_text(encoding="utf-8")
    english = (tmp_path / "en" / "data" / "README.md").read_text(encoding="utf-8")
    for category in ("gender", "education", "tasks", "group", "form", "mode", "factor"):
        for code, labels in CATEGORIES[category].items():
            assert f"`{code}` ({labels['sv']})" in swedish
            assert f"`{code}` ({labels['en']})" in english


# --- what `peer-eval validate` says about a new project ---------------------------------


def test_a_header_only_project_names_each_empty_file(tmp_path, no_copies):
    init_project(tmp_path, regions=["Stockholm"], years=[2020, 2021])
    assert _problems(tmp_path) == [
        f"data/{year}/{message}"
        for year in (2020, 2021)
        for message in (
            "survey.csv: has a header but no data rows; expected one row per respondent",
            "population.csv: has a header but no data rows; expected one row per region",
        )
    ]


def test_a_region_without_population_is_reported(tmp_path, no_copies):
    init_project(tmp_path, regions=["Stockholm", "Norrland"], years=[2020])
    year = tmp_path / "data" / "2020"
    (year / "survey.csv").write_text(
        (year / "survey.csv").read_text(encoding="utf-8")
        + "R1,2020,Stockholm,kvinna,43,hogskola,ja,nsph,75,24,29500,ja,varje_manad,grupper,\n",
        encoding="utf-8",
    )
    (year / "population.csv").write_text(
        "year,region,target_population\n2020,Stockholm,8\n", encoding="utf-8"
    )
    (year / "interviews.csv").write_text(
        "interview_id,year,region,group,form,participants,mode\n"
        "I1,2020,Stockholm,brukare,individuell,,video\n",
        encoding="utf-8",
    )
    params = (tmp_path / "params" / "evaluation.yaml").resolve()
    assert _problems(tmp_path) == [
        f"{params}: key 'regions.1': unknown region 'Norrland': "
        "no population file lists it in any year"
    ]


def test_guide_quotes_the_messages_a_new_project_gives(tmp_path, no_copies):
    for lang in ("sv", "en"):
        init_project(tmp_path / lang, regions=["Stockholm"], years=[2020], lang=lang)
        guide = (tmp_path / lang / "data" / "README.md").read_text(encoding="utf-8")
        for problem in _problems(tmp_path / lang):
            assert f"error: {problem}\n" in guide
        assert "unknown region 'Stockholm': no population file lists it in any year" in guide


# --- docs/inputs.md ---------------------------------------------------------------------


def test_inputs_doc_lists_every_column_and_code():
    text = (REPO / "docs" / "inputs.md").read_text(encoding="utf-8")
    for header in HEADERS.values():
        for column in header:
            assert f"`{column}`" in text, column
    for category, codes in CATEGORIES.items():
        for code, labels in codes.items():
            assert f"`{code}`" in text, (category, code)
            assert labels["sv"] in text and labels["en"] in text, (category, code)


def test_inputs_doc_mapping_example_reads_its_export(tmp_path):
    """The Swedish export shown in docs/inputs.md, saved as Windows-1252, reads as promised."""
    text = (REPO / "docs" / "inputs.md").read_text(encoding="utf-8")
    section = text.split("## Mapping a real survey export", 1)[1]
    export = re.search(r"```text\n(.*?)```", section, flags=re.DOTALL).group(1)
    params = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, flags=re.DOTALL).group(1))
    spec = InputSpec.model_validate(params["inputs"]["survey"])
    path = tmp_path / "enkat_2020.csv"
    path.write_bytes(export.replace("\n", "\r\n").encode("cp1252"))
    survey = read_survey(path, spec.table_options(), regions=["Skåne"], year=2020)
    assert survey["region"].tolist() == ["Skåne", "Skåne"]
    assert survey["gender"].tolist() == ["kvinna", "annat"]
    assert survey["age"].tolist() == [43, pd.NA]
    assert survey["education"].tolist() == ["hogskola", "gymnasium"]
    assert survey["training_provider"].iloc[0] == "nsph"
    assert survey["employment_pct"].tolist() == [75.0, 50.0]
    assert survey["months_worked"].tolist() == [22.5, 6.0]
    assert survey["salary_monthly_fte"].iloc[0] == 29500.0
    assert survey["supervision_frequency"].iloc[0] == "varje_manad"
    assert survey["tasks"].tolist() == ["stodsamtal;foredrag", "stodsamtal"]
    assert survey["year"].tolist() == [2020, 2020]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_override_example_in_params_readme_applies(tmp_path, no_copies, lang):
    init_project(tmp_path, regions=["Västra Götaland", "Skåne"], years=[2020], lang=lang)
    guide = (tmp_path / "params" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)\s*```", guide, flags=re.DOTALL).group(1)
    override = tmp_path / "params" / "overrides" / "2020" / "vastra-gotaland.yaml"
    assert f"params/overrides/2020/{override.name}" in guide
    override.parent.mkdir()
    override.write_text(re.sub(r"^   ", "", example, flags=re.MULTILINE), encoding="utf-8")
    pairs = plan_pairs(load_project(tmp_path / "params" / "evaluation.yaml"))
    changed, unchanged = pairs[0].settings, pairs[1].settings
    assert (changed.k, changed.report.case_number) == (3, "SN 2020/0123")
    assert changed.lang != unchanged.lang == lang
    assert unchanged.k == 5


@pytest.mark.parametrize("where", ["under-a-file", "read-only"])
def test_an_impossible_target_is_one_line(tmp_path, no_copies, monkeypatch, where):
    # Before: a traceback (NotADirectoryError, PermissionError) from the first mkdir.
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    target = tmp_path / "a-file" / "project"
    if where == "read-only":  # as root, chmod does not stop writes: the file system says it
        target = tmp_path / "project"

        def mkdir(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))

        monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(UsageError) as raised:
        init_project(target, regions=["A"], years=[2020])
    message = str(raised.value)
    assert message.startswith(f"cannot initialise {target}: ") and "\n" not in message
    assert "choose a new or empty folder you can write to" in message
    assert not target.exists()
