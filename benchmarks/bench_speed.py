"""Speed and memory benchmark of lewsim, reported against Mesa's own Boltzmann wealth model.

Three parts, all in one run:

1. **Speed against Mesa.** lewsim's ``SectorModel`` with about 10,000 staff stepping 120
   months, against Mesa 3.5.1's ``BoltzmannWealth`` example with 10,000 agents, in
   agent-steps per second (agents x steps / seconds of stepping). The two models are
   stepped in turns in one process (one Boltzmann step, then the next six lewsim months),
   so that both see the same machine, and this pair is repeated; the median of the
   per-pair ratios is compared with the target: lewsim at least 20x faster. A second
   lewsim model that reads ``model.agents`` after every month (as a user collecting
   agent data would, so every newcomer's Mesa agent is created) is stepped in the same
   turns, for information.
2. **Scaling.** Seconds per staff-month at about 10k, 100k and 1M staff, the three
   sectors stepped in turns in one fresh process (each turn one month of the largest and
   the matching share of the others' months). Target: the largest of the three costs
   within 1.5x of the smallest.
3. **Memory.** Peak resident memory per staff member, above what the process held after
   its imports, with every staff member's Mesa agent created (lewsim creates them when
   first asked for; the child asks after the timed months, and times that too). Target:
   at most 2 KB per staff member at 1M staff.

Part 3 runs each size in a fresh child process (this script with ``--child``) so that
neither peaks nor heaps mix between sizes; those children also time their months, and
where the time goes, for information. The machine this was written for is small,
shared and noisy, so speeds are compared as ratios measured within the same run, and a
small fixed workload is timed before and after every run: a run around which it was more
than 15 % slower than at its fastest is flagged as disturbed (CPU time cannot show this in
a virtual machine whose host is busy). Stepping models in turns matters there: run one
after the other, two halves of a pair met machine speeds up to 1.5x apart, and the
separate processes of the sizes up to 2x.

Usage::

    python benchmarks/bench_speed.py            # full run (about a minute; ~1 GB of RAM)
    python benchmarks/bench_speed.py --quick    # 10k and 100k once, one pair: a smoke run
    python benchmarks/bench_speed.py --seed 7 --json results/bench.json

The script always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

import simulation
import simulation.core.model
from simulation import Parameters, SectorModel

SPEED_RATIO_TARGET = 20.0
SCALING_SPREAD_TARGET = 1.5
BYTES_PER_STAFF_TARGET = 2048
MEMORY_TARGET_STAFF = 1_000_000

COMPARISON_STAFF = 10_000
COMPARISON_MONTHS = 120
BOLTZMANN_AGENTS = 10_000
BOLTZMANN_GRID = (100, 100)
# Boltzmann's first two steps are several times slower than the rest, so a run of few
# steps flatters the ratio; 20 steps (200,000 agent-steps) is a fair compromise.
BOLTZMANN_STEPS = 20

# (staff, months, runs) of each size: the months of the scaling run, and the runs of the
# size's own child process (the run of median cost is kept); --quick leaves out 1M.
FULL_SIZES = ((10_000, 120, 1), (100_000, 60, 1), (1_000_000, 24, 1))
QUICK_SIZES = ((10_000, 120, 1), (100_000, 60, 1))

# Steps left out of the "after start" rates: Boltzmann's first two steps are its slowest.
START_STEPS = 2

# A run around which the reference workload took this much longer than at its fastest in
# the benchmark is flagged as disturbed.
DISTURBED_PACE = 1.15


@dataclass
class Timing:
    """One timed run of a model.

    Attributes:
        model: Which model ran ("lewsim" or "boltzmann").
        setup_s: Wall seconds to build the model.
        step_s: Wall seconds of each step.
        agents_per_step: Agents present at the start of each step (lewsim's staff varies).
        step_cpu_s: CPU seconds of this process during the steps.
        pace: Seconds of the fixed reference workload (:func:`machine_pace`) just before
            and just after the run; it grows when the machine is busy with something else.
    """

    model: str
    setup_s: float
    step_s: list[float]
    agents_per_step: list[int]
    step_cpu_s: float
    pace: tuple[float, float]

    @property
    def agents(self) -> int:
        """Agents when stepping began."""
        return self.agents_per_step[0]

    @property
    def steps(self) -> int:
        """Steps run."""
        return len(self.step_s)

    @property
    def total_step_s(self) -> float:
        """Wall seconds of stepping."""
        return sum(self.step_s)

    @property
    def agent_steps(self) -> int:
        """Agent-steps done: the agents present at each step, summed over the steps."""
        return sum(self.agents_per_step)

    @property
    def rate(self) -> float:
        """Agent-steps per wall second of stepping."""
        return self.agent_steps / self.total_step_s

    @property
    def rate_after_start(self) -> float:
        """Agent-steps per second leaving out the first :data:`START_STEPS` steps.

        With no more steps than that, the rate over all steps.
        """
        if self.steps <= START_STEPS:
            return self.rate
        later = slice(START_STEPS, None)
        return sum(self.agents_per_step[later]) / sum(self.step_s[later])

    @property
    def median_step_cost(self) -> float:
        """Median over the steps of seconds per agent-step: robust to a disturbed stretch."""
        return statistics.median(
            seconds / agents
            for seconds, agents in zip(self.step_s, self.agents_per_step, strict=True)
        )

    @property
    def cpu_share(self) -> float:
        """CPU seconds over wall seconds while stepping (about 1 unless kept waiting)."""
        return self.step_cpu_s / self.total_step_s

    @property
    def mean_pace(self) -> float:
        """Mean of the reference-workload times before and after the run."""
        return sum(self.pace) / 2

    def as_dict(self) -> dict[str, Any]:
        """The timing and its derived figures, for JSON."""
        return {
            **asdict(self),
            "agents": self.agents,
            "steps": self.steps,
            "total_step_s": self.total_step_s,
            "agent_steps": self.agent_steps,
            "agent_steps_per_s": self.rate,
            "agent_steps_per_s_after_start": self.rate_after_start,
            "median_step_cost_s": self.median_step_cost,
            "cpu_share": self.cpu_share,
        }


@dataclass
class ChildResult:
    """What one child process measured for one model size.

    Attributes:
        requested_staff: Staff asked for (sets ``n_orgs``).
        n_orgs: Organisations built.
        timing: Set-up and stepping times.
        baseline_kib: Resident memory after imports, before the model (KiB).
        peak_after_setup_kib: Peak resident memory once the model was built (KiB).
        peak_kib: Peak resident memory at the end of the run (KiB).
        ru_maxrss_kib: ``getrusage`` peak at the end, for comparison (KiB).
        peak_was_reset: Whether the peak was reset to the baseline before the model.
        process_s: Wall seconds spent in each monthly process, summed over the steps
            of the median run.
        run_costs: Seconds per staff-month of every run (``timing`` is the median run).
        first_look_s: Wall seconds of the first read of ``model.agents`` after the first
            run (creates every Mesa agent not created yet; counted in ``peak_kib``).
    """

    requested_staff: int
    n_orgs: int
    timing: Timing
    baseline_kib: int
    peak_after_setup_kib: int
    peak_kib: int
    ru_maxrss_kib: int
    peak_was_reset: bool
    process_s: dict[str, float] = field(default_factory=dict)
    run_costs: list[float] = field(default_factory=list)
    first_look_s: float = 0.0

    @property
    def staff(self) -> int:
        """Staff present after set-up."""
        return self.timing.agents

    @property
    def seconds_per_staff_month(self) -> float:
        """Wall seconds of stepping per staff-month."""
        return self.timing.total_step_s / self.timing.agent_steps

    @property
    def setup_s_per_staff(self) -> float:
        """Wall seconds of set-up per staff member."""
        return self.timing.setup_s / self.staff

    @property
    def bytes_per_staff(self) -> float:
        """Peak resident memory above the baseline, per staff member, in bytes."""
        return (self.peak_kib - self.baseline_kib) * 1024 / self.staff

    @property
    def setup_bytes_per_staff(self) -> float:
        """Peak resident memory above the baseline once built, per staff member, in bytes."""
        return (self.peak_after_setup_kib - self.baseline_kib) * 1024 / self.staff

    def as_dict(self) -> dict[str, Any]:
        """The measurements and their derived figures, for JSON."""
        figures = asdict(self)
        figures["timing"] = self.timing.as_dict()
        figures.update(
            staff=self.staff,
            seconds_per_staff_month=self.seconds_per_staff_month,
            setup_s_per_staff=self.setup_s_per_staff,
            bytes_per_staff=self.bytes_per_staff,
            setup_bytes_per_staff=self.setup_bytes_per_staff,
        )
        return figures

    @classmethod
    def from_dict(cls, figures: dict[str, Any]) -> ChildResult:
        """Rebuild a result from the dict a child printed."""
        timing_fields = Timing.__dataclass_fields__
        timing = Timing(**{k: v for k, v in figures["timing"].items() if k in timing_fields})
        timing.pace = tuple(timing.pace)
        own_fields = set(cls.__dataclass_fields__) - {"timing"}
        return cls(timing=timing, **{k: v for k, v in figures.items() if k in own_fields})


# ---- measuring ------------------------------------------------------------------------------


def read_status_kib(key: str) -> int | None:
    """A memory figure of this process from ``/proc/self/status`` (Linux), in KiB.

    Args:
        key: The field, e.g. ``"VmRSS"`` (resident now) or ``"VmHWM"`` (peak resident).

    Returns:
        The value in KiB, or None where ``/proc`` is not available.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def ru_maxrss_kib() -> int:
    """Peak resident memory as ``getrusage`` reports it, in KiB (it is bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def current_rss_kib() -> int:
    """Resident memory now, in KiB (the ``getrusage`` peak where ``/proc`` is missing)."""
    rss = read_status_kib("VmRSS")
    return rss if rss is not None else ru_maxrss_kib()


def reset_peak_rss() -> bool:
    """Reset this process's peak resident memory to its current value (Linux).

    Returns:
        Whether it was reset (writing ``5`` to ``/proc/self/clear_refs``).
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def peak_rss_kib() -> int:
    """Peak resident memory of this process image, in KiB.

    ``VmHWM`` of ``/proc/self/status`` is preferred to ``getrusage``'s ``ru_maxrss``: on
    Linux a child inherits its parent's ``ru_maxrss`` across ``fork`` and ``exec``, so a
    child started by a parent holding 300 MB reports at least 300 MB whatever it does.
    """
    peak = read_status_kib("VmHWM")
    return peak if peak is not None else ru_maxrss_kib()


def machine_pace(repeats: int = 5) -> float:
    """Seconds a small fixed workload takes now (median of ``repeats``; about 20 ms).

    The workload mixes interpreted Python and numpy, like the models, and holds under 1 MB
    so that it does not raise a memory peak. Timed next to each run, it shows when the
    machine itself was slow (another process on the core, or the virtual machine's host
    busy), which CPU time cannot show inside a virtual machine.
    """
    data = np.random.default_rng(0).random(40_000)
    bins = (data * 1000).astype(np.int64)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for number in range(150_000):
            total += number * number % 7
        for _ in range(8):
            np.sort(data)
            np.bincount(bins, weights=data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def n_orgs_for(staff: int) -> int:
    """Organisations giving about ``staff`` staff at the default mean organisation size."""
    return max(1, round(staff / Parameters().mean_org_size))


def lewsim_staff(model: SectorModel) -> int:
    """Staff members currently in a lewsim sector."""
    return int(model.staff.active.sum())


def boltzmann_agents(model: BoltzmannWealth) -> int:
    """Agents in a Boltzmann wealth model."""
    return len(model.agents)


def step_timed(
    model: mesa.Model, steps: int, count_agents: Callable[[Any], int]
) -> tuple[list[float], list[int], float]:
    """Step a model, timing each step and counting its agents between steps (untimed).

    Args:
        model: The model.
        steps: Steps to run.
        count_agents: Returns the model's number of agents.

    Returns:
        Wall seconds of each step, agents at the start of each step, and the CPU seconds
        of this process spent inside the steps.
    """
    step_s, agents = [], []
    cpu_s = 0.0
    for _ in range(steps):
        agents.append(count_agents(model))
        cpu_started = time.process_time()
        started = time.perf_counter()
        model.step()
        step_s.append(time.perf_counter() - started)
        cpu_s += time.process_time() - cpu_started
    return step_s, agents, cpu_s


def warm_up(seed: int) -> None:
    """Build and step a small sector, so that one-off first-call costs are paid untimed."""
    model = SectorModel(rng=seed, n_orgs=10)
    for _ in range(3):
        model.step()
    del model
    gc.collect()


def run_sector(staff: int, months: int, seed: int) -> tuple[Timing, SectorModel, int]:
    """Build a sector of about ``staff`` staff, step it ``months`` months, and time it.

    Args:
        staff: Staff wanted (sets ``n_orgs``; the real number is read from the model).
        months: Steps to time.
        seed: The model's seed.

    Returns:
        The timing, the model, and the peak resident memory once it was built (KiB).
    """
    pace_before = machine_pace()
    started = time.perf_counter()
    model = SectorModel(rng=seed, n_orgs=n_orgs_for(staff))
    setup_s = time.perf_counter() - started
    peak_after_setup = peak_rss_kib()
    step_s, agents, cpu_s = step_timed(model, months, lewsim_staff)
    timing = Timing("lewsim", setup_s, step_s, agents, cpu_s, (pace_before, machine_pace()))
    return timing, model, peak_after_setup


def time_boltzmann(agents: int, steps: int, seed: int) -> Timing:
    """Build Mesa's Boltzmann wealth example on a 100 x 100 grid, step it, and time it.

    Args:
        agents: Number of agents.
        steps: Steps to time.
        seed: The model's seed.

    Returns:
        The timing.
    """
    gc.collect()
    pace_before = machine_pace()
    width, height = BOLTZMANN_GRID
    started = time.perf_counter()
    model = BoltzmannWealth(
        scenario=BoltzmannScenario(n=agents, width=width, height=height, rng=seed)
    )
    setup_s = time.perf_counter() - started
    step_s, counts, cpu_s = step_timed(model, steps, boltzmann_agents)
    del model
    gc.collect()
    return Timing("boltzmann", setup_s, step_s, counts, cpu_s, (pace_before, machine_pace()))


def timed_processes(totals: dict[str, float]) -> tuple[Callable[[SectorModel], None], ...]:
    """The monthly processes, each wrapped to add its wall time to ``totals``.

    Args:
        totals: Seconds per process name, added to on every call.

    Returns:
        Wrapped processes, in the model's order.
    """

    def timed(process: Callable[[SectorModel], None]) -> Callable[[SectorModel], None]:
        name = process.__name__
        totals[name] = 0.0

        def run(model: SectorModel) -> None:
            started = time.perf_counter()
            process(model)
            totals[name] += time.perf_counter() - started

        return run

    return tuple(timed(process) for process in simulation.core.model.MONTHLY_PROCESSES)


def child_main(staff: int, months: int, runs: int, seed: int) -> None:
    """Measure one size in this (fresh) process and print the result as one JSON line.

    A small sector is run first, so that one-off first-call costs (about 30 ms in a fresh
    process) are neither timed nor counted as the model's memory. The peak is then reset
    to the current resident memory, where the system allows it, and memory is measured
    on the first run; with ``runs`` above 1 the model is built and run again (after freeing
    the previous one) and the run of median cost per staff-month is kept. The monthly
    processes are timed one by one by swapping ``MONTHLY_PROCESSES`` in
    ``simulation.core.model`` for timed wrappers (microseconds per month in all). The process
    ends without tearing the last model down, which at 1M agents would only cost time.

    Args:
        staff: Staff wanted.
        months: Months to step.
        runs: Times to build and run the model.
        seed: The model's seed.
    """
    warm_up(seed)
    process_s: dict[str, float] = {}
    simulation.core.model.MONTHLY_PROCESSES = timed_processes(process_s)
    gc.collect()
    peak_was_reset = reset_peak_rss()
    baseline = current_rss_kib()
    timing, model, peak_after_setup = run_sector(staff, months, seed)
    started = time.perf_counter()
    if len(model.agents) != lewsim_staff(model):
        raise RuntimeError("model.agents does not list every staff member")
    first_look_s = time.perf_counter() - started
    peak = peak_rss_kib()
    n_orgs = model.n_orgs
    measured = [(timing, dict(process_s))]
    for _ in range(runs - 1):
        model = None
        gc.collect()
        process_s.update(dict.fromkeys(process_s, 0.0))
        timing, model, _ = run_sector(staff, months, seed)
        measured.append((timing, dict(process_s)))

    def cost(run: tuple[Timing, dict[str, float]]) -> float:
        return run[0].total_step_s / run[0].agent_steps

    median_timing, median_process_s = sorted(measured, key=cost)[len(measured) // 2]
    result = ChildResult(
        requested_staff=staff,
        n_orgs=n_orgs,
        timing=median_timing,
        baseline_kib=baseline,
        peak_after_setup_kib=peak_after_setup,
        peak_kib=peak,
        ru_maxrss_kib=ru_maxrss_kib(),
        peak_was_reset=peak_was_reset,
        process_s=median_process_s,
        run_costs=[cost(run) for run in measured],
        first_look_s=first_look_s,
    )
    print(json.dumps(result.as_dict()), flush=True)
    os._exit(0)


def scaling_child_main(sizes: list[tuple[int, int]], seed: int) -> None:
    """Step a sector of every size in turns in this (fresh) process; print JSON timings.

    There are as many turns as the fewest months of any size (the largest sector's); in
    each, the largest sector steps first, then the others their share of their months.

    Args:
        sizes: (staff, months) of each size, smallest first.
        seed: Seed of every model.
    """
    warm_up(seed)
    gc.collect()
    pace_before = machine_pace()
    models, setup_s = [], []
    for staff, _ in sizes:
        started = time.perf_counter()
        models.append(SectorModel(rng=seed, n_orgs=n_orgs_for(staff)))
        setup_s.append(time.perf_counter() - started)
    turns = min(months for _, months in sizes)
    shares = [months_per_turn(months, turns) for _, months in sizes]
    step_s: list[list[float]] = [[] for _ in sizes]
    agents: list[list[int]] = [[] for _ in sizes]
    cpu_s = [0.0 for _ in sizes]
    for turn in range(turns):
        for index in reversed(range(len(sizes))):
            for _ in range(shares[index][turn]):
                agents[index].append(lewsim_staff(models[index]))
                cpu_started = time.process_time()
                started = time.perf_counter()
                models[index].step()
                step_s[index].append(time.perf_counter() - started)
                cpu_s[index] += time.process_time() - cpu_started
    pace = (pace_before, machine_pace())
    timings = [
        Timing("lewsim", setup_s[i], step_s[i], agents[i], cpu_s[i], pace)
        for i in range(len(sizes))
    ]
    print(json.dumps([timing.as_dict() for timing in timings]), flush=True)
    os._exit(0)


def run_scaling_child(sizes: tuple[tuple[int, int, int], ...], seed: int) -> list[Timing]:
    """Run :func:`scaling_child_main` in a fresh Python process.

    Args:
        sizes: (staff, months, runs) of each size (runs are not used here).
        seed: Seed of every model.

    Returns:
        One timing per size.

    Raises:
        RuntimeError: If the child fails.
    """
    spec = ",".join(f"{staff}:{months}" for staff, months, _ in sizes)
    command = [sys.executable, str(Path(__file__).resolve()), "--scaling-child", spec]
    command += ["--seed", str(seed)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"scaling child failed ({completed.returncode}):\n{completed.stderr}")
    fields = Timing.__dataclass_fields__
    timings = []
    for figures in json.loads(completed.stdout.strip().splitlines()[-1]):
        timing = Timing(**{k: v for k, v in figures.items() if k in fields})
        timing.pace = tuple(timing.pace)
        timings.append(timing)
    return timings


def run_child(staff: int, months: int, runs: int, seed: int) -> ChildResult:
    """Run :func:`child_main` for one size in a fresh Python process.

    Args:
        staff: Staff wanted.
        months: Months to step.
        runs: Times to build and run the model.
        seed: The model's seed.

    Returns:
        The child's measurements.

    Raises:
        RuntimeError: If the child fails.
    """
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--staff",
        str(staff),
        "--months",
        str(months),
        "--runs",
        str(runs),
        "--seed",
        str(seed),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"child for {staff:,} staff failed ({completed.returncode}):\n{completed.stderr}"
        )
    return ChildResult.from_dict(json.loads(completed.stdout.strip().splitlines()[-1]))


# ---- reporting ------------------------------------------------------------------------------


def verdict(passed: bool) -> str:
    """PASS or MISS."""
    return "PASS" if passed else "MISS"


def slowness(timing: Timing, best_pace: float) -> float:
    """How much slower the machine was around a run than at its fastest in this benchmark."""
    return timing.mean_pace / best_pace


def disturbance_note(timing: Timing, best_pace: float) -> str:
    """A warning when the machine was markedly slower around a run, else nothing."""
    factor = slowness(timing, best_pace)
    return f"  <- machine {factor:.2f}x slower: disturbed" if factor > DISTURBED_PACE else ""


def machine_info() -> dict[str, Any]:
    """Versions and hardware, to print at the top and keep with the figures."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "lewsim": simulation.__version__,
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def print_machine(info: dict[str, Any]) -> None:
    """Print the machine block."""
    print("lewsim speed benchmark")
    print("=" * 78)
    print(
        f"Python {info['python']} ({info['implementation']}), numpy {info['numpy']}, "
        f"mesa {info['mesa']}, lewsim {info['lewsim']}"
    )
    print(f"{info['platform']} ({info['processor']})")
    print(f"CPUs: {info['cpu_count']} (usable: {info['usable_cpus']})")
    if info["load_average"] is not None:
        one, five, fifteen = info["load_average"]
        print(f"Load average at start: {one:.2f} {five:.2f} {fifteen:.2f}")


def months_per_turn(months: int, turns: int) -> list[int]:
    """Split ``months`` lewsim months over ``turns`` turns as evenly as possible."""
    return [(turn + 1) * months // turns - turn * months // turns for turn in range(turns)]


def interleaved_pair(boltzmann_steps: int, seed: int) -> tuple[Timing, Timing, Timing]:
    """Step lewsim, lewsim reading its agents, and Boltzmann in turns, timing every step.

    Each turn is one Boltzmann step, then lewsim's share of its 120 months, then the same
    months of the reading lewsim (whose timed month includes ``len(model.agents)``).

    Args:
        boltzmann_steps: Steps of the Boltzmann model (the number of turns).
        seed: Seed of every model.

    Returns:
        The timings of lewsim, the reading lewsim and Boltzmann (sharing one pace pair).
    """
    gc.collect()
    pace_before = machine_pace()
    started = time.perf_counter()
    lewsim = SectorModel(rng=seed, n_orgs=n_orgs_for(COMPARISON_STAFF))
    lewsim_setup_s = time.perf_counter() - started
    started = time.perf_counter()
    reader = SectorModel(rng=seed, n_orgs=n_orgs_for(COMPARISON_STAFF))
    len(reader.agents)
    reader_setup_s = time.perf_counter() - started
    width, height = BOLTZMANN_GRID
    started = time.perf_counter()
    boltzmann = BoltzmannWealth(
        scenario=BoltzmannScenario(n=BOLTZMANN_AGENTS, width=width, height=height, rng=seed)
    )
    boltzmann_setup_s = time.perf_counter() - started

    def step_only(model: mesa.Model) -> None:
        model.step()  # the instance's step: Mesa's wrapper, which advances model.steps

    def step_and_read_agents(model: SectorModel) -> None:
        model.step()
        len(model.agents)

    runs = {
        "lewsim": (lewsim, step_only, lewsim_staff),
        "lewsim_reading_agents": (reader, step_and_read_agents, lewsim_staff),
        "boltzmann": (boltzmann, step_only, boltzmann_agents),
    }
    step_s: dict[str, list[float]] = {name: [] for name in runs}
    agents: dict[str, list[int]] = {name: [] for name in runs}
    cpu_s = dict.fromkeys(runs, 0.0)

    def step(name: str) -> None:
        model, advance, count_agents = runs[name]
        agents[name].append(count_agents(model))
        cpu_started = time.process_time()
        step_started = time.perf_counter()
        advance(model)
        step_s[name].append(time.perf_counter() - step_started)
        cpu_s[name] += time.process_time() - cpu_started

    for months in months_per_turn(COMPARISON_MONTHS, boltzmann_steps):
        step("boltzmann")
        for _ in range(months):
            step("lewsim")
        for _ in range(months):
            step("lewsim_reading_agents")
    if not lewsim.month == reader.month == COMPARISON_MONTHS:
        raise RuntimeError(f"lewsim ran {lewsim.month} months, not {COMPARISON_MONTHS}")
    runs.clear()  # let the models go before the pace is taken again
    del lewsim, reader, boltzmann
    gc.collect()
    pace = (pace_before, machine_pace())
    setup_s = {
        "lewsim": lewsim_setup_s,
        "lewsim_reading_agents": reader_setup_s,
        "boltzmann": boltzmann_setup_s,
    }
    timings = [
        Timing(name, setup_s[name], step_s[name], agents[name], cpu_s[name], pace)
        for name in ("lewsim", "lewsim_reading_agents", "boltzmann")
    ]
    return timings[0], timings[1], timings[2]


def compare_with_boltzmann(
    repeats: int, boltzmann_steps: int, seed: int
) -> list[tuple[Timing, Timing, Timing]]:
    """Part 1, measuring: ``repeats`` interleaved runs, after a short warm-up.

    Args:
        repeats: Number of interleaved runs.
        boltzmann_steps: Steps of each Boltzmann run.
        seed: Seed of every run.

    Returns:
        Per run, the timings of lewsim, the reading lewsim and Boltzmann.
    """
    print(f"Part 1: {repeats} interleaved (lewsim, Boltzmann) pairs ...", end=" ", flush=True)
    started = time.perf_counter()
    warm_up(seed)
    time_boltzmann(1_000, 2, seed)
    runs = [interleaved_pair(boltzmann_steps, seed) for _ in range(repeats)]
    print(f"took {time.perf_counter() - started:.1f} s")
    return runs


def report_comparison(
    runs: list[tuple[Timing, Timing, Timing]], best_pace: float
) -> dict[str, Any]:
    """Part 1, reporting: rates, medians, the median per-pair ratio and the verdict.

    Args:
        runs: Per interleaved run, the timings of lewsim, the reading lewsim and Boltzmann.
        best_pace: The fastest reference-workload time of the benchmark.

    Returns:
        The figures and the verdict, for JSON.
    """
    print()
    print("1. lewsim vs Mesa's BoltzmannWealth (agent-steps per second, steps only)")
    print("-" * 78)
    for index, (lewsim_run, reader_run, boltzmann_run) in enumerate(runs, start=1):
        print(
            f"  pair {index}: lewsim    {lewsim_run.agents:>6,} staff  x {lewsim_run.steps:>3} "
            f"months in {lewsim_run.total_step_s:5.2f} s (set-up {lewsim_run.setup_s:.2f} s) "
            f"= {lewsim_run.rate:>10,.0f}/s{disturbance_note(lewsim_run, best_pace)}"
        )
        print(
            f"          boltzmann {boltzmann_run.agents:>6,} agents x {boltzmann_run.steps:>3} "
            f"steps  in {boltzmann_run.total_step_s:5.2f} s (set-up {boltzmann_run.setup_s:.2f} s) "
            f"= {boltzmann_run.rate:>10,.0f}/s"
        )
        print(
            f"          ratio {lewsim_run.rate / boltzmann_run.rate:.1f}x; reading model.agents "
            f"monthly: {reader_run.total_step_s:.2f} s, "
            f"ratio {reader_run.rate / boltzmann_run.rate:.1f}x"
        )

    lewsim_rate = statistics.median(run[0].rate for run in runs)
    boltzmann_rate = statistics.median(run[2].rate for run in runs)
    ratio = statistics.median(run[0].rate / run[2].rate for run in runs)
    reading_ratio = statistics.median(run[1].rate / run[2].rate for run in runs)
    passed = ratio >= SPEED_RATIO_TARGET
    print(f"  median lewsim    : {lewsim_rate:>12,.0f} agent-steps/s")
    print(f"  median Boltzmann : {boltzmann_rate:>12,.0f} agent-steps/s")
    print(
        f"  median ratio     : {ratio:>12.1f}x   (target >= {SPEED_RATIO_TARGET:.0f}x) "
        f"{verdict(passed)}"
    )
    print(f"  for information, lewsim reading model.agents every month: ratio {reading_ratio:.1f}x")
    steady_ratio = statistics.median(
        run[0].rate_after_start / run[2].rate_after_start for run in runs
    )
    print(
        f"  for information, leaving out each run's first {START_STEPS} steps: "
        f"Boltzmann {statistics.median(run[2].rate_after_start for run in runs):,.0f}/s, "
        f"ratio {steady_ratio:.1f}x"
    )
    return {
        "runs": [
            {"lewsim": a.as_dict(), "lewsim_reading_agents": b.as_dict(), "boltzmann": c.as_dict()}
            for a, b, c in runs
        ],
        "median_lewsim_agent_steps_per_s": lewsim_rate,
        "median_boltzmann_agent_steps_per_s": boltzmann_rate,
        "median_ratio": ratio,
        "median_ratio_reading_agents": reading_ratio,
        "median_ratio_after_start": steady_ratio,
        "target": SPEED_RATIO_TARGET,
        "passed": passed,
    }


def measure_sizes(sizes: tuple[tuple[int, int, int], ...], seed: int) -> list[ChildResult]:
    """Parts 2 and 3, measuring: each size in its own child process, printing progress.

    Args:
        sizes: (staff, months, runs) of each size.
        seed: Seed of every run.

    Returns:
        One result per size.
    """
    print("Part 3: one child process per size ...", flush=True)
    results = []
    for staff, months, runs in sizes:
        started = time.perf_counter()
        result = run_child(staff, months, runs, seed)
        costs = ", ".join(f"{cost * 1e6:.3f}" for cost in result.run_costs)
        print(
            f"  {result.staff:>9,} staff ({result.n_orgs:,} orgs), {months} months x {runs} "
            f"run(s): {costs} us/staff-month; child took {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        results.append(result)
    return results


def measure_scaling(sizes: tuple[tuple[int, int, int], ...], seed: int) -> list[Timing]:
    """Part 2, measuring: every size stepped in turns in one child process.

    Args:
        sizes: (staff, months, runs) of each size.
        seed: Seed of every run.

    Returns:
        One timing per size.
    """
    print("Part 2: the sizes stepped in turns in one child process ...", end=" ", flush=True)
    started = time.perf_counter()
    timings = run_scaling_child(sizes, seed)
    print(f"took {time.perf_counter() - started:.1f} s", flush=True)
    return timings


def cost_per_staff_month(timing: Timing) -> float:
    """Wall seconds of stepping per staff-month."""
    return timing.total_step_s / timing.agent_steps


def report_scaling(
    in_turns: list[Timing], results: list[ChildResult], best_pace: float
) -> dict[str, Any]:
    """Part 2, reporting: cost per staff-month at each size, its spread, and the verdict.

    Args:
        in_turns: One timing per size, from the sizes stepped in turns.
        results: One child result per size (own process: for information and set-up).
        best_pace: The fastest reference-workload time of the benchmark.

    Returns:
        The figures and the verdict, for JSON.
    """
    print()
    print("2. Scaling: cost per staff-month (steps only) and set-up cost per staff")
    print("-" * 78)
    print(
        f"  {'staff':>9}  {'months':>6}  {'steps s':>8}  {'us/staff-month':>14}  "
        f"{'(median step)':>13}  {'own process':>11}  {'set-up s':>8}  {'us/staff set-up':>15}"
    )
    for timing, result in zip(in_turns, results, strict=True):
        print(
            f"  {timing.agents:>9,}  {timing.steps:>6}  {timing.total_step_s:>8.2f}  "
            f"{cost_per_staff_month(timing) * 1e6:>14.3f}  "
            f"{timing.median_step_cost * 1e6:>13.3f}  "
            f"{result.seconds_per_staff_month * 1e6:>11.3f}  {result.timing.setup_s:>8.2f}  "
            f"{result.setup_s_per_staff * 1e6:>15.2f}"
            f"{disturbance_note(result.timing, best_pace)}"
        )
    print(
        f"  (us/staff-month: the sizes stepped in turns in one process, machine "
        f"{slowness(in_turns[0], best_pace):.2f}x its fastest around them; own process: the\n"
        "   size alone in its memory run, for information, which the 'disturbed' notes and\n"
        "   set-up columns are from; set-up does not create Mesa agents, see part 3)"
    )
    costs = [cost_per_staff_month(timing) for timing in in_turns]
    spread = max(costs) / min(costs)
    passed = spread <= SCALING_SPREAD_TARGET
    median_costs = [timing.median_step_cost for timing in in_turns]
    median_spread = max(median_costs) / min(median_costs)
    own_costs = [result.seconds_per_staff_month for result in results]
    own_spread = max(own_costs) / min(own_costs)
    print(
        f"  max/min cost per staff-month: {spread:.2f}x   "
        f"(target <= {SCALING_SPREAD_TARGET}x) {verdict(passed)}"
    )
    print(
        f"  for information, the same from the median steps: {median_spread:.2f}x; "
        f"from the sizes' own processes: {own_spread:.2f}x"
    )

    largest = results[-1]
    in_processes = sum(largest.process_s.values())
    print(
        f"  where the steps' time goes at {largest.staff:,} staff "
        f"({largest.timing.steps} months, {in_processes:.2f} s in the monthly processes):"
    )
    for name, seconds in sorted(largest.process_s.items(), key=lambda item: -item[1]):
        print(f"    {name:<24} {seconds:>7.2f} s  {100 * seconds / in_processes:>5.1f} %")
    return {
        "in_turns": [timing.as_dict() for timing in in_turns],
        "sizes": [result.as_dict() for result in results],
        "max_over_min_cost": spread,
        "max_over_min_median_step_cost": median_spread,
        "max_over_min_cost_own_processes": own_spread,
        "target": SCALING_SPREAD_TARGET,
        "passed": passed,
    }


def report_memory(results: list[ChildResult]) -> dict[str, Any]:
    """Part 3, reporting: peak resident memory per staff member at each size.

    Args:
        results: One child result per size.

    Returns:
        The figures and the verdict (None when the target size was not run), for JSON.
    """
    print()
    print("3. Peak memory per staff member (peak RSS minus RSS after imports, fresh process)")
    print("-" * 78)
    print(
        f"  {'staff':>9}  {'after imports':>13}  {'peak, built':>11}  {'peak, end':>10}  "
        f"{'B/staff built':>13}  {'B/staff end':>11}"
    )
    for result in results:
        print(
            f"  {result.staff:>9,}  {result.baseline_kib / 1024:>10.0f} MB  "
            f"{result.peak_after_setup_kib / 1024:>8.0f} MB  {result.peak_kib / 1024:>7.0f} MB  "
            f"{result.setup_bytes_per_staff:>13,.0f}  {result.bytes_per_staff:>11,.0f}"
        )
    reset = "reset after imports" if all(r.peak_was_reset for r in results) else "not reset"
    print(f"  (MB = MiB; staff after set-up; peak: /proc/self/status VmHWM, {reset})")
    print("  peak, end: after the first read of model.agents, which creates every Mesa agent:")
    for result in results:
        print(
            f"    {result.staff:>9,} staff: {result.first_look_s:.2f} s, "
            f"{result.first_look_s / result.staff * 1e6:.2f} us/staff"
        )
    at_target = [r for r in results if r.requested_staff == MEMORY_TARGET_STAFF]
    passed: bool | None = None
    if at_target:
        per_staff = at_target[0].bytes_per_staff
        passed = per_staff <= BYTES_PER_STAFF_TARGET
        print(
            f"  at {at_target[0].staff:,} staff: {per_staff:,.0f} B/staff   "
            f"(target <= {BYTES_PER_STAFF_TARGET:,} B) {verdict(passed)}"
        )
    else:
        print(f"  target size {MEMORY_TARGET_STAFF:,} not run (--quick): no verdict")
    return {
        "target_staff": MEMORY_TARGET_STAFF,
        "target_bytes_per_staff": BYTES_PER_STAFF_TARGET,
        "bytes_per_staff_at_target": at_target[0].bytes_per_staff if at_target else None,
        "passed": passed,
    }


def print_summary(
    comparison: dict[str, Any], scaling: dict[str, Any], memory: dict[str, Any]
) -> None:
    """Print the three verdicts together."""
    print()
    print("Summary")
    print("-" * 78)
    print(
        f"  speed vs Boltzmann  {comparison['median_ratio']:>8.1f}x    "
        f"target >= {SPEED_RATIO_TARGET:.0f}x    {verdict(comparison['passed'])}"
    )
    print(
        f"  scaling spread      {scaling['max_over_min_cost']:>8.2f}x    "
        f"target <= {SCALING_SPREAD_TARGET}x   {verdict(scaling['passed'])}"
    )
    if memory["passed"] is None:
        print("  memory at 1M staff  not run (--quick)")
    else:
        print(
            f"  memory at 1M staff  {memory['bytes_per_staff_at_target']:>8,.0f} B   "
            f"target <= {BYTES_PER_STAFF_TARGET:,} B  {verdict(memory['passed'])}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Speed, scaling and memory report of lewsim (always exits 0)."
    )
    parser.add_argument(
        "--quick", action="store_true", help="10k and 100k staff only, one pair: a smoke run"
    )
    parser.add_argument("--seed", type=int, default=2024, help="seed of every model run")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--repeats", type=int, help="(lewsim, Boltzmann) pairs in part 1 (default 3, quick 1)"
    )
    parser.add_argument(
        "--boltzmann-steps", type=int, help=f"steps per Boltzmann run (default {BOLTZMANN_STEPS})"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scaling-child", metavar="SIZES", help=argparse.SUPPRESS)
    parser.add_argument("--staff", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--months", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report.

    Args:
        argv: Command-line arguments (None: ``sys.argv``).

    Returns:
        0, whatever the verdicts.
    """
    args = parse_args(argv)
    if args.child:
        child_main(args.staff, args.months, args.runs, args.seed)
        return 0
    if args.scaling_child:
        sizes = [tuple(int(n) for n in size.split(":")) for size in args.scaling_child.split(",")]
        scaling_child_main(sizes, args.seed)
        return 0

    wall_started = time.perf_counter()
    repeats = args.repeats or (1 if args.quick else 3)
    boltzmann_steps = args.boltzmann_steps or BOLTZMANN_STEPS
    sizes = QUICK_SIZES if args.quick else FULL_SIZES

    info = machine_info()
    print_machine(info)
    print(f"Seed {args.seed}; {'quick' if args.quick else 'full'} run")
    print()

    pairs = compare_with_boltzmann(repeats, boltzmann_steps, args.seed)
    in_turns = measure_scaling(sizes, args.seed)
    results = measure_sizes(sizes, args.seed)
    timings = [pair[0] for pair in pairs] + in_turns + [result.timing for result in results]
    best_pace = min(timing.pace[i] for timing in timings for i in (0, 1))

    comparison = report_comparison(pairs, best_pace)
    scaling = report_scaling(in_turns, results, best_pace)
    memory = report_memory(results)
    print_summary(comparison, scaling, memory)

    wall_s = time.perf_counter() - wall_started
    load = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"  load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  wall time of the whole benchmark: {wall_s:.1f} s")

    if args.json is not None:
        report = {
            "machine": info,
            "seed": args.seed,
            "quick": args.quick,
            "best_pace_s": best_pace,
            "comparison": comparison,
            "scaling": scaling,
            "memory": memory,
            "load_average_at_end": load,
            "wall_s": wall_s,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"  figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
