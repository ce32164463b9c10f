"""Measure what sets the constants of ``simulation/runs/footprint.py``.

Each measurement runs in a fresh child process, so that peaks do not mix, and reports
the peak resident memory (``VmHWM``, Linux) above what the child held after its imports:

- sectors of about 20k and 200k staff (and, with ``--large``, 1M and 2.6M) at two mean
  organisation sizes: bytes per staff member, seconds per staff-month, seconds per staff
  member to build;
- results of 100 and 1,000 replications of 1,200 months: bytes per row kept until written
  (the frame, its concatenation, the figure, Parquet and CSV).

Usage::

    python experiments/measure_footprint.py            # about a minute, ~1 GB
    python experiments/measure_footprint.py --large    # adds 1M and 2.6M staff (~3 GB)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def read_kib(key: str) -> int:
    """A memory figure of this process from ``/proc/self/status``, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def reset_peak() -> int:
    """Reset the peak resident memory to the current one; return the current one (KiB)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return read_kib("VmRSS")


def measure_sector(staff: int, months: int, mean_org_size: float) -> dict:
    """Build a sector of about ``staff`` staff, step it, and measure memory and time."""
    import gc

    from simulation import SectorModel

    warm = SectorModel(rng=1, n_orgs=4)
    warm.step()
    del warm
    gc.collect()
    baseline = reset_peak()
    n_orgs = max(1, round(staff / mean_org_size))
    started = time.perf_counter()
    model = SectorModel(rng=0, n_orgs=n_orgs, mean_org_size=mean_org_size)
    setup = time.perf_counter() - started
    built = int(model.staff.active.sum())
    staff_months = 0
    started = time.perf_counter()
    for _ in range(months):
        staff_months += int(model.staff.active.sum())
        model.step()
    stepping = time.perf_counter() - started
    model.sector_frame()
    return {
        "staff": built,
        "n_orgs": n_orgs,
        "mean_org_size": mean_org_size,
        "months": months,
        "bytes_per_staff": (read_kib("VmHWM") - baseline) * 1024 / built,
        "us_per_staff_month": stepping / staff_months * 1e6,
        "us_per_staff_built": setup / built * 1e6,
    }


def measure_results(replications: int, months: int = 1200) -> dict:
    """Hold and write the results of ``replications`` runs as ``lewsim run`` does."""
    from datetime import UTC, datetime

    import pandas as pd

    from simulation.outputs.figures import plot_timeseries
    from simulation.outputs.files import write_run
    from simulation.outputs.manifest import build_manifest
    from simulation.runs.replications import replication_seeds, run_replications

    one = run_replications(
        steps=months, seed=0, replications=1, params={"n_orgs": 2}, progress=False
    )
    plot_timeseries(one, title="warm-up", params={})
    baseline = reset_peak()
    frames = []
    for replication in range(replications):  # copies of one run: only the size matters
        frame = one.copy()
        frame["replication"] = replication
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    del frames
    manifest = build_manifest(
        steps=months,
        seed=0,
        replications=replications,
        seeds=replication_seeds(0, replications),
        params={},
        started_at=datetime.now(UTC),
        wall_time_seconds=0.0,
    )
    figure = plot_timeseries(table, title="results", params={})
    with tempfile.TemporaryDirectory() as directory:
        write_run(Path(directory) / "run", table, manifest, figure, replace=False)
    return {
        "rows": len(table),
        "bytes_per_row": (read_kib("VmHWM") - baseline) * 1024 / len(table),
    }


def in_child(*args: str) -> dict:
    """Run this script with ``args`` in a fresh process and return what it printed."""
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    """Measure every size in a child process and print one JSON line per measurement."""
    if sys.argv[1:2] == ["--sector"]:
        staff, months, mean = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
        print(json.dumps(measure_sector(staff, months, mean)))
        return
    if sys.argv[1:2] == ["--results"]:
        print(json.dumps(measure_results(int(sys.argv[2]))))
        return
    sizes = [(20_000, 24), (200_000, 24)]
    if "--large" in sys.argv:
        sizes += [(1_000_000, 12), (2_600_000, 3)]
    for mean in (60.0, 2000.0):
        for staff, months in sizes:
            print(json.dumps(in_child("--sector", str(staff), str(months), str(mean))))
    for replications in (100, 1000):
        print(json.dumps(in_child("--results", str(replications))))


if __name__ == "__main__":
    main()
