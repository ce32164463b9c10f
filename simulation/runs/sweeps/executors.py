"""Carrying out a sweep's runs: in this process, a local process pool or a Dask cluster.

Runs that share a set-up (the replicates of a design point) are carried out as batches
(:func:`simulation.runs.jobs.carry_out_batch`); finished rows go to a sink in batches.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from simulation.core.errors import InputError
from simulation.runs.batch import batch_size
from simulation.runs.footprint import available_memory
from simulation.runs.jobs import Job, carry_out_batch, consecutive_batches, setup_of
from simulation.runs.pool import runs_as_done
from simulation.runs.sweeps.sweep_file import MAX_RUNS

#: Receives each batch of finished rows (the outputs layer's shard store).
Sink = Callable[[list[dict[str, Any]]], None]


@dataclass
class Progress:
    """Counts of a sweep in progress (passed to the ``on_result`` callback)."""

    done: int = 0
    errors: int = 0
    total: int = 0
    started: float = field(default_factory=time.perf_counter)


def execute(
    jobs: Iterable[Job],
    sink: Sink,
    *,
    executor: str = "pool",
    workers: int = 1,
    address: str | None = None,
    flush_every: int = 50,
    flush_seconds: float = 30.0,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    runs: int | None = None,
) -> None:
    """Carry out jobs on an executor, handing finished rows to ``sink`` in batches.

    Consecutive jobs that share a set-up (the replicates of a design point) run as one
    batch of replications (:func:`simulation.runs.jobs.carry_out_batch`), its size from
    the footprint (:func:`simulation.runs.batch.batch_size`) and, when ``runs`` is given,
    small enough that every worker gets some. At most ``2 * workers`` batches are in
    flight, so the driver's memory does not grow with the number of runs. Rows are
    flushed every ``flush_every`` rows or ``flush_seconds`` seconds, and once more at the
    end or when interrupted (``KeyboardInterrupt`` is re-raised after the flush), so an
    interruption loses only the runs in flight.

    Args:
        jobs: The jobs, lazily.
        sink: Receives each batch of finished rows.
        executor: ``"sequential"``, ``"pool"`` (local processes) or ``"dask"``.
        workers: Processes of the pool, or of a local Dask cluster.
        address: A Dask scheduler's address (``tcp://host:port``); with ``executor =
            "dask"`` and no address, a local cluster of ``workers`` processes on loopback.
        flush_every: Rows per batch.
        flush_seconds: Longest wait between batches.
        on_result: Called with every finished row (e.g. to tick a progress bar).
        runs: How many jobs there are, if known.
    """
    batches = _batches(iter(jobs), max(workers, 1), runs)
    buffer: list[dict[str, Any]] = []
    last_flush = time.monotonic()

    def finished(row: dict[str, Any]) -> None:
        nonlocal last_flush
        buffer.append(row)
        if on_result is not None:
            on_result(row)
        if len(buffer) >= flush_every or time.monotonic() - last_flush >= flush_seconds:
            sink(buffer.copy())
            buffer.clear()
            last_flush = time.monotonic()

    try:
        if executor in ("sequential", "pool"):
            for rows in runs_as_done(
                carry_out_batch, batches, workers=1 if executor == "sequential" else workers
            ):
                for row in rows:
                    finished(row)
        elif executor == "dask":
            _run_dask(batches, workers, address, finished)
        else:
            raise ValueError(f"executor = {executor!r}; allowed: sequential, pool, dask")
    finally:
        if buffer:
            sink(buffer.copy())
            buffer.clear()


def _batches(jobs: Iterator[Job], workers: int, runs: int | None) -> Iterator[list[Job]]:
    """The jobs in batches of consecutive jobs with one set-up, sized from the first job."""
    first = next(jobs, None)
    if first is None:
        return
    memory = available_memory()
    size = batch_size(
        first.parameters,
        runs=math.ceil(runs / workers) if runs else MAX_RUNS,
        memory=None if memory is None else memory / workers,
    )
    yield from consecutive_batches(itertools.chain([first], jobs), setup_of, size)


#: Dask's default scheduler port, when an address names none.
DASK_PORT = 8786
#: Seconds to wait for a scheduler to answer before saying it cannot be reached.
SCHEDULER_TIMEOUT = 5.0

_NO_DASK = "the Dask executor needs dask.distributed: pip install 'lewsim[cluster]'"


def check_dask(address: str | None = None, *, timeout: float = SCHEDULER_TIMEOUT) -> None:
    """Check that a Dask run can start: ``dask.distributed`` installed, the scheduler up.

    A scheduler at ``tcp://`` or ``tls://HOST:PORT`` is reached with a plain connection
    (within ``timeout`` seconds), before anything is created; other protocols are left to
    Dask.

    Args:
        address: The scheduler's address, or ``None`` for a local cluster.
        timeout: Seconds to wait for the connection.

    Raises:
        InputError: Naming ``--scheduler`` if it cannot be reached, or what to install.
    """
    if importlib.util.find_spec("distributed") is None:
        raise InputError(_NO_DASK)
    if address is None or not address.startswith(("tcp://", "tls://")):
        return
    try:
        parts = urllib.parse.urlsplit(address)
        host, port = parts.hostname, parts.port or DASK_PORT
    except ValueError as error:
        raise InputError(f"--scheduler {address!r}: {error}") from None
    if not host:
        raise InputError(f"--scheduler {address!r}: no host; a Dask address is tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise InputError(
            f"--scheduler {address}: the scheduler cannot be reached ({reason}); start it, "
            "or check the address"
        ) from None
    _handshake(address, timeout)


def _handshake(address: str, timeout: float) -> None:
    """Connect a Dask client: something else listening there is refused, not run into.

    Dask reads a reply's first bytes as a message size, so another server (a web server,
    a proxy) would have it allocate exabytes: a ``MemoryError`` at once, caught here.
    """
    from distributed import Client

    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        reason = " ".join(str(error).split())[:120] or type(error).__name__
        raise InputError(
            f"--scheduler {address}: the scheduler cannot be reached ({reason}); start it, "
            "or check the address"
        ) from None
    except (Exception, MemoryError) as error:  # whatever a reply that is not Dask's causes
        raise InputError(
            f"--scheduler {address}: something answers there, but not as a Dask scheduler "
            f"({type(error).__name__}); check the address and port"
        ) from None
    client.close()


def _run_dask(
    batches: Iterable[list[Job]],
    workers: int,
    address: str | None,
    finished: Callable[[dict[str, Any]], None],
) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(_NO_DASK) from None
    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    client = Client(cluster if cluster is not None else address)
    try:
        iterator = iter(batches)
        window = 4 * max(sum(client.nthreads().values()), 1)
        running = as_completed(
            [
                client.submit(carry_out_batch, batch, pure=False)
                for batch in itertools.islice(iterator, window)
            ]
        )
        for future in running:
            for row in future.result():
                finished(row)
            future.release()
            for batch in itertools.islice(iterator, 1):
                running.add(client.submit(carry_out_batch, batch, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
