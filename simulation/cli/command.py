"""A command's run and what stops it: :class:`Command`, the exit statuses and error lines.

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
import io
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import typer

from simulation.cli import footprints
from simulation.cli.destinations import check_destination
from simulation.core.errors import LewsimError, OutputError
from simulation.runs.footprint import Footprint

#: Exit status for bad input or an unusable destination, as click uses for usage errors.
USAGE_ERROR_EXIT = 2
#: Exit status when standard output cannot be written (the results, if any, are whole).
OUTPUT_FAILED_EXIT = 1
#: Exit status after Ctrl-C (128 + SIGINT), as a shell reports it.
INTERRUPTED_EXIT = 128 + signal.SIGINT
#: Exit status after SIGTERM (128 + SIGTERM), as a shell reports it.
TERMINATED_EXIT = 128 + signal.SIGTERM


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
        footprints.check_footprint(
            self.prefix, footprint, allow_large=allow_large, announce_time=announce_time
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
