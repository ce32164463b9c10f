"""What every ``lewsim`` command shares: options, ``--set`` parsing, destinations and errors.

A command parses its options, checks them, and hands the work to :meth:`Command.execute`,
which checks the destination, times the job, and passes the result to the command's
writer. That sequence is written here once. Whatever stops a command early is reported by
:class:`Command` in one way for all of them:

- a :class:`~simulation.core.errors.LewsimError` (bad input, an unusable destination) or an
  ``OSError``: ``lewsim COMMAND: error: MESSAGE`` on stderr, exit status 2;
- Ctrl-C: ``lewsim COMMAND: interrupted; nothing written``, exit status 130;
- SIGTERM: the same message, exit status 143 (128 + 15, as a shell reports the signal);
- standard output that cannot be written (``> /dev/full``, a full disk):
  ``lewsim COMMAND: error: cannot write to standard output (REASON); results are in DIR``
  (or ``nothing written``), exit status 1: the results, if any, are whole, but what the
  command printed (such as the results' path, which a script may read) is lost.

Results are written atomically, so in each of these cases nothing has been written (a
write cut short leaves the previous results in place), except where the message says
where the results are.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Annotated, Any

import typer

from simulation.core.errors import InputError, LewsimError, OutputError
from simulation.core.parameters import PARAMETER_NAMES, validate_parameters
from simulation.outputs import files
from simulation.runs import pool
from simulation.runs.footprint import Footprint, available_memory, estimate, format_bytes
from simulation.runs.pool import available_cores
from simulation.runs.posterior import Posterior, load_posterior
from simulation.runs.scenarios import MAX_REPLICATIONS, MAX_STEPS
from simulation.runs.sweeps import Sweep

#: Exit status for bad input or an unusable destination, as click uses for usage errors.
USAGE_ERROR_EXIT = 2
#: Exit status when standard output cannot be written (the results, if any, are whole).
OUTPUT_FAILED_EXIT = 1
#: Exit status after Ctrl-C (128 + SIGINT), as a shell reports it.
INTERRUPTED_EXIT = 128 + signal.SIGINT
#: Exit status after SIGTERM (128 + SIGTERM), as a shell reports it.
TERMINATED_EXIT = 128 + signal.SIGTERM

#: Where results go when ``--out`` is not given.
RESULTS_DIR = Path("results")

#: A job estimated to take longer than this (seconds) is announced before it starts.
LONG_JOB_SECONDS = 600

#: Deepest nesting of JSON lists in a ``--set`` value (a parameter takes at most a list).
MAX_SET_DEPTH = 8
#: Longest ``--set`` value read (characters); the longest a parameter needs is a few dozen.
MAX_SET_CHARS = 1000

# An integer literal as int() reads it: one beyond its 4300-digit limit is refused as too
# large rather than read by float() as infinity.
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9](?:_?[0-9])*\s*")


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


# ---- reporting what stopped a command -------------------------------------------------


class Terminated(BaseException):  # noqa: N818 - named for the signal, like KeyboardInterrupt
    """Raised in the main thread when the process receives SIGTERM.

    A ``BaseException``, like ``KeyboardInterrupt``, so that it passes the ``except
    Exception`` handlers of libraries and reaches the writer's clean-up.
    """


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler: unwind like Ctrl-C does, so that clean-up code runs."""
    raise Terminated


def _standard_output_failed(error: OSError) -> bool:
    """Whether ``error`` came from writing standard output; if so, stop writing to it.

    A print (``typer.echo``) fails inside click's ``echo``, whose stream is standard output
    or a text stream on its buffer: the innermost frame of the error holds it. A device
    that refuses every write (``/dev/full``) is recognised by an empty write failing too.
    Standard output is then pointed at the null device, or Python would fail once more
    flushing it at exit.
    """
    buffer = getattr(sys.stdout, "buffer", None)

    def is_standard_output(value: Any) -> bool:
        if not isinstance(value, io.IOBase):
            return False
        return value is sys.stdout or value is buffer or getattr(value, "buffer", 0) is buffer

    frames = list(traceback.walk_tb(error.__traceback__))
    failed = bool(frames) and any(map(is_standard_output, frames[-1][0].f_locals.values()))
    if not failed:
        try:
            os.write(sys.stdout.fileno(), b"")
        except (OSError, ValueError, AttributeError):
            failed = sys.stdout is not None and not sys.stdout.closed
    if failed:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
    return failed


class Command:
    """One invocation of a ``lewsim`` command: reports errors and runs the shared sequence.

    Use it as a context manager around all of a command's work::

        with Command("run") as command:
            ...  # parse and check; raise InputError for bad input
            result = command.execute(out=target, job=..., write=...)
            ...  # print the summary

    Args:
        name: The command's name, as typed after ``lewsim``.

    Attributes:
        name: The command's name.
        written: The results directory once written; ``None`` before.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.written: Path | None = None
        self._previous_sigterm: Any = None

    @property
    def prefix(self) -> str:
        """What starts every line this command prints on stderr, e.g. ``lewsim run``."""
        return f"lewsim {self.name}"

    def __enter__(self) -> Command:
        try:
            self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_terminated)
        except ValueError:  # not the main thread: leave the signal alone
            self._previous_sigterm = None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
        if error is None or isinstance(error, typer.Exit):
            return
        if isinstance(error, KeyboardInterrupt | Terminated):
            # On a line of its own: a progress bar may have been cut off mid-line.
            typer.echo(f"\n{self.prefix}: interrupted; {self._what_was_written()}", err=True)
            interrupted = isinstance(error, KeyboardInterrupt)
            raise typer.Exit(code=INTERRUPTED_EXIT if interrupted else TERMINATED_EXIT) from None
        if isinstance(error, BrokenPipeError):
            return  # the reader of our output has gone (``| head``); typer exits quietly
        if isinstance(error, OSError) and error.filename is None and _standard_output_failed(error):
            reason = error.strerror or str(error) or type(error).__name__
            typer.echo(
                f"{self.prefix}: error: cannot write to standard output ({reason}); "
                f"{self._what_was_written()}",
                err=True,
            )
            raise typer.Exit(code=OUTPUT_FAILED_EXIT) from None
        if isinstance(error, LewsimError | OSError):
            for line in error_lines(error):
                typer.echo(f"{self.prefix}: error: {line}", err=True)
            raise typer.Exit(code=USAGE_ERROR_EXIT) from None

    def check_footprint(
        self, footprint: Footprint, *, allow_large: bool, announce_time: bool = True
    ) -> None:
        """Refuse a job too large for this machine; announce a long one.

        Call it after the job's other inputs are checked, before it starts.

        Args:
            footprint: The job's estimate (:func:`simulation.runs.footprint.estimate`).
            allow_large: ``--allow-large``: run it even if it does not fit (with a note).
            announce_time: Print a note on stderr if the job may take longer than
                :data:`LONG_JOB_SECONDS` (a command that prints its own estimate says no).

        Raises:
            InputError: If the estimated peak memory is more than the memory available
                and ``allow_large`` is false; the message names the parameters that make
                the job large, the estimate and the machine's figure.
        """
        available = available_memory()
        if not footprint.fits(available):
            need = (
                f"it needs about {format_bytes(footprint.peak_bytes)} of memory and this "
                f"machine has {format_bytes(available or 0)} available. "
                + " ".join(footprint.parts())
            )
            if not allow_large:
                raise InputError(
                    f"this job is too large for this machine: {need} Make it smaller "
                    "(n_orgs, mean_org_size, replications, steps or --workers), or give "
                    "--allow-large to run it anyway."
                )
            typer.echo(f"{self.prefix}: note: running anyway (--allow-large); {need}", err=True)
        if announce_time and footprint.seconds > LONG_JOB_SECONDS:
            duration = format_duration(footprint.seconds)
            typer.echo(
                f"{self.prefix}: note: this job may take about {duration} "
                f"({footprint.runs:,} runs, the largest of a sector of about "
                f"{footprint.staff:,.0f} staff); "
                "Ctrl-C stops it with nothing written",
                err=True,
            )

    def _what_was_written(self) -> str:
        return f"results are in {self.written}" if self.written else "nothing written"

    def execute[Result](
        self,
        *,
        out: Path,
        force: bool,
        job: Callable[[], Result],
        write: Callable[[Result, Timing, Path], Path],
    ) -> Outcome[Result]:
        """Check the destination, run the job, time it, and write its results.

        Call it after every other input has been checked: nothing runs unless the
        destination can take the results, and nothing is written unless the job finished.

        Args:
            out: The results directory (see :func:`destination`).
            force: Replace earlier lewsim results in ``out``.
            job: Runs the simulations; its result goes to ``write``.
            write: Writes the result with its timing (for the manifest) into the directory
                it is given, atomically, and returns the directory written.

        Returns:
            What ``job`` returned, its timing and the directory written.

        Raises:
            InputError: If ``out`` cannot take the results (before anything runs).
            OutputError: If ``out`` can no longer take them once the job is done.
            OSError: If writing fails; the writer leaves nothing half-written.
        """
        target = check_destination(out, force=force)
        started_at, clock = datetime.now(UTC), time.perf_counter()
        result = job()
        timing = Timing(started_at=started_at, wall_time_seconds=time.perf_counter() - clock)
        try:
            self.written = write(result, timing, target)
        except LewsimError:
            raise
        except ValueError as problem:  # the writer checks out again: it may have changed
            raise OutputError(f"--out: {problem}") from None
        return Outcome(result=result, timing=timing, written=self.written)


@dataclass(frozen=True)
class Timing:
    """When a job started and how long it took, for its manifest.

    Attributes:
        started_at: Start time (UTC).
        wall_time_seconds: Elapsed wall-clock time.
    """

    started_at: datetime
    wall_time_seconds: float


@dataclass(frozen=True)
class Outcome[T]:
    """What :meth:`Command.execute` did.

    Attributes:
        result: What the job returned.
        timing: When it started and how long it took.
        written: The results directory written (absolute).
    """

    result: T
    timing: Timing
    written: Path


def error_lines(error: BaseException) -> list[str]:
    """The message of an error as the lines to print after ``error:``.

    A :class:`LewsimError` keeps its lines (a scenario file's problems come one per line);
    each line has its whitespace collapsed. An ``OSError`` becomes one line naming the path
    and the system's reason.

    Args:
        error: The error.

    Returns:
        At least one non-empty line.
    """
    if isinstance(error, OSError) and not isinstance(error, LewsimError):
        reason = error.strerror or str(error) or type(error).__name__
        if error.filename is None:
            return [f"cannot write results: {reason}"]
        return [f"{error.filename}: {reason}"]
    lines = [" ".join(line.split()) for line in str(error).splitlines()]
    return [line for line in lines if line] or [type(error).__name__]


def aligned_rows(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """Rows of cells as lines of aligned columns, two spaces apart (the last column free).

    Args:
        rows: The cells, the header first.
        right: Indices of columns to align right (numbers).

    Returns:
        One line per row, without trailing spaces.
    """
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            f"{cell:>{width}}" if i in right else f"{cell:<{width}}"
            for i, (cell, width) in enumerate(zip(row[:-1], widths, strict=True))
        ]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return lines


# ---- destinations ---------------------------------------------------------------------


def destination(out: Path | None, stem: str) -> Path:
    """The results directory of a command: ``--out`` if given, else a new numbered one.

    Args:
        out: ``--out`` as given, or ``None``.
        stem: The default directory's name before its number, e.g. ``"run"``.

    Returns:
        ``out``, or ``results/<stem>-NNN`` for the first NNN (001, 002, ...) not in use:
        a default never replaces earlier results.
    """
    return out if out is not None else first_unused(RESULTS_DIR, stem)


def first_unused(parent: Path, stem: str) -> Path:
    """``parent/<stem>-NNN`` for the smallest NNN from 001 that names nothing yet.

    Args:
        parent: The directory to look in.
        stem: The name before the number.

    Returns:
        The path (relative if ``parent`` is).
    """
    number = 1
    while True:
        candidate = parent / f"{stem}-{number:03d}"
        if not (candidate.exists() or candidate.is_symlink()):
            return candidate
        number += 1


def check_destination(out: Path, *, force: bool) -> Path:
    """Check that results may be written to ``out`` before anything runs.

    A new or empty directory is fine; a directory of earlier lewsim results is replaced only
    with ``force``; anything else is refused (:func:`simulation.outputs.files.check_destination`).

    Args:
        out: The results directory.
        force: Whether the user asked to replace earlier results (``--force``).

    Returns:
        ``out`` as an absolute path.

    Raises:
        OutputError: Naming ``--out``, the directory and what to do instead.
    """
    try:
        return files.check_destination(out, replace=force)
    except OutputError as problem:
        raise OutputError(f"--out: {problem}") from None


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


def check_workers(workers: int) -> int:
    """Check ``--workers``: from 1 to the CPU cores this process may use.

    Raises:
        InputError: Naming ``--workers`` and what it allows.
    """
    return pool.check_workers(workers, name="--workers")


# ---- --set NAME=VALUE -----------------------------------------------------------------


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
        InputError: If the value starts like JSON but is not valid JSON or is nested more
            than :data:`MAX_SET_DEPTH` deep, or is a whole number of more digits than
            Python reads.
    """
    stripped = text.strip()
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    number = _parse_number(stripped)
    if number is not None:
        return number
    if stripped.startswith(("[", '"')):
        if _nesting(stripped) > MAX_SET_DEPTH:
            raise InputError(
                f"lists nested more than {MAX_SET_DEPTH} deep; a parameter takes a number, "
                "true/false or a list of numbers"
            )
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise InputError(f"cannot read {quoted(text)} as JSON ({error.msg})") from None
        return tuple(decoded) if isinstance(decoded, list) else decoded
    if "," in stripped:
        parts = [_parse_number(part.strip()) for part in stripped.split(",")]
        if all(part is not None for part in parts):
            return tuple(parts)
    return stripped


def _nesting(text: str) -> int:
    """The deepest nesting of brackets in ``text``, outside JSON strings (a quick scan).

    Checked before ``json.loads``, whose recursion a few thousand ``[`` exhaust.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def quoted(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters with ``...`` if longer."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def _parse_number(text: str) -> int | float | None:
    """Read an int or float, or return ``None`` if ``text`` is neither.

    Raises:
        InputError: For a whole number beyond Python's limit on digits (4300), which
            would otherwise be read as an infinite float.
    """
    try:
        return int(text)
    except ValueError:
        if _WHOLE_NUMBER.fullmatch(text):
            raise InputError(
                f"a whole number of {len(text):,} characters is too large for any parameter"
            ) from None
    try:
        return float(text)
    except ValueError:
        return None


def parse_assignments(assignments: Sequence[str]) -> dict[str, Any]:
    """Parse repeated ``--set NAME=VALUE`` options into a parameter dict.

    Names are not checked against the model here; :func:`check_parameters` does that.

    Args:
        assignments: The raw ``NAME=VALUE`` strings.

    Returns:
        Parameter name to parsed value (see :func:`parse_value`).

    Raises:
        InputError: If an item has no ``=``, an empty or non-identifier name, a value
            longer than :data:`MAX_SET_CHARS` or unparseable, or sets the same name twice.
    """
    params: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, raw_value = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InputError(f"--set: expected NAME=VALUE (e.g. n_orgs=24), got {assignment!r}")
        if not name.isidentifier():
            raise InputError(
                f"--set: {name!r} is not a parameter name; names are like n_orgs or pay_parity "
                "('lewsim params' lists them)"
            )
        if name in params:
            raise InputError(f"--set: parameter {name!r} is set more than once; set it once")
        if len(raw_value) > MAX_SET_CHARS:
            raise InputError(
                f"--set {name}: a value of {len(raw_value):,} characters "
                f"({quoted(raw_value, 20)}); no parameter takes more than {MAX_SET_CHARS:,}"
            )
        try:
            params[name] = parse_value(raw_value)
        except InputError as problem:
            raise InputError(f"--set {name}: {problem}") from None
    return params


def similar_parameters(name: str, limit: int = 5) -> list[str]:
    """Parameter names a user may have meant by ``name``: close spellings, then containing it.

    Args:
        name: An unknown name.
        limit: At most this many suggestions.

    Returns:
        Valid names, the closest first.
    """
    close = difflib.get_close_matches(name, PARAMETER_NAMES, n=limit, cutoff=0.6)
    lowered = name.lower()
    containing = [p for p in PARAMETER_NAMES if len(lowered) >= 3 and lowered in p]
    return list(dict.fromkeys([*close, *containing]))[:limit]


def either(names: Sequence[str]) -> str:
    """Quoted names joined as alternatives: ``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    quoted = [repr(name) for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def check_parameters(params: Mapping[str, Any], option: str = "--set") -> None:
    """Check parameter values given on the command line, naming the option on failure.

    Args:
        params: Parameter name to value.
        option: The option they came from, for the message.

    Raises:
        InputError: For an unknown name (with the closest valid names and a pointer to
            ``lewsim params``) or a value the parameter does not allow.
    """
    for name in params:
        if name not in PARAMETER_NAMES:
            suggestions = similar_parameters(name)
            hint = f"did you mean {either(suggestions)}? " if suggestions else ""
            raise InputError(
                f"{option}: unknown parameter {name!r}; {hint}'lewsim params' lists all "
                f"{len(PARAMETER_NAMES)} parameters with their ranges"
            )
    try:
        validate_parameters(dict(params), owner=option)
    except LewsimError as problem:
        raise InputError(str(problem)) from None


def first_given(*values: Any) -> Any:
    """The first of ``values`` that is not ``None`` (a command-line option, then a file's)."""
    return next(value for value in values if value is not None)
