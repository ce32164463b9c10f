"""Does the disclosure cascade emerge? Pattern 8 measured on paired seeds (issue 17, item 6).

The cascade claims that more hidden lived experience raises the disclosed share *through
colleagues' disclosures* (each disclosure makes the next safer: ``disclosure_safety``) by
more than its direct effect. Four arms run on the same seeds for
:data:`~simulation.runs.validation.patterns.DISCLOSURE_MONTHS` months: hidden LE share
low and high, each with ``disclosure_safety`` at its default and at 0. Per seed:

- total effect ``T`` = rise of the disclosed share (month 0 to the end) at high minus low
  hidden LE, with the feedback;
- direct effect ``D`` = the same with ``disclosure_safety`` 0;
- through colleagues ``T - D``; the cascade emerges if ``(T - D) - D > 0`` clearly (the
  check 8c of the validation, :class:`~simulation.runs.validation.patterns.
  DisclosureCascade`).

It prints each quantity's mean, 95 % interval and paired t. Example::

    python experiments/disclosure_cascade.py --pairs 40 --workers 2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from simulation.runs.pool import available_cores
from simulation.runs.statistics import mean_interval
from simulation.runs.validation import ROOT_SEED, arms_of, pattern_by_number
from simulation.runs.validation.patterns import HIDDEN_LE_ARMS, cascade_effects
from simulation.runs.validation.suite import run_arms


def measure(pairs: int, seed: int, workers: int, progress: bool = True) -> dict[str, dict]:
    """Run pattern 8's four hidden-LE arms and decompose hidden LE's effect.

    Args:
        pairs: Seed pairs.
        seed: Root seed.
        workers: Processes.
        progress: Show a progress bar.

    Returns:
        For ``total``, ``direct`` and ``through colleagues``: the mean effect on the rise of
        the disclosed share, its 95 % interval (``low``, ``high``) and the paired ``t``.
    """
    wanted = {each.name for each in HIDDEN_LE_ARMS}
    arms = [each for each in arms_of([pattern_by_number(8)]) if each.name in wanted]
    runs, _ = run_arms(arms, pairs, 0, seed=seed, workers=workers, progress=progress)
    summary = {}
    for name, values in cascade_effects(runs).items():
        mean, low, high = mean_interval(values)
        spread = np.std(values, ddof=1)
        t = mean / (spread / np.sqrt(len(values))) if spread > 0 else float("inf")
        summary[name] = {"mean": float(mean), "low": float(low), "high": float(high), "t": float(t)}
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four arms and print the decomposition."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=40, help="seed pairs (default 40)")
    parser.add_argument("--seed", type=int, default=ROOT_SEED, help=f"root seed ({ROOT_SEED})")
    parser.add_argument("--workers", type=int, default=min(2, available_cores()))
    args = parser.parse_args(argv)
    if args.pairs < 2:
        parser.error(f"--pairs must be at least 2, got {args.pairs}")
    summary = measure(args.pairs, args.seed, args.workers)
    print(f"{args.pairs} seed pairs, root seed {args.seed}; rise of the disclosed share")
    for name, row in summary.items():
        print(
            f"  {name:<34} {row['mean']:+.4f}  (95 % CI {row['low']:+.4f} to "
            f"{row['high']:+.4f})  t = {row['t']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
