"""Running a validation: every chosen pattern's arms on the same seed pairs, then judging."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from simulation.runs.replications import map_runs, replication_seeds
from simulation.runs.validation.arms import Arm, ArmRun, run_job
from simulation.runs.validation.base import Pattern, Verdict, pattern_verdict
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
    """

    checks: pd.DataFrame
    runs: dict[str, list[ArmRun]]
    seeds: list[int]
    months: int
    patterns: tuple[Pattern, ...]

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
    chosen = (
        PATTERNS if patterns is None else tuple(pattern_by_number(number) for number in patterns)
    )
    seeds = replication_seeds(seed, pairs)
    arms = arms_of(chosen)
    jobs = [(each, s, months) for each in arms for s in seeds]
    results = map_runs(run_job, jobs, workers=workers, progress=progress, desc="validation runs")
    runs: dict[str, list[ArmRun]] = {each.name: [] for each in arms}
    for (each, _, _), result in zip(jobs, results, strict=True):
        runs[each.name].append(result)
    rows = []
    for pattern in chosen:
        for check in pattern.checks(runs, months):
            fields = asdict(check)
            fields["verdict"] = check.verdict.value
            rows.append({"title": pattern.title, **fields, "holds": check.holds})
    return Validation(pd.DataFrame(rows), runs, seeds, months, chosen)
