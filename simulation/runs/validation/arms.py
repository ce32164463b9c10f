"""Arms of the validation experiments and the pure function that runs one.

An arm is plain data (:class:`Arm`): parameters that differ from the defaults, actions at
months, an optional horizon of its own and an optional per-month probe. :func:`run_arm` is
a pure function of an arm, a seed and a horizon, so the same validation gives the same
table on any executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulation import SectorModel
from simulation.state import Kind


@dataclass(frozen=True)
class Action:
    """Something done to the sector before the step that produces ``month``.

    Args:
        month: Month at which it takes effect (0 and 1 both mean before the first step).
        name: An intervention of :class:`~simulation.SectorModel` (``appoint_champion``,
            ``hire_le_leader``, ...) or a manipulation in :data:`MANIPULATIONS`.
        arguments: Keyword arguments, as ``(name, value)`` pairs.
    """

    month: int
    name: str
    arguments: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Arm:
    """One configuration of a controlled experiment, run on every seed.

    Args:
        name: Short identifier, unique within a validation.
        label: How figures and tables name it.
        params: Model parameters that differ from the defaults.
        actions: Interventions or manipulations at months.
        months: Fixed horizon; ``None`` means the validation's horizon.
        probe: Name of a per-month measurement in :data:`PROBES`, if the sector columns
            are not enough.
    """

    name: str
    label: str
    params: tuple[tuple[str, Any], ...] = ()
    actions: tuple[Action, ...] = ()
    months: int | None = None
    probe: str | None = None


def arm(
    name: str,
    label: str,
    params: Mapping[str, Any] | None = None,
    actions: Sequence[Action] = (),
    months: int | None = None,
    probe: str | None = None,
) -> Arm:
    """Build an :class:`Arm` from a parameter mapping (arms are hashable, plain data)."""
    return Arm(name, label, tuple(sorted((params or {}).items())), tuple(actions), months, probe)


def act(month: int, name: str, /, **arguments: Any) -> Action:
    """Build an :class:`Action`."""
    return Action(month, name, tuple(sorted(arguments.items())))


@dataclass
class ArmRun:
    """What one arm produced on one seed.

    Attributes:
        sector: The sector time series (index month).
        orgs: The organisation x month table.
        probe: The arm's probe, one row per month (empty if it has none).
    """

    sector: pd.DataFrame
    orgs: pd.DataFrame
    probe: pd.DataFrame


#: What a pattern's analysis reads: arm name -> one run per seed, in seed order.
Runs = Mapping[str, Sequence[ArmRun]]


def add_peers_to_every_team(model: SectorModel, per_team: int) -> None:
    """Place ``per_team`` new, funded peer workers in every frontline team.

    Args:
        model: The sector model.
        per_team: Peers added to each team.
    """
    if per_team <= 0:
        return
    teams = np.repeat(model.structure.frontline_units, per_team)
    orgs = model.structure.unit_org[teams].astype(np.int64)
    model.hire(orgs, teams, Kind.PEER_WORKER)
    model.orgs.positions += np.bincount(orgs, minlength=model.n_orgs)


def champions_leave(model: SectorModel) -> None:
    """Every current champion leaves the organisation (and is replaced by a newcomer).

    Args:
        model: The sector model.
    """
    staff = model.staff
    slots = np.flatnonzero(staff.active[: staff.size] & staff.champion[: staff.size])
    model.staff_leaves(slots)


#: Manipulations an :class:`Action` may name besides the model's interventions.
MANIPULATIONS: dict[str, Callable[..., None]] = {
    "add_peers_to_every_team": add_peers_to_every_team,
    "champions_leave": champions_leave,
}


def manager_correlations(model: SectorModel) -> dict[str, float]:
    """Rank correlations across managers of exposure, understanding and commitment."""
    staff = model.staff
    managers = model.manager_slots
    exposure = staff.exposure[managers]
    understanding = staff.understanding[managers]
    commitment = staff.commitment[managers]
    return {
        "exposure_understanding": float(stats.spearmanr(exposure, understanding)[0]),
        "understanding_commitment": float(stats.spearmanr(understanding, commitment)[0]),
        "exposure_commitment": float(stats.spearmanr(exposure, commitment)[0]),
    }


def clinician_stigma(model: SectorModel) -> dict[str, float]:
    """Mean stigma of clinicians (the non-LE frontline majority)."""
    clinicians = model.staff.slots_of(Kind.CLINICIAN)
    return {"clinician_stigma": float(model.staff.stigma[clinicians].mean())}


#: Per-month measurements an :class:`Arm` may ask for.
PROBES: dict[str, Callable[[SectorModel], dict[str, float]]] = {
    "manager_correlations": manager_correlations,
    "clinician_stigma": clinician_stigma,
}


def run_arm(arm: Arm, seed: int, months: int) -> ArmRun:
    """Run one arm on one seed (a pure function of its three arguments).

    Args:
        arm: The configuration.
        seed: The pair's seed, shared by every arm.
        months: Horizon, used unless the arm fixes its own.

    Returns:
        The arm's sector series, organisation table and probe.
    """
    months = arm.months or months
    model = SectorModel(rng=seed, **dict(arm.params))
    probe = PROBES[arm.probe] if arm.probe else None
    rows = [probe(model)] if probe else []
    for month in range(1, months + 1):
        for action in arm.actions:
            if max(action.month, 1) == month:
                _perform(model, action)
        model.step()
        if probe:
            rows.append(probe(model))
    return ArmRun(model.sector_frame(), model.org_table(), pd.DataFrame(rows))


def _perform(model: SectorModel, action: Action) -> None:
    arguments = dict(action.arguments)
    if action.name in MANIPULATIONS:
        MANIPULATIONS[action.name](model, **arguments)
    else:
        getattr(model, action.name)(**arguments)


def run_job(job: tuple[Arm, int, int]) -> ArmRun:
    """:func:`run_arm` on one ``(arm, seed, months)`` tuple (for :func:`map_runs`)."""
    return run_arm(*job)
