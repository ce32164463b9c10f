"""The one interval helper: means over replications with t-based confidence intervals.

Every interval lewsim reports (replication bands, paired differences of a comparison,
validation checks, calibration figures) comes from :func:`mean_interval`, so they all
follow one convention: the interval of the mean is ``mean ± t(1 - (1 - level) / 2, n - 1) ·
sd / sqrt(n)`` (``scipy.stats.t.interval``), computed over the values that are not NaN,
and **with fewer than two values there is no interval** (low and high are NaN), because a
spread cannot be estimated from one run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

#: The confidence level of every interval lewsim reports.
LEVEL = 0.95


def mean_interval(values: Any, level: float = LEVEL) -> tuple[Any, Any, Any]:
    """Mean and t-based confidence interval of the mean, of a vector or of each column.

    Args:
        values: One value per replication (1-D), or a replications x months matrix (2-D:
            one interval per column). NaNs are left out of the column they are in.
        level: Confidence level, between 0 and 1.

    Returns:
        ``(mean, low, high)``: floats for 1-D input, arrays over the columns for 2-D.
        ``low`` and ``high`` are NaN where fewer than two values are present; ``mean`` is
        NaN where none is.

    Raises:
        ValueError: If ``values`` has more than two dimensions or ``level`` is not in (0, 1).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    array = np.asarray(values, dtype=float)
    if array.ndim > 2:
        raise ValueError(f"values must be 1-D or 2-D, got {array.ndim} dimensions")
    matrix = array.reshape(-1, 1) if array.ndim < 2 else array
    present = ~np.isnan(matrix)
    count = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(present, matrix, 0.0).sum(axis=0)
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        squares = np.where(present, (matrix - mean) ** 2, 0.0).sum(axis=0)
        sd = np.sqrt(squares / np.maximum(count - 1, 1))
        several = count >= 2
        low, high = stats.t.interval(
            level, np.maximum(count - 1, 1), loc=mean, scale=sd / np.sqrt(np.maximum(count, 1))
        )
    # A zero spread is a zero-width interval, not NaN (scipy gives NaN for scale 0).
    low = np.where(several, np.where(sd == 0, mean, low), np.nan)
    high = np.where(several, np.where(sd == 0, mean, high), np.nan)
    if array.ndim < 2:
        return float(mean[0]), float(low[0]), float(high[0])
    return mean, low, high


def annual_growth(peers: Sequence[float], start: int, end: int) -> float:
    """Annualised growth of the peer workforce from month ``start`` to month ``end``.

    ``(P_end / P_start) ^ (12 / (end - start)) - 1``, as the calibration's ``peer_growth``
    over months 0-36; NaN if there were no peers at ``start``.
    """
    first, last = float(peers[start]), float(peers[end])
    if first <= 0:
        return math.nan
    return (last / first) ** (12.0 / (end - start)) - 1.0
