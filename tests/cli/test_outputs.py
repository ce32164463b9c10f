"""The command line never touches a user's files and refuses bad --out before running."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

import simulation.runs.replications as replications
from simulation.cli import app

runner = CliRunner()


class SimulationRanError(Exception):
    """Raised if a replication starts."""


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if any replication runs: refusals must come first."""

    def ran(*args, **kwargs):
        raise SimulationRanError

    monkeypatch.setattr(replications, "run_replication", ran)
    monkeypatch.setattr(replications, "replication_frames", ran)  # the batched path


def test_run_into_a_users_directory_is_refused_before_running_and_deletes_nothing(
    tmp_path, no_simulation
):
    mine = tmp_path / "u"
    mine.mkdir()
    files = {"manifest.json": '{"app":1}\n', "survey.csv": "id,x\n", "photo.png": "x\n"}
    for name, text in files.items():
        (mine / name).write_text(text)
    result = runner.invoke(
        app, ["run", "--steps", "12", "--replications", "2", "--out", str(mine), "--quiet"]
    )
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, SimulationRanError)
    assert str(mine) in result.output and "not a lewsim result" in result.output
    assert {path.name: path.read_text() for path in mine.iterdir()} == files
    assert [path.name for path in tmp_path.iterdir()] == ["u"]


@pytest.mark.parametrize(
    "where",
    [
        "x.txt/sub",
        "n" * 256,
        pytest.param(
            "/proc/x", marks=pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc")
        ),
    ],
    ids=["parent-is-a-file", "name-too-long", "proc"],
)
def test_run_to_an_unwritable_destination_is_refused_before_running(
    tmp_path, monkeypatch, no_simulation, where
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("a file")
    result = runner.invoke(app, ["run", "--steps", "12", "--out", where, "--quiet"])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, SimulationRanError)
    assert "--out" in result.output and "Traceback" not in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["x.txt"]
