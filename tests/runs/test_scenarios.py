"""Scenario files (simulation.runs.scenarios); ``lewsim run SCENARIO`` is in tests/cli."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import SECTOR_COLUMNS, Scenario, ScenarioError, SectorModel, run_scenario
from simulation.interventions import INTERVENTIONS
from simulation.runs.replications import replication_seeds
from simulation.runs.scenarios import EVENT_TYPES, SCENARIO_COLUMNS

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "experiments" / "scenarios").glob("*.toml"))
EXPECTED = {
    "baseline",
    "management-training",
    "workforce-training",
    "exec-champion",
    "le-leader",
    "visits-programme",
    "manager-network",
    "pay-parity",
    "clear-roles",
    "combined",
}


def scenario_text(top: str = "", params: str = "", events: str = "", steps: int = 24) -> str:
    """A small scenario in TOML: top-level keys, then [parameters], then [[events]]."""
    return (
        f'name = "small"\nsteps = {steps}\nreplications = 2\nseed = 5\n{top}\n'
        f"[parameters]\nn_orgs = 4\n{params}\n{events}"
    )


def event(month: int, type_: str, **fields) -> str:
    """One [[events]] table."""
    lines = [f"[[events]]\nmonth = {month}\ntype = {json.dumps(type_)}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


# ---- shipped scenarios ------------------------------------------------------------------


def test_every_shipped_scenario_loads_and_validates():
    assert {path.stem for path in SHIPPED} == EXPECTED
    for path in SHIPPED:
        scenario = Scenario.load(path)
        assert scenario.name == path.stem
        assert (scenario.steps, scenario.replications, scenario.seed) == (120, 30, 2019)
        assert "Byrne et al. (2019)" in scenario.description
        assert scenario.text == path.read_text(encoding="utf-8")
        assert scenario.source == str(path)
        if scenario.name == "baseline":
            assert scenario.events == () and scenario.parameters == {}
        else:
            assert scenario.events and all(e.month == 12 for e in scenario.events)
        scenario.replace(parameters={"n_orgs": 4}).build(seed=1)  # the model accepts it


def test_each_intervention_has_an_event_type_with_exactly_its_arguments():
    assert tuple(EVENT_TYPES) == INTERVENTIONS
    for name, model in EVENT_TYPES.items():
        signature = inspect.signature(getattr(SectorModel, name))
        arguments = {p.name: p.default for p in signature.parameters.values() if p.name != "self"}
        fields = {
            field: info.default
            for field, info in model.model_fields.items()
            if field not in ("month", "type")
        }
        assert set(fields) == set(arguments), name
        for field, default in arguments.items():
            if default is not inspect.Parameter.empty:
                assert fields[field] == default, f"{name}.{field}"


# ---- errors in scenario files ---------------------------------------------------------------

ERRORS = {
    "unknown top-level key": (
        scenario_text(top='colour = "red"'),
        ["colour: unknown field", "allowed: name, description, steps, replications, seed"],
    ),
    "unknown event key": (
        scenario_text(events=event(3, "appoint_champion", levle="senior")),
        ["events[0].levle: unknown field", "allowed: month, type, level, orgs"],
    ),
    "wrong type": (
        scenario_text().replace("steps = 24", 'steps = "ten"'),
        ['steps = "ten"', "must be an integer >= 1"],
    ),
    "out of range": (
        scenario_text(
            events=event(1, "hire_le_leader") + event(2, "management_training", coverage=1.5)
        ),
        ["events[1].coverage = 1.5", "must be a number between 0 and 1"],
    ),
    "unknown event type": (
        scenario_text(events=event(3, "train_everyone")),
        ['events[0].type = "train_everyone"', "unknown event type", "allowed: management_training"],
    ),
    "month past steps": (
        scenario_text(events=event(30, "hire_le_leader")),
        ["events[0].month = 30", "after the last month (steps = 24)", "allowed: 0 to 24"],
    ),
    "broken TOML": (
        'name = "small"\nsteps = = 3\n',
        ["line 2, column", "invalid TOML", "Invalid value"],
    ),
    "unknown parameter": (
        scenario_text(params="n_orgz = 4"),
        ["parameters.n_orgz: unknown parameter", '"n_orgs"', "fields of simulation.Parameters"],
    ),
    "parameter out of range": (
        scenario_text(params="pay_parity = 1.5"),
        ["parameters.pay_parity = 1.5", "must be a number between 0 and 1"],
    ),
    "bad orgs selector": (
        scenario_text(events=event(3, "manager_network", orgs="everyone")),
        ['events[0].orgs = "everyone"', '"without_peers"', "a list of organisation ids"],
    ),
    "organisation id out of range": (
        scenario_text(events=event(3, "hire_le_leader", orgs=[1, 9])),
        ["events[0].orgs = [1, 9]", "organisation id 9 is out of range", "ids 0 to 3"],
    ),
    "set of a set-up parameter": (
        scenario_text(events=event(3, "set", name="n_orgs", value=8)),
        ['events[0].name = "n_orgs"', "cannot change later", "allowed: any parameter except"],
    ),
    "set value out of range": (
        scenario_text(events=event(3, "set", name="role_clarity", value=2)),
        ["events[0].value = 2", "must be a number between 0 and 1 (for role_clarity)"],
    ),
    "set of a sector-wide parameter for some organisations": (
        scenario_text(events=event(3, "set", name="conformity", value=0.1, orgs=[0])),
        ["events[0].orgs = [0]", "conformity is sector-wide", 'allowed: "all"'],
    ),
    "wrong champion level": (
        scenario_text(events=event(3, "appoint_champion", level="ceo")),
        ['events[0].level = "ceo"', 'one of "executive", "senior"'],
    ),
    "missing event type": (
        scenario_text(events="[[events]]\nmonth = 3\n"),
        ["events[0].type: missing", "allowed: management_training"],
    ),
    "bad name": (
        scenario_text().replace('name = "small"', 'name = "../up"'),
        ['name = "../up"', "letters, digits"],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_scenario_errors_name_file_field_value_and_what_is_allowed(tmp_path, case):
    text, expected = ERRORS[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        Scenario.load(path)
    message = str(caught.value)
    lines = message.splitlines()
    assert lines and all(line.startswith(f"{path}: ") for line in lines)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_every_problem_gets_its_own_line(tmp_path):
    text = scenario_text(
        top="colour = 1",
        params="pay_parity = 2",
        events=event(-1, "hire_le_leader") + event(3, "workforce_training", coverage=-1),
    )
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_text(text, source="many.toml")
    problems = caught.value.problems
    assert len(problems) == 4
    assert str(caught.value).splitlines() == [f"many.toml: {problem}" for problem in problems]
    assert {problem.split(" ")[0].rstrip(":") for problem in problems} == {
        "colour",
        "parameters.pay_parity",
        "events[0].month",
        "events[1].coverage",
    }


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        Scenario.load(tmp_path / "nope.toml")
    assert str(caught.value) == f"{tmp_path / 'nope.toml'}: no such scenario file"


def test_an_override_that_leaves_an_event_outside_the_run_is_refused(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text(scenario_text(events=event(20, "hire_le_leader")))
    with pytest.raises(ScenarioError, match="steps = 12"):
        run_scenario(Scenario.load(path), steps=12)


# ---- events act at their month and not before ---------------------------------------------

EVENT_MONTH = 5


def _lever(name):
    return lambda model: model.orgs.levers[name].copy()


OBSERVABLES = {
    "management_training": (
        {"orgs": "all"},
        lambda model: model.sector_frame()["mean_understanding_managers"].iloc[-1],
    ),
    "workforce_training": (
        {"coverage": 1.0},
        lambda model: model.sector_frame()["mean_stigma"].iloc[-1],
    ),
    "appoint_champion": ({"level": "executive"}, lambda model: model.staff.champion.sum()),
    "hire_le_leader": ({}, lambda model: model.orgs.le_leader.copy()),
    "visits_programme": ({"rate": 0.5}, _lever("visit_rate")),
    "manager_network": ({"enabled": True}, _lever("manager_network")),
    "set": ({"name": "pay_parity", "value": 1.0, "orgs": [1, 2]}, _lever("pay_parity")),
}


def _trace(scenario: Scenario, observable, months: int):
    model = scenario.build(seed=11)
    values = []
    for _ in range(months):
        model.step()
        values.append(observable(model))
    return model.sector_frame(), values


@pytest.mark.parametrize("intervention", list(OBSERVABLES))
def test_each_event_acts_at_its_month_and_not_before(intervention):
    arguments, observable = OBSERVABLES[intervention]
    without = Scenario.from_text(scenario_text(steps=8))
    with_event = Scenario.from_text(
        scenario_text(steps=8, events=event(EVENT_MONTH, intervention, **arguments))
    )
    base_rows, base = _trace(without, observable, 8)
    rows, values = _trace(with_event, observable, 8)
    pd.testing.assert_frame_equal(rows.loc[: EVENT_MONTH - 1], base_rows.loc[: EVENT_MONTH - 1])
    for month in range(1, EVENT_MONTH):
        assert np.array_equal(values[month - 1], base[month - 1]), f"month {month}"
    assert not np.array_equal(values[EVENT_MONTH - 1], base[EVENT_MONTH - 1])


def test_a_subset_set_changes_only_those_organisations():
    scenario = Scenario.from_text(
        scenario_text(events=event(2, "set", name="pay_parity", value=1.0, orgs=[1, 2]))
    )
    model = scenario.build(seed=3)
    for _ in range(2):
        model.step()
    assert model.orgs.levers["pay_parity"].tolist() == [0.8, 1.0, 1.0, 0.8]


def test_a_sector_wide_set_changes_the_parameter_at_its_month():
    scenario = Scenario.from_text(
        scenario_text(events=event(EVENT_MONTH, "set", name="conformity", value=0.2))
    )
    model = scenario.build(seed=3)
    for month in range(1, EVENT_MONTH + 1):
        model.step()
        assert model.params.conformity == (0.2 if month >= EVENT_MONTH else 0.05)


def test_a_month_0_event_applies_at_set_up_after_the_month_0_row():
    plain = Scenario.from_text(scenario_text()).build(seed=2)
    trained = Scenario.from_text(scenario_text(events=event(0, "management_training"))).build(
        seed=2
    )
    assert not trained.scheduled_events
    assert trained.staff.understanding.sum() > plain.staff.understanding.sum()
    pd.testing.assert_frame_equal(trained.sector_frame(), plain.sector_frame())
    plain.step()
    trained.step()
    assert (
        trained.sector_frame()["mean_understanding_managers"].iloc[1]
        > plain.sector_frame()["mean_understanding_managers"].iloc[1]
    )


def test_events_of_one_month_apply_in_file_order():
    both = event(3, "set", name="pay_parity", value=0.9) + event(
        3, "set", name="pay_parity", value=0.6
    )
    model = Scenario.from_text(scenario_text(events=both)).build(seed=1)
    for _ in range(3):
        model.step()
    assert model.params.pay_parity == 0.6


# ---- running ----------------------------------------------------------------------------------

SMALL = scenario_text(steps=12, events=event(4, "appoint_champion") + event(6, "hire_le_leader"))


def test_run_scenario_is_reproducible_and_uses_the_replication_seeds():
    scenario = Scenario.from_text(SMALL)
    first = run_scenario(scenario)
    pd.testing.assert_frame_equal(first, run_scenario(scenario))
    assert tuple(first.columns) == SCENARIO_COLUMNS
    assert SCENARIO_COLUMNS[4:] == tuple(SECTOR_COLUMNS)
    assert (first["scenario"] == "small").all()
    assert len(first) == 2 * 13
    seeds = first.groupby("replication")["seed"].first().tolist()
    assert seeds == replication_seeds(5, 2)
    other = run_scenario(scenario, seed=6, replications=3, steps=10)
    assert other.groupby("replication")["seed"].first().tolist() == replication_seeds(6, 3)
    assert other["month"].max() == 10


def test_a_replication_is_the_scenario_built_on_its_seed():
    scenario = Scenario.from_text(SMALL)
    frame = run_scenario(scenario, replications=2)
    for replication, seed in enumerate(replication_seeds(5, 2)):
        model = scenario.build(seed)
        for _ in range(12):
            model.step()
        expected = model.sector_frame().reset_index()
        got = frame[frame["replication"] == replication][["month", *SECTOR_COLUMNS]]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    no_events = run_scenario(Scenario.from_text(scenario_text(steps=12)))
    assert not no_events[list(SECTOR_COLUMNS)].equals(frame[list(SECTOR_COLUMNS)])
