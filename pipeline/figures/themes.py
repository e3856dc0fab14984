"""Figures of the thematic analysis: theme x group heatmap, factors, themes across rounds.

Each figure function takes the `Disclosed` table of its analysis function in
`pipeline.analysis.themes` (`disclose_theme_by_group`, `disclose_factors`,
`disclose_across_rounds`) and nothing else, and returns a Figure; for a withheld table
it returns the sentence that says why instead (display either with
`pipeline.figures.present.present`), so no figure is drawn empty; an empty table (no
interviews: nothing collected, nothing withheld) gives the no-data-collection sentence.
Each has an `*_alt` companion that states the key numbers as text for the figure's alt
attribute. Theme labels are data: `_plain` escapes "$" so that matplotlib's mathtext
never interprets them, and figures are built with usetex off.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pipeline.disclosure import SUPPRESSED_MARK, Disclosed, disclosed_withheld_message
from pipeline.figures.style import (
    HINDERING_COLOUR,
    PALETTE,
    PROMOTING_COLOUR,
    new_figure,
    report_style,
)
from pipeline.formatting import number, percent
from pipeline.i18n import Catalog
from pipeline.rounds import no_data
from pipeline.schema import label

_t = Catalog("figures_themes")

_MARKERS = ("o", "s", "^", "D", "v", "P")
_SAFE_TEXT = {"text.usetex": False, "text.parse_math": True}


def _plain(text: object, width: int = 0) -> str:
    """Data text for a figure: "$" escaped (no mathtext), optionally wrapped."""
    value = " ".join(str(text).split())
    if width:
        value = "\n".join(textwrap.wrap(value, width)) or value
    return value.replace("$", r"\$")


def _style() -> contextlib.AbstractContextManager:
    # Text objects fix usetex/parse_math when created: build them with mathtext on and
    # usetex off, so the "$" escaping of `_plain` is what decides.
    return mpl.rc_context(_SAFE_TEXT)


# --- heatmap ---------------------------------------------------------------------------


def _table(disclosed: Disclosed, what: str) -> pd.DataFrame:
    """The values of a disclosed table, with `suppressed` per row (of its counts)."""
    if not isinstance(disclosed, Disclosed):
        raise TypeError(f"{what} takes a Disclosed table (see pipeline.analysis.themes.disclose_*)")
    table = disclosed.table.copy()
    counts = "mentioning" if "mentioning" in table.columns else table.columns[-1]
    table["suppressed"] = disclosed.suppressed[counts].astype(bool).to_numpy()
    return table


def _heatmap_grid(table: pd.DataFrame) -> tuple[list, list, pd.DataFrame]:
    themes = list(dict.fromkeys(table["theme"]))
    groups = list(dict.fromkeys(table["group"]))
    grid = table.set_index(["theme", "group"])
    return themes, groups, grid


def theme_heatmap(disclosed: Disclosed, lang: str = "sv") -> Figure | str:
    """Heatmap of themes x respondent groups, coloured by share, annotated "m/n".

    Args:
        disclosed: Output of `pipeline.analysis.themes.disclose_theme_by_group` (long format).
        lang: The report language.

    Returns:
        The figure, suppressed groups as hatched grey cells marked `SUPPRESSED_MARK`;
        the withheld sentence (plain text) when no group may be shown.

    Raises:
        TypeError: When given anything but a `Disclosed` table.
    """
    table = _table(disclosed, "theme_heatmap")
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    if table.empty:
        return _t(lang, "no_collection")
    themes, groups, grid = _heatmap_grid(table)
    height = max(2.2, 0.55 * len(themes) + 1.4)
    with report_style(), _style():
        fig = new_figure(7.0, height)
        ax = fig.subplots()
        ax.grid(False)
        values = np.full((len(themes), len(groups)), np.nan)
        for i, theme in enumerate(themes):
            for j, group in enumerate(groups):
                share = grid.loc[(theme, group), "share"]
                values[i, j] = np.nan if pd.isna(share) else float(share)
        image = ax.imshow(
            np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=100, aspect="auto"
        )
        for i, theme in enumerate(themes):
            for j, group in enumerate(groups):
                row = grid.loc[(theme, group)]
                if bool(row["suppressed"]):
                    ax.add_patch(
                        Rectangle(
                            (j - 0.5, i - 0.5),
                            1,
                            1,
                            facecolor="#eeeeee",
                            hatch="//",
                            edgecolor="#bbbbbb",
                            linewidth=0,
                        )
                    )
                    ax.text(j, i, SUPPRESSED_MARK, ha="center", va="center", color="#555555")
                    continue
                text = f"{int(row['mentioning'])}/{int(row['interviews'])}"
                dark = float(row["share"]) > 60
                ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black")
        ax.set_xticks(range(len(groups)), [_group_tick(grid, g, themes[0], lang) for g in groups])
        ax.set_yticks(
            range(len(themes)), [_plain(grid.loc[(t, groups[0]), "label"], 32) for t in themes]
        )
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, fraction=0.05)
        bar.set_label(_t(lang, "share_short"))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: percent(v, lang, 0)))
    return fig


def _group_tick(grid: pd.DataFrame, group: str, theme: str, lang: str) -> str:
    row = grid.loc[(theme, group)]
    # One word per line: four group names side by side would otherwise overlap.
    name = _plain(label("group", group, lang)).replace(" ", "\n")
    suffix = f"\n({_t(lang, 'suppressed')})" if bool(row["suppressed"]) else ""
    return f"{name}\nn = {number(int(row['interviews']), lang, 0)}{suffix}"


def theme_heatmap_alt(disclosed: Disclosed, lang: str = "sv") -> str:
    """Alt text of `theme_heatmap`: every theme's counts per group.

    Args:
        disclosed: Output of `pipeline.analysis.themes.disclose_theme_by_group`.
        lang: The report language.

    Returns:
        Plain text (escape it for the target before embedding).
    """
    table = _table(disclosed, "theme_heatmap_alt")
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    if table.empty:
        return _t(lang, "no_collection")
    parts = [_t(lang, "heatmap_alt")]
    for _, rows in table.groupby("theme", sort=False):
        cells = []
        for row in rows.to_dict("records"):
            name = label("group", row["group"], lang)
            if row["suppressed"]:
                cells.append(f"{name} {_t(lang, 'suppressed_alt')}")
            else:
                cells.append(
                    f"{name} {number(int(row['mentioning']), lang, 0)} {_t(lang, 'of')} "
                    f"{number(int(row['interviews']), lang, 0)}"
                )
        parts.append(f"{rows['label'].iloc[0]}: {', '.join(cells)}.")
    return " ".join(parts)


# --- promoting vs hindering -------------------------------------------------------------


def factors_chart(disclosed: Disclosed, lang: str = "sv") -> Figure | str:
    """Diverging bar chart: hindering segments to the left, promoting to the right.

    Args:
        disclosed: Output of `pipeline.analysis.themes.disclose_factors`.
        lang: The report language.

    Returns:
        The figure, themes top to bottom in codebook order; the withheld sentence when
        no group may be shown.

    Raises:
        TypeError: When given anything but a `Disclosed` table.
    """
    table = _table(disclosed, "factors_chart")
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    if table.empty:
        return _t(lang, "no_collection")
    n = len(table)
    height = max(2.2, 0.45 * n + 1.3)
    with report_style(), _style():
        fig = new_figure(7.0, height)
        ax = fig.subplots()
        y = np.arange(n)
        promoting = table["framjande"].astype(int).to_numpy()
        hindering = table["hindrande"].astype(int).to_numpy()
        ax.barh(y, promoting, color=PROMOTING_COLOUR, label=label("factor", "framjande", lang))
        ax.barh(y, -hindering, color=HINDERING_COLOUR, label=label("factor", "hindrande", lang))
        limit = max(1, int(promoting.max(initial=0)), int(hindering.max(initial=0)))
        pad = 0.02 * limit
        for i in range(n):
            ax.text(promoting[i] + pad, i, number(promoting[i], lang, 0), va="center", ha="left")
            ax.text(-hindering[i] - pad, i, number(hindering[i], lang, 0), va="center", ha="right")
        ax.set_xlim(-limit * 1.2, limit * 1.2)
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_yticks(y, [_plain(v, 32) for v in table["label"]])
        ax.invert_yaxis()
        ax.set_axisbelow(True)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(abs(v), lang, 0)))
        ax.set_xlabel(_t(lang, "segments_axis"))
        ax.legend(loc="lower right", frameon=False)
    return fig


def factors_chart_alt(disclosed: Disclosed, lang: str = "sv") -> str:
    """Alt text of `factors_chart`: promoting and hindering counts per theme.

    Args:
        disclosed: Output of `pipeline.analysis.themes.disclose_factors`.
        lang: The report language.

    Returns:
        Plain text.
    """
    table = _table(disclosed, "factors_chart_alt")
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    if table.empty:
        return _t(lang, "no_collection")
    promoting = label("factor", "framjande", lang).lower()
    hindering = label("factor", "hindrande", lang).lower()
    parts = [_t(lang, "factors_alt")]
    for row in table.to_dict("records"):
        parts.append(
            f"{row['label']}: {number(int(row['framjande']), lang, 0)} {promoting}, "
            f"{number(int(row['hindrande']), lang, 0)} {hindering}."
        )
    return " ".join(parts)


# --- themes across rounds ---------------------------------------------------------------


def _round_years(across: pd.DataFrame, all_rounds: Sequence[int] | None) -> list[int]:
    """The chart's years: the rounds with interviews and, after the first of them, the
    evaluation rounds without (as the rounds table has them: "2019 (ingen datainsamling)")."""
    years = sorted({int(y) for y in across["year"]})
    absent = {int(y) for y in all_rounds or ()} - set(years)
    return sorted([*years, *(y for y in absent if years and y > years[0])])


def _shares(rows: pd.DataFrame, years: list[int]) -> list[float]:
    """A theme's share per year, NaN where nothing is shown (withheld or not collected)."""
    by_year = {
        int(y): float(s) for y, s in zip(rows["year"], rows["share"], strict=True) if not pd.isna(s)
    }
    return [by_year.get(y, np.nan) for y in years]


def rounds_chart(
    disclosed: Disclosed, lang: str = "sv", all_rounds: Sequence[int] | None = None
) -> Figure | str:
    """Line-and-dot chart of the share of interviews mentioning each theme per round.

    A round without a shown share, withheld (no group of interview_k) or without
    interviews at all, has no point, and the line breaks there: a line drawn across it
    would show a development nobody measured. Never a point at zero.

    Args:
        disclosed: Output of `pipeline.analysis.themes.disclose_across_rounds`.
        lang: The report language.
        all_rounds: The region's evaluation rounds (`pipeline.rounds.evaluation_rounds`);
            a round among them without interviews gets its place on the x axis, empty.

    Returns:
        The figure; rounds on the x axis, 0-100 % on the y axis, one line per theme;
        the withheld sentence when no round may be shown.

    Raises:
        TypeError: When given anything but a `Disclosed` table.
    """
    across = _table(disclosed, "rounds_chart")
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    if across.empty:
        return _t(lang, "no_collection")
    years = _round_years(across, all_rounds)
    with report_style(), _style():
        fig = new_figure(7.0, 3.8)
        ax = fig.subplots()
        ax.grid(True, axis="y")
        for index, (_, rows) in enumerate(across.groupby("theme", sort=False)):
            # NaN between two shares breaks matplotlib's line; a lone share is a dot.
            ax.plot(
                years,
                _shares(rows, years),
                marker=_MARKERS[index % len(_MARKERS)],
                color=PALETTE[index % len(PALETTE)],
                linestyle="-" if index < len(PALETTE) else "--",
                label=_plain(rows["label"].iloc[0] if len(rows) else "", 28),
            )
        interviewed = {int(y) for y in across["year"]}
        ticks = [str(y) if y in interviewed else f"{y}\n({no_data(lang)})" for y in years]
        ax.set_xticks(years, ticks)
        if len(years) == 1:
            ax.set_xlim(years[0] - 1, years[0] + 1)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: percent(v, lang, 0)))
        ax.set_ylabel(_t(lang, "share_axis"))
        if ax.get_legend_handles_labels()[0]:  # no rounds with data: nothing to explain
            ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def rounds_chart_alt(
    disclosed: Disclosed,
    lang: str = "sv",
    trends: pd.DataFrame | None = None,
    all_rounds: Sequence[int] | None = None,
) -> str:
    """Alt text of `rounds_chart`: every theme's share per round (and trend).

    A round without a shown share says why in words ("ej redovisad", "ingen
    datainsamling"), not with the tables' marks, which a screen reader reads as symbols.

    Args:
        disclosed: Output of `pipeline.analysis.themes.disclose_across_rounds`.
        lang: The report language.
        trends: Optional output of `pipeline.analysis.themes.classify_trends`; adds each
            theme's trend label.
        all_rounds: The region's evaluation rounds, as for `rounds_chart`.

    Returns:
        Plain text.
    """
    across = _table(disclosed, "rounds_chart_alt")
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    if across.empty:
        return _t(lang, "no_collection")
    years = _round_years(across, all_rounds)
    interviewed = {int(y) for y in across["year"]}
    labels = (
        {} if trends is None else dict(zip(trends["theme"], trends["trend_label"], strict=True))
    )
    parts = [_t(lang, "rounds_alt")]
    for theme, rows in across.groupby("theme", sort=False):
        cells = [
            f"{y} "
            + (
                no_data(lang)
                if y not in interviewed
                else _t(lang, "suppressed")
                if np.isnan(share)
                else percent(share, lang, 0)
            )
            for y, share in zip(years, _shares(rows, years), strict=True)
        ]
        trend = labels.get(theme) or ""
        suffix = f" ({trend.lower()})" if trend else ""
        parts.append(f"{rows['label'].iloc[0]}: {', '.join(cells)}{suffix}.")
    if across["share"].isna().any():
        parts.append(_t(lang, "rounds_suppressed_alt"))
    return " ".join(parts)
