"""The process pool (simulation.runs.pool): same results, a cap, and nothing left running."""

import contextlib
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from conftest import default_sigint

import simulation
from simulation.core.errors import InputError
from simulation.runs.pool import available_cores, check_workers, map_runs

REPO = Path(simulation.__file__).resolve().parent.parent

#: A script that runs map_runs with two workers on jobs that each touch a marker file and
#: then wait for an event that never comes: a job ends only when its worker is stopped, so
#: no test depends on how long a job takes. Spawned workers import it as their main module.
SLOW_POOL = textwrap.dedent(
    """
    import sys
    import threading
    from pathlib import Path

    from simulation.runs.pool import map_runs


    def slow(marker):
        Path(marker).touch()
        threading.Event().wait()  # never set
        return marker


    if __name__ == "__main__":
        markers = [str(Path(sys.argv[1]) / f"job{number}") for number in range(4)]
        try:
            map_runs(slow, markers, workers=2)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("finished", flush=True)
    """
)


SCENARIOS = Path(__file__).resolve().parents[2] / "experiments" / "scenarios"


def test_results_are_in_job_order_in_one_worker():
    jobs = [-5, 3, -1, 0, 8, -13, 21]
    assert map_runs(abs, jobs, workers=1) == [5, 3, 1, 0, 8, 13, 21]


def test_results_are_in_job_order_and_the_same_for_two_workers():
    if available_cores() < 2:
        pytest.skip("needs two cores for a pool of two")
    jobs = [-5, 3, -1, 0, 8, -13, 21]
    assert map_runs(abs, jobs, workers=2) == map_runs(abs, jobs, workers=1)
    # Jobs may come from a generator (taken lazily, chunk by chunk).
    assert map_runs(math.factorial, (n for n in range(9)), workers=2) == [
        math.factorial(n) for n in range(9)
    ]


def _comparison_jobs():
    from simulation.runs.comparison import _run_batch, paired_scenario
    from simulation.runs.scenarios import Scenario

    text = (SCENARIOS / "exec-champion.toml").read_text()
    champion = paired_scenario(Scenario.from_text(text), steps=13, seed=5, replications=3)
    return _run_batch, [
        [(champion, 0, 11, None), (champion, 1, 12, None)],
        [(champion, 2, 13, None)],
    ]


def _validation_jobs():
    from simulation.runs.validation import PATTERNS, arms_of
    from simulation.runs.validation.arms import run_job

    arms = [arm for arm in arms_of(PATTERNS) if arm.actions][:3]  # interventions and manipulations
    return run_job, [(arm, seed, 8) for arm in arms for seed in (1, 2)]


def _calibration_jobs():
    from simulation.runs.calibration.measure import _measure_job

    return _measure_job, [(seed, {"n_orgs": 6}, 6) for seed in (1, 2, 3)]


def _same(first, second):
    if isinstance(first, list):  # a batch's results
        for one, other in zip(first, second, strict=True):
            _same(one, other)
    elif isinstance(first, pd.DataFrame):
        pd.testing.assert_frame_equal(first, second)
    elif hasattr(first, "sector"):  # a validation ArmRun
        for name in ("sector", "orgs", "probe"):
            pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    else:
        assert first == second


@pytest.mark.slow
@pytest.mark.parametrize("jobs_of", [_comparison_jobs, _validation_jobs, _calibration_jobs])
def test_model_runs_give_the_same_results_in_one_process_and_in_two(jobs_of):
    """The one worker-invariance test: every kind of run lewsim maps over processes (paired
    comparison replications, validation arms, calibration measures) gives the same result
    whether it runs here or in a pool, because each is a pure function of its job."""
    if available_cores() < 2:
        pytest.skip("needs two cores for a pool of two")
    function, jobs = jobs_of()
    serial = map_runs(function, jobs, workers=1)
    pooled = map_runs(function, jobs, workers=2)
    assert len(serial) == len(pooled) == len(jobs)
    for first, second in zip(serial, pooled, strict=True):
        _same(first, second)


@pytest.mark.parametrize("workers", [0, -2, True, 1.5, "2", None])
def test_bad_worker_counts_are_refused(workers):
    with pytest.raises(InputError, match=r"workers must be an integer >= 1"):
        map_runs(abs, [1, 2], workers=workers)


def test_workers_are_capped_at_the_cores():
    cores = available_cores()
    assert check_workers(cores) == cores
    with pytest.raises(InputError, match=rf"more than the {cores} CPU core") as caught:
        map_runs(abs, [1, 2], workers=cores + 1)
    assert str(cores + 1) in str(caught.value)
    with pytest.raises(InputError, match=r"--workers 1000 is more than the"):
        check_workers(1000, name="--workers")


def _start_slow_pool(tmp_path: Path, **popen: object) -> tuple[subprocess.Popen, list]:
    """Start the slow pool script; return it once both workers run a job, with its children."""
    script = tmp_path / "slow_pool.py"
    script.write_text(SLOW_POOL)
    markers = tmp_path / "markers"
    markers.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(markers)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
        **popen,
    )
    deadline = time.monotonic() + 120  # spawning two interpreters is slow on a busy machine
    while len(list(markers.iterdir())) < 2:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the pool did not start: {process.communicate()}")
        time.sleep(0.1)
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 2  # two workers (and multiprocessing's resource tracker)
    return process, children


def _still_running(processes: list, seconds: float = 10.0) -> list:
    """The processes still running (not gone, not zombies) after waiting up to ``seconds``.

    A stopped worker is gone within milliseconds; the 10 s default is the margin for a
    loaded machine, and only a worker that never ends uses it all.
    """
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for process in processes:
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _no_worker_left(children: list) -> None:
    """Assert that every worker has ended; kill any that has not (their jobs never end)."""
    leftovers = _still_running(children)
    for child in leftovers:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    assert leftovers == []


def _communicate(process: subprocess.Popen, children: list) -> tuple[str, str]:
    """The script's output once it exits; a hang (killed, with its workers) fails the test.

    The jobs never end, so a script that waited for them would never exit: exiting at all
    shows it did not. A shutdown takes well under a second; the 60 s timeout only turns a
    hang into a failure, with its margin for a loaded machine.
    """
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        raise


@pytest.mark.slow
def test_a_killed_parent_leaves_no_worker_behind(tmp_path):
    process, children = _start_slow_pool(tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)  # SIGKILL ends it at once; 10 s is a margin, not a measurement
    _no_worker_left(children)


@pytest.mark.slow
def test_sigterm_shuts_the_pool_down_and_exits_cleanly(tmp_path):
    process, children = _start_slow_pool(tmp_path)
    process.send_signal(signal.SIGTERM)
    _, errors = _communicate(process, children)
    # 128 + SIGTERM from the pool's own shutdown; dying of the signal itself would give -15.
    assert process.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in errors
    _no_worker_left(children)


@pytest.mark.slow
def test_ctrl_c_stops_workers_and_propagates_keyboard_interrupt(tmp_path):
    # Ctrl-C in a terminal sends SIGINT to the whole process group, workers included.
    process, children = _start_slow_pool(tmp_path, start_new_session=True)
    os.killpg(process.pid, signal.SIGINT)
    output, errors = _communicate(process, children)
    assert process.returncode == 130 and output.strip() == "interrupted"
    assert "Traceback" not in errors  # workers ignore SIGINT: no KeyboardInterrupt in them
    _no_worker_left(children)
