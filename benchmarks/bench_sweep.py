"""Speed of a sweep: default runs batched (issue 19) and spread over the 2-core pool.

The sweep is the default sector (120 months, the model's default size, whatever it is)
replicated ``--runs`` times: a factorial design of one point over
``visits_programme_rate`` at its default, a parameter that only a visits-programme event
reads, so every run is the default sector on its own seed, and the sweep runs them in
batches of replications (:mod:`simulation.runs.batch`). Four figures, each a ratio or a
wall time measured in this one run, with its target (and, for information, the compiled
loops of :mod:`simulation.core.kernels` against their numpy reference on the same batches):

1. **Batched against one at a time.** CPU seconds of the sweep's batch size of runs,
   one ``run_outcomes`` call each, against the same runs as one batch, in this process;
   blocks of each in turn, the median of the blocks' ratios. Target: at least 5x.
2. **Overhead** of the sweep machinery (job building, grouping, result rows, Parquet
   shards) against bare batches of the same runs, both sequential in this process, in
   turn: the median of the blocks' ratios of CPU time. Target: at most 10 %.
3. **Throughput against sequential.** The pool on the same runs against the sweep in
   one process, like for like. Target: at least 1.7x.
4. **Wall time** of ``lewsim sweep FILE --workers 2`` on all the runs, as a user runs it
   (a fresh process: imports, the pool's start, the runs, the shards). Targets: 1,000
   runs in at most 30 s; 10,000 in under 3 minutes (``--runs 10000``).

The machine this was written for has two cores shared with other work, so the load
average is printed before and after; on a busy machine the wall times stretch with the
load, while the ratios, measured in turns, hold better.

Usage::

    python benchmarks/bench_sweep.py                # 1,000 runs
    python benchmarks/bench_sweep.py --runs 10000   # the 3-minute target
    python benchmarks/bench_sweep.py --runs 100     # a quicker look

The script always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from simulation.core import kernels
from simulation.core.outcomes import DEFAULT_OUTCOMES, frame_outcomes, run_outcomes
from simulation.outputs.sweep_store import SweepStore, read_runs
from simulation.runs.batch import batch_size, simulate_batch
from simulation.runs.footprint import available_memory
from simulation.runs.jobs import Job
from simulation.runs.sweeps import Sweep, execute, load_sweep

BATCH_TARGET = 5.0
OVERHEAD_TARGET = 0.10
SPEEDUP_TARGET = 1.7
#: (runs, seconds): 1,000 runs in at most 30 s, 10,000 in under 3 minutes.
WALL_TARGETS = ((1_000, 30.0), (10_000, 180.0))
ROOT = Path(__file__).resolve().parents[1]


def wall_target(runs: int) -> float:
    """The wall-time target for ``runs`` runs (scaled from the nearest stated target)."""
    stated, seconds = WALL_TARGETS[0] if runs <= WALL_TARGETS[0][0] else WALL_TARGETS[1]
    return seconds * runs / stated


def sweep_text(runs: int, seed: int) -> str:
    """A sweep of ``runs`` runs of the default sector (one point, ``runs`` replications)."""
    outputs = ", ".join(f'"{name}"' for name in DEFAULT_OUTCOMES)
    return (
        f'name = "bench"\nsteps = 120\nreplications = {runs}\nseed = {seed}\n'
        f'design = "factorial"\noutputs = [{outputs}]\n'
        "[parameters.visits_programme_rate]\nlevels = [0.2]\n"
    )


def time_sequential(
    sweep: Sweep, runs: int, size: int, directory: Path
) -> tuple[Clock, Clock, Clock, Clock]:
    """One at a time, bare batches and the sweep machinery on the same runs, in turns.

    The first ``runs`` runs are timed in blocks of ``size`` (the sweep's batch size), each
    block four ways, the order rotating from block to block so that a change in the
    machine's load falls on all alike: ``run_outcomes`` of each run, one bare
    :func:`simulate_batch` of the block, the same on the numpy reference of the compiled
    loops (``simulation.core.kernels.COMPILED`` False), and :func:`execute` of the block's
    jobs into a shard store.

    Returns:
        The clocks of one at a time, of bare batches, of the sweep and of bare batches on
        the numpy reference (per block).
    """
    store = SweepStore.open(directory, sweep)
    chosen = [run for _, run in zip(range(runs), sweep.runs(), strict=False)]
    single, bare, machinery, reference = Clock(), Clock(), Clock(), Clock()

    def run_single(jobs: list[Job]) -> None:
        with single:
            for job in jobs:
                run_outcomes(job.steps, job.run.seed, job.parameters, (), job.outputs, job.every)

    def bare_batch(jobs: list[Job]) -> None:
        first = jobs[0]
        frames = simulate_batch(first.steps, [job.run.seed for job in jobs], **first.parameters)
        for frame in frames:
            frame_outcomes(frame, first.outputs, first.every)

    def run_bare(jobs: list[Job]) -> None:
        with bare:
            bare_batch(jobs)

    def run_sweep(jobs: list[Job]) -> None:
        with machinery:
            execute(iter(jobs), store.append, executor="sequential", runs=len(jobs))

    def run_reference(jobs: list[Job]) -> None:
        kernels.COMPILED = False
        try:
            with reference:
                bare_batch(jobs)
        finally:
            kernels.COMPILED = True

    ways = [run_single, run_bare, run_sweep, run_reference]
    for number, first in enumerate(range(0, len(chosen), size)):
        jobs = [sweep.job(run) for run in chosen[first : first + size]]
        for timed in ways[number % 4 :] + ways[: number % 4]:
            timed(jobs)
    check(directory, runs)
    return single, bare, machinery, reference


def time_pool(sweep: Sweep, runs: int, directory: Path, workers: int) -> float:
    """Wall seconds of the first ``runs`` runs on a pool, start-up included."""
    clock = time.perf_counter()
    store = SweepStore.open(directory, sweep)
    jobs = (sweep.job(run) for _, run in zip(range(runs), sweep.runs(), strict=False))
    execute(jobs, store.append, executor="pool", workers=workers, runs=runs)
    seconds = time.perf_counter() - clock
    check(directory, runs)
    return seconds


def check(directory: Path, runs: int) -> pd.DataFrame:
    """The runs recorded in ``directory``, checked: all there, once, and successful."""
    recorded = read_runs(directory)
    assert len(recorded) == runs and recorded["run_id"].is_unique, "runs missing"
    assert (recorded["status"] == "ok").all(), "runs failed"
    return recorded


class Clock:
    """Wall and CPU (this process) seconds of each ``with`` block, and their totals."""

    def __init__(self) -> None:
        self.walls: list[float] = []
        self.cpus: list[float] = []

    @property
    def wall(self) -> float:
        """Total wall seconds."""
        return sum(self.walls)

    @property
    def cpu(self) -> float:
        """Total CPU seconds."""
        return sum(self.cpus)

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.walls.append(time.perf_counter() - self._wall)
        self.cpus.append(time.process_time() - self._cpu)


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """The median of the blocks' ratios (one disturbed block does not sway it)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def time_command(file: Path, out: Path, workers: int) -> float:
    """Seconds of ``lewsim sweep FILE --out OUT --workers N`` in a fresh process."""
    command = [sys.executable, "-m", "simulation"]
    command += ["sweep", str(file), "--out", str(out), "--workers", str(workers), "-q"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    clock = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - clock


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs (default 1000)")
    parser.add_argument("--blocks", type=int, default=2, help="blocks timed in turns (2)")
    parser.add_argument("--workers", type=int, default=2, help="pool processes (default 2)")
    parser.add_argument("--seed", type=int, default=2019, help="the sweep's seed (2019)")
    options = parser.parse_args(argv)
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        directory = Path(scratch)
        file = directory / "bench.toml"
        file.write_text(sweep_text(options.runs, options.seed), encoding="utf-8")
        sweep = load_sweep(file)
        memory = available_memory()
        # The batch size the sweep itself chooses for these runs on these workers.
        size = batch_size(
            sweep.job(next(sweep.runs())).parameters,
            runs=math.ceil(options.runs / options.workers),
            memory=None if memory is None else memory / options.workers,
        )
        subset = min(options.runs, size * options.blocks)
        time_sequential(sweep, min(2, subset), 2, directory / "warm-up")  # first-run costs
        single, bare, machinery, reference = time_sequential(
            sweep, subset, size, directory / "sequential"
        )
        pooled = time_pool(sweep, subset, directory / "pool", options.workers)
        wall = time_command(file, directory / "full", options.workers)
        check(directory / "full", options.runs)

    load_after = os.getloadavg()
    batched = median_ratio(single.cpus, bare.cpus)
    batched_wall = median_ratio(single.walls, bare.walls)
    compiled = median_ratio(reference.cpus, bare.cpus)
    overhead = median_ratio(machinery.cpus, bare.cpus) - 1
    overhead_wall = median_ratio(machinery.walls, bare.walls) - 1
    subset_speedup = machinery.wall / pooled
    target = wall_target(options.runs)

    rows = [
        ("runs", f"{options.runs:,}; batches of {size}; {subset} timed in turns", ""),
        ("one at a time, subset", f"{single.wall:.1f} s, {single.cpu:.1f} s CPU", ""),
        ("bare batches, subset", f"{bare.wall:.1f} s, {bare.cpu:.1f} s CPU", ""),
        (
            "batched vs one at a time (CPU, median)",
            f"{batched:.2f}x (wall: {batched_wall:.2f}x)",
            f">= {BATCH_TARGET}x: {verdict(batched >= BATCH_TARGET)}",
        ),
        (
            "compiled loops vs numpy reference (CPU, batches)",
            f"{compiled:.2f}x ({reference.cpu:.1f} s vs {bare.cpu:.1f} s)",
            "",
        ),
        ("sweep, sequential, subset", f"{machinery.wall:.1f} s, {machinery.cpu:.1f} s CPU", ""),
        (
            "sweep overhead vs bare batches (CPU, median)",
            f"{overhead:+.1%} (wall: {overhead_wall:+.1%})",
            f"<= {OVERHEAD_TARGET:.0%}: {verdict(overhead <= OVERHEAD_TARGET)}",
        ),
        (f"sweep, pool of {options.workers}, subset", f"{pooled:.1f} s", ""),
        (
            "pool vs sequential on the subset",
            f"{subset_speedup:.2f}x",
            f">= {SPEEDUP_TARGET}x: {verdict(subset_speedup >= SPEEDUP_TARGET)}",
        ),
        (
            f"lewsim sweep --workers {options.workers}, {options.runs:,} runs",
            f"{wall:.1f} s ({options.runs / wall:.1f} runs/s)",
            f"<= {target:.0f} s: {verdict(wall <= target)}",
        ),
        (
            "one run alone, in a batch (wall)",
            f"{single.wall / subset:.3f} s, {bare.wall / subset:.3f} s",
            "",
        ),
        (
            "load average (1 min)",
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after",
            f"{os.cpu_count()} CPUs",
        ),
    ]
    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    print(f"bench_sweep: the default sector, 120 months, {options.workers} workers")
    for name, value, goal in rows:
        print(f"  {name:<{width}}  {value:<{value_width}}  {goal}".rstrip())


if __name__ == "__main__":
    main()
