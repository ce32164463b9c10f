"""``lewsim sweep``, ``analyze`` and ``export`` (simulation.cli.sweep).

The crash tests run the command as a real subprocess and kill or interrupt it mid-sweep;
the others call the app in-process.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
from conftest import default_sigint
from typer.testing import CliRunner

from simulation.cli import app
from simulation.outputs.sweep_store import SHARDS, SweepStore, read_manifest, read_runs
from simulation.runs.pool import available_cores
from simulation.runs.sweeps import load_sweep

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

#: 10 points x 4 replications = 40 runs of about 0.1 s each: long enough to interrupt.
FORTY_RUNS = """
name = "forty"
scenario = "small.toml"
steps = 24
replications = 4
seed = 11
design = "factorial"
outputs = ["peer_workers", "mean_stigma"]
[parameters.board_support]
levels = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
"""

#: 4 x (2 + 2) = 16 runs of a few months: a Sobol design small enough for any test.
SMALL_SOBOL = """
name = "tiny-sobol"
description = "Does board support or pay parity move a tiny sector?"
scenario = "small.toml"
steps = 4
seed = 2
design = "sobol"
samples = 4
outputs = ["peer_workers", "mean_stigma"]
every = 2
[parameters.board_support]
range = [0.0, 1.0]
[parameters.pay_parity]
range = [0.5, 1.0]
"""


def sweep_file(directory: Path, text: str, n_orgs: int = 3) -> Path:
    """Write a sweep file, and the base scenario of ``n_orgs`` organisations it names."""
    scenario = f'name = "small"\n[parameters]\nn_orgs = {n_orgs}\n'
    (directory / "small.toml").write_text(scenario, encoding="utf-8")
    path = directory / "sweep.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def forty_runs_file(directory: Path) -> Path:
    return sweep_file(directory, FORTY_RUNS, n_orgs=6)


def invoke(*args: str):
    return runner.invoke(app, [str(arg) for arg in args])


def start(*args: str, **popen) -> subprocess.Popen:
    """``lewsim ARGS`` as a child process of its own (signals go to it alone)."""
    command = [sys.executable, "-m", "simulation", *map(str, args)]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, env=env, text=True, preexec_fn=default_sigint, **popen)


def raw_shards(directory: Path) -> pd.DataFrame:
    """Every row of every shard, duplicates kept (read_runs would drop them)."""
    paths = sorted((directory / SHARDS).glob("part-*.parquet"))
    if not paths:
        return pd.DataFrame({"run_id": []})
    return pd.concat([pq.read_table(path).to_pandas() for path in paths], ignore_index=True)


def wait_for(condition, seconds: float, process: subprocess.Popen) -> None:
    """Poll ``condition`` every 20 ms until it holds; fail after ``seconds``.

    The waits below are for progress that takes a second or two on a quiet machine; their
    limits (60 s, 120 s for a Dask cluster) are margins for a loaded one, not measurements.
    The 40 runs take about 0.1 s each, so a kill or Ctrl-C after a few of them comes long
    before the end, 20 ms poll included.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, "the sweep ended before the test could interrupt it"
        assert time.monotonic() < deadline, "timed out waiting for the sweep to make progress"
        time.sleep(0.02)


def same_runs(first: Path, second: Path) -> None:
    """Two result directories hold the same runs with the same outputs."""
    one, two = read_runs(first), read_runs(second)
    pd.testing.assert_frame_equal(one.drop(columns="wall_time"), two.drop(columns="wall_time"))


# ---- crashes and interruptions ----------------------------------------------------------


def progress_reader(
    driver: subprocess.Popen, total: int
) -> tuple[threading.Thread, list, Callable]:
    """Read the driver's stderr as it comes: the reader, the text so far, and runs done.

    The progress bar counts a run once it is in the driver's buffer, so the last count
    printed is at most the runs done.
    """
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(iter(lambda: driver.stderr.read(1), "")))
    reader.start()

    def runs_done() -> int:
        counts = re.findall(rf"(\d+)/{total}", "".join(stderr))
        return int(counts[-1]) if counts else 0

    return reader, stderr, runs_done


@pytest.mark.slow
def test_a_sweep_killed_mid_way_resumes_without_loss_or_duplicates(tmp_path):
    file = forty_runs_file(tmp_path)
    out = tmp_path / "killed"
    flush_every = 2
    driver = start(
        "sweep", file, "--out", out, "--workers", "2", "--flush-every", flush_every,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    reader, _, runs_done = progress_reader(driver, 40)
    try:
        wait_for(lambda: runs_done() >= 10, 60, driver)
        seen = runs_done()
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(10)  # a SIGKILL ends it at once; 10 s is a margin
        reader.join(10)
    assert driver.returncode == -signal.SIGKILL
    # Every shard there is whole, and the kill came before the end.
    partial = raw_shards(out)
    assert len(partial) < 40
    assert partial["run_id"].is_unique
    # The bound of the flush policy: at most --flush-every finished runs are in the driver's
    # buffer (or in the shard being written) when it dies, so all but those of the runs the
    # progress bar had counted are on disk; and no shard holds more than --flush-every.
    assert len(partial) >= seen - flush_every, (len(partial), seen)
    for path in (out / SHARDS).glob("part-*.parquet"):
        assert pq.read_metadata(path).num_rows <= flush_every

    resumed = invoke("sweep", file, "--out", out, "--workers", "1")
    assert resumed.exit_code == 0, resumed.output
    assert f"({len(partial)} already done)" in resumed.output
    everything = raw_shards(out)
    assert len(everything) == 40
    assert everything["run_id"].is_unique  # no run done twice
    assert set(partial["run_id"]) <= set(everything["run_id"])
    assert not list((out / SHARDS).glob(".*"))  # temporary files of the killed driver reaped

    clean = tmp_path / "clean"
    assert invoke("sweep", file, "--out", clean, "--workers", "1", "-q").exit_code == 0
    same_runs(out, clean)


@pytest.mark.slow
def test_ctrl_c_flushes_what_is_done_exits_130_and_a_rerun_resumes(tmp_path):
    file = forty_runs_file(tmp_path)
    out = tmp_path / "interrupted"
    # The default --flush-every (50) is more than the 40 runs: whatever is on disk after
    # Ctrl-C was written by the interruption's flush.
    driver = start(
        "sweep",
        file,
        "--out",
        out,
        "--workers",
        "1",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader, stderr, runs_done = progress_reader(driver, 40)
    try:
        wait_for(lambda: runs_done() >= 3, 60, driver)
        seen = runs_done()
        driver.send_signal(signal.SIGINT)
        driver.wait(30)  # the flush and exit take well under a second; 30 s is a margin
    finally:
        if driver.poll() is None:
            driver.kill()
        reader.join(10)
    message = "".join(stderr)
    assert driver.returncode == 130, message
    assert "lewsim sweep: interrupted; results are in" in message
    recorded = raw_shards(out)  # every shard reads
    assert seen <= len(recorded) < 40  # nothing finished before Ctrl-C was lost
    assert recorded["run_id"].is_unique

    rerun = invoke("sweep", file, "--out", out, "--workers", "1")
    assert rerun.exit_code == 0, rerun.output
    assert f"({len(recorded)} already done)" in rerun.output
    everything = raw_shards(out)
    assert len(everything) == 40 and everything["run_id"].is_unique


# ---- resuming, refusing, dry runs -------------------------------------------------------


def test_a_changed_sweep_file_is_refused_naming_the_change_and_restart_starts_again(tmp_path):
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "out"
    assert invoke("sweep", file, "--out", out, "-q", "--workers", "1").exit_code == 0
    before = sorted(path.name for path in (out / SHARDS).iterdir())

    file.write_text(file.read_text().replace("range = [0.5, 1.0]", "range = [0.6, 1.0]"))
    refused = invoke("sweep", file, "--out", out, "--workers", "1")
    assert refused.exit_code == 2
    assert "lewsim sweep: error:" in refused.output
    assert "parameters.pay_parity.range: [0.5, 1.0] -> [0.6, 1.0]" in refused.output
    assert "--restart" in refused.output
    assert sorted(path.name for path in (out / SHARDS).iterdir()) == before  # untouched

    restarted = invoke("sweep", file, "--out", out, "--restart", "-q", "--workers", "1")
    assert restarted.exit_code == 0, restarted.output
    runs = read_runs(out)
    assert len(runs) == 16 and runs["pay_parity"].min() >= 0.6


def test_the_same_command_again_runs_nothing_new(tmp_path):
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "out"
    assert invoke("sweep", file, "--out", out, "-q", "--workers", "1").exit_code == 0
    shards = sorted((out / SHARDS).iterdir())
    again = invoke("sweep", file, "--out", out, "--workers", "1")
    assert again.exit_code == 0, again.output
    assert "(16 already done)" in again.output
    assert sorted((out / SHARDS).iterdir()) == shards


def test_a_dry_run_prints_the_runs_and_an_estimate_and_writes_nothing(tmp_path):
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "out"
    result = invoke("sweep", file, "--out", out, "--dry-run", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "sobol design, 16 points x 1 replications = 16 runs" in result.output
    assert re.search(r"about \d+ s on 1 sequential worker\(s\) \([\d.]+ s a run\)", result.output)
    assert not out.exists()
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name = "x"\nsteps = [', "invalid TOML"),
        (SMALL_SOBOL.replace("pay_parity", "pay_parit"), "did you mean pay_parity"),
        (SMALL_SOBOL.replace("samples = 4", "samples = 5"), "samples = 5"),
        (SMALL_SOBOL.replace('"sobol"', '"grid"'), 'design = "grid"'),
    ],
)
def test_a_bad_sweep_file_exits_2_naming_the_file_and_writes_nothing(tmp_path, text, problem):
    file = sweep_file(tmp_path, text)
    out = tmp_path / "out"
    result = invoke("sweep", file, "--out", out)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith(f"lewsim sweep: error: {file}: ") for line in lines)
    assert problem in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (["--flush-every", "0"], "--flush-every must be an integer >= 1, got 0"),
        (["--workers", "0"], "--workers must be an integer >= 1"),
        (["--scheduler", "localhost"], "--scheduler 'localhost': a Dask address such as"),
        (
            ["--scheduler", "tcp://h:1", "--dask-local", "2"],
            "--scheduler and --dask-local: give one or the other",
        ),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, options, problem):
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "out"
    result = invoke("sweep", file, "--out", out, *options)
    assert result.exit_code == 2
    assert f"lewsim sweep: error: {problem}" in result.output
    assert not out.exists()


def test_a_missing_sweep_file_exits_2(tmp_path):
    result = invoke("sweep", tmp_path / "none.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"lewsim sweep: error: {tmp_path / 'none.toml'}: no such sweep file" in result.output


# ---- analyze and export -----------------------------------------------------------------


@pytest.fixture
def finished_sobol(tmp_path) -> Path:
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "sobol"
    result = invoke("sweep", file, "--out", out, "-q", "--workers", "1", "--flush-every", "4")
    assert result.exit_code == 0, result.output
    return out


def test_analyze_writes_a_self_contained_report_and_the_indices(finished_sobol):
    result = invoke("analyze", finished_sobol)
    assert result.exit_code == 0, result.output
    analysis = finished_sobol / "analysis"
    html = (analysis / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html  # nothing fetched from outside
    assert "Does board support or pay parity move a tiny sector?" in html  # the description
    assert "data:image/png;base64," in html
    indices = pd.read_csv(analysis / "indices.csv")
    assert sorted(zip(indices["output"], indices["factor"], strict=True)) == sorted(
        (output, factor)
        for output in ("peer_workers", "mean_stigma")
        for factor in ("board_support", "pay_parity")
    )
    assert {"S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"} <= set(indices.columns)
    assert (analysis / "effects.csv").is_file()
    assert str(analysis / "report.html") in result.output


def test_analyze_refuses_an_unfinished_sobol_sweep(finished_sobol):
    shards = sorted((finished_sobol / SHARDS).glob("part-*.parquet"))
    assert len(shards) == 4  # --flush-every 4: four shards of four runs
    shards[0].unlink()
    result = invoke("analyze", finished_sobol)
    assert result.exit_code == 2
    assert "lewsim analyze: error:" in result.output
    assert "run the sweep command again" in result.output
    assert not (finished_sobol / "analysis").exists()


def test_analyze_refuses_a_directory_that_is_not_a_sweep(tmp_path):
    result = invoke("analyze", tmp_path)
    assert result.exit_code == 2
    assert "not a lewsim sweep results directory" in result.output


def test_export_writes_a_wide_and_a_long_csv(finished_sobol):
    result = invoke("export", finished_sobol, "--csv")
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(finished_sobol / "export" / "runs_wide.csv")
    long = pd.read_csv(finished_sobol / "export" / "runs_long.csv")
    outputs = read_manifest(finished_sobol)["outputs"]
    assert outputs == [
        "peer_workers", "mean_stigma", "peer_workers@2", "mean_stigma@2",
        "peer_workers@4", "mean_stigma@4",
    ]  # fmt: skip
    assert len(wide) == 16 and wide["run_id"].is_unique
    assert {"board_support", "pay_parity", *outputs} <= set(wide.columns)
    # One row per run, outcome and month: the final value and "@4" are the same month.
    assert len(long) == 16 * 2 * 2
    assert not long.duplicated(["run_id", "outcome", "month"]).any()
    assert set(long["outcome"]) == {"peer_workers", "mean_stigma"}
    assert sorted(set(long["month"])) == [2, 4]
    # The long file holds the wide file's values, one per run, outcome and month.
    final = long[long["month"] == 4].pivot(index="run_id", columns="outcome", values="value")
    by_run = wide.set_index("run_id")
    for outcome in ("peer_workers", "mean_stigma"):
        pd.testing.assert_series_equal(
            final[outcome].sort_index(), by_run[outcome].sort_index(), check_names=False
        )


# ---- issue 16 and 22: earlier outputs, damaged and foreign directories --------------------


def test_analyze_and_export_replace_earlier_outputs_only_with_force(finished_sobol, tmp_path):
    for command, directory, name in (
        ("analyze", "analysis", "indices.csv"),
        ("export", "export", "runs_wide.csv"),
    ):
        assert invoke(command, finished_sobol).exit_code == 0
        first = (finished_sobol / directory / name).read_bytes()
        again = invoke(command, finished_sobol)
        assert again.exit_code == 2
        assert f"lewsim {command}: error: --out:" in again.output
        assert "--force" in again.output
        assert (finished_sobol / directory / name).read_bytes() == first  # untouched
        forced = invoke(command, finished_sobol, "--force")
        assert forced.exit_code == 0, forced.output
        elsewhere = tmp_path / f"{command}-elsewhere"
        assert invoke(command, finished_sobol, "--out", elsewhere).exit_code == 0
        assert (elsewhere / name).read_bytes() == first  # the same data, the same bytes
        # Never into the sweep's own directory, which is not an earlier result.
        into_sweep = invoke(command, finished_sobol, "--out", finished_sobol, "--force")
        assert into_sweep.exit_code == 2
        assert "not a lewsim result" in into_sweep.output


def test_analyze_is_reproducible_with_a_seed_of_0_and_records_the_seed(tmp_path):
    file = sweep_file(tmp_path, SMALL_SOBOL.replace("seed = 2", "seed = 0"))
    out = tmp_path / "zero"
    assert invoke("sweep", file, "--out", out, "-q", "--workers", "1").exit_code == 0
    assert invoke("analyze", out, "--out", tmp_path / "a1").exit_code == 0
    assert invoke("analyze", out, "--out", tmp_path / "a2").exit_code == 0
    one = pd.read_csv(tmp_path / "a1" / "indices.csv")
    two = pd.read_csv(tmp_path / "a2" / "indices.csv")
    assert one["S1_high"].notna().all()
    pd.testing.assert_frame_equal(one, two)  # the bootstrap bounds too, to the last digit
    manifest = json.loads((tmp_path / "a1" / "manifest.json").read_text())
    assert manifest["analysis"]["bootstrap_seed"] == 0
    assert manifest["analysis"]["runs_analysed"] == 16


def test_a_sweep_with_no_runs_yet_is_reported_not_a_traceback(tmp_path):
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "empty"
    SweepStore.open(out, load_sweep(file)).close()  # as an unreachable cluster left it
    for command in ("analyze", "export"):
        result = invoke(command, out)
        assert result.exit_code == 2, result.output
        assert f"lewsim {command}: error: {out}: no runs are recorded yet" in result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [".sweep.lock", "design.parquet", "manifest.json", "shards", "sweep.toml"]
    )


def test_a_truncated_shard_is_named_then_set_aside_and_redone_on_resume(finished_sobol, tmp_path):
    broken = sorted((finished_sobol / SHARDS).glob("part-*.parquet"))[0]
    os.truncate(broken, 100)
    for command in ("analyze", "export"):
        result = invoke(command, finished_sobol)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert f"{broken} cannot be read" in result.output
    resumed = invoke("sweep", tmp_path / "sweep.toml", "--out", finished_sobol, "--workers", "1")
    assert resumed.exit_code == 0, resumed.output
    assert "(12 already done)" in resumed.output  # four shards of four: one set aside
    assert f"lewsim sweep: note: {broken} cannot be read" in resumed.output
    assert broken.with_name(broken.name + ".damaged").exists()
    assert len(read_runs(finished_sobol)) == 16
    assert invoke("analyze", finished_sobol).exit_code == 0


def test_analyze_refuses_a_hand_edited_manifest(finished_sobol):
    path = finished_sobol / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["sweep"]["factors"] = ["pay_parity", "board_support"]  # swapped by hand
    path.write_text(json.dumps(manifest))
    result = invoke("analyze", finished_sobol)
    assert result.exit_code == 2
    assert "manifest.json or design.parquet was changed" in result.output
    assert not (finished_sobol / "analysis").exists()


def test_restart_keeps_a_users_files_in_shards(finished_sobol, tmp_path):
    shards = finished_sobol / SHARDS
    (shards / "part-of-my-thesis.docx").write_bytes(b"chapter 1")
    (shards / ".part-backup").write_bytes(b"backup")
    earlier = sorted(shards.glob("part-*.parquet"))
    result = invoke(
        "sweep", tmp_path / "sweep.toml", "--out", finished_sobol, "--restart", "-q",
        "--workers", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (shards / "part-of-my-thesis.docx").read_bytes() == b"chapter 1"
    assert (shards / ".part-backup").read_bytes() == b"backup"
    assert not any(path.exists() for path in earlier)
    assert len(read_runs(finished_sobol)) == 16


def test_a_second_sweep_on_the_same_new_out_is_told_another_is_writing(tmp_path):
    file = forty_runs_file(tmp_path)
    out = tmp_path / "both"
    first = start(
        "sweep", file, "--out", out, "--workers", "1", "-q",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: (out / "manifest.json").exists(), 60, first)
        second = invoke("sweep", file, "--out", out, "--workers", "1")
        assert second.exit_code == 2, second.output
        assert f"another lewsim sweep (PID {first.pid}) is writing there" in second.output
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)


def test_a_scheduler_address_where_another_server_answers_is_refused_before_writing(tmp_path):
    pytest.importorskip("distributed")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:  # a web server: it reads a little and answers HTTP
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    connection.recv(1024)
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"x" * 64)
                except OSError:
                    pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        file = sweep_file(tmp_path, SMALL_SOBOL)
        out = tmp_path / "out"
        result = invoke("sweep", file, "--out", out, "--scheduler", f"tcp://127.0.0.1:{port}")
    finally:
        server.close()
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "lewsim sweep: error: --scheduler" in result.output
    assert "not as a Dask scheduler" in result.output, result.output
    assert not out.exists()


# ---- Sobol indices of a function whose indices are known --------------------------------

#: The Ishigami function's indices (a = 7, b = 0.1; Ishigami and Homma 1990): first order
#: S1 and total ST of x1, x2, x3. x3 acts only with x1, so its S1 is 0 and its ST is not.
ISHIGAMI_S1 = {"board_support": 0.3139, "pay_parity": 0.4424, "role_clarity": 0.0}
ISHIGAMI_ST = {"board_support": 0.5576, "pay_parity": 0.4424, "role_clarity": 0.2437}

ISHIGAMI_SWEEP = """
name = "ishigami"
scenario = "small.toml"
steps = 1
seed = 5
design = "sobol"
samples = 1024
outputs = ["peer_workers"]
[parameters.board_support]
range = [0.0, 1.0]
[parameters.pay_parity]
range = [0.0, 1.0]
[parameters.role_clarity]
range = [0.0, 1.0]
"""


def ishigami_outcomes(steps, seed, params=None, events=(), outputs=(), every=None, sector=None):
    """Stands in for the model: Ishigami of the three factors, mapped to [-pi, pi]."""
    x1, x2, x3 = (
        -math.pi + 2 * math.pi * params[name]
        for name in ("board_support", "pay_parity", "role_clarity")
    )
    value = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    return {name: value for name in outputs}


def test_sobol_analysis_recovers_the_known_indices_of_the_ishigami_function(tmp_path, monkeypatch):
    # The sweep command's design, runs, store and the analysis, with the model replaced by
    # a function whose indices are known: each 95 % bootstrap interval covers the true
    # index. At 1024 samples the intervals are at most about +-0.07 wide; 0.1 is the bound
    # that keeps an interval from covering by being vacuous.
    import simulation.runs.jobs as jobs
    from simulation.outputs.sweep_report import analyze_directory

    monkeypatch.setattr(jobs, "run_outcomes", ishigami_outcomes)
    file = sweep_file(tmp_path, ISHIGAMI_SWEEP)
    out = tmp_path / "ishigami"
    result = invoke("sweep", file, "--out", out, "-q", "--workers", "1")
    assert result.exit_code == 0, result.output
    indices = analyze_directory(out).indices.set_index("factor")
    assert list(indices.index) == list(ISHIGAMI_S1)
    for order, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        for factor, value in truth.items():
            low, high = indices.loc[factor, f"{order}_low"], indices.loc[factor, f"{order}_high"]
            assert low <= value <= high, f"{order} of {factor}: {value} not in [{low}, {high}]"
            assert high - low < 2 * 0.1, f"{order} of {factor}: interval [{low}, {high}]"


# ---- a failed run, a kill's bound, Dask workers ---------------------------------------------


def test_a_failed_run_is_recorded_the_sweep_goes_on_and_the_command_exits_1(tmp_path, monkeypatch):
    import simulation.runs.jobs as jobs

    real = jobs.run_outcomes

    def broken_above_half(steps, seed, params=None, *args, **kwargs):
        if params["board_support"] > 0.5:
            raise RuntimeError("broken on purpose")
        return real(steps, seed, params, *args, **kwargs)

    monkeypatch.setattr(jobs, "run_outcomes", broken_above_half)
    file = sweep_file(tmp_path, SMALL_SOBOL)
    out = tmp_path / "out"
    result = invoke("sweep", file, "--out", out, "--workers", "1")
    runs = read_runs(out)
    failed = runs["board_support"] > 0.5
    assert 0 < failed.sum() < len(runs) == 16  # some of each
    assert result.exit_code == 1, result.output
    assert f"16 of 16 runs recorded in {out}" in result.output
    assert f"; {failed.sum()} failed (status 'error' in the results)" in result.output
    assert (runs.loc[failed, "status"] == "error").all()
    assert (runs.loc[failed, "error"] == "RuntimeError: broken on purpose").all()
    assert (runs.loc[~failed, "status"] == "ok").all()
    assert runs.loc[~failed, "peer_workers"].notna().all()


@pytest.mark.slow
def test_dask_local_workers_end_with_a_killed_sweep(tmp_path):
    pytest.importorskip("distributed")
    if available_cores() < 2:
        pytest.skip("needs two cores for a local Dask cluster of two")
    file = forty_runs_file(tmp_path)
    driver = start(
        "sweep", file, "--out", tmp_path / "out", "--dask-local", "2",
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    reader, _, runs_done = progress_reader(driver, 40)
    try:
        # Starting a cluster takes a few seconds; 120 s is the margin for a loaded machine.
        wait_for(lambda: runs_done() >= 2, 120, driver)
        workers = psutil.Process(driver.pid).children(recursive=True)
        # Dask starts its workers with multiprocessing's spawn (its default method).
        dask_workers = [each for each in workers if "spawn_main" in " ".join(each.cmdline())]
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(10)
        reader.join(10)
    assert len(dask_workers) == 2  # running runs when the driver was killed
    leftovers = still_running(workers)
    for worker in leftovers:  # never leave them running, even when the test fails
        with contextlib.suppress(psutil.NoSuchProcess):
            worker.kill()
    assert leftovers == []


def still_running(processes: list, seconds: float = 30.0) -> list:
    """The processes still running (not gone, not zombies) after waiting up to ``seconds``.

    A Dask worker notices its parent's death within a second or so; 30 s is the margin for
    a loaded machine, used up only by a worker that never ends.
    """
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)
