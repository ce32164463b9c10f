"""The planner's report of a paired comparison: wording, figures and a self-contained page.

:func:`build_report` turns a :class:`~simulation.runs.comparison.Comparison` into a
self-contained HTML report for a planner (summary in plain words, the table of
differences, figures, the scenario files and provenance), and :func:`write_comparison`
writes it with the data files.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulation.outputs.figures import SERIES_LABELS
from simulation.outputs.manifest import build_manifest, manifest_json, to_jsonable
from simulation.outputs.reports import Report
from simulation.runs.comparison import FAVOURABLE_DIRECTION, Comparison, join_words
from simulation.runs.replications import summarise_replications
from simulation.runs.scenarios import Scenario

#: How each outcome is named in sentences, and how its values are written:
#: ``count`` (people, organisations), ``score`` (0-1 scale) or ``share`` (percentage points).
OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "peer_workers": ("peer workers", "count"),
    "orgs_without_peers": ("organisations without peers", "count"),
    "mean_stigma": ("mean stigma", "score"),
    "mean_commitment_managers": ("managers' mean commitment", "score"),
    "le_leaders": ("lived-experience leaders", "count"),
    "peer_share": ("peer share of staff", "share"),
    "champions": ("champions", "count"),
}

#: Data files written next to the report by :func:`write_comparison`.
DIFFERENCES_CSV = "differences.csv"
TIMESERIES_PARQUET = "timeseries.parquet"
MANIFEST_JSON = "manifest.json"
OUTCOMES_FIGURE = "outcomes"
DIFFERENCES_FIGURE = "differences"

_BASELINE_COLOUR = "0.15"
_ALTERNATIVE_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
_BAND_ALPHA = 0.2
_PANEL_COLUMNS = 4
_PANEL_WIDTH_INCHES = 3.5
_PANEL_HEIGHT_INCHES = 2.7


# ---- wording --------------------------------------------------------------------------------


def month_phrase(month: int) -> str:
    """``"1 year"``, ``"10 years"`` or ``"month 30"``."""
    if month > 0 and month % 12 == 0:
        years = month // 12
        return f"{years} year" if years == 1 else f"{years} years"
    return f"month {month}"


def _decimals(outcome: str, *values: float) -> int:
    """Decimals to show an outcome's values with, given the largest of them.

    Scores get 3 decimals, counts and percentages 1 (none from 100 up); values too small
    for that get enough decimals for two significant digits (at most 6).
    """
    kind = OUTCOME_WORDS.get(outcome, ("", "score"))[1]
    largest = max((abs(value) for value in values if math.isfinite(value)), default=0.0)
    usual = 3 if kind == "score" else (0 if largest >= 100 else 1)
    if largest == 0.0:
        return usual
    return min(max(usual, 1 - math.floor(math.log10(largest))), 6)


def _scale(outcome: str) -> float:
    """Shares are shown in percentage points."""
    return 100.0 if OUTCOME_WORDS.get(outcome, ("", ""))[1] == "share" else 1.0


def format_value(outcome: str, value: float, *, signed: bool = False, like: float = 0.0) -> str:
    """Write one outcome value as shown in the report and the terminal.

    Args:
        outcome: The outcome (decides scale and decimals; shares in percentage points).
        value: The value.
        signed: Show a ``+`` on positive values (for differences).
        like: Another value of the same quantity, so that both get the same decimals.

    Returns:
        The text; ``"n/a"`` for a missing value.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    scale = _scale(outcome)
    decimals = _decimals(outcome, value * scale, like * scale)
    text = f"{value * scale:{'+' if signed else ''}.{decimals}f}"
    return "0" if text.lstrip("+-").strip("0.") == "" else text  # no "-0.0" or "+0.000"


def format_difference(row: Mapping[str, Any]) -> str:
    """``+40 (95% CI 35 to 45)`` for a row of the differences table."""
    outcome = row["outcome"]
    like = max(abs(row["ci_low"]), abs(row["ci_high"])) if math.isfinite(row["ci_low"]) else 0.0
    difference = format_value(outcome, row["difference"], signed=True, like=like)
    if not math.isfinite(row["ci_low"]):
        return f"{difference} (no CI: one pair)"
    low = format_value(outcome, row["ci_low"], like=like)
    high = format_value(outcome, row["ci_high"], like=like)
    return f"{difference} (95% CI {low} to {high})"


def reading(row: Mapping[str, Any]) -> str:
    """Plain-words reading of a difference: its direction and whether it favours peers."""
    if not row["significant"]:
        return "no clear difference"
    higher = row["difference"] > 0
    favourable = (1 if higher else -1) * FAVOURABLE_DIRECTION.get(row["outcome"], 0)
    direction = "higher" if higher else "lower"
    if favourable == 0:
        return direction
    return f"{direction} (favourable)" if favourable > 0 else f"{direction} (unfavourable)"


def outcome_label(outcome: str) -> str:
    """The outcome's name in sentences and tables."""
    return OUTCOME_WORDS.get(outcome, (outcome.replace("_", " "), ""))[0]


def difference_phrase(row: Mapping[str, Any]) -> str:
    """A row of the differences table in words.

    Args:
        row: A row of :attr:`Comparison.differences` (as a mapping).

    Returns:
        ``"+40 peer workers (95% CI 35 to 45)"`` for counts, ``"mean stigma -0.021 on its
        0-1 scale (95% CI ...)"`` for scores, ``"peer share of staff +1.2 percentage points
        (95% CI ...)"`` for shares.
    """
    outcome = row["outcome"]
    label, kind = OUTCOME_WORDS.get(outcome, (outcome.replace("_", " "), "score"))
    number, _, interval = format_difference(row).partition(" (")
    if kind == "count":
        return f"{number} {label} ({interval}"
    if kind == "share":
        return f"{label} {number} percentage points ({interval}"
    return f"{label} {number} on its 0-1 scale ({interval}"


def headline_sentences(comparison: Comparison, month: int | None = None) -> list[str]:
    """One sentence per alternative giving its differences from the baseline at a month.

    Args:
        comparison: The comparison.
        month: A month of the table; the last by default.

    Returns:
        Sentences such as ``"**exec-champion** at 10 years: +40 peer workers (95% CI 35 to
        45); ...; no clear difference in champions."``: clear differences in outcome order,
        then the outcomes with no clear difference.
    """
    rows = comparison.at_month(month)
    month = int(rows["month"].iloc[0])
    sentences = []
    for alternative in comparison.alternatives:
        records = rows[rows["scenario"] == alternative.name].to_dict("records")
        parts = [difference_phrase(row) for row in records if row["significant"]]
        unclear = [outcome_label(row["outcome"]) for row in records if not row["significant"]]
        if unclear:
            parts.append(f"no clear difference in {join_words(unclear)}")
        sentences.append(f"**{alternative.name}** at {month_phrase(month)}: {'; '.join(parts)}.")
    return sentences


# ---- figures --------------------------------------------------------------------------------


def _panel_grid(n_panels: int) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure on an Agg canvas with a grid of shared-x panels."""
    n_cols = min(_PANEL_COLUMNS, n_panels)
    n_rows = -(-n_panels // n_cols)
    figure = Figure(
        figsize=(_PANEL_WIDTH_INCHES * n_cols, _PANEL_HEIGHT_INCHES * n_rows + 1.1),
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    grid = figure.subplots(n_rows, n_cols, squeeze=False, sharex=True)
    for axes in grid.flat[n_panels:]:
        axes.set_visible(False)
    for column_index in range(n_cols):
        lowest_row = (n_panels - 1 - column_index) // n_cols
        axes = grid[lowest_row, column_index]
        axes.set_xlabel("Years", fontsize=10)
        axes.tick_params(labelbottom=True)
    return figure, grid


def _style_panel(axes: Any, outcome: str, steps: int, unit: str | None = None) -> None:
    """Title, unit label, grid and x range of one panel."""
    title, default_unit = SERIES_LABELS.get(outcome, (outcome.replace("_", " ").capitalize(), ""))
    axes.set_title(title, fontsize=11)
    axes.set_ylabel(default_unit if unit is None else unit, fontsize=9)
    axes.grid(True, alpha=0.3)
    axes.tick_params(labelsize=9)
    axes.set_xlim(0, max(steps, 1) / 12.0)


def _colours(comparison: Comparison) -> dict[str, str]:
    """Line colour of each scenario: dark grey for the baseline."""
    colours = {comparison.baseline.name: _BASELINE_COLOUR}
    for position, alternative in enumerate(comparison.alternatives):
        colours[alternative.name] = _ALTERNATIVE_COLOURS[position % len(_ALTERNATIVE_COLOURS)]
    return colours


def outcomes_figure(comparison: Comparison, outcomes: Sequence[str] | None = None) -> Figure:
    """Mean of each outcome over time with its 95 % band, all scenarios overlaid.

    Args:
        comparison: The comparison.
        outcomes: Outcomes to plot, one panel each (default: the comparison's).

    Returns:
        A Matplotlib figure on an Agg canvas.
    """
    outcomes = tuple(outcomes or comparison.outcomes)
    figure, grid = _panel_grid(len(outcomes))
    colours = _colours(comparison)
    several = comparison.replications > 1
    for axes, outcome in zip(grid.flat, outcomes, strict=False):
        for name in comparison.names:
            rows = comparison.timeseries[comparison.timeseries["scenario"] == name]
            summary = summarise_replications(rows, outcome)[["mean", "ci_low", "ci_high"]]
            summary = summary * _scale(outcome)
            years = summary.index.to_numpy() / 12.0
            axes.plot(years, summary["mean"], color=colours[name], linewidth=1.6)
            if several:
                axes.fill_between(
                    years,
                    summary["ci_low"],
                    summary["ci_high"],
                    color=colours[name],
                    alpha=_BAND_ALPHA,
                    linewidth=0,
                )
        _style_panel(axes, outcome, comparison.steps, unit="%" if _scale(outcome) != 1 else None)
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
        f"Key outcomes by scenario (mean over {_count(comparison.replications, 'replication')})",
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
    figure, grid = _panel_grid(len(outcomes))
    colours = _colours(comparison)
    for axes, outcome in zip(grid.flat, outcomes, strict=False):
        axes.axhline(0.0, color="black", linewidth=0.8)
        series = comparison.paired_differences(outcome)
        scale = _scale(outcome)
        for alternative in comparison.alternatives:
            rows = series[series["scenario"] == alternative.name]
            years = rows["month"].to_numpy() / 12.0
            colour = colours[alternative.name]
            axes.plot(years, rows["difference"] * scale, color=colour, linewidth=1.6)
            if comparison.replications > 1:
                axes.fill_between(
                    years,
                    rows["ci_low"] * scale,
                    rows["ci_high"] * scale,
                    color=colour,
                    alpha=_BAND_ALPHA,
                    linewidth=0,
                )
        unit = "percentage points" if scale != 1.0 else None
        _style_panel(axes, outcome, comparison.steps, unit=unit)
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
        f"(mean over {_count(comparison.replications, 'pair')})",
        fontsize=13,
    )
    return figure


def _legend_name(comparison: Comparison, name: str) -> str:
    if name != comparison.baseline.name or name == "baseline":
        return name
    return f"{name} (baseline)"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# ---- report ---------------------------------------------------------------------------------


class _Cell(str):
    """Table text that carries the CSS classes of its cell."""

    classes: str = ""

    def __new__(cls, text: str, classes: str = "") -> _Cell:
        cell = super().__new__(cls, text)
        cell.classes = classes
        return cell


def _cell_classes(column: str, value: Any) -> str | None:
    return getattr(value, "classes", None) or None


def _tone(row: Mapping[str, Any]) -> str:
    """CSS class of a difference: good or bad for the peer workforce, or muted if unclear."""
    if not row["significant"]:
        return "muted"
    favourable = FAVOURABLE_DIRECTION.get(row["outcome"], 0) * np.sign(row["difference"])
    return {1: "good", -1: "bad"}.get(int(favourable), "warn")


def report_table(comparison: Comparison) -> pd.DataFrame:
    """The differences table as shown in the report, with its cells' highlighting.

    Args:
        comparison: The comparison.

    Returns:
        One row per alternative, outcome and month: scenario, outcome, time, the baseline's
        and the scenario's mean, the paired difference with its 95 % CI, the pairs and a
        reading. Clear differences (CI excludes zero) are highlighted green where they
        favour the peer workforce and red where they do not.
    """
    rows = []
    for row in comparison.differences.to_dict("records"):
        outcome = row["outcome"]
        tone = _tone(row)
        like = max(abs(row["baseline_mean"]), abs(row["scenario_mean"]))
        rows.append(
            {
                "scenario": row["scenario"],
                "outcome": outcome_label(outcome) + (" (%)" if _scale(outcome) != 1.0 else ""),
                "at": month_phrase(int(row["month"])),
                "baseline": _Cell(format_value(outcome, row["baseline_mean"], like=like), "num"),
                "scenario value": _Cell(
                    format_value(outcome, row["scenario_mean"], like=like), "num"
                ),
                "difference (95% CI)": _Cell(
                    format_difference(row), f"num {tone}" if row["significant"] else "num"
                ),
                "pairs": int(row["pairs"]),
                "reading": _Cell(reading(row), tone),
            }
        )
    # Object columns keep the _Cell instances (string columns would turn them into str).
    table = pd.DataFrame(rows, dtype=object)
    return table.astype({"pairs": "int64"})


def build_report(comparison: Comparison, manifest: Mapping[str, Any]) -> Report:
    """Assemble the self-contained HTML report of a comparison.

    Args:
        comparison: The comparison.
        manifest: Provenance, such as :func:`comparison_manifest` returns.

    Returns:
        The report (write it with :meth:`simulation.outputs.reports.Report.write`).
    """
    baseline = comparison.baseline
    alternatives = [alternative.name for alternative in comparison.alternatives]
    last = comparison.months[-1]
    report = Report(
        f"Scenario comparison: {', '.join(alternatives)} against {baseline.name}",
        subtitle=(
            f"{_count(comparison.replications, 'paired replication')} of "
            f"{comparison.steps} months, root seed {comparison.seed}"
        ),
    )
    report.contents()

    report.heading("Summary")
    report.paragraph(
        f"This report compares {_count(len(alternatives), 'alternative scenario')} "
        f"({join_words(alternatives)}) with the baseline scenario **{baseline.name}**. Each "
        f"scenario was simulated {comparison.replications} times over "
        f"{month_phrase(comparison.steps)}. Run 1 of every scenario used the same random "
        "seed, run 2 another shared seed, and so on, so the runs come in matched pairs and "
        "the differences between scenarios come from their settings and interventions, not "
        "from chance. A difference is the scenario's value minus the baseline's, averaged "
        f"over the {_count(comparison.replications, 'pair')}, with a 95 % confidence "
        "interval (CI): the range that plausibly holds the true average difference. It is "
        "called clear when the interval does not include zero. At "
        f"{month_phrase(last)}, compared with {baseline.name}:"
    )
    report.bullets(headline_sentences(comparison, last))
    if comparison.notes:
        report.paragraph(f"See the notes: {_count(len(comparison.notes), 'note')} below.")

    report.heading("Differences from the baseline")
    report.paragraph(
        "Each row gives the mean of the baseline and of the scenario over the replications, "
        "and the mean of the paired differences (scenario minus baseline, run by run on the "
        "same seed) with its 95 % confidence interval. **Clear** differences (interval "
        "excludes zero) are shaded green where they favour the peer workforce (more peer "
        "workers, leaders, champions or commitment; fewer organisations without peers; "
        "less stigma) and red where they do not. The peer share of staff is in per cent "
        "(its differences in percentage points); stigma and commitment are scores from 0 "
        "to 1."
    )
    times = [month_phrase(month) for month in comparison.months]
    report.table(
        report_table(comparison),
        caption=f"Paired differences from {baseline.name} at {join_words(times)}",
        cell_classes=_cell_classes,
    )

    report.heading("Figures")
    report.figure(
        outcomes_figure(comparison),
        OUTCOMES_FIGURE,
        caption=(
            "Key outcomes over time: the mean of each scenario over its replications, with "
            "the 95 % confidence band of the mean."
        ),
    )
    report.figure(
        differences_figure(comparison),
        DIFFERENCES_FIGURE,
        caption=(
            f"Paired difference from {baseline.name} over time (scenario minus baseline on "
            "the same seeds): mean and 95 % confidence band. Where the band leaves the zero "
            "line the difference is clear."
        ),
    )

    report.heading("Scenarios")
    for position, scenario in enumerate(comparison.scenarios):
        role = "baseline" if position == 0 else "alternative"
        report.heading(f"{scenario.name} ({role})", level=3)
        report.paragraph(scenario.description or "(No description given.)")
        facts = [
            f"File: `{scenario.source}`" if scenario.text is not None else "File: none",
            f"Its own settings: {scenario.steps} months, root seed {scenario.seed}, "
            f"{_count(scenario.replications, 'replication')}",
            f"Parameters changed from the defaults: {_describe_parameters(scenario)}",
            f"Scheduled events: {len(scenario.events or [])}",
        ]
        report.bullets(facts)
        if scenario.text is not None:
            report.preformatted(scenario.text, caption=f"{scenario.source}")
        else:
            report.preformatted(
                json.dumps(
                    {
                        key: value
                        for key, value in _scenario_record(scenario).items()
                        if key != "text"
                    },
                    indent=2,
                ),
                caption="Built in code (no file); its settings",
            )

    report.heading("Notes")
    if comparison.notes:
        report.bullets(comparison.notes)
    else:
        report.paragraph(
            "None: every alternative asked for the baseline's months, seed and replications."
        )

    report.heading("Provenance")
    report.paragraph(
        "The scenarios compared, then how the results were made. The root seed, months and "
        "replications are the baseline's, used for every scenario; the parameters in the "
        "manifest are the baseline's."
    )
    report.bullets(
        [
            f"{scenario.name}: `{scenario.source}`"
            if scenario.text is not None
            else f"{scenario.name}: built in code"
            for scenario in comparison.scenarios
        ]
    )
    report.provenance(manifest)
    return report


def _describe_parameters(scenario: Scenario) -> str:
    parameters = dict(scenario.parameters or {})
    if not parameters:
        return "none"
    return ", ".join(f"`{name} = {value!r}`" for name, value in parameters.items())


def _scenario_record(scenario: Scenario) -> dict[str, Any]:
    """A JSON-ready description of a scenario for the manifest.

    Its :meth:`~simulation.runs.scenarios.Scenario.manifest_entry` (name, description, path,
    file text, events) with its own steps, seed, replications and parameters.
    """
    entry = scenario.manifest_entry()
    entry.update(
        steps=scenario.steps,
        seed=scenario.seed,
        replications=scenario.replications,
        parameters=scenario.model_params(),
    )
    return to_jsonable(entry)


def comparison_manifest(
    comparison: Comparison,
    *,
    started_at: datetime,
    wall_time_seconds: float,
    command_line: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The manifest of a comparison: a run manifest plus the scenarios and notes.

    Args:
        comparison: The comparison.
        started_at: When it started (timezone-aware).
        wall_time_seconds: How long it took.
        command_line: The argument vector (default ``sys.argv``).

    Returns:
        :func:`simulation.outputs.manifest.build_manifest` for the baseline's settings and
        parameters, with ``baseline``, ``scenarios`` (name, file, description, own
        settings, parameters, events), ``months`` and ``notes`` added.
    """
    manifest = build_manifest(
        steps=comparison.steps,
        seed=comparison.seed,
        replications=comparison.replications,
        seeds=comparison.seeds,
        params=comparison.baseline.model_params(),
        started_at=started_at,
        wall_time_seconds=wall_time_seconds,
        command_line=command_line,
    )
    manifest["baseline"] = comparison.baseline.name
    manifest["scenarios"] = [_scenario_record(scenario) for scenario in comparison.scenarios]
    manifest["months"] = list(comparison.months)
    manifest["notes"] = list(comparison.notes)
    return to_jsonable(manifest)


def write_comparison(
    comparison: Comparison,
    out_dir: str | Path,
    manifest: Mapping[str, Any],
    *,
    replace: bool = False,
) -> Path:
    """Write the report and data of a comparison atomically.

    Writes ``report.html`` (self-contained), ``outcomes.png``, ``differences.png``,
    ``differences.csv``, ``timeseries.parquet`` and ``manifest.json``.

    Args:
        comparison: The comparison.
        out_dir: Results directory; created, or replaced if it holds previous results.
        manifest: Provenance (see :func:`comparison_manifest`).
        replace: Whether an earlier lewsim result in ``out_dir`` may be replaced.

    Returns:
        The absolute path of the results directory.

    Raises:
        simulation.errors.OutputError: If ``out_dir`` cannot be used or writing fails;
            nothing is left half-written.
    """
    report = build_report(comparison, manifest)
    parquet = io.BytesIO()
    comparison.timeseries.to_parquet(parquet, index=False)
    return report.write(
        out_dir,
        {
            DIFFERENCES_CSV: comparison.differences.to_csv(index=False),
            TIMESERIES_PARQUET: parquet.getvalue(),
            MANIFEST_JSON: manifest_json(manifest),
        },
        replace=replace,
    )
