"""The README's picture of a comparison on a sector file, by organisation.

Compares experiments/scenarios/riverside-champions.toml with riverside.toml (the example
sector file experiments/sectors/riverside.toml) on paired runs and draws, for each of the
six services, the mean number of peer workers over ten years in both scenarios with the
95 % band of the mean, into ``docs/images/riverside_organisations.png``.

    python experiments/sector_figure.py [--replications 30] [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from simulation.runs.comparison import compare  # noqa: E402
from simulation.runs.scenarios import Scenario  # noqa: E402
from simulation.runs.statistics import mean_interval  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "experiments" / "scenarios"


def main() -> None:
    """Run the comparison and save the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs/images/riverside_organisations.png"
    )
    args = parser.parse_args()
    baseline = Scenario.load(SCENARIOS / "riverside.toml")
    plan = Scenario.load(SCENARIOS / "riverside-champions.toml")
    comparison = compare(
        baseline.replace(replications=args.replications),
        [plan.replace(replications=args.replications)],
        workers=2,
    )
    table = comparison.organisations
    names = table.loc[table["scenario"] == baseline.name, "organisation"].unique()
    figure, axes = plt.subplots(2, 3, figsize=(10, 5.5), sharex=True, layout="constrained")
    for axis, name in zip(axes.flat, names, strict=True):
        for scenario, colour in ((baseline.name, "#999999"), (plan.name, "#0072B2")):
            rows = table[(table["scenario"] == scenario) & (table["organisation"] == name)]
            matrix = rows.pivot(index="replication", columns="month", values="peer_workers")
            mean, low, high = mean_interval(matrix.to_numpy(dtype=float))
            years = matrix.columns.to_numpy() / 12
            axis.plot(years, mean, color=colour, label=scenario)
            axis.fill_between(years, low, high, color=colour, alpha=0.25, linewidth=0)
        axis.set_title(name, fontsize=10)
        axis.set_ylim(bottom=0)
    for axis in axes[1]:
        axis.set_xlabel("years")
    for axis in axes[:, 0]:
        axis.set_ylabel("peer workers")
    axes.flat[0].legend(fontsize=8, frameon=False)
    figure.suptitle(
        f"Riverside: peer workers by organisation, mean of {args.replications} paired runs "
        "with 95 % band of the mean",
        fontsize=11,
    )
    figure.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
