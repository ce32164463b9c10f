import mesa
from conftest import tiny_sector

from simulation.app.network import org_network


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
