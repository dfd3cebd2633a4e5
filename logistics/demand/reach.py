"""Which road nodes a truck can reach from the plant and come back from, on the loaded map.

Sited points, households walking to a neighbouring area's point and the ``no-road-on-map``
reason of an area all need the roads a truck can actually use: the map as the scenario
allows it (assumed connectors and return carriageways switched on or off, the plant's gate
links), in both directions from the plant. Blockades are not applied here: they change
during a shift and have their own reason (``unreachable-blockade``).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from logistics.model import Scenario
from logistics.roads import RoadNetwork, with_plant_access


def usable_nodes(net: RoadNetwork, scenario: Scenario) -> np.ndarray:
    """Nodes touched by an edge the scenario allows (the nodes points may snap to)."""
    mask = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    out = np.zeros(net.n_nodes, dtype=bool)
    out[net.edge_u[mask]] = True
    out[net.edge_v[mask]] = True
    return out


def round_trip_nodes(net: RoadNetwork, scenario: Scenario) -> np.ndarray:
    """Boolean node mask: reachable from the plant and able to drive back to it.

    Parameters
    ----------
    net
        The road network (the plant's gate links are added if it lacks them).
    scenario
        Gives the plant and which assumed links are allowed.
    """
    plant = scenario.plant
    net = with_plant_access(net, plant.lon, plant.lat, plant.access_m)
    mask = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    start, _ = net.snap(plant.lon, plant.lat, usable_nodes(net, scenario))
    n = net.n_nodes
    u, v = net.edge_u[mask], net.edge_v[mask]
    ones = np.ones(u.size, dtype=np.int8)
    fwd = csr_matrix((ones, (u, v)), shape=(n, n))
    back = csr_matrix((ones, (v, u)), shape=(n, n))
    out_nodes = breadth_first_order(fwd, start, directed=True, return_predecessors=False)
    in_nodes = breadth_first_order(back, start, directed=True, return_predecessors=False)
    reach = np.zeros(n, dtype=bool)
    reach[np.intersect1d(out_nodes, in_nodes)] = True
    return reach
