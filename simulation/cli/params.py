"""``lewsim params``: every model parameter with its default, range, unit and meaning."""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args, get_origin

import typer

from simulation.cli.assignments import similar_parameters
from simulation.cli.command import Command
from simulation.cli.text import aligned_rows
from simulation.core.errors import InputError
from simulation.core.parameters import ORG_LEVERS, SETUP_ONLY, UNITS, YEARLY_SERIES, Parameters
from simulation.core.wording import suggestion

HELP = (
    "List the model parameters: name, default, allowed range, unit and meaning.\n\n"
    "Any of them can be set with 'lewsim run --set NAME=VALUE' or in a scenario file's "
    "[parameters] table; the default column is written as --set takes it. Rates are per "
    "month. docs/ODD.md section 10 gives the source or reason of each default.\n\n"
    "Examples: lewsim params; lewsim params peer; lewsim params --json"
)

HEADER = ("name", "default", "range", "unit", "meaning")


def params_command(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="TEXT",
            help="Show only the parameters whose names contain TEXT, e.g. 'exit' or 'peer'.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON list of objects (name, default, type, minimum, maximum, "
            "range, unit, meaning, org_lever, setup_only) instead of the table.",
        ),
    ] = False,
) -> None:
    """List the model parameters (help: :data:`HELP`)."""
    with Command("params"):
        records = parameter_records()
        if name is not None:
            records = [record for record in records if name.lower() in record["name"]]
            if not records:
                hint = suggestion(similar_parameters(name))
                raise InputError(
                    f"no parameter name contains {name!r}; {hint}'lewsim params' lists all"
                )
        if as_json:
            typer.echo(json.dumps(records, indent=2))
            return
        for line in parameter_table(records):
            typer.echo(line)


def parameter_records() -> list[dict[str, Any]]:
    """One record per parameter, in the order of :class:`simulation.Parameters`.

    Returns:
        Dicts with ``name``, ``default`` (as JSON: a tuple is a list), ``type``
        (``"integer"``, ``"number"``, ``"boolean"`` or ``"array"``), ``minimum`` and
        ``maximum`` (numbers; lists of them for an array; ``None`` for a boolean),
        ``range`` (in words), ``unit``, ``meaning``, ``org_lever`` (may differ between
        organisations) and ``setup_only`` (used only to build the sector).
    """
    records = []
    for name, field in Parameters.model_fields.items():
        default = field.default
        if get_origin(field.annotation) is tuple:
            # A yearly series, tuple[Share, ...], has one item type for any length.
            items = [item for item in get_args(field.annotation) if item is not Ellipsis]
            bounds = [_bounds(item) for item in items]
            kind: str = "array"
            minimum: Any = [low for low, _ in bounds]
            maximum: Any = [high for _, high in bounds]
            default = list(default)
        elif field.annotation is bool:
            kind, minimum, maximum = "boolean", None, None
        else:
            kind = "integer" if field.annotation is int else "number"
            minimum, maximum = _bounds(field.annotation, field.metadata)
        records.append(
            {
                "name": name,
                "default": default,
                "type": kind,
                "minimum": minimum,
                "maximum": maximum,
                "range": _range_text(name, kind, minimum, maximum),
                "unit": UNITS[name],
                "meaning": field.description or "",
                "org_lever": name in ORG_LEVERS,
                "setup_only": name in SETUP_ONLY,
            }
        )
    return records


def parameter_table(records: list[dict[str, Any]]) -> list[str]:
    """The records as a plain table: a header and one aligned line per parameter.

    Args:
        records: From :func:`parameter_records`.

    Returns:
        The lines; the meaning is the last column and is not cut.
    """
    rows = [
        (record["name"], _default_text(record["default"]), record["range"], record["unit"])
        + (record["meaning"],)
        for record in records
    ]
    return aligned_rows([HEADER, *rows])


def _bounds(annotation: Any, metadata: list[Any] | None = None) -> tuple[Any, Any]:
    """The ``ge`` and ``le`` bounds of a field or tuple item (``None`` where unbounded)."""
    items = list(metadata or [])
    if get_origin(annotation) is Annotated:
        for extra in get_args(annotation)[1:]:
            items.extend(getattr(extra, "metadata", [extra]))
    # annotated_types' Ge and Le, as pydantic keeps them; matched by attribute.
    low = next((item.ge for item in items if hasattr(item, "ge")), None)
    high = next((item.le for item in items if hasattr(item, "le")), None)
    return low, high


def _range_text(name: str, kind: str, minimum: Any, maximum: Any) -> str:
    """The allowed values in a few words, e.g. ``0 to 1`` or ``integer 1 to 200000``."""
    if kind == "boolean":
        return "true/false"
    if kind == "array":
        parts = [_interval(low, high) for low, high in zip(minimum, maximum, strict=True)]
        if name in YEARLY_SERIES:
            return f"yearly values, each {parts[0]}"
        text = f"{len(parts)} x {parts[0]}" if len(set(parts)) == 1 else "; ".join(parts)
        return f"{text}, sum 1" if name == "exposure_mix" else text
    interval = _interval(minimum, maximum)
    return f"integer {interval}" if kind == "integer" else interval


def _interval(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "any"
    if high is None:
        return f">= {low:g}"
    if low is None:
        return f"<= {high:g}"
    return f"{low:g} to {high:g}"


def _default_text(value: Any) -> str:
    """A default as ``--set`` takes it: ``false``, ``24``, ``0.55,0.3,0.15``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_default_text(item) for item in value)
    return str(value)
