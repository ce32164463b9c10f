"""Sensitivity analysis of sweep runs: main effects over tuple-valued levels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.runs.sensitivity import main_effects


def test_main_effects_group_a_tuple_parameters_levels(tmp_path):
    # A tuple parameter (e.g. initial_exposure) swept through levels comes back from the
    # results' Parquet shards as arrays, which pandas cannot group on by themselves.
    low, high = [0.025, 0.15, 0.25], [0.075, 0.45, 0.75]
    runs = pd.DataFrame(
        {
            "status": ["ok", "ok", "ok", "error"],
            "initial_exposure": [low, high, low, high],
            "peer_workers": [10.0, 30.0, 14.0, np.nan],
        }
    )
    runs.to_parquet(tmp_path / "runs.parquet")
    stored = pd.read_parquet(tmp_path / "runs.parquet")
    assert isinstance(stored["initial_exposure"].iloc[0], np.ndarray)

    effects = main_effects(stored, ["initial_exposure"], ["peer_workers"])

    by_level = effects.set_index("level")
    assert set(by_level.index) == {tuple(low), tuple(high)}
    assert by_level.loc[[tuple(low)], "mean"].item() == 12.0
    assert by_level.loc[[tuple(low)], "runs"].item() == 2
    assert by_level.loc[[tuple(high)], "runs"].item() == 1  # the failed run is left out
