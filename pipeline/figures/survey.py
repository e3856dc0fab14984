"""Figures of the survey: response rate by region, item distributions, tasks, numeric items.

Each figure function returns a `Figure` (never saved or shown) and has an `*_alt`
companion that states the key numbers in one or two sentences for the figure's alt
text. Alt texts are plain text and may contain region names: escape them for the target.

Disclosure: the figures compute their numbers through the same `pipeline.disclosure`
functions as the report tables. A suppressed category gets no bar, only the
`SUPPRESSED_MARK` and the footnote; a withheld breakdown (fewer than k respondents, or
cells no pattern can protect) is not drawn at all: the function returns the sentence
that says why instead of a figure (display either with
`pipeline.figures.present.present`). A numeric item below the extremes threshold is
drawn from its median and quartiles only: no whiskers, no mean.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from pipeline.analysis.survey import (
    compares_with_round,
    describe_numeric,
    disclose_answers,
    linked_tails,
    rate_distribution,
    rate_quartiles,
    response_rates,
)
from pipeline.disclosure import (
    DEFAULT_EXTREMES_K,
    DEFAULT_K,
    SUPPRESSED_MARK,
    Disclosed,
    disclosed_withheld_message,
    footnote,
    suppress_statistics,
)
from pipeline.figures.style import PALETTE, new_figure, report_style
from pipeline.formatting import number, percent
from pipeline.i18n import Catalog
from pipeline.rounds import no_data
from pipeline.text.survey import item_label

_t = Catalog("figures_survey")

_DECIMALS: dict[str, int] = {"salary_monthly_fte": 0}


def _plain(text: object) -> str:
    """Data text for a figure: "$" escaped so matplotlib never reads it as mathtext."""
    return " ".join(str(text).split()).replace("$", r"\$")


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_t(lang, 'and')} {items[-1]}"


# --- response rate -------------------------------------------------------------------------

# A bar's value label sits on a white box above the dashed total line, so the line that
# crosses a label is hidden behind it instead of striking through its digits.
_LABEL_BACKGROUND = {"facecolor": "white", "edgecolor": "none", "pad": 1}
_TOTAL_LINE_ZORDER = 2.5  # above the bars (1) and the grid, below the labels
_LABEL_ZORDER = 3.0


def response_rate_figure(
    survey: pd.DataFrame, population: pd.DataFrame, year: int, lang: str = "sv"
) -> Figure:
    """Horizontal bars of the response rate per region, labelled, with the total as a line.

    Response counts are public, so nothing here is suppressed. A round of more than
    `FULL_COMPARISON_MAX_REGIONS` regions gets `rate_distribution_figure` instead: a
    bar per region would be a chart no one can read.

    Args:
        survey: The canonical survey table (all regions).
        population: The population table.
        year: The year.
        lang: The report language.

    Returns:
        The figure.
    """
    rates = response_rates(survey, population, year)
    if compares_with_round(rates):
        return rate_distribution_figure(rates, year, lang)
    regions, total = rates.loc[~rates["is_total"]], rates.loc[rates["is_total"]].iloc[0]
    with report_style():
        fig = new_figure(7.0, 0.45 * len(regions) + 1.4)
        ax = fig.subplots()
        positions = list(range(len(regions)))
        widths = regions["response_rate"].fillna(0).tolist()
        ax.barh(positions, widths, color=PALETTE[0], height=0.6)
        for y, row in zip(positions, regions.itertuples(index=False), strict=True):
            text = percent(row.response_rate, lang)
            if not row.surveyed:
                # No bar and no "0 %": nobody was asked (as the table says).
                text = no_data(lang)
            elif not pd.isna(row.target_population):
                target = number(row.target_population, lang, 0)
                text += f"  ({number(row.responses, lang, 0)} {_t(lang, 'of')} {target})"
            ax.text(
                (0 if pd.isna(row.response_rate) else row.response_rate) + 1.5,
                y,
                text,
                va="center",
                fontsize=9,
                bbox=_LABEL_BACKGROUND,  # the total line passes behind, not through, it
                zorder=_LABEL_ZORDER,
            )
        if not pd.isna(total["response_rate"]):
            ax.axvline(
                total["response_rate"],
                color=PALETTE[1],
                linestyle="--",
                linewidth=1.2,
                zorder=_TOTAL_LINE_ZORDER,
            )
            ax.text(
                total["response_rate"],
                -0.75,
                f"{_t(lang, 'total')} {percent(total['response_rate'], lang)}",
                color=PALETTE[1],
                ha="center",
                va="bottom",
                fontsize=9,
                bbox=_LABEL_BACKGROUND,
                zorder=_LABEL_ZORDER,
            )
        ax.set_yticks(positions, [_plain(r) for r in regions["region"]])
        ax.set_ylim(len(regions) - 0.4, -1.0)  # first region on top, room for the total label
        top = max([100.0, *regions["response_rate"].dropna().tolist()])
        ax.set_xlim(0, top * 1.3)
        ax.set_xticks([t for t in range(0, int(top) + 1, 25)])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang, 0)))
        ax.set_xlabel(_t(lang, "rate_axis"))
        ax.set_title(_t(lang, "rate_title").format(year=year), loc="left")
    return fig


def rate_distribution_figure(rates: pd.DataFrame, year: int, lang: str = "sv") -> Figure:
    """Bars of how many regions had a response rate in each band, the total as a line.

    Args:
        rates: Output of `pipeline.analysis.survey.response_rates`.
        year: The year.
        lang: The report language.

    Returns:
        The figure.
    """
    bands = rate_distribution(rates)
    total = rates.loc[rates["is_total"]].iloc[0]
    with report_style():
        fig = new_figure(7.0, 3.4)
        ax = fig.subplots()
        ax.grid(axis="y")
        ax.grid(axis="x", visible=False)
        width = float(bands["upper"].iloc[0] - bands["lower"].iloc[0]) if len(bands) else 10.0
        centres = (bands["lower"] + width / 2).tolist()
        ax.bar(centres, bands["regions"].tolist(), width=width * 0.9, color=PALETTE[0])
        if not pd.isna(total["response_rate"]):
            ax.axvline(total["response_rate"], color=PALETTE[1], linestyle="--", linewidth=1.2)
            ax.text(
                total["response_rate"],
                1.0,
                f"{_t(lang, 'total')} {percent(total['response_rate'], lang)}",
                transform=ax.get_xaxis_transform(),
                color=PALETTE[1],
                ha="center",
                va="bottom",
                fontsize=9,
            )
        top = float(bands["upper"].max()) if len(bands) else 100.0
        ax.set_xlim(0, top)
        ax.set_xticks(list(range(0, int(top) + 1, 20)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang, 0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang, 0)))
        ax.set_xlabel(_t(lang, "rate_axis"))
        ax.set_ylabel(_t(lang, "regions_axis"))
        ax.set_title(_t(lang, "rate_distribution_title").format(year=year), loc="left", pad=16)
    return fig


def response_rate_alt(
    survey: pd.DataFrame, population: pd.DataFrame, year: int, lang: str = "sv"
) -> str:
    """Alt text of `response_rate_figure`: total, highest and lowest region.

    Args:
        survey: The canonical survey table.
        population: The population table.
        year: The year.
        lang: The report language.

    Returns:
        One or two sentences of plain text.
    """
    rates = response_rates(survey, population, year)
    regions, total = rates.loc[~rates["is_total"]], rates.loc[rates["is_total"]].iloc[0]
    known = regions.dropna(subset=["response_rate"])
    if pd.isna(total["response_rate"]) or known.empty:
        return _t(lang, "rate_alt_total").format(year=year, n=number(total["responses"], lang, 0))
    if compares_with_round(rates):
        q1, median, q3 = rate_quartiles(rates)
        return _t(lang, "rate_distribution_alt").format(
            year=year,
            regions=number(len(regions), lang, 0),
            n=number(total["responses"], lang, 0),
            target=number(total["target_population"], lang, 0),
            rate=percent(total["response_rate"], lang),
            q1=percent(q1, lang),
            median=percent(median, lang),
            q3=percent(q3, lang),
        )
    high, low = known["response_rate"].max(), known["response_rate"].min()
    return _t(lang, "rate_alt").format(
        year=year,
        n=number(total["responses"], lang, 0),
        target=number(total["target_population"], lang, 0),
        rate=percent(total["response_rate"], lang),
        high=_join(known.loc[known["response_rate"] == high, "region"].tolist(), lang),
        high_rate=percent(high, lang),
        low=_join(known.loc[known["response_rate"] == low, "region"].tolist(), lang),
        low_rate=percent(low, lang),
    )


# --- distributions ---------------------------------------------------------------------------


def _disclosed(survey: pd.DataFrame, column: str, lang: str, k: int) -> Disclosed:
    """The disclosed distribution the figure of `column` shows: the table's own."""
    return disclose_answers(survey, column, lang, k)


def _base(disclosed: Disclosed) -> int:
    return int(disclosed.table.loc[disclosed.table["kind"] == "total", "n"].iloc[0])


def _categories(disclosed: Disclosed) -> tuple[pd.DataFrame, pd.Series]:
    """The category rows a distribution shows, and which of them are suppressed.

    One reading for the figure and its alt text, so the two describe the same bars.
    """
    cells = disclosed.table.loc[disclosed.table["kind"] == "category"]
    return cells, disclosed.suppressed.loc[cells.index, "n"]


def distribution_figure(
    survey: pd.DataFrame, column: str, lang: str = "sv", k: int = DEFAULT_K
) -> Figure | str:
    """Horizontal bars of an item's answers in percent, disclosed.

    Works for categorical and yes/no items, "tasks" (multi-choice: % of those who answered,
    choosing none included) and, in bands, "employment_pct" and "salary_monthly_fte".

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The item.
        lang: The report language.
        k: The minimum group size.

    Returns:
        The figure; the withheld sentence (plain text) when it may not be drawn.
    """
    disclosed = _disclosed(survey, column, lang, k)
    title = item_label(column, lang)
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    cells, hidden = _categories(disclosed)
    base = _base(disclosed)
    with report_style():
        fig = new_figure(7.0, 0.42 * len(cells) + 1.5)
        ax = fig.subplots()
        positions = list(range(len(cells)))
        shares = [0.0 if h else float(p) for p, h in zip(cells["percent"], hidden, strict=True)]
        shown = [(y, v) for y, v, h in zip(positions, shares, hidden, strict=True) if not h]
        # A suppressed category gets no bar at all (a zero-length bar would read as 0 %).
        ax.barh([y for y, _ in shown], [v for _, v in shown], color=PALETTE[0], height=0.6)
        for y, share, h in zip(positions, shares, hidden, strict=True):
            text = SUPPRESSED_MARK if h else percent(share, lang)
            ax.text(share + 1.5, y, text, va="center", fontsize=9)
        ax.set_yticks(positions, [_plain(text) for text in cells["label"]])
        ax.set_ylim(len(cells) - 0.4, -0.6)
        ax.set_xlim(0, 115)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang, 0)))
        ax.set_xlabel(_t(lang, "tasks_axis" if column == "tasks" else "share_axis"))
        n_text = f"{_t(lang, 'n')} = {number(base, lang, 0)}"
        ax.set_title(f"{title} ({n_text})", loc="left")
        if disclosed.any_suppressed:
            fig.supxlabel(footnote(k, lang), fontsize=8, x=0.01, ha="left", color="#555555")
    return fig


def distribution_alt(
    survey: pd.DataFrame, column: str, lang: str = "sv", k: int = DEFAULT_K
) -> str:
    """Alt text of `distribution_figure`: the shown shares and how many are suppressed.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The item.
        lang: The report language.
        k: The minimum group size.

    Returns:
        One or two sentences of plain text, never a suppressed number.
    """
    disclosed = _disclosed(survey, column, lang, k)
    item = item_label(column, lang)
    if disclosed.withheld:
        return _t(lang, "withheld_alt").format(
            item=item, message=disclosed_withheld_message(disclosed, lang)
        )
    cells, hidden = _categories(disclosed)
    shares = [
        f"{text} {percent(float(p), lang)}"
        for text, p, h in zip(cells["label"], cells["percent"], hidden, strict=True)
        if not h
    ]
    # Every option hidden: no empty sentence (". .") before the hidden count.
    text = _t(lang, "dist_alt" if shares else "dist_alt_none").format(
        item=item, n=number(_base(disclosed), lang, 0), shares="; ".join(shares)
    )
    if hidden.any():
        text += _t(lang, "hidden_alt").format(count=int(hidden.sum()), k=k)
    return text


def tasks_figure(survey: pd.DataFrame, lang: str = "sv", k: int = DEFAULT_K) -> Figure | str:
    """Bars of how many name each task (% of those naming any); see `distribution_figure`."""
    return distribution_figure(survey, "tasks", lang, k)


def tasks_alt(survey: pd.DataFrame, lang: str = "sv", k: int = DEFAULT_K) -> str:
    """Alt text of `tasks_figure`."""
    return distribution_alt(survey, "tasks", lang, k)


# --- numeric items -------------------------------------------------------------------------


def _statistics(survey: pd.DataFrame, column: str, k: int, extremes_k: int | None) -> Disclosed:
    """The item's statistics as its column of the statistics table discloses them."""
    stats = describe_numeric(survey[column])
    tails = linked_tails(survey, column, k)
    return suppress_statistics(stats, int(stats["n"]), k, extremes_k, tails)


def _shown_statistics(disclosed: Disclosed, column: str) -> tuple[pd.Series, bool, int]:
    """The statistics a box plot shows, whether only the robust ones are, and decimals.

    Robust: the box and median only, when the mean or the outer percentiles (the
    whiskers) are withheld. One reading for the figure and its alt text, so the two
    describe the same box.
    """
    hidden = disclosed.suppressed["value"]
    robust = bool(hidden["mean"] or hidden["p5"] or hidden["p95"])
    return disclosed.table["value"], robust, _DECIMALS.get(column, 1)


def value_labels(values: list[float], lang: str, decimals: int) -> list[tuple[float, str]]:
    """The box plot's value labels: (position, text), each text once.

    Statistics that coincide (every answer the same: five times "24") would be drawn on
    top of each other; the label is drawn once, at the first.
    """
    labels: dict[str, float] = {}
    for value in values:
        labels.setdefault(number(value, lang, decimals), value)
    return [(value, text) for text, value in labels.items()]


def tick_decimals(ticks: list[float], most: int = 3) -> int:
    """The fewest decimals (up to `most`) that show every tick as it is (23,5, not "24")."""
    for decimals in range(most + 1):
        if all(abs(round(t, decimals) - t) < 1e-9 * max(1.0, abs(t)) for t in ticks):
            return decimals
    return most


class _TickNumbers(Formatter):
    """Tick labels in the report's number format, with the decimals the ticks need."""

    def __init__(self, lang: str) -> None:
        self.lang, self.decimals = lang, 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.decimals = tick_decimals(list(locs))

    def __call__(self, x: float, pos: int | None = None) -> str:
        return number(x, self.lang, self.decimals)


def _whole(series: pd.Series) -> bool:
    """Whether every answer of a numeric item is a whole number."""
    values = pd.to_numeric(series, errors="coerce").dropna()
    return bool(len(values)) and bool((values == values.round()).all())


def numeric_figure(
    survey: pd.DataFrame,
    column: str = "months_worked",
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> Figure | str:
    """A box plot of a numeric item (default: months worked as peer supporter).

    The box is drawn from the published statistics (quartiles, median, mean, 5th and
    95th percentile), not from the answers, so the figure shows nothing the table does
    not: no outlier points, which would be single persons' answers. Below the extremes
    threshold only the box (quartiles) and the median are drawn.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The numeric item.
        lang: The report language.
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.

    Returns:
        The figure; the withheld sentence (plain text) when fewer than k answered.
    """
    disclosed = _statistics(survey, column, k, extremes_k)
    title = item_label(column, lang)
    if disclosed.withheld:
        return disclosed_withheld_message(disclosed, lang)
    s, robust, decimals = _shown_statistics(disclosed, column)
    with report_style():
        fig = new_figure(7.0, 2.6)
        ax: Axes = fig.subplots()
        low, high = ("p25", "p75") if robust else ("p5", "p95")
        box = {
            "whislo": s[low],
            "q1": s["p25"],
            "med": s["p50"],
            "q3": s["p75"],
            "whishi": s[high],
            "mean": s["p50"] if robust else s["mean"],
            "fliers": [],
        }
        ax.bxp(
            [box],
            orientation="horizontal",
            showmeans=not robust,
            showcaps=not robust,
            showfliers=False,
            widths=0.5,
            patch_artist=True,
            boxprops={"facecolor": "#dbe7f0", "edgecolor": PALETTE[0]},
            medianprops={"color": PALETTE[1], "linewidth": 2},
            meanprops={"marker": "D", "markerfacecolor": PALETTE[0], "markeredgecolor": "white"},
        )
        keys = ("p25", "p50", "p75") if robust else ("p5", "p25", "p50", "p75", "p95")
        for value, text in value_labels([s[key] for key in keys], lang, decimals):
            ax.text(value, 1.32, text, ha="center", fontsize=8)
        ax.set_yticks([])
        ax.set_ylim(0.6, 1.5)
        if _whole(survey[column]):
            # Whole answers (months, years, per cent): whole ticks, also when every
            # answer is the same and the axis spans a unit around it (not 23,5 as "24").
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=3))
        ax.xaxis.set_major_formatter(_TickNumbers(lang))
        unit = f"unit_{column}"
        ax.set_xlabel(_t(lang, unit) if _t.has(lang, unit) else "")
        n_text = f"{_t(lang, 'n')} = {number(s['n'], lang, 0)}"
        ax.set_title(f"{title} ({n_text})", loc="left")
        note = (
            _t(lang, "box_note_robust").format(e=max(k, extremes_k or 0))
            if robust
            else _t(lang, "box_note")
        )
        fig.supxlabel(note, fontsize=8, x=0.01, ha="left", color="#555555")
    return fig


def numeric_alt(
    survey: pd.DataFrame,
    column: str = "months_worked",
    lang: str = "sv",
    k: int = DEFAULT_K,
    extremes_k: int | None = DEFAULT_EXTREMES_K,
) -> str:
    """Alt text of `numeric_figure`: n, median, quartiles and mean.

    Args:
        survey: The canonical survey table (already filtered to the group).
        column: The numeric item.
        lang: The report language.
        k: The minimum group size.
        extremes_k: The extremes-and-totals threshold.

    Returns:
        One sentence of plain text.
    """
    disclosed = _statistics(survey, column, k, extremes_k)
    item = item_label(column, lang)
    if disclosed.withheld:
        return _t(lang, "withheld_alt").format(
            item=item, message=disclosed_withheld_message(disclosed, lang)
        )
    s, robust, decimals = _shown_statistics(disclosed, column)
    return _t(lang, "box_alt_robust" if robust else "box_alt").format(
        item=item,
        n=number(s["n"], lang, 0),
        median=number(s["p50"], lang, decimals),
        q1=number(s["p25"], lang, decimals),
        q3=number(s["p75"], lang, decimals),
        mean="" if robust else number(s["mean"], lang, decimals),
    )
