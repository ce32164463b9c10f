"""Sensitivity analysis of a finished sweep: Sobol indices, Morris screening, main effects.

All three start from the sweep's runs averaged over replicates (each design point's mean
outcome), because SALib's estimators expect one value per design point; the replicates
share seeds across points (common random numbers), so the mean is the point's effect
with the same noise as every other point's.

- ``sobol`` designs: first-order (S1) and total (ST) indices with bootstrap 95 %
  confidence intervals (``SALib.analyze.sobol``).
- ``morris`` designs: mu* (mean absolute elementary effect, with its bootstrap 95 %
  interval) and sigma (its spread: interaction or non-linearity) (``SALib.analyze.morris``).
- every design: main effects, the mean outcome over the runs at each level of a factor
  (ranges cut into ``bins`` equal bins), with the t-based 95 % interval of
  :func:`simulation.runs.statistics.mean_interval`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.errors import InputError
from simulation.runs.statistics import mean_interval

#: Bootstrap resamples for Sobol and Morris intervals.
RESAMPLES = 200

#: Columns of :func:`sobol_indices`.
SOBOL_COLUMNS = ("output", "factor", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")

#: Columns of :func:`morris_indices`.
MORRIS_COLUMNS = ("output", "factor", "mu_star", "mu_star_low", "mu_star_high", "sigma")

#: Columns of :func:`main_effects`.
EFFECT_COLUMNS = ("output", "factor", "level", "mean", "ci_low", "ci_high", "runs")


def point_means(runs: pd.DataFrame, outputs: Sequence[str], n_points: int) -> np.ndarray:
    """Each design point's mean outcomes over its successful replicates.

    Args:
        runs: The sweep's run rows.
        outputs: Outcome columns.
        n_points: Number of design points.

    Returns:
        A points x outputs array.

    Raises:
        InputError: If any design point has no successful run (the estimators need all).
    """
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[list(outputs)].mean().reindex(range(n_points))
    missing = int(means.isna().any(axis=1).sum())
    if missing:
        raise InputError(
            f"{missing} of {n_points} design points have no finished run; run the sweep "
            "command again to finish it (it resumes) before analysing"
        )
    return means.to_numpy(dtype=float)


def _problem(factors: Sequence[str]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": list(factors), "bounds": [[0.0, 1.0]] * len(factors)}


def _bootstrap_rng(seed: int) -> np.random.Generator:
    """The bootstrap's random numbers, from ``seed``.

    A generator rather than the number: SALib's Sobol analysis seeds its bootstrap only
    ``if seed``, so a seed of 0 (the default of sweep files) gave different intervals on
    every analysis.
    """
    return np.random.default_rng(seed)


def sobol_indices(
    means: np.ndarray, factors: Sequence[str], outputs: Sequence[str], seed: int = 0
) -> pd.DataFrame:
    """Sobol S1 and ST indices with 95 % intervals, per output and factor.

    Args:
        means: Points x outputs, in the order of the Saltelli sample.
        factors: Factor names, in the design's order.
        outputs: Output names.
        seed: Seed of the bootstrap.

    Returns:
        Columns :data:`SOBOL_COLUMNS`.
    """
    from SALib.analyze import sobol

    rows = []
    problem = _problem(factors)
    for column, output in enumerate(outputs):
        values = means[:, column]
        if np.ptp(values) == 0:  # a constant output: no variance to apportion
            result = {key: np.zeros(len(factors)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = sobol.analyze(
                problem,
                values,
                calc_second_order=False,
                num_resamples=RESAMPLES,
                conf_level=0.95,
                seed=_bootstrap_rng(seed),
            )
        for index, factor in enumerate(factors):
            s1, s1_half = float(result["S1"][index]), float(result["S1_conf"][index])
            st, st_half = float(result["ST"][index]), float(result["ST_conf"][index])
            rows.append(
                (output, factor, s1, s1 - s1_half, s1 + s1_half, st, st - st_half, st + st_half)
            )
    return pd.DataFrame(rows, columns=list(SOBOL_COLUMNS))


def morris_indices(
    units: np.ndarray,
    means: np.ndarray,
    factors: Sequence[str],
    outputs: Sequence[str],
    levels: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris mu* (with its 95 % interval) and sigma, per output and factor.

    Args:
        units: The design on the unit hypercube (points x factors).
        means: Points x outputs.
        factors: Factor names.
        outputs: Output names.
        levels: The grid levels the design was drawn with.
        seed: Seed of the bootstrap.

    Returns:
        Columns :data:`MORRIS_COLUMNS`.
    """
    from SALib.analyze import morris

    rows = []
    problem = _problem(factors)
    for column, output in enumerate(outputs):
        result = morris.analyze(
            problem,
            units,
            means[:, column],
            num_resamples=RESAMPLES,
            conf_level=0.95,
            num_levels=levels,
            seed=_bootstrap_rng(seed),
        )
        for index, factor in enumerate(factors):
            mu_star, half = float(result["mu_star"][index]), float(result["mu_star_conf"][index])
            rows.append(
                (
                    output,
                    factor,
                    mu_star,
                    mu_star - half,
                    mu_star + half,
                    float(result["sigma"][index]),
                )
            )
    return pd.DataFrame(rows, columns=list(MORRIS_COLUMNS))


def main_effects(
    runs: pd.DataFrame,
    factors: Sequence[str],
    outputs: Sequence[str],
    numeric: Sequence[str] = (),
    bins: int = 5,
) -> pd.DataFrame:
    """Mean outcome at each level of each factor, with a 95 % interval over the runs.

    Args:
        runs: The sweep's run rows (failed runs are left out).
        factors: Factor columns.
        outputs: Outcome columns.
        numeric: Factors with a continuous range: cut into ``bins`` equal-width bins
            (labelled by their midpoints) unless they take ``bins`` values or fewer.
        bins: Bins per numeric factor.

    Returns:
        Columns :data:`EFFECT_COLUMNS`; ``level`` holds the level (or bin midpoint).
    """
    ok = runs[runs["status"] == "ok"]
    rows = []
    for factor in factors:
        # A tuple parameter's levels come back from Parquet as arrays, which cannot be
        # grouped on: group on tuples of their items instead.
        levels = ok[factor].map(_hashable_level)
        if factor in numeric and levels.nunique() > bins:
            cuts = pd.cut(levels.astype(float), bins=bins)
            levels = cuts.map(lambda interval: float(interval.mid)).astype(float)
        for level, group in ok.groupby(levels, sort=True, observed=True):
            for output in outputs:
                mean, low, high = mean_interval(group[output].to_numpy(dtype=float))
                rows.append((output, factor, level, mean, low, high, len(group)))
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _hashable_level(level: Any) -> Any:
    """A level as something ``groupby`` accepts: sequences (tuple parameters) as tuples."""
    if isinstance(level, np.ndarray | list | tuple):
        return tuple(_hashable_level(item) for item in level)
    return level.item() if isinstance(level, np.generic) else level
