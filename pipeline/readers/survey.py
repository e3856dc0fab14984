"""The survey reader: a survey tool's export (.xlsx or .csv) -> the canonical survey table.

One row per respondent with exactly `SURVEY_COLUMNS` + `employer` (see
`pipeline.schema`). Headers are renamed through `TableOptions.columns`, answer texts
mapped through `TableOptions.values`, and the multi-choice `tasks` item is read either
from one delimited column or from one 0/1 column per option (`TableOptions.multi_choice`).
Every problem in the file is reported at once as an `InputError`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.common import (
    RawTable,
    every_year_hints,
    map_headers,
    read_raw_table,
    warn_once,
)
from pipeline.readers.convert import (
    Cells,
    allowed_text,
    check_identifiers,
    check_range,
    keep_years,
    option_lookup,
    region_expected,
    remap,
    sorted_problems,
    to_bool,
    to_choice,
    to_code,
    to_codes,
    to_float,
    to_int,
    to_text,
    to_ticks,
    to_year,
    typed_texts,
)
from pipeline.readers.options import MultiChoice, TableOptions
from pipeline.readers.text_keys import text_key
from pipeline.readers.values import code_lookup, unknown_options
from pipeline.schema import CATEGORIES, SURVEY_COLUMNS, SURVEY_OPTIONAL_COLUMNS

_log = logging.getLogger(__name__)

OUTPUT_COLUMNS: tuple[str, ...] = (*SURVEY_COLUMNS, *SURVEY_OPTIONAL_COLUMNS)
"""The columns `read_survey` returns, in order."""

# --- an example mapping for a typical Swedish export (documented in params) ----------

SWEDISH_COLUMNS: dict[str, str] = {
    "Respondent-ID": "respondent_id",
    "År": "year",
    "Kontext": "region",
    "Kön": "gender",
    "Könstillhörighet": "gender",
    "Ålder": "age",
    "Utbildningsnivå": "education",
    "Har du genomfört en utbildning i peer support?": "trained",
    "Jag har gått utbildning i peer support som erbjuds av:": "training_provider",
    "Hur många procent omfattar din tjänst som peer supporter?": "employment_pct",
    "Hur många månader har du arbetat som peer supporter?": "months_worked",
    "Hur många månader har du (totalt) arbetat som peer supporter?": "months_worked",
    "Månadslön baserat på en heltidstjänst": "salary_monthly_fte",
    "Får du handledning i ditt arbete som peer supporter?": "supervision",
    "Hur ofta får du tillgång till handledning i ditt arbete som peer supporter?": (
        "supervision_frequency"
    ),
    "Vilka arbetsuppgifter har du?": "tasks",
    "Arbetsgivare": "employer",
}
"""Export header -> canonical column for a typical Swedish survey export (an example)."""

SWEDISH_VALUES: dict[str, dict[str, str]] = {
    "gender": {"Icke-binär": "annat", "Vill ej uppge": "vill_ej_ange"},
    "education": {
        "Grundskola eller motsvarande": "grundskola",
        "Gymnasium eller motsvarande": "gymnasium",
        "Eftergymnasial utbildning (ej högskola)": "eftergymnasial",
        "Högskola eller universitet": "hogskola",
    },
    "training_provider": {
        "NSPH (Nationell Samverkan för Psykisk Hälsa)": "nsph",
        "Regionen eller kommunen": "region",
        "Annan": "annan",
    },
    "supervision_frequency": {
        "En gång i veckan": "varje_vecka",
        "Varannan vecka": "varannan_vecka",
        "En gång i månaden": "varje_manad",
        "Mer sällan än en gång i månaden": "mer_sallan",
    },
    "tasks": {
        "Stödsamtal": "stodsamtal",
        "Gruppverksamhet (t.ex. återhämtningsguide, NECT)": "grupper",
        "Promenader och aktiviteter": "aktiviteter",
        "Arbete med personalgrupper": "personalgrupper",
        "Föreläsningar": "foredrag",
        "Stöd vid möten och kontakter": "motesstod",
        "Annat (ange)": "annan",
        "Övrigt": "annan",
    },
    "employer": {
        "Kommunen": "kommun",
        "Regionen": "region",
        "Brukar- eller anhörigorganisation": "brukarorganisation",
    },
}
"""Canonical column -> {answer text: code} for the Swedish example export. Codes, and the
Swedish and English labels in `pipeline.schema.CATEGORIES`, are accepted without it."""

SWEDISH_TASK_COLUMNS: dict[str, str] = {
    "Arbetsuppgifter: Stödsamtal": "stodsamtal",
    "Arbetsuppgifter: Gruppverksamhet": "grupper",
    "Arbetsuppgifter: Promenader och aktiviteter": "aktiviteter",
    "Arbetsuppgifter: Arbete med personalgrupper": "personalgrupper",
    "Arbetsuppgifter: Föreläsningar": "foredrag",
    "Arbetsuppgifter: Stöd vid möten och kontakter": "motesstod",
}
"""The tasks item exported as one 0/1 column per option (export header -> code)."""


def swedish_options(
    *, tasks_as_columns: bool = False, delimiter: str | None = None, decimal: str | None = None
) -> TableOptions:
    """Return the options an analyst would use for the typical Swedish export.

    Args:
        tasks_as_columns: Whether tasks come as one 0/1 column per option
            (`SWEDISH_TASK_COLUMNS`) instead of one column of texts joined by ";".
        delimiter: The CSV field separator (None detects it).
        decimal: The CSV decimal mark (None accepts "," and ".").

    Returns:
        The options.
    """
    tasks = MultiChoice(columns=dict(SWEDISH_TASK_COLUMNS)) if tasks_as_columns else MultiChoice()
    return TableOptions(
        columns=dict(SWEDISH_COLUMNS),
        values={k: dict(v) for k, v in SWEDISH_VALUES.items()},
        multi_choice={"tasks": tasks},
        delimiter=delimiter,
        decimal=decimal,
    )


# --- the reader -------------------------------------------------------------------


@dataclass(frozen=True)
class _Number:
    kind: str  # "int" or "float"
    expected: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    percent: bool = False
    # Amounts and counts are written "28.100" for 28 100 more often than with three decimals.
    refuse_ambiguous: bool = False


_NUMBERS: dict[str, _Number] = {
    "age": _Number("int", "a whole number of years from 16 to 100", low=16, high=100),
    "employment_pct": _Number("float", "a percentage from 0 to 100", low=0, high=100, percent=True),
    "months_worked": _Number(
        "float", "a number of months, 0 or more", low=0, refuse_ambiguous=True
    ),
    "salary_monthly_fte": _Number(
        "float", "a monthly salary in SEK above 0", low=0, low_open=True, refuse_ambiguous=True
    ),
}
_CODES = ("gender", "education", "training_provider", "supervision_frequency", "employer")
_BOOLS = ("trained", "supervision")
_DTYPES = {
    **{name: "str" for name in OUTPUT_COLUMNS},
    "year": "int64",
    "age": "Int64",
    "employment_pct": "float64",
    "months_worked": "float64",
    "salary_monthly_fte": "float64",
    "trained": "boolean",
    "supervision": "boolean",
}


def read_survey(
    path: Path,
    options: TableOptions,
    *,
    regions: Sequence[str],
    year: int | None = None,
    display: str | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Read a survey export into the canonical survey table, or report every problem.

    Numbers accept a decimal comma or point and spaces between thousands ("1 667");
    `options.decimal` applies to CSV text only, since .xlsx cells hold real numbers.
    Yes/no items accept ja/nej, yes/no, 1/0, true/false. Category cells accept the
    code, its Swedish or English label, or a text mapped under `options.values`; the
    same mapping works for any column, and mapping a text to "" makes it missing
    (e.g. {"age": {"Vill ej svara": ""}}).

    Args:
        path: The export (.csv or .xlsx).
        options: Header mapping, answer mappings, multi-choice layout, CSV settings.
        regions: The known regions; values are returned in this spelling.
        year: The survey year; fills a missing year column, else every row must equal it.
        display: How to name the file in messages (default: the path as given).
        years: For a file holding every year (its path has no `{year}`), the params'
            years: rows of other years are left out (and said in the run log), rows
            may be of any of these, and the year column is required unless `year`
            fills it (params of one year).

    Returns:
        One row per respondent with the columns `OUTPUT_COLUMNS`: respondent_id, region
        and the category codes (tasks: codes joined by ";") as str, year int64, age
        Int64, employment_pct/months_worked/salary_monthly_fte float64, trained and
        supervision "boolean"; empty cells are missing.

    Raises:
        InputError: With one Problem per bad column, cell, or repeated id.
    """
    raw = read_raw_table(path, options, display)
    decimal = options.decimal if path.suffix.lower() == ".csv" else None
    ticks = options.multi_choice.get("tasks", MultiChoice())
    required = [
        name
        for name in SURVEY_COLUMNS
        if not (name == "year" and year is not None) and not (name == "tasks" and ticks.columns)
    ]
    optional = ["year", *SURVEY_OPTIONAL_COLUMNS]
    headers = map_headers(
        raw,
        options,
        required,
        optional=optional,
        reserved=ticks.columns,
        hints=every_year_hints(years),
    )
    problems: list[Problem] = [*headers.problems, *_no_rows(raw)]
    raw, notes = keep_years(raw, headers.found.get("year"), years, decimal=decimal)
    columns: dict[str, pd.Series] = {}
    for name in OUTPUT_COLUMNS:
        header = headers.found.get(name)
        if header is not None:
            columns[name], found = _column(
                name,
                Cells.of(raw, header),
                options,
                decimal,
                regions,
                None if years is not None else year,
            )
            problems += found
    if "respondent_id" in headers.found:
        problems += check_identifiers(
            Cells.of(raw, headers.found["respondent_id"]),
            "a respondent id",
            "respondent id",
            years=columns.get("year"),
        )
    if "tasks" in headers.found:
        notes += _free_text_note(Cells.of(raw, headers.found["tasks"]), options)
    if ticks.columns:
        columns["tasks"], found, free = _ticked_tasks(raw, ticks, options.values.get("tasks"))
        problems += found + _other_with_columns(ticks, raw.display)
        notes += free
    if problems:
        raise InputError(sorted_problems(problems, raw))
    frame = _frame(columns, len(raw.frame), year)
    warn_once(_log, [*notes, *doubtful_responses(frame, raw.rows, raw.display)], _WARNED)
    return frame


_WARNED: set[str] = set()
"""The warnings this process has logged already."""


_ANSWERS = tuple(c for c in OUTPUT_COLUMNS if c not in ("respondent_id", "year", "region"))
_AMOUNTS = ("age", "months_worked", "salary_monthly_fte")


def doubtful_responses(frame: pd.DataFrame, rows: Sequence[int], display: str) -> list[Problem]:
    """Responses that count in the response rate but may not be one person's answers.

    Both are read as they are (they may be right) and reported, since each changes the
    number of respondents: a response that answers no question (a survey tool's export of
    started, unanswered responses), and one whose every answer, with at least one amount
    (age, months, salary), repeats an earlier response of the region and year (the same person
    twice: a double submission, or two exports pasted together under other ids).

    Args:
        frame: The canonical survey table.
        rows: The spreadsheet row of each of its rows.
        display: How to name the file.

    Returns:
        At most one Problem for the unanswered responses and one per repeat.
    """
    answers = frame[list(_ANSWERS)].astype(object)
    answers = answers.where(answers.notna(), None)
    found: list[Problem] = []
    unanswered = [
        rows[i]
        for i, row in enumerate(answers.itertuples(index=False))
        if not any(v is not None for v in row)
    ]
    if unanswered:
        shown = ", ".join(str(r) for r in unanswered[:5]) + (" ..." if len(unanswered) > 5 else "")
        found.append(
            Problem(
                display,
                f"{len(unanswered)} response(s) answer no question (rows {shown}); they count "
                "as respondents in the response rate: remove them if they only opened the survey",
            )
        )
    first: dict[tuple, int] = {}
    amounts = frame[list(_AMOUNTS)].notna().any(axis=1).tolist()
    for i, row in enumerate(answers.itertuples(index=False)):
        if not amounts[i]:
            continue
        key = (frame["year"].iloc[i], frame["region"].iloc[i], tuple(row))
        if key in first:
            found.append(
                Problem(
                    display,
                    f"respondent {frame['respondent_id'].iloc[i]!r} gives every answer of row "
                    f"{rows[first[key]]} (respondent {frame['respondent_id'].iloc[first[key]]!r}): "
                    "the same person twice? both count as respondents",
                    row=rows[i],
                )
            )
        else:
            first[key] = i
    return found


def _no_rows(raw: RawTable) -> list[Problem]:
    if len(raw.frame):
        return []
    return [Problem(raw.display, "has a header but no data rows; expected one row per respondent")]


def _column(
    name: str,
    cells: Cells,
    options: TableOptions,
    decimal: str | None,
    regions: Sequence[str],
    year: int | None,
) -> tuple[pd.Series, list[Problem]]:
    texts = options.values.get(name)
    if name == "respondent_id":
        return to_text(cells), []  # checked with the years (`check_identifiers`)
    if name == "year":
        return to_year(cells, year, decimal=decimal)
    if name == "region":
        return to_choice(cells, regions, region_expected(regions), texts, what="region")
    if name in _CODES:
        return to_code(cells, name, texts)
    if name in _BOOLS:
        return to_bool(cells, texts)
    if name == "tasks":
        layout = options.multi_choice.get("tasks", MultiChoice())
        other, problems = _other_code(layout, cells.file)
        values, found = to_codes(
            cells,
            "tasks",
            texts,
            delimiter=layout.delimiter,
            other=other,
            none=layout.none,
            expected=allowed_text("tasks", hint=_OTHER_HINT),
        )
        return values, problems + found
    spec = _NUMBERS[name]
    cells = remap(cells, texts)  # e.g. "Vet ej" -> "" (missing)
    if spec.kind == "int":
        values, problems = to_int(cells, spec.expected, decimal=decimal)
    else:
        values, problems = to_float(
            cells,
            spec.expected,
            decimal=decimal,
            percent=spec.percent,
            refuse_ambiguous=spec.refuse_ambiguous,
        )
    problems += check_range(
        values, cells, spec.expected, low=spec.low, high=spec.high, low_open=spec.low_open
    )
    if spec.percent:
        problems += _fractions(values, cells, spec.expected)
    return values, problems


OTHER_TASK = "annan"
"""The tasks code of an "other, please specify" option (Annat/Övrigt (ange))."""

_OTHER_HINT = (
    "for the free text of an 'other, please specify' option written into this cell, "
    f"set multi_choice.tasks.other: {OTHER_TASK}; for a 'none of these' option, list its "
    "text under multi_choice.tasks.none"
)


def _other_code(layout: MultiChoice, file: str) -> tuple[str | None, list[Problem]]:
    """The tasks code that `multi_choice.tasks.other` names, or a Problem if it names none."""
    if layout.other is None:
        return None, []
    code = code_lookup("tasks").get(text_key(layout.other))
    if code is None:
        expected = ", ".join(CATEGORIES["tasks"])
        return None, [
            Problem(
                file, f"multi_choice.tasks.other is {layout.other!r}; expected one of {expected}"
            )
        ]
    return code, []


def _other_with_columns(layout: MultiChoice, file: str) -> list[Problem]:
    # With one column per option the "other" option has a column of its own: map it.
    # "None of these" needs no key there: every option column "not ticked" says it.
    problems = []
    if layout.other is not None:
        problems.append(
            Problem(
                file,
                "multi_choice.tasks.other applies to tasks in one column; with "
                "multi_choice.tasks.columns, map the column of the 'other' option (or of "
                f"its free text) to {OTHER_TASK!r} there instead",
            )
        )
    if layout.none:
        problems.append(
            Problem(
                file,
                "multi_choice.tasks.none applies to tasks in one column; with "
                "multi_choice.tasks.columns, a respondent whose every option column is "
                "not ticked (0, nej, ...) chose none; leave the 'none' column unmapped",
            )
        )
    return problems


def _free_text_note(cells: Cells, options: TableOptions) -> list[Problem]:
    """Say how many one-cell answers held free text read as the "other" option.

    The texts themselves are not read into the table and not quoted: an "other,
    please specify" answer may name a person.
    """
    layout = options.multi_choice.get("tasks", MultiChoice())
    other, _ = _other_code(layout, cells.file)
    if other is None:
        return []
    lookup = option_lookup("tasks", options.values.get("tasks"))
    none = {text_key(text) for text in layout.none}
    count = sum(
        1
        for text in cells.text
        if text is not None and unknown_options(text, lookup, layout.delimiter, none)
    )
    if not count:
        return []
    return [
        Problem(
            cells.file,
            f"column {cells.header!r}: {count} answer(s) hold an option that is no listed "
            f"task, read as {other!r} (multi_choice.tasks.other; the free text is not read)",
        )
    ]


def _fractions(values: pd.Series, cells: Cells, expected: str) -> list[Problem]:
    """One Problem per percentage strictly between 0 and 1: a share of full time (0.75).

    A statistics program or a cell not formatted as a percentage exports 75 % as 0.75,
    which read as 0.75 % would land in the lowest band without a word.
    """
    numbers = values.astype("float64").tolist()
    return [
        cells.problem(
            i,
            f"{cells.text.iloc[i]!r} looks like a share of full time, not a percentage "
            f"(75 % exported as 0.75); expected {expected}: write it as a percentage, "
            "e.g. 75, or format the cells as percentages",
        )
        for i, number in enumerate(numbers)
        if 0 < number < 1
    ]


def _ticked_tasks(
    raw: RawTable, layout: MultiChoice, texts: dict[str, str] | None
) -> tuple[pd.Series, list[Problem], list[Problem]]:
    """The tasks from one column per option: the codes, the problems, and notes for the log.

    The column of the "other" option (`OTHER_TASK`) counts as ticked for any text but the
    unticked words: tools write the typed text there instead of a tick (SurveyMonkey),
    or export it as a column of its own, which may be mapped to the same code. How many
    texts were read so is noted; the texts themselves are not kept.
    """
    order = list(CATEGORIES["tasks"])
    lookup = code_lookup("tasks")
    present = {text_key(h): h for h in raw.frame.columns if h}
    problems: list[Problem] = []
    notes: list[Problem] = []
    chosen: dict[str, pd.Series] = {}
    for header, code in layout.columns.items():
        code = lookup.get(text_key(code), code)
        if code not in order:
            problems.append(
                Problem(
                    raw.display,
                    f"multi_choice.tasks.columns maps {header!r} to {code!r}; "
                    f"expected one of {', '.join(order)}",
                )
            )
            continue
        written = present.get(text_key(header))
        if written is None:
            problems.append(
                Problem(
                    raw.display,
                    f"no column {header!r} for the tasks option {code!r} "
                    "(listed under multi_choice.tasks.columns)",
                    row=1,
                )
            )
            continue
        spellings = [code, *CATEGORIES["tasks"][code].values()]
        spellings += [t for t, c in (texts or {}).items() if text_key(c) == text_key(code)]
        cells = Cells.of(raw, written)
        free_text = code == OTHER_TASK
        ticks, found = to_ticks(cells, spellings, free_text=free_text)
        problems += found
        typed = typed_texts(cells, spellings) if free_text else 0
        if typed:
            notes.append(
                Problem(
                    raw.display,
                    f"column {written!r}: {typed} typed answer(s) read as the option "
                    f"{OTHER_TASK!r} chosen (the free text is not read)",
                )
            )
        # Two option columns may feed one code; the option is chosen if either is ticked.
        chosen[code] = ticks if code not in chosen else (chosen[code] | ticks)
    return _join_ticks(chosen, order, len(raw.frame)), problems, notes


def _join_ticks(chosen: dict[str, pd.Series], order: list[str], n: int) -> pd.Series:
    codes = [code for code in order if code in chosen]
    if not codes:
        return pd.Series([None] * n, dtype="str")
    ticks = pd.DataFrame({code: chosen[code] for code in codes})
    joined = [
        ";".join(code for code, tick in zip(codes, row, strict=True) if tick is True)
        for row in ticks.astype(object).itertuples(index=False)
    ]
    # A respondent who left every option empty did not answer: missing, not "".
    unanswered = ticks.isna().all(axis=1).to_numpy()
    return pd.Series(
        [None if skip else text for text, skip in zip(joined, unanswered, strict=True)],
        dtype="str",
    )


def _frame(columns: dict[str, pd.Series], n: int, year: int | None) -> pd.DataFrame:
    if "year" not in columns:
        columns["year"] = pd.Series([year] * n, dtype="int64")
    data = {
        name: columns[name].astype(_DTYPES[name])
        if name in columns
        else pd.Series([None] * n, dtype=_DTYPES[name])
        for name in OUTPUT_COLUMNS
    }
    return pd.DataFrame(data, index=pd.RangeIndex(n))
