"""Recommendations of earlier evaluation rounds and their follow-up, from `recommendations.yaml`.

Format (every other key is an error)::

    recommendations:
      - id: STO-2017-1                  # unique
        region: Stockholm               # one of the evaluation's regions
        made: 2017                      # the round that made it
        text: {sv: "...", en: "..."}    # both languages required
        status: {2018: kvarstar, 2020: delvis}   # optional; round -> status

A status is a code of `CATEGORIES["recommendation_status"]` (kvarstar, delvis,
genomford) or its Swedish or English label, recorded in a round after `made`.

The table has one row per recommendation and a `status` column holding a dict
{round: code} in round order; `status_table` turns it into one row per follow-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.readers.codebook import key_path, load_yaml, match_key, texts, unknown_keys
from pipeline.readers.values import code_lookup
from pipeline.schema import CATEGORIES, LANGUAGES

RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "id",
    "region",
    "made",
    *(f"text_{lang}" for lang in LANGUAGES),
    "status",
)
STATUS_COLUMNS: tuple[str, ...] = ("id", "region", "made", "year", "status")

_KEYS = ("id", "region", "made", "text", "status")
_STATUSES = code_lookup("recommendation_status")


def read_recommendations(
    path: Path, *, regions: Sequence[str], display: str | None = None
) -> pd.DataFrame:
    """Read and validate `recommendations.yaml`.

    Args:
        path: The YAML file.
        regions: The regions the evaluation knows.
        display: How to name the file in messages (default: the path as given).

    Returns:
        RECOMMENDATION_COLUMNS in file order: `made` int64, region in the spelling of
        `regions`, `status` a dict {round (int): status code} sorted by round.

    Raises:
        InputError: A YAML syntax error (with line), or every problem found, each
            naming its key path: unknown keys, duplicated ids, unknown regions, a
            status round not after `made`, unknown status codes, missing texts.
    """
    shown = display or str(path)
    return parse_recommendations(load_yaml(path, shown), shown, regions=regions)


def parse_recommendations(data: object, display: str, *, regions: Sequence[str]) -> pd.DataFrame:
    """Validate an already loaded recommendations document (see `read_recommendations`)."""
    if not isinstance(data, Mapping):
        raise InputError(Problem(display, "expected a mapping with the key 'recommendations'"))
    problems = unknown_keys(data, ("recommendations",), "", display)
    items = data.get("recommendations")
    if not isinstance(items, list):
        problems.append(
            Problem(display, "expected a list of recommendations", key="recommendations")
        )
        items = []
    rows: list[dict[str, object]] = []
    first: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"recommendations[{index}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(display, "expected a mapping", key=where))
            continue
        problems += unknown_keys(item, _KEYS, where, display)
        row = _recommendation(item, where, display, regions, problems)
        identifier = row["id"]
        if isinstance(identifier, str):
            if match_key(identifier) in first:
                problems.append(
                    Problem(
                        display,
                        f"duplicated id {identifier!r} (first at {first[match_key(identifier)]})",
                        key=f"{where}.id",
                    )
                )
            first.setdefault(match_key(identifier), where)
        rows.append(row)
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(rows, columns=list(RECOMMENDATION_COLUMNS))
    for column in ("id", "region", *(f"text_{lang}" for lang in LANGUAGES)):
        frame[column] = frame[column].astype("str")
    frame["made"] = frame["made"].astype("int64")
    frame["status"] = frame["status"].astype(object)
    return frame


def status_table(recommendations: pd.DataFrame) -> pd.DataFrame:
    """Return the follow-ups as one row per recommendation and round.

    Args:
        recommendations: The table from `read_recommendations`.

    Returns:
        STATUS_COLUMNS, in the order of `recommendations` and then by round.
    """
    rows = [
        (rec["id"], rec["region"], rec["made"], year, code)
        for rec in recommendations.to_dict("records")
        for year, code in rec["status"].items()
    ]
    frame = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    return frame.astype(
        {"id": "str", "region": "str", "made": "int64", "year": "int64", "status": "str"}
    )


def _recommendation(
    item: Mapping, where: str, display: str, regions: Sequence[str], problems: list[Problem]
) -> dict[str, object]:
    def problem(key: str, message: str) -> None:
        problems.append(Problem(display, message, key=key_path(where, key)))

    identifier = item.get("id")
    if not isinstance(identifier, str) or not identifier.strip():
        problem("id", f"expected a non-empty id such as STO-2017-1, found {identifier!r}")
        identifier = None
    else:
        identifier = identifier.strip()
    region = _region(item.get("region"), regions)
    if region is None:
        problem(
            "region",
            f"{item.get('region')!r} is not a known region; expected one of {', '.join(regions)}",
        )
    made = _year(item.get("made"))
    if made is None:
        problem(
            "made", f"expected the year the recommendation was made, found {item.get('made')!r}"
        )
    text = texts(item.get("text"), key_path(where, "text"), display, problems, required=True)
    status = _status(item.get("status"), made, key_path(where, "status"), display, problems)
    return {
        "id": identifier,
        "region": region,
        "made": made,
        **{f"text_{lang}": text.get(lang) for lang in LANGUAGES},
        "status": status,
    }


def _region(value: object, regions: Sequence[str]) -> str | None:
    if not isinstance(value, str):
        return None
    return next((r for r in regions if match_key(r) == match_key(value)), None)


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None  # YAML reads "yes"/"no" as booleans, and bool is an int in Python
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1900 <= value <= 2100 else None


def _status(
    value: object, made: int | None, where: str, display: str, problems: list[Problem]
) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(
            Problem(
                display, "expected a mapping of round to status, e.g. {2018: kvarstar}", key=where
            )
        )
        return {}
    found: dict[int, str] = {}
    for key, code in value.items():
        year = _year(key)
        at = key_path(where, key)
        if year is None:
            problems.append(
                Problem(display, f"{key!r} is not a year; expected a round such as 2020", key=at)
            )
        elif made is not None and year <= made:
            problems.append(
                Problem(
                    display,
                    f"a follow-up in {year} is not after the year the "
                    f"recommendation was made ({made})",
                    key=at,
                )
            )
        status = _STATUSES.get(match_key(code)) if isinstance(code, str) else None
        if status is None:
            problems.append(
                Problem(
                    display,
                    f"{code!r} is not a status; expected one of "
                    f"{', '.join(CATEGORIES['recommendation_status'])}",
                    key=at,
                )
            )
        if year is not None and status is not None:
            found[year] = status
    return dict(sorted(found.items()))
