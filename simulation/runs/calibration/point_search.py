"""The point search: the two-stage Latin-hypercube search of the 2017 calibration.

:func:`search` (run by ``experiments/calibrate.py``; docs/ODD.md section 10.2 reports the
fit) minimises :func:`~simulation.runs.calibration.targets.distance` of mean figures over
seeds to the 2017 :data:`~simulation.runs.calibration.targets.TARGETS`. It has four steps:

1. **Stage 1.** A Latin hypercube of parameter sets over the whole search box
   (:data:`SEARCH_SPACE`), each run on the same seeds (common random numbers, so that
   differences between points are not differences between seeds).
2. **Stage 2.** A finer hypercube in a box shrunk around the best stage-1 points, each run
   on new seeds. The best stage-1 points and the pre-calibration values
   (:data:`REFERENCE`) are re-run on the same seeds, so every candidate of stage 2 is
   compared on equal terms.
3. **Rounding and parsimony.** The best stage-2 set is rounded to two significant
   figures. Then, one parameter at a time (those whose reversal costs least first), the
   pre-calibration value is put back whenever the misfit stays within the tolerance of
   the rounded winner's: round values that fit as well are kept, not replaced by false
   precision.
4. **Confirmation.** The chosen values and the pre-calibration values are run on fresh
   seeds and summarised by :func:`~simulation.runs.calibration.measure.table_from_runs`.

Every seed set is spawned from the root seed with ``numpy.random.SeedSequence`` under its
own spawn key, so the seed sets never overlap. The same seeds and parameters give the same
figures on any executor and with any number of workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simulation.core.streams import seed_from_sequence
from simulation.runs.calibration.measure import MONTHS, mean_figures, measure_many, table_from_runs
from simulation.runs.calibration.targets import TARGET_NAMES, distance

#: The searched parameters: (low, high, scale). A log scale samples rates that span more
#: than a factor of three evenly in their logarithm.
SEARCH_SPACE: dict[str, tuple[float, float, str]] = {
    "hire_threshold": (0.15, 0.35, "linear"),
    "position_rate": (0.03, 0.6, "log"),
    "fill_rate": (0.2, 0.8, "linear"),
    "peer_attrition": (0.003, 0.012, "log"),
    "champion_uptake": (0.005, 0.04, "log"),
}

#: The values before calibration (the provisional tuning), fixed here so that the search
#: gives the same answer after the defaults have been changed to its result.
REFERENCE: dict[str, float] = {
    "hire_threshold": 0.25,
    "position_rate": 0.3,
    "fill_rate": 0.4,
    "peer_attrition": 0.007,
    "champion_uptake": 0.015,
}

#: Spawn keys of the seed sets (never reused across stages).
STAGE1, STAGE2, CONFIRM = 1, 2, 3

#: Seeds of the Latin hypercubes.
DESIGN_SEEDS = {STAGE1: 11, STAGE2: 12}


def stage_seeds(root: int, stage: int, count: int) -> list[int]:
    """Model seeds of one stage, spawned from the root seed under the stage's spawn key.

    Args:
        root: Root seed of the calibration.
        stage: Spawn key of the stage (:data:`STAGE1`, :data:`STAGE2`, :data:`CONFIRM`).
        count: Number of seeds.

    Returns:
        ``count`` non-negative integers below 2**63.
    """
    children = np.random.SeedSequence(root, spawn_key=(stage,)).spawn(count)
    return [seed_from_sequence(child) for child in children]


def _to_unit(name: str, value: float, box: Mapping[str, tuple[float, float]]) -> float:
    low, high = box[name]
    if SEARCH_SPACE[name][2] == "log":
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (value - low) / (high - low)


def _from_unit(name: str, unit: float, box: Mapping[str, tuple[float, float]]) -> float:
    low, high = box[name]
    if SEARCH_SPACE[name][2] == "log":
        return float(math.exp(math.log(low) + unit * (math.log(high) - math.log(low))))
    return float(low + unit * (high - low))


def hypercube(points: int, box: Mapping[str, tuple[float, float]], seed: int) -> list[dict]:
    """A Latin hypercube of parameter sets in a box.

    Args:
        points: Number of sets.
        box: Parameter -> (low, high), for every name of :data:`SEARCH_SPACE`.
        seed: Seed of the design.

    Returns:
        ``points`` dicts of parameter values.
    """
    names = list(SEARCH_SPACE)
    sample = qmc.LatinHypercube(len(names), rng=np.random.default_rng(seed)).random(points)
    return [
        {name: _from_unit(name, float(row[i]), box) for i, name in enumerate(names)}
        for row in sample
    ]


def shrunk_box(best: Sequence[Mapping[str, float]], margin: float = 0.1, minimum: float = 0.2):
    """The box spanned by the best points, widened by a margin, within the search space.

    In each parameter's own scale (linear or log) the box runs from the lowest to the
    highest of the best points, widened by ``margin`` of the full range on each side and to
    at least ``minimum`` of the full range, and clipped to the search space.

    Args:
        best: The best points of stage 1.
        margin: Widening on each side, as a share of the full range.
        minimum: Smallest width, as a share of the full range.

    Returns:
        Parameter -> (low, high).
    """
    full = {name: (low, high) for name, (low, high, _) in SEARCH_SPACE.items()}
    box = {}
    for name in SEARCH_SPACE:
        units = [_to_unit(name, point[name], full) for point in best]
        low, high = min(units) - margin, max(units) + margin
        if high - low < minimum:
            middle = (low + high) / 2
            low, high = middle - minimum / 2, middle + minimum / 2
        low, high = max(low, 0.0), min(high, 1.0)
        box[name] = (_from_unit(name, low, full), _from_unit(name, high, full))
    return box


def round_significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    return float(f"{value:.{digits}g}")


class Evaluator:
    """Runs parameter sets on a fixed set of seeds and keeps every result.

    Args:
        months: Horizon of every run.
        workers: Processes to use.
        progress: Show progress bars.
    """

    def __init__(self, months: int, workers: int, progress: bool) -> None:
        self.months = months
        self.workers = workers
        self.progress = progress
        self.rows: list[dict[str, Any]] = []

    def evaluate(
        self,
        stage: str,
        points: Sequence[Mapping[str, float]],
        seeds: Sequence[int],
        labels: Sequence[str] | None = None,
    ) -> list[tuple[float, list[dict[str, float]]]]:
        """Measure each point on every seed; record and return (distance, runs) per point.

        Args:
            stage: Stage written to ``points.csv``.
            points: Parameter sets.
            seeds: Seeds shared by all points.
            labels: What each point is (default: the stage).

        Returns:
            Per point, its distance and its per-seed figures.
        """
        jobs = [(seed, dict(point)) for point in points for seed in seeds]
        runs = measure_many(jobs, self.months, self.workers, self.progress, stage)
        results = []
        for index, point in enumerate(points):
            own = runs[index * len(seeds) : (index + 1) * len(seeds)]
            means = mean_figures(own)
            score = distance(means)
            results.append((score, own))
            label = labels[index] if labels is not None else stage
            self.rows.append(
                {"stage": stage, "point": index, "label": label, "seeds": len(seeds)}
                | dict(point)
                | means
                | {"distance": score}
            )
        return results


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a table as dicts, with NaN (no point target) written as null in JSON."""
    return [
        {
            key: None if isinstance(value, float) and math.isnan(value) else value
            for key, value in row.items()
        }
        for row in table.to_dict(orient="records")
    ]


@dataclass(frozen=True)
class SearchSettings:
    """Settings of :func:`search` (the defaults are those of the calibration in the ODD).

    Attributes:
        points: Stage-1 parameter sets.
        seeds: Seeds per stage-1 set.
        points2: Stage-2 parameter sets.
        seeds2: Seeds per stage-2 set.
        keep: Best stage-1 sets kept for stage 2.
        confirm: Fresh confirmation seeds (at least 2, for an interval).
        tolerance: Misfit allowed when putting a reference value back.
        months: Months per run.
        root_seed: Root of every seed set.
        workers: Worker processes.
        progress: Show progress bars.
    """

    points: int = 64
    seeds: int = 8
    points2: int = 24
    seeds2: int = 16
    keep: int = 4
    confirm: int = 30
    tolerance: float = 0.1
    months: int = MONTHS
    root_seed: int = 2017
    workers: int = 2
    progress: bool = True


@dataclass(frozen=True)
class SearchResult:
    """What :func:`search` found.

    Attributes:
        summary: Settings, seeds, the winner, the rounded and chosen values, distances,
            the confirmation tables as records and the wall time (JSON-ready).
        points: Every evaluated point: stage, parameters, mean figures, distance.
        confirmation: The calibration tables of the chosen and reference values, on the
            confirmation seeds (column ``values``).
    """

    summary: dict[str, Any]
    points: pd.DataFrame
    confirmation: pd.DataFrame


def search(settings: SearchSettings, *, command: str = "") -> SearchResult:
    """Run the whole two-stage search (see the module docstring).

    Args:
        settings: Sizes of the stages, tolerance, horizon, root seed and workers.
        command: The command line that asked for it, recorded in the summary.

    Returns:
        The summary (what ``calibration.json`` records), every evaluated point, and the
        confirmation tables of the chosen and the reference values.
    """
    clock = time.perf_counter()
    seeds1 = stage_seeds(settings.root_seed, STAGE1, settings.seeds)
    seeds2 = stage_seeds(settings.root_seed, STAGE2, settings.seeds2)
    confirm = stage_seeds(settings.root_seed, CONFIRM, settings.confirm)
    assert not (set(seeds1) & set(seeds2) or set(confirm) & (set(seeds1) | set(seeds2)))
    evaluator = Evaluator(settings.months, settings.workers, settings.progress)
    full = {name: (low, high) for name, (low, high, _) in SEARCH_SPACE.items()}

    # Stage 1: the whole box.
    points1 = hypercube(settings.points, full, DESIGN_SEEDS[STAGE1])
    scores1 = [score for score, _ in evaluator.evaluate("stage1", points1, seeds1)]
    order = np.argsort(scores1, kind="stable")[: settings.keep]
    best1 = [points1[i] for i in order]

    # Stage 2: a finer design around the best points, plus those points and the reference.
    box = shrunk_box(best1)
    points2 = hypercube(settings.points2, box, DESIGN_SEEDS[STAGE2])
    candidates = points2 + best1 + [dict(REFERENCE)]
    labels = ["hypercube"] * len(points2) + ["stage1_best"] * len(best1) + ["reference"]
    scores2 = [score for score, _ in evaluator.evaluate("stage2", candidates, seeds2, labels)]
    winner = candidates[int(np.argmin(scores2))]

    # Rounding, then parsimony: put back reference values that fit about as well.
    rounded = {name: round_significant(value) for name, value in winner.items()}
    ((rounded_score, _),) = evaluator.evaluate("rounded", [rounded], seeds2)
    names = [name for name in SEARCH_SPACE if rounded[name] != REFERENCE[name]]
    singles = [rounded | {name: REFERENCE[name]} for name in names]
    single_scores = [score for score, _ in evaluator.evaluate("revert_one", singles, seeds2, names)]
    chosen, chosen_score, reverted = dict(rounded), rounded_score, []
    for index in np.argsort(single_scores, kind="stable"):
        name = names[index]
        trial = chosen | {name: REFERENCE[name]}
        if trial == rounded | {name: REFERENCE[name]}:
            trial_score = single_scores[index]
        else:
            ((trial_score, _),) = evaluator.evaluate("revert_more", [trial], seeds2, [name])
        if trial_score <= rounded_score + settings.tolerance:
            chosen, chosen_score = trial, trial_score
            reverted.append(name)

    # Confirmation on fresh seeds.
    ((_, runs_chosen), (_, runs_reference)) = evaluator.evaluate(
        "confirm", [chosen, dict(REFERENCE)], confirm, ["chosen", "reference"]
    )
    table = table_from_runs(runs_chosen)
    reference_table = table_from_runs(runs_reference)
    result = {
        "command": command,
        "months": settings.months,
        "root_seed": settings.root_seed,
        "search_space": {name: list(spec) for name, spec in SEARCH_SPACE.items()},
        "reference": REFERENCE,
        "stage1": {"points": settings.points, "seeds": seeds1, "best": best1},
        "stage2": {"points": settings.points2, "seeds": seeds2, "box": box},
        "winner": winner,
        "winner_distance": float(min(scores2)),
        "rounded": rounded,
        "rounded_distance": rounded_score,
        "tolerance": settings.tolerance,
        "reverted_to_reference": reverted,
        "chosen": chosen,
        "chosen_distance_stage2": chosen_score,
        "confirmation_seeds": confirm,
        "confirmation": records(table),
        "confirmation_distance": distance(table.set_index("figure")["model_mean"]),
        "reference_confirmation": records(reference_table),
        "reference_confirmation_distance": distance(
            reference_table.set_index("figure")["model_mean"]
        ),
        "wall_time_seconds": round(time.perf_counter() - clock, 1),
    }

    points = pd.DataFrame(evaluator.rows)[
        ["stage", "point", "label", "seeds", *SEARCH_SPACE, *TARGET_NAMES, "distance"]
    ]
    confirmation = pd.concat(
        [table.assign(values="chosen"), reference_table.assign(values="reference")],
        ignore_index=True,
    )
    return SearchResult(summary=result, points=points, confirmation=confirmation)
