"""Render time of one step of the educator's app with its default views.

Builds the app headlessly with ``solara.render`` (the same widgets a browser receives),
presses Step repeatedly and times each press: the model's step plus redrawing every view
on the first page (the organisation network, the classroom panel, the time series and
the sector) into PNGs. Target: 200 ms or less per step. It reports wall time and this
process's CPU time (on a shared machine the wall time includes waiting for a core).

    python benchmarks/bench_app.py [--steps 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import ipyvuetify as v
import solara

from simulation.app.page import Page


@solara.component
def App():  # noqa: N802 - a Solara component
    with solara.AppLayout():
        Page()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="Step presses to time.")
    args = parser.parse_args()
    _, rc = solara.render(App(), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):  # warm up: first figures, font caches
        step.click()
    wall, cpu = [], []
    for _ in range(args.steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        step.click()
        wall.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    wall.sort()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    # On a shared machine the wall time includes waiting for a core; the CPU time of this
    # process is what one step costs when the app has a core to itself.
    print(
        f"one step with the default views ({args.steps} presses, {os.cpu_count()} cores, "
        f"load {load:.1f}): wall median {statistics.median(wall):.0f} ms "
        f"(p90 {wall[int(0.9 * (len(wall) - 1))]:.0f}, min {wall[0]:.0f}); "
        f"CPU median {statistics.median(cpu):.0f} ms (target <= 200 ms)"
    )


if __name__ == "__main__":
    main()
