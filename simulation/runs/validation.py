"""Pattern-oriented validation: the seed study's ten patterns as controlled experiments.

Each pattern of MODEL.md section 7 is judged by one or more *checks*. Most checks are
paired experiments: a baseline arm and a manipulated arm (a parameter, or an event at a
month) run on the same seeds, so that both arms of a pair share every random draw that
the manipulation does not touch (common random numbers). The effect is the mean of the
per-seed differences, with a t-based 95 % confidence interval, and the check holds when
the effect has the expected sign and its interval excludes zero.

Patterns about time order (1), shape (3) and critical mass (6) have checks of their own
kind (half-rise times, thirds of a growth curve, marginal effects of added peers); they
are still computed per seed and summarised with the same interval, so every verdict
reads the same way. docs/ODD.md section 13 explains how each pattern is judged.

An arm is plain data (:class:`Arm`); :func:`run_arm` is a pure function of an arm, a
seed and a horizon, so the same validation gives the same table on any executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulation import SectorModel
from simulation.interventions import (
    AppointChampion,
    HireLeLeader,
    Intervention,
    ManagementTraining,
    ManagerNetwork,
    VisitsProgramme,
    WorkforceTraining,
)
from simulation.parameters import Parameters
from simulation.runs.replications import map_runs, replication_seeds
from simulation.runs.statistics import mean_interval
from simulation.state import Kind

#: Months simulated per pair in the full validation (10 years, the model's horizon).
HORIZON = 120
#: Months per pair with ``quick=True``.
QUICK_HORIZON = 60
#: Seed pairs per arm in the full validation.
DEFAULT_PAIRS = 30
#: Seed pairs per arm with ``quick=True``.
QUICK_PAIRS = 10
#: Root seed from which the pairs' seeds are spawned (the study's year of publication).
ROOT_SEED = 2019
#: Months of the growth-curve arm of pattern 3 (long enough to see a curve saturate).
S_CURVE_MONTHS = 240
#: Months of the critical-mass arms of pattern 6.
CULTURE_MONTHS = 24
#: Month at which pattern 1's peers arrive in unexposed organisations.
EXPOSURE_MONTH = 6
#: Month at which pattern 4's only champion leaves.
CHAMPION_LOSS_MONTH = 24

# A sector in which no organisation employs peers at the start.
_UNEXPOSED = {"exposure_mix": (1.0, 0.0, 0.0)}
# A sector of unexposed organisations in which nothing but the culture moves: no hiring, no
# champions, no leaving, no visits, so that the only cause of a change is the peers added.
_CULTURE_LAB = {
    **_UNEXPOSED,
    "hire_threshold": 1.0,
    "champion_uptake": 0.0,
    "initial_champion": 0.0,
    "peer_attrition": 0.0,
    "staff_turnover": 0.0,
    "visit_rate": 0.0,
}
# Twice the default initial peer share in the 'some' class, the 'significant' one unchanged
# (doubling it would push those organisations against the funding cap).
_MORE_PEERS = (
    2 * Parameters.model_fields["initial_peer_share"].default[0],
    Parameters.model_fields["initial_peer_share"].default[1],
)
# A token share this small gives every peer a full voice in the team's norm.
_HEARD_IN_FULL = 0.01
# Only the appointed champion champions: nobody takes the role up by themselves.
_SOLE_CHAMPION = {"champion_uptake": 0.0, "initial_champion": 0.0}


# --------------------------------------------------------------------------------------
# Arms and runs
# --------------------------------------------------------------------------------------


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


def _run_job(job: tuple[Arm, int, int]) -> ArmRun:
    return run_arm(*job)


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One judged statement about a pattern.

    Attributes:
        pattern: Pattern number (1-10).
        statement: What is claimed, in words.
        outcome: What is measured.
        comparison: The arms or the statistic compared.
        expected: ``"+"`` if the effect should be positive, ``"-"`` if negative.
        effect: Mean over seeds.
        low: Lower end of the 95 % confidence interval of the mean.
        high: Upper end.
        pairs: Seeds (pairs) the mean is over.
        holds: The effect has the expected sign and the interval excludes zero.
    """

    pattern: int
    statement: str
    outcome: str
    comparison: str
    expected: str
    effect: float
    low: float
    high: float
    pairs: int
    holds: bool


def judge(
    pattern: int,
    statement: str,
    outcome: str,
    comparison: str,
    values: Sequence[float] | np.ndarray,
    expected: str = "+",
) -> Check:
    """Summarise per-seed effects into a :class:`Check`.

    Args:
        pattern: Pattern number.
        statement: The claim.
        outcome: The measured outcome.
        comparison: What was compared (e.g. ``"visits - isolated"``).
        values: Per-seed effects (a paired difference, or a statistic minus its
            reference value).
        expected: ``"+"`` or ``"-"``.

    Returns:
        The check; it holds if the interval lies wholly on the expected side of zero.
    """
    if expected not in ("+", "-"):
        raise ValueError(f"expected must be '+' or '-', got {expected!r}")
    mean, low, high = mean_interval(values)
    holds = low > 0 if expected == "+" else high < 0
    return Check(
        pattern, statement, outcome, comparison, expected, mean, low, high, len(values), holds
    )


# --------------------------------------------------------------------------------------
# Outcomes of one run
# --------------------------------------------------------------------------------------


def at(run: ArmRun, column: str, month: int = -1) -> float:
    """A sector column at a month (default: the last)."""
    series = run.sector[column]
    return float(series.iloc[month] if month < 0 else series.loc[month])


def change(run: ArmRun, column: str, start: int = 0, end: int = -1) -> float:
    """Change of a sector column between two months (default: start to the last month)."""
    return at(run, column, end) - at(run, column, start)


def exit_rate(run: ArmRun) -> float:
    """Peer leavers per peer-year over the whole run."""
    leavers = run.sector["peer_leavers"].iloc[1:].sum()
    peer_months = run.sector["peer_workers"].iloc[:-1].sum()
    return float(12.0 * leavers / peer_months) if peer_months else 0.0


def initially_peerless(run: ArmRun) -> np.ndarray:
    """The organisations that employed no peers at month 0."""
    first = run.orgs[run.orgs["month"] == 0]
    return first["org"].to_numpy()[first["peer_workers"].to_numpy() == 0]


def adopted_share(run: ArmRun, month: int = -1) -> float:
    """Share of the organisations without peers at month 0 that have employed peers since."""
    peerless = initially_peerless(run)
    if peerless.size == 0:
        return 0.0
    last = run.orgs["month"].max() if month < 0 else month
    rows = run.orgs[run.orgs["month"] == last].set_index("org")
    return float(rows.loc[peerless, "ever_employed"].mean())


def class_mean(run: ArmRun, column: str, exposure_class: int, month: int) -> float:
    """Mean of an organisation-table column over the organisations of an exposure class."""
    rows = run.orgs[(run.orgs["month"] == month) & (run.orgs["exposure_class"] == exposure_class)]
    return float(rows[column].mean())


def half_rise_month(difference: np.ndarray, start: int) -> float:
    """First month (interpolated) at which a response reaches half its peak after ``start``.

    Args:
        difference: A paired difference series (treated minus untreated) by month.
        start: Month of the manipulation.

    Returns:
        Months after ``start``; ``nan`` if the response never rises above zero.
    """
    response = np.asarray(difference, dtype=float)[start:]
    peak = response.max()
    if not peak > 0:
        return float("nan")
    above = int(np.argmax(response >= peak / 2))
    if above == 0:
        return 0.0
    before, after = response[above - 1], response[above]
    return above - 1 + (peak / 2 - before) / (after - before)


def curve_thirds(series: np.ndarray) -> tuple[float, float, float]:
    """Mean yearly increment of a monthly series in the first, middle and last third.

    Args:
        series: Monthly values from month 0 (length a multiple of 12, plus one).

    Returns:
        ``(early, middle, late)`` mean increments per year.
    """
    yearly = np.diff(np.asarray(series, dtype=float)[::12])
    thirds = np.array_split(yearly, 3)
    early, middle, late = (float(part.mean()) for part in thirds)
    return early, middle, late


# --------------------------------------------------------------------------------------
# The ten patterns
# --------------------------------------------------------------------------------------


@dataclass
class Pattern:
    """A pattern of MODEL.md section 7 and how it is judged.

    Attributes:
        number: 1-10.
        title: Short title.
        claim: The pattern in the study's words.
        method: How it is judged, in a sentence or two.
        arms: The arms it needs.
        analyse: Turns the runs (arm name -> one run per seed) into checks.
        figure: What its figure shows (see :mod:`simulation.outputs.validation_report`).
    """

    number: int
    title: str
    claim: str
    method: str
    arms: tuple[Arm, ...]
    analyse: Callable[[Mapping[str, list[ArmRun]], int], list[Check]]
    figure: Mapping[str, Any] = field(default_factory=dict)


BASELINE = arm("baseline", "Baseline sector", probe="manager_correlations")


def _paired(
    runs: Mapping[str, list[ArmRun]], treated: str, control: str, outcome: Callable[[ArmRun], float]
) -> np.ndarray:
    return np.array(
        [outcome(a) - outcome(b) for a, b in zip(runs[treated], runs[control], strict=True)]
    )


def _pattern_1(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    final = [run.probe.iloc[-1] for run in runs["baseline"]]
    lags = {}
    for column in ("exposure", "understanding", "commitment"):
        name = f"mean_{column}_managers"
        lags[column] = np.array(
            [
                half_rise_month(a.sector[name].to_numpy() - b.sector[name].to_numpy(), 0)
                for a, b in zip(runs["peers_arrive"], runs["unexposed"], strict=True)
            ]
        )
    return [
        judge(
            1,
            "Managers' exposure and understanding are positively associated",
            f"Spearman rank correlation across managers at month {months}",
            "correlation (baseline)",
            [row["exposure_understanding"] for row in final],
        ),
        judge(
            1,
            "Managers' understanding and commitment are positively associated",
            f"Spearman rank correlation across managers at month {months}",
            "correlation (baseline)",
            [row["understanding_commitment"] for row in final],
        ),
        judge(
            1,
            "Understanding rises after exposure (lagged)",
            "months to half the peak response, after peers arrive",
            "understanding - exposure",
            lags["understanding"] - lags["exposure"],
        ),
        judge(
            1,
            "Commitment rises after understanding (lagged)",
            "months to half the peak response, after peers arrive",
            "commitment - understanding",
            lags["commitment"] - lags["understanding"],
        ),
    ]


def _pattern_2(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    return [
        judge(
            2,
            "Isolated organisations without peers mostly stay without them",
            f"share of initially peerless organisations still without peers at month {months}"
            " (minus one half)",
            "isolated sector, share - 0.5",
            [0.5 - adopted_share(run) for run in runs["isolated"]],
        ),
        judge(
            2,
            "A visits programme breaks the lock-in",
            f"share of initially peerless organisations that have employed peers by month {months}",
            "visits - isolated",
            _paired(runs, "isolated_visits", "isolated", adopted_share),
        ),
        judge(
            2,
            "A manager network breaks the lock-in",
            f"share of initially peerless organisations that have employed peers by month {months}",
            "network - isolated",
            _paired(runs, "isolated_network", "isolated", adopted_share),
        ),
    ]


def _pattern_3(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    thirds = np.array([curve_thirds(run.sector["peer_workers"]) for run in runs["introduction"]])
    years = S_CURVE_MONTHS // 12
    return [
        judge(
            3,
            "More peer roles lead to more advocacy",
            "managers' mean commitment at month 24",
            "more initial peers - baseline",
            _paired(
                runs, "more_peers", "baseline", lambda r: at(r, "mean_commitment_managers", 24)
            ),
        ),
        judge(
            3,
            "More peer roles lead to more hiring (net of the head start)",
            f"growth of the peer workforce, month 0 to {months}",
            "more initial peers - baseline",
            _paired(runs, "more_peers", "baseline", lambda r: change(r, "peer_workers")),
        ),
        judge(
            3,
            "Growth from zero accelerates (self-reinforcing)",
            f"peers added per year, middle third - first third of {years} years",
            "introduced by a manager network, no peers at start",
            thirds[:, 1] - thirds[:, 0],
        ),
        judge(
            3,
            "Growth then levels off (S-curve)",
            f"peers added per year, last third - middle third of {years} years",
            "introduced by a manager network, no peers at start",
            thirds[:, 2] - thirds[:, 1],
            expected="-",
        ),
    ]


def _pattern_4(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    return [
        judge(
            4,
            "Champions raise hiring",
            f"peer workers at month {months}",
            "executive champion - baseline",
            _paired(runs, "exec_champion", "baseline", lambda r: at(r, "peer_workers")),
        ),
        judge(
            4,
            "Champions at decision-making levels raise it more",
            f"peer workers at month {months}",
            "executive champion - team-leader champion",
            _paired(runs, "exec_champion", "team_leader_champion", lambda r: at(r, "peer_workers")),
        ),
        judge(
            4,
            "Losing the only champion slows growth",
            f"growth of the peer workforce, month {CHAMPION_LOSS_MONTH} to {months}",
            "champion leaves - champion stays",
            _paired(
                runs,
                "sole_champion_leaves",
                "sole_champion",
                lambda r: change(r, "peer_workers", CHAMPION_LOSS_MONTH),
            ),
            expected="-",
        ),
    ]


def _pattern_5(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    return [
        judge(
            5,
            "An LE leader raises peer retention",
            "peer exits per peer-year",
            "LE leader hired - baseline",
            _paired(runs, "le_leader", "baseline", exit_rate),
            expected="-",
        ),
        judge(
            5,
            "An LE leader raises support (staff feel safe to disclose)",
            f"disclosed share of staff with LE at month {months}",
            "LE leader hired - baseline",
            _paired(runs, "le_leader", "baseline", lambda r: at(r, "disclosed_share")),
        ),
        judge(
            5,
            "An LE leader raises the organisations' growth",
            f"peer workers at month {months}",
            "LE leader hired - baseline",
            _paired(runs, "le_leader", "baseline", lambda r: at(r, "peer_workers")),
        ),
    ]


def culture_drop(run: ArmRun) -> float:
    """Fall in clinicians' mean stigma from the first to the last month of a run."""
    stigma = run.probe["clinician_stigma"].to_numpy()
    return float(stigma[0] - stigma[-1])


def _pattern_6(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    drop = {k: np.array([culture_drop(run) for run in runs[f"peers_{k}"]]) for k in range(3)}
    return [
        judge(
            6,
            "Past a critical mass each added peer lowers stigma more",
            f"fall in clinicians' stigma over {CULTURE_MONTHS} months, marginal effect",
            "2nd peer per team - 1st peer per team",
            (drop[2] - drop[1]) - (drop[1] - drop[0]),
        ),
        judge(
            6,
            "With few peers culture follows the non-LE majority",
            f"fall in clinicians' stigma over {CULTURE_MONTHS} months, 1 peer per team",
            "token peer heard in full - token peer (as it is)",
            _paired(runs, "peers_1_heard", "peers_1", culture_drop),
        ),
    ]


def _stigma_fall(run: ArmRun, month: int = 36) -> float:
    return at(run, "mean_stigma", 0) - at(run, "mean_stigma", month)


def _pattern_7(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    horizon = min(36, months)
    return [
        judge(
            7,
            "Top-down support speeds culture change",
            f"fall in mean stigma over {horizon} months",
            "board support 0.8 - 0.1",
            _paired(runs, "board_high", "board_low", lambda r: _stigma_fall(r, horizon)),
        ),
        judge(
            7,
            "Top-down support speeds managers' commitment",
            f"managers' mean commitment at month {horizon}",
            "board support 0.8 - 0.1",
            _paired(
                runs,
                "board_high",
                "board_low",
                lambda r: at(r, "mean_commitment_managers", horizon),
            ),
        ),
        judge(
            7,
            "Bottom-up alone is slower",
            f"fall in mean stigma over {horizon} months",
            "executive champion - clinician champion",
            _paired(
                runs, "exec_champion", "clinician_champion", lambda r: _stigma_fall(r, horizon)
            ),
        ),
    ]


def _pattern_8(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    horizon = min(24, months)
    return [
        judge(
            8,
            "Lower stigma leads to more disclosure",
            f"disclosed share of staff with LE at month {horizon}",
            "workforce training - baseline",
            _paired(
                runs, "workforce_training", "baseline", lambda r: at(r, "disclosed_share", horizon)
            ),
        ),
        judge(
            8,
            "Disclosure lowers stigma further",
            f"mean stigma at month {months}",
            "no disclosure - baseline",
            _paired(runs, "no_disclosure", "baseline", lambda r: at(r, "mean_stigma")),
        ),
    ]


def _pattern_9(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    horizon = min(12, months)
    return [
        judge(
            9,
            "Management training raises commitment in unexposed organisations",
            f"managers' mean commitment in class-'none' organisations at month {horizon}",
            "management training - baseline",
            _paired(
                runs,
                "management_training",
                "baseline",
                lambda r: class_mean(r, "mean_commitment_managers", 0, horizon),
            ),
        ),
        judge(
            9,
            "Workforce-wide training lowers stigma",
            f"mean stigma at month {horizon}",
            "workforce training - baseline",
            _paired(
                runs, "workforce_training", "baseline", lambda r: at(r, "mean_stigma", horizon)
            ),
            expected="-",
        ),
    ]


def _pattern_10(runs: Mapping[str, list[ArmRun]], months: int) -> list[Check]:
    checks = []
    for lever, low, high, words in (
        ("pay", "pay_low", "pay_parity", "pay parity 0.5 - 1.0"),
        ("role", "roles_unclear", "roles_clear", "role clarity 0.2 - 0.9"),
    ):
        label = "Pay disparity" if lever == "pay" else "Unclear roles"
        checks.append(
            judge(
                10,
                f"{label} raise peer attrition",
                "peer exits per peer-year",
                words,
                _paired(runs, low, high, exit_rate),
            )
        )
        checks.append(
            judge(
                10,
                f"{label} slow growth",
                f"peer workers at month {months}",
                words,
                _paired(runs, low, high, lambda r: at(r, "peer_workers")),
                expected="-",
            )
        )
    return checks


EXEC_CHAMPION = arm(
    "exec_champion", "Executive champion", actions=[AppointChampion(month=0, level="executive")]
)
WORKFORCE_TRAINING = arm(
    "workforce_training", "Workforce training", actions=[WorkforceTraining(month=0)]
)

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        1,
        "Exposure, then understanding, then commitment",
        "Across managers, exposure, understanding and commitment are positively associated, "
        "and exposure comes first (lagged).",
        "Association: rank correlations across the managers of the baseline sector at the "
        "horizon, per seed. Order: in a sector of unexposed organisations, one peer worker "
        f"joins every team at month {EXPOSURE_MONTH}; per seed, the paired response (with "
        "peers minus without) of managers' mean exposure, understanding and commitment, and "
        "the month each first reaches half its peak; understanding must lag exposure and "
        "commitment lag understanding.",
        (
            BASELINE,
            arm("unexposed", "Unexposed sector", _UNEXPOSED),
            arm(
                "peers_arrive",
                "Unexposed sector, peers arrive",
                _UNEXPOSED,
                [AddPeers(month=EXPOSURE_MONTH, per_team=1)],
            ),
        ),
        _pattern_1,
        {
            "kind": "lag",
            "treated": "peers_arrive",
            "control": "unexposed",
            "start": EXPOSURE_MONTH,
        },
    ),
    Pattern(
        2,
        "You don't know what you don't know",
        "Organisations with no peers and no outside contact tend to stay without peers; a "
        "visits programme or manager network breaks the lock-in.",
        "In a sector without visits (visit_rate 0), the share of the organisations without "
        "peers at month 0 that still have never employed any at the horizon must exceed one "
        "half; a visits programme or a manager network from month 0 must raise the share "
        "that have (paired with the isolated sector).",
        (
            arm("isolated", "Isolated (no visits)", {"visit_rate": 0.0}),
            arm(
                "isolated_visits",
                "Visits programme",
                {"visit_rate": 0.0},
                [VisitsProgramme(month=0)],
            ),
            arm(
                "isolated_network",
                "Manager network",
                {"visit_rate": 0.0},
                [ManagerNetwork(month=0)],
            ),
        ),
        _pattern_2,
        {
            "kind": "adoption",
            "arms": ("isolated", "isolated_visits", "isolated_network"),
        },
    ),
    Pattern(
        3,
        "Self-reinforcing growth",
        "More peer roles lead to more advocacy and more hiring: growth is self-reinforcing "
        "(S-curve).",
        "Reinforcement: the sector with twice the initial peer share in the 'some' class "
        "(far from the funding cap) against "
        "the baseline on the same seeds: managers' commitment at month 24 and the growth of "
        "the peer workforce beyond its head start. Shape: a sector with no peers at the "
        f"start, opened by a manager network, run {S_CURVE_MONTHS // 12} years; per seed, "
        "the peers added per year in the first, middle and last third: growth must "
        "accelerate (middle > first) and then level off (last < middle).",
        (
            BASELINE,
            arm(
                "more_peers",
                "Twice the initial peers ('some')",
                {"initial_peer_share": _MORE_PEERS},
            ),
            arm(
                "introduction",
                "Peers introduced by a manager network",
                _UNEXPOSED,
                [ManagerNetwork(month=0)],
                months=S_CURVE_MONTHS,
            ),
        ),
        _pattern_3,
        {"kind": "curve", "arm": "introduction", "column": "peer_workers"},
    ),
    Pattern(
        4,
        "Champions",
        "Champions raise hiring; champions at decision-making levels raise it more than at "
        "lower levels; losing the only champion slows growth.",
        "An executive champion appointed in every organisation at month 0 against the "
        "baseline, and against a team-leader champion; and, with no other champions "
        f"possible, the appointed executive champion leaving at month {CHAMPION_LOSS_MONTH} "
        "against staying.",
        (
            BASELINE,
            EXEC_CHAMPION,
            arm(
                "team_leader_champion",
                "Team-leader champion",
                actions=[AppointChampion(month=0, level="team_leader")],
            ),
            arm(
                "sole_champion",
                "Sole champion stays",
                _SOLE_CHAMPION,
                [AppointChampion(month=0, level="executive")],
            ),
            arm(
                "sole_champion_leaves",
                "Sole champion leaves",
                _SOLE_CHAMPION,
                [
                    AppointChampion(month=0, level="executive"),
                    ChampionsLeave(month=CHAMPION_LOSS_MONTH),
                ],
            ),
        ),
        _pattern_4,
        {
            "kind": "arms",
            "column": "peer_workers",
            "arms": ("baseline", "exec_champion", "team_leader_champion", "sole_champion_leaves"),
        },
    ),
    Pattern(
        5,
        "Lived Experience leadership",
        "An LE leader raises peer retention, support, and the organisation's growth.",
        "An LE leader hired at month 0 in every organisation that employs peers, against "
        "the baseline: peer exits per peer-year, the disclosed share (safety) and peer "
        "workers at the horizon.",
        (
            BASELINE,
            arm(
                "le_leader",
                "LE leader hired",
                actions=[HireLeLeader(month=0, orgs="with_peers")],
            ),
        ),
        _pattern_5,
        {"kind": "arms", "column": "peer_workers", "arms": ("baseline", "le_leader")},
    ),
    Pattern(
        6,
        "Critical mass",
        "With few peers, culture follows the non-LE majority; past a critical mass stigma "
        "falls faster.",
        "A sector of unexposed organisations in which only culture moves (no hiring, "
        "leaving, turnover, champions or visits); 0, 1, 2 or 3 peers join every team at "
        f"month 0; per seed, the fall in clinicians' mean stigma over {CULTURE_MONTHS} "
        "months. The second peer (which lifts a team of ten past the token share of 15 %) "
        "must lower stigma more than the first did; and a single (token) peer must lower "
        "it less than the same peer would if the majority gave it a full voice "
        f"(token_share {_HEARD_IN_FULL}).",
        tuple(
            arm(
                f"peers_{k}",
                f"{k} peer{'s' if k != 1 else ''} per team",
                _CULTURE_LAB,
                [AddPeers(month=0, per_team=k)] if k else [],
                months=CULTURE_MONTHS,
                probe="clinician_stigma",
            )
            for k in range(4)
        )
        + (
            arm(
                "peers_1_heard",
                "1 peer per team, heard in full",
                {**_CULTURE_LAB, "token_share": _HEARD_IN_FULL},
                [AddPeers(month=0, per_team=1)],
                months=CULTURE_MONTHS,
                probe="clinician_stigma",
            ),
        ),
        _pattern_6,
        {"kind": "dose", "arms": tuple(f"peers_{k}" for k in range(4))},
    ),
    Pattern(
        7,
        "Top-down support",
        "Top-down support speeds culture change; bottom-up alone is slower.",
        "Board support 0.8 against 0.1 (fall in mean stigma and managers' commitment over "
        "three years), and an executive champion against a clinician champion in every "
        "organisation (fall in mean stigma over three years).",
        (
            arm("board_high", "Board support 0.8", {"board_support": 0.8}),
            arm("board_low", "Board support 0.1", {"board_support": 0.1}),
            EXEC_CHAMPION,
            arm(
                "clinician_champion",
                "Clinician champion",
                actions=[AppointChampion(month=0, level="clinician")],
            ),
        ),
        _pattern_7,
        {
            "kind": "arms",
            "column": "mean_stigma",
            "arms": ("board_low", "board_high", "clinician_champion", "exec_champion"),
        },
    ),
    Pattern(
        8,
        "Disclosure cascade",
        "Lower stigma leads to more disclosure, which lowers stigma further.",
        "Workforce training at month 0 (which lowers stigma) against the baseline: the "
        "disclosed share at month 24. Disclosure switched off (disclosure_rate 0) against "
        "the baseline: mean stigma at the horizon must be higher without it.",
        (
            BASELINE,
            WORKFORCE_TRAINING,
            arm("no_disclosure", "No disclosure", {"disclosure_rate": 0.0}),
        ),
        _pattern_8,
        {
            "kind": "arms",
            "column": "disclosed_share",
            "arms": ("baseline", "workforce_training", "no_disclosure"),
        },
    ),
    Pattern(
        9,
        "Training",
        "Management training raises commitment in unexposed organisations; workforce-wide "
        "training lowers stigma.",
        "Management training at month 0 in the organisations of class 'none' against the "
        "baseline (their managers' commitment at month 12); workforce training in every "
        "organisation against the baseline (mean stigma at month 12).",
        (
            BASELINE,
            arm(
                "management_training",
                "Management training (class none)",
                actions=[ManagementTraining(month=0, orgs="exposure:none")],
            ),
            WORKFORCE_TRAINING,
        ),
        _pattern_9,
        {"kind": "arms", "column": "mean_stigma", "arms": ("baseline", "workforce_training")},
    ),
    Pattern(
        10,
        "Pay and role clarity",
        "Pay disparity and unclear roles raise peer attrition and slow growth.",
        "Pay parity 0.5 against 1.0 and role clarity 0.2 against 0.9, each pair on the same "
        "seeds: peer exits per peer-year and peer workers at the horizon.",
        (
            arm("pay_low", "Pay parity 0.5", {"pay_parity": 0.5}),
            arm("pay_parity", "Pay parity 1.0", {"pay_parity": 1.0}),
            arm("roles_unclear", "Role clarity 0.2", {"role_clarity": 0.2}),
            arm("roles_clear", "Role clarity 0.9", {"role_clarity": 0.9}),
        ),
        _pattern_10,
        {
            "kind": "arms",
            "column": "peer_workers",
            "arms": ("pay_parity", "pay_low", "roles_clear", "roles_unclear"),
        },
    ),
)


# --------------------------------------------------------------------------------------
# Running a validation
# --------------------------------------------------------------------------------------


@dataclass
class Validation:
    """The outcome of :func:`validate`.

    Attributes:
        checks: One row per check (see :class:`Check`), with the pattern's title.
        runs: Arm name -> one :class:`ArmRun` per seed, in seed order.
        seeds: The pairs' seeds.
        months: The horizon.
        patterns: The patterns judged.
    """

    checks: pd.DataFrame
    runs: dict[str, list[ArmRun]]
    seeds: list[int]
    months: int
    patterns: tuple[Pattern, ...]

    def summary(self) -> pd.DataFrame:
        """One row per pattern: its title, checks held out of checks made, and verdict."""
        grouped = self.checks.groupby("pattern", sort=True)
        return pd.DataFrame(
            {
                "title": grouped["title"].first(),
                "checks_held": grouped["holds"].sum().astype(int),
                "checks": grouped["holds"].size(),
                "holds": grouped["holds"].all(),
            }
        )


def arms_of(patterns: Sequence[Pattern]) -> list[Arm]:
    """The distinct arms the patterns need (an arm shared by patterns runs once).

    Raises:
        ValueError: If two different arms share a name.
    """
    arms: dict[str, Arm] = {}
    for pattern in patterns:
        for each in pattern.arms:
            if arms.setdefault(each.name, each) != each:
                raise ValueError(f"two different arms are named {each.name!r}")
    return list(arms.values())


def validate(
    pairs: int = DEFAULT_PAIRS,
    months: int = HORIZON,
    *,
    seed: int = ROOT_SEED,
    patterns: Sequence[int] | None = None,
    workers: int = 1,
    progress: bool = False,
) -> Validation:
    """Run the pattern experiments and judge every check.

    Args:
        pairs: Seeds per arm (each seed is one pair across arms).
        months: Horizon of the arms that do not fix their own.
        seed: Root seed from which the pairs' seeds are spawned.
        patterns: Pattern numbers to run (default: all ten).
        workers: Processes to run arms in (results do not depend on it).
        progress: Show a progress bar.

    Returns:
        The checks, the runs and the seeds.

    Raises:
        ValueError: For fewer than two pairs, a horizon under 36 months, or an unknown
            pattern number.
    """
    if pairs < 2:
        raise ValueError(f"pairs must be at least 2 to give an interval, got {pairs}")
    if months < 36:
        raise ValueError(f"months must be at least 36 (the patterns look 3 years on), got {months}")
    chosen = PATTERNS if patterns is None else tuple(_pattern(number) for number in patterns)
    seeds = replication_seeds(seed, pairs)
    arms = arms_of(chosen)
    jobs = [(each, s, months) for each in arms for s in seeds]
    results = map_runs(_run_job, jobs, workers=workers, progress=progress, desc="validation runs")
    runs: dict[str, list[ArmRun]] = {each.name: [] for each in arms}
    for (each, _, _), result in zip(jobs, results, strict=True):
        runs[each.name].append(result)
    rows = []
    for pattern in chosen:
        for check in pattern.analyse(runs, months):
            rows.append({"title": pattern.title, **check.__dict__})
    checks = pd.DataFrame(rows)
    return Validation(checks, runs, seeds, months, chosen)


def _pattern(number: int) -> Pattern:
    for pattern in PATTERNS:
        if pattern.number == number:
            return pattern
    raise ValueError(f"pattern {number!r} does not exist; patterns are numbered 1 to 10")
