"""Running a validation: every chosen pattern's arms on the same seed pairs, then judging."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from simulation.runs.replications import map_runs, replication_seeds
from simulation.runs.validation.arms import Arm, ArmRun, run_job, with_params
from simulation.runs.validation.base import Check, Pattern, Verdict, pattern_verdict
from simulation.runs.validation.loops import LOOP_MONTHS, LOOPS, LoopGain
from simulation.runs.validation.patterns import PATTERNS, pattern_by_number

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
        params: Parameters set in every arm (a failure region), if any.
    """

    checks: pd.DataFrame
    runs: dict[str, list[ArmRun]]
    seeds: list[int]
    months: int
    patterns: tuple[Pattern, ...]
    loops: pd.DataFrame = field(default_factory=pd.DataFrame)
    loop_gains: tuple[LoopGain, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reduced(self) -> bool:
        """Whether it ran on fewer pairs or a shorter horizon than the full validation."""
        return len(self.seeds) < DEFAULT_PAIRS or self.months < HORIZON

    def summary(self) -> pd.DataFrame:
        """One row per pattern (index: its number).

        Returns:
            Columns ``title``, ``verdict`` (from its checks, see
            :func:`~simulation.runs.validation.base.pattern_verdict`), ``checks_held``,
            ``checks_inconclusive``, ``checks_contradicted``, ``checks`` (made) and
            ``holds`` (whether the verdict is holds).
        """
        grouped = self.checks.groupby("pattern", sort=True)
        verdicts = grouped["verdict"]
        summary = pd.DataFrame(
            {
                "title": grouped["title"].first(),
                "verdict": verdicts.agg(lambda each: pattern_verdict(each).value),
                "checks_held": verdicts.agg(lambda each: int((each == Verdict.HOLDS).sum())),
                "checks_inconclusive": verdicts.agg(
                    lambda each: int((each == Verdict.INCONCLUSIVE).sum())
                ),
                "checks_contradicted": verdicts.agg(
                    lambda each: int((each == Verdict.CONTRADICTED).sum())
                ),
                "checks": verdicts.size(),
            }
        )
        summary["holds"] = summary["verdict"] == Verdict.HOLDS
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


def validate(
    pairs: int = DEFAULT_PAIRS,
    months: int = HORIZON,
    *,
    seed: int = ROOT_SEED,
    patterns: Sequence[int] | None = None,
    loops: bool | None = None,
    params: Mapping[str, Any] | None = None,
    workers: int = 1,
    progress: bool = False,
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
            :attr:`~simulation.runs.validation.base.Pattern.failure_region`).
        workers: Processes to run arms in (results do not depend on it).
        progress: Show a progress bar.

    Returns:
        The checks, the loop-gain checks, the runs and the seeds.

    Raises:
        ValueError: For fewer than two pairs, a horizon under 36 months, an unknown
            pattern number, or loops asked for with a horizon under ``LOOP_MONTHS``.
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
    gains = LOOPS if loops else ()
    seeds = replication_seeds(seed, pairs)
    arms = [with_params(each, params or {}) for each in arms_of([*chosen, *gains])]
    jobs = [(each, s, months) for each in arms for s in seeds]
    results = map_runs(run_job, jobs, workers=workers, progress=progress, desc="validation runs")
    runs: dict[str, list[ArmRun]] = {each.name: [] for each in arms}
    for (each, _, _), result in zip(jobs, results, strict=True):
        runs[each.name].append(result)
    rows = [
        {"title": pattern.title, **_row(check)}
        for pattern in chosen
        for check in pattern.checks(runs, months)
    ]
    loop_rows = []
    for gain in gains:
        for check in gain.checks(runs):
            fields = _row(check)
            del fields["pattern"]
            loop_rows.append({"loop": gain.key, "title": gain.title, **fields})
    return Validation(
        pd.DataFrame(rows),
        runs,
        seeds,
        months,
        chosen,
        pd.DataFrame(loop_rows),
        gains,
        dict(params or {}),
    )


def _row(check: Check) -> dict[str, Any]:
    fields = asdict(check)
    fields["verdict"] = check.verdict.value
    return {**fields, "holds": check.holds}
