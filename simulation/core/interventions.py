"""Interventions (docs/ODD.md section 6): one class each, declaring its arguments and its effect.

An intervention is a frozen pydantic model: its fields are the intervention's arguments
(with ``month`` and, where it applies, ``orgs``), its ``type`` names it, and
:meth:`Intervention.apply` does the work on a model. The same objects serve every caller:

- the model's methods (``model.management_training(orgs=[1])``) build one for the current
  month and apply it at once;
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
is refused. The model's methods, ``schedule`` and :func:`make_intervention` refuse with an
:class:`~simulation.core.errors.InputError` naming the intervention, the argument, its value and
what it takes (a class built directly raises pydantic's ``ValidationError`` with the same
reasons; a scenario file's events are reported by field path, ``events[2].coverage``).

Organisation selections (``orgs``) are ``"all"``, ``"with_peers"``, ``"without_peers"``
(judged when the intervention is applied), an initial exposure class
(``"exposure:none"``, ``"exposure:some"``, ``"exposure:significant"``), an organisation id
or a list of ids and, in a sector from a sector file, of organisation names
(``orgs = ["Northside CMHT", 2]``; a name not in the sector gets a "did you mean").
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from simulation.core.errors import InputError
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
from simulation.core.sector_file import unknown_name_hint
from simulation.core.state import POWER, Kind

if TYPE_CHECKING:
    from simulation.core.model import SectorModel

CHAMPION_LEVELS: dict[str, Kind] = {
    "executive": Kind.EXECUTIVE,
    "senior": Kind.SENIOR,
    "team_leader": Kind.TEAM_LEADER,
    "clinician": Kind.CLINICIAN,
    "peer_leader": Kind.PEER_LEADER,
}

#: The organisation selections ``orgs`` may name (besides organisation ids).
ORG_SELECTORS: tuple[str, ...] = (
    "all",
    "with_peers",
    "without_peers",
    *(f"exposure:{name}" for name in EXPOSURE_CLASSES),
)

#: What each argument of an intervention takes, in words (used by every error message).
ALLOWED: dict[str, str] = {
    "month": "an integer >= 0",
    "orgs": ", ".join(f'"{name}"' for name in ORG_SELECTORS)
    + ", an organisation id or a list of organisation ids (integers >= 0, at least one), "
    'e.g. [0, 3], or of organisation names from a sector file, e.g. ["Inpatient"]',
    "coverage": "a number between 0 and 1",
    "rate": "a number between 0 and 1 (leave it out for visits_programme_rate)",
    "level": "one of " + ", ".join(f'"{level}"' for level in CHAMPION_LEVELS),
    "champion_level": "one of "
    + ", ".join(f'"{level}"' for level in CHAMPION_LEVELS)
    + " (leave it out for the most powerful champion)",
    "enabled": "true or false",
    "name": "the name of a parameter that may change after set-up (a string)",
    "value": "a value of the parameter",
}

#: The pydantic error type of every refusal of an argument's value (its message says why).
REFUSAL_TYPE = "intervention_argument"


def _refusal(argument: str, reason: str = "") -> PydanticCustomError:
    """The error for a value ``argument`` does not take (``reason`` comes first if given)."""
    return PydanticCustomError(
        REFUSAL_TYPE, "{reason}must be {allowed}", {"reason": reason, "allowed": ALLOWED[argument]}
    )


def _is_integer(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _month(value: Any) -> int:
    if _is_integer(value) and value >= 0:
        return int(value)
    raise _refusal("month")


def _share(argument: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if _is_number(value) and 0.0 <= value <= 1.0:  # NaN fails both comparisons
            return float(value)
        raise _refusal(argument)

    return check


def _rate(value: Any) -> float | None:
    return None if value is None else _share("rate")(value)


def _level(value: Any) -> str:
    if isinstance(value, str) and value in CHAMPION_LEVELS:
        return value
    raise _refusal("level")


def _champion_level(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value in CHAMPION_LEVELS):
        return value
    raise _refusal("champion_level")


def _enabled(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise _refusal("enabled")


def _orgs(value: Any) -> str | tuple[int | str, ...]:
    """An organisation selection: a selector name, or organisation ids then names.

    Ids come sorted, names (resolved against the sector when it is known) in the order
    given, each once.
    """
    if isinstance(value, str):
        if value in ORG_SELECTORS:
            return value
        raise _refusal("orgs")
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim == 1 else None
    if _is_integer(value):
        value = [value]
    if not isinstance(value, list | tuple | range):
        raise _refusal("orgs")
    ids = [org for org in value if _is_integer(org)]
    names = [org for org in value if isinstance(org, str) and org]
    if len(ids) + len(names) != len(value):
        raise _refusal("orgs")
    if len(value) == 0:
        raise _refusal("orgs", "selects no organisation; ")
    if ids and min(ids) < 0:
        raise _refusal("orgs", "organisation ids cannot be negative; ")
    return (*sorted({int(org) for org in ids}), *dict.fromkeys(names))


Month = Annotated[int, PlainValidator(_month, json_schema_input_type=int)]
# The serializer is given, because pydantic's own for a plainly validated union checks the
# value against each member and warns (four lines, an error under -W error) for a tuple.
Orgs = Annotated[
    str | tuple[int | str, ...],
    PlainValidator(_orgs, json_schema_input_type=str | int | list[int]),
    PlainSerializer(lambda orgs: orgs, return_type=Any),
]
Coverage = Annotated[float, PlainValidator(_share("coverage"), json_schema_input_type=float)]
Rate = Annotated[float | None, PlainValidator(_rate, json_schema_input_type=float | None)]
Level = Annotated[str, PlainValidator(_level, json_schema_input_type=str)]
ChampionLevel = Annotated[
    str | None, PlainValidator(_champion_level, json_schema_input_type=str | None)
]
Enabled = Annotated[bool, PlainValidator(_enabled, json_schema_input_type=bool)]


def org_range_problem(
    orgs: tuple[int | str, ...], n_orgs: int, names: tuple[str, ...] | None = None
) -> str | None:
    """Why organisations ``orgs`` are not in the sector, or ``None`` if they all are.

    Args:
        orgs: Organisation ids and names (as an intervention holds them).
        n_orgs: Organisations in the sector.
        names: The sector's organisation names (None for a generated sector).

    Returns:
        A phrase such as ``"organisation id 9 is out of range; allowed: ids 0 to 3"``.
    """
    for org in orgs:
        if isinstance(org, str) and org not in (names or ()):
            if names is None:
                return (
                    f"organisation name {org!r}: a generated sector has no names; allowed: "
                    f"ids 0 to {n_orgs - 1}, or names with a sector file"
                )
            return f"organisation name {org!r}, {unknown_name_hint(org, names)}"
    ids = [org for org in orgs if not isinstance(org, str)]
    if not ids or max(ids) < n_orgs:
        return None
    return (
        f"organisation id {max(ids)} is out of range; allowed: ids 0 to {n_orgs - 1} "
        f"(n_orgs = {n_orgs})"
    )


def org_ids(orgs: tuple[int | str, ...], names: tuple[str, ...] | None) -> np.ndarray:
    """Sorted organisation ids of checked ids and names (see :func:`org_range_problem`)."""
    index = {name: org for org, name in enumerate(names or ())}
    ids = {org if not isinstance(org, str) else index[org] for org in orgs}
    return np.asarray(sorted(ids), dtype=np.int64)


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
        orgs = _orgs(orgs)
    except PydanticCustomError as error:
        raise InputError(f"orgs = {_shown(orgs)}: {error.message()}") from None
    every = np.arange(model.n_orgs)
    if isinstance(orgs, tuple):
        problem = org_range_problem(orgs, model.n_orgs, model.org_names)
        if problem is not None:
            raise InputError(f"orgs = {list(orgs)}: {problem}")
        return org_ids(orgs, model.org_names)
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
    draws = model.streams.uniform(stream, model.month, model.staff.key[slots])
    return slots[draws < coverage]


def _shown(value: Any, limit: int = 80) -> str:
    """``repr(value)``, shortened to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Intervention(BaseModel):
    """An intervention at a month (the base of the intervention classes).

    Build a subclass with keyword arguments, like any pydantic model (a value it does not
    take raises pydantic's ``ValidationError``, a ``ValueError``), or with
    :func:`make_intervention` or the model's methods, which raise
    :class:`~simulation.core.errors.InputError` naming the argument and what it takes.

    Attributes:
        month: The month whose step starts by applying it (0: at set-up).
        label: An optional name for the event, so that a sweep can vary its fields
            (``events.LABEL.month``); it changes nothing in the run.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    month: Month
    type: str  # each subclass fixes it to the intervention's name
    label: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]+$", max_length=100)

    @classmethod
    def arguments(cls) -> tuple[str, ...]:
        """The intervention's own arguments, in order (not ``month``, ``type``, ``label``)."""
        return tuple(name for name in cls.model_fields if name not in ("month", "type", "label"))

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

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        managers = _staff_in(model, self.orgs, Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER)
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

    def apply(self, model: SectorModel) -> None:  # noqa: D102 - see the base class
        kinds = (Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER, Kind.CLINICIAN)
        reached = _reached(model, self.type, _staff_in(model, self.orgs, *kinds), self.coverage)
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
    name: str
    value: Any
    orgs: Orgs = "all"

    @field_validator("name", mode="plain")
    @classmethod
    def _settable(cls, name: Any) -> str:
        if not isinstance(name, str):
            raise _refusal("name")
        if name not in PARAMETER_NAMES:
            close = difflib.get_close_matches(name, PARAMETER_NAMES, n=3)
            hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
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
            others = model.staff.slots_of(
                Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER, Kind.CLINICIAN
            )
            model.staff.leave_month[others] = leave_months(model, others, model.turnover_month)


#: Each intervention's class, keyed by its name (the ``type`` of a scenario event).
INTERVENTION_TYPES: dict[str, type[Intervention]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        ManagementTraining,
        WorkforceTraining,
        AppointChampion,
        RemoveChampion,
        HireLeLeader,
        VisitsProgramme,
        ManagerNetwork,
        SetParameter,
    )
}

#: The interventions' names, in the order of docs/ODD.md section 6.
INTERVENTIONS: tuple[str, ...] = tuple(INTERVENTION_TYPES)

#: Any intervention, told apart by its ``type`` (what a scenario file's event is read as).
AnyIntervention = Annotated[
    ManagementTraining
    | WorkforceTraining
    | AppointChampion
    | RemoveChampion
    | HireLeLeader
    | VisitsProgramme
    | ManagerNetwork
    | SetParameter,
    Field(discriminator="type"),
]


def describe_refusal(cls: type[Intervention], error: ValidationError) -> str:
    """One message for everything ``cls`` refused: ``name: argument = value: what it takes``.

    Args:
        cls: The intervention class.
        error: Its validation error.

    Returns:
        The message, problems separated by ``; ``.
    """
    name = cls.model_fields["type"].default
    problems = []
    for item in error.errors():
        argument = ".".join(map(str, item["loc"]))
        if item["type"] == "missing":
            problems.append(f"{argument} is missing; it must be {ALLOWED.get(argument, 'given')}")
        elif item["type"] == "extra_forbidden":
            problems.append(
                f"unknown argument {argument!r}; {name} takes month, "
                f"{', '.join(cls.arguments()) or 'no other argument'}"
            )
        elif item["type"] == REFUSAL_TYPE:
            problems.append(f"{argument} = {_shown(item['input'])}: {item['msg']}")
        else:
            problems.append(f"{argument} = {_shown(item['input'])}: {item['msg'].lower()}")
    return f"{name}: {'; '.join(problems)}"


def make_intervention(month: Any, name: Any, /, **arguments: Any) -> Intervention:
    """Build the intervention ``name`` at ``month`` from its keyword arguments.

    Args:
        month: The month it applies.
        name: One of :data:`INTERVENTIONS`.
        **arguments: Its arguments (for ``set``: ``name``, ``value`` and optionally ``orgs``).

    Returns:
        The intervention.

    Raises:
        InputError: For an unknown intervention, an unknown argument or a value it does
            not take.
    """
    if not isinstance(name, str) or name not in INTERVENTION_TYPES:
        raise InputError(f"unknown intervention {name!r}; use one of {', '.join(INTERVENTIONS)}")
    if "month" in arguments or "type" in arguments:
        clash = "month" if "month" in arguments else "type"
        raise InputError(f"{name}: {clash} is given twice (it is not one of its arguments)")
    return _build(INTERVENTION_TYPES[name], {"month": month, **arguments})


def _build(cls: type[Intervention], arguments: dict[str, Any]) -> Intervention:
    """``cls(**arguments)``, refusing bad values with an :class:`InputError`."""
    try:
        return cls(**arguments)
    except ValidationError as error:
        raise InputError(describe_refusal(cls, error)) from None


def _method(cls: type[Intervention]) -> Callable[..., None]:
    """The model method that applies ``cls`` now: its arguments are the class's fields."""
    name = cls.model_fields["type"].default
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    for argument in cls.arguments():
        field = cls.model_fields[argument]
        default = inspect.Parameter.empty if field.is_required() else field.default
        parameters.append(
            inspect.Parameter(
                argument,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=default,
                annotation=field.annotation,
            )
        )
    signature = inspect.Signature(parameters, return_annotation=None)

    def method(self: SectorModel, /, *args: Any, **kwargs: Any) -> None:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as error:
            raise InputError(f"{name}: {error}") from None
        arguments = {key: value for key, value in bound.arguments.items() if key != "self"}
        intervention = _build(cls, {"month": self.month, **arguments})
        intervention.check(self)
        intervention.apply(self)

    method.__name__ = method.__qualname__ = name
    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__doc__ = (
        f"{cls.__doc__}\n\nApplies :class:`{cls.__name__}` now (see its attributes for the "
        "arguments).\n\nRaises:\n    InputError: For a value the intervention does not take."
    )
    return method


class Interventions:
    """Mixin giving :class:`~simulation.core.model.SectorModel` its intervention methods.

    Each method builds its intervention (:data:`INTERVENTION_TYPES`) for the current month
    and applies it at once; :meth:`schedule` keeps one for a later month.
    """

    management_training = _method(ManagementTraining)
    workforce_training = _method(WorkforceTraining)
    appoint_champion = _method(AppointChampion)
    remove_champion = _method(RemoveChampion)
    hire_le_leader = _method(HireLeLeader)
    visits_programme = _method(VisitsProgramme)
    manager_network = _method(ManagerNetwork)
    set = _method(SetParameter)

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
            intervention: With a month, one of :data:`INTERVENTIONS`.
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
