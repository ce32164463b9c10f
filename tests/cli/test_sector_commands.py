"""Commands on a planner's sector file: run, compare, and refusals before anything runs."""

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from simulation.cli import app
from simulation.core.sector_file import read_sector
from simulation.outputs.files import ORGANISATION_FILES, RUN_FILES
from simulation.outputs.organisation_report import difference_sentence, organisation_differences
from simulation.runs.comparison import compare
from simulation.runs.scenarios import Scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "experiments" / "sectors" / "riverside.toml"
SCENARIOS = ROOT / "experiments" / "scenarios"
NAMES = [
    "Northside CMHT",
    "Southside CMHT",
    "Inpatient",
    "Crisis Team",
    "Early Intervention",
    "Recovery College",
]

runner = CliRunner()


def test_run_with_a_sector_file_writes_the_organisation_table_by_name(tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["run", "--sector", str(EXAMPLE), "--steps", "12", "--replications", "2",
              "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([*RUN_FILES, *ORGANISATION_FILES])
    table = pd.read_parquet(out / "organisations.parquet")
    assert len(table) == 2 * 13 * 6
    assert table.loc[table.month == 0, "organisation"].tolist()[:6] == NAMES
    pd.testing.assert_frame_equal(pd.read_csv(out / "organisations.csv"), table, check_dtype=False)


def test_a_bad_sector_file_exits_2_naming_it_and_writes_nothing(tmp_path):
    bad = tmp_path / "district.toml"
    bad.write_text(EXAMPLE.read_text().replace("peer_workers = 5", "peer_workers = 50"))
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "--sector", str(bad), "--steps", "12", "--out", str(out)])
    assert result.exit_code == 2
    assert f"sector file {bad}: organisation 'Recovery College', field 'peer_workers'" in (
        result.output
    )
    assert not out.exists()


def test_a_scenario_naming_an_organisation_not_in_its_sector_is_refused(tmp_path):
    text = (SCENARIOS / "riverside-champions.toml").read_text()
    scenario = tmp_path / "typo.toml"
    scenario.write_text(
        text.replace('"Crisis Team"]', '"Crisis Tem"]').replace(
            "../sectors/riverside.toml", str(EXAMPLE)
        )
    )
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2
    assert "events[0].orgs" in result.output
    assert "did you mean 'Crisis Team'" in result.output
    assert not out.exists()


def test_compare_reports_each_organisation_by_name(tmp_path):
    baseline = Scenario.load(SCENARIOS / "riverside.toml").replace(replications=4, steps=60)
    champions = Scenario.load(SCENARIOS / "riverside-champions.toml")
    champions = champions.replace(replications=4, steps=60)
    comparison = compare(baseline, [champions])
    differences = organisation_differences(comparison)
    assert sorted(set(differences.year)) == [1, 3, 5]
    assert differences.organisation.unique().tolist() == NAMES
    peers = differences[(differences.outcome == "peer_workers") & (differences.year == 5)]
    # Common random numbers: an organisation the events do not touch (Northside has no
    # link to the inpatient unit or the crisis team) runs exactly as in the baseline.
    northside = peers[peers.organisation == "Northside CMHT"].iloc[0]
    assert northside.difference == 0
    sentence = difference_sentence(peers[peers.organisation == "Inpatient"].iloc[0])
    assert (
        sentence.startswith("Inpatient: ") and sentence.endswith(" peer workers at year 5") is False
    )
    assert "peer workers (" in sentence and sentence.endswith("at year 5")


def test_compare_refuses_scenarios_on_different_sectors(tmp_path):
    result = runner.invoke(
        app, ["compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "riverside.toml"),
              "--out", str(tmp_path / "c")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "share one sector" in result.output
    assert not (tmp_path / "c").exists()


def test_sector_export_writes_a_template_that_runs_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "district.toml"
    args = ["sector", "export", "--seed", "3", "--set", "n_orgs=5", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    sector = read_sector(target)
    assert sector.names == tuple(f"organisation {org}" for org in range(5))
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "exists; give --force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    run = runner.invoke(
        app, ["run", "--sector", str(target), "--seed", "3", "--steps", "6", "--replications",
              "1", "--out", str(tmp_path / "run"), "--quiet"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
