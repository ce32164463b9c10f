"""The posterior predictive check: prediction intervals of the national figures, and their scores.

:func:`predictive_check` runs weighted draws of a posterior on several seeds each and gives
every figure's 90 % prediction interval (parameter uncertainty plus seed noise) and whether
the national figure lies in it. Predictions are scored by the interval score and the CRPS
against naive forecasts (persistence and linear trend of the earlier figures).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.batch import map_batched
from simulation.runs.calibration.hindcast import HINDCAST_MONTHS, hindcast_batch, hindcast_setup
from simulation.runs.calibration.posterior import Posterior
from simulation.runs.calibration.posterior_file import load_posterior
from simulation.runs.calibration.targets import NATIONAL_FIGURES, Target
from simulation.runs.replications import replication_seed

#: Prediction interval of :func:`predictive_check`: the 5th and 95th percentiles.
PREDICTION_LEVEL = 0.90


def predictive_runs(
    posterior: Posterior,
    *,
    draws: int = 100,
    seeds: int = 2,
    root_seed: int = 2020,
    months: int = HINDCAST_MONTHS,
    workers: int = 1,
    progress: bool = False,
    fixed: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Hindcast runs of weighted draws of the posterior, each on several seeds.

    The rows are drawn with replacement in proportion to the weights by a generator on
    ``SeedSequence(root_seed)``'s first child; run ``i`` (draw ``i // seeds``) has seed
    ``replication_seed(root_seed, i)`` (children of the same root sequence from 1 on).

    Args:
        posterior: The posterior.
        draws: Parameter sets drawn.
        seeds: Seeds per draw.
        root_seed: Root of the draws and the seeds.
        months: Months per run.
        workers: Processes.
        progress: Show a progress bar.
        fixed: Parameters held fixed (see :func:`run_hindcast`).

    Returns:
        One row per run: ``draw`` (row of the posterior), ``seed`` and the figures.
    """
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(0,)))
    rows = posterior.sample_indices(rng, draws)
    run_seeds = [replication_seed(root_seed, 1 + i) for i in range(draws * seeds)]
    jobs = [
        (run_seeds[i], posterior.values(rows[i // seeds], nuisances=True), months, fixed)
        for i in range(draws * seeds)
    ]
    figures = map_batched(
        hindcast_batch,
        jobs,
        hindcast_setup,
        workers=workers,
        progress=progress,
        desc="predictive runs",
    )
    frame = pd.DataFrame(figures)
    frame.insert(0, "seed", np.array(run_seeds, dtype=np.int64))
    frame.insert(0, "draw", np.repeat(rows, seeds))
    return frame


def crps(values: np.ndarray, observed: float) -> float:
    """Continuous ranked probability score of an ensemble forecast (lower is better).

    ``mean |X - y| - mean |X - X'| / 2`` over the ensemble ``X``: for a single value it is
    the absolute error, so a model's ensemble and a naive point forecast are on one scale.
    """
    values = np.sort(np.asarray(values, dtype=float))
    n = values.size
    if n == 0:
        return math.nan
    spread = np.sum((2 * np.arange(1, n + 1) - n - 1) * values) / n**2  # mean |X - X'| / 2
    return float(np.mean(np.abs(values - observed)) - spread)


def interval_score(low: float, high: float, observed: float, level: float) -> float:
    """Interval score of a central prediction interval (Gneiting & Raftery 2007; lower is better).

    Its width, plus ``2 / alpha`` times how far the observation falls outside, with
    ``alpha = 1 - level``.
    """
    alpha = 1.0 - level
    below = max(low - observed, 0.0)
    above = max(observed - high, 0.0)
    return float(high - low + 2.0 / alpha * (below + above))


def predictive_table(runs: pd.DataFrame, level: float = PREDICTION_LEVEL) -> pd.DataFrame:
    """Each figure's prediction interval over predictive runs and the national figure's verdict.

    Args:
        runs: From :func:`predictive_runs`.
        level: Central coverage of the interval.

    Returns:
        One row per figure of :data:`NATIONAL_FIGURES`: ``figure``, ``role`` (fitted,
        held out or checked), ``national``, ``median``, ``low``, ``high``, ``inside`` (the
        national figure lies in the interval), ``miss`` (how far outside, 0 inside),
        ``runs`` (runs with a value), ``interval_score`` and ``crps`` of the model's
        forecast, and for figures with baselines ``best_baseline`` (the naive forecast
        with the lowest CRPS, its absolute error), ``baseline_crps`` and ``beats_baselines``
        (the model's CRPS is lower than every baseline's).
    """
    tail = (1.0 - level) / 2.0
    rows = []
    for figure in NATIONAL_FIGURES:
        values = runs[figure.name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if values.size:
            low, median, high = np.quantile(values, [tail, 0.5, 1.0 - tail])
        else:
            low = median = high = math.nan
        inside = bool(low <= figure.value <= high)
        miss = 0.0 if inside else float(min(abs(figure.value - low), abs(figure.value - high)))
        rows.append(
            {
                "figure": figure.name,
                "role": figure.role,
                "national": figure.value,
                "median": float(median),
                "low": float(low),
                "high": float(high),
                "inside": inside,
                "miss": miss,
                "runs": int(values.size),
                "interval_score": interval_score(low, high, figure.value, level),
                "crps": crps(values, figure.value),
                **_baseline_columns(figure, crps(values, figure.value)),
            }
        )
    return pd.DataFrame(rows)


def _baseline_columns(figure: Target, model_crps: float) -> dict[str, Any]:
    if not figure.baselines:
        return {"best_baseline": "", "baseline_crps": math.nan, "beats_baselines": None}
    errors = {name: abs(value - figure.value) for name, value in figure.baselines.items()}
    best = min(errors, key=errors.__getitem__)
    return {
        "best_baseline": best,
        "baseline_crps": errors[best],
        "beats_baselines": bool(model_crps < errors[best]),
    }


def predictive_check(
    posterior: Posterior | None = None,
    *,
    draws: int = 100,
    seeds: int = 2,
    root_seed: int = 2020,
    workers: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """The posterior predictive check of the hindcast: :func:`predictive_table` of its runs.

    Args:
        posterior: The posterior (default: the packaged one).
        draws: Parameter sets drawn.
        seeds: Seeds per draw.
        root_seed: Root of the draws and seeds.
        workers: Processes.
        progress: Show a progress bar.

    Returns:
        The table of :func:`predictive_table` (the held-out figures are the verdicts).
    """
    posterior = posterior if posterior is not None else load_posterior()
    runs = predictive_runs(
        posterior,
        draws=draws,
        seeds=seeds,
        root_seed=root_seed,
        workers=workers,
        progress=progress,
    )
    return predictive_table(runs)


VALIDATION_RUNS = (100, 2)
QUICK_VALIDATION_RUNS = (30, 1)
#: Root seed of the validation's predictive check.
VALIDATION_ROOT_SEED = 2020


def held_out_predictions(
    *, quick: bool = False, workers: int = 1, progress: bool = False
) -> pd.DataFrame:
    """The packaged posterior's predictions of every national figure, for ``lewsim validate``.

    Args:
        quick: Fewer draws (:data:`QUICK_VALIDATION_RUNS` instead of :data:`VALIDATION_RUNS`).
        workers: Processes.
        progress: Show a progress bar.

    Returns:
        The table of :func:`predictive_table`, held-out figures first.
    """
    draws, seeds = QUICK_VALIDATION_RUNS if quick else VALIDATION_RUNS
    table = predictive_check(
        draws=draws, seeds=seeds, root_seed=VALIDATION_ROOT_SEED, workers=workers, progress=progress
    )
    order = {"held out": 0, "checked": 1, "fitted": 2}
    return table.sort_values("role", key=lambda role: role.map(order), kind="stable")
