"""Figures of replicated runs.

Figures are built with the object-oriented Matplotlib API on an Agg canvas, never through
``pyplot``: runs happen on headless machines, and figures that are not registered with
pyplot are freed as soon as they are no longer referenced.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulation.core.parameters import Parameters
from simulation.core.wording import count
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

#: Series held as fractions in the data and shown in per cent in every figure and table.
PERCENT_SERIES: tuple[str, ...] = ("peer_share", "disclosed_share")

#: Panel titles and the unit of each sector series as the figures show it.
SERIES_LABELS: dict[str, tuple[str, str]] = {
    "peer_workers": ("Peer workers", "peer workers"),
    "peer_share": ("Peer share of staff", "% of staff"),
    "orgs_with_peers": ("Organisations with peers", "organisations"),
    "orgs_without_peers": ("Organisations without peers", "organisations"),
    "le_leaders": ("Lived-experience leaders", "leaders"),
    "champions": ("Champions", "champions"),
    "peer_hires": ("Peer hires", "hires per month"),
    "peer_leavers": ("Peer leavers", "leavers per month"),
    "mean_exposure_managers": ("Managers' exposure (mean)", "score 0-1"),
    "mean_understanding_managers": ("Managers' understanding (mean)", "score 0-1"),
    "mean_commitment_managers": ("Managers' commitment (mean)", "score 0-1"),
    "mean_stigma": ("Stigma (mean)", "score 0-1"),
    "disclosed_share": ("Staff with LE who disclosed", "% of staff with LE"),
}

_SUBTITLE_WIDTH = 110  # characters per line of a figure's subtitle
_LINE_COLOUR = "tab:blue"
_BAND_ALPHA = 0.25
_PANEL_COLUMNS = 4
_PANEL_WIDTH_INCHES = 3.6
_PANEL_HEIGHT_INCHES = 2.8


def series_scale(column: str) -> float:
    """What a series is multiplied by for display: 100 for shares (per cent), else 1."""
    return 100.0 if column in PERCENT_SERIES else 1.0


def y_label(column: str, runs: int, *, noun: str = "run", difference: bool = False) -> str:
    """A panel's y label: the series' unit and what the line averages.

    Args:
        column: The series.
        runs: Over how many runs (or pairs) the line is a mean.
        noun: What is counted: ``"run"`` or ``"pair"``.
        difference: Whether the panel shows a difference (shares then read in
            percentage points).

    Returns:
        E.g. ``"peer workers (mean of 20 runs)"`` or ``"% of staff (1 run)"``.
    """
    unit = SERIES_LABELS.get(column, ("", column.replace("_", " ")))[1]
    if difference and column in PERCENT_SERIES:
        unit = "percentage points"
    averaged = f"mean of {runs} {noun}s" if runs > 1 else f"1 {noun}"
    return f"{unit} ({averaged})"


def changed_parameters(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters whose value differs from the model's default.

    Args:
        params: Model keyword arguments (names of :class:`simulation.Parameters` fields);
            unknown names are kept (the model would refuse them).

    Returns:
        Name to value of those that differ, in the order given.
    """
    fields = Parameters.model_fields
    return {
        name: value
        for name, value in (params or {}).items()
        if name not in fields or value != fields[name].default
    }


def describe_parameters(params: Mapping[str, Any] | None) -> str:
    """``"default parameters"`` or ``"changed: board_support = 0.5, n_orgs = 10"``."""
    changed = changed_parameters(params)
    if not changed:
        return "default parameters"
    return "changed: " + ", ".join(f"{name} = {value!r}" for name, value in changed.items())


def panel_grid(
    n_panels: int,
    panel_size: tuple[float, float] = (_PANEL_WIDTH_INCHES, _PANEL_HEIGHT_INCHES),
    extra_height: float = 1.2,
) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure on an Agg canvas with a grid of shared-x panels over years.

    Panels beyond ``n_panels`` are hidden, and the lowest visible panel of each column gets
    the "Years" label and tick labels (with a part-filled last row that is a panel of the
    row above, whose tick labels ``sharex`` would otherwise hide).

    Args:
        n_panels: Panels wanted, filled row by row, at most :data:`_PANEL_COLUMNS` a row.
        panel_size: Width and height of one panel, in inches.
        extra_height: Inches added for titles and the legend.

    Returns:
        The figure and its rows x columns array of axes.
    """
    n_cols = min(_PANEL_COLUMNS, n_panels)
    n_rows = -(-n_panels // n_cols)  # ceiling division
    width, height = panel_size
    figure = Figure(figsize=(width * n_cols, height * n_rows + extra_height), layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.subplots(n_rows, n_cols, squeeze=False, sharex=True)
    for axes in grid.flat[n_panels:]:
        axes.set_visible(False)
    for column_index in range(n_cols):
        axes = grid[(n_panels - 1 - column_index) // n_cols, column_index]
        axes.set_xlabel("Years", fontsize=10)
        axes.tick_params(labelbottom=True)
    return figure, grid


def plot_timeseries(
    frame: pd.DataFrame,
    columns: Sequence[str] = KEY_SERIES,
    title: str | None = None,
    *,
    subtitle: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> Figure:
    """Plot the mean of each series across replications with a 95 % confidence band.

    Each panel shows one series against time in years, shares in per cent
    (:data:`PERCENT_SERIES`). The line is the mean over replications, and the y label
    says so; the shaded band is the 95 % confidence interval of that mean,
    ``mean ± t(0.975, n - 1) · sd / sqrt(n)``. With a single replication only the line is
    drawn. A legend under the panels states what the band is and over how many
    replications it was computed.

    Args:
        frame: Long frame from :func:`simulation.runs.replications.run_replications` (or a single
            run from :func:`simulation.simulate`, treated as one replication).
        columns: Series to plot, one panel each.
        title: Figure title, such as the run's name. By default the scenario's name if the
            frame has one ``scenario``, else "Sector over time".
        subtitle: A line under the title. By default the parameters that differ from the
            model's defaults (from ``params``, when given), the replications and months.
        params: The run's model parameters, to name the changed ones in the default
            subtitle.

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
    figure, axes_grid = panel_grid(n_panels)

    for position, column in enumerate(columns):
        axes = axes_grid.flat[position]
        summary = summarise_replications(frame, column) * series_scale(column)
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
        panel_title = SERIES_LABELS.get(column, (column.replace("_", " ").capitalize(), ""))[0]
        axes.set_title(panel_title, fontsize=11)
        axes.set_ylabel(y_label(column, replications), fontsize=9)
        axes.grid(True, alpha=0.3)
        axes.tick_params(labelsize=9)
        axes.set_xlim(years.min(), years.max() if years.max() > years.min() else years.min() + 1)

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
    if title is None:
        names = frame["scenario"].unique() if "scenario" in frame.columns else []
        title = f"{names[0]}: sector over time" if len(names) == 1 else "Sector over time"
    if subtitle is None:
        months = int(frame["month"].max())
        parts = [count(replications, "replication"), f"{months} months"]
        if params is not None:
            parts.insert(0, describe_parameters(params))
        subtitle = "; ".join(parts)
    wrapped = textwrap.fill(subtitle, _SUBTITLE_WIDTH) if subtitle else ""
    figure.suptitle(f"{title}\n{wrapped}" if wrapped else title, fontsize=12)
    return figure
