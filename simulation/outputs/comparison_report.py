"""The planner's report of a paired comparison: wording, figures and a self-contained page.

:func:`build_report` turns a :class:`~simulation.runs.comparison.Comparison` into a
self-contained HTML report for a planner: a summary in plain words with each scenario's
file and events in words (:func:`describe_event`), the notes to read before the numbers,
the table of differences (every value of an outcome rounded alike, intervals with enough
decimals to show their side of zero, a difference called clear only above its practical
threshold), figures, the scenario files and provenance. :func:`write_comparison` writes
it with the data files.
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
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulation.outputs.figures import SERIES_LABELS, panel_grid, series_scale, y_label
from simulation.outputs.files import organisation_files
from simulation.outputs.manifest import build_manifest, manifest_json, to_jsonable
from simulation.outputs.organisation_report import add_organisation_section
from simulation.outputs.reports import Report
from simulation.runs.comparison import (
    FAVOURABLE_DIRECTION,
    PRACTICAL_THRESHOLDS,
    Comparison,
    is_clear,
    join_words,
)
from simulation.runs.replications import summarise_replications
from simulation.runs.scenarios import Scenario, show

#: How each outcome is named in sentences, and how its values are written:
#: ``count`` (people, organisations), ``score`` (0-1 scale) or ``share`` (per cent, its
#: differences in percentage points).
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
_PANEL_SIZE = (3.5, 2.7)  # inches: a little smaller than a run's panels


# ---- wording --------------------------------------------------------------------------------

#: Decimals of each kind of outcome value: people and organisations to a tenth, 0-1
#: scores to a thousandth, shares to a tenth of a percentage point. Every value of an
#: outcome is shown with them, so one mean reads the same in every row.
DECIMALS: dict[str, int] = {"count": 1, "score": 3, "share": 1}

#: Most decimals a difference or its interval is given to show which side of zero it is on.
MAX_DECIMALS = 6

#: The unit of a count outcome's practical threshold, singular and plural.
_THRESHOLD_UNITS: dict[str, tuple[str, str]] = {
    "peer_workers": ("peer worker", "peer workers"),
    "orgs_without_peers": ("organisation without peers", "organisations without peers"),
    "le_leaders": ("lived-experience leader", "lived-experience leaders"),
    "champions": ("champion", "champions"),
}


def month_phrase(month: int) -> str:
    """``"1 year"``, ``"10 years"`` or ``"month 30"``."""
    if month > 0 and month % 12 == 0:
        years = month // 12
        return f"{years} year" if years == 1 else f"{years} years"
    return f"month {month}"


def _kind(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, ("", "score"))[1]


def _scale(outcome: str) -> float:
    """Shares are shown in per cent (their differences in percentage points)."""
    return series_scale(outcome)


def _text(value: float, decimals: int, signed: bool) -> str:
    text = f"{value:{'+' if signed else ''}.{decimals}f}"
    return "0" if text.lstrip("+-").strip("0.") == "" else text  # no "-0.0" or "+0.000"


def format_value(
    outcome: str,
    value: float,
    *,
    signed: bool = False,
    decimals: int | None = None,
) -> str:
    """Write one outcome value as shown in the report and the terminal.

    Every value of an outcome gets the same decimals (:data:`DECIMALS` of its kind), so a
    mean reads the same wherever it is shown.

    Args:
        outcome: The outcome (decides scale and decimals; shares in per cent).
        value: The value, in the outcome's own units (shares as fractions).
        signed: Show a ``+`` on positive values (for differences).
        decimals: Decimals to use instead of the outcome's usual ones.

    Returns:
        The text; ``"n/a"`` for a missing value.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    places = DECIMALS.get(_kind(outcome), 3) if decimals is None else decimals
    return _text(value * _scale(outcome), places, signed)


def difference_decimals(outcome: str, *values: float) -> int:
    """Decimals that show every non-zero value on its side of zero.

    Starts from the outcome's usual decimals and adds more while a non-zero value (such as
    the upper end of an interval at -0.0004) would round to zero, up to
    :data:`MAX_DECIMALS`.

    Args:
        outcome: The outcome.
        *values: The values, in the outcome's own units.

    Returns:
        The number of decimals.
    """
    places = DECIMALS.get(_kind(outcome), 3)
    scaled = [value * _scale(outcome) for value in values if math.isfinite(value) and value]
    while places < MAX_DECIMALS and any(round(value, places) == 0 for value in scaled):
        places += 1
    return places


def format_difference(row: Mapping[str, Any]) -> str:
    """``+40.2 (95% CI 35.0 to 45.3)`` for a row of the differences table.

    The difference and both ends of its interval share their decimals, with as many as it
    takes to show each on its side of zero (:func:`difference_decimals`).
    """
    outcome = row["outcome"]
    low, high = row["ci_low"], row["ci_high"]
    places = difference_decimals(outcome, row["difference"], low, high)
    difference = format_value(outcome, row["difference"], signed=True, decimals=places)
    if not math.isfinite(low):
        return f"{difference} (no CI: one pair)"
    low_text = format_value(outcome, low, decimals=places)
    high_text = format_value(outcome, high, decimals=places)
    return f"{difference} (95% CI {low_text} to {high_text})"


def threshold_phrase(outcome: str, *, named: bool = False) -> str:
    """The outcome's practical threshold in words: ``"1 peer worker"``, ``"0.01"``...

    Args:
        outcome: An outcome of :data:`~simulation.runs.comparison.PRACTICAL_THRESHOLDS`.
        named: Name the outcome after a score's or share's threshold (``"0.01 in mean
            stigma"``), for a list of several outcomes' thresholds.

    Returns:
        The threshold with its unit (``"0.01 on its 0-1 scale"``, ``"0.1 percentage
        points"``); ``"none"`` for an outcome without one.
    """
    threshold = PRACTICAL_THRESHOLDS.get(outcome)
    if threshold is None:
        return "none"
    kind = _kind(outcome)
    if kind == "count":
        singular, plural = _THRESHOLD_UNITS.get(outcome, ("", ""))
        return f"{threshold:g} {singular if threshold == 1 else plural}".rstrip()
    if kind == "share":
        points = f"{threshold * 100:g}"
        amount = f"{points} percentage point" + ("" if points == "1" else "s")
    else:
        amount = f"{threshold:g}" if named else f"{threshold:g} on its 0-1 scale"
    return f"{amount} in {outcome_label(outcome)}" if named else amount


def _clear(row: Mapping[str, Any]) -> bool:
    if "clear" in row:
        return bool(row["clear"])
    return is_clear(row["outcome"], row["difference"], row["ci_low"], row["ci_high"])


def _significant(row: Mapping[str, Any]) -> bool:
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)  # False for NaN


def reading(row: Mapping[str, Any]) -> str:
    """Plain-words reading of a difference: its direction and whether it favours peers.

    A difference is read as higher or lower only when it is clear (its 95 % CI excludes
    zero and it exceeds the outcome's practical threshold); one whose interval excludes
    zero but which is smaller than the threshold is "too small to matter".
    """
    if not math.isfinite(row["ci_low"]):
        return "no CI (one pair)"
    if not _significant(row):
        return "no clear difference"
    if not _clear(row):
        return f"too small to matter (under {threshold_phrase(row['outcome'])})"
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
        ``"+40.2 peer workers (95% CI 35.0 to 45.3)"`` for counts, ``"mean stigma -0.021
        on its 0-1 scale (95% CI ...)"`` for scores, ``"peer share of staff +1.2
        percentage points (95% CI ...)"`` for shares.
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
        Sentences such as ``"**exec-champion** at 10 years: +40.2 peer workers (95% CI
        35.0 to 45.3); ...; too small to matter: mean stigma; no clear difference in
        champions."``: clear differences in outcome order, then those whose interval
        excludes zero but which are under their practical threshold, then the rest.
    """
    rows = comparison.at_month(month)
    month = int(rows["month"].iloc[0])
    sentences = []
    for alternative in comparison.alternatives:
        records = rows[rows["scenario"] == alternative.name].to_dict("records")
        parts = [difference_phrase(row) for row in records if _clear(row)]
        small = [
            outcome_label(row["outcome"])
            for row in records
            if _significant(row) and not _clear(row)
        ]
        unclear = [outcome_label(row["outcome"]) for row in records if not _significant(row)]
        if small:
            parts.append(f"too small to matter: {join_words(small)}")
        if unclear:
            parts.append(f"no clear difference in {join_words(unclear)}")
        sentences.append(f"**{alternative.name}** at {month_phrase(month)}: {'; '.join(parts)}.")
    return sentences


def _orgs_phrase(orgs: Any) -> str:
    """An event's organisations in words."""
    if isinstance(orgs, str):
        if orgs == "all":
            return "all organisations"
        if orgs in ("with_peers", "without_peers"):
            which = "with" if orgs == "with_peers" else "without"
            return f"the organisations {which} peer workers at the time"
        if orgs.startswith("exposure:"):
            return f"the organisations of exposure class {orgs.removeprefix('exposure:')!r}"
        return f"organisations {orgs!r}"
    ids = [str(each) for each in orgs]
    return f"organisation {ids[0]}" if len(ids) == 1 else f"organisations {join_words(ids)}"


def _coverage_phrase(coverage: float, who: str) -> str:
    return f"all {who}" if coverage == 1 else f"{coverage:.0%} of {who}"


def describe_event(event: Any) -> str:
    """A scheduled event in words, as a planner would say it.

    Args:
        event: An event of a scenario (a pydantic model with ``month``, ``type`` and the
            intervention's arguments).

    Returns:
        E.g. ``"month 12: appoint a champion at executive level in all organisations"``.
    """
    arguments = dict(event.model_dump())
    kind = str(arguments.pop("type"))
    month = int(arguments.pop("month"))
    where = _orgs_phrase(arguments.pop("orgs", "all"))
    if kind == "management_training":
        action = (
            f"management training for {_coverage_phrase(arguments['coverage'], 'managers')} "
            f"in {where}"
        )
    elif kind == "workforce_training":
        action = (
            "anti-stigma training for "
            f"{_coverage_phrase(arguments['coverage'], 'non-peer staff')} in {where}"
        )
    elif kind == "appoint_champion":
        level = str(arguments["level"]).replace("_", " ")
        action = f"appoint a champion at {level} level in {where}"
    elif kind == "remove_champion":
        level = arguments.get("level")
        who = (
            "the most powerful champion"
            if level is None
            else (f"every champion at {str(level).replace('_', ' ')} level")
        )
        action = f"{who} leaves, in {where}"
    elif kind == "hire_le_leader":
        action = (
            f"hire a lived-experience leader onto the executive team in {where} "
            "(where there is none)"
        )
    elif kind == "visits_programme":
        rate = arguments.get("rate")
        pace = "the default rate" if rate is None else f"{rate:g} visits a month"
        action = f"visits programme: managers visit peer services at {pace} in {where}"
    elif kind == "manager_network":
        verb = "start" if arguments.get("enabled", True) else "end"
        action = f"{verb} a support network for managers hiring peers in {where}"
    elif kind == "set":
        action = f"set {arguments['name']} to {show(arguments['value'])} in {where}"
    else:
        details = ", ".join(f"{name} = {show(value)}" for name, value in arguments.items())
        action = f"{kind.replace('_', ' ')}" + (f" ({details})" if details else "")
        action += f" in {where}"
    return f"month {month}: {action}"


# ---- figures --------------------------------------------------------------------------------


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
    figure, grid = panel_grid(len(outcomes), _PANEL_SIZE, extra_height=1.1)
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


#: Columns of :func:`report_table`, in order.
REPORT_COLUMNS: tuple[str, ...] = (
    "scenario",
    "outcome",
    "at",
    "baseline",
    "scenario value",
    "difference (95% CI)",
    "clear",
    "reading",
)


def _tone(row: Mapping[str, Any]) -> str:
    """CSS class of a difference: good or bad for the peer workforce, or muted if unclear."""
    if not _clear(row):
        return "muted"
    favourable = FAVOURABLE_DIRECTION.get(row["outcome"], 0) * np.sign(row["difference"])
    return {1: "good", -1: "bad"}.get(int(favourable), "warn")


def report_table(comparison: Comparison, month: int | None = None) -> pd.DataFrame:
    """The differences table as shown in the report (and fit for a terminal).

    Args:
        comparison: The comparison.
        month: Only this month of the table; every month when ``None``.

    Returns:
        Columns :data:`REPORT_COLUMNS`, one row per alternative, outcome and month, as
        text: the baseline's and the scenario's mean with the outcome's decimals, the
        paired difference with its 95 % CI (enough decimals to show each end's side of
        zero), whether it is clear (a bool) and a reading in words.
    """
    rows = comparison.differences if month is None else comparison.at_month(month)
    table = pd.DataFrame(
        [
            {
                "scenario": row["scenario"],
                "outcome": outcome_label(row["outcome"])
                + (" (%)" if _scale(row["outcome"]) != 1.0 else ""),
                "at": month_phrase(int(row["month"])),
                "baseline": format_value(row["outcome"], row["baseline_mean"]),
                "scenario value": format_value(row["outcome"], row["scenario_mean"]),
                "difference (95% CI)": format_difference(row),
                "clear": _clear(row),
                "reading": reading(row),
            }
            for row in rows.to_dict("records")
        ],
        columns=list(REPORT_COLUMNS),
    )
    return table.astype({"clear": "bool"})


def _report_table_classes(comparison: Comparison) -> pd.DataFrame:
    """CSS classes of :func:`report_table`'s cells: numbers right, clear ones shaded."""
    classes = []
    for row in comparison.differences.to_dict("records"):
        tone = _tone(row)
        cells = dict.fromkeys(REPORT_COLUMNS, "")
        cells.update(
            {
                "scenario": "nowrap",
                "at": "nowrap",
                "baseline": "num",
                "scenario value": "num",
                "difference (95% CI)": f"num {tone}" if tone != "muted" else "num",
                "clear": tone,
                "reading": tone,
            }
        )
        classes.append(cells)
    return pd.DataFrame(classes, columns=list(REPORT_COLUMNS), dtype=object)


def _threshold_sentence(comparison: Comparison) -> str:
    """The practical thresholds of the compared outcomes, in one clause."""
    parts = [
        threshold_phrase(outcome, named=True)
        for outcome in comparison.outcomes
        if outcome in PRACTICAL_THRESHOLDS
    ]
    return join_words(parts) + " (scores on their 0-1 scale)"


def _settings_given(scenario: Scenario) -> str:
    """The run settings the scenario's file gives, in words."""
    words = {"steps": "{} months", "seed": "root seed {}", "replications": "{} replications"}
    given = [
        label.format(getattr(scenario, name))
        for name, label in words.items()
        if name in scenario.model_fields_set
    ]
    return join_words(given) if given else "none"


def _describe_parameters(scenario: Scenario) -> str:
    parameters = dict(scenario.parameters or {})
    if not parameters:
        return "none"
    return ", ".join(f"`{name} = {show(value)}`" for name, value in parameters.items())


def _file_phrase(scenario: Scenario) -> str:
    return f"`{scenario.source}`" if scenario.text is not None else "built in code (no file)"


def _what_it_does(scenario: Scenario, steps: int) -> str:
    """A scenario's events (up to the last month run) and parameters, in one line."""
    events = [describe_event(event) for event in scenario.events if event.month <= steps]
    parts = [join_words(events) if events else "no events"]
    if scenario.parameters:
        parts.append(f"parameters {_describe_parameters(scenario)}")
    return "; ".join(parts)


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
        "called **clear** when the interval does not include zero and the difference is "
        "larger than a practical threshold (see below). At "
        f"{month_phrase(last)}, compared with {baseline.name}:"
    )
    report.bullets(headline_sentences(comparison, last))
    report.paragraph("The scenarios compared (their events in words; details below):")
    report.bullets(
        [
            f"**{scenario.name}** ({'baseline' if position == 0 else 'alternative'}, "
            f"{_file_phrase(scenario)}): {_what_it_does(scenario, comparison.steps)}"
            for position, scenario in enumerate(comparison.scenarios)
        ]
    )

    report.heading("Notes")
    if comparison.notes:
        report.callout(
            comparison.notes,
            title=f"Read before the numbers ({_count(len(comparison.notes), 'note')})",
            tone="warn",
        )
    else:
        report.paragraph(
            "None: every alternative ran on the baseline's months, seed and replications, "
            "from the same sector."
        )

    report.heading("Differences from the baseline")
    report.paragraph(
        "Each row gives the mean of the baseline and of the scenario over the replications, "
        "and the mean of the paired differences (scenario minus baseline, run by run on the "
        "same seed) with its 95 % confidence interval. Its ends are given with enough "
        "decimals to show on which side of zero each lies. A difference is **clear** when "
        "its interval excludes zero and it is larger than a practical threshold: "
        f"{_threshold_sentence(comparison)}. With many replications even a negligible "
        "difference has an interval that excludes zero; the threshold keeps such a "
        'difference from being read as an effect (it is then "too small to matter"). '
        "Clear differences are shaded green where they favour the peer workforce (more "
        "peer workers, leaders, champions or commitment; fewer organisations without peers; "
        "less stigma) and red where they do not. The peer share of staff is in per cent "
        "(its differences in percentage points); stigma and commitment are scores from 0 "
        "to 1. Counts are means over the replications, hence the decimals."
    )
    times = [month_phrase(month) for month in comparison.months]
    report.table(
        report_table(comparison),
        caption=f"Paired differences from {baseline.name} at {join_words(times)}",
        classes=_report_table_classes(comparison),
    )

    add_organisation_section(report, comparison)

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
            "line the interval excludes zero; the table says whether the difference is "
            "also large enough to be clear."
        ),
    )

    report.heading("Scenarios")
    report.paragraph(
        "Each scenario as its file gives it. A copied file keeps the name and description it "
        "was copied with unless they were edited: the file path and the events below say "
        "what was actually run."
    )
    for position, scenario in enumerate(comparison.scenarios):
        role = "baseline" if position == 0 else "alternative"
        report.heading(f"{scenario.name} ({role})", level=3)
        report.paragraph(scenario.description or "(No description given.)")
        events = [
            describe_event(event)
            + (" (after the last month run: left out)" if event.month > comparison.steps else "")
            for event in scenario.events
        ]
        facts = [
            f"File: {_file_phrase(scenario)}",
            f"Run settings in the file: {_settings_given(scenario)}"
            + ("" if position == 0 else " (the comparison ran it on the baseline's)"),
            f"Parameters set in the file: {_describe_parameters(scenario)}",
            "Events, in words:" if events else "Events: none",
        ]
        report.bullets(facts)
        if events:
            report.bullets(events)
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

    report.heading("Provenance")
    report.paragraph(
        "The scenarios compared, then how the results were made. The root seed, months and "
        "replications are the baseline's, used for every scenario; the parameters in the "
        "manifest are the baseline's."
    )
    report.bullets(
        [f"{scenario.name}: {_file_phrase(scenario)}" for scenario in comparison.scenarios]
    )
    report.provenance(manifest)
    return report


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
    ``differences.csv``, ``timeseries.parquet`` and ``manifest.json``; with a sector
    file, also ``organisations.parquet`` and ``organisations.csv``.

    Args:
        comparison: The comparison.
        out_dir: Results directory; created, or replaced if it holds previous results.
        manifest: Provenance (see :func:`comparison_manifest`).
        replace: Whether an earlier lewsim result in ``out_dir`` may be replaced.

    Returns:
        The absolute path of the results directory.

    Raises:
        simulation.core.errors.OutputError: If ``out_dir`` cannot be used or writing fails;
            nothing is left half-written.
    """
    report = build_report(comparison, manifest)
    parquet = io.BytesIO()
    comparison.timeseries.to_parquet(parquet, index=False)
    files = {
        DIFFERENCES_CSV: comparison.differences.to_csv(index=False),
        TIMESERIES_PARQUET: parquet.getvalue(),
        MANIFEST_JSON: manifest_json(manifest),
    }
    if comparison.organisations is not None:
        files.update(organisation_files(comparison.organisations))
    return report.write(out_dir, files, replace=replace)
