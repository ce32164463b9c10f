"""What the model reports each month: the 13 sector columns and the organisation table.

:data:`SECTOR_COLUMNS` are the public column names (docs/ODD.md section 9). They are the
model reporters of the model's Mesa ``DataCollector``; :func:`sector_summary` computes
them all in one vectorised pass per month and the reporters read from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation.core.circles import non_peer_stigma_sum
from simulation.core.state import PEER_KINDS

if TYPE_CHECKING:
    from simulation.core.model import SectorModel

SECTOR_COLUMNS: tuple[str, ...] = (
    "peer_workers",
    "peer_share",
    "orgs_with_peers",
    "orgs_without_peers",
    "le_leaders",
    "champions",
    "peer_hires",
    "peer_leavers",
    "mean_exposure_managers",
    "mean_understanding_managers",
    "mean_commitment_managers",
    "mean_stigma",
    "disclosed_share",
)

ORG_COLUMNS: tuple[str, ...] = (
    "staff",
    "peer_workers",
    "peer_share",
    "le_leader",
    "champions",
    "positions",
    "resourcing_will",
    "mean_commitment_managers",
    "mean_stigma",
    "disclosed_share",
    "ever_employed",
    "exposure_class",
)


#: The managers' attributes whose means are sector columns.
MANAGER_MEANS = ("exposure", "understanding", "commitment")


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else 0.0


def org_tallies(model: SectorModel) -> dict[str, np.ndarray]:
    """Raw per-organisation counts and sums this month, from which both tables derive.

    Args:
        model: The sector model.

    Returns:
        Name -> array over organisations.
    """
    staff, n_orgs = model.staff, model.n_orgs
    n = staff.size
    org = staff.org
    peers = staff.slots_of(*PEER_KINDS)
    peer_count = np.bincount(org[peers], minlength=n_orgs)
    managers = model.manager_slots

    def count(flags: np.ndarray) -> np.ndarray:
        # Flags are cleared when someone leaves, so empty slots never count.
        return np.bincount(org[np.flatnonzero(flags)], minlength=n_orgs)

    return {
        "peers": peer_count,
        "non_peers": model.non_peer_headcount,
        "le_leader": model.orgs.le_leader >= 0,
        "champions": count(staff.champion[:n]),
        "non_peer_stigma": non_peer_stigma_sum(model),
        # Peers have always disclosed their LE; the shares are about everyone else.
        "disclosed": count(staff.disclosed[:n]) - peer_count,
        "with_le": count(staff.lived_experience[:n]) - peer_count,
        "managers": np.bincount(org[managers], minlength=n_orgs),
        "manager_commitment": np.bincount(
            org[managers], weights=staff.commitment[managers], minlength=n_orgs
        ),
    }


def org_summary(model: SectorModel, tallies: dict | None = None) -> dict[str, np.ndarray]:
    """Per-organisation figures for this month (one array per :data:`ORG_COLUMNS`).

    Args:
        model: The sector model.
        tallies: This month's :func:`org_tallies`, if already computed.

    Returns:
        Column name -> array over organisations.
    """
    t = org_tallies(model) if tallies is None else tallies
    headcount = t["non_peers"] + t["peers"]
    return {
        "staff": headcount,
        "peer_workers": t["peers"],
        "peer_share": t["peers"] / np.maximum(headcount, 1),
        "le_leader": t["le_leader"],
        "champions": t["champions"],
        "positions": model.orgs.positions.copy(),
        "resourcing_will": model.orgs.will.copy(),
        "mean_commitment_managers": t["manager_commitment"] / np.maximum(t["managers"], 1),
        "mean_stigma": t["non_peer_stigma"] / np.maximum(t["non_peers"], 1),
        "disclosed_share": t["disclosed"] / np.maximum(t["with_le"], 1),
        "ever_employed": model.orgs.ever_employed.copy(),
        "exposure_class": model.structure.exposure_class.copy(),
    }


def sector_summary(model: SectorModel, tallies: dict | None = None) -> dict[str, float]:
    """The 13 sector figures for this month.

    ``mean_stigma`` is over non-peer staff (the workplace culture peers meet);
    ``disclosed_share`` is the share of non-peer staff with lived experience who have
    disclosed it; the manager means are over executives, senior managers and team
    leaders; ``peer_hires`` and ``peer_leavers`` count this month's events (LE leaders
    included).

    Args:
        model: The sector model.
        tallies: This month's :func:`org_tallies`, if already computed.

    Returns:
        Column name -> value, in :data:`SECTOR_COLUMNS` order.
    """
    t = org_tallies(model) if tallies is None else tallies
    staff, managers = model.staff, model.manager_slots
    figures = sector_figures(
        {name: values[np.newaxis, :] for name, values in t.items()},
        {name: [getattr(staff, name)[managers]] for name in MANAGER_MEANS},
        hires=np.array([model.peer_hires_this_month]),
        leavers=np.array([model.peer_leavers_this_month]),
    )
    return {name: values[0].item() for name, values in figures.items()}


def sector_figures(
    t: dict[str, np.ndarray],
    managers: dict[str, list[np.ndarray]],
    hires: np.ndarray,
    leavers: np.ndarray,
) -> dict[str, np.ndarray]:
    """The 13 sector figures of one or more sectors (replications) from their tallies.

    The body of :func:`sector_summary`, vectorised over sectors so that a batch of
    replications (:mod:`simulation.runs.batch`) computes every replication's figures at
    once. Each sum runs over one row, as the sum of that sector alone would (the same
    numbers in the same order), so each replication gets the figures it would alone.

    Args:
        t: :func:`org_tallies`, each an array of sectors x organisations.
        managers: For each of :data:`MANAGER_MEANS`, one array per sector of its
            managers' values, in slot order.
        hires: Peer hires this month, per sector.
        leavers: Peer leavers this month, per sector.

    Returns:
        Column name -> one value per sector, in :data:`SECTOR_COLUMNS` order.
    """
    peer_workers = t["peers"].sum(axis=1)
    with_peers = (t["peers"] > 0).sum(axis=1)
    with_le = t["with_le"].sum(axis=1)
    non_peers = t["non_peers"].sum(axis=1)
    return {
        "peer_workers": peer_workers,
        "peer_share": peer_workers / np.maximum(peer_workers + non_peers, 1),
        "orgs_with_peers": with_peers,
        "orgs_without_peers": t["peers"].shape[1] - with_peers,
        "le_leaders": t["le_leader"].sum(axis=1),
        "champions": t["champions"].sum(axis=1),
        "peer_hires": hires,
        "peer_leavers": leavers,
        **{
            f"mean_{name}_managers": np.array([_mean(values) for values in managers[name]])
            for name in MANAGER_MEANS
        },
        "mean_stigma": t["non_peer_stigma"].sum(axis=1) / np.maximum(non_peers, 1),
        "disclosed_share": np.where(
            with_le > 0, t["disclosed"].sum(axis=1) / np.maximum(with_le, 1), 0.0
        ),
    }


def org_table(
    rows: list[dict[str, np.ndarray]], n_orgs: int, names: Sequence[str] | None = None
) -> pd.DataFrame:
    """Organisation x month table from each month's :func:`org_summary`.

    Args:
        rows: One :func:`org_summary` per recorded month, in order.
        n_orgs: Organisations in the sector.
        names: The organisations' names (a sector file's), or None.

    Returns:
        Columns ``month``, ``org`` (with names, ``organisation``) and :data:`ORG_COLUMNS`,
        one row per organisation per month.
    """
    months = np.repeat(np.arange(len(rows)), n_orgs)
    table = {"month": months, "org": np.tile(np.arange(n_orgs), len(rows))}
    if names is not None:
        table["organisation"] = np.tile(np.asarray(names, dtype=object), len(rows))
    for column in ORG_COLUMNS:
        table[column] = np.concatenate([row[column] for row in rows])
    return pd.DataFrame(table)


def sector_value(model: SectorModel, column: str) -> float:
    """One sector figure for the current month (computed once per month, then cached).

    Args:
        model: The sector model.
        column: One of :data:`SECTOR_COLUMNS`.

    Returns:
        The figure.
    """
    cached = model.summary_cache
    if cached is None or cached[0] != model.month:
        cached = (model.month, sector_summary(model))
        model.summary_cache = cached
    return cached[1][column]


#: Model reporters for Mesa's DataCollector: exactly the 13 public columns.
MODEL_REPORTERS = {column: partial(sector_value, column=column) for column in SECTOR_COLUMNS}

#: Agent reporters, used only when agent-level collection is switched on.
AGENT_REPORTERS = {
    "org": "org",
    "kind": lambda agent: agent.kind.name.lower(),
    "exposure": "exposure",
    "understanding": "understanding",
    "commitment": "commitment",
    "stigma": "stigma",
    "disclosed": "disclosed",
    "champion": "champion",
}
