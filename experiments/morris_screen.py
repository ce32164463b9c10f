"""Tabulate a finished Morris screen with mu* normalised so that outputs are comparable.

``lewsim analyze`` reports mu* in each output's own units (peer workers, a share, a
mean stigma), so a factor's effects on two outputs cannot be compared, nor can factors be
ranked across outputs. This script puts every output on one scale: each mu* (and its
interval and sigma) is divided by the standard deviation of that output over all design
points of the screen. A normalised mu* of 1 means that moving the factor across its range
changes the output, on average, by one standard deviation of what the whole screen
produced.

For every output at its last month and at each periodic month (``column@month``) it
computes Morris indices (:func:`simulation.runs.sensitivity.morris_indices`, the same
estimator ``lewsim analyze`` uses). Per factor it then reports the largest normalised mu*
at the last month over all outputs, the same without the outputs named by ``--noisy``
(default ``peer_leavers``: one month's count of leavers, a few people, which any change
of a run's path moves), the largest over every recorded month without them, and a flag:

- ``inert``: normalised mu* below ``--threshold`` (0.05) on every output at every month;
- ``weak``: otherwise, but below the chance reference of every output at every month
  (without the noisy ones): not distinguishable from chance with one replicate;
- ``moves``: above the chance reference somewhere.

The chance reference of an output is the normalised mu* that a factor would score if
its only effect were to redraw every random number of the run: ``E|y1 - y2| / delta``
for two independent runs, ``2 sd / sqrt(pi) / delta``, where ``sd`` is the output's
standard deviation over ``--noise-seeds`` seeds of the base scenario and ``delta = 2/3``
the Morris step. With common random numbers a factor perturbs less than that, so the
reference is an upper bound on chance.

Writes ``--csv`` (the last month's indices, one row per output and factor, with the
normalised columns and the chance reference; default ``morris-indices.csv`` in the
screen's folder) and ``--summary`` (the per-factor summary; default ``morris-summary.csv``
there), and prints the summary as a Markdown table, largest first, then the chance
references. The committed record of the screen that docs/ODD.md section 10.3 tabulates is
written on purpose, never by default::

    python experiments/morris_screen.py results/morris-all --workers 2 \
        --csv experiments/sweeps/morris-all-results.csv \
        --summary experiments/sweeps/morris-all-summary.csv
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.outputs.sweep_store import read_design, read_manifest, read_runs
from simulation.runs.jobs import STATUS_OK, Job, Run, carry_out
from simulation.runs.pool import runs_as_done
from simulation.runs.replications import replication_seeds
from simulation.runs.sensitivity import morris_indices, point_means
from simulation.runs.sweeps import MORRIS_LEVELS

#: Normalised mu* below which a factor counts as moving an output not at all.
INERT_THRESHOLD = 0.05

#: The Morris step on the unit interval for a 4-level grid (SALib: levels / (2 (levels - 1))).
MORRIS_STEP = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))

#: Default names of the two files, written into the screen's own results folder.
INDICES_NAME = "morris-indices.csv"
SUMMARY_NAME = "morris-summary.csv"


def normalised_indices(directory: str | Path) -> pd.DataFrame:
    """Morris indices of every output and month of a screen, with mu* over the output's sd.

    Args:
        directory: A finished ``morris`` sweep's results directory.

    Returns:
        Columns ``output``, ``month``, ``factor``, ``mu_star``, ``mu_star_low``,
        ``mu_star_high``, ``sigma``, ``output_sd`` (sd of the point means over the design)
        and ``mu_star_norm``, ``mu_star_norm_low``, ``mu_star_norm_high``, ``sigma_norm``
        (the same divided by ``output_sd``; 0 for an output that never changed).

    Raises:
        ValueError: If the sweep is not a Morris design.
    """
    manifest = read_manifest(directory)
    if manifest["design"] != "morris":
        raise ValueError(f"{directory}: a {manifest['design']} sweep, not a morris screen")
    factors = list(manifest["factors"])
    outputs = list(manifest["outputs"])
    means = point_means(read_runs(directory), outputs, manifest["points"])
    units = read_design(directory)[[f"unit:{name}" for name in factors]].to_numpy(dtype=float)
    indices = morris_indices(
        units, means, factors, outputs, MORRIS_LEVELS, seed=manifest["base_seed"]
    )
    spread = pd.Series(means.std(axis=0, ddof=1), index=outputs)
    indices["output_sd"] = indices["output"].map(spread)
    scale = indices["output_sd"].where(indices["output_sd"] > 0, np.nan)
    normalised = {
        "mu_star": "mu_star_norm",
        "mu_star_low": "mu_star_norm_low",
        "mu_star_high": "mu_star_norm_high",
        "sigma": "sigma_norm",
    }
    for column, name in normalised.items():  # an output that never changed: nothing moved it
        indices[name] = (indices[column] / scale).fillna(0.0)
    return _split_months(indices, manifest["fingerprint"]["base_scenario"]["steps"])


def _split_months(frame: pd.DataFrame, last: int) -> pd.DataFrame:
    """``column@month`` outputs as an ``output`` and a ``month`` column (``last`` if none)."""
    column, _, month = (frame["output"].str.partition("@")[part] for part in (0, 1, 2))
    frame = frame.assign(output=column)
    frame.insert(1, "month", [int(value) if value else last for value in month])
    return frame


def chance_reference(directory: str | Path, seeds: int, workers: int = 1) -> pd.DataFrame:
    """Each output's normalised mu* if a factor did nothing but redraw the random numbers.

    Runs the screen's base scenario (its parameters and events, no factor changed) on
    ``seeds`` seeds and takes each output's standard deviation over them.

    Args:
        directory: The screen's results directory.
        seeds: Seeds to run (from the screen's base seed).
        workers: Processes.

    Returns:
        Columns ``output``, ``month``, ``seed_sd`` and ``chance_mu_star``
        (``2 seed_sd / sqrt(pi) / delta``, in output units).
    """
    manifest = read_manifest(directory)
    base = manifest["fingerprint"]["base_scenario"]
    sweep = manifest["fingerprint"]["sweep"]
    jobs = [
        Job(
            run=Run(f"chance-{index}", -1, index, seed, {}),
            steps=base["steps"],
            parameters=dict(base["parameters"]),
            events=list(base["events"]),
            outputs=tuple(sweep["outputs"]),
            every=sweep.get("every"),
        )
        for index, seed in enumerate(replication_seeds(manifest["base_seed"], seeds))
    ]
    rows = list(runs_as_done(carry_out, jobs, workers=workers))
    failed = [row["error"] for row in rows if row["status"] != STATUS_OK]
    if failed:
        raise RuntimeError(f"a run of the base scenario failed: {failed[0]}")
    outcomes = pd.DataFrame([row["outcomes"] for row in rows])
    sd = outcomes.std(ddof=1)
    frame = pd.DataFrame({"output": sd.index, "seed_sd": sd.to_numpy()})
    frame["chance_mu_star"] = 2 * frame["seed_sd"] / math.sqrt(math.pi) / MORRIS_STEP
    return _split_months(frame, base["steps"])


def factor_summary(
    indices: pd.DataFrame,
    threshold: float = INERT_THRESHOLD,
    noisy: Sequence[str] = ("peer_leavers",),
) -> pd.DataFrame:
    """Per factor: its largest normalised mu*, where, and its flag (module docstring).

    Args:
        indices: From :func:`normalised_indices`, with a ``chance_norm`` column (the
            chance reference over the output's sd) for the ``weak`` flag, or without.
        threshold: Normalised mu* below which an output counts as unmoved.
        noisy: Outputs left out of every column but ``max_norm``.

    Returns:
        One row per factor, largest ``max_norm_steady`` first: ``max_norm`` (last month,
        every output), ``max_norm_steady`` and its ``top_output`` (last month, without
        ``noisy``), ``max_norm_any_month`` (every month, without ``noisy``) and ``flag``.
    """
    last = indices["month"].max()
    steady = indices[~indices["output"].isin(noisy)]
    rows = []
    for factor, group in steady.groupby("factor", sort=False):
        final = group[group["month"] == last]
        best = final.loc[final["mu_star_norm"].idxmax()]
        everything = indices[(indices["factor"] == factor) & (indices["month"] == last)]
        if group["mu_star_norm"].max() < threshold:
            flag = "inert"
        elif "chance_norm" in group and (group["mu_star_norm"] < group["chance_norm"]).all():
            flag = "weak"
        else:
            flag = "moves"
        rows.append(
            {
                "factor": factor,
                "max_norm": float(everything["mu_star_norm"].max()),
                "max_norm_steady": float(best["mu_star_norm"]),
                "top_output": best["output"],
                "max_norm_any_month": float(group["mu_star_norm"].max()),
                "flag": flag,
            }
        )
    summary = pd.DataFrame(rows)
    return summary.sort_values("max_norm_steady", ascending=False, kind="stable").reset_index(
        drop=True
    )


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table, numbers to three decimals."""

    def cell(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description="Normalised Morris indices of a finished screen, and the inert factors."
    )
    parser.add_argument("directory", type=Path, help="a morris sweep's results directory")
    parser.add_argument(
        "--csv",
        type=Path,
        default=None,
        help=f"where the last month's indices go (default DIRECTORY/{INDICES_NAME})",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        default=None,
        help=f"where the per-factor summary goes (default DIRECTORY/{SUMMARY_NAME})",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=INERT_THRESHOLD,
        help="normalised mu* below which a factor moves an output not at all (0.05)",
    )
    parser.add_argument(
        "--noisy",
        nargs="*",
        default=["peer_leavers"],
        help="outputs left out of the flags (default: peer_leavers)",
    )
    parser.add_argument(
        "--noise-seeds",
        type=int,
        default=20,
        help="seeds of the base scenario for the chance reference (0: none, no 'weak' flag)",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes for those runs")
    args = parser.parse_args(argv)
    args.csv = args.csv or args.directory / INDICES_NAME
    args.summary = args.summary or args.directory / SUMMARY_NAME
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Write the indices CSV and print the per-factor summary."""
    args = parse_args(argv)
    indices = normalised_indices(args.directory)
    if args.noise_seeds > 1:
        chance = chance_reference(args.directory, args.noise_seeds, args.workers)
        indices = indices.merge(chance, on=["output", "month"], how="left")
        indices["chance_norm"] = indices["chance_mu_star"] / indices["output_sd"]
    last = indices[indices["month"] == indices["month"].max()]
    summary = factor_summary(indices, args.threshold, args.noisy)
    for path in (args.csv, args.summary):
        path.parent.mkdir(parents=True, exist_ok=True)
    last.to_csv(args.csv, index=False, float_format="%.5g")
    summary.to_csv(args.summary, index=False, float_format="%.5g")
    print(markdown_table(summary))
    if "chance_norm" in last:
        references = last.groupby("output", sort=False)[["output_sd", "seed_sd", "chance_norm"]]
        print("\n" + markdown_table(references.first().reset_index()))
    print(f"\nwrote {args.csv} and {args.summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
