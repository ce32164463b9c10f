"""The educator's app: Mesa's model controller and our own layout over a :class:`ClassroomModel`.

Served by ``lewsim app`` (``solara run simulation.app.page``). The sidebar holds Mesa's
Reset, Play and Step (its ``ModelController``), then the sector, the story, the seed and
the levers (:mod:`simulation.app.levers`; they apply on Reset), each slider showing its
value. The tab "Organisation" shows the organisation on screen as a network (drawn by
Mesa's ``SpaceRenderer``), the time series and the classroom panel (the month in words,
which organisation and shading to show, and the intervention buttons) in one row, so all
three fit a 1280 x 720 projector, and the sector below; the tab "About" explains the kinds
of staff, the levers and the stories to a room.
"""

from __future__ import annotations

import html
from typing import Any

import solara
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import force_update, update_counter

from simulation.app.classroom import SHADINGS, ClassroomModel
from simulation.app.levers import LEVERS, model_params
from simulation.app.stories import STORIES
from simulation.app.views import KIND_STYLE, network_png, sector_png, time_series_png
from simulation.core.intervention_arguments import CHAMPION_LEVELS

#: The intervention buttons: label, intervention, whether it takes the champion level.
BUTTONS: tuple[tuple[str, str, bool], ...] = (
    ("Appoint a champion", "appoint_champion", True),
    ("Remove a champion", "remove_champion", False),
    ("Hire an LE leader", "hire_le_leader", False),
    ("Management training", "management_training", False),
    ("Workforce training", "workforce_training", False),
    ("Start a visits programme", "visits_programme", False),
    ("Join the manager network", "manager_network", False),
)

#: The two targets of an intervention button.
TARGETS = ("this organisation", "all organisations")

#: What each kind of staff is, for a room.
KIND_TEXT = {
    "executive": "runs the organisation and decides what is funded; an executive champion "
    "moves resources (the study: champions in decision-making positions mattered most).",
    "senior manager": "manages team leaders; passes commitment up and down the hierarchy.",
    "team leader": "leads a frontline team; the first manager a peer worker meets.",
    "clinician": "frontline staff; some have lived experience and may not have disclosed it.",
    "peer worker": "employed for their lived experience of mental ill-health and recovery; "
    "working beside peers is what builds exposure and lowers stigma.",
    "LE leader": "a Lived Experience leader on the executive team: supervises peers and "
    "speaks for peer work where decisions are made.",
}

#: What a learner should look for in each picture (HTML).
VIEW_TEXT = (
    "<p><b>The network</b> is the organisation on screen: the executive team at the top, "
    "senior managers below, frontline teams in rows at the bottom, each a cluster around its "
    "team leader; lines join each person to their line manager. Colour is the kind of "
    "staff; a solid dot is high on the chosen scale (commitment, or stigma), a faint one "
    "low; stars are champions. "
    "People keep their places from month to month.</p>"
    "<p><b>The time series</b> are the whole sector, month by month; dashed lines mark "
    "interventions. <b>The sector</b> shows every organisation's peer share now, coloured "
    "by how much it had worked with peers at the start; a triangle means it has an LE "
    "leader.</p>"
)

#: What each intervention button does and the finding it reflects.
BUTTON_TEXT = {
    "appoint_champion": "the most committed person at the chosen level becomes a champion. "
    "Champions raise hiring, most of all at decision-making levels.",
    "remove_champion": "the most powerful champion (the highest in the hierarchy) leaves "
    "the role. Losing the only champion slows growth.",
    "hire_le_leader": "an LE leader joins the executive team. An LE leader raises peer "
    "retention, support and growth.",
    "management_training": "managers' understanding and exposure rise. Management training "
    "raises commitment in unexposed organisations.",
    "workforce_training": "stigma falls among managers and clinicians. Workforce-wide "
    "training lowers stigma.",
    "visits_programme": "managers visit organisations with peer workers more often.",
    "manager_network": "managers join a support network for those hiring peers.",
}


@solara.component
def ClassroomPanel(model: ClassroomModel) -> None:
    """The month in words, what to show, and the intervention buttons.

    The panel itself is drawn again only when the model is replaced or a control changes;
    its summary (:func:`MonthSummary`) every month.

    Args:
        model: The model on screen.
    """
    level, set_level = solara.use_state("executive")
    target, set_target = solara.use_state(TARGETS[0])
    message, set_message = solara.use_state("")

    labels = [model.org_label(org) for org in range(model.n_orgs)]

    def show(label: str) -> None:
        model.show_org(labels.index(label))
        force_update()

    def shade(by: str) -> None:
        model.shade_by = by
        force_update()

    def press(name: str, takes_level: bool, label: str) -> None:
        arguments = {"level": level} if takes_level else {}
        everywhere = target == TARGETS[1]
        model.intervene_on_screen(name, everywhere=everywhere, **arguments)
        where = "every organisation" if everywhere else model.org_label(model.view_org)
        set_message(f"Month {model.month}: {label.lower()} in {where}.")
        force_update()

    # Mesa's grid cells have a fixed height (about 380 px here): the panel scrolls inside
    # its cell rather than spill under the next one.
    with solara.Column(gap="6px", style={"max-height": "380px", "overflow-y": "auto"}):
        MonthSummary(model)
        with solara.Row(style={"align-items": "center"}):
            solara.Select(
                label="Organisation on screen",
                value=labels[model.view_org],
                values=labels,
                on_value=show,
                dense=True,
            )
            solara.Text("Shade by")
            solara.ToggleButtonsSingle(
                value=model.shade_by, values=list(SHADINGS), on_value=shade, dense=True
            )
        with solara.Row():
            solara.Select(
                label="Level of a new champion",
                value=level,
                values=list(CHAMPION_LEVELS),
                on_value=set_level,
                dense=True,
            )
            solara.Select(
                label="Intervene in",
                value=target,
                values=list(TARGETS),
                on_value=set_target,
                dense=True,
            )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            for label, name, takes_level in BUTTONS:
                solara.Button(
                    label,
                    on_click=lambda n=name, t=takes_level, lab=label: press(n, t, lab),
                    outlined=True,
                    color="primary",
                    small=True,
                )
        solara.Text(
            message or "Interventions apply at this month; the next month shows their effect.",
            style={"font-size": "0.85em"},
        )
        if model.story_scenario is not None:
            solara.HTML(
                tag="p",
                unsafe_innerHTML=f"<b>Story: {html.escape(STORIES[model.story_name].title)}.</b> "
                + html.escape(model.story_scenario.description),
            )


@solara.component
def NetworkView(model: ClassroomModel) -> None:
    """The organisation on screen, drawn by Mesa's ``SpaceRenderer`` (see ``network_png``).

    Args:
        model: The model on screen.
    """
    update_counter.get()
    solara.Image(network_png(model), width="100%")


@solara.component
def MonthSummary(model: ClassroomModel) -> None:
    """The month in words, and the network's caption and key (drawn again every month).

    Args:
        model: The model on screen.
    """
    update_counter.get()
    key = " ".join(
        f"<span style='color:{colour};font-size:1.3em'>&#9679;</span>&nbsp;{name}"
        for colour, name in KIND_STYLE.values()
    )
    on_screen = html.escape(model.org_label(model.view_org))
    # HTML, not Markdown: this is drawn again every month, and Markdown costs more.
    solara.HTML(
        tag="h3",
        unsafe_innerHTML=html.escape(model.counts_sentence()),
        style={"font-size": "1.05em", "margin": "0"},
    )
    solara.HTML(
        style={"font-size": "0.9em"},
        unsafe_innerHTML=f"<b>The network</b> (left): {on_screen}, "
        f"shaded by {model.shade_by} (faint: 0, solid: 1). {key} "
        "<span style='font-size:1.3em'>&#9733;</span>&nbsp;champion",
    )


@solara.component
def TimeSeries(model: ClassroomModel) -> None:
    """The live time series (a matplotlib figure, drawn again every step).

    Args:
        model: The model on screen.
    """
    update_counter.get()
    solara.Image(time_series_png(model), width="100%")
    solara.Text(
        "Peer workers, organisations without peers, mean stigma and managers' commitment in "
        "the whole sector, by month; dashed lines: interventions."
    )


@solara.component
def SectorView(model: ClassroomModel) -> None:
    """Every organisation's peer share, exposure class and LE leader.

    Args:
        model: The model on screen.
    """
    update_counter.get()
    solara.Image(sector_png(model), width="100%")
    solara.Text(
        "Each organisation's peer workers as a share of its staff, coloured by its exposure "
        "to peer work at the start; a triangle: it has an LE leader."
    )


@solara.component
def About(model: ClassroomModel) -> None:
    """What the kinds, levers, buttons and stories mean, for a room of learners.

    Plain HTML built here (not Markdown, whose renderer fetches scripts), so the page
    needs nothing from outside the machine.

    Args:
        model: The model on screen.
    """

    def items(rows: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{row}</li>" for row in rows) + "</ul>"

    e = html.escape
    kinds = items(
        [
            f"<span style='color:{colour}'>&#9679;</span> <b>{e(name)}</b>: {e(KIND_TEXT[name])}"
            for colour, name in KIND_STYLE.values()
        ]
    )
    levers = items(
        [
            f"<b>{e(lever.label)}</b>: {e(lever.description)} <i>{e(lever.finding)}</i>"
            for lever in LEVERS
        ]
    )
    buttons = items([f"<b>{e(label)}</b>: {e(BUTTON_TEXT[name])}" for label, name, _ in BUTTONS])
    stories = items(
        [
            f"<b>{e(story.title)}</b> ({e(story.name)}): {e(story.scenario().description)}"
            for story in STORIES.values()
        ]
    )
    solara.HTML(
        unsafe_innerHTML="<h2>What you are looking at</h2>"
        + VIEW_TEXT
        + "<h2>Staff</h2>"
        + kinds
        + "<h2>Levers (sidebar; they apply when you press Reset)</h2>"
        + levers
        + "<p><b>Outside world</b>: money for peer posts (the funding envelope) and policy "
        "pressure for a lived-experience workforce change year by year. The national path "
        "follows Australia's: funding grew with the national peer workforce and each "
        "national plan, inquiry and guideline pressed harder. Hold them still (no new "
        "policy), press harder, or freeze funding, to see what the organisations' own "
        "loops sustain and what outside money and policy drive.</p>"
        "<p>A story's own parameters take precedence over the levers it sets.</p>"
        "<h2>Intervention buttons (applied now, to the organisation on screen or to all)</h2>"
        + buttons
        + "<h2>Stories (choose one in the sidebar, then press Reset)</h2>"
        + stories,
        style={"max-width": "60em"},
    )


#: The app's two tabs: what a room watches, and what it all means.
TABS: tuple[str, ...] = ("Organisation", "About")


@solara.component
def LeverInputs(parameters: solara.Reactive[dict[str, Any]]) -> None:
    """The sidebar's choices and levers, each slider showing its value (they apply on Reset).

    Args:
        parameters: The keyword arguments the next Reset builds the model with.
    """
    controls = solara.use_memo(model_params, [])

    def change(name: str, value: Any) -> None:
        parameters.value = {**parameters.value, name: value}

    for name, control in controls.items():
        current = parameters.value.get(name, _default(control))
        if isinstance(control, Slider):
            slider = solara.SliderFloat if control.is_float_slider else solara.SliderInt
            # The label carries the value, so a room can read it from the back.
            slider(
                f"{control.label}: {current:g}",
                value=current,
                min=control.min,
                max=control.max,
                step=control.step,
                thumb_label="always",
                on_value=lambda value, name=name: change(name, value),
            )
        elif control["type"] == "Checkbox":
            solara.Checkbox(
                label=control["label"],
                value=current,
                on_value=lambda value, name=name: change(name, value),
            )
        else:
            solara.Select(
                control["label"],
                value=current,
                values=control["values"],
                on_value=lambda value, name=name: change(name, value),
            )


def _default(control: Slider | dict[str, Any]) -> Any:
    """A control's starting value."""
    return control.value if isinstance(control, Slider) else control["value"]


@solara.component
def OrganisationTab(model: ClassroomModel) -> None:
    """What a room watches, laid out for a 1280 x 720 projector.

    The network, the time series and the controls share the first row, so the time series
    is on screen without scrolling; the sector is below.

    Args:
        model: The model on screen.
    """
    with solara.Columns([1, 1.4, 1], gutters_dense=True):
        NetworkView(model)
        TimeSeries(model)
        ClassroomPanel(model)
    with solara.Columns([2, 1], gutters_dense=True):
        SectorView(model)


@solara.component
def Page(model: ClassroomModel | None = None) -> None:
    """The app: one fresh model per browser session, with Mesa's Reset, Play and Step.

    Args:
        model: The model to start with (None: a new one with the default levers, as the
            served app does; tests pass their own to look inside it).
    """
    defaults = solara.use_memo(
        lambda: {name: _default(control) for name, control in model_params().items()}, []
    )
    # The first model is built on the sector chosen first (``lewsim app --sector``'s file).
    first = solara.use_memo(
        lambda: model if model is not None else ClassroomModel(sector=defaults["sector"]), []
    )
    current = solara.use_reactive(first)
    parameters = solara.use_reactive(defaults)
    play_interval = solara.use_reactive(300)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    tab, set_tab = solara.use_state(0)
    solara.Title("lewsim: the Lived Experience workforce, for a room")
    with solara.Sidebar():
        with solara.Card("Controls", margin=0):
            # Mesa's controller reads these settings as reactive values.
            ModelController(
                current,
                model_parameters=parameters,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
        with solara.Card("Sector, story and levers", margin=0):
            LeverInputs(parameters)
    with solara.lab.Tabs(value=tab, on_value=set_tab):
        with solara.lab.Tab(TABS[0]):
            OrganisationTab(current.value)
        with solara.lab.Tab(TABS[1]):
            About(current.value)
