"""Does the default run start where the calibrated model's own hindcast is in July 2017?

The default run's month 0 stands for July 2017 (2017-18). The hindcast (docs/ODD.md
section 10.2) runs the same model, at the same defaults, from July 2011. Both should then
agree over the calendar years they share. This script runs both on the same seeds and
prints, side by side:

- the peer workforce's yearly growth from 2017-18 to 2019-20 (the default run's years 0
  to 2; the hindcast's years 6 to 8; nationally 15.9 % a year from 2015-16 to 2019-20) and
  the share of organisations employing peers in both years;
- the state in July 2017: staff, peer workers and posts, the managers' mean exposure,
  understanding and commitment, staff's mean stigma and the champions.

The default run draws its people at month 0 from the labour pools' attitudes
(``initial_*``); the hindcast's people have had six years of learning by then. A
diagnosis, not a check: it judges nothing and writes nothing. Usage::

    python experiments/diagnose_start_2017.py              # 20 seeds, under a minute
    python experiments/diagnose_start_2017.py --seeds 40
"""

from __future__ import annotations

import argparse

import numpy as np

from simulation.core.state import PEER_KINDS
from simulation.runs.batch import SectorBatch, build_batch
from simulation.runs.calibration.hindcast import (
    HINDCAST_MONTHS,
    MONTH_2017,
    default_nuisances,
    hindcast_params,
    year_mean,
)

#: Model years from 2017-18 to the year whose growth is read (2019-20).
YEARS_SHOWN = 2


def state(batch: SectorBatch) -> dict[str, float]:
    """The sector's state now, per replication where it is a count."""
    staff, runs = batch.staff, batch.replications
    n = staff.size
    active = staff.active[:n]
    managers = batch.manager_slots
    return {
        "staff": active.sum() / runs,
        "peer workers": staff.slots_of(*PEER_KINDS).size / runs,
        "posts": batch.orgs.positions.sum() / runs,
        "managers' E": staff.exposure[managers].mean(),
        "managers' U": staff.understanding[managers].mean(),
        "managers' C": staff.commitment[managers].mean(),
        "stigma": staff.stigma[:n][active].mean(),
        "champions": (staff.champion[:n] & active).sum() / runs,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the hindcast and the default run on the same seeds and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds (default 20)")
    parser.add_argument("--root", type=int, default=500, help="first seed (default 500)")
    options = parser.parse_args(argv)
    seeds = list(range(options.root, options.root + options.seeds))
    runs = (
        ("hindcast from 2011", hindcast_params(default_nuisances(), HINDCAST_MONTHS), MONTH_2017),
        ("default run from 2017", {}, 0),
    )
    print(f"July 2017 onwards, {len(seeds)} seeds, the defaults")
    for label, params, start in runs:
        batch = build_batch(seeds, params)
        for _ in range(start):
            batch.step()
        then = state(batch)
        for _ in range(12 * (YEARS_SHOWN + 1)):
            batch.step()
        frames = batch.sector_frames()
        peers = [frame["peer_workers"].to_numpy(dtype=float) for frame in frames]
        n_orgs = batch.n_orgs // batch.replications
        orgs = [frame["orgs_with_peers"].to_numpy(dtype=float) / n_orgs for frame in frames]
        first, last = start // 12, start // 12 + YEARS_SHOWN  # 2017-18 and 2019-20
        growth = np.array(
            [(year_mean(p, last) / year_mean(p, first)) ** (1 / YEARS_SHOWN) - 1 for p in peers]
        )
        share = [np.mean([year_mean(o, year) for o in orgs]) for year in (first, last)]
        print(
            f"  {label:22s} growth 2017-18 to 2019-20 {growth.mean():.3f} a year (sd "
            f"{growth.std(ddof=1):.3f}); organisations employing peers {share[0]:.3f} -> "
            f"{share[1]:.3f}"
        )
        shown = (f"{k} {v:.1f}" if v >= 10 else f"{k} {v:.3f}" for k, v in then.items())
        print("  " + " " * 22 + " July 2017: " + ", ".join(shown))


if __name__ == "__main__":
    main()
