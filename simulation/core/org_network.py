"""One organisation's staff as a Mesa network space, for inspection and the app.

The processes do not use it: who meets whom follows the working circles
(:mod:`simulation.core.circles`); this is a view of the same structure, built on demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import networkx as nx

if TYPE_CHECKING:
    from simulation.core.model import SectorModel


def org_network(model: SectorModel, org: int, layout: Any = None) -> mesa.discrete_space.Network:
    """The staff of one organisation as a Mesa network space.

    Nodes are agents' ``unique_id``; each cell holds its agent. Edges join members of the
    same unit (``relation="team"``) and each person to their line manager
    (``relation="line"``).

    Args:
        model: The sector model.
        org: Organisation index.
        layout: Node positions or a networkx layout function (None: topological).

    Returns:
        A ``mesa.discrete_space.Network``.
    """
    staff = model.staff
    agents = model.agents_of_org(org)
    graph = nx.Graph()
    by_unit: dict[int, list[int]] = {}
    for agent in agents:
        graph.add_node(agent.unique_id, kind=agent.kind.name.lower())
        by_unit.setdefault(agent.team, []).append(agent.unique_id)
    for members in by_unit.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                graph.add_edge(first, second, relation="team")
    for agent in agents:
        boss = int(staff.superior[agent.slot])
        if boss >= 0 and staff.active[boss]:
            graph.add_edge(agent.unique_id, staff.handles[boss].unique_id, relation="line")
    network = mesa.discrete_space.Network(graph, random=model.random, layout=layout)
    for agent in agents:
        network[agent.unique_id].add_agent(agent)
    return network
