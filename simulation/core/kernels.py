"""Compiled loops (numba) for the hot paths of every month: circle sums, draws, updates.

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

**Updates.** The attitude processes (exposure, understanding, commitment, stigma) end in
a few lines of arithmetic over everyone that numpy runs as a dozen passes with
temporaries; each loop here does it in one pass per person, with the same operations in
the same order (numba forms no fused multiply-add), so again the results are identical.
The organisations' non-peer stigma totals are summed in the reference's order too.

:data:`COMPILED` switches the model between these loops and the numpy reference (the
reference defines the results; ``tests/core/test_kernels.py`` checks both agree to the
last bit, and a whole run is the same either way). Compiled code is cached on disk
(numba's ``cache=True``: beside this file, or in the user's cache directory where the
package is read-only; with neither writable, each process compiles the loops itself);
a new process loads it in about 0.2 s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

#: Whether the model runs on these compiled loops (True) or on the numpy reference
#: (False); both give identical results.
COMPILED = True


def _compiled(function: Callable) -> Callable:
    """``numba.njit`` with numba's disk cache, or without it where it has nowhere to write.

    Where neither the package's folder nor the user's cache directory is writable, numba
    refuses ``cache=True`` when the function is defined; the loops are then compiled in
    each process instead (a few seconds at the first run), rather than failing the import.
    """
    try:
        return njit(cache=True)(function)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(function)


@_compiled
def _block_sum(values: np.ndarray, start: int, count: int) -> float:
    """The pairwise sum numpy makes of at most 128 values: in turn below 8, else 8 running sums."""
    if count < 8:
        total = -0.0
        for i in range(count):
            total += values[start + i]
        return total
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


@_compiled
def pairwise_sum(values: np.ndarray, start: int, count: int) -> float:
    """Sum ``values[start:start + count]`` exactly as numpy's pairwise summation does.

    Fewer than 8 values are added in turn from -0.0; up to 128, in 8 running sums
    combined as a tree, then the rest in turn; beyond, the two halves (the first a
    multiple of 8 long) each summed so, and added. The halving runs on an explicit stack,
    not by recursion: numba's disk cache cannot link a recursive function into its callers.

    Args:
        values: The array.
        start: First index.
        count: How many values.

    Returns:
        Their sum.
    """
    if count <= 128:
        return _block_sum(values, start, count)
    # Tasks in post-order: (start, count) to sum, or a combine (count -1) of the last two.
    task_start = np.empty(192, dtype=np.int64)
    task_count = np.empty(192, dtype=np.int64)
    partial = np.empty(64)
    tasks, partials = 1, 0
    task_start[0], task_count[0] = start, count
    while tasks:
        tasks -= 1
        first, size = task_start[tasks], task_count[tasks]
        if size < 0:
            partials -= 1
            partial[partials - 1] = partial[partials - 1] + partial[partials]
        elif size <= 128:
            partial[partials] = _block_sum(values, first, size)
            partials += 1
        else:
            half = size // 2
            half -= half % 8
            task_count[tasks] = -1
            task_start[tasks + 1], task_count[tasks + 1] = first + half, size - half
            task_start[tasks + 2], task_count[tasks + 2] = first, half
            tasks += 3
    return partial[0]


@_compiled
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
    """``CircleLinks.add_into``: each target gets its links' values, added as reduceat does.

    A link (a source) brings a person's own value or a whole unit's total. A target's
    values are added as ``np.add.reduceat`` adds them: the first, plus numpy's pairwise
    sum of the rest, which for fewer than 8 (nearly every target: most have one or two
    links) adds them in turn from -0.0, here straight from the sources; longer groups are
    gathered and summed by :func:`pairwise_sum`.
    """
    n_person = person_sources.size
    for group in range(starts.size):
        first = starts[group]
        end = starts[group + 1] if group + 1 < starts.size else order.size
        source = order[first]
        if source < n_person:
            head = values[person_sources[source]]
        else:
            head = unit_sum[unit_sources[source - n_person]]
        if end - first - 1 < 8:
            rest = -0.0
            for k in range(first + 1, end):
                source = order[k]
                if source < n_person:
                    rest += values[person_sources[source]]
                else:
                    rest += unit_sum[unit_sources[source - n_person]]
        else:
            feed = np.empty(end - first - 1)
            for k in range(first + 1, end):
                source = order[k]
                if source < n_person:
                    feed[k - first - 1] = values[person_sources[source]]
                else:
                    feed[k - first - 1] = unit_sum[unit_sources[source - n_person]]
            rest = pairwise_sum(feed, 0, feed.size)
        sums[targets[group]] += head + rest


@_compiled
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


@_compiled
def _unit_totals(unit: np.ndarray, values: np.ndarray, n_bins: int) -> np.ndarray:
    """``np.bincount(unit, weights=values, minlength=n_bins)``: each unit's total, in slot order."""
    totals = np.zeros(n_bins)
    for i in range(unit.size):
        totals[unit[i]] += values[i]
    return totals


@_compiled
def _add_beyond_unit(
    sums: np.ndarray, values: np.ndarray, unit_sum: np.ndarray, context: tuple
) -> None:
    """The reference's ``_add_circle_extras``: the fixed links, then the supervision ties."""
    _, org, n_orgs, links, supervision = context
    _add_links(sums, values, unit_sum, *links)
    _add_supervision(sums, values, org, n_orgs, *supervision)


@_compiled
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


@_compiled
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


@_compiled
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


@_compiled
def _mix(x: np.uint64) -> np.uint64:
    """SplitMix64's finaliser of one value (wrapping 64-bit arithmetic)."""
    x ^= x >> np.uint64(30)
    x *= _MIX_1
    x ^= x >> np.uint64(27)
    x *= _MIX_2
    return x ^ (x >> np.uint64(31))


@_compiled
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


@_compiled
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


# ---- the attitude updates -------------------------------------------------------------------
# Each loop below does, per person, the arithmetic a process writes in numpy as several
# whole-array passes, in the same order and with the same operations (no fused multiply-add),
# so the results are identical to the last bit: the numpy code in
# :mod:`simulation.core.processes` stays the reference (``COMPILED = False``).


@_compiled
def _clip_unit(x: float) -> float:
    """``np.clip(x, 0.0, 1.0)`` as numpy computes it: only values outside [0, 1] move."""
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@_compiled
def grow_and_decay(values: np.ndarray, rate: float, drive: np.ndarray, decay: float) -> None:
    """``values += rate * drive * (1 - values) - decay * values``, then clipped to [0, 1].

    Exposure (``rate`` = exposure_gain x contact_effect, ``drive`` the contact share) and
    understanding (``drive`` the capped exposure plus insight) move so. In place.

    Args:
        values: The state, updated in place.
        rate: The gain (a product the caller forms first, as numpy does).
        drive: One drive per person.
        decay: The monthly decay.
    """
    for i in range(values.size):
        x = values[i]
        values[i] = _clip_unit(x + ((rate * drive[i]) * (1.0 - x) - decay * x))


@_compiled
def commitment_update(
    commitment: np.ndarray,
    understanding: np.ndarray,
    superior: np.ndarray,
    push: np.ndarray,
    local_stigma: np.ndarray,
    peers: np.ndarray,
    top_down: float,
    stigma_drag: float,
    rate: float,
) -> None:
    """``C += rate * (U + top_down * C_sup + push - C * (1 + top_down + push + drag * S))``.

    The bracket of :func:`simulation.core.processes.commitment_dynamics`, added in its order
    (target = top_down C_sup + U + push; weight = (drag S + push + (1 + top_down)) C); the
    change is 0 for ``peers``; then clipped to [0, 1]. In place.

    Args:
        commitment: Everyone's commitment, updated in place.
        understanding: Everyone's understanding.
        superior: Each person's line manager's commitment (the board's for executives).
        push: Champions' reach, plus what decision-makers see of peer work.
        local_stigma: The mean stigma of each person's working circle.
        peers: Slots whose commitment does not move.
        top_down: Pull toward the line manager.
        stigma_drag: Drag of the circle's stigma.
        rate: ``commitment_rate``.
    """
    change = np.empty(commitment.size)
    lift = 1.0 + top_down
    for i in range(commitment.size):
        target = ((top_down * superior[i]) + understanding[i]) + push[i]
        weight = (((stigma_drag * local_stigma[i]) + push[i]) + lift) * commitment[i]
        change[i] = (target - weight) * rate
    for k in range(peers.size):
        change[peers[k]] = 0.0
    for i in range(commitment.size):
        commitment[i] = _clip_unit(commitment[i] + change[i])


@_compiled
def stigma_update(
    stigma: np.ndarray,
    contact: np.ndarray,
    circle_total: np.ndarray,
    muted_total: np.ndarray,
    sizes: np.ndarray,
    muted_count: np.ndarray,
    exec_commitment: np.ndarray,
    org: np.ndarray,
    peers: np.ndarray,
    contact_rate: float,
    conformity: float,
    top_down_culture: float,
) -> None:
    """The update of :func:`simulation.core.processes.stigma_dynamics`, in its order.

    ``norm`` = (circle total - muted total) / (circle size - muted count) where that size
    exceeds 1e-12, else one's own stigma; ``change = contact_rate * x * S + conformity *
    (norm - S) - top_down_culture * C_exec * S`` (``contact_rate`` is the negative product
    the caller forms first); 0 for ``peers``; then clipped to [0, 1]. In place.

    Args:
        stigma: Everyone's stigma, updated in place.
        contact: Everyone's LE contact share.
        circle_total: The circle sums of stigma.
        muted_total: The circle sums of the muted part of peers' stigma.
        sizes: The circles' sizes.
        muted_count: The circle sums of peers' muted voice.
        exec_commitment: Each organisation's executives' mean commitment.
        org: Each slot's organisation.
        peers: Slots whose stigma does not move.
        contact_rate: ``-contact_stigma * contact_effect``.
        conformity: Pull toward the circle's norm.
        top_down_culture: Pull of the executives' commitment.
    """
    change = np.empty(stigma.size)
    for i in range(stigma.size):
        s = stigma[i]
        voices = sizes[i] - muted_count[i]
        norm = (circle_total[i] - muted_total[i]) / voices if voices > 1e-12 else s
        change[i] = ((contact_rate * contact[i]) * s + conformity * (norm - s)) - (
            top_down_culture * exec_commitment[org[i]]
        ) * s
    for k in range(peers.size):
        change[peers[k]] = 0.0
    for i in range(stigma.size):
        stigma[i] = _clip_unit(stigma[i] + change[i])


@_compiled
def divide_by_size(sums: np.ndarray, sizes: np.ndarray) -> None:
    """``sums / np.maximum(sizes, 1.0)`` in place: circle sums into circle means."""
    for i in range(sums.size):
        size = sizes[i]
        sums[i] = sums[i] / (size if (size > 1.0 or np.isnan(size)) else 1.0)


@_compiled
def non_peer_org_totals(
    unit: np.ndarray,
    values: np.ndarray,
    n_bins: int,
    unit_org: np.ndarray,
    n_orgs: int,
    org: np.ndarray,
    peers: np.ndarray,
) -> np.ndarray:
    """Each organisation's total of ``values`` over its managers and clinicians.

    As :func:`simulation.core.circles.non_peer_stigma_sum` adds them: by unit in slot
    order, the units by organisation in unit order, less the peers' totals (in their order).
    """
    by_unit = _unit_totals(unit, values, n_bins)
    totals = np.zeros(n_orgs)
    for u in range(unit_org.size):
        totals[unit_org[u]] += by_unit[u]
    peer_totals = np.zeros(n_orgs)
    for k in range(peers.size):
        peer_totals[org[peers[k]]] += values[peers[k]]
    for o in range(n_orgs):
        totals[o] -= peer_totals[o]
    return totals
