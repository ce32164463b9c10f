"""How much memory and time a job of runs needs, estimated from its parameters before it starts.

A sector's memory grows with its staff, and its staff is about ``n_orgs`` times the mean
organisation size: ``n_orgs = 200000, mean_org_size = 5000`` is within the documented
ranges of both and makes a sector of a billion staff, about a terabyte. The command line
estimates a job with :func:`estimate`, compares it with :func:`available_memory`, and
refuses a job that cannot fit before anything runs (unless the user insists). The model
itself stays unrestricted: ``SectorModel(...)`` builds what it is asked for, and a user of
the Python interface can call :func:`estimate` first.

The constants are measured (``experiments/measure_footprint.py``: each size in a fresh
process, peak resident memory above what the process held after its imports, on the
machine the project was developed on, Python 3.13, NumPy 2, Mesa 3.5.1):

========================  ======================  ==================================
quantity                  measured                used here
========================  ======================  ==================================
bytes per staff member    540 (1M staff) to       :data:`BYTES_PER_STAFF` = 1,200
                          1,020 (16k-20k staff)
bytes per result row      580 (1.2M rows) to      :data:`BYTES_PER_RESULT_ROW` = 1,000
                          760 (120k rows)
a worker's imports        220 to 290 MB           :data:`WORKER_BYTES` = 300 MB
seconds per staff-month   0.27 to 0.66 us         :data:`SECONDS_PER_STAFF_MONTH` = 0.5 us
seconds per month         2 to 6 ms (small        :data:`SECONDS_PER_MONTH` = 3 ms
                          sectors)
build time per staff      7 to 19 us              :data:`SECONDS_PER_STAFF_BUILT` = 15 us
========================  ======================  ==================================

The memory constants are set above the largest figure measured, so that a refused job
would surely not have fitted and an accepted one most likely does; the time constants are
central figures, since time is only reported, never refused.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.core.parameters import Parameters

#: Peak memory per staff member of a sector, built and stepping (bytes; see the table).
BYTES_PER_STAFF = 1_200
#: Peak memory per row of results (one replication-month) held until written (bytes).
BYTES_PER_RESULT_ROW = 1_000
#: Memory of one worker process once it has imported lewsim (bytes).
WORKER_BYTES = 300 * 10**6
#: Seconds per staff member per month of a sector stepping.
SECONDS_PER_STAFF_MONTH = 0.5e-6
#: Seconds per month of any sector, however small (the fixed cost of a step).
SECONDS_PER_MONTH = 3e-3
#: Seconds to build a sector, per staff member.
SECONDS_PER_STAFF_BUILT = 15e-6

#: The parameters that set a sector's size.
SIZE_PARAMETERS = ("n_orgs", "mean_org_size", "org_size_sigma", "min_org_size")

_DEFAULTS = {name: Parameters.model_fields[name].default for name in SIZE_PARAMETERS}


def expected_staff(params: Mapping[str, Any] | None = None) -> float:
    """The expected number of staff of a sector at month 0.

    Organisation sizes are lognormal with mean ``mean_org_size`` and log-sd
    ``org_size_sigma``, raised to ``min_org_size`` where smaller
    (:func:`simulation.core.sector.org_sizes_and_classes`). For a lognormal ``X`` with log-mean
    ``mu`` and log-sd ``s``, ``E[max(X, m)] = m P(X < m) + E[X; X >= m]``, that is
    ``m Phi(a) + exp(mu + s^2 / 2) Phi(s - a)`` with ``a = (ln m - mu) / s``.

    Args:
        params: Model parameters; missing ones take their defaults. Values are not
            checked (check them with :func:`simulation.core.parameters.validate_parameters`).

    Returns:
        ``n_orgs`` times the expected size of an organisation.
    """
    given = params or {}
    values = _DEFAULTS | {name: given[name] for name in SIZE_PARAMETERS if name in given}
    n_orgs = float(values["n_orgs"])
    mean = float(values["mean_org_size"])
    sigma = float(values["org_size_sigma"])
    smallest = float(values["min_org_size"])
    if sigma == 0:
        return n_orgs * max(mean, smallest)
    mu = math.log(mean) - sigma**2 / 2
    a = (math.log(smallest) - mu) / sigma
    return n_orgs * (smallest * _normal_cdf(a) + mean * _normal_cdf(sigma - a))


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True)
class Footprint:
    """The estimated memory and time of a job of runs.

    Attributes:
        staff: Expected staff of the largest sector among the runs.
        size: The values of :data:`SIZE_PARAMETERS` of that sector.
        runs: Runs in the job.
        at_once: Runs in memory at the same time (one per worker).
        result_rows: Rows of results (replication-months) held until written.
        pool_workers: Worker processes started for the job (0 when it runs in this process).
        seconds: Estimated wall-clock time.
    """

    staff: float
    size: Mapping[str, Any]
    runs: int
    at_once: int
    result_rows: int
    pool_workers: int
    seconds: float

    @property
    def sector_bytes(self) -> float:
        """Peak memory of one run of the largest sector."""
        return self.staff * BYTES_PER_STAFF

    @property
    def results_bytes(self) -> float:
        """Peak memory of the results held until written."""
        return self.result_rows * BYTES_PER_RESULT_ROW

    @property
    def peak_bytes(self) -> float:
        """Estimated peak memory of the whole job, above what this process holds already."""
        return (
            self.sector_bytes * self.at_once + self.results_bytes + self.pool_workers * WORKER_BYTES
        )

    def fits(self, available: float | None) -> bool:
        """Whether the job fits in ``available`` bytes (``None``: unknown, so it does)."""
        return available is None or self.peak_bytes <= available

    def parts(self) -> list[str]:
        """What the peak memory is made of, as sentences: the largest sector first."""
        size = self.size
        at_once = f", {self.at_once} runs at once" if self.at_once > 1 else ""
        parts = [
            f"A sector of about {self.staff:,.0f} staff (n_orgs = {size['n_orgs']}, "
            f"mean_org_size = {size['mean_org_size']}) takes about "
            f"{format_bytes(self.sector_bytes)} per run{at_once}."
        ]
        if self.results_bytes >= 0.1 * self.peak_bytes:
            parts.append(
                f"The {self.result_rows:,} monthly rows of results of the {self.runs:,} runs "
                f"take about {format_bytes(self.results_bytes)} until written."
            )
        if self.pool_workers:
            parts.append(
                f"{self.pool_workers} worker processes take about "
                f"{format_bytes(self.pool_workers * WORKER_BYTES)}."
            )
        return parts


def estimate(
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    *,
    steps: int,
    replications: int = 1,
    workers: int = 1,
    keeps_results: bool = True,
) -> Footprint:
    """Estimate the peak memory and the time of a job of runs.

    Args:
        params: The model parameters of the runs: one set, or one set per scenario or
            design point (each is run ``replications`` times); ``None`` for the defaults.
        steps: Months per run.
        replications: Runs per parameter set.
        workers: Processes the runs are spread over (1: in this process).
        keeps_results: Whether every run's monthly rows are held until the end (as
            ``lewsim run`` and ``lewsim compare`` do); a sweep streams its results instead.

    Returns:
        The footprint.
    """
    sets = [params or {}] if params is None or isinstance(params, Mapping) else list(params)
    sets = sets or [{}]
    staffs = [expected_staff(each) for each in sets]
    largest = max(range(len(sets)), key=staffs.__getitem__)
    runs = len(sets) * replications
    at_once = max(1, min(workers, runs))
    seconds = replications * sum(
        staff * SECONDS_PER_STAFF_BUILT
        + steps * (SECONDS_PER_MONTH + staff * SECONDS_PER_STAFF_MONTH)
        for staff in staffs
    )
    return Footprint(
        staff=staffs[largest],
        size=_DEFAULTS | {k: v for k, v in sets[largest].items() if k in SIZE_PARAMETERS},
        runs=runs,
        at_once=at_once,
        result_rows=runs * (steps + 1) if keeps_results else 0,
        pool_workers=at_once if workers > 1 and runs > 1 else 0,
        seconds=seconds / at_once,
    )


def available_memory() -> int | None:
    """Memory this process may still take, in bytes, or ``None`` if it cannot be told.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux: free memory plus what the kernel can
    reclaim), else the free physical memory from ``os.sysconf``, else the physical memory;
    lowered to what a control group's memory limit leaves (containers), where one is set.

    Returns:
        Bytes, or ``None``.
    """
    figures = [
        figure
        for figure in (_meminfo_available(), _sysconf_bytes("SC_AVPHYS_PAGES"))
        if figure is not None
    ]
    machine = figures[0] if figures else _sysconf_bytes("SC_PHYS_PAGES")
    group = _cgroup_remaining()
    known = [figure for figure in (machine, group) if figure is not None]
    return min(known) if known else None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _sysconf_bytes(pages: str) -> int | None:
    try:
        count, page = os.sysconf(pages), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return count * page if count > 0 and page > 0 else None


#: (limit, usage) files of a control group's memory: version 2, then version 1.
_CGROUP_FILES = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def _cgroup_remaining() -> int | None:
    """What a control group's memory limit leaves, or ``None`` if no limit is set."""
    for limit_file, usage_file in _CGROUP_FILES:
        try:
            limit_text = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit() or int(limit_text) >= 2**60:
            return None  # no limit (version 1 writes a huge number for "none")
        return max(0, int(limit_text) - usage)
    return None


def format_bytes(count: float) -> str:
    """Bytes in the largest decimal unit that keeps a number >= 1: ``1.2 TB``, ``350 MB``."""
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= size:
            value = count / size
            return f"{value:,.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{count:.0f} B"
