"""Figures of replicated runs.

Figures are built with the object-oriented Matplotlib API on an Agg canvas, never through
``pyplot``: runs happen on headless machines, and figures that are not registered with
pyplot are freed as soon as they are no longer referenced.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulation.runs.replications import summarise_replications

#: Series shown by default, in panel order.
KEY_SERIES: tuple[str, ...] = (
    "peer_workers",
    "orgs_with_peers",
    "le_leaders",
    "champions",
    "mean_commitment_managers",
    "mean_stigma",
    "disclosed_share",
    "peer_share",
)

#: Panel titles and y-axis labels for the sector series.
SERIES_LABELS: dict[str, tuple[str, str]] = {
    "peer_workers": ("Peer workers", "people"),
    "peer_share": ("Peer share of staff", "share"),
    "orgs_with_peers": ("Organisations with peers", "organisations"),
    "orgs_without_peers": ("Organisations without peers", "organisations"),
    "le_leaders": ("Lived-experience leaders", "people"),
    "champions": ("Champions", "people"),
    "peer_hires": ("Peer hires", "people per month"),
    "peer_leavers": ("Peer leavers", "people per month"),
    "mean_exposure_managers": ("Managers' exposure (mean)", "score 0-1"),
    "mean_understanding_managers": ("Managers' understanding (mean)", "score 0-1"),
    "mean_commitment_managers": ("Managers' commitment (mean)", "score 0-1"),
    "mean_stigma": ("Stigma (mean)", "score 0-1"),
    "disclosed_share": ("Staff with LE who disclosed", "share"),
}

_LINE_COLOUR = "tab:blue"
_BAND_ALPHA = 0.25
_PANEL_COLUMNS = 4
_PANEL_WIDTH_INCHES = 3.6
_PANEL_HEIGHT_INCHES = 2.8


def plot_timeseries(
    frame: pd.DataFrame,
    columns: Sequence[str] = KEY_SERIES,
    title: str | None = None,
) -> Figure:
    """Plot the mean of each series across replications with a 95 % confidence band.

    Each panel shows one series against time in years. The line is the mean over
    replications; the shaded band is the 95 % confidence interval of that mean,
    ``mean ± t(0.975, n - 1) · sd / sqrt(n)``. With a single replication only the line is
    drawn. A legend under the panels states what the band is and over how many
    replications it was computed.

    Args:
        frame: Long frame from :func:`simulation.runs.replications.run_replications` (or a single
            run from :func:`simulation.simulate`, treated as one replication).
        columns: Series to plot, one panel each.
        title: Figure title; a default naming the replications is used when ``None``.

    Returns:
        A Matplotlib figure attached to an Agg canvas (save with ``figure.savefig``).

    Raises:
        ValueError: If ``columns`` is empty or names a series that is not in ``frame``.
    """
    if "month" not in frame.columns and frame.index.name == "month":
        frame = frame.reset_index()
    if not columns:
        raise ValueError("columns must name at least one series")
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(
            f"cannot plot {missing[0]!r}: not a column of the frame "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    replications = int(frame["replication"].nunique()) if "replication" in frame.columns else 1

    n_panels = len(columns)
    n_cols = min(_PANEL_COLUMNS, n_panels)
    n_rows = -(-n_panels // n_cols)  # ceiling division
    figure = Figure(
        figsize=(_PANEL_WIDTH_INCHES * n_cols, _PANEL_HEIGHT_INCHES * n_rows + 0.9),
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    axes_grid = figure.subplots(n_rows, n_cols, squeeze=False, sharex=True)

    for position, column in enumerate(columns):
        axes = axes_grid.flat[position]
        summary = summarise_replications(frame, column)
        years = summary.index.to_numpy() / 12.0
        axes.plot(years, summary["mean"], color=_LINE_COLOUR, linewidth=1.8)
        if replications > 1:
            axes.fill_between(
                years,
                summary["ci_low"],
                summary["ci_high"],
                color=_LINE_COLOUR,
                alpha=_BAND_ALPHA,
                linewidth=0,
            )
        panel_title, unit = SERIES_LABELS.get(column, (column.replace("_", " ").capitalize(), ""))
        axes.set_title(panel_title, fontsize=11)
        axes.set_ylabel(unit, fontsize=9)
        axes.grid(True, alpha=0.3)
        axes.tick_params(labelsize=9)
        axes.set_xlim(years.min(), years.max() if years.max() > years.min() else years.min() + 1)
    for axes in axes_grid.flat[n_panels:]:
        axes.set_visible(False)
    # Label the x axis of the lowest visible panel in each column; with a part-filled last
    # row that is a panel of the row above, whose tick labels sharex would otherwise hide.
    for column_index in range(n_cols):
        lowest_row = (n_panels - 1 - column_index) // n_cols
        axes = axes_grid[lowest_row, column_index]
        axes.set_xlabel("Years", fontsize=10)
        axes.tick_params(labelbottom=True)

    if replications > 1:
        handles = [
            Line2D([], [], color=_LINE_COLOUR, linewidth=1.8, label="Mean"),
            Patch(
                color=_LINE_COLOUR,
                alpha=_BAND_ALPHA,
                label=f"95% CI of the mean over {replications} replications",
            ),
        ]
    else:
        handles = [
            Line2D([], [], color=_LINE_COLOUR, linewidth=1.8, label="Single replication (no CI)")
        ]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    figure.suptitle(
        title or f"Sector time series ({_count(replications, 'replication')})", fontsize=13
    )
    return figure


def _count(number: int, noun: str) -> str:
    """``"1 replication"`` / ``"20 replications"``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
