"""``--set NAME=VALUE``: reading the values and checking the parameters they set."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from simulation.core.errors import InputError, LewsimError
from simulation.core.parameters import PARAMETER_NAMES, validate_parameters
from simulation.core.wording import close_matches, quoted, suggestion

#: Deepest nesting of JSON lists in a ``--set`` value (a parameter takes at most a list).
MAX_SET_DEPTH = 8
#: Longest ``--set`` value read (characters); the longest a parameter needs is a few dozen.
MAX_SET_CHARS = 1000

# An integer literal as int() reads it: one beyond its 4300-digit limit is refused as too
# large rather than read by float() as infinity.
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9](?:_?[0-9])*\s*")


def parse_value(text: str) -> Any:
    """Turn the VALUE of ``--set NAME=VALUE`` into a Python value.

    Accepted forms, tried in this order: ``true``/``false`` (any case) as booleans;
    integers; floats (``0.5``, ``1e-3``); a JSON list (``[0.5, 0.3, 0.2]``) or JSON string
    (``"text"``); comma-separated numbers (``0.5,0.3,0.2``) as a tuple. Anything else is
    kept as a string, and the parameter's own validation decides whether it is allowed.

    Args:
        text: The raw VALUE.

    Returns:
        A bool, int, float, tuple of numbers, or str.

    Raises:
        InputError: If the value starts like JSON but is not valid JSON or is nested more
            than :data:`MAX_SET_DEPTH` deep, or is a whole number of more digits than
            Python reads.
    """
    stripped = text.strip()
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    number = _parse_number(stripped)
    if number is not None:
        return number
    if stripped.startswith(("[", '"')):
        if _nesting(stripped) > MAX_SET_DEPTH:
            raise InputError(
                f"lists nested more than {MAX_SET_DEPTH} deep; a parameter takes a number, "
                "true/false or a list of numbers"
            )
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise InputError(f"cannot read {quoted(text)} as JSON ({error.msg})") from None
        return tuple(decoded) if isinstance(decoded, list) else decoded
    if "," in stripped:
        parts = [_parse_number(part.strip()) for part in stripped.split(",")]
        if all(part is not None for part in parts):
            return tuple(parts)
    return stripped


def _nesting(text: str) -> int:
    """The deepest nesting of brackets in ``text``, outside JSON strings (a quick scan).

    Checked before ``json.loads``, whose recursion a few thousand ``[`` exhaust.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _parse_number(text: str) -> int | float | None:
    """Read an int or float, or return ``None`` if ``text`` is neither.

    Raises:
        InputError: For a whole number beyond Python's limit on digits (4300), which
            would otherwise be read as an infinite float.
    """
    try:
        return int(text)
    except ValueError:
        if _WHOLE_NUMBER.fullmatch(text):
            raise InputError(
                f"a whole number of {len(text):,} characters is too large for any parameter"
            ) from None
    try:
        return float(text)
    except ValueError:
        return None


def parse_assignments(assignments: Sequence[str]) -> dict[str, Any]:
    """Parse repeated ``--set NAME=VALUE`` options into a parameter dict.

    Names are not checked against the model here; :func:`check_parameters` does that.

    Args:
        assignments: The raw ``NAME=VALUE`` strings.

    Returns:
        Parameter name to parsed value (see :func:`parse_value`).

    Raises:
        InputError: If an item has no ``=``, an empty or non-identifier name, a value
            longer than :data:`MAX_SET_CHARS` or unparseable, or sets the same name twice.
    """
    params: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, raw_value = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InputError(f"--set: expected NAME=VALUE (e.g. n_orgs=24), got {assignment!r}")
        if not name.isidentifier():
            raise InputError(
                f"--set: {name!r} is not a parameter name; names are like n_orgs or pay_parity "
                "('lewsim params' lists them)"
            )
        if name in params:
            raise InputError(f"--set: parameter {name!r} is set more than once; set it once")
        if len(raw_value) > MAX_SET_CHARS:
            raise InputError(
                f"--set {name}: a value of {len(raw_value):,} characters "
                f"({quoted(raw_value, 20)}); no parameter takes more than {MAX_SET_CHARS:,}"
            )
        try:
            params[name] = parse_value(raw_value)
        except InputError as problem:
            raise InputError(f"--set {name}: {problem}") from None
    return params


def similar_parameters(name: str, limit: int = 5) -> list[str]:
    """Parameter names a user may have meant by ``name``: close spellings, then containing it.

    Args:
        name: An unknown name.
        limit: At most this many suggestions.

    Returns:
        Valid names, the closest first.
    """
    close = close_matches(name, PARAMETER_NAMES, n=limit)
    lowered = name.lower()
    containing = [p for p in PARAMETER_NAMES if len(lowered) >= 3 and lowered in p]
    return list(dict.fromkeys([*close, *containing]))[:limit]


def check_parameters(params: Mapping[str, Any], option: str = "--set") -> None:
    """Check parameter values given on the command line, naming the option on failure.

    Args:
        params: Parameter name to value.
        option: The option they came from, for the message.

    Raises:
        InputError: For an unknown name (with the closest valid names and a pointer to
            ``lewsim params``) or a value the parameter does not allow.
    """
    for name in params:
        if name not in PARAMETER_NAMES:
            hint = suggestion(similar_parameters(name))
            raise InputError(
                f"{option}: unknown parameter {name!r}; {hint}'lewsim params' lists all "
                f"{len(PARAMETER_NAMES)} parameters with their ranges"
            )
    try:
        validate_parameters(dict(params), owner=option)
    except LewsimError as problem:
        raise InputError(str(problem)) from None
