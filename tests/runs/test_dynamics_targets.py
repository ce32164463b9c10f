"""The measures of experiments/dynamics_targets.py (issue 11's targets) on small cases."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_sector

from simulation.core.state import Kind
from simulation.runs.calibration import series_figures
from simulation.runs.validation import AddPeers

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "dynamics_targets.py"


def load_script():
    spec = importlib.util.spec_from_file_location("dynamics_targets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dynamics_targets"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


dt = load_script()

#: Issue 11's design shrunk to two years, so a measurement takes well under a second.
SMALL = dt.Design(
    horizon=24,
    share_every=6,
    share_until=12,
    peerless_by=12,
    early=(0, 6),
    late=(6, 12),
    pulse_month=6,
    pulse_end=12,
    commitment_month=9,
    disclosure_months=12,
    record_months=(0, 6, 12, 24),
)
#: Four organisations, two of them with peers at month 0 and two without.
FOUR_ORGS = {"n_orgs": 4, "exposure_mix": (0.5, 0.5, 0.0)}
TARGET_ROWS = 7


def small_records(seeds=(1, 2)):
    return dt.run_all(seeds, SMALL, FOUR_ORGS)


def test_default_design_is_issue_11s():
    design = dt.Design()
    assert design.share_months == [0, 12, 24, 36, 48, 60]
    assert (design.early, design.late) == ((0, 36), (48, 120))
    assert (design.pulse_month, design.pulse_per_org, design.pulse_end) == (48, 2, 120)
    assert (design.commitment_month, design.disclosure_months, design.horizon) == (72, 96, 240)


@pytest.mark.parametrize(
    "change",
    [{"horizon": 100}, {"commitment_month": 130}, {"pulse_month": 0}, {"late": (60, 48)}],
)
def test_a_design_reading_months_outside_its_runs_is_refused(change):
    with pytest.raises(ValueError, match="Design"):
        dt.Design(**change)


def test_every_measure_is_finite_with_the_right_structure():
    targets, per_seed, series = dt.measure([1, 2], SMALL, FOUR_ORGS)
    judged = targets[targets["verdict"] != dt.RECORD]
    assert len(judged) == TARGET_ROWS
    assert judged["target"].tolist() == ["1", "2", "3", "3", "4", "4", "5"]
    assert set(targets["verdict"]) <= {dt.MET, dt.NOT_MET, dt.INCONCLUSIVE, dt.RECORD}
    assert (judged["threshold"] != "").all()
    assert np.isfinite(targets[["mean", "low", "high"]].to_numpy()).all()
    assert (targets["low"] <= targets["mean"]).all() and (targets["mean"] <= targets["high"]).all()
    assert (targets["seeds"] == 2).all()
    assert per_seed["seed"].tolist() == [1.0, 2.0]
    # Two of the four organisations start without peers, and the others get 2 peers each.
    assert (per_seed["peerless_orgs"] == 2).all()
    assert (per_seed["pulse_added"] == 4).all()
    assert series["month"].tolist() == [0, 6, 12, 18, 24]
    assert np.isfinite(series.drop(columns="month").to_numpy()).all()


def test_the_table_is_the_mean_of_the_per_seed_figures():
    records = small_records((3, 4, 5))
    per_seed = pd.DataFrame([dt.per_seed_measures(seed, SMALL) for seed in records])
    table = dt.targets_table(per_seed, SMALL).set_index("measure")
    retention = table.loc["pulse retention at month 12"]
    assert retention["mean"] == pytest.approx(per_seed["pulse_retention"].mean())
    expected = [
        (r["pulse"]["peer_workers"][12] - r["default"]["peer_workers"][12]) / r["pulse"]["added"]
        for r in records
    ]
    assert per_seed["pulse_retention"].tolist() == pytest.approx(expected)
    share = table.loc["min share of orgs with peers, months 0-12"]
    minimum = [min(r["default"]["orgs_with_peers"][[0, 6, 12]]) / 4 for r in records]
    assert share["mean"] == pytest.approx(np.mean(minimum))


def test_a_pulse_of_zero_peers_changes_nothing():
    zero = dt.Variant("pulse", SMALL.pulse_end, pulse_per_org=0)
    reference = dt.Variant("default", SMALL.horizon)
    for seed in (1, 2):
        pulsed = dt.run_variant((zero, seed, SMALL, FOUR_ORGS))
        default = dt.run_variant((reference, seed, SMALL, FOUR_ORGS))
        effects = dt.pulse_effects(pulsed, default, SMALL)
        assert effects["added"] == 0
        assert effects["extra_peers"] == 0.0
        assert effects["commitment_rise"] == 0.0
        assert effects["commitment_rise_pulsed"] == 0.0
        assert math.isnan(effects["retention"]) and math.isnan(effects["extra_hires_per_peer"])


def test_a_pulse_leaves_the_months_before_it_alone_and_adds_what_it_says():
    for seed in (1, 2):
        records = dt.run_all([seed], SMALL, FOUR_ORGS)[0]
        pulsed, default = records["pulse"], records["default"]
        before = slice(0, SMALL.pulse_month)
        for column in ("peer_workers", "decision_commitment", "exec_exposure"):
            assert np.array_equal(pulsed[column][before], default[column][before])
        assert pulsed["added"] == 2 * pulsed["pulse_orgs"].sum() == 4
        assert np.array_equal(pulsed["pulse_orgs"], default["pulse_orgs"])
        assert default["added"] == 0


def test_peer_pulse_funds_peers_in_each_org_with_peers_and_spreads_them_first():
    model = tiny_sector(exposure_mix=(0.5, 0.5, 0.0))  # org 1 starts with one peer, org 0 none
    staff = model.staff
    before = model.org_summary()["peer_workers"]
    assert before.tolist()[0] == 0 and before[1] > 0
    positions = model.orgs.positions.copy()
    old = set(staff.slots_of(Kind.PEER_WORKER).tolist())
    added = AddPeers(month=1, per_org=2).apply(model)  # the pulse the script uses
    assert added == 2
    assert (model.org_summary()["peer_workers"] - before).tolist() == [0, 2]
    assert (model.orgs.positions - positions).tolist() == [0, 2]
    # Org 1 has two teams, one with the peer: the first new peer goes to the other one,
    # so that after the pulse both teams work with peers.
    old_teams = set(staff.unit[list(old)].tolist())
    new = [slot for slot in staff.slots_of(Kind.PEER_WORKER).tolist() if slot not in old]
    frontline = model.structure.frontline_units
    teams = set(frontline[model.structure.unit_org[frontline] == 1].tolist())
    assert len(new) == 2 and staff.unit[new[0]] not in old_teams
    assert old_teams | set(staff.unit[new].tolist()) == teams


def test_annual_growth_is_the_calibrations_growth_measure():
    peers = np.linspace(20, 31, 37)
    frame = pd.DataFrame({"peer_workers": peers, "peer_share": 0.01, "peer_leavers": np.ones(37)})
    assert dt.annual_growth(peers, 0, 36) == pytest.approx(series_figures(frame)["peer_growth"])
    assert dt.annual_growth([10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20], 0, 12) == pytest.approx(1.0)
    assert math.isnan(dt.annual_growth([0, 5], 0, 1))


def test_peerless_hire_counts_only_organisations_without_peers_at_month_0():
    record = {
        "peerless_0": np.array([True, True, False, False]),
        "ever_employed": {12: np.array([False, True, True, True])},
    }
    assert dt.peerless_hire(record, 12) == {"peerless": 2, "hired": 1, "any": 1.0}
    record["ever_employed"][12] = np.array([False, False, True, True])
    assert dt.peerless_hire(record, 12)["any"] == 0.0
    record["peerless_0"] = np.zeros(4, dtype=bool)
    assert math.isnan(dt.peerless_hire(record, 12)["any"])


def test_ratio_interval_is_exact_for_proportional_pairs_and_wider_with_noise():
    denominators = np.array([0.02, 0.05, 0.04, 0.08])
    assert dt.ratio_interval(0.7 * denominators, denominators) == pytest.approx((0.7, 0.7, 0.7))
    noisy = 0.7 * denominators + np.array([0.01, -0.01, 0.005, -0.004])
    ratio, low, high = dt.ratio_interval(noisy, denominators)
    assert ratio == pytest.approx(noisy.mean() / denominators.mean())
    assert low < ratio < high
    assert all(math.isnan(v) for v in dt.ratio_interval([1.0, 2.0], [1.0, -1.0]))


@pytest.mark.parametrize(
    ("low", "high", "minimum", "maximum", "expected"),
    [
        (0.41, 0.5, 0.40, None, "met"),
        (0.30, 0.39, 0.40, None, "not met"),
        (0.35, 0.45, 0.40, None, "inconclusive"),
        (0.12, 0.20, 0.10, 0.25, "met"),
        (0.26, 0.30, 0.10, 0.25, "not met"),
        (0.20, 0.30, 0.10, 0.25, "inconclusive"),
        (math.nan, math.nan, 0.40, None, "inconclusive"),
    ],
)
def test_verdict(low, high, minimum, maximum, expected):
    assert dt.verdict(low, high, minimum, maximum) == expected


def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert dt.main(["--quick", "--set", "n_orgz=4", "--out", str(out), "--no-progress"]) == 2
    assert "n_orgz" in capsys.readouterr().err
    assert dt.main(["--quick", "--workers", "999", "--no-progress"]) == 2
    with pytest.raises(SystemExit) as stopped:
        dt.main(["--seeds", "1"])
    assert stopped.value.code == 2
    assert not out.exists()


@pytest.mark.slow
def test_main_writes_only_with_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert dt.main(["--seeds", "2", "--workers", "1", "--no-progress"]) == 0
    assert list(tmp_path.iterdir()) == []
    assert "pulse retention" in capsys.readouterr().out
    out = tmp_path / "dynamics"
    assert dt.main(["--seeds", "2", "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    names = {path.name for path in out.iterdir()}
    assert names == {"targets.csv", "per_seed.csv", "series.csv", "manifest.json"}
    table = pd.read_csv(out / "targets.csv")
    assert (table["verdict"] != dt.RECORD).sum() == TARGET_ROWS
