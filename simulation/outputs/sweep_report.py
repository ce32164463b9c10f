"""A finished sweep's analysis as tables, bar charts and a self-contained report.

:func:`analyze_directory` reads a sweep's results directory (the shard store), computes
what its design supports (:mod:`simulation.runs.sensitivity`): Sobol indices for a
``sobol`` design, Morris screening for a ``morris`` design, and main effects for every
design. :func:`write_analysis` writes ``analysis/`` inside the sweep's directory: the
report, one CSV per table and the figures. :func:`export_csv` writes the runs as a wide
CSV (one row per run) and a tidy long one (one row per run and outcome).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.core.errors import InputError
from simulation.outputs.files import write_directory
from simulation.outputs.manifest import manifest_json
from simulation.outputs.manifest import read_manifest as parse_manifest
from simulation.outputs.reports import Report
from simulation.outputs.sweep_store import (
    ANALYSIS,
    EXPORT,
    MANIFEST,
    RUN_COLUMNS,
    read_design,
    read_manifest,
    read_runs,
)
from simulation.runs.sensitivity import (
    RESAMPLES,
    main_effects,
    morris_indices,
    point_means,
    sobol_indices,
)
from simulation.runs.sweeps import MORRIS_LEVELS

#: Where ``lewsim analyze DIR`` and ``lewsim export DIR`` write by default, inside DIR.
ANALYSIS_DIRECTORY = ANALYSIS
EXPORT_DIRECTORY = EXPORT
_BAR_COLOURS = ("#0072B2", "#E69F00")  # Okabe-Ito blue and orange: colour-blind safe


@dataclass
class SweepAnalysis:
    """What a sweep's results support.

    Attributes:
        directory: The sweep's results directory.
        manifest: Its manifest.
        runs: Every recorded run.
        outputs: The final-month outcomes analysed.
        factors: Factor names, in design order.
        indices: Sobol or Morris indices (``None`` for other designs).
        effects: Main effects of every factor on every output.
    """

    directory: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    outputs: list[str]
    factors: list[str]
    indices: pd.DataFrame | None
    effects: pd.DataFrame

    @property
    def design(self) -> str:
        """The sweep's design."""
        return self.manifest["design"]

    @property
    def bootstrap_seed(self) -> int:
        """The seed of the indices' bootstrap intervals: the sweep's base seed."""
        return int(self.manifest["base_seed"])


def analyze_directory(directory: str | os.PathLike[str]) -> SweepAnalysis:
    """Analyse a sweep's results directory.

    Args:
        directory: A sweep results directory.

    Returns:
        The analysis.

    Raises:
        InputError: If it is not a sweep directory (or one lewsim cannot trust), it holds
            no runs yet, or a Sobol or Morris design is unfinished.
    """
    path = Path(directory)
    manifest = read_manifest(path)
    runs = _recorded_runs(path)
    factors = list(manifest["factors"])
    outputs = [name for name in manifest["outputs"] if "@" not in name]
    numeric = [name for name, kind in manifest.get("factor_kinds", {}).items() if kind != "levels"]
    indices = None
    if manifest["design"] in ("sobol", "morris"):
        means = point_means(runs, outputs, manifest["points"])
        if manifest["design"] == "sobol":
            indices = sobol_indices(means, factors, outputs, seed=int(manifest["base_seed"]))
        else:
            units = read_design(path)[[f"unit:{name}" for name in factors]].to_numpy(dtype=float)
            indices = morris_indices(
                units, means, factors, outputs, MORRIS_LEVELS, seed=int(manifest["base_seed"])
            )
    effects = main_effects(runs, factors, outputs, numeric=numeric)
    return SweepAnalysis(path, manifest, runs, outputs, factors, indices, effects)


def indices_figure(analysis: SweepAnalysis) -> Figure | None:
    """Bar charts of the Sobol (S1, ST) or Morris (mu*) indices, one panel per output."""
    if analysis.indices is None:
        return None
    outputs = analysis.outputs
    figure = Figure(figsize=(4.2 * len(outputs), 0.5 * len(analysis.factors) + 1.8))
    axes = figure.subplots(1, len(outputs), squeeze=False)[0]
    positions = np.arange(len(analysis.factors))
    for panel, output in zip(axes, outputs, strict=True):
        rows = analysis.indices[analysis.indices["output"] == output].set_index("factor")
        rows = rows.loc[analysis.factors]
        if analysis.design == "sobol":
            bars = (("S1", "first order (S1)"), ("ST", "total (ST)"))
            height = 0.38
            for offset, ((column, label), colour) in enumerate(
                zip(bars, _BAR_COLOURS, strict=True)
            ):
                values = rows[column].to_numpy()
                errors = np.vstack(
                    [values - rows[f"{column}_low"], rows[f"{column}_high"] - values]
                )
                panel.barh(
                    positions + (offset - 0.5) * height,
                    values,
                    height=height,
                    xerr=np.clip(errors, 0, None),
                    color=colour,
                    label=label,
                    capsize=2,
                )
            panel.set_xlabel("share of output variance")
        else:
            values = rows["mu_star"].to_numpy()
            errors = np.vstack([values - rows["mu_star_low"], rows["mu_star_high"] - values])
            panel.barh(
                positions,
                values,
                xerr=np.clip(errors, 0, None),
                color=_BAR_COLOURS[0],
                label="mu* (mean |effect|)",
                capsize=2,
            )
            panel.scatter(
                rows["sigma"],
                positions,
                color=_BAR_COLOURS[1],
                marker="D",
                zorder=3,
                label="sigma (spread)",
            )
            panel.set_xlabel(f"effect on {output} over the factor's range")
        panel.set_yticks(positions, analysis.factors)
        panel.invert_yaxis()
        panel.set_title(output)
        panel.axvline(0, color="0.5", linewidth=0.8)
    # One legend below the panels, where it hides no bar.
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncols=len(labels), frameon=False)
    figure.suptitle("Sensitivity indices with 95 % bootstrap intervals")
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure


def effects_figure(analysis: SweepAnalysis, output: str) -> Figure:
    """Main effects of every factor on one output: mean and 95 % interval per level."""
    factors = analysis.factors
    figure = Figure(figsize=(3.2 * len(factors), 2.8))
    axes = figure.subplots(1, len(factors), squeeze=False, sharey=True)[0]
    for panel, factor in zip(axes, factors, strict=True):
        rows = analysis.effects[
            (analysis.effects["output"] == output) & (analysis.effects["factor"] == factor)
        ]
        labels = [_level_label(level) for level in rows["level"]]
        x = np.arange(len(rows))
        means = rows["mean"].to_numpy(dtype=float)
        low = np.nan_to_num(means - rows["ci_low"].to_numpy(dtype=float))
        high = np.nan_to_num(rows["ci_high"].to_numpy(dtype=float) - means)
        panel.errorbar(x, means, yerr=[low, high], fmt="o-", color=_BAR_COLOURS[0], capsize=3)
        panel.set_xticks(x, labels, rotation=30 if len(labels) > 4 else 0, fontsize="small")
        panel.set_title(factor, fontsize="medium")
    axes[0].set_ylabel(f"{output} (mean of runs)")
    figure.suptitle(f"Main effects on {output}, 95 % intervals over runs")
    figure.tight_layout()
    return figure


def _level_label(level: Any) -> str:
    if isinstance(level, float) and not level.is_integer():
        return f"{level:.3g}"
    return str(level)


def build_report(analysis: SweepAnalysis) -> Report:
    """The sweep's analysis as a self-contained report."""
    manifest = analysis.manifest
    runs = analysis.runs
    failed = int((runs["status"] != "ok").sum())
    report = Report(
        f"Sweep {manifest['fingerprint']['sweep']['name']}",
        f"{manifest['design']} design: {manifest['points']} points x "
        f"{manifest['replications']} replications = {manifest['runs']} runs",
    )
    report.contents()
    report.heading("Summary")
    description = manifest["fingerprint"]["sweep"].get("description")
    if description:
        report.paragraph(description)
    report.bullets(
        [
            f"runs recorded: {len(runs)} of {manifest['runs']}"
            + (f", of which {failed} failed (see the runs table)" if failed else ""),
            f"factors: {', '.join(analysis.factors)}",
            f"outputs (at the last month): {', '.join(analysis.outputs)}",
            "replicate r of every point runs on the same seed (common random numbers), so "
            "differences between points are effects of the factors",
        ]
    )
    if analysis.indices is not None:
        report.heading("Sensitivity indices")
        if analysis.design == "sobol":
            report.paragraph(
                "S1 is the share of an output's variance that a factor causes alone; ST adds its "
                "interactions with the other factors. Intervals are 95 % bootstrap intervals "
                "(SALib); an ST near zero means the factor can be fixed anywhere in its range."
            )
        else:
            report.paragraph(
                "mu* is the mean absolute Morris elementary effect: the change in the output "
                "when the factor takes one step of two thirds of its range (on a 4-level grid), "
                "divided by that step, so in the output's units per whole range; sigma is the "
                "effects' spread: large sigma means interactions or a non-linear effect. A "
                "factor with small mu* moves nothing and can be fixed."
            )
        figure = indices_figure(analysis)
        if figure is not None:
            report.figure(figure, "indices", caption="Indices per output and factor")
        report.table(analysis.indices, caption="Indices (95 % intervals)")
    report.heading("Main effects")
    report.paragraph(
        "The mean of each output over the runs at each level of a factor (ranges cut into "
        "five equal bins), with its t-based 95 % interval. In a sampling design the other "
        "factors vary too, so a main effect averages over them."
    )
    for output in analysis.outputs:
        report.figure(effects_figure(analysis, output), f"effects_{output}")
    report.table(analysis.effects, caption="Main effects")
    if failed:
        report.heading("Failed runs")
        report.table(runs.loc[runs["status"] != "ok", ["run_id", "point", "replicate", "error"]])
    report.provenance({key: value for key, value in manifest.items() if key != "fingerprint"})
    return report


def write_analysis(
    analysis: SweepAnalysis, out: str | os.PathLike[str] | None = None, *, replace: bool = False
) -> Path:
    """Write the report, its figures and CSVs into ``out`` (by default DIR/analysis).

    Like every lewsim writer it replaces an earlier analysis only when asked.

    Args:
        analysis: The analysis.
        out: The results directory; :data:`ANALYSIS_DIRECTORY` inside the sweep's.
        replace: Whether an earlier lewsim result in ``out`` may be replaced (``--force``).

    Returns:
        The absolute path written.

    Raises:
        OutputError: If ``out`` holds an earlier result and ``replace`` is false, or
            anything else (see :func:`simulation.outputs.files.check_destination`).
    """
    report = build_report(analysis)
    record = {
        "bootstrap_seed": analysis.bootstrap_seed,
        "bootstrap_resamples": RESAMPLES if analysis.indices is not None else 0,
        "runs_analysed": len(analysis.runs),
    }
    files: dict[str, bytes | str] = {
        "effects.csv": analysis.effects.to_csv(index=False),
        MANIFEST: _derived_manifest(analysis.directory, "analysis", record),
    }
    if analysis.indices is not None:
        files["indices.csv"] = analysis.indices.to_csv(index=False)
    target = analysis_directory(analysis.directory, out)
    return report.write(target, extra_files=files, replace=replace)


def analysis_directory(
    directory: str | os.PathLike[str], out: str | os.PathLike[str] | None
) -> Path:
    """Where an analysis of the sweep in ``directory`` goes: ``out``, or DIR/analysis."""
    return Path(out) if out is not None else Path(directory) / ANALYSIS_DIRECTORY


def export_directory(directory: str | os.PathLike[str], out: str | os.PathLike[str] | None) -> Path:
    """Where an export of the sweep in ``directory`` goes: ``out``, or DIR/export."""
    return Path(out) if out is not None else Path(directory) / EXPORT_DIRECTORY


def export_csv(
    directory: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    replace: bool = False,
) -> tuple[Path, Path]:
    """Write a sweep's runs as ``runs_wide.csv`` and ``runs_long.csv``.

    Args:
        directory: A sweep results directory.
        out: The results directory; :data:`EXPORT_DIRECTORY` inside the sweep's.
        replace: Whether an earlier lewsim result in ``out`` may be replaced (``--force``).

    Returns:
        The paths of the wide and the long CSV.

    Raises:
        InputError: If ``directory`` is not a sweep lewsim can read, or holds no runs.
        OutputError: If ``out`` cannot take the files (an earlier export without
            ``replace``, say).
    """
    path = Path(directory)
    manifest = read_manifest(path)
    runs = _recorded_runs(path)
    factors = list(manifest["factors"])
    long = runs.melt(
        id_vars=[*RUN_COLUMNS, *factors],
        value_vars=list(manifest["outputs"]),
        var_name="outcome",
        value_name="value",
    )
    split = long["outcome"].str.split("@", n=1, expand=True)
    long["outcome"] = split[0]
    long.insert(long.columns.get_loc("value"), "month", _months(split, manifest))
    # With ``every`` dividing the months, ``column@last`` repeats the final value: keep one
    # row per run, outcome and month.
    long = long.drop_duplicates(["run_id", "outcome", "month"], ignore_index=True)
    files = {
        "runs_wide.csv": runs.to_csv(index=False),
        "runs_long.csv": long.to_csv(index=False),
        MANIFEST: _derived_manifest(path, "export", {"runs_exported": len(runs)}),
    }
    written = write_directory(export_directory(path, out), files, replace=replace)
    return written / "runs_wide.csv", written / "runs_long.csv"


def _recorded_runs(path: Path) -> pd.DataFrame:
    """The sweep's runs, refused if there are none yet."""
    runs = read_runs(path)
    if runs.empty:
        raise InputError(
            f"{path}: no runs are recorded yet (the sweep stopped before its first results "
            f"were written); run the sweep command again with --out {path} to run them"
        )
    return runs


def _derived_manifest(directory: Path, section: str, record: dict[str, Any]) -> str:
    """The sweep's manifest with a section saying what was derived from it."""
    manifest = parse_manifest((directory / MANIFEST).read_bytes())
    assert manifest is not None  # read_manifest checked it
    manifest[section] = {"sweep_directory": str(directory.absolute()), **record}
    return manifest_json(manifest)


def _months(split: pd.DataFrame, manifest: dict[str, Any]) -> Sequence[int]:
    last = manifest["fingerprint"]["base_scenario"]["steps"]
    if split.shape[1] < 2:
        return [last] * len(split)
    return split[1].fillna(str(last)).astype(int).tolist()
