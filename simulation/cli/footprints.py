"""Whether a job fits this machine: memory refused or allowed, long jobs announced."""

from __future__ import annotations

import typer

from simulation.core.errors import InputError
from simulation.runs.footprint import Footprint, available_memory, estimate, format_bytes
from simulation.runs.sweeps import Sweep

#: A job estimated to take longer than this (seconds) is announced before it starts.
LONG_JOB_SECONDS = 600


def check_footprint(
    prefix: str, footprint: Footprint, *, allow_large: bool, announce_time: bool = True
) -> None:
    """Refuse a job too large for this machine; announce a long one.

    Args:
        prefix: What starts the notes on stderr, e.g. ``lewsim run``.
        footprint: The job's estimate (:func:`simulation.runs.footprint.estimate`).
        allow_large: ``--allow-large``: run it even if it does not fit (with a note).
        announce_time: Print a note on stderr if the job may take longer than
            :data:`LONG_JOB_SECONDS`.

    Raises:
        InputError: If the estimated peak memory is more than the memory available and
            ``allow_large`` is false.
    """
    available = available_memory()
    if not footprint.fits(available):
        need = (
            f"it needs about {format_bytes(footprint.peak_bytes)} of memory and this "
            f"machine has {format_bytes(available or 0)} available. " + " ".join(footprint.parts())
        )
        if not allow_large:
            raise InputError(
                f"this job is too large for this machine: {need} Make it smaller "
                "(n_orgs, mean_org_size, replications, steps or --workers), or give "
                "--allow-large to run it anyway."
            )
        typer.echo(f"{prefix}: note: running anyway (--allow-large); {need}", err=True)
    if announce_time and footprint.seconds > LONG_JOB_SECONDS:
        duration = format_duration(footprint.seconds)
        typer.echo(
            f"{prefix}: note: this job may take about {duration} "
            f"({footprint.runs:,} runs, the largest of a sector of about "
            f"{footprint.staff:,.0f} staff); "
            "Ctrl-C stops it with nothing written",
            err=True,
        )


def format_duration(seconds: float) -> str:
    """A duration as a person would say it: ``45 s``, ``12 min``, ``3.5 h``, ``2.0 days``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def sweep_footprint(sweep: Sweep, workers: int) -> Footprint:
    """The footprint of a sweep: its largest design point, on ``workers`` at once.

    A sweep streams its results to disk, so only its sectors count.

    Args:
        sweep: The sweep.
        workers: Runs at once on this machine.

    Returns:
        The estimate (:func:`simulation.runs.footprint.estimate`).
    """
    base = dict(sweep.base.parameters)
    keys = [factor.key for factor in sweep.factors if factor.event is None]
    points = [base | {key: point[key] for key in keys} for point in sweep.points]
    return estimate(
        points,
        steps=sweep.steps,
        replications=sweep.spec.replications,
        workers=workers,
        keeps_results=False,
    )
