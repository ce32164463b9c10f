"""Interventions act on the chosen organisations now, and scheduled ones at their month."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import tiny_sector

from simulation import Clinician, Manager, ParameterError, PeerWorker, SectorModel
from simulation.state import Kind


def in_orgs(model, slots, orgs):
    return slots[np.isin(model.staff.org[slots], orgs)]


def test_management_training_reaches_managers_of_chosen_orgs_only():
    model = tiny_sector()
    managers = model.manager_slots
    before = model.staff.understanding.copy()
    model.management_training(orgs=[1])
    gained = model.staff.understanding - before
    assert np.all(gained[in_orgs(model, managers, [1])] > 0)
    assert np.all(gained[in_orgs(model, managers, [0])] == 0)
    assert np.all(gained[model.staff.slots_of(Kind.CLINICIAN)] == 0)


def test_training_coverage_is_a_share_of_people():
    model = SectorModel(rng=1, n_orgs=30)
    staff = model.staff
    non_peers = staff.slots_of(Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER, Kind.CLINICIAN)
    before = staff.stigma[non_peers].copy()
    model.workforce_training(coverage=0.5)
    reached = np.mean(staff.stigma[non_peers] < before)
    # About 1,800 people drawn at 0.5: a binomial share has sd ~0.012; allow 4 sd.
    assert abs(reached - 0.5) < 0.05
    with pytest.raises(ValueError, match="coverage"):
        model.workforce_training(coverage=1.5)


def test_appoint_champion_picks_the_most_committed_at_the_level():
    model = tiny_sector()
    staff = model.staff
    seniors = model.senior_slots
    staff.commitment[seniors] = np.linspace(0.1, 0.2, seniors.size)
    model.appoint_champion(level="senior", orgs="all")
    champions = np.flatnonzero(staff.champion[: staff.size])
    assert sorted(staff.org[champions]) == [0, 1]
    assert np.all(staff.kind[champions] == Kind.SENIOR)
    with pytest.raises(ValueError, match="champion level"):
        model.appoint_champion(level="board")


def test_hire_le_leader_only_where_there_is_none():
    model = tiny_sector()
    model.hire_le_leader(orgs=[0])
    model.hire_le_leader(orgs="all")
    leaders = [a for a in model.agents_by_type[PeerWorker] if a.role == "leader"]
    assert sorted(a.org for a in leaders) == [0, 1]
    assert model.orgs.ever_employed.all()


def test_visits_programme_and_manager_network_set_their_levers():
    model = tiny_sector(visit_rate=0.2)
    model.visits_programme(orgs=[0], rate=0.1)  # never lowers a rate
    model.visits_programme(orgs=[1], rate=0.5)
    assert model.orgs.levers["visit_rate"].tolist() == [0.2, 0.5]
    model.manager_network(orgs="exposure:none")
    assert model.orgs.levers["manager_network"].tolist() == [True, True]


def test_set_changes_a_lever_for_a_subset_or_any_parameter_sector_wide():
    model = tiny_sector()
    model.set("pay_parity", 1.0, orgs=[1])
    assert model.orgs.levers["pay_parity"].tolist() == [0.8, 1.0]
    assert model.params.pay_parity == 0.8
    model.set("conformity", 0.2)
    assert model.params.conformity == 0.2
    with pytest.raises(ValueError, match="sector-wide"):
        model.set("conformity", 0.1, orgs=[0])
    with pytest.raises(ValueError, match="month 0"):
        model.set("n_orgs", 5)
    with pytest.raises(ParameterError, match="'pay_parity'"):
        model.set("pay_parity", 3.0)


def test_changing_turnover_redraws_waiting_times():
    model = tiny_sector(staff_turnover=0.0)
    ids = {a.unique_id for a in model.agents}
    for _ in range(12):
        model.step()
    assert {a.unique_id for a in model.agents} == ids  # nobody leaves at rate 0
    model.set("staff_turnover", 0.5)
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
    with pytest.raises(ValueError, match="ids run from 0 to 9"):
        model.select_orgs([10])
    with pytest.raises(ValueError, match="not a selection"):
        model.select_orgs("exposure:lots")


def test_schedule_checks_its_arguments():
    model = tiny_sector()
    with pytest.raises(ValueError, match="unknown intervention"):
        model.schedule(3, "pizza_party")
    with pytest.raises(ValueError, match="management_training"):
        model.schedule(3, "management_training", level="executive")
    model.step()
    with pytest.raises(ValueError, match="in the past"):
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
    model.hire_le_leader(orgs="all")
    model.step()
    assert model.sector_frame().peer_hires.tolist() == [0, 2]


def test_scheduled_events_are_checked_when_scheduled():
    model = tiny_sector()
    with pytest.raises(ValueError, match="month 0"):
        model.schedule(5, "set", name="n_orgs", value=3)
    with pytest.raises(ParameterError, match="'pay_parity'"):
        model.schedule(5, "set", name="pay_parity", value=2.0)
    with pytest.raises(ValueError, match="sector-wide"):
        model.schedule(5, "set", name="conformity", value=0.1, orgs=[0])
    with pytest.raises(ValueError, match="champion level"):
        model.schedule(5, "appoint_champion", level="board")
    with pytest.raises(ValueError, match="coverage"):
        model.schedule(5, "management_training", coverage=2.0)
    with pytest.raises(ValueError, match="ids run from"):
        model.schedule(5, "hire_le_leader", orgs=[7])
    assert model.scheduled_events == []


def test_a_turnover_change_between_steps_does_not_double_the_next_month():
    model = SectorModel(rng=3, n_orgs=100, staff_turnover=0.0)
    model.step()
    model.set("staff_turnover", 0.05)
    before = {a.unique_id for a in model.agents_by_type[Manager]} | {
        a.unique_id for a in model.agents_by_type[Clinician]
    }
    model.step()
    after = {a.unique_id for a in model.agents}
    left = len(before - after) / len(before)
    # About 6,000 people at 5 %: binomial sd 0.3 points; a doubled month would be ~9.75 %.
    assert 0.035 < left < 0.065
