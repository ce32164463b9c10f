"""A sweep file: its fields, factors and checks, read into a :class:`Sweep` of runs.

See :mod:`simulation.runs.sweeps` for the file's format. Every problem of a file is
reported at once, as a :class:`SweepError` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.core.errors import InputError, LewsimError, SettingsFileError
from simulation.core.outcomes import outcome_name
from simulation.core.parameters import ORG_LEVERS, YEARLY_SERIES, Parameters
from simulation.core.reporters import SECTOR_COLUMNS
from simulation.core.sector_file import read_sector, unknown_name_hint
from simulation.core.wording import describe_errors, did_you_mean, shorten
from simulation.runs.jobs import Job, Run
from simulation.runs.replications import replication_seeds
from simulation.runs.scenarios import Scenario, ScenarioError, read_settings_file
from simulation.runs.sweeps.designs import (
    design_problems,
    design_size,
    enumerated_points,
    unit_design,
)

#: Largest number of runs a sweep file may ask for (points x replications).
MAX_RUNS = 1_000_000


class SweepError(InputError):
    """A sweep file cannot be read or is invalid; the message names the file and field."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


class Factor(BaseModel):
    """One varied quantity: a ``range``, a list of ``levels``, or per-point ``values``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    range: list[float] | None = Field(None, min_length=2, max_length=2)
    levels: list[Any] | None = None
    values: list[Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Factor:
        given = [name for name in ("range", "levels", "values") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of range, levels or values")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range = {list(self.range)}: the low end must be below the high end")
        for kind in ("levels", "values"):  # one level fixes a value for the whole sweep
            if getattr(self, kind) is not None and len(getattr(self, kind)) < 1:
                raise ValueError(f"{kind} needs at least one value")
        return self


class SweepFile(BaseModel):
    """The fields of a sweep file, checked (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=100)
    description: str = ""
    scenario: str | None = None
    steps: int | None = Field(None, ge=1, le=1200)
    replications: int = Field(1, ge=1, le=10_000)
    seed: int = Field(0, ge=0, lt=2**63)
    design: Literal["factorial", "list", "lhs", "sobol", "morris"]
    samples: int | None = Field(None, ge=1, le=100_000)
    outputs: list[str] = Field(min_length=1)
    every: int | None = Field(None, ge=1)
    sector: str | None = None
    parameters: dict[str, Factor] = Field(min_length=1)


@dataclass(frozen=True)
class FactorSpec:
    """A factor resolved against the model: where it goes and what values it takes.

    Attributes:
        key: The name in the sweep file (``board_support``, ``events.exec-champion.month``).
        kind: ``"number"``, ``"integer"`` or ``"levels"``.
        low: Low end of a range (``None`` for levels).
        high: High end of a range.
        levels: The levels (or a ``list`` design's values), else ``None``.
        event: Index of the event a field of which this is, else ``None``.
        field: The event's field name (or the organisation's lever), else ``None``.
        organisation: The organisation whose lever this is, else ``None``.
    """

    key: str
    kind: str
    low: float | None = None
    high: float | None = None
    levels: tuple[Any, ...] | None = None
    event: int | None = None
    field: str | None = None
    organisation: str | None = None

    def from_unit(self, unit: float) -> Any:
        """The factor's value at a point of the unit interval (the designs' scale)."""
        if self.kind == "levels":
            assert self.levels is not None
            return self.levels[min(int(unit * len(self.levels)), len(self.levels) - 1)]
        assert self.low is not None and self.high is not None
        value = self.low + unit * (self.high - self.low)
        if self.kind == "integer":
            return int(min(max(round(value), math.ceil(self.low)), math.floor(self.high)))
        return float(value)


@dataclass
class Sweep:
    """A checked sweep: its file, base scenario, factors and design points.

    Attributes:
        spec: The sweep file's fields.
        source: Its path, for messages.
        text: Its text (recorded with the results).
        base: The starting scenario (its parameters and events), with the sweep's steps.
        factors: The factors, in file order.
        points: One dict of factor values per design point.
        units: The points on the unit hypercube (what SALib analyses), points x factors.
    """

    spec: SweepFile
    source: str
    text: str
    base: Scenario
    factors: list[FactorSpec]
    points: list[dict[str, Any]]
    units: np.ndarray

    @property
    def name(self) -> str:
        """The sweep's name (it names the results directory)."""
        return self.spec.name

    @property
    def steps(self) -> int:
        """Months per run."""
        return self.base.steps

    @property
    def n_runs(self) -> int:
        """Design points times replications."""
        return len(self.points) * self.spec.replications

    def output_names(self) -> list[str]:
        """The outcome columns of every run: final values, then the periodic ones."""
        names = [outcome_name(column) for column in self.spec.outputs]
        if self.spec.every is not None:
            for month in range(self.spec.every, self.steps + 1, self.spec.every):
                names += [outcome_name(column, month) for column in self.spec.outputs]
        return names

    def fingerprint(self) -> dict[str, Any]:
        """What must not change for a resumed sweep to be the same sweep (JSON-ready).

        With a sector file, its content too: the scenario names the file by its path, and
        an edit between an interrupted sweep and its resume would mix two sectors.
        """
        fingerprint = {
            "sweep": self.spec.model_dump(mode="json"),
            "base_scenario": self.base.model_dump(mode="json"),
        }
        sector = self.base.load_sector()
        if sector is not None:
            fingerprint["sector_content"] = sector.spec.model_dump(mode="json")
        return fingerprint

    def runs(self) -> Iterator[Run]:
        """Every run of the sweep, point by point, replicate by replicate (lazily)."""
        seeds = replication_seeds(self.spec.seed, self.spec.replications)
        for point_index, point in enumerate(self.points):
            for replicate, seed in enumerate(seeds):
                yield Run(
                    run_id=run_id(point_index, point, replicate, self.spec.seed),
                    point=point_index,
                    replicate=replicate,
                    seed=seed,
                    values=point,
                )

    def job(self, run: Run) -> Job:
        """What a worker needs to carry out ``run`` (model parameters, events, months)."""
        parameters = dict(self.base.parameters)
        events = [event.model_dump() for event in self.base.events]
        sector = self.base.load_sector()
        content = None if sector is None else sector.spec.model_dump()
        for factor in self.factors:
            value = run.values[factor.key]
            if factor.organisation is not None:
                assert sector is not None and content is not None
                index = sector.names.index(factor.organisation)
                content["organisations"][index][factor.field] = value
            elif factor.event is None:
                parameters[factor.key] = value
            else:
                events[factor.event][factor.field] = value
        return Job(
            run=run,
            steps=self.steps,
            parameters=parameters,
            events=events,
            outputs=tuple(self.spec.outputs),
            every=self.spec.every,
            sector=content,
        )


def run_id(point: int, values: Mapping[str, Any], replicate: int, seed: int) -> str:
    """A stable identifier of a run: the same inputs give the same id on any machine.

    The point's index is part of it because a design may hold the same values twice
    (a Sobol design with a factor of two levels does), and each is a run of its own.

    Args:
        point: The design point's index.
        values: The design point's factor values.
        replicate: Replicate number.
        seed: The sweep's base seed.

    Returns:
        16 hexadecimal digits of a SHA-256 of the canonical JSON of the inputs.
    """
    text = json.dumps(
        {"point": point, "values": dict(values), "replicate": replicate, "seed": seed},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---- reading a sweep file -----------------------------------------------------------------


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read and check a sweep file and build its design.

    Args:
        path: A TOML sweep file.

    Returns:
        The sweep.

    Raises:
        SweepError: Naming the file, the field, the value and what is allowed.
    """
    source = str(path)
    try:
        text = read_settings_file(path, "sweep")
    except SettingsFileError as problem:
        raise SweepError(source, [str(problem)]) from None
    return sweep_from_text(text.removeprefix("\ufeff"), source=source, directory=Path(path).parent)


def sweep_from_text(text: str, source: str = "<string>", directory: Path | None = None) -> Sweep:
    """Check a sweep given as TOML text and build its design.

    Args:
        text: The TOML text.
        source: Where it came from, for messages.
        directory: Where a relative ``scenario`` path is looked for first.

    Returns:
        The sweep.

    Raises:
        SweepError: For invalid TOML or an invalid sweep.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SweepError(source, [f"invalid TOML: {error}"]) from None
    except RecursionError:
        raise SweepError(source, ["invalid TOML: nested too deeply"]) from None
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as error:
        raise SweepError(source, _describe(error)) from None
    base = _base_scenario(spec, source, directory)
    factors = [
        _resolve_factor(key, factor, spec, base, source) for key, factor in spec.parameters.items()
    ]
    problems = design_problems(spec, factors)
    unknown = [name for name in spec.outputs if name not in SECTOR_COLUMNS]
    problems += [
        f"outputs: {name!r} is not a sector column; allowed: {', '.join(SECTOR_COLUMNS)}"
        for name in unknown
    ]
    repeated = sorted({name for name in spec.outputs if spec.outputs.count(name) > 1})
    problems += [f"outputs: {name!r} is listed twice; list each output once" for name in repeated]
    problems += _same_event_field(factors)
    if spec.every is not None and spec.every > base.steps:
        problems.append(f"every = {spec.every}: allowed: 1 to steps ({base.steps})")
    if problems:
        raise SweepError(source, problems)
    # Counted from the design's parameters before it is built: a design of 2^32 points
    # would take the machine's memory before its size could be checked.
    runs = design_size(spec, factors) * spec.replications
    if runs > MAX_RUNS:
        raise SweepError(
            source,
            [
                f"the {spec.design} design has {design_size(spec, factors):,} points x "
                f"{spec.replications} replications = {runs:,} runs; at most {MAX_RUNS:,} "
                "allowed"
            ],
        )
    units = unit_design(spec, factors)
    points = (
        [
            {
                factor.key: factor.from_unit(float(unit))
                for factor, unit in zip(factors, row, strict=True)
            }
            for row in units
        ]
        if spec.design not in ("factorial", "list")
        else enumerated_points(spec, factors)
    )
    sweep = Sweep(
        spec=spec, source=source, text=text, base=base, factors=factors, points=points, units=units
    )
    _check_points(sweep)
    return sweep


def _describe(error: ValidationError) -> list[str]:
    """One sentence per problem of a sweep file: ``path = value: reason``."""

    def unknown(path: str) -> str:
        allowed = ", ".join(SweepFile.model_fields) if "." not in path else "range, levels, values"
        return f"{path}: unknown field; allowed: {allowed}"

    def value_text(value: Any) -> str:
        return "a table" if isinstance(value, dict) else shorten(json.dumps(value, default=str), 60)

    return describe_errors(error, unknown=unknown, show=value_text)


def _base_scenario(spec: SweepFile, source: str, directory: Path | None) -> Scenario:
    """The starting scenario (a default one if none is named), with the sweep's steps."""
    if spec.scenario is None:
        base = Scenario.from_data({"name": spec.name}, source=source)
    else:
        candidates = [Path(spec.scenario)]
        if not candidates[0].is_absolute() and directory is not None:
            candidates.insert(0, directory / spec.scenario)
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            tried = " or ".join(str(path) for path in candidates)
            raise SweepError(
                source, [f"scenario = {spec.scenario!r}: no such file (looked for {tried})"]
            )
        try:
            base = Scenario.load(found)
        except ScenarioError as error:
            raise SweepError(source, [f"scenario = {spec.scenario!r}: {error}"]) from None
    if spec.sector is not None:
        path = Path(spec.sector)
        if not path.is_absolute() and directory is not None:
            path = directory / path
        try:
            base = base.replace(sector=str(path.resolve()), context="with the sweep's sector")
        except ScenarioError as error:
            raise SweepError(source, [f"sector = {spec.sector!r}: {error}"]) from None
    if spec.steps is not None and spec.steps != base.steps:
        try:
            base = base.replace(steps=spec.steps, context="with the sweep's steps")
        except ScenarioError as error:
            raise SweepError(source, [f"steps = {spec.steps}: {error}"]) from None
    return base


def _field_kind(annotation: Any) -> str | None:
    """``"number"``, ``"integer"``, ``"bool"`` or ``None`` (anything else) for a field type."""
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "integer"
    if annotation is float:
        return "number"
    origin = get_origin(annotation)
    if origin is not None and str(origin).endswith("Annotated"):
        return _field_kind(get_args(annotation)[0])
    return None


def _resolve_factor(
    key: str, factor: Factor, spec: SweepFile, base: Scenario, source: str
) -> FactorSpec:
    event_index: int | None = None
    event_field: str | None = None
    organisation: str | None = None
    if key.startswith("organisations."):
        organisation, event_field = _organisation_lever(key, base, source)
        kind = _field_kind(Parameters.model_fields[event_field].annotation)
    elif key.startswith("events."):
        parts = key.split(".")
        if len(parts) != 3:
            raise SweepError(
                source,
                [f"parameters.{key}: an event field is events.NAME.FIELD or events.INDEX.FIELD"],
            )
        _, label, event_field = parts
        event_index = _event_index(label, base, key, source)
        event = base.events[event_index]
        fields = type(event).model_fields
        if event_field not in fields or event_field in ("type", "label"):
            allowed = ", ".join(name for name in fields if name not in ("type", "label"))
            raise SweepError(
                source,
                [
                    f"parameters.{key}: event {label!r} has no field {event_field!r}; "
                    f"allowed: {allowed}"
                ],
            )
        kind = _field_kind(fields[event_field].annotation)
    else:
        if key not in Parameters.model_fields:
            hint = did_you_mean(key, Parameters.model_fields, quote=str)
            raise SweepError(
                source, [f"parameters.{key}: unknown parameter; {hint}see `lewsim params`"]
            )
        # A yearly series takes one number as a constant series, so it sweeps as a number.
        kind = (
            "number"
            if key in YEARLY_SERIES
            else _field_kind(Parameters.model_fields[key].annotation)
        )
    if factor.range is not None:
        if kind not in ("number", "integer"):
            raise SweepError(
                source,
                [f"parameters.{key}.range: {key} is not a number; give levels = [...] instead"],
            )
        low, high = factor.range
        if kind == "integer" and math.floor(high) < math.ceil(low):
            raise SweepError(
                source, [f"parameters.{key}.range = {list(factor.range)}: holds no whole number"]
            )
        return FactorSpec(
            key,
            kind,
            low=low,
            high=high,
            event=event_index,
            field=event_field,
            organisation=organisation,
        )
    levels = factor.levels if factor.levels is not None else factor.values
    return FactorSpec(
        key,
        "levels",
        levels=tuple(levels),
        event=event_index,
        field=event_field,
        organisation=organisation,
    )


def _organisation_lever(key: str, base: Scenario, source: str) -> tuple[str, str]:
    """The organisation and lever of a factor ``organisations.NAME.LEVER``."""
    sector = base.load_sector()
    if sector is None:
        raise SweepError(
            source,
            [f"parameters.{key}: an organisation's lever needs a sector file (sector = ...)"],
        )
    name, dot, lever = key.removeprefix("organisations.").rpartition(".")
    if not dot or name not in sector.names:
        raise SweepError(
            source,
            [f"parameters.{key}: organisation {name!r}, {unknown_name_hint(name, sector.names)}"],
        )
    if lever not in ORG_LEVERS:
        raise SweepError(
            source,
            [
                f"parameters.{key}: {lever!r} is not an organisation's lever; allowed: "
                + ", ".join(ORG_LEVERS)
            ],
        )
    return name, lever


def _event_index(label: str, base: Scenario, key: str, source: str) -> int:
    names = [event.label for event in base.events]
    if label in names:
        return names.index(label)
    if label.isdigit() and int(label) < len(base.events):
        return int(label)
    named = [name for name in names if name]
    allowed = f"names {', '.join(map(repr, named))} or " if named else ""
    raise SweepError(
        source,
        [
            f"parameters.{key}: the base scenario has no event {label!r}; "
            f"allowed: {allowed}indices 0 to {len(base.events) - 1}"
            if base.events
            else f"parameters.{key}: the base scenario has no events"
        ],
    )


def _same_event_field(factors: Sequence[FactorSpec]) -> list[str]:
    """Two factors naming one event field (by label and by index): the second would win."""
    seen: dict[tuple[int, str | None], str] = {}
    problems = []
    for factor in factors:
        if factor.event is None:
            continue
        where = (factor.event, factor.field)
        if where in seen:
            problems.append(
                f"parameters.{factor.key}: the same event field as parameters.{seen[where]}; "
                "vary each field once"
            )
        seen.setdefault(where, factor.key)
    return problems


def _check_points(sweep: Sweep) -> None:
    """Check every factor's extreme values against the model, before any run.

    A value outside a field's allowed range fails here, naming the factor.
    """
    problems = []
    for factor in sweep.factors:
        candidates = (
            factor.levels
            if factor.levels is not None
            else (factor.from_unit(0.0), factor.from_unit(1.0))
        )
        for value in dict.fromkeys(map(_hashable, candidates)):
            trial = {other.key: sweep.points[0][other.key] for other in sweep.factors} | {
                factor.key: _unhash(value)
            }
            job = sweep.job(Run("check", 0, 0, 0, trial))
            data = sweep.base.model_dump() | {"parameters": job.parameters, "events": job.events}
            try:
                Scenario.from_data(data, source="design")
                if job.sector is not None:  # an organisation's lever, within its range
                    read_sector(job.sector).check(job.parameters)
            except ScenarioError as error:
                reason = "; ".join(problem.split(": ", 1)[-1] for problem in error.problems)
                problems.append(
                    f"parameters.{factor.key}: value {_unhash(value)!r} is not allowed: {reason}"
                )
            except LewsimError as error:
                problems.append(
                    f"parameters.{factor.key}: value {_unhash(value)!r} is not allowed: {error}"
                )
    if problems:
        raise SweepError(sweep.source, problems)


def _hashable(value: Any) -> Any:
    return (type(value).__name__, json.dumps(value, sort_keys=True, default=str))


def _unhash(value: Any) -> Any:
    return json.loads(value[1])
