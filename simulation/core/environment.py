"""The outside world: the funding envelope for peer posts and policy pressure, year by year.

Nothing inside the organisations decides how much money there is for peer posts, or how
loudly governments and commissions ask for a lived-experience workforce; both changed a
great deal in Australia after 2011, and the model takes them as inputs (docs/ODD.md
section 6.1). Each is a series of yearly values: the parameters ``funding_envelope`` and
``policy_pressure`` hold one value per model year from month 0 (year ``k`` covers months
``12k + 1`` to ``12k + 12``; the last value holds for every later year, so a single value
is a constant).

- **Funding envelope**: the most peer posts an organisation can fund, as a share of its
  staff, 0.12 in 2017-18. Its growth to 2019-20 is not read off the national workforce
  series that the calibration scores the model on (that would be circular): it is a
  quantity the hindcast estimates (``envelope_growth``, docs/ODD.md section 10.2), and
  the default path uses its posterior median, :data:`ENVELOPE_GROWTH`; after 2019-20 it
  grows, as an assumption, 6 % a year.
- **Policy pressure**: an ordinal index in [0, 1] of how strongly national and state
  policy asks organisations to employ peers. Each milestone raises it (an assumption of
  step sizes; the milestones are documented): the National Mental Health Commission
  (2012), its Contributing Lives review (2014), the Fifth National Mental Health and
  Suicide Prevention Plan (2017), the Productivity Commission inquiry and the Victorian
  Royal Commission (2019-2021), the National Lived Experience (Peer) Workforce
  Development Guidelines (2021) and the National Mental Health Workforce Strategy
  2022-2032 (2022).

:data:`NATIONAL_HISTORY` holds both by financial year (the year it starts in); a default
run starts in 2017-18, so the parameters' defaults are :func:`series_from` 2017. The
calibration's hindcast starts in 2011-12 and takes the series from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # parameters.py imports this module for its defaults
    from simulation.core.parameters import Parameters

#: First and last financial years of the built-in history (each labelled by its start).
FIRST_YEAR, LAST_YEAR = 2011, 2040

#: The year a default run's month 0 stands for.
DEFAULT_START_YEAR = 2017

#: Funding envelope of 2017-18 (share of an organisation's staff): the scale of the path.
ENVELOPE_2017 = 0.12

#: The envelope stops growing at a quarter of staff (an assumption: beyond it peer roles
#: would be a large part of the clinical workforce, which no plan proposes).
ENVELOPE_LIMIT = 0.25


#: Yearly growth of the envelope from 2011-12 to 2019-20: the posterior median of the
#: hindcast's ``envelope_growth`` (docs/ODD.md section 10.2; ``experiments/calibrate_abc.py``).
ENVELOPE_GROWTH = 0.147

#: Last financial year of the estimated growth; later years grow by ``LATER_GROWTH``.
ESTIMATED_UNTIL = 2019

#: Yearly growth after 2019-20 (an assumption: slower growth once the first national
#: strategies are funded).
LATER_GROWTH = 0.06


def funding_path(growth: float = ENVELOPE_GROWTH) -> dict[int, float]:
    """The funding envelope by financial year, 0.12 in 2017-18.

    Args:
        growth: Yearly growth from 2011-12 to 2019-20 (later years grow by
            :data:`LATER_GROWTH`); the envelope never exceeds :data:`ENVELOPE_LIMIT`.

    Returns:
        Financial year -> envelope, ``FIRST_YEAR`` to ``LAST_YEAR``, rounded to 4 places.
    """

    def step(year: int) -> float:
        return growth if year < ESTIMATED_UNTIL else LATER_GROWTH

    level = {DEFAULT_START_YEAR: ENVELOPE_2017}
    for year in range(DEFAULT_START_YEAR + 1, LAST_YEAR + 1):
        level[year] = min(level[year - 1] * (1 + step(year - 1)), ENVELOPE_LIMIT)
    for year in range(DEFAULT_START_YEAR - 1, FIRST_YEAR - 1, -1):
        level[year] = level[year + 1] / (1 + step(year))
    return {year: round(level[year], 4) for year in sorted(level)}


#: Policy milestones: (first financial year in force, pressure index from then on).
PRESSURE_MILESTONES: tuple[tuple[int, float, str], ...] = (
    (2011, 0.10, "before the National Mental Health Commission"),
    (2012, 0.15, "National Mental Health Commission established; first report card"),
    (2014, 0.20, "Contributing Lives review recommends a peer workforce"),
    (2017, 0.30, "Fifth National Mental Health and Suicide Prevention Plan"),
    (2019, 0.40, "Productivity Commission inquiry; Victorian Royal Commission"),
    (2021, 0.50, "National Lived Experience (Peer) Workforce Development Guidelines"),
    (2022, 0.55, "National Mental Health Workforce Strategy 2022-2032"),
)


def _pressure_path() -> dict[int, float]:
    path = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        path[year] = max(value for start, value, _ in PRESSURE_MILESTONES if start <= year)
    return path


#: Both series by financial year, ``FIRST_YEAR`` to ``LAST_YEAR``.
NATIONAL_HISTORY: dict[str, dict[int, float]] = {
    "funding_envelope": funding_path(),
    "policy_pressure": _pressure_path(),
}


def series_from(
    name: str, year: int, years: int = 20, history: dict[int, float] | None = None
) -> tuple[float, ...]:
    """The built-in series ``name`` for ``years`` model years from financial year ``year``.

    Args:
        name: ``"funding_envelope"`` or ``"policy_pressure"``.
        year: The financial year month 0 stands for (``FIRST_YEAR`` to ``LAST_YEAR``).
        years: How many yearly values (the last one holds after them).
        history: Another path by financial year to read instead of the built-in one (the
            hindcast's envelope of a proposed ``envelope_growth``).

    Returns:
        The yearly values.
    """
    history = NATIONAL_HISTORY[name] if history is None else history
    return tuple(history[min(year + k, LAST_YEAR)] for k in range(years))


def value_in_month(series: tuple[float, ...], month: int) -> float:
    """The value of a yearly series in ``month`` (months 1-12 are year 0; month 0 too).

    Args:
        series: Yearly values; the last holds for later years.
        month: The model month.

    Returns:
        The value in force.
    """
    year = max(month - 1, 0) // 12
    return float(series[min(year, len(series) - 1)])


def environment_at(params: Parameters, month: int) -> tuple[float, float]:
    """The funding envelope and policy pressure in force in ``month``.

    Args:
        params: The model's parameters.
        month: The model month.

    Returns:
        ``(funding_envelope, policy_pressure)``.
    """
    return (
        value_in_month(params.funding_envelope, month),
        value_in_month(params.policy_pressure, month),
    )
