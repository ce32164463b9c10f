"""The figures of a comparison: each scenario's outcomes over time, and the paired differences.

Each scenario's mean over its replications with the 95 % confidence band of the mean
(:func:`outcomes_figure`), and the mean paired difference from the baseline with its band
(:func:`differences_figure`); the baseline is dark grey in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulation.core.wording import count
from simulation.outputs.figures import SERIES_LABELS, panel_grid, series_scale, y_label
from simulation.runs.comparison import (
    Comparison,
)
from simulation.runs.replications import summarise_replications

_BASELINE_COLOUR = "0.15"
_ALTERNATIVE_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
_BAND_ALPHA = 0.2
_PANEL_SIZE = (3.5, 2.7)  # inches: a little smaller than a run's panels


def _style_panel(axes: Any, outcome: str, steps: int, label: str) -> None:
    """Title, y label, grid and x range of one panel."""
    title = SERIES_LABELS.get(outcome, (outcome.replace("_", " ").capitalize(), ""))[0]
    axes.set_title(title, fontsize=11)
    axes.set_ylabel(label, fontsize=9)
    axes.grid(True, alpha=0.3)
    axes.tick_params(labelsize=9)
    axes.set_xlim(0, max(steps, 1) / 12.0)


def _colours(comparison: Comparison) -> dict[str, str]:
    """Line colour of each scenario: dark grey for the baseline."""
    colours = {comparison.baseline.name: _BASELINE_COLOUR}
    for position, alternative in enumerate(comparison.alternatives):
        colours[alternative.name] = _ALTERNATIVE_COLOURS[position % len(_ALTERNATIVE_COLOURS)]
    return colours


def _line_with_band(
    axes: Axes, years: np.ndarray, mean: Any, low: Any, high: Any, colour: str, band: bool
) -> None:
    """A scenario's line, and its 95 % band when there is more than one replication."""
    axes.plot(years, mean, color=colour, linewidth=1.6)
    if band:
        axes.fill_between(years, low, high, color=colour, alpha=_BAND_ALPHA, linewidth=0)


def outcomes_figure(comparison: Comparison, outcomes: Sequence[str] | None = None) -> Figure:
    """Mean of each outcome over time with its 95 % band, all scenarios overlaid.

    Args:
        comparison: The comparison.
        outcomes: Outcomes to plot, one panel each (default: the comparison's).

    Returns:
        A Matplotlib figure on an Agg canvas.
    """
    outcomes = tuple(outcomes or comparison.outcomes)
    figure, grid = panel_grid(len(outcomes), _PANEL_SIZE, extra_height=1.1)
    colours = _colours(comparison)
    several = comparison.replications > 1
    for axes, outcome in zip(grid.flat, outcomes, strict=False):
        for name in comparison.names:
            rows = comparison.timeseries[comparison.timeseries["scenario"] == name]
            summary = summarise_replications(rows, outcome)[["mean", "ci_low", "ci_high"]]
            summary = summary * series_scale(outcome)
            years = summary.index.to_numpy() / 12.0
            _line_with_band(
                axes,
                years,
                summary["mean"],
                summary["ci_low"],
                summary["ci_high"],
                colours[name],
                several,
            )
        _style_panel(axes, outcome, comparison.steps, y_label(outcome, comparison.replications))
    handles = [
        Line2D([], [], color=colours[name], linewidth=1.8, label=_legend_name(comparison, name))
        for name in comparison.names
    ]
    if several:
        handles.append(
            Patch(color="0.5", alpha=_BAND_ALPHA + 0.1, label="95% CI of the mean (shaded)")
        )
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    figure.suptitle(
        f"Key outcomes by scenario (mean over {count(comparison.replications, 'replication')})",
        fontsize=13,
    )
    return figure


def differences_figure(comparison: Comparison, outcomes: Sequence[str] | None = None) -> Figure:
    """The paired difference from the baseline over time, with its 95 % band.

    Args:
        comparison: The comparison.
        outcomes: Outcomes to plot, one panel each (default: the comparison's).

    Returns:
        A Matplotlib figure on an Agg canvas; one line per alternative and a zero line.
    """
    outcomes = tuple(outcomes or comparison.outcomes)
    figure, grid = panel_grid(len(outcomes), _PANEL_SIZE, extra_height=1.1)
    colours = _colours(comparison)
    for axes, outcome in zip(grid.flat, outcomes, strict=False):
        axes.axhline(0.0, color="black", linewidth=0.8)
        series = comparison.paired_differences(outcome)
        scale = series_scale(outcome)
        for alternative in comparison.alternatives:
            rows = series[series["scenario"] == alternative.name]
            _line_with_band(
                axes,
                rows["month"].to_numpy() / 12.0,
                rows["difference"] * scale,
                rows["ci_low"] * scale,
                rows["ci_high"] * scale,
                colours[alternative.name],
                comparison.replications > 1,
            )
        label = y_label(outcome, comparison.replications, noun="pair", difference=True)
        _style_panel(axes, outcome, comparison.steps, label)
    handles = [
        Line2D(
            [],
            [],
            color=colours[alternative.name],
            linewidth=1.8,
            label=f"{alternative.name} - {comparison.baseline.name}",
        )
        for alternative in comparison.alternatives
    ]
    if comparison.replications > 1:
        handles.append(
            Patch(color="0.5", alpha=_BAND_ALPHA + 0.1, label="95% CI of the paired mean")
        )
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    figure.suptitle(
        f"Difference from the baseline on the same seeds "
        f"(mean over {count(comparison.replications, 'pair')})",
        fontsize=13,
    )
    return figure


def _legend_name(comparison: Comparison, name: str) -> str:
    if name != comparison.baseline.name or name == "baseline":
        return name
    return f"{name} (baseline)"
