"""Per-staff and per-organisation state as numpy arrays (a struct of arrays).

The model's state lives here, not on the Mesa agents: each staff member occupies a
*slot*, an index into every array of :class:`StaffState`. Mesa agents are handles that
read and write their slot (created when first asked for; see :mod:`simulation.core.agents`).
Slots of people who left are reused, but only by the same organisation, so the order of
one organisation's staff in the arrays (and therefore every floating-point sum over them)
never depends on what happens elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np


class Kind(IntEnum):
    """What position a staff member holds."""

    EXECUTIVE = 0
    SENIOR = 1
    TEAM_LEADER = 2
    CLINICIAN = 3
    PEER_WORKER = 4
    PEER_LEADER = 5


#: Decision power of each kind (docs/ODD.md section 10): how much a champion in that
#: position pushes others, and how much a manager's commitment weighs in resourcing.
POWER = np.array([1.0, 0.6, 0.4, 0.2, 0.2, 0.8])

#: The three management levels, top down.
MANAGER_KINDS = (Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER)
#: Designated LE positions: peer workers and LE leaders.
PEER_KINDS = (Kind.PEER_WORKER, Kind.PEER_LEADER)
#: Everyone but peers: the positions that are refilled when their holder leaves.
NON_PEER_KINDS = (*MANAGER_KINDS, Kind.CLINICIAN)
PEER_KINDS_SET = frozenset(PEER_KINDS)


class UnitType(IntEnum):
    """What a unit (a team in the broad sense) is."""

    EXECUTIVE_TEAM = 0
    SENIOR_GROUP = 1
    FRONTLINE_TEAM = 2


@dataclass(frozen=True)
class _StaffArray:
    """The dtype of one staff array: a class attribute of :class:`StaffState` names it."""

    dtype: type


def _staff_array(dtype: type) -> Any:
    # Typed Any so that the class attribute can be annotated as the array each instance holds
    # (set in __init__, it shadows this marker: reading it costs nothing extra).
    return _StaffArray(dtype)


#: ``leave_month`` of slots that never leave by turnover: peers (whose exits follow a
#: hazard) and empty slots.
NEVER = np.iinfo(np.int32).max


def _no_agents_to_create() -> None:
    raise RuntimeError("this StaffState has no model to create its agents")


class StaffState:
    """Arrays over staff slots, with room to grow and per-organisation slot reuse.

    Args:
        capacity: Initial number of slots.
        n_units: Number of units; inactive slots point at unit ``n_units``, a bin that
            every per-unit sum ignores.
    """

    # The staff arrays, each named once: __init__ and _grow allocate every one of them.
    active: np.ndarray = _staff_array(np.bool_)
    org: np.ndarray = _staff_array(np.int32)
    unit: np.ndarray = _staff_array(np.int32)
    kind: np.ndarray = _staff_array(np.int8)
    superior: np.ndarray = _staff_array(np.int32)
    exposure: np.ndarray = _staff_array(np.float64)
    understanding: np.ndarray = _staff_array(np.float64)
    commitment: np.ndarray = _staff_array(np.float64)
    stigma: np.ndarray = _staff_array(np.float64)
    lived_experience: np.ndarray = _staff_array(np.bool_)
    disclosed: np.ndarray = _staff_array(np.bool_)
    champion: np.ndarray = _staff_array(np.bool_)
    hired_month: np.ndarray = _staff_array(np.int32)
    safety_threshold: np.ndarray = _staff_array(np.float64)
    key: np.ndarray = _staff_array(np.uint64)
    contact: np.ndarray = _staff_array(np.float64)
    leave_month: np.ndarray = _staff_array(np.int32)
    agent_id: np.ndarray = _staff_array(
        np.int64
    )  # the Mesa ``unique_id`` of the person in the slot
    agentless: np.ndarray = _staff_array(
        np.bool_
    )  # joined without their Mesa agent being created yet

    def __init__(self, capacity: int, n_units: int) -> None:
        self.size = 0  # slots in use or freed; slots >= size are untouched headroom
        self.version = 0  # bumped whenever someone joins or leaves (invalidates caches)
        self.n_units = n_units
        for name, dtype in STAFF_ARRAYS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self.unit[:] = n_units
        self.superior[:] = -1
        # Each slot's Mesa agent, or None (an empty slot, or an agent not created yet).
        # Read through ``handles``, which creates the missing agents first.
        self.agent_handles: list = [None] * capacity
        # Whether any slot has ever held an agent (until then leavers have none to detach).
        self.agents_made = False
        # Whether some ``agentless`` slot may still be active; ``create_agents`` creates
        # their agents (set by the model that owns the state).
        self.agents_pending = False
        self.create_agents: Callable[[], None] = _no_agents_to_create
        self.free_slots: dict[int, list[int]] = {}
        self._slots_cache: dict[tuple[int, ...], np.ndarray] = {}
        self._slots_cache_version = -1
        self._memo: dict[str, Any] = {}
        self._memo_version = -1

    @property
    def capacity(self) -> int:
        """Number of slots allocated."""
        return self.active.size

    @property
    def handles(self) -> list:
        """The Mesa agent in each slot (None for empty slots), every agent created.

        Do not modify the list.
        """
        if self.agents_pending:
            self.create_agents()
        return self.agent_handles

    def _grow(self, needed: int) -> None:
        new_capacity = max(needed, int(self.capacity * 1.5) + 16)
        for name, dtype in STAFF_ARRAYS.items():
            old = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=dtype)
            grown[: old.size] = old
            setattr(self, name, grown)
        self.unit[self.size :] = self.n_units
        self.superior[self.size :] = -1
        self.agent_handles.extend([None] * (new_capacity - len(self.agent_handles)))

    def allocate(self, orgs: np.ndarray) -> np.ndarray:
        """Reserve one slot per new staff member, reusing slots freed in the same org.

        Args:
            orgs: The organisation of each new staff member, in hiring order.

        Returns:
            The slot of each new staff member. The caller fills the slots and then calls
            :meth:`changed`.
        """
        slots = np.empty(len(orgs), dtype=np.int64)
        appended = 0
        for i, org in enumerate(orgs.tolist()):
            freed = self.free_slots.get(org)
            if freed:
                slots[i] = freed.pop()
            else:
                slots[i] = self.size + appended
                appended += 1
        if self.size + appended > self.capacity:
            self._grow(self.size + appended)
        self.size += appended
        return slots

    def per_version(self, name: str, compute: Callable[[], Any]) -> Any:
        """Return ``compute()``, computed once until people next join or leave.

        For derived selections and counts that depend only on who works where (circle
        sizes, unit headcounts, who supervises whom), not on attitudes.

        Args:
            name: What is cached.
            compute: Computes it from the current staff.

        Returns:
            The cached or fresh value (shared: do not modify it).
        """
        if self._memo_version != self.version:
            self._memo.clear()
            self._memo_version = self.version
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    def current(self, name: str) -> Any | None:
        """The value :meth:`per_version` holds for ``name``, if it is still current.

        Args:
            name: What is cached.

        Returns:
            The value, or None if it was never computed or staff have changed since.
        """
        return self._memo.get(name) if self._memo_version == self.version else None

    def changed(self) -> None:
        """Note that people joined or left, so cached selections are out of date."""
        self.version += 1

    def append_block(self, count: int) -> np.ndarray:
        """Reserve ``count`` fresh slots at the end (fast path for the initial staff).

        Args:
            count: Number of slots.

        Returns:
            The new slots, consecutive.
        """
        if self.size + count > self.capacity:
            self._grow(self.size + count)
        slots = np.arange(self.size, self.size + count)
        self.size += count
        self.version += 1
        return slots

    def release(self, slots: np.ndarray) -> None:
        """Mark slots empty and remember them for reuse by their organisation.

        Args:
            slots: Slots of staff who left.
        """
        for slot, org in zip(slots.tolist(), self.org[slots].tolist(), strict=True):
            self.free_slots.setdefault(org, []).append(slot)
        self.active[slots] = False
        self.version += 1
        self.unit[slots] = self.n_units
        self.champion[slots] = False
        self.disclosed[slots] = False
        self.lived_experience[slots] = False
        self.superior[slots] = -1
        self.leave_month[slots] = NEVER

    def slots_of(self, *kinds: Kind) -> np.ndarray:
        """Return the active slots whose kind is one of ``kinds`` (cached until staff change).

        Args:
            *kinds: Kinds to select.

        Returns:
            Sorted slot indices.
        """
        if self._slots_cache_version != self.version:
            # Only the peer workforce joins and leaves: managers and clinicians are
            # replaced in place, so selections without peer kinds stay valid.
            for cached in [k for k in self._slots_cache if not PEER_KINDS_SET.isdisjoint(k)]:
                del self._slots_cache[cached]
            self._slots_cache_version = self.version
        slots = self._slots_cache.get(kinds)
        if slots is None:
            slots = self._select(kinds)
            slots.flags.writeable = False  # shared between callers until staff change
            self._slots_cache[kinds] = slots
        return slots

    def _select(self, kinds: tuple[Kind, ...]) -> np.ndarray:
        if kinds != PEER_KINDS and PEER_KINDS_SET.issuperset(kinds):
            # Peers are a few percent of the staff and are selected several times a month
            # (every hire or exit invalidates them): pick from all peers, one scan.
            peers = self.slots_of(*PEER_KINDS)
            return peers[self.kind[peers] == kinds[0]] if len(kinds) == 1 else peers
        kind = self.kind[: self.size]
        if kinds == PEER_KINDS:
            mask = kind >= Kind.PEER_WORKER  # the peer kinds are the highest
        else:
            mask = np.zeros(self.size, dtype=bool)
            for wanted in kinds:
                mask |= kind == wanted
        return np.flatnonzero(mask & self.active[: self.size])


#: Name -> dtype of every staff array, in the order :class:`StaffState` names them.
STAFF_ARRAYS: dict[str, type] = {
    name: value.dtype for name, value in vars(StaffState).items() if isinstance(value, _StaffArray)
}


@dataclass
class SectorStructure:
    """Organisations and their units (teams in the broad sense); fixed after set-up.

    Attributes:
        n_orgs: Number of organisations.
        exposure_class: Initial exposure class of each org (0 none, 1 some, 2 significant).
        unit_org: Organisation of each unit.
        unit_type: :class:`UnitType` of each unit.
        unit_head: Slot of each unit's head (team leader, CEO); -1 for senior groups.
        unit_senior: Slot of the senior manager over each frontline team, else -1.
        exec_unit: Index of each organisation's executive-team unit.
        team_start: First frontline team (unit index) of each organisation.
        team_count: Number of frontline teams of each organisation.
        neighbours: Sector network as adjacency lists (CSR: ``neighbour_ptr``).
    """

    n_orgs: int
    exposure_class: np.ndarray
    unit_org: np.ndarray
    unit_type: np.ndarray
    unit_head: np.ndarray
    unit_senior: np.ndarray
    exec_unit: np.ndarray
    team_start: np.ndarray
    team_count: np.ndarray
    neighbour_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    neighbours: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        self.frontline_units = np.flatnonzero(self.unit_type == UnitType.FRONTLINE_TEAM)

    @property
    def n_units(self) -> int:
        """Number of units in the sector."""
        return self.unit_org.size


class CircleLinks:
    """Fixed links between units that working circles follow (see ``circle_sums``).

    Positions never move (leavers are replaced in place), so who sees whom beyond their
    own unit is fixed for the run (LE leaders, who come and go, are handled apart):
    a team leader's or senior's line manager, the seniors reporting to an executive, and
    every member of the teams a senior oversees. Each link feeds one target slot from
    either a person's value or a team's total; the links are sorted by target once, so
    adding them all is one gather and one ``np.add.reduceat``.

    Args:
        linked: Team leaders and senior managers (their line manager is in another unit).
        superiors: The line manager of each of ``linked``.
        seniors: Senior managers.
        executives_of_seniors: The executive each of ``seniors`` reports to.
        teams: Frontline teams (unit indices).
        overseers: The senior manager over each of ``teams``.
    """

    def __init__(
        self,
        linked: np.ndarray,
        superiors: np.ndarray,
        seniors: np.ndarray,
        executives_of_seniors: np.ndarray,
        teams: np.ndarray,
        overseers: np.ndarray,
    ) -> None:
        self.person_sources = np.concatenate([superiors, seniors])
        self.unit_sources = teams
        targets = np.concatenate([linked, executives_of_seniors, overseers])
        self.order = np.argsort(targets, kind="stable")
        ranked = targets[self.order]
        self.starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        self.targets = ranked[self.starts]
        # The same, as the compiled circle sums take them (simulation.core.kernels).
        self.arrays = tuple(
            np.ascontiguousarray(each, dtype=np.int64)
            for each in (
                self.person_sources,
                self.unit_sources,
                self.order,
                self.starts,
                self.targets,
            )
        )

    def add_into(self, sums: np.ndarray, values: np.ndarray, unit_sum: np.ndarray) -> None:
        """Add every fixed link's amount into ``sums`` at its target.

        Args:
            sums: Circle sums by slot, updated in place.
            values: The summed quantity by slot.
            unit_sum: Its total by unit.
        """
        feed = np.concatenate([values[self.person_sources], unit_sum[self.unit_sources]])
        sums[self.targets] += np.add.reduceat(feed[self.order], self.starts)


@dataclass
class OrgState:
    """Per-organisation state that changes over time.

    Attributes:
        positions: Funded peer positions (filled or vacant).
        ever_employed: Whether the organisation has ever employed a peer worker.
        le_leader: Slot of the organisation's LE leader, or -1.
        next_serial: Serial of the next person the organisation hires (for random keys).
        will: Resourcing will computed at the last hiring step.
        levers: Per-organisation copies of the sector levers (scenario events may set
            them for a subset of organisations).
    """

    positions: np.ndarray
    ever_employed: np.ndarray
    le_leader: np.ndarray
    next_serial: np.ndarray
    will: np.ndarray
    levers: dict[str, np.ndarray]
