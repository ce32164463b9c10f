"""The app's model, layout, levers and stories, without a browser or Solara."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from simulation.app.classroom import ClassroomModel
from simulation.app.levers import DEFAULT_WORLD, LEVERS, OUTSIDE_WORLDS, model_params
from simulation.app.stories import STORIES
from simulation.core.errors import InputError
from simulation.core.parameters import Parameters, validate_parameters
from simulation.core.processes import board_target
from simulation.runs.scenarios import Scenario


def test_people_keep_their_place_from_month_to_month():
    model = ClassroomModel(rng=5, staff_turnover=0.05)
    org = int(model.select_orgs("with_peers")[0])
    model.show_org(org)
    layout = model.layout(org)
    seen = layout.positions(model)
    for _ in range(24):
        model.step()
        now = layout.positions(model)
        assert set(now) == {agent.unique_id for agent in model.agents_of_org(org)}
        assert len(set(now.values())) == len(now), "two people drawn on one spot"
        stayed = set(now) & set(seen)
        assert stayed and all(now[uid] == seen[uid] for uid in stayed)
        seen = now
    # Newcomers arrived over the two years (turnover, peer hires), and nobody moved.
    assert len(set(seen) - {a.unique_id for a in ClassroomModel(rng=5).agents_of_org(org)}) > 0


def test_the_grid_is_the_organisation_on_screen_at_its_stable_places():
    model = ClassroomModel(rng=5)
    model.show_org(2)
    network = model.grid
    assert set(network.G.nodes) == {agent.unique_id for agent in model.agents_of_org(2)}
    positions = model.layout(2).positions(model)
    for cell in network.all_cells:
        assert tuple(cell.position) == pytest.approx(positions[cell.coordinate])
    model.show_org(2)
    assert model.grid is network  # nobody came or went: not rebuilt
    model.intervene("hire_le_leader", orgs=[2])
    rebuilt = model.grid
    assert rebuilt is not network and len(rebuilt.G) == len(network.G) + 1
    model.show_org(3)
    assert set(model.grid.G.nodes) == {agent.unique_id for agent in model.agents_of_org(3)}
    with pytest.raises(InputError, match="org = 99: allowed: ids 0 to 23"):
        model.show_org(99)


def test_the_app_model_gives_the_sector_models_results():
    from simulation import SectorModel

    app_model, core_model = ClassroomModel(rng=9), SectorModel(rng=9)
    for _ in range(6):
        app_model.step()
        core_model.step()
    assert app_model.sector_frame().equals(core_model.sector_frame())


@pytest.mark.parametrize("name", list(STORIES))
def test_each_story_is_a_scenario_file_the_app_builds(name):
    story = STORIES[name]
    scenario = Scenario.load(story.path)
    assert scenario.name == name and scenario.description
    model = ClassroomModel(story=name, rng=1, visit_rate=0.05, n_orgs=12)
    assert model.story_scenario == scenario
    for key, value in scenario.parameters.items():  # the story's own parameters win
        assert getattr(model.params, key) == getattr(validate_parameters({key: value}), key)
    assert model.params.n_orgs == 12  # ... and the levers it does not set are kept
    assert model.view_org in model.select_orgs(story.shown_orgs)
    for _ in range(max(event.month for event in scenario.events)):
        model.step()
    assert [mark.month for mark in model.marked_events] == [e.month for e in scenario.events]


def test_an_unknown_story_is_refused_with_the_allowed_ones():
    with pytest.raises(InputError, match="story = 'fairy-tale': unknown story; allowed: 'none'"):
        ClassroomModel(story="fairy-tale")


def test_the_outside_world_choice_sets_the_yearly_series():
    default = Parameters()
    national = ClassroomModel(rng=1, outside_world=DEFAULT_WORLD)
    assert national.params.policy_pressure == default.policy_pressure
    still = ClassroomModel(rng=1, outside_world="no new policy (held at 2017-18)")
    assert still.params.policy_pressure == (0.3,) and still.params.funding_envelope == (0.12,)
    assert set(model_params()["outside_world"]["values"]) == set(OUTSIDE_WORLDS)
    # Alike in year 0; from year 2 the national path presses harder on boards.
    assert np.allclose(board_target(national), board_target(still))
    for _ in range(30):
        national.step()
        still.step()
    assert np.all(board_target(national) > board_target(still))
    with pytest.raises(InputError, match="outside_world.*allowed"):
        ClassroomModel(outside_world="mars")


def test_levers_read_their_defaults_and_ranges_from_the_parameters():
    params = model_params(seed=7)
    assert params["rng"].value == 7
    for lever in LEVERS:
        field = Parameters.model_fields[lever.name]
        control = params[lever.name]
        value = control["value"] if isinstance(control, dict) else control.value
        assert value == field.default
        assert lever.description == field.description
        if not isinstance(control, dict):
            low, high = lever.bounds()
            assert control.min == low and control.max == high and low <= value <= high
    defaults = {
        name: (c["value"] if isinstance(c, dict) else c.value) for name, c in params.items()
    }
    ClassroomModel(**defaults)  # every control is a keyword the model takes


def test_intervening_marks_the_month_and_reaches_the_chosen_organisations():
    # No champions but those appointed here (none at set-up, none taking up the role).
    model = ClassroomModel(rng=2, initial_champion=0.0, champion_uptake=0.0)
    model.step()
    model.show_org(4)
    model.intervene_on_screen("appoint_champion", level="senior")
    staff = model.staff
    champions = np.flatnonzero(staff.champion[: staff.size])
    assert staff.org[champions].tolist() == [4]
    model.intervene_on_screen("remove_champion", everywhere=True)
    assert not staff.champion[: staff.size].any()
    assert [(m.month, m.label) for m in model.marked_events] == [
        (1, "champion +"),
        (1, "champion -"),
    ]


def test_importing_the_model_loads_neither_the_app_nor_solara():
    code = (
        "import sys, simulation, simulation.runs.scenarios;"
        "bad = [m for m in sys.modules if m.startswith(('simulation.app', 'solara'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
