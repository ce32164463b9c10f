"""Working circles and shared per-unit measures: the kernels the monthly processes use.

A person's *working circle* is who they work with (see :func:`circle_sums`). These
functions are vectorised over staff and cached per staff version where it pays; the
processes of :mod:`simulation.core.processes` build on them.

The circle sums run as compiled loops (:mod:`simulation.core.kernels`, numba), the hot
path of every month. The numpy functions :func:`reference_circle_sums` and
:func:`reference_sparse_circle_sums` define what they compute, to the last bit
(``kernels.COMPILED = False`` runs the model on them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.core import kernels
from simulation.core.state import PEER_KINDS

if TYPE_CHECKING:
    from simulation.core.model import SectorModel

_NO_SUPERVISION = (np.zeros(0, dtype=np.int64),) * 3


def _kernel_context(model: SectorModel) -> tuple:
    """The fixed arguments of the compiled circle sums: bins, organisations, links, ties.

    They change only when people join or leave, so they are built once per staff version.
    """
    staff = model.staff

    def build() -> tuple:
        supervision = model.le_supervision()
        if supervision is None:
            supervision = _NO_SUPERVISION
        else:
            supervision = tuple(np.asarray(each, dtype=np.int64) for each in supervision)
        return (
            model.structure.n_units + 1,
            staff.org[: staff.size],
            model.n_orgs,
            model.circle_links.arrays,
            supervision,
        )

    return staff.per_version("kernel_context", build)


def circle_sums(
    model: SectorModel, values: np.ndarray, slots: np.ndarray | None = None
) -> np.ndarray:
    """Sum ``values`` over each staff member's working circle, themselves excluded.

    The circle is the person's own unit (team, executive team or senior group), plus:
    their line manager when that manager sits in another unit (team leaders and senior
    managers); for executives, the senior managers reporting to them; for senior
    managers, every member of the teams they oversee; for an LE leader, the peer
    workers of the organisation, whom they supervise, and for those peer workers, their
    LE leader.

    Args:
        model: The sector model.
        values: One value per slot (length ``model.staff.size``). Values of empty slots
            reach no one (empty slots sit in a unit bin that is ignored).
        slots: Whose circles to return (default: every slot).

    Returns:
        The sum over the circle of each slot in ``slots`` (entries of empty slots are
        meaningless).
    """
    if not kernels.COMPILED:
        return reference_circle_sums(model, values, slots)
    staff = model.staff
    unit = staff.unit[: staff.size]
    values = np.asarray(values, dtype=np.float64)
    if slots is None:
        return kernels.dense_circle_sums(unit, values, _kernel_context(model))
    slots = np.asarray(slots)
    slots = np.flatnonzero(slots) if slots.dtype == bool else slots.astype(np.int64, copy=False)
    return kernels.selected_circle_sums(unit, values, slots, _kernel_context(model))


def sparse_circle_sums(model: SectorModel, slots: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """:func:`circle_sums` of values that are zero except at a few ``slots``.

    Champions' power or peers' voices are held by few people; summing only theirs into
    units saves the pass over everyone that a dense sum makes.

    Args:
        model: The sector model.
        slots: The slots holding non-zero values (no repeats).
        amounts: Their values.

    Returns:
        One circle sum per slot.
    """
    if not kernels.COMPILED:
        return reference_sparse_circle_sums(model, slots, amounts)
    staff = model.staff
    return kernels.sparse_circle_sums(
        staff.unit[: staff.size],
        np.asarray(slots, dtype=np.int64),
        np.asarray(amounts, dtype=np.float64),
        _kernel_context(model),
    )


# ---- the numpy reference of the compiled circle sums ------------------------------------


def _add_circle_extras(
    model: SectorModel, values: np.ndarray, unit_sum: np.ndarray, sums: np.ndarray
) -> None:
    """Add to ``sums`` (indexed by slot) the parts of circles beyond one's own unit."""
    # Team leaders' and seniors' line managers, executives' seniors, seniors' teams.
    model.circle_links.add_into(sums, values, unit_sum)
    supervision = model.le_supervision()
    if supervision is not None:  # an LE leader and the peer workers they supervise
        leaders, peers, leader_of_peer = supervision
        org_sum = np.bincount(model.staff.org[peers], weights=values[peers], minlength=model.n_orgs)
        sums[leaders] += org_sum[model.staff.org[leaders]]
        sums[peers] += values[leader_of_peer]


def reference_circle_sums(
    model: SectorModel, values: np.ndarray, slots: np.ndarray | None = None
) -> np.ndarray:
    """:func:`circle_sums` in numpy: what the compiled loops must reproduce exactly."""
    staff = model.staff
    unit = staff.unit[: staff.size]
    unit_sum = np.bincount(unit, weights=values, minlength=model.structure.n_units + 1)
    if slots is None:
        sums = unit_sum[unit] - values
        _add_circle_extras(model, values, unit_sum, sums)
        return sums
    extras = np.zeros(staff.size)
    _add_circle_extras(model, values, unit_sum, extras)
    return unit_sum[unit[slots]] - values[slots] + extras[slots]


def reference_sparse_circle_sums(
    model: SectorModel, slots: np.ndarray, amounts: np.ndarray
) -> np.ndarray:
    """:func:`sparse_circle_sums` in numpy: what the compiled loops must reproduce exactly."""
    staff = model.staff
    values = np.zeros(staff.size)
    values[slots] = amounts
    unit_sum = np.bincount(
        staff.unit[slots], weights=amounts, minlength=model.structure.n_units + 1
    ).astype(np.float64, copy=False)  # with no slots at all, bincount returns integers
    sums = unit_sum[staff.unit[: staff.size]]
    sums[slots] -= amounts
    _add_circle_extras(model, values, unit_sum, sums)
    return sums


def circle_sizes(model: SectorModel, slots: np.ndarray | None = None) -> np.ndarray:
    """Number of people in each staff member's working circle.

    The sizes of everyone's circles are cached until someone joins or leaves; a
    request for a few slots while the cache is stale counts just those circles.

    Args:
        model: The sector model.
        slots: Whose circles (default: every slot).

    Returns:
        One count per slot in ``slots`` (as floats), for the circles of
        :func:`circle_sums`.
    """
    staff = model.staff
    if slots is not None and staff.current("circle_sizes") is None:
        # Stale cache and only a few circles wanted: count just those.
        return circle_sums(model, staff.active[: staff.size].astype(np.float64), slots)
    sizes = staff.per_version(
        "circle_sizes",
        lambda: circle_sums(model, staff.active[: staff.size].astype(np.float64)),
    )
    return sizes if slots is None else sizes[slots]


def circle_mean(
    model: SectorModel, values: np.ndarray, slots: np.ndarray | None = None
) -> np.ndarray:
    """Mean of ``values`` over each staff member's working circle (0 for an empty circle).

    Args:
        model: The sector model.
        values: One value per slot.
        slots: Whose circles to return (default: every slot).

    Returns:
        One mean per slot in ``slots``.
    """
    sums, sizes = circle_sums(model, values, slots), circle_sizes(model, slots)
    if kernels.COMPILED:
        kernels.divide_by_size(sums, sizes)
        return sums
    return sums / np.maximum(sizes, 1.0)


def unit_headcount(model: SectorModel) -> np.ndarray:
    """People in each unit (last entry: the bin of empty slots), cached until staff change.

    Args:
        model: The sector model.

    Returns:
        One count per unit, plus the empty-slot bin.
    """
    staff = model.staff
    return staff.per_version(
        "unit_headcount",
        lambda: np.bincount(staff.unit[: staff.size], minlength=model.structure.n_units + 1),
    )


def le_contact_weight(model: SectorModel) -> np.ndarray:
    """How much each person counts as an LE contact: 1 for a peer, less if disclosed LE.

    Args:
        model: The sector model.

    Returns:
        One weight per slot.
    """
    staff = model.staff
    weight = staff.disclosed[: staff.size] * model.params.disclosed_weight
    weight[staff.slots_of(*PEER_KINDS)] = 1.0
    return weight


def team_peer_share(model: SectorModel, slots: np.ndarray) -> np.ndarray:
    """Share of peer workers (LE leaders included) in the own unit of each given slot.

    Args:
        model: The sector model.
        slots: Whose units to look at.

    Returns:
        One share per slot in ``slots``.
    """
    staff = model.staff
    n_bins = model.structure.n_units + 1
    peers = np.bincount(staff.unit[staff.slots_of(*PEER_KINDS)], minlength=n_bins)
    heads = unit_headcount(model)
    units = staff.unit[slots]
    return peers[units] / np.maximum(heads[units], 1)


def org_count(model: SectorModel, slots: np.ndarray) -> np.ndarray:
    """How many of ``slots`` work in each organisation.

    Args:
        model: The sector model.
        slots: Staff slots.

    Returns:
        One count per organisation.
    """
    return np.bincount(model.staff.org[slots], minlength=model.n_orgs)


def org_headcount(model: SectorModel) -> np.ndarray:
    """Staff of each organisation.

    Managers and clinicians are replaced when they leave, so only the peer workforce
    changes an organisation's headcount.

    Args:
        model: The sector model.

    Returns:
        One count per organisation.
    """
    peers = model.staff.slots_of(*PEER_KINDS)
    return model.non_peer_headcount + org_count(model, peers)


def org_mean(model: SectorModel, slots: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The mean of ``values`` over the ``slots`` of each organisation (0 where it has none).

    Args:
        model: The sector model.
        slots: Staff slots.
        values: One value per slot (indexed by slot).

    Returns:
        One mean per organisation.
    """
    org = model.staff.org[slots]
    total = np.bincount(org, weights=values[slots], minlength=model.n_orgs)
    return total / np.maximum(np.bincount(org, minlength=model.n_orgs), 1)


def non_peer_stigma_sum(model: SectorModel) -> np.ndarray:
    """Each organisation's stigma summed over its managers and clinicians.

    Everyone's stigma is summed by unit first (empty slots fall in the spare last bin), then
    by organisation, less the few peers': one pass over staff, on the hot path.

    Args:
        model: The sector model.

    Returns:
        One sum per organisation (divide by ``model.non_peer_headcount`` for the mean).
    """
    staff, structure = model.staff, model.structure
    n = staff.size
    peers = staff.slots_of(*PEER_KINDS)
    if kernels.COMPILED:
        return kernels.non_peer_org_totals(
            staff.unit[:n],
            staff.stigma[:n],
            structure.n_units + 1,
            structure.unit_org,
            model.n_orgs,
            staff.org,
            peers,
        )
    unit_stigma = np.bincount(
        staff.unit[:n], weights=staff.stigma[:n], minlength=structure.n_units + 1
    )
    org_stigma = np.bincount(
        structure.unit_org, weights=unit_stigma[: structure.n_units], minlength=model.n_orgs
    )
    org_stigma -= np.bincount(staff.org[peers], weights=staff.stigma[peers], minlength=model.n_orgs)
    return org_stigma
