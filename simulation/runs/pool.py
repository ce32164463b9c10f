"""Running independent jobs in order, serially or in a pool of processes that never outlives us.

:func:`map_runs` is the one way lewsim spreads runs over processes (replications,
comparison arms, validation arms, calibration). Each job is a pure function of its value,
so the results are the same for any number of workers. The pool is made to leave nothing
running behind it:

- **Workers exit with their parent.** Each worker starts a daemon thread that waits on
  multiprocessing's parent sentinel (a pipe that closes when the parent process ends, for
  whatever reason, SIGKILL included) and then exits at once. Without it, workers of a
  killed ``lewsim compare`` wait for work for ever, and keep multiprocessing's resource
  tracker alive with them.
- **SIGTERM and Ctrl-C shut the pool down.** While the pool runs in the main thread,
  SIGTERM (if no one else handles it) raises ``SystemExit(143)``; on that, on
  ``KeyboardInterrupt`` and on any error, queued jobs are cancelled, the workers are
  terminated and joined, and the exception propagates. Workers ignore SIGINT, so Ctrl-C
  in a terminal (sent to the whole process group) is handled once, by the parent.
- **Bounded memory.** Jobs are taken from the iterable lazily, a few chunks per worker at
  a time, so a long iterable of jobs is never materialised as futures.
- **At most one worker per core.** More workers than the cores this process may use only
  slow every run down; asking for more is an :class:`~simulation.core.errors.InputError`.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from tqdm.auto import tqdm

from simulation.core.errors import InputError
from simulation.core.wording import is_count

#: Chunks in flight per worker: enough to keep every worker busy, few enough to bound memory.
_CHUNKS_PER_WORKER = 2
_MAX_CHUNK = 16
#: Seconds to wait for terminated workers before killing them.
_JOIN_SECONDS = 5.0
#: How often (seconds) the parent wakes while waiting, so signals are handled on every platform.
_POLL_SECONDS = 0.5


def available_cores() -> int:
    """The number of cores this process may run on (its CPU affinity where known).

    Returns:
        At least 1.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_workers(workers: Any, *, name: str = "workers") -> int:
    """Check a number of worker processes: an integer from 1 to :func:`available_cores`.

    Args:
        workers: The value to check.
        name: How the value is called in the message (``"--workers"`` on the command line).

    Returns:
        ``workers`` as an ``int``.

    Raises:
        InputError: If it is not an integer (booleans included), is below 1, or is above
            the number of cores.
    """
    if not is_count(workers, 1):
        raise InputError(f"{name} must be an integer >= 1, got {workers!r}")
    cores = available_cores()
    if workers > cores:
        raise InputError(
            f"{name} {workers} is more than the {cores} CPU core(s) of this machine; "
            f"give 1 to {cores} (the results are the same for any number)"
        )
    return int(workers)


def map_runs(
    function: Callable[[Any], Any],
    jobs: Iterable[Any],
    *,
    workers: int = 1,
    progress: bool = False,
    desc: str = "runs",
    runs_of: Callable[[Any], int] | None = None,
) -> list[Any]:
    """Apply ``function`` to every job, in order, serially or in a process pool.

    Each job must be a pure function of its own value, so the results are the same for any
    number of workers. Worker processes are started fresh ("spawn"), never forked from a
    process that may hold threads, and never outlive this process (see the module's
    docstring for how).

    Args:
        function: A module-level function (it is pickled to the workers).
        jobs: Its arguments, one per call; taken lazily, so a generator is fine.
        workers: Processes to use, from 1 (in this process) to :func:`available_cores`.
        progress: Show a progress bar.
        desc: The progress bar's label.
        runs_of: How many runs a job holds (a batch of replications holds several), so
            that the bar counts runs; one each if not given.

    Returns:
        The results in the order of ``jobs``.

    Raises:
        InputError: If ``workers`` is not an integer from 1 to the number of cores.
        SystemExit: With status 143 if SIGTERM arrives while the pool runs; the pool has
            been shut down by then.
    """
    workers = check_workers(workers)
    total = len(jobs) if isinstance(jobs, Sized) else None
    count = runs_of or _one
    total_runs = sum(map(count, jobs)) if isinstance(jobs, Sized) else None
    bar = tqdm(total=total_runs, desc=desc, unit="run", disable=not progress)
    try:
        if workers > 1 and (total is None or total > 1):
            return _map_in_pool(function, jobs, workers, total, bar, count)
        results = []
        for job in jobs:
            results.append(function(job))
            bar.update(count(job))
        return results
    finally:
        bar.close()


def _map_in_pool(
    function: Callable[[Any], Any],
    jobs: Iterable[Any],
    workers: int,
    total: int | None,
    bar: Any,
    count: Callable[[Any], int],
) -> list[Any]:
    """:func:`map_runs` with a process pool, submitting chunks as earlier ones finish."""
    size = 1 if total is None else max(1, min(_MAX_CHUNK, total // (4 * workers)))
    chunks: Iterator[tuple[Any, ...]] = itertools.batched(jobs, size)
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_prepare_worker
    )
    results: list[Any] = []
    try:
        with _exit_on_sigterm():
            pending: deque[tuple[tuple[Any, ...], Future[list[Any]]]] = deque(
                (chunk, pool.submit(_apply_all, function, chunk))
                for chunk in itertools.islice(chunks, _CHUNKS_PER_WORKER * workers)
            )
            while pending:
                chunk, future = pending.popleft()
                results.extend(_result(future))
                bar.update(sum(map(count, chunk)))
                following = next(chunks, None)
                if following is not None:
                    pending.append((following, pool.submit(_apply_all, function, following)))
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return results


def runs_as_done(
    function: Callable[[Any], Any], jobs: Iterable[Any], *, workers: int = 1
) -> Iterator[Any]:
    """Apply ``function`` to every job and yield the results as they finish (any order).

    The streaming form of :func:`map_runs`, for a sweep that stores each result as it
    comes: at most two jobs per worker are in flight, so memory does not grow with the
    number of jobs, and the pool is made and shut down as :func:`map_runs`'s is (workers
    exit with their parent; SIGTERM, Ctrl-C, an error or closing the generator stop them).

    Args:
        function: A module-level function (it is pickled to the workers).
        jobs: Its arguments; taken lazily.
        workers: Processes to use (1: in this process, in order).

    Yields:
        Each job's result, as soon as it is done.
    """
    workers = check_workers(workers)
    if workers == 1:
        for job in jobs:
            yield function(job)
        return
    iterator = iter(jobs)
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_prepare_worker
    )
    try:
        with _exit_on_sigterm():
            pending = {
                pool.submit(function, job)
                for job in itertools.islice(iterator, _CHUNKS_PER_WORKER * workers)
            }
            while pending:
                done, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                pending |= {
                    pool.submit(function, job) for job in itertools.islice(iterator, len(done))
                }
    except BaseException:  # GeneratorExit included: a consumer that stops early stops the pool
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _one(job: Any) -> int:
    """A job that is one run."""
    return 1


def _apply_all(function: Callable[[Any], Any], chunk: tuple[Any, ...]) -> list[Any]:
    """Run one chunk of jobs in a worker."""
    return [function(job) for job in chunk]


def _result(future: Future[list[Any]]) -> list[Any]:
    """Wait for a future, waking regularly so that signal handlers run (Windows too)."""
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except TimeoutError:
            continue


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued jobs, terminate the workers and wait for them (killing stragglers)."""
    # ProcessPoolExecutor has no public way to stop running workers before Python 3.14's
    # terminate_workers(); its _processes mapping is the documented-by-use fallback.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(_JOIN_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(_JOIN_SECONDS)


@contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` while the pool runs, so that it is shut down.

    Only from the main thread (the only one that may set handlers) and only when SIGTERM
    has its default action: an application's own handler is left alone.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _prepare_worker() -> None:
    """Pool initializer: ignore Ctrl-C, and exit as soon as the parent process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    exit_with_parent(parent.sentinel)


def exit_with_parent(sentinel: Any) -> None:
    """Make this process exit as soon as ``sentinel`` is ready: its parent has ended.

    A daemon thread blocks on the sentinel and then ends the process at once. The sentinel
    is anything :func:`multiprocessing.connection.wait` takes: multiprocessing's parent
    sentinel in a pool worker, or (on POSIX) the read end of a pipe whose write end only
    the parent holds, such as a child's standard input (``lewsim app``'s server). Either
    becomes ready when the parent ends for whatever reason, SIGKILL included.

    Args:
        sentinel: What becomes ready when the parent ends.
    """
    threading.Thread(
        target=_exit_when_ready, args=(sentinel,), name="exit-with-parent", daemon=True
    ).start()


def _exit_when_ready(sentinel: Any) -> None:
    """Block until ``sentinel`` is ready (the parent ended), then exit at once."""
    multiprocessing.connection.wait([sentinel])
    # os._exit, not sys.exit: the main thread may be blocked in a queue read for ever.
    os._exit(1)
