"""A sweep's unit of work: a :class:`Job` (plain data), :func:`carry_out` and its batch form.

:func:`carry_out` never raises: a failed run becomes a row with status ``error`` and the
message, so one bad design point cannot stop a sweep. :func:`carry_out_batch` runs jobs
that share a set-up as one batch (:mod:`simulation.runs.batch`); if the batch fails, each
job is carried out alone, so a bad run takes no batch-mate down with it. Jobs pickle to
any executor, and a worker (local or on a Dask cluster) imports the model core and the
run layer's batch, jobs and footprint modules only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulation.core.interventions import INTERVENTION_TYPES
from simulation.core.outcomes import check_outputs, frame_outcomes, run_outcomes
from simulation.runs.batch import simulate_batch

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


def setup_of(job: Job) -> Hashable:
    """What jobs must share to run in one batch: everything but the seed."""
    return (
        job.steps,
        repr(sorted(job.parameters.items())),
        repr(job.events),
        job.outputs,
        job.every,
        repr(job.sector),
    )


def carry_out_batch(jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Carry out jobs that share a set-up (:func:`setup_of`) as one batch of replications.

    Each row is what :func:`carry_out` gives for its job, its ``wall_time`` the batch's
    share per run. If anything in the batch fails, every job is carried out alone, so the
    failure is recorded against the run that caused it and its batch-mates still succeed.

    Args:
        jobs: Jobs with the same set-up, differing in their runs (seeds).

    Returns:
        One row per job, in order.
    """
    if len(jobs) == 1:
        return [carry_out(jobs[0])]
    clock = time.perf_counter()
    first = jobs[0]
    try:
        check_outputs(first.steps, first.outputs, first.every)
        events = [INTERVENTION_TYPES[event["type"]](**event) for event in first.events]
        frames = simulate_batch(
            first.steps,
            [job.run.seed for job in jobs],
            events,
            sector=first.sector,
            **first.parameters,
        )
    except Exception:  # noqa: BLE001 - isolate the failure: each run on its own
        return [carry_out(job) for job in jobs]
    share = (time.perf_counter() - clock) / len(jobs)
    return [
        {
            "run_id": job.run.run_id,
            "point": job.run.point,
            "replicate": job.run.replicate,
            "seed": job.run.seed,
            "status": STATUS_OK,
            "error": "",
            "wall_time": share,
            "outcomes": frame_outcomes(frame, job.outputs, job.every),
        }
        for job, frame in zip(jobs, frames, strict=True)
    ]


def consecutive_batches(
    items: Iterable[Any], key: Callable[[Any], Hashable], size: int
) -> Iterator[list[Any]]:
    """Group consecutive items with equal ``key`` into lists of at most ``size`` (lazily).

    Args:
        items: Items in order (a sweep's jobs: the replicates of a point are consecutive).
        key: What items of one batch share.
        size: The largest batch.

    Yields:
        Lists of items, in order.
    """
    batch: list[Any] = []
    batch_key: Hashable = None
    for item in items:
        item_key = key(item)
        if batch and (item_key != batch_key or len(batch) >= size):
            yield batch
            batch = []
        batch_key = item_key
        batch.append(item)
    if batch:
        yield batch
