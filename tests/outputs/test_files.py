"""Atomic results writing and the manifest (simulation.outputs.files)."""

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pandas as pd
import pytest
from matplotlib.figure import Figure

from simulation.outputs.files import RUN_FILES, build_manifest, git_state, to_jsonable, write_run


class BrokenFigure(Figure):
    """A figure that fails while being saved, after the other files are written."""

    def savefig(self, *args, **kwargs):
        raise OSError("disk full")


def small_frame(value: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"replication": [0, 0], "month": [0, 1], "peer_workers": [value, value]})


def test_write_run_creates_missing_parents_and_the_four_files(tmp_path):
    out = tmp_path / "a" / "b" / "run"
    written = write_run(out, small_frame(), {"seed": 1, "shares": (0.5, 0.5)}, Figure())
    assert written == out
    assert sorted(path.name for path in out.iterdir()) == sorted(RUN_FILES)
    assert json.loads((out / "manifest.json").read_text()) == {"seed": 1, "shares": [0.5, 0.5]}


def test_failed_write_keeps_previous_results_and_leaves_no_temporary_directory(tmp_path):
    out = tmp_path / "run"
    write_run(out, small_frame(1.0), {"run": "old"}, Figure())
    with pytest.raises(OSError, match="disk full"):
        write_run(out, small_frame(2.0), {"run": "new"}, BrokenFigure())
    assert [path.name for path in tmp_path.iterdir()] == ["run"]
    assert json.loads((out / "manifest.json").read_text()) == {"run": "old"}
    assert pd.read_parquet(out / "timeseries.parquet")["peer_workers"].tolist() == [1.0, 1.0]


def test_failed_first_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(OSError):
        write_run(tmp_path / "new" / "run", small_frame(), {}, BrokenFigure())
    assert list(tmp_path.iterdir()) == []


def test_named_index_is_written_as_a_column(tmp_path):
    frame = small_frame().set_index("month")
    write_run(tmp_path / "run", frame, {}, Figure())
    assert "month" in pd.read_csv(tmp_path / "run" / "timeseries.csv").columns


def test_to_jsonable_converts_tuples_numpy_and_nan():
    import numpy as np

    converted = to_jsonable({"t": (1, 2), "n": np.int64(3), "x": float("nan"), "a": np.ones(2)})
    assert converted == {"t": [1, 2], "n": 3, "x": None, "a": [1.0, 1.0]}
    assert type(converted["n"]) is int
    with pytest.raises(TypeError):
        to_jsonable({"bad": object()})


def test_build_manifest_requires_an_aware_start_time():
    with pytest.raises(ValueError, match="timezone"):
        build_manifest(
            steps=1, seed=0, replications=1, seeds=[1], params={},
            started_at=datetime(2025, 1, 1), wall_time_seconds=0.0,
        )  # fmt: skip
    manifest = build_manifest(
        steps=1, seed=0, replications=1, seeds=[1], params={"n_orgs": 4},
        started_at=datetime(2025, 1, 1, tzinfo=UTC), wall_time_seconds=0.5,
        command_line=["lewsim", "run", "--set", "n_orgs=4"],
    )  # fmt: skip
    assert manifest["command_line"] == "lewsim run --set n_orgs=4"
    assert manifest["started_at"] == "2025-01-01T00:00:00+00:00"
    assert manifest["params"]["n_orgs"] == 4
    json.dumps(manifest, allow_nan=False)


def test_git_state_outside_a_repository_is_none(tmp_path):
    assert git_state(tmp_path) == (None, None)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_reports_commit_and_dirty_flag(tmp_path):
    def git(*args):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    git("init", "-q")
    assert git_state(tmp_path) == (None, None)  # no commit yet
    (tmp_path / "file.txt").write_text("one")
    git("add", "file.txt")
    git("commit", "-q", "-m", "first")
    assert git_state(tmp_path) == (git("rev-parse", "HEAD"), False)
    (tmp_path / "file.txt").write_text("two")
    assert git_state(tmp_path) == (git("rev-parse", "HEAD"), True)
