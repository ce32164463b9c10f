"""The app rendered headlessly (solara.render, as Mesa tests its own apps): it builds,
Step advances the model, each intervention button acts on the model, a story loads."""

from __future__ import annotations

import ipyvuetify as v
import numpy as np
import pytest
import solara
import solara.widgets

from simulation.app.classroom import ClassroomModel
from simulation.app.page import BUTTON_TEXT, BUTTONS, Page
from simulation.core.state import Kind

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def render(model: ClassroomModel | None = None):
    """Render the app inside Solara's app layout (where Mesa puts Step, Play and Reset)."""

    @solara.component
    def App():  # noqa: N802 - a Solara component
        with solara.AppLayout():
            Page(model)

    _, rc = solara.render(App(), handle_error=False)
    return rc


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def headline(rc) -> str:
    return rc.find(solara.widgets.HTML, tag="h3").widget.unsafe_innerHTML


def pngs(rc) -> list[bytes]:
    import ipywidgets

    return [bytes(image.value) for image in rc.find(ipywidgets.Image).widgets]


def test_the_page_builds_with_its_views_and_labelled_controls():
    model = ClassroomModel(rng=3)
    rc = render(model)
    for label in ("Reset", "Step", *(label for label, _, _ in BUTTONS)):
        button(rc, label)  # exactly one of each
    assert headline(rc) == model.counts_sentence()
    assert headline(rc).startswith("Month 0: ")
    images = pngs(rc)
    assert len(images) == 3  # the network, the time series, the sector
    assert all(image.startswith(b"\x89PNG") for image in images)
    for widget in rc.find(v.Select).widgets + rc.find(v.Slider).widgets:
        assert widget.label, f"a control without a label: {widget}"


def test_step_advances_the_model_and_redraws_the_views():
    model = ClassroomModel(rng=3)
    rc = render(model)
    before = pngs(rc)
    step = button(rc, "Step")
    for _ in range(3):
        step.click()
    assert model.month == 3
    assert headline(rc) == model.counts_sentence()
    assert headline(rc).startswith("Month 3: ")
    after = pngs(rc)
    assert after[1] != before[1]  # the time series has three more months


def _champions(model, org):
    staff = model.staff
    return int(np.sum(staff.champion[: staff.size] & (staff.org[: staff.size] == org)))


def _managers(model, org):
    return model.manager_slots[model.staff.org[model.manager_slots] == org]


#: What each button changes in the organisation on screen.
EFFECTS = {
    "appoint_champion": lambda m, org: _champions(m, org),
    "remove_champion": lambda m, org: -_champions(m, org),
    "hire_le_leader": lambda m, org: int(m.orgs.le_leader[org] >= 0),
    "management_training": lambda m, org: m.staff.understanding[_managers(m, org)].sum(),
    "workforce_training": lambda m, org: -m.staff.stigma[_managers(m, org)].sum(),
    "visits_programme": lambda m, org: m.orgs.levers["visit_rate"][org],
    "manager_network": lambda m, org: int(m.orgs.levers["manager_network"][org]),
}


@pytest.mark.slow
def test_each_intervention_button_acts_on_the_organisation_on_screen_only():
    assert set(EFFECTS) == {name for _, name, _ in BUTTONS} == set(BUTTON_TEXT)
    model = ClassroomModel(rng=3, visit_rate=0.0, initial_champion=0.0)
    org = int(model.select_orgs("without_peers")[0])
    other = (org + 1) % model.n_orgs
    rc = render(model)
    rc.find(v.Select, label="Organisation on screen").widget.v_model = model.org_label(org)
    assert model.view_org == org
    button(rc, "Step").click()
    for label, name, _ in BUTTONS:
        effect = EFFECTS[name]
        before, elsewhere = effect(model, org), effect(model, other)
        marks = len(model.marked_events)
        button(rc, label).click()
        assert effect(model, org) > before, f"{label} changed nothing"
        assert effect(model, other) == elsewhere, f"{label} reached another organisation"
        assert model.marked_events[-1].month == 1 and len(model.marked_events) == marks + 1


def test_a_button_can_act_on_every_organisation_at_a_chosen_level():
    model = ClassroomModel(rng=3, initial_champion=0.0)
    rc = render(model)
    rc.find(v.Select, label="Intervene in").widget.v_model = "all organisations"
    rc.find(v.Select, label="Level of a new champion").widget.v_model = "team_leader"
    button(rc, "Appoint a champion").click()
    staff = model.staff
    champions = np.flatnonzero(staff.champion[: staff.size])
    assert set(staff.kind[champions].tolist()) == {Kind.TEAM_LEADER}
    assert len(set(staff.org[champions].tolist())) == model.n_orgs


@pytest.mark.slow
def test_loading_a_story_builds_its_scenario():
    rc = render()
    rc.find(v.Select, label="Story (press Reset to load)").widget.v_model = "lone-champion"
    button(rc, "Reset").click()
    expected = ClassroomModel(story="lone-champion", rng=42)  # the seed control's default
    assert headline(rc) == expected.counts_sentence()
    paragraphs = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML, tag="p").widgets]
    assert any(p.startswith("<b>Story: The lone champion who leaves.</b>") for p in paragraphs)
    assert [event.type for event in expected.scheduled_events] == ["remove_champion"]
    button(rc, "Step").click()
    expected.step()
    assert headline(rc) == expected.counts_sentence()


def test_each_session_gets_its_own_model():
    # Two sessions of the served page (no model given: each makes its own), as two browser
    # tabs would: stepping one leaves the other at month 0.
    first, second = render(), render()
    assert headline(first).startswith("Month 0: ") and headline(second).startswith("Month 0: ")
    second_images = pngs(second)
    for _ in range(2):
        button(first, "Step").click()
    assert headline(first).startswith("Month 2: ")
    assert headline(second).startswith("Month 0: ")
    assert pngs(second) == second_images
    button(second, "Step").click()
    assert headline(second).startswith("Month 1: ") and headline(first).startswith("Month 2: ")


def test_the_sector_chooser_loads_a_sector_file_with_its_names():
    rc = render()
    chooser = rc.find(v.Select, label="Sector (press Reset to load)").widget
    assert chooser.v_model == "generated from the levers" and "riverside" in chooser.items
    chooser.v_model = "riverside"
    button(rc, "Reset").click()
    assert "of 6 organisations" in headline(rc)
    selector = rc.find(v.Select, label="Organisation on screen").widget
    assert selector.items[:3] == ["Northside CMHT", "Southside CMHT", "Inpatient"]
    selector.v_model = "Inpatient"
    html = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    assert "The network</b> (left): Inpatient," in html


def test_sliders_carry_their_value_in_their_label():
    rc = render()
    labels = [widget.label for widget in rc.find(v.Slider).widgets]
    assert "Board support: 0.3" in labels
    assert all(": " in label for label in labels)
