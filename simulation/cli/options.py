"""Options that several commands share, and the checks of their values."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from simulation.core.errors import InputError
from simulation.runs import pool
from simulation.runs.calibration import Posterior, load_posterior
from simulation.runs.pool import available_cores
from simulation.runs.scenarios import MAX_REPLICATIONS, MAX_STEPS

DEFAULT_WORKERS = min(2, available_cores())

# ---- options shared by commands --------------------------------------------------------

QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bar or summary; print only where results are."),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace the --out directory if it holds earlier lewsim results "
        "(never anything else).",
    ),
]
AllowLargeOption = Annotated[
    bool,
    typer.Option(
        "--allow-large",
        help="Run even if the estimated memory is more than this machine has available "
        "(without it such a job is refused before it starts).",
    ),
]
SectorOption = Annotated[
    Path | None,
    typer.Option(
        "--sector",
        metavar="FILE",
        help="A sector file (TOML; see experiments/sectors/) naming your own "
        "organisations, instead of the generated sector (over a scenario's sector =).",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        metavar="N",
        help="Processes to spread the runs over, at most the machine's CPU cores "
        f"({available_cores()} here); the results are the same for any number.",
    ),
]

PosteriorOption = Annotated[
    bool,
    typer.Option(
        "--posterior",
        help="Draw each replication's calibrated parameters from the packaged hindcast "
        "posterior (weighted draws, docs/ODD.md section 10.2): the intervals then include "
        "parameter uncertainty, not only seed noise. The same seed gives the same draws; "
        "settings of the scenario or --set override the draws.",
    ),
]
PosteriorFileOption = Annotated[
    Path | None,
    typer.Option(
        "--posterior-file",
        metavar="FILE",
        help="As --posterior, with the posterior read from FILE (a CSV of weighted draws: "
        "a weight column and one column per parameter).",
        show_default=False,
    ),
]


def posterior_option(packaged: bool, path: Path | None) -> Posterior | None:
    """The posterior that ``--posterior`` or ``--posterior-file`` ask for, if any.

    Args:
        packaged: ``--posterior`` was given.
        path: The file of ``--posterior-file``.

    Returns:
        The posterior, or None for a run without one.

    Raises:
        InputError: If the file is missing or not a posterior (naming the file and field).
    """
    if path is not None:
        return load_posterior(path)
    return load_posterior() if packaged else None


def out_option(default: str) -> Any:
    """The ``--out`` option, with the command's default destination in its help.

    Args:
        default: How the default destination is named, e.g. ``"results/run-NNN"``.

    Returns:
        A typer option.
    """
    return typer.Option(
        "--out",
        metavar="DIR",
        help=(
            "Results directory. An existing one is replaced only with --force and only if it "
            f"holds earlier lewsim results. [default: {default}, the first unused number "
            "NNN = 001, 002, ...]"
        ),
        show_default=False,
    )


def check_count(
    value: int, option: str, maximum: int, meaning: str = "", *, minimum: int = 1
) -> int:
    """Check a count given on the command line: an integer from ``minimum`` to ``maximum``.

    The caps are those of scenario files (:data:`~simulation.runs.scenarios.MAX_STEPS`,
    :data:`~simulation.runs.scenarios.MAX_REPLICATIONS`), and so is the wording.

    Args:
        value: The option's value.
        option: Its name, e.g. ``"--steps"``.
        maximum: The largest value allowed.
        meaning: What the count is, put in brackets after the range.
        minimum: The smallest value allowed.

    Returns:
        ``value``.

    Raises:
        InputError: Naming the option, its value and what it allows.
    """
    if not minimum <= value <= maximum:
        note = f" ({meaning})" if meaning else ""
        raise InputError(
            f"{option} {value}: must be an integer >= {minimum} and <= {maximum}{note}"
        )
    return value


def check_steps(steps: int, option: str = "--steps") -> int:
    """Check months per run: 1 to :data:`~simulation.runs.scenarios.MAX_STEPS`."""
    meaning = f"months per replication; {MAX_STEPS} months is {MAX_STEPS // 12} years"
    return check_count(steps, option, MAX_STEPS, meaning)


def check_replications(replications: int, option: str = "--replications") -> int:
    """Check a number of replications: 1 to :data:`~simulation.runs.scenarios.MAX_REPLICATIONS`."""
    return check_count(replications, option, MAX_REPLICATIONS)


def check_workers(workers: int) -> int:
    """Check ``--workers``: from 1 to the CPU cores this process may use.

    Raises:
        InputError: Naming ``--workers`` and what it allows.
    """
    return pool.check_workers(workers, name="--workers")


def first_given(*values: Any) -> Any:
    """The first of ``values`` that is not ``None`` (a command-line option, then a file's)."""
    return next(value for value in values if value is not None)
