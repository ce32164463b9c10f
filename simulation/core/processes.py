"""The 12 monthly processes of the model (docs/ODD.md section 3), in the order they run.

Each process is one function of the model, vectorised over staff (or organisations):
no Python loop over people. Each reads and writes the state arrays of
``model.staff`` and ``model.orgs``, so it can be run alone on a small, hand-set sector
in a test. :data:`MONTHLY_PROCESSES` lists them in order; ``SectorModel.step`` calls
them in that order.

Notation follows docs/ODD.md: E exposure, U understanding, C commitment, S stigma; all
in [0, 1]. A person's *working circle* is who they work with (see :func:`circle_sums`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from simulation.core import kernels
from simulation.core.circles import (
    circle_mean,
    circle_sizes,
    circle_sums,
    le_contact_weight,
    non_peer_stigma_sum,
    org_count,
    org_headcount,
    org_mean,
    sparse_circle_sums,
    team_peer_share,
)
from simulation.core.environment import environment_at
from simulation.core.state import NEVER, PEER_KINDS, POWER, Kind

if TYPE_CHECKING:
    from simulation.core.model import SectorModel


def _clip_unit(values: np.ndarray) -> None:
    np.clip(values, 0.0, 1.0, out=values)


# --------------------------------------------------------------------------------------
# 1. Scenario events
# --------------------------------------------------------------------------------------


def apply_scenario_events(model: SectorModel) -> None:
    """1. Apply the interventions scheduled for this month, in the order scheduled.

    Args:
        model: The sector model.
    """
    for event in [e for e in model.scheduled_events if e.month == model.month]:
        model.scheduled_events.remove(event)
        event.apply(model)


# --------------------------------------------------------------------------------------
# 2-5. Attitudes
# --------------------------------------------------------------------------------------


def contact_and_exposure(model: SectorModel) -> None:
    """2. Exposure rises with the LE share of the working circle and decays without it.

    ``x`` = LE weight in the circle / circle size (peers 1, disclosed colleagues
    ``disclosed_weight``); for executives and senior managers ``x`` is at least their
    organisation's :func:`visible_peer_work`. ``E += exposure_gain * contact_effect * x *
    (1 - E) - exposure_decay * E``. The contact share is kept in ``staff.contact`` for the
    stigma process. Training and visits add exposure where they happen.

    Args:
        model: The sector model.
    """
    staff, p = model.staff, model.params
    n = staff.size
    contact = circle_mean(model, le_contact_weight(model))
    # Executives and senior managers rarely work beside peers, but they see their own
    # organisation's peer work: its size and how it is received.
    deciders = model.decision_maker_slots
    contact[deciders] = np.maximum(contact[deciders], visible_peer_work(model)[staff.org[deciders]])
    staff.contact[:n] = contact
    exposure = staff.exposure[:n]
    if kernels.COMPILED:
        gain = p.exposure_gain * p.contact_effect
        kernels.grow_and_decay(exposure, gain, contact, p.exposure_decay)
        return
    exposure += (
        p.exposure_gain * p.contact_effect * contact * (1.0 - exposure)
        - p.exposure_decay * exposure
    )
    _clip_unit(exposure)


def understanding_growth(model: SectorModel) -> None:
    """3. Understanding grows with exposure and with one's own commitment, and decays slowly.

    ``U += understanding_gain * min(1, E + commitment_insight * C) * (1 - U) -
    understanding_decay * U``: commitment builds understanding (those who back the roles
    learn what they do), as exposure does. Management training adds to it directly (see
    the interventions).

    Args:
        model: The sector model.
    """
    staff, p = model.staff, model.params
    n = staff.size
    understanding = staff.understanding[:n]
    drive = staff.exposure[:n] + p.commitment_insight * staff.commitment[:n]
    np.minimum(drive, 1.0, out=drive)
    if kernels.COMPILED:
        kernels.grow_and_decay(understanding, p.understanding_gain, drive, p.understanding_decay)
        return
    understanding += (
        p.understanding_gain * drive * (1.0 - understanding) - p.understanding_decay * understanding
    )
    _clip_unit(understanding)


def commitment_dynamics(model: SectorModel) -> None:
    """4. Commitment follows understanding, the superior, champions and local stigma.

    ``C += commitment_rate * [(U - C) + top_down * (C_sup - C)
    + (champion_weight * reach + evidence_weight * V) * (1 - C) - stigma_drag * S_circle *
    C]``, where ``V`` is the organisation's :func:`visible_peer_work` for executives and
    senior managers (0 for others), C_sup is
    the line manager's commitment (for executives, :func:`board_target`), ``reach`` the
    power of the champions in the circle (capped at 1) and ``S_circle`` the circle's
    mean stigma. Peers' commitment to their own roles is not updated (as with stigma).

    Args:
        model: The sector model.
    """
    staff, p = model.staff, model.params
    n = staff.size
    commitment = staff.commitment[:n]
    superior_commitment = commitment[staff.superior[:n]]  # -1 (executives) fixed below
    executives = model.executive_slots
    superior_commitment[executives] = board_target(model)[staff.org[executives]]
    champions = np.flatnonzero(staff.champion[:n])
    reach = sparse_circle_sums(model, champions, POWER[staff.kind[champions]])
    np.minimum(reach, 1.0, out=reach)
    local_stigma = circle_mean(model, staff.stigma[:n])
    # The bracket rearranged as  target - C * weight,  computed in place (hot path):
    # target = U + top_down * C_sup + push;  weight = 1 + top_down + push + drag * S,
    # with push = champion_weight * reach (+ evidence_weight * V for decision-makers).
    push = p.champion_weight * reach
    # Executives and senior managers also see what peer work achieves in their own
    # organisation, and what they see persuades them (the study's "seeing is believing").
    deciders = model.decision_maker_slots
    push[deciders] += p.evidence_weight * visible_peer_work(model)[staff.org[deciders]]
    peers = staff.slots_of(*PEER_KINDS)
    if kernels.COMPILED:
        kernels.commitment_update(
            commitment,
            staff.understanding[:n],
            superior_commitment,
            push,
            local_stigma,
            peers,
            p.top_down,
            p.stigma_drag,
            p.commitment_rate,
        )
        return
    target = p.top_down * superior_commitment
    target += staff.understanding[:n]
    target += push
    weight = p.stigma_drag * local_stigma
    weight += push
    weight += 1.0 + p.top_down
    weight *= commitment
    target -= weight
    target *= p.commitment_rate
    target[peers] = 0.0
    commitment += target
    _clip_unit(commitment)


def board_target(model: SectorModel) -> np.ndarray:
    """The commitment each organisation's board asks of its executives.

    ``board_support + pressure_support * pressure * (1 - board_support)``: policy
    pressure moves boards towards full support, more where support is low.

    Args:
        model: The sector model.

    Returns:
        One value per organisation.
    """
    board = model.orgs.levers["board_support"]
    _, pressure = environment_at(model.params, model.month)
    return board + model.params.pressure_support * pressure * (1.0 - board)


def stigma_dynamics(model: SectorModel) -> None:
    """5. Stigma falls with LE contact and executive commitment, and conforms to the norm.

    For non-peer staff: ``S += -contact_stigma * contact_effect * x * S
    + conformity * (norm - S) - top_down_culture * C_exec * S``. The norm is the
    circle's mean stigma with each peer's voice scaled by ``min(1, unit peer share /
    token_share)``: tokens are barely heard, so where peers are few the non-LE majority
    sets the culture, and past a critical mass their voice counts in full. ``C_exec`` is
    the mean commitment of the organisation's executive team. Peers' own stigma is not
    updated.

    Args:
        model: The sector model.
    """
    staff, p = model.staff, model.params
    n = staff.size
    stigma = staff.stigma[:n]
    peers = staff.slots_of(*PEER_KINDS)
    # Voices are 1 except for peers, so sum the shortfall (1 - voice) over peers only.
    # With token_share 0 nobody is a token: every peer speaks in full.
    if p.token_share > 0:
        muted = 1.0 - np.minimum(team_peer_share(model, peers) / p.token_share, 1.0)
    else:
        muted = np.zeros(peers.size)
    sizes, muted_count = circle_sizes(model), sparse_circle_sums(model, peers, muted)
    total = circle_sums(model, stigma)
    muted_total = sparse_circle_sums(model, peers, muted * stigma[peers])
    executives = model.executive_slots
    exec_commitment = org_mean(model, executives, staff.commitment)
    if kernels.COMPILED:
        kernels.stigma_update(
            stigma,
            staff.contact[:n],
            total,
            muted_total,
            sizes,
            muted_count,
            exec_commitment,
            staff.org[:n],
            peers,
            -p.contact_stigma * p.contact_effect,
            p.conformity,
            p.top_down_culture,
        )
        return
    voice_sum = sizes - muted_count
    voiced = total - muted_total
    norm = np.where(voice_sum > 1e-12, voiced / np.maximum(voice_sum, 1e-12), stigma)
    change = (
        -p.contact_stigma * p.contact_effect * staff.contact[:n] * stigma
        + p.conformity * (norm - stigma)
        - p.top_down_culture * exec_commitment[staff.org[:n]] * stigma
    )
    change[peers] = 0.0
    stigma += change
    _clip_unit(stigma)


# --------------------------------------------------------------------------------------
# 6-7. Disclosure and champions
# --------------------------------------------------------------------------------------


def disclosure(model: SectorModel) -> None:
    """6. Staff with hidden LE disclose when their circle feels safe enough.

    Monthly probability ``disclosure_rate * max(0, safety - threshold)``, with
    ``safety = 1 - S_circle + disclosure_safety * D_circle + champion_safety * reach
    (+ le_leader_safety where the organisation has an LE leader)``: ``D_circle`` is the
    share of the circle who have disclosed (each disclosure makes the next safer) and
    ``reach`` the champions' power in the circle (capped at 1). The personal threshold
    is drawn at hiring. Disclosure is not undone.

    Args:
        model: The sector model.
    """
    staff, p = model.staff, model.params
    n = staff.size
    hidden = np.flatnonzero(staff.active[:n] & staff.lived_experience[:n] & ~staff.disclosed[:n])
    if hidden.size == 0:
        return
    safety = 1.0 - circle_mean(model, staff.stigma[:n], hidden)
    safety += p.le_leader_safety * (model.orgs.le_leader[staff.org[hidden]] >= 0)
    disclosed = np.flatnonzero(staff.disclosed[:n] & staff.active[:n])
    disclosed_near = sparse_circle_sums(model, disclosed, np.ones(disclosed.size))[hidden]
    safety += p.disclosure_safety * disclosed_near / np.maximum(circle_sizes(model, hidden), 1.0)
    champions = np.flatnonzero(staff.champion[:n])
    if champions.size:
        reach = sparse_circle_sums(model, champions, POWER[staff.kind[champions]])[hidden]
        safety += p.champion_safety * np.minimum(reach, 1.0)
    chance = p.disclosure_rate * np.maximum(safety - staff.safety_threshold[hidden], 0.0)
    draws = model.streams.staff_uniform("disclosure", model.month, staff, hidden)
    staff.disclosed[hidden[draws < chance]] = True


def could_champion(model: SectorModel, slots: np.ndarray | slice) -> np.ndarray:
    """Whether each given person may take up the champion role (at set-up or later).

    Managers of any level, clinicians and LE leaders whose understanding and commitment
    both exceed ``champion_threshold``; peer workers are the roles being championed.

    Args:
        model: The sector model.
        slots: Staff slots (indices, or a slice of them).

    Returns:
        One flag per slot.
    """
    staff, threshold = model.staff, model.params.champion_threshold
    return (
        (staff.kind[slots] != Kind.PEER_WORKER)
        & (staff.understanding[slots] > threshold)
        & (staff.commitment[slots] > threshold)
    )


def one_per_unit(units: np.ndarray, draws: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Which candidates take a unit's champion role: the lowest draw in each free unit.

    A unit (the executive team, a senior managers' group or a frontline team) holds one
    champion: the implementation literature describes champions as one person, or a
    few, per site or unit (Miech et al. 2018), and Byrne et al. (2019) name individual
    champions. Where several people of a unit without a champion could take the role in
    the same month, the one with the lowest draw does.

    Args:
        units: Unit of each candidate.
        draws: Each candidate's uniform draw (the order in which they would take it up).
        taken: Per unit, whether it already has a champion (indexed by unit).

    Returns:
        One flag per candidate.
    """
    order = np.lexsort((draws, units))
    first = np.ones(order.size, dtype=bool)
    first[1:] = units[order][1:] != units[order][:-1]
    chosen = np.zeros(units.size, dtype=bool)
    chosen[order[first]] = True
    return chosen & ~taken[units]


def champion_emergence(model: SectorModel) -> None:
    """7. Staff whose understanding and commitment exceed the threshold may champion.

    Managers of any level, clinicians and LE leaders can hold the role (peer workers
    are the roles being championed, not their champions). Each eligible person in a unit
    that has no champion takes up the role with monthly probability ``champion_uptake``;
    a unit holds one champion (:func:`one_per_unit`), so a second waits until the first
    leaves. Champions keep the role while employed; one who leaves takes their influence
    with them (their slot's flag is cleared on exit), and the unit's role is free again.
    Champions appointed by a scenario event are not limited by the rule.

    Args:
        model: The sector model.
    """
    staff = model.staff
    n = staff.size
    # A slice reads the arrays as views; an index array of everyone would copy each of them.
    everyone = slice(0, n)
    eligible = np.flatnonzero(
        staff.active[:n] & ~staff.champion[:n] & could_champion(model, everyone)
    )
    if eligible.size == 0:
        return
    draws = model.streams.staff_uniform("champions", model.month, staff, eligible)
    takers = draws < model.params.champion_uptake
    eligible, draws = eligible[takers], draws[takers]
    taken = np.zeros(staff.n_units + 1, dtype=bool)
    taken[staff.unit[:n][staff.champion[:n] & staff.active[:n]]] = True
    staff.champion[eligible[one_per_unit(staff.unit[eligible], draws, taken)]] = True


# --------------------------------------------------------------------------------------
# 8. Resourcing and hiring
# --------------------------------------------------------------------------------------


def resourcing_will(model: SectorModel) -> np.ndarray:
    """Each organisation's will to resource peer roles.

    Power-weighted mean commitment of its decision-makers (executives, senior managers,
    an LE leader) + ``champion_push`` x the power of its champions at every level
    (capped at 1): champions lobby for posts wherever they sit.

    Args:
        model: The sector model.

    Returns:
        One value per organisation.
    """
    staff, orgs, p = model.staff, model.orgs, model.params
    leaders = orgs.le_leader[orgs.le_leader >= 0]
    deciders = np.concatenate([model.decision_maker_slots, leaders])
    org = staff.org[deciders]
    power = POWER[staff.kind[deciders]]
    weighted = np.bincount(org, weights=power * staff.commitment[deciders], minlength=model.n_orgs)
    total_power = np.bincount(org, weights=power, minlength=model.n_orgs)
    champions = np.flatnonzero(staff.champion[: staff.size])
    champion_power = np.bincount(
        staff.org[champions], weights=POWER[staff.kind[champions]], minlength=model.n_orgs
    )
    return weighted / np.maximum(total_power, 1e-12) + p.champion_push * np.minimum(
        champion_power, 1.0
    )


def effective_role_clarity(model: SectorModel) -> np.ndarray:
    """Role clarity of each organisation: its lever, raised by an LE leader.

    ``role_clarity + le_leader_clarity * (1 - role_clarity)`` where the organisation has
    an LE leader, who writes the roles, trains and mentors peers and their managers.

    Args:
        model: The sector model.

    Returns:
        One value per organisation.
    """
    clarity = model.orgs.levers["role_clarity"]
    has_leader = model.orgs.le_leader >= 0
    return clarity + model.params.le_leader_clarity * (1.0 - clarity) * has_leader


def first_post_readiness(model: SectorModel) -> np.ndarray:
    """How far each organisation's leaders understand peer roles past the first-post gate.

    ``max(0, U_dec - first_hire_understanding) / (1 - first_hire_understanding)``, with
    ``U_dec`` the mean understanding of its executives and senior managers. Leaders who
    "don't know what they don't know" do not consider a first peer post at all: below
    the gate an organisation without peers opens none, on either path of process 8,
    however committed its leaders happen to be.

    Args:
        model: The sector model.

    Returns:
        One value in [0, 1] per organisation.
    """
    gate = model.params.first_hire_understanding
    understanding = org_mean(model, model.decision_maker_slots, model.staff.understanding)
    return np.maximum(understanding - gate, 0.0) / max(1.0 - gate, 1e-12)


def employing_orgs(model: SectorModel) -> np.ndarray:
    """Whether each organisation employs peers (peer workers or an LE leader)."""
    return org_count(model, model.staff.slots_of(*PEER_KINDS)) > 0


def first_hire_chance(
    model: SectorModel,
    employs: np.ndarray | None = None,
    readiness: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly chance that an organisation without peers funds a first peer post (a pilot).

    ``first_hire_rate * readiness * min(1, pressure + imitation * neighbours)``, with
    ``readiness`` from :func:`first_post_readiness` and ``neighbours`` the share of its
    sector neighbours that employ peers. Below the gate the chance is zero, so a first
    post comes only once the leaders have learnt (from visits, the manager network,
    training, policy through their commitment, or colleagues who disclose), not from
    where their understanding happened to start. Zero for organisations that employ
    peers or hold a peer post.

    Args:
        model: The sector model.
        employs: :func:`employing_orgs`, if the caller has it this month.
        readiness: :func:`first_post_readiness`, if the caller has it this month.

    Returns:
        One chance per organisation.
    """
    structure, orgs, p = model.structure, model.orgs, model.params
    if employs is None:
        employs = employing_orgs(model)
    if readiness is None:
        readiness = first_post_readiness(model)
    degree = np.diff(structure.neighbour_ptr)
    # structure.neighbours lists each organisation's neighbours in turn, degree[o] of them.
    owner = np.repeat(np.arange(model.n_orgs), degree)
    neighbours_employing = np.bincount(
        owner, weights=employs[structure.neighbours], minlength=model.n_orgs
    )
    neighbour_share = neighbours_employing / np.maximum(degree, 1)
    _, pressure = environment_at(p, model.month)
    pull = np.minimum(pressure + p.imitation * neighbour_share, 1.0)
    peerless = ~employs & (orgs.positions == 0)
    return p.first_hire_rate * readiness * pull * peerless


def resourcing_and_hiring(model: SectorModel) -> None:
    """8. Organisations open peer positions and fill them.

    Above ``hire_threshold`` a position opens with probability ``position_rate * (will -
    threshold) / (1 - threshold) * (1 + request_weight * advocacy) * (1 + clarity) / 2``
    while positions stay under the funding envelope x staff (``funding_envelope`` of the
    current year). ``advocacy`` is the summed commitment of the team leaders whose teams
    have peers (they ask for more); ``clarity`` is :func:`effective_role_clarity` (a role
    that can be described is funded). An organisation without peers opens a first post
    with :func:`first_hire_chance`, whatever its will: a pilot. Either path opens a first
    post only where the leaders' understanding has passed the gate
    (:func:`first_post_readiness`): commitment drawn high, at set-up or in a newcomer,
    does not stand in for knowing what the roles are.

    A vacant position is filled with probability ``fill_rate * (pay_parity + clarity) / 2``
    (fair pay and a clear role attract candidates) where will is above the threshold or
    the organisation has no peer worker (a pilot); elsewhere it waits. New peers join a
    team without peers first, then the
    team whose leader is most committed. Once ``le_leader_min_peers`` peers are employed
    and will exceeds ``le_leader_will``, an LE leader position is created (and filled)
    with monthly probability ``position_rate``.

    Args:
        model: The sector model.
    """
    staff, orgs, p = model.staff, model.orgs, model.params
    month, n_orgs = model.month, model.n_orgs
    every_org = np.arange(n_orgs)
    will = resourcing_will(model)
    orgs.will[:] = will
    envelope, _ = environment_at(p, month)

    headcount = org_headcount(model)
    peers = org_count(model, staff.slots_of(Kind.PEER_WORKER))
    clarity = effective_role_clarity(model)

    threshold = orgs.levers["hire_threshold"]
    # One reading of who employs peers and how ready the leaders are serves both paths.
    employs = employing_orgs(model)
    readiness = first_post_readiness(model)
    first_post = ~employs & (orgs.positions == 0)
    willing = (will > threshold) & ~(first_post & (readiness == 0.0))
    cap = np.floor(envelope * headcount)
    # Team leaders who work with peers ask for more posts, as much as they back them
    # (the reinforcing loop of pattern 3).
    frontline = model.structure.frontline_units
    with_peers = team_peer_counts(model)[frontline] > 0
    advocacy = np.bincount(
        model.structure.unit_org[frontline],
        weights=with_peers * staff.commitment[model.structure.unit_head[frontline]],
        minlength=n_orgs,
    )
    chance = (
        p.position_rate
        * (will - threshold)
        / np.maximum(1.0 - threshold, 1e-12)
        * (1.0 + p.request_weight * advocacy)
        * (1.0 + clarity)
        / 2.0
    )
    pilot = first_hire_chance(model, employs, readiness)
    draw = model.streams.org_uniform("positions", month, every_org)
    opens = (orgs.positions < np.maximum(cap, 1)) & ((willing & (draw < chance)) | (draw < pilot))
    orgs.positions += opens
    piloting = peers == 0

    vacancies = np.maximum(orgs.positions - peers, 0).astype(np.int64)
    vacancy_org = np.repeat(every_org, vacancies)
    if vacancy_org.size:
        first = np.cumsum(vacancies) - vacancies
        nth = np.arange(vacancy_org.size) - np.repeat(first, vacancies)
        attraction = p.fill_rate * (orgs.levers["pay_parity"] + clarity) / 2.0
        filled = (
            model.streams.org_uniform("fill", month, vacancy_org, nth) < attraction[vacancy_org]
        )
        filled &= (willing | piloting)[vacancy_org]
        hiring_orgs = vacancy_org[filled]
        if hiring_orgs.size:
            model.hire(hiring_orgs, most_committed_team(model, hiring_orgs), Kind.PEER_WORKER)

    peers = org_count(model, staff.slots_of(Kind.PEER_WORKER))
    wants_leader = (orgs.le_leader < 0) & (peers >= p.le_leader_min_peers)
    wants_leader &= will > p.le_leader_will
    wants_leader &= model.streams.org_uniform("le_leader", month, every_org) < p.position_rate
    leader_orgs = np.flatnonzero(wants_leader)
    if leader_orgs.size:
        model.hire(leader_orgs, model.structure.exec_unit[leader_orgs], Kind.PEER_LEADER)


def team_peer_counts(model: SectorModel) -> np.ndarray:
    """Peer workers (not LE leaders) in each unit; the last entry counts the unplaced.

    Args:
        model: The sector model.

    Returns:
        One count per unit index, plus one.
    """
    staff = model.staff
    return staff.per_version(
        "team_peer_counts",
        lambda: np.bincount(
            staff.unit[staff.slots_of(Kind.PEER_WORKER)], minlength=model.structure.n_units + 1
        ),
    )


def most_committed_team(model: SectorModel, orgs: np.ndarray) -> np.ndarray:
    """For each given organisation, the team for its next peers: the most committed leader's.

    Teams that have no peer worker yet come first, so that peer work spreads to new teams
    (and new team leaders) before it deepens in one; among them, and among the rest if
    every team has peers, the team whose leader is most committed.

    Args:
        model: The sector model.
        orgs: Organisation indices (repeats allowed).

    Returns:
        A unit index per entry of ``orgs`` (ties go to the lower index).
    """
    structure = model.structure
    chosen = np.unique(orgs)
    # Teams are numbered consecutively within each organisation.
    counts = structure.team_count[chosen]
    first_team = np.repeat(structure.team_start[chosen], counts)
    teams = first_team + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    score = model.staff.commitment[structure.unit_head[teams]]
    has_peers = team_peer_counts(model)[teams] > 0
    order = np.lexsort((teams, -score, has_peers, np.repeat(chosen, counts)))
    best_first = np.cumsum(counts) - counts  # each organisation's best team after sorting
    best = np.empty(model.n_orgs, dtype=np.int64)
    best[chosen] = teams[order[best_first]]
    return best[orgs]


# --------------------------------------------------------------------------------------
# 9-10. Exits
# --------------------------------------------------------------------------------------


def peer_exit_hazard(model: SectorModel, peers: np.ndarray) -> np.ndarray:
    """Monthly leaving hazard of the given peer workers and LE leaders.

    ``peer_attrition * exp(exit_stigma * S_circle + exit_token * token + exit_pay *
    (1 - pay_parity) + exit_role * (1 - role_clarity) - exit_support * support)``, with
    ``role_clarity`` the organisation's :func:`effective_role_clarity`, ``token`` = a
    peer worker whose team's peer share is below ``token_share``, and
    ``support`` = half for a peer worker whose organisation has an LE leader, plus half
    the commitment of the line manager (an LE leader's line manager is the CEO).

    Args:
        model: The sector model.
        peers: Slots of peer workers and leaders.

    Returns:
        One hazard per peer.
    """
    staff, orgs, p = model.staff, model.orgs, model.params
    org = staff.org[peers]
    local_stigma = circle_mean(model, staff.stigma[: staff.size], peers)
    token = (staff.kind[peers] == Kind.PEER_WORKER) & (
        team_peer_share(model, peers) < p.token_share
    )
    has_leader = (orgs.le_leader[org] >= 0) & (staff.kind[peers] == Kind.PEER_WORKER)
    boss = staff.superior[peers]
    boss_commitment = np.where(boss >= 0, staff.commitment[np.maximum(boss, 0)], 0.0)
    support = 0.5 * has_leader + 0.5 * boss_commitment
    log_hazard = (
        p.exit_stigma * local_stigma
        + p.exit_token * token
        + p.exit_pay * (1.0 - orgs.levers["pay_parity"][org])
        + p.exit_role * (1.0 - effective_role_clarity(model)[org])
        - p.exit_support * support
    )
    return p.peer_attrition * np.exp(log_hazard)


def peer_retention(model: SectorModel) -> None:
    """9. Each peer worker and LE leader leaves with a monthly hazard (:func:`peer_exit_hazard`).

    Their position stays funded and vacant, to be refilled by the hiring process.

    Args:
        model: The sector model.
    """
    staff = model.staff
    peers = staff.slots_of(*PEER_KINDS)
    if peers.size == 0:
        return
    chance = 1.0 - np.exp(-peer_exit_hazard(model, peers))
    draws = model.streams.staff_uniform("peer_exits", model.month, staff, peers)
    leaving = peers[draws < chance]
    if leaving.size:
        model.staff_leaves(leaving)


def staff_turnover(model: SectorModel) -> None:
    """10. Managers and clinicians leave at ``staff_turnover`` and are replaced at once.

    Each person's leaving month is drawn when they join (and redrawn if the rate
    changes) from the geometric distribution of a monthly leaving chance
    ``staff_turnover``: the same process as a monthly coin flip, without drawing for
    everyone every month. The newcomer takes the same position with the attitudes of
    the organisation's own labour pool (its exposure class at set-up), so turnover
    neither teaches an organisation nor carries in what other organisations know, and
    what its people have learnt erodes as they leave.

    Args:
        model: The sector model.
    """
    staff = model.staff
    leaving = np.flatnonzero(staff.leave_month[: staff.size] <= model.month)
    if leaving.size:
        model.staff_leaves(leaving)
    model.turnover_month = model.month


def leave_months(model: SectorModel, slots: np.ndarray, from_month: int) -> np.ndarray:
    """Draw the month in which each given manager or clinician will leave.

    Args:
        model: The sector model.
        slots: Slots of non-peer staff.
        from_month: The month the waiting time starts: the month of hiring, or the
            last month whose turnover has run when the rate changes.

    Returns:
        Months after ``from_month`` (``NEVER`` if the turnover rate is 0).
    """
    rate = model.params.staff_turnover
    if rate <= 0.0:
        return np.full(slots.size, NEVER, dtype=np.int64)
    # Addressed by the month the wait starts (+1, since a redraw may start at month -1).
    draws = model.streams.staff_uniform("turnover", from_month + 1, model.staff, slots)
    if rate >= 1.0:
        return np.full(slots.size, from_month + 1, dtype=np.int64)
    wait = 1 + np.floor(np.log1p(-draws) / np.log1p(-rate))
    return np.minimum(from_month + wait, NEVER).astype(np.int64)


# --------------------------------------------------------------------------------------
# 11. Inter-organisational contact
# --------------------------------------------------------------------------------------


def visible_peer_work(model: SectorModel) -> np.ndarray:
    """How much peer work each organisation shows: its size and how it is received.

    ``min(1, peer share / visible_peer_share) * (1 - S_org)``, with ``S_org`` the mean
    stigma of its non-peer staff: where colleagues discriminate, peers are kept to narrow
    tasks and their results are seen less.

    Args:
        model: The sector model.

    Returns:
        One value in [0, 1] per organisation.
    """
    peers = model.staff.slots_of(*PEER_KINDS)
    share = org_count(model, peers) / np.maximum(org_headcount(model), 1.0)
    org_stigma = non_peer_stigma_sum(model)
    org_stigma /= np.maximum(model.non_peer_headcount, 1)
    p = model.params
    return np.minimum(share / p.visible_peer_share, 1.0) * (1.0 - org_stigma)


def host_visibility(model: SectorModel) -> np.ndarray:
    """How visibly peer work succeeds in each organisation, as a visitor would see it.

    :func:`visible_peer_work` x the mean commitment of its managers (a visitor meets them).

    Args:
        model: The sector model.

    Returns:
        One value in [0, 1] per organisation.
    """
    staff = model.staff
    managers = model.manager_slots
    manager_commitment = org_mean(model, managers, staff.commitment)
    return visible_peer_work(model) * manager_commitment


def inter_org_contact(model: SectorModel) -> None:
    """11. Managers visit neighbouring organisations; a manager network reaches the rest.

    A manager visits with probability ``visit_rate`` a neighbour drawn uniformly in the
    sector network, gaining ``visit_gain * visibility(host) * (1 - E)`` exposure. With
    ``manager_network`` on, managers of organisations that employ no peers gain
    ``network_exposure * (1 - E)`` a month (through their understanding, it raises
    :func:`first_hire_chance`).

    Args:
        model: The sector model.
    """
    staff, structure, orgs, p = model.staff, model.structure, model.orgs, model.params
    managers = model.manager_slots
    org = staff.org[managers]
    degree = np.diff(structure.neighbour_ptr)
    rate = orgs.levers["visit_rate"][org] * (degree[org] > 0)
    draws = model.streams.staff_uniform("visits", model.month, staff, managers)
    visitors = managers[draws < rate]
    if visitors.size:
        home = staff.org[visitors]
        pick = model.streams.staff_uniform("visit_host", model.month, staff, visitors)
        offset = np.minimum((pick * degree[home]).astype(np.int64), degree[home] - 1)
        hosts = structure.neighbours[structure.neighbour_ptr[home] + offset]
        exposure = staff.exposure[visitors]
        staff.exposure[visitors] = exposure + p.visit_gain * host_visibility(model)[hosts] * (
            1.0 - exposure
        )
        model.visits_this_month += visitors.size

    network = orgs.levers["manager_network"].astype(bool)
    peer_orgs = org_count(model, staff.slots_of(*PEER_KINDS))
    reached = managers[(network & (peer_orgs == 0))[org]]
    if reached.size:
        staff.exposure[reached] += p.network_exposure * (1.0 - staff.exposure[reached])


# --------------------------------------------------------------------------------------
# 12. Data collection
# --------------------------------------------------------------------------------------


def collect_data(model: SectorModel) -> None:
    """12. Record the sector's time series and the organisation table for this month.

    Args:
        model: The sector model.
    """
    model.record()


#: The monthly processes in the order ``SectorModel.step`` runs them.
MONTHLY_PROCESSES: tuple[Callable[[SectorModel], None], ...] = (
    apply_scenario_events,
    contact_and_exposure,
    understanding_growth,
    commitment_dynamics,
    stigma_dynamics,
    disclosure,
    champion_emergence,
    resourcing_and_hiring,
    peer_retention,
    staff_turnover,
    inter_org_contact,
    collect_data,
)
