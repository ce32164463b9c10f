"""The sector model as a whole: invariants, reproducibility, common random numbers, Mesa."""

from __future__ import annotations

import hashlib
import inspect

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import tiny_sector
from mesa.model import ModelSignals

from simulation import (
    SECTOR_COLUMNS,
    Clinician,
    Manager,
    ParameterError,
    Parameters,
    PeerWorker,
    SectorModel,
    simulate,
)
from simulation.core import mesa_bridge
from simulation.core.agents import AGENT_CLASS
from simulation.core.interventions import INTERVENTION_TYPES
from simulation.core.org_network import org_network
from simulation.core.state import PEER_KINDS, Kind, UnitType


def check_invariants(model: SectorModel) -> None:
    staff, structure = model.staff, model.structure
    n = staff.size
    active = np.flatnonzero(staff.active[:n])
    # Every staff member in exactly one organisation and one unit of that organisation.
    assert np.all(structure.unit_org[staff.unit[active]] == staff.org[active])
    assert np.all(staff.unit[:n][~staff.active[:n]] == structure.n_units)
    # Attitudes are shares.
    for name in ("exposure", "understanding", "commitment", "stigma", "contact"):
        values = getattr(staff, name)[active]
        assert np.all((values >= 0) & (values <= 1)), name
    # Peers have disclosed LE; disclosure implies LE.
    peers = staff.slots_of(*PEER_KINDS)
    assert staff.disclosed[peers].all() and staff.lived_experience[peers].all()
    assert not np.any(staff.disclosed[active] & ~staff.lived_experience[active])
    # Frontline staff sit in frontline teams; executives and LE leaders on the exec team.
    unit_type = structure.unit_type[staff.unit[active]]
    kind = staff.kind[active]
    frontline = np.isin(kind, [Kind.TEAM_LEADER, Kind.CLINICIAN, Kind.PEER_WORKER])
    assert np.all(unit_type[frontline] == UnitType.FRONTLINE_TEAM)
    on_exec = np.isin(kind, [Kind.EXECUTIVE, Kind.PEER_LEADER])
    assert np.all(unit_type[on_exec] == UnitType.EXECUTIVE_TEAM)
    # At most one LE leader per organisation, and the org state knows who.
    leaders = staff.slots_of(Kind.PEER_LEADER)
    assert len(set(staff.org[leaders].tolist())) == leaders.size
    assert sorted(model.orgs.le_leader[model.orgs.le_leader >= 0]) == sorted(leaders)
    # Mesa's registry agrees with the arrays, kind by kind.
    handles = [staff.handles[s] for s in active.tolist()]
    assert {a.unique_id for a in handles} == {a.unique_id for a in model.agents}
    assert all(h.slot == s for h, s in zip(handles, active.tolist(), strict=True))
    by_type = model.agents_by_type
    counts = {cls: len(by_type.get(cls, [])) for cls in (Manager, Clinician, PeerWorker)}
    assert counts[PeerWorker] == peers.size
    assert counts[Manager] == model.manager_slots.size
    assert counts[Clinician] == staff.slots_of(Kind.CLINICIAN).size
    # Sector figures are counts and shares.
    row = model.sector_frame().iloc[-1]
    assert row.orgs_with_peers + row.orgs_without_peers == model.n_orgs
    for column in ("peer_workers", "le_leaders", "champions", "peer_hires", "peer_leavers"):
        assert row[column] >= 0
    for column in ("peer_share", "disclosed_share", "mean_stigma", "mean_commitment_managers"):
        assert 0.0 <= row[column] <= 1.0
    assert row.peer_workers == peers.size


def test_invariants_hold_through_a_turbulent_run():
    """Many months with high turnover, hiring, exits and random interventions."""
    model = SectorModel(
        rng=11,
        n_orgs=12,
        staff_turnover=0.05,
        peer_attrition=0.03,
        position_rate=0.5,
        hire_threshold=0.2,
        visit_rate=0.1,
    )
    chooser = np.random.default_rng(3)
    for month in range(1, 61):
        if month % 7 == 0:
            name = str(chooser.choice(tuple(INTERVENTION_TYPES)[:-1]))
            orgs = sorted(chooser.choice(12, size=4, replace=False).tolist())
            model.schedule(month, name, orgs=orgs)
        model.step()
        check_invariants(model)
    frame = model.sector_frame()
    assert frame.peer_hires.sum() > 10 and frame.peer_leavers.sum() > 10


def test_agent_remove_follows_the_model_rules():
    model = tiny_sector()
    peer = PeerWorker  # noqa: F841 - the class is what the registry is keyed by
    model.hire(np.array([0]), np.array([model.structure.team_start[0]]), Kind.PEER_WORKER)
    worker = next(iter(model.agents_by_type[PeerWorker]))
    clinician = next(iter(model.agents_by_type[Clinician]))
    slot = clinician.slot
    clinician.remove()
    worker.remove()
    assert not worker.employed and not clinician.employed
    assert worker not in model.agents and clinician not in model.agents
    assert PeerWorker not in model.agents_by_type or len(model.agents_by_type[PeerWorker]) == 0
    replacement = model.staff.handles[slot]
    assert isinstance(replacement, Clinician) and replacement is not clinician
    with pytest.raises(RuntimeError, match="has left"):
        _ = worker.stigma
    check_invariants(model)


def test_agent_attributes_read_and_write_the_arrays():
    model = tiny_sector()
    agent = next(iter(model.agents_by_type[Manager]))
    agent.stigma = 0.123
    assert model.staff.stigma[agent.slot] == 0.123
    agent.champion = True
    assert bool(model.staff.champion[agent.slot])
    assert agent.level in ("executive", "senior", "team_leader")
    assert agent.org in (0, 1) and agent.tenure == 0
    assert agent.power > 0


def digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv().encode()).hexdigest()


def test_same_seed_gives_an_identical_frame_byte_for_byte():
    first = simulate(steps=36, seed=5, n_orgs=10)
    second = simulate(steps=36, seed=5, n_orgs=10)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert digest(first) == digest(second)
    assert first.index.name == "month" and list(first.index) == list(range(37))
    assert tuple(first.columns) == SECTOR_COLUMNS


def test_different_seeds_give_different_frames():
    first = simulate(steps=24, seed=1, n_orgs=10)
    second = simulate(steps=24, seed=2, n_orgs=10)
    assert digest(first) != digest(second)


def test_rng_forms_are_all_reproducible():
    by_int = SectorModel(rng=9, n_orgs=3)
    again = SectorModel(rng=np.int64(9), n_orgs=3)
    assert by_int.seed == again.seed == 9
    unseeded = SectorModel(n_orgs=3)
    assert SectorModel(rng=unseeded.seed, n_orgs=3).staff_frame().equals(unseeded.staff_frame())
    from_generator = SectorModel(rng=np.random.default_rng(4), n_orgs=3)
    assert from_generator.seed == SectorModel(rng=np.random.default_rng(4), n_orgs=3).seed


def test_intervention_in_one_org_leaves_the_others_untouched():
    """Common random numbers: with no contact between organisations, appointing a
    champion in organisation 3 changes organisation 3 and nothing else, exactly."""
    settings = dict(rng=21, n_orgs=8, visit_rate=0.0, manager_network=False)
    baseline, treated = SectorModel(**settings), SectorModel(**settings)
    treated.schedule(6, "appoint_champion", level="executive", orgs=[3])
    for _ in range(60):
        baseline.step()
        treated.step()
    base, alt = baseline.org_table(), treated.org_table()
    others = base.org != 3
    pd.testing.assert_frame_equal(base[others], alt[others], check_exact=True)
    assert not base[~others].equals(alt[~others])


def test_mesa_batch_run_drives_the_model():
    results = mesa.batch_run(
        SectorModel,
        parameters={"pay_parity": [0.4, 1.0], "n_orgs": 4},
        rng=[1, 2],
        max_steps=6,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 2 * 2 * 7
    assert set(SECTOR_COLUMNS) <= set(frame.columns)
    assert sorted(frame.pay_parity.unique()) == [0.4, 1.0]
    first = frame[(frame.pay_parity == 1.0) & (frame.iteration == 0)].peer_workers.to_numpy()
    rerun = simulate(steps=6, seed=1, n_orgs=4, pay_parity=1.0).peer_workers.to_numpy()
    assert np.array_equal(first, rerun)


def test_unknown_argument_is_a_clear_error():
    with pytest.raises(ParameterError, match=r"unknown parameter 'pay_parrity'.*'pay_parity'"):
        SectorModel(pay_parrity=0.9)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("pay_parity", 1.5, "between 0 and 1"),
        ("n_orgs", 0, "integer between 1"),
        ("exposure_mix", (0.5, 0.3, 0.3), "sum to 1"),
        ("exposure_mix", (0.5, 0.5), "three shares"),
        ("manager_network", "maybe", "true or false"),
        # Peer work fully visible at a share of 0 would divide 0 by 0 (NaN attitudes).
        ("visible_peer_share", 0.0, "between 0.01 and 1"),
        # One neighbour a side of nothing: no connected small world exists.
        ("sector_degree", 1, "cannot make a connected sector network"),
    ],
)
def test_out_of_range_argument_is_a_clear_error(name, value, allowed):
    with pytest.raises(ParameterError, match=rf"'{name}'.*{allowed}"):
        SectorModel(**{name: value})


def test_a_sector_degree_of_one_is_allowed_where_it_can_connect():
    # Two organisations: degree 1 is the complete network.
    assert SectorModel(rng=1, sector_degree=1, n_orgs=2).sector_graph.number_of_edges() == 1


def test_signature_lists_every_parameter_with_its_default():
    signature = inspect.signature(SectorModel)
    for name, field in Parameters.model_fields.items():
        assert signature.parameters[name].default == field.default
    assert "rng" in signature.parameters


def test_exposure_mix_sets_the_initial_share_of_orgs_with_peers():
    model = SectorModel(rng=1, n_orgs=20, exposure_mix=(0.55, 0.30, 0.15))
    assert np.bincount(model.structure.exposure_class, minlength=3).tolist() == [11, 6, 3]
    frame = model.sector_frame()
    assert frame.orgs_with_peers.iloc[0] == 9


def test_org_network_has_teams_and_line_management():
    model = tiny_sector()
    network = org_network(model, 0)
    assert isinstance(network, mesa.discrete_space.Network)
    members = model.agents_of_org(0)
    assert set(network.G.nodes) == {a.unique_id for a in members}
    relations = {data["relation"] for *_, data in network.G.edges(data=True)}
    assert relations == {"team", "line"}
    some = members[-1]
    assert some in network[some.unique_id].agents
    boss = some.superior
    assert network.G.has_edge(some.unique_id, boss.unique_id)


def test_simulate_rejects_negative_steps():
    with pytest.raises(ValueError, match="steps"):
        simulate(steps=-1)


def test_agent_level_collection_is_off_by_default_and_can_be_switched_on():
    quiet = tiny_sector()
    quiet.step()
    assert not quiet.datacollector.agent_reporters
    chatty = tiny_sector(collect_agents=True)
    chatty.step()
    agents = chatty.datacollector.get_agent_vars_dataframe()
    assert len(agents) == 2 * len(chatty.agents)  # months 0 and 1
    assert {"kind", "stigma", "champion"} <= set(agents.columns)


def test_newcomers_are_numbered_by_hiring_serial_within_their_org():
    model = tiny_sector()
    start = model.orgs.next_serial.copy()
    orgs = np.array([1, 0, 1, 1])
    keys = model._new_keys(orgs)
    serials = np.array([start[1], start[0], start[1] + 1, start[1] + 2])
    assert np.array_equal(keys, model.streams.person_keys(orgs, serials))
    assert model.orgs.next_serial.tolist() == [start[0] + 1, start[1] + 3]


def test_peer_workers_are_never_champions():
    model = SectorModel(rng=5, n_orgs=30, exposure_mix=(0.0, 0.0, 1.0), champion_uptake=0.5)
    for _ in range(12):
        model.step()
    staff = model.staff
    champions = np.flatnonzero(staff.champion[: staff.size])
    assert champions.size > 0
    assert not np.any(staff.kind[champions] == Kind.PEER_WORKER)


def test_data_collector_reports_exactly_the_public_columns():
    model = tiny_sector()
    assert list(model.datacollector.model_reporters) == list(SECTOR_COLUMNS)
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(SECTOR_COLUMNS) and len(frame) == 2


# ---- Mesa registry under turnover (mesa_bridge.register_staff / deregister_staff) ---------------


def turbulent_sector(**overrides) -> SectorModel:
    """A sector where many people join and leave every month (turnover, hiring, exits)."""
    settings = dict(
        rng=11,
        n_orgs=8,
        staff_turnover=0.08,
        peer_attrition=0.05,
        position_rate=0.5,
        hire_threshold=0.2,
    )
    settings.update(overrides)
    return SectorModel(**settings)


def registry_snapshot(model: SectorModel) -> list[list[tuple[str, int, int]]]:
    """Mesa's registry as plain values: every agent set, in Mesa's order."""
    sets = [model.agents, *model.agents_by_type.values()]
    return [[(type(a).__name__, a.unique_id, a.slot) for a in agents] for agents in sets]


def test_model_agents_lists_exactly_the_active_staff_after_a_turbulent_run():
    model = turbulent_sector()
    assert mesa_bridge.registry_is_direct(model)  # the fast path is what is tested here
    held = list(model.agents)
    for _ in range(24):
        model.step()
    staff = model.staff
    active = np.flatnonzero(staff.active[: staff.size]).tolist()
    listed = list(model.agents)
    assert len(listed) == len(active)
    assert {id(a) for a in listed} == {id(staff.handles[s]) for s in active}
    empty = set(range(len(staff.handles))) - set(active)
    assert all(staff.handles[s] is None for s in empty)
    # Each handle reads its own slot and is registered under its own class only.
    for agent in listed:
        assert staff.handles[agent.slot] is agent
        assert agent.stigma == staff.stigma[agent.slot]
        assert type(agent) is AGENT_CLASS[agent.kind]
        assert agent in model.agents_by_type[type(agent)]
    assert sum(len(agents) for agents in model.agents_by_type.values()) == len(listed)
    # Mesa's order is registration order, which is unique_id order; ids are never reused.
    ids = [a.unique_id for a in listed]
    assert ids == sorted(ids) and max(ids) < model.agent_id_counter
    assert sum(not a.employed for a in held) > len(held) // 10  # the run was turbulent


def test_a_handle_to_a_leaver_is_detached_and_the_newcomer_is_a_new_agent():
    model = turbulent_sector()
    held = list(model.agents)
    slot_of = {id(a): a.slot for a in held}
    for _ in range(6):
        model.step()
    leavers = [a for a in held if not a.employed]
    assert any(isinstance(a, Clinician) for a in leavers)
    current_ids = {a.unique_id for a in model.agents}
    for agent in leavers:
        assert agent not in model.agents
        assert agent not in model.agents_by_type[type(agent)]
        assert agent.unique_id not in current_ids
        assert "left" in repr(agent)
        with pytest.raises(RuntimeError, match="has left"):
            _ = agent.stigma
        with pytest.raises(RuntimeError, match="has left"):
            agent.stigma = 0.5
        agent.remove()  # leaving again changes nothing
        if isinstance(agent, (Manager, Clinician)):  # the position persists: a newcomer holds it
            successor = model.staff.handles[slot_of[id(agent)]]
            assert type(successor) is type(agent) and successor.unique_id > agent.unique_id
    check_invariants(model)


def test_direct_registration_leaves_mesa_as_its_own_path_would():
    """The same run twice: the second forces Mesa's public path by observing its signals."""
    direct = turbulent_sector()
    public = turbulent_sector()
    heard = {"added": 0, "removed": 0}

    def on_added(signal) -> None:
        heard["added"] += 1

    def on_removed(signal) -> None:
        heard["removed"] += 1

    public.observe("agents", ModelSignals.AGENT_ADDED, on_added)
    public.observe("agents", ModelSignals.AGENT_REMOVED, on_removed)
    assert mesa_bridge.registry_is_direct(direct)
    assert not mesa_bridge.registry_is_direct(public)
    at_start = len(public.agents)
    for _ in range(18):
        direct.step()
        public.step()
    assert registry_snapshot(direct) == registry_snapshot(public)
    assert list(direct.agents_by_type) == list(public.agents_by_type)
    assert direct.agent_id_counter == public.agent_id_counter
    pd.testing.assert_frame_equal(direct.sector_frame(), public.sector_frame())
    # The observer heard every newcomer and every leaver after it subscribed.
    newcomers = public.agent_id_counter - 1 - at_start
    assert newcomers > 0 and heard["added"] == newcomers
    assert heard["removed"] == at_start + newcomers - len(public.agents)


def test_registration_takes_mesas_public_path_unless_it_is_safe_to_bypass(monkeypatch):
    model = tiny_sector()
    assert mesa_bridge.registry_is_direct(model)
    monkeypatch.setattr(Clinician, "_datasets", {"staff"})  # a Mesa dataset tracks clinicians
    assert not mesa_bridge.registry_is_direct(model)
    monkeypatch.setattr(Clinician, "_datasets", set())
    monkeypatch.setattr(mesa_bridge, "DIRECT_REGISTRY_MESA_VERSIONS", frozenset())
    assert not mesa_bridge.registry_is_direct(model)  # an unchecked Mesa release


def test_agents_are_created_on_first_read_with_the_ids_reserved_on_joining():
    model = turbulent_sector()
    for _ in range(12):
        model.step()
    staff = model.staff
    active = np.flatnonzero(staff.active[: staff.size])
    reserved = staff.agent_id[active].copy()
    assert len(set(reserved.tolist())) == active.size
    frame = model.staff_frame()  # reads the reserved ids without creating agents
    assert staff.agents_pending
    assert frame.unique_id.tolist() == reserved.tolist()
    agents = {a.slot: a for a in model.agents}
    assert not staff.agents_pending
    assert [agents[s].unique_id for s in active.tolist()] == reserved.tolist()
    assert set(model.agent_types) == {type(a) for a in agents.values()}


def test_removing_all_agents_drops_the_ones_never_created():
    model = turbulent_sector()
    first = next(iter(model.agents))
    for _ in range(6):
        model.step()
    assert model.staff.agents_pending
    model.remove_all_agents()
    assert len(model.agents) == 0 and not first.employed
    assert all(handle is None for handle in model.staff.handles)


def test_model_agents_cannot_be_replaced():
    model = tiny_sector()
    with pytest.raises(AttributeError, match="model.agents"):
        model.agents = []


def test_a_held_agent_is_detached_when_it_leaves_even_if_mesas_registry_was_emptied():
    # Leavers are looked at one by one only once some agent has been made (issue 19 skips
    # the look otherwise). The record of that is the model's own, so an agent removed from
    # Mesa's registry behind the model's back is still detached when its person leaves.
    model = turbulent_sector()
    held = list(model.agents)
    for agent in held:
        mesa.Agent.remove(agent)
    for _ in range(6):
        model.step()
    staff = model.staff
    still_placed = [a for a in held if a.employed]
    assert len(still_placed) < len(held)  # people left
    assert all(staff.agent_id[a.slot] == a.unique_id for a in still_placed)
