"""Scalar outcomes of one run, and an EMA-workbench model.

:func:`run_outcomes` runs one sector (parameters, scheduled events, months, seed) and
reads named sector columns off its last month, and optionally every ``every`` months.
A sweep's unit of work (:mod:`simulation.runs.jobs`) calls it. :func:`experiment` is
the same with keyword arguments, returning a flat dict of floats: usable as-is as the
model function of the EMA workbench or of any other tool that calls ``f(**params) -> dict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from simulation.core.model import SectorModel
from simulation.core.reporters import SECTOR_COLUMNS
from simulation.core.wording import is_integer

if TYPE_CHECKING:
    import pandas as pd

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
    check_outputs(steps, outputs, every)
    model = SectorModel(rng=seed, sector=sector, **dict(params or {}))
    for event in events:
        model.schedule(event)
    for _ in range(steps):
        model.step()
    return frame_outcomes(model.sector_frame(), outputs, every)


def check_outputs(steps: int, outputs: Sequence[str], every: int | None) -> None:
    """Refuse outputs that are not sector columns and an ``every`` that does not fit ``steps``.

    Args:
        steps: Months of the run.
        outputs: Sector columns to report.
        every: The period of the periodic outcomes, or ``None``.

    Raises:
        ValueError: Naming the output or ``every`` and what is allowed.
    """
    unknown = [name for name in outputs if name not in SECTOR_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown output {unknown[0]!r}; allowed: the sector columns "
            + ", ".join(SECTOR_COLUMNS)
        )
    if every is not None and not (is_integer(every) and 1 <= every <= steps):
        raise ValueError(f"every = {every!r} must be a whole number of months from 1 to {steps}")


def frame_outcomes(
    frame: pd.DataFrame, outputs: Sequence[str], every: int | None = None
) -> dict[str, float]:
    """Read outcomes off a run's sector frame (see :func:`run_outcomes`).

    Args:
        frame: The run's sector frame, indexed by month from 0.
        outputs: Sector columns to report.
        every: Also report each output every ``every`` months, as ``column@month``.

    Returns:
        Outcome name to value: each output at the last month, then the periodic ones.
    """
    values = {outcome_name(column): float(frame[column].iloc[-1]) for column in outputs}
    if every is not None:
        for month in range(every, len(frame), every):
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
