"""The estimate of a job's memory and time (simulation.runs.footprint)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulation import SectorModel
from simulation.runs import footprint as fp
from simulation.runs.footprint import Footprint, estimate, expected_staff, format_bytes

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "params",
    [
        {"n_orgs": 400},
        {"n_orgs": 2000, "mean_org_size": 12.0},  # most organisations raised to min_org_size
        {"n_orgs": 300, "mean_org_size": 100.0, "org_size_sigma": 0.0},
        {"n_orgs": 1000, "mean_org_size": 20.0, "min_org_size": 30},
    ],
)
def test_expected_staff_is_the_staff_a_large_sector_is_built_with(params):
    model = SectorModel(rng=3, **params)
    built = int(model.staff.active.sum())
    assert expected_staff(params) == pytest.approx(built, rel=0.05)


def test_expected_staff_takes_the_defaults_for_missing_parameters():
    assert expected_staff({}) == expected_staff(None) == expected_staff({"n_orgs": 24})
    assert expected_staff({"n_orgs": 48}) == pytest.approx(2 * expected_staff({}))


def test_the_billion_staff_sector_of_the_issue_needs_about_a_terabyte():
    job = estimate({"n_orgs": 200_000, "mean_org_size": 5000.0}, steps=120, replications=20)
    assert job.staff == pytest.approx(1e9, rel=0.01)
    assert 1e12 <= job.peak_bytes <= 1.5e12
    assert not job.fits(64 * 10**9)
    assert "n_orgs = 200000" in job.parts()[0]
    assert "mean_org_size = 5000.0" in job.parts()[0]


def test_workers_multiply_the_sector_but_never_beyond_the_runs():
    params = {"n_orgs": 10_000}
    one = estimate(params, steps=12, replications=8, workers=1)
    two = estimate(params, steps=12, replications=8, workers=2)
    assert one.at_once == 1 and one.pool_workers == 0
    assert two.at_once == 2 and two.pool_workers == 2
    assert two.peak_bytes == pytest.approx(
        2 * one.sector_bytes + one.results_bytes + 2 * fp.WORKER_BYTES
    )
    assert two.seconds == pytest.approx(one.seconds / 2)
    single = estimate(params, steps=12, replications=1, workers=2)
    assert single.at_once == 1 and single.pool_workers == 0


def test_results_count_only_when_kept_and_grow_with_runs_and_months():
    kept = estimate(None, steps=1200, replications=10_000)
    assert kept.result_rows == 10_000 * 1201
    assert kept.results_bytes == kept.result_rows * fp.BYTES_PER_RESULT_ROW
    assert any("rows of results" in part for part in kept.parts())
    streamed = estimate(None, steps=1200, replications=10_000, keeps_results=False)
    assert streamed.result_rows == 0
    assert streamed.peak_bytes == pytest.approx(streamed.sector_bytes)


def test_several_parameter_sets_take_the_largest_sector_and_add_up_the_time():
    small, large = {"n_orgs": 10}, {"n_orgs": 1000}
    both = estimate([small, large], steps=12, replications=3)
    assert both.staff == pytest.approx(expected_staff(large))
    assert both.size["n_orgs"] == 1000
    assert both.runs == 6
    alone = [estimate(params, steps=12, replications=3).seconds for params in (small, large)]
    assert both.seconds == pytest.approx(sum(alone))


def test_time_grows_with_months_replications_and_staff():
    def seconds(steps):
        return estimate({"n_orgs": 100}, steps=steps, replications=2).seconds

    base = seconds(12)
    assert seconds(24) - base == pytest.approx(seconds(36) - seconds(24))  # linear in months
    assert seconds(24) > base
    assert estimate({"n_orgs": 100}, steps=12, replications=4).seconds == pytest.approx(2 * base)
    assert estimate({"n_orgs": 1000}, steps=12, replications=2).seconds > 5 * base


def test_an_unknown_amount_of_memory_refuses_nothing():
    job = estimate({"n_orgs": 200_000, "mean_org_size": 5000.0}, steps=12)
    assert job.fits(None)
    assert not job.fits(0)


def test_available_memory_is_a_positive_figure_no_larger_than_the_machine():
    available = fp.available_memory()
    if available is None:
        pytest.skip("this platform does not tell its memory")
    assert available > 0
    total = fp._sysconf_bytes("SC_PHYS_PAGES")
    if total is not None:
        assert available <= total


def test_a_control_group_limit_lowers_the_available_memory(tmp_path, monkeypatch):
    limit, usage = tmp_path / "memory.max", tmp_path / "memory.current"
    limit.write_text("1000000\n")
    usage.write_text("400000\n")
    monkeypatch.setattr(fp, "_CGROUP_FILES", ((str(limit), str(usage)),))
    assert fp._cgroup_remaining() == 600_000
    assert fp.available_memory() == 600_000
    limit.write_text("max\n")
    assert fp._cgroup_remaining() is None
    limit.write_text(f"{2**63 - 4096}\n")  # version 1's "no limit"
    assert fp._cgroup_remaining() is None


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (999, "999 B"), (1500, "1.5 kB"), (350e6, "350 MB"), (1.2e12, "1.2 TB")],
)
def test_bytes_are_shown_in_the_largest_unit(count, text):
    assert format_bytes(count) == text


CHILD = """
import json, sys
from simulation import SectorModel
def kib(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
warm = SectorModel(rng=1, n_orgs=4); warm.step(); del warm
open("/proc/self/clear_refs", "w").write("5")
before = kib("VmRSS")
model = SectorModel(rng=0, n_orgs=int(sys.argv[1]))
for _ in range(6):
    model.step()
print(json.dumps({"peak": (kib("VmHWM") - before) * 1024, "staff": int(model.staff.active.sum())}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_the_memory_per_staff_member_is_a_bound_on_a_measured_peak():
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "1000"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    measured = json.loads(done.stdout)
    assert measured["staff"] > 40_000
    per_staff = measured["peak"] / measured["staff"]
    # Above what a sector takes, but not so far above that it refuses what would fit.
    assert per_staff <= fp.BYTES_PER_STAFF
    assert per_staff >= fp.BYTES_PER_STAFF / 4


def test_a_footprint_is_a_plain_value():
    job = Footprint(
        staff=100.0,
        size={"n_orgs": 1, "mean_org_size": 100.0},
        runs=1,
        at_once=1,
        result_rows=0,
        pool_workers=0,
        seconds=1.0,
    )
    assert job.peak_bytes == 100 * fp.BYTES_PER_STAFF
    assert job.parts() == [
        "A sector of about 100 staff (n_orgs = 1, mean_org_size = 100.0) takes about "
        f"{format_bytes(100 * fp.BYTES_PER_STAFF)} per run."
    ]
