"""Replication seeds, replicated runs and their summaries (simulation.runs.replications)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulation.runs.replications as experiments
from simulation import SECTOR_COLUMNS, ParameterError, simulate
from simulation.runs.replications import (
    REPLICATION_COLUMNS,
    replication_seeds,
    run_replication,
    run_replications,
    summarise_replications,
)

SMALL = {"n_orgs": 4}
STEPS = 12


def test_replication_seeds_are_deterministic_distinct_and_63_bit():
    first = replication_seeds(7, 50)
    assert first == replication_seeds(7, 50)
    assert len(first) == 50
    assert len(set(first)) == 50
    assert all(isinstance(seed, int) and 0 <= seed < 2**63 for seed in first)


def test_replication_seeds_depend_on_root_seed_and_keep_their_prefix():
    assert replication_seeds(0, 3) != replication_seeds(1, 3)
    # Asking for more replications must not change the earlier ones.
    assert replication_seeds(0, 5)[:3] == replication_seeds(0, 3)


def test_replication_seeds_follow_seed_sequence_spawn():
    child = np.random.SeedSequence(3).spawn(2)[1]
    high, low = (int(word) for word in child.generate_state(2, np.uint32))
    assert replication_seeds(3, 2)[1] == ((high << 32) | low) & (2**63 - 1)


@pytest.mark.parametrize(("seed", "replications"), [(-1, 2), (0, 0), (0, -3), (1.5, 2)])
def test_replication_seeds_reject_bad_arguments(seed, replications):
    with pytest.raises(ValueError):
        replication_seeds(seed, replications)


def test_run_replications_is_a_long_frame_of_replications_by_months():
    frame = run_replications(steps=STEPS, seed=3, replications=3, params=SMALL, progress=False)
    assert tuple(frame.columns) == REPLICATION_COLUMNS
    assert REPLICATION_COLUMNS[3:] == tuple(SECTOR_COLUMNS)
    assert len(frame) == 3 * (STEPS + 1)
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["replication"].tolist() == np.repeat([0, 1, 2], STEPS + 1).tolist()
    assert frame["month"].tolist() == list(range(STEPS + 1)) * 3
    seeds_by_replication = frame.groupby("replication")["seed"].unique()
    assert [values.tolist() for values in seeds_by_replication] == [
        [seed] for seed in replication_seeds(3, 3)
    ]


def test_run_replications_is_reproducible():
    first = run_replications(steps=STEPS, seed=11, replications=2, params=SMALL, progress=False)
    second = run_replications(steps=STEPS, seed=11, replications=2, params=SMALL, progress=False)
    pd.testing.assert_frame_equal(first, second)
    other = run_replications(steps=STEPS, seed=12, replications=2, params=SMALL, progress=False)
    assert not first[list(SECTOR_COLUMNS)].equals(other[list(SECTOR_COLUMNS)])


def test_each_replication_equals_a_direct_simulate_call():
    frame = run_replications(steps=STEPS, seed=5, replications=3, params=SMALL, progress=False)
    seeds = replication_seeds(5, 3)
    # Run out of order, as a parallel executor might; the results must not depend on it.
    for replication in (2, 0, 1):
        expected = simulate(steps=STEPS, seed=seeds[replication], **SMALL)
        rows = frame[frame["replication"] == replication].set_index("month")[list(SECTOR_COLUMNS)]
        pd.testing.assert_frame_equal(rows, expected[list(SECTOR_COLUMNS)], check_names=False)
        single = run_replication(STEPS, seeds[replication], SMALL)
        pd.testing.assert_frame_equal(
            single.set_index("month"), rows, check_names=False, check_index_type=False
        )


def test_bad_parameter_fails_before_any_replication(monkeypatch):
    calls = []
    monkeypatch.setattr(experiments, "simulate", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(experiments, "replication_frames", lambda *args: calls.append(args))
    with pytest.raises(ParameterError, match="n_orgz"):
        run_replications(steps=STEPS, replications=2, params={"n_orgz": 4}, progress=False)
    with pytest.raises(ParameterError, match="pay_parity"):
        run_replications(steps=STEPS, replications=2, params={"pay_parity": 2.0}, progress=False)
    assert calls == []


@pytest.mark.parametrize(("steps", "replications"), [(0, 2), (STEPS, 0)])
def test_run_replications_rejects_empty_runs(steps, replications):
    with pytest.raises(ValueError):
        run_replications(steps=steps, replications=replications, params=SMALL, progress=False)


def test_progress_bar_ticks_once_per_replication_and_can_be_disabled(capsys):
    run_replications(steps=2, replications=3, params=SMALL, progress=True)
    assert "3/3" in capsys.readouterr().err
    run_replications(steps=2, replications=3, params=SMALL, progress=False)
    assert capsys.readouterr().err == ""


def test_summary_uses_t_interval_of_the_mean():
    frame = pd.DataFrame(
        {"replication": [0, 1, 2, 0, 1, 2], "month": [0, 0, 0, 1, 1, 1], "x": [1, 2, 6, 4, 4, 4]}
    )
    summary = summarise_replications(frame, "x")
    month0 = summary.loc[0]
    half_width = stats.t.ppf(0.975, 2) * np.std([1, 2, 6], ddof=1) / math.sqrt(3)
    assert month0["mean"] == pytest.approx(3.0)
    assert month0["n"] == 3
    assert month0["ci_low"] == pytest.approx(3.0 - half_width)
    assert month0["ci_high"] == pytest.approx(3.0 + half_width)
    # No spread between replications: the interval collapses to the mean.
    assert summary.loc[1, "ci_low"] == summary.loc[1, "ci_high"] == 4.0


def test_summary_of_one_replication_has_no_band():
    summary = summarise_replications(simulate(steps=3, seed=1, **SMALL), "peer_workers")
    assert (summary["n"] == 1).all()
    assert summary["ci_low"].isna().all()
    assert summary["ci_high"].isna().all()
