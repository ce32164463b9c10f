"""Building the sector: organisations, their hierarchy, and who fills each position.

Set-up (docs/ODD.md sections 2 and 5) happens once per run: organisation sizes from a
lognormal distribution, exposure classes in the shares of ``exposure_mix``, the
hierarchy of each organisation, the sector network, and the people. Newcomers later in
the run (peer hires, replacements) are drawn by the same :func:`draw_people`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from scipy import special

from simulation.core.parameters import Parameters
from simulation.core.state import Kind, SectorStructure, UnitType

if TYPE_CHECKING:
    from simulation.core.streams import RandomStreams

# Fixed values of the model's design, not parameters: a Morris screen of every parameter
# (docs/ODD.md section 10.3) found that none of them moved any output, so they were taken
# off the public surface.
#: Staff per member of an organisation's executive team (at least two executives).
STAFF_PER_EXECUTIVE = 60.0
#: Rewiring probability of the small-world sector network (mostly local ties).
SECTOR_REWIRING = 0.1
#: Mean stigma of a new peer worker (low: peers are employed for their lived experience).
PEER_STIGMA = 0.08


#: Number of intervals of the grid on which Beta quantiles are tabulated.
QUANTILE_STEPS = 4096
QUANTILE_GRID = np.linspace(0.0, 1.0, QUANTILE_STEPS + 1)


@functools.lru_cache(maxsize=512)
def _beta_quantile_table(a: float, b: float) -> np.ndarray:
    return special.betaincinv(a, b, QUANTILE_GRID)


def interpolate_quantiles(tables: np.ndarray, rows: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Read tabulated quantile functions at the given probabilities (linear interpolation).

    Args:
        tables: Quantile tables, one row per distribution, on :data:`QUANTILE_GRID`.
        rows: Which table each value uses.
        uniforms: Probabilities in [0, 1).

    Returns:
        One value per probability.
    """
    position = uniforms * QUANTILE_STEPS
    lower = np.minimum(position.astype(np.int64), QUANTILE_STEPS - 1)
    weight = position - lower
    return tables[rows, lower] * (1.0 - weight) + tables[rows, lower + 1] * weight


def beta_table(mean: float, concentration: float) -> np.ndarray:
    """The tabulated quantile function of Beta(mean * k, (1 - mean) * k).

    People's attitudes are drawn by inverting the CDF at their own uniform number (so a
    draw depends only on the person's random address). The exact quantile function
    (``scipy.special.betaincinv``) is tabulated once per distribution on the 4,097
    probabilities of :data:`QUANTILE_GRID` and read by :func:`interpolate_quantiles`;
    since linear interpolation is monotone between exact quantiles, the drawn
    distribution is within 1/4096 of the Beta in Kolmogorov distance, at a small fraction
    of the cost of inverting exactly per draw.

    Args:
        mean: Mean in (0, 1) (clipped to [0.001, 0.999]).
        concentration: ``k = a + b``.

    Returns:
        Quantiles at :data:`QUANTILE_GRID` (cached).
    """
    mean = min(max(float(mean), 1e-3), 1 - 1e-3)
    return _beta_quantile_table(mean * concentration, (1.0 - mean) * concentration)


def org_sizes_and_classes(
    params: Parameters, streams: RandomStreams
) -> tuple[np.ndarray, np.ndarray]:
    """Draw organisation sizes (lognormal, heavy-tailed) and initial exposure classes.

    Class counts follow ``exposure_mix`` exactly (largest remainders), assigned to
    organisations in random order, so a 24-organisation sector has the intended mix.

    Args:
        params: Model parameters.
        streams: The run's random streams.

    Returns:
        ``(sizes, classes)``, one entry per organisation.
    """
    rng = streams.generator("sector")
    n = params.n_orgs
    sigma = params.org_size_sigma
    mu = math.log(params.mean_org_size) - sigma**2 / 2
    sizes = np.maximum(np.rint(rng.lognormal(mu, sigma, size=n)), params.min_org_size)
    quotas = np.asarray(params.exposure_mix) * n
    counts = np.floor(quotas).astype(int)
    for index in np.argsort(-(quotas - counts), kind="stable")[: n - counts.sum()]:
        counts[index] += 1
    classes = rng.permutation(np.repeat(np.arange(3), counts)).astype(np.int8)
    return sizes.astype(np.int64), classes


def sector_network(params: Parameters, streams: RandomStreams) -> nx.Graph:
    """The small-world network of which organisations know and can visit each other.

    Args:
        params: Model parameters (``sector_degree``).
        streams: The run's random streams.

    Returns:
        A graph over organisation indices.
    """
    n, degree = params.n_orgs, params.sector_degree
    if degree == 0 or n == 1:
        graph = nx.empty_graph(n)
    elif degree >= n - 1:
        graph = nx.complete_graph(n)
    else:
        seed = int(streams.generator("sector_network").integers(2**31))
        graph = nx.connected_watts_strogatz_graph(n, degree, SECTOR_REWIRING, seed=seed)
    return graph


@dataclass
class Roster:
    """The initial positions of the whole sector, in slot order.

    Attributes:
        org: Organisation of each position.
        kind: :class:`Kind` of each position.
        unit: Unit of each position.
        superior: Slot of the line manager, -1 for executives.
        serial: Hiring serial of the position's first holder within the organisation.
    """

    org: np.ndarray
    kind: np.ndarray
    unit: np.ndarray
    superior: np.ndarray
    serial: np.ndarray


@dataclass
class OrgPlan:
    """How many of each position one organisation starts with.

    The generated sector fills it in from the parameters (:func:`plan_organisations`); a
    sector file (:mod:`simulation.core.sector_file`) may set staff, teams, peers and the
    LE leader itself.

    Attributes:
        size: Staff (headcount, peers and the LE leader included).
        n_exec: Executives (the CEO first).
        n_teams: Frontline teams, each led by a team leader.
        n_senior: Senior managers, one per ``teams_per_senior`` teams.
        n_peers: Peer workers.
        le_leader: Whether an LE leader sits on the executive team.
    """

    size: int
    n_exec: int
    n_teams: int
    n_senior: int
    n_peers: int
    le_leader: bool

    @property
    def n_clinicians(self) -> int:
        """Everyone else: clinicians fill the teams."""
        managers = self.n_exec + self.n_senior + self.n_teams
        return self.size - managers - self.n_peers - int(self.le_leader)


def hierarchy_of(size: int, params: Parameters, n_teams: int | None = None) -> dict[str, int]:
    """The management positions of an organisation of ``size`` staff.

    Args:
        size: Staff.
        params: Model parameters (``team_size``, ``teams_per_senior``).
        n_teams: Frontline teams, if known; by default about one per ``team_size`` staff.

    Returns:
        ``n_exec``, ``n_teams`` and ``n_senior``.
    """
    n_exec = max(2, round(size / STAFF_PER_EXECUTIVE))
    if n_teams is None:
        per_team = params.team_size + 1.0 / params.teams_per_senior
        n_teams = max(1, round((size - n_exec) / per_team))
    n_senior = math.ceil(n_teams / params.teams_per_senior)
    return {"n_exec": n_exec, "n_teams": n_teams, "n_senior": n_senior}


def plan_organisations(
    params: Parameters, sizes: np.ndarray, classes: np.ndarray, streams: RandomStreams
) -> list[OrgPlan]:
    """The generated sector's positions per organisation (docs/ODD.md section 5).

    Peer workers start in classes ``some`` and ``significant`` (a share
    ``initial_peer_share`` of staff, at least one per class step, at most half of the
    members); a ``significant`` organisation with at least ``le_leader_min_peers`` peers
    has an LE leader with chance ``initial_le_leader``.

    Args:
        params: Model parameters.
        sizes: Staff per organisation.
        classes: Exposure class per organisation.
        streams: The run's random streams.

    Returns:
        One plan per organisation.
    """
    leader_draw = streams.org_uniform("initial_le_leader", 0, np.arange(params.n_orgs))
    plans = []
    for org, (size, exposure) in enumerate(zip(sizes.tolist(), classes.tolist(), strict=True)):
        hierarchy = hierarchy_of(size, params)
        members = size - sum(hierarchy.values())
        n_peers = 0
        if exposure > 0:
            share = params.initial_peer_share[exposure - 1]
            n_peers = min(max(exposure, round(share * size)), members // 2)
        leader = (
            exposure == 2
            and n_peers >= params.le_leader_min_peers
            and leader_draw[org] < params.initial_le_leader
        )
        plans.append(OrgPlan(size=size, n_peers=n_peers, le_leader=bool(leader), **hierarchy))
    return plans


def build_organisations(
    params: Parameters, plans: list[OrgPlan], classes: np.ndarray, streams: RandomStreams
) -> tuple[SectorStructure, Roster]:
    """Lay out each organisation's hierarchy and its initial positions.

    Per organisation, in slot order: the executive team (CEO first), the senior managers,
    the team leaders, the LE leader (on the executive team), the clinicians (spread evenly
    over the teams) and the peer workers (each in a team drawn from their own random
    address). Units are the executive team, the senior group and the frontline teams.

    Args:
        params: Model parameters (``teams_per_senior``).
        plans: Positions per organisation (:func:`plan_organisations` or a sector file).
        classes: Exposure class per organisation.
        streams: The run's random streams.

    Returns:
        The fixed structure and the roster of initial positions.
    """
    n_orgs = len(plans)
    units = {"org": [], "type": [], "head": [], "senior": []}
    exec_unit = np.zeros(n_orgs, dtype=np.int64)
    team_start = np.zeros(n_orgs, dtype=np.int64)
    team_count = np.zeros(n_orgs, dtype=np.int64)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in Roster.__dataclass_fields__}
    slot = 0
    for org, plan in enumerate(plans):
        # Units: the executive team and the senior group come first, then the teams.
        first_unit = len(units["org"])
        exec_unit[org] = first_unit
        team_start[org] = first_unit + 2
        team_count[org] = plan.n_teams
        execs = slot + np.arange(plan.n_exec)
        seniors = execs[-1] + 1 + np.arange(plan.n_senior)
        leaders = seniors[-1] + 1 + np.arange(plan.n_teams)
        teams = team_start[org] + np.arange(plan.n_teams)
        overseer = seniors[np.arange(plan.n_teams) // params.teams_per_senior]
        units["org"] += [org] * (2 + plan.n_teams)
        units["type"] += [UnitType.EXECUTIVE_TEAM, UnitType.SENIOR_GROUP]
        units["type"] += [UnitType.FRONTLINE_TEAM] * plan.n_teams
        units["head"] += [execs[0], -1, *leaders.tolist()]
        units["senior"] += [-1, -1, *overseer.tolist()]

        # Where frontline staff work: clinicians in turn, peers by their own draw (so a
        # peer's team depends only on their random address, not on who else is hired).
        n_leader, n_clinicians, n_peers = int(plan.le_leader), plan.n_clinicians, plan.n_peers
        clinician_team = teams[np.arange(n_clinicians) % plan.n_teams]
        serials = np.arange(plan.size)
        peer_keys = streams.person_keys(np.full(n_peers, org), serials[plan.size - n_peers :])
        peer_pick = streams.uniform("initial_team", 0, peer_keys)
        peer_team = teams[np.minimum((peer_pick * plan.n_teams).astype(int), plan.n_teams - 1)]
        head_of_team = dict(zip(teams.tolist(), leaders.tolist(), strict=True))

        # Positions in slot order, each with its unit and line manager.
        columns["kind"].append(
            np.concatenate(
                [
                    np.full(plan.n_exec, Kind.EXECUTIVE),
                    np.full(plan.n_senior, Kind.SENIOR),
                    np.full(plan.n_teams, Kind.TEAM_LEADER),
                    np.full(n_leader, Kind.PEER_LEADER),
                    np.full(n_clinicians, Kind.CLINICIAN),
                    np.full(n_peers, Kind.PEER_WORKER),
                ]
            )
        )
        columns["unit"].append(
            np.concatenate(
                [
                    np.full(plan.n_exec, first_unit),
                    np.full(plan.n_senior, first_unit + 1),
                    teams,
                    np.full(n_leader, first_unit),
                    clinician_team,
                    peer_team,
                ]
            )
        )
        columns["superior"].append(
            np.concatenate(
                [
                    np.full(plan.n_exec, -1),
                    execs[np.arange(plan.n_senior) % plan.n_exec],
                    overseer,
                    np.full(n_leader, execs[0]),
                    [head_of_team[t] for t in clinician_team.tolist()],
                    [head_of_team[t] for t in peer_team.tolist()],
                ]
            )
        )
        columns["org"].append(np.full(plan.size, org))
        columns["serial"].append(serials)
        slot += plan.size

    structure = SectorStructure(
        n_orgs=n_orgs,
        exposure_class=classes.astype(np.int8),
        unit_org=np.asarray(units["org"], dtype=np.int64),
        unit_type=np.asarray(units["type"], dtype=np.int8),
        unit_head=np.asarray(units["head"], dtype=np.int64),
        unit_senior=np.asarray(units["senior"], dtype=np.int64),
        exec_unit=exec_unit,
        team_start=team_start,
        team_count=team_count,
    )
    roster = Roster(
        org=np.concatenate(columns["org"]),
        kind=np.concatenate(columns["kind"]).astype(np.int8),
        unit=np.concatenate(columns["unit"]),
        superior=np.concatenate(columns["superior"]).astype(np.int64),
        serial=np.concatenate(columns["serial"]),
    )
    return structure, roster


def attitude_means(params: Parameters) -> dict[str, np.ndarray]:
    """Mean attitudes of non-peer staff by exposure class (none, some, significant).

    They hold for everyone who joins an organisation of that class, at set-up and later:
    a newcomer who replaces a leaver comes from the organisation's own labour pool
    (docs/ODD.md section 5.6).

    Args:
        params: Model parameters.

    Returns:
        For each of exposure, understanding, commitment and stigma, three means.
    """
    return {
        name: np.asarray(getattr(params, f"initial_{name}"), dtype=float)
        for name in ("exposure", "understanding", "commitment", "stigma")
    }


#: Row of the peers' distributions in :func:`attitude_tables` (after the three classes).
PEER_ROW = 3
ATTITUDES = ("exposure", "understanding", "commitment", "stigma")


@functools.lru_cache(maxsize=64)
def attitude_tables(params: Parameters) -> np.ndarray:
    """Quantile tables of every attitude distribution a new person may be drawn from.

    Args:
        params: Model parameters (frozen, so the tables are cached per parameter set).

    Returns:
        Array ``[attitude, row, grid]``: attitudes in :data:`ATTITUDES` order; rows are
        the classes none, some, significant, and peers (:data:`PEER_ROW`); the last
        attitude holds the safety thresholds' table.
    """
    means = attitude_means(params)
    threshold_mean, threshold_concentration = params.disclosure_threshold
    tables = np.empty((len(ATTITUDES) + 1, PEER_ROW + 1, QUANTILE_GRID.size))
    for index, name in enumerate(ATTITUDES):
        peer_mean = PEER_STIGMA if name == "stigma" else params.peer_attitude
        for row, mean in enumerate([*means[name], peer_mean]):
            tables[index, row] = beta_table(mean, params.attitude_concentration)
    tables[len(ATTITUDES), :] = beta_table(threshold_mean, threshold_concentration)
    return tables


def draw_people(
    params: Parameters,
    streams: RandomStreams,
    keys: np.ndarray,
    kinds: np.ndarray,
    attitude_class: np.ndarray,
    orgs: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Draw the personal state of new people from their random keys.

    Non-peer staff draw attitudes from Beta distributions with the class means of
    :func:`attitude_means`; peers draw high exposure, understanding and commitment
    (``peer_attitude``) and low stigma. A share ``hidden_le_share`` of non-peer staff
    has lived experience; peers always do, and have disclosed it.

    Args:
        params: Model parameters.
        streams: The run's random streams.
        keys: Person keys.
        kinds: Position of each person.
        attitude_class: The exposure class (0-2) of each person's organisation.
        orgs: Each person's organisation (see :meth:`RandomStreams.uniforms`).

    Returns:
        Arrays ``exposure``, ``understanding``, ``commitment``, ``stigma``,
        ``lived_experience``, ``safety_threshold`` (one entry per person).
    """
    is_peer = kinds >= Kind.PEER_WORKER
    draws = streams.uniforms(
        (
            *(f"person_{name}" for name in ATTITUDES),
            "person_lived_experience",
            "person_safety_threshold",
        ),
        0,
        keys,
        orgs,
    )
    # One interpolation for all four attitudes and the threshold, each person reading
    # the table of their class (or the peers' row).
    tables = attitude_tables(params).reshape(-1, QUANTILE_GRID.size)
    row = np.where(is_peer, PEER_ROW, attitude_class)
    attitude_index = np.array([0, 1, 2, 3, len(ATTITUDES)])[:, np.newaxis]
    rows = attitude_index * (PEER_ROW + 1) + row[np.newaxis, :]
    values = interpolate_quantiles(tables, rows, draws[[0, 1, 2, 3, 5]])
    people = dict(zip(ATTITUDES, values[:4], strict=True))
    people["lived_experience"] = (draws[4] < params.hidden_le_share) | is_peer
    people["safety_threshold"] = values[4]
    return people
