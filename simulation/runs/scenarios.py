"""Scenario files: a named, versionable run of the sector model with events at months.

A scenario file is TOML (docs/ODD.md section 6 documents the format)::

    name = "exec-champion"
    description = "An executive champion is appointed in every organisation in year 2."
    steps = 120
    replications = 30
    seed = 42

    [parameters]            # any model keyword argument (a field of simulation.Parameters)
    board_support = 0.5

    [[events]]
    month = 12
    type = "appoint_champion"
    level = "executive"
    orgs = "all"

Everything is checked when the file is read, before anything runs: unknown keys, wrong
types, values out of range, unknown parameters and event types, event months after the
last month, organisation ids outside the sector, and ``set`` events the model would
refuse. A :class:`ScenarioError` names the file and gives one line per problem with the
path of the offending field (``events[2].coverage``; events are counted from 0 in the
order of the file), its value and what is allowed.

An event at month ``m`` is applied at the start of the step that produces month ``m``
(``model.schedule(m, ...)``), so month ``m`` is the first row of the time series that
shows it; an event at month 0 is applied at set-up, before the first step. Events due in
the same month are applied in the order of the file.

The model never imports this module.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simulation.errors import InputError
from simulation.interventions import CHAMPION_LEVELS
from simulation.parameters import (
    EXPOSURE_CLASSES,
    ORG_LEVERS,
    PARAMETER_NAMES,
    SETUP_ONLY,
    ParameterError,
    Parameters,
    allowed_values,
    validate_parameters,
)
from simulation.runs.replications import (
    REPLICATION_COLUMNS,
    EventSpec,
    build_model,
    run_replications,
)

if TYPE_CHECKING:
    import pandas as pd

    from simulation.model import SectorModel

#: Every column of the frame returned by :func:`run_scenario`, in order.
SCENARIO_COLUMNS: tuple[str, ...] = ("scenario", *REPLICATION_COLUMNS)

#: The organisation selections an event's ``orgs`` may name (besides a list of ids).
ORG_SELECTORS: tuple[str, ...] = (
    "all",
    "with_peers",
    "without_peers",
    *(f"exposure:{name}" for name in EXPOSURE_CLASSES),
)

_ORGS_ALLOWED = (
    ", ".join(f'"{name}"' for name in ORG_SELECTORS)
    + " or a list of organisation ids (integers >= 0), e.g. [0, 3]"
)
_NAME_PATTERN = r"^[A-Za-z0-9_-]+$"
_PROBLEMS = "scenario_problems"  # error type carrying a list of problems in its context
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


class ScenarioError(InputError):
    """A scenario file cannot be read or is invalid.

    The message names the file and has one line per problem, e.g.
    ``x.toml: events[2].coverage = 1.5: must be a number between 0 and 1``.

    Attributes:
        source: The file (or ``"<string>"``) the scenario came from.
        problems: One line per problem, without the file name.
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        super().__init__(source, list(problems))
        self.source = source
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)


@dataclass(frozen=True)
class _Problem:
    """One problem found by a validator: a path relative to the validator's location."""

    path: tuple[str | int, ...]
    text: str
    value: Any = None
    has_value: bool = True


def _problems_error(problems: Sequence[_Problem]) -> PydanticCustomError:
    """A pydantic error that carries ``problems`` to :func:`_describe_errors`."""
    summary = "; ".join(f"{'.'.join(map(str, p.path))}: {p.text}" for p in problems)
    return PydanticCustomError(_PROBLEMS, "{summary}", {"summary": summary, "problems": problems})


def show(value: Any) -> str:
    """Write a value as it would appear in a TOML file (strings in double quotes).

    Args:
        value: A value read from a scenario file.

    Returns:
        Its TOML-like text, e.g. ``"ten"``, ``1.5``, ``true`` or ``[0, 3]``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float) and not math.isfinite(value):
        return {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key} = {show(item)}" for key, item in value.items()) + "}"
    return repr(value)


def _check_orgs(value: Any) -> str | tuple[int, ...]:
    """Validate an ``orgs`` selection: a selector name or a non-empty list of ids."""
    if isinstance(value, str) and value in ORG_SELECTORS:
        return value
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(item, int) and not isinstance(item, bool) for item in value)
    ):
        if min(value) < 0:
            raise PydanticCustomError(
                "scenario_orgs", f"organisation ids cannot be negative; must be {_ORGS_ALLOWED}"
            )
        return tuple(value)
    raise PydanticCustomError("scenario_orgs", f"must be {_ORGS_ALLOWED}")


Orgs = Annotated[str | tuple[int, ...], PlainValidator(_check_orgs)]
Coverage = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    """Frozen, strict, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Event(_Strict):
    """An intervention at a month (base of the event types).

    Attributes:
        month: The month whose step starts by applying it (0: at set-up).
    """

    month: int = Field(ge=0)

    def arguments(self) -> dict[str, Any]:
        """The intervention's keyword arguments (every field but ``month`` and ``type``).

        Returns:
            Argument name to value, as :meth:`SectorModel.schedule` takes them.
        """
        fields = type(self).model_fields
        return {name: getattr(self, name) for name in fields if name not in ("month", "type")}

    def spec(self) -> EventSpec:
        """This event as ``(month, intervention, arguments)`` for the experiment runner.

        Returns:
            The triple that :func:`simulation.runs.replications.build_model` schedules.
        """
        return (self.month, self.type, self.arguments())  # type: ignore[attr-defined]


class ManagementTraining(Event):
    """``management_training``: managers' understanding and exposure rise at once."""

    type: Literal["management_training"]
    orgs: Orgs = "all"
    coverage: Coverage = 1.0


class WorkforceTraining(Event):
    """``workforce_training``: the non-peer workforce's stigma falls at once."""

    type: Literal["workforce_training"]
    orgs: Orgs = "all"
    coverage: Coverage = 1.0


class AppointChampion(Event):
    """``appoint_champion``: the most committed non-champion at ``level`` becomes one."""

    type: Literal["appoint_champion"]
    level: Literal[tuple(CHAMPION_LEVELS)] = "executive"  # type: ignore[valid-type]
    orgs: Orgs = "all"


class HireLeLeader(Event):
    """``hire_le_leader``: an LE leader joins each executive team that lacks one."""

    type: Literal["hire_le_leader"]
    orgs: Orgs = "all"


class VisitsProgramme(Event):
    """``visits_programme``: managers' visit rate rises to ``rate``."""

    type: Literal["visits_programme"]
    orgs: Orgs = "all"
    rate: Coverage | None = None


class ManagerNetwork(Event):
    """``manager_network``: a support network for managers hiring peers (on or off)."""

    type: Literal["manager_network"]
    orgs: Orgs = "all"
    enabled: bool = True


class SetParameter(Event):
    """``set``: a parameter takes a new value from this month on."""

    type: Literal["set"]
    name: str
    value: Any
    orgs: Orgs = "all"

    @model_validator(mode="after")
    def _settable(self) -> SetParameter:
        problem = _setting_problem(self.name, self.value, self.orgs)
        if problem is not None:
            raise _problems_error([problem])
        return self


#: The event model of each intervention (MODEL.md section 8), keyed by ``type``.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (
        ManagementTraining,
        WorkforceTraining,
        AppointChampion,
        HireLeLeader,
        VisitsProgramme,
        ManagerNetwork,
        SetParameter,
    )
}

AnyEvent = Annotated[
    ManagementTraining
    | WorkforceTraining
    | AppointChampion
    | HireLeLeader
    | VisitsProgramme
    | ManagerNetwork
    | SetParameter,
    Field(discriminator="type"),
]


def _setting_problem(name: str, value: Any, orgs: Any) -> _Problem | None:
    """Why the model would refuse ``set(name, value, orgs)``, or ``None``."""
    if name not in Parameters.model_fields:
        close = difflib.get_close_matches(name, PARAMETER_NAMES, n=3)
        hint = f"did you mean {', '.join(show(c) for c in close)}? " if close else ""
        return _Problem(
            ("name",),
            f"unknown parameter; {hint}allowed: a field of simulation.Parameters "
            "(docs/ODD.md section 10) other than the set-up ones",
            name,
        )
    if name in SETUP_ONLY:
        return _Problem(
            ("name",),
            "only shapes the sector at month 0 and cannot change later; allowed: any "
            f"parameter except {', '.join(SETUP_ONLY)} (set those under [parameters])",
            name,
        )
    reason = _parameter_problem(name, value)
    if reason is not None:
        return _Problem(("value",), f"{reason} (for {name})", value)
    if name not in ORG_LEVERS and orgs != "all":
        return _Problem(
            ("orgs",),
            f'{name} is sector-wide; allowed: "all" (only {", ".join(ORG_LEVERS)} can be set '
            "for some organisations)",
            list(orgs) if isinstance(orgs, tuple) else orgs,
        )
    return None


def _parameter_problem(name: str, value: Any) -> str | None:
    """What is wrong with ``value`` for the known parameter ``name``, or ``None``."""
    try:
        validate_parameters({name: value})
    except ParameterError:
        return f"must be {allowed_values(name)}"
    return None


class Scenario(_Strict):
    """A scenario: settings, parameters and events of a run, checked when built.

    Build one with :meth:`load` (a TOML file), :meth:`from_text` or :meth:`from_data`,
    which raise :class:`ScenarioError`; constructing it directly raises pydantic's
    ``ValidationError``.

    Attributes:
        name: Letters, digits, ``-`` and ``_`` (it names the results directory).
        description: What the scenario represents.
        steps: Months per replication.
        replications: Independent replications.
        seed: Root seed of the replications' seeds.
        parameters: Model keyword arguments (fields of :class:`~simulation.Parameters`).
        events: Interventions at months, in the order of the file.
    """

    name: str = Field(pattern=_NAME_PATTERN, max_length=100)
    description: str = ""
    steps: int = Field(120, ge=1)
    replications: int = Field(20, ge=1)
    seed: int = Field(0, ge=0)
    parameters: dict[str, Any] = Field(default_factory=dict)
    events: tuple[AnyEvent, ...] = Field((), strict=False)  # an array in the file

    _text: str | None = PrivateAttr(None)
    _source: str | None = PrivateAttr(None)

    @field_validator("parameters")
    @classmethod
    def _valid_parameters(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        problems = []
        for name, value in parameters.items():
            if name not in Parameters.model_fields:
                close = difflib.get_close_matches(name, PARAMETER_NAMES, n=3)
                hint = f"did you mean {', '.join(show(c) for c in close)}? " if close else ""
                problems.append(
                    _Problem(
                        (name,),
                        f"unknown parameter; {hint}allowed: the {len(PARAMETER_NAMES)} fields "
                        "of simulation.Parameters (docs/ODD.md section 10)",
                        has_value=False,
                    )
                )
                continue
            reason = _parameter_problem(name, value)
            if reason is not None:
                problems.append(_Problem((name,), reason, value))
        if not problems:
            try:
                validate_parameters(parameters, owner="parameters")
            except ParameterError as error:  # a combination no single value shows
                problems.append(_Problem((), str(error), has_value=False))
        if problems:
            raise _problems_error(problems)
        return parameters

    @model_validator(mode="after")
    def _events_fit(self) -> Scenario:
        n_orgs = validate_parameters(self.parameters).n_orgs
        problems = []
        for index, event in enumerate(self.events):
            if event.month > self.steps:
                problems.append(
                    _Problem(
                        ("events", index, "month"),
                        f"after the last month (steps = {self.steps}); allowed: 0 to {self.steps}",
                        event.month,
                    )
                )
            orgs = event.orgs
            if isinstance(orgs, tuple) and max(orgs) >= n_orgs:
                problems.append(
                    _Problem(
                        ("events", index, "orgs"),
                        f"organisation id {max(orgs)} is out of range; allowed: ids 0 to "
                        f"{n_orgs - 1} (n_orgs = {n_orgs})",
                        list(orgs),
                    )
                )
        if problems:
            raise _problems_error(problems)
        return self

    # ---- building -------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read and check a scenario file.

        Args:
            path: A TOML file.

        Returns:
            The scenario, with the file's text in :attr:`text` and its path in
            :attr:`source`.

        Raises:
            ScenarioError: If the file is missing or unreadable, is not valid TOML, or
                describes an invalid scenario.
        """
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(source, ["no such scenario file"]) from None
        except IsADirectoryError:
            raise ScenarioError(source, ["is a directory, not a scenario file"]) from None
        except UnicodeDecodeError:
            raise ScenarioError(source, ["is not UTF-8 text (TOML files are)"]) from None
        except OSError as error:
            raise ScenarioError(source, [f"cannot be read ({error.strerror})"]) from None
        return cls.from_text(text, source=source)

    @classmethod
    def from_text(cls, text: str, source: str = "<string>") -> Scenario:
        """Parse and check a scenario written in TOML.

        Args:
            text: The TOML text.
            source: Where it came from, for messages.

        Returns:
            The scenario.

        Raises:
            ScenarioError: If the text is not valid TOML or the scenario is invalid.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            position = _TOML_POSITION.search(message)
            if position:
                line, column = position.groups()
                reason = message[: position.start()]
                message = f"line {line}, column {column}: invalid TOML: {reason}"
            else:
                message = f"invalid TOML: {message}"
            raise ScenarioError(source, [message]) from None
        return cls.from_data(data, source=source, text=text)

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], source: str = "<data>", text: str | None = None
    ) -> Scenario:
        """Check a scenario given as plain data (as read from TOML).

        Args:
            data: Keys and values of the file.
            source: Where it came from, for messages.
            text: The file's text, if any, kept in :attr:`text`.

        Returns:
            The scenario.

        Raises:
            ScenarioError: With one line per problem.
        """
        try:
            scenario = cls.model_validate(dict(data))
        except ValidationError as error:
            raise ScenarioError(source, _describe_errors(error, data)) from None
        scenario._source = source
        scenario._text = text
        return scenario

    @property
    def text(self) -> str | None:
        """The text of the file this scenario was read from (``None`` if built from data)."""
        return self._text

    @property
    def source(self) -> str | None:
        """The path (or ``"<string>"``) this scenario was read from."""
        return self._source

    def replace(self, *, context: str = "with the new settings", **changes: Any) -> Scenario:
        """A copy with some settings changed, checked again (``None`` values are ignored).

        Args:
            context: Added to the file name in error messages.
            **changes: New values of fields, e.g. ``steps=24`` or ``parameters={...}``
                (which replaces the whole table).

        Returns:
            The new scenario; it keeps this one's :attr:`text` and :attr:`source`.

        Raises:
            ScenarioError: If the result is invalid (an event after the new last month,
                say); the message names the file "with the new settings".
        """
        changes = {name: value for name, value in changes.items() if value is not None}
        data = self.model_dump() | changes
        source = f"{self.source or '<scenario>'} {context}"
        scenario = type(self).from_data(data, source=source, text=self.text)
        scenario._source = self.source
        return scenario

    def model_params(self) -> dict[str, Any]:
        """The model keyword arguments of the scenario (its ``[parameters]`` table).

        Returns:
            A new dict of parameter name to value.
        """
        return dict(self.parameters)

    def event_specs(self) -> list[EventSpec]:
        """The events as ``(month, intervention, arguments)`` triples, in file order.

        Returns:
            What :func:`simulation.runs.replications.build_model` schedules.
        """
        return [event.spec() for event in self.events]

    def build(self, seed: int) -> SectorModel:
        """Build the scenario's model at month 0 with every event scheduled.

        Events at month 0 have been applied already; the others apply at the start of the
        step that produces their month.

        Args:
            seed: The run's seed.

        Returns:
            The model, ready to step.
        """
        return build_model(seed, self.model_params(), self.event_specs())

    def manifest_entry(self) -> dict[str, Any]:
        """What a results manifest records about the scenario.

        Returns:
            Its name, description, file path, file text and events.
        """
        return {
            "name": self.name,
            "description": self.description,
            "path": self.source,
            "text": self.text,
            "events": [event.model_dump(mode="json") for event in self.events],
        }


def run_scenario(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    steps: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run replications of a scenario.

    Replication ``r`` runs with seed ``replication_seeds(seed, replications)[r]`` and is a
    pure function of the scenario and that seed, so the frame is the same however (and
    wherever) the replications run.

    Args:
        scenario: The scenario.
        replications: Replications (default: the scenario's).
        seed: Root seed (default: the scenario's).
        steps: Months per replication (default: the scenario's); every event must still
            fall within the run.
        progress: Show a progress bar on stderr.

    Returns:
        A long frame with columns :data:`SCENARIO_COLUMNS` (``scenario``, ``replication``,
        ``seed``, ``month`` and the 13 sector columns), one row per replication and month.

    Raises:
        ScenarioError: If an override is invalid or leaves an event after the last month.
    """
    scenario = scenario.replace(replications=replications, seed=seed, steps=steps)
    frame = run_replications(
        steps=scenario.steps,
        seed=scenario.seed,
        replications=scenario.replications,
        params=scenario.model_params(),
        events=scenario.event_specs(),
        progress=progress,
    )
    frame.insert(0, "scenario", scenario.name)
    return frame


# ---- error messages -----------------------------------------------------------------------

_SCENARIO_ALLOWED = {
    "name": 'a name of letters, digits, "-" and "_" (it names the results directory)',
    "description": "a string",
    "steps": "an integer >= 1 (months per replication)",
    "replications": "an integer >= 1",
    "seed": "an integer >= 0",
    "parameters": "a table of model parameters ([parameters])",
    "events": "an array of tables ([[events]])",
}
_EVENT_ALLOWED = {
    "month": "an integer >= 0",
    "orgs": _ORGS_ALLOWED,
    "coverage": "a number between 0 and 1",
    "rate": "a number between 0 and 1",
    "level": "one of " + ", ".join(f'"{level}"' for level in CHAMPION_LEVELS),
    "enabled": "true or false",
    "name": "a parameter name (a string)",
    "value": "a value of the parameter",
}
_EVENT_TYPES_ALLOWED = ", ".join(EVENT_TYPES)


def _path(loc: Sequence[str | int]) -> str:
    """``("events", 2, "coverage")`` -> ``"events[2].coverage"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _raw(data: Any, loc: Sequence[str | int]) -> Any:
    """The value at ``loc`` in the raw data, or ``None`` if there is none."""
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe_errors(error: ValidationError, data: Mapping[str, Any]) -> list[str]:
    """Turn pydantic's errors into one line each: ``path = value: what is allowed``."""
    lines: list[str] = []
    for item in error.errors():
        loc = list(item["loc"])
        event_type = None
        if len(loc) >= 3 and loc[0] == "events" and loc[2] in EVENT_TYPES:
            event_type = loc.pop(2)  # the union's tag is not part of the file's path
        kind = item["type"]
        if kind == _PROBLEMS:
            for problem in item["ctx"]["problems"]:
                path = _path([*loc, *problem.path])
                value = f" = {show(problem.value)}" if problem.has_value else ""
                lines.append(f"{path}{value}: {problem.text}" if path else problem.text)
            continue
        path = _path(loc)
        field = loc[-1] if loc else ""
        is_event = event_type is not None
        if kind == "extra_forbidden":
            fields = EVENT_TYPES[event_type].model_fields if is_event else Scenario.model_fields
            lines.append(f"{path}: unknown field; allowed: {', '.join(fields)}")
            continue
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            tag = _raw(data, [*loc, "type"])
            shown = f" = {show(tag)}" if kind == "union_tag_invalid" else ""
            reason = "unknown event type" if shown else "missing"
            lines.append(f"{path}.type{shown}: {reason}; allowed: {_EVENT_TYPES_ALLOWED}")
            continue
        if kind in ("model_type", "model_attributes_type", "dict_type") and len(loc) == 2:
            lines.append(
                f"{path} = {show(item['input'])}: must be a table with month and type "
                f"([[events]]); allowed types: {_EVENT_TYPES_ALLOWED}"
            )
            continue
        allowed = (_EVENT_ALLOWED if is_event else _SCENARIO_ALLOWED).get(str(field))
        if kind.startswith("scenario_"):
            reason = item["msg"]
        elif allowed is not None:
            reason = f"must be {allowed}"
        else:
            reason = item["msg"][:1].lower() + item["msg"][1:]
        if kind == "missing":
            lines.append(f"{path}: missing; {reason}")
        else:
            lines.append(f"{path} = {show(item['input'])}: {reason}")
    return lines
