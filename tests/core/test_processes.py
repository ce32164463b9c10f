"""Each monthly process alone, on a tiny hand-set sector: does its effect go the right way?

The sector (see conftest.tiny_sector) has two identical organisations of 24 staff, two
teams each. A test sets the state it needs by hand, runs one process, and compares
people who differ only in the factor under study.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import first_team, team_members, tiny_sector

from simulation.core import circles, processes
from simulation.core.interventions import AppointChampion
from simulation.core.model import SectorModel
from simulation.core.state import Kind


def uniform_state(model, exposure=0.2, understanding=0.3, commitment=0.3, stigma=0.4):
    """Give every non-peer the same attitudes and hide all lived experience."""
    staff = model.staff
    n = staff.size
    non_peer = staff.kind[:n] < Kind.PEER_WORKER
    for name, value in (
        ("exposure", exposure),
        ("understanding", understanding),
        ("commitment", commitment),
        ("stigma", stigma),
    ):
        getattr(staff, name)[:n][non_peer] = value
    staff.disclosed[:n][non_peer] = False
    staff.lived_experience[:n][non_peer] = False


def hire_peers(model, org, team, count):
    return model.hire(np.full(count, org), np.full(count, team), Kind.PEER_WORKER)


def advance(model, process, months=1):
    for _ in range(months):
        model.steps += 1  # each month draws fresh random numbers
        process(model)


# ---- 2. contact and exposure --------------------------------------------------------------


def test_peer_contact_raises_exposure():
    model = tiny_sector()
    uniform_state(model)
    team_a, team_b = first_team(model, 0), first_team(model, 0) + 1
    hire_peers(model, 0, team_a, 3)
    processes.contact_and_exposure(model)
    with_peers = team_members(model, team_a, Kind.CLINICIAN)
    without = team_members(model, team_b, Kind.CLINICIAN)
    assert model.staff.contact[with_peers].min() > 0.2
    assert model.staff.contact[without].max() == 0.0
    assert model.staff.exposure[with_peers].min() > model.staff.exposure[without].max()


def test_exposure_decays_without_contact():
    model = tiny_sector()
    uniform_state(model, exposure=0.5)
    processes.contact_and_exposure(model)
    clinicians = model.staff.slots_of(Kind.CLINICIAN)
    assert np.all(model.staff.exposure[clinicians] < 0.5)


def test_disclosed_colleagues_count_partly():
    model = tiny_sector()
    uniform_state(model)
    team_a, team_b = first_team(model, 0), first_team(model, 1)
    hire_peers(model, 0, team_a, 1)
    disclosing = team_members(model, team_b, Kind.CLINICIAN)[0]
    model.staff.lived_experience[disclosing] = model.staff.disclosed[disclosing] = True
    processes.contact_and_exposure(model)
    near_peer = team_members(model, team_a, Kind.CLINICIAN)[0]
    near_disclosed = team_members(model, team_b, Kind.CLINICIAN)[1]
    assert 0 < model.staff.contact[near_disclosed] < model.staff.contact[near_peer]


# ---- 3. understanding ---------------------------------------------------------------------


def test_understanding_grows_with_exposure():
    model = tiny_sector()
    uniform_state(model)
    staff = model.staff
    in_org = [np.flatnonzero(staff.org[: staff.size] == org) for org in (0, 1)]
    staff.exposure[in_org[0]] = 0.8
    staff.exposure[in_org[1]] = 0.05
    processes.understanding_growth(model)
    assert staff.understanding[in_org[0]].min() > staff.understanding[in_org[1]].max()


def test_commitment_builds_understanding():
    # Same exposure everywhere; org 0's staff are committed, org 1's are not.
    for insight, wider in ((0.5, True), (0.0, False)):
        model = tiny_sector(commitment_insight=insight)
        uniform_state(model, exposure=0.1)
        staff = model.staff
        in_org = [np.flatnonzero(staff.org[: staff.size] == org) for org in (0, 1)]
        staff.commitment[in_org[0]] = 0.9
        staff.commitment[in_org[1]] = 0.1
        processes.understanding_growth(model)
        gap = staff.understanding[in_org[0]].min() - staff.understanding[in_org[1]].max()
        assert bool(gap > 0.01) == wider


# ---- 4. commitment ------------------------------------------------------------------------


def test_committed_executive_raises_team_leaders_commitment():
    model = tiny_sector()
    uniform_state(model)
    staff = model.staff
    executives = model.executive_slots
    for _ in range(24):  # the pull passes down executive -> senior -> team leader
        staff.commitment[executives] = np.where(staff.org[executives] == 0, 1.0, 0.0)
        processes.commitment_dynamics(model)
    leaders = staff.slots_of(Kind.TEAM_LEADER)
    org0, org1 = leaders[staff.org[leaders] == 0], leaders[staff.org[leaders] == 1]
    assert staff.commitment[org0].min() > staff.commitment[org1].max() + 0.05


def test_board_support_pulls_executives():
    low, high = tiny_sector(board_support=0.0), tiny_sector(board_support=1.0)
    for model in (low, high):
        uniform_state(model)
        processes.commitment_dynamics(model)
    executives = low.executive_slots
    assert np.all(high.staff.commitment[executives] > low.staff.commitment[executives])


def test_policy_pressure_raises_what_boards_ask():
    calm = tiny_sector(board_support=0.2, policy_pressure=[0.0])
    pressed = tiny_sector(board_support=0.2, policy_pressure=[1.0], pressure_support=0.5)
    assert processes.board_target(calm) == pytest.approx([0.2, 0.2])
    assert processes.board_target(pressed) == pytest.approx([0.6, 0.6])
    for model in (calm, pressed):
        uniform_state(model)
        processes.commitment_dynamics(model)
    executives = calm.executive_slots
    assert np.all(pressed.staff.commitment[executives] > calm.staff.commitment[executives])


def test_policy_pressure_follows_its_yearly_series():
    model = tiny_sector(policy_pressure=[0.1, 0.4], pressure_support=1.0, board_support=0.0)
    seen = []
    for _ in range(26):
        model.steps += 1
        seen.append(float(processes.board_target(model)[0]))
    # Months 1-12 are year 0; from month 13 the second value holds, and keeps holding.
    assert seen[:12] == pytest.approx([0.1] * 12)
    assert seen[12:] == pytest.approx([0.4] * 14)


def test_decision_makers_see_their_organisations_peer_work():
    model = tiny_sector()
    uniform_state(model)
    hire_peers(model, 0, first_team(model, 0), 3)
    visible = processes.visible_peer_work(model)
    assert visible[0] > 0.3 and visible[1] == 0.0
    processes.contact_and_exposure(model)
    executives = model.executive_slots
    in_org0 = model.staff.org[executives] == 0
    # Executives work with no peer, yet those of org 0 now have contact with peer work.
    assert model.staff.contact[executives[in_org0]].min() == pytest.approx(visible[0])
    assert model.staff.contact[executives[~in_org0]].max() == 0.0


def test_stigma_hides_peer_work():
    results = []
    for stigma in (0.1, 0.8):
        model = tiny_sector()
        uniform_state(model, stigma=stigma)
        hire_peers(model, 0, first_team(model, 0), 2)
        results.append(processes.visible_peer_work(model)[0])
    assert results[0] > results[1] > 0.0


@pytest.mark.parametrize("weight", [0.0, 1.0])
def test_visible_peer_work_persuades_decision_makers(weight):
    model = tiny_sector(evidence_weight=weight)
    uniform_state(model)
    hire_peers(model, 0, first_team(model, 0), 3)
    model.staff.contact[:] = 0.0
    processes.commitment_dynamics(model)
    executives = model.executive_slots
    in_org0 = model.staff.org[executives] == 0
    gap = (
        model.staff.commitment[executives[in_org0]].min()
        - model.staff.commitment[executives[~in_org0]].max()
    )
    assert bool(gap > 0.005) == (weight > 0)


def test_champion_within_reach_raises_commitment():
    model = tiny_sector()
    uniform_state(model)
    team_a, team_b = first_team(model, 0), first_team(model, 0) + 1
    model.staff.champion[model.structure.unit_head[team_a]] = True
    processes.commitment_dynamics(model)
    reached = team_members(model, team_a, Kind.CLINICIAN)
    unreached = team_members(model, team_b, Kind.CLINICIAN)
    assert model.staff.commitment[reached].min() > model.staff.commitment[unreached].max()


def test_local_stigma_holds_commitment_down():
    model = tiny_sector()
    uniform_state(model)
    staff = model.staff
    team_a, team_b = first_team(model, 0), first_team(model, 0) + 1
    staff.stigma[team_members(model, team_a)] = 0.9
    staff.stigma[team_members(model, team_b)] = 0.0
    processes.commitment_dynamics(model)
    high = team_members(model, team_a, Kind.CLINICIAN)
    low = team_members(model, team_b, Kind.CLINICIAN)
    assert staff.commitment[high].max() < staff.commitment[low].min()


# ---- 5. stigma ----------------------------------------------------------------------------


def test_le_contact_lowers_stigma():
    model = tiny_sector()
    uniform_state(model, stigma=0.5)
    staff = model.staff
    n = staff.size
    staff.contact[:n] = np.where(staff.org[:n] == 0, 0.6, 0.0)
    processes.stigma_dynamics(model)
    clinicians = staff.slots_of(Kind.CLINICIAN)
    in_org0 = staff.org[clinicians] == 0
    assert staff.stigma[clinicians[in_org0]].max() < staff.stigma[clinicians[~in_org0]].min()


def test_stigma_conforms_to_team_norm():
    strict, loose = tiny_sector(conformity=0.2), tiny_sector(conformity=0.0)
    for model in (strict, loose):
        uniform_state(model, stigma=0.1)
        model.staff.contact[:] = 0.0
        model.staff.commitment[model.executive_slots] = 0.0
        outlier = team_members(model, first_team(model, 0), Kind.CLINICIAN)[0]
        model.staff.stigma[outlier] = 0.9
        processes.stigma_dynamics(model)
    assert strict.staff.stigma[outlier] < 0.9 - 0.1
    assert loose.staff.stigma[outlier] == pytest.approx(0.9)


def test_past_critical_mass_peers_pull_culture_more_than_proportionally():
    """A team's majority moves towards peers' low stigma faster per peer once peers
    are no longer tokens (voice scales with the team's peer share up to token_share).

    With equal voices the drop per peer would shrink as peers are added (about 0.86x
    from one to three peers in a team of 11); with token voices it grows (about 1.45x).
    """
    drop_per_peer = {}
    for peers in (1, 3):
        model = tiny_sector(contact_effect=0.0, top_down_culture=0.0)
        uniform_state(model, stigma=0.6)
        team = first_team(model, 0)
        hire_peers(model, 0, team, peers)
        clinicians = team_members(model, team, Kind.CLINICIAN)
        before = model.staff.stigma[clinicians].mean()
        processes.stigma_dynamics(model)
        drop_per_peer[peers] = (before - model.staff.stigma[clinicians].mean()) / peers
    assert drop_per_peer[3] > 1.2 * drop_per_peer[1]


def test_executive_commitment_lowers_stigma():
    model = tiny_sector(conformity=0.0)
    uniform_state(model, stigma=0.5)
    staff = model.staff
    staff.contact[:] = 0.0
    executives = model.executive_slots
    staff.commitment[executives] = np.where(staff.org[executives] == 0, 1.0, 0.0)
    processes.stigma_dynamics(model)
    clinicians = staff.slots_of(Kind.CLINICIAN)
    in_org0 = staff.org[clinicians] == 0
    assert staff.stigma[clinicians[in_org0]].max() < 0.5
    assert staff.stigma[clinicians[~in_org0]] == pytest.approx(0.5)


# ---- 6. disclosure ------------------------------------------------------------------------


def hidden_lived_experience(model):
    staff = model.staff
    clinicians = staff.slots_of(Kind.CLINICIAN)
    staff.lived_experience[clinicians] = True
    staff.disclosed[clinicians] = False
    staff.safety_threshold[clinicians] = 0.5
    return clinicians


def test_low_stigma_leads_to_more_disclosure():
    model = tiny_sector(disclosure_rate=0.5)
    uniform_state(model)
    clinicians = hidden_lived_experience(model)
    staff = model.staff
    in_org0 = staff.org[clinicians] == 0
    staff.stigma[: staff.size] = np.where(staff.org[: staff.size] == 0, 0.05, 0.45)
    advance(model, processes.disclosure, months=6)
    safe = staff.disclosed[clinicians[in_org0]].sum()
    unsafe = staff.disclosed[clinicians[~in_org0]].sum()
    assert safe > unsafe + 5


def test_le_leader_makes_disclosure_safer():
    model = tiny_sector(disclosure_rate=0.5, le_leader_safety=0.3)
    uniform_state(model, stigma=0.45)
    model.intervene("hire_le_leader", orgs=[0])
    clinicians = hidden_lived_experience(model)
    advance(model, processes.disclosure, months=6)
    in_org0 = model.staff.org[clinicians] == 0
    disclosed = model.staff.disclosed[clinicians]
    assert disclosed[in_org0].sum() > disclosed[~in_org0].sum() + 5


@pytest.mark.parametrize("source", ["disclosed colleagues", "champions"])
def test_disclosed_colleagues_and_champions_make_disclosure_safer(source):
    # Org 0 and org 1 are alike except for the source of safety, on the same draws.
    counts = {}
    for weight in (0.0, 0.5):
        model = tiny_sector(
            disclosure_rate=0.5,
            disclosure_safety=weight if source == "disclosed colleagues" else 0.0,
            champion_safety=weight if source == "champions" else 0.0,
        )
        uniform_state(model, stigma=0.45)
        clinicians = hidden_lived_experience(model)
        staff = model.staff
        in_org0 = staff.org[clinicians] == 0
        if source == "disclosed colleagues":
            others = np.flatnonzero(
                (staff.kind[: staff.size] == Kind.CLINICIAN) & (staff.org[: staff.size] == 0)
            )
            others = np.setdiff1d(others, clinicians)
            staff.lived_experience[others] = True
            staff.disclosed[others] = True
        else:
            staff.champion[model.structure.unit_head[first_team(model, 0) + np.arange(2)]] = True
        advance(model, processes.disclosure, months=6)
        counts[weight] = staff.disclosed[clinicians[in_org0]].sum()
        assert staff.disclosed[clinicians[~in_org0]].sum() <= counts[weight]
    assert counts[0.5] > counts[0.0]


# ---- 7. champions -------------------------------------------------------------------------


def test_champions_emerge_only_above_threshold():
    model = tiny_sector(champion_uptake=1.0, champion_threshold=0.6)
    staff = model.staff
    n = staff.size
    level = np.where(staff.org[:n] == 0, 0.9, 0.5)
    staff.understanding[:n] = level
    staff.commitment[:n] = level
    processes.champion_emergence(model)
    # Every unit of organisation 0 with an eligible (non-peer) member gets one champion.
    eligible = (staff.org[:n] == 0) & (staff.kind[:n] != Kind.PEER_WORKER) & staff.active[:n]
    units = np.unique(staff.unit[:n][eligible])
    per_unit = np.bincount(staff.unit[:n][staff.champion[:n]], minlength=staff.n_units + 1)
    assert (per_unit[units] == 1).all()
    assert not staff.champion[:n][staff.org[:n] == 1].any()


def test_a_unit_holds_one_champion_and_the_role_frees_when_they_leave():
    model = tiny_sector(champion_uptake=1.0, champion_threshold=0.6)
    staff = model.staff
    n = staff.size
    staff.understanding[:n] = 0.9
    staff.commitment[:n] = 0.9
    for _ in range(3):  # more months add no second champion to a unit
        processes.champion_emergence(model)
    units = staff.unit[:n][staff.champion[:n]]
    assert units.size > 1 and np.unique(units).size == units.size
    members = np.bincount(
        staff.unit[:n][staff.active[:n] & (staff.kind[:n] != Kind.PEER_WORKER)],
        minlength=staff.n_units + 1,
    )
    holder = int(next(s for s in np.flatnonzero(staff.champion[:n]) if members[staff.unit[s]] > 1))
    unit = staff.unit[holder]
    staff.release(np.array([holder]))
    assert not staff.champion[:n][staff.unit[:n] == unit].any()
    processes.champion_emergence(model)
    assert staff.champion[:n][staff.unit[:n] == unit].sum() == 1  # a colleague takes it up


def test_an_appointed_champion_takes_the_unit_so_none_emerges_beside_them():
    model = tiny_sector(champion_uptake=1.0, champion_threshold=0.6)
    staff = model.staff
    n = staff.size
    staff.champion[:n] = False
    AppointChampion(month=0, level="executive").apply(model)
    appointed = np.flatnonzero(staff.champion[:n])
    assert appointed.size == 2  # one in each organisation
    staff.understanding[:n] = 0.9
    staff.commitment[:n] = 0.9
    processes.champion_emergence(model)
    for unit in staff.unit[appointed]:
        assert staff.champion[:n][staff.unit[:n] == unit].sum() == 1


def test_the_set_up_places_at_most_one_champion_in_a_unit():
    # Everyone eligible passes the set-up draw: without the rule every manager and
    # clinician would start as a champion.
    model = tiny_sector(initial_champion=1.0, champion_threshold=0.0)
    staff = model.staff
    n = staff.size
    units = staff.unit[:n][staff.champion[:n]]
    assert units.size > 2 and np.unique(units).size == units.size


def test_one_per_unit_takes_the_lowest_draw_of_each_free_unit():
    units = np.array([3, 1, 3, 1, 2, 0])
    draws = np.array([0.4, 0.2, 0.1, 0.3, 0.5, 0.6])
    taken = np.array([False, False, True, False, False])  # unit 2 already has a champion
    chosen = processes.one_per_unit(units, draws, taken)
    assert chosen.tolist() == [False, True, True, False, False, True]


# ---- 8. resourcing and hiring -------------------------------------------------------------


def first_hire_setting(**overrides):
    """Org 1 employs peers, org 0 does not; both understand the roles equally (no gate)."""
    settings = dict(
        first_hire_rate=0.5, policy_pressure=[0.3], imitation=1.0, first_hire_understanding=0.0
    )
    settings.update(overrides)
    model = tiny_sector(**settings)
    uniform_state(model, understanding=0.5)
    hire_peers(model, 1, first_team(model, 1), 1)
    return model


def test_first_hire_chance_only_for_peerless_organisations():
    model = first_hire_setting()
    chance = processes.first_hire_chance(model)
    assert chance[0] > 0.0 and chance[1] == 0.0
    model.orgs.positions[0] = 1  # a funded post, even vacant, ends the wait
    assert processes.first_hire_chance(model)[0] == 0.0


def test_first_hire_chance_rises_with_pressure_imitation_and_understanding():
    base = processes.first_hire_chance(first_hire_setting(imitation=0.0))[0]
    neighbours = np.diff(first_hire_setting().structure.neighbour_ptr)
    assert neighbours[0] >= 1  # org 1 is org 0's neighbour in this sector
    imitating = processes.first_hire_chance(first_hire_setting(imitation=0.5))[0]
    pressed = processes.first_hire_chance(first_hire_setting(imitation=0.0, policy_pressure=[0.6]))[
        0
    ]
    assert base == pytest.approx(0.5 * 0.5 * 0.3)
    assert imitating > base and pressed == pytest.approx(2 * base)
    unaware = first_hire_setting(imitation=0.0)
    deciders = unaware.decision_maker_slots
    unaware.staff.understanding[deciders] = 0.1
    assert processes.first_hire_chance(unaware)[0] == pytest.approx(base / 5)


def test_first_hire_chance_counts_only_understanding_above_the_gate():
    gated = first_hire_setting(imitation=0.0, first_hire_understanding=0.3)
    # Readiness (0.5 - 0.3) / (1 - 0.3) in place of the level 0.5.
    assert processes.first_hire_chance(gated)[0] == pytest.approx(0.5 * (0.2 / 0.7) * 0.3)
    deciders = gated.decision_maker_slots
    gated.staff.understanding[deciders] = 0.25  # below the gate: not considered at all
    assert processes.first_hire_chance(gated)[0] == 0.0


def test_a_peerless_organisation_whose_leaders_do_not_understand_opens_no_post():
    # Leaders committed far past the threshold but below the understanding gate: no first
    # post on either path, however many months; past the gate the same will opens posts.
    # The organisation that already has a post is not gated.
    opened = {}
    for understanding in (0.3, 0.6):
        model = tiny_sector(
            position_rate=1.0,
            fill_rate=1.0,
            hire_threshold=0.3,
            first_hire_rate=1.0,
            first_hire_understanding=0.35,
            funding_envelope=[1.0],
        )
        uniform_state(model, understanding=understanding, commitment=0.95)
        model.orgs.positions[1] = 1
        advance(model, processes.resourcing_and_hiring, months=24)
        opened[understanding] = model.orgs.positions.copy()
    assert opened[0.3][0] == 0 and opened[0.6][0] > 1
    assert opened[0.3][1] > 1 and opened[0.6][1] > 1


def test_unwilling_peerless_organisation_funds_and_fills_a_pilot_post():
    model = first_hire_setting(first_hire_rate=1.0, fill_rate=1.0, hire_threshold=0.9)
    model.orgs.positions[1] = 1
    assert processes.resourcing_will(model)[0] < 0.9  # not willing
    advance(model, processes.resourcing_and_hiring, months=24)
    assert circles.org_count(model, model.staff.slots_of(Kind.PEER_WORKER))[0] >= 1


def test_committed_managers_hire_peers_into_the_most_committed_team():
    model = tiny_sector(position_rate=1.0, fill_rate=1.0, hire_threshold=0.3)
    uniform_state(model, understanding=0.6, commitment=0.1)
    staff = model.staff
    deciders = model.decision_maker_slots
    staff.commitment[deciders[staff.org[deciders] == 0]] = 0.9
    favoured = first_team(model, 0) + 1
    staff.commitment[model.structure.unit_head[favoured]] = 0.95
    model.steps += 1
    processes.resourcing_and_hiring(model)
    peers = staff.slots_of(Kind.PEER_WORKER)
    assert peers.size >= 1
    assert np.all(staff.unit[peers] == favoured)
    assert model.orgs.ever_employed.tolist() == [True, False]


def test_new_peers_go_to_a_team_without_peers_first():
    model = tiny_sector()
    uniform_state(model, commitment=0.1)
    teams = first_team(model, 0) + np.arange(model.structure.team_count[0])
    favoured, other = teams[1], teams[0]
    model.staff.commitment[model.structure.unit_head[favoured]] = 0.95
    model.staff.commitment[model.structure.unit_head[other]] = 0.5
    assert processes.most_committed_team(model, np.array([0]))[0] == favoured
    hire_peers(model, 0, favoured, 1)
    assert processes.most_committed_team(model, np.array([0]))[0] == other
    for team in teams:
        hire_peers(model, 0, team, 1)
    assert processes.most_committed_team(model, np.array([0]))[0] == favoured


def test_teams_that_work_with_peers_ask_for_more_positions():
    # Same will in both organisations; org 0 has peers in both teams, org 1 in none.
    opened = {}
    for weight in (0.0, 2.0):
        model = tiny_sector(
            position_rate=0.05,
            hire_threshold=0.3,
            fill_rate=0.0,
            funding_envelope=[1.0],
            request_weight=weight,
        )
        uniform_state(model, commitment=0.9)
        model.orgs.ever_employed[:] = True
        for team in first_team(model, 0) + np.arange(model.structure.team_count[0]):
            hire_peers(model, 0, team, 1)
        model.orgs.positions[:] = [2, 0]
        advance(model, processes.resourcing_and_hiring, months=60)
        opened[weight] = model.orgs.positions - [2, 0]
    # On the same draws, requests make the experienced organisation open more posts and
    # leave the other exactly as it was.
    assert opened[0.0][0] > 0
    assert opened[2.0][0] >= 2 * opened[0.0][0]
    assert opened[2.0][1] == opened[0.0][1]


def test_funding_envelope_limits_positions():
    model = tiny_sector(position_rate=1.0, fill_rate=1.0, funding_envelope=[0.1])
    uniform_state(model, commitment=0.95)
    advance(model, processes.resourcing_and_hiring, months=12)
    headcount = circles.org_headcount(model)
    assert np.all(model.orgs.positions <= np.floor(0.1 * headcount))


def test_a_growing_funding_envelope_lets_positions_grow():
    # Year 0 funds one post per organisation (24 staff x 0.05, floored); year 1 funds 12.
    model = tiny_sector(position_rate=1.0, fill_rate=1.0, funding_envelope=[0.05, 0.5])
    uniform_state(model, understanding=0.6, commitment=0.95)
    advance(model, processes.resourcing_and_hiring, months=12)
    assert model.orgs.positions.tolist() == [1, 1]
    advance(model, processes.resourcing_and_hiring, months=12)
    assert np.all(model.orgs.positions > 3)


def test_vacancies_wait_where_will_is_below_the_threshold():
    # Org 0 is willing, org 1 is not; each has 2 filled and 3 vacant posts; no new posts.
    model = tiny_sector(fill_rate=1.0, funding_envelope=[0.0])
    uniform_state(model, commitment=0.1)
    deciders = model.decision_maker_slots
    model.staff.commitment[deciders[model.staff.org[deciders] == 0]] = 0.9
    for org in (0, 1):
        hire_peers(model, org, first_team(model, org), 2)
    model.orgs.positions[:] = 5
    advance(model, processes.resourcing_and_hiring, months=24)
    assert model.orgs.positions.tolist() == [5, 5]  # posts are kept either way
    assert circles.org_count(model, model.staff.slots_of(Kind.PEER_WORKER)).tolist() == [5, 2]


@pytest.mark.parametrize("lever", ["pay_parity", "role_clarity"])
def test_fair_pay_and_clear_roles_fill_posts_faster(lever):
    # Both organisations willing, 6 vacant posts each; org 0 pays and describes its roles well.
    model = tiny_sector(fill_rate=0.3, funding_envelope=[0.0])
    uniform_state(model, commitment=0.9)
    model.intervene("set", name=lever, value=1.0, orgs=[0])
    model.intervene("set", name=lever, value=0.1, orgs=[1])
    hires = np.zeros(2)
    for _ in range(40):  # fresh posts each month, so the counts are rates
        model.orgs.positions[:] = (
            circles.org_count(model, model.staff.slots_of(Kind.PEER_WORKER)) + 6
        )
        before = circles.org_count(model, model.staff.slots_of(Kind.PEER_WORKER))
        advance(model, processes.resourcing_and_hiring)
        hires += circles.org_count(model, model.staff.slots_of(Kind.PEER_WORKER)) - before
        model.staff_leaves(model.staff.slots_of(Kind.PEER_WORKER))
    assert hires[0] > 1.3 * hires[1]


def test_le_leader_clarifies_roles():
    model = tiny_sector(role_clarity=0.4, le_leader_clarity=0.5)
    assert processes.effective_role_clarity(model) == pytest.approx([0.4, 0.4])
    model.intervene("hire_le_leader", orgs=[0])
    assert processes.effective_role_clarity(model) == pytest.approx([0.7, 0.4])


def test_without_lapse_vacancies_wait_to_be_filled():
    model = tiny_sector(fill_rate=0.0, funding_envelope=[0.0])
    uniform_state(model, commitment=0.1)
    model.orgs.positions[:] = 3
    advance(model, processes.resourcing_and_hiring, months=24)
    assert model.orgs.positions.tolist() == [3, 3]


def test_le_leader_position_created_once_enough_peers():
    # No funding for new positions, so the peer counts stay as set (3 and 2).
    model = tiny_sector(
        position_rate=1.0, le_leader_min_peers=3, le_leader_will=0.5, funding_envelope=[0.0]
    )
    uniform_state(model, commitment=0.9)
    hire_peers(model, 0, first_team(model, 0), 3)
    hire_peers(model, 1, first_team(model, 1), 2)
    model.orgs.positions[:] = [3, 2]
    advance(model, processes.resourcing_and_hiring)
    assert model.orgs.le_leader[0] >= 0
    assert model.orgs.le_leader[1] == -1


# ---- 9. peer retention --------------------------------------------------------------------


def two_orgs_with_peers(**overrides):
    model = tiny_sector(**overrides)
    uniform_state(model)
    for org in (0, 1):
        hire_peers(model, org, first_team(model, org), 2)
    return model, model.staff.slots_of(Kind.PEER_WORKER)


def test_le_leader_lowers_peer_exit_hazard():
    model, peers = two_orgs_with_peers()
    model.intervene("hire_le_leader", orgs=[0])
    hazard = processes.peer_exit_hazard(model, peers)
    in_org0 = model.staff.org[peers] == 0
    assert hazard[in_org0].max() < hazard[~in_org0].min()


@pytest.mark.parametrize("lever", ["pay_parity", "role_clarity"])
def test_parity_and_clarity_lower_peer_exit_hazard(lever):
    model, peers = two_orgs_with_peers()
    model.intervene("set", name=lever, value=1.0, orgs=[0])
    model.intervene("set", name=lever, value=0.3, orgs=[1])
    hazard = processes.peer_exit_hazard(model, peers)
    in_org0 = model.staff.org[peers] == 0
    assert hazard[in_org0].max() < hazard[~in_org0].min()


def test_committed_team_leader_lowers_peer_exit_hazard():
    model, peers = two_orgs_with_peers()
    heads = model.structure.unit_head[[first_team(model, 0), first_team(model, 1)]]
    model.staff.commitment[heads] = [0.9, 0.1]
    hazard = processes.peer_exit_hazard(model, peers)
    in_org0 = model.staff.org[peers] == 0
    assert hazard[in_org0].max() < hazard[~in_org0].min()


def test_tokens_leave_more():
    model = tiny_sector()
    uniform_state(model)
    hire_peers(model, 0, first_team(model, 0), 1)  # 1 of 11: a token
    hire_peers(model, 1, first_team(model, 1), 3)  # 3 of 13: above 15 %
    peers = model.staff.slots_of(Kind.PEER_WORKER)
    hazard = processes.peer_exit_hazard(model, peers)
    in_org0 = model.staff.org[peers] == 0
    assert hazard[in_org0].min() > hazard[~in_org0].max()


def test_pay_parity_lowers_realised_exits():
    """With common random numbers, the same peers face the same draws; parity can only
    remove leavers. 60 peers x 24 months at a high base hazard, so the gap is large."""
    exits = {}
    for parity in (0.2, 1.0):
        model = tiny_sector(peer_attrition=0.02, pay_parity=parity)
        uniform_state(model)
        for org in (0, 1):
            for team in range(2):
                hire_peers(model, org, first_team(model, org) + team, 15)
        model.orgs.positions[:] = 0  # leavers are not replaced
        advance(model, processes.peer_retention, months=24)
        exits[parity] = model.peer_leavers_this_month
    assert exits[1.0] < exits[0.2]


# ---- 10. staff turnover -------------------------------------------------------------------


def test_turnover_replaces_leavers_in_the_same_position():
    model = tiny_sector(staff_turnover=0.3)
    staff = model.staff
    n = staff.size
    staff.exposure[:n] = 0.999
    before_ids = {slot: staff.handles[slot].unique_id for slot in range(n)}
    kinds, units = staff.kind[:n].copy(), staff.unit[:n].copy()
    months = 3
    for _ in range(months):
        model.steps += 1
        processes.staff_turnover(model)
    replaced = [s for s in range(n) if staff.handles[s].unique_id != before_ids[s]]
    assert 0.2 * n < len(replaced) < 0.8 * n
    assert np.array_equal(staff.kind[:n], kinds) and np.array_equal(staff.unit[:n], units)
    assert np.all(staff.active[:n])
    assert np.all(staff.exposure[replaced] < 0.999)  # newcomers bring attitudes of their own
    assert len(model.agents) == n


def test_newcomers_come_from_their_organisations_own_labour_pool():
    # A replacement draws the attitudes of the class of the organisation joined, not the
    # sector's: in a sector of 'none' and 'significant' organisations, newcomers to each
    # class average that class's means (0.15 vs 0.50 understanding at the defaults). The
    # tolerance: about 1,500 newcomers per class, Beta(k = 10) draws of sd <= 0.16, so a
    # class mean is within 0.02 of its target with room (5 standard errors is 0.02).
    model = SectorModel(rng=8, n_orgs=12, exposure_mix=(0.5, 0.0, 0.5), staff_turnover=0.6)
    staff, p = model.staff, model.params
    n = staff.size
    staff.understanding[:n] = 0.999
    staff.commitment[:n] = 0.999
    for _ in range(3):
        model.steps += 1
        processes.staff_turnover(model)
    non_peer = np.flatnonzero(staff.active[:n] & (staff.kind[:n] < Kind.PEER_WORKER))
    replaced = non_peer[staff.understanding[non_peer] < 0.999]
    classes = model.structure.exposure_class[staff.org[replaced]]
    for klass in (0, 2):
        newcomers = replaced[classes == klass]
        assert newcomers.size > 1000
        for name in ("understanding", "commitment"):
            mean = getattr(staff, name)[newcomers].mean()
            assert abs(mean - getattr(p, f"initial_{name}")[klass]) < 0.02, (klass, name, mean)


def test_no_turnover_at_rate_zero():
    model = tiny_sector(staff_turnover=0.0)
    ids = {a.unique_id for a in model.agents}
    advance(model, processes.staff_turnover, months=24)
    assert {a.unique_id for a in model.agents} == ids


# ---- 11. inter-organisational contact ------------------------------------------------------


def test_visits_expose_managers_to_successful_peer_work():
    gains = {}
    for host_has_peers in (True, False):
        model = tiny_sector(visit_rate=1.0, visit_gain=0.5)
        uniform_state(model, exposure=0.1, commitment=0.8)
        if host_has_peers:
            hire_peers(model, 1, first_team(model, 1), 3)
        managers = model.manager_slots[model.staff.org[model.manager_slots] == 0]
        processes.inter_org_contact(model)
        gains[host_has_peers] = model.staff.exposure[managers].mean() - 0.1
    assert gains[True] > 0.1
    assert gains[False] == pytest.approx(0.0)


def test_no_visits_at_rate_zero():
    model = tiny_sector(visit_rate=0.0)
    uniform_state(model, exposure=0.1, commitment=0.8)
    hire_peers(model, 1, first_team(model, 1), 3)
    processes.inter_org_contact(model)
    assert np.all(model.staff.exposure[model.manager_slots] == 0.1)


def test_manager_network_reaches_managers_of_peerless_orgs():
    model = tiny_sector(manager_network=True)
    uniform_state(model, exposure=0.1)
    hire_peers(model, 1, first_team(model, 1), 2)
    processes.inter_org_contact(model)
    managers = model.manager_slots
    in_org0 = model.staff.org[managers] == 0
    assert np.all(model.staff.exposure[managers[in_org0]] > 0.1)
    assert np.all(model.staff.exposure[managers[~in_org0]] == 0.1)


# ---- 1 and 12. events and data collection --------------------------------------------------


def test_events_apply_at_their_month_and_not_before():
    plain, trained = tiny_sector(), tiny_sector()
    trained.schedule(3, "management_training")
    for month in range(1, 5):
        plain.step()
        trained.step()
        same = np.array_equal(plain.staff.understanding, trained.staff.understanding)
        assert same == (month < 3), month


def test_collect_data_appends_one_row_per_month():
    model = tiny_sector()
    for _ in range(4):
        model.step()
    assert list(model.sector_frame().index) == [0, 1, 2, 3, 4]
    assert len(model.org_table()) == 5 * model.n_orgs


def test_processes_run_in_the_documented_order():
    names = [process.__name__ for process in processes.MONTHLY_PROCESSES]
    assert names == [
        "apply_scenario_events",
        "contact_and_exposure",
        "understanding_growth",
        "commitment_dynamics",
        "stigma_dynamics",
        "disclosure",
        "champion_emergence",
        "resourcing_and_hiring",
        "peer_retention",
        "staff_turnover",
        "inter_org_contact",
        "collect_data",
    ]


# ---- working circles ------------------------------------------------------------------------


def test_circle_sum_variants_agree():
    """Dense, subset and sparse circle sums are one definition computed three ways."""
    from simulation import SectorModel

    model = SectorModel(rng=4, n_orgs=6, exposure_mix=(0.2, 0.3, 0.5))
    for _ in range(6):
        model.step()
    model.intervene("hire_le_leader", orgs="all")
    staff = model.staff
    n = staff.size
    active = np.flatnonzero(staff.active[:n])
    values = np.random.default_rng(0).random(n)
    dense = circles.circle_sums(model, values)
    subset = active[::3]
    assert np.allclose(circles.circle_sums(model, values, subset), dense[subset])
    holders = active[::7]
    sparse_values = np.zeros(n)
    sparse_values[holders] = values[holders]
    sparse = circles.sparse_circle_sums(model, holders, values[holders])
    assert np.allclose(sparse[active], circles.circle_sums(model, sparse_values)[active])
    nobody = circles.sparse_circle_sums(model, holders[:0], values[holders[:0]])
    assert nobody.dtype == np.float64 and not nobody[active].any()
    sizes = circles.circle_sizes(model)
    assert np.allclose(circles.circle_sizes(model, subset), sizes[subset])
    # A team member's circle is their unit minus themselves (plus the LE leader for peers).
    clinician = staff.slots_of(Kind.CLINICIAN)[0]
    unit_size = np.sum(staff.active[:n] & (staff.unit[:n] == staff.unit[clinician]))
    assert sizes[clinician] == unit_size - 1


def test_most_committed_team_per_org_with_ties_to_the_lower_index():
    model = tiny_sector()
    heads = model.structure.unit_head
    start0, start1 = first_team(model, 0), first_team(model, 1)
    model.staff.commitment[heads[[start0, start0 + 1, start1, start1 + 1]]] = [0.5, 0.9, 0.7, 0.7]
    best = processes.most_committed_team(model, np.array([1, 0, 1]))
    assert best.tolist() == [start1, start0 + 1, start1]
