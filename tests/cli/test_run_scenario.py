"""``lewsim run SCENARIO``: a scenario file on the command line."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from simulation.cli import app
from simulation.outputs.files import RUN_FILES
from simulation.runs.replications import replication_seeds
from simulation.runs.scenarios import Scenario, run_scenario

SMALL = """name = "small"
steps = 12
replications = 2
seed = 5

[parameters]
n_orgs = 4

[[events]]
month = 4
type = "appoint_champion"

[[events]]
month = 6
type = "hire_le_leader"
"""

runner = CliRunner()


def write_small(tmp_path, text=SMALL):
    path = tmp_path / "small.toml"
    path.write_text(text)
    return path


def test_runs_a_scenario_file_into_a_new_numbered_directory_and_records_it(tmp_path, monkeypatch):
    path = write_small(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "results" / "small-001"
    assert result.stdout.strip() == str(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "small"
    assert manifest["scenario"]["path"] == str(path)
    assert manifest["scenario"]["text"] == SMALL
    assert [e["type"] for e in manifest["scenario"]["events"]] == [
        "appoint_champion",
        "hire_le_leader",
    ]
    assert (manifest["steps"], manifest["seed"], manifest["replications"]) == (12, 5, 2)
    assert manifest["params"]["n_orgs"] == 4
    table = pd.read_parquet(out / "timeseries.parquet")
    pd.testing.assert_frame_equal(table, run_scenario(Scenario.load(path)), check_dtype=False)

    again = runner.invoke(app, ["run", str(path), "--quiet", "--replications", "1"])
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == str(tmp_path / "results" / "small-002")
    assert json.loads((out / "manifest.json").read_text())["replications"] == 2  # kept


def test_options_override_the_file(tmp_path):
    path = write_small(tmp_path)
    out = tmp_path / "over"
    args = ["run", str(path), "--replications", "3", "--seed", "8", "--steps", "10"]
    result = runner.invoke(
        app, [*args, "--set", "n_orgs=5", "--set", "pay_parity=1", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["steps"], manifest["seed"], manifest["replications"]) == (10, 8, 3)
    assert manifest["seeds"] == replication_seeds(8, 3)
    assert manifest["params"]["n_orgs"] == 5
    assert manifest["params"]["pay_parity"] == 1.0
    table = pd.read_parquet(out / "timeseries.parquet")
    assert table["replication"].nunique() == 3
    assert table["month"].max() == 10
    expected = run_scenario(
        Scenario.load(path).replace(parameters={"n_orgs": 5, "pay_parity": 1}),
        replications=3,
        seed=8,
        steps=10,
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)


def test_each_problem_of_a_file_is_one_error_line_and_nothing_is_written(tmp_path):
    text = SMALL.replace("steps = 12", 'steps = "ten"').replace("month = 6", "month = -1")
    path = write_small(tmp_path, text.replace("n_orgs = 4", "n_orgs = 4\npay_parity = 2"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"lewsim run: error: {path}: ") for line in lines)
    for field in ("steps", "parameters.pay_parity", "events[1].month"):
        assert any(f"{path}: {field}" in line for line in lines), field
    assert not out.exists()


def test_a_missing_file_is_one_line(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tmp_path / "nope.toml"), "--out", str(out)])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"lewsim run: error: {tmp_path / 'nope.toml'}: no such scenario file"
    )
    assert not out.exists()


def test_an_override_that_leaves_an_event_outside_the_run_is_refused(tmp_path):
    path = write_small(tmp_path, SMALL.replace("month = 6", "month = 11"))
    result = runner.invoke(app, ["run", str(path), "--steps", "8", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "with the command-line settings" in result.stderr
    assert "events[1].month = 11: after the last month (steps = 8)" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_set_error_with_a_scenario_names_the_option(tmp_path):
    path = write_small(tmp_path)
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", str(path), "--set", "n_orgz=3", "--out", str(out)])
    assert result.exit_code == 2
    assert "--set" in result.stderr and "n_orgz" in result.stderr
    assert not out.exists()
