"""Replication seeds made one at a time (simulation.runs.replications.replication_seed)."""

import tracemalloc

import numpy as np
import pytest

import simulation.runs.replications as replications
from simulation.core.streams import seed_from_sequence
from simulation.runs.replications import replication_seed, replication_seeds, run_replications


@pytest.mark.parametrize("root", [0, 7, 12345, 2**40])
def test_one_seed_equals_the_spawned_child_and_the_list(root):
    children = np.random.SeedSequence(root).spawn(40)
    listed = replication_seeds(root, 40)
    for replication in (0, 1, 17, 39):
        expected = seed_from_sequence(children[replication])
        assert replication_seed(root, replication) == expected == listed[replication]


@pytest.mark.parametrize(("seed", "replication"), [(-1, 0), (0, -1), (1.5, 0), (0, True)])
def test_bad_seed_arguments_are_refused(seed, replication):
    with pytest.raises(ValueError, match="must be an integer >= 0"):
        replication_seed(seed, replication)


class FirstRunError(Exception):
    """Raised by the stand-in for the first replication."""


def test_a_huge_run_makes_no_seeds_up_front(monkeypatch):
    def first_run(steps, seeds, params, events, sector=None):
        assert seeds[0] == replication_seed(3, 0)
        raise FirstRunError

    monkeypatch.setattr(replications, "replication_frames", first_run)
    tracemalloc.start()
    try:
        with pytest.raises(FirstRunError):
            run_replications(steps=1, seed=3, replications=300_000, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A list of every seed first would take tens of megabytes before the first run.
    assert peak < 5 * 2**20
