"""Render time of one step of the educator's app with its default views.

Builds the app headlessly with ``solara.render`` (the same widgets a browser receives),
presses Step repeatedly and times each press: the model's step plus redrawing every view
on the first page (the organisation network, the classroom panel, the time series and
the sector) into PNGs. Target: 200 ms or less per step.

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
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step.click()
        times.append(time.perf_counter() - start)
    ms = sorted(1000 * t for t in times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"one step with the default views ({args.steps} presses, {os.cpu_count()} cores, "
        f"load {load:.1f}): median {statistics.median(ms):.0f} ms, "
        f"p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, min {ms[0]:.0f} ms (target <= 200 ms)"
    )


if __name__ == "__main__":
    main()
