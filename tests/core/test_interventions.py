"""Interventions act on the chosen organisations now, and scheduled ones at their month.

Also the one strict rule for values (booleans are booleans, integers are integers, numbers
are numbers, an empty selection is an error), for interventions and model parameters.
"""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_sector
from pydantic import TypeAdapter

from simulation import Clinician, Manager, ParameterError, PeerWorker, SectorModel
from simulation.core.errors import InputError, LewsimError
from simulation.core.interventions import (
    INTERVENTION_TYPES,
    AppointChampion,
    HireLeLeader,
    Intervention,
    ManagementTraining,
    Orgs,
    SetParameter,
    any_intervention,
    make_intervention,
)
from simulation.core.state import NON_PEER_KINDS, Kind
from simulation.runs.scenarios import Scenario, ScenarioError


def in_orgs(model, slots, orgs):
    return slots[np.isin(model.staff.org[slots], orgs)]


def test_management_training_reaches_managers_of_chosen_orgs_only():
    model = tiny_sector()
    managers = model.manager_slots
    before = model.staff.understanding.copy()
    model.intervene("management_training", orgs=[1])
    gained = model.staff.understanding - before
    assert np.all(gained[in_orgs(model, managers, [1])] > 0)
    assert np.all(gained[in_orgs(model, managers, [0])] == 0)
    assert np.all(gained[model.staff.slots_of(Kind.CLINICIAN)] == 0)


def test_training_coverage_is_a_share_of_people():
    model = SectorModel(rng=1, n_orgs=30)
    staff = model.staff
    non_peers = staff.slots_of(*NON_PEER_KINDS)
    before = staff.stigma[non_peers].copy()
    model.intervene("workforce_training", coverage=0.5)
    reached = np.mean(staff.stigma[non_peers] < before)
    # About 1,800 people drawn at 0.5: a binomial share has sd ~0.012; allow 4 sd.
    assert abs(reached - 0.5) < 0.05
    with pytest.raises(InputError, match="coverage = 1.5"):
        model.intervene("workforce_training", coverage=1.5)


def test_appoint_champion_picks_the_most_committed_at_the_level():
    model = tiny_sector()
    staff = model.staff
    seniors = model.senior_slots
    staff.commitment[seniors] = np.linspace(0.1, 0.2, seniors.size)
    model.intervene("appoint_champion", level="senior", orgs="all")
    champions = np.flatnonzero(staff.champion[: staff.size])
    assert sorted(staff.org[champions]) == [0, 1]
    assert np.all(staff.kind[champions] == Kind.SENIOR)
    with pytest.raises(InputError, match="level = 'board': must be one of \"executive\""):
        model.intervene("appoint_champion", level="board")


def test_remove_champion_takes_the_most_powerful_or_every_one_at_a_level():
    model = tiny_sector()
    staff = model.staff
    staff.champion[:] = False
    model.intervene("appoint_champion", level="executive", orgs="all")
    model.intervene("appoint_champion", level="team_leader", orgs="all")
    executives = np.flatnonzero(staff.champion[: staff.size] & (staff.kind[: staff.size] == 0))
    model.intervene("remove_champion", orgs=[0])  # without a level: org 0's executive champion goes
    left = np.flatnonzero(staff.champion[: staff.size])
    assert sorted(staff.kind[left].tolist()) == [Kind.EXECUTIVE, Kind.TEAM_LEADER, Kind.TEAM_LEADER]
    assert executives[staff.org[executives] == 0][0] not in left
    model.intervene(
        "remove_champion", level="team_leader"
    )  # every team-leader champion, everywhere
    left = np.flatnonzero(staff.champion[: staff.size])
    assert staff.kind[left].tolist() == [Kind.EXECUTIVE] and staff.org[left].tolist() == [1]
    model.intervene("remove_champion", level="senior")  # nobody at that level: nothing changes
    assert np.flatnonzero(staff.champion[: staff.size]).tolist() == left.tolist()
    with pytest.raises(InputError, match="level = 'board': must be one of \"executive\""):
        model.intervene("remove_champion", level="board")


def test_hire_le_leader_only_where_there_is_none():
    model = tiny_sector()
    model.intervene("hire_le_leader", orgs=[0])
    model.intervene("hire_le_leader", orgs="all")
    leaders = [a for a in model.agents_by_type[PeerWorker] if a.role == "leader"]
    assert sorted(a.org for a in leaders) == [0, 1]
    assert model.orgs.ever_employed.all()


def test_visits_programme_and_manager_network_set_their_levers():
    model = tiny_sector(visit_rate=0.2)
    model.intervene("visits_programme", orgs=[0], rate=0.1)  # never lowers a rate
    model.intervene("visits_programme", orgs=[1], rate=0.5)
    assert model.orgs.levers["visit_rate"].tolist() == [0.2, 0.5]
    model.intervene("manager_network", orgs="exposure:none")
    assert model.orgs.levers["manager_network"].tolist() == [True, True]


def test_set_changes_a_lever_for_a_subset_or_any_parameter_sector_wide():
    model = tiny_sector()
    model.intervene("set", name="pay_parity", value=1.0, orgs=[1])
    assert model.orgs.levers["pay_parity"].tolist() == [0.8, 1.0]
    assert model.params.pay_parity == 0.8
    model.intervene("set", name="conformity", value=0.2)
    assert model.params.conformity == 0.2
    with pytest.raises(InputError, match="sector-wide"):
        model.intervene("set", name="conformity", value=0.1, orgs=[0])
    with pytest.raises(InputError, match="month 0"):
        model.intervene("set", name="n_orgs", value=5)
    with pytest.raises(InputError, match="value = 3.0: .* \\(for pay_parity\\)"):
        model.intervene("set", name="pay_parity", value=3.0)
    with pytest.raises(InputError, match="did you mean 'pay_parity'"):
        model.intervene("set", name="pay_partiy", value=1.0)


def test_changing_turnover_redraws_waiting_times():
    model = tiny_sector(staff_turnover=0.0)
    ids = {a.unique_id for a in model.agents}
    for _ in range(12):
        model.step()
    assert {a.unique_id for a in model.agents} == ids  # nobody leaves at rate 0
    model.intervene("set", name="staff_turnover", value=0.5)
    model.step()
    stayed = len(ids & {a.unique_id for a in model.agents}) / len(ids)
    # 48 people each leaving with probability 0.5 in the first month after the change.
    assert 0.25 < stayed < 0.75


def test_org_selections():
    model = SectorModel(rng=2, n_orgs=10)
    peers = model.org_summary()["peer_workers"]
    assert model.select_orgs("with_peers").tolist() == np.flatnonzero(peers > 0).tolist()
    assert model.select_orgs("without_peers").tolist() == np.flatnonzero(peers == 0).tolist()
    none_class = np.flatnonzero(model.structure.exposure_class == 0)
    assert model.select_orgs("exposure:none").tolist() == none_class.tolist()
    assert model.select_orgs([3, 1, 3]).tolist() == [1, 3]
    with pytest.raises(InputError, match="id 10 is out of range; allowed: ids 0 to 9"):
        model.select_orgs([10])
    with pytest.raises(InputError, match="orgs = 'exposure:lots': must be \"all\""):
        model.select_orgs("exposure:lots")


def test_schedule_checks_its_arguments():
    model = tiny_sector()
    with pytest.raises(InputError, match="unknown intervention 'pizza_party'"):
        model.schedule(3, "pizza_party")
    with pytest.raises(InputError, match="unknown argument 'level'; management_training takes"):
        model.schedule(3, "management_training", level="executive")
    model.step()
    with pytest.raises(InputError, match="in the past"):
        model.schedule(0, "hire_le_leader")
    model.schedule(1, "hire_le_leader", orgs=[0])  # this month: applied at once
    assert model.orgs.le_leader[0] >= 0


def test_set_can_be_scheduled():
    model = tiny_sector()
    model.schedule(2, "set", name="pay_parity", value=1.0, orgs=[0])
    model.step()
    assert model.orgs.levers["pay_parity"].tolist() == [0.8, 0.8]
    model.step()
    assert model.orgs.levers["pay_parity"].tolist() == [1.0, 0.8]


def test_hires_between_steps_count_in_the_next_month():
    model = tiny_sector(position_rate=0.0)
    model.intervene("hire_le_leader", orgs="all")
    model.step()
    assert model.sector_frame().peer_hires.tolist() == [0, 2]


def test_scheduled_events_are_checked_when_scheduled():
    model = tiny_sector()
    with pytest.raises(InputError, match="month 0"):
        model.schedule(5, "set", name="n_orgs", value=3)
    with pytest.raises(InputError, match="for pay_parity"):
        model.schedule(5, "set", name="pay_parity", value=2.0)
    with pytest.raises(InputError, match="sector-wide"):
        model.schedule(5, "set", name="conformity", value=0.1, orgs=[0])
    with pytest.raises(InputError, match="level = 'board'"):
        model.schedule(5, "appoint_champion", level="board")
    with pytest.raises(InputError, match="coverage = 2.0: must be a number between 0 and 1"):
        model.schedule(5, "management_training", coverage=2.0)
    with pytest.raises(InputError, match="hire_le_leader: orgs = \\[7\\]: organisation id 7"):
        model.schedule(5, "hire_le_leader", orgs=[7])
    assert model.scheduled_events == []


def test_a_turnover_change_between_steps_does_not_double_the_next_month():
    model = SectorModel(rng=3, n_orgs=100, staff_turnover=0.0)
    model.step()
    model.intervene("set", name="staff_turnover", value=0.05)
    before = {a.unique_id for a in model.agents_by_type[Manager]} | {
        a.unique_id for a in model.agents_by_type[Clinician]
    }
    model.step()
    after = {a.unique_id for a in model.agents}
    left = len(before - after) / len(before)
    # About 6,000 people at 5 %: binomial sd 0.3 points; a doubled month would be ~9.75 %.
    assert 0.035 < left < 0.065


# ---- one representation: the intervention objects ------------------------------------------


def test_schedule_builds_the_same_object_an_author_would():
    model = tiny_sector()
    by_name = model.schedule(3, "appoint_champion", level="senior", orgs=[1])
    by_object = model.schedule(AppointChampion(month=3, level="senior", orgs=[1]))
    assert by_name == by_object == AppointChampion(month=3, level="senior", orgs=(1,))
    assert model.scheduled_events == [by_name, by_object]
    assert make_intervention(3, "appoint_champion", level="senior", orgs=[1]) == by_name
    with pytest.raises(InputError, match="alone"):
        model.schedule(by_object, level="executive")


def test_a_method_call_applies_the_intervention_now():
    by_method, by_object = tiny_sector(), tiny_sector()
    by_method.intervene("management_training", orgs=[1], coverage=0.5)
    ManagementTraining(month=0, orgs=[1], coverage=0.5).apply(by_object)
    assert np.array_equal(by_method.staff.understanding, by_object.staff.understanding)
    assert not np.array_equal(by_method.staff.understanding, tiny_sector().staff.understanding)


def test_a_scheduled_object_waits_for_the_step_that_produces_its_month():
    """The month rule: an event at month m applies at the start of the step producing m,
    which a call made between steps m - 1 and m matches."""
    scheduled, called = tiny_sector(), tiny_sector()
    scheduled.schedule(HireLeLeader(month=2, orgs=[0]))
    scheduled.step()
    called.step()
    assert scheduled.scheduled_events and scheduled.orgs.le_leader[0] < 0
    called.intervene("hire_le_leader", orgs=[0])
    scheduled.step()
    called.step()
    assert not scheduled.scheduled_events and scheduled.orgs.le_leader[0] >= 0
    assert scheduled.sector_frame().peer_hires.tolist() == [0, 0, 1]
    pd.testing.assert_frame_equal(scheduled.sector_frame(), called.sector_frame())


def test_each_intervention_class_is_named_by_its_type_and_builds_from_defaults():
    assert tuple(INTERVENTION_TYPES) == (  # the public names of docs/ODD.md section 6, in order
        "management_training",
        "workforce_training",
        "appoint_champion",
        "remove_champion",
        "hire_le_leader",
        "visits_programme",
        "manager_network",
        "set",
    )
    for name, cls in INTERVENTION_TYPES.items():
        assert issubclass(cls, Intervention) and cls.model_fields["type"].default == name
    model = tiny_sector()
    for name in tuple(INTERVENTION_TYPES)[:-1]:  # all but set take only optional arguments
        assert model.intervene(name) == INTERVENTION_TYPES[name](month=0)
    model.intervene("set", name="pay_parity", value=1.0)
    assert model.params.pay_parity == 1.0


def test_intervene_takes_an_object_of_the_current_month_only():
    model = tiny_sector()
    model.step()
    applied = model.intervene(HireLeLeader(month=1, orgs=[0]))
    assert applied.month == 1 and model.orgs.le_leader[0] >= 0
    with pytest.raises(InputError, match="month = 3 is not now"):
        model.intervene(HireLeLeader(month=3))
    with pytest.raises(InputError, match="alone"):
        model.intervene(HireLeLeader(month=1), orgs=[1])
    with pytest.raises(InputError, match="did you mean 'hire_le_leader'"):
        model.intervene("hire_le_leeder")


@pytest.fixture
def registry_restored():
    """Leaves the registry as it was (a class a test defines registers itself)."""
    before = dict(INTERVENTION_TYPES)
    yield
    INTERVENTION_TYPES.clear()
    INTERVENTION_TYPES.update(before)


def test_adding_an_intervention_is_one_class(registry_restored):
    class ExtraFunding(Intervention):
        """Fund ``posts`` more peer positions in each chosen organisation."""

        type: Literal["extra_funding"] = "extra_funding"
        orgs: Orgs = "all"
        posts: int = 1
        short_label: ClassVar[str] = "funding +"

        def describe(self) -> str:
            return f"fund {self.posts} more peer posts in {self.orgs}"

        def apply(self, model) -> None:
            model.orgs.positions[model.select_orgs(self.orgs)] += self.posts

    assert INTERVENTION_TYPES["extra_funding"] is ExtraFunding  # the name table
    read = TypeAdapter(any_intervention()).validate_python(  # the tagged union
        {"type": "extra_funding", "month": 2, "posts": 3}
    )
    assert read == ExtraFunding(month=2, posts=3)
    model = tiny_sector()
    before = model.orgs.positions.copy()
    applied = model.intervene("extra_funding", orgs=[1], posts=2)  # the model's entry point
    assert (model.orgs.positions - before).tolist() == [0, 2]
    assert applied.describe() == "fund 2 more peer posts in (1,)"
    assert applied.short_label == "funding +"
    with pytest.raises(InputError, match="unknown argument 'level'; extra_funding takes"):
        model.intervene("extra_funding", level="senior")
    with pytest.raises(TypeError, match="taken by ExtraFunding"):

        class Again(ExtraFunding):
            type: Literal["extra_funding"] = "extra_funding"


def readme_intervention_example() -> str:
    """The code block of the README's "Adding an intervention"."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding an intervention", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_of_adding_an_intervention_works_everywhere(
    registry_restored, monkeypatch
):
    module = types.ModuleType("readme_example")  # pydantic resolves annotations in it
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(readme_intervention_example(), module.__dict__)  # noqa: S102 - our own README
    cls = module.FundPeerPosts
    assert INTERVENTION_TYPES["fund_peer_posts"] is cls
    scenario = Scenario.from_data(
        {"name": "x", "events": [{"type": "fund_peer_posts", "month": 2, "posts": 3}]}
    )
    assert scenario.events == (cls(month=2, posts=3),)
    with pytest.raises(ScenarioError, match=r"events\[0\].posts = 0: "):
        Scenario.from_data(
            {"name": "x", "events": [{"type": "fund_peer_posts", "month": 2, "posts": 0}]}
        )
    model = tiny_sector()
    before = model.orgs.positions.copy()
    event = model.intervene("fund_peer_posts", orgs=[0], posts=2)
    assert (model.orgs.positions - before).tolist() == [2, 0]
    assert event.describe() == "fund 2 more peer posts in each chosen organisation"
    assert event.short_label == "posts +"


def test_an_intervention_without_its_own_words_is_described_by_its_arguments(
    registry_restored,
):
    class Pause(Intervention):
        type: Literal["pause_hiring"] = "pause_hiring"
        orgs: Orgs = "all"
        months: int = 3

    assert Pause.short_label == "pause hiring"
    assert Pause(month=1, orgs=[2]).describe() == "pause hiring (months = 3) in organisation 2"


def test_interventions_are_frozen_hashable_and_picklable():
    event = SetParameter(month=4, name="exposure_mix", value={"none": 1.0})
    assert event.value == (1.0, 0.0, 0.0)  # held as the parameter holds it
    assert hash(event) == hash(SetParameter(month=4, name="exposure_mix", value=[1, 0, 0]))
    assert pickle.loads(pickle.dumps(event)) == event
    with pytest.raises(ValueError):
        event.month = 5  # type: ignore[misc]


# ---- strict values ----------------------------------------------------------------------------

REFUSED = {
    "enabled as a string": (
        lambda m: m.intervene("manager_network", enabled="false"),
        "enabled = 'false'",
    ),
    "a float org id": (lambda m: m.intervene("hire_le_leader", orgs=[1.7]), r"orgs = \[1.7\]"),
    "a bool as orgs": (lambda m: m.intervene("hire_le_leader", orgs=True), "orgs = True"),
    "an empty selection": (
        lambda m: m.intervene("hire_le_leader", orgs=[]),
        "selects no organisation",
    ),
    "None as orgs": (lambda m: m.intervene("hire_le_leader", orgs=None), "orgs = None"),
    "a negative id": (lambda m: m.intervene("hire_le_leader", orgs=[-1]), "cannot be negative"),
    "a fractional month": (lambda m: m.schedule(2.7, "hire_le_leader"), "month = 2.7"),
    "a month as text": (lambda m: m.schedule("3", "hire_le_leader"), "month = '3'"),
    "a bool month": (lambda m: m.schedule(True, "hire_le_leader"), "month = True"),
    "coverage as text": (
        lambda m: m.intervene("management_training", coverage="1"),
        "coverage = '1'",
    ),
    "a bool coverage": (
        lambda m: m.intervene("workforce_training", coverage=True),
        "coverage = True",
    ),
    "a NaN rate": (lambda m: m.intervene("visits_programme", rate=float("nan")), "rate = nan"),
    "a set value as text": (
        lambda m: m.intervene("set", name="pay_parity", value="0.5"),
        "value = '0.5'",
    ),
    "a set boolean as text": (
        lambda m: m.intervene("set", name="manager_network", value="yes"),
        "value = 'yes'",
    ),
    "a set integer as a bool": (
        lambda m: m.intervene("set", name="le_leader_min_peers", value=True),
        "value = True",
    ),
    "a level that is not a string": (
        lambda m: m.intervene("appoint_champion", level=1),
        "level = 1",
    ),
    "a name that is not a string": (lambda m: m.schedule(3, 7), "unknown intervention 7"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_values_are_strict_and_refusals_name_the_argument(case):
    call, fragment = REFUSED[case]
    model = tiny_sector()
    before = model.staff_frame(), {name: lever.copy() for name, lever in model.orgs.levers.items()}
    with pytest.raises(InputError, match=fragment) as caught:
        call(model)
    assert isinstance(caught.value, LewsimError)
    assert "must be" in str(caught.value) or "unknown" in str(caught.value)
    pd.testing.assert_frame_equal(model.staff_frame(), before[0])
    assert all(np.array_equal(model.orgs.levers[name], before[1][name]) for name in before[1])
    assert model.scheduled_events == []


def test_numpy_values_count_as_what_they_hold():
    model = tiny_sector()
    event = model.schedule(np.int64(2), "manager_network", orgs=np.array([1]), enabled=np.True_)
    assert (event.month, event.orgs, event.enabled) == (2, (1,), True)
    assert type(event.month) is int
    model.intervene("management_training", orgs=np.int64(0), coverage=np.float64(0.5))
    with pytest.raises(InputError, match="orgs"):
        model.intervene("hire_le_leader", orgs=np.array([0.0, 1.0]))


PARAMETERS_REFUSED = {
    "a bool for an integer": {"n_orgs": True},
    "a float for an integer": {"n_orgs": 4.0},
    "a bool for a number": {"pay_parity": True},
    "text for a number": {"pay_parity": "0.5"},
    "text for a boolean": {"manager_network": "yes"},
    "a number for a boolean": {"manager_network": 1},
    "text inside a tuple": {"initial_peer_share": ["0.1", 0.2]},
    "a list inside the exposure mix": {"exposure_mix": {"none": [1], "some": 0.0}},
}


@pytest.mark.parametrize("case", list(PARAMETERS_REFUSED))
def test_model_parameters_follow_the_same_strict_rule(case):
    ((name, _),) = PARAMETERS_REFUSED[case].items()
    with pytest.raises(ParameterError, match=f"parameter '{name}' = .*; it takes"):
        SectorModel(**({"n_orgs": 2} | PARAMETERS_REFUSED[case]))


def test_model_parameters_take_ints_for_numbers_numpy_scalars_and_sequences_for_tuples():
    model = SectorModel(
        rng=1,
        n_orgs=np.int64(3),
        mean_org_size=24,
        pay_parity=np.float64(0.7),
        manager_network=np.True_,
        initial_peer_share=[0, 0.1],
    )
    p = model.params
    assert (p.n_orgs, p.mean_org_size, p.pay_parity, p.manager_network) == (3, 24.0, 0.7, True)
    assert type(p.n_orgs) is int and type(p.mean_org_size) is float
    assert p.initial_peer_share == (0.0, 0.1)


def test_misplaced_arguments_to_schedule_and_intervene_are_named_plainly():
    model = tiny_sector()
    with pytest.raises(InputError, match="give an intervention object alone"):
        model.schedule(7, AppointChampion(month=9))
    with pytest.raises(InputError, match="needs a month first"):
        model.schedule("appoint_champion")
    with pytest.raises(InputError, match="month is given twice: it comes from the call"):
        model.intervene("appoint_champion", month=5)
