"""Writing a run's results (simulation.outputs.files.write_run)."""

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from matplotlib.figure import Figure

from simulation.core.errors import OutputError
from simulation.outputs.files import RUN_FILES, write_run
from simulation.outputs.manifest import MANIFEST_FORMAT, build_manifest


class BrokenFigure(Figure):
    """A figure that fails while being saved, after the other files are rendered."""

    def savefig(self, *args, **kwargs):
        raise OSError("disk full")


def manifest(seed: int = 1):
    return build_manifest(
        steps=1, seed=seed, replications=1, seeds=[seed], params={},
        started_at=datetime(2025, 1, 1, tzinfo=UTC), wall_time_seconds=0.0,
    )  # fmt: skip


def small_frame(value: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"replication": [0, 0], "month": [0, 1], "peer_workers": [value, value]})


def test_write_run_creates_missing_parents_and_the_four_files(tmp_path):
    out = tmp_path / "a" / "b" / "run"
    written = write_run(out, small_frame(), manifest(1), Figure())
    assert written == out
    assert sorted(path.name for path in out.iterdir()) == sorted(RUN_FILES)
    saved = json.loads((out / "manifest.json").read_text())
    assert saved["format"] == MANIFEST_FORMAT and saved["seed"] == 1
    assert saved["files"] == sorted(RUN_FILES)


def test_failed_write_keeps_previous_results_and_leaves_no_temporary_directory(tmp_path):
    out = tmp_path / "run"
    write_run(out, small_frame(1.0), manifest(1), Figure())
    with pytest.raises(OutputError, match="disk full") as caught:
        write_run(out, small_frame(2.0), manifest(2), BrokenFigure(), replace=True)
    assert str(out) in str(caught.value) and "\n" not in str(caught.value)
    assert [path.name for path in tmp_path.iterdir()] == ["run"]
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1
    assert pd.read_parquet(out / "timeseries.parquet")["peer_workers"].tolist() == [1.0, 1.0]


def test_failed_first_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(OutputError):
        write_run(tmp_path / "new" / "run", small_frame(), manifest(), BrokenFigure())
    assert list(tmp_path.iterdir()) == []


def test_named_index_is_written_as_a_column(tmp_path):
    frame = small_frame().set_index("month")
    write_run(tmp_path / "run", frame, manifest(), Figure())
    assert "month" in pd.read_csv(tmp_path / "run" / "timeseries.csv").columns


def test_a_manifest_that_is_not_lewsims_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="format"):
        write_run(tmp_path / "run", small_frame(), {"seed": 1}, Figure())
    assert list(tmp_path.iterdir()) == []
