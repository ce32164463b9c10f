"""Adoption is earned through learning: the negative control of pattern 2 (issue 17).

An organisation without peers funds a first post once its decision-makers' commitment has
lifted its will past the hiring threshold (the main path at the defaults), or as a pilot
once their understanding passes ``first_hire_understanding`` (docs/ODD.md section 7.8).
Freeze learning (:data:`LEARNING_FROZEN`) and both close: what is left is what turnover
brings (newcomers drawn from the sector's baseline attitudes).

The seeds and tolerance: 4 paired seeds of the default sector, 120 months. The check asks
for a fall of at least 75 % (the issue's figure), and a sum of at least 8 adopters with
learning on, so that the ratio is not judged on a handful. At the defaults of the sector
at national scale it is not met (6 of 52 adopt with learning on, 3 frozen: newcomers'
baseline attitudes carry some peerless organisations past the threshold, docs/ODD.md
section 13.4), so it is marked as an expected failure, strictly: a change that meets it
fails here until the mark is removed.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.core.model import SectorModel
from simulation.core.processes import first_hire_chance
from simulation.runs.validation.arms import LEARNING_FROZEN, arm, run_arm
from simulation.runs.validation.outcomes import learning_control

SEEDS = (11, 12, 13, 14)
MONTHS = 120


@pytest.fixture(scope="module")
def adoption() -> dict[str, tuple[int, int]]:
    return learning_control(SEEDS, MONTHS)


@pytest.mark.xfail(
    strict=True,
    reason="missed at national scale: 6 of 52 adopt learning on, 3 frozen (turnover leak, "
    "docs/ODD.md section 13.4)",
)
def test_freezing_learning_cuts_adoption_by_at_least_three_quarters(adoption):
    (peerless, learnt), (same_peerless, frozen) = adoption["learning"], adoption["frozen"]
    assert peerless == same_peerless  # the same sectors at month 0 (common random numbers)
    assert learnt >= 8, f"too few adopters with learning on ({learnt} of {peerless}) to judge"
    assert frozen <= 0.25 * learnt, f"{frozen} adopt frozen against {learnt} learning"


def test_frozen_learning_leaves_attitudes_where_they_started():
    run = run_arm(arm("frozen", "frozen", dict(LEARNING_FROZEN)), SEEDS[0], 24)
    frame = run.sector
    # Turnover replaces leavers with newcomers, so means may drift a little; learning would
    # move them by far more over two years (about 0.05-0.10 at the defaults).
    for column in ("mean_understanding_managers", "mean_commitment_managers", "mean_stigma"):
        assert np.isclose(frame[column].iloc[-1], frame[column].iloc[0], atol=0.03), column
    assert frame["champions"].iloc[-1] <= frame["champions"].iloc[0]


def test_first_hire_needs_understanding_above_the_gate():
    model = SectorModel(rng=3, policy_pressure=1.0)
    deciders = model.decision_maker_slots
    # Just below the gate (the state is float32, so the gate itself may round above it).
    model.staff.understanding[deciders] = model.params.first_hire_understanding - 0.001
    assert np.all(first_hire_chance(model) == 0.0)
    model.staff.understanding[deciders] = 1.0
    chance = first_hire_chance(model)
    employs = model.orgs.positions > 0
    assert employs.any() and (~employs).any()
    assert np.all(chance[employs] == 0.0)
    assert np.all(chance[~employs] > 0.0)
    assert np.allclose(chance[~employs], model.params.first_hire_rate)
