"""Several replications of one set-up run as one vectorised sector, for throughput.

A default month of the model costs mostly fixed overhead (many small numpy calls), not
work per staff member. A :class:`SectorBatch` runs ``R`` replications as one sector of
``R x n_orgs`` organisations, so the overhead is paid once a month for all of them:

- every organisation knows its replication (``org_replication``); the units, staff slots
  and the sector network of replication ``r`` are those of its run alone, shifted, so the
  network is block-diagonal with no ties between replications;
- every draw is keyed by its own replication's seed (:class:`BatchStreams`), and every
  per-organisation sum adds the same numbers in the same order as alone (slots of one
  organisation keep their order, since a batch appends and reuses slots per
  organisation as one run does), so each replication's frame is byte-identical to
  :func:`simulation.simulate` of its seed;
- the set-up (month 0, with interventions due at month 0) is each replication's own
  :class:`~simulation.SectorModel`, merged.

A batch shares one parameter set and one list of interventions: replications whose
parameters differ go to different batches (:func:`batch_groups`). :class:`SectorModel`
stays the model users, the app and ``mesa.batch_run`` meet; a batch has no Mesa agents.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import mesa
import numpy as np
import pandas as pd

from simulation.core import kernels
from simulation.core.interventions import Intervention
from simulation.core.model import SectorModel
from simulation.core.parameters import validate_parameters
from simulation.core.reporters import (
    MANAGER_MEANS,
    SECTOR_COLUMNS,
    org_summary,
    org_table,
    org_tallies,
    sector_figures,
)
from simulation.core.state import STAFF_ARRAYS, Kind, OrgState, SectorStructure, StaffState
from simulation.core.streams import _GOLDEN, RandomStreams, _offset, mix64, unit_floats
from simulation.runs.footprint import BYTES_PER_STAFF, available_memory, expected_staff
from simulation.runs.pool import map_runs


def build_model(
    seed: int,
    params: Mapping[str, Any] | None = None,
    events: Sequence[Intervention] = (),
    sector: Any = None,
) -> SectorModel:
    """Build a model at month 0 and schedule interventions on it.

    Args:
        seed: The run's seed.
        params: Parameter overrides; missing names take their defaults.
        events: Interventions (:mod:`simulation.core.interventions`), scheduled in this order
            with ``model.schedule`` (those at month 0 apply at once).
        sector: A sector file (a path, or its content as a dict); None: the generated sector.

    Returns:
        The model, ready to step.

    Raises:
        simulation.core.errors.InputError: For an intervention the model refuses (an
            organisation id beyond its sector).
        simulation.ParameterError: If a parameter is unknown or out of range.
    """
    model = SectorModel(rng=seed, sector=sector, **dict(params or {}))
    for event in events:
        model.schedule(event)
    return model


#: Month keys a batch keeps before it forgets them (a few months' worth).
MONTH_KEYS_KEPT = 256


class BatchStreams(RandomStreams):
    """The random streams of several replications, each draw keyed by its replication's seed.

    Args:
        seeds: The replications' seeds, in batch order.
        n_orgs: Organisations per replication.
    """

    def __init__(self, seeds: Sequence[int], n_orgs: int) -> None:
        super().__init__(seeds[0])
        self.replication_streams = [RandomStreams(seed) for seed in seeds]
        self.org_replication = np.repeat(np.arange(len(seeds)), n_orgs)
        local = np.arange(n_orgs)
        self._org_keys = np.concatenate([s.org_keys(local) for s in self.replication_streams])
        self._org_salt = np.array(
            [s.key("organisation-draws") for s in self.replication_streams], dtype=np.uint64
        )
        self._stream_keys: dict[str, np.ndarray] = {}
        # Month keys by (streams, month): a month draws from each stream a few times.
        self._month_keys: dict[tuple[tuple[str, ...], int], np.ndarray] = {}

    def key(self, name: str) -> np.uint64:
        """Refused: a batch has one key per replication (see :meth:`stream_keys`)."""
        raise TypeError("a batch has no single stream key; each replication has its own")

    def generator(self, name: str) -> np.random.Generator:
        """Refused: sector-level draws belong to each replication's own set-up."""
        raise TypeError("a batch draws nothing at sector level; each replication sets up alone")

    def stream_keys(self, name: str) -> np.ndarray:
        """Each replication's key of stream ``name`` (as its own ``RandomStreams.key``).

        Args:
            name: The stream's name.

        Returns:
            One uint64 per replication.
        """
        keys = self._stream_keys.get(name)
        if keys is None:
            keys = np.array([s.key(name) for s in self.replication_streams], dtype=np.uint64)
            self._stream_keys[name] = keys
        return keys

    def org_keys(self, orgs: np.ndarray) -> np.ndarray:
        """Each organisation's base key, from its own replication's seed.

        Args:
            orgs: Organisation indices in the batch.

        Returns:
            One uint64 per organisation.
        """
        return self._org_keys[np.asarray(orgs, dtype=np.int64)]

    def uniforms(
        self,
        names: tuple[str, ...],
        month: int,
        keys: np.ndarray,
        orgs: np.ndarray | None = None,
    ) -> np.ndarray:
        """Draw as :meth:`RandomStreams.uniforms` does, each key with its replication's seed.

        Args:
            names: Stream names.
            month: The month of the draws.
            keys: Person or organisation keys (``uint64``).
            orgs: The organisation of each key (required: it tells the replication).

        Returns:
            An array of shape ``(len(names), len(keys))``.
        """
        if orgs is None:
            raise TypeError("a batch draws only for keys whose organisations are given")
        replication = self.org_replication[np.asarray(orgs, dtype=np.int64)]
        names = tuple(names)
        month_keys = self._month_keys.get((names, month))
        if month_keys is None:
            steps = np.array([month + 1], dtype=np.uint64)  # arrays wrap without warnings
            # The same month keys as RandomStreams.uniforms, one per stream and replication.
            month_keys = np.stack(
                [mix64(self.stream_keys(name) + _GOLDEN * steps) for name in names]
            )
            if len(self._month_keys) > MONTH_KEYS_KEPT:
                self._month_keys.clear()
            self._month_keys[names, month] = month_keys
        keys = np.asarray(keys, dtype=np.uint64)
        if kernels.COMPILED and keys.ndim == 1:  # other shapes: the reference below
            return kernels.keyed_uniforms(keys, month_keys, replication)
        bits = mix64(keys[np.newaxis, :] ^ month_keys[:, replication])
        return unit_floats(bits)

    def uniform(
        self, name: str, month: int, keys: np.ndarray, orgs: np.ndarray | None = None
    ) -> np.ndarray:
        """One draw per key of stream ``name`` (see :meth:`uniforms`)."""
        return self.uniforms((name,), month, keys, orgs)[0]

    def staff_uniform(
        self, name: str, month: int, staff: StaffState, slots: np.ndarray
    ) -> np.ndarray:
        """One draw per staff member in ``slots``, keyed by their replication's seed."""
        return self.uniform(name, month, staff.key[slots], staff.org[slots])

    def org_uniform(
        self, name: str, month: int, orgs: np.ndarray, draw: np.ndarray | int = 0
    ) -> np.ndarray:
        """Organisation-level draws as :meth:`RandomStreams.org_uniform` makes them."""
        orgs = np.asarray(orgs, dtype=np.int64)
        salted = self._org_keys[orgs] ^ self._org_salt[self.org_replication[orgs]]
        return self.uniform(name, month, mix64(_offset(salted, draw)), orgs)


def _shifted(values: np.ndarray, shift: int) -> np.ndarray:
    """``values + shift`` where they are indices (>= 0); -1 (none) stays -1."""
    return np.where(values >= 0, values + shift, values)


class SectorBatch(SectorModel):
    """Replications of one set-up stepped together as one sector (see the module's notes).

    Build it with :func:`build_batch`. ``step()`` advances every replication one month;
    :meth:`sector_frames` returns each replication's series, as ``sector_frame()`` of
    its model alone would.

    Args:
        models: The replications' models at month 0, built with the same parameters and
            the same interventions (those due later are still scheduled).

    Attributes:
        replications: Number of replications.
        seeds: Each replication's seed.
        org_replication: The replication of each organisation.
    """

    def __init__(self, models: Sequence[SectorModel]) -> None:
        first = models[0]
        if any(m.month != 0 or m.n_orgs != first.n_orgs for m in models):
            raise ValueError("a batch merges models at month 0 with the same n_orgs")
        mesa.Model.__init__(self, rng=first.seed)
        self.params = first.params
        # One sector file (if any) for all: each replication's organisations keep its names.
        self.sector = first.sector
        self.org_names = first.org_names
        self.replications = len(models)
        self.seeds = [m.seed for m in models]
        self.seed = first.seed
        self.streams = BatchStreams(self.seeds, first.n_orgs)
        self.org_replication = self.streams.org_replication
        self.scheduled_events = list(first.scheduled_events)
        self.summary_cache = None
        self.turnover_month = 0
        self.visits_this_month = 0
        self.collect_agents = False
        self._merge(models)
        self._index_positions()
        # Managers never move, and the batch's are ordered by replication: where each
        # replication's end.
        manager_replication = self.org_replication[self.staff.org[self.manager_slots]]
        self.manager_ends = np.searchsorted(
            manager_replication, np.arange(1, self.replications + 1)
        )
        # Hires and exits of month-0 interventions count towards month 1, as alone.
        self.hires_by_replication = np.array([m.peer_hires_this_month for m in models])
        self.leavers_by_replication = np.array([m.peer_leavers_this_month for m in models])
        self.peer_hires_this_month = int(self.hires_by_replication.sum())
        self.peer_leavers_this_month = int(self.leavers_by_replication.sum())
        # Each month's figures, one array over replications per column; month 0 is what
        # each replication recorded alone.
        self._rows = [
            {name: np.array([m.summary_cache[1][name] for m in models]) for name in SECTOR_COLUMNS}
        ]
        # Month 0 of each replication as it recorded it; later months for all at once.
        self._org_rows: list[Any] = [[m._org_rows[0] for m in models]]
        self.running = True

    def _merge(self, models: Sequence[SectorModel]) -> None:
        """Lay the replications' organisations, units and staff side by side."""
        n = models[0].n_orgs
        sizes = [m.staff.size for m in models]
        unit_counts = [m.structure.n_units for m in models]
        slot_start = np.cumsum([0, *sizes])[:-1]
        unit_start = np.cumsum([0, *unit_counts])[:-1]
        org_start = n * np.arange(len(models))
        n_units = int(sum(unit_counts))
        self.n_orgs = n * len(models)

        total = int(sum(sizes))
        staff = StaffState(capacity=int(total * 1.25) + 64, n_units=n_units)
        staff.append_block(total)
        for name in STAFF_ARRAYS:
            getattr(staff, name)[:total] = np.concatenate(
                [getattr(m.staff, name)[: m.staff.size] for m in models]
            )
        for m, slots0, units0, orgs0 in zip(models, slot_start, unit_start, org_start, strict=True):
            part = slice(slots0, slots0 + m.staff.size)
            staff.org[part] += orgs0
            staff.superior[part] = _shifted(staff.superior[part], slots0)
            empty = staff.unit[part] == m.structure.n_units
            staff.unit[part] = np.where(empty, n_units, staff.unit[part] + units0)
            for org, freed in m.staff.free_slots.items():
                staff.free_slots[org + orgs0] = [slot + slots0 for slot in freed]
        staff.agentless[:] = False
        staff.create_agents = _no_agents
        self.staff = staff

        def joined(part: Callable[[SectorModel], np.ndarray], shifts: Any = None) -> np.ndarray:
            arrays = [part(m) for m in models]
            if shifts is not None:
                arrays = [_shifted(a, s) for a, s in zip(arrays, shifts, strict=True)]
            return np.concatenate(arrays)

        degree = joined(lambda m: np.diff(m.structure.neighbour_ptr))
        self.structure = SectorStructure(
            n_orgs=self.n_orgs,
            exposure_class=joined(lambda m: m.structure.exposure_class),
            unit_org=joined(lambda m: m.structure.unit_org, org_start),
            unit_type=joined(lambda m: m.structure.unit_type),
            unit_head=joined(lambda m: m.structure.unit_head, slot_start),
            unit_senior=joined(lambda m: m.structure.unit_senior, slot_start),
            exec_unit=joined(lambda m: m.structure.exec_unit, unit_start),
            team_start=joined(lambda m: m.structure.team_start, unit_start),
            team_count=joined(lambda m: m.structure.team_count),
            neighbour_ptr=np.concatenate([[0], np.cumsum(degree)]).astype(np.int64),
            neighbours=joined(lambda m: m.structure.neighbours, org_start),
        )
        self.orgs = OrgState(
            positions=joined(lambda m: m.orgs.positions),
            ever_employed=joined(lambda m: m.orgs.ever_employed),
            le_leader=joined(lambda m: m.orgs.le_leader, slot_start),
            next_serial=joined(lambda m: m.orgs.next_serial),
            will=joined(lambda m: m.orgs.will),
            levers={
                name: np.concatenate([m.orgs.levers[name] for m in models])
                for name in models[0].orgs.levers
            },
        )

    # ---- counting per replication --------------------------------------------------------

    def hire(self, orgs: np.ndarray, units: np.ndarray, kind: Kind) -> np.ndarray:
        """Hire as :meth:`SectorModel.hire`, counting each replication's hires."""
        orgs = np.asarray(orgs, dtype=np.int64)
        self.hires_by_replication += np.bincount(
            self.org_replication[orgs], minlength=self.replications
        )
        return super().hire(orgs, units, kind)

    def staff_leaves(self, slots: np.ndarray | list[int]) -> None:
        """Leave as :meth:`SectorModel.staff_leaves`, counting each replication's peer leavers."""
        slots = np.asarray(slots, dtype=np.int64)
        peers = slots[self.staff.kind[slots] >= Kind.PEER_WORKER]
        self.leavers_by_replication += np.bincount(
            self.org_replication[self.staff.org[peers]], minlength=self.replications
        )
        super().staff_leaves(slots)

    def org_indices(self, ids: tuple[int, ...]) -> np.ndarray:
        """Organisation ``ids`` of a scenario, in every replication (sorted)."""
        local = np.asarray(ids, dtype=np.int64)
        starts = np.arange(self.replications) * (self.n_orgs // self.replications)
        return (starts[:, np.newaxis] + local[np.newaxis, :]).ravel()

    # ---- recording -------------------------------------------------------------------------

    def record(self) -> None:
        """Collect this month's sector row of every replication."""
        tallies = org_tallies(self)
        self._org_rows.append(org_summary(self, tallies))
        n = self.n_orgs // self.replications
        # Each replication's managers' values are a contiguous view of one gather: the
        # same numbers, in the same order, as the replication's own gather alone.
        managers = {
            name: np.split(getattr(self.staff, name)[self.manager_slots], self.manager_ends[:-1])
            for name in MANAGER_MEANS
        }
        self._rows.append(
            sector_figures(
                {name: values.reshape(self.replications, n) for name, values in tallies.items()},
                managers,
                hires=self.hires_by_replication.copy(),
                leavers=self.leavers_by_replication.copy(),
            )
        )
        self.hires_by_replication[:] = 0
        self.leavers_by_replication[:] = 0
        self.peer_hires_this_month = 0
        self.peer_leavers_this_month = 0
        self.visits_this_month = 0

    def sector_frames(self) -> list[pd.DataFrame]:
        """Each replication's sector series so far, as ``sector_frame()`` gives it alone.

        Returns:
            One frame per replication, in batch order: index ``month``, the 13 columns.
        """
        columns = {name: np.stack([row[name] for row in self._rows]) for name in SECTOR_COLUMNS}
        frames = []
        for r in range(self.replications):
            frame = pd.DataFrame({name: values[:, r] for name, values in columns.items()})
            frame.index = pd.RangeIndex(len(frame), name="month")
            frames.append(frame)
        return frames

    def org_tables(self) -> list[pd.DataFrame]:
        """Each replication's organisation x month table, as ``org_table()`` gives it alone.

        Returns:
            One table per replication, in batch order.
        """
        n = self.n_orgs // self.replications
        first, *later = self._org_rows
        tables = []
        for r in range(self.replications):
            rows = [first[r]] + [
                {name: values[r * n : (r + 1) * n] for name, values in row.items()} for row in later
            ]
            tables.append(org_table(rows, n, self.org_names))
        return tables

    def sector_frame(self) -> pd.DataFrame:
        """Refused: a batch has one frame per replication (see :meth:`sector_frames`)."""
        raise TypeError("a batch has one frame per replication: use sector_frames()")

    def org_table(self) -> pd.DataFrame:
        """Refused: a batch has one table per replication (see :meth:`org_tables`)."""
        raise TypeError("a batch has one table per replication: use org_tables()")


def _no_agents() -> None:
    raise TypeError("a batch of replications has no Mesa agents; use SectorModel for those")


def build_batch(
    seeds: Sequence[int],
    params: Mapping[str, Any] | None = None,
    events: Sequence[Intervention] = (),
    sector: Any = None,
) -> SectorBatch:
    """Set up each replication alone, then merge them into one batch at month 0.

    Args:
        seeds: The replications' seeds.
        params: Parameter overrides shared by every replication.
        events: Interventions scheduled in every replication.
        sector: A sector file shared by every replication (None: the generated sector).

    Returns:
        The batch, ready to step.
    """
    if not seeds:
        raise ValueError("a batch needs at least one seed")
    return SectorBatch([build_model(seed, params, events, sector) for seed in seeds])


def simulate_batch(
    steps: int,
    seeds: Sequence[int],
    events: Sequence[Intervention] = (),
    sector: Any = None,
    **params: Any,
) -> list[pd.DataFrame]:
    """Run one replication per seed as one vectorised sector; frames as ``simulate`` gives.

    Use it for many replications of one set-up (sweeps, comparisons, calibration); use
    :class:`~simulation.SectorModel` (or :func:`~simulation.simulate`) to run, inspect or
    step one sector, with Mesa's agents.

    Args:
        steps: Months to simulate.
        seeds: One seed per replication.
        events: Interventions scheduled in every replication.
        sector: A sector file (a path, or its content as a dict); None: the generated sector.
        **params: Model parameters shared by every replication.

    Returns:
        One frame per seed, byte-identical to ``simulate(steps, seed, **params)`` (with the
        events scheduled as :func:`simulation.runs.replications.build_model` does).
    """
    if steps < 0:
        raise ValueError(f"steps = {steps} must be 0 or more")
    batch = build_batch(seeds, params, events, sector)
    for _ in range(steps):
        batch.step()
    return batch.sector_frames()


def batch_size(params: Mapping[str, Any] | None, runs: int, memory: float | None) -> int:
    """How many replications to run as one batch.

    As many as the runs ask for, up to :data:`MAX_BATCH_STAFF` staff per batch (past it a
    month's fixed cost is already spread thin and a larger batch only costs memory) and
    to half the ``memory`` given (by the footprint's bytes per staff).

    Args:
        params: The set-up's parameter overrides (sizes decide the staff).
        runs: Replications to run.
        memory: Bytes available to one worker's batches, or None if unknown.

    Returns:
        At least 1.
    """
    staff = max(expected_staff(params), 1.0)
    size = min(runs, math.floor(MAX_BATCH_STAFF / staff))
    if memory is not None:
        size = min(size, math.floor(memory / 2 / (BYTES_PER_STAFF * staff)))
    return max(size, 1)


#: Staff in one batch beyond which batching gains little (benchmarks/bench_sweep.py).
MAX_BATCH_STAFF = 60_000


def batch_groups(keys: Iterable[Hashable], size: int) -> list[list[int]]:
    """Positions of runs that may share a batch: the same key, at most ``size`` each.

    Args:
        keys: One key per run (its parameters and events, made hashable); runs with equal
            keys share a set-up.
        size: The largest batch.

    Returns:
        Lists of run positions, in order of each group's first run.
    """
    groups: dict[Hashable, list[list[int]]] = {}
    for position, key in enumerate(keys):
        batches = groups.setdefault(key, [[]])
        if len(batches[-1]) >= size:
            batches.append([])
        batches[-1].append(position)
    return [batch for batches in groups.values() for batch in batches]


def setup_key(params: Mapping[str, Any] | None, events: Sequence[Intervention] = ()) -> Hashable:
    """A hashable key of a run's set-up: its validated parameters and its interventions.

    Args:
        params: Parameter overrides.
        events: Interventions.

    Returns:
        Equal keys for runs that may share a batch.
    """
    validated = validate_parameters(dict(params or {}))
    return (validated.model_dump_json(), tuple(event.model_dump_json() for event in events))


def replication_frames(
    steps: int,
    seeds: Sequence[int],
    params: Mapping[str, Any] | None = None,
    events: Sequence[Intervention] | None = None,
    sector: Any = None,
) -> list[pd.DataFrame]:
    """:func:`~simulation.runs.replications.run_replication` of each seed, as one batch.

    Args:
        steps: Months to simulate.
        seeds: The replications' seeds.
        params: Parameter overrides shared by every replication.
        events: Interventions scheduled in every replication.
        sector: A sector file shared by every replication (None: the generated sector).

    Returns:
        One frame per seed: a ``month`` column (0..steps), then the sector columns. With a
        sector file, each frame's ``attrs["organisations"]`` holds its organisation x month
        table, as ``run_replication`` gives it.
    """
    if steps < 0:
        raise ValueError(f"steps = {steps} must be 0 or more")
    batch = build_batch(seeds, params, events or (), sector)
    for _ in range(steps):
        batch.step()
    frames = [frame.reset_index()[["month", *SECTOR_COLUMNS]] for frame in batch.sector_frames()]
    if sector is not None:
        for frame, table in zip(frames, batch.org_tables(), strict=True):
            frame.attrs["organisations"] = table
    return frames


def map_batched(
    function: Callable[[list[Any]], list[Any]],
    jobs: Sequence[Any],
    setup: Callable[[Any], tuple[Mapping[str, Any] | None, Hashable]],
    *,
    workers: int = 1,
    progress: bool = False,
    desc: str = "runs",
) -> list[Any]:
    """Run jobs in batches of one set-up over :func:`~simulation.runs.pool.map_runs`.

    Jobs whose ``setup`` keys are equal are grouped (:func:`batch_groups`) into batches
    sized by :func:`batch_size` from the footprint and from the jobs each worker gets;
    ``function`` runs one batch and returns one result per job. The progress bar counts
    runs, and the results come back in the order of ``jobs``.

    Args:
        function: A module-level function of a list of jobs (it is pickled to workers).
        jobs: The jobs.
        setup: Each job's ``(parameters, key)``: the parameters size the batch, the key
            (from :func:`setup_key`, say) says which jobs may share one.
        workers: Processes to use.
        progress: Show a progress bar.
        desc: Its label.

    Returns:
        One result per job, in order.
    """
    if not jobs:
        return []
    setups = [setup(job) for job in jobs]
    memory = available_memory()
    size = batch_size(
        setups[0][0],
        runs=math.ceil(len(jobs) / workers),
        memory=None if memory is None else memory / workers,
    )
    groups = batch_groups((key for _, key in setups), size)
    batches = [[jobs[position] for position in group] for group in groups]
    results: list[Any] = [None] * len(jobs)
    done = map_runs(function, batches, workers=workers, progress=progress, desc=desc, runs_of=len)
    for group, batch_results in zip(groups, done, strict=True):
        for position, result in zip(group, batch_results, strict=True):
            results[position] = result
    return results
