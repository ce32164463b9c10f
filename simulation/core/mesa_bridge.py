"""The bridge to Mesa's agent registry: the one module that touches Mesa's private state.

Every staff member is a Mesa agent (:mod:`simulation.core.agents`). Mesa's public path,
``Agent.__init__`` and ``Agent.remove``, costs about 15-20 us per agent in Mesa 3.5.1,
mostly in the signal wrappers of ``register_agent`` and ``deregister_agent``; a sector
where staff turn over every month spends a tenth of its step there. This module holds a
faster path that writes Mesa's registry directly (``Model._all_agents._agents``,
``Model._agents_by_type``, ``Model.agent_id_counter``; it reads ``Model._batch_context``),
the Mesa releases it was checked against (:data:`DIRECT_REGISTRY_MESA_VERSIONS`), and the
fallback to Mesa's public path whenever the direct one would be visible
(:func:`registry_is_direct`). ``tests/core/test_model.py`` runs the same model both ways
and checks that Mesa ends in the same state.

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

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.model import ModelSignals

from simulation.core.agents import AGENT_CLASS, Clinician, Manager, PeerWorker, StaffAgent

if TYPE_CHECKING:
    from simulation.core.model import SectorModel


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
    model.staff.agents_made = True
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
    if direct and not model.staff.agents_made:
        # No agent has been made (nobody has read them, or a batch, which has none): no
        # leaver has one to detach, and the loop below would look at each in turn.
        return
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
