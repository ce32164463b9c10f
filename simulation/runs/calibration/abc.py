"""The ABC-SMC driver: the posterior of :data:`~simulation.runs.calibration.priors.PRIORS`.

:func:`abc_search` (run by ``experiments/calibrate_abc.py``) estimates the dynamic parameters
by ABC-SMC (pyabc, imported only here) on the fitted national figures of the hindcast: one
run per proposed particle, on a seed recorded by its number; the posterior is a table of
weighted draws (:class:`~simulation.runs.calibration.posterior.Posterior`, packaged as
``simulation/runs/data/posterior.csv``). A run's distance is the square root of
:func:`~simulation.runs.calibration.targets.distance` over the fitted figures.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.calibration.hindcast import HINDCAST_MONTHS, HINDCAST_START_YEAR, run_hindcast
from simulation.runs.calibration.posterior import DISTANCE, SEED, WEIGHT
from simulation.runs.calibration.priors import PRIOR_NAMES, PRIORS, Prior, check_priors
from simulation.runs.calibration.targets import (
    BY_NAME,
    FITTED,
    FITTED_FIGURES,
    HELD_OUT,
    PATTERN_CRITERIA,
    Target,
    distance,
)
from simulation.runs.replications import replication_seed


@dataclass(frozen=True)
class AbcSettings:
    """Settings of :func:`abc_search`.

    Attributes:
        population: Particles per generation (the posterior's rows).
        generations: Most generations.
        min_acceptance: Stop when a generation accepts fewer of its proposals.
        max_simulations: Stop after the generation in which the runs reach this many
            (the budget: about 0.22 s a run on a shared core, 2,028 s for 9,235 runs).
        months: Months per run (108 for the whole hindcast; fewer for tests).
        root_seed: Root of pyabc's generator and of every run's seed.
        fixed: Parameters held at other than their defaults (none in the calibration;
            tests use a small sector).
    """

    population: int = 400
    generations: int = 8
    min_acceptance: float = 0.02
    max_simulations: int = 9000
    months: int = HINDCAST_MONTHS
    root_seed: int = 2011
    fixed: Mapping[str, Any] = field(default_factory=dict)


#: Prefix of a quantity searched on the log10 scale (its prior is log-uniform).
LOG_PREFIX = "log10_"


def _searched_name(prior: Prior) -> str:
    return LOG_PREFIX + prior.name if prior.log else prior.name


def _searched_bounds(prior: Prior, scale: Any) -> tuple[float, float]:
    """``(low, width)`` of the uniform distribution searched, on the searched scale."""
    low, high = scale(prior.low), scale(prior.high)
    return low, high - low


def _natural(parameter: Mapping[str, float]) -> dict[str, float]:
    """Searched values back on their natural scale (``log10_x`` becomes ``x``)."""
    return {
        (name.removeprefix(LOG_PREFIX) if name.startswith(LOG_PREFIX) else name): (
            10.0 ** float(value) if name.startswith(LOG_PREFIX) else float(value)
        )
        for name, value in dict(parameter).items()
    }


@dataclass(frozen=True)
class AbcResult:
    """What :func:`abc_search` found.

    Attributes:
        posterior: The last generation: estimated columns, ``weight``, ``distance``, ``seed``.
        provenance: Settings, priors, figures, seeds, epsilons, acceptance, wall time.
    """

    posterior: pd.DataFrame
    provenance: dict[str, Any]


def abc_search(
    settings: AbcSettings,
    *,
    command: str = "",
    priors: Sequence[Prior] = PRIORS,
    criteria: Sequence[Target] = PATTERN_CRITERIA,
) -> AbcResult:
    """Estimate the parameters of ``priors`` by ABC-SMC on the fitted national figures.

    Pattern-oriented: a run's distance adds, to its misfit to the national figures, the
    penalty of every acceptance criterion it falls outside (the study's patterns, and the
    magnitudes the caller passes), so a parameter set that fits the figures the wrong way
    (learning that never rises, champions by the hundred) is not accepted.

    Every proposal is one hindcast run; proposal ``i`` (counted from 0 over the whole
    search, pyabc's calibration sample included) has seed ``replication_seed(root_seed,
    i)``, i.e. ``SeedSequence(root_seed, spawn_key=(i,))``. pyabc draws from NumPy's global
    generator, seeded with ``root_seed``; on one core the search is reproducible.

    Args:
        settings: Sizes, horizon and root seed.
        command: The command line, recorded in the provenance.
        priors: The estimated quantities.
        criteria: Band-only acceptance criteria, read off each run by
            :func:`~simulation.runs.calibration.hindcast.hindcast_figures`.

    Returns:
        The posterior and its provenance.
    """
    import pyabc  # noqa: PLC0415 - only the search needs pyabc

    check_priors(priors)
    scored = (*FITTED_FIGURES, *criteria)
    clock = time.perf_counter()
    counter = {"proposals": 0}

    def model(parameter: Mapping[str, float]) -> dict[str, float]:
        proposal = counter["proposals"]
        counter["proposals"] += 1
        figures = run_hindcast(
            replication_seed(settings.root_seed, proposal),
            _natural(parameter),
            settings.months,
            settings.fixed,
        )
        return {each.name: figures[each.name] for each in scored} | {"proposal": float(proposal)}

    # The root keeps the distances (and so pyabc's epsilons) of the packaged posterior.
    def abc_distance(simulated: Mapping[str, float], observed: Mapping[str, float]) -> float:
        return math.sqrt(distance(simulated, scored))

    # A log-uniform prior is searched as a uniform one on log10 of the quantity, so that
    # the perturbation kernel works on the scale the prior is flat on: a normal kernel on
    # the natural scale against a 1/x prior gives particles near the lower bound huge
    # importance weights, and the effective sample collapses (5 of 200 in a trial).
    prior = pyabc.Distribution(
        **{
            _searched_name(each): pyabc.RV(
                "uniform", *_searched_bounds(each, math.log10 if each.log else float)
            )
            for each in priors
        }
    )
    observed = {name: BY_NAME[name].value for name in FITTED} | {"proposal": 0.0}
    np.random.seed(settings.root_seed % 2**32)  # noqa: NPY002 - pyabc draws from the global one
    abc = pyabc.ABCSMC(
        model,
        prior,
        abc_distance,
        population_size=settings.population,
        sampler=pyabc.sampler.SingleCoreSampler(check_max_eval=False),
        eps=pyabc.epsilon.QuantileEpsilon(alpha=0.5),
    )
    with tempfile.TemporaryDirectory() as folder:
        abc.new(f"sqlite:///{Path(folder) / 'abc.db'}", observed)
        history = abc.run(
            max_nr_populations=settings.generations,
            min_acceptance_rate=settings.min_acceptance,
            max_total_nr_simulations=settings.max_simulations,
        )
        population = history.get_population()
        generations = history.get_all_populations()
        total = int(history.total_nr_simulations)
    rows = []
    for particle in population.particles:
        proposal = int(particle.sum_stat["proposal"])
        values = _natural(particle.parameter)
        rows.append(
            {name: float(values[name]) for name in PRIOR_NAMES if name in values}
            | {
                WEIGHT: float(particle.weight),
                DISTANCE: float(particle.distance),
                SEED: replication_seed(settings.root_seed, proposal),
            }
        )
    posterior = pd.DataFrame(rows)
    posterior[WEIGHT] /= posterior[WEIGHT].sum()
    generations = generations[generations["t"] >= 0]
    provenance = {
        "command": command,
        "method": "ABC-SMC (pyabc "
        + pyabc.__version__
        + "), one core, median-quantile epsilon, multivariate normal kernels",
        "start_year": HINDCAST_START_YEAR,
        "months": settings.months,
        "population": settings.population,
        "generations": int(len(generations)),
        "max_generations": settings.generations,
        "min_acceptance": settings.min_acceptance,
        "max_simulations": settings.max_simulations,
        "root_seed": settings.root_seed,
        "fixed": dict(settings.fixed),
        "seeds": "proposal i runs on replication_seed(root_seed, i) = "
        "SeedSequence(root_seed, spawn_key=(i,)); each draw's seed is in the CSV",
        "proposals": counter["proposals"],
        "simulations_reported_by_pyabc": total,
        "priors": [
            {
                "name": p.name,
                "low": p.low,
                "high": p.high,
                "scale": "log" if p.log else "linear",
                "reason": p.reason,
            }
            for p in priors
        ],
        "fitted": {name: BY_NAME[name].value for name in FITTED},
        "scales": {name: BY_NAME[name].scale for name in FITTED},
        "held_out": {name: BY_NAME[name].value for name in HELD_OUT},
        "criteria": {each.name: [each.low, each.high] for each in criteria},
        "per_generation": [
            {
                "t": int(row["t"]),
                "epsilon": float(row["epsilon"]),
                "samples": int(row["samples"]),
                "acceptance": settings.population / float(row["samples"]),
            }
            for _, row in generations.iterrows()
        ],
        "final_distance_median": float(posterior[DISTANCE].median()),
        "wall_time_seconds": round(time.perf_counter() - clock, 1),
    }
    return AbcResult(posterior=posterior, provenance=provenance)
