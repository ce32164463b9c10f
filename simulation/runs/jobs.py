"""A sweep's unit of work: a :class:`Job` (plain data) and :func:`carry_out`.

:func:`carry_out` never raises: a failed run becomes a row with status ``error`` and the
message, so one bad design point cannot stop a sweep. Jobs pickle to any executor, and a
worker (local or on a Dask cluster) imports the model core and this module only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulation.core.interventions import INTERVENTION_TYPES
from simulation.core.outcomes import run_outcomes

#: Status values of a run.
STATUS_OK, STATUS_ERROR = "ok", "error"


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
    #: The sector file's content (a dict, with any organisation's swept levers), or None.
    sector: dict[str, Any] | None = None


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
            job.steps, job.run.seed, job.parameters, events, job.outputs, job.every, job.sector
        )
        row |= {"status": STATUS_OK, "error": ""}
    except Exception as error:  # noqa: BLE001 - a failed run is recorded, the sweep goes on
        outcomes = {}
        row |= {"status": STATUS_ERROR, "error": f"{type(error).__name__}: {error}"}
    row["wall_time"] = time.perf_counter() - clock
    return row | {"outcomes": outcomes}
