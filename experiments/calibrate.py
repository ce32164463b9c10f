"""Calibrate the uncertain growth and exit parameters against the national figures.

The search itself is :func:`simulation.runs.calibration.search` (its docstring and
docs/ODD.md section 10.2 describe the two stages, the rounding and parsimony step and the
confirmation). This script parses the sizes of the stages, runs the search, prints the
chosen values and the confirmation tables, and writes, atomically, into ``--out``
(default ``results/calibration``, not committed): ``points.csv`` (every point: stage,
parameters, mean figures, distance), ``confirmation.csv`` (the calibration tables) and
``calibration.json`` (settings, seeds, the chosen values and the confirmation tables).

Example::

    python experiments/calibrate.py --points 64 --seeds 8 --out results/calibration
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from simulation.outputs.files import write_directory
from simulation.outputs.manifest import build_manifest, manifest_json
from simulation.runs.calibration import SearchSettings, search

_HELP = {
    "points": "stage-1 parameter sets",
    "seeds": "seeds per stage-1 set",
    "points2": "stage-2 parameter sets",
    "seeds2": "seeds per stage-2 set",
    "keep": "best stage-1 sets kept",
    "confirm": "fresh confirmation seeds",
    "tolerance": "misfit allowed for a reference value",
    "months": "months per run",
    "root_seed": "root of all seeds",
    "workers": "worker processes",
}


def _print_result(result: Mapping[str, Any]) -> None:
    print("\nchosen values (reference in brackets):")
    for name, value in result["chosen"].items():
        print(f"  {name:16s} {value:<8g} ({result['reference'][name]:g})")
    print(f"reverted to reference: {', '.join(result['reverted_to_reference']) or 'none'}")
    columns = ["figure", "target", "low", "high", "model_mean", "ci_low", "ci_high", "met"]
    for label, key in (("chosen", "confirmation"), ("reference", "reference_confirmation")):
        table = pd.DataFrame(result[key])[columns].astype({"target": float})
        print(
            f"\nconfirmation, {label} values, {len(result['confirmation_seeds'])} fresh seeds "
            f"(distance {result[key + '_distance']:.3f}):"
        )
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).

    Returns:
        The options.
    """
    parser = argparse.ArgumentParser(
        description="Two-stage calibration of the growth and exit parameters "
        "(docs/ODD.md section 10.2).",
    )
    for field in fields(SearchSettings):
        if field.name in _HELP:
            option = "--" + field.name.replace("_", "-")
            parser.add_argument(
                option,
                type=type(field.default),
                default=field.default,
                help=f"{_HELP[field.name]} (default {field.default})",
            )
    parser.add_argument("--out", default="results/calibration", help="output directory")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    args = parser.parse_args(argv)
    for name in ("points", "seeds", "points2", "seeds2", "keep", "confirm", "months", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.confirm < 2:
        parser.error("--confirm must be at least 2 (for a confidence interval)")
    if args.root_seed < 0:
        parser.error("--root-seed must be >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the calibration from the command line."""
    args = parse_args(argv)
    settings = SearchSettings(
        **{
            field.name: getattr(args, field.name)
            for field in fields(SearchSettings)
            if field.name in _HELP
        },
        progress=not args.no_progress,
    )
    started_at, clock = datetime.now(UTC), time.perf_counter()
    found = search(settings, command=" ".join(sys.argv))
    # The manifest describes the confirmation runs: the chosen values on fresh seeds.
    manifest = build_manifest(
        steps=settings.months,
        seed=settings.root_seed,
        replications=settings.confirm,
        seeds=found.summary["confirmation_seeds"],
        params=found.summary["chosen"],
        started_at=started_at,
        wall_time_seconds=time.perf_counter() - clock,
        command_line=sys.argv,
    )
    write_directory(
        args.out,
        {
            "points.csv": found.points.to_csv(index=False),
            "confirmation.csv": found.confirmation.to_csv(index=False),
            "manifest.json": manifest_json(manifest),
            "calibration.json": json.dumps(found.summary, indent=2, default=float, allow_nan=False)
            + "\n",
        },
    )
    _print_result(found.summary)
    print(f"\nwritten to {args.out}/ (points.csv, confirmation.csv, calibration.json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
