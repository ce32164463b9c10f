"""Calibration targets: the default sector, read as 2017, against Australian national figures.

Month 0 of a default run stands for 2017, the year of the seed study. Seven figures of the
model are compared with what national data say about the Australian specialised
mental-health sector at that time (:data:`TARGETS`): how many organisations employ peer
workers, how fast the peer workforce grows, how small a share of staff it is (so that
most peers are tokens in their teams), how common lived experience is among clinicians
and how little of it is disclosed, and how many peers leave each year.

:func:`measure` reads the seven figures off one run; :func:`calibration_table` summarises
them over seeds with a 95 % confidence interval and says whether each lies in its band;
:func:`distance` turns mean figures into one misfit number for the parameter search,
:func:`search` (run by ``experiments/calibrate.py``; docs/ODD.md section 10.2 reports the
fit). The search has four steps:

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
   seeds and summarised by :func:`table_from_runs`.

Every seed set is spawned from the root seed with ``numpy.random.SeedSequence`` under its
own spawn key, so the seed sets never overlap.

Every function here is a pure function of its arguments: the same seeds and parameters
give the same figures on any executor and with any number of workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simulation.core.circles import team_peer_share
from simulation.core.model import SectorModel
from simulation.core.state import Kind
from simulation.core.streams import seed_from_sequence
from simulation.runs.batch import SectorBatch, map_batched, setup_key
from simulation.runs.statistics import mean_interval

#: Months simulated by default: three years, 2017 to 2020.
MONTHS = 36

#: Added to :func:`distance` for each band-only figure outside its band.
BAND_PENALTY = 10.0


@dataclass(frozen=True)
class Target:
    """One national figure the default sector should reproduce.

    Attributes:
        name: Key of the figure in :func:`measure`'s result.
        description: What the model value is, in words.
        source: Where the target comes from.
        target: The value aimed at, or None for a figure that only has to lie in its band.
        low: Lower end of the acceptable band.
        high: Upper end of the acceptable band.
    """

    name: str
    description: str
    source: str
    target: float | None
    low: float
    high: float

    def met(self, value: float) -> bool:
        """Whether ``value`` lies in the band (a missing value never does)."""
        return bool(self.low <= value <= self.high)


TARGETS: tuple[Target, ...] = (
    Target(
        "orgs_with_peers_0",
        "share of organisations employing peers at month 0",
        "AIHW Mental health services in Australia 2017-18: 77 of 170 specialised services "
        "employed consumer workers (0.453)",
        0.453,
        0.40,
        0.50,
    ),
    Target(
        "peer_growth",
        "annual growth of the peer workforce over months 0-36, (P36 / P0)^(1/3) - 1",
        "AIHW: consumer and carer workers, 15.9 % a year from 2015-16 to 2019-20",
        0.159,
        0.10,
        0.25,
    ),
    Target(
        "peer_share_36",
        "peer workers and LE leaders as a share of all staff at month 36",
        "AIHW: consumer and carer workers are a small share (well under 5 %) of the "
        "specialised mental-health workforce",
        None,
        0.0,
        0.05,
    ),
    Target(
        "token_peers_0",
        "share of peer workers whose team's peer share is below token_share at month 0",
        "follows from the small share: most peers work as tokens (Kanter 1977); "
        "Byrne et al. (2019)",
        None,
        0.5,
        1.0,
    ),
    Target(
        "clinician_le_0",
        "share of clinicians with personal lived experience at month 0",
        "about 30 % of mental-health professionals report personal lived experience "
        "(assumption consistent with surveys of mental-health staff)",
        0.30,
        0.25,
        0.35,
    ),
    Target(
        "clinician_disclosed_0",
        "share of clinicians with lived experience who have disclosed it at month 0",
        "a working assumption of the model: most professionals' lived experience is "
        "undisclosed at work (docs/ODD.md section 10.2)",
        None,
        0.0,
        0.5,
    ),
    Target(
        "peer_exit_rate",
        "peer leavers a year over months 1-36 / mean peer headcount over months 0-35",
        "a working range of the model, 10-30 % of peer headcount a year (docs/ODD.md section "
        "10.2; Scanlan et al. 2020 for the reasons peers give)",
        0.20,
        0.10,
        0.30,
    ),
)

#: The names of :data:`TARGETS`, in order.
TARGET_NAMES: tuple[str, ...] = tuple(target.name for target in TARGETS)

_BY_NAME = {target.name: target for target in TARGETS}


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if flags.size else math.nan


def month0_figures(model: SectorModel) -> dict[str, float]:
    """The month-0 figures of :data:`TARGETS`, read from the model's current state.

    Args:
        model: A freshly built sector model (month 0).

    Returns:
        ``orgs_with_peers_0``, ``token_peers_0``, ``clinician_le_0`` and
        ``clinician_disclosed_0``; a share with no one to take it over is NaN.
    """
    staff = model.staff
    peers = staff.slots_of(Kind.PEER_WORKER, Kind.PEER_LEADER)
    workers = staff.slots_of(Kind.PEER_WORKER)
    clinicians = staff.slots_of(Kind.CLINICIAN)
    with_le = clinicians[staff.lived_experience[clinicians]]
    employing = np.unique(staff.org[peers]).size
    return {
        "orgs_with_peers_0": employing / model.n_orgs,
        "token_peers_0": _share(team_peer_share(model, workers) < model.params.token_share),
        "clinician_le_0": _share(staff.lived_experience[clinicians]),
        "clinician_disclosed_0": _share(staff.disclosed[with_le]),
    }


def series_figures(frame: pd.DataFrame, months: int = MONTHS) -> dict[str, float]:
    """The figures of :data:`TARGETS` read from a sector time series.

    Args:
        frame: Sector frame indexed by month 0..``months`` (``SectorModel.sector_frame``).
        months: The horizon the figures refer to (36 for the named targets).

    Returns:
        ``peer_growth`` (annualised over the horizon), ``peer_share_36`` (peer share at
        the horizon) and ``peer_exit_rate`` (leavers in months 1..horizon per year over
        the mean headcount of months 0..horizon-1). NaN where the peer workforce is zero.
    """
    peers = frame["peer_workers"].to_numpy(dtype=float)
    years = months / 12.0
    start, end = peers[0], peers[months]
    mean_headcount = peers[:months].mean()
    leavers = frame["peer_leavers"].to_numpy(dtype=float)[1 : months + 1].sum()
    return {
        "peer_growth": (end / start) ** (1.0 / years) - 1.0 if start > 0 else math.nan,
        "peer_share_36": float(frame["peer_share"].iloc[months]),
        "peer_exit_rate": leavers / (years * mean_headcount) if mean_headcount > 0 else math.nan,
    }


def measure(
    seed: int, params: Mapping[str, Any] | None = None, months: int = MONTHS
) -> dict[str, float]:
    """Run one sector and return its seven calibration figures.

    Args:
        seed: The run's seed.
        params: Parameter overrides (defaults otherwise).
        months: Months to simulate; the growth, share and exit figures refer to this
            horizon (their names assume the default 36).

    Returns:
        Figure name -> value, in :data:`TARGET_NAMES` order.

    Raises:
        ValueError: If ``months`` is below 1.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be an integer >= 1, got {months!r}")
    model = SectorModel(rng=seed, **dict(params or {}))
    figures = month0_figures(model)
    for _ in range(months):
        model.step()
    figures.update(series_figures(model.sector_frame(), months))
    return {name: float(figures[name]) for name in TARGET_NAMES}


def _measure_job(job: tuple[int, Mapping[str, Any] | None, int]) -> dict[str, float]:
    seed, params, months = job
    return measure(seed, params, months)


def _measure_batch(jobs: list[tuple[int, Mapping[str, Any] | None, int]]) -> list[dict[str, float]]:
    """:func:`measure` of jobs with one set-up, their seeds run as one batch."""
    _, params, months = jobs[0]
    models = [SectorModel(rng=seed, **dict(params or {})) for seed, _, _ in jobs]
    month0 = [month0_figures(model) for model in models]
    batch = SectorBatch(models)
    for _ in range(months):
        batch.step()
    results = []
    for figures, frame in zip(month0, batch.sector_frames(), strict=True):
        figures.update(series_figures(frame, months))
        results.append({name: float(figures[name]) for name in TARGET_NAMES})
    return results


def _measure_setup(job: tuple[int, Mapping[str, Any] | None, int]) -> tuple[Any, Any]:
    _, params, months = job
    return params, (setup_key(params), months)


def measure_many(
    jobs: Sequence[tuple[int, Mapping[str, Any] | None]],
    months: int = MONTHS,
    workers: int = 1,
    progress: bool = True,
    desc: str = "calibration runs",
) -> list[dict[str, float]]:
    """Measure many ``(seed, params)`` pairs, in order, serially or in a process pool.

    Each job's figures depend on its seed and parameters alone, and results come back in
    job order, so the list is the same for any number of workers. Worker processes are
    started with ``spawn`` (forking a process that runs threads, such as a progress bar's
    monitor, can deadlock).

    Args:
        jobs: ``(seed, params)`` pairs.
        months: Horizon of every run.
        workers: Processes to use (1 runs in this process).
        progress: Show a tqdm progress bar.
        desc: Label of the progress bar.

    Returns:
        One figures dict per job.
    """
    tasks = [(int(seed), dict(params or {}), months) for seed, params in jobs]
    # A candidate's seeds run as one batch: the same figures as measure() of each.
    return map_batched(
        _measure_batch, tasks, _measure_setup, workers=workers, progress=progress, desc=desc
    )


def mean_figures(runs: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Mean of each figure over runs (NaN if any run has NaN for it).

    Args:
        runs: Figures of several seeds, as returned by :func:`measure`.

    Returns:
        Figure name -> mean.
    """
    runs = list(runs)
    return {name: float(np.mean([run[name] for run in runs])) for name in TARGET_NAMES}


def table_from_runs(runs: Sequence[Mapping[str, float]]) -> pd.DataFrame:
    """The calibration table of figures already measured on several seeds.

    Args:
        runs: One figures dict per seed.

    Returns:
        See :func:`calibration_table`.
    """
    rows = []
    for target in TARGETS:
        mean, low, high = mean_interval([run[target.name] for run in runs])
        rows.append(
            {
                "figure": target.name,
                "description": target.description,
                "target": np.nan if target.target is None else target.target,
                "low": target.low,
                "high": target.high,
                "model_mean": mean,
                "ci_low": low,
                "ci_high": high,
                "met": target.met(mean),
                "seeds": len(runs),
            }
        )
    return pd.DataFrame(rows)


def calibration_table(
    seeds: Sequence[int],
    params: Mapping[str, Any] | None = None,
    months: int = MONTHS,
    workers: int = 1,
    progress: bool = True,
) -> pd.DataFrame:
    """How the sector compares with the national figures, over several seeds.

    Args:
        seeds: Seeds to run (each is one independent sector).
        params: Parameter overrides (defaults otherwise).
        months: Horizon of the runs.
        workers: Processes to use; the table does not depend on it.
        progress: Show a progress bar.

    Returns:
        One row per target, in :data:`TARGETS` order: ``figure``, ``description``,
        ``target`` (NaN for band-only figures), ``low``, ``high``, ``model_mean``,
        ``ci_low`` and ``ci_high`` (t-based 95 % confidence interval of the mean over
        seeds), ``met`` (mean within the band) and ``seeds``.

    Raises:
        ValueError: If no seed is given.
    """
    seeds = [int(seed) for seed in seeds]
    if not seeds:
        raise ValueError("calibration_table needs at least one seed")
    runs = measure_many(
        [(seed, params) for seed in seeds], months, workers, progress, "calibration check"
    )
    return table_from_runs(runs)


def distance(figures: Mapping[str, float]) -> float:
    """Misfit of (mean) figures to the targets: 0 when every point target is hit exactly.

    For each figure with a target value (orgs with peers, growth, clinicians' lived
    experience, exit rate) the squared misfit is scaled by the distance from the target to
    the band's edge on the side the figure falls: ``((model - target) / (high - target))**2``
    above the target, ``((target - model) / (target - low))**2`` below it. A figure at either
    edge of its band thus adds 1, whatever the band's asymmetry. Each band-only figure
    (peer share, tokens, clinicians' disclosure) adds nothing inside its band and, outside
    it, :data:`BAND_PENALTY` plus the squared distance to the band in band widths. A missing
    or NaN figure counts as far outside (infinite distance).

    Args:
        figures: Figure name -> value (usually means over seeds), with every name of
            :data:`TARGET_NAMES`.

    Returns:
        The misfit, >= 0.

    Raises:
        KeyError: If a figure is missing.
    """
    total = 0.0
    for target in TARGETS:
        value = float(figures[target.name])
        if math.isnan(value):
            return math.inf
        if target.target is not None:
            edge = target.high if value >= target.target else target.low
            total += ((value - target.target) / (edge - target.target)) ** 2
        elif not target.met(value):
            outside = target.low - value if value < target.low else value - target.high
            total += BAND_PENALTY + (outside / (target.high - target.low)) ** 2
    return total


# ---- the search ----------------------------------------------------------------------------

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
