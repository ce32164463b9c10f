"""The hindcast: the sector run from 2011-12 to 2019-20 and the national figures read off it.

Month 0 stands for July 2011; model year ``k`` covers months ``12k + 1`` to ``12k + 12``.
The run has the funding policy pressure of the built-in national history
(:func:`simulation.core.environment.series_from` 2011) and a funding envelope whose yearly
growth is estimated (``envelope_growth``: it is not read off the series the run is scored
on). :func:`hindcast_figures` reads the figures of
:data:`~simulation.runs.calibration.targets.NATIONAL_FIGURES` off one run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulation import simulate
from simulation.core.environment import ENVELOPE_GROWTH, funding_path, series_from
from simulation.core.parameters import Parameters
from simulation.runs.batch import map_batched, simulate_batch
from simulation.runs.calibration.posterior_file import load_posterior
from simulation.runs.calibration.priors import NUISANCES
from simulation.runs.magnitudes import MEASURES, magnitudes
from simulation.runs.replications import replication_seed

#: The national peer workforce of 2011-12 over that of 2017-18, per care-provider FTE (AIHW
#: Mental health services in Australia): 29.4 consumer-worker FTE per 10,000 in 2011-12, and
#: 44.3 in 2015-16 grown two years at the 15.9 % a year of 2015-20 (about 59.5, the 0.6 % that
#: ``initial_peer_share`` is derived from). The hindcast starts from 2011-12's peer share, not
#: from the default run's 2017-18 one.
PEER_SHARE_2011_TO_2017 = 29.4 / (44.3 * 1.159**2)

#: The month-0 magnitudes (``experiments/plausible-ranges.toml``) that the search checks in
#: July 2017: every measure but the share of organisations with peers, which is fitted by
#: its national figures.
MAGNITUDE_CRITERIA = tuple(name for name in MEASURES if name != "orgs_with_peers_share")

#: The financial year month 0 of the hindcast stands for (2011-12).
HINDCAST_START_YEAR = 2011
#: The hindcast month that stands for the default run's month 0 (July 2017, 2017-18).
MONTH_2017 = 12 * (2017 - HINDCAST_START_YEAR)
#: Months of the hindcast: 2011-12 to 2019-20, nine model years.
HINDCAST_MONTHS = 108


def exposure_mix_for(unexposed: float) -> tuple[float, float, float]:
    """``exposure_mix`` with ``unexposed`` organisations of class none, the rest 2 : 1."""
    rest = 1.0 - unexposed
    return (unexposed, rest * 2.0 / 3.0, rest / 3.0)


def hindcast_params(
    values: Mapping[str, float],
    months: int = HINDCAST_MONTHS,
    fixed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Model keyword arguments of a hindcast run from 2011-12.

    Args:
        values: Estimated parameters and nuisances (missing ones keep their defaults).
        months: Months of the run (the environment series cover them).
        fixed: Other parameters of the run; their ``initial_peer_share``, if given, is the
            2017-18 one that the hindcast scales back to 2011-12.

    Returns:
        The environment of 2011-12 onwards, the starting peer share of 2011-12
        (:data:`PEER_SHARE_2011_TO_2017` of the 2017-18 one), the parameters, and
        ``exposure_mix`` from the nuisance ``initial_unexposed`` if given; the envelope from
        ``envelope_growth`` if given (otherwise the built-in path).
    """
    years = months // 12 + 1
    envelope = None
    if "envelope_growth" in values:
        envelope = funding_path(float(values["envelope_growth"]))
    share_2017 = dict(fixed or {}).get(
        "initial_peer_share", Parameters.model_fields["initial_peer_share"].default
    )
    params: dict[str, Any] = {
        "funding_envelope": series_from("funding_envelope", HINDCAST_START_YEAR, years, envelope),
        "policy_pressure": series_from("policy_pressure", HINDCAST_START_YEAR, years),
        "initial_peer_share": tuple(PEER_SHARE_2011_TO_2017 * share for share in share_2017),
    }
    for name, value in values.items():
        if name == "initial_unexposed":
            params["exposure_mix"] = exposure_mix_for(float(value))
        elif name not in NUISANCES:
            params[name] = float(value)
    return params


def year_mean(series: np.ndarray, year: int) -> float:
    """Mean of a monthly series over model year ``year``, months 12 year + 1 to 12 year + 12.

    Args:
        series: One value per month from month 0.
        year: The model year (0: the run's first).

    Returns:
        The mean, or NaN where the run ends before the year does.
    """
    start, end = 12 * year + 1, 12 * year + 13
    return float(series[start:end].mean()) if end <= series.size else math.nan


def hindcast_figures(frame: pd.DataFrame, n_orgs: int) -> dict[str, float]:
    """The figures of :data:`NATIONAL_FIGURES` read off one hindcast run.

    Args:
        frame: Sector frame indexed or keyed by month from 0 (2011-12 starts at month 1).
        n_orgs: Organisations in the sector.

    Returns:
        Figure name -> value; NaN where the run is too short or a denominator is zero.
    """
    share = frame["peer_share"].to_numpy(dtype=float)
    peers = frame["peer_workers"].to_numpy(dtype=float)
    orgs = frame["orgs_with_peers"].to_numpy(dtype=float) / n_orgs
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = year_mean(share, 4) / year_mean(share, 0)
        growth = (year_mean(peers, 8) / year_mean(peers, 4)) ** 0.25 - 1.0
    return {
        "peer_share_ratio": float(ratio) if math.isfinite(ratio) else math.nan,
        "orgs_with_peers_2015": year_mean(orgs, 4),
        "orgs_with_peers_2016": year_mean(orgs, 5),
        "orgs_with_peers_2017": year_mean(orgs, 6),
        "peer_growth_2015_2019": float(growth) if math.isfinite(growth) else math.nan,
    } | criteria_figures(frame, n_orgs)


def criteria_figures(frame: pd.DataFrame, n_orgs: int) -> dict[str, float]:
    """The figures of the search's acceptance criteria, read off one run.

    The criteria are :data:`~simulation.runs.calibration.targets.PATTERN_CRITERIA` and
    :func:`~simulation.runs.calibration.targets.magnitude_criteria` of
    :data:`MAGNITUDE_CRITERIA`.

    The study's patterns as changes from 2011-12 to the last full model year (the means
    of managers' understanding and commitment, of staff stigma and of the disclosed share),
    and the magnitudes of ``experiments/plausible-ranges.toml`` at month 0 read in July
    2017 (:data:`MONTH_2017`), the month the default run starts from.

    Args:
        frame: Sector frame indexed by month from 0.
        n_orgs: Organisations in the sector.

    Returns:
        Figure name -> value; NaN where the run is too short.
    """
    last = (len(frame) - 1) // 12 - 1

    def change(column: str) -> float:
        series = frame[column].to_numpy(dtype=float)
        return year_mean(series, last) - year_mean(series, 0) if last >= 1 else math.nan

    figures = {
        "understanding_rise": change("mean_understanding_managers"),
        "commitment_rise": change("mean_commitment_managers"),
        "stigma_fall": -change("mean_stigma"),
        "disclosure_rise": change("disclosed_share"),
    }
    if len(frame) > MONTH_2017:
        sizes = magnitudes(frame.reset_index(drop=True), n_orgs, MONTH_2017)
    else:
        sizes = dict.fromkeys(MAGNITUDE_CRITERIA, math.nan)
    return figures | {f"{name}_2017": float(sizes[name]) for name in MAGNITUDE_CRITERIA}


def run_hindcast(
    seed: int,
    values: Mapping[str, float],
    months: int = HINDCAST_MONTHS,
    fixed: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """Run one hindcast and return its figures.

    Args:
        seed: The run's seed.
        values: Estimated parameters and nuisances.
        months: Months to run (108 covers every figure; 72 the fitted ones).
        fixed: Other parameters held at other than their defaults (tests use a small
            sector); the estimated values override them.

    Returns:
        Figure name -> value (see :func:`hindcast_figures`).
    """
    params = dict(fixed or {}) | hindcast_params(values, months, fixed)
    frame = simulate(steps=months, seed=seed, **params)
    n_orgs = int(params.get("n_orgs", Parameters.model_fields["n_orgs"].default))
    return hindcast_figures(frame, n_orgs)


#: One hindcast run: ``(seed, values, months, fixed)``, the arguments of :func:`run_hindcast`.
HindcastJob = tuple[int, dict[str, float], int, Mapping[str, Any] | None]


def hindcast_batch(jobs: list[HindcastJob]) -> list[dict[str, float]]:
    """:func:`run_hindcast` of jobs with one set-up, their seeds run as one batch."""
    _, values, months, fixed = jobs[0]
    params = dict(fixed or {}) | hindcast_params(values, months, fixed)
    frames = simulate_batch(months, [seed for seed, _, _, _ in jobs], **params)
    n_orgs = int(params.get("n_orgs", Parameters.model_fields["n_orgs"].default))
    return [hindcast_figures(frame, n_orgs) for frame in frames]


def hindcast_setup(job: HindcastJob) -> tuple[Any, Any]:
    """A hindcast job's parameters and the key of its set-up, for ``map_batched``."""
    _, values, months, fixed = job
    return dict(fixed or {}), repr((sorted(values.items()), months, fixed))


def default_nuisances() -> dict[str, float]:
    """The hindcast's nuisances at the defaults.

    The packaged posterior's median share of peerless organisations in 2011-12, and the
    default envelope growth (:data:`simulation.core.environment.ENVELOPE_GROWTH`).
    """
    return {
        "initial_unexposed": load_posterior().median()["initial_unexposed"],
        "envelope_growth": ENVELOPE_GROWTH,
    }


def defaults_hindcast(
    seeds: int, *, root_seed: int = HINDCAST_START_YEAR, workers: int = 1
) -> list[dict[str, float]]:
    """Hindcast runs at the model's defaults: the check that the defaults are the calibration.

    The two nuisances are :func:`default_nuisances`; every model parameter keeps its
    default. Run ``s`` has seed
    ``replication_seed(root_seed, s)``.

    Args:
        seeds: Runs.
        root_seed: Root of their seeds.
        workers: Processes.

    Returns:
        The figures of each run (see :func:`hindcast_figures`).
    """
    nuisances = default_nuisances()
    jobs = [
        (replication_seed(root_seed, s), nuisances, HINDCAST_MONTHS, None) for s in range(seeds)
    ]
    return map_batched(hindcast_batch, jobs, hindcast_setup, workers=workers)
