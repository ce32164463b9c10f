"""``lewsim compare``: scenarios on paired runs, and a report of their differences."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from simulation.cli.command import Command, Timing
from simulation.cli.destinations import check_destination, destination
from simulation.cli.options import (
    DEFAULT_WORKERS,
    AllowLargeOption,
    ForceOption,
    PosteriorFileOption,
    PosteriorOption,
    QuietOption,
    SectorOption,
    WorkersOption,
    check_workers,
    out_option,
    posterior_option,
)
from simulation.cli.text import aligned_rows
from simulation.core.errors import InputError
from simulation.core.sector_file import read_sector
from simulation.core.wording import quoted
from simulation.outputs.comparison_report import comparison_manifest, write_comparison
from simulation.outputs.comparison_words import (
    format_difference,
    format_value,
    month_phrase,
    outcome_label,
)
from simulation.runs.comparison import Comparison, check_months, check_scenarios, compare
from simulation.runs.footprint import estimate
from simulation.runs.scenarios import Scenario

#: Default directory names longer than this fall back to ``comparison-NNN``.
MAX_DEFAULT_NAME = 80

HELP = (
    "Compare scenarios on paired runs (common random numbers) and write a report.\n\n"
    "The first SCENARIO file (TOML) is the baseline; each other one is compared with it. "
    "Every scenario runs with the baseline's steps, seed and replications, so run r of "
    "every scenario has the same seed and differences come from the scenarios' parameters "
    "and events; an alternative's own steps, seed or replications are overridden, and the "
    "report and the terminal say so.\n\n"
    "Writes report.html (self-contained: summary, differences with 95% CIs, figures, the "
    "scenario files, provenance), outcomes.png, differences.png, differences.csv, "
    "timeseries.parquet and manifest.json into a new directory, atomically. With a sector "
    "file (--sector, or the same sector = in every scenario) the report gains a section by "
    "organisation and organisations.parquet and organisations.csv are written too.\n\n"
    "Example: lewsim compare experiments/scenarios/baseline.toml "
    "experiments/scenarios/exec-champion.toml --months 12,60,120"
)


def compare_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="SCENARIO",
            help="The baseline scenario file (TOML), then one or more alternatives.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        out_option(
            f"results/compare-<baseline>-vs-<alternatives>-NNN from the scenario names "
            f"(results/comparison-NNN if that is over {MAX_DEFAULT_NAME} characters)"
        ),
    ] = None,
    months: Annotated[
        str | None,
        typer.Option(
            "--months",
            metavar="M,M,...",
            help="Months of the differences table, comma-separated (e.g. 12,36,120). "
            "[default: 12, 36, 60 and 120 where they fit, and the last month]",
            show_default=False,
        ),
    ] = None,
    sector_file: SectorOption = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    force: ForceOption = False,
    allow_large: AllowLargeOption = False,
    quiet: QuietOption = False,
    use_posterior: PosteriorOption = False,
    posterior_file: PosteriorFileOption = None,
) -> None:
    """Compare scenarios on paired runs and write a report (help: :data:`HELP`)."""
    with Command("compare") as command:
        posterior = posterior_option(use_posterior, posterior_file)
        if len(files) < 2:
            raise InputError(
                "give a baseline scenario file and at least one alternative, e.g. "
                "lewsim compare baseline.toml exec-champion.toml"
            )
        scenarios = [Scenario.load(path) for path in files]
        if sector_file is not None:
            # Every scenario runs on the one sector, so its organisations pair by name.
            read_sector(sector_file)
            scenarios = [
                scenario.replace(sector=str(sector_file.resolve()), context="with --sector")
                for scenario in scenarios
            ]
        baseline, *alternatives = scenarios
        try:
            check_scenarios(scenarios)
        except ValueError as problem:
            raise InputError(str(problem)) from None
        chosen_months = None
        if months is not None:
            try:
                chosen_months = check_months(parse_months(months), baseline.steps)
            except InputError:
                raise
            except ValueError as problem:
                raise InputError(f"--months: {problem}") from None
        check_workers(workers)
        # Every scenario runs the baseline's replications and months; all results are kept.
        sector = baseline.load_sector()
        footprint = estimate(
            [
                scenario.model_params()
                if sector is None
                else sector.footprint_parameters(scenario.model_params())
                for scenario in scenarios
            ],
            steps=baseline.steps,
            replications=baseline.replications,
            workers=workers,
        )
        # Refuse a bad --out before the note on a long job's time (nothing runs either way).
        results = destination(out, default_stem([s.name for s in scenarios]))
        check_destination(results, force=force)
        command.check_footprint(footprint, allow_large=allow_large)

        def job() -> Comparison:
            return compare(
                baseline,
                alternatives,
                months=chosen_months,
                progress=not quiet,
                workers=workers,
                posterior=posterior,
            )

        def write(comparison: Comparison, timing: Timing, target: Path) -> Path:
            manifest = comparison_manifest(
                comparison,
                started_at=timing.started_at,
                wall_time_seconds=timing.wall_time_seconds,
            )
            if posterior is not None:
                manifest["posterior"] = posterior.manifest_entry(
                    comparison.seed, comparison.replications
                )
            return write_comparison(comparison, target, manifest, replace=force)

        outcome = command.execute(
            out=results,
            force=force,
            job=job,
            write=write,
        )
        comparison, report = outcome.result, outcome.written / "report.html"
        if quiet:
            for note in comparison.notes:
                typer.echo(f"{command.prefix}: note: {note}", err=True)
            typer.echo(str(report))
            return
        for line in comparison_lines(comparison, outcome.timing.wall_time_seconds):
            typer.echo(line)
        typer.echo(f"report: {report}")


def default_stem(names: Sequence[str]) -> str:
    """The name of a comparison's default directory, before its number.

    Args:
        names: Scenario names, the baseline first.

    Returns:
        ``compare-<baseline>-vs-<alternative>`` (alternatives joined by ``-``), or
        ``comparison`` if that would be longer than :data:`MAX_DEFAULT_NAME` characters.
    """
    stem = f"compare-{names[0]}-vs-{'-'.join(names[1:])}"
    return stem if len(stem) <= MAX_DEFAULT_NAME else "comparison"


def parse_months(text: str) -> list[int]:
    """Read ``--months``: whole months separated by commas, such as ``12,36,120``.

    Args:
        text: The option's value.

    Returns:
        The months, in the order given.

    Raises:
        InputError: If an item is not a whole number.
    """
    months = []
    for part in text.split(","):
        try:
            months.append(int(part.strip()))
        except ValueError:
            raise InputError(
                f"--months: expected whole months separated by commas (e.g. 12,36,120), "
                f"got {quoted(text)}"
            ) from None
    return months


def comparison_lines(comparison: Comparison, wall_time_seconds: float) -> list[str]:
    """The terminal summary of a comparison: its differences at the last month.

    Args:
        comparison: The comparison.
        wall_time_seconds: How long it took.

    Returns:
        Lines: what was compared, a table of the differences at the last month (``*``
        marks a clear one: its 95 % CI excludes zero and it exceeds the outcome's practical
        threshold) and the notes.
    """
    last = comparison.months[-1]
    rows = [
        (
            row["scenario"],
            outcome_label(row["outcome"]),
            format_value(row["outcome"], row["baseline_mean"]),
            format_value(row["outcome"], row["scenario_mean"]),
            format_difference(row) + (" *" if row["clear"] else ""),
        )
        for row in comparison.at_month(last).to_dict("records")
    ]
    header = ("scenario", "outcome", comparison.baseline.name, "scenario", "difference")
    lines = [
        f"Compared {', '.join(s.name for s in comparison.alternatives)} with "
        f"{comparison.baseline.name}: {comparison.replications} paired replication(s) x "
        f"{comparison.steps} months, root seed {comparison.seed}, {wall_time_seconds:.1f} s",
        f"Differences at {month_phrase(last)} (month {last}), scenario minus baseline on the "
        "same seeds (mean, 95% CI); * = clear (CI excludes 0 and the difference is above "
        "the practical threshold); peer share in %:",
    ]
    table = aligned_rows([header, *rows], right=(2, 3))
    lines.extend(f"  {line}" for line in table)
    lines.extend(f"Note: {note}" for note in comparison.notes)
    return lines
