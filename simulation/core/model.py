"""The sector model: a Mesa ``Model`` of organisations whose staff state lives in arrays."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from simulation.core.agents import StaffAgent
from simulation.core.interventions import Intervention, Interventions
from simulation.core.mesa_bridge import create_pending_agents, deregister_staff, register_staff
from simulation.core.parameters import ORG_LEVERS, Parameters, validate_parameters
from simulation.core.processes import (
    MONTHLY_PROCESSES,
    could_champion,
    leave_months,
    one_per_unit,
)
from simulation.core.reporters import (
    AGENT_REPORTERS,
    MODEL_REPORTERS,
    SECTOR_COLUMNS,
    org_summary,
    org_table,
    org_tallies,
    sector_summary,
)
from simulation.core.sector import (
    build_organisations,
    draw_people,
    org_sizes_and_classes,
    plan_organisations,
    sector_network,
)
from simulation.core.sector_file import Sector, read_sector
from simulation.core.state import (
    MANAGER_KINDS,
    NEVER,
    NON_PEER_KINDS,
    CircleLinks,
    Kind,
    OrgState,
    StaffState,
)
from simulation.core.streams import RandomStreams, seed_from_sequence
from simulation.core.wording import is_count


def resolve_seed(rng: Any) -> int:
    """Turn a Mesa-style ``rng`` argument into the run's integer seed.

    Args:
        rng: An int, a ``SeedSequence``, a ``Generator`` (one integer is drawn from it) or
            None (fresh entropy, recorded so the run can be repeated).

    Returns:
        A non-negative integer seed.
    """
    if rng is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(rng, np.random.SeedSequence):
        return seed_from_sequence(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    if is_count(rng, 0):
        return int(rng)
    raise TypeError(f"rng must be a non-negative int, a SeedSequence or a Generator, not {rng!r}")


class SectorModel(Interventions, mesa.Model):
    """A sector of mental-health organisations whose peer workforce grows or stalls.

    One step is one month. Keyword arguments are the parameters of
    :class:`~simulation.core.parameters.Parameters` (see docs/ODD.md for each one's meaning,
    default and source); unknown names and out-of-range values raise
    :class:`~simulation.core.parameters.ParameterError`.

    Args:
        rng: Seed of the run (int, SeedSequence or Generator); the same seed gives the
            same run. None draws fresh entropy, kept in ``model.seed``.
        collect_agents: Also record agent-level data every month (slow; off by default).
        sector: A sector file (path, or its content as a dict; docs/ODD.md 5.7 and 6.3) naming
            the organisations; None (the default) generates the sector from the parameters.
        **params: Model parameters, e.g. ``n_orgs=24, pay_parity=0.8``.

    Attributes:
        params: The validated parameters in force.
        seed: The run's integer seed.
        staff: Per-staff state arrays.
        orgs: Per-organisation state.
        structure: Organisations, units and the sector network (fixed).
        datacollector: Mesa DataCollector with the 13 sector columns.
    """

    def __init__(
        self,
        *,
        rng: Any = None,
        collect_agents: bool = False,
        sector: str | Path | dict[str, Any] | Sector | None = None,
        **params: Any,
    ) -> None:
        self.sector: Sector | None = None if sector is None else read_sector(sector)
        if self.sector is not None:
            params = self.sector.parameters(params)
        self.params: Parameters = validate_parameters(params)
        #: Organisation names (from a sector file), or None for a generated sector.
        self.org_names: tuple[str, ...] | None = None if self.sector is None else self.sector.names
        self.seed = resolve_seed(rng)
        super().__init__(rng=self.seed)
        self.streams = RandomStreams(self.seed)
        self.scheduled_events: list[Intervention] = []
        self.summary_cache: tuple[int, dict[str, float]] | None = None
        self.peer_hires_this_month = 0
        self.peer_leavers_this_month = 0
        self.visits_this_month = 0
        self.turnover_month = 0  # the last month whose turnover has run (none at month 0)
        self._org_rows: list[dict[str, np.ndarray]] = []

        self._build()
        self.datacollector = mesa.DataCollector(
            model_reporters=MODEL_REPORTERS,
            agent_reporters=AGENT_REPORTERS if collect_agents else None,
        )
        self.running = True
        self.record()

    # ---- set-up -------------------------------------------------------------------------

    def _build(self) -> None:
        p = self.params
        if self.sector is None:
            sizes, classes = org_sizes_and_classes(p, self.streams)
            plans = plan_organisations(p, sizes, classes, self.streams)
            graph = sector_network(p, self.streams)
        else:
            classes = self.sector.classes()
            plans = self.sector.plans(p, self.streams)
            graph = self.sector.network(p, self.streams)
        structure, roster = build_organisations(p, plans, classes, self.streams)
        adjacency = [sorted(graph.neighbors(org)) for org in range(p.n_orgs)]
        structure.neighbour_ptr = np.cumsum([0, *map(len, adjacency)])
        structure.neighbours = np.asarray([org for row in adjacency for org in row], dtype=np.int64)
        self.structure = structure
        self.sector_graph: nx.Graph = graph
        self.n_orgs = p.n_orgs

        self.orgs = OrgState(
            positions=np.zeros(p.n_orgs, dtype=np.int64),
            ever_employed=np.zeros(p.n_orgs, dtype=bool),
            le_leader=np.full(p.n_orgs, -1, dtype=np.int64),
            next_serial=np.bincount(roster.org, minlength=p.n_orgs).astype(np.int64),
            will=np.zeros(p.n_orgs),
            levers={
                name: np.full(p.n_orgs, getattr(p, name), dtype=type(getattr(p, name)))
                for name in ORG_LEVERS
            },
        )
        if self.sector is not None:
            self.sector.apply_levers(self.orgs.levers)
        total = roster.org.size
        self.staff = StaffState(capacity=int(total * 1.25) + 64, n_units=structure.n_units)
        self.staff.create_agents = functools.partial(create_pending_agents, self)
        slots = self.staff.append_block(total)
        keys = self.streams.person_keys(roster.org, roster.serial)
        self._place(
            slots,
            roster.org,
            roster.kind,
            roster.unit,
            roster.superior,
            keys,
            hired_month=0,
        )
        if self.sector is not None:
            self.sector.apply_attitudes(self, slots)
        staff = self.staff
        staff.disclosed[slots] |= staff.lived_experience[slots] & (
            self.streams.uniform("initial_disclosure", 0, keys) < p.initial_disclosure
        )
        # At most one champion per unit at set-up too (process 7's rule).
        draws = self.streams.uniform("initial_champion", 0, keys)
        candidates = np.flatnonzero(could_champion(self, slots) & (draws < p.initial_champion))
        taken = np.zeros(staff.n_units + 1, dtype=bool)
        units = staff.unit[slots[candidates]]
        staff.champion[slots[candidates[one_per_unit(units, draws[candidates], taken)]]] = True
        if self.sector is not None:
            self.sector.place_champions(self)

        self._index_positions()
        workers = staff.slots_of(Kind.PEER_WORKER)
        self.orgs.positions[:] = np.bincount(staff.org[workers], minlength=p.n_orgs)
        self.orgs.ever_employed[:] = self.orgs.positions > 0
        leaders = staff.slots_of(Kind.PEER_LEADER)
        self.orgs.le_leader[staff.org[leaders]] = leaders

    def _index_positions(self) -> None:
        """Select who holds each fixed position and the links between units (set-up).

        Positions never move (leavers are replaced in place), so these are computed once,
        from the staff at month 0; a batch of replications calls it on its merged staff.
        """
        staff, structure = self.staff, self.structure
        self.executive_slots = staff.slots_of(Kind.EXECUTIVE)
        self.senior_slots = staff.slots_of(Kind.SENIOR)
        self.manager_slots = staff.slots_of(*MANAGER_KINDS)
        # Executives and senior managers: those who see the organisation's peer work as a
        # whole and decide on funding (with an LE leader, who may come and go).
        self.decision_maker_slots = np.concatenate([self.executive_slots, self.senior_slots])
        # Whose line manager sits in another unit (their circles add that manager).
        linked = staff.slots_of(Kind.SENIOR, Kind.TEAM_LEADER)
        # Positions never move (leavers are replaced in place), so the links between
        # units that working circles follow are fixed for the run.
        self.circle_links = CircleLinks(
            linked=linked,
            superiors=staff.superior[linked],
            seniors=self.senior_slots,
            executives_of_seniors=staff.superior[self.senior_slots],
            teams=structure.frontline_units,
            overseers=structure.unit_senior[structure.frontline_units],
        )
        # Managers and clinicians are replaced when they leave, so their number is fixed.
        self.non_peer_headcount = np.bincount(
            staff.org[staff.slots_of(*NON_PEER_KINDS)],
            minlength=self.n_orgs,
        )

    def org_indices(self, ids: tuple[int, ...]) -> np.ndarray:
        """The sector's indices of the organisations a scenario names by id.

        Args:
            ids: Organisation ids, each below ``n_orgs``.

        Returns:
            The indices (a batch of replications returns each id in every replication).
        """
        return np.asarray(ids, dtype=np.int64)

    def _place(
        self,
        slots: np.ndarray,
        orgs: np.ndarray,
        kinds: np.ndarray,
        units: np.ndarray,
        superiors: np.ndarray,
        keys: np.ndarray,
        hired_month: int,
    ) -> None:
        """Write new people into ``slots`` and create their Mesa agents.

        Non-peers draw the attitudes of their organisation's exposure class, at set-up and
        when they replace a leaver: each organisation recruits from its own labour pool.
        """
        staff = self.staff
        classes = self.structure.exposure_class[orgs]
        people = draw_people(self.params, self.streams, keys, kinds, classes, orgs)
        staff.active[slots] = True
        staff.org[slots] = orgs
        staff.kind[slots] = kinds
        staff.unit[slots] = units
        staff.superior[slots] = superiors
        staff.key[slots] = keys
        staff.hired_month[slots] = hired_month
        staff.champion[slots] = False
        staff.contact[slots] = 0.0
        for name, values in people.items():
            getattr(staff, name)[slots] = values
        staff.disclosed[slots] = kinds >= Kind.PEER_WORKER
        is_peer = kinds >= Kind.PEER_WORKER
        staff.leave_month[slots[is_peer]] = NEVER
        if not is_peer.all():
            others = slots[~is_peer]
            staff.leave_month[others] = leave_months(self, others, hired_month)
        register_staff(self, slots, kinds)

    def _new_keys(self, orgs: np.ndarray) -> np.ndarray:
        """Person keys for newcomers, numbered by each organisation's hiring serial."""
        count = orgs.size
        order = np.argsort(orgs, kind="stable")
        ranked = orgs[order]
        # Position of each newcomer among those joining the same organisation now.
        first_of_run = np.ones(count, dtype=bool)
        first_of_run[1:] = ranked[1:] != ranked[:-1]
        positions = np.arange(count)
        run_start = np.maximum.accumulate(np.where(first_of_run, positions, 0))
        serials = np.empty(count, dtype=np.int64)
        serials[order] = self.orgs.next_serial[ranked] + positions - run_start
        np.add.at(self.orgs.next_serial, orgs, 1)
        return self.streams.person_keys(orgs, serials)

    def le_supervision(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Who supervises whom as LE leader: ``(leaders, peer workers, their leader)``.

        Only peer workers in organisations with an LE leader are listed. Cached until
        staff change; None when no organisation has an LE leader.
        """
        return self.staff.per_version("le_supervision", self._find_le_supervision)

    def _find_le_supervision(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        leaders = self.orgs.le_leader[self.orgs.le_leader >= 0]
        if leaders.size == 0:
            return None
        peers = self.staff.slots_of(Kind.PEER_WORKER)
        leader_of = self.orgs.le_leader[self.staff.org[peers]]
        supervised = leader_of >= 0
        return leaders, peers[supervised], leader_of[supervised]

    # ---- hiring and leaving (called by the processes and interventions) -------------------

    def hire(self, orgs: np.ndarray, units: np.ndarray, kind: Kind) -> np.ndarray:
        """Hire peer workers (or LE leaders) into the given units.

        Args:
            orgs: Organisation of each hire.
            units: Unit of each hire (a team; the executive team for LE leaders).
            kind: ``Kind.PEER_WORKER`` or ``Kind.PEER_LEADER``.

        Returns:
            The new staff members' slots.
        """
        orgs = np.asarray(orgs, dtype=np.int64)
        units = np.asarray(units, dtype=np.int64)
        slots = self.staff.allocate(orgs)
        kinds = np.full(orgs.size, kind, dtype=np.int8)
        self._place(
            slots,
            orgs,
            kinds,
            units,
            self.structure.unit_head[units],
            self._new_keys(orgs),
            self.month,
        )
        if kind == Kind.PEER_LEADER:
            self.orgs.le_leader[orgs] = slots
        self.staff.changed()
        self.orgs.ever_employed[orgs] = True
        self.peer_hires_this_month += orgs.size
        return slots

    def staff_leaves(self, slots: np.ndarray | list[int]) -> None:
        """Staff leave: peers leave a vacancy; others are replaced in the same position.

        Args:
            slots: Slots of the leavers.
        """
        staff = self.staff
        slots = np.asarray(slots, dtype=np.int64)
        deregister_staff(self, slots)
        is_peer = staff.kind[slots] >= Kind.PEER_WORKER
        peers, others = slots[is_peer], slots[~is_peer]
        if peers.size:
            leaders = peers[staff.kind[peers] == Kind.PEER_LEADER]
            self.orgs.le_leader[staff.org[leaders]] = -1
            staff.release(peers)
            self.peer_leavers_this_month += peers.size
        if others.size:
            orgs = staff.org[others].astype(np.int64)
            self._place(
                others,
                orgs,
                staff.kind[others].copy(),
                staff.unit[others].copy(),
                staff.superior[others].copy(),
                self._new_keys(orgs),
                self.month,
            )

    def remove_all_agents(self) -> None:
        """Remove every agent without replacement (ends the sector; for clean-up)."""
        staff = self.staff
        deregister_staff(self, np.flatnonzero(staff.active[: staff.size]))
        staff.agentless[:] = False
        staff.agents_pending = False
        staff.active[:] = False
        self.data_registry.close()

    # ---- Mesa's agent registry, with agents created when first asked for ------------------
    # Mesa's own getters, after the pending agents are made (simulation.core.mesa_bridge).

    @property
    def agents(self) -> Any:
        """Every staff member's Mesa agent (Mesa's own agent set; do not modify it)."""
        self._create_pending_agents()
        return mesa.Model.agents.fget(self)

    @agents.setter
    def agents(self, agents: Any) -> None:
        mesa.Model.agents.fset(self, agents)  # Mesa's error: the name is reserved

    @property
    def agents_by_type(self) -> dict[type, Any]:
        """Mesa's agent sets by agent class: ``Manager``, ``Clinician``, ``PeerWorker``."""
        self._create_pending_agents()
        return mesa.Model.agents_by_type.fget(self)

    @property
    def agent_types(self) -> list[type]:
        """The agent classes registered so far."""
        self._create_pending_agents()
        return mesa.Model.agent_types.fget(self)

    def _create_pending_agents(self) -> None:
        # Mesa's __init__ may look before the staff exist.
        staff = self.__dict__.get("staff")
        if staff is not None and staff.agents_pending:
            create_pending_agents(self)

    # ---- running ----------------------------------------------------------------------------

    @property
    def month(self) -> int:
        """Months since the start (0 at set-up; the step that produces month m runs at m)."""
        return self.steps

    def step(self) -> None:
        """Advance one month: run the 12 processes in order."""
        for process in MONTHLY_PROCESSES:
            process(self)

    def record(self) -> None:
        """Collect this month's sector row and organisation table row."""
        tallies = org_tallies(self)
        self._org_rows.append(org_summary(self, tallies))
        self.summary_cache = (self.month, sector_summary(self, tallies))
        self.datacollector.collect(self)
        # Hires and exits from now on (including interventions called between steps)
        # count towards the next recorded month.
        self.peer_hires_this_month = 0
        self.peer_leavers_this_month = 0
        self.visits_this_month = 0

    # ---- views for users ----------------------------------------------------------------------

    def org_summary(self) -> dict[str, np.ndarray]:
        """Per-organisation figures now (see :data:`~simulation.core.reporters.ORG_COLUMNS`)."""
        return org_summary(self)

    def sector_frame(self) -> pd.DataFrame:
        """The sector time series so far: index ``month``, the 13 public columns."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(len(frame), name="month")
        return frame[list(SECTOR_COLUMNS)]

    def org_table(self) -> pd.DataFrame:
        """Organisation x month table: one row per organisation per recorded month."""
        return org_table(self._org_rows, self.n_orgs, self.org_names)

    def staff_frame(self) -> pd.DataFrame:
        """A snapshot of every current staff member's state (one row per agent)."""
        staff = self.staff
        slots = np.flatnonzero(staff.active[: staff.size])
        return pd.DataFrame(
            {
                "unique_id": staff.agent_id[slots],
                "org": staff.org[slots],
                "team": staff.unit[slots],
                "kind": [Kind(k).name.lower() for k in staff.kind[slots].tolist()],
                "exposure": staff.exposure[slots],
                "understanding": staff.understanding[slots],
                "commitment": staff.commitment[slots],
                "stigma": staff.stigma[slots],
                "lived_experience": staff.lived_experience[slots],
                "disclosed": staff.disclosed[slots],
                "champion": staff.champion[slots],
                "tenure": self.month - staff.hired_month[slots],
            }
        )

    def agents_of_org(self, org: int) -> list[StaffAgent]:
        """The Mesa agents working in organisation ``org``."""
        staff = self.staff
        mask = staff.active[: staff.size] & (staff.org[: staff.size] == org)
        return [staff.handles[s] for s in np.flatnonzero(mask).tolist()]


def _signature_with_parameters() -> inspect.Signature:
    """SectorModel's signature listing every parameter with its default, for help()."""
    fields = Parameters.model_fields
    parameters = [
        inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("collect_agents", inspect.Parameter.KEYWORD_ONLY, default=False),
        inspect.Parameter("sector", inspect.Parameter.KEYWORD_ONLY, default=None),
    ]
    parameters += [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=field.default, annotation=field.annotation
        )
        for name, field in fields.items()
    ]
    return inspect.Signature(parameters)


SectorModel.__signature__ = _signature_with_parameters()


def simulate(
    steps: int = 120,
    seed: int = 0,
    sector: str | Path | dict[str, Any] | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Run one sector for ``steps`` months and return its time series.

    Args:
        steps: Months to simulate.
        seed: The run seed; the same seed gives an identical frame.
        sector: A sector file (or its content as a dict); None generates the sector.
        **params: Model parameters.

    Returns:
        A DataFrame indexed by ``month`` (0..steps) with the 13 sector columns.
    """
    if steps < 0:
        raise ValueError(f"steps = {steps} must be 0 or more")
    model = SectorModel(rng=seed, sector=sector, **params)
    for _ in range(steps):
        model.step()
    return model.sector_frame()
