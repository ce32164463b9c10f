"""Where pattern 3's accelerating growth from zero comes from, with its pathway cut and without.

Check 3c (docs/ODD.md section 13) asks whether a sector with no peers, opened by a manager
network, adds peers faster in the middle third of 30 years than in the first. It still
holds with pattern 3's pathway cut (what peers show colleagues, evidence and requests for
posts), so it does not isolate that pathway. This script splits the sector's growth into
its two parts, per arm, on the same seeds:

- **when organisations take their first post** (counted by third of the run): learning
  that reaches leaders through the network, the delay of pattern 2's pathway;
- **what an organisation's peer workforce does after its first post** (mean peers of the
  adopters 5 and 10 years after it): the within-organisation loop that pattern 3 claims.

A diagnosis, not a check: it judges nothing and writes nothing. Usage::

    python experiments/diagnose_s_curve.py              # 20 seeds, about a minute
    python experiments/diagnose_s_curve.py --seeds 40
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from simulation.runs.batch import build_batch
from simulation.runs.validation.arms import with_params
from simulation.runs.validation.outcomes import curve_thirds, monthly_first_posts, peers_after
from simulation.runs.validation.patterns import SelfReinforcingGrowth

YEARS_AFTER = (5, 10)


def adopters(table: pd.DataFrame) -> tuple[list[int], dict[int, list[float]]]:
    """Each adopting organisation's first post (a month), and its peers years after it.

    The first post is :func:`~simulation.runs.validation.outcomes.first_posts`' (check 3e's);
    each reading counts the adopters whose first post leaves that many years of the run.
    """
    peers, first = monthly_first_posts(table)
    after = {
        years: peers_after(peers, first, years, horizon=years).astype(float).tolist()
        for years in YEARS_AFTER
    }
    return first[first >= 0].tolist(), after


def main(argv: list[str] | None = None) -> None:
    """Run the introduction arm uncut and with the pathway cut, and print the two parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds per arm (default 20)")
    parser.add_argument("--root", type=int, default=300, help="first seed (default 300)")
    options = parser.parse_args(argv)
    pattern = SelfReinforcingGrowth
    introduction = next(arm for arm in pattern.arms if arm.name == "introduction")
    months = introduction.months
    seeds = list(range(options.root, options.root + options.seeds))
    print(f"pattern 3's introduction arm, {months // 12} years, {len(seeds)} seeds")
    for label, arm in (
        ("uncut", introduction),
        ("pathway cut", with_params(introduction, pattern.pathway_cut)),
    ):
        batch = build_batch(seeds, dict(arm.params), list(arm.actions), arm.sector)
        for _ in range(months):
            batch.step()
        thirds = np.array(
            [curve_thirds(f["peer_workers"].to_numpy()) for f in batch.sector_frames()]
        )
        firsts, after = [], {years: [] for years in YEARS_AFTER}
        for table in batch.org_tables():
            these, later = adopters(table)
            firsts += these
            for years in YEARS_AFTER:
                after[years] += later[years]
        by_third = np.bincount(np.minimum(np.array(firsts) * 3 // months, 2), minlength=3)
        acceleration = thirds[:, 1] - thirds[:, 0]
        print(
            f"  {label:12s} 3c (middle - first third, peers a year): {acceleration.mean():.2f}"
            f" (sd {acceleration.std(ddof=1):.2f}); first posts by third {by_third.tolist()}; "
            + "; ".join(
                f"adopters' peers {years} y after it {np.mean(after[years]):.2f}"
                for years in YEARS_AFTER
            )
        )


if __name__ == "__main__":
    main()
