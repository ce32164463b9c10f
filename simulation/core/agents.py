"""Mesa agents: user-facing handles on the staff arrays.

Every staff member is a Mesa agent of one of three kinds (:class:`Manager`,
:class:`Clinician`, :class:`PeerWorker`), registered with the model, so
``model.agents_by_type[PeerWorker]`` is the peer workforce. The numbers themselves live
in the model's :class:`~simulation.core.state.StaffState`; an agent reads and writes its own
slot, so ``agent.stigma = 0.1`` changes the state the processes see.

One agent is one person: a newcomer who takes a leaver's position gets a new agent with a
new ``unique_id``, and a handle to the leaver stays detached (``employed`` is False, its
attributes raise, it is no longer in ``model.agents``). ``unique_id`` values are never
reused.

Agents are created when first asked for. A person's ``unique_id`` is reserved when they
join (Mesa's ``agent_id_counter`` moves on as if their agent had been registered then),
and their agent object is created, with that id, the first time anyone reads
``model.agents``, ``model.agents_by_type``, ``model.agent_types`` or ``staff.handles``
(and so every view built on them). What a reader sees is what creating every agent on
joining would give: the same agents, ids and order. What it saves is the cost of agents
nobody looks at: about 1 % of managers and clinicians turn over every month, and
creating and removing their Mesa agents took a tenth of each month's step. A leaver
whose agent exists is detached and deregistered at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
from mesa.model import ModelSignals

from simulation.core.state import POWER, Kind

if TYPE_CHECKING:
    from simulation.core.model import SectorModel


class StaffColumn:
    """Descriptor exposing one staff array as an attribute of the agent."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: StaffAgent | None, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.model.staff, self.name)[agent.slot].item()

    def __set__(self, agent: StaffAgent, value: Any) -> None:
        getattr(agent.model.staff, self.name)[agent.slot] = value


class StaffAgent(mesa.Agent):
    """A staff member of one organisation; base class of the three kinds.

    Args:
        model: The sector model.
        slot: The staff member's index into the model's state arrays.
    """

    exposure = StaffColumn()
    understanding = StaffColumn()
    commitment = StaffColumn()
    stigma = StaffColumn()
    lived_experience = StaffColumn()
    disclosed = StaffColumn()
    champion = StaffColumn()

    model: SectorModel

    def __init__(self, model: SectorModel, slot: int) -> None:
        super().__init__(model)
        self._slot = int(slot)
        staff = model.staff
        staff.agent_handles[self._slot] = self
        staff.agent_id[self._slot] = self.unique_id
        staff.agentless[self._slot] = False

    @property
    def slot(self) -> int:
        """Index of this staff member in the state arrays.

        Raises:
            RuntimeError: If the staff member has left.
        """
        if self._slot < 0:
            raise RuntimeError(f"agent {self.unique_id} has left its organisation")
        return self._slot

    @property
    def employed(self) -> bool:
        """Whether the staff member still works in the sector."""
        return self._slot >= 0

    @property
    def org(self) -> int:
        """Index of the organisation the staff member works in."""
        return int(self.model.staff.org[self.slot])

    @property
    def team(self) -> int:
        """Index of the unit (executive team, senior group or frontline team)."""
        return int(self.model.staff.unit[self.slot])

    @property
    def tenure(self) -> int:
        """Months in the organisation."""
        return self.model.month - int(self.model.staff.hired_month[self.slot])

    @property
    def kind(self) -> Kind:
        """The position held, as a :class:`~simulation.core.state.Kind`."""
        return Kind(int(self.model.staff.kind[self.slot]))

    @property
    def power(self) -> float:
        """Decision power of the position (scales a champion's influence)."""
        return float(POWER[self.model.staff.kind[self.slot]])

    @property
    def superior(self) -> StaffAgent | None:
        """The line manager, or None for executives (who answer to the board)."""
        slot = int(self.model.staff.superior[self.slot])
        return self.model.staff.handles[slot] if slot >= 0 else None

    def remove(self) -> None:
        """Leave the organisation, as the model's exit processes do.

        A peer worker's position becomes vacant; a manager or clinician is replaced at
        once by a new hire, since the position persists.
        """
        if self._slot >= 0:
            self.model.staff_leaves([self._slot])

    def __repr__(self) -> str:
        where = f"org={self.org}" if self.employed else "left"
        return f"<{type(self).__name__} {self.unique_id} {where}>"


class Manager(StaffAgent):
    """A manager: ``level`` is ``"executive"``, ``"senior"`` or ``"team_leader"``."""

    @property
    def level(self) -> str:
        """The management level."""
        return self.kind.name.lower()


class Clinician(StaffAgent):
    """Non-peer frontline staff (nurses, allied health, support), who may carry hidden LE."""


class PeerWorker(StaffAgent):
    """A designated Lived Experience worker: ``role`` is ``"worker"`` or ``"leader"``."""

    @property
    def role(self) -> str:
        """``"leader"`` for an LE leader on the executive team, else ``"worker"``."""
        return "leader" if self.kind is Kind.PEER_LEADER else "worker"


#: The agent class for each kind of position.
AGENT_CLASS: dict[Kind, type[StaffAgent]] = {
    Kind.EXECUTIVE: Manager,
    Kind.SENIOR: Manager,
    Kind.TEAM_LEADER: Manager,
    Kind.CLINICIAN: Clinician,
    Kind.PEER_WORKER: PeerWorker,
    Kind.PEER_LEADER: PeerWorker,
}


#: Mesa releases whose registry internals (``Model._all_agents`` and
#: ``Model._agents_by_type``: agent sets over a dict ``_agents``;
#: ``Model.agent_id_counter``) the direct path was checked against. Any other release
#: goes through Mesa's public path: slower, equally correct.
DIRECT_REGISTRY_MESA_VERSIONS = frozenset({"3.5.1"})

#: Agents registered per batch on the direct path (bounds the temporaries at 1M staff).
_REGISTER_CHUNK = 8192

_REGISTRY_SIGNALS = (
    ("agents", ModelSignals.AGENT_ADDED),
    ("agents", ModelSignals.AGENT_REMOVED),
)


def registry_is_direct(model: SectorModel) -> bool:
    """Whether agents may be created late and (de)registered by writing Mesa's registry.

    Mesa's public path (``Agent.__init__`` and ``Agent.remove``) costs about 15-20 us
    per agent in Mesa 3.5.1, mostly in the signal wrappers of ``register_agent`` and
    ``deregister_agent``; writing the registry's dicts directly costs 1-4 us and leaves
    Mesa in exactly the state its own path would (same agents, order and ids). Both
    that and creating agents late are only invisible when nothing hooks into
    registration, so the direct path is taken only when all of these hold, and the
    public path (agents created on joining, signals sent) otherwise:

    - Mesa is a release the direct path was checked against
      (:data:`DIRECT_REGISTRY_MESA_VERSIONS`);
    - nobody observes the model's ``"agents"`` signals, and no signal batch is open;
    - no Mesa dataset tracks a staff agent class (``Agent._datasets``).

    Args:
        model: The sector model.

    Returns:
        True for the direct path.
    """
    return (
        mesa.__version__ in DIRECT_REGISTRY_MESA_VERSIONS
        and model._batch_context is None
        and not any(key in model.subscribers for key in _REGISTRY_SIGNALS)
        and not any(cls._datasets for cls in (Manager, Clinician, PeerWorker))
    )


def register_staff(model: SectorModel, slots: np.ndarray, kinds: np.ndarray) -> None:
    """Give newcomers their Mesa identity: now, or reserved for when first asked for.

    On the direct path each newcomer's ``unique_id`` is reserved (the next ids, in the
    order given) and the agent is created by :func:`create_pending_agents`. Otherwise
    each agent is created now with ``AGENT_CLASS[kind](model, slot)``, after any agents
    still pending.

    Args:
        model: The sector model.
        slots: The newcomers' slots, already filled in the state arrays.
        kinds: Their kinds.
    """
    staff = model.staff
    if registry_is_direct(model):
        first = model.agent_id_counter
        staff.agent_id[slots] = np.arange(first, first + len(slots))
        model.agent_id_counter = first + len(slots)
        staff.agentless[slots] = True
        staff.agents_pending = True
        return
    create_pending_agents(model)
    for slot, kind in zip(slots.tolist(), kinds.tolist(), strict=True):
        AGENT_CLASS[kind](model, slot)


def create_pending_agents(model: SectorModel) -> None:
    """Create and register the agents of everyone who joined since agents were last read.

    They are registered in ``unique_id`` order, after every agent registered before (whose
    ids are all lower), so Mesa's sets list agents as if each had been created on joining.
    People who joined and left in between never get an agent. No signal is sent: the
    agents count as registered when their ids were reserved.

    Args:
        model: The sector model.
    """
    staff = model.staff
    if not staff.agents_pending:
        return
    staff.agents_pending = False
    # Flagged slots that are still active hold someone who joined since: the person who
    # was flagged, or whoever has taken a slot they left.
    pending = np.flatnonzero(staff.agentless[: staff.size] & staff.active[: staff.size])
    staff.agentless[: staff.size] = False
    pending = pending[np.argsort(staff.agent_id[pending], kind="stable")]
    for start in range(0, pending.size, _REGISTER_CHUNK):
        chunk = pending[start : start + _REGISTER_CHUNK]
        _register_directly(
            model, chunk.tolist(), staff.kind[chunk].tolist(), staff.agent_id[chunk].tolist()
        )


def _register_directly(
    model: SectorModel, slots: list[int], kinds: list[int], unique_ids: list[int]
) -> None:
    handles = model.staff.agent_handles
    agents = []
    members: dict[type[StaffAgent], list[StaffAgent]] = {}  # by class, in order of arrival
    for slot, kind, unique_id in zip(slots, kinds, unique_ids, strict=True):
        cls = AGENT_CLASS[kind]
        agent = cls.__new__(cls)
        # The attributes Agent.__init__ sets, then StaffAgent's own.
        agent.model = model
        agent.unique_id = unique_id
        agent.pos = None
        agent._slot = slot
        handles[slot] = agent
        agents.append(agent)
        group = members.get(cls)
        if group is None:
            group = members[cls] = []
        group.append(agent)
    model._all_agents._agents.update(dict.fromkeys(agents))
    by_type = model._agents_by_type
    for cls, group in members.items():
        if cls not in by_type:
            # Mesa creates a type's set on its first agent, with the model's random.
            by_type[cls] = type(model._all_agents)([], random=model.random)
        by_type[cls]._agents.update(dict.fromkeys(group))


def deregister_staff(model: SectorModel, slots: np.ndarray | list[int]) -> None:
    """Detach the agents of leavers from their slots and remove them from Mesa's registry.

    A detached agent reports ``employed`` False and raises on its attributes; it is no
    longer in ``model.agents`` or ``model.agents_by_type``, as after ``Agent.remove``.
    Leavers whose agents were never created need nothing.

    Args:
        model: The sector model.
        slots: The leavers' slots.
    """
    direct = registry_is_direct(model)
    if not direct:
        create_pending_agents(model)  # so that every leaver's removal is signalled
    handles = model.staff.agent_handles
    leavers = []
    for slot in np.asarray(slots).tolist():
        agent = handles[slot]
        if agent is not None:
            handles[slot] = None
            agent._slot = -1
            leavers.append(agent)
    if not direct:
        for agent in leavers:
            mesa.Agent.remove(agent)
        return
    everyone = model._all_agents._agents
    by_type = model._agents_by_type
    for agent in leavers:
        # Agent.remove ignores an agent that is not registered; so does pop.
        everyone.pop(agent, None)
        by_type[type(agent)]._agents.pop(agent, None)
