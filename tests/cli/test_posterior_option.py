"""``--posterior`` and ``--posterior-file`` on ``lewsim run`` and ``lewsim compare``."""

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from simulation.cli import app
from simulation.runs.calibration import DEFAULT_POSTERIOR

FAST = ["--steps", "12", "--set", "n_orgs=4", "--replications", "3", "--seed", "2"]

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def posterior_file(tmp_path, **columns):
    path = tmp_path / "posterior.csv"
    rates = np.geomspace(0.03, 0.4, 8)
    table = {"position_rate": rates, "first_hire_rate": rates[::-1] / 2, "weight": np.ones(8)}
    pd.DataFrame(table | columns).to_csv(path, index=False)
    return path


def test_run_with_a_posterior_records_its_draws_and_says_what_the_intervals_hold(tmp_path):
    path = posterior_file(tmp_path)
    first = invoke("run", *FAST, "--posterior-file", str(path), "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    assert "parameter uncertainty" in first.stdout
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    entry = manifest["posterior"]
    assert entry["path"] == str(path) and entry["draws"] == 8 and len(entry["sha256"]) == 64
    assert entry["parameters"] == ["position_rate", "first_hire_rate"]
    assert len(entry["rows_drawn"]) == 3
    again = invoke("run", *FAST, "--posterior-file", str(path), "--out", str(tmp_path / "b"))
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["posterior"] == entry
    drawn = pd.read_csv(tmp_path / "a" / "timeseries.csv")
    pd.testing.assert_frame_equal(drawn, pd.read_csv(tmp_path / "b" / "timeseries.csv"))
    plain = invoke("run", *FAST, "--out", str(tmp_path / "c"))
    assert plain.exit_code == 0 and again.exit_code == 0
    assert "posterior" not in json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert not drawn.equals(pd.read_csv(tmp_path / "c" / "timeseries.csv"))


def test_a_bad_posterior_file_is_refused_with_exit_code_2_before_anything_runs(tmp_path):
    path = posterior_file(tmp_path, position_rate=np.full(8, 3.0))
    out = tmp_path / "run"
    result = invoke("run", *FAST, "--posterior-file", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert str(path) in result.stderr and "position_rate" in result.stderr
    assert "allowed" in result.stderr and not out.exists()
    missing = invoke("run", *FAST, "--posterior-file", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "no such posterior file" in missing.stderr


def test_compare_with_a_posterior_notes_the_draws_and_the_overrides(tmp_path):
    path = posterior_file(tmp_path)
    base = tmp_path / "base.toml"
    base.write_text('name = "base"\nsteps = 12\nreplications = 2\n[parameters]\nn_orgs = 4\n')
    alt = tmp_path / "alt.toml"
    alt.write_text('name = "alt"\n[parameters]\nn_orgs = 4\nposition_rate = 0.3\n')
    out = tmp_path / "cmp"
    result = invoke(
        "compare", str(base), str(alt), "--posterior-file", str(path), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "parameter uncertainty" in result.stdout and "overrides the posterior" in result.stdout
    assert "parameter uncertainty" in (out / "report.html").read_text(encoding="utf-8")
    assert json.loads((out / "manifest.json").read_text())["posterior"]["draws"] == 8


def test_posterior_alone_draws_from_the_packaged_posterior(tmp_path):
    result = invoke("run", *FAST, "--posterior", "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    entry = json.loads((tmp_path / "run" / "manifest.json").read_text())["posterior"]
    assert entry["path"] == str(DEFAULT_POSTERIOR) and entry["draws"] >= 100
