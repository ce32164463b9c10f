"""The model the app runs: the sector model, plus what a room is looking at.

:class:`ClassroomModel` is a :class:`~simulation.core.model.SectorModel` (same parameters,
same results) that also knows which story it tells, which organisation is on screen,
how staff are shaded, and which interventions were applied when (to mark them on the
time series). It gives Mesa's ``SpaceRenderer`` the organisation on screen as
``model.grid``: a ``mesa.discrete_space.Network`` whose nodes sit where
:class:`~simulation.app.layout.OrganisationLayout` puts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from simulation.app.layout import OrganisationLayout
from simulation.app.levers import (
    DEFAULT_WORLD,
    GENERATED_SECTOR,
    OUTSIDE_WORLDS,
    sector_choices,
)
from simulation.app.stories import NO_STORY, STORIES
from simulation.core.errors import InputError
from simulation.core.model import SectorModel
from simulation.core.org_network import org_network
from simulation.core.wording import count

#: What staff can be shaded by (their value on a 0-1 scale).
SHADINGS: tuple[str, ...] = ("commitment", "stigma")


@dataclass(frozen=True)
class MarkedEvent:
    """An intervention applied in the run, as the time series marks it.

    Attributes:
        month: The month it was applied (the next month's row is the first to show it).
        label: A few words for the mark.
    """

    month: int
    label: str


class ClassroomModel(SectorModel):
    """The sector model with the app's view of it.

    Args:
        story: A name in :data:`~simulation.app.stories.STORIES`, or ``"none"``. The
            story's parameters take precedence over ``params`` for the names they set,
            and its events are scheduled.
        rng: The run's seed.
        scenario: Ignored: Mesa's ``SolaraViz`` passes its experimental ``Scenario`` when
            it rebuilds the model; the stories are lewsim scenario files instead.
        outside_world: A name in :data:`~simulation.app.levers.OUTSIDE_WORLDS`: the
            funding envelope and policy pressure it sets (the levers' and the story's
            own values take precedence).
        sector: A choice of :func:`~simulation.app.levers.sector_choices` (a shipped
            sector file's name, ``--sector``'s, or the generated sector) or a sector file's
            path; with a file, the "Number of organisations" lever is not used.
        **params: Model parameters (the app's levers).

    Attributes:
        story_name: The story told (``"none"`` if none).
        story_scenario: Its scenario (read from the story's file), or None.
        view_org: The organisation on screen.
        shade_by: ``"commitment"`` or ``"stigma"``.
        marked_events: Interventions applied so far, in order.
    """

    def __init__(
        self,
        *,
        story: str = NO_STORY,
        rng: Any = 42,
        scenario: Any = None,
        outside_world: str = DEFAULT_WORLD,
        sector: str = GENERATED_SECTOR,
        **params: Any,
    ) -> None:
        del scenario  # Mesa's app passes its own (empty) experimental Scenario on Reset
        if story != NO_STORY and story not in STORIES:
            allowed = ", ".join(repr(name) for name in (NO_STORY, *STORIES))
            raise InputError(f"story = {story!r}: unknown story; allowed: {allowed}")
        if outside_world not in OUTSIDE_WORLDS:
            allowed = ", ".join(repr(name) for name in OUTSIDE_WORLDS)
            raise InputError(f"outside_world = {outside_world!r}: unknown; allowed: {allowed}")
        params = {**OUTSIDE_WORLDS[outside_world], **params}
        scenario = STORIES[story].scenario() if story != NO_STORY else None
        if scenario is not None:
            params = {**params, **scenario.model_params()}
        sector_file = sector_choices().get(sector, sector)
        if sector_file is not None:
            params.pop("n_orgs", None)  # the file says how many organisations there are
        super().__init__(rng=rng, sector=sector_file, **params)
        self.story_name = story
        self.story_scenario = scenario
        self.shade_by = SHADINGS[0]
        self.marked_events: list[MarkedEvent] = []
        self._layouts: dict[int, OrganisationLayout] = {}
        self._network: tuple[tuple[int, bytes], mesa.discrete_space.Network] | None = None
        self.view_org = 0
        if scenario is not None:
            for event in scenario.events:
                self.schedule(event)
            shown = self.select_orgs(STORIES[story].shown_orgs)
            self.view_org = int(shown[0]) if shown.size else 0

    # ---- interventions ----------------------------------------------------------------

    def schedule(self, when: Any, intervention: str | None = None, /, **arguments: Any) -> Any:
        """Schedule an intervention, as the sector model does, and mark it when it applies.

        Args:
            when: The month, or an intervention object.
            intervention: With a month, the intervention's name.
            **arguments: With a month, its arguments.

        Returns:
            The scheduled intervention.
        """
        event = super().schedule(when, intervention, **arguments)
        if event.month == self.month:  # applied at once
            self.marked_events.append(MarkedEvent(self.month, event.short_label))
        return event

    def step(self) -> None:
        """Advance one month, marking the scheduled interventions it applies."""
        due = [event for event in self.scheduled_events if event.month == self.month + 1]
        super().step()
        self.marked_events += [MarkedEvent(event.month, event.short_label) for event in due]

    def intervene_on_screen(self, name: str, *, everywhere: bool = False, **arguments: Any) -> None:
        """Apply intervention ``name`` now to the organisation on screen (or to all).

        Args:
            name: An intervention's name (``"appoint_champion"``, ...).
            everywhere: All organisations instead of the one on screen.
            **arguments: The intervention's other arguments (``level=...``).
        """
        orgs: Any = "all" if everywhere else [self.view_org]
        self.intervene(name, orgs=orgs, **arguments)

    # ---- what is on screen ------------------------------------------------------------

    def show_org(self, org: int) -> None:
        """Put organisation ``org`` on screen.

        Args:
            org: An organisation id.

        Raises:
            InputError: For an id outside the sector.
        """
        if not 0 <= int(org) < self.n_orgs:
            raise InputError(f"org = {org}: allowed: ids 0 to {self.n_orgs - 1}")
        self.view_org = int(org)

    def org_label(self, org: int) -> str:
        """How the app names organisation ``org``: its name from a sector file, or its id.

        Args:
            org: An organisation id.

        Returns:
            E.g. ``"Northside CMHT"``, or ``"organisation 3"`` in a generated sector.
        """
        return self.org_names[org] if self.org_names is not None else f"organisation {org}"

    def layout(self, org: int) -> OrganisationLayout:
        """The stable layout of organisation ``org`` (made once, kept for the run)."""
        if org not in self._layouts:
            self._layouts[org] = OrganisationLayout(self, org)
        return self._layouts[org]

    @property
    def grid(self) -> mesa.discrete_space.Network:
        """The organisation on screen as a Mesa network, its nodes at their stable places.

        Rebuilt only when the organisation on screen or its people change (building it
        is most of the cost of drawing it); otherwise the same network, whose agents show
        their state as it is now.
        """
        staff = self.staff
        size = staff.size
        members = staff.active[:size] & (staff.org[:size] == self.view_org)
        key = (self.view_org, staff.agent_id[:size][members].tobytes())
        if self._network is None or self._network[0] != key:
            positions = self.layout(self.view_org).positions(self)
            network = org_network(self, self.view_org, layout=positions)
            self._network = (key, network)
        return self._network[1]

    def counts_sentence(self) -> str:
        """This month in words.

        Returns:
            E.g. ``"Month 37: 41 peer workers in 10 of 24 organisations; 5 champions;
            2 LE leaders."`` (LE leaders count among the peer workers).
        """
        summary = self.org_summary()
        peers = int(np.sum(summary["peer_workers"]))
        with_peers = int(np.count_nonzero(summary["peer_workers"]))
        champions = int(np.sum(summary["champions"]))
        leaders = int(np.sum(summary["le_leader"]))
        return (
            f"Month {self.month}: {count(peers, 'peer worker')} in {with_peers} of "
            f"{self.n_orgs} organisations; {count(champions, 'champion')}; "
            f"{count(leaders, 'LE leader')}."
        )
