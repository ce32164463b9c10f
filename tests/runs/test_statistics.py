import math

import numpy as np
import pytest

from simulation.runs.statistics import mean_interval


def test_mean_interval_matches_the_t_formula():
    values = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high = mean_interval(values)
    half = 3.182446305284263 * values.std(ddof=1) / 2.0  # t(0.975, 3) * sd / sqrt(4)
    assert mean == pytest.approx(3.5)
    assert (low, high) == pytest.approx((3.5 - half, 3.5 + half))


def test_a_wider_level_gives_a_wider_interval():
    values = [1.0, 2.0, 4.0, 7.0]
    _, low95, high95 = mean_interval(values)
    _, low99, high99 = mean_interval(values, level=0.99)
    assert low99 < low95 < high95 < high99


def test_columns_of_a_matrix_are_intervals_of_each_column():
    matrix = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 8.0]])
    mean, low, high = mean_interval(matrix)
    for column in range(2):
        assert (mean[column], low[column], high[column]) == pytest.approx(
            mean_interval(matrix[:, column])
        )


def test_fewer_than_two_values_give_no_interval():
    mean, low, high = mean_interval([5.0])
    assert mean == 5.0 and math.isnan(low) and math.isnan(high)
    mean, low, high = mean_interval(np.array([[1.0, np.nan], [np.nan, np.nan]]))
    assert mean[0] == 1.0 and math.isnan(mean[1])
    assert np.isnan(low).all() and np.isnan(high).all()


def test_missing_values_are_left_out_of_their_column():
    matrix = np.array([[1.0, 1.0], [3.0, 3.0], [np.nan, 5.0]])
    mean, low, high = mean_interval(matrix)
    assert mean[0] == pytest.approx(2.0)
    assert (mean[0], low[0], high[0]) == pytest.approx(mean_interval([1.0, 3.0]))


def test_no_spread_is_a_zero_width_interval():
    assert mean_interval([4.0, 4.0, 4.0]) == (4.0, 4.0, 4.0)


def test_bad_level_or_shape_is_refused():
    with pytest.raises(ValueError, match="level"):
        mean_interval([1.0, 2.0], level=95)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        mean_interval(np.zeros((2, 2, 2)))
