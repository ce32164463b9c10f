"""``lewsim sweep``, ``lewsim analyze`` and ``lewsim export``: parameter sweeps.

``lewsim sweep FILE`` runs a sweep file's design (see :mod:`simulation.runs.sweeps`) and
streams the runs to ``results/<name>/`` (:mod:`simulation.outputs.sweep_store`). The same
command again resumes: finished runs are skipped. ``lewsim analyze DIR`` writes the
sensitivity analysis of a finished sweep as a report; ``lewsim export DIR`` writes its
runs as CSV files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from tqdm.auto import tqdm

from simulation.cli.command import Command
from simulation.cli.destinations import RESULTS_DIR, check_destination
from simulation.cli.footprints import format_duration, sweep_footprint
from simulation.cli.options import (
    DEFAULT_WORKERS,
    AllowLargeOption,
    ForceOption,
    QuietOption,
    WorkersOption,
    check_workers,
)
from simulation.core.errors import InputError, OutputError
from simulation.outputs.sweep_report import (
    analysis_directory,
    analyze_directory,
    export_csv,
    export_directory,
    write_analysis,
)
from simulation.outputs.sweep_store import SweepStore, check_directory, read_manifest
from simulation.runs import pool
from simulation.runs.jobs import STATUS_OK, carry_out
from simulation.runs.sweeps import Sweep, check_dask, execute, load_sweep

SWEEP_HELP = (
    "Run a sweep file's design: every design point, replicated, streamed to disk.\n\n"
    "Designs: factorial, list, lhs (Latin hypercube), sobol and morris (SALib). Results go "
    "to results/<name>/ (Parquet shards, the design and a manifest). Run the same command "
    "again to resume: finished runs are skipped. Exits 1 if any run failed (the others are "
    "kept).\n\n"
    "Example: lewsim sweep experiments/sweeps/board-vs-visits.toml --dry-run"
)
ANALYZE_HELP = (
    "Analyse a sweep's results: Sobol indices (sobol designs), Morris screening (morris "
    "designs) and main effects (all designs), as a self-contained report.html with CSVs in "
    "DIR/analysis/ (or --out); an earlier analysis is replaced only with --force.\n\n"
    "Example: lewsim analyze results/board-vs-visits"
)
EXPORT_HELP = (
    "Write a sweep's runs as CSV: runs_wide.csv (one row per run) and runs_long.csv (one row "
    "per run and outcome), in DIR/export/ (or --out); an earlier export is replaced only with "
    "--force.\n\nExample: lewsim export results/board-vs-visits --csv"
)

#: Months of the short run that times a sweep before it starts.
TIMING_MONTHS = 12

#: Finished runs written per shard (``--flush-every``), and the longest wait between shards.
FLUSH_EVERY = 50
FLUSH_SECONDS = 30.0


def sweep_command(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP.toml", help="A sweep file.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Results directory; the same directory resumes the same sweep. "
            "[default: results/<the sweep's name>]",
            show_default=False,
        ),
    ] = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Run on an existing Dask cluster (needs lewsim[cluster]).",
            show_default=False,
        ),
    ] = None,
    dask_local: Annotated[
        int | None,
        typer.Option(
            "--dask-local",
            metavar="N",
            help="Run on a local Dask cluster of N worker processes (needs lewsim[cluster]).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the number of runs and the estimated time; stop."),
    ] = False,
    flush_every: Annotated[
        int,
        typer.Option(
            "--flush-every",
            metavar="N",
            help="Write finished runs to disk every N runs (and at least every "
            f"{FLUSH_SECONDS:.0f} s, and on Ctrl-C): a crash loses at most the runs not yet "
            "written; smaller N writes more, smaller shard files.",
        ),
    ] = FLUSH_EVERY,
    restart: Annotated[
        bool,
        typer.Option(
            "--restart",
            help="Discard earlier results of a sweep in --out and start again (only a lewsim "
            "sweep directory is ever cleared).",
        ),
    ] = False,
    allow_large: AllowLargeOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run a sweep (help: :data:`SWEEP_HELP`)."""
    with Command("sweep") as command:
        sweep = load_sweep(sweep_file)
        if flush_every < 1:
            raise InputError(f"--flush-every must be an integer >= 1, got {flush_every}")
        executor, size, address = choose_executor(workers, scheduler, dask_local)
        if address is None:  # runs on this machine (a Dask cluster elsewhere has its own)
            footprint = sweep_footprint(sweep, size)
            command.check_footprint(footprint, allow_large=allow_large, announce_time=False)
        target = out if out is not None else RESULTS_DIR / sweep.name
        done = check_directory(target, sweep, restart=restart)
        pending = sweep.n_runs - len(done)
        seconds_per_run = time_one_run(sweep)
        estimate = seconds_per_run * pending / max(size, 1)
        typer.echo(
            f"sweep {sweep.name}: {sweep.spec.design} design, {len(sweep.points)} points x "
            f"{sweep.spec.replications} replications = {sweep.n_runs} runs"
            + (f" ({len(done)} already done)" if done else "")
            + f"; about {format_duration(estimate)} on {size} {executor} worker(s) "
            f"({seconds_per_run:.2f} s a run)",
            err=quiet,
        )
        if dry_run:
            return
        with SweepStore.open(target, sweep, restart=restart) as store:
            command.written = store.directory
            for note in store.set_aside:
                typer.echo(f"{command.prefix}: note: {note}", err=True)
            clock = time.perf_counter()
            errors = _run(store, executor, size, address, flush_every, quiet)
            recorded = len(store.done_ids())
        typer.echo(
            f"{recorded} of {sweep.n_runs} runs recorded in {store.directory} "
            f"({format_duration(time.perf_counter() - clock)})"
            + (f"; {errors} failed (status 'error' in the results)" if errors else ""),
            err=quiet,
        )
        if quiet:
            typer.echo(str(store.directory))
        else:
            typer.echo(f"analyse: lewsim analyze {store.directory}")
        if errors:
            raise typer.Exit(code=1)


def _run(
    store: SweepStore,
    executor: str,
    workers: int,
    address: str | None,
    flush_every: int,
    quiet: bool,
) -> int:
    """Run the sweep's pending runs into ``store``; return the number that failed."""
    sweep = store.sweep
    done = store.done_ids()
    jobs = (sweep.job(run) for run in sweep.runs() if run.run_id not in done)
    bar = tqdm(
        total=sweep.n_runs - len(done),
        unit="run",
        desc="sweep",
        disable=quiet,
        dynamic_ncols=True,
    )
    errors = 0

    def tick(row: dict) -> None:
        nonlocal errors
        errors += row["status"] != STATUS_OK
        bar.update(1)
        if errors:
            bar.set_postfix(errors=errors)

    try:
        execute(
            jobs,
            store.append,
            executor=executor,
            workers=workers,
            address=address,
            flush_every=flush_every,
            flush_seconds=FLUSH_SECONDS,
            on_result=tick,
            runs=sweep.n_runs - len(done),
        )
    finally:
        bar.close()
    return errors


def choose_executor(
    workers: int, scheduler: str | None, dask_local: int | None
) -> tuple[str, int, str | None]:
    """The executor the options ask for: ``(kind, workers, scheduler address)``.

    A Dask executor is checked before anything is created: ``dask.distributed`` must be
    installed and a ``--scheduler`` must answer (within a few seconds).

    Raises:
        InputError: For conflicting options, a bad number of workers, or a scheduler that
            cannot be reached.
    """
    if scheduler is not None and dask_local is not None:
        raise InputError("--scheduler and --dask-local: give one or the other")
    if scheduler is not None:
        if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
            raise InputError(f"--scheduler {scheduler!r}: a Dask address such as tcp://HOST:PORT")
        check_dask(scheduler)
        return "dask", workers, scheduler
    if dask_local is not None:
        size = pool.check_workers(dask_local, name="--dask-local")
        check_dask()
        return "dask", size, None
    check_workers(workers)
    return ("sequential" if workers == 1 else "pool"), workers, None


def time_one_run(sweep: Sweep) -> float:
    """Seconds one of the sweep's runs takes, from short runs of its first point.

    A run costs a set-up (building the sector) plus about the same time per month, so a
    one-month and a ``TIMING_MONTHS``-month run (or the sweep's months if fewer) give both,
    extrapolated to the sweep's months. A first, untimed run pays the one-off costs of a
    fresh process (imports, caches) that would otherwise inflate the estimate several
    times over.
    """
    job = sweep.job(next(iter(sweep.runs())))

    def seconds(months: int) -> float:
        short = type(job)(
            run=job.run,
            steps=months,
            parameters=job.parameters,
            events=[event for event in job.events if event["month"] <= months],
            outputs=job.outputs,
            every=None,
        )
        clock = time.perf_counter()
        carry_out(short)
        return time.perf_counter() - clock

    months = min(TIMING_MONTHS, sweep.steps)
    seconds(months)  # warm-up
    one, several = seconds(1), seconds(months)
    if months == 1:
        return one
    per_month = max(several - one, 0.0) / (months - 1)
    return one + per_month * (sweep.steps - 1)


def derived_out_option(default: str) -> Any:
    """The ``--out`` of ``analyze`` and ``export``: where what they derive goes."""
    return typer.Option(
        "--out",
        metavar="OUT",
        help=f"Where to write. [default: {default}] An existing directory is replaced only "
        "with --force and only if it holds earlier lewsim results.",
        show_default=False,
    )


def analyze_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A sweep's results.")],
    out: Annotated[Path | None, derived_out_option("DIR/analysis")] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Analyse a sweep (help: :data:`ANALYZE_HELP`)."""
    with Command("analyze") as command:
        read_manifest(directory)  # a sweep lewsim can read, before the destination
        target = check_destination(analysis_directory(directory, out), force=force)
        analysis = analyze_directory(directory)
        written = _as_out_error(lambda: write_analysis(analysis, target, replace=force))
        command.written = written
        if quiet:
            typer.echo(str(written / "report.html"))
            return
        if analysis.indices is not None:
            typer.echo(analysis.indices.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        typer.echo(f"report: {written / 'report.html'}")


def export_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A sweep's results.")],
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV files (the only format).")] = True,
    out: Annotated[Path | None, derived_out_option("DIR/export")] = None,
    force: ForceOption = False,
) -> None:
    """Export a sweep's runs (help: :data:`EXPORT_HELP`)."""
    with Command("export") as command:
        read_manifest(directory)  # a sweep lewsim can read, before the destination
        target = check_destination(export_directory(directory, out), force=force)
        wide, long = _as_out_error(lambda: export_csv(directory, target, replace=force))
        command.written = wide.parent
        typer.echo(f"{wide}\n{long}")


def _as_out_error[T](write: Callable[[], T]) -> T:
    """Run a writer, naming --out in a refusal (the destination may change meanwhile)."""
    try:
        return write()
    except OutputError as problem:
        raise OutputError(f"--out: {problem}") from None
