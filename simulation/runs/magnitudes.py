"""Magnitudes against sourced ranges: how big the sector's peer workforce and champions are.

The study gives directions, never sizes, so the sizes the model produces (peer workers as
a share of staff, champions, Lived Experience leaders, organisations employing peers) are
held against ranges taken from national data and the literature, each with its source,
at month 0 and at year 10 (docs/ODD.md section 10.5). The ranges live in one committed
file, ``experiments/plausible-ranges.toml``; :func:`load_ranges` reads and checks it, and
:func:`magnitudes` reads the measures off a run's sector series.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulation.core.errors import InputError
from simulation.core.wording import is_number

#: The measures :func:`magnitudes` gives, with what each is.
MEASURES: Mapping[str, str] = {
    "orgs_with_peers_share": "share of organisations employing peer workers",
    "peer_share": "peer workers (and LE leaders) as a share of all staff",
    "peers_per_employing_org": "peer workers per organisation that employs any",
    "champion_share": "champions as a share of all staff",
    "champions_per_org": "champions per organisation",
    "le_leaders_per_org": "Lived Experience leaders per organisation",
}

#: The months a range may be given for: month 0 (2017-18) and year 10.
MONTHS = (0, 120)


@dataclass(frozen=True)
class Range:
    """A plausible range of one measure at one month, with its source.

    Attributes:
        measure: A key of :data:`MEASURES`.
        month: 0 or 120.
        low: Lowest plausible value.
        high: Highest plausible value.
        source: Where the range comes from, in words (national data, the study, the
            literature; or that it is an assumption).
        outside: Empty if the model is expected inside; otherwise why the model is known
            to lie outside (a miss reported, not hidden).
    """

    measure: str
    month: int
    low: float
    high: float
    source: str
    outside: str = ""


def load_ranges(path: str | Path) -> list[Range]:
    """Read the ranges file.

    Args:
        path: A TOML file with one ``[[range]]`` table per measure and month.

    Returns:
        The ranges, in file order.

    Raises:
        InputError: Naming the file, the entry and field, and what is allowed.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path}: cannot be read as TOML ({error})") from None
    ranges = []
    for number, entry in enumerate(data.get("range", []), start=1):
        where = f"{path}: range {number}"
        unknown = set(entry) - {"measure", "month", "low", "high", "source", "outside"}
        if unknown:
            raise InputError(f"{where}: unknown field {sorted(unknown)[0]!r}")
        if entry.get("measure") not in MEASURES:
            raise InputError(f"{where}: measure must be one of {', '.join(MEASURES)}")
        if entry.get("month") not in MONTHS:
            raise InputError(f"{where}: month must be 0 or 120")
        low, high = entry.get("low"), entry.get("high")
        if not (is_number(low) and is_number(high)):
            raise InputError(f"{where}: low and high must be numbers")
        if not low <= high:
            raise InputError(f"{where}: low must not exceed high")
        if not str(entry.get("source", "")).strip():
            raise InputError(f"{where}: source is required (say where the range comes from)")
        ranges.append(
            Range(
                entry["measure"],
                entry["month"],
                float(low),
                float(high),
                entry["source"],
                entry.get("outside", ""),
            )
        )
    seen = [(r.measure, r.month) for r in ranges]
    if len(set(seen)) != len(seen):
        raise InputError(f"{path}: a measure and month appear twice")
    return ranges


def magnitudes(frame: pd.DataFrame, n_orgs: int, month: int) -> dict[str, float]:
    """The measures of :data:`MEASURES` in one month of one run's sector series.

    Args:
        frame: Sector series indexed by month (as :func:`simulation.simulate` returns).
        n_orgs: Organisations in the sector.
        month: The month.

    Returns:
        Measure -> value (NaN where a denominator is zero).
    """
    row = frame.loc[month]
    peers = float(row["peer_workers"])
    staff = peers / row["peer_share"] if row["peer_share"] > 0 else math.nan
    employing = float(row["orgs_with_peers"])
    return {
        "orgs_with_peers_share": employing / n_orgs,
        "peer_share": float(row["peer_share"]),
        "peers_per_employing_org": peers / employing if employing else math.nan,
        "champion_share": float(row["champions"]) / staff if staff else math.nan,
        "champions_per_org": float(row["champions"]) / n_orgs,
        "le_leaders_per_org": float(row["le_leaders"]) / n_orgs,
    }
