"""Scenario comparisons: paired seeds, exact zeros for identical runs, and the report."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from conftest import CHAMPION_SCENARIO as CHAMPION

from simulation import SECTOR_COLUMNS
from simulation.core.parameters import Parameters
from simulation.outputs.comparison_report import (
    comparison_manifest,
    write_comparison,
)
from simulation.runs.comparison import (
    DIFFERENCE_COLUMNS,
    FAVOURABLE_DIRECTION,
    KEY_OUTCOMES,
    PRACTICAL_THRESHOLDS,
    TIMESERIES_COLUMNS,
    check_months,
    compare,
    comparison_notes,
    default_months,
    is_clear,
)
from simulation.runs.replications import replication_seeds
from simulation.runs.scenarios import Scenario, run_scenario

STEPS, REPLICATIONS, SEED = 24, 3, 11

BASELINE = f"""
name = "base"
description = "A small sector left alone."
steps = {STEPS}
replications = {REPLICATIONS}
seed = {SEED}

[parameters]
n_orgs = 4
"""

# The same scenario under another name: its runs must equal the baseline's exactly.
COPY = BASELINE.replace('name = "base"', 'name = "copy"').replace(
    "A small sector left alone.", "The same sector under another name."
)


def write(directory, name, text):
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("scenarios")
    return {
        name: write(directory, name, text)
        for name, text in (("base", BASELINE), ("copy", COPY), ("champion", CHAMPION))
    }


@pytest.fixture(scope="module")
def comparison(files):
    baseline = Scenario.load(files["base"])
    alternatives = [Scenario.load(files["copy"]), Scenario.load(files["champion"])]
    return compare(baseline, alternatives)


def test_every_scenario_runs_on_the_baseline_seeds(comparison):
    seeds = comparison.timeseries.groupby(["scenario", "replication"])["seed"].unique()
    assert all(len(values) == 1 for values in seeds)
    by_scenario = comparison.timeseries.groupby("scenario")
    expected = replication_seeds(SEED, REPLICATIONS)
    for name in ("base", "copy", "champion"):
        frame = by_scenario.get_group(name)
        assert frame.groupby("replication")["seed"].first().tolist() == expected
        assert frame["month"].max() == STEPS  # the baseline's length, not the file's 36
    assert comparison.seeds == expected
    assert (comparison.steps, comparison.seed, comparison.replications) == (STEPS, SEED, 3)
    (note,) = comparison.notes  # only the champion file asked for other settings
    assert "'champion'" in note and "seed 99" in note and "36 months" in note
    assert "5 replications" in note


def test_runs_are_those_of_run_scenario_on_the_baseline_settings(files, comparison):
    champion = Scenario.load(files["champion"])
    expected = run_scenario(champion, steps=STEPS, seed=SEED, replications=REPLICATIONS)
    frame = comparison.timeseries
    ours = frame[frame["scenario"] == "champion"].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, expected[list(TIMESERIES_COLUMNS)])


def test_the_timeseries_is_tidy(comparison):
    frame = comparison.timeseries
    assert list(frame.columns) == list(TIMESERIES_COLUMNS)
    assert list(frame.columns[4:]) == list(SECTOR_COLUMNS)
    assert list(frame["scenario"].unique()) == ["base", "copy", "champion"]
    assert len(frame) == 3 * REPLICATIONS * (STEPS + 1)


def test_an_identical_copy_differs_by_exactly_zero(comparison):
    base = comparison.timeseries[comparison.timeseries["scenario"] == "base"]
    copy = comparison.timeseries[comparison.timeseries["scenario"] == "copy"]
    columns = ["replication", "seed", "month", *SECTOR_COLUMNS]
    pd.testing.assert_frame_equal(
        base[columns].reset_index(drop=True), copy[columns].reset_index(drop=True)
    )
    rows = comparison.differences[comparison.differences["scenario"] == "copy"]
    assert len(rows) == len(KEY_OUTCOMES) * len(comparison.months)
    for column in ("difference", "ci_low", "ci_high"):
        assert (rows[column] == 0.0).all(), column
    assert not rows["significant"].any()
    series = comparison.paired_differences("peer_workers", "copy")
    assert (series[["difference", "ci_low", "ci_high"]].to_numpy() == 0.0).all()


def test_an_event_at_month_12_changes_nothing_before_it(comparison):
    frame = comparison.timeseries
    early = frame[frame["month"] < 12]
    base = early.loc[early["scenario"] == "base", list(SECTOR_COLUMNS)].to_numpy()
    champion = early.loc[early["scenario"] == "champion", list(SECTOR_COLUMNS)].to_numpy()
    assert base.shape == (REPLICATIONS * 12, len(SECTOR_COLUMNS))
    assert np.array_equal(base, champion)
    for outcome in KEY_OUTCOMES:
        series = comparison.paired_differences(outcome, "champion")
        early = series[series["month"] < 12]
        assert (early[["difference", "ci_low", "ci_high"]].to_numpy() == 0.0).all(), outcome
    champions = comparison.paired_differences("champions", "champion").set_index("month")
    assert champions.loc[12, "difference"] > 0  # the event itself shows at month 12


def test_the_differences_table_is_consistent(comparison):
    table = comparison.differences
    assert list(table.columns) == list(DIFFERENCE_COLUMNS)
    assert comparison.months == (12, 24)
    assert len(table) == 2 * len(KEY_OUTCOMES) * 2
    assert list(table["outcome"].unique()) == list(KEY_OUTCOMES)
    assert table.groupby(["scenario", "outcome", "month"]).size().eq(1).all()
    assert (table["pairs"] == REPLICATIONS).all()
    assert (table["ci_low"] <= table["difference"]).all()
    assert (table["difference"] <= table["ci_high"]).all()
    excludes_zero = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    assert (table["significant"] == excludes_zero).all()
    assert table["significant"].any()  # the champions are there at once
    np.testing.assert_allclose(
        table["difference"], table["scenario_mean"] - table["baseline_mean"], atol=1e-12
    )
    frame = comparison.timeseries
    at_24 = frame[(frame["scenario"] == "champion") & (frame["month"] == 24)]
    row = table.query("scenario == 'champion' and outcome == 'peer_workers' and month == 24")
    assert row["scenario_mean"].item() == pytest.approx(at_24["peer_workers"].mean())
    # Paired: the interval is that of the per-seed differences, not of two independent means.
    base_24 = frame[(frame["scenario"] == "base") & (frame["month"] == 24)]
    paired = at_24["peer_workers"].to_numpy() - base_24["peer_workers"].to_numpy()
    half = (row["ci_high"].item() - row["ci_low"].item()) / 2
    assert half == pytest.approx(4.302653 * paired.std(ddof=1) / np.sqrt(3), rel=1e-5)


def test_months_default_to_year_ends_and_are_checked():
    assert default_months(120) == (12, 36, 60, 120)
    assert default_months(130) == (12, 36, 60, 120, 130)
    assert default_months(40) == (12, 36, 40)
    assert default_months(6) == (6,)
    assert check_months([24, 12, 12], 24) == (12, 24)
    with pytest.raises(ValueError, match="month 25 is outside"):
        check_months([12, 25], 24)
    with pytest.raises(ValueError, match="at least one"):
        check_months([], 24)


def test_names_must_differ_and_months_fit(files):
    baseline = Scenario.load(files["base"])
    with pytest.raises(ValueError, match="'base'.*base.toml and .*base.toml"):
        compare(baseline, [Scenario.load(files["base"])])
    with pytest.raises(ValueError, match="at least one alternative"):
        compare(baseline, [])
    with pytest.raises(ValueError, match="months: month 30"):
        compare(baseline, [Scenario.load(files["copy"])], months=[12, 30])


# ---- clear differences and notes --------------------------------------------------------


def test_every_key_outcome_has_a_direction_and_a_practical_threshold():
    assert set(PRACTICAL_THRESHOLDS) == set(FAVOURABLE_DIRECTION) == set(KEY_OUTCOMES)
    assert all(threshold > 0 for threshold in PRACTICAL_THRESHOLDS.values())


def test_clear_needs_an_interval_off_zero_and_a_difference_above_the_threshold():
    # Excludes zero but negligible: the stigma effect a planner should not be told about.
    assert not is_clear("mean_stigma", -0.00009, -0.0001, -0.00008)
    assert is_clear("mean_stigma", -0.02, -0.03, -0.011)
    assert not is_clear("peer_workers", 0.8, 0.1, 1.5)  # under one person
    assert is_clear("peer_workers", 1.5, 0.5, 2.5)
    assert is_clear("peer_workers", -1.5, -2.5, -0.5)
    assert not is_clear("peer_workers", 5.0, -0.1, 10.1)  # interval spans zero
    assert not is_clear("peer_workers", 5.0, 0.0, 10.0)  # ... or touches it
    assert not is_clear("peer_workers", 5.0, np.nan, np.nan)  # no interval
    assert not is_clear("peer_share", 0.0009, 0.0005, 0.0013)  # under 0.1 percentage point
    assert is_clear("peer_share", 0.0011, 0.0005, 0.0017)


def test_the_clear_column_is_significant_and_large_enough(comparison):
    table = comparison.differences
    threshold = table["outcome"].map(PRACTICAL_THRESHOLDS)
    expected = table["significant"] & (table["difference"].abs() > threshold)
    assert (table["clear"] == expected).all()
    assert table["clear"].any()
    assert not table.loc[table["scenario"] == "copy", "clear"].any()


def scenario(text: str) -> Scenario:
    return Scenario.from_text(text, source=f"{text.split(chr(34))[1]}.toml")


def test_notes_mention_only_the_settings_a_file_gives():
    baseline = scenario('name = "base"\nsteps = 24\nreplications = 3\nseed = 11\n')
    silent = scenario('name = "silent"\n')  # defaults: 120 months, seed 0, 20 replications
    seeded = scenario('name = "seeded"\nseed = 5\n')
    same = scenario('name = "same"\nsteps = 24\nseed = 11\n')  # sets them, to the same
    notes = comparison_notes(baseline, [silent, seeded, same])
    assert notes == [
        "'seeded' sets root seed 5; it was run with the baseline's root seed 11 so that its "
        "runs pair with the baseline's."
    ]


def test_a_different_sector_is_a_warning_not_a_silent_pairing():
    default_orgs = Parameters().n_orgs
    baseline = scenario('name = "base"\n[parameters]\nn_orgs = 4\n')
    bigger = scenario('name = "bigger"\n[parameters]\nn_orgs = 6\nboard_support = 0.9\n')
    lever = scenario('name = "lever"\n[parameters]\nn_orgs = 4\nboard_support = 0.9\n')
    (note,) = comparison_notes(baseline, [bigger, lever])
    assert note.startswith("Not like-for-like: 'bigger'")
    assert "n_orgs = 6 (baseline 4)" in note and "board_support" not in note
    # Values are compared as the model uses them: a file stating a default matches one
    # that leaves it out.
    unstated = scenario('name = "unstated"\n')
    stated = scenario(f'name = "stated"\n[parameters]\nn_orgs = {default_orgs}\n')
    assert comparison_notes(unstated, [stated]) == []
    (note,) = comparison_notes(unstated, [baseline])
    assert f"n_orgs = 4 (baseline {default_orgs})" in note


def test_a_copied_description_is_noted():
    baseline = scenario('name = "base"\ndescription = "Champions everywhere."\n')
    copied = scenario('name = "my-plan"\ndescription = "Champions everywhere."\n')
    other = scenario('name = "other"\ndescription = "Something else."\n')
    (note,) = comparison_notes(baseline, [copied, other])
    assert note.startswith("'my-plan' has the same description as 'base'")


# ---- the report (the command line is tested in tests/cli/test_compare.py) -----------------


def test_the_report_is_self_contained(files, tmp_path):
    baseline = Scenario.load(files["base"])
    comparison = compare(baseline, [Scenario.load(files["champion"])])
    started_at = datetime(2024, 1, 1, tzinfo=UTC)
    manifest = comparison_manifest(comparison, started_at=started_at, wall_time_seconds=1.0)
    out = write_comparison(comparison, tmp_path / "comparison", manifest)
    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "differences.csv",
        "differences.png",
        "manifest.json",
        "outcomes.png",
        "report.html",
        "timeseries.parquet",
    ]

    html = (out / "report.html").read_text(encoding="utf-8")
    for section in ("Summary", "Differences from the baseline", "Figures", "Scenarios"):
        assert f">{section}</h2>" in html, section
    for section in ("Notes", "Provenance"):
        assert f">{section}</h2>" in html, section
    assert "<strong>champion</strong> at 2 years:" in html
    assert "3 paired replications" in html
    assert html.count('src="data:image/png;base64,') == 2
    assert 'name = "champion"' in html and 'level = "executive"' in html  # file texts
    assert "A small sector left alone." in html
    assert re.search(r'<td class="[^"]*\b(good|bad)\b[^"]*"\s*>', html)  # clear ones shaded
    # Nothing outside the file: only in-page links, inline images, no scripts or styles.
    assert not re.search(r"<script|<link|<iframe|@import|url\(", html)
    assert all(ref.startswith("#") for ref in re.findall(r'href="([^"]*)"', html))
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', html))

    table = pd.read_csv(out / "differences.csv")
    assert list(table.columns) == list(DIFFERENCE_COLUMNS)
    assert set(table["scenario"]) == {"champion"} and sorted(table["month"].unique()) == [12, 24]
    series = pd.read_parquet(out / "timeseries.parquet")
    assert list(series.columns) == list(TIMESERIES_COLUMNS)
    assert series["seed"].nunique() == REPLICATIONS
    written = json.loads((out / "manifest.json").read_text())
    assert written["seeds"] == replication_seeds(SEED, REPLICATIONS)
    assert written["baseline"] == "base"
    assert [entry["name"] for entry in written["scenarios"]] == ["base", "champion"]
    assert written["scenarios"][1]["seed"] == 99 and written["notes"]
