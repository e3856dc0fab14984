"""`peer-eval init`: a new evaluation project with commented templates for every input.

The text of every generated file lives in `pipeline/init_templates/<lang>/`; this module
fills in the run matrix, the canonical columns and the category codes (from
`pipeline.schema`, so the guide cannot drift from what the readers accept), adds copies of
the notebooks and report templates that peer-eval ships (`pipeline.shipped`) with a record
of them for `peer-eval upgrade` (`.peer-eval/`), plans the tree, and writes it without ever
replacing an existing file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from pipeline.config import Evaluation
from pipeline.drafts import narrative_file
from pipeline.errors import UsageError
from pipeline.i18n import Catalog
from pipeline.schema import (
    CATEGORIES,
    LANGUAGES,
    POPULATION_COLUMNS,
    REGISTER_COLUMNS,
    SEGMENT_COLUMNS,
    SURVEY_COLUMNS,
    SURVEY_OPTIONAL_COLUMNS,
)
from pipeline.shipped import shipped_files
from pipeline.slug import slugify
from pipeline.task import OVERVIEW_STEM
from pipeline.upgrade import installed_version, state_files

TEMPLATES_DIR = Path(__file__).parent / "init_templates"
"""Where the templates of the generated files are, one folder per language."""

_t = Catalog("init")  # the example region of a new project when none is given

HEADERS: dict[str, tuple[str, ...]] = {
    "survey": (*SURVEY_COLUMNS, *SURVEY_OPTIONAL_COLUMNS),
    "population": POPULATION_COLUMNS,
    "interviews": REGISTER_COLUMNS,
    "segments": SEGMENT_COLUMNS,
}
"""Per-year input -> the canonical header of its template (data/<year>/<input>.csv)."""

# Target path (relative to the project) -> template file (relative to the language folder).
_FILES: dict[str, str] = {
    "README.md": "README.md",
    "params/evaluation.yaml": "evaluation.yaml",
    "params/README.md": "params_README.md",
    "data/README.md": "data_README.md",
    "data/codebook.yaml": "codebook.yaml",
    "data/recommendations.yaml": "recommendations.yaml",
    "data/names.txt": "names.txt",
}
_NARRATIVE_TEMPLATE = "narrative.md"
_NARRATIVE_DIR = PurePosixPath(Evaluation.model_fields["narrative_dir"].default)
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)(?::([a-z_]+))?\}\}")


def init_project(
    target: Path,
    *,
    regions: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    lang: str = "sv",
) -> list[Path]:
    """Create a new evaluation project in `target`, ready to be filled in.

    Args:
        target: A folder that does not exist yet or is empty.
        regions: The regions of the run matrix (default: one example region).
        years: The evaluation years (default: the current year).
        lang: Language of the comments, guides and narrative headings (a report
            language with a folder in pipeline/init_templates).

    Returns:
        Every file created, sorted.

    Raises:
        UsageError: `target` is a file or a non-empty folder, the language is not
            supported, the regions or years are invalid, or this installation lacks
            a notebook or report template it ships. Nothing is written then.
    """
    if lang not in LANGUAGES:
        raise UsageError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    chosen_regions, chosen_years = _matrix(regions, years, lang)
    _check_target(target)
    texts = project_files(chosen_regions, chosen_years, lang)
    copies = shipped_files()
    # Pristine copies and the version, for `peer-eval upgrade` to merge later fixes.
    records = state_files(copies, installed_version())
    return _write(target, texts, {**copies, **records})


def project_files(regions: Sequence[str], years: Sequence[int], lang: str) -> dict[str, str]:
    """Return the text of every generated file of a new project.

    Args:
        regions: The validated regions.
        years: The validated years, sorted.
        lang: The project's language.

    Returns:
        Relative POSIX path -> file content, sorted by path.
    """
    values = _values(regions, years)
    files = {path: _fill(_template(lang, name), values, lang) for path, name in _FILES.items()}
    for year in years:
        for name, header in HEADERS.items():
            files[f"data/{year}/{name}.csv"] = ",".join(header) + "\n"
        # Each report's narrative, and the national overview's (without one, every
        # overview is a draft and `run --final` could never pass), where the reports
        # read them in the project's language (`pipeline.drafts.narrative_file`).
        for slug in [*map(slugify, regions), OVERVIEW_STEM]:
            narrative = _fill(_template(lang, _NARRATIVE_TEMPLATE), values, lang)
            files[narrative_file(_NARRATIVE_DIR, year, slug, lang).as_posix()] = narrative
    return dict(sorted(files.items()))


def _matrix(
    regions: Sequence[str] | None, years: Sequence[int] | None, lang: str
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    # Validate with the params model itself, so a new project always loads.
    wanted_regions = list(regions) if regions else [_t(lang, "example_region")]
    wanted_years = list(years) if years else [dt.date.today().year]
    try:
        evaluation = Evaluation.model_validate({"regions": wanted_regions, "years": wanted_years})
    except ValidationError as exc:
        reasons = "; ".join(
            f"{error['loc'][0]}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise UsageError(f"cannot initialise a project: {reasons}") from None
    return evaluation.regions, evaluation.years


def _check_target(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"cannot initialise {target}: it exists and is not a folder")
    if any(target.iterdir()):
        raise UsageError(
            f"cannot initialise {target}: the folder is not empty; "
            "choose a new or empty folder (nothing is ever overwritten)"
        )


def _template(lang: str, name: str) -> str:
    return (TEMPLATES_DIR / lang / name).read_text(encoding="utf-8")


def _values(regions: Sequence[str], years: Sequence[int]) -> dict[str, str]:
    region, year = regions[0], years[0]
    return {
        # JSON strings are valid YAML double-quoted scalars, so any region name is safe.
        "regions": "\n".join(f"  - {json.dumps(r, ensure_ascii=False)}" for r in regions),
        "years": "[" + ", ".join(str(y) for y in years) + "]",
        "region_yaml": json.dumps(region, ensure_ascii=False),
        "region_csv": _csv_cell(region),
        "region_repr": repr(region),  # as validation messages quote it
        "slug": slugify(region),
        "year": str(year),
        "previous_year": str(year - 1),
    }


def _csv_cell(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()


def _fill(template: str, values: Mapping[str, str], lang: str) -> str:
    """Replace `{{name}}`, `{{codes:category}}` and `{{header:input}}` placeholders."""

    def replace(match: re.Match) -> str:
        name, argument = match.group(1), match.group(2)
        if name == "codes" and argument in CATEGORIES:
            return _codes(argument, lang)
        if name == "header" and argument in HEADERS:
            return ",".join(HEADERS[argument])
        if argument is None and name in values:
            return values[name]
        raise KeyError(f"unknown template placeholder {match.group(0)!r}")

    return _PLACEHOLDER.sub(replace, template)


def _codes(category: str, lang: str) -> str:
    """The allowed codes of a category with their labels, for a Markdown table cell."""
    return ", ".join(f"`{code}` ({labels[lang]})" for code, labels in CATEGORIES[category].items())


def _write(target: Path, texts: Mapping[str, str], copies: Mapping[str, bytes]) -> list[Path]:
    """Write every file with exclusive creation; on failure remove only what was made."""
    created: list[Path] = []
    made_dirs: list[Path] = []
    try:
        for folder in (target, target / "params" / "overrides", target / "notebooks"):
            _make_dirs(folder, made_dirs)
        for relative, text in texts.items():
            path = target / PurePosixPath(relative)
            _make_dirs(path.parent, made_dirs)
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                created.append(path)
                handle.write(text)
        for relative, content in copies.items():
            path = target / PurePosixPath(relative)
            _make_dirs(path.parent, made_dirs)
            with path.open("xb") as handle:
                created.append(path)
                handle.write(content)
    except BaseException as exc:
        for path in reversed(created):
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if isinstance(exc, OSError):  # under a file, read-only, no space: one line, not a trace
            reason = exc.strerror or str(exc)
            raise UsageError(
                f"cannot initialise {target}: {reason} ({exc.filename}); "
                "choose a new or empty folder you can write to"
            ) from None
        raise
    return sorted(created)


def _make_dirs(folder: Path, made: list[Path]) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)
