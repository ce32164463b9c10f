"""Shared fixtures: small, controlled sectors built by hand for mechanism tests."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from hypothesis import settings

from simulation import SectorModel
from simulation.core.state import Kind

# Hypothesis profiles. "ci", the default, is derandomised: every run, in CI or here, tries
# the same inputs, so a failure reproduces. "explore" (HYPOTHESIS_PROFILE=explore) draws new
# random inputs each run and ten times as many, to look for new failures locally.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(HYPOTHESIS_PROFILE)


def fuzz_examples(count: int) -> int:
    """Examples for a fuzz test: ``count``, or ten times as many in the explore profile."""
    return count * 10 if HYPOTHESIS_PROFILE == "explore" else count


def tiny_sector(**overrides) -> SectorModel:
    """A sector of two identical 24-person organisations with no peers and no noise sources.

    Sizes are fixed (``org_size_sigma=0``), both organisations start in class ``none``,
    nobody visits or turns over, no one starts as a champion and no first post is funded
    by chance (``first_hire_rate=0``), so a test controls
    every difference it studies.
    """
    settings = dict(
        n_orgs=2,
        mean_org_size=24,
        org_size_sigma=0.0,
        exposure_mix=(1.0, 0.0, 0.0),
        visit_rate=0.0,
        staff_turnover=0.0,
        initial_champion=0.0,
        first_hire_rate=0.0,
        rng=7,
    )
    settings.update(overrides)
    return SectorModel(**settings)


def team_members(model: SectorModel, unit: int, kind: Kind | None = None) -> np.ndarray:
    """Active slots in ``unit`` (optionally of one kind)."""
    staff = model.staff
    n = staff.size
    mask = staff.active[:n] & (staff.unit[:n] == unit)
    if kind is not None:
        mask &= staff.kind[:n] == kind
    return np.flatnonzero(mask)


def first_team(model: SectorModel, org: int) -> int:
    """The first frontline team (unit index) of an organisation."""
    return int(model.structure.team_start[org])


@pytest.fixture
def sector() -> SectorModel:
    return tiny_sector()


#: A small scenario for comparison tests: an executive champion everywhere from month 12,
#: with its own seed, length and replications, which a comparison overrides with the
#: baseline's and says so.
CHAMPION_SCENARIO = """
name = "champion"
description = "Executive champions everywhere from month 12."
steps = 36
replications = 5
seed = 99

[parameters]
n_orgs = 4

[[events]]
month = 12
type = "appoint_champion"
level = "executive"
"""


def default_sigint() -> None:
    """A ``preexec_fn`` giving a child process the default, unblocked SIGINT.

    A shell starts a background job (``cmd &``) with SIGINT ignored, and an ignored or
    blocked signal is inherited through fork and exec, so a Python child would never see
    Ctrl-C. The Ctrl-C tests must not depend on how the test run itself was started, nor on
    what an earlier test in the same process left behind.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
