"""Scenario files: a named, versionable run of the sector model with events at months.

A scenario file is TOML (docs/ODD.md section 6 documents the format)::

    name = "exec-champion"
    description = "An executive champion is appointed in every organisation in year 2."
    steps = 120
    replications = 30
    seed = 42
    sector = "../sectors/riverside.toml"   # optional: a sector file, relative to this one

    [parameters]            # any model keyword argument (a field of simulation.Parameters)
    board_support = 0.5

    [[events]]
    month = 12
    type = "appoint_champion"
    level = "executive"
    orgs = "all"

Each ``[[events]]`` table is read as the intervention class its ``type`` names
(:data:`simulation.core.interventions.AnyIntervention`): the classes declare the events' fields,
defaults and checks, and their month rule (stated in :mod:`simulation.core.interventions`)
is the scenario's. Events due in the same month are applied in the order of the file.

Everything is checked when the file is read, before anything runs: that the file is a
regular file of at most :data:`MAX_FILE_BYTES`, unknown keys, wrong types (the strict
rule of the interventions and parameters: no string is read as a number or a boolean),
values out of range, settings beyond the caps (:data:`MAX_STEPS`,
:data:`MAX_REPLICATIONS`), unknown parameters and event types, event months after the
last month, organisation ids outside the sector, and ``set`` events the model would
refuse. A :class:`ScenarioError` names the file and gives one line per problem with the
path of the offending field (``events[2].coverage``; events are counted from 0 in the
order of the file), its value and what is allowed. A UTF-8 byte order mark at the start
of a file is accepted (some editors write one) and left out of :attr:`Scenario.text`.

The model never imports this module.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simulation.core.errors import InputError, LewsimError, SettingsFileError
from simulation.core.intervention_arguments import REFUSAL_TYPE, org_range_problem, takes
from simulation.core.interventions import INTERVENTION_TYPES, AnyIntervention, any_intervention
from simulation.core.parameters import (
    PARAMETER_NAMES,
    ParameterError,
    Parameters,
    allowed_values,
    validate_parameters,
)
from simulation.core.sector_file import Sector, SectorFileError, read_sector
from simulation.core.wording import did_you_mean, error_reason, refusal, shorten
from simulation.runs.replications import REPLICATION_COLUMNS, build_model, run_replications

if TYPE_CHECKING:
    import pandas as pd

    from simulation.core.model import SectorModel
    from simulation.runs.calibration import Posterior

#: Every column of the frame returned by :func:`run_scenario`, in order.
SCENARIO_COLUMNS: tuple[str, ...] = ("scenario", *REPLICATION_COLUMNS)

_NAME_PATTERN = r"^[A-Za-z0-9_-]+$"
_PROBLEMS = "scenario_problems"  # error type carrying a list of problems in its context
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_LONG_INTEGER = re.compile(r"[0-9][0-9_]{4299,}")  # beyond Python's 4300-digit limit
_BOM = "\ufeff"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

#: Largest scenario file read (bytes): a scenario is a page of settings, not data.
MAX_FILE_BYTES = 1_000_000
#: Most months a scenario may run (100 years).
MAX_STEPS = 1200
#: Most replications a scenario may ask for.
MAX_REPLICATIONS = 10_000
#: Deepest nesting of arrays and tables in a scenario (the deepest real one is 3).
MAX_DEPTH = 8


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


@dataclass(frozen=True)
class _HugeFloat:
    """A TOML float too large for a float (``1e400``, or 5,000 digits): kept as written."""

    literal: str


def _read_float(literal: str) -> float | _HugeFloat:
    """Read a TOML float, keeping a literal that would silently become infinite."""
    value = float(literal)
    if math.isinf(value) and "inf" not in literal:
        return _HugeFloat(literal)
    return value


def show(value: Any, depth: int = 0) -> str:
    """Write a value as it would appear in a TOML file (strings in double quotes).

    Long numbers and strings are shortened and deep nesting is elided, so a message stays
    one readable line.

    Args:
        value: A value read from a scenario file.
        depth: How deep inside arrays and tables ``value`` sits.

    Returns:
        Its TOML-like text, e.g. ``"ten"``, ``1.5``, ``true``, ``[0, 3]`` or
        ``a 5000-digit number``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _HugeFloat):
        digits = sum(character.isdigit() for character in value.literal)
        if len(value.literal) <= 20:
            return f"{value.literal} (beyond the largest number)"
        return f"a {digits}-digit number ({value.literal[:12]}...)"
    if isinstance(value, int):
        text = str(value)
        return text if len(text) <= 20 else f"a {len(text.lstrip('-'))}-digit number"
    if isinstance(value, str):
        return '"' + shorten(json.dumps(value)[1:-1], 58) + '"'
    if isinstance(value, float) and not math.isfinite(value):
        return {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()  # a datetime is a date
    if isinstance(value, list | tuple | Mapping) and depth >= 2:
        return "[...]" if isinstance(value, list | tuple) else "{...}"
    if isinstance(value, list | tuple):
        items = [show(item, depth + 1) for item in value[:10]]
        return "[" + ", ".join(items + (["..."] if len(value) > 10 else [])) + "]"
    if isinstance(value, Mapping):
        items = [f"{_key(key)} = {show(item, depth + 1)}" for key, item in list(value.items())[:10]]
        return "{" + ", ".join(items + (["..."] if len(value) > 10 else [])) + "}"
    return repr(value)


def _key(key: Any) -> str:
    """A table key as TOML writes it: bare if it can be, else quoted (``"a b"``)."""
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else show(text)


def _depth(data: Any) -> int:
    """How deeply arrays and tables nest in ``data`` (0 for a plain value), without recursion."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            value = list(value.values())
        if isinstance(value, list | tuple):
            deepest = max(deepest, depth + 1)
            if depth + 1 <= MAX_DEPTH:
                stack.extend((item, depth + 1) for item in value)
    return deepest


class _Strict(BaseModel):
    """Frozen, strict, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _parameter_problem(name: str, value: Any) -> str | None:
    """What is wrong with ``value`` for the known parameter ``name``, or ``None``."""
    try:
        validate_parameters({name: value})
    except ParameterError:
        return f"must be {allowed_values(name)}"
    return None


def read_small_file(
    path: str | os.PathLike[str], kind: str, max_bytes: int = MAX_FILE_BYTES, why: str = ""
) -> bytes:
    """The bytes of a small input file, refusing anything that is not a small regular file.

    A device (``/dev/zero``) or a pipe would be read for ever or block, and a huge file
    would take the machine's memory, so they are refused before anything is read.

    Args:
        path: The file.
        kind: What it should be, for messages (``"scenario"``, ``"sweep"``, ``"posterior"``).
        max_bytes: The most it may hold.
        why: Why that is enough, appended to the message of a larger file (e.g. ``"a
            scenario is a page of settings"``).

    Returns:
        Its bytes.

    Raises:
        SettingsFileError: If it is missing, a directory, a device, pipe or socket, larger
            than ``max_bytes`` or unreadable.
    """
    try:
        # Non-blocking, so that opening a named pipe returns at once; then ask the opened
        # file what it is, since a device (/dev/zero) or a pipe would be read forever.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise SettingsFileError(f"is a directory, not a {kind} file")
            if not stat.S_ISREG(mode):
                raise SettingsFileError("is not a regular file (a device, a pipe or a socket)")
            data = file.read(max_bytes + 1)
    except FileNotFoundError:
        raise SettingsFileError(f"no such {kind} file") from None
    except IsADirectoryError:
        raise SettingsFileError(f"is a directory, not a {kind} file") from None
    except OSError as error:
        raise SettingsFileError(f"cannot be read ({error.strerror})") from None
    if len(data) > max_bytes:
        reason = f" ({why})" if why else ""
        raise SettingsFileError(
            f"is larger than {max_bytes // 1_000_000} MB, the most a {kind} file may be{reason}"
        )
    return data


def read_settings_file(path: str | os.PathLike[str], kind: str) -> str:
    """The text of a small settings file (a scenario or a sweep), refusing anything else.

    Args:
        path: The file.
        kind: What it should be, for messages (``"scenario"``, ``"sweep"``).

    Returns:
        Its text (UTF-8).

    Raises:
        SettingsFileError: If it is missing, a directory, a device, pipe or socket, larger than
            :data:`MAX_FILE_BYTES`, unreadable or not UTF-8.
    """
    data = read_small_file(path, kind, MAX_FILE_BYTES, f"a {kind} is a page of settings")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsFileError("is not UTF-8 text (TOML files are)") from None


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
        sector: A sector file (:mod:`simulation.core.sector_file`), relative to the
            scenario file; held as an absolute path once read. None: a generated sector.
    """

    name: str = Field(pattern=_NAME_PATTERN, max_length=100)
    description: str = ""
    steps: int = Field(120, ge=1, le=MAX_STEPS)
    replications: int = Field(20, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(0, ge=0)
    parameters: dict[str, Any] = Field(default_factory=dict)
    events: tuple[AnyIntervention, ...] = Field((), strict=False)  # an array in the file
    sector: str | None = None

    _text: str | None = PrivateAttr(None)
    _source: str | None = PrivateAttr(None)

    @field_validator("parameters")
    @classmethod
    def _valid_parameters(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        problems = []
        for name, value in parameters.items():
            if name not in Parameters.model_fields:
                hint = did_you_mean(name, PARAMETER_NAMES, quote=show)
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

    @field_validator("sector")
    @classmethod
    def _readable_sector(cls, sector: str | None, info: ValidationInfo) -> str | None:
        if sector is None:
            return None
        base = (info.context or {}).get("base", Path.cwd())
        path = (Path(base) / sector).resolve()
        try:
            read_sector(path)
        except SectorFileError as error:
            raise _problems_error([_Problem((), str(error), sector)]) from None
        return str(path)

    def load_sector(self) -> Sector | None:
        """The scenario's sector file, read and checked (None for a generated sector)."""
        return None if self.sector is None else read_sector(self.sector)

    @model_validator(mode="after")
    def _events_fit(self) -> Scenario:
        sector = self.load_sector()
        problems = []
        if sector is None:
            n_orgs, names = validate_parameters(self.parameters).n_orgs, None
        else:
            n_orgs, names = sector.n_orgs, sector.names
            try:
                sector.check(self.parameters, owner="parameters")
            except LewsimError as error:
                problems.append(_Problem(("sector",), str(error), self.sector))
        labels: dict[str, int] = {}  # each label's first event
        for index, event in enumerate(self.events):
            if event.month > self.steps:
                problems.append(
                    _Problem(
                        ("events", index, "month"),
                        f"after the last month (steps = {self.steps}); allowed: 0 to {self.steps}",
                        event.month,
                    )
                )
            if event.label is not None and event.label.isdigit():
                problems.append(
                    _Problem(
                        ("events", index, "label"),
                        "digits alone read as an event's position in a sweep "
                        "(events.0.month); allowed: a name with a letter, - or _",
                        event.label,
                    )
                )
            elif event.label is not None and event.label in labels:
                problems.append(
                    _Problem(
                        ("events", index, "label"),
                        f"also the label of events[{labels[event.label]}]; allowed: each "
                        "label once (a sweep changes the event its label names)",
                        event.label,
                    )
                )
            elif event.label is not None:
                labels[event.label] = index
            orgs = event.orgs
            problem = org_range_problem(orgs, n_orgs, names) if isinstance(orgs, tuple) else None
            if problem is not None:
                problems.append(_Problem(("events", index, "orgs"), problem, list(orgs)))
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
            text = read_settings_file(path, "scenario")
        except SettingsFileError as problem:
            raise ScenarioError(source, [str(problem)]) from None
        return cls.from_text(text, source=source, base=Path(path).parent)

    @classmethod
    def from_text(cls, text: str, source: str = "<string>", base: Path | None = None) -> Scenario:
        """Parse and check a scenario written in TOML.

        Args:
            text: The TOML text.
            source: Where it came from, for messages.
            base: The folder a ``sector`` path is relative to (default: the current one).

        Returns:
            The scenario.

        Raises:
            ScenarioError: If the text is not valid TOML or the scenario is invalid.
        """
        text = text.removeprefix(_BOM)  # written by some editors; not part of the TOML
        try:
            data = tomllib.loads(text, parse_float=_read_float)
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
        except RecursionError:
            raise ScenarioError(source, [_too_deep()]) from None
        except ValueError:  # Python refuses to read an integer of more than 4300 digits
            long = _LONG_INTEGER.search(text)
            where = f"line {text.count(chr(10), 0, long.start()) + 1}: " if long else ""
            raise ScenarioError(
                source, [f"{where}a number of more than 4300 digits; no setting takes one"]
            ) from None
        return cls.from_data(data, source=source, text=text, base=base)

    @classmethod
    def from_data(
        cls,
        data: Mapping[str, Any],
        source: str = "<data>",
        text: str | None = None,
        base: Path | None = None,
    ) -> Scenario:
        """Check a scenario given as plain data (as read from TOML).

        Args:
            data: Keys and values of the file.
            source: Where it came from, for messages.
            text: The file's text, if any, kept in :attr:`text`.
            base: The folder a ``sector`` path is relative to (default: the current one).

        Returns:
            The scenario.

        Raises:
            ScenarioError: With one line per problem.
        """
        if _depth(data) > MAX_DEPTH:
            raise ScenarioError(source, [_too_deep()])
        _follow_the_registry()
        try:
            context = None if base is None else {"base": base}
            scenario = cls.model_validate(dict(data), context=context)
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

    def build(self, seed: int) -> SectorModel:
        """Build the scenario's model at month 0 with every event scheduled.

        Events at month 0 have been applied already; the others apply at the start of the
        step that produces their month.

        Args:
            seed: The run's seed.

        Returns:
            The model, ready to step.
        """
        return build_model(seed, self.model_params(), self.events, sector=self.sector)

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
            "sector": self.sector,
        }


def run_scenario(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    steps: int | None = None,
    progress: bool = False,
    posterior: Posterior | None = None,
    with_organisations: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame | None]:
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
        posterior: Draw each replication's parameters from it (see
            :func:`~simulation.runs.replications.run_replications`); the scenario's own
            parameters override the draws.
        with_organisations: Also return the organisation x month table (see
            :func:`~simulation.runs.replications.run_replications`).

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
        events=scenario.events,
        progress=progress,
        posterior=posterior,
        sector=scenario.sector,
        with_organisations=True,
    )
    frame, organisations = frame
    frame.insert(0, "scenario", scenario.name)
    if organisations is not None:
        organisations.insert(0, "scenario", scenario.name)
    return (frame, organisations) if with_organisations else frame


# ---- error messages -----------------------------------------------------------------------

_SCENARIO_ALLOWED = {
    "name": 'a name of letters, digits, "-" and "_" (it names the results directory)',
    "description": "a string",
    "steps": f"an integer >= 1 and <= {MAX_STEPS} (months per replication; "
    f"{MAX_STEPS} months is 100 years)",
    "replications": f"an integer >= 1 and <= {MAX_REPLICATIONS}",
    "seed": "an integer >= 0",
    "parameters": "a table of model parameters ([parameters])",
    "events": "an array of tables ([[events]])",
    "sector": "the path of a sector file (TOML), relative to the scenario file",
}


def _event_types_allowed() -> str:
    return ", ".join(INTERVENTION_TYPES)


def _follow_the_registry() -> None:
    """Let scenario files name every intervention class defined so far.

    ``Scenario.events`` is typed when this module is imported; an intervention class
    defined later (a user's own, registered by defining it) joins the union here, before a
    file is read, so that adding an intervention stays one class.
    """
    global _EVENT_CLASSES
    if tuple(INTERVENTION_TYPES.values()) != _EVENT_CLASSES:
        Scenario.model_fields["events"].annotation = tuple[any_intervention(), ...]
        Scenario.model_rebuild(force=True)
        _EVENT_CLASSES = tuple(INTERVENTION_TYPES.values())


#: The intervention classes ``Scenario.events`` takes now.
_EVENT_CLASSES = tuple(INTERVENTION_TYPES.values())


def _path(loc: Sequence[str | int]) -> str:
    """``("events", 2, "coverage")`` -> ``"events[2].coverage"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{_key(part)}" if text else _key(part))
    return text


def _raw(data: Any, loc: Sequence[str | int]) -> Any:
    """The value at ``loc`` in the raw data, or ``None`` if there is none."""
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _too_deep() -> str:
    return (
        f"arrays or tables nested more than {MAX_DEPTH} levels deep; a scenario needs at "
        "most 3 (an array of values inside an event inside [[events]])"
    )


def _describe_errors(error: ValidationError, data: Mapping[str, Any]) -> list[str]:
    """Turn pydantic's errors into one line each: ``path = value: what is allowed``."""
    lines: list[str] = []
    for item in error.errors():
        loc = list(item["loc"])
        event_type = None
        if len(loc) >= 3 and loc[0] == "events" and loc[2] in INTERVENTION_TYPES:
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
            fields = (INTERVENTION_TYPES[event_type] if is_event else Scenario).model_fields
            lines.append(f"{path}: unknown field; allowed: {', '.join(fields)}")
            continue
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            tag = _raw(data, [*loc, "type"])
            shown = f" = {show(tag)}" if kind == "union_tag_invalid" else ""
            reason = "unknown event type" if shown else "missing"
            lines.append(f"{path}.type{shown}: {reason}; allowed: {_event_types_allowed()}")
            continue
        if kind in ("model_type", "model_attributes_type", "dict_type") and len(loc) == 2:
            lines.append(
                f"{path} = {show(item['input'])}: must be a table with month and type "
                f"([[events]]); allowed types: {_event_types_allowed()}"
            )
            continue
        if is_event:
            allowed = takes(INTERVENTION_TYPES[event_type], str(field))
        else:
            allowed = _SCENARIO_ALLOWED.get(str(field))
        if kind == REFUSAL_TYPE or kind.startswith("scenario_"):
            reason = item["msg"]
        elif allowed is not None:
            reason = f"must be {allowed}"
        else:
            reason = error_reason(item)
        missing = kind == "missing"
        lines.append(refusal(path, item.get("input"), reason, missing=missing, show=show))
    return lines
