"""The ``lewsim`` command line (simulation.cli)."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulation import SECTOR_COLUMNS, Parameters, __version__
from simulation.cli import app
from simulation.cli.assignments import parse_assignments, parse_value
from simulation.outputs.files import RUN_FILES
from simulation.outputs.manifest import RECORDED_PACKAGES
from simulation.runs.replications import replication_seeds

FAST = ["--steps", "12", "--set", "n_orgs=4"]

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_run_writes_the_four_files_with_one_row_per_replication_and_month(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", *FAST, "--replications", "3", "--seed", "4", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(RUN_FILES)

    table = pd.read_parquet(out / "timeseries.parquet")
    assert list(table.columns) == ["replication", "seed", "month", *SECTOR_COLUMNS]
    assert len(table) == 3 * 13
    assert sorted(set(zip(table["replication"], table["month"], strict=True))) == [
        (replication, month) for replication in range(3) for month in range(13)
    ]
    pd.testing.assert_frame_equal(pd.read_csv(out / "timeseries.csv"), table, check_dtype=False)
    assert (out / "timeseries.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert str(out) in result.stdout
    assert "Peer workers" in result.stdout
    assert "95% CI" in result.stdout


def test_manifest_records_seeds_parameters_and_versions(tmp_path):
    out = tmp_path / "run"
    result = invoke(
        "run", *FAST, "--replications", "2", "--seed", "9", "--set", "pay_parity=1",
        "--set", "exposure_mix=0.5,0.3,0.2", "--out", str(out), "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())

    assert manifest["lewsim_version"] == __version__
    assert (manifest["steps"], manifest["seed"], manifest["replications"]) == (12, 9, 2)
    assert manifest["seeds"] == replication_seeds(9, 2)
    table = pd.read_parquet(out / "timeseries.parquet")
    assert table.groupby("replication")["seed"].first().tolist() == manifest["seeds"]

    params = manifest["params"]
    assert set(params) == set(Parameters.model_fields)
    assert params["n_orgs"] == 4
    assert params["pay_parity"] == 1.0
    assert params["exposure_mix"] == [0.5, 0.3, 0.2]
    assert params["board_support"] == Parameters().board_support

    assert set(manifest["packages"]) == set(RECORDED_PACKAGES)
    assert all(manifest["packages"][name] for name in ("mesa", "numpy", "pandas"))
    for key in ("git_commit", "git_dirty", "python_version", "platform", "command_line"):
        assert key in manifest
    assert manifest["started_at"].endswith("+00:00")
    assert manifest["wall_time_seconds"] >= 0


def test_quiet_prints_only_the_results_directory(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", *FAST, "--replications", "2", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert result.stderr == ""  # no progress bar either


def test_without_out_each_run_gets_a_new_numbered_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for expected in ("run-001", "run-002"):
        result = invoke("run", *FAST, "--replications", "2", "--quiet")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(tmp_path / "results" / expected)
    (tmp_path / "results" / "run-001").rename(tmp_path / "results" / "kept")
    result = invoke("run", *FAST, "--replications", "2", "--quiet")
    assert result.stdout.strip() == str(tmp_path / "results" / "run-001")  # first unused
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        "kept",
        "run-001",
        "run-002",
    ]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--set", "n_orgz=4"], "n_orgz"),
        (["--set", "n_orgs=0"], "n_orgs"),
        (["--set", "pay_parity=1.5"], "pay_parity"),
        (["--set", "exposure_mix=0.5,0.5,0.5"], "exposure_mix"),
        (["--set", "n_orgs"], "--set"),
        (["--set", "=4"], "--set"),
        (["--set", "exposure_mix=[0.5,"], "exposure_mix"),
        (["--set", "n_orgs=4", "--set", "n_orgs=5"], "n_orgs"),
        (["--replications", "0"], "--replications"),
        (["--steps", "0"], "--steps"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field_and_writes_nothing(tmp_path, args, field):
    out = tmp_path / "nested" / "run"
    result = invoke("run", "--steps", "3", "--replications", "2", *args, "--out", str(out))
    assert result.exit_code == 2
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith("lewsim run: error:")
    assert field in message
    assert list(tmp_path.iterdir()) == []


def test_out_of_range_message_says_what_is_allowed(tmp_path):
    result = invoke("run", "--set", "pay_parity=1.5", "--out", str(tmp_path / "run"))
    assert result.exit_code == 2
    assert "between 0 and 1" in result.stderr


def test_refuses_to_replace_a_directory_that_is_not_a_previous_run(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = invoke("run", *FAST, "--replications", "2", "--out", str(out))
    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert [path.name for path in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "keep me"


def test_an_earlier_result_is_replaced_only_with_force(tmp_path):
    out = tmp_path / "run"
    first = invoke("run", *FAST, "--replications", "2", "--seed", "1", "--out", str(out), "-q")
    assert first.exit_code == 0, first.output
    before = (out / "manifest.json").read_bytes()

    refused = invoke("run", *FAST, "--replications", "3", "--seed", "2", "--out", str(out))
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.strip().startswith("lewsim run: error: --out:")
    assert "--force" in refused.stderr
    assert (out / "manifest.json").read_bytes() == before

    args = ["--replications", "3", "--seed", "2", "--out", str(out), "--force", "-q"]
    forced = invoke("run", *FAST, *args)
    assert forced.exit_code == 0, forced.output
    assert [path.name for path in tmp_path.iterdir()] == ["run"]  # no staging left behind
    assert sorted(path.name for path in out.iterdir()) == sorted(RUN_FILES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["seed"], manifest["replications"]) == (2, 3)
    assert pd.read_parquet(out / "timeseries.parquet")["replication"].nunique() == 3


def test_an_empty_directory_is_used_without_force(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    result = invoke("run", *FAST, "--replications", "2", "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(RUN_FILES)


def test_force_never_replaces_a_directory_that_is_not_a_lewsim_result(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = invoke("run", *FAST, "--replications", "2", "--out", str(out), "--force")
    assert result.exit_code == 2
    assert "notes.txt" in result.stderr
    assert [path.name for path in out.iterdir()] == ["notes.txt"]


def test_an_os_error_while_writing_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "x.txt").write_text("a file, not a directory")
    result = invoke(
        "run", *FAST, "-q", "--replications", "2", "--out", str(tmp_path / "x.txt" / "sub")
    )
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lewsim run: error: ")
    assert "x.txt" in lines[0]
    assert (tmp_path / "x.txt").read_text() == "a file, not a directory"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["x.txt"]


@pytest.mark.parametrize(
    ("name", "suggested"),
    [("n_orgz", "'n_orgs'"), ("parity", "'pay_parity'"), ("turnover", "'staff_turnover'")],
)
def test_an_unknown_parameter_suggests_close_names_and_lewsim_params(tmp_path, name, suggested):
    result = invoke("run", "--set", f"{name}=1", "--out", str(tmp_path / "run"))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert f"unknown parameter {name!r}; did you mean " in message
    assert suggested in message
    assert "'lewsim params' lists all" in message


def test_help_shows_run_as_a_subcommand_with_its_options():
    top = invoke("--help")
    assert top.exit_code == 0
    assert "run" in top.stdout
    run_help = invoke("run", "--help")
    assert run_help.exit_code == 0
    for option in ("--steps", "--seed", "--replications", "--set", "--out", "--quiet"):
        assert option in run_help.stdout
    assert invoke("--version").stdout.strip() == f"lewsim {__version__}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", 4),
        ("0.25", 0.25),
        ("1e-3", 0.001),
        ("true", True),
        ("False", False),
        ("0.5,0.3,0.2", (0.5, 0.3, 0.2)),
        ("[0.5, 0.3, 0.2]", (0.5, 0.3, 0.2)),
        ("3, 4", (3, 4)),
        ("abc", "abc"),
        ("a,b", "a,b"),
    ],
)
def test_set_values_are_parsed_json_ish(text, expected):
    value = parse_value(text)
    assert value == expected
    assert type(value) is type(expected)


def test_parse_assignments_maps_names_to_values():
    assert parse_assignments(["n_orgs=4", "manager_network=true", "exposure_mix=0.6,0.3,0.1"]) == {
        "n_orgs": 4,
        "manager_network": True,
        "exposure_mix": (0.6, 0.3, 0.1),
    }
