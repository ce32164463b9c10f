"""Posterior robustness: in what share of posterior draws each emergent check holds.

Each draw of the calibrated posterior (:class:`~simulation.runs.calibration.Posterior`,
drawn as ``--posterior`` draws them: row ``draw_index(seed, d)`` for draw ``d``) sets its
parameters under every arm's own (an arm's manipulation wins), and the arms of the
patterns with emergent checks run on ``seeds`` seeds each. A check *holds in a draw* when
the mean of its per-seed values over those seeds lies on its side of the plan's threshold
(two seeds give no useful interval, so the point estimate is judged). A pattern is
*robust* when each of its emergent checks holds in at least the plan's ``robust_share``
of the draws.

One job is one draw (all its arms and seeds), so memory stays that of one draw's runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.calibration import Posterior
from simulation.runs.replications import map_runs, replication_seeds
from simulation.runs.validation.arms import Arm, ArmRun, run_arm_batch
from simulation.runs.validation.base import Pattern
from simulation.runs.validation.plan import ValidationPlan, load_plan
from simulation.runs.validation.suite import ROOT_SEED, arms_of

#: Seeds per draw (issue 17: at least 50 draws x 2 seeds).
SEEDS_PER_DRAW = 2


def under(arm: Arm, params: Mapping[str, Any], fixed: Mapping[str, Any] | None = None) -> Arm:
    """The arm with ``params`` beneath its own and ``fixed`` above both.

    Args:
        arm: An arm.
        params: A posterior draw (the arm wins where both set a name).
        fixed: Parameters set in every arm whatever the draw and the arm (a tiny sector).
    """
    merged = dict(params) | dict(arm.params) | dict(fixed or {})
    return replace(arm, params=tuple(sorted(merged.items())))


def _draw_job(
    job: tuple[
        Sequence[Pattern],
        Mapping[str, float],
        Mapping[str, Any],
        Sequence[int],
        int,
        ValidationPlan,
    ],
) -> dict[str, float]:
    patterns, draw, fixed, seeds, months, plan = job
    runs: dict[str, list[ArmRun]] = {}
    for each in arms_of(patterns):
        runs[each.name] = run_arm_batch(under(each, draw, fixed), seeds, months)
    means = {}
    for pattern in patterns:
        for measure in pattern.checks(runs, months):
            if plan.check(measure.key).emergent:
                values = measure.values[np.isfinite(measure.values)]
                means[measure.key] = float(values.mean()) if values.size else float("nan")
    return means


def robustness(
    patterns: Sequence[Pattern],
    posterior: Posterior,
    draws: int,
    months: int,
    *,
    seeds: int = SEEDS_PER_DRAW,
    seed: int = ROOT_SEED,
    plan: ValidationPlan | None = None,
    params: Mapping[str, Any] | None = None,
    workers: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """The share of posterior draws in which each emergent check holds.

    Args:
        patterns: The patterns (those without emergent checks are skipped).
        posterior: The posterior to draw from.
        draws: Posterior draws.
        months: Horizon of the arms that do not fix their own.
        seeds: Seeds per draw (the same for every draw).
        seed: Root seed of the draws and of the seeds.
        plan: The validation plan (default: the packaged one).
        params: Parameters set in every arm above the draw and the arm's own (for a
            tiny test sector).
        workers: Processes (results do not depend on it).
        progress: Show a progress bar (one step per draw).

    Returns:
        One row per emergent check: ``pattern``, ``key``, ``draws``, ``held`` (draws in
        which it holds), ``share_held`` and ``robust`` (share at least the plan's
        ``robust_share``).

    Raises:
        ValueError: For fewer than one draw or seed.
    """
    if draws < 1 or seeds < 1:
        raise ValueError(f"draws and seeds must be at least 1, got {draws} and {seeds}")
    plan = plan or load_plan()
    chosen = [each for each in patterns if plan.emergent_keys(each.number)]
    if not chosen:
        return pd.DataFrame(columns=["pattern", "key", "draws", "held", "share_held", "robust"])
    seed_list = replication_seeds(seed, seeds)
    fixed = dict(params or {})
    jobs = [(chosen, posterior.draw(seed, d), fixed, seed_list, months, plan) for d in range(draws)]
    results = map_runs(_draw_job, jobs, workers=workers, progress=progress, desc="posterior draws")
    rows = []
    for pattern in chosen:
        for key in plan.emergent_keys(pattern.number):
            entry = plan.check(key)
            means = np.array([result.get(key, np.nan) for result in results])
            side = means > entry.threshold if entry.side == "above" else means < entry.threshold
            held = int(side.sum())  # a NaN mean holds nowhere
            rows.append(
                {
                    "pattern": pattern.number,
                    "key": key,
                    "draws": draws,
                    "held": held,
                    "share_held": held / draws,
                    "robust": held / draws >= plan.robust_share,
                }
            )
    return pd.DataFrame(rows)
