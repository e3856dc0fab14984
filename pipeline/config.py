"""Parameters: the evaluation's params file, per-pair overrides, and their validation.

Layers, later wins: built-in defaults -> params/evaluation.yaml -> the pair's override
file (params/overrides/<year>/<region-slug>.yaml) -> command-line options. Unknown keys,
wrong types and unknown regions are errors naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.errors import InputError, Problem, validation_problems
from pipeline.i18n import languages
from pipeline.paths import output_dir, project_root
from pipeline.readers.codes import CodeScheme
from pipeline.readers.options import TableOptions
from pipeline.readers.safety import Limits
from pipeline.readers.yamlfile import load_mapping
from pipeline.schema import (
    POPULATION_COLUMNS,
    REGISTER_COLUMNS,
    SEGMENT_COLUMNS,
    SURVEY_COLUMNS,
    SURVEY_OPTIONAL_COLUMNS,
)
from pipeline.slug import slugify
from pipeline.transcript import (
    DEFAULT_INTERVIEWEE_TAGS,
    DEFAULT_INTERVIEWER_TAGS,
    SpeakerTags,
    tag_problem,
)

Format = Literal["html", "pdf", "docx"]
FORMATS: tuple[str, ...] = get_args(Format)
"""Output formats: HTML, PDF (Typst, PDF/A-2b) and Word (docx)."""


def _known_language(value: str) -> str:
    if value not in languages():
        raise ValueError(f"unsupported report language; expected one of {', '.join(languages())}")
    return value


Language = Annotated[str, AfterValidator(_known_language)]
"""A report language: one with a catalog folder in pipeline/locales (`i18n.languages()`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(TableOptions):
    """One input: where it is (relative to data_dir; `{year}` is replaced) and its layout.

    The layout keys are the reader's own `TableOptions` (pipeline.readers.options).
    """

    path: str

    def table_options(self) -> TableOptions:
        """Return the reader options of this input."""
        return TableOptions(**{name: getattr(self, name) for name in TableOptions.model_fields})

    def resolve(self, data_dir: Path, year: int) -> Path:
        """Return the input's file path for one year."""
        return data_dir / self.path.replace("{year}", str(year))

    @property
    def holds_every_year(self) -> bool:
        """Whether the path names no `{year}`: one file for every year, by its year column."""
        return "{year}" not in self.path


class CodesSpec(_Strict):
    """How code paths map onto themes and factors (see pipeline.readers.codes)."""

    separator: str = Field(default="/", min_length=1)
    themes: str | None = None
    factors: str | None = None
    match: Literal["path", "leaf"] = "path"
    exclude: tuple[str, ...] = ()
    factor_only: str | None = None

    def scheme(self, values: dict[str, dict[str, str]]) -> CodeScheme:
        """The reader's code scheme, with the `values.theme` / `values.factor` tables."""

        def parts(text: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in text.split(self.separator) if p.strip())

        return CodeScheme(
            separator=self.separator,
            themes=parts(self.themes) if self.themes else (),
            factors=parts(self.factors) if self.factors else None,
            match=self.match,
            exclude=tuple(parts(e) for e in self.exclude),
            factor_only=self.factor_only,
            theme_map=dict(values.get("theme", {})),
            factor_map=dict(values.get("factor", {})),
        )


class SpeakersSpec(_Strict):
    """The speaker tags of transcripts: whose turn a tag starts (pipeline.transcript).

    Each list replaces its default; a tag is one or two words, matched whatever its
    case, with or without a number after it (`IP1`).
    """

    interviewer: tuple[str, ...] = DEFAULT_INTERVIEWER_TAGS
    interviewee: tuple[str, ...] = DEFAULT_INTERVIEWEE_TAGS

    @field_validator("interviewer", "interviewee")
    @classmethod
    def _tags_ok(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tag in value:
            problem = tag_problem(tag)
            if problem:
                raise ValueError(f"tag {tag!r}: {problem}")
        return value

    @model_validator(mode="after")
    def _one_side_each(self) -> SpeakersSpec:
        both = {t.casefold() for t in self.interviewer} & {t.casefold() for t in self.interviewee}
        if both:
            shown = ", ".join(repr(t) for t in self.interviewer if t.casefold() in both)
            raise ValueError(
                f"{shown} in both interviewer and interviewee; expected each tag in one list"
            )
        return self

    def tags(self) -> SpeakerTags:
        """The tag sets as `pipeline.transcript` takes them."""
        return SpeakerTags(interviewer=self.interviewer, interviewee=self.interviewee)


class SegmentsSpec(InputSpec):
    """Coded segments: one source file or several (mixed formats), and their code rules."""

    path: str | tuple[str, ...]
    codes: CodesSpec = CodesSpec()
    speakers: SpeakersSpec = SpeakersSpec()

    @field_validator("path")
    @classmethod
    def _paths_given(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(value, tuple) and not value:
            raise ValueError("at least one path is needed")
        return value

    @property
    def paths(self) -> tuple[str, ...]:
        """Every source path (relative to data_dir, `{year}` not yet replaced)."""
        return (self.path,) if isinstance(self.path, str) else tuple(self.path)

    def resolve_all(self, data_dir: Path, year: int) -> list[Path]:
        """Every source file of one year."""
        return [data_dir / p.replace("{year}", str(year)) for p in self.paths]

    def resolve(self, data_dir: Path, year: int) -> Path:
        """The first source file of one year (use `resolve_all` for every one)."""
        return self.resolve_all(data_dir, year)[0]


class CodebookSpec(InputSpec):
    """The codebook: YAML, or a QDA tool's codebook (.qdpx, .qdc, Taguette .csv)."""

    labels: str | None = None


# The canonical columns a `values` table may translate, per input.
VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "survey": (*SURVEY_COLUMNS, *SURVEY_OPTIONAL_COLUMNS),
    "population": POPULATION_COLUMNS,
    "interviews": REGISTER_COLUMNS,
    "segments": SEGMENT_COLUMNS,
    "codebook": (),
    "recommendations": (),
    "names": (),
}


class Inputs(_Strict):
    """Every input the reports read. Paths are relative to data_dir."""

    survey: InputSpec = InputSpec(path="{year}/survey.csv")
    population: InputSpec = InputSpec(path="{year}/population.csv")
    interviews: InputSpec = InputSpec(path="{year}/interviews.csv")
    segments: SegmentsSpec = SegmentsSpec(path="{year}/segments.csv")
    codebook: CodebookSpec = CodebookSpec(path="codebook.yaml")
    recommendations: InputSpec | None = InputSpec(path="recommendations.yaml")
    names: InputSpec | None = InputSpec(path="names.txt")


class ReportMeta(_Strict):
    """What the report says about itself: title page and commission."""

    title: str | None = None
    organisation: str = ""
    committee: str = ""
    commissioner: str = ""
    author: str = ""
    case_number: str = ""
    date: dt.date | None = None


# YAML reads `true` as a boolean, which pydantic would take for 1 (k: true would switch
# the small-cell rule off); a whole number must be written as one.
WholeNumber = Annotated[int, Field(strict=True)]


class PairSettings(_Strict):
    """Settings that a per-pair override file (or the command line) may change."""

    lang: Language = "sv"
    k: int = Field(default=5, strict=True, ge=1, le=100)
    interview_k: int = Field(default=3, strict=True, ge=1, le=100)
    extremes_k: int = Field(default=10, strict=True, ge=1, le=1000)
    formats: tuple[Format, ...] = ("html", "pdf")
    quotes_per_theme: int = Field(default=2, strict=True, ge=0, le=20)
    timeout_seconds: int = Field(default=600, strict=True, ge=1)
    # Address space of one notebook's kernel (RLIMIT_AS); a kernel starts at about 1 GB.
    kernel_memory_mb: int = Field(default=4096, strict=True, ge=0)
    report: ReportMeta = ReportMeta()

    @field_validator("formats")
    @classmethod
    def _formats_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one format is needed")
        return tuple(dict.fromkeys(value))


class Evaluation(PairSettings):
    """The whole params file (params/evaluation.yaml)."""

    data_dir: str = "data"
    regions: tuple[str, ...]
    years: tuple[WholeNumber, ...]
    inputs: Inputs = Inputs()
    narrative_dir: str = "reports/narrative"
    notebooks_dir: str = "notebooks"
    templates_dir: str = "reports"
    output_mode: Literal["private", "shared"] = "private"
    limits: Limits = Limits()  # what an input may be at most (pipeline.readers.safety)

    @field_validator("regions")
    @classmethod
    def _regions_ok(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one region is needed")
        slugs: dict[str, str] = {}
        for region in value:
            slug = slugify(region)
            if not region.strip() or not slug:
                raise ValueError(f"region {region!r} has no letters or digits")
            if slug in slugs:
                raise ValueError(
                    f"regions {slugs[slug]!r} and {region!r} have the same slug {slug!r}"
                )
            slugs[slug] = region
        return value

    @field_validator("years")
    @classmethod
    def _years_ok(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise ValueError("at least one year is needed")
        for year in value:
            if not 1990 <= year <= 2100:
                raise ValueError(f"year {year} is outside 1990-2100")
        if len(set(value)) != len(value):
            raise ValueError("years are listed twice")
        return tuple(sorted(value))


class Pair(_Strict):
    """One unit of work: a region in a year, with its resolved settings."""

    region: str
    year: int
    settings: PairSettings

    @property
    def slug(self) -> str:
        """The region's path slug."""
        return slugify(self.region)

    @property
    def key(self) -> str:
        """A short name for messages: "2020/vastra-gotaland"."""
        return f"{self.year}/{self.slug}"


class Project(BaseModel):
    """A loaded params file with the paths everything else derives from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    params_file: Path
    root: Path
    evaluation: Evaluation

    @property
    def data_dir(self) -> Path:
        """Absolute data directory."""
        return (self.root / self.evaluation.data_dir).resolve()

    @property
    def narrative_dir(self) -> Path:
        """Absolute narrative directory."""
        return (self.root / self.evaluation.narrative_dir).resolve()

    @property
    def notebooks_dir(self) -> Path:
        """Absolute directory of the notebooks every pair executes."""
        return (self.root / self.evaluation.notebooks_dir).resolve()

    @property
    def templates_dir(self) -> Path:
        """Absolute directory of the report templates (rapport.<lang>.qmd)."""
        return (self.root / self.evaluation.templates_dir).resolve()

    @property
    def output_dir(self) -> Path:
        """The default output directory (`--out`): `reports/output` under the root."""
        return output_dir(self.root)

    @property
    def overrides_dir(self) -> Path:
        """Where per-pair overrides live: beside the params file."""
        return self.params_file.parent / "overrides"

    def override_file(self, region: str, year: int) -> Path:
        """The override file of one pair (it may not exist)."""
        return self.overrides_dir / str(year) / f"{slugify(region)}.yaml"


def load_project(params_file: Path | str, root: Path | None = None) -> Project:
    """Load and validate a params file.

    Args:
        params_file: Path to evaluation.yaml.
        root: The project root that relative paths start from (default: the
            params file's parent's parent, i.e. the folder holding params/).

    Returns:
        The validated project.

    Raises:
        InputError: The file is missing, not YAML, or has unknown keys or bad values.
    """
    params_file = Path(params_file).resolve()
    if params_file.is_dir():  # "file not found" would send the user looking for nothing
        expected = "expected the params file, e.g. params/evaluation.yaml"
        raise InputError(Problem(str(params_file), f"is a folder; {expected}"))
    data = load_mapping(params_file)
    try:
        evaluation = Evaluation.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(params_file, exc)) from None
    problems = _per_year_paths(params_file, evaluation) + _unknown_value_columns(
        params_file, evaluation
    )
    if problems:
        raise InputError(problems)
    root = (root or project_root(params_file)).resolve()
    return Project(params_file=params_file, root=root, evaluation=evaluation)


def _unknown_value_columns(params_file: Path, evaluation: Evaluation) -> list[Problem]:
    """docs/params.md: unknown keys are errors, also the columns under `values` / `multi_choice`."""
    problems = []
    for name, allowed in VALUE_COLUMNS.items():
        spec = getattr(evaluation.inputs, name)
        if spec is None:
            continue
        for section, columns in (("values", spec.values), ("multi_choice", spec.multi_choice)):
            for column in columns:
                if column not in allowed:
                    expected = ", ".join(allowed) if allowed else "no columns for this input"
                    problems.append(
                        Problem(
                            str(params_file),
                            f"unknown key; expected one of {expected}",
                            key=f"inputs.{name}.{section}.{column}",
                        )
                    )
    return problems


def _per_year_paths(params_file: Path, evaluation: Evaluation) -> list[Problem]:
    """Segment sources must name `{year}` when there are several years.

    A survey, population or interview table without `{year}` is one file for every
    year, read by its year column (pipeline.inputs); coded segments have no year
    column, so every year would read the same codings.
    """
    if len(evaluation.years) < 2:
        return []
    problems = []
    for path in evaluation.inputs.segments.paths:
        if "{year}" in path:
            continue
        message = (
            f"{path!r} has no {{year}}, but params have {len(evaluation.years)} years and "
            "coded segments have no year column; expected e.g. '{year}/segments.csv'"
        )
        problems.append(Problem(str(params_file), message, key="inputs.segments.path"))
    return problems


def plan_pairs(
    project: Project,
    regions: list[str] | None = None,
    years: list[int] | None = None,
    cli_settings: dict[str, Any] | None = None,
) -> list[Pair]:
    """Return the run matrix, each pair with defaults, params, override and CLI applied.

    Args:
        project: The loaded project.
        regions: Restrict to these regions (names or slugs); None means all.
        years: Restrict to these years; None means all.
        cli_settings: Settings given on the command line (win over everything).

    Returns:
        Pairs sorted by year, then by the params file's region order.

    Raises:
        InputError: An unknown region or year was asked for, or an override file is invalid.
    """
    chosen_regions = _select_regions(project, regions)
    chosen_years = _select_years(project, years)
    base = _pair_settings(project)
    pairs, problems = [], []
    _check_override_tree(project, problems)
    for year in chosen_years:
        for region in chosen_regions:
            merged = _merge(base, _load_override(project, region, year, problems))
            merged = _merge(merged, cli_settings or {})
            try:
                settings = PairSettings.model_validate(merged)
            except ValidationError as exc:
                problems.extend(validation_problems(Path("command line"), exc))
                continue
            pairs.append(Pair(region=region, year=year, settings=settings))
    if problems:
        raise InputError(problems)
    return pairs


def overview_settings(project: Project, cli_settings: dict[str, Any] | None = None) -> PairSettings:
    """Settings of the national overviews: the params file's, then the command line's.

    Raises:
        InputError: A command-line setting is invalid.
    """
    try:
        return PairSettings.model_validate(_merge(_pair_settings(project), cli_settings or {}))
    except ValidationError as exc:
        raise InputError(validation_problems(Path("command line"), exc)) from None


def round_settings(project: Project, settings: PairSettings, year: int) -> PairSettings:
    """The overview settings of one year, dated like its round.

    The params' `report.date` is the newest round's; each earlier round's reports set
    their own date in their overrides. The year's overview sums up that round, so it
    carries the round's date: the latest date of the year's regional reports (every
    region in params, whichever a run selects). Without such a date it keeps the params'.

    Raises:
        InputError: An override file of the year is invalid.
    """
    dates = [p.settings.report.date for p in plan_pairs(project, years=[year])]
    known = [d for d in dates if d is not None]
    if not known:
        return settings
    report = settings.report.model_copy(update={"date": max(known)})
    return settings.model_copy(update={"report": report})


def report_date(settings: PairSettings) -> dt.date:
    """The report date: params, else SOURCE_DATE_EPOCH, else today (not reproducible)."""
    if settings.report.date:
        return settings.report.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _select_regions(project: Project, regions: list[str] | None) -> list[str]:
    known = project.evaluation.regions
    if not regions:
        return list(known)
    by_key = {r.casefold(): r for r in known} | {slugify(r): r for r in known}
    unknown = [r for r in regions if r.casefold() not in by_key and slugify(r) not in by_key]
    if unknown:
        raise InputError(
            [
                Problem("--region", f"unknown region {r!r}; params declare: {', '.join(known)}")
                for r in unknown
            ]
        )
    wanted = {by_key.get(r.casefold()) or by_key[slugify(r)] for r in regions}
    return [r for r in known if r in wanted]


def _select_years(project: Project, years: list[int] | None) -> list[int]:
    known = project.evaluation.years
    if not years:
        return list(known)
    unknown = [y for y in years if y not in known]
    if unknown:
        raise InputError(
            [
                Problem("--year", f"unknown year {y}; params declare: {', '.join(map(str, known))}")
                for y in unknown
            ]
        )
    return [y for y in known if y in years]


def _check_override_tree(project: Project, problems: list[Problem]) -> None:
    """An override for a region or year the params do not declare is a typo: say so."""
    if not project.overrides_dir.is_dir():
        return
    slugs = {slugify(r) for r in project.evaluation.regions}
    years = {str(y) for y in project.evaluation.years}
    for path in sorted(project.overrides_dir.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(project.overrides_dir)
        if path.suffix == ".yml" and len(relative.parts) == 2:
            # Only `<slug>.yaml` is read (`Project.override_file`): refused, not ignored.
            problems.append(
                Problem(str(path), f"not read: overrides end in .yaml; rename it {path.stem}.yaml")
            )
        elif path.suffix != ".yaml" or len(relative.parts) != 2:
            problems.append(Problem(str(path), "expected overrides/<year>/<region-slug>.yaml"))
        elif relative.parts[0] not in years:
            problems.append(
                Problem(str(path), f"year {relative.parts[0]!r} is not in params years")
            )
        elif path.stem not in slugs:
            problems.append(
                Problem(
                    str(path), f"region slug {path.stem!r} is not one of {', '.join(sorted(slugs))}"
                )
            )


def _load_override(
    project: Project, region: str, year: int, problems: list[Problem]
) -> dict[str, Any]:
    """The pair's override file, checked as PairSettings over the params' own settings.

    The params' settings are valid already, so whatever fails is the override's, and
    its problems name the override file.
    """
    path = project.override_file(region, year)
    if not path.is_file():
        return {}
    try:
        data = load_mapping(path)
        PairSettings.model_validate(_merge(_pair_settings(project), data))
    except InputError as exc:
        problems.extend(exc.problems)
        return {}
    except ValidationError as exc:
        problems.extend(validation_problems(path, exc))
        return {}
    return data


def _pair_settings(project: Project) -> dict[str, Any]:
    """The params file's values of every PairSettings key."""
    return project.evaluation.model_dump(include=set(PairSettings.model_fields))


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif value is not None:
            merged[key] = value
    return merged
