"""The patterns on a planner's sector file: every arm runs on it, and a small one gets a note."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulation.cli import app
from simulation.outputs.validation_report import power_note
from simulation.runs.validation.suite import validate

EXAMPLE = Path(__file__).resolve().parents[2] / "experiments" / "sectors" / "riverside.toml"


def test_every_arm_runs_on_the_sector_file_and_a_small_sector_gets_a_power_note():
    result = validate(2, 36, patterns=[2], loops=False, sector=str(EXAMPLE))
    for runs in result.runs.values():
        for run in runs:
            assert run.orgs["organisation"].unique().tolist()[0] == "Northside CMHT"
            assert run.orgs["org"].nunique() == 6
    note = power_note(result)
    assert "has 6 organisations (the study's had 24)" in note
    generated = validate(2, 36, patterns=[2], loops=False)
    assert "organisations (the study's" not in power_note(generated)


def test_validate_refuses_a_bad_sector_file_before_running(tmp_path):
    bad = tmp_path / "district.toml"
    bad.write_text('[[organisations]]\nname = "A"\nstaff = 20\nboard_suport = 0.5\n')
    out = tmp_path / "validation"
    result = CliRunner().invoke(
        app, ["validate", "--quick", "--sector", str(bad), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "unknown field 'board_suport'; did you mean 'board_support'" in result.output
    assert not out.exists()
