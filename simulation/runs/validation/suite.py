"""Running a validation: every chosen pattern's arms on the same seed pairs, then judging.

Checks are judged against the validation plan (:mod:`.plan`); a pattern's verdict counts
its emergent checks only, and a withdrawn pattern is not counted. With ``cuts=True`` each
pattern with emergent checks is run again with its pathway cut (:attr:`~simulation.runs.
validation.base.Pattern.pathway_cut`) on the same seeds, and the emergent checks' verdicts
there are tabulated: a negative control passes when its check is contradicted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from simulation.runs.batch import map_batched
from simulation.runs.replications import replication_seeds
from simulation.runs.validation.arms import Arm, ArmRun, job_setup, run_batch_job, with_params
from simulation.runs.validation.base import Check, Pattern, Verdict, pattern_verdict
from simulation.runs.validation.loops import LOOP_MONTHS, LOOPS, LoopGain
from simulation.runs.validation.patterns import PATTERNS, pattern_by_number
from simulation.runs.validation.plan import ValidationPlan, load_plan

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


@dataclass
class Validation:
    """The outcome of :func:`validate`.

    Attributes:
        checks: One row per check (the fields of
            :class:`~simulation.runs.validation.base.Check`, its ``holds``, and the
            pattern's title).
        runs: Arm name -> one :class:`ArmRun` per seed, in seed order.
        seeds: The pairs' seeds.
        months: The horizon.
        patterns: The patterns judged.
        loops: One row per loop-gain check (``loop``, the loop's ``title`` and the fields
            of a :class:`~simulation.runs.validation.base.Check` but ``pattern``); empty
            if the loops were not run.
        loop_gains: The loop-gain experiments run.
        params: Parameters set in every arm, if any.
        plan: The validation plan the checks were judged against.
        sector: The sector file every arm ran on (None: the generated sector).
        cuts: One row per emergent check of a pattern with a pathway cut: its verdict at
            the defaults and under the cut, and ``contradicted`` (the negative control
            passes); empty if the cuts were not run.
        robustness: One row per emergent check: the share of posterior draws in which it
            holds (:func:`~simulation.runs.validation.robustness.robustness`); empty if
            not measured.
    """

    checks: pd.DataFrame
    runs: dict[str, list[ArmRun]]
    seeds: list[int]
    months: int
    patterns: tuple[Pattern, ...]
    loops: pd.DataFrame = field(default_factory=pd.DataFrame)
    loop_gains: tuple[LoopGain, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    plan: ValidationPlan = field(default_factory=load_plan)
    cuts: pd.DataFrame = field(default_factory=pd.DataFrame)
    robustness: pd.DataFrame = field(default_factory=pd.DataFrame)
    sector: str | None = None

    @property
    def reduced(self) -> bool:
        """Whether it ran on fewer pairs or a shorter horizon than the full validation."""
        return len(self.seeds) < DEFAULT_PAIRS or self.months < HORIZON

    def summary(self) -> pd.DataFrame:
        """One row per pattern (index: its number), judged on its emergent checks only.

        Returns:
            Columns ``title``; ``verdict``: ``"withdrawn"`` if the plan withdraws it,
            ``"no emergent check"`` if all its checks are verification, else the verdict of
            its emergent checks (:func:`~simulation.runs.validation.base.pattern_verdict`);
            ``emergent_held``, ``emergent_inconclusive``, ``emergent_contradicted`` and
            ``emergent_checks``; ``verification_held`` and ``verification_checks``;
            ``counted`` (it has emergent checks and is not withdrawn); ``holds`` (counted
            and its verdict is holds); ``withdrawn`` (why, or ``""``); and, when measured,
            ``robust_share`` (the lowest share of posterior draws in which one of its
            emergent checks holds) and ``robust``.
        """
        rows = {}
        for number, group in self.checks.groupby("pattern", sort=True):
            emergent = group[group["emergent"]]["verdict"]
            verification = group[~group["emergent"]]["verdict"]
            withdrawn = self.plan.withdrawn.get(int(number), "")
            if withdrawn:
                verdict = "withdrawn"
            elif emergent.empty:
                verdict = "no emergent check"
            else:
                verdict = pattern_verdict(emergent).value
            rows[number] = {
                "title": group["title"].iloc[0],
                "verdict": verdict,
                "emergent_held": int((emergent == Verdict.HOLDS).sum()),
                "emergent_inconclusive": int((emergent == Verdict.INCONCLUSIVE).sum()),
                "emergent_contradicted": int((emergent == Verdict.CONTRADICTED).sum()),
                "emergent_checks": int(emergent.size),
                "verification_held": int((verification == Verdict.HOLDS).sum()),
                "verification_checks": int(verification.size),
                "counted": bool(not withdrawn and emergent.size),
                "withdrawn": withdrawn,
            }
        summary = pd.DataFrame.from_dict(rows, orient="index")
        summary.index.name = "pattern"
        summary["holds"] = summary["counted"] & (summary["verdict"] == Verdict.HOLDS)
        if not self.robustness.empty:
            lowest = self.robustness.groupby("pattern")["share_held"].min()
            summary["robust_share"] = lowest.reindex(summary.index)
            summary["robust"] = summary["counted"] & (
                summary["robust_share"] >= self.plan.robust_share
            )
        return summary


def arms_of(patterns: Sequence[Pattern | LoopGain]) -> list[Arm]:
    """The distinct arms the patterns (or loops) need (an arm shared by several runs once).

    Raises:
        ValueError: If two different arms share a name.
    """
    arms: dict[str, Arm] = {}
    for pattern in patterns:
        for each in pattern.arms:
            if arms.setdefault(each.name, each) != each:
                raise ValueError(f"two different arms are named {each.name!r}")
    return list(arms.values())


def run_arms(
    arms: Sequence[Arm],
    pairs: int,
    months: int,
    *,
    seed: int = ROOT_SEED,
    params: Mapping[str, Any] | None = None,
    workers: int = 1,
    progress: bool = False,
    sector: str | None = None,
) -> tuple[dict[str, list[ArmRun]], list[int]]:
    """Run arms on the same seed pairs (common random numbers).

    Args:
        arms: The arms (distinct names).
        pairs: Seeds per arm.
        months: Horizon of the arms that do not fix their own.
        seed: Root seed from which the pairs' seeds are spawned.
        params: Parameters set in every arm on top of its own.
        workers: Processes (results do not depend on it).
        progress: Show a progress bar.
        sector: A sector file's path every arm runs on (None: the generated sector).

    Returns:
        Arm name -> one run per seed in seed order, and the seeds.
    """
    seeds = replication_seeds(seed, pairs)
    arms = [replace(with_params(each, params or {}), sector=sector) for each in arms]
    jobs = [(each, s, months) for each in arms for s in seeds]
    # Arms share seeds, so batches are within an arm (simulation.runs.batch).
    results = map_batched(
        run_batch_job, jobs, job_setup, workers=workers, progress=progress, desc="validation runs"
    )
    runs: dict[str, list[ArmRun]] = {each.name: [] for each in arms}
    for (each, _, _), result in zip(jobs, results, strict=True):
        runs[each.name].append(result)
    return runs, seeds


def validate(
    pairs: int = DEFAULT_PAIRS,
    months: int = HORIZON,
    *,
    seed: int = ROOT_SEED,
    patterns: Sequence[int] | None = None,
    loops: bool | None = None,
    params: Mapping[str, Any] | None = None,
    plan: ValidationPlan | None = None,
    cuts: bool = False,
    workers: int = 1,
    progress: bool = False,
    sector: str | None = None,
) -> Validation:
    """Run the pattern experiments (and the loop-gain experiments) and judge every check.

    Args:
        pairs: Seeds per arm (each seed is one pair across arms).
        months: Horizon of the arms that do not fix their own.
        seed: Root seed from which the pairs' seeds are spawned.
        patterns: Pattern numbers to run (default: all ten; an empty list: none).
        loops: Run the loop-gain experiments of :mod:`.loops` (default: when the horizon
            reaches :data:`~simulation.runs.validation.loops.LOOP_MONTHS`, as in the full
            validation; a quick one skips them).
        params: Parameters set in every arm on top of its own (for example a pattern's
            :attr:`~simulation.runs.validation.base.Pattern.pathway_cut`).
        plan: The validation plan (default: the packaged one, :func:`.plan.load_plan`).
        cuts: Also run each chosen pattern with emergent checks under its pathway cut, on
            the same seeds (:func:`pathway_cuts`).
        workers: Processes to run arms in (results do not depend on it).
        progress: Show a progress bar.
        sector: A sector file's path: the patterns on your own organisations (an arm
            that sets ``exposure_mix`` then keeps the file's exposure classes).

    Returns:
        The checks, the loop-gain checks, the runs and the seeds.

    Raises:
        ValueError: For fewer than two pairs, a horizon under 36 months, an unknown
            pattern number, or loops asked for with a horizon under ``LOOP_MONTHS``.
        KeyError: If a check has no entry in the plan.
    """
    if pairs < 2:
        raise ValueError(f"pairs must be at least 2 to give an interval, got {pairs}")
    if months < 36:
        raise ValueError(f"months must be at least 36 (the patterns look 3 years on), got {months}")
    chosen = (
        PATTERNS if patterns is None else tuple(pattern_by_number(number) for number in patterns)
    )
    if loops is None:
        loops = months >= LOOP_MONTHS
    if loops and months < LOOP_MONTHS:
        raise ValueError(
            f"the loop-gain experiments read month {LOOP_MONTHS}; months must reach it, "
            f"got {months}"
        )
    plan = plan or load_plan()
    gains = LOOPS if loops else ()
    runs, seeds = run_arms(
        arms_of([*chosen, *gains]),
        pairs,
        months,
        seed=seed,
        params=params,
        workers=workers,
        progress=progress,
        sector=sector,
    )
    rows = [
        {"title": pattern.title, **_row(check)}
        for pattern in chosen
        for check in pattern.judged(runs, months, plan)
    ]
    loop_rows = []
    for gain in gains:
        for check in gain.checks(runs):
            fields = _row(check)
            del fields["pattern"]
            loop_rows.append({"loop": gain.key, "title": gain.title, **fields})
    validation = Validation(
        pd.DataFrame(rows),
        runs,
        seeds,
        months,
        chosen,
        pd.DataFrame(loop_rows),
        gains,
        dict(params or {}),
        plan,
        sector=sector,
    )
    if cuts:
        validation.cuts = pathway_cuts(validation, seed=seed, workers=workers, progress=progress)
    return validation


def cut_patterns(patterns: Sequence[Pattern], plan: ValidationPlan) -> list[Pattern]:
    """The patterns that have emergent checks in the plan and a pathway cut."""
    return [each for each in patterns if each.pathway_cut and plan.emergent_keys(each.number)]


def pathway_cuts(
    validation: Validation, *, seed: int = ROOT_SEED, workers: int = 1, progress: bool = False
) -> pd.DataFrame:
    """Each pattern's emergent checks with its pathway cut, on the validation's seeds.

    The negative control of a pattern: cut the pathway the study claims for it (its
    :attr:`~simulation.runs.validation.base.Pattern.pathway_cut`, set in every one of its
    arms) while the rest of the model runs, and judge its emergent checks again. The
    control passes for a check that is then *contradicted* (not merely inconclusive).

    Args:
        validation: The validation at the defaults (its seeds, horizon and plan are used).
        seed: Its root seed.
        workers: Processes.
        progress: Show progress bars.

    Returns:
        One row per emergent check: ``pattern``, ``key``, ``statement``, ``pathway``,
        ``cut`` (the parameters, in words), ``cut_reason``, ``default_verdict``, the cut's
        ``effect``, ``low``, ``high`` and ``verdict``, and ``contradicted``.
    """
    plan, rows = validation.plan, []
    defaults = validation.checks.set_index("key") if not validation.checks.empty else None
    for pattern in cut_patterns(validation.patterns, plan):
        runs, _ = run_arms(
            pattern.arms,
            len(validation.seeds),
            validation.months,
            seed=seed,
            params=pattern.pathway_cut,
            workers=workers,
            progress=progress,
            sector=validation.sector,
        )
        for check in pattern.judged(runs, validation.months, plan):
            if not check.emergent:
                continue
            rows.append(
                {
                    "pattern": pattern.number,
                    "key": check.key,
                    "statement": check.statement,
                    "pathway": pattern.pathway,
                    "cut": params_text(pattern.pathway_cut),
                    "cut_reason": pattern.cut_reason,
                    "default_verdict": (
                        defaults.loc[check.key, "verdict"] if defaults is not None else ""
                    ),
                    "effect": check.effect,
                    "low": check.low,
                    "high": check.high,
                    "verdict": check.verdict.value,
                    "contradicted": check.verdict is Verdict.CONTRADICTED,
                }
            )
    return pd.DataFrame(rows)


def params_text(params: Mapping[str, Any]) -> str:
    """Parameters in words: ``contact_effect=0, evidence_weight=0``."""
    return ", ".join(f"{name}={value:g}" for name, value in sorted(params.items()))


def _row(check: Check) -> dict[str, Any]:
    fields = asdict(check)
    fields["verdict"] = check.verdict.value
    return {**fields, "label": check.label, "holds": check.holds}
