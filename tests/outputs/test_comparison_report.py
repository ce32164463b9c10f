"""The planner's report of a comparison: numbers, readings, events in words, notes, figures."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, datetime

import numpy as np
import pytest

from simulation.outputs.comparison_figures import differences_figure, outcomes_figure
from simulation.outputs.comparison_report import (
    REPORT_COLUMNS,
    build_report,
    comparison_manifest,
    report_table,
)
from simulation.outputs.comparison_words import (
    difference_phrase,
    format_difference,
    format_value,
    headline_sentences,
    outcome_label,
    reading,
    threshold_phrase,
)
from simulation.runs.comparison import KEY_OUTCOMES, compare
from simulation.runs.scenarios import Scenario

BASELINE = """
name = "base"
description = "A small sector left alone."
steps = 13
replications = 3
seed = 7

[parameters]
n_orgs = 4
"""

# A user's plan made by copying a champion scenario: renamed, new events, old description;
# it gives no months, seed or replications of its own.
PLAN = """
name = "my-plan"
description = "Executive champions everywhere from month 12."

[parameters]
n_orgs = 4

[[events]]
month = 6
type = "appoint_champion"
level = "executive"

[[events]]
month = 8
type = "management_training"
orgs = "without_peers"
coverage = 0.5
"""

# Another sector altogether: the report must warn that its pairs are not like-for-like.
BIGGER = """
name = "bigger"
description = "Executive champions everywhere from month 12."
seed = 99

[parameters]
n_orgs = 5
"""


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    directory = tmp_path_factory.mktemp("scenarios")
    loaded = []
    for name, text in (("base", BASELINE), ("my-plan", PLAN), ("bigger", BIGGER)):
        path = directory / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        loaded.append(Scenario.load(path))
    return compare(loaded[0], loaded[1:])


@pytest.fixture(scope="module")
def page(comparison):
    manifest = comparison_manifest(
        comparison, started_at=datetime(2025, 1, 1, tzinfo=UTC), wall_time_seconds=1.0
    )
    return build_report(comparison, manifest).html()


def row(outcome, difference, low, high, **more):
    return {"outcome": outcome, "difference": difference, "ci_low": low, "ci_high": high, **more}


def test_a_difference_reads_as_number_and_interval():
    assert format_difference(row("peer_workers", 40.2, 35.04, 45.3)) == (
        "+40.2 (95% CI 35.0 to 45.3)"
    )
    assert format_difference(row("mean_stigma", -0.0213, -0.03, -0.0126)) == (
        "-0.021 (95% CI -0.030 to -0.013)"
    )
    assert format_difference(row("peer_share", 0.012, 0.008, 0.016)) == ("+1.2 (95% CI 0.8 to 1.6)")
    assert format_difference(row("peer_workers", 3.0, np.nan, np.nan)) == ("+3.0 (no CI: one pair)")
    assert format_difference(row("peer_workers", 0.0, 0.0, 0.0)) == "0 (95% CI 0 to 0)"


def test_an_interval_is_printed_with_enough_digits_to_show_its_side_of_zero():
    # Rounded to the usual tenth, the upper end would print as 0 and look like it touches 0.
    text = format_difference(row("peer_workers", -0.13, -0.26, -0.0004))
    assert text == "-0.1300 (95% CI -0.2600 to -0.0004)"
    text = format_difference(row("mean_stigma", -0.00009, -0.00012, 0.00003))
    assert text == "-0.00009 (95% CI -0.00012 to 0.00003)"


def test_every_value_of_an_outcome_is_rounded_alike():
    assert format_value("peer_workers", 55.66) == "55.7"
    assert format_value("peer_workers", 140.04) == "140.0"
    assert format_value("mean_stigma", 0.31234) == "0.312"
    assert format_value("peer_share", 0.0334) == "3.3"  # per cent
    assert format_value("peer_workers", 4.0, signed=True) == "+4.0"
    assert format_value("peer_workers", float("nan")) == "n/a"


def test_a_value_is_rounded_the_same_whatever_its_neighbours_in_the_table(comparison):
    # Formerly 55.7 next to a value of 100 or more in the same column became "56".
    differences = comparison.differences.copy()
    peers = differences.index[differences["outcome"] == "peer_workers"]
    differences.loc[peers, "baseline_mean"] = 55.66
    differences.loc[peers[0], "baseline_mean"] = 140.04
    differences.loc[peers, "scenario_mean"] = 0.3
    table = report_table(dataclasses.replace(comparison, differences=differences))
    shown = table.loc[table["outcome"] == outcome_label("peer_workers")]
    assert list(shown["baseline"]) == ["140.0"] + ["55.7"] * (len(peers) - 1)
    assert set(shown["scenario value"]) == {"0.3"}
    alone = differences.loc[peers[1:2]]
    table = report_table(dataclasses.replace(comparison, differences=alone))
    assert list(table["baseline"]) == ["55.7"]


def test_a_negligible_effect_is_not_called_favourable():
    tiny = row("mean_stigma", -0.00009, -0.0001, -0.00008, clear=False)
    assert reading(tiny) == "too small to matter (under 0.01 on its 0-1 scale)"
    assert reading(row("mean_stigma", -0.02, -0.03, -0.011, clear=True)) == "lower (favourable)"
    assert reading(row("peer_workers", -2.0, -3.0, -1.2, clear=True)) == ("lower (unfavourable)")
    assert reading(row("peer_workers", -0.13, -0.26, 0.0, clear=False)) == ("no clear difference")
    # Without a "clear" entry the reading applies the threshold itself.
    assert reading(row("peer_workers", 0.8, 0.1, 1.5)).startswith("too small to matter")


def test_thresholds_are_stated_in_their_units():
    assert threshold_phrase("peer_workers") == "1 peer worker"
    assert threshold_phrase("orgs_without_peers") == "0.5 organisations without peers"
    assert threshold_phrase("mean_stigma") == "0.01 on its 0-1 scale"
    assert threshold_phrase("mean_stigma", named=True) == "0.01 in mean stigma"
    assert threshold_phrase("peer_share") == "0.1 percentage points"
    assert threshold_phrase("no_such_outcome") == "none"


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (
            {"month": 12, "type": "appoint_champion", "level": "executive"},
            "month 12: appoint a champion at executive level in all organisations",
        ),
        (
            {"month": 3, "type": "management_training", "orgs": "without_peers", "coverage": 0.5},
            "month 3: management training for 50% of managers in the organisations without "
            "peer workers at the time",
        ),
        (
            {"month": 0, "type": "workforce_training", "orgs": [2]},
            "month 0: anti-stigma training for all non-peer staff in organisation 2",
        ),
        (
            {"month": 4, "type": "hire_le_leader", "orgs": [0, 3]},
            "month 4: hire a lived-experience leader onto the executive team in organisations "
            "0 and 3 (where there is none)",
        ),
        (
            {"month": 5, "type": "visits_programme", "rate": 0.3, "orgs": "exposure:none"},
            "month 5: visits programme: managers visit peer services at 0.3 visits a month in "
            "the organisations of exposure class 'none'",
        ),
        (
            {"month": 6, "type": "manager_network", "enabled": False},
            "month 6: end a support network for managers hiring peers in all organisations",
        ),
        (
            {"month": 7, "type": "set", "name": "role_clarity", "value": 0.9},
            "month 7: set role_clarity to 0.9 in all organisations",
        ),
        (
            {"month": 8, "type": "remove_champion", "orgs": [1]},
            "month 8: the most powerful champion leaves, in organisation 1",
        ),
        (
            {"month": 9, "type": "remove_champion", "level": "team_leader"},
            "month 9: every champion at team leader level leaves, in all organisations",
        ),
    ],
)
def test_events_read_in_words(event, words):
    scenario = Scenario.from_data({"name": "x", "parameters": {"n_orgs": 4}, "events": [event]})
    event = scenario.events[0]
    assert f"month {event.month}: {event.describe()}" == words


def test_the_table_shows_each_mean_the_same_way_and_marks_clear_ones(comparison):
    table = report_table(comparison)
    assert list(table.columns) == list(REPORT_COLUMNS)
    assert len(table) == len(comparison.differences)
    assert table["clear"].tolist() == comparison.differences["clear"].tolist()
    # The baseline's mean is one number: it reads the same beside every alternative.
    per_alternative = table.groupby(["outcome", "at"])["baseline"].nunique()
    assert (per_alternative == 1).all()
    last = report_table(comparison, month=13)
    assert set(last["at"]) == {"month 13"} and len(last) == 2 * len(KEY_OUTCOMES)


def test_headlines_give_clear_differences_then_name_the_rest(comparison):
    sentences = headline_sentences(comparison)
    assert [sentence.split("**")[1] for sentence in sentences] == ["my-plan", "bigger"]
    plan = sentences[0]
    records = comparison.at_month().query("scenario == 'my-plan'").to_dict("records")
    clear = [record for record in records if record["clear"]]
    rest = [record for record in records if not record["clear"]]
    assert clear and rest  # six months of champions show; not everything changes
    tail = plan[plan.rindex(")") + 1 :]
    for record in clear:
        assert difference_phrase(record) in plan
    for record in rest:
        assert difference_phrase(record) not in plan
        assert outcome_label(record["outcome"]) in tail


@pytest.mark.slow  # renders the two figures of the report
def test_the_report_shows_events_files_notes_and_the_method(comparison, page):
    # Each scenario's events in words and its file, so a copied file is not mistaken for
    # the one it was copied from.
    assert "month 6: appoint a champion at executive level in all organisations" in page
    assert "month 8: management training for 50% of managers" in page
    for scenario in comparison.scenarios:
        assert f"<code>{scenario.source}</code>" in page
    # Notes come before the numbers, boxed as a warning, and say what is not like-for-like.
    start = page.index('<div class="callout warn">')
    assert start < page.index('<h2 id="differences-from-the-baseline">')
    notes = html.unescape(page[start : page.index("</div>", start)])
    assert "Not like-for-like: 'bigger'" in notes and "n_orgs = 5 (baseline 4)" in notes
    assert "'bigger' sets root seed 99;" in notes
    assert "'my-plan' sets" not in notes  # it gives no settings of its own
    assert "same description" in notes
    # The method states the thresholds; the table has a clear column.
    assert "1 peer worker, 0.5 organisations without peers, 0.01 in mean stigma" in page
    assert ">clear</th>" in page
    clear_cells = re.findall(r'<td class="[^"]*\bcol6\b[^"]*"\s*>(yes|no)</td>', page)
    assert clear_cells == ["yes" if value else "no" for value in comparison.differences["clear"]]


def test_figures_say_mean_and_show_shares_in_per_cent(comparison):
    figure = outcomes_figure(comparison)
    panels = {axes.get_title(): axes for axes in figure.axes if axes.get_visible()}
    assert panels["Peer workers"].get_ylabel() == "peer workers (mean of 3 runs)"
    share = panels["Peer share of staff"]
    assert share.get_ylabel() == "% of staff (mean of 3 runs)"
    base = comparison.timeseries.query("scenario == 'base'").groupby("month")["peer_share"]
    plotted = share.lines[0].get_ydata()
    np.testing.assert_allclose(plotted, base.mean().to_numpy() * 100)

    differences = differences_figure(comparison)
    panels = {axes.get_title(): axes for axes in differences.axes if axes.get_visible()}
    assert panels["Peer share of staff"].get_ylabel() == "percentage points (mean of 3 pairs)"
    assert panels["Champions"].get_ylabel() == "champions (mean of 3 pairs)"
