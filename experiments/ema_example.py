"""lewsim as a model function of the EMA workbench, or of a plain loop.

:func:`simulation.core.outcomes.experiment` runs one sector from keyword parameters and returns
a flat dict of its final-month outcomes: the ``f(**inputs) -> dict`` shape the EMA
workbench (exploratory modelling and analysis, ``pip install ema_workbench``, version 3)
takes as a model. This script explores three policy uncertainties with it:

- with the workbench installed, through ``ema_workbench.perform_experiments`` (a Latin
  hypercube of ``--experiments`` scenarios), so the workbench's own analyses (PRIM,
  feature scoring, its plots) can follow;
- without it (or with ``--no-ema``), the same Latin hypercube in a plain loop calling
  ``experiment(**params)``.

With ema_workbench 3.0 both ways draw the same design from the same seed and print the
same table. The workbench is not a lewsim dependency; lewsim's own ``lewsim sweep`` does the same
with resume, Dask and Sobol/Morris analysis (``experiments/sweeps/``). Every run uses the
same ``--seed`` (common random numbers), so differences between rows are effects of the
uncertainties, not of chance. Prints one row per experiment. Example::

    python experiments/ema_example.py --experiments 8 --steps 60
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simulation.core.outcomes import DEFAULT_OUTCOMES, experiment

#: The uncertainties explored: parameter name -> (low, high).
UNCERTAINTIES: dict[str, tuple[float, float]] = {
    "board_support": (0.0, 1.0),
    "visit_rate": (0.0, 0.2),
    "pay_parity": (0.5, 1.0),
}


def ema_installed() -> bool:
    """Whether the EMA workbench can be imported."""
    return importlib.util.find_spec("ema_workbench") is not None


def plain_experiments(
    experiments: int, steps: int, seed: int, constants: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Run a Latin hypercube over :data:`UNCERTAINTIES` by calling ``experiment`` in a loop.

    Args:
        experiments: Design points (one run each).
        steps: Months per run.
        seed: The seed of every run and of the design.
        constants: Further model parameters, the same in every run (e.g. ``n_orgs``).

    Returns:
        One row per experiment: the uncertainties, then :data:`DEFAULT_OUTCOMES`.
    """
    names = list(UNCERTAINTIES)
    low, high = np.array(list(UNCERTAINTIES.values())).T
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(experiments)
    rows = []
    for point in qmc.scale(unit, low, high):
        params = dict(zip(names, map(float, point), strict=True)) | dict(constants or {})
        rows.append({**params, **experiment(steps=steps, seed=seed, **params)})
    return pd.DataFrame(rows)[[*names, *DEFAULT_OUTCOMES]]


def ema_experiments(
    experiments: int, steps: int, seed: int, constants: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Run the same exploration through the EMA workbench (``perform_experiments``).

    Args:
        experiments: Scenarios sampled by the workbench (Latin hypercube).
        steps: Months per run.
        seed: The seed of every run and of the workbench's sampler.
        constants: Further model parameters, the same in every run.

    Returns:
        One row per experiment: the uncertainties, then :data:`DEFAULT_OUTCOMES`.
    """
    from ema_workbench import (
        Constant,
        Model,
        RealParameter,
        ScalarOutcome,
        perform_experiments,
    )

    model = Model("lewsim", function=experiment)
    model.uncertainties = [RealParameter(name, *bounds) for name, bounds in UNCERTAINTIES.items()]
    model.constants = [
        Constant(name, value)
        for name, value in {"steps": steps, "seed": seed, **dict(constants or {})}.items()
    ]
    model.outcomes = [ScalarOutcome(name) for name in DEFAULT_OUTCOMES]
    designs, outcomes = perform_experiments(
        model, scenarios=experiments, uncertainty_sampling_kwargs={"rng": seed}
    )
    table = designs[list(UNCERTAINTIES)].astype(float).reset_index(drop=True)
    return pd.concat([table, pd.DataFrame(outcomes)[list(DEFAULT_OUTCOMES)]], axis=1)


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    """Parse the options, run the exploration, print and return its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=8, help="design points (default 8)")
    parser.add_argument("--steps", type=int, default=60, help="months per run (default 60)")
    parser.add_argument("--seed", type=int, default=2019, help="seed of every run (default 2019)")
    parser.add_argument("--n-orgs", type=int, default=24, help="organisations (default 24)")
    parser.add_argument(
        "--no-ema", action="store_true", help="use the plain loop even if the workbench is here"
    )
    options = parser.parse_args(argv)
    if options.experiments < 1 or options.steps < 1:
        parser.error("--experiments and --steps must be at least 1")
    constants = {"n_orgs": options.n_orgs}
    use_ema = ema_installed() and not options.no_ema
    run = ema_experiments if use_ema else plain_experiments
    how = "the EMA workbench" if use_ema else "a plain loop (ema_workbench not used)"
    print(f"{options.experiments} experiments of {options.steps} months through {how}")
    table = run(options.experiments, options.steps, options.seed, constants)
    print(table.to_string(index=False, float_format=lambda value: f"{value:.3f}"))
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
