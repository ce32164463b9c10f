"""The planner's report of a paired comparison: the page, its table and its files.

:func:`build_report` turns a :class:`~simulation.runs.comparison.Comparison` into a
self-contained HTML report for a planner, one named step a section: a summary in plain
words with each scenario's file and events (each intervention words itself:
:meth:`~simulation.core.interventions.Intervention.describe`), the notes to read before
the numbers, the table of differences (numbers worded by :mod:`.comparison_words`),
figures (:mod:`.comparison_figures`), the scenario files and provenance.
:func:`write_comparison` writes it with the data files.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.interventions import Intervention
from simulation.core.wording import count, join_words
from simulation.outputs.comparison_figures import differences_figure, outcomes_figure
from simulation.outputs.comparison_words import (
    format_difference,
    format_value,
    headline_sentences,
    month_phrase,
    outcome_label,
    reading,
    row_is_clear,
    threshold_phrase,
)
from simulation.outputs.figures import series_scale
from simulation.outputs.files import organisation_files
from simulation.outputs.manifest import build_manifest, manifest_json, to_jsonable
from simulation.outputs.organisation_report import add_organisation_section
from simulation.outputs.reports import Report
from simulation.runs.comparison import (
    FAVOURABLE_DIRECTION,
    PRACTICAL_THRESHOLDS,
    Comparison,
)
from simulation.runs.scenarios import Scenario, show

#: Data files written next to the report by :func:`write_comparison`.
DIFFERENCES_CSV = "differences.csv"
TIMESERIES_PARQUET = "timeseries.parquet"
MANIFEST_JSON = "manifest.json"
OUTCOMES_FIGURE = "outcomes"
DIFFERENCES_FIGURE = "differences"


def _event_sentence(event: Intervention) -> str:
    """A scheduled event in words: its month, then what the intervention says it does."""
    return f"month {event.month}: {event.describe()}"


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
    if not row_is_clear(row):
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
                + (" (%)" if series_scale(row["outcome"]) != 1.0 else ""),
                "at": month_phrase(int(row["month"])),
                "baseline": format_value(row["outcome"], row["baseline_mean"]),
                "scenario value": format_value(row["outcome"], row["scenario_mean"]),
                "difference (95% CI)": format_difference(row),
                "clear": row_is_clear(row),
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
    events = [_event_sentence(event) for event in scenario.events if event.month <= steps]
    parts = [join_words(events) if events else "no events"]
    if scenario.parameters:
        parts.append(f"parameters {_describe_parameters(scenario)}")
    return "; ".join(parts)


def build_report(comparison: Comparison, manifest: Mapping[str, Any]) -> Report:
    """Assemble the self-contained HTML report of a comparison, section by section.

    Args:
        comparison: The comparison.
        manifest: Provenance, such as :func:`comparison_manifest` returns.

    Returns:
        The report (write it with :meth:`simulation.outputs.reports.Report.write`).
    """
    alternatives = [alternative.name for alternative in comparison.alternatives]
    report = Report(
        f"Scenario comparison: {', '.join(alternatives)} against {comparison.baseline.name}",
        subtitle=(
            f"{count(comparison.replications, 'paired replication')} of "
            f"{comparison.steps} months, root seed {comparison.seed}"
        ),
    )
    report.contents()
    _add_summary(report, comparison)
    _add_notes(report, comparison)
    _add_differences(report, comparison)
    add_organisation_section(report, comparison)
    _add_figures(report, comparison)
    _add_scenarios(report, comparison)
    _add_provenance(report, comparison, manifest)
    return report


def _add_summary(report: Report, comparison: Comparison) -> None:
    """What was compared and how, the headline differences, and each scenario in a line."""
    baseline = comparison.baseline
    alternatives = [alternative.name for alternative in comparison.alternatives]
    last = comparison.months[-1]
    report.heading("Summary")
    report.paragraph(
        f"This report compares {count(len(alternatives), 'alternative scenario')} "
        f"({join_words(alternatives)}) with the baseline scenario **{baseline.name}**. Each "
        f"scenario was simulated {comparison.replications} times over "
        f"{month_phrase(comparison.steps)}. Run 1 of every scenario used the same random "
        "seed, run 2 another shared seed, and so on, so the runs come in matched pairs and "
        "the differences between scenarios come from their settings and interventions, not "
        "from chance. A difference is the scenario's value minus the baseline's, averaged "
        f"over the {count(comparison.replications, 'pair')}, with a 95 % confidence "
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


def _add_notes(report: Report, comparison: Comparison) -> None:
    """The notes to read before the numbers (settings overridden, sectors that differ)."""
    report.heading("Notes")
    if comparison.notes:
        report.callout(
            comparison.notes,
            title=f"Read before the numbers ({count(len(comparison.notes), 'note')})",
            tone="warn",
        )
    else:
        report.paragraph(
            "None: every alternative ran on the baseline's months, seed and replications, "
            "from the same sector."
        )


def _add_differences(report: Report, comparison: Comparison) -> None:
    """How to read the table of differences, then the table."""
    baseline = comparison.baseline
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


def _add_figures(report: Report, comparison: Comparison) -> None:
    """The outcomes and the paired differences over time."""
    baseline = comparison.baseline
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


def _add_scenarios(report: Report, comparison: Comparison) -> None:
    """Each scenario as its file gives it: settings, parameters, events and the file."""
    report.heading("Scenarios")
    report.paragraph(
        "Each scenario as its file gives it. A copied file keeps the name and description it "
        "was copied with unless they were edited: the file path and the events below say "
        "what was actually run."
    )
    for position, scenario in enumerate(comparison.scenarios):
        _add_scenario(report, scenario, position == 0, comparison.steps)


def _add_scenario(report: Report, scenario: Scenario, is_baseline: bool, steps: int) -> None:
    """One scenario: its description, settings, parameters, events and file text."""
    role = "baseline" if is_baseline else "alternative"
    report.heading(f"{scenario.name} ({role})", level=3)
    report.paragraph(scenario.description or "(No description given.)")
    events = [
        _event_sentence(event)
        + (" (after the last month run: left out)" if event.month > steps else "")
        for event in scenario.events
    ]
    facts = [
        f"File: {_file_phrase(scenario)}",
        f"Run settings in the file: {_settings_given(scenario)}"
        + ("" if is_baseline else " (the comparison ran it on the baseline's)"),
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
                {key: value for key, value in _scenario_record(scenario).items() if key != "text"},
                indent=2,
            ),
            caption="Built in code (no file); its settings",
        )


def _add_provenance(report: Report, comparison: Comparison, manifest: Mapping[str, Any]) -> None:
    """The scenario files compared, then the manifest."""
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
