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
from simulation.interventions import Intervention
from simulation.state import Kind


@dataclass(frozen=True)
class Arm:
    """One configuration of a controlled experiment, run on every seed.

    Args:
        name: Short identifier, unique within a validation.
        label: How figures and tables name it.
        params: Model parameters that differ from the defaults.
        actions: Interventions (scheduled on the model, so the month rule of
            :mod:`simulation.interventions` applies) or manipulations at months.
        months: Fixed horizon; ``None`` means the validation's horizon.
        probe: Name of a per-month measurement in :data:`PROBES`, if the sector columns
            are not enough.
    """

    name: str
    label: str
    params: tuple[tuple[str, Any], ...] = ()
    actions: tuple[Intervention | Manipulation, ...] = ()
    months: int | None = None
    probe: str | None = None


def arm(
    name: str,
    label: str,
    params: Mapping[str, Any] | None = None,
    actions: Sequence[Intervention | Manipulation] = (),
    months: int | None = None,
    probe: str | None = None,
) -> Arm:
    """Build an :class:`Arm` from a parameter mapping (arms are hashable, plain data)."""
    return Arm(name, label, tuple(sorted((params or {}).items())), tuple(actions), months, probe)


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


@dataclass(frozen=True)
class AddPeers:
    """Add ``per_team`` peers to every frontline team (:func:`add_peers_to_every_team`).

    Attributes:
        month: The month before whose step it is done (0 and 1: before the first step).
        per_team: Peers added to each team.
    """

    month: int
    per_team: int

    def apply(self, model: SectorModel) -> None:
        """Do it to ``model`` now."""
        add_peers_to_every_team(model, self.per_team)


@dataclass(frozen=True)
class ChampionsLeave:
    """Every champion leaves (:func:`champions_leave`).

    Attributes:
        month: The month before whose step it is done (0 and 1: before the first step).
    """

    month: int

    def apply(self, model: SectorModel) -> None:
        """Do it to ``model`` now."""
        champions_leave(model)


#: Laboratory manipulations an arm may make besides the model's interventions. Unlike an
#: intervention (applied inside the step of its month, by process 1), a manipulation is done
#: between steps, just before the step that produces its month.
type Manipulation = AddPeers | ChampionsLeave


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
    manipulations = []
    for action in arm.actions:
        if isinstance(action, Intervention):
            model.schedule(action)  # after the month-0 probe: month 0's apply at once
        else:
            manipulations.append(action)
    for month in range(1, months + 1):
        for manipulation in manipulations:
            if max(manipulation.month, 1) == month:
                manipulation.apply(model)
        model.step()
        if probe:
            rows.append(probe(model))
    return ArmRun(model.sector_frame(), model.org_table(), pd.DataFrame(rows))


def run_job(job: tuple[Arm, int, int]) -> ArmRun:
    """:func:`run_arm` on one ``(arm, seed, months)`` tuple (for :func:`map_runs`)."""
    return run_arm(*job)
