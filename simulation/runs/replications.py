"""Replicated runs of the sector model and summaries across replications.

A replication is a pure function of ``(steps, seed, params, events)``:
:func:`run_replication` builds a fresh model from those values and nothing else, so running the
replications serially, in a process pool or on a cluster gives identical frames. The
per-replication seeds come from :func:`replication_seeds`, which derives them from one
root seed with NumPy's ``SeedSequence`` so that the streams of different replications are
statistically independent even though the root seeds people type are small integers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simulation import SECTOR_COLUMNS, simulate
from simulation.core.interventions import Intervention
from simulation.core.parameters import Parameters, validate_parameters
from simulation.core.sector_file import read_sector
from simulation.core.streams import seed_from_sequence
from simulation.core.wording import is_count
from simulation.runs.batch import (
    batch_groups,
    batch_size,
    build_model,
    replication_frames,
    setup_key,
)
from simulation.runs.footprint import available_memory
from simulation.runs.pool import map_runs as map_runs
from simulation.runs.statistics import mean_interval

if TYPE_CHECKING:
    from simulation.runs.calibration import Posterior

#: Leading columns of the long replications frame, before the model's sector columns.
ID_COLUMNS: tuple[str, ...] = ("replication", "seed", "month")

#: Every column of the frame returned by :func:`run_replications`, in order.
REPLICATION_COLUMNS: tuple[str, ...] = ID_COLUMNS + tuple(SECTOR_COLUMNS)


def replication_seed(seed: int, replication: int) -> int:
    """The integer seed of one replication, made on its own.

    Seed ``r`` is :func:`simulation.core.streams.seed_from_sequence` of the ``r``-th child of
    ``numpy.random.SeedSequence(seed)``: ``SeedSequence(seed, spawn_key=(r,))`` is that
    child, so making it needs no other seed and no memory for them. It equals
    ``replication_seeds(seed, n)[r]`` for any ``n > r``.

    Args:
        seed: Non-negative root seed.
        replication: The replication's position (from 0).

    Returns:
        A non-negative ``int`` below ``2**63``.

    Raises:
        ValueError: If ``seed`` or ``replication`` is not a non-negative integer.
    """
    _check_count(seed, "seed", minimum=0)
    _check_count(replication, "replication", minimum=0)
    child = np.random.SeedSequence(int(seed), spawn_key=(int(replication),))
    return seed_from_sequence(child)


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Derive one independent integer seed per replication from a root seed.

    The root seed feeds ``numpy.random.SeedSequence(seed)``, whose ``replications``
    children (as ``spawn`` makes them) are each turned into an integer seed by
    :func:`simulation.core.streams.seed_from_sequence` (a non-negative ``int`` below ``2**63``).
    Seed ``r`` is :func:`replication_seed` ``(seed, r)``; loops over many replications
    make their seeds one at a time with it rather than building this list.

    The result depends only on ``seed`` and on the position of each replication: seed ``r``
    is the same whether 3 or 300 replications are requested, so a run can be extended
    without changing its first replications.

    Args:
        seed: Non-negative root seed.
        replications: Number of seeds wanted (at least 1).

    Returns:
        ``replications`` distinct-with-overwhelming-probability non-negative ints.

    Raises:
        ValueError: If ``seed`` is negative or ``replications`` is below 1.
    """
    _check_count(seed, "seed", minimum=0)
    _check_count(replications, "replications", minimum=1)
    return [replication_seed(seed, replication) for replication in range(replications)]


def _check_count(value: Any, name: str, *, minimum: int) -> None:
    """Refuse anything but an integer (not a boolean) of at least ``minimum``."""
    if not is_count(value, minimum):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def run_replication(
    steps: int,
    seed: int,
    params: Mapping[str, Any] | None = None,
    events: Sequence[Intervention] | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """Run one replication and return its monthly sector series.

    This is the unit of work handed to an executor: it reads no global state, so its
    result is determined by its arguments alone.

    Args:
        steps: Months to simulate (at least 1).
        seed: The replication's own seed (usually from :func:`replication_seeds`).
        params: Parameter overrides; missing names take their defaults.
        events: Interventions to schedule (see :func:`build_model`); none by default.
        sector: A sector file (None: the generated sector).

    Returns:
        A frame with a ``month`` column (0..steps) followed by the sector columns. With a
        sector file, its ``attrs["organisations"]`` holds the organisation x month table
        (:meth:`~simulation.core.model.SectorModel.org_table`, keyed by name).
    """
    if events or sector is not None:
        model = build_model(seed, params, events or (), sector=sector)
        for _ in range(steps):
            model.step()
        frame = model.sector_frame()
    else:
        frame = simulate(steps=steps, seed=seed, **dict(params or {}))
    # Select explicitly so that column order is the published one whatever simulate returns.
    frame = frame.reset_index()[["month", *SECTOR_COLUMNS]]
    if sector is not None:
        frame.attrs["organisations"] = model.org_table()
    return frame


def gather_organisations(
    frames: Sequence[pd.DataFrame], leading: Sequence[str]
) -> pd.DataFrame | None:
    """Take the organisation tables that runs with a sector file carry, as one table.

    Each frame's table is removed from its ``attrs`` (see :func:`run_replication`), so the
    frames concatenate as plain frames.

    Args:
        frames: Replications' frames, each with its leading columns (``replication``,
            ``seed``, and ``scenario`` in a comparison) already inserted.
        leading: Those columns, copied from each frame's first row onto its table.

    Returns:
        One long table (leading columns, then ``month``, ``org``, ``organisation`` and
        the organisation columns), or None if the runs had no sector file.
    """
    tables = []
    for frame in frames:
        table = frame.attrs.pop("organisations", None)
        if table is None:
            continue
        for position, column in enumerate(leading):
            table.insert(position, column, frame[column].iloc[0])
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else None


def run_replications(
    steps: int = 120,
    seed: int = 0,
    replications: int = 20,
    params: Mapping[str, Any] | None = None,
    progress: bool = True,
    events: Sequence[Intervention] | None = None,
    posterior: Posterior | None = None,
    sector: str | None = None,
    with_organisations: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run independent replications of the sector model and stack them in a long frame.

    Parameters are validated once before any run, so a misspelt name or a value out of
    range fails immediately rather than after the first replication.

    Args:
        steps: Months to simulate per replication (at least 1).
        seed: Root seed from which the per-replication seeds are derived.
        replications: Number of replications (at least 1).
        params: Parameter overrides shared by all replications.
        progress: Show a tqdm progress bar (one tick per replication) on stderr.
        events: Interventions scheduled in every replication (see :func:`build_model`);
            none by default.
        posterior: If given, replication ``r`` first takes the parameters of
            ``posterior.draw(seed, r)`` (:mod:`simulation.runs.calibration.posterior`); ``params``
            override them.
        sector: A sector file (None: the generated sector).
        with_organisations: Also return the organisation x month table of every
            replication (:func:`gather_organisations`; None without a sector file).

    Returns:
        A tidy frame with columns :data:`REPLICATION_COLUMNS` and one row per replication
        and month, ordered by replication then month, with a fresh ``RangeIndex``; with
        ``with_organisations``, the pair of it and the organisation table.

    Raises:
        ValueError: If ``steps`` or ``replications`` is below 1 or ``seed`` is negative.
        simulation.ParameterError: If a parameter is unknown or out of range.
    """
    if not is_count(steps, 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    overrides = dict(params or {})
    if sector is not None:
        read_sector(sector).check(overrides, owner="run_replications")
    else:
        validate_parameters(overrides, owner="run_replications")
    _check_count(seed, "seed", minimum=0)
    _check_count(replications, "replications", minimum=1)

    # Replications with the same parameters run as batches (simulation.runs.batch):
    # each frame is the one its run alone gives. Seeds and parameters are made a batch's
    # worth at a time: a list of them all would be built before the first run.
    sized = overrides if sector is None else read_sector(sector).footprint_parameters(overrides)
    size = batch_size(sized, replications, available_memory())
    frames: list[pd.DataFrame] = []
    with tqdm(total=replications, desc="replications", unit="run", disable=not progress) as bar:
        for first in range(0, replications, size):
            numbers = range(first, min(first + size, replications))
            seeds = [replication_seed(seed, number) for number in numbers]
            own_params = [
                overrides if posterior is None else posterior.draw(seed, number) | overrides
                for number in numbers
            ]
            chunk: list[pd.DataFrame] = [pd.DataFrame()] * len(seeds)
            for group in batch_groups(map(setup_key, own_params), size):
                batch = replication_frames(
                    steps, [seeds[i] for i in group], own_params[group[0]], events, sector
                )
                for i, frame in zip(group, batch, strict=True):
                    frame.insert(0, "seed", np.int64(seeds[i]))
                    frame.insert(0, "replication", numbers[i])
                    chunk[i] = frame
            frames += chunk
            bar.update(len(seeds))
    organisations = gather_organisations(frames, ["replication", "seed"])
    combined = pd.concat(frames, ignore_index=True)[list(REPLICATION_COLUMNS)]
    return (combined, organisations) if with_organisations else combined


def summarise_replications(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean of one series across replications with a 95 % confidence interval of the mean.

    The interval is :func:`simulation.runs.statistics.mean_interval` over the
    replications that have a (non-missing) value that month: with a single value there is
    no interval (NaN), because a spread cannot be estimated from one run.

    Args:
        frame: A long frame with ``month`` and ``column`` (as from
            :func:`run_replications`); a single run indexed by ``month`` also works.
        column: The series to summarise.

    Returns:
        A frame indexed by ``month`` with columns ``mean``, ``sd``, ``n``, ``ci_low`` and
        ``ci_high``.

    Raises:
        KeyError: If ``column`` or ``month`` is missing from ``frame``.
    """
    if "month" not in frame.columns and frame.index.name == "month":
        frame = frame.reset_index()
    missing = [name for name in ("month", column) if name not in frame.columns]
    if missing:
        raise KeyError(f"frame has no column {missing[0]!r}")
    grouped = frame.groupby("month", sort=True)[column]
    summary = pd.DataFrame({"sd": grouped.std(ddof=1), "n": grouped.count()})
    intervals = [mean_interval(values.to_numpy(dtype=float)) for _, values in grouped]
    summary["mean"], summary["ci_low"], summary["ci_high"] = zip(*intervals, strict=True)
    summary = summary[["mean", "sd", "n", "ci_low", "ci_high"]]
    return summary


def model_fingerprint(steps: int = 36, seed: int = 0) -> str:
    """A short hash of the model's behaviour at its defaults.

    It hashes the default parameters and the default sector's series over ``steps`` months
    on ``seed`` (rounded to 9 significant digits, so that another BLAS summing in another
    order does not change it). Files of numbers made from the model (docs/figures.json)
    record it, so a test can tell that they were made by the model as it is now.

    Args:
        steps: Months run.
        seed: The run's seed.

    Returns:
        16 hexadecimal digits.
    """
    frame = simulate(steps=steps, seed=seed)
    values = np.array([float(f"{v:.9g}") for v in frame.to_numpy(dtype=float).ravel()])
    digest = hashlib.sha256(Parameters().model_dump_json().encode())
    digest.update(values.tobytes())
    return digest.hexdigest()[:16]
