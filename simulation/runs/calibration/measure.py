"""The 2017 figures of the default sector: measured on one run, and tabled over seeds.

Month 0 of a default run stands for 2017, the year of the seed study. :func:`measure` reads
the seven figures of :data:`~simulation.runs.calibration.targets.TARGETS` off one run;
:func:`calibration_table` summarises them over seeds with a 95 % confidence interval and
says whether each lies in its band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.circles import team_peer_share
from simulation.core.model import SectorModel
from simulation.core.state import PEER_KINDS, Kind
from simulation.core.wording import is_count
from simulation.runs.batch import SectorBatch, map_batched, setup_key
from simulation.runs.calibration.targets import TARGET_NAMES, TARGETS
from simulation.runs.statistics import mean_interval

#: Months simulated by default: three years, 2017 to 2020.
MONTHS = 36


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
    peers = staff.slots_of(*PEER_KINDS)
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
    if not is_count(months, 1):
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
                "target": np.nan if target.value is None else target.value,
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
