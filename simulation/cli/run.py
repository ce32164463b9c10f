"""``lewsim run``: replications of the model, from the defaults or a scenario file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from simulation.cli.assignments import check_parameters, parse_assignments
from simulation.cli.command import Command, Timing
from simulation.cli.destinations import check_destination, destination
from simulation.cli.options import (
    AllowLargeOption,
    ForceOption,
    PosteriorFileOption,
    PosteriorOption,
    QuietOption,
    SectorOption,
    check_replications,
    check_steps,
    first_given,
    out_option,
    posterior_option,
)
from simulation.core.errors import InputError
from simulation.core.sector_file import read_sector
from simulation.outputs.figures import plot_timeseries
from simulation.outputs.files import ORGANISATION_FILES, RUN_FILES, write_run
from simulation.outputs.manifest import build_manifest
from simulation.runs.calibration import posterior_note
from simulation.runs.footprint import estimate
from simulation.runs.replications import replication_seeds, run_replications, summarise_replications
from simulation.runs.scenarios import MAX_REPLICATIONS, MAX_STEPS, Scenario, run_scenario

DEFAULT_STEPS = 120
DEFAULT_SEED = 0
DEFAULT_REPLICATIONS = 20

HELP = (
    "Run replications of the sector model and write the results.\n\n"
    "SCENARIO is an optional scenario file (TOML; see experiments/scenarios/ and "
    "docs/ODD.md section 6): its steps, seed, replications, parameters and events are "
    "used, options given on the command line override them, and --set adds to or "
    "overrides its parameters. Without a file the built-in defaults run.\n\n"
    "Writes timeseries.parquet and timeseries.csv (one row per replication and month), "
    "manifest.json (versions, git commit, seeds, every parameter, the scenario) and "
    "timeseries.png (mean and 95% confidence band of key series) into a new directory, "
    "atomically: a failed or interrupted run leaves no partial results. With a sector file "
    "(--sector, or sector = in the scenario) it also writes organisations.parquet and "
    "organisations.csv (one row per replication, organisation and month, by name).\n\n"
    "Examples: lewsim run --steps 60 --replications 10 --set n_orgs=40; "
    "lewsim run experiments/scenarios/exec-champion.toml; "
    "lewsim run --sector experiments/sectors/riverside.toml; lewsim params lists the "
    "parameters."
)


def run_command(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="SCENARIO",
            help="Scenario file (TOML), e.g. experiments/scenarios/baseline.toml.",
            show_default=False,
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            metavar="MONTHS",
            help=f"Months to simulate per replication (1 to {MAX_STEPS}). "
            f"[default: the scenario's, or {DEFAULT_STEPS}]",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="N",
            help="Root seed (>= 0); each replication gets its own seed derived from it. "
            f"[default: the scenario's, or {DEFAULT_SEED}]",
            show_default=False,
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            metavar="N",
            help=f"Independent replications to run (1 to {MAX_REPLICATIONS}). "
            f"[default: the scenario's, or {DEFAULT_REPLICATIONS}]",
            show_default=False,
        ),
    ] = None,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="NAME=VALUE",
            help=(
                "Set a model parameter (over the scenario's); repeat for several. VALUE may "
                "be a number, true/false, or comma-separated numbers for a tuple "
                "(e.g. --set n_orgs=40 --set exposure_mix=0.5,0.3,0.2). 'lewsim params' "
                "lists the names, defaults and ranges."
            ),
            show_default=False,
        ),
    ] = None,
    sector_file: SectorOption = None,
    out: Annotated[
        Path | None, out_option("results/run-NNN, or results/<scenario name>-NNN")
    ] = None,
    force: ForceOption = False,
    allow_large: AllowLargeOption = False,
    quiet: QuietOption = False,
    use_posterior: PosteriorOption = False,
    posterior_file: PosteriorFileOption = None,
) -> None:
    """Run replications of the sector model and write the results (help: :data:`HELP`)."""
    with Command("run") as command:
        scenario = Scenario.load(scenario_file) if scenario_file is not None else None
        posterior = posterior_option(use_posterior, posterior_file)
        params = parse_assignments(assignments or [])
        check_parameters(params)
        steps = first_given(steps, scenario.steps if scenario else None, DEFAULT_STEPS)
        seed = first_given(seed, scenario.seed if scenario else None, DEFAULT_SEED)
        replications = first_given(
            replications, scenario.replications if scenario else None, DEFAULT_REPLICATIONS
        )
        check_settings(steps, seed, replications)
        sector = read_sector(sector_file) if sector_file is not None else None
        if scenario is not None:
            params = scenario.model_params() | params
            scenario = scenario.replace(
                steps=steps,
                seed=seed,
                replications=replications,
                parameters=params,
                sector=str(sector_file.resolve()) if sector_file is not None else None,
                context="with the command-line settings",
            )
            sector = scenario.load_sector()
        if sector is not None:
            sector.check(params, owner="--set")
        setup = params if sector is None else sector.footprint_parameters(params)
        # The replications run one after another in this process, all results kept.
        # Refuse a bad --out before the note on a long job's time (nothing runs either way).
        results = destination(out, scenario.name if scenario else "run")
        check_destination(results, force=force)
        command.check_footprint(
            estimate(setup, steps=steps, replications=replications), allow_large=allow_large
        )

        def job() -> tuple[pd.DataFrame, pd.DataFrame | None]:
            if scenario is not None:
                return run_scenario(
                    scenario, progress=not quiet, posterior=posterior, with_organisations=True
                )
            return run_replications(
                steps=steps,
                seed=seed,
                replications=replications,
                params=params,
                progress=not quiet,
                posterior=posterior,
                sector=None if sector is None else sector.source,
                with_organisations=True,
            )

        def write(
            result: tuple[pd.DataFrame, pd.DataFrame | None], timing: Timing, target: Path
        ) -> Path:
            timeseries, organisations = result
            manifest = build_manifest(
                steps=steps,
                seed=seed,
                replications=replications,
                seeds=replication_seeds(seed, replications),
                params=params if sector is None else sector.parameters(params),
                started_at=timing.started_at,
                wall_time_seconds=timing.wall_time_seconds,
            )
            if scenario is not None:
                manifest["scenario"] = scenario.manifest_entry()
            if posterior is not None:
                manifest["posterior"] = posterior.manifest_entry(seed, replications)
            if sector is not None:
                manifest["sector"] = sector.manifest_entry()
            name = scenario.name if scenario is not None else "lewsim run"
            figure = plot_timeseries(timeseries, title=f"{name}: sector over time", params=params)
            return write_run(
                target, timeseries, manifest, figure, replace=force, organisations=organisations
            )

        outcome = command.execute(
            out=results,
            force=force,
            job=job,
            write=write,
        )
        if quiet:
            typer.echo(str(outcome.written))
            return
        lines = summary_lines(
            outcome.result[0],
            out_dir=outcome.written,
            settings=(steps, seed, replications),
            wall_time_seconds=outcome.timing.wall_time_seconds,
            scenario=scenario,
            files=RUN_FILES if outcome.result[1] is None else (*RUN_FILES, *ORGANISATION_FILES),
        )
        if posterior is not None:
            lines.append(
                posterior_note(posterior, [n for n in params if n in posterior.parameters])
            )
        for line in lines:
            typer.echo(line)


def check_settings(steps: int, seed: int, replications: int) -> None:
    """Check the run's length, root seed and replications before anything runs.

    Args:
        steps: Months per replication.
        seed: Root seed.
        replications: Number of replications.

    Raises:
        InputError: Naming the first bad option and what it allows.
    """
    check_steps(steps)
    check_replications(replications)
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {seed}")


def summary_lines(
    frame: pd.DataFrame,
    *,
    out_dir: Path,
    settings: tuple[int, int, int],
    wall_time_seconds: float,
    scenario: Scenario | None = None,
    files: tuple[str, ...] = RUN_FILES,
) -> list[str]:
    """A few lines describing a finished run for the terminal.

    Args:
        frame: The run's time series (one row per replication and month).
        out_dir: Where the results went.
        settings: Steps, root seed and replications.
        wall_time_seconds: How long the run took.
        scenario: The scenario run, if any.
        files: The files written.

    Returns:
        Lines giving where results went and key series at the first and last month, as
        the mean over replications with its 95 % confidence interval.
    """
    steps, seed, replications = settings
    peers = summarise_replications(frame, "peer_workers")
    orgs = summarise_replications(frame, "orgs_with_peers")
    first_month, last_month = int(peers.index[0]), int(peers.index[-1])
    width = len(f"month {last_month}")
    return [
        *([f"Scenario {scenario.name} ({scenario.source})"] if scenario else []),
        f"Wrote {', '.join(files)}",
        f"  to {out_dir}",
        f"{replications} replication(s) x {steps} months, root seed {seed}, "
        f"{wall_time_seconds:.1f} s",
        "Peer workers (mean over replications, 95% CI of the mean):",
        f"  {f'month {first_month}':<{width}}  {format_estimate(peers.iloc[0])}",
        f"  {f'month {last_month}':<{width}}  {format_estimate(peers.iloc[-1])}",
        f"Organisations with peers at month {last_month}: {format_estimate(orgs.iloc[-1])}",
    ]


def format_estimate(row: pd.Series, digits: int = 1) -> str:
    """Render a summary row as ``mean (95% CI low to high)``, or the mean for one run.

    Args:
        row: A row of :func:`simulation.runs.replications.summarise_replications`.
        digits: Decimals to show.

    Returns:
        The text; ``n/a`` for a missing mean.
    """
    mean = float(row["mean"])
    if math.isnan(mean):
        return "n/a"
    if row["n"] <= 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} (95% CI {row['ci_low']:.{digits}f} to {row['ci_high']:.{digits}f})"
