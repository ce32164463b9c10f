"""Interventions (docs/ODD.md section 6): one class each, declaring its arguments and its effect.

An intervention is a frozen pydantic model: its fields are the intervention's arguments
(with ``month`` and, where it applies, ``orgs``), its ``type`` names it,
:meth:`Intervention.apply` does the work on a model, and :meth:`Intervention.describe` and
``short_label`` word it. Defining the class registers it (:data:`INTERVENTION_TYPES`), and
every caller takes the same objects from the registry:

- ``model.intervene("appoint_champion", level="senior", orgs=[3])`` or
  ``model.intervene(AppointChampion(month=model.month, ...))`` applies one now;
- ``model.schedule(12, "appoint_champion", level="senior")`` or
  ``model.schedule(AppointChampion(month=12, level="senior"))`` keeps one in
  ``model.scheduled_events`` until its month;
- scenario files (:mod:`simulation.runs.scenarios`) read ``[[events]]`` tables as these
  classes (:data:`AnyIntervention`, a union tagged by ``type``), and validation arms and
  replications take sequences of them.

**The month rule.** An intervention at month ``m`` is applied at the start of the step that
produces month ``m``, by process 1, before anything else happens that month; the row of
month ``m`` is the first to show it. One scheduled for the current month is applied at
once: at set-up that is month 0, after the month-0 row has been recorded, so the month-0
row is the sector as built and month 1 is the first row to show it. Interventions due in
the same month are applied in the order they were scheduled. A past month is refused.

**Values are strict**, one rule for every argument: a boolean is ``True`` or ``False``; an
integer is an ``int`` (a bool is not one, nor is ``2.7``); a number is an ``int`` or a
``float`` (not a bool); a string is never read as a number or a boolean; NumPy scalars
count as what they hold. An organisation selection must select something: an empty list
is refused. ``intervene``, ``schedule`` and :func:`make_intervention` refuse with an
:class:`~simulation.core.errors.InputError` naming the intervention, the argument, its value and
what it takes (a class built directly raises pydantic's ``ValidationError`` with the same
reasons; a scenario file's events are reported by field path, ``events[2].coverage``).

The argument types (``Month``, ``Orgs``, ``Coverage``, ...) and what each takes in words
are in :mod:`simulation.core.intervention_arguments`.

Organisation selections (``orgs``) are ``"all"``, ``"with_peers"``, ``"without_peers"``
(judged when the intervention is applied), an initial exposure class
(``"exposure:none"``, ``"exposure:some"``, ``"exposure:significant"``), an organisation id
or a list of ids and, in a sector from a sector file, of organisation names
(``orgs = ["Northside CMHT", 2]``; a name not in the sector gets a "did you mean").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from simulation.core.errors import InputError
from simulation.core.intervention_arguments import (
    CHAMPION_LEVELS,
    REFUSAL_TYPE,
    TAKES_PARAMETER_NAME,
    ChampionLevel,
    Coverage,
    Enabled,
    Level,
    Month,
    Orgs,
    Rate,
    Takes,
    argument_refusal,
    org_ids,
    org_range_problem,
    orgs_in_words,
    parse_orgs,
    share_in_words,
    takes,
)
from simulation.core.parameters import (
    EXPOSURE_CLASSES,
    ORG_LEVERS,
    PARAMETER_NAMES,
    SETUP_ONLY,
    ParameterError,
    allowed_values,
    validate_parameters,
)
from simulation.core.processes import leave_months
from simulation.core.state import MANAGER_KINDS, NON_PEER_KINDS, POWER, Kind
from simulation.core.wording import (
    describe_errors,
    did_you_mean,
    is_boolean,
    shown,
)

if TYPE_CHECKING:
    from simulation.core.model import SectorModel


def select_orgs(model: SectorModel, orgs: Any = "all") -> np.ndarray:
    """Resolve an organisation selection to sorted organisation indices.

    Args:
        model: The sector model.
        orgs: ``"all"``, ``"with_peers"``, ``"without_peers"``, ``"exposure:<class>"``,
            an organisation id or a list of ids (or, with a sector file, names).

    Returns:
        Organisation indices (possibly none, for ``with_peers`` or ``without_peers``).

    Raises:
        InputError: For anything that is not a selection, or an id out of range.
    """
    try:
        orgs = parse_orgs(orgs)
    except PydanticCustomError as error:
        raise InputError(f"orgs = {shown(orgs)}: {error.message()}") from None
    every = np.arange(model.n_orgs)
    if isinstance(orgs, tuple):
        problem = org_range_problem(orgs, model.n_orgs, model.org_names)
        if problem is not None:
            raise InputError(f"orgs = {list(orgs)}: {problem}")
        return model.org_indices(org_ids(orgs, model.org_names))
    if orgs == "all":
        return every
    if orgs in ("with_peers", "without_peers"):
        peers = model.org_summary()["peer_workers"]
        return every[(peers > 0) == (orgs == "with_peers")]
    wanted = EXPOSURE_CLASSES.index(orgs.removeprefix("exposure:"))
    return every[model.structure.exposure_class == wanted]


def _staff_in(model: SectorModel, orgs: str | tuple[int | str, ...], *kinds: Kind) -> np.ndarray:
    """Slots of the staff of the given kinds in the selected organisations."""
    slots = model.staff.slots_of(*kinds)
    chosen = np.zeros(model.n_orgs, dtype=bool)
    chosen[select_orgs(model, orgs)] = True
    return slots[chosen[model.staff.org[slots]]]


def _reached(model: SectorModel, stream: str, slots: np.ndarray, coverage: float) -> np.ndarray:
    """The share ``coverage`` of ``slots`` that an intervention reaches (per-person draws)."""
    draws = model.streams.staff_uniform(stream, model.month, model.staff, slots)
    return slots[draws < coverage]


#: Each intervention's class, keyed by its name (the ``type`` of a scenario event), in the
#: order the classes were defined (docs/ODD.md section 6's). Filled by the classes
#: themselves (:meth:`Intervention.__pydantic_init_subclass__`), never by hand.
INTERVENTION_TYPES: dict[str, type[Intervention]] = {}


class Intervention(BaseModel):
    """An intervention at a month (the base of the intervention classes).

    A subclass is the whole of an intervention: it fixes ``type`` to its name with a
    ``Literal``, declares its arguments as fields, says what it does in :meth:`apply`,
    words itself in :meth:`describe` and :attr:`short_label`, and registers itself in
    :data:`INTERVENTION_TYPES` when it is defined. Scenario files, ``model.intervene``,
    ``model.schedule``, the comparison report and the app all take it from there.

    Build one with keyword arguments, like any pydantic model (a value it does not take
    raises pydantic's ``ValidationError``, a ``ValueError``), or with
    :func:`make_intervention` or the model's methods, which raise
    :class:`~simulation.core.errors.InputError` naming the argument and what it takes.

    Attributes:
        month: The month whose step starts by applying it (0: at set-up).
        label: An optional name for the event, so that a sweep can vary its fields
            (``events.LABEL.month``); it changes nothing in the run.
        short_label: A few words that mark the intervention on the app's time series
            (a class attribute).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    short_label: ClassVar[str] = ""

    month: Month
    type: str  # each subclass fixes it to the intervention's name
    label: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]+$", max_length=100)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Register a subclass that names itself (a ``Literal`` default for ``type``)."""
        super().__pydantic_init_subclass__(**kwargs)
        name = cls.model_fields["type"].default
        if not isinstance(name, str):
            return  # an abstract intermediate class: nothing to register
        if name in INTERVENTION_TYPES:
            raise TypeError(
                f"{cls.__name__}: intervention type {name!r} is taken by "
                f"{INTERVENTION_TYPES[name].__name__}"
            )
        if not cls.short_label:
            cls.short_label = name.replace("_", " ")
        INTERVENTION_TYPES[name] = cls

    @classmethod
    def arguments(cls) -> tuple[str, ...]:
        """The intervention's own arguments, in order (not ``month``, ``type``, ``label``)."""
        return tuple(name for name in cls.model_fields if name not in ("month", "type", "label"))

    def describe(self) -> str:
        """What the intervention does, as a planner would say it (the report's words).

        Returns:
            E.g. ``"appoint a champion at executive level in all organisations"``; this
            default names the type and its arguments.
        """
        arguments = {name: getattr(self, name) for name in self.arguments() if name != "orgs"}
        details = ", ".join(f"{name} = {shown(value)}" for name, value in arguments.items())
        action = self.type.replace("_", " ") + (f" ({details})" if details else "")
        return f"{action} in {orgs_in_words(getattr(self, 'orgs', 'all'))}"

    def check(self, model: SectorModel) -> None:
        """Refuse now what does not fit ``model`` (organisation ids beyond its sector).

        Args:
            model: The sector model it is meant for.

        Raises:
            InputError: Naming the intervention and the ids.
        """
        orgs = getattr(self, "orgs", "all")
        if isinstance(orgs, tuple):
            problem = org_range_problem(orgs, model.n_orgs, model.org_names)
            if problem is not None:
                raise InputError(f"{self.type}: orgs = {list(orgs)}: {problem}")

    def apply(self, model: SectorModel) -> None:
        """Carry out the intervention on ``model`` now.

        Args:
            model: The sector model.
        """
        raise NotImplementedError


class ManagementTraining(Intervention):
    """Train managers about peer roles: their understanding and exposure rise at once.

    Each reached manager closes ``training_understanding`` of the gap to full
    understanding and ``training_exposure`` of the gap to full exposure.

    Attributes:
        orgs: Which organisations.
        coverage: Share of their managers reached, drawn person by person.
    """

    type: Literal["management_training"] = "management_training"
    orgs: Orgs = "all"
    coverage: Coverage = 1.0

    short_label: ClassVar[str] = "mgmt training"

    def describe(self) -> str:  # noqa: D102 - see the base class
        who = share_in_words(self.coverage, "managers")
        return f"management training for {who} in {orgs_in_words(self.orgs)}"

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        managers = _staff_in(model, self.orgs, *MANAGER_KINDS)
        reached = _reached(model, self.type, managers, self.coverage)
        staff, p = model.staff, model.params
        staff.understanding[reached] += p.training_understanding * (
            1.0 - staff.understanding[reached]
        )
        staff.exposure[reached] += p.training_exposure * (1.0 - staff.exposure[reached])


class WorkforceTraining(Intervention):
    """Train the non-peer workforce: stigma falls by ``training_stigma``, exposure rises.

    Attributes:
        orgs: Which organisations.
        coverage: Share of their managers and clinicians reached, drawn person by person.
    """

    type: Literal["workforce_training"] = "workforce_training"
    orgs: Orgs = "all"
    coverage: Coverage = 1.0

    short_label: ClassVar[str] = "workforce training"

    def describe(self) -> str:  # noqa: D102 - see the base class
        who = share_in_words(self.coverage, "non-peer staff")
        return f"anti-stigma training for {who} in {orgs_in_words(self.orgs)}"

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        non_peers = _staff_in(model, self.orgs, *NON_PEER_KINDS)
        reached = _reached(model, self.type, non_peers, self.coverage)
        staff, p = model.staff, model.params
        staff.stigma[reached] *= 1.0 - p.training_stigma
        staff.exposure[reached] += p.training_exposure * (1.0 - staff.exposure[reached])


class AppointChampion(Intervention):
    """Appoint a champion at ``level`` in each organisation: its most committed non-champion.

    Attributes:
        level: ``executive``, ``senior``, ``team_leader``, ``clinician`` or ``peer_leader``.
        orgs: Which organisations (those with nobody eligible at that level are skipped).
    """

    type: Literal["appoint_champion"] = "appoint_champion"
    level: Level = "executive"
    orgs: Orgs = "all"

    short_label: ClassVar[str] = "champion +"

    def describe(self) -> str:  # noqa: D102 - see the base class
        level = self.level.replace("_", " ")
        return f"appoint a champion at {level} level in {orgs_in_words(self.orgs)}"

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        staff = model.staff
        candidates = _staff_in(model, self.orgs, CHAMPION_LEVELS[self.level])
        candidates = candidates[~staff.champion[candidates]]
        if candidates.size == 0:
            return
        order = np.lexsort((-staff.commitment[candidates], staff.org[candidates]))
        ranked = candidates[order]
        first = np.r_[True, staff.org[ranked][1:] != staff.org[ranked][:-1]]
        staff.champion[ranked[first]] = True


class RemoveChampion(Intervention):
    """Take the champion role away in each organisation (a champion leaves or steps back).

    Without ``level``, each chosen organisation loses its most powerful champion (the most
    committed among equals); with ``level``, every champion at that level. Organisations
    without such a champion are skipped. The study: losing the only champion stalls progress.

    Attributes:
        level: ``executive``, ``senior``, ``team_leader``, ``clinician``, ``peer_leader``
            or ``None`` (the most powerful champion).
        orgs: Which organisations.
    """

    type: Literal["remove_champion"] = "remove_champion"
    level: ChampionLevel = None
    orgs: Orgs = "all"

    short_label: ClassVar[str] = "champion -"

    def describe(self) -> str:  # noqa: D102 - see the base class
        if self.level is None:
            who = "the most powerful champion"
        else:
            who = f"every champion at {self.level.replace('_', ' ')} level"
        return f"{who} leaves, in {orgs_in_words(self.orgs)}"

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        staff = model.staff
        kinds = CHAMPION_LEVELS.values() if self.level is None else [CHAMPION_LEVELS[self.level]]
        champions = _staff_in(model, self.orgs, *kinds)
        champions = champions[staff.champion[champions]]
        if champions.size and self.level is None:
            power = POWER[staff.kind[champions]]
            order = np.lexsort((-staff.commitment[champions], -power, staff.org[champions]))
            ranked = champions[order]
            champions = ranked[np.r_[True, staff.org[ranked][1:] != staff.org[ranked][:-1]]]
        staff.champion[champions] = False


class HireLeLeader(Intervention):
    """Hire an LE leader onto the executive team of each organisation lacking one.

    Attributes:
        orgs: Which organisations.
    """

    type: Literal["hire_le_leader"] = "hire_le_leader"
    orgs: Orgs = "all"

    short_label: ClassVar[str] = "LE leader"

    def describe(self) -> str:  # noqa: D102 - see the base class
        return (
            f"hire a lived-experience leader onto the executive team in {orgs_in_words(self.orgs)} "
            "(where there is none)"
        )

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        chosen = select_orgs(model, self.orgs)
        chosen = chosen[model.orgs.le_leader[chosen] < 0]
        if chosen.size:
            model.hire(chosen, model.structure.exec_unit[chosen], Kind.PEER_LEADER)


class VisitsProgramme(Intervention):
    """Raise managers' visit rate to ``rate``; it never lowers an existing rate.

    Attributes:
        orgs: Which organisations' managers visit more.
        rate: Visits per manager per month (``None``: ``visits_programme_rate``).
    """

    type: Literal["visits_programme"] = "visits_programme"
    orgs: Orgs = "all"
    rate: Rate = None

    short_label: ClassVar[str] = "visits"

    def describe(self) -> str:  # noqa: D102 - see the base class
        pace = "the default rate" if self.rate is None else f"{self.rate:g} visits a month"
        where = orgs_in_words(self.orgs)
        return f"visits programme: managers visit peer services at {pace} in {where}"

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        rate = model.params.visits_programme_rate if self.rate is None else self.rate
        chosen = select_orgs(model, self.orgs)
        levers = model.orgs.levers["visit_rate"]
        levers[chosen] = np.maximum(levers[chosen], rate)


class ManagerNetwork(Intervention):
    """Switch on (or off) a support network for managers hiring peers.

    Attributes:
        orgs: Which organisations' managers join.
        enabled: On or off.
    """

    type: Literal["manager_network"] = "manager_network"
    orgs: Orgs = "all"
    enabled: Enabled = True

    short_label: ClassVar[str] = "mgr network"

    def describe(self) -> str:  # noqa: D102 - see the base class
        verb = "start" if self.enabled else "end"
        return f"{verb} a support network for managers hiring peers in {orgs_in_words(self.orgs)}"

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        model.orgs.levers["manager_network"][select_orgs(model, self.orgs)] = self.enabled


class SetParameter(Intervention):
    """Set a parameter from now on (``set``).

    Levers in :data:`~simulation.core.parameters.ORG_LEVERS` can be set for a subset of
    organisations; any other parameter only sector-wide, and set-up parameters
    (:data:`~simulation.core.parameters.SETUP_ONLY`: sizes, the initial state) not at all.

    Attributes:
        name: Parameter name.
        value: New value, held as the parameter holds it (checked like a model argument).
        orgs: Which organisations (a subset only for levers).
    """

    type: Literal["set"] = "set"
    name: Annotated[str, Takes(TAKES_PARAMETER_NAME)]
    value: Annotated[Any, Takes("a value of the parameter")]
    orgs: Orgs = "all"

    short_label: ClassVar[str] = "set"

    def describe(self) -> str:  # noqa: D102 - see the base class
        value = self.value
        if is_boolean(value):
            words = "true" if value else "false"
        else:
            words = shown(list(value) if isinstance(value, tuple) else value)
        return f"set {self.name} to {words} in {orgs_in_words(self.orgs)}"

    @field_validator("name", mode="plain")
    @classmethod
    def _settable(cls, name: Any) -> str:
        if not isinstance(name, str):
            raise argument_refusal(TAKES_PARAMETER_NAME)
        if name not in PARAMETER_NAMES:
            hint = did_you_mean(name, PARAMETER_NAMES)
            raise PydanticCustomError(
                REFUSAL_TYPE,
                "unknown parameter; {hint}allowed: a field of simulation.Parameters "
                "(docs/ODD.md section 10) other than the set-up ones",
                {"hint": hint},
            )
        if name in SETUP_ONLY:
            raise PydanticCustomError(
                REFUSAL_TYPE,
                "only shapes the sector at month 0 and cannot change later; allowed: any "
                "parameter except {setup} (give those to the model when it is built)",
                {"setup": ", ".join(SETUP_ONLY)},
            )
        return name

    @field_validator("value", mode="plain")
    @classmethod
    def _valid_value(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.data.get("name")
        if name is None:  # the name was refused already
            return value
        try:
            validated = validate_parameters({name: value}, owner="set")
        except ParameterError:
            raise PydanticCustomError(
                REFUSAL_TYPE,
                "must be {allowed} (for {name})",
                {"allowed": allowed_values(name), "name": name},
            ) from None
        return getattr(validated, name)

    @field_validator("orgs")
    @classmethod
    def _subset_only_for_levers(cls, orgs: str | tuple[int, ...], info: ValidationInfo) -> Any:
        name = info.data.get("name")
        if name is not None and name not in ORG_LEVERS and orgs != "all":
            raise PydanticCustomError(
                REFUSAL_TYPE,
                '{name} is sector-wide; allowed: "all" (only {levers} can be set for some '
                "organisations)",
                {"name": name, "levers": ", ".join(ORG_LEVERS)},
            )
        return orgs

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        name = self.name
        validated = validate_parameters({**model.params.model_dump(), name: self.value}, "set")
        if name in ORG_LEVERS:
            model.orgs.levers[name][select_orgs(model, self.orgs)] = getattr(validated, name)
        if self.orgs == "all":
            model.params = validated
        if name == "staff_turnover":
            # Waiting times are memoryless: redraw everyone's at the new rate, counting from
            # the last month whose turnover has run (so this month's turnover, if still to
            # come, takes its share at the new rate, and no month takes two).
            others = model.staff.slots_of(*NON_PEER_KINDS)
            model.staff.leave_month[others] = leave_months(model, others, model.turnover_month)


def any_intervention() -> Any:
    """The type of any intervention, told apart by its ``type``: a union of the registry.

    Returns:
        ``Annotated[Union[...], Field(discriminator="type")]`` over every class in
        :data:`INTERVENTION_TYPES` now (a class defined later is in the next call's union).
    """
    return Annotated[Union[tuple(INTERVENTION_TYPES.values())], Field(discriminator="type")]  # noqa: UP007 - a union built from a tuple


#: Any intervention of this module, told apart by its ``type`` (what a scenario file's event
#: is read as); :func:`any_intervention` gives the union of the registry as it is now.
AnyIntervention = any_intervention()


def describe_refusal(cls: type[Intervention], error: ValidationError) -> str:
    """One message for everything ``cls`` refused: ``name: argument = value: what it takes``.

    Args:
        cls: The intervention class.
        error: Its validation error.

    Returns:
        The message, problems separated by ``; ``.
    """
    name = cls.model_fields["type"].default
    problems = describe_errors(
        error,
        allowed=lambda argument: takes(cls, argument),
        unknown=lambda argument: (
            f"unknown argument {argument!r}; {name} takes month, "
            f"{', '.join(cls.arguments()) or 'no other argument'}"
        ),
        own_reasons=(REFUSAL_TYPE,),
    )
    return f"{name}: {'; '.join(problems)}"


def make_intervention(month: Any, name: Any, /, **arguments: Any) -> Intervention:
    """Build the intervention ``name`` at ``month`` from its keyword arguments.

    Args:
        month: The month it applies.
        name: A name in :data:`INTERVENTION_TYPES`.
        **arguments: Its arguments (for ``set``: ``name``, ``value`` and optionally ``orgs``).

    Returns:
        The intervention.

    Raises:
        InputError: For an unknown intervention, an unknown argument or a value it does
            not take.
    """
    known = ", ".join(INTERVENTION_TYPES)
    if isinstance(name, Intervention):
        raise InputError(
            f"{name.type}: give an intervention object alone (it carries its month), or a "
            f"month and a name with its arguments"
        )
    if name is None:
        raise InputError(f"no intervention given: give an intervention object or one of {known}")
    if not isinstance(name, str) or name not in INTERVENTION_TYPES:
        hint = did_you_mean(name, INTERVENTION_TYPES) if isinstance(name, str) else ""
        raise InputError(f"unknown intervention {shown(name)}; {hint}use one of {known}")
    if "month" in arguments:
        raise InputError(
            f"{name}: month is given twice: it comes from the call (schedule's first "
            f"argument; the current month for intervene)"
        )
    if "type" in arguments:
        raise InputError(f"{name}: type is given twice: it is the intervention's name")
    return _build(INTERVENTION_TYPES[name], {"month": month, **arguments})


def _build(cls: type[Intervention], arguments: dict[str, Any]) -> Intervention:
    """``cls(**arguments)``, refusing bad values with an :class:`InputError`."""
    try:
        return cls(**arguments)
    except ValidationError as error:
        raise InputError(describe_refusal(cls, error)) from None


class Interventions:
    """Mixin giving :class:`~simulation.core.model.SectorModel` its way to intervene.

    :meth:`intervene` applies an intervention now; :meth:`schedule` keeps one for a later
    month. Both take an intervention object or a name in :data:`INTERVENTION_TYPES` with
    the intervention's arguments, so a new intervention class needs no new method.
    """

    def select_orgs(self: SectorModel, orgs: Any = "all") -> np.ndarray:
        """Resolve an organisation selection to sorted indices (see :func:`select_orgs`).

        Args:
            orgs: ``"all"``, ``"with_peers"``, ``"without_peers"``, ``"exposure:<class>"``,
                an organisation id or a list of ids (or, with a sector file, names).

        Returns:
            Organisation indices.
        """
        return select_orgs(self, orgs)

    def schedule(
        self: SectorModel,
        when: int | Intervention,
        intervention: str | None = None,
        /,
        **arguments: Any,
    ) -> Intervention:
        """Schedule an intervention (applied now if it is due this month; the month rule above).

        Either ``schedule(intervention_object)`` or ``schedule(month, name, **arguments)``:
        ``schedule(12, "set", name="pay_parity", value=1.0)`` is
        ``schedule(SetParameter(month=12, name="pay_parity", value=1.0))``.

        Args:
            when: The month it applies (not before the current one), or an intervention.
            intervention: With a month, a name in :data:`INTERVENTION_TYPES`.
            **arguments: With a month, the intervention's arguments.

        Returns:
            The scheduled intervention.

        Raises:
            InputError: For an unknown intervention, bad arguments or values (all checked
                now, so a scheduled intervention cannot fail later), or a past month.
        """
        if isinstance(when, Intervention):
            if intervention is not None or arguments:
                raise InputError(
                    "schedule: give an intervention object alone, or a month, a name and "
                    "the intervention's arguments"
                )
            event = when
        elif isinstance(when, str) and intervention is None:
            raise InputError(
                f"schedule: {shown(when)} needs a month first, as in schedule(12, "
                f"{shown(when)}, ...), or give an intervention object"
            )
        else:
            event = make_intervention(when, intervention, **arguments)
        event.check(self)
        if event.month < self.month:
            raise InputError(
                f"{event.type}: month = {event.month} is in the past (now {self.month})"
            )
        if event.month == self.month:
            event.apply(self)
        else:
            self.scheduled_events.append(event)
        return event

    def intervene(
        self: SectorModel, intervention: str | Intervention, /, **arguments: Any
    ) -> Intervention:
        """Apply an intervention now (at the current month; see the month rule above).

        ``model.intervene("appoint_champion", level="senior", orgs=[3])`` is
        ``model.intervene(AppointChampion(month=model.month, level="senior", orgs=[3]))``;
        ``model.intervene("set", name="pay_parity", value=1.0)`` sets a parameter.

        Args:
            intervention: A name in :data:`INTERVENTION_TYPES`, or an intervention object
                whose month is the current one.
            **arguments: With a name, the intervention's arguments (see its class).

        Returns:
            The intervention applied.

        Raises:
            InputError: For an unknown intervention, bad arguments or values, or an object
                of another month (use :meth:`schedule` for a later one).
        """
        if isinstance(intervention, Intervention):
            if arguments:
                raise InputError(
                    "intervene: give an intervention object alone, or a name and the "
                    "intervention's arguments"
                )
            if intervention.month != self.month:
                raise InputError(
                    f"{intervention.type}: month = {intervention.month} is not now (month "
                    f"{self.month}); model.schedule applies it at its month"
                )
            return self.schedule(intervention)
        return self.schedule(make_intervention(self.month, intervention, **arguments))
