"""The national overview's own tables: regions side by side with the whole country.

Built on the same per-region functions as the regional reports, so a region's column is
exactly what its own report shows. The national column pools the *reported* groups of
every region (groups below k are left out of it too), so no national figure minus the
regional ones can reveal a suppressed group.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis import Scope
from pipeline.analysis.interviews import InterviewData
from pipeline.analysis.themes import theme_by_group
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.formatting import md_text, number, percent
from pipeline.i18n import Catalog
from pipeline.tables import markdown_table
from pipeline.text.themes import N_EQUALS

_t = Catalog("overview")


def theme_prevalence_with_nation(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    year: int,
    k: int | None = None,
    lang: str = "sv",
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of interviews raising each top-level theme: per region and for the country.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook's themes table.
        year: The evaluation round.
        k: Minimum group size (persons).
        lang: "sv" or "en".
        regions: Column order (e.g. the params' regions); default: sorted names.

    Returns:
        One row per theme (codebook order): theme, label, one column per region with
        interviews that year, then the national column (message `overview.nation`); shares in
        percent (Float64), NA where a region has no reported group. `attrs["interviews"]`
        holds each share column's base: the reported groups' interviews.
    """
    present = set(register.loc[register["year"].astype(int) == int(year), "region"])
    regions = [r for r in (regions or sorted(present)) if r in present]
    result: pd.DataFrame | None = None
    pooled: pd.DataFrame | None = None
    bases: dict[str, int] = {}
    for region in regions:
        scope = Scope(region=region, year=year, lang=lang, interview_k=k)
        table = theme_by_group(InterviewData(register, segments, themes), scope)
        shown = table.loc[~table["suppressed"]]
        bases[region] = int(shown.drop_duplicates("group")["interviews"].sum())
        grouped = shown.groupby("theme", sort=False)[["interviews", "mentioning"]].sum()
        if result is None:
            result = table.drop_duplicates("theme")[["theme", "label"]].reset_index(drop=True)
        shares = (100.0 * grouped["mentioning"] / grouped["interviews"]).astype("Float64")
        result[region] = result["theme"].map(shares).astype("Float64")
        pooled = grouped if pooled is None else pooled.add(grouped, fill_value=0)
    if result is None:
        return pd.DataFrame(columns=["theme", "label"])
    nation = pd.Series(dtype="Float64")
    if pooled is not None and len(pooled):
        nation = (100.0 * pooled["mentioning"] / pooled["interviews"]).astype("Float64")
    result[_t(lang, "nation")] = result["theme"].map(nation).astype("Float64")
    result.attrs["interviews"] = {**bases, _t(lang, "nation"): sum(bases.values())}
    return result


def theme_prevalence_with_nation_markdown(
    register: pd.DataFrame,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    year: int,
    lang: str = "sv",
    k: int | None = None,
    regions: Sequence[str] | None = None,
) -> str:
    """The overview's theme table with the national column, and its note as a sentence.

    Args:
        register: The interview register.
        segments: The coded segments.
        themes: The codebook's themes table.
        year: The evaluation round.
        lang: "sv" or "en".
        k: Minimum group size (persons).
        regions: Column order.

    Returns:
        Markdown table and note, or a sentence when no region has interviews that year.
    """
    texts = _t.texts(lang)
    table = theme_prevalence_with_nation(register, segments, themes, year, k, lang, regions)
    if table.empty:
        return md_text(texts["none"]) + "\n"
    shown = pd.DataFrame({texts["theme"]: table["label"]})
    bases = table.attrs.get("interviews", {})
    for column in [c for c in table.columns if c not in ("theme", "label")]:
        # The base of every share, as the regional tables give it: "Region 07 (n = 2)".
        # A region without a reported group has no base to give (its column is marked).
        n = bases.get(column, 0)
        head = f"{column} ({N_EQUALS}{number(n, lang, 0)})" if n else column
        shown[head] = [
            SUPPRESSED_MARK if pd.isna(v) else percent(float(v), lang, 0) for v in table[column]
        ]
    return markdown_table(shown) + "\n" + texts["note"].format(k=k) + "\n"
