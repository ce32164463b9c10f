"""The outside world: yearly series, the built-in national history, and their parameters."""

from __future__ import annotations

import pytest
from conftest import tiny_sector

from simulation.core import environment
from simulation.core.parameters import ParameterError, Parameters, validate_parameters


def test_a_yearly_series_changes_at_each_year_and_its_last_value_holds():
    series = (0.1, 0.2, 0.3)
    values = [environment.value_in_month(series, month) for month in range(0, 50)]
    assert values[0] == values[12] == 0.1  # month 0 (set-up) and months 1-12: year 0
    assert values[13] == values[24] == 0.2
    assert values[25] == values[36] == 0.3
    assert set(values[37:]) == {0.3}


def test_defaults_are_the_national_history_from_2017():
    defaults = Parameters()
    assert defaults.funding_envelope == environment.series_from("funding_envelope", 2017)
    assert defaults.policy_pressure == environment.series_from("policy_pressure", 2017)


def test_funding_history_grows_at_the_estimated_rate_then_the_assumed_one():
    funding = environment.NATIONAL_HISTORY["funding_envelope"]
    growth = environment.ENVELOPE_GROWTH
    assert funding[environment.DEFAULT_START_YEAR] == environment.ENVELOPE_2017
    # The estimated growth to 2019-20 (not the AIHW series the hindcast is scored on).
    assert (funding[2019] / funding[2011]) ** (1 / 8) - 1 == pytest.approx(growth, abs=0.002)
    assert funding[2021] / funding[2020] == pytest.approx(1 + environment.LATER_GROWTH, abs=0.002)
    assert max(funding.values()) <= environment.ENVELOPE_LIMIT


def test_funding_path_takes_another_growth():
    slow, fast = environment.funding_path(0.02), environment.funding_path(0.2)
    assert slow[2017] == fast[2017] == environment.ENVELOPE_2017
    assert fast[2011] < slow[2011] and fast[2019] > slow[2019]


def test_policy_pressure_never_falls_and_steps_at_its_milestones():
    pressure = environment.NATIONAL_HISTORY["policy_pressure"]
    years = sorted(pressure)
    assert all(pressure[a] <= pressure[b] for a, b in zip(years, years[1:], strict=False))
    for year, value, _ in environment.PRESSURE_MILESTONES:
        assert pressure[year] == value


def test_series_from_a_late_year_holds_the_last_known_value():
    late = environment.series_from("policy_pressure", environment.LAST_YEAR - 1, years=5)
    assert len(late) == 5 and len(set(late)) == 1


@pytest.mark.parametrize(
    ("value", "expected"), [(0.4, (0.4,)), (1, (1.0,)), ([0.1, 0.2], (0.1, 0.2))]
)
def test_a_number_is_a_constant_series(value, expected):
    assert validate_parameters({"policy_pressure": value}).policy_pressure == expected


@pytest.mark.parametrize("value", [[], [0.2, 1.2], True, "0.3", [0.1] * 101])
def test_bad_series_are_refused_naming_the_parameter(value):
    with pytest.raises(ParameterError, match="policy_pressure.*yearly values"):
        validate_parameters({"policy_pressure": value})


def test_the_environment_in_force_follows_the_model_month():
    model = tiny_sector(funding_envelope=[0.1, 0.3], policy_pressure=[0.2])
    assert environment.environment_at(model.params, model.month) == (0.1, 0.2)
    for _ in range(13):
        model.step()
    assert environment.environment_at(model.params, model.month) == (0.3, 0.2)
