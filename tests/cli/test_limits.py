"""Limits on a job's size: the caps on months and replications, and the memory check."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import simulation.cli.footprints as footprints
from simulation.cli import app
from simulation.runs.footprint import estimate, format_bytes
from simulation.runs.pool import available_cores
from simulation.runs.scenarios import MAX_REPLICATIONS, MAX_STEPS

runner = CliRunner()

TINY_SCENARIO = 'name = "{name}"\nsteps = 3\nreplications = 2\n[parameters]\nn_orgs = 4\n'
TINY_PARAMS = {"n_orgs": 4}


@pytest.fixture
def little_memory(monkeypatch):
    """Make the machine look as if it had ``bytes`` available; returns a setter."""

    def set_available(available: int | None) -> None:
        monkeypatch.setattr(footprints, "available_memory", lambda: available)

    return set_available


def refusal(result, command: str) -> str:
    """The one-line error of a refused command, checked for the shared format."""
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"lewsim {command}: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("option", "field", "value"),
    [
        ("--steps", "steps", MAX_STEPS + 1),
        ("--steps", "steps", 0),
        ("--replications", "replications", MAX_REPLICATIONS + 1),
        ("--replications", "replications", 0),
    ],
)
def test_the_command_line_caps_months_and_replications_as_a_scenario_file_does(
    tmp_path, option, field, value
):
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'name = "s"\n{field} = {value}\n')
    from_file = refusal(runner.invoke(app, ["run", str(scenario)]), "run")
    from_option = refusal(
        runner.invoke(app, ["run", option, str(value), "--out", str(tmp_path / "o")]), "run"
    )
    assert from_option.endswith(f"{option} {value}: " + from_file.split(f"{field} = {value}: ")[1])
    assert not (tmp_path / "o").exists()


def test_the_caps_themselves_are_allowed(tmp_path, little_memory):
    # With no memory to spare, the largest allowed job gets past the caps to the memory check.
    little_memory(1)
    result = runner.invoke(
        app,
        [
            "run",
            "--steps",
            str(MAX_STEPS),
            "--replications",
            str(MAX_REPLICATIONS),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert "too large for this machine" in refusal(result, "run")


def test_a_run_larger_than_the_memory_available_is_refused_before_anything_runs(
    tmp_path, little_memory, monkeypatch
):
    little_memory(10**6)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "--steps", "12", "--replications", "3"])
    message = refusal(result, "run")
    job = estimate({}, steps=12, replications=3)
    assert f"it needs about {format_bytes(job.peak_bytes)} of memory" in message
    assert "this machine has 1.0 MB available" in message
    assert "n_orgs = 24, mean_org_size = 197.0" in message
    assert "--allow-large" in message
    assert list(tmp_path.iterdir()) == []


def test_the_sector_of_the_issue_is_refused_on_this_machine(tmp_path):
    # 200,000 organisations of 5,000 staff on average: a billion staff, about 1.2 TB.
    args = ["run", "--set", "n_orgs=200000", "--set", "mean_org_size=5000"]
    message = refusal(runner.invoke(app, [*args, "--out", str(tmp_path / "o")]), "run")
    assert "A sector of about 1,000,000,000 staff (n_orgs = 200000, mean_org_size = 5000)" in (
        message
    )
    assert not (tmp_path / "o").exists()


def test_allow_large_runs_it_anyway_and_says_so(tmp_path, little_memory):
    little_memory(1000)
    out = tmp_path / "o"
    args = ["run", "--steps", "2", "--replications", "1", "--set", "n_orgs=2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--allow-large", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("lewsim run: note: running anyway (--allow-large); it needs")
    assert (out / "manifest.json").is_file()


def test_an_unknown_amount_of_memory_refuses_nothing(tmp_path, little_memory):
    little_memory(None)
    out = tmp_path / "o"
    args = ["run", "--steps", "2", "--replications", "1", "--set", "n_orgs=2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_a_long_job_is_announced(tmp_path, monkeypatch):
    monkeypatch.setattr(footprints, "LONG_JOB_SECONDS", 0)
    out = tmp_path / "o"
    args = ["run", "--steps", "2", "--replications", "1", "--set", "n_orgs=2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("lewsim run: note: this job may take about ")
    assert "Ctrl-C stops it with nothing written" in result.stderr


@pytest.fixture
def tiny_scenarios(tmp_path):
    paths = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.toml"
        path.write_text(TINY_SCENARIO.format(name=name))
        paths.append(str(path))
    return paths


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_compare_counts_every_worker_running_at_once(tmp_path, tiny_scenarios, little_memory):
    serial = estimate([TINY_PARAMS, TINY_PARAMS], steps=3, replications=2, workers=1)
    pooled = estimate([TINY_PARAMS, TINY_PARAMS], steps=3, replications=2, workers=2)
    little_memory(int(serial.peak_bytes) + 1)  # enough for one run at a time, not two
    out = tmp_path / "o"
    result = runner.invoke(app, ["compare", *tiny_scenarios, "--workers", "2", "--out", str(out)])
    message = refusal(result, "compare")
    assert f"it needs about {format_bytes(pooled.peak_bytes)}" in message
    assert "2 runs at once" in message and "2 worker processes" in message
    assert not out.exists()
    result = runner.invoke(
        app, ["compare", *tiny_scenarios, "--workers", "1", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()


def test_validate_is_checked_too(tmp_path, little_memory):
    little_memory(10**6)
    out = tmp_path / "v"
    message = refusal(runner.invoke(app, ["validate", "--quick", "--out", str(out)]), "validate")
    assert "too large for this machine" in message
    assert not out.exists()


def test_validate_caps_its_seed_pairs_like_replications(tmp_path):
    out = tmp_path / "v"
    result = runner.invoke(
        app, ["validate", "--seeds", str(MAX_REPLICATIONS + 1), "--out", str(out)]
    )
    assert refusal(result, "validate") == (
        f"lewsim validate: error: --seeds {MAX_REPLICATIONS + 1}: must be an integer >= 2 and "
        f"<= {MAX_REPLICATIONS} (seed pairs per arm; pairs give an interval)"
    )


def test_a_sweep_is_checked_on_its_largest_point_before_it_times_a_run(
    tmp_path, little_memory, monkeypatch
):
    import simulation.cli.sweep as sweep_cli

    def never(*args, **kwargs):
        raise AssertionError("a run was timed")

    monkeypatch.setattr(sweep_cli, "time_one_run", never)
    small = estimate({"n_orgs": 2}, steps=2, keeps_results=False)
    little_memory(int(small.peak_bytes) + 1)  # the small point fits, the large one not
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        'name = "s"\ndesign = "factorial"\nsteps = 2\noutputs = ["peer_workers"]\n'
        "[parameters.n_orgs]\nlevels = [2, 200]\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(sweep), "--workers", "1", "--out", str(out)])
    message = refusal(result, "sweep")
    assert "(n_orgs = 200, mean_org_size = 197.0)" in message
    assert not out.exists()


def test_every_command_that_runs_a_job_offers_allow_large():
    for command in ("run", "compare", "validate", "sweep"):
        result = runner.invoke(app, [command, "--help"])
        assert "--allow-large" in result.stdout, command
