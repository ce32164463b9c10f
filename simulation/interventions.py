"""Interventions (MODEL.md section 8) as methods of the model, and scheduled events.

Each intervention acts at the current month on all organisations or a chosen subset,
given as ``orgs``: ``"all"``, a list of organisation ids, ``"with_peers"``,
``"without_peers"`` or an initial exposure class (``"exposure:none"``, ``"exposure:some"``,
``"exposure:significant"``). Scenario files, sweeps and the app call them directly or
schedule them with :meth:`Interventions.schedule`; the first monthly process applies
what is due.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.parameters import (
    EXPOSURE_CLASSES,
    ORG_LEVERS,
    SETUP_ONLY,
    validate_parameters,
)
from simulation.processes import leave_months
from simulation.state import Kind

if TYPE_CHECKING:
    from simulation.model import SectorModel

OrgSelection = str | int | Sequence[int]

INTERVENTIONS: tuple[str, ...] = (
    "management_training",
    "workforce_training",
    "appoint_champion",
    "hire_le_leader",
    "visits_programme",
    "manager_network",
    "set",
)

CHAMPION_LEVELS: dict[str, Kind] = {
    "executive": Kind.EXECUTIVE,
    "senior": Kind.SENIOR,
    "team_leader": Kind.TEAM_LEADER,
    "clinician": Kind.CLINICIAN,
    "peer_leader": Kind.PEER_LEADER,
}


@dataclass
class ScheduledEvent:
    """An intervention due at a month.

    Attributes:
        month: When it applies (at the start of that month's step).
        name: One of :data:`INTERVENTIONS`.
        arguments: Keyword arguments of the intervention method.
    """

    month: int
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)

    def apply(self, model: SectorModel) -> None:
        """Carry out the intervention on ``model``.

        Args:
            model: The sector model.
        """
        getattr(model, self.name)(**self.arguments)


class Interventions:
    """Mixin giving :class:`~simulation.model.SectorModel` its intervention methods."""

    def select_orgs(self: SectorModel, orgs: OrgSelection = "all") -> np.ndarray:
        """Resolve an organisation selection to sorted organisation indices.

        Args:
            orgs: ``"all"``, ``"with_peers"``, ``"without_peers"``, ``"exposure:<class>"``,
                an organisation id or a list of ids.

        Returns:
            Organisation indices.

        Raises:
            ValueError: For an unknown selection or an id out of range.
        """
        every = np.arange(self.n_orgs)
        if isinstance(orgs, str):
            if orgs == "all":
                return every
            if orgs in ("with_peers", "without_peers"):
                peers = self.org_summary()["peer_workers"]
                return every[(peers > 0) == (orgs == "with_peers")]
            if orgs.startswith("exposure:") and orgs[9:] in EXPOSURE_CLASSES:
                wanted = EXPOSURE_CLASSES.index(orgs[9:])
                return every[self.structure.exposure_class == wanted]
            raise ValueError(
                f"orgs = {orgs!r} is not a selection; use 'all', 'with_peers', 'without_peers', "
                f"'exposure:none', 'exposure:some', 'exposure:significant' or a list of ids"
            )
        ids = np.unique(np.atleast_1d(np.asarray(orgs, dtype=np.int64)))
        bad = ids[(ids < 0) | (ids >= self.n_orgs)]
        if bad.size:
            raise ValueError(f"orgs contains id {int(bad[0])}; ids run from 0 to {self.n_orgs - 1}")
        return ids

    def _reached(self: SectorModel, name: str, slots: np.ndarray, coverage: float) -> np.ndarray:
        """The share ``coverage`` of ``slots`` an intervention reaches (per-person draws)."""
        if not 0.0 <= coverage <= 1.0:
            raise ValueError(f"coverage = {coverage!r} must be between 0 and 1")
        draws = self.streams.uniform(name, self.month, self.staff.key[slots])
        return slots[draws < coverage]

    def _staff_in(self: SectorModel, orgs: OrgSelection, *kinds: Kind) -> np.ndarray:
        slots = self.staff.slots_of(*kinds)
        chosen = np.zeros(self.n_orgs, dtype=bool)
        chosen[self.select_orgs(orgs)] = True
        return slots[chosen[self.staff.org[slots]]]

    def management_training(self: SectorModel, orgs: OrgSelection = "all", coverage: float = 1.0):
        """Train managers about peer roles: understanding and exposure rise at once.

        Closes ``training_understanding`` of the gap to full understanding and
        ``training_exposure`` of the gap to full exposure.

        Args:
            orgs: Which organisations.
            coverage: Share of their managers reached.
        """
        managers = self._staff_in(orgs, Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER)
        reached = self._reached("management_training", managers, coverage)
        staff, p = self.staff, self.params
        staff.understanding[reached] += p.training_understanding * (
            1.0 - staff.understanding[reached]
        )
        staff.exposure[reached] += p.training_exposure * (1.0 - staff.exposure[reached])

    def workforce_training(self: SectorModel, orgs: OrgSelection = "all", coverage: float = 1.0):
        """Train the whole non-peer workforce: stigma falls by ``training_stigma``.

        Args:
            orgs: Which organisations.
            coverage: Share of their non-peer staff reached.
        """
        kinds = (Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER, Kind.CLINICIAN)
        reached = self._reached("workforce_training", self._staff_in(orgs, *kinds), coverage)
        staff, p = self.staff, self.params
        staff.stigma[reached] *= 1.0 - p.training_stigma
        staff.exposure[reached] += p.training_exposure * (1.0 - staff.exposure[reached])

    def appoint_champion(self: SectorModel, level: str = "executive", orgs: OrgSelection = "all"):
        """Appoint a champion at ``level`` in each organisation: its most committed non-champion.

        Args:
            level: ``executive``, ``senior``, ``team_leader``, ``clinician`` or ``peer_leader``.
            orgs: Which organisations (those with nobody at that level are skipped).

        Raises:
            ValueError: For an unknown level.
        """
        if level not in CHAMPION_LEVELS:
            raise ValueError(
                f"level = {level!r} is not a champion level; use one of {list(CHAMPION_LEVELS)}"
            )
        staff = self.staff
        candidates = self._staff_in(orgs, CHAMPION_LEVELS[level])
        candidates = candidates[~staff.champion[candidates]]
        if candidates.size == 0:
            return
        order = np.lexsort((-staff.commitment[candidates], staff.org[candidates]))
        ranked = candidates[order]
        first = np.r_[True, staff.org[ranked][1:] != staff.org[ranked][:-1]]
        staff.champion[ranked[first]] = True

    def hire_le_leader(self: SectorModel, orgs: OrgSelection = "all"):
        """Hire an LE leader onto the executive team of each organisation lacking one.

        Args:
            orgs: Which organisations.
        """
        chosen = self.select_orgs(orgs)
        chosen = chosen[self.orgs.le_leader[chosen] < 0]
        if chosen.size:
            self.hire(chosen, self.structure.exec_unit[chosen], Kind.PEER_LEADER)

    def visits_programme(self: SectorModel, orgs: OrgSelection = "all", rate: float | None = None):
        """Raise managers' visit rate to ``rate`` (default ``visits_programme_rate``).

        Args:
            orgs: Which organisations' managers visit more.
            rate: Visits per manager per month; never lowers an existing rate.
        """
        rate = self.params.visits_programme_rate if rate is None else rate
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate = {rate!r} must be between 0 and 1")
        chosen = self.select_orgs(orgs)
        levers = self.orgs.levers["visit_rate"]
        levers[chosen] = np.maximum(levers[chosen], rate)

    def manager_network(self: SectorModel, orgs: OrgSelection = "all", enabled: bool = True):
        """Switch on (or off) a support network for managers hiring peers.

        Args:
            orgs: Which organisations' managers join.
            enabled: On or off.
        """
        self.orgs.levers["manager_network"][self.select_orgs(orgs)] = bool(enabled)

    def set(self: SectorModel, name: str, value: Any, orgs: OrgSelection = "all"):
        """Set a parameter from now on.

        Levers in :data:`~simulation.parameters.ORG_LEVERS` can be set for a subset of
        organisations; any other parameter only sector-wide, and set-up parameters
        (sizes, the initial state) not at all.

        Args:
            name: Parameter name.
            value: New value (validated like a model argument).
            orgs: Which organisations (levers only).

        Raises:
            ParameterError: For an unknown name or a value out of range.
            ValueError: For a subset of organisations with a sector-wide parameter, or a
                parameter that only shapes the sector at set-up (``SETUP_ONLY``).
        """
        validated = self._validated_setting(name, value, orgs)
        if name in ORG_LEVERS:
            self.orgs.levers[name][self.select_orgs(orgs)] = getattr(validated, name)
        if isinstance(orgs, str) and orgs == "all":
            self.params = validated
        if name == "staff_turnover":
            # Waiting times are memoryless: redraw everyone's at the new rate, counting from
            # the last month whose turnover has run (so this month's turnover, if still to
            # come, takes its share at the new rate, and no month takes two).
            others = self.staff.slots_of(
                Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER, Kind.CLINICIAN
            )
            self.staff.leave_month[others] = leave_months(self, others, self.turnover_month)

    def _check_arguments(self: SectorModel, intervention: str, arguments: dict[str, Any]) -> None:
        """Refuse now what would fail when the event is applied (values, levels, orgs)."""
        orgs = arguments.get("orgs", "all")
        if not (isinstance(orgs, str) and orgs in ("with_peers", "without_peers")):
            self.select_orgs(orgs)  # selections that depend on the month are checked then
        for share in ("coverage", "rate"):
            value = arguments.get(share)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"{intervention}: {share} = {value!r} must be between 0 and 1")
        level = arguments.get("level", "executive")
        if intervention == "appoint_champion" and level not in CHAMPION_LEVELS:
            raise ValueError(
                f"appoint_champion: level = {level!r} is not a champion level; "
                f"use one of {list(CHAMPION_LEVELS)}"
            )
        if intervention == "set":
            self._validated_setting(arguments["name"], arguments["value"], orgs)

    def _validated_setting(self: SectorModel, name: str, value: Any, orgs: OrgSelection):
        """The parameters with ``name`` set to ``value``, if ``set`` may do that for ``orgs``."""
        if name in SETUP_ONLY:
            raise ValueError(
                f"set: {name!r} only shapes the sector at month 0 and cannot change later"
            )
        validated = validate_parameters({**self.params.model_dump(), name: value}, owner="set")
        if name not in ORG_LEVERS and not (isinstance(orgs, str) and orgs == "all"):
            raise ValueError(
                f"set: {name!r} is sector-wide; only {', '.join(ORG_LEVERS)} can be set "
                f"for a subset of organisations"
            )
        return validated

    def schedule(
        self: SectorModel, month: int, intervention: str, /, **arguments: Any
    ) -> ScheduledEvent:
        """Schedule an intervention for ``month`` (applied now if ``month`` is this month).

        Args:
            month: The month it applies, not before the current one.
            intervention: One of :data:`INTERVENTIONS`.
            **arguments: The intervention's keyword arguments (for ``set``: ``name``,
                ``value`` and optionally ``orgs``).

        Returns:
            The scheduled event.

        Raises:
            ValueError: For an unknown intervention, bad arguments or values (checked now,
                so a scheduled event cannot fail later), or a past month.
            ParameterError: For a ``set`` of an unknown parameter or an out-of-range value.
        """
        if intervention not in INTERVENTIONS:
            raise ValueError(
                f"unknown intervention {intervention!r}; use one of {list(INTERVENTIONS)}"
            )
        try:
            inspect.signature(getattr(self, intervention)).bind(**arguments)
        except TypeError as error:
            raise ValueError(f"{intervention}: {error}") from None
        self._check_arguments(intervention, arguments)
        if month < self.month:
            raise ValueError(f"{intervention}: month {month} is in the past (now {self.month})")
        event = ScheduledEvent(int(month), intervention, dict(arguments))
        if event.month == self.month:
            event.apply(self)
        else:
            self.scheduled_events.append(event)
        return event
