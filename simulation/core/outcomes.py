"""Scalar outcomes of one run, and an EMA-workbench model.

:func:`run_outcomes` runs one sector (parameters, scheduled events, months, seed) and
reads named sector columns off its last month, and optionally every ``every`` months.
A sweep's unit of work (:mod:`simulation.runs.jobs`) calls it. :func:`experiment` is
the same with keyword arguments, returning a flat dict of floats: usable as-is as the
model function of the EMA workbench or of any other tool that calls ``f(**params) -> dict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulation.core.model import SectorModel
from simulation.core.reporters import SECTOR_COLUMNS

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
    sector: Any = None,
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
        sector: A sector file (a path, or its content as a dict); None: generated.

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
    model = SectorModel(rng=seed, sector=sector, **dict(params or {}))
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
