"""The sector file's fields, checked by pydantic, and its errors in words (docs/ODD.md 5.7).

:mod:`simulation.core.sector_file` reads a file into these classes and builds a sector
from it; this module only says what a file may hold and words what it may not.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.core.errors import InputError
from simulation.core.wording import did_you_mean

#: The management levels a named champion may hold, each in its own kind of unit.
CHAMPION_POSTS: tuple[str, ...] = ("executive", "senior", "team_leader")


class SectorFileError(InputError):
    """A sector file cannot be read or describes an organisation the model cannot build."""


class Organisation(BaseModel):
    """One organisation of a sector file (every field but ``name`` and ``staff`` optional).

    Attributes:
        name: Unique name, used in interventions, results and the app.
        staff: Headcount (peers and an LE leader included).
        exposure: Starting exposure class: the non-peer staff's starting exposure,
            understanding, commitment and stigma are drawn as for that class.
        teams: Frontline teams (default: about one per ``team_size`` staff).
        peer_workers: Peer workers now, not counting an LE leader (default: as the
            generated sector for the class).
        le_leader: Whether an LE leader sits on the executive team now.
        champions: A count (placed one per unit, team leaders first, then the senior group
            and the executive team) or a list of levels (``executive``, ``senior``,
            ``team_leader``); left out, they are drawn as in the generated sector
            (``initial_champion``), as a file exported from it needs.
        links: Names of organisations this one is in contact with.
        initial_exposure: Mean starting exposure of its non-peer staff, instead of the
            class's (likewise ``initial_understanding``, ``initial_commitment`` and
            ``initial_stigma``); each person keeps their own random draw.
        board_support: This organisation's own board support (and likewise the other
            levers of ``ORG_LEVERS``); by default the sector-wide parameter.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=200)
    staff: int = Field(ge=8, le=100_000)
    exposure: Literal["none", "some", "significant"] = "none"
    teams: int | None = Field(None, ge=1)
    peer_workers: int | None = Field(None, ge=0)
    le_leader: bool = False
    champions: int | list[Literal["executive", "senior", "team_leader"]] | None = None
    links: list[str] = []
    initial_exposure: float | None = Field(None, ge=0.0, le=1.0)
    initial_understanding: float | None = Field(None, ge=0.0, le=1.0)
    initial_commitment: float | None = Field(None, ge=0.0, le=1.0)
    initial_stigma: float | None = Field(None, ge=0.0, le=1.0)
    board_support: float | None = None
    pay_parity: float | None = None
    role_clarity: float | None = None
    visit_rate: float | None = None
    manager_network: bool | None = None
    hire_threshold: float | None = None


class Link(BaseModel):
    """Two organisations in contact (visits, the manager network)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    between: list[str] = Field(min_length=2, max_length=2)


class SectorFile(BaseModel):
    """A whole sector file: its organisations, the links between them and a description."""

    model_config = ConfigDict(extra="forbid", strict=True)

    description: str = ""
    organisations: list[Organisation] = Field(min_length=1, max_length=10_000)
    links: list[Link] = []

    @model_validator(mode="after")
    def _names_are_unique(self) -> SectorFile:
        seen: set[str] = set()
        for org in self.organisations:
            if org.name in seen:
                raise ValueError(f"organisation name {org.name!r} appears twice; names are unique")
            seen.add(org.name)
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """Organisation names in file order (organisation ids 0, 1, ...)."""
        return tuple(org.name for org in self.organisations)


def unknown_name_hint(name: str, names: tuple[str, ...] | list[str]) -> str:
    """The end of a refusal of an unknown organisation name: did you mean, what is allowed.

    Args:
        name: The name given.
        names: The sector's organisation names.

    Returns:
        E.g. ``"which is not in the sector; did you mean 'Inpatient'? organisations: ..."``.
    """
    shown = ", ".join(repr(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
    return f"which is not in the sector; {did_you_mean(name, names)}organisations: {shown}"


def describe_error(error: ValidationError, raw: Any, source: str) -> SectorFileError:
    """The first pydantic error as a sentence naming the file, organisation and field.

    Args:
        error: pydantic's error for :class:`SectorFile`.
        raw: The data it was given (for the organisation's name).
        source: The file, for the message.

    Returns:
        The error to raise.
    """
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "organisations" and isinstance(loc[1], int):
        entry = raw["organisations"][loc[1]] if isinstance(raw, dict) else {}
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"organisation {name!r}, " if name else f"organisations[{loc[1]}], "
        loc = loc[2:]
    field = ".".join(str(part) for part in loc if not isinstance(part, int) or loc == [part])
    if first["type"] == "extra_forbidden":
        allowed = Organisation.model_fields if where else SectorFile.model_fields
        hint = did_you_mean(str(loc[-1]), allowed, n=1)
        return SectorFileError(
            f"sector file {source}: {where}unknown field {str(loc[-1])!r}; {hint}"
            f"allowed: {', '.join(allowed)}"
        )
    if first["type"] == "missing":
        return SectorFileError(f"sector file {source}: {where}field {field!r} is required")
    message = first["msg"].removeprefix("Value error, ")
    value = first.get("input")
    shown = f" = {value!r}" if field and not isinstance(value, dict | list) else ""
    return SectorFileError(f"sector file {source}: {where}field {field!r}{shown}: {message}")
