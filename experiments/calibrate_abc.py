"""Hindcast calibration by ABC-SMC, then its posterior predictive check, end to end.

The search is :func:`simulation.runs.calibration.abc_search` (the hindcast from 2011-12, the
priors, the fitted and held-out national figures and the seeds are described there and in
docs/ODD.md section 10.2); the check is :func:`simulation.runs.calibration.predictive_check`.
This script runs both and writes, each file atomically, into ``--out`` (default the
package data, ``simulation/runs/data``): ``posterior.csv`` (the last generation's draws
with weights, distances and seeds) and ``posterior.json`` (command, settings, priors,
seeds, epsilons and acceptance per generation, wall time, date and the predictive table).

Needs pyabc (the ``dev`` extra). Example::

    python experiments/calibrate_abc.py        # the packaged posterior: about 35 minutes
    python experiments/calibrate_abc.py --population 8 --generations 2 --out /tmp/abc
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from simulation.core.parameters import ParameterError, validate_parameters
from simulation.runs.calibration import (
    DEFAULT_POSTERIOR,
    MAGNITUDE_CRITERIA,
    PATTERN_CRITERIA,
    AbcSettings,
    abc_search,
    magnitude_criteria,
    posterior_correlations,
    posterior_from_frame,
    posterior_table,
    predictive_check,
)
from simulation.runs.magnitudes import load_ranges

#: The sourced plausible ranges; their month-0 magnitudes are criteria of the search.
RANGES = Path(__file__).resolve().parent / "plausible-ranges.toml"


def search_criteria() -> tuple:
    """The search's acceptance criteria: the study's patterns and the month-0 magnitudes."""
    return (*PATTERN_CRITERIA, *magnitude_criteria(load_ranges(RANGES), MAGNITUDE_CRITERIA))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).

    Returns:
        The options.
    """
    defaults = AbcSettings()
    parser = argparse.ArgumentParser(
        description="ABC-SMC hindcast calibration (docs/ODD.md section 10.2)."
    )
    parser.add_argument(
        "--population",
        type=int,
        default=defaults.population,
        help=f"particles per generation (default {defaults.population})",
    )
    parser.add_argument(
        "--generations",
        type=int,
        default=defaults.generations,
        help=f"most generations (default {defaults.generations})",
    )
    parser.add_argument(
        "--min-acceptance",
        type=float,
        default=defaults.min_acceptance,
        help=f"stop below this acceptance (default {defaults.min_acceptance})",
    )
    parser.add_argument(
        "--max-simulations",
        type=int,
        default=defaults.max_simulations,
        help=f"run budget of the search (default {defaults.max_simulations})",
    )
    parser.add_argument(
        "--months",
        type=int,
        default=defaults.months,
        help=f"months per run (default {defaults.months})",
    )
    parser.add_argument(
        "--root-seed",
        type=int,
        default=defaults.root_seed,
        help=f"root of all seeds (default {defaults.root_seed})",
    )
    parser.add_argument(
        "--check-draws",
        type=int,
        default=100,
        help="posterior draws of the predictive check (0 skips it; default 100)",
    )
    parser.add_argument(
        "--check-seeds",
        type=int,
        default=2,
        help="seeds per draw of the predictive check (default 2)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes of the predictive check (the search uses one; default 2)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_POSTERIOR.parent,
        help="folder of posterior.csv and posterior.json (default the package data)",
    )
    parser.add_argument(
        "--set",
        dest="fixed",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="hold a numeric parameter at VALUE (none in the calibration; "
        "tests use a small sector)",
    )
    parser.add_argument("--quiet", action="store_true", help="hide pyabc's log")
    args = parser.parse_args(argv)
    for name in (
        "population",
        "generations",
        "max_simulations",
        "months",
        "check_seeds",
        "workers",
    ):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.check_draws < 0 or args.root_seed < 0:
        parser.error("--check-draws and --root-seed must be >= 0")
    if not 0.0 <= args.min_acceptance < 1.0:
        parser.error("--min-acceptance must be in [0, 1)")
    fixed = {}
    for item in args.fixed:
        name, _, value = item.partition("=")
        try:
            number = value.strip()
            fixed[name.strip()] = int(number) if number.lstrip("+-").isdigit() else float(number)
        except ValueError:
            parser.error(f"--set {item}: expected NAME=NUMBER")
    try:
        validate_parameters(fixed, owner="--set")
    except ParameterError as error:
        parser.error(str(error))
    args.fixed = fixed
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the search and the check; write the posterior and its provenance."""
    args = parse_args(argv)
    logging.getLogger("ABC").setLevel(logging.WARNING if args.quiet else logging.INFO)
    started_at = datetime.now(UTC)
    settings = AbcSettings(
        population=args.population,
        generations=args.generations,
        min_acceptance=args.min_acceptance,
        max_simulations=args.max_simulations,
        months=args.months,
        root_seed=args.root_seed,
        fixed=args.fixed,
    )
    found = abc_search(
        settings, command=" ".join(["python", *sys.argv]), criteria=search_criteria()
    )
    provenance = found.provenance | {"date": started_at.isoformat(timespec="seconds")}
    posterior = posterior_from_frame(found.posterior.copy(), "search")
    table = posterior_table(posterior)
    correlations = posterior_correlations(posterior)
    provenance["posterior"] = json.loads(table.to_json(orient="records"))
    provenance["correlations"] = json.loads(correlations.round(3).to_json(orient="index"))
    with pd.option_context("display.width", 120):
        print("\nposterior (weighted median and 90 % interval) against the prior:")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print("\nposterior correlations (log scale for log-uniform priors):")
        print(correlations.round(2).to_string())
    if args.check_draws and args.months >= 108:
        checked = predictive_check(
            posterior,
            draws=args.check_draws,
            seeds=args.check_seeds,
            root_seed=args.root_seed + 1,
            workers=args.workers,
            progress=not args.quiet,
        )
        provenance["predictive_check"] = {
            "draws": args.check_draws,
            "seeds_per_draw": args.check_seeds,
            "root_seed": args.root_seed + 1,
            "table": json.loads(checked.to_json(orient="records")),
        }
        with pd.option_context("display.width", 120):
            print("\nposterior predictive check (90 % intervals):")
            print(checked.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    write_atomically(args.out / "posterior.csv", found.posterior.to_csv(index=False))
    write_atomically(args.out / "posterior.json", json.dumps(provenance, indent=2) + "\n")
    print(
        f"\nwritten to {args.out}/ (posterior.csv, posterior.json); "
        f"{provenance['proposals']} runs, {provenance['wall_time_seconds']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
