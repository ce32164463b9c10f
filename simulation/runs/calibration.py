"""Calibration targets: the default sector, read as 2017, against Australian national figures.

Month 0 of a default run stands for 2017, the year of the seed study. Seven figures of the
model are compared with what national data say about the Australian specialised
mental-health sector at that time (:data:`TARGETS`): how many organisations employ peer
workers, how fast the peer workforce grows, how small a share of staff it is (so that
most peers are tokens in their teams), how common lived experience is among clinicians
and how little of it is disclosed, and how many peers leave each year.

:func:`measure` reads the seven figures off one run; :func:`calibration_table` summarises
them over seeds with a 95 % confidence interval and says whether each lies in its band;
:func:`distance` turns mean figures into one misfit number for a parameter search
(``experiments/calibrate.py``; docs/ODD.md section 10.2 reports the fit).

Every function here is a pure function of its arguments: the same seeds and parameters
give the same figures on any executor and with any number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulation.circles import team_peer_share
from simulation.model import SectorModel
from simulation.runs.replications import map_runs
from simulation.runs.statistics import mean_interval
from simulation.state import Kind

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
        "most professionals' lived experience is undisclosed at work (MODEL.md section 5)",
        None,
        0.0,
        0.5,
    ),
    Target(
        "peer_exit_rate",
        "peer leavers a year over months 1-36 / mean peer headcount over months 0-35",
        "peer exits of roughly 10-30 % of headcount a year (MODEL.md section 9; "
        "Scanlan et al. 2020)",
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
    results = map_runs(_measure_job, tasks, workers=workers, progress=progress, desc=desc)
    return results


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
