"""Scenario files (simulation.runs.scenarios); ``lewsim run SCENARIO`` is in tests/cli."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import fuzz_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simulation import SECTOR_COLUMNS, Scenario, ScenarioError, SectorModel, run_scenario
from simulation.cli import app
from simulation.core.errors import LewsimError
from simulation.core.interventions import INTERVENTION_TYPES
from simulation.runs.replications import replication_seeds
from simulation.runs.scenarios import (
    MAX_FILE_BYTES,
    MAX_STEPS,
    SCENARIO_COLUMNS,
    show,
)

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

runner = CliRunner()


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


#: Scenarios of the outside world (docs/ODD.md section 6.1), not of an intervention.
OUTSIDE_WORLD = {"no-new-policy", "funding-cut"}
#: Scenarios on the example sector file (experiments/sectors/riverside.toml).
OWN_SECTOR = {"riverside", "riverside-champions"}
SECTOR_EXAMPLE = Path(__file__).resolve().parents[2] / "experiments" / "sectors" / "riverside.toml"


def test_every_shipped_scenario_loads_and_validates():
    assert {path.stem for path in SHIPPED} == EXPECTED | OUTSIDE_WORLD | OWN_SECTOR
    for path in SHIPPED:
        scenario = Scenario.load(path)
        assert scenario.name == path.stem
        assert (scenario.steps, scenario.replications, scenario.seed) == (120, 30, 2019)
        assert scenario.text == path.read_text(encoding="utf-8")
        assert scenario.source == str(path)
        if scenario.name in OUTSIDE_WORLD:
            # They change only the funding envelope or policy pressure, and say so.
            assert "docs/ODD.md section 6.1" in scenario.description or "envelope" in (
                scenario.description
            )
            changed = set(scenario.parameters) | {e.name for e in scenario.events}
            assert changed <= {"funding_envelope", "policy_pressure"}
        elif scenario.name in OWN_SECTOR:
            # Relative to the scenario file, wherever the command runs from.
            assert scenario.sector == str(SECTOR_EXAMPLE.resolve())
            assert "Riverside" in scenario.description
            scenario.build(seed=1)
            continue
        elif scenario.name == "baseline":
            assert "Byrne et al. (2019)" in scenario.description
            assert scenario.events == () and scenario.parameters == {}
        else:
            assert "Byrne et al. (2019)" in scenario.description
            assert scenario.events and all(e.month == 12 for e in scenario.events)
        scenario.replace(parameters={"n_orgs": 4}).build(seed=1)  # the model accepts it


# ---- errors in scenario files ---------------------------------------------------------------

ERRORS = {
    "unknown top-level key": (
        scenario_text(top='colour = "red"'),
        ["colour: unknown field", "allowed: name, description, steps, replications, seed"],
    ),
    "unknown event key": (
        scenario_text(events=event(3, "appoint_champion", levle="senior")),
        ["events[0].levle: unknown field", "allowed: month, type, label, level, orgs"],
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


EVENT_ARGUMENTS = {
    "management_training": {"orgs": [1, 2], "coverage": 0.5},
    "workforce_training": {"orgs": "exposure:none", "coverage": 0},
    "appoint_champion": {"level": "senior", "orgs": 3},
    "remove_champion": {"level": "executive", "orgs": "with_peers"},
    "hire_le_leader": {"orgs": "with_peers"},
    "visits_programme": {"rate": 0.4},
    "manager_network": {"enabled": False, "orgs": [0]},
    "set": {"name": "pay_parity", "value": 1, "orgs": [2]},
}


@pytest.mark.parametrize("intervention", tuple(INTERVENTION_TYPES))
def test_an_event_is_read_as_the_intervention_its_type_names(intervention):
    arguments = EVENT_ARGUMENTS[intervention]
    scenario = Scenario.from_text(scenario_text(events=event(4, intervention, **arguments)))
    (read,) = scenario.events
    assert read == INTERVENTION_TYPES[intervention](month=4, **arguments)
    model = scenario.build(seed=1)
    assert model.scheduled_events == [read]  # scheduled as it is, to apply at month 4


def test_an_unknown_event_field_lists_the_interventions_own_arguments():
    for intervention, cls in INTERVENTION_TYPES.items():
        text = scenario_text(events=event(1, intervention, colour="red"))
        with pytest.raises(ScenarioError) as caught:
            Scenario.from_text(text)
        allowed = ", ".join(cls.model_fields)
        assert f"events[0].colour: unknown field; allowed: {allowed}" in caught.value.problems


def test_scenario_events_and_the_python_api_refuse_the_same_values():
    model = SectorModel(rng=1, n_orgs=4)
    for arguments in ({"coverage": "1"}, {"orgs": []}, {"orgs": [1.5]}, {"coverage": True}):
        with pytest.raises(ScenarioError) as from_file:
            Scenario.from_text(scenario_text(events=event(2, "management_training", **arguments)))
        with pytest.raises(LewsimError) as from_python:
            model.intervene("management_training", **arguments)
        ((field, value),) = arguments.items()
        reason = str(from_python.value).split(": ", 2)[2]
        assert from_file.value.problems == [f"events[0].{field} = {show(value)}: {reason}"]


# ---- strict values, odd values and limits in scenario files ------------------------------------

STRICT_CASES = {
    "a boolean for an integer": ("n_orgs = true", ["parameters.n_orgs = true", "an integer"]),
    "text for a number": ('pay_parity = "0.5"', ['parameters.pay_parity = "0.5"', "a number"]),
    "text for a boolean": (
        'manager_network = "yes"',
        ['parameters.manager_network = "yes"', "true or false"],
    ),
    "a list inside the exposure mix": (
        "exposure_mix = {none = [1], some = 0.0, significant = 0.0}",
        ["parameters.exposure_mix = {none = [1], some = 0.0, significant = 0.0}", "sum to 1"],
    ),
    "a date": ("pay_parity = 1979-05-27", ["parameters.pay_parity = 1979-05-27", "a number"]),
    "a date in the exposure mix": (
        "exposure_mix = {none = 1979-05-27}",
        ["parameters.exposure_mix = {none = 1979-05-27}"],
    ),
}
EVENT_CASES = {
    "set value as text": (
        {"type_": "set", "name": "pay_parity", "value": "0.5"},
        ['events[0].value = "0.5"', "a number between 0 and 1 (for pay_parity)"],
    ),
    "set boolean as text": (
        {"type_": "set", "name": "manager_network", "value": "yes"},
        ['events[0].value = "yes"', "true or false (for manager_network)"],
    ),
    "enabled as text": (
        {"type_": "manager_network", "enabled": "false"},
        ['events[0].enabled = "false"', "must be true or false"],
    ),
    "an empty selection": (
        {"type_": "hire_le_leader", "orgs": []},
        ["events[0].orgs = []", "selects no organisation"],
    ),
    "a fractional org id": (
        {"type_": "hire_le_leader", "orgs": [1.7]},
        ["events[0].orgs = [1.7]", "a list of organisation ids"],
    ),
    "a boolean as orgs": (
        {"type_": "hire_le_leader", "orgs": True},
        ["events[0].orgs = true", "a list of organisation ids"],
    ),
    "coverage as text": (
        {"type_": "workforce_training", "coverage": "1"},
        ['events[0].coverage = "1"', "a number between 0 and 1"],
    ),
}


@pytest.mark.parametrize("case", list(STRICT_CASES))
def test_parameters_in_a_file_are_strict_and_odd_values_are_clean_errors(case):
    line, expected = STRICT_CASES[case]
    text = scenario_text(params=line)
    if line.startswith("n_orgs"):
        text = scenario_text().replace("n_orgs = 4", line)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_text(text, source="x.toml")
    message = str(caught.value)
    assert message.startswith("x.toml: ") and len(caught.value.problems) == 1
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize("case", list(EVENT_CASES))
def test_event_values_in_a_file_are_strict(case):
    fields, expected = EVENT_CASES[case]
    fields = dict(fields)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_text(scenario_text(events=event(2, fields.pop("type_"), **fields)))
    for fragment in expected:
        assert fragment in str(caught.value), f"{fragment!r} not in {caught.value}"


def test_a_fractional_or_textual_event_month_is_refused():
    for month in ("2.5", '"3"', "true"):
        text = scenario_text(events=f'[[events]]\nmonth = {month}\ntype = "hire_le_leader"\n')
        with pytest.raises(ScenarioError, match=r"events\[0\]\.month = .*: must be an integer"):
            Scenario.from_text(text)


@pytest.mark.slow
def test_events_with_organisation_ids_raise_no_warning(tmp_path):
    path = tmp_path / "ids.toml"
    path.write_text(scenario_text(steps=3, events=event(1, "hire_le_leader", orgs=[1, 2])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scenario = Scenario.load(path)
        scenario.manifest_entry()
        scenario.replace(steps=2).build(seed=1)
        result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output


def test_a_byte_order_mark_is_accepted_and_left_out_of_the_text(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.encode())
    scenario = Scenario.load(path)
    assert scenario.name == "small" and scenario.text == SMALL
    assert Scenario.from_text("\ufeff" + SMALL).events == scenario.events


def test_numbers_too_long_to_hold_are_reported_honestly():
    huge = "9" * 5000
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_text(scenario_text(params=f"pay_parity = {huge}.0"))
    (problem,) = caught.value.problems
    assert problem.startswith("parameters.pay_parity = a 5001-digit number (999999999999...)")
    assert "inf" not in problem
    with pytest.raises(ScenarioError, match=r"1e400 \(beyond the largest number\)"):
        Scenario.from_text(scenario_text(params="pay_parity = 1e400"))
    with pytest.raises(ScenarioError, match="line 8: a number of more than 4300 digits"):
        Scenario.from_text(scenario_text(params=f"n_orgs = {huge}"))
    with pytest.raises(ScenarioError, match="steps = a 30-digit number: must be an integer"):
        Scenario.from_text(scenario_text(steps=10**29))


def test_odd_keys_and_long_text_are_shown_on_one_line():
    """Found by the fuzz test below: a key with a line break broke a message in two."""
    data = {"name": "odd", "replications": {"a\nb": 1}, "parameters": {"x y": 1}}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_data(data)
    parameters, replications = sorted(caught.value.problems)
    assert parameters.startswith('parameters."x y": unknown parameter; allowed: the ')
    assert replications == 'replications = {"a\\nb" = 1}: must be an integer >= 1 and <= 10000'
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_data({"name": "odd", "description": 7, "seed": "x" * 500})
    assert all(len(line) < 200 for line in caught.value.problems)


@pytest.mark.parametrize("depth", [20, 5000])
def test_deeply_nested_values_are_a_clean_error(depth):
    text = scenario_text(params=f"pay_parity = {'[' * depth}{']' * depth}")
    with pytest.raises(ScenarioError, match="nested more than 8 levels deep"):
        Scenario.from_text(text)


def test_a_scenario_file_must_be_a_regular_file_of_sensible_size(tmp_path):
    with pytest.raises(ScenarioError, match="not a regular file"):
        Scenario.load("/dev/zero")
    pipe = tmp_path / "pipe.toml"
    os.mkfifo(pipe)  # opening it for reading must not wait for a writer
    with pytest.raises(ScenarioError, match="not a regular file"):
        Scenario.load(pipe)
    with pytest.raises(ScenarioError, match="is a directory"):
        Scenario.load(tmp_path)
    big = tmp_path / "big.toml"
    big.write_text(SMALL + "#" * MAX_FILE_BYTES)
    with pytest.raises(ScenarioError, match="larger than 1 MB"):
        Scenario.load(big)
    result = runner.invoke(app, ["run", "/dev/zero", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_steps_and_replications_are_capped():
    assert Scenario.from_text(scenario_text(steps=MAX_STEPS)).steps == 1200
    with pytest.raises(ScenarioError, match="steps = 1201: must be an integer >= 1 and <= 1200"):
        Scenario.from_text(scenario_text(steps=MAX_STEPS + 1))
    text = scenario_text().replace("replications = 2", "replications = 10001")
    with pytest.raises(ScenarioError, match="replications = 10001: .* <= 10000"):
        Scenario.from_text(text)
    with pytest.raises(ScenarioError, match="steps = 5000"):
        run_scenario(Scenario.from_text(scenario_text()), steps=5000)


# ---- fuzz: whatever the file says, a scenario or a ScenarioError ---------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(),
    st.sampled_from(["all", "with_peers", "exposure:none", "pay_parity", "set", "executive"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_EVENT = st.fixed_dictionaries(
    {
        "month": st.one_of(st.integers(-2, 30), _SCALARS),
        "type": st.sampled_from(tuple(INTERVENTION_TYPES)),
    },
    optional={
        key: _VALUES
        for key in ("orgs", "coverage", "rate", "level", "enabled", "name", "value", "extra")
    },
)
_DATA = st.fixed_dictionaries(
    {"name": st.one_of(st.just("fuzz"), _SCALARS)},
    optional={
        "steps": st.one_of(st.integers(-5, 2000), _SCALARS),
        "replications": _VALUES,
        "seed": _VALUES,
        "description": _VALUES,
        "parameters": st.one_of(
            st.dictionaries(
                st.sampled_from(["n_orgs", "pay_parity", "exposure_mix", "manager_network", "x"]),
                _VALUES,
                max_size=3,
            ),
            _VALUES,
        ),
        "events": st.lists(st.one_of(_EVENT, _VALUES), max_size=3),
        "other": _VALUES,
    },
)


@settings(
    max_examples=fuzz_examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_DATA)
def test_fuzzed_scenario_data_is_a_scenario_or_a_clean_error(data):
    try:
        scenario = Scenario.from_data(data, source="fuzz.toml")
    except ScenarioError as error:
        assert error.problems and all(line and "\n" not in line for line in error.problems)
        assert all(len(line) < 2000 for line in error.problems)
    else:
        assert scenario.name == data["name"]


_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                'name = "fuzz"',
                "steps = 12",
                "[parameters]",
                "[[events]]",
                "month = 1",
                'type = "set"',
                'name = "pay_parity"',
                "value = 0.5",
                "orgs = [0, 1]",
                "n_orgs = 3",
                "exposure_mix = {none = 1.0}",
                "\ufeff",
                "x = [[[1]]]",
                "= =",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=8,
)


@settings(
    max_examples=fuzz_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_LINES)
def test_fuzzed_scenario_text_is_a_scenario_or_a_clean_error(lines):
    try:
        Scenario.from_text("\n".join(lines), source="fuzz.toml")
    except ScenarioError as error:
        assert error.problems
