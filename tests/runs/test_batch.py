"""Batched replications (simulation.runs.batch): each frame byte-identical to its run alone."""

import numpy as np
import pandas as pd
import pytest

from simulation import SectorModel, simulate
from simulation.core.interventions import make_intervention
from simulation.runs.batch import batch_groups, batch_size, build_batch, setup_key, simulate_batch
from simulation.runs.replications import run_replication

SEEDS = [3, 41, 2026]


def assert_byte_identical(alone: pd.DataFrame, batched: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(alone, batched, check_exact=True)
    assert alone.to_numpy().tobytes() == batched.to_numpy().tobytes()


def test_default_sector_batch_equals_each_seed_alone():
    frames = simulate_batch(36, SEEDS)
    assert len(frames) == len(SEEDS)
    for seed, frame in zip(SEEDS, frames, strict=True):
        assert_byte_identical(simulate(36, seed), frame)


def test_replications_in_a_batch_differ_and_do_not_touch_each_other():
    together = simulate_batch(24, SEEDS)
    assert not together[0].equals(together[1])
    # The middle seed gives the same frame whatever its batch-mates are.
    assert_byte_identical(simulate_batch(24, [SEEDS[1]])[0], together[1])


def test_scenario_events_apply_per_replication_as_alone():
    events = [
        make_intervention(0, "visits_programme", orgs=[1, 5], rate=0.2),
        make_intervention(6, "management_training", orgs="without_peers", coverage=0.5),
        make_intervention(6, "appoint_champion", level="executive", orgs=[0, 2, 7]),
        make_intervention(9, "hire_le_leader", orgs="with_peers"),
        make_intervention(9, "remove_champion", orgs=[2]),
        make_intervention(12, "set", name="staff_turnover", value=0.03),
        make_intervention(12, "set", name="pay_parity", value=0.9, orgs=[3, 4]),
        make_intervention(15, "workforce_training", orgs="exposure:significant"),
    ]
    frames = simulate_batch(30, SEEDS, events=events)
    for seed, frame in zip(SEEDS, frames, strict=True):
        alone = run_replication(30, seed, events=events).set_index("month")
        assert_byte_identical(alone, frame)


def test_different_parameters_go_to_different_batches_each_identical_to_alone():
    runs = [({"n_orgs": 6}, 1), ({"n_orgs": 9, "pay_parity": 0.7}, 2), ({"n_orgs": 6}, 3)]
    groups = batch_groups((setup_key(params) for params, _ in runs), size=8)
    assert groups == [[0, 2], [1]]
    for group in groups:
        params = runs[group[0]][0]
        frames = simulate_batch(24, [runs[i][1] for i in group], **params)
        for position, frame in zip(group, frames, strict=True):
            assert_byte_identical(simulate(24, runs[position][1], **runs[position][0]), frame)


def test_batch_groups_split_large_groups_in_order():
    assert batch_groups(["a", "b", "a", "a", "a"], size=2) == [[0, 2], [3, 4], [1]]


def test_sector_network_is_block_diagonal_and_orgs_know_their_replication():
    batch = build_batch(SEEDS, {"n_orgs": 5})
    structure = batch.structure
    owner = np.repeat(np.arange(batch.n_orgs), np.diff(structure.neighbour_ptr))
    replication = batch.org_replication
    assert replication.tolist() == np.repeat([0, 1, 2], 5).tolist()
    assert (replication[owner] == replication[structure.neighbours]).all()
    alone = SectorModel(rng=SEEDS[1], n_orgs=5)
    assert (
        structure.neighbours[owner >= 5][: alone.structure.neighbours.size].tolist()
        == (alone.structure.neighbours + 5).tolist()
    )


def test_batch_size_follows_runs_and_memory():
    assert batch_size(None, runs=3, memory=None) == 3
    assert batch_size(None, runs=10_000, memory=None) > 3
    assert batch_size(None, runs=10_000, memory=1.0) == 1


def test_a_batch_has_no_mesa_agents():
    batch = build_batch(SEEDS[:2], {"n_orgs": 3})
    with pytest.raises(TypeError, match="no Mesa agents"):
        batch.staff.create_agents()


def test_validation_arms_in_a_batch_equal_each_seed_alone():
    from simulation.runs.validation import PATTERNS, arms_of
    from simulation.runs.validation.arms import (
        AddPeers,
        ChampionsLeave,
        arm,
        run_arm,
        run_arm_batch,
    )

    arms = [each for each in arms_of(PATTERNS) if each.actions and not each.probe][:3]
    arms.append(arm("lab", "lab", {"n_orgs": 5}, [AddPeers(3, per_org=1), ChampionsLeave(6)]))
    for each in arms:
        batched = run_arm_batch(each, SEEDS, 12)
        for seed, run in zip(SEEDS, batched, strict=True):
            alone = run_arm(each, seed, 12)
            assert_byte_identical(alone.sector, run.sector)
            pd.testing.assert_frame_equal(alone.orgs, run.orgs, check_exact=True)


def test_calibration_measures_in_batches_equal_each_run_alone():
    from simulation.runs.calibration import measure, measure_many

    params = {"n_orgs": 6}
    jobs = [(seed, params) for seed in SEEDS] + [(7, {"n_orgs": 5})]
    batched = measure_many(jobs, months=12, progress=False)
    alone = [measure(seed, job_params, 12) for seed, job_params in jobs]
    assert batched == alone


def test_hindcasts_in_batches_equal_each_run_alone():
    from simulation.runs.batch import map_batched
    from simulation.runs.calibration import hindcast

    values = hindcast.default_nuisances()
    jobs = [(seed, values, 14, {"n_orgs": 5}) for seed in SEEDS]
    batched = map_batched(hindcast.hindcast_batch, jobs, hindcast.hindcast_setup)
    alone = [hindcast.run_hindcast(*job) for job in jobs]
    np.testing.assert_array_equal(pd.DataFrame(batched).to_numpy(), pd.DataFrame(alone).to_numpy())


def _tenfold(batch):
    return [value * 10 for _, value in batch]


def test_map_batched_groups_by_set_up_and_returns_results_in_job_order():
    from simulation.runs.batch import map_batched

    jobs = [("a", 1), ("b", 2), ("a", 3), ("b", 4), ("c", 5)]
    batches = []

    def recording(batch):
        batches.append([value for _, value in batch])
        return _tenfold(batch)

    results = map_batched(recording, jobs, lambda job: (None, job[0]))
    assert results == [10, 20, 30, 40, 50]
    assert batches == [[1, 3], [2, 4], [5]]


def test_the_progress_bar_counts_runs_not_batches(monkeypatch):
    from simulation.runs import pool

    seen = {}

    class Bar:
        def __init__(self, total, **kwargs):
            seen["total"], seen["done"] = total, 0

        def update(self, count=1):
            seen["done"] += count

        def close(self):
            pass

    monkeypatch.setattr(pool, "tqdm", Bar)
    pool.map_runs(_tenfold, [[("a", 1), ("a", 2)], [("b", 3)]], progress=True, runs_of=len)
    assert seen == {"total": 3, "done": 3}
