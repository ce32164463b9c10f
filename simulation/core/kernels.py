"""Compiled loops (numba) for the two hot paths of every month: circle sums and draws.

**Circle sums.** A working-circle sum (:func:`simulation.core.circles.circle_sums`) is a
per-unit total, a gather back to each person, the fixed links between units
(:class:`~simulation.core.state.CircleLinks`) and the LE supervision ties. In numpy that
is about ten calls, each a pass over the staff or the links; these loops do it in two
passes and no temporaries. Every loop adds the same numbers in the same order as the
numpy reference in :mod:`simulation.core.circles` (``np.bincount`` adds in slot order;
``np.add.reduceat`` adds a segment's first value to numpy's pairwise sum of the rest,
which :func:`pairwise_sum` reproduces), so results are identical to the last bit.

**Draws.** A keyed draw (:mod:`simulation.core.streams`) mixes each key with its
stream's month key (SplitMix64's finaliser) and keeps the top 53 bits: integer
arithmetic, identical in the loop and in numpy's several passes.

:data:`COMPILED` switches the model between these loops and the numpy reference (the
reference defines the results; ``tests/core/test_kernels.py`` checks both agree to the
last bit, and a whole run is the same either way). Compiled code is cached on disk
(numba's ``cache=True``: beside this file, or in the user's cache directory where the
package is read-only); a new process loads it in about 0.2 s.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Whether the model runs on these compiled loops (True) or on the numpy reference
#: (False); both give identical results.
COMPILED = True


@njit(cache=True)
def pairwise_sum(values: np.ndarray, start: int, count: int) -> float:
    """Sum ``values[start:start + count]`` exactly as numpy's pairwise summation does.

    Fewer than 8 values are added in turn from -0.0; up to 128, in 8 running sums
    combined as a tree, then the rest in turn; beyond, the two halves (the first a
    multiple of 8 long) each summed so.

    Args:
        values: The array.
        start: First index.
        count: How many values.

    Returns:
        Their sum.
    """
    if count < 8:
        total = -0.0
        for i in range(count):
            total += values[start + i]
        return total
    if count <= 128:
        r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
        r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
        i = 8
        end = count - count % 8
        while i < end:
            r0 += values[start + i]
            r1 += values[start + i + 1]
            r2 += values[start + i + 2]
            r3 += values[start + i + 3]
            r4 += values[start + i + 4]
            r5 += values[start + i + 5]
            r6 += values[start + i + 6]
            r7 += values[start + i + 7]
            i += 8
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < count:
            total += values[start + i]
            i += 1
        return total
    half = count // 2
    half -= half % 8
    return pairwise_sum(values, start, half) + pairwise_sum(values, start + half, count - half)


@njit(cache=True)
def _add_links(
    sums: np.ndarray,
    values: np.ndarray,
    unit_sum: np.ndarray,
    person_sources: np.ndarray,
    unit_sources: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    targets: np.ndarray,
) -> None:
    """``CircleLinks.add_into``: each target gets its links' values, added as reduceat does."""
    n_person = person_sources.size
    feed = np.empty(order.size)
    for k in range(order.size):
        source = order[k]
        if source < n_person:
            feed[k] = values[person_sources[source]]
        else:
            feed[k] = unit_sum[unit_sources[source - n_person]]
    for group in range(starts.size):
        first = starts[group]
        end = starts[group + 1] if group + 1 < starts.size else feed.size
        sums[targets[group]] += feed[first] + pairwise_sum(feed, first + 1, end - first - 1)


@njit(cache=True)
def _add_supervision(
    sums: np.ndarray,
    values: np.ndarray,
    org: np.ndarray,
    n_orgs: int,
    leaders: np.ndarray,
    peers: np.ndarray,
    leader_of_peer: np.ndarray,
) -> None:
    """LE leaders get their organisation's supervised peers' values; each peer, the leader's."""
    if leaders.size == 0:
        return
    org_sum = np.zeros(n_orgs)
    for k in range(peers.size):
        org_sum[org[peers[k]]] += values[peers[k]]
    for k in range(leaders.size):
        sums[leaders[k]] += org_sum[org[leaders[k]]]
    for k in range(peers.size):
        sums[peers[k]] += values[leader_of_peer[k]]


@njit(cache=True)
def _unit_totals(unit: np.ndarray, values: np.ndarray, n_bins: int) -> np.ndarray:
    """``np.bincount(unit, weights=values, minlength=n_bins)``: each unit's total, in slot order."""
    totals = np.zeros(n_bins)
    for i in range(unit.size):
        totals[unit[i]] += values[i]
    return totals


@njit(cache=True)
def _add_beyond_unit(
    sums: np.ndarray, values: np.ndarray, unit_sum: np.ndarray, context: tuple
) -> None:
    """The reference's ``_add_circle_extras``: the fixed links, then the supervision ties."""
    _, org, n_orgs, links, supervision = context
    _add_links(sums, values, unit_sum, *links)
    _add_supervision(sums, values, org, n_orgs, *supervision)


@njit(cache=True)
def dense_circle_sums(
    unit: np.ndarray,
    values: np.ndarray,
    context: tuple,
) -> np.ndarray:
    """Everyone's circle sum of ``values`` (``circle_sums`` without ``slots``).

    Args:
        unit: Unit of each slot (empty slots in the spare last bin).
        values: One value per slot.
        context: The sector's fixed arguments, ``(n_bins, org, n_orgs, links,
            supervision)``: units plus the spare bin; each slot's organisation; the number
            of organisations; ``CircleLinks.arrays`` (person sources, unit sources, order,
            starts, targets); the LE leaders, the peers they supervise and each peer's
            leader (empty arrays where no organisation has one).

    Returns:
        One sum per slot.
    """
    unit_sum = _unit_totals(unit, values, context[0])
    sums = np.empty(unit.size)
    for i in range(unit.size):
        sums[i] = unit_sum[unit[i]] - values[i]
    _add_beyond_unit(sums, values, unit_sum, context)
    return sums


@njit(cache=True)
def selected_circle_sums(
    unit: np.ndarray,
    values: np.ndarray,
    slots: np.ndarray,
    context: tuple,
) -> np.ndarray:
    """The circle sums of ``slots`` only (``circle_sums`` with ``slots``).

    The parts beyond one's own unit are gathered from zero, then added to the own unit's
    part, in the reference's order. Arguments as :func:`dense_circle_sums`, and
    ``slots``, whose circles to return.

    Returns:
        One sum per slot in ``slots``.
    """
    unit_sum = _unit_totals(unit, values, context[0])
    extras = np.zeros(unit.size)
    _add_beyond_unit(extras, values, unit_sum, context)
    sums = np.empty(slots.size)
    for k in range(slots.size):
        slot = slots[k]
        sums[k] = (unit_sum[unit[slot]] - values[slot]) + extras[slot]
    return sums


@njit(cache=True)
def sparse_circle_sums(
    unit: np.ndarray,
    slots: np.ndarray,
    amounts: np.ndarray,
    context: tuple,
) -> np.ndarray:
    """Everyone's circle sum of values that are zero except ``amounts`` at ``slots``.

    Arguments as :func:`dense_circle_sums`, with the values given sparsely.

    Returns:
        One sum per slot.
    """
    values = np.zeros(unit.size)
    unit_sum = np.zeros(context[0])
    for k in range(slots.size):
        values[slots[k]] = amounts[k]
        unit_sum[unit[slots[k]]] += amounts[k]
    sums = np.empty(unit.size)
    for i in range(unit.size):
        sums[i] = unit_sum[unit[i]]
    for k in range(slots.size):
        sums[slots[k]] -= amounts[k]
    _add_beyond_unit(sums, values, unit_sum, context)
    return sums


# ---- keyed draws ----------------------------------------------------------------------------

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_UNIT = 2.0**-53


@njit(cache=True)
def _mix(x: np.uint64) -> np.uint64:
    """SplitMix64's finaliser of one value (wrapping 64-bit arithmetic)."""
    x ^= x >> np.uint64(30)
    x *= _MIX_1
    x ^= x >> np.uint64(27)
    x *= _MIX_2
    return x ^ (x >> np.uint64(31))


@njit(cache=True)
def mix64(values: np.ndarray) -> np.ndarray:
    """:func:`simulation.core.streams.mix64` of a 1-D ``uint64`` array, in one pass.

    Args:
        values: The values.

    Returns:
        A new array of their mixes.
    """
    mixed = np.empty_like(values)
    for i in range(values.size):
        mixed[i] = _mix(values[i])
    return mixed


@njit(cache=True)
def keyed_uniforms(keys: np.ndarray, month_keys: np.ndarray, replication: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) of ``mix64(key ^ month key)``, the top 53 bits.

    Args:
        keys: One ``uint64`` key per draw.
        month_keys: ``(streams, replications)`` month keys, ``uint64``.
        replication: The replication (column of ``month_keys``) of each key.

    Returns:
        ``(streams, keys)`` floats, row ``s`` the draws of stream ``s``.
    """
    draws = np.empty((month_keys.shape[0], keys.size))
    for stream in range(month_keys.shape[0]):
        for k in range(keys.size):
            bits = _mix(keys[k] ^ month_keys[stream, replication[k]])
            draws[stream, k] = np.float64(bits >> np.uint64(11)) * _UNIT
    return draws
