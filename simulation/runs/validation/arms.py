"""Arms of the validation experiments and the pure function that runs one.

An arm is plain data (:class:`Arm`): parameters that differ from the defaults, actions at
months, an optional horizon of its own and an optional per-month probe. :func:`run_arm` is
a pure function of an arm, a seed and a horizon, so the same validation gives the same
table on any executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulation import SectorModel
from simulation.core.interventions import Intervention
from simulation.core.processes import most_committed_team
from simulation.core.reporters import org_tallies
from simulation.core.state import Kind
from simulation.runs.batch import SectorBatch


@dataclass(frozen=True)
class Arm:
    """One configuration of a controlled experiment, run on every seed.

    Args:
        name: Short identifier, unique within a validation.
        label: How figures and tables name it.
        params: Model parameters that differ from the defaults.
        actions: Interventions (scheduled on the model, so the month rule of
            :mod:`simulation.core.interventions` applies) or manipulations at months.
        months: Fixed horizon; ``None`` means the validation's horizon.
        probe: Name of a per-month measurement in :data:`PROBES`, if the sector columns
            are not enough.
        sector: A sector file's path to run the arm on (None: the generated sector).
    """

    name: str
    label: str
    params: tuple[tuple[str, Any], ...] = ()
    actions: tuple[Intervention | Manipulation, ...] = ()
    months: int | None = None
    probe: str | None = None
    sector: str | None = None


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


#: Parameters that cut each of the study's feedback loops (the loop-gain experiments of
#: :mod:`.loops`; the champion cut is also pattern 4's failure region).
HIRING_CUT: Mapping[str, float] = MappingProxyType({"evidence_weight": 0.0, "request_weight": 0.0})
DISCLOSURE_CUT: Mapping[str, float] = MappingProxyType(
    {"disclosed_weight": 0.0, "disclosure_safety": 0.0}
)
CHAMPION_CUT: Mapping[str, float] = MappingProxyType(
    {"champion_weight": 0.0, "champion_push": 0.0, "champion_safety": 0.0}
)

# Pathway cuts of the patterns' negative controls (docs/ODD.md section 13.4): each zeroes the
# couplings that carry one claimed pathway while the rest of the model runs on.
#: Learning frozen: nobody's exposure, understanding, commitment or stigma moves, nobody
#: discloses and nobody takes up the champion role, while hiring, exits, turnover, visits
#: and the outside world run as usual. Under it, whatever organisations do comes from
#: where their people started, not from what they learn: the negative control of "you
#: don't know what you don't know" (pattern 2's pathway cut, docs/ODD.md section 13). The
#: decays are frozen too: with them on, understanding would fall back from wherever it
#: started, and a chance carried by the starting level would fade with it, so the control
#: could not tell a level-driven first hire from an earned one.
LEARNING_FROZEN: Mapping[str, float] = MappingProxyType(
    {
        "exposure_gain": 0.0,
        "exposure_decay": 0.0,
        "understanding_gain": 0.0,
        "understanding_decay": 0.0,
        "commitment_rate": 0.0,
        "contact_effect": 0.0,
        "conformity": 0.0,
        "top_down_culture": 0.0,
        "disclosure_rate": 0.0,
        "champion_uptake": 0.0,
    }
)
#: Pattern 3's pathway cut: what peers show colleagues (contact), decision-makers
#: (evidence) and team leaders (requests) no longer reaches them.
GROWTH_LOOP_CUT: Mapping[str, float] = MappingProxyType({**HIRING_CUT, "contact_effect": 0.0})
#: Pattern 10's pathway cut: pay disparity no longer raises the exit hazard.
PAY_EXIT_CUT: Mapping[str, float] = MappingProxyType({"exit_pay": 0.0})


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


def orgs_with_peers(model: SectorModel) -> np.ndarray:
    """Which organisations employ at least one peer worker or LE leader now."""
    return org_tallies(model)["peers"] > 0


def pulse_peers(model: SectorModel, per_org: int) -> int:
    """Place ``per_org`` new, funded peer workers in every organisation that employs peers.

    Each such organisation gets ``per_org`` new peer workers and as many new positions (so
    they are funded, even beyond the funding envelope). They are placed one at a time where
    the model places its own hires (:func:`simulation.core.processes.most_committed_team`: teams
    without peers first, then the most committed team leader's), so a pulse of 2 reaches
    two teams where it can.

    Args:
        model: The sector model.
        per_org: Peers added to each organisation with peers.

    Returns:
        The number of peers added.
    """
    receiving = np.flatnonzero(orgs_with_peers(model))
    if per_org <= 0 or receiving.size == 0:
        return 0
    for _ in range(per_org):
        model.hire(receiving, most_committed_team(model, receiving), Kind.PEER_WORKER)
        model.orgs.positions[receiving] += 1
    return per_org * int(receiving.size)


@dataclass(frozen=True)
class AddPeers:
    """Add funded peer workers: to every frontline team, or as a pulse to every organisation.

    ``per_team`` places that many in every frontline team of every organisation
    (:func:`add_peers_to_every_team`: a sector whose teams all meet peers); ``per_org``
    places that many in every organisation that employs peers, where the model would
    place its own hires (:func:`pulse_peers`: issue 11's pulse, which tests whether the
    hiring loop keeps what it is given). At most one of the two is non-zero.

    Attributes:
        month: The month before whose step it is done (0 and 1: before the first step).
        per_team: Peers added to each frontline team.
        per_org: Peers added to each organisation that employs peers.

    Raises:
        ValueError: If both counts are positive, or either is negative.
    """

    month: int
    per_team: int = 0
    per_org: int = 0

    def __post_init__(self) -> None:
        """Refuse a negative count, or both kinds of placement at once."""
        if self.per_team < 0 or self.per_org < 0:
            raise ValueError(
                f"AddPeers: per_team ({self.per_team}) and per_org ({self.per_org}) must be >= 0"
            )
        if self.per_team and self.per_org:
            raise ValueError("AddPeers: give per_team or per_org, not both")

    def apply(self, model: SectorModel) -> int:
        """Do it to ``model`` now.

        Returns:
            The number of peers added.
        """
        if self.per_org:
            return pulse_peers(model, self.per_org)
        add_peers_to_every_team(model, self.per_team)
        return self.per_team * int(model.structure.frontline_units.size)


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
#: between steps, just before the step that produces its month. Neither is something an
#: organisation could do, so neither is an intervention class: peers placed by fiat, beyond
#: any hiring decision, and champions who leave the organisation (replaced by newcomers),
#: where :class:`~simulation.core.interventions.RemoveChampion` takes away only the role.
#: Wherever an arm does what an organisation could do, it uses the intervention classes.
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


def with_params(arm: Arm, params: Mapping[str, Any]) -> Arm:
    """The arm with ``params`` set on top of its own (they win where both set a name).

    Args:
        arm: An arm.
        params: Parameters to set (for example a pattern's failure region).

    Returns:
        A new arm of the same name, or the arm itself if ``params`` is empty.
    """
    if not params:
        return arm
    merged = dict(arm.params) | dict(params)
    return replace(arm, params=tuple(sorted(merged.items())))


def run_arm(arm: Arm, seed: int, months: int) -> ArmRun:
    """Run one arm on one seed (a pure function of its three arguments).

    Args:
        arm: The configuration.
        seed: The pair's seed, shared by every arm.
        months: Horizon, used unless the arm fixes its own.

    Returns:
        The arm's sector series, organisation table and probe.
    """
    probe = PROBES[arm.probe] if arm.probe else None
    rows: list[dict[str, float]] = []
    model = _set_up(arm, seed, probe, rows)
    _advance(model, arm, arm.months or months, probe, rows)
    return ArmRun(model.sector_frame(), model.org_table(), pd.DataFrame(rows))


def run_arm_batch(arm: Arm, seeds: Sequence[int], months: int) -> list[ArmRun]:
    """:func:`run_arm` of each seed, the seeds run as one batch (:mod:`simulation.runs.batch`).

    An arm with a probe measures each model alone, so its seeds run one by one.

    Args:
        arm: The configuration.
        seeds: The pairs' seeds.
        months: Horizon, used unless the arm fixes its own.

    Returns:
        One run per seed, each equal to ``run_arm(arm, seed, months)``.
    """
    if arm.probe or len(seeds) == 1:
        return [run_arm(arm, seed, months) for seed in seeds]
    batch = SectorBatch([_set_up(arm, seed, None, []) for seed in seeds])
    _advance(batch, arm, arm.months or months, None, [])
    return [
        ArmRun(sector, orgs, pd.DataFrame([]))
        for sector, orgs in zip(batch.sector_frames(), batch.org_tables(), strict=True)
    ]


def _set_up(
    arm: Arm, seed: int, probe: Callable[[SectorModel], dict[str, float]] | None, rows: list
) -> SectorModel:
    """The arm's model at month 0: probed, then its interventions scheduled."""
    model = SectorModel(rng=seed, sector=arm.sector, **dict(arm.params))
    if probe:
        rows.append(probe(model))
    for action in arm.actions:
        if isinstance(action, Intervention):
            model.schedule(action)  # after the month-0 probe: month 0's apply at once
    return model


def _advance(
    model: SectorModel,
    arm: Arm,
    months: int,
    probe: Callable[[SectorModel], dict[str, float]] | None,
    rows: list,
) -> None:
    """Step the model to ``months``, making the arm's manipulations before their months."""
    manipulations = [action for action in arm.actions if not isinstance(action, Intervention)]
    for month in range(1, months + 1):
        for manipulation in manipulations:
            if max(manipulation.month, 1) == month:
                manipulation.apply(model)
        model.step()
        if probe:
            rows.append(probe(model))


def run_job(job: tuple[Arm, int, int]) -> ArmRun:
    """:func:`run_arm` on one ``(arm, seed, months)`` tuple (for :func:`map_runs`)."""
    return run_arm(*job)


def run_batch_job(jobs: list[tuple[Arm, int, int]]) -> list[ArmRun]:
    """:func:`run_arm_batch` of jobs of one arm and horizon (for ``map_batched``)."""
    arm, _, months = jobs[0]
    return run_arm_batch(arm, [seed for _, seed, _ in jobs], months)


def job_setup(job: tuple[Arm, int, int]) -> tuple[dict[str, Any], str]:
    """A job's parameters and what its batch-mates share: the arm and the horizon."""
    arm, _, months = job
    return dict(arm.params), repr((arm, months))
