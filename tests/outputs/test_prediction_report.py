"""The validation report's section on the hindcast's held-out predictions."""

from __future__ import annotations

import pandas as pd

from simulation.outputs.reports import Report
from simulation.outputs.validation_report import add_predictions, prediction_lines


def predictions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ["orgs_with_peers_2017", "held out", 0.453, 0.5, 0.40, 0.62, True, 0.0, 200],
            ["peer_growth_2015_2019", "held out", 0.159, 0.25, 0.19, 0.31, False, 0.031, 200],
            ["peer_share_ratio", "fitted", 1.507, 1.45, 1.1, 1.9, True, 0.0, 200],
        ],
        columns=["figure", "role", "national", "median", "low", "high", "inside", "miss", "runs"],
    )


def test_prediction_lines_give_each_held_out_figure_its_interval_and_verdict():
    lines = prediction_lines(predictions())
    assert len(lines) == 2  # the fitted figure is not a prediction
    assert "orgs_with_peers_2017" in lines[0] and lines[0].endswith("inside")
    assert "0.400 to 0.620" in lines[0]
    assert lines[1].endswith("outside by 0.031")


def test_the_report_section_marks_inside_and_outside():
    report = Report("test")
    add_predictions(report, predictions())
    html = report.html()
    assert "Held-out predictions" in html and "200 runs" in html
    assert html.count(' good" >yes<') == 2 and html.count(' bad" >no<') == 1
