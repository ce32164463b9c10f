"""Figures and the HTML report of a pattern validation.

:func:`pattern_figure` makes a figure and lets the pattern draw on it (each pattern
class of :mod:`simulation.runs.validation` holds its own figure, so the runs layer needs
no matplotlib); :func:`summary_lines` is what ``lewsim validate`` prints; and
:func:`build_report` assembles the pattern table, the loop gains, the figures and the
calibration table into a self-contained ``report.html`` (see
:class:`simulation.outputs.reports.Report`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simulation.core.sector_file import read_sector
from simulation.outputs.reports import Report
from simulation.runs.validation import (
    DEFAULT_PAIRS,
    HORIZON,
    LoopGain,
    Pattern,
    Runs,
    Validation,
    Verdict,
)

#: CSS class of each verdict in the report's tables.
_VERDICT_CLASSES = {
    Verdict.HOLDS: "good",
    Verdict.INCONCLUSIVE: "warn",
    Verdict.CONTRADICTED: "bad",
}


def pattern_figure(pattern: Pattern, runs: Runs) -> Figure:
    """The figure of one pattern: an Agg figure of its size, drawn by the pattern itself.

    Args:
        pattern: The pattern (its :meth:`~simulation.runs.validation.Pattern.plot` draws).
        runs: Arm name -> runs, from :func:`simulation.runs.validation.validate`.

    Returns:
        A Matplotlib figure on an Agg canvas.
    """
    figure = Figure(figsize=pattern.figure_size, layout="constrained")
    FigureCanvasAgg(figure)
    pattern.plot(figure, runs)
    figure.suptitle(f"Pattern {pattern.number}: {pattern.title}", fontweight="bold")
    return figure


def loops_figure(loops: tuple[LoopGain, ...], runs: Runs) -> Figure:
    """The loop-gain experiments side by side: one panel per loop, drawn by the loop itself.

    Args:
        loops: The loop-gain experiments run.
        runs: Arm name -> runs, from :func:`simulation.runs.validation.validate`.

    Returns:
        A Matplotlib figure on an Agg canvas.
    """
    figure = Figure(figsize=(4.0 * max(len(loops), 1), 3.4), layout="constrained")
    FigureCanvasAgg(figure)
    panels = figure.subplots(1, max(len(loops), 1), squeeze=False)[0]
    for loop, axes in zip(loops, panels, strict=False):
        loop.plot(axes, runs)
    figure.suptitle("Loop gains: each loop cut, on the same seeds", fontweight="bold")
    return figure


def power_note(validation: Validation, quick: bool = False) -> str | None:
    """A sentence saying that a reduced run has less power, or ``None`` for a full run.

    Args:
        validation: The judged patterns.
        quick: Whether it was run as ``--quick``.

    Returns:
        For example ``"quick mode: 10 pairs over 60 months (the full run: 30 over 120); an
        inconclusive check may hold on the full run"``.
    """
    notes = []
    if quick or validation.reduced:
        mode = "quick mode" if quick else "reduced run"
        notes.append(
            f"{mode}: {len(validation.seeds)} pairs over {validation.months} months (the full "
            f"run: {DEFAULT_PAIRS} over {HORIZON}); an inconclusive check may hold on the "
            "full run"
        )
    small = small_sector_note(validation)
    if small:
        notes.append(small)
    return "; ".join(notes) if notes else None


#: The sector of the study (and of the default parameters): the size the patterns assume.
STUDY_ORGANISATIONS = 24


def small_sector_note(validation: Validation) -> str | None:
    """A phrase on a sector file with fewer organisations than the study's, or None.

    Args:
        validation: The judged patterns.

    Returns:
        E.g. ``"your sector has 6 organisations (the study's had 24): checks that compare
        organisations rest on fewer of them, and an inconclusive one may be for want of
        organisations, not of an effect"``.
    """
    if validation.sector is None:
        return None
    n_orgs = read_sector(validation.sector).n_orgs
    if n_orgs >= STUDY_ORGANISATIONS:
        return None
    return (
        f"your sector ({validation.sector}) has {n_orgs} organisations (the study's had "
        f"{STUDY_ORGANISATIONS}): checks that compare organisations rest on fewer of them, "
        "and an inconclusive one may be for want of organisations, not of an effect"
    )


def tally(summary: pd.DataFrame) -> str:
    """How many patterns hold on their emergent checks, in words (only counted ones count)."""
    counted = summary[summary["counted"]]
    counts = counted["verdict"].value_counts()
    held = int(counts.get(Verdict.HOLDS, 0))
    inconclusive = int(counts.get(Verdict.INCONCLUSIVE, 0))
    contradicted = int(counts.get(Verdict.CONTRADICTED, 0))
    only = int((summary["verdict"] == "no emergent check").sum())
    withdrawn = int((summary["verdict"] == "withdrawn").sum())
    text = (
        f"{held} of {len(counted)} patterns with emergent checks hold on them, "
        f"{inconclusive} inconclusive, {contradicted} contradicted "
        f"({only} with verification checks only"
        + (f", {withdrawn} withdrawn" if withdrawn else "")
        + ", not counted)"
    )
    if "robust" in summary:
        text += f"; {int(summary['robust'].sum())} of {len(counted)} robust over the posterior"
    return text


def summary_lines(validation: Validation, quick: bool = False) -> list[str]:
    """What ``lewsim validate`` prints: the power note, one line per pattern, the tally.

    Args:
        validation: The judged patterns.
        quick: Whether it was run as ``--quick`` (the note then says "quick mode").

    Returns:
        Lines without newlines, such as ``"pattern  2  inconclusive  2/3 checks hold  You
        don't know what you don't know"``.
    """
    summary = validation.summary()
    note = power_note(validation, quick)
    lines = [note] if note else []
    for number, row in summary.iterrows():
        robust = ""
        if "robust_share" in summary and row["counted"]:
            robust = f"  held in {row['robust_share']:.0%} of posterior draws"
        lines.append(
            f"pattern {number:>2}  {row['verdict']:<17}  "
            f"emergent {row['emergent_held']}/{row['emergent_checks']} hold, "
            f"verification {row['verification_held']}/{row['verification_checks']}"
            f"{robust}  {row['title']}"
        )
    lines.append(tally(summary))
    for row in validation.cuts.itertuples():
        outcome = (
            "contradicted: control passes"
            if row.contradicted
            else f"{row.verdict}: NOT contradicted"
        )
        lines.append(f"cut {row.key:<4} ({row.cut}): {outcome}")
    if validation.loops.empty:
        lines.append(
            f"loop gains: not run (only in a run of all ten patterns over {HORIZON} months)"
        )
    for row in validation.loops.itertuples():
        lines.append(
            f"loop {row.loop:<10}  {row.verdict:<12}  {row.statement}: {row.effect:.3g} "
            f"(95% CI {interval_text(row.low, row.high)})"
        )
    return lines


def interval_text(low: float, high: float) -> str:
    """A check's 95 % interval as shown in the report (``"no interval"`` if it has none)."""
    if pd.isna(low) or pd.isna(high):
        return "no interval"
    return f"{low:.3g} to {high:.3g}"


def expected_text(expected: str, reference: float) -> str:
    """What a check expects, in symbols: ``"> 0"``, ``"< 24"``."""
    return f"{'>' if expected == '+' else '<'} {reference:g}"


def judged_columns(table: pd.DataFrame, references: Any) -> dict[str, Any]:
    """The columns every judged row shows: expected, effect, interval, pairs, verdict."""
    return {
        "expected": [
            expected_text(sign, reference)
            for sign, reference in zip(table["expected"], references, strict=True)
        ],
        "effect": table["effect"],
        "95% CI": [
            interval_text(low, high) for low, high in zip(table["low"], table["high"], strict=True)
        ],
        "pairs": table["pairs"],
        "verdict": table["verdict"],
    }


def checks_table(validation: Validation) -> pd.DataFrame:
    """The pattern table as shown in the report (one row per check)."""
    table = validation.checks
    cut = {}
    if not validation.cuts.empty:
        cut = dict(zip(validation.cuts["key"], validation.cuts["verdict"], strict=True))
    share = {}
    if not validation.robustness.empty:
        share = dict(
            zip(validation.robustness["key"], validation.robustness["share_held"], strict=True)
        )
    return pd.DataFrame(
        {
            "check": table["key"],
            "statement": table["statement"],
            "comparison": table["comparison"],
            "label": table["label"],
            "why": table["reason"],
            **judged_columns(table, table["reference"]),
            "under the pathway cut": [cut.get(key, "") for key in table["key"]],
            "share of posterior draws held": [
                f"{share[key]:.0%}" if key in share else "" for key in table["key"]
            ],
        }
    )


def cuts_table(validation: Validation) -> pd.DataFrame:
    """The pathway cuts as shown in the report (one row per emergent check)."""
    table = validation.cuts
    return pd.DataFrame(
        {
            "check": table["key"],
            "statement": table["statement"],
            "pathway": table["pathway"],
            "cut": table["cut"],
            "at the defaults": table["default_verdict"],
            "effect under the cut": table["effect"],
            "95% CI": [
                interval_text(low, high)
                for low, high in zip(table["low"], table["high"], strict=True)
            ],
            "verdict": table["verdict"],
            "control passes (contradicted)": [
                "yes" if each else "no" for each in table["contradicted"]
            ],
        }
    )


def loops_table(validation: Validation) -> pd.DataFrame:
    """The loop-gain table as shown in the report (one row per check)."""
    table = validation.loops
    return pd.DataFrame(
        {
            "loop": table["title"],
            "statement": table["statement"],
            "comparison": table["comparison"],
            "outcome": table["outcome"],
            **judged_columns(table, table["reference"]),
        }
    )


def _verdict_class(column: str, value: Any) -> str | None:
    if column == "verdict":
        return _VERDICT_CLASSES.get(value)
    if column == "control passes (contradicted)":
        return "good" if value == "yes" else "bad"
    if column == "met":
        return "good" if value is True or value == "yes" else "bad"
    return None


def prediction_lines(predictions: pd.DataFrame) -> list[str]:
    """One line per held-out figure: national value, 90 % prediction interval and verdict."""
    held_out = predictions[predictions["role"] == "held out"]
    return [
        f"Held out {row.figure}: national {row.national:.3f}, predicted {row.median:.3f} "
        f"(90 % PI {row.low:.3f} to {row.high:.3f}): "
        + ("inside" if row.inside else f"outside by {row.miss:.3f}")
        for row in held_out.itertuples()
    ]


def add_predictions(report: Report, predictions: pd.DataFrame) -> None:
    """The report's section on the hindcast's held-out predictions."""
    report.heading("Held-out predictions (hindcast 2011-12 to 2019-20)")
    report.paragraph(
        "The sector run from 2011-12 with the national funding envelope and policy pressure, "
        "its parameters drawn from the calibrated posterior (docs/ODD.md section 10.2), "
        f"{predictions['runs'].max()} runs. Each interval is the central 90 % of the runs "
        "(parameter uncertainty plus seed noise). The held-out figures were not used in the "
        "calibration; the fitted ones are shown for comparison."
    )
    table = predictions.assign(inside=predictions["inside"].map({True: "yes", False: "no"}))

    def inside_class(column: str, value: Any) -> str | None:
        if column == "inside":
            return "good" if value == "yes" else "bad"
        return None

    report.table(table, cell_classes=inside_class)


def build_report(
    validation: Validation,
    calibration: pd.DataFrame | None,
    manifest: Mapping[str, Any],
    *,
    quick: bool = False,
    predictions: pd.DataFrame | None = None,
) -> Report:
    """Assemble the validation report.

    Args:
        validation: The judged patterns and their runs.
        calibration: The calibration table (target, band, model value), if measured.
        manifest: Provenance of the validation run.
        quick: Whether it was run as ``--quick`` (said in the note on power).
        predictions: The hindcast's posterior predictive table
            (:func:`simulation.runs.calibration.held_out_predictions`), if run.

    Returns:
        The report, ready to :meth:`~simulation.outputs.reports.Report.write`.
    """
    summary = validation.summary()
    report = Report(
        "lewsim: pattern-oriented validation",
        f"{tally(summary)} · {len(validation.seeds)} seed pairs · {validation.months} months",
    )
    report.contents()
    report.heading("Summary")
    report.paragraph(
        "Each pattern of the seed study (Byrne et al. 2019) is judged by one or more checks. "
        "A check compares arms run on the **same seeds** (common random numbers); its mean "
        "effect has a 95 % confidence interval (t-based, over seed pairs). A check **holds** "
        "when the interval lies wholly on the expected side of its threshold, is "
        "**contradicted** when it lies wholly on the other side, and is **inconclusive** "
        "otherwise (the seeds cannot tell). Every threshold, and every check's label, is "
        "in the committed validation plan (experiments/validation-plan.toml). A "
        "**verification** check restates a direction coded into a process equation: it "
        "tests the code, and is not evidence. An **emergent** check's outcome comes from "
        "interactions and could have gone either way. **A pattern's verdict counts its "
        "emergent checks only**: it holds when all of them hold, is contradicted when any "
        "is, and is inconclusive otherwise; a pattern with verification checks only, or "
        "withdrawn by the plan, is not counted."
    )
    note = power_note(validation, quick)
    if note:
        report.paragraph(f"**Less power.** {note[0].upper()}{note[1:]}.")
    columns = [
        "pattern",
        "title",
        "verdict",
        "emergent_held",
        "emergent_checks",
        "verification_held",
        "verification_checks",
    ]
    columns += ["robust_share"] if "robust_share" in summary else []
    overview = summary.reset_index()[columns]
    report.table(overview, cell_classes=_verdict_class)
    report.heading("Checks")
    report.paragraph(
        "Each check's label and the reason for it (the equation that codes its direction, "
        "or the interaction it comes from) are those of the validation plan. For emergent "
        "checks, 'under the pathway cut' is the verdict with the pattern's causal pathway "
        "cut, and 'share of posterior draws held' the robustness (when measured)."
    )
    report.table(checks_table(validation), cell_classes=_verdict_class)
    report.heading("Pathway cuts (negative controls)")
    if validation.cuts.empty:
        report.paragraph("Not run.")
    else:
        report.paragraph(
            "Each pattern with emergent checks is run again on the same seeds with the "
            "causal pathway the study claims for it cut (the couplings that carry it set to "
            "0, the rest of the model running). The negative control passes for a check "
            "that is then **contradicted**; an inconclusive or holding check under the cut "
            "means something other than the pathway produces it. "
            + " ".join(
                f"**Pattern {pattern.number}** ({pattern.pathway}): {pattern.cut_reason}."
                for pattern in validation.patterns
                if pattern.number in set(validation.cuts["pattern"])
            )
        )
        report.table(cuts_table(validation), cell_classes=_verdict_class)
    if not validation.robustness.empty:
        report.heading("Robustness over the posterior")
        draws = int(validation.robustness["draws"].iloc[0])
        report.paragraph(
            f"The patterns with emergent checks on {draws} draws of the calibrated "
            "posterior, 2 seeds each (the draw's parameters beneath each arm's own). A "
            "check holds in a draw when the mean over its seeds lies on its side of the "
            "threshold. A pattern is **robust** when each of its emergent checks holds in "
            f"at least {validation.plan.robust_share:.0%} of the draws."
        )
        report.table(validation.robustness, cell_classes=_verdict_class)
    report.heading("Loop gains")
    if validation.loops.empty:
        report.paragraph(
            f"Not run: the loop-gain experiments read month {HORIZON} and run in the full "
            "validation only."
        )
    else:
        report.paragraph(
            "Each of the study's feedback loops is cut (the parameters through which its "
            "output feeds back set to 0) and compared with the uncut sector on the same "
            "seeds. "
            + " ".join(f"**{loop.title}.** {loop.method}" for loop in validation.loop_gains)
        )
        report.table(loops_table(validation), cell_classes=_verdict_class)
        report.figure(loops_figure(validation.loop_gains, validation.runs), "loop_gains")
    if calibration is not None:
        report.heading("Calibration targets")
        report.paragraph(
            "The default sector read as 2017 (month 0), against Australian national figures. "
            "Model values are means over the validation seeds with a 95 % confidence interval."
        )
        report.table(calibration, cell_classes=_verdict_class)
    if predictions is not None:
        add_predictions(report, predictions)
    report.heading("Patterns")
    for pattern in validation.patterns:
        report.heading(f"{pattern.number}. {pattern.title}", level=3)
        report.paragraph(f"**Pattern.** {pattern.claim}")
        report.paragraph(f"**How it is judged.** {pattern.method}")
        report.paragraph(f"**Causal pathway.** {pattern.pathway}")
        withdrawn = validation.plan.withdrawn.get(pattern.number)
        if withdrawn:
            report.paragraph(f"**Withdrawn** (not counted): {withdrawn}.")
        rows = validation.checks[validation.checks["pattern"] == pattern.number]
        report.bullets(
            [
                f"{row.key} ({row.label}) {row.statement}: effect {row.effect:.3g} "
                f"(95 % CI {interval_text(row.low, row.high)}), {row.verdict}"
                for row in rows.itertuples()
            ]
        )
        report.figure(pattern_figure(pattern, validation.runs), f"pattern_{pattern.number:02d}")
    report.heading("Provenance")
    report.provenance(manifest)
    return report
