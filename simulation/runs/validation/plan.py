"""The validation plan: every check's threshold, its label and why, read from one TOML file.

The committed source is ``experiments/validation-plan.toml``; the package ships it as
``validation-plan.toml`` beside this module, a symbolic link to that file, so a wheel
carries a copy and an editable install reads the file itself (one source of truth).
Thresholds are not Python constants: a change of threshold is a change of this file, in a
commit of its own, made before the run that judges it.

Each check is keyed by its pattern's number and a letter (``"1e"``, docs/ODD.md section
13) and has:

- ``label``: *verification* (its direction is coded into a process equation: a test of the
  mechanism, not evidence) or *emergent* (its outcome comes from interactions and could
  have gone either way). Only emergent checks count towards "patterns hold".
- ``side`` and ``threshold``: where the effect's interval must lie to hold.
- ``reason``: one line naming the equation or the interaction.

A pattern may be *withdrawn* (``[patterns.N] withdrawn = "why"``): its checks are run and
shown, but it is neither counted nor judged.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulation.core.errors import InputError
from simulation.core.wording import error_reason, refusal

#: The packaged plan (a link to experiments/validation-plan.toml in the source tree).
DEFAULT_PLAN = Path(__file__).parent / "validation-plan.toml"


class Label(StrEnum):
    """What a check is evidence of."""

    VERIFICATION = "verification"
    EMERGENT = "emergent"


class PlannedCheck(BaseModel):
    """One check's entry in the plan."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Label
    side: Literal["above", "below"]
    threshold: float = Field(allow_inf_nan=False)
    reason: Annotated[str, Field(min_length=1)]

    @property
    def expected(self) -> str:
        """The check's expected sign as :func:`~simulation.runs.validation.base.judge` takes it."""
        return "+" if self.side == "above" else "-"

    @property
    def emergent(self) -> bool:
        """Whether the check counts towards "patterns hold"."""
        return self.label is Label.EMERGENT


class PlannedPattern(BaseModel):
    """A pattern's entry in the plan (only to withdraw it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    withdrawn: Annotated[str, Field(min_length=1)] | None = None


class _PlanFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    robust_share: float = Field(gt=0.0, le=1.0)
    checks: dict[Annotated[str, Field(pattern=r"^([1-9]|10)[a-z]$")], PlannedCheck]
    patterns: dict[int, PlannedPattern] = Field(default_factory=dict)


@dataclass(frozen=True)
class ValidationPlan:
    """The checked plan.

    Attributes:
        checks: Check key -> its entry.
        withdrawn: Pattern number -> why it is withdrawn.
        robust_share: Share of posterior draws in which every emergent check of a pattern
            must hold for the pattern to be robust.
        source: The file it was read from.
    """

    checks: Mapping[str, PlannedCheck]
    withdrawn: Mapping[int, str]
    robust_share: float
    source: str

    def check(self, key: str) -> PlannedCheck:
        """The entry of one check.

        Raises:
            KeyError: If the plan has no such check (every check in code must have one).
        """
        try:
            return self.checks[key]
        except KeyError:
            raise KeyError(f"the validation plan {self.source} has no check {key!r}") from None

    def emergent_keys(self, pattern: int | None = None) -> list[str]:
        """The emergent checks' keys (of one pattern, if given), in plan order."""
        return [
            key
            for key, entry in self.checks.items()
            if entry.emergent and (pattern is None or pattern_of(key) == pattern)
        ]


def pattern_of(key: str) -> int:
    """The pattern number of a check key: ``"10c"`` -> 10."""
    return int(key[:-1])


def parse_plan(text: str, source: str = "<plan>") -> ValidationPlan:
    """Check the text of a plan file.

    Args:
        text: TOML.
        source: Where it came from, for messages.

    Returns:
        The plan.

    Raises:
        InputError: Naming the file, the field, the value and what is allowed.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"validation plan {source}: invalid TOML: {error}") from None
    try:
        parsed = _PlanFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        name = str(first["loc"][-1]) if first["loc"] else ""
        name = str(first["loc"][0]) if name == "[key]" else name  # a bad table name
        reason = f"{error_reason(first)}; allowed: {_ALLOWED.get(name, first['msg'])}"
        sentence = refusal(
            f"field {field or '(top level)'}",
            first.get("input"),
            reason,
            missing=first["type"] == "missing",
            show=repr,
        )
        raise InputError(f"validation plan {source}: {sentence}") from None
    withdrawn = {n: entry.withdrawn for n, entry in parsed.patterns.items() if entry.withdrawn}
    return ValidationPlan(
        dict(parsed.checks),  # plain dicts: a plan is pickled to worker processes
        withdrawn,
        parsed.robust_share,
        source,
    )


_ALLOWED = {
    "label": "'verification' or 'emergent'",
    "side": "'above' or 'below'",
    "threshold": "a finite number",
    "reason": "a non-empty line",
    "robust_share": "a share above 0, at most 1",
    "withdrawn": "a non-empty reason",
    "checks": "keys such as '1a' or '10c' (pattern number, then one letter)",
}


def load_plan(path: str | Path | None = None) -> ValidationPlan:
    """Read and check a plan file; by default the packaged one (cached).

    Args:
        path: The file (default :data:`DEFAULT_PLAN`).

    Returns:
        The plan.

    Raises:
        InputError: If the file cannot be read or is not a valid plan.
    """
    if path is None:
        return _default_plan()
    return _read_plan(Path(path))


@cache
def _default_plan() -> ValidationPlan:
    return _read_plan(DEFAULT_PLAN)


def _read_plan(path: Path) -> ValidationPlan:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"validation plan {path}: not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"validation plan {path}: cannot be read ({error})") from None
    return parse_plan(text, str(path))
