"""Scalar outcomes of one run: the unit of work of a sweep, and an EMA-workbench model.

A sweep's :class:`Job` (plain data) is carried out by :func:`carry_out`, which never
raises: a failed run becomes a row with status ``error`` and the message.

:func:`run_outcomes` runs one sector (parameters, scheduled events, months, seed) and
reads named sector columns off its last month, and optionally every ``every`` months.
It lives in the core so that a sweep's worker processes (local or on a Dask cluster)
import the model and nothing above it. :func:`experiment` is the same with keyword
arguments, returning a flat dict of floats: usable as-is as the model function of the EMA
workbench or of any other tool that calls ``f(**params) -> dict``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulation.interventions import INTERVENTION_TYPES
from simulation.model import SectorModel
from simulation.reporters import SECTOR_COLUMNS

#: Status values of a run.
STATUS_OK, STATUS_ERROR = "ok", "error"

#: The outcomes :func:`experiment` returns by default.
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "peer_workers",
    "orgs_without_peers",
    "mean_stigma",
    "mean_commitment_managers",
)


def outcome_name(column: str, month: int | None = None) -> str:
    """The name of an outcome: the column at the last month, or ``column@month``.

    Args:
        column: A sector column.
        month: A month, or ``None`` for the last month.

    Returns:
        For example ``"peer_workers"`` or ``"peer_workers@60"``.
    """
    return column if month is None else f"{column}@{month}"


def run_outcomes(
    steps: int,
    seed: int,
    params: Mapping[str, Any] | None = None,
    events: Sequence[Any] = (),
    outputs: Sequence[str] = DEFAULT_OUTCOMES,
    every: int | None = None,
) -> dict[str, float]:
    """Run one sector and read outcomes off it.

    Args:
        steps: Months to simulate (at least 1).
        seed: The run's seed.
        params: Model parameters; missing names take their defaults.
        events: Scheduled interventions, each applied as ``model.schedule`` would.
        outputs: Sector columns to report.
        every: Also report each output every ``every`` months (months ``every``,
            ``2 * every``, ... up to ``steps``), as ``column@month``.

    Returns:
        Outcome name to value: each output at the last month, then the periodic ones.

    Raises:
        ValueError: For an unknown output column or a bad ``every``.
        simulation.ParameterError: For an unknown or out-of-range parameter.
    """
    unknown = [name for name in outputs if name not in SECTOR_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown output {unknown[0]!r}; allowed: the sector columns "
            + ", ".join(SECTOR_COLUMNS)
        )
    if every is not None and not (isinstance(every, int) and 1 <= every <= steps):
        raise ValueError(f"every = {every!r} must be a whole number of months from 1 to {steps}")
    model = SectorModel(rng=seed, **dict(params or {}))
    for event in events:
        model.schedule(event)
    for _ in range(steps):
        model.step()
    frame = model.sector_frame()
    values = {outcome_name(column): float(frame[column].iloc[-1]) for column in outputs}
    if every is not None:
        for month in range(every, steps + 1, every):
            for column in outputs:
                values[outcome_name(column, month)] = float(frame.loc[month, column])
    return values


def experiment(
    steps: int = 120,
    seed: int = 0,
    outputs: Sequence[str] = DEFAULT_OUTCOMES,
    **params: Any,
) -> dict[str, float]:
    """Run one sector with keyword parameters and return its final-month outcomes.

    The signature fits tools that call a model as ``f(**inputs) -> dict`` (the EMA
    workbench's ``Model(function=experiment)``; see ``experiments/ema_example.py``).

    Args:
        steps: Months to simulate.
        seed: The run's seed.
        outputs: Sector columns to return.
        **params: Model parameters (see ``lewsim params``).

    Returns:
        Column name to its value at the last month.
    """
    return run_outcomes(steps, seed, params, (), outputs)


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a design point and a replicate.

    Attributes:
        run_id: Stable hash of the factor values, replicate and base seed.
        point: Index of the design point.
        replicate: Replicate number (0-based).
        seed: The run's seed.
        values: The design point's factor values.
    """

    run_id: str
    point: int
    replicate: int
    seed: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Job:
    """A run as handed to a worker (plain data: it pickles to any executor)."""

    run: Run
    steps: int
    parameters: dict[str, Any]
    events: list[dict[str, Any]]
    outputs: tuple[str, ...]
    every: int | None = None


def carry_out(job: Job) -> dict[str, Any]:
    """Carry out one job and return its result row; an exception becomes an error row.

    Args:
        job: The run and what it needs.

    Returns:
        ``run_id``, ``point``, ``replicate``, ``seed``, ``status``, ``error``,
        ``wall_time`` and every outcome (NaN for a failed run).
    """
    clock = time.perf_counter()
    row: dict[str, Any] = {
        "run_id": job.run.run_id,
        "point": job.run.point,
        "replicate": job.run.replicate,
        "seed": job.run.seed,
    }
    try:
        events = [INTERVENTION_TYPES[event["type"]](**event) for event in job.events]
        outcomes = run_outcomes(
            job.steps, job.run.seed, job.parameters, events, job.outputs, job.every
        )
        row |= {"status": STATUS_OK, "error": ""}
    except Exception as error:  # noqa: BLE001 - a failed run is recorded, the sweep goes on
        outcomes = {}
        row |= {"status": STATUS_ERROR, "error": f"{type(error).__name__}: {error}"}
    row["wall_time"] = time.perf_counter() - clock
    return row | {"outcomes": outcomes}
