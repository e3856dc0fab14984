"""Follow-up of recommendations, round by round (the report's "development over time").

Evaluations repeat: a recommendation made in one round is followed up in the next ones
("kvarstår", "delvis genomförd", "genomförd"). Pure functions over the table that
`pipeline.readers.recommendations` reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from pipeline.disclosure import DEFAULT_K, disclose_public, display_table
from pipeline.formatting import md_text
from pipeline.i18n import DEFAULT_LANGUAGE, Catalog
from pipeline.rounds import join_words, no_data
from pipeline.schema import CATEGORIES, label
from pipeline.tables import markdown_table

STATUSES: tuple[str, ...] = tuple(CATEGORIES["recommendation_status"])

_t = Catalog("followup")


def _present(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _statuses(value: object) -> dict[int, str]:
    if not isinstance(value, dict):
        return {}
    return {int(y): str(code) for y, code in value.items() if _present(code) is not None}


def _natural_key(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


def recommendation_followup(
    recommendations: pd.DataFrame, region: str, year: int, lang: str = "sv"
) -> pd.DataFrame:
    """Recommendations made up to `year` for a region, followed up round by round.

    Args:
        recommendations: Columns id, region, made (year), text_sv, text_en, status
            (dict {year: kvarstar|delvis|genomford}).
        region: The region.
        year: The report year.
        lang: Language of the text and labels.

    Returns:
        One row per recommendation (by year made, then id) with columns id, made,
        text, one column per round (str(year): "Ny"/"New" in the round it was made,
        the status label in later rounds, "–" when not followed up, "" before it
        was made), change (new|not_followed|first|unchanged|changed) and
        change_text (e.g. "Ändrad från Kvarstår till Genomförd").

    Raises:
        ValueError: A status code is not one of kvarstar, delvis, genomford.
    """
    rows = recommendations.loc[
        (recommendations["region"] == region) & (recommendations["made"].astype(int) <= int(year))
    ]
    records = [dict(r, _status=_statuses(r.get("status"))) for r in rows.to_dict("records")]
    bad = [
        f"{r['id']}: {y}={code!r}"
        for r in records
        for y, code in sorted(r["_status"].items())
        if code not in STATUSES
    ]
    if bad:
        raise ValueError(f"unknown recommendation status (expected {list(STATUSES)}): {bad}")
    round_years = sorted(
        {int(r["made"]) for r in records}
        | {y for r in records for y in r["_status"] if y <= int(year)}
    )
    records.sort(key=lambda r: (int(r["made"]), _natural_key(str(r["id"]))))
    out = []
    for r in records:
        made = int(r["made"])
        text = r.get(f"text_{lang}")
        if not isinstance(text, str) or not text.strip():
            text = r.get(f"text_{DEFAULT_LANGUAGE}") or ""  # no text in the language: the default's
        row: dict[str, object] = {"id": str(r["id"]), "made": made, "text": text}
        for y in round_years:
            row[str(y)] = _round_cell(r["_status"], made, y, lang)
        row["change"], row["change_text"] = _change(r["_status"], made, int(year), lang)
        out.append(row)
    columns = ["id", "made", "text", *[str(y) for y in round_years], "change", "change_text"]
    return pd.DataFrame.from_records(out, columns=columns)


def _status_label(code: str, lang: str) -> str:
    return label("recommendation_status", code, lang)


def _round_cell(status: dict[int, str], made: int, year: int, lang: str) -> str:
    if year < made:
        return ""
    if year == made:
        return _t(lang, "new")
    return _status_label(status[year], lang) if year in status else "–"


def _change(status: dict[int, str], made: int, year: int, lang: str) -> tuple[str, str]:
    if made == year:
        return "new", _t(lang, "new")
    if year not in status:
        return "not_followed", _t(lang, "not_followed")
    current = status[year]
    earlier = [y for y in status if made < y < year]
    if not earlier:
        return "first", _t(lang, "first_followup", status=_status_label(current, lang))
    previous = status[max(earlier)]
    if previous == current:
        return "unchanged", _t(lang, "unchanged", status=_status_label(current, lang))
    return "changed", _t(
        lang, "changed", old=_status_label(previous, lang), new=_status_label(current, lang)
    )


def recommendation_followup_markdown(
    recommendations: pd.DataFrame,
    region: str,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    all_rounds: Sequence[int] | None = None,
) -> str:
    """The follow-up of recommendations as a Markdown table.

    A round of the evaluation (`all_rounds`, from `pipeline.rounds`) in which nothing
    was followed up keeps its column, marked "ingen datainsamling", and a sentence
    names it: no year disappears silently.

    Args:
        recommendations: The recommendations table.
        region: The region.
        year: The report year.
        lang: The report language.
        k: The minimum group size (recorded only: recommendations hold no person data).
        all_rounds: The region's evaluation rounds up to `year` (default: only the
            rounds with a follow-up).

    Returns:
        Markdown: a pipe table (recommendation, made, one column per round, change).
    """
    # Recommendations are about organisations, not persons: public, but on the one path
    # every published table takes (pipeline.disclosure).
    disclosed = disclose_public(
        recommendation_followup(recommendations, region, year, lang), k or DEFAULT_K
    )
    table = display_table(disclosed, {})
    if table.empty:
        return md_text(_t(lang, "no_recommendations", region=region, year=year)) + "\n"
    rounds_ = [c for c in table.columns if c.isdigit()]
    first = int(rounds_[0]) if rounds_ else int(year)
    absent = sorted(
        {int(y) for y in all_rounds or ()} - {int(y) for y in rounds_} if all_rounds else set()
    )
    absent = [y for y in absent if first < y <= int(year)]
    columns = {y: table[y] for y in rounds_}
    for y in absent:
        columns[f"{y} ({no_data(lang)})"] = ["·"] * len(table)
    ordered = sorted(columns, key=lambda head: int(head[:4]))
    shown = pd.DataFrame(
        {
            _t(lang, "recommendation"): [
                f"{i}. {t}" for i, t in zip(table["id"], table["text"], strict=True)
            ],
            _t(lang, "made"): table["made"].astype(str),
            **{head: columns[head] for head in ordered},
            _t(lang, "change"): table["change_text"],
        }
    )
    text = markdown_table(shown, align="l" + "r" + "l" * (len(ordered) + 1))
    if absent:
        years = join_words(absent, lang)
        text += "\n" + md_text(_t(lang, "no_round", region=region, years=years)) + "\n"
    return text
