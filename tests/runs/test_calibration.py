"""Calibration figures, the table, the distance, and the search script's helpers."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_sector

from simulation import SectorModel
from simulation.core.state import Kind
from simulation.runs.calibration import (
    BAND_PENALTY,
    TARGET_NAMES,
    TARGETS,
    Target,
    calibration_table,
    distance,
    measure,
    month0_figures,
    point_search,
    series_figures,
)

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "calibrate.py"
BANDS = {target.name: (target.low, target.high) for target in TARGETS}


def on_target() -> dict[str, float]:
    """Figures exactly at each point target, band-only figures mid-band."""
    return {t.name: t.value if t.value is not None else (t.low + t.high) / 2 for t in TARGETS}


def test_targets_are_the_seven_figures_with_sane_bands():
    assert TARGET_NAMES == (
        "orgs_with_peers_0",
        "peer_growth",
        "peer_share_36",
        "token_peers_0",
        "clinician_le_0",
        "clinician_disclosed_0",
        "peer_exit_rate",
    )
    for t in TARGETS:
        assert t.low < t.high and t.source and t.description
        assert t.value is None or t.low < t.value < t.high


def test_measure_is_deterministic_for_a_seed():
    first = measure(5, {"n_orgs": 8}, months=12)
    assert list(first) == list(TARGET_NAMES)
    assert measure(5, {"n_orgs": 8}, months=12) == first
    assert measure(6, {"n_orgs": 8}, months=12) != first


def test_month0_figures_equal_a_direct_count_on_a_tiny_sector():
    # One organisation of each class none / some: the second starts with one peer worker.
    model = tiny_sector(exposure_mix=(0.5, 0.5, 0.0))
    staff = model.staff
    n = staff.size
    clinicians = np.flatnonzero(staff.active[:n] & (staff.kind[:n] == Kind.CLINICIAN))
    # Hand-set lived experience: 5 clinicians have it, 2 of them disclosed.
    staff.lived_experience[clinicians] = False
    staff.disclosed[clinicians] = False
    staff.lived_experience[clinicians[[0, 3, 6, 9, 12]]] = True
    staff.disclosed[clinicians[[3, 12]]] = True
    figures = month0_figures(model)

    (peer,) = np.flatnonzero(staff.active[:n] & (staff.kind[:n] == Kind.PEER_WORKER))
    team = staff.active[:n] & (staff.unit[:n] == staff.unit[peer])
    assert figures["orgs_with_peers_0"] == 1 / 2
    assert figures["clinician_le_0"] == 5 / clinicians.size
    assert figures["clinician_disclosed_0"] == 2 / 5
    # One peer in a team of about ten is a token at the default token_share of 0.15...
    assert 1 / team.sum() < 0.15 and figures["token_peers_0"] == 1.0
    # ... and not one when the token threshold is below its share.
    low_threshold = tiny_sector(exposure_mix=(0.5, 0.5, 0.0), token_share=0.05)
    assert month0_figures(low_threshold)["token_peers_0"] == 0.0


def test_series_figures_follow_their_definitions():
    months = 36
    peers = np.linspace(10, 20, months + 1)
    frame = pd.DataFrame(
        {
            "peer_workers": peers,
            "peer_share": np.full(months + 1, 0.02),
            "peer_leavers": np.r_[99, np.full(months, 2)],  # month 0's count is ignored
        }
    )
    figures = series_figures(frame, months)
    assert figures["peer_growth"] == pytest.approx(2 ** (1 / 3) - 1)
    assert figures["peer_share_36"] == 0.02
    assert figures["peer_exit_rate"] == pytest.approx(2 * months / (3 * peers[:months].mean()))


@pytest.mark.parametrize("seed", [1, 2])
def test_default_sector_meets_the_month0_bands(seed):
    figures = month0_figures(SectorModel(rng=seed))
    for name in ("orgs_with_peers_0", "token_peers_0", "clinician_le_0", "clinician_disclosed_0"):
        low, high = BANDS[name]
        assert low <= figures[name] <= high, f"{name} = {figures[name]:.3f}, seed {seed}"


def test_calibration_table_summarises_seeds():
    # Posts open often enough that six months of growth differ between seeds (at the
    # defaults' slow opening they can all be 0, and an interval of one value is no test).
    params = {"n_orgs": 8, "position_rate": 0.4}
    table = calibration_table([1, 2, 3], params, months=6, progress=False)
    assert list(table["figure"]) == list(TARGET_NAMES)
    assert {"target", "low", "high", "model_mean", "ci_low", "ci_high", "met"} <= set(table)
    runs = [measure(seed, params, months=6) for seed in (1, 2, 3)]
    growth = table.set_index("figure").loc["peer_growth"]
    assert growth["model_mean"] == pytest.approx(np.mean([run["peer_growth"] for run in runs]))
    assert growth["ci_low"] < growth["model_mean"] < growth["ci_high"]
    assert table["met"].tolist() == [
        low <= mean <= high
        for low, mean, high in zip(table["low"], table["model_mean"], table["high"], strict=True)
    ]


def test_distance_is_zero_at_the_targets_and_grows_with_misfit():
    assert distance(on_target()) == 0.0
    previous = 0.0
    for growth in (0.17, 0.20, 0.25, 0.30):
        value = distance(on_target() | {"peer_growth": growth})
        assert value > previous
        previous = value
    # A point figure at either edge of its band adds one, whatever the band's asymmetry.
    assert distance(on_target() | {"peer_growth": 0.25}) == pytest.approx(1.0)
    assert distance(on_target() | {"peer_growth": 0.10}) == pytest.approx(1.0)
    # Band-only figures cost nothing inside the band and a penalty outside it.
    assert distance(on_target() | {"peer_share_36": 0.049}) == 0.0
    assert distance(on_target() | {"peer_share_36": 0.06}) > BAND_PENALTY
    assert distance(on_target() | {"token_peers_0": 0.3}) > distance(
        on_target() | {"token_peers_0": 0.45}
    )
    assert distance(on_target() | {"peer_exit_rate": math.nan}) == math.inf


def load_script():
    spec = importlib.util.spec_from_file_location("calibrate_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_search_seeds_never_overlap_and_designs_stay_in_their_box():
    script = point_search
    stage1 = script.stage_seeds(2017, script.STAGE1, 8)
    stage2 = script.stage_seeds(2017, script.STAGE2, 16)
    confirm = script.stage_seeds(2017, script.CONFIRM, 30)
    assert script.stage_seeds(2017, script.STAGE1, 8) == stage1
    assert len(set(stage1) | set(stage2) | set(confirm)) == 8 + 16 + 30
    box = {name: (low, high) for name, (low, high, _) in script.SEARCH_SPACE.items()}
    points = script.hypercube(16, box, seed=1)
    assert points == script.hypercube(16, box, seed=1)
    for name, (low, high) in box.items():
        values = [point[name] for point in points]
        assert low <= min(values) and max(values) <= high
        assert max(values) - min(values) > 0.5 * (high - low)  # spread over the range
    assert script.round_significant(0.006849) == 0.0068
    assert script.round_significant(0.2537) == 0.25
    assert set(script.REFERENCE) == set(script.SEARCH_SPACE)


@pytest.mark.slow
def test_the_script_runs_a_tiny_search_and_writes_its_three_files(tmp_path, capsys):
    out = tmp_path / "calibration"
    sizes = ["--points", "2", "--seeds", "1", "--points2", "2", "--seeds2", "1", "--keep", "1"]
    argv = [*sizes, "--confirm", "2", "--months", "6", "--workers", "1", "--no-progress"]
    assert load_script().main([*argv, "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "calibration.json",
        "confirmation.csv",
        "manifest.json",
        "points.csv",
    ]
    summary = json.loads((out / "calibration.json").read_text())
    assert set(summary["chosen"]) == set(point_search.SEARCH_SPACE)
    points = pd.read_csv(out / "points.csv")
    assert {"stage1", "stage2", "confirm"} <= set(points["stage"])
    assert "chosen values" in capsys.readouterr().out


def test_one_target_type_scores_a_band_and_a_scale():
    growth = next(t for t in TARGETS if t.name == "peer_growth")  # 0.159 in 0.10-0.25
    assert growth.misfit(0.25) == pytest.approx(1.0) and growth.misfit(0.10) == pytest.approx(1.0)
    hindcast = Target("x", "a figure", "a source", value=0.5, scale=0.05)
    assert hindcast.misfit(0.55) == pytest.approx(1.0) and hindcast.misfit(0.4) == pytest.approx(4)
    assert distance({"x": 0.55}, [hindcast]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no band"):
        hindcast.met(0.5)
    with pytest.raises(ValueError, match="needs low and high"):
        Target("y", "a band-only figure", "a source", value=None, low=0.1)
    with pytest.raises(ValueError, match="scale must be > 0"):
        Target("z", "a figure", "a source", value=0.5, scale=0.0)
