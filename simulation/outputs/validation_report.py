"""Figures and the HTML report of a pattern validation.

:func:`pattern_figure` draws one figure per pattern from the runs of
:func:`simulation.runs.validation.validate`; :func:`build_report` assembles the pattern
table, the figures and the calibration table into a self-contained
``report.html`` (see :class:`simulation.outputs.reports.Report`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simulation.outputs.reports import Report
from simulation.runs.statistics import mean_interval
from simulation.runs.validation import (
    CULTURE_MONTHS,
    ArmRun,
    Pattern,
    Validation,
    culture_drop,
    half_rise_month,
    initially_peerless,
)

_BAND_ALPHA = 0.2
_RESPONSES = ("exposure", "understanding", "commitment")


def series_matrix(runs: Sequence[ArmRun], column: str) -> np.ndarray:
    """One sector column of every run, as seeds x months."""
    return np.vstack([run.sector[column].to_numpy(dtype=float) for run in runs])


def adoption_matrix(runs: Sequence[ArmRun]) -> np.ndarray:
    """Share of the initially peerless organisations that have employed peers, by month."""
    rows = []
    for run in runs:
        table = run.orgs
        chosen = table[table["org"].isin(initially_peerless(run))]
        rows.append(chosen.groupby("month")["ever_employed"].mean().to_numpy(dtype=float))
    return np.vstack(rows)


def _new_figure(width: float = 7.0, height: float = 3.6, columns: int = 1) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    figure.subplots(1, columns)
    return figure


def _draw_band(axes: Any, months: np.ndarray, matrix: np.ndarray, label: str, **style: Any) -> None:
    mean, low, high = mean_interval(matrix)
    (line,) = axes.plot(months / 12, mean, label=label, **style)
    axes.fill_between(months / 12, low, high, color=line.get_color(), alpha=_BAND_ALPHA, lw=0)


def _lag_figure(pattern: Pattern, runs: Mapping[str, list[ArmRun]]) -> Figure:
    spec = pattern.figure
    treated, control, start = runs[spec["treated"]], runs[spec["control"]], spec["start"]
    figure = _new_figure()
    axes = figure.axes[0]
    for column in _RESPONSES:
        name = f"mean_{column}_managers"
        difference = series_matrix(treated, name) - series_matrix(control, name)
        response = difference[:, start:]
        months = np.arange(response.shape[1])
        mean, low, high = mean_interval(response)
        scale = mean.max() if mean.max() > 0 else 1.0
        (line,) = axes.plot(months, mean / scale, label=column)
        axes.fill_between(months, low / scale, high / scale, color=line.get_color(), alpha=0.2)
        half = np.nanmean([half_rise_month(row, start) for row in difference])
        axes.axvline(half, color=line.get_color(), ls=":", lw=1)
    axes.set_xlim(0, min(60, response.shape[1] - 1))
    axes.set_xlabel("months after peers arrive")
    axes.set_ylabel("response / its peak")
    axes.set_title("Managers' paired response to peers arriving (dotted: half-rise)")
    axes.legend(frameon=False)
    return figure


def _adoption_figure(pattern: Pattern, runs: Mapping[str, list[ArmRun]]) -> Figure:
    figure = _new_figure()
    axes = figure.axes[0]
    for name in pattern.figure["arms"]:
        matrix = adoption_matrix(runs[name])
        _draw_band(axes, np.arange(matrix.shape[1]), matrix, _label(pattern, name))
    axes.set_xlabel("years")
    axes.set_ylabel("share")
    axes.set_ylim(0, 1)
    axes.set_title("Initially peerless organisations that have employed peers")
    axes.legend(frameon=False)
    return figure


def _curve_figure(pattern: Pattern, runs: Mapping[str, list[ArmRun]]) -> Figure:
    spec = pattern.figure
    matrix = series_matrix(runs[spec["arm"]], spec["column"])
    figure = _new_figure(columns=2, width=9.0)
    left, right = figure.axes
    _draw_band(left, np.arange(matrix.shape[1]), matrix, _label(pattern, spec["arm"]))
    left.set_xlabel("years")
    left.set_ylabel("peer workers")
    left.set_title("Peer workforce (mean, 95 % band)")
    yearly = np.diff(matrix[:, ::12], axis=1)
    mean, low, high = mean_interval(yearly)
    years = np.arange(1, yearly.shape[1] + 1)
    right.bar(years, mean, color="tab:blue", alpha=0.7)
    right.errorbar(years, mean, yerr=[mean - low, high - mean], fmt="none", ecolor="black", lw=1)
    for part in np.array_split(years, 3)[1:]:
        right.axvline(part[0] - 0.5, color="grey", ls="--", lw=1)
    right.set_xlabel("year")
    right.set_ylabel("peers added in the year")
    right.set_title("Yearly growth, split in thirds")
    return figure


def _arms_figure(pattern: Pattern, runs: Mapping[str, list[ArmRun]]) -> Figure:
    column = pattern.figure["column"]
    figure = _new_figure()
    axes = figure.axes[0]
    for name in pattern.figure["arms"]:
        matrix = series_matrix(runs[name], column)
        _draw_band(axes, np.arange(matrix.shape[1]), matrix, _label(pattern, name))
    axes.set_xlabel("years")
    axes.set_ylabel(column.replace("_", " "))
    axes.set_title(f"{column.replace('_', ' ').capitalize()} by arm (mean, 95 % band)")
    axes.legend(frameon=False, fontsize="small")
    return figure


def _dose_figure(pattern: Pattern, runs: Mapping[str, list[ArmRun]]) -> Figure:
    figure = _new_figure()
    axes = figure.axes[0]
    doses, means, errors = [], [], []
    for dose, name in enumerate(pattern.figure["arms"]):
        mean, low, high = mean_interval([culture_drop(run) for run in runs[name]])
        doses.append(dose)
        means.append(mean)
        errors.append((mean - low, high - mean))
    axes.errorbar(doses, means, yerr=np.array(errors).T, fmt="o-", capsize=4, label="as modelled")
    if "peers_1_heard" in runs:
        mean, low, high = mean_interval([culture_drop(run) for run in runs["peers_1_heard"]])
        axes.errorbar(
            [1],
            [mean],
            yerr=[[mean - low], [high - mean]],
            fmt="s",
            capsize=4,
            label="1 peer heard in full",
        )
    axes.set_xticks(doses)
    axes.set_xlabel("peers added to every team")
    axes.set_ylabel(f"fall in clinicians' stigma over {CULTURE_MONTHS} months")
    axes.set_title("Critical mass: stigma fall by peers per team (95 % CI)")
    axes.legend(frameon=False)
    return figure


_FIGURES = {
    "lag": _lag_figure,
    "adoption": _adoption_figure,
    "curve": _curve_figure,
    "arms": _arms_figure,
    "dose": _dose_figure,
}


def _label(pattern: Pattern, name: str) -> str:
    for each in pattern.arms:
        if each.name == name:
            return each.label
    return name


def pattern_figure(pattern: Pattern, runs: Mapping[str, list[ArmRun]]) -> Figure:
    """The figure of one pattern (its kind is named in ``pattern.figure``).

    Args:
        pattern: The pattern.
        runs: Arm name -> runs, from :func:`simulation.runs.validation.validate`.

    Returns:
        A Matplotlib figure on an Agg canvas.
    """
    figure = _FIGURES[pattern.figure["kind"]](pattern, runs)
    figure.suptitle(f"Pattern {pattern.number}: {pattern.title}", fontweight="bold")
    return figure


def checks_table(validation: Validation) -> pd.DataFrame:
    """The pattern table as shown in the report (one row per check)."""
    table = validation.checks
    return pd.DataFrame(
        {
            "pattern": table["pattern"],
            "statement": table["statement"],
            "comparison": table["comparison"],
            "outcome": table["outcome"],
            "expected": table["expected"],
            "effect": table["effect"],
            "95% CI": [
                f"{lo:.3g} to {hi:.3g}" for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
            "pairs": table["pairs"],
            "verdict": np.where(table["holds"], "holds", "fails"),
        }
    )


def _verdict_class(column: str, value: Any) -> str | None:
    if column in ("verdict", "met", "holds"):
        return "good" if value in ("holds", "yes", True) else "bad"
    return None


def build_report(
    validation: Validation,
    calibration: pd.DataFrame | None,
    manifest: Mapping[str, Any],
) -> Report:
    """Assemble the validation report.

    Args:
        validation: The judged patterns and their runs.
        calibration: The calibration table (target, band, model value), if measured.
        manifest: Provenance of the validation run.

    Returns:
        The report, ready to :meth:`~simulation.outputs.reports.Report.write`.
    """
    summary = validation.summary()
    held = int(summary["holds"].sum())
    report = Report(
        "lewsim: pattern-oriented validation",
        f"{held} of {len(summary)} patterns hold · {len(validation.seeds)} seed pairs · "
        f"{validation.months} months",
    )
    report.contents()
    report.heading("Summary")
    report.paragraph(
        "Each pattern of the seed study (Byrne et al. 2019) is judged by one or more checks. "
        "A check compares arms run on the **same seeds** (common random numbers) and holds "
        "when the mean effect has the expected sign and its 95 % confidence interval "
        "(t-based, over seed pairs) excludes zero. A pattern holds when all its checks hold."
    )
    overview = summary.reset_index().assign(
        holds=lambda frame: np.where(frame["holds"], "holds", "fails")
    )
    report.table(overview.rename(columns={"holds": "verdict"}), cell_classes=_verdict_class)
    report.heading("Checks")
    report.table(checks_table(validation), cell_classes=_verdict_class)
    if calibration is not None:
        report.heading("Calibration targets")
        report.paragraph(
            "The default sector read as 2017 (month 0), against Australian national figures. "
            "Model values are means over the validation seeds with a 95 % confidence interval."
        )
        report.table(calibration, cell_classes=_verdict_class)
    report.heading("Patterns")
    for pattern in validation.patterns:
        report.heading(f"{pattern.number}. {pattern.title}", level=3)
        report.paragraph(f"**Pattern.** {pattern.claim}")
        report.paragraph(f"**How it is judged.** {pattern.method}")
        rows = validation.checks[validation.checks["pattern"] == pattern.number]
        report.bullets(
            [
                f"{row.statement}: effect {row.effect:.3g} (95 % CI {row.low:.3g} to "
                f"{row.high:.3g}), {'holds' if row.holds else 'fails'}"
                for row in rows.itertuples()
            ]
        )
        report.figure(pattern_figure(pattern, validation.runs), f"pattern_{pattern.number:02d}")
    report.heading("Provenance")
    report.provenance(manifest)
    return report
