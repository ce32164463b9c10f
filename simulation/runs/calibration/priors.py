"""The priors of the hindcast calibration: what ABC estimates, and over which ranges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulation.core.parameters import Parameters, validate_parameters


@dataclass(frozen=True)
class Prior:
    """The prior of one estimated quantity: uniform on its scale between two bounds.

    Attributes:
        name: A model parameter, or a hindcast-only nuisance (see :data:`NUISANCES`).
        low: Lower bound.
        high: Upper bound.
        log: Uniform in the logarithm (for rates whose order of magnitude is unknown).
        reason: Why this range.
    """

    name: str
    low: float
    high: float
    log: bool
    reason: str


#: The hindcast's own quantities, not model parameters: the share of organisations with
#: no exposure to peer work in 2011-12 (the first share of ``exposure_mix``; the other
#: two keep the default's 2 : 1 split), and the yearly growth of the funding envelope
#: from 2011-12 to 2019-20 (estimated, so that the envelope is not the national series the
#: hindcast is scored on; :func:`simulation.core.environment.funding_path`).
NUISANCES = ("initial_unexposed", "envelope_growth")

PRIORS: tuple[Prior, ...] = (
    Prior(
        "first_hire_rate",
        0.005,
        0.2,
        True,
        "a peerless organisation whose leaders fully understand peer roles, at full "
        "pressure, funds a first post within 5 to 200 months on average",
    ),
    Prior(
        "position_rate",
        0.03,
        0.4,
        True,
        "at full will a post opens every 2.5 to 33 months in an organisation",
    ),
    Prior(
        "hire_threshold",
        0.15,
        0.45,
        False,
        "will above which posts open: around the decision-makers' mean commitment at set-up "
        "(0.15-0.45 by class)",
    ),
    Prior(
        "pressure_support",
        0.0,
        1.0,
        False,
        "share of the gap to full board support that full policy pressure closes: anything "
        "from none to all",
    ),
    Prior(
        "understanding_gain",
        0.02,
        0.2,
        True,
        "monthly understanding gain at full exposure: leaders come to understand the roles "
        "within 5 to 50 months of full exposure",
    ),
    Prior(
        "understanding_decay",
        0.005,
        0.05,
        True,
        "monthly decay of understanding: its half-life without exposure 1 to 12 years",
    ),
    Prior(
        "first_hire_understanding",
        0.2,
        0.5,
        False,
        "leaders' mean understanding below which a peerless organisation does not consider "
        "a first post: between the starting means of leaders in organisations with no "
        "exposure (0.15) and with significant exposure (0.50)",
    ),
    Prior(
        "champion_threshold",
        0.4,
        0.8,
        False,
        "understanding and commitment above which staff may take up championing: from "
        "below the middle of the scale to near its top",
    ),
    Prior(
        "envelope_growth",
        0.0,
        0.25,
        False,
        "yearly growth of the funding for peer posts, 2011-12 to 2019-20: from none to 25 %, "
        "a wide range around the growth of national mental-health spending (a few per cent a "
        "year in real terms) and of new peer-workforce programmes",
    ),
    Prior(
        "initial_unexposed",
        0.45,
        0.75,
        False,
        "share of organisations with no peers in 2011-12: 25-55 % employing peers, around "
        "the 45-47 % of 2015-18 and allowing for growth before",
    ),
)
PRIOR_NAMES = tuple(prior.name for prior in PRIORS)


def check_priors(priors: Sequence[Prior] = PRIORS) -> None:
    """Check that every prior names a model parameter or a nuisance, within its range.

    Raises:
        ValueError: Naming the prior and what is allowed.
    """
    fields = Parameters.model_fields
    for prior in priors:
        if prior.name not in fields and prior.name not in NUISANCES:
            raise ValueError(f"prior {prior.name!r} is neither a model parameter nor a nuisance")
        if prior.name in fields:
            validate_parameters({prior.name: prior.low}, owner="prior")
            validate_parameters({prior.name: prior.high}, owner="prior")


def prior_quantile(prior: Prior, q: float) -> float:
    """The ``q`` quantile of a prior (uniform on its scale)."""
    if prior.log:
        return float(np.exp(np.log(prior.low) + q * (np.log(prior.high) - np.log(prior.low))))
    return prior.low + q * (prior.high - prior.low)
