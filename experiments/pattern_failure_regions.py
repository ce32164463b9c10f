"""Run each pattern's emergent checks at the defaults and in the region where they should fail.

A check that cannot fail is a restatement, not a test. Each pattern of the validation
(:data:`simulation.runs.validation.PATTERNS`) names a parameter region,
``failure_region``, set in every one of its arms, where its emergent check should not
hold, and says why (``failure_reason``). This script runs the patterns at the defaults and
then each pattern in its region, on the same seed pairs (common random numbers), and
tabulates every emergent check's effect, 95 % confidence interval and verdict in both. A
pattern whose emergent check still holds in its region is reported as such: its region (or
its check) is then no test.

It prints a Markdown table (the one in docs/ODD.md section 13.4) and, with ``--out``,
writes ``failure_regions.csv`` and ``manifest.json`` atomically. Examples::

    python experiments/pattern_failure_regions.py --quick
    python experiments/pattern_failure_regions.py --pairs 10 --months 120 --workers 2
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from simulation.errors import LewsimError
from simulation.outputs.files import check_destination, write_directory
from simulation.outputs.manifest import build_manifest, manifest_json
from simulation.runs.pool import available_cores, check_workers
from simulation.runs.replications import replication_seeds
from simulation.runs.validation import (
    HORIZON,
    PATTERNS,
    ROOT_SEED,
    Pattern,
    Verdict,
    pattern_by_number,
    validate,
)

#: Pairs and horizon of a full run and of ``--quick``.
FULL_PAIRS, QUICK_PAIRS = 10, 6
QUICK_MONTHS = 60


def region_text(region: Any) -> str:
    """A failure region in words: ``token_share=0``; a yearly series shows its span."""
    parts = []
    for name, value in sorted(dict(region).items()):
        if isinstance(value, tuple) and len(value) > 2:
            value = f"{len(value)} yearly values {value[0]:g} ... {value[-1]:g}"
        elif isinstance(value, tuple):
            value = "[" + ", ".join(f"{each:g}" for each in value) + "]"
        elif isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{name}={value}")
    return ", ".join(parts)


def emergent_rows(checks: pd.DataFrame) -> pd.DataFrame:
    """The emergent checks of a validation's check table, keyed by pattern and statement."""
    chosen = checks[checks["emergent"]]
    return chosen.set_index(["pattern", "statement"])


def failure_table(
    patterns: Sequence[Pattern],
    pairs: int,
    months: int,
    seed: int = ROOT_SEED,
    workers: int = 1,
    progress: bool = False,
    defaults: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every emergent check's effect at the defaults and in its pattern's failure region.

    Args:
        patterns: The patterns to test (each with a ``failure_region``).
        pairs: Seed pairs.
        months: The validation's horizon (arms with their own keep it).
        seed: Root seed of the pairs.
        workers: Processes.
        progress: Show progress bars.
        defaults: A validation's check table (``checks.csv`` of ``lewsim validate``) to
            take the defaults' column from instead of running it again.

    Returns:
        One row per emergent check: ``pattern``, ``check``, ``region``, ``reason``,
        ``reference``, ``expected`` and, for ``default`` and ``region``, the ``effect``,
        ``low``, ``high`` and ``verdict``; and ``fails_in_region`` (the verdict there is
        not holds).
    """
    numbers = [pattern.number for pattern in patterns]
    common = {"seed": seed, "loops": False, "workers": workers, "progress": progress}
    if defaults is None:
        defaults = validate(pairs, months, patterns=numbers, **common).checks
    defaults = emergent_rows(defaults)
    rows = []
    for pattern in patterns:
        region = dict(pattern.failure_region)
        moved = emergent_rows(
            validate(pairs, months, patterns=[pattern.number], params=region, **common).checks
        )
        for (number, statement), base in defaults.loc[[pattern.number]].iterrows():
            there = moved.loc[(number, statement)]
            rows.append(
                {
                    "pattern": number,
                    "check": statement,
                    "region": region_text(region),
                    "reason": pattern.failure_reason,
                    "expected": base["expected"],
                    "reference": base["reference"],
                    **{f"default_{key}": base[key] for key in ("effect", "low", "high")},
                    "default_verdict": base["verdict"],
                    **{f"region_{key}": there[key] for key in ("effect", "low", "high")},
                    "region_verdict": there["verdict"],
                    "fails_in_region": there["verdict"] != Verdict.HOLDS,
                }
            )
    return pd.DataFrame(rows)


def _figure(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.3g}"


def markdown(table: pd.DataFrame, pairs: int, months: int, source: str | None = None) -> str:
    """The table as Markdown, as docs/ODD.md section 13.4 shows it."""
    lines = [
        "| pattern | emergent check (target) | failure region | defaults: effect (95 % CI), "
        "verdict | region: effect (95 % CI), verdict | fails there |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        side = ">" if row.expected == "+" else "<"
        lines.append(
            f"| {row.pattern} | {row.check} ({side} {row.reference:g}) | `{row.region}` | "
            f"{_figure(row.default_effect)} ({_figure(row.default_low)} to "
            f"{_figure(row.default_high)}), {row.default_verdict} | "
            f"{_figure(row.region_effect)} ({_figure(row.region_low)} to "
            f"{_figure(row.region_high)}), {row.region_verdict} | "
            f"{'yes' if row.fails_in_region else '**no**'} |"
        )
    where = f"defaults from {source}; regions on " if source else ""
    lines.append(
        f"\n({where}{pairs} seed pairs, {months}-month horizon; arms with a horizon of their "
        "own keep it.)"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (``--pairs``, ``--months``, ``--quick``, ``--pattern``, ...)."""
    parser = argparse.ArgumentParser(
        description="Run each pattern's emergent checks at the defaults and in its failure "
        "region; writes nothing unless --out is given.",
    )
    parser.add_argument("--pairs", type=int, default=FULL_PAIRS, help="seed pairs (default 10)")
    parser.add_argument(
        "--months", type=int, default=HORIZON, help=f"horizon in months (default {HORIZON})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_PAIRS} pairs over {QUICK_MONTHS} months (less power)",
    )
    parser.add_argument(
        "--pattern", type=int, action="append", metavar="N", help="only pattern N (repeatable)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, available_cores()),
        help="worker processes (default 2, or 1 on one core)",
    )
    parser.add_argument("--seed", type=int, default=ROOT_SEED, help=f"root seed ({ROOT_SEED})")
    parser.add_argument(
        "--defaults",
        metavar="CHECKS_CSV",
        help="take the defaults' column from a validation's checks.csv instead of running it",
    )
    parser.add_argument("--out", help="write failure_regions.csv and manifest.json here")
    parser.add_argument("--replace", action="store_true", help="replace an earlier result")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args(argv)
    if args.quick:
        args.pairs, args.months = QUICK_PAIRS, QUICK_MONTHS
    if args.pairs < 2:
        parser.error(f"--pairs must be at least 2 (for a confidence interval), got {args.pairs}")
    if args.months < 36:
        parser.error(f"--months must be at least 36, got {args.months}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the table and print it; write the files if ``--out`` is given."""
    args = parse_args(argv)
    try:
        workers = check_workers(args.workers, name="--workers")
        patterns = PATTERNS if not args.pattern else [pattern_by_number(n) for n in args.pattern]
        if args.out:
            check_destination(args.out, replace=args.replace)
        defaults = None
        if args.defaults:
            try:
                defaults = pd.read_csv(args.defaults)
            except OSError as problem:
                raise LewsimError(
                    f"--defaults {args.defaults}: cannot read it ({problem})"
                ) from None
        started_at, clock = datetime.now(UTC), time.perf_counter()
        table = failure_table(
            patterns,
            args.pairs,
            args.months,
            args.seed,
            workers,
            not args.no_progress,
            defaults=defaults,
        )
        wall_time = time.perf_counter() - clock
        print(markdown(table, args.pairs, args.months, args.defaults))
        held = int((~table["fails_in_region"]).sum())
        print(
            f"\n{held} of {len(table)} emergent checks still hold in their region "
            f"({wall_time:.0f} s)"
        )
        if args.out:
            manifest = build_manifest(
                steps=args.months,
                seed=args.seed,
                replications=args.pairs,
                seeds=replication_seeds(args.seed, args.pairs),
                params=None,
                started_at=started_at,
                wall_time_seconds=wall_time,
                command_line=sys.argv if argv is None else ["pattern_failure_regions.py", *argv],
            )
            write_directory(
                args.out,
                {
                    "failure_regions.csv": table.to_csv(index=False),
                    "manifest.json": manifest_json(manifest),
                },
                replace=args.replace,
            )
            print(f"written to {args.out}/ (failure_regions.csv, manifest.json)")
    except (LewsimError, ValueError) as problem:
        print(f"pattern_failure_regions.py: error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
