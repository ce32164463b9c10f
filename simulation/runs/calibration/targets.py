"""What the model must reproduce: national figures as targets, and one distance to them.

Two sets of figures, of one type (:class:`Target`):

- :data:`TARGETS`: the default sector read as 2017 (month 0) and over its first three years,
  fitted by the point search (:mod:`~simulation.runs.calibration.point_search`);
- :data:`NATIONAL_FIGURES`: the hindcast from 2011-12 to 2019-20, three of them fitted by
  ABC (:mod:`~simulation.runs.calibration.abc`), one held out and one checked.

A target has a value to hit (or only a band to lie in), and a scale that says how far off
counts as a misfit of one; :func:`distance` adds up the squared scaled misfits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Added to :func:`distance` for each band-only figure outside its band.
BAND_PENALTY = 10.0


@dataclass(frozen=True)
class Target:
    """One national figure the model should reproduce.

    Attributes:
        name: Key of the figure where it is measured (:func:`~simulation.runs.calibration.
            measure.measure` or :func:`~simulation.runs.calibration.hindcast.
            hindcast_figures`).
        description: What the model value is, in words.
        source: Where the national figure comes from.
        value: The value aimed at, or None for a figure that only has to lie in its band.
        low: Lower end of the acceptable band (None: no band).
        high: Upper end of the acceptable band (None: no band).
        scale: The misfit of one, the same on both sides of ``value``; None scales by the
            distance from ``value`` to the band's edge on the side the model falls.
        role: ``"fitted"`` (a search fits it), ``"held out"`` (used nowhere in building or
            tuning the model, and predicted), ``"checked"`` (not fitted by the search but
            used elsewhere in building the model, so its prediction is no test) or
            ``"criterion"`` (a band the search accepts inside: a pattern or a magnitude).
        baselines: Naive forecasts from the earlier published figures, named (persistence,
            linear trend): what the model's prediction must beat to be worth having.
    """

    name: str
    description: str
    source: str
    value: float | None
    low: float | None = None
    high: float | None = None
    scale: float | None = None
    role: str = "fitted"
    baselines: Mapping[str, float] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        """Whether a search fits this figure."""
        return self.role == "fitted"

    def __post_init__(self) -> None:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError(f"target {self.name!r}: a band-only target needs low and high")
        if self.scale is None and (self.low is None or self.high is None):
            raise ValueError(f"target {self.name!r}: without a scale, the band is the scale")
        if self.scale is not None and self.scale <= 0:
            raise ValueError(f"target {self.name!r}: scale must be > 0, got {self.scale}")

    def met(self, value: float) -> bool:
        """Whether ``value`` lies in the band (a missing value never does).

        Raises:
            ValueError: If the target has no band (a hindcast figure, scored by its scale).
        """
        if self.low is None or self.high is None:
            raise ValueError(f"target {self.name!r} has no band, only a scale")
        return bool(self.low <= value <= self.high)

    def misfit(self, value: float) -> float:
        """The squared scaled misfit of a model value: 0 on target, 1 at one scale off.

        With a :attr:`scale`, ``((value - target) / scale) ** 2``. Without one, a figure
        with a target value is scaled by the distance from the target to the band's edge on
        the side the value falls (a value at either edge adds 1, whatever the band's
        asymmetry); a band-only figure adds nothing inside its band and, outside it,
        :data:`BAND_PENALTY` plus the squared distance to the band in band widths.
        """
        if self.scale is not None:
            return ((value - self.value) / self.scale) ** 2
        if self.value is not None:
            edge = self.high if value >= self.value else self.low
            return ((value - self.value) / (edge - self.value)) ** 2
        if self.met(value):
            return 0.0
        outside = self.low - value if value < self.low else value - self.high
        return BAND_PENALTY + (outside / (self.high - self.low)) ** 2


TARGETS: tuple[Target, ...] = (
    Target(
        "orgs_with_peers_0",
        "share of organisations employing peers at month 0",
        "AIHW Mental health services in Australia 2017-18: 77 of 170 specialised services "
        "employed consumer workers (0.453)",
        0.453,
        0.40,
        0.50,
    ),
    Target(
        "peer_growth",
        "annual growth of the peer workforce over months 0-36, (P36 / P0)^(1/3) - 1",
        "AIHW: consumer and carer workers, 15.9 % a year from 2015-16 to 2019-20",
        0.159,
        0.10,
        0.25,
    ),
    Target(
        "peer_share_36",
        "peer workers and LE leaders as a share of all staff at month 36",
        "AIHW: consumer and carer workers are a small share (well under 5 %) of the "
        "specialised mental-health workforce",
        None,
        0.0,
        0.05,
    ),
    Target(
        "token_peers_0",
        "share of peer workers whose team's peer share is below token_share at month 0",
        "follows from the small share: most peers work as tokens (Kanter 1977); "
        "Byrne et al. (2019)",
        None,
        0.5,
        1.0,
    ),
    Target(
        "clinician_le_0",
        "share of clinicians with personal lived experience at month 0",
        "about 30 % of mental-health professionals report personal lived experience "
        "(assumption consistent with surveys of mental-health staff)",
        0.30,
        0.25,
        0.35,
    ),
    Target(
        "clinician_disclosed_0",
        "share of clinicians with lived experience who have disclosed it at month 0",
        "a working assumption of the model: most professionals' lived experience is "
        "undisclosed at work (docs/ODD.md section 10.2)",
        None,
        0.0,
        0.5,
    ),
    Target(
        "peer_exit_rate",
        "peer leavers a year over months 1-36 / mean peer headcount over months 0-35",
        "a working range of the model, 10-30 % of peer headcount a year (docs/ODD.md section "
        "10.2; Scanlan et al. 2020 for the reasons peers give)",
        0.20,
        0.10,
        0.30,
    ),
)

#: The names of :data:`TARGETS`, in order.
TARGET_NAMES: tuple[str, ...] = tuple(target.name for target in TARGETS)


#: The figures of the hindcast from 2011-12 (:mod:`~simulation.runs.calibration.hindcast`).
NATIONAL_FIGURES: tuple[Target, ...] = (
    Target(
        "peer_share_ratio",
        "mean peer share of staff in 2015-16 (months 49-60) / in 2011-12 (months 1-12)",
        "AIHW Mental health services in Australia: consumer-worker FTE per 10,000 "
        "care-provider FTE, 29.4 in 2011-12 and 44.3 in 2015-16",
        value=44.3 / 29.4,
        scale=0.15,
    ),
    Target(
        "orgs_with_peers_2015",
        "mean share of organisations employing peers in 2015-16 (months 49-60)",
        "AIHW: 46.5 % of specialised services employed consumer workers in 2015-16",
        value=0.465,
        scale=0.05,
    ),
    Target(
        "orgs_with_peers_2016",
        "mean share of organisations employing peers in 2016-17 (months 61-72)",
        "AIHW: 44.7 % in 2016-17",
        value=0.447,
        scale=0.05,
    ),
    Target(
        "orgs_with_peers_2017",
        "mean share of organisations employing peers in 2017-18 (months 73-84)",
        "AIHW: 45.3 % in 2017-18 (77 of 170 specialised services); it also sets the default "
        "run's month 0 (exposure_mix), so it is checked, not held out",
        value=0.453,
        scale=0.05,
        role="checked",
        baselines={"persistence": 0.447, "linear trend": 0.447 + (0.447 - 0.465)},
    ),
    Target(
        "peer_growth_2015_2019",
        "yearly growth of the mean peer workforce from 2015-16 to 2019-20, "
        "(P_2019-20 / P_2015-16)^(1/4) - 1",
        "AIHW: the lived-experience (consumer and carer) workforce grew about 15.9 % a "
        "year from 2015-16 to 2019-20; used nowhere in building or tuning the model (the "
        "funding envelope's growth is estimated, not read off this series)",
        value=0.159,
        scale=0.05,
        role="held out",
        baselines={
            # The 2011-12 to 2015-16 growth goes on; or FTE per 10,000 keeps rising by its
            # 2011-15 yearly step (3.725), from 44.3 to 59.2 in 2019-20.
            "persistence": (44.3 / 29.4) ** 0.25 - 1.0,
            "linear trend": (59.2 / 44.3) ** 0.25 - 1.0,
        },
    ),
)

#: The study's patterns as acceptance criteria of the search (pattern-oriented ABC): over a
#: hindcast in which the peer workforce grows, a parameter set is accepted only if managers'
#: understanding and commitment rise (pattern 1), and staff stigma falls while the disclosed
#: share rises (pattern 8). Band-only: inside the band adds nothing to the distance, outside
#: adds :data:`BAND_PENALTY`. The magnitudes of ``experiments/plausible-ranges.toml`` join
#: them in the search (:func:`magnitude_criteria`).
PATTERN_CRITERIA: tuple[Target, ...] = (
    Target(
        "understanding_rise",
        "managers' mean understanding, 2019-20 minus 2011-12",
        "Byrne et al. (2019), pattern 1: exposure to peer work brings understanding",
        None,
        0.0,
        1.0,
        role="criterion",
    ),
    Target(
        "commitment_rise",
        "managers' mean commitment, 2019-20 minus 2011-12",
        "Byrne et al. (2019), pattern 1: understanding brings commitment",
        None,
        0.0,
        1.0,
        role="criterion",
    ),
    Target(
        "stigma_fall",
        "staff's mean stigma, 2011-12 minus 2019-20",
        "Byrne et al. (2019), pattern 8: where colleagues disclose, an accepting culture follows",
        None,
        0.0,
        1.0,
        role="criterion",
    ),
    Target(
        "disclosure_rise",
        "disclosed share of staff with lived experience, 2019-20 minus 2011-12",
        "Byrne et al. (2019), pattern 8: lower stigma brings disclosure",
        None,
        0.0,
        1.0,
        role="criterion",
    ),
)


def magnitude_criteria(ranges: Sequence[Any], names: Sequence[str]) -> tuple[Target, ...]:
    """The month-0 plausible ranges of ``names`` as band-only criteria of the search.

    Args:
        ranges: :class:`~simulation.runs.magnitudes.Range` entries (the ranges file).
        names: The measures checked (a hindcast reads them in July 2017 as
            ``<measure>_2017``).

    Returns:
        One criterion per name, its band the month-0 range.

    Raises:
        ValueError: If a name has no month-0 range.
    """
    by_measure = {each.measure: each for each in ranges if each.month == 0}
    missing = [name for name in names if name not in by_measure]
    if missing:
        raise ValueError(f"no month-0 plausible range for {', '.join(missing)}")
    return tuple(
        Target(
            f"{name}_2017",
            f"{name} in July 2017 (the default run's month 0)",
            by_measure[name].source,
            None,
            by_measure[name].low,
            by_measure[name].high,
            role="criterion",
        )
        for name in names
    )


#: Names of the fitted hindcast figures and of the held-out ones.
FITTED = tuple(figure.name for figure in NATIONAL_FIGURES if figure.fitted)
HELD_OUT = tuple(figure.name for figure in NATIONAL_FIGURES if figure.role == "held out")
#: The hindcast figures ABC fits.
FITTED_FIGURES = tuple(figure for figure in NATIONAL_FIGURES if figure.fitted)
#: Every target by name (the two sets share no name).
BY_NAME: dict[str, Target] = {target.name: target for target in (*TARGETS, *NATIONAL_FIGURES)}


def distance(figures: Mapping[str, float], targets: Sequence[Target] = TARGETS) -> float:
    """Misfit of figures to targets: the sum of each target's :meth:`Target.misfit`.

    0 when every point target is hit exactly (and every band-only figure is in its band);
    a missing or non-finite figure counts as far outside (infinite distance). The point
    search scores mean figures over seeds by it; ABC scores one run by its square root.

    Args:
        figures: Figure name -> value, with every name of ``targets``.
        targets: The targets compared (default: the 2017 :data:`TARGETS`).

    Returns:
        The misfit, >= 0.

    Raises:
        KeyError: If a figure is missing.
    """
    total = 0.0
    for target in targets:
        value = float(figures[target.name])
        if not math.isfinite(value):
            return math.inf
        total += target.misfit(value)
    return total
