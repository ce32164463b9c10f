"""`lewsim validate`: bad input is refused before anything runs; a small run writes the report."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulation.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--seeds", "1"], "--seeds"),
        (["--workers", "0"], "--workers"),
        (["--workers", "1000"], "--workers 1000 is more than the"),
        (["--pattern", "11"], "--pattern"),
        (["--seed", "-3"], "--seed"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_writes_nothing(tmp_path, args, field):
    out = tmp_path / "validation"
    result = invoke("validate", "--quiet", "--out", str(out), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("lewsim validate: error: ")
    assert field in result.stderr
    assert not out.exists()


def test_refuses_a_directory_with_foreign_files_before_running(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke("validate", "--quiet", "--pattern", "9", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "notes.txt" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_a_small_validation_writes_a_report_with_its_sections(tmp_path):
    out = tmp_path / "validation"
    args = ["validate", "--quick", "--seeds", "3", "--pattern", "1", "--pattern", "6"]
    result = invoke(*args, "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    # Both have verification checks only: shown, with their tallies, and not counted.
    assert "pattern  1  no emergent check" in result.output
    assert "pattern  6  no emergent check  emergent 0/0 hold" in result.output
    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "calibration.csv",
        "checks.csv",
        "manifest.json",
        "pattern_01.png",
        "pattern_06.png",
        "report.html",
    ]
    html = (out / "report.html").read_text(encoding="utf-8")
    for section in ("Summary", "Checks", "Calibration targets", "Patterns", "Provenance"):
        assert f">{section}</h2>" in html or f">{section}<" in html
    assert html.count("data:image/png;base64,") == 2
    checks = pd.read_csv(out / "checks.csv")
    assert sorted(checks["pattern"].unique()) == [1, 6]
    # Three pairs decide little (some checks are inconclusive); what is checked here is
    # that the file says what was judged: the verdict, the label, and "holds" from both.
    assert (checks["holds"] == (checks["verdict"] == "holds")).all()
    assert set(checks["label"]) == {"verification"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["seeds"]) == 3 and manifest["patterns_held"] == 0  # none counted
    again = invoke(*args, "--strict", "--quiet", "--out", str(out))
    assert again.exit_code == 2 and "--force" in again.stderr  # earlier report kept
    assert json.loads((out / "manifest.json").read_text()) == manifest
    strict = invoke(*args, "--strict", "--quiet", "--out", str(out), "--force")
    assert strict.exit_code == 0
    assert strict.stdout.strip() == str(out / "report.html")
