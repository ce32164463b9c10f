"""The numbers of a comparison in words: values, differences, thresholds and headlines.

Every value of an outcome is rounded alike (:data:`DECIMALS`), a difference and its
interval get enough decimals to show their side of zero, and a difference is called clear
only above its practical threshold. The report (:mod:`.comparison_report`) and the
terminal (``lewsim compare``) both word their numbers here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from simulation.core.wording import count, join_words
from simulation.outputs.figures import series_scale
from simulation.runs.comparison import (
    FAVOURABLE_DIRECTION,
    PRACTICAL_THRESHOLDS,
    Comparison,
    is_clear,
)

#: How each outcome is named in sentences, and how its values are written:
#: ``count`` (people, organisations), ``score`` (0-1 scale) or ``share`` (per cent, its
#: differences in percentage points).
OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "peer_workers": ("peer workers", "count"),
    "orgs_without_peers": ("organisations without peers", "count"),
    "mean_stigma": ("mean stigma", "score"),
    "mean_commitment_managers": ("managers' mean commitment", "score"),
    "le_leaders": ("lived-experience leaders", "count"),
    "peer_share": ("peer share of staff", "share"),
    "champions": ("champions", "count"),
}

#: Decimals of each kind of outcome value: people and organisations to a tenth, 0-1
#: scores to a thousandth, shares to a tenth of a percentage point. Every value of an
#: outcome is shown with them, so one mean reads the same in every row.
DECIMALS: dict[str, int] = {"count": 1, "score": 3, "share": 1}

#: Most decimals a difference or its interval is given to show which side of zero it is on.
MAX_DECIMALS = 6

#: The unit of a count outcome's practical threshold, singular and plural.
_THRESHOLD_UNITS: dict[str, tuple[str, str]] = {
    "peer_workers": ("peer worker", "peer workers"),
    "orgs_without_peers": ("organisation without peers", "organisations without peers"),
    "le_leaders": ("lived-experience leader", "lived-experience leaders"),
    "champions": ("champion", "champions"),
}


def month_phrase(month: int) -> str:
    """``"1 year"``, ``"10 years"`` or ``"month 30"``."""
    if month > 0 and month % 12 == 0:
        years = month // 12
        return count(years, "year")
    return f"month {month}"


def _kind(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, ("", "score"))[1]


def _text(value: float, decimals: int, signed: bool) -> str:
    text = f"{value:{'+' if signed else ''}.{decimals}f}"
    return "0" if text.lstrip("+-").strip("0.") == "" else text  # no "-0.0" or "+0.000"


def format_value(
    outcome: str,
    value: float,
    *,
    signed: bool = False,
    decimals: int | None = None,
) -> str:
    """Write one outcome value as shown in the report and the terminal.

    Every value of an outcome gets the same decimals (:data:`DECIMALS` of its kind), so a
    mean reads the same wherever it is shown.

    Args:
        outcome: The outcome (decides scale and decimals; shares in per cent).
        value: The value, in the outcome's own units (shares as fractions).
        signed: Show a ``+`` on positive values (for differences).
        decimals: Decimals to use instead of the outcome's usual ones.

    Returns:
        The text; ``"n/a"`` for a missing value.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    places = DECIMALS.get(_kind(outcome), 3) if decimals is None else decimals
    return _text(value * series_scale(outcome), places, signed)


def difference_decimals(outcome: str, *values: float) -> int:
    """Decimals that show every non-zero value on its side of zero.

    Starts from the outcome's usual decimals and adds more while a non-zero value (such as
    the upper end of an interval at -0.0004) would round to zero, up to
    :data:`MAX_DECIMALS`.

    Args:
        outcome: The outcome.
        *values: The values, in the outcome's own units.

    Returns:
        The number of decimals.
    """
    places = DECIMALS.get(_kind(outcome), 3)
    scaled = [value * series_scale(outcome) for value in values if math.isfinite(value) and value]
    while places < MAX_DECIMALS and any(round(value, places) == 0 for value in scaled):
        places += 1
    return places


def format_difference(row: Mapping[str, Any]) -> str:
    """``+40.2 (95% CI 35.0 to 45.3)`` for a row of the differences table.

    The difference and both ends of its interval share their decimals, with as many as it
    takes to show each on its side of zero (:func:`difference_decimals`).
    """
    outcome = row["outcome"]
    low, high = row["ci_low"], row["ci_high"]
    places = difference_decimals(outcome, row["difference"], low, high)
    difference = format_value(outcome, row["difference"], signed=True, decimals=places)
    if not math.isfinite(low):
        return f"{difference} (no CI: one pair)"
    low_text = format_value(outcome, low, decimals=places)
    high_text = format_value(outcome, high, decimals=places)
    return f"{difference} (95% CI {low_text} to {high_text})"


def threshold_phrase(outcome: str, *, named: bool = False) -> str:
    """The outcome's practical threshold in words: ``"1 peer worker"``, ``"0.01"``...

    Args:
        outcome: An outcome of :data:`~simulation.runs.comparison.PRACTICAL_THRESHOLDS`.
        named: Name the outcome after a score's or share's threshold (``"0.01 in mean
            stigma"``), for a list of several outcomes' thresholds.

    Returns:
        The threshold with its unit (``"0.01 on its 0-1 scale"``, ``"0.1 percentage
        points"``); ``"none"`` for an outcome without one.
    """
    threshold = PRACTICAL_THRESHOLDS.get(outcome)
    if threshold is None:
        return "none"
    kind = _kind(outcome)
    if kind == "count":
        singular, plural = _THRESHOLD_UNITS.get(outcome, ("", ""))
        return f"{threshold:g} {singular if threshold == 1 else plural}".rstrip()
    if kind == "share":
        points = f"{threshold * 100:g}"
        amount = f"{points} percentage point" + ("" if points == "1" else "s")
    else:
        amount = f"{threshold:g}" if named else f"{threshold:g} on its 0-1 scale"
    return f"{amount} in {outcome_label(outcome)}" if named else amount


def row_is_clear(row: Mapping[str, Any]) -> bool:
    """Whether a row of differences is clear (its own ``clear`` column, if it has one).

    Args:
        row: A row of :attr:`~simulation.runs.comparison.Comparison.differences`.

    Returns:
        True if the difference is clear: its interval excludes zero and it passes its
        practical threshold.
    """
    if "clear" in row:
        return bool(row["clear"])
    return is_clear(row["outcome"], row["difference"], row["ci_low"], row["ci_high"])


def _significant(row: Mapping[str, Any]) -> bool:
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)  # False for NaN


def reading(row: Mapping[str, Any]) -> str:
    """Plain-words reading of a difference: its direction and whether it favours peers.

    A difference is read as higher or lower only when it is clear (its 95 % CI excludes
    zero and it exceeds the outcome's practical threshold); one whose interval excludes
    zero but which is smaller than the threshold is "too small to matter".
    """
    if not math.isfinite(row["ci_low"]):
        return "no CI (one pair)"
    if not _significant(row):
        return "no clear difference"
    if not row_is_clear(row):
        return f"too small to matter (under {threshold_phrase(row['outcome'])})"
    higher = row["difference"] > 0
    favourable = (1 if higher else -1) * FAVOURABLE_DIRECTION.get(row["outcome"], 0)
    direction = "higher" if higher else "lower"
    if favourable == 0:
        return direction
    return f"{direction} (favourable)" if favourable > 0 else f"{direction} (unfavourable)"


def outcome_label(outcome: str) -> str:
    """The outcome's name in sentences and tables."""
    return OUTCOME_WORDS.get(outcome, (outcome.replace("_", " "), ""))[0]


def difference_phrase(row: Mapping[str, Any]) -> str:
    """A row of the differences table in words.

    Args:
        row: A row of :attr:`Comparison.differences` (as a mapping).

    Returns:
        ``"+40.2 peer workers (95% CI 35.0 to 45.3)"`` for counts, ``"mean stigma -0.021
        on its 0-1 scale (95% CI ...)"`` for scores, ``"peer share of staff +1.2
        percentage points (95% CI ...)"`` for shares.
    """
    outcome = row["outcome"]
    label, kind = OUTCOME_WORDS.get(outcome, (outcome.replace("_", " "), "score"))
    number, _, interval = format_difference(row).partition(" (")
    if kind == "count":
        return f"{number} {label} ({interval}"
    if kind == "share":
        return f"{label} {number} percentage points ({interval}"
    return f"{label} {number} on its 0-1 scale ({interval}"


def headline_sentences(comparison: Comparison, month: int | None = None) -> list[str]:
    """One sentence per alternative giving its differences from the baseline at a month.

    Args:
        comparison: The comparison.
        month: A month of the table; the last by default.

    Returns:
        Sentences such as ``"**exec-champion** at 10 years: +40.2 peer workers (95% CI
        35.0 to 45.3); ...; too small to matter: mean stigma; no clear difference in
        champions."``: clear differences in outcome order, then those whose interval
        excludes zero but which are under their practical threshold, then the rest.
    """
    rows = comparison.at_month(month)
    month = int(rows["month"].iloc[0])
    sentences = []
    for alternative in comparison.alternatives:
        records = rows[rows["scenario"] == alternative.name].to_dict("records")
        parts = [difference_phrase(row) for row in records if row_is_clear(row)]
        small = [
            outcome_label(row["outcome"])
            for row in records
            if _significant(row) and not row_is_clear(row)
        ]
        unclear = [outcome_label(row["outcome"]) for row in records if not _significant(row)]
        if small:
            parts.append(f"too small to matter: {join_words(small)}")
        if unclear:
            parts.append(f"no clear difference in {join_words(unclear)}")
        sentences.append(f"**{alternative.name}** at {month_phrase(month)}: {'; '.join(parts)}.")
    return sentences
