"""Run figures (simulation.outputs.figures): titles that tell runs apart, units that say mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.core.parameters import Parameters
from simulation.outputs.figures import (
    changed_parameters,
    describe_parameters,
    plot_timeseries,
    y_label,
)


def runs(replications: int = 3, months: int = 24, scenario: str | None = None) -> pd.DataFrame:
    month = np.tile(np.arange(months + 1), replications)
    replication = np.repeat(np.arange(replications), months + 1)
    frame = pd.DataFrame(
        {
            "replication": replication,
            "month": month,
            "peer_workers": 10.0 + month + replication,
            "peer_share": 0.02 + 0.001 * month,
            "disclosed_share": 0.5 + 0.0 * month,
        }
    )
    if scenario is not None:
        frame.insert(0, "scenario", scenario)
    return frame


def panels(figure) -> dict:
    return {axes.get_title(): axes for axes in figure.axes if axes.get_visible()}


COLUMNS = ("peer_workers", "peer_share", "disclosed_share")


def test_counts_say_they_are_means_and_shares_are_in_per_cent():
    frame = runs()
    figure = plot_timeseries(frame, COLUMNS)
    shown = panels(figure)
    assert shown["Peer workers"].get_ylabel() == "peer workers (mean of 3 runs)"
    assert shown["Peer share of staff"].get_ylabel() == "% of staff (mean of 3 runs)"
    assert (
        shown["Staff with LE who disclosed"].get_ylabel() == "% of staff with LE (mean of 3 runs)"
    )
    np.testing.assert_allclose(
        shown["Peer share of staff"].lines[0].get_ydata(), (0.02 + 0.001 * np.arange(25)) * 100
    )
    np.testing.assert_allclose(shown["Staff with LE who disclosed"].lines[0].get_ydata(), 50.0)
    np.testing.assert_allclose(shown["Peer workers"].lines[0].get_ydata(), 11.0 + np.arange(25))
    single = panels(plot_timeseries(runs(replications=1), COLUMNS))
    assert single["Peer workers"].get_ylabel() == "peer workers (1 run)"


def test_the_title_names_the_run_and_its_changed_parameters():
    default = Parameters()
    params = {"n_orgs": 7, "board_support": default.board_support}  # one changed, one not
    figure = plot_timeseries(runs(scenario="exec-champion"), COLUMNS, params=params)
    title = figure.get_suptitle()
    assert title.startswith("exec-champion: sector over time\n")
    assert "changed: n_orgs = 7" in title and "board_support" not in title
    assert "3 replications" in title and "24 months" in title

    plain = plot_timeseries(runs(), COLUMNS, params={}).get_suptitle()
    assert plain.startswith("Sector over time\ndefault parameters;")
    given = plot_timeseries(runs(), COLUMNS, "my run", subtitle="the plan").get_suptitle()
    assert given == "my run\nthe plan"
    assert plot_timeseries(runs(), COLUMNS, "only a title", subtitle="").get_suptitle() == (
        "only a title"
    )


def test_changed_parameters_are_those_that_differ_from_the_defaults():
    default = Parameters()
    params = {"n_orgs": default.n_orgs, "board_support": 0.91}
    assert changed_parameters(params) == {"board_support": 0.91}
    assert changed_parameters(None) == {}
    assert describe_parameters({"n_orgs": default.n_orgs}) == "default parameters"
    assert describe_parameters(params) == "changed: board_support = 0.91"


def test_differences_of_shares_are_in_percentage_points():
    assert y_label("peer_share", 5, noun="pair", difference=True) == (
        "percentage points (mean of 5 pairs)"
    )
    assert y_label("mean_stigma", 2) == "score 0-1 (mean of 2 runs)"


def test_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="'nope'"):
        plot_timeseries(runs(), ["nope"])
