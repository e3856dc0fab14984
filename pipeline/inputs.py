"""All inputs of an evaluation, read and cross-checked through the readers.

The build calls `load_evaluation` once before any work, so bad input stops the run
with every problem listed; notebooks call `load_for_notebook` to get the same tables.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.config import InputSpec, Project, load_project
from pipeline.errors import InputError, Problem
from pipeline.inputs_files import PER_YEAR, codebook_labels
from pipeline.readers.catalog import (
    YEAR_TABLES,
    Codebook,
    Tally,
    read_any_codebook,
    read_recommendations,
    read_segment_source,
)
from pipeline.readers.common import map_headers, read_raw_table
from pipeline.readers.convert import Cells, remap
from pipeline.readers.safety import check_file_size, outside_link, use_limits
from pipeline.readers.text_keys import text_key
from pipeline.readers.values import folded_key, is_total_row_name
from pipeline.transcript import SpeakerTags


@dataclass(frozen=True)
class EvaluationData:
    """Canonical tables for every year read (see pipeline.schema)."""

    survey: pd.DataFrame
    population: pd.DataFrame
    register: pd.DataFrame
    segments: pd.DataFrame
    codebook: Codebook
    recommendations: pd.DataFrame | None
    names: tuple[str, ...]
    tallies: tuple[Tally, ...] = ()
    """Per segment source file: codings read = used as themes + factors + excluded."""
    speaker_tags: SpeakerTags = SpeakerTags()
    """The transcripts' speaker tags (params `inputs.segments.speakers`), for quotes."""


def load_evaluation(project: Project, upto_year: int | None = None) -> EvaluationData:
    """Read and validate every input for the params' years (up to `upto_year`).

    Args:
        project: The loaded project.
        upto_year: Read years up to and including this one (default: all).

    Returns:
        The canonical tables.

    Raises:
        InputError: Every problem in every file, one line each.
    """
    with use_limits(project.evaluation.limits):
        return _load_evaluation(project, upto_year)


def _load_evaluation(project: Project, upto_year: int | None) -> EvaluationData:
    evaluation = project.evaluation
    years = [y for y in evaluation.years if upto_year is None or y <= upto_year]
    regions = list(evaluation.regions)
    problems: list[Problem] = []
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in PER_YEAR}

    segments_spec = evaluation.inputs.segments
    scheme = segments_spec.codes.scheme(segments_spec.values)
    tallies: list[Tally] = []

    def read_codebook() -> Codebook:
        path, shown = _where(project, evaluation.inputs.codebook)
        return read_any_codebook(
            path, scheme=scheme, labels=codebook_labels(project), display=shown
        )

    codebook = _collect(problems, read_codebook)
    # The population file lists the regions of that year's data; params may report on
    # only some of them (a region's own evaluation of a national survey export).
    known_by_year = _known_regions_by_year(project, years)
    every_region: dict[str, None] = dict.fromkeys(regions)
    for known in known_by_year.values():
        every_region.update(dict.fromkeys(known))
    whole = _WholeFiles(project, years, list(every_region))
    for year in years:
        known = known_by_year[year]

        def read(name: str, y: int = year, regions: list[str] = known):
            return _collect(problems, lambda: whole.rows(name, y, regions))

        survey = read("survey")
        population = read("population")
        register = read("interviews")
        if survey is not None and population is not None:
            problems.extend(_more_respondents_than_population(survey, population))
        for name, table in (("survey", survey), ("population", population)):
            if table is not None:
                tables[name].append(table)
        if register is not None:
            tables["interviews"].append(register)
        if register is not None and codebook is not None:
            found = []
            for path in segments_spec.resolve_all(project.data_dir, year):
                source = _collect(
                    problems,
                    lambda p=path, r=register: read_segment_source(
                        p,
                        segments_spec.table_options(),
                        codebook=codebook,
                        register=r,
                        display=_checked(project, p),
                        scheme=scheme,
                    ),
                )
                if source is not None:
                    tallies.append(source.tally)
                    found.append(source)
            problems.extend(_duplicates_across_sources(found))
            tables["segments"] += [source.frame for source in found]
    recommendations = None
    if evaluation.inputs.recommendations is not None:
        recommendations = _collect(
            problems,
            lambda: _read_recommendations(project, list(every_region)),
        )
    names: tuple[str, ...] = ()
    if evaluation.inputs.names is not None:
        names = _collect(problems, lambda: _read_names(*_where(project, evaluation.inputs.names)))
    if not problems:
        problems.extend(_unknown_regions(project, tables["population"], upto_year))
        problems.extend(_regions_without_population(project, tables))
    if problems:
        raise InputError(merge_repeated(problems))
    return EvaluationData(
        survey=_concat(tables["survey"]),
        population=_concat(tables["population"]),
        register=_concat(tables["interviews"]),
        segments=_concat(tables["segments"]),
        codebook=codebook,
        recommendations=recommendations,
        names=names or (),
        tallies=tuple(tallies),
        speaker_tags=segments_spec.speakers.tags(),
    )


def _duplicates_across_sources(sources: list) -> list[Problem]:
    """The same coding (interview, theme, excerpt) in two source files of one year.

    Usually one export listed twice, or two analysts' exports of the same coding;
    counted twice it would double the theme's weight.
    """
    seen: dict[tuple[str, str, str], str] = {}
    problems = []
    for source in sources:
        repeated: dict[str, int] = {}
        for key in source.frame[["interview_id", "theme", "excerpt"]].itertuples(index=False):
            key = tuple(key)
            first = seen.get(key)
            if first is not None and first != source.tally.file:
                repeated[first] = repeated.get(first, 0) + 1
        for first, count in repeated.items():
            problems.append(
                Problem(
                    source.tally.file,
                    f"{count} coding{'s are' if count > 1 else ' is'} also in {first} (same "
                    "interview, theme and excerpt); expected each coding in one source "
                    "(remove the duplicated source from inputs.segments.path)",
                )
            )
        for key in source.frame[["interview_id", "theme", "excerpt"]].itertuples(index=False):
            seen.setdefault(tuple(key), source.tally.file)
    return problems


def merge_repeated(problems: list[Problem], keep: int = 3) -> list[Problem]:
    """Say a problem that repeats down a column once, naming its rows.

    A region missing from params, or one misspelt answer, can recur on hundreds of
    rows; the analyst needs one line per distinct problem, not a screenful.

    Args:
        problems: Problems in reading order.
        keep: Up to this many repeats stay as separate lines.

    Returns:
        Problems, where more than `keep` with the same file, column and message
        became one whose row is the first and whose message lists the rows.
    """
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        key = (problem.file, problem.column, problem.key, problem.message)
        groups.setdefault(key, []).append(problem)
    merged = []
    for problem in problems:
        group = groups[(problem.file, problem.column, problem.key, problem.message)]
        if len(group) <= keep or problem.row is None:
            merged.append(problem)
        elif problem is group[0]:
            rows = [p.row for p in group]
            shown = ", ".join(str(r) for r in rows[:5])
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            message = f"{problem.message} (on {len(rows)} rows: {shown}{more})"
            merged.append(Problem(problem.file, message, row=problem.row, column=problem.column))
    return merged


def load_for_notebook(params_file: str, year: int) -> EvaluationData:
    """What a notebook calls: load the project from its params file and read up to `year`."""
    return load_evaluation(load_project(Path(params_file)), upto_year=year)


def _where(project: Project, spec: InputSpec, year: int = 0) -> tuple[Path, str]:
    """An input's path and how messages name it; refuses links out of data_dir.

    Raises:
        InputError: A symbolic link takes the path out of the data directory (another
            evaluation's data, /etc) and params do not allow it.
    """
    path = spec.resolve(project.data_dir, year)
    return path, _checked(project, path)


def _checked(project: Project, path: Path) -> str:
    """How messages name an input file; refuses a link out of the data directory."""
    shown = _shown(project, path)
    target = outside_link(path, project.data_dir)
    if target is not None:
        raise InputError(
            Problem(
                shown,
                f"is a symbolic link to {target}, outside the data directory "
                f"{project.data_dir}; refused (copy the file in, or set "
                "links_out_of_data_dir: true under limits: in params)",
            )
        )
    return shown


def _shown(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


def _read_table(project: Project, name: str, year: int, regions: list[str]) -> pd.DataFrame:
    spec: InputSpec = getattr(project.evaluation.inputs, name)
    path, shown = _where(project, spec, year)
    read = YEAR_TABLES[name]
    return read(path, spec.table_options(), regions=regions, year=year, display=shown)


class _WholeFiles:
    """The per-year tables of one load, each read from its file for one year, or once.

    A table whose path has no `{year}` is one file for every year (`InputSpec.
    holds_every_year`): it is read once per load, with the rows of years not in params
    left out, and each year gets its rows. The other tables are read per year, as the
    path names them.
    """

    def __init__(self, project: Project, years: list[int], regions: list[str]) -> None:
        self._project = project
        self._years = years  # the years of this load
        self._regions = regions  # every region of any year: the file spans them all
        self._read: dict[str, pd.DataFrame | None] = {}

    def rows(self, name: str, year: int, regions: list[str]) -> pd.DataFrame:
        """The table `name` of one year.

        Raises:
            InputError: The file's problems, and the years of params it holds no rows
                of, said once per load (for the first year that reads it; the later
                years raise it without problems).
        """
        spec: InputSpec = getattr(self._project.evaluation.inputs, name)
        if not spec.holds_every_year:
            return _read_table(self._project, name, year, regions)
        if name not in self._read:
            self._read[name] = None  # its problems are reported once, by this read
            frame = self._read_every_year(name, spec)
            self._read[name] = frame
            self._refuse_years_without_rows(name, spec, frame)
        frame = self._read[name]
        if frame is None:
            raise InputError([])
        return rows_of_year(frame, year)

    def _refuse_years_without_rows(self, name: str, spec: InputSpec, frame: pd.DataFrame) -> None:
        # A year without rows: for the survey and the population an error (no
        # respondents, no response rate); for the interview register a year without an
        # interview round, as a header-only register of that year is.
        if name == "interviews":
            return
        found = set(frame["year"].tolist())
        empty = [year for year in self._years if year not in found]
        if not empty:
            return
        self._read[name] = None
        _, shown = _where(self._project, spec)
        listed = ", ".join(str(year) for year in empty)
        raise InputError(
            Problem(
                shown,
                f"has no rows of {listed}; expected rows of every year of params in its "
                "year column (the path has no {year}, so this one file holds every year), "
                f"or remove {listed} from years in params",
            )
        )

    def _read_every_year(self, name: str, spec: InputSpec) -> pd.DataFrame:
        evaluation = self._project.evaluation
        path, shown = _where(self._project, spec)
        # With one year in params, a file without a year column is that year's.
        only = evaluation.years[0] if len(evaluation.years) == 1 else None
        return YEAR_TABLES[name](
            path,
            spec.table_options(),
            regions=self._regions,
            year=only,
            display=shown,
            years=list(evaluation.years),
        )


def rows_of_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of one year of a table read from a file of every year.

    Args:
        frame: The table, with a `year` column; its `attrs["rows"]`, when present,
            are the spreadsheet rows of its rows (the population's, for messages).

    Returns:
        A new table of that year's rows (index from 0), with `attrs` narrowed to them.
    """
    keep = (frame["year"] == year).to_numpy()
    rows = frame[keep].reset_index(drop=True)
    rows.attrs = dict(frame.attrs)
    if "rows" in frame.attrs:
        rows.attrs["rows"] = [r for r, k in zip(frame.attrs["rows"], keep, strict=True) if k]
    return rows


def _read_recommendations(project: Project, regions: list[str]) -> pd.DataFrame:
    path, shown = _where(project, project.evaluation.inputs.recommendations)
    return read_recommendations(path, regions=regions, display=shown)


def _known_regions_by_year(project: Project, years: list[int]) -> dict[int, list[str]]:
    """`_known_regions` of each year; a population file of every year is read once."""
    spec = project.evaluation.inputs.population
    if not spec.holds_every_year or not years:
        return {year: _known_regions(project, year) for year in years}
    known = _known_regions(project, years[0])
    return {year: known for year in years}


def _known_regions(project: Project, year: int) -> list[str]:
    """The params' regions, then any other region the year's population file names.

    Population values are taken after `values.region` (a file of county codes maps
    "12" to "Skåne"). A value that names a total ("Totalt", "Summa") or folds to a
    region already known ("Skane" beside "Skåne") is not taken: the population reader
    then refuses its row, saying why. A survey or register row whose region is in
    neither is still an error (a typo, or a region without a target population);
    other problems in the population file itself are left to its reader.
    """
    known = list(project.evaluation.regions)
    return _with_other_regions(known, _population_region_names(project, year))


def _population_region_names(project: Project, year: int) -> list[str]:
    """The region names a year's population file lists (after `values.region`), unchecked.

    A file that cannot be read, or has no region column, lists none: its reader says why.
    """
    spec = project.evaluation.inputs.population
    options = spec.table_options()
    try:
        path, shown = _where(project, spec, year)
        raw = read_raw_table(path, options, shown)
    except InputError:
        return []
    header = map_headers(raw, options, ["region"]).found.get("region")
    if header is None:
        return []
    mapped = remap(Cells.of(raw, header), options.values.get("region"))
    return [t for t in mapped.text if t is not None]


def _with_other_regions(known: list[str], names: list[str]) -> list[str]:
    """`known` and, in order, each of `names` that is another region (not a total row,
    not a spelling of a region already there)."""
    regions = list(known)
    keys = {text_key(r) for r in regions}
    folded = {folded_key(r) for r in regions}
    for value in names:
        name = unicodedata.normalize("NFC", value.strip())
        if not name or text_key(name) in keys:
            continue
        if is_total_row_name(name) or folded_key(name) in folded:
            continue
        regions.append(name)
        keys.add(text_key(name))
        folded.add(folded_key(name))
    return regions


def _more_respondents_than_population(
    survey: pd.DataFrame, population: pd.DataFrame
) -> list[Problem]:
    """A region with more survey respondents than people asked: a response rate over 100 %.

    Usually a target population typed with a thousands separator read as a decimal
    mark, or the population of another year or region.
    """
    answered = survey.groupby(["year", "region"]).size()
    rows = population.attrs.get("rows", [None] * len(population))
    problems = []
    for position, (year, region, target) in enumerate(
        population[["year", "region", "target_population"]].itertuples(index=False)
    ):
        count = int(answered.get((year, region), 0))
        if count > target:
            rate = f"{100 * count / target:.0f} %" if target else "no target population"
            problems.append(
                Problem(
                    population.attrs.get("file", "population"),
                    f"{target} is fewer than the {count} survey respondents in {region} "
                    f"{year} (response rate {rate}); expected at least the number who "
                    "answered (is a thousands separator missing or read as a decimal mark?)",
                    row=rows[position],
                    column=population.attrs.get("target_header", "target_population"),
                )
            )
    return problems


def _read_names(path: Path, shown: str) -> tuple[str, ...]:
    if not path.is_file():
        raise InputError(Problem(shown, "file not found (the list of names to pseudonymise)"))
    check_file_size(path, shown)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(Problem(shown, "is not UTF-8 text")) from None
    names = [line.strip() for line in text.splitlines()]
    return tuple(sorted({n for n in names if n and not n.startswith("#")}))


def _collect(problems: list[Problem], read):
    try:
        return read()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


def _unknown_regions(
    project: Project, populations: list[pd.DataFrame], upto_year: int | None
) -> list[Problem]:
    """A params region that no population file mentions in any year is almost surely a typo.

    "Any year" means every params year, also those after `upto_year`: a region that joins
    the evaluation in a later round is no typo in the reports of the earlier ones (they
    say it had no data collection then), and a run of only those years must not refuse it.
    """
    seen = set()
    for frame in populations:
        if len(frame):
            seen.update(frame["region"].astype(str))
    later = [y for y in project.evaluation.years if upto_year is not None and y > upto_year]
    for year in later:
        if not set(project.evaluation.regions) - seen:
            break
        seen.update(_population_region_names(project, year))
    return [
        Problem(
            str(project.params_file),
            f"unknown region {region!r}: no population file lists it in any year",
            key=f"regions.{index}",
        )
        for index, region in enumerate(project.evaluation.regions)
        if region not in seen
    ]


def _regions_without_population(
    project: Project, tables: dict[str, list[pd.DataFrame]]
) -> list[Problem]:
    """Every region with survey answers or interviews in a year needs a population row then.

    Without one there is no response rate; usually the population file misspells the
    region, which then also appears there as a region of its own.
    """
    counts: dict[tuple[int, str], dict[str, int]] = {}
    listed: dict[int, set[str]] = {}
    for frame in tables["population"]:
        for year, region in zip(frame["year"], frame["region"], strict=True):
            listed.setdefault(int(year), set()).add(region)
    for name, what in (("survey", "survey answers"), ("interviews", "interviews")):
        for frame in tables[name]:
            for year, region in zip(frame["year"], frame["region"], strict=True):
                if region not in listed.get(int(year), set()):
                    found = counts.setdefault((int(year), region), {})
                    found[what] = found.get(what, 0) + 1
    problems = []
    for (year, region), found in sorted(counts.items()):
        _, shown = _where(project, project.evaluation.inputs.population, year)
        unclaimed = sorted(listed.get(year, set()) - set(project.evaluation.regions))
        close = difflib.get_close_matches(region, unclaimed, n=1, cutoff=0.75)
        hint = f"; is {close[0]!r} in that file a misspelling?" if close else ""
        has = " and ".join(f"{n} {what}" for what, n in found.items())
        message = f"no row for region {region!r} in {year}, which has {has}; expected its "
        problems.append(Problem(shown, message + f"target population{hint}", column="region"))
    return problems
