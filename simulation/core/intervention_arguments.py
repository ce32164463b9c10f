"""The arguments interventions take: their types, their checks and their words.

Each argument type (:data:`Month`, :data:`Orgs`, :data:`Coverage`, ...) is an ``Annotated``
type that checks a value strictly (the one rule of :mod:`simulation.core.wording`: a bool is
not an integer, a string not a number) and carries what it takes in words
(:class:`Takes`), so every refusal, from a method, a scenario file or a sweep, ends with
the same ``must be ...``. An intervention class declares its arguments with these types
(:mod:`simulation.core.interventions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, PlainSerializer, PlainValidator
from pydantic_core import PydanticCustomError

from simulation.core.parameters import EXPOSURE_CLASSES
from simulation.core.sector_schema import unknown_name_hint
from simulation.core.state import Kind
from simulation.core.wording import is_boolean, is_integer, is_number, join_words

#: The levels a champion may be appointed at (``level``), and the staff kind each names.
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

#: The pydantic error type of every refusal of an argument's value (its message says why).
REFUSAL_TYPE = "intervention_argument"


@dataclass(frozen=True)
class Takes:
    """What an argument takes, in words: the metadata of an argument type.

    Every refusal of the argument's value ends with it (``must be ...``), whether the
    intervention is built by a method, a scenario file or a sweep.

    Attributes:
        words: E.g. ``"a number between 0 and 1"``.
    """

    words: str


def takes(cls: type[BaseModel], argument: str) -> str | None:
    """What ``argument`` of intervention class ``cls`` takes, in words (``None``: not said).

    Args:
        cls: An intervention class.
        argument: One of its fields.

    Returns:
        The words of the argument type's :class:`Takes`, if it has one.
    """
    field = cls.model_fields.get(argument)
    metadata = field.metadata if field is not None else []
    return next((item.words for item in metadata if isinstance(item, Takes)), None)


def argument_refusal(words: str, reason: str = "") -> PydanticCustomError:
    """The error for a value an argument does not take: ``[reason]must be <words>``.

    Args:
        words: What the argument takes (its :class:`Takes`).
        reason: Why, if more than "not what it takes" (ends with ``"; "``).

    Returns:
        A pydantic error of type :data:`REFUSAL_TYPE`.
    """
    return PydanticCustomError(
        REFUSAL_TYPE, "{reason}must be {allowed}", {"reason": reason, "allowed": words}
    )


_LEVELS_WORDS = "one of " + ", ".join(f'"{level}"' for level in CHAMPION_LEVELS)
_TAKES_MONTH = "an integer >= 0"
_TAKES_ORGS = (
    ", ".join(f'"{name}"' for name in ORG_SELECTORS)
    + ", an organisation id or a list of organisation ids (integers >= 0, at least one), "
    'e.g. [0, 3], or of organisation names from a sector file, e.g. ["Inpatient"]'
)
_TAKES_SHARE = "a number between 0 and 1"
_TAKES_RATE = "a number between 0 and 1 (leave it out for visits_programme_rate)"
_TAKES_LEVEL = _LEVELS_WORDS
_TAKES_CHAMPION_LEVEL = _LEVELS_WORDS + " (leave it out for the most powerful champion)"
_TAKES_ENABLED = "true or false"
#: What ``set`` takes as ``name``, in words (its own checks are in the class).
TAKES_PARAMETER_NAME = "the name of a parameter that may change after set-up (a string)"


def _month(value: Any) -> int:
    if is_integer(value) and value >= 0:
        return int(value)
    raise argument_refusal(_TAKES_MONTH)


def _share(value: Any) -> float:
    if is_number(value) and 0.0 <= value <= 1.0:  # NaN fails both comparisons
        return float(value)
    raise argument_refusal(_TAKES_SHARE)


def _rate(value: Any) -> float | None:
    if value is None or (is_number(value) and 0.0 <= value <= 1.0):
        return None if value is None else float(value)
    raise argument_refusal(_TAKES_RATE)


def _level(value: Any) -> str:
    if isinstance(value, str) and value in CHAMPION_LEVELS:
        return value
    raise argument_refusal(_TAKES_LEVEL)


def _champion_level(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value in CHAMPION_LEVELS):
        return value
    raise argument_refusal(_TAKES_CHAMPION_LEVEL)


def _enabled(value: Any) -> bool:
    if is_boolean(value):
        return bool(value)
    raise argument_refusal(_TAKES_ENABLED)


def parse_orgs(value: Any) -> str | tuple[int | str, ...]:
    """An organisation selection: a selector name, or organisation ids then names.

    Args:
        value: What a user gave as ``orgs``.

    Returns:
        The selector's name, or the ids, sorted and without repeats, then the names (to be
        resolved against the sector when it is known) in the order given, each once.

    Raises:
        PydanticCustomError: For anything that is not a selection (:func:`argument_refusal`).
    """
    if isinstance(value, str):
        if value in ORG_SELECTORS:
            return value
        raise argument_refusal(_TAKES_ORGS)
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim == 1 else None
    if is_integer(value):
        value = [value]
    if not isinstance(value, list | tuple | range):
        raise argument_refusal(_TAKES_ORGS)
    ids = [org for org in value if is_integer(org)]
    names = [org for org in value if isinstance(org, str) and org]
    if len(ids) + len(names) != len(value):
        raise argument_refusal(_TAKES_ORGS)
    if len(value) == 0:
        raise argument_refusal(_TAKES_ORGS, "selects no organisation; ")
    if ids and min(ids) < 0:
        raise argument_refusal(_TAKES_ORGS, "organisation ids cannot be negative; ")
    return (*sorted({int(org) for org in ids}), *dict.fromkeys(names))


Month = Annotated[int, PlainValidator(_month, json_schema_input_type=int), Takes(_TAKES_MONTH)]
# The serializer is given, because pydantic's own for a plainly validated union checks the
# value against each member and warns (four lines, an error under -W error) for a tuple.
Orgs = Annotated[
    str | tuple[int | str, ...],
    PlainValidator(parse_orgs, json_schema_input_type=str | int | list[int]),
    PlainSerializer(lambda orgs: orgs, return_type=Any),
    Takes(_TAKES_ORGS),
]
Coverage = Annotated[
    float, PlainValidator(_share, json_schema_input_type=float), Takes(_TAKES_SHARE)
]
Rate = Annotated[
    float | None, PlainValidator(_rate, json_schema_input_type=float | None), Takes(_TAKES_RATE)
]
Level = Annotated[str, PlainValidator(_level, json_schema_input_type=str), Takes(_TAKES_LEVEL)]
ChampionLevel = Annotated[
    str | None,
    PlainValidator(_champion_level, json_schema_input_type=str | None),
    Takes(_TAKES_CHAMPION_LEVEL),
]
Enabled = Annotated[
    bool, PlainValidator(_enabled, json_schema_input_type=bool), Takes(_TAKES_ENABLED)
]


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


def org_ids(orgs: tuple[int | str, ...], names: tuple[str, ...] | None) -> tuple[int, ...]:
    """Sorted organisation ids of checked ids and names (see :func:`org_range_problem`)."""
    index = {name: org for org, name in enumerate(names or ())}
    return tuple(sorted({org if not isinstance(org, str) else index[org] for org in orgs}))


def orgs_in_words(orgs: str | tuple[int | str, ...]) -> str:
    """An organisation selection in words, for an intervention's :meth:`describe`.

    Args:
        orgs: A selection as :func:`parse_orgs` returns it.

    Returns:
        E.g. ``"all organisations"`` or ``"organisations 0 and 3"``.
    """
    if isinstance(orgs, tuple):
        ids = [org if isinstance(org, str) else str(org) for org in orgs]
        return f"organisation {ids[0]}" if len(ids) == 1 else f"organisations {join_words(ids)}"
    if orgs == "all":
        return "all organisations"
    if orgs in ("with_peers", "without_peers"):
        which = "with" if orgs == "with_peers" else "without"
        return f"the organisations {which} peer workers at the time"
    return f"the organisations of exposure class {orgs.removeprefix('exposure:')!r}"


def share_in_words(coverage: float, who: str) -> str:
    """A coverage in words, for an intervention's :meth:`describe`.

    Args:
        coverage: A share between 0 and 1.
        who: Whom it covers, in the plural.

    Returns:
        ``"all managers"`` or ``"50% of managers"``.
    """
    return f"all {who}" if coverage == 1 else f"{coverage:.0%} of {who}"
