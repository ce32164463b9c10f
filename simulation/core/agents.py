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

Registration with Mesa, and when agents are created, is
:mod:`simulation.core.mesa_bridge`'s job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

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
        staff.agents_made = True
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
