"""Paired comparisons of scenarios: what an intervention changes, with confidence intervals.

:func:`compare` runs a baseline scenario and one or more alternatives with **common random
numbers**: every scenario is run with the baseline's months, root seed and number of
replications, so replication ``r`` of every scenario starts from the same seed and the
same sector. The difference between an alternative and the baseline is then taken run by
run (alternative minus baseline on the same seed) and averaged over the pairs, with a
t-based 95 % confidence interval (:func:`simulation.runs.statistics.mean_interval`). Pairing
removes most of the run-to-run noise, so a few replications separate effects that would
be lost in the spread of independent runs. With many replications even a negligible
effect has an interval that excludes zero, so a difference is called **clear** only when
its interval excludes zero and it is larger than the outcome's practical threshold
(:data:`PRACTICAL_THRESHOLDS`). Each replication is run as
:func:`simulation.runs.scenarios.run_scenario` runs it (:func:`run_paired_replication`), one at
a time or in a process pool, with the same result either way.

This module is the domain only: the planner's report (wording, figures, the HTML page) is
:mod:`simulation.outputs.comparison_report`.

Example::

    from simulation.runs.scenarios import Scenario
    from simulation.runs.comparison import compare

    result = compare(Scenario.load("baseline.toml"), [Scenario.load("exec-champion.toml")])
    result.differences.query("outcome == 'peer_workers'")
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.parameters import SETUP_ONLY, validate_parameters
from simulation.core.reporters import SECTOR_COLUMNS
from simulation.core.wording import is_count, is_integer, join_words
from simulation.runs.batch import map_batched, replication_frames, setup_key
from simulation.runs.calibration import Posterior, posterior_note
from simulation.runs.replications import gather_organisations, replication_seeds, run_replication
from simulation.runs.scenarios import Scenario
from simulation.runs.statistics import mean_interval

#: Outcomes compared, in the order of the table, the figures and the summary.
KEY_OUTCOMES: tuple[str, ...] = (
    "peer_workers",
    "orgs_without_peers",
    "mean_stigma",
    "mean_commitment_managers",
    "le_leaders",
    "peer_share",
    "champions",
)

#: Columns of :attr:`Comparison.timeseries`, in order.
TIMESERIES_COLUMNS: tuple[str, ...] = ("scenario", "replication", "seed", "month", *SECTOR_COLUMNS)

#: Columns of :attr:`Comparison.differences`, in order.
DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "outcome",
    "month",
    "baseline_mean",
    "scenario_mean",
    "difference",
    "ci_low",
    "ci_high",
    "pairs",
    "significant",
    "clear",
)

#: Months reported by default: the ends of years 1, 3, 5 and 10 that fit in the run.
YEAR_END_MONTHS: tuple[int, ...] = (12, 36, 60, 120)

#: +1 where a higher value favours the peer workforce, -1 where a lower one does.
FAVOURABLE_DIRECTION: dict[str, int] = {
    "peer_workers": 1,
    "orgs_without_peers": -1,
    "mean_stigma": -1,
    "mean_commitment_managers": 1,
    "le_leaders": 1,
    "peer_share": 1,
    "champions": 1,
}

#: The smallest difference in each outcome's mean that matters to a planner, in the
#: outcome's own units (shares as fractions: 0.001 is 0.1 percentage point). A difference
#: is clear only if its 95 % CI excludes zero *and* its size exceeds this: one person, half
#: an organisation, 0.01 on a 0-1 score.
PRACTICAL_THRESHOLDS: dict[str, float] = {
    "peer_workers": 1.0,
    "orgs_without_peers": 0.5,
    "mean_stigma": 0.01,
    "mean_commitment_managers": 0.01,
    "le_leaders": 1.0,
    "peer_share": 0.001,
    "champions": 1.0,
}

#: Scenario settings that a comparison replaces by the baseline's, with how to name them.
_RUN_SETTINGS: tuple[tuple[str, str], ...] = (
    ("steps", "{} months"),
    ("seed", "root seed {}"),
    ("replications", "{} replications"),
)


@dataclass
class Comparison:
    """The paired runs of a baseline and its alternatives, and their differences.

    Attributes:
        timeseries: Long frame of every run: columns :data:`TIMESERIES_COLUMNS`, one row
            per scenario, replication and month, scenarios in the order of ``scenarios``.
        differences: Tidy frame with columns :data:`DIFFERENCE_COLUMNS`, one row per
            alternative, outcome and month: the means of baseline and alternative over the
            replications, the mean paired difference (alternative minus baseline on the
            same seed) with its 95 % confidence interval, the number of pairs, whether
            the interval excludes zero (``significant``) and whether the difference is
            also larger than the outcome's practical threshold (``clear``, see
            :func:`is_clear`).
        scenarios: The baseline first, then the alternatives.
        notes: Things the reader should know, such as an alternative whose own seed,
            months or replications were overridden by the baseline's, or one that starts
            from a different sector (see :func:`comparison_notes`).
        seeds: The per-replication seeds shared by every scenario.
        months: The months of the differences table.
        steps: Months simulated per run (the baseline's).
        seed: Root seed (the baseline's).
        replications: Replications per scenario (the baseline's).
        outcomes: The outcomes compared.
        organisations: With a sector file, every run's organisation x month table
            (``scenario``, ``replication``, ``seed``, ``month``, ``org``,
            ``organisation`` and the organisation columns); None for a generated sector.
    """

    timeseries: pd.DataFrame
    differences: pd.DataFrame
    scenarios: list[Scenario]
    notes: list[str]
    seeds: list[int]
    months: tuple[int, ...]
    steps: int
    seed: int
    replications: int
    outcomes: tuple[str, ...] = KEY_OUTCOMES
    organisations: pd.DataFrame | None = None
    _matrices: dict[tuple[str, str], np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def baseline(self) -> Scenario:
        """The baseline scenario."""
        return self.scenarios[0]

    @property
    def alternatives(self) -> list[Scenario]:
        """The alternative scenarios, in the order given."""
        return self.scenarios[1:]

    @property
    def names(self) -> list[str]:
        """Scenario names, the baseline first."""
        return [scenario.name for scenario in self.scenarios]

    def outcome_matrix(self, scenario: str, outcome: str) -> np.ndarray:
        """One outcome of one scenario as a replications x months array.

        Args:
            scenario: A scenario name.
            outcome: A sector column.

        Returns:
            Row ``r`` is replication ``r``, column ``m`` is month ``m`` (0..steps).

        Raises:
            KeyError: For an unknown scenario or column.
        """
        key = (scenario, outcome)
        if key not in self._matrices:
            if scenario not in self.names:
                raise KeyError(f"no scenario named {scenario!r}; scenarios: {self.names}")
            if outcome not in self.timeseries.columns:
                raise KeyError(f"no outcome {outcome!r}; outcomes are sector columns")
            rows = self.timeseries[self.timeseries["scenario"] == scenario]
            wide = rows.pivot(index="replication", columns="month", values=outcome)
            self._matrices[key] = wide.sort_index().sort_index(axis=1).to_numpy(dtype=float)
        return self._matrices[key]

    def paired_differences(self, outcome: str, scenario: str | None = None) -> pd.DataFrame:
        """The paired difference from the baseline over time, with its 95 % interval.

        For every month, the alternative's value minus the baseline's on the same seed is
        averaged over the replications; the interval is the t-based 95 % confidence
        interval of that mean (:func:`simulation.runs.statistics.mean_interval`). With a
        single replication there is no interval (``NaN``).

        Args:
            outcome: A sector column, such as ``"peer_workers"``.
            scenario: One alternative's name; all alternatives when ``None``.

        Returns:
            Columns ``scenario``, ``month``, ``difference``, ``ci_low``, ``ci_high`` and
            ``pairs``; one row per alternative and month (0..steps).

        Raises:
            KeyError: For an unknown scenario or outcome, or the baseline's name.
        """
        if scenario == self.baseline.name:
            raise KeyError(f"{scenario!r} is the baseline; name an alternative")
        chosen = [scenario] if scenario is not None else [alt.name for alt in self.alternatives]
        base = self.outcome_matrix(self.baseline.name, outcome)
        frames = []
        for name in chosen:
            paired = self.outcome_matrix(name, outcome) - base
            mean, low, high = mean_interval(paired)
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "month": np.arange(paired.shape[1]),
                        "difference": mean,
                        "ci_low": low,
                        "ci_high": high,
                        "pairs": paired.shape[0],
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def at_month(self, month: int | None = None) -> pd.DataFrame:
        """The rows of :attr:`differences` at one month (the last one by default).

        Args:
            month: A month of :attr:`months`; ``None`` for the last.

        Returns:
            The matching rows, in table order.

        Raises:
            ValueError: If ``month`` is not in the table.
        """
        month = self.months[-1] if month is None else month
        if month not in self.months:
            raise ValueError(f"month {month} is not in the table; months: {list(self.months)}")
        rows = self.differences[self.differences["month"] == month]
        return rows.reset_index(drop=True)


def default_months(steps: int) -> tuple[int, ...]:
    """The months of the differences table when none are given.

    Args:
        steps: Months simulated.

    Returns:
        The ends of years 1, 3, 5 and 10 that fit in ``steps``, then ``steps`` itself if
        it is not one of them.
    """
    months = [month for month in YEAR_END_MONTHS if month <= steps]
    if steps not in months:
        months.append(steps)
    return tuple(months)


def check_months(months: Sequence[int], steps: int) -> tuple[int, ...]:
    """Check requested months against the runs' length.

    Args:
        months: Months wanted in the table.
        steps: Months simulated (the baseline's steps).

    Returns:
        The months, sorted, without repeats.

    Raises:
        ValueError: If there are none, or one is not a whole number from 0 to ``steps``.
    """
    if len(months) == 0:
        raise ValueError("give at least one month")
    checked = set()
    for month in months:
        if not is_integer(month):
            raise ValueError(f"{month!r} is not a whole number of months")
        if not 0 <= month <= steps:
            raise ValueError(
                f"month {int(month)} is outside the runs; allowed: 0 to {steps} "
                "(the baseline's steps)"
            )
        checked.add(int(month))
    return tuple(sorted(checked))


def compare(
    baseline: Scenario,
    alternatives: Sequence[Scenario],
    *,
    months: Sequence[int] | None = None,
    progress: bool = False,
    workers: int = 1,
    posterior: Posterior | None = None,
) -> Comparison:
    """Run a baseline and its alternatives on common random numbers and compare them.

    Every scenario is run with the baseline's steps, root seed and replications, so
    replication ``r`` of every scenario has the same seed
    (``replication_seeds(baseline.seed, baseline.replications)[r]``) and differences come
    from the scenarios' parameters and events. An alternative whose own steps, seed or
    replications differ is still run on the baseline's; :attr:`Comparison.notes` says so.

    Args:
        baseline: The reference scenario.
        alternatives: One or more scenarios to compare with it.
        months: Months of the differences table; by default :func:`default_months`.
        progress: Show a progress bar over the runs on stderr.
        workers: Processes to run the replications in (the results do not depend on it;
            starting the processes takes a few seconds, so it pays for long runs only).
        posterior: If given, replication ``r`` of every scenario takes the parameters of
            ``posterior.draw(seed, r)`` (the same draw for every scenario: common random
            numbers); a scenario's own parameters override them, and a note says so.

    Returns:
        The runs, the differences and notes.

    Raises:
        ValueError: If there is no alternative, two scenarios share a name, a month is
            outside the runs, or ``workers`` is below 1.
    """
    scenarios = [baseline, *alternatives]
    check_scenarios(scenarios)
    if not is_count(workers, 1):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    steps, seed, replications = baseline.steps, baseline.seed, baseline.replications
    try:
        chosen_months = default_months(steps) if months is None else check_months(months, steps)
    except ValueError as error:
        raise ValueError(f"months: {error}") from None
    seeds = replication_seeds(seed, replications)
    notes = comparison_notes(baseline, alternatives)
    if posterior is not None:
        overridden = sorted(
            {name for each in scenarios for name in each.parameters if name in posterior.parameters}
        )
        notes.append(posterior_note(posterior, overridden))

    frames, organisations = _run_all(
        scenarios,
        steps,
        seed,
        replications,
        progress=progress,
        workers=workers,
        posterior=posterior,
    )
    timeseries = pd.concat(frames, ignore_index=True)
    comparison = Comparison(
        timeseries=timeseries,
        differences=pd.DataFrame(columns=list(DIFFERENCE_COLUMNS)),
        scenarios=scenarios,
        notes=notes,
        seeds=seeds,
        months=chosen_months,
        steps=steps,
        seed=seed,
        replications=replications,
        organisations=organisations,
    )
    comparison.differences = _differences_table(comparison)
    return comparison


def check_scenarios(scenarios: Sequence[Scenario]) -> None:
    """Check that there is a baseline and at least one alternative, all named differently.

    Args:
        scenarios: The baseline, then the alternatives.

    Raises:
        ValueError: If there is no alternative, or two scenarios share a name (naming them
            and their files).
    """
    if len(scenarios) < 2:
        raise ValueError("a comparison needs a baseline and at least one alternative scenario")
    sectors = {scenario.sector for scenario in scenarios}
    if len(sectors) > 1:
        described = [
            f"{_where(each)} has {each.sector or 'a generated sector'}" for each in scenarios
        ]
        raise ValueError(
            f"the scenarios of a comparison share one sector, so that organisations pair by "
            f"name: {'; '.join(described)}; give them the same sector = (or use --sector)"
        )
    seen: dict[str, list[str]] = {}
    for scenario in scenarios:
        seen.setdefault(scenario.name, []).append(_where(scenario))
    clashes = {name: places for name, places in seen.items() if len(places) > 1}
    if clashes:
        name, places = next(iter(clashes.items()))
        raise ValueError(
            f"scenario names must be distinct: {name!r} is the name of {' and '.join(places)}; "
            "give each scenario its own name"
        )


def _where(scenario: Scenario) -> str:
    """A scenario's file, or its name if it has none, for messages."""
    return scenario.source if scenario.text is not None else f"scenario {scenario.name!r}"


def is_clear(outcome: str, difference: float, ci_low: float, ci_high: float) -> bool:
    """Whether a paired difference is clear: its CI excludes 0 and it is large enough to matter.

    Args:
        outcome: The outcome (its threshold is ``PRACTICAL_THRESHOLDS[outcome]``, 0 for an
            outcome without one).
        difference: The mean paired difference.
        ci_low: Lower end of its 95 % confidence interval (``NaN`` if there is none).
        ci_high: Upper end.

    Returns:
        ``True`` if the interval lies wholly on one side of zero and ``|difference|``
        exceeds the threshold; ``False`` otherwise, and always without an interval.
    """
    excludes_zero = bool(ci_low > 0 or ci_high < 0)  # False for NaN
    return excludes_zero and abs(difference) > PRACTICAL_THRESHOLDS.get(outcome, 0.0)


def comparison_notes(baseline: Scenario, alternatives: Sequence[Scenario]) -> list[str]:
    """What a reader of a comparison should know before reading its numbers.

    Notes, in this order: an alternative whose file sets months, a root seed or
    replications other than the baseline's (only settings the file actually gives, as
    recorded in pydantic's ``model_fields_set``; a setting left to its default is not the
    file's); an alternative whose set-up parameters (:data:`SETUP_ONLY`, such as ``n_orgs``)
    differ from the baseline's, so that its runs start from another sector and are not
    like-for-like; scenarios sharing a description (a copied file whose description was
    not updated); events after the last month; a single replication.

    Args:
        baseline: The reference scenario.
        alternatives: The scenarios compared with it.

    Returns:
        The notes, as sentences.
    """
    notes = []
    for alternative in alternatives:
        given = alternative.model_fields_set
        own = [
            (label.format(getattr(alternative, name)), label.format(getattr(baseline, name)))
            for name, label in _RUN_SETTINGS
            if name in given and getattr(alternative, name) != getattr(baseline, name)
        ]
        if own:
            notes.append(
                f"{alternative.name!r} sets {join_words([mine for mine, _ in own])}; it was run "
                f"with the baseline's {join_words([theirs for _, theirs in own])} so that its "
                "runs pair with the baseline's."
            )
    base_setup = validate_parameters(baseline.model_params())
    for alternative in alternatives:
        setup = validate_parameters(alternative.model_params())
        changed = [
            f"{name} = {getattr(setup, name)!r} (baseline {getattr(base_setup, name)!r})"
            for name in SETUP_ONLY
            if getattr(setup, name) != getattr(base_setup, name)
        ]
        if changed:
            notes.append(
                f"Not like-for-like: {alternative.name!r} builds a different sector from the "
                f"baseline's ({'; '.join(changed)}). Set-up parameters shape the sector at "
                "month 0, so its runs share the baseline's seeds but not its sector, and its "
                "differences mix the effect of the other sector with that of its events and "
                "parameters."
            )
    scenarios = [baseline, *alternatives]
    for position, scenario in enumerate(scenarios):
        earlier = [
            other.name
            for other in scenarios[:position]
            if scenario.description and other.description == scenario.description
        ]
        if earlier:
            notes.append(
                f"{scenario.name!r} has the same description as {earlier[0]!r}: if one file "
                "was copied from the other, its description may not say what it does; its "
                "events are listed in words in the report."
            )
    for alternative in alternatives:
        late = sorted({event.month for event in _late_events(alternative, baseline.steps)})
        if late:
            notes.append(
                f"{alternative.name!r} has events at month(s) {', '.join(map(str, late))}, after "
                f"the last simulated month ({baseline.steps}); they were left out of this "
                "comparison."
            )
    if baseline.replications < 2:
        notes.append(
            "With a single replication there are no confidence intervals and no difference "
            "is called clear; use at least 2 (better 10 or more) replications."
        )
    return notes


def _late_events(scenario: Scenario, steps: int) -> list[Any]:
    """The scenario's events after month ``steps``."""
    return [event for event in scenario.events if event.month > steps]


def paired_scenario(scenario: Scenario, steps: int, seed: int, replications: int) -> Scenario:
    """A scenario as a comparison runs it: on the baseline's settings.

    Args:
        scenario: The scenario.
        steps: The baseline's months.
        seed: The baseline's root seed.
        replications: The baseline's replications.

    Returns:
        A copy with these settings, without its events after month ``steps`` (which could
        not happen in a run that ends earlier).
    """
    kept = [event.model_dump() for event in scenario.events if event.month <= steps]
    return scenario.replace(
        steps=steps,
        seed=seed,
        replications=replications,
        events=kept,
        context="on the baseline's settings",
    )


def run_paired_replication(
    scenario: Scenario, replication: int, seed: int, drawn: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """One replication of a scenario, exactly as :func:`run_scenario` runs it.

    This is the unit of work of a comparison (one progress tick, one task of a process
    pool): it depends on its arguments alone.

    Args:
        scenario: The scenario (see :func:`paired_scenario`).
        replication: The replication's number.
        seed: Its seed, ``replication_seeds(scenario.seed, n)[replication]``.
        drawn: Parameters drawn from a posterior for this replication, if any; the
            scenario's own parameters override them.

    Returns:
        Its rows of the long frame: columns :data:`TIMESERIES_COLUMNS`.
    """
    params = dict(drawn or {}) | scenario.model_params()
    frame = run_replication(scenario.steps, seed, params, scenario.events, sector=scenario.sector)
    frame.insert(0, "seed", np.int64(seed))
    frame.insert(0, "replication", replication)
    frame.insert(0, "scenario", scenario.name)
    return frame


Job = tuple[Scenario, int, int, Mapping[str, Any] | None]


def _job_setup(job: Job) -> tuple[dict[str, Any], Hashable]:
    """A job's parameters and what it shares with its batch-mates: scenario and draws."""
    scenario, _, _, drawn = job
    params = dict(drawn or {}) | scenario.model_params()
    return params, (scenario.name, setup_key(params, scenario.events))


def _run_batch(jobs: list[Job]) -> list[pd.DataFrame]:
    """:func:`run_paired_replication` of each job of one batch (one scenario and set-up)."""
    scenario = jobs[0][0]
    params, _ = _job_setup(jobs[0])
    frames = replication_frames(
        scenario.steps,
        [seed for _, _, seed, _ in jobs],
        params,
        scenario.events,
        scenario.sector,
    )
    for (_, replication, seed, _), frame in zip(jobs, frames, strict=True):
        frame.insert(0, "seed", np.int64(seed))
        frame.insert(0, "replication", replication)
        frame.insert(0, "scenario", scenario.name)
    return frames


def _run_all(
    scenarios: Sequence[Scenario],
    steps: int,
    seed: int,
    replications: int,
    *,
    progress: bool,
    workers: int,
    posterior: Posterior | None = None,
) -> tuple[list[pd.DataFrame], pd.DataFrame | None]:
    """Run every scenario on the same settings, seeds and draws; one progress tick per run.

    Returns:
        Each scenario's long frame, and the organisation tables of every run (None
        without a sector file).
    """
    paired = [paired_scenario(each, steps, seed, replications) for each in scenarios]
    seeds = replication_seeds(seed, replications)
    drawn = [posterior.draw(seed, number) if posterior else None for number in range(replications)]
    jobs = [
        (each, number, value, drawn[number])
        for each in paired
        for number, value in enumerate(seeds)
    ]
    # Replications of a scenario with the same parameters run as batches: each frame is
    # run_paired_replication's (simulation.runs.batch).
    runs = map_batched(
        _run_batch, jobs, _job_setup, workers=workers, progress=progress, desc="comparison runs"
    )
    organisations = gather_organisations(runs, ["scenario", "replication", "seed"])
    frames = [
        pd.concat(runs[position : position + replications], ignore_index=True)
        for position in range(0, len(runs), replications)
    ]
    return frames, organisations


def _differences_table(comparison: Comparison) -> pd.DataFrame:
    """The tidy table of paired differences at the comparison's months."""
    rows = []
    base_name = comparison.baseline.name
    months = list(comparison.months)
    for alternative in comparison.alternatives:
        for outcome in comparison.outcomes:
            base = comparison.outcome_matrix(base_name, outcome)[:, months]
            other = comparison.outcome_matrix(alternative.name, outcome)[:, months]
            for position, month in enumerate(months):
                paired = other[:, position] - base[:, position]
                difference, low, high = mean_interval(paired)
                rows.append(
                    {
                        "scenario": alternative.name,
                        "outcome": outcome,
                        "month": month,
                        "baseline_mean": float(base[:, position].mean()),
                        "scenario_mean": float(other[:, position].mean()),
                        "difference": difference,
                        "ci_low": low,
                        "ci_high": high,
                        "pairs": int(paired.size),
                        "significant": bool(low > 0 or high < 0),  # False for NaN
                        "clear": is_clear(outcome, difference, low, high),
                    }
                )
    table = pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))
    return table.astype(
        {"month": "int64", "pairs": "int64", "significant": "bool", "clear": "bool"}
    )
