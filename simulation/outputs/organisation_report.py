"""The comparison report's section by organisation, for comparisons on a sector file.

With a sector file the organisations have names a planner knows, so the report says what
each scenario does to each of them: peer workers, managers' commitment and stigma at years
1, 3, 5 and 10, as paired differences (scenario minus baseline on the same seed, per
organisation) with 95 % confidence intervals, such as "Northside CMHT: +3.2 peer workers
(1.1 to 5.4) at year 5".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from simulation.runs.statistics import mean_interval

if TYPE_CHECKING:
    from simulation.outputs.reports import Report
    from simulation.runs.comparison import Comparison

#: Organisation outcomes reported, with their words and the decimals of a difference.
ORGANISATION_OUTCOMES: dict[str, tuple[str, int]] = {
    "peer_workers": ("peer workers", 1),
    "mean_commitment_managers": ("managers' commitment", 2),
    "mean_stigma": ("stigma", 2),
}
#: Years at which the differences are given (those within the runs).
REPORT_YEARS: tuple[int, ...] = (1, 3, 5, 10)

ORGANISATION_DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "organisation",
    "outcome",
    "year",
    "baseline_mean",
    "scenario_mean",
    "difference",
    "ci_low",
    "ci_high",
)


def organisation_differences(comparison: Comparison) -> pd.DataFrame | None:
    """Paired differences per alternative, organisation, outcome and year.

    Args:
        comparison: A comparison; its runs carry organisation tables only with a sector
            file.

    Returns:
        A frame with :data:`ORGANISATION_DIFFERENCE_COLUMNS` (organisations in the order of
        the sector file), or None for a generated sector.
    """
    table = comparison.organisations
    if table is None:
        return None
    years = [year for year in REPORT_YEARS if 12 * year <= comparison.steps]
    table = table[table["month"].isin([12 * year for year in years])]
    keys = ["replication", "org", "month"]
    base = table[table["scenario"] == comparison.baseline.name].set_index(keys)
    names = base["organisation"].groupby(level="org").first()
    rows = []
    for alternative in comparison.alternatives:
        other = table[table["scenario"] == alternative.name].set_index(keys)
        for outcome in ORGANISATION_OUTCOMES:
            base_means = base[outcome].groupby(level=["org", "month"]).mean()
            other_means = other[outcome].groupby(level=["org", "month"]).mean()
            paired = (other[outcome] - base[outcome]).unstack("replication")
            for (org, month), differences in paired.iterrows():
                difference, low, high = mean_interval(differences.to_numpy(dtype=float))
                rows.append(
                    {
                        "scenario": alternative.name,
                        "organisation": names[org],
                        "outcome": outcome,
                        "year": month // 12,
                        "baseline_mean": float(base_means[(org, month)]),
                        "scenario_mean": float(other_means[(org, month)]),
                        "difference": difference,
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
    return pd.DataFrame(rows, columns=list(ORGANISATION_DIFFERENCE_COLUMNS))


def difference_sentence(row: pd.Series | dict) -> str:
    """One organisation's difference in words.

    Args:
        row: A row of :func:`organisation_differences`.

    Returns:
        E.g. ``"Northside CMHT: +3.2 peer workers (1.1 to 5.4) at year 5"``; the interval
        is left out when there is none (a single pair).
    """
    words, decimals = ORGANISATION_OUTCOMES[row["outcome"]]
    text = f"{row['organisation']}: {row['difference']:+.{decimals}f} {words}"
    if pd.notna(row["ci_low"]):
        text += f" ({row['ci_low']:.{decimals}f} to {row['ci_high']:.{decimals}f})"
    return f"{text} at year {row['year']}"


def add_organisation_section(report: Report, comparison: Comparison) -> None:
    """Add the section by organisation to a comparison report (nothing without a sector file).

    Args:
        report: The report being built.
        comparison: The comparison.
    """
    differences = organisation_differences(comparison)
    if differences is None or differences.empty:
        return
    report.heading("By organisation")
    report.paragraph(
        "The organisations of the sector file, by name. Each difference is the scenario's "
        "value in that organisation minus the baseline's, run by run on the same seed, "
        "averaged over the pairs, with its 95 % confidence interval. Peer workers are "
        "counts (LE leaders included); managers' commitment and stigma are scores from 0 "
        "to 1. A small organisation's interval is wide: read it before the mean."
    )
    headline = differences[
        (differences["outcome"] == "peer_workers")
        & (differences["year"] == differences["year"].max())
    ]
    for scenario, rows in headline.groupby("scenario", sort=False):
        report.paragraph(f"Peer workers, **{scenario}** against {comparison.baseline.name}:")
        report.bullets([difference_sentence(row) for row in rows.to_dict("records")])
    shown = differences.assign(
        outcome=differences["outcome"].map(lambda name: ORGANISATION_OUTCOMES[name][0])
    )
    report.table(
        shown,
        caption=f"Paired differences from {comparison.baseline.name} by organisation",
        float_format="{:.2f}",
    )
