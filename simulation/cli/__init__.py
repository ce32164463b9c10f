"""The ``lewsim`` command line.

``lewsim run`` runs replications of the sector model and writes the time series, a
manifest and a figure into one results directory. All input is checked before anything
runs or is written: a bad value prints one line naming the option or parameter and what
it allows, and exits with status 2.

The work of a run lives in :func:`execute_run`, which takes plain values (steps, seed,
replications, parameters, output directory), so that other commands and front ends (a
scenario file, a comparison of runs) can reuse it without going through option parsing.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from simulation import __version__
from simulation.errors import InputError
from simulation.outputs.comparison_report import (
    comparison_manifest,
    format_difference,
    format_value,
    month_phrase,
    outcome_label,
    write_comparison,
)
from simulation.outputs.figures import plot_timeseries
from simulation.outputs.files import RUN_FILES, check_destination, write_run
from simulation.outputs.manifest import build_manifest, manifest_json
from simulation.outputs.validation_report import build_report
from simulation.parameters import ParameterError, validate_parameters
from simulation.runs.calibration import calibration_table
from simulation.runs.comparison import (
    Comparison,
    check_months,
    check_scenarios,
)
from simulation.runs.comparison import compare as compare_scenarios
from simulation.runs.pool import available_cores
from simulation.runs.replications import replication_seeds, run_replications, summarise_replications
from simulation.runs.scenarios import Scenario, ScenarioError, run_scenario
from simulation.runs.validation import (
    DEFAULT_PAIRS,
    HORIZON,
    PATTERNS,
    QUICK_HORIZON,
    QUICK_PAIRS,
    ROOT_SEED,
    Validation,
    validate,
)

#: Exit status for bad command-line input, as click uses for usage errors.
USAGE_ERROR_EXIT = 2

DEFAULT_STEPS = 120
DEFAULT_SEED = 0
DEFAULT_REPLICATIONS = 20
DEFAULT_OUT = Path("results/default")
DEFAULT_WORKERS = min(2, available_cores())

app = typer.Typer(
    name="lewsim",
    help=(
        "Agent-based simulation of Lived Experience (peer) workforce growth in "
        "mental-health organisations."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Locals of a failing run include whole data frames; printing them buries the error.
    pretty_exceptions_show_locals=False,
)


@dataclass(frozen=True)
class RunResult:
    """What :func:`execute_run` produced.

    Attributes:
        out_dir: Absolute path of the results directory.
        timeseries: The long frame written to ``timeseries.parquet``.
        manifest: The manifest written to ``manifest.json``.
    """

    out_dir: Path
    timeseries: pd.DataFrame
    manifest: dict[str, Any]


def parse_value(text: str) -> Any:
    """Turn the VALUE of ``--set NAME=VALUE`` into a Python value.

    Accepted forms, tried in this order: ``true``/``false`` (any case) as booleans;
    integers; floats (``0.5``, ``1e-3``); a JSON list (``[0.5, 0.3, 0.2]``) or JSON string
    (``"text"``); comma-separated numbers (``0.5,0.3,0.2``) as a tuple. Anything else is
    kept as a string, and the parameter's own validation decides whether it is allowed.

    Args:
        text: The raw VALUE.

    Returns:
        A bool, int, float, tuple of numbers, or str.

    Raises:
        InputError: If the value starts like JSON but is not valid JSON.
    """
    stripped = text.strip()
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    number = _parse_number(stripped)
    if number is not None:
        return number
    if stripped.startswith(("[", '"')):
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise InputError(f"cannot read {text!r} as JSON ({error.msg})") from None
        return tuple(decoded) if isinstance(decoded, list) else decoded
    if "," in stripped:
        parts = [_parse_number(part.strip()) for part in stripped.split(",")]
        if all(part is not None for part in parts):
            return tuple(parts)
    return stripped


def _parse_number(text: str) -> int | float | None:
    """Read an int or float, or return ``None`` if ``text`` is neither."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def parse_assignments(assignments: Sequence[str]) -> dict[str, Any]:
    """Parse repeated ``--set NAME=VALUE`` options into a parameter dict.

    Names are not checked against the model here; :func:`check_run_inputs` does that.

    Args:
        assignments: The raw ``NAME=VALUE`` strings.

    Returns:
        Parameter name to parsed value (see :func:`parse_value`).

    Raises:
        InputError: If an item has no ``=``, an empty or non-identifier name, an
            unparseable value, or sets the same name twice.
    """
    params: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, raw_value = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InputError(f"--set: expected NAME=VALUE (e.g. n_orgs=24), got {assignment!r}")
        if not name.isidentifier():
            raise InputError(
                f"--set: {name!r} is not a parameter name; names are like n_orgs or pay_parity"
            )
        if name in params:
            raise InputError(f"--set: parameter {name!r} is set more than once; set it once")
        try:
            params[name] = parse_value(raw_value)
        except InputError as problem:
            raise InputError(f"--set {name}: {problem}") from None
    return params


def check_run_inputs(
    steps: int, seed: int, replications: int, params: Mapping[str, Any], out: Path
) -> Path:
    """Check every input of a run before anything runs or is written.

    Args:
        steps: Months per replication.
        seed: Root seed.
        replications: Number of replications.
        params: Parameter overrides.
        out: Results directory.

    Returns:
        ``out`` as an absolute path.

    Raises:
        InputError: Naming the first bad option or parameter and what it allows.
    """
    if steps < 1:
        raise InputError(f"--steps must be an integer >= 1 (months to simulate), got {steps}")
    if replications < 1:
        raise InputError(f"--replications must be an integer >= 1, got {replications}")
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {seed}")
    try:
        validate_parameters(dict(params), owner="--set")
    except ParameterError as error:
        raise InputError(str(error)) from None
    try:
        return check_destination(out, replace=True)
    except ValueError as error:
        raise InputError(f"--out: {error}") from None


def execute_run(
    *,
    steps: int,
    seed: int,
    replications: int,
    params: Mapping[str, Any],
    out: Path,
    progress: bool = True,
    command_line: Sequence[str] | None = None,
    scenario: Scenario | None = None,
) -> RunResult:
    """Check inputs, run the replications and write the results directory.

    Args:
        steps: Months per replication.
        seed: Root seed.
        replications: Number of replications.
        params: Parameter overrides (with a scenario: all of them, replacing its table).
        out: Results directory (replaced if it holds a previous run).
        progress: Show a progress bar on stderr.
        command_line: Argument vector for the manifest; defaults to ``sys.argv``.
        scenario: A scenario whose events to run; ``steps``, ``seed``, ``replications``
            and ``params`` replace its own. Its name, file and text go into the manifest,
            and the time series gains a ``scenario`` column.

    Returns:
        The results directory, time series and manifest.

    Raises:
        InputError: If an input is invalid; nothing has been run or written then.
        ScenarioError: If the settings leave the scenario invalid (an event after the
            last month, say); nothing has been run or written then.
    """
    out_dir = check_run_inputs(steps, seed, replications, params, out)
    if scenario is not None:
        scenario = scenario.replace(
            steps=steps,
            seed=seed,
            replications=replications,
            parameters=dict(params),
            context="with the command-line settings",
        )
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    if scenario is None:
        timeseries = run_replications(
            steps=steps, seed=seed, replications=replications, params=params, progress=progress
        )
    else:
        timeseries = run_scenario(scenario, progress=progress)
    figure = plot_timeseries(timeseries)
    manifest = build_manifest(
        steps=steps,
        seed=seed,
        replications=replications,
        seeds=replication_seeds(seed, replications),
        params=params,
        started_at=started_at,
        wall_time_seconds=time.perf_counter() - clock,
        command_line=command_line,
    )
    if scenario is not None:
        manifest["scenario"] = scenario.manifest_entry()
    written = write_run(out_dir, timeseries, manifest, figure, replace=True)
    return RunResult(out_dir=written, timeseries=timeseries, manifest=manifest)


def summary_lines(result: RunResult) -> list[str]:
    """A few lines describing a finished run for the terminal.

    Args:
        result: The output of :func:`execute_run`.

    Returns:
        Lines giving where results went and key series at the first and last month, as
        the mean over replications with its 95 % confidence interval.
    """
    manifest = result.manifest
    frame = result.timeseries
    peers = summarise_replications(frame, "peer_workers")
    orgs = summarise_replications(frame, "orgs_with_peers")
    first_month, last_month = int(peers.index[0]), int(peers.index[-1])
    width = len(f"month {last_month}")
    scenario = manifest.get("scenario")
    return [
        *([f"Scenario {scenario['name']} ({scenario['path']})"] if scenario else []),
        f"Wrote {', '.join(RUN_FILES)}",
        f"  to {result.out_dir}",
        f"{manifest['replications']} replication(s) x {manifest['steps']} months, "
        f"root seed {manifest['seed']}, {manifest['wall_time_seconds']:.1f} s",
        "Peer workers (mean over replications, 95% CI of the mean):",
        f"  {f'month {first_month}':<{width}}  {_format_estimate(peers.iloc[0])}",
        f"  {f'month {last_month}':<{width}}  {_format_estimate(peers.iloc[-1])}",
        f"Organisations with peers at month {last_month}: {_format_estimate(orgs.iloc[-1])}",
    ]


def _format_estimate(row: pd.Series, digits: int = 1) -> str:
    """Render a summary row as ``mean (95% CI low to high)``, or the mean for one run."""
    mean = float(row["mean"])
    if math.isnan(mean):
        return "n/a"
    if row["n"] <= 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} (95% CI {row['ci_low']:.{digits}f} to {row['ci_high']:.{digits}f})"


def _fail(command: str, problem: Exception) -> typer.Exit:
    """Print a one-line error on stderr and return the exit to raise."""
    message = " ".join(str(problem).split())  # keep it on one line whatever the source
    typer.echo(f"{command}: error: {message}", err=True)
    return typer.Exit(code=USAGE_ERROR_EXIT)


def _show_version(value: bool) -> None:
    """Print the version and stop (eager ``--version`` callback)."""
    if value:
        typer.echo(f"lewsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the lewsim version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Simulate the growth of the peer (Lived Experience) workforce in a mental-health sector.

    Run 'lewsim run --help' for the options of a run.
    """


@app.command(
    help=(
        "Run replications of the sector model and write the results.\n\n"
        "SCENARIO is an optional scenario file (TOML; see experiments/scenarios/ and "
        "docs/ODD.md section 6): its steps, seed, replications, parameters and events are "
        "used, options given on the command line override them, and --set adds to or "
        "overrides its parameters. Without a file the built-in defaults run.\n\n"
        "Writes timeseries.parquet and timeseries.csv (one row per replication and month), "
        "manifest.json (versions, git commit, seeds, every parameter, the scenario) and "
        "timeseries.png (mean and 95% confidence band of key series) into the --out "
        "directory, atomically: a failed run leaves no partial results.\n\n"
        "Examples: lewsim run --steps 60 --replications 10 --set n_orgs=40 --out "
        "results/small; lewsim run experiments/scenarios/exec-champion.toml"
    )
)
def run(
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
            help=f"Months to simulate per replication (>= 1); default: the scenario's, "
            f"or {DEFAULT_STEPS}.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Root seed (>= 0); each replication gets its own seed derived from it; "
            f"default: the scenario's, or {DEFAULT_SEED}.",
            show_default=False,
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            help=f"Independent replications to run (>= 1); default: the scenario's, "
            f"or {DEFAULT_REPLICATIONS}.",
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
                "(e.g. --set n_orgs=40 --set exposure_mix=0.5,0.3,0.2)."
            ),
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help=(
                "Results directory, relative to the current directory. Replaced if it "
                "holds a previous run; other non-empty directories are refused. Default: "
                f"results/<scenario name>, or {DEFAULT_OUT} without a scenario."
            ),
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress bar or summary; print only the results directory."
        ),
    ] = False,
) -> None:
    """Run replications of the sector model and write the results (help text above)."""
    try:
        scenario = Scenario.load(scenario_file) if scenario_file is not None else None
        params = parse_assignments(assignments or [])
        if scenario is not None:
            params = scenario.model_params() | params
        result = execute_run(
            steps=_first(steps, scenario.steps if scenario else None, DEFAULT_STEPS),
            seed=_first(seed, scenario.seed if scenario else None, DEFAULT_SEED),
            replications=_first(
                replications, scenario.replications if scenario else None, DEFAULT_REPLICATIONS
            ),
            params=params,
            out=_first(out, Path("results", scenario.name) if scenario else None, DEFAULT_OUT),
            progress=not quiet,
            scenario=scenario,
        )
    except ScenarioError as problem:
        for line in str(problem).splitlines():
            typer.echo(f"lewsim run: error: {line}", err=True)
        raise typer.Exit(code=USAGE_ERROR_EXIT) from None
    except InputError as problem:
        raise _fail("lewsim run", problem) from None
    if quiet:
        typer.echo(str(result.out_dir))
        return
    for line in summary_lines(result):
        typer.echo(line)


def _first(*values: Any) -> Any:
    """The first of ``values`` that is not ``None`` (a command-line option, then the file's)."""
    return next(value for value in values if value is not None)


DEFAULT_VALIDATION_OUT = Path("results/validation")


def execute_validation(
    *,
    pairs: int | None,
    quick: bool,
    seed: int,
    workers: int,
    out: Path,
    progress: bool,
    patterns: Sequence[int] | None = None,
    command_line: Sequence[str] | None = None,
) -> tuple[Path, Validation]:
    """Run the pattern validation and the calibration check, and write the report.

    Args:
        pairs: Seed pairs per arm (``None``: 30, or 10 with ``quick``).
        quick: Fewer pairs and a five-year horizon, for a first look.
        seed: Root seed of the pairs.
        workers: Processes to run arms in (results do not depend on it).
        out: Report directory.
        progress: Show progress bars.
        patterns: Pattern numbers to judge (default: all ten).
        command_line: Recorded in the manifest (default ``sys.argv``).

    Returns:
        The report directory and the validation.

    Raises:
        InputError: For a bad option value or an unusable output directory.
    """
    pairs = pairs if pairs is not None else (QUICK_PAIRS if quick else DEFAULT_PAIRS)
    months = QUICK_HORIZON if quick else HORIZON
    if pairs < 2:
        raise InputError(f"--seeds must be at least 2 (pairs give an interval), got {pairs}")
    if seed < 0:
        raise InputError(f"--seed must be >= 0, got {seed}")
    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    unknown = sorted(set(patterns or ()) - {pattern.number for pattern in PATTERNS})
    if unknown:
        raise InputError(f"--pattern {unknown[0]} does not exist; patterns are 1 to 10")
    try:
        check_destination(out, replace=True)
    except ValueError as problem:
        raise InputError(f"--out: {problem}") from None
    started_at, clock = datetime.now(UTC), time.perf_counter()
    result = validate(
        pairs, months, seed=seed, patterns=patterns, workers=workers, progress=progress
    )
    calibration = calibration_table(result.seeds, workers=workers, progress=progress)
    manifest = build_manifest(
        steps=months,
        seed=seed,
        replications=pairs,
        seeds=result.seeds,
        params=None,
        started_at=started_at,
        wall_time_seconds=time.perf_counter() - clock,
        command_line=command_line,
    )
    manifest["patterns_held"] = int(result.summary()["holds"].sum())
    report = build_report(result, calibration, manifest)
    written = report.write(
        out,
        {
            "checks.csv": result.checks.to_csv(index=False),
            "calibration.csv": calibration.to_csv(index=False),
            "manifest.json": manifest_json(manifest),
        },
        replace=True,
    )
    return written, result


@app.command(
    "validate",
    help=(
        "Check the model against the seed study's ten patterns and the national figures.\n\n"
        "Each pattern is a controlled experiment on paired seeds (common random numbers); "
        "each check reports an effect, its 95% confidence interval and a verdict. Writes "
        "report.html (self-contained), one PNG per pattern, checks.csv, calibration.csv and "
        "manifest.json into --out.\n\n"
        "Example: lewsim validate --quick"
    ),
)
def validate_command(
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds",
            help=f"Seed pairs per arm [default: {DEFAULT_PAIRS}, or {QUICK_PAIRS} with --quick].",
            show_default=False,
        ),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option("--quick", help=f"Fewer pairs and a {QUICK_HORIZON}-month horizon."),
    ] = False,
    patterns: Annotated[
        list[int] | None,
        typer.Option(
            "--pattern",
            help="Judge only this pattern (1-10); repeat for several.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Root seed of the pairs.")] = ROOT_SEED,
    workers: Annotated[
        int, typer.Option("--workers", help="Processes to run arms in (same results for any).")
    ] = DEFAULT_WORKERS,
    out: Annotated[
        Path, typer.Option("--out", help="Report directory (replaced if it holds a report).")
    ] = DEFAULT_VALIDATION_OUT,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 if any pattern fails.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar; print only the report path.")
    ] = False,
) -> None:
    """Run the pattern validation (help text above)."""
    try:
        written, result = execute_validation(
            pairs=seeds,
            quick=quick,
            seed=seed,
            workers=workers,
            out=out,
            progress=not quiet,
            patterns=patterns,
        )
    except InputError as problem:
        raise _fail("lewsim validate", problem) from None
    summary = result.summary()
    if not quiet:
        for number, row in summary.iterrows():
            verdict = "holds" if row["holds"] else "FAILS"
            typer.echo(
                f"pattern {number:>2}  {verdict:<5}  {row['checks_held']}/{row['checks']} checks"
                f"  {row['title']}"
            )
        typer.echo(f"report: {written / 'report.html'}")
    else:
        typer.echo(str(written / "report.html"))
    if strict and not summary["holds"].all():
        raise typer.Exit(code=1)


DEFAULT_COMPARISON_OUT = Path("results/comparison")
_MAX_OUT_NAME = 80


def default_comparison_out(names: Sequence[str]) -> Path:
    """The results directory of a comparison when ``--out`` is not given.

    Args:
        names: Scenario names, the baseline first.

    Returns:
        ``results/compare-<baseline>-vs-<alternative>`` (alternatives joined by ``-``), or
        ``results/comparison`` if that name would be longer than 80 characters.
    """
    name = f"compare-{names[0]}-vs-{'-'.join(names[1:])}"
    return Path("results", name) if len(name) <= _MAX_OUT_NAME else DEFAULT_COMPARISON_OUT


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
                f"got {text!r}"
            ) from None
    return months


def _scenario_problem(error: ScenarioError) -> InputError:
    """A scenario error as one line: the file, then its problems separated by ``;``."""
    return InputError(f"{error.source}: {'; '.join(error.problems)}")


def execute_comparison(
    *,
    files: Sequence[Path],
    out: Path | None,
    months: str | None,
    workers: int,
    progress: bool,
    command_line: Sequence[str] | None = None,
) -> tuple[Path, Comparison, dict[str, Any]]:
    """Load the scenario files, check every input, compare and write the report.

    Everything is checked before anything runs or is written: every file is read and
    validated, the names must differ, the months must fall within the baseline's run and
    the output directory must be usable.

    Args:
        files: The baseline's scenario file, then one or more alternatives.
        out: Results directory; ``None`` for :func:`default_comparison_out`.
        months: ``--months`` as given (``None``: the comparison's default months).
        workers: Processes to run scenarios in (same results for any).
        progress: Show a progress bar.
        command_line: Recorded in the manifest (default ``sys.argv``).

    Returns:
        The results directory, the comparison and its manifest.

    Raises:
        InputError: For a bad file, option value or output directory; nothing has been
            run or written then.
    """
    if len(files) < 2:
        raise InputError(
            "give a baseline scenario file and at least one alternative, e.g. "
            "lewsim compare baseline.toml exec-champion.toml"
        )
    scenarios = []
    for path in files:
        try:
            scenarios.append(Scenario.load(path))
        except ScenarioError as error:
            raise _scenario_problem(error) from None
    baseline, *alternatives = scenarios
    try:
        check_scenarios(scenarios)
    except ValueError as error:
        raise InputError(str(error)) from None
    chosen_months = None
    if months is not None:
        requested = parse_months(months)
        try:
            chosen_months = check_months(requested, baseline.steps)
        except ValueError as error:
            raise InputError(f"--months: {error}") from None
    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    target = out if out is not None else default_comparison_out([s.name for s in scenarios])
    try:
        check_destination(target, replace=True)
    except ValueError as error:
        raise InputError(f"--out: {error}") from None
    started_at, clock = datetime.now(UTC), time.perf_counter()
    try:
        comparison = compare_scenarios(
            baseline, alternatives, months=chosen_months, progress=progress, workers=workers
        )
    except ScenarioError as error:
        raise _scenario_problem(error) from None
    manifest = comparison_manifest(
        comparison,
        started_at=started_at,
        wall_time_seconds=time.perf_counter() - clock,
        command_line=command_line,
    )
    written = write_comparison(comparison, target, manifest, replace=True)
    return written, comparison, manifest


def comparison_lines(comparison: Comparison, manifest: Mapping[str, Any]) -> list[str]:
    """The terminal summary of a comparison: its differences at the last month.

    Args:
        comparison: The comparison.
        manifest: Its manifest (for the wall time).

    Returns:
        Lines: what was compared, a table of the differences at the last month (``*``
        marks a clear one, whose 95 % CI excludes zero) and the notes.
    """
    last = comparison.months[-1]
    rows = [
        (
            row["scenario"],
            outcome_label(row["outcome"]),
            format_value(row["outcome"], row["baseline_mean"], like=row["scenario_mean"]),
            format_value(row["outcome"], row["scenario_mean"], like=row["baseline_mean"]),
            format_difference(row) + (" *" if row["significant"] else ""),
        )
        for row in comparison.at_month(last).to_dict("records")
    ]
    header = ("scenario", "outcome", comparison.baseline.name, "scenario", "difference")
    widths = [max(len(str(line[i])) for line in (header, *rows)) for i in range(4)]
    lines = [
        f"Compared {', '.join(s.name for s in comparison.alternatives)} with "
        f"{comparison.baseline.name}: {comparison.replications} paired replication(s) x "
        f"{comparison.steps} months, root seed {comparison.seed}, "
        f"{manifest['wall_time_seconds']:.1f} s",
        f"Differences at {month_phrase(last)} (month {last}), scenario minus baseline on the "
        "same seeds (mean, 95% CI); * = clear (CI excludes 0); peer share in %:",
    ]
    for line in (header, *rows):
        left = "  ".join(
            f"{text:<{width}}" if i < 2 else f"{text:>{width}}"
            for i, (text, width) in enumerate(zip(line[:4], widths, strict=True))
        )
        lines.append(f"  {left}  {line[4]}")
    lines.extend(f"Note: {note}" for note in comparison.notes)
    return lines


@app.command(
    "compare",
    help=(
        "Compare scenarios on paired runs (common random numbers) and write a report.\n\n"
        "BASELINE is a scenario file (TOML); each ALTERNATIVE is compared with it. Every "
        "scenario runs with the baseline's steps, seed and replications, so run r of every "
        "scenario has the same seed and differences come from the scenarios' parameters "
        "and events; an alternative's own steps, seed or replications are overridden, and "
        "the report and the terminal say so.\n\n"
        "Writes report.html (self-contained: summary, differences with 95% CIs, figures, "
        "the scenario files, provenance), outcomes.png, differences.png, differences.csv, "
        "timeseries.parquet and manifest.json into --out, atomically.\n\n"
        "Example: lewsim compare experiments/scenarios/baseline.toml "
        "experiments/scenarios/exec-champion.toml --months 12,60,120"
    ),
)
def compare_command(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            metavar="SCENARIO",
            help="The baseline scenario file (TOML), then one or more alternatives.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help=(
                "Results directory (replaced if it holds lewsim results). Default: "
                "results/compare-<baseline>-vs-<alternative>[-<alternative>...] from the "
                "scenario names, or results/comparison if that is over 80 characters."
            ),
            show_default=False,
        ),
    ] = None,
    months: Annotated[
        str | None,
        typer.Option(
            "--months",
            help=(
                "Months of the differences table, comma-separated (e.g. 12,36,120). "
                "Default: 12, 36, 60 and 120 where they fit, and the last month."
            ),
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", help="Processes to spread the runs over (same results for any)."),
    ] = DEFAULT_WORKERS,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or table; print the report path.")
    ] = False,
) -> None:
    """Compare scenarios on paired runs and write a report (help text above)."""
    try:
        written, comparison, manifest = execute_comparison(
            files=scenarios, out=out, months=months, workers=workers, progress=not quiet
        )
    except InputError as problem:
        raise _fail("lewsim compare", problem) from None
    report = written / "report.html"
    if quiet:
        for note in comparison.notes:
            typer.echo(f"lewsim compare: note: {note}", err=True)
        typer.echo(str(report))
        return
    for line in comparison_lines(comparison, manifest):
        typer.echo(line)
    typer.echo(f"report: {report}")
