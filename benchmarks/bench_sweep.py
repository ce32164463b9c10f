"""Speed of a sweep: 1,000 runs of the default sector on the 2-core process pool.

The sweep is the default sector (24 organisations, 120 months) replicated ``--runs``
times: a factorial design of one point over ``visits_programme_rate`` at its default, a
parameter that only a visits-programme event reads, so every run is the default sector on
its own seed. Three figures, each with its target (issue 10):

1. **Wall time** of ``lewsim sweep FILE --workers 2`` on all the runs, as a user runs it
   (a fresh process: imports, the timing run, the pool's start, the runs, the shards).
   Target: under 3 minutes for 1,000 runs.
2. **Throughput against sequential.** Runs per second of the pool against running the
   same sweep in one process. Sequential is timed on a subset (``--subset``, the sweep's
   first 60 runs) and scaled; the pool on the same subset gives a like-for-like ratio,
   and the full run's throughput another (its pool start-up spread over more runs).
   Target: at least 1.7x.
3. **Overhead** of the sweep machinery (job building, ``carry_out``, result rows, Parquet
   shards) against bare :func:`simulation.core.outcomes.run_outcomes` calls on the same runs,
   both sequential in this process, in blocks of two runs timed both ways in turn: the
   median of the blocks' ratios of CPU time (which other processes inflate less than
   wall time). Target: at most 10 %.

The machine this was written for has two cores shared with other work, so the load
average is printed before and after, and the mean time of one run inside the pool's
workers against in sequence: on a busy machine the workers share the cores with others,
which slows the pool (and the wall time) but is no cost of lewsim's.

Usage::

    python benchmarks/bench_sweep.py                # 1,000 runs: about 4 minutes
    python benchmarks/bench_sweep.py --runs 100     # a quicker look

The script always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from simulation.core.outcomes import DEFAULT_OUTCOMES, run_outcomes
from simulation.outputs.sweep_store import SweepStore, read_runs
from simulation.runs.jobs import Job
from simulation.runs.sweeps import Sweep, execute, load_sweep

WALL_TARGET_SECONDS = 180.0
WALL_TARGET_RUNS = 1000
SPEEDUP_TARGET = 1.7
OVERHEAD_TARGET = 0.10
ROOT = Path(__file__).resolve().parents[1]


def sweep_text(runs: int, seed: int) -> str:
    """A sweep of ``runs`` runs of the default sector (one point, ``runs`` replications)."""
    outputs = ", ".join(f'"{name}"' for name in DEFAULT_OUTCOMES)
    return (
        f'name = "bench"\nsteps = 120\nreplications = {runs}\nseed = {seed}\n'
        f'design = "factorial"\noutputs = [{outputs}]\n'
        "[parameters.visits_programme_rate]\nlevels = [0.2]\n"
    )


def time_sequential(
    sweep: Sweep, runs: int, directory: Path, block: int = 2
) -> tuple[Clock, Clock]:
    """Bare ``run_outcomes`` calls and the sweep machinery on the same runs, in this process.

    The first ``runs`` runs are timed in blocks, each block twice: as bare calls and
    through :func:`execute` into a shard store, the two in turn going first, so that a
    change in the machine's load falls on both alike. Each block of the sweep writes its
    own shard, more than a real sweep writes, so the overhead found is, if anything, high.

    Returns:
        The clocks of the bare calls and of the sweep (per block).
    """
    store = SweepStore.open(directory, sweep)
    chosen = [run for _, run in zip(range(runs), sweep.runs(), strict=False)]
    bare, machinery = Clock(), Clock()

    def run_bare(jobs: list[Job]) -> None:
        with bare:
            for job in jobs:
                run_outcomes(job.steps, job.run.seed, job.parameters, (), job.outputs, job.every)

    def run_sweep(jobs: list[Job]) -> None:
        with machinery:
            execute(iter(jobs), store.append, executor="sequential")

    for number, first in enumerate(range(0, len(chosen), block)):
        jobs = [sweep.job(run) for run in chosen[first : first + block]]
        for timed in (run_bare, run_sweep) if number % 2 == 0 else (run_sweep, run_bare):
            timed(jobs)
    check(directory, runs)
    return bare, machinery


def time_pool(sweep: Sweep, runs: int, directory: Path, workers: int) -> float:
    """Wall seconds of the first ``runs`` runs on a pool, start-up included."""
    clock = time.perf_counter()
    store = SweepStore.open(directory, sweep)
    jobs = (sweep.job(run) for _, run in zip(range(runs), sweep.runs(), strict=False))
    execute(jobs, store.append, executor="pool", workers=workers)
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
    parser.add_argument("--runs", type=int, default=WALL_TARGET_RUNS, help="runs (default 1000)")
    parser.add_argument("--subset", type=int, default=60, help="runs timed sequentially (60)")
    parser.add_argument("--workers", type=int, default=2, help="pool processes (default 2)")
    parser.add_argument("--seed", type=int, default=2019, help="the sweep's seed (2019)")
    options = parser.parse_args(argv)
    subset = max(1, min(options.subset, options.runs))
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        directory = Path(scratch)
        file = directory / "bench.toml"
        file.write_text(sweep_text(options.runs, options.seed), encoding="utf-8")
        sweep = load_sweep(file)
        time_sequential(sweep, 2, directory / "warm-up")  # imports and first-run costs
        bare, machinery = time_sequential(sweep, subset, directory / "sequential")
        pooled = time_pool(sweep, subset, directory / "pool", options.workers)
        in_pool = check(directory / "pool", subset)["wall_time"].mean()
        in_sequence = check(directory / "sequential", subset)["wall_time"].mean()
        wall = time_command(file, directory / "full", options.workers)
        check(directory / "full", options.runs)

    load_after = os.getloadavg()
    per_run = machinery.wall / subset
    scaled_sequential = per_run * options.runs
    overhead = median_ratio(machinery.cpus, bare.cpus) - 1
    overhead_wall = median_ratio(machinery.walls, bare.walls) - 1
    subset_speedup = machinery.wall / pooled
    full_speedup = scaled_sequential / wall
    wall_target = WALL_TARGET_SECONDS * options.runs / WALL_TARGET_RUNS

    rows = [
        ("runs", f"{options.runs:,} (sequential subset {subset})", ""),
        ("bare run_outcomes, subset", f"{bare.wall:.1f} s, {bare.cpu:.1f} s CPU", ""),
        ("sweep, sequential, subset", f"{machinery.wall:.1f} s, {machinery.cpu:.1f} s CPU", ""),
        (
            "sweep overhead vs bare (CPU, median)",
            f"{overhead:+.1%} (wall: {overhead_wall:+.1%})",
            f"<= {OVERHEAD_TARGET:.0%}: {verdict(overhead <= OVERHEAD_TARGET)}",
        ),
        (f"sweep, pool of {options.workers}, subset", f"{pooled:.1f} s", ""),
        (
            "speed-up on the subset",
            f"{subset_speedup:.2f}x",
            f">= {SPEEDUP_TARGET}x: {verdict(subset_speedup >= SPEEDUP_TARGET)}",
        ),
        (
            f"lewsim sweep, {options.runs:,} runs",
            f"{wall:.1f} s ({options.runs / wall:.2f} runs/s)",
            f"< {wall_target:.0f} s: {verdict(wall < wall_target)}",
        ),
        ("sequential, scaled", f"{scaled_sequential:.1f} s ({per_run:.3f} s a run)", ""),
        (
            "speed-up on the full run",
            f"{full_speedup:.2f}x",
            f">= {SPEEDUP_TARGET}x: {verdict(full_speedup >= SPEEDUP_TARGET)}",
        ),
        (
            "one run: in sequence, in the pool",
            f"{in_sequence:.3f} s, {in_pool:.3f} s",
            "equal on an idle machine",
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
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:<{value_width}}  {target}".rstrip())


if __name__ == "__main__":
    main()
