"""Posterior files: reading a CSV of weighted draws and checking every cell before use.

Bad input is an :class:`~simulation.core.errors.InputError` naming the file, the column or
row, the value and what is allowed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.errors import InputError, SettingsFileError
from simulation.core.parameters import (
    ParameterError,
    Parameters,
    allowed_values,
    validate_parameters,
)
from simulation.runs.calibration.posterior import DISTANCE, SEED, WEIGHT, Posterior
from simulation.runs.calibration.priors import NUISANCES
from simulation.runs.scenarios import read_small_file

#: The packaged posterior, the default of ``--posterior``.
DEFAULT_POSTERIOR = Path(__file__).parent.parent / "data" / "posterior.csv"
#: Its provenance (command, seeds, acceptance, distances, date).
DEFAULT_PROVENANCE = DEFAULT_POSTERIOR.with_suffix(".json")

#: Largest posterior file read (bytes): some 50,000 draws of the packaged file's columns.
MAX_POSTERIOR_BYTES = 10_000_000
POSTERIOR_SIZE_REASON = "about 50,000 weighted draws"


def _posterior_error(source: str, what: str, allowed: str) -> InputError:
    return InputError(f"posterior file {source}: {what}; allowed: {allowed}")


def _shown(value: Any) -> str:
    """A cell as a message shows it: text quoted (``'high'``), a number plain (``nan``)."""
    if isinstance(value, str):
        return repr(value) if value.strip() else "an empty cell"
    return str(value.item() if isinstance(value, np.generic) else value)


def _is_integer_parameter(name: str) -> bool:
    field_info = Parameters.model_fields.get(name)
    return field_info is not None and field_info.annotation is int


def posterior_from_frame(frame: pd.DataFrame, source: str = "<posterior>") -> Posterior:
    """Check a table of draws and make it a :class:`Posterior`.

    Cells may be numbers or their text (as read from a CSV). Integer parameters
    (``n_orgs``) must hold whole numbers and are kept as integers; every other column is
    made float.

    Args:
        frame: The draws (see :class:`Posterior`).
        source: Its file, for messages.

    Returns:
        The posterior.

    Raises:
        InputError: Naming the file, the column or row, the value and what is allowed.
    """
    frame = frame.copy()
    known = set(Parameters.model_fields) | set(NUISANCES) | {WEIGHT, DISTANCE, SEED}
    allowed_columns = (
        "weight, distance, seed, the nuisances initial_unexposed and envelope_growth, and "
        "numeric model parameters"
    )
    for column in frame.columns:
        if column not in known:
            raise _posterior_error(source, f"unknown column {column!r}", allowed_columns)
    if WEIGHT not in frame.columns:
        raise _posterior_error(source, "no column 'weight'", "a column of weights >= 0")
    if frame.empty:
        raise _posterior_error(source, "no draws", "at least one row")
    posterior_columns = [name for name in frame.columns if name not in (WEIGHT, DISTANCE, SEED)]
    if not posterior_columns:
        raise _posterior_error(source, "no parameter column", allowed_columns)
    for column in [WEIGHT, *posterior_columns]:
        numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _posterior_error(
                source,
                f"column {column!r}, row {row + 1}: {_shown(frame[column].iloc[row])} is not "
                "a finite number",
                "finite numbers",
            )
        if _is_integer_parameter(column):
            fractional = numbers != numbers.round()
            if fractional.any():
                row = int(np.flatnonzero(fractional.to_numpy())[0])
                raise _posterior_error(
                    source,
                    f"column {column!r}, row {row + 1}: {_shown(numbers.iloc[row])} is not a "
                    "whole number",
                    f"whole numbers ({column} is an integer parameter)",
                )
            # Beyond 2**53 a float is no longer an exact integer (nor, past 2**63, an int64).
            huge = numbers.abs() > 2**53
            if huge.any():
                row = int(np.flatnonzero(huge.to_numpy())[0])
                raise _posterior_error(
                    source,
                    f"column {column!r}, row {row + 1}: {_shown(numbers.iloc[row])} is not allowed",
                    allowed_values(column),
                )
            frame[column] = numbers.round().astype(np.int64)
        else:
            frame[column] = numbers
    for column in (DISTANCE, SEED):  # a search's record of each draw, not checked
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    weights = frame[WEIGHT].to_numpy()
    if (weights < 0).any() or weights.max() <= 0:  # (max, not sum: no overflow to inf)
        raise _posterior_error(
            source, "column 'weight' has a negative value or sums to 0", "weights >= 0, sum > 0"
        )
    for column in posterior_columns:
        if column in NUISANCES:
            values = frame[column]
            if ((values < 0) | (values > 1)).any():
                raise _posterior_error(source, f"column {column!r} outside 0-1", "shares 0-1")
            continue
        # Each distinct value once: a large file repeats values, and the check is the same.
        for value in pd.unique(frame[column]):
            try:
                validate_parameters({column: value.item()})
            except ParameterError:
                row = int(np.flatnonzero((frame[column] == value).to_numpy())[0])
                raise _posterior_error(
                    source,
                    f"column {column!r}, row {row + 1}: {_shown(value)} is not allowed",
                    f"{allowed_values(column)} (lewsim params lists every parameter)",
                ) from None
    return Posterior(frame.reset_index(drop=True), source)


def _read_posterior_csv(path: Path) -> pd.DataFrame:
    """The cells of a posterior file as text, after checking the file and its header."""
    try:
        data = read_small_file(path, "posterior", MAX_POSTERIOR_BYTES, POSTERIOR_SIZE_REASON)
    except SettingsFileError as problem:
        raise InputError(f"posterior file {path}: {problem}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"posterior file {path}: is not UTF-8 text (CSV files are)") from None
    header = next(csv.reader(io.StringIO(text.partition("\n")[0])), [])
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise _posterior_error(str(path), f"column {name!r} twice", "each column once")
        seen.add(name)
    if len(header) > len(Parameters.model_fields) + len(NUISANCES) + 3:
        raise _posterior_error(
            str(path),
            f"{len(header)} columns, more than there are parameters",
            "weight, distance, seed and one column per parameter",
        )
    try:
        # As text: the checks then show a bad cell as it is written, and read every number
        # the same way whatever its column.
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as error:
        message = " ".join(str(error).split())
        raise InputError(f"posterior file {path}: cannot be read as CSV ({message})") from None


def load_posterior(path: str | Path | None = None) -> Posterior:
    """Read a posterior file (CSV); by default the packaged one.

    Args:
        path: The file (default :data:`DEFAULT_POSTERIOR`).

    Returns:
        The checked posterior.

    Raises:
        InputError: If the file is missing, not a small regular file (a device, a pipe, a
            directory or more than :data:`MAX_POSTERIOR_BYTES`), cannot be read as CSV or
            its contents are not a posterior.
    """
    path = Path(path) if path is not None else DEFAULT_POSTERIOR
    return posterior_from_frame(_read_posterior_csv(path), str(path))
