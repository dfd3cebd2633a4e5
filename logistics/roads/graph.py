"""The road network: loading, assumed links, blockades and shortest paths.

The network is kept **unsimplified** (one edge per OSM way segment) so that the named OSM
stop nodes are graph nodes, blockade circles cut exactly the segments they touch, and a
route drawn from its node sequence follows the real road geometry.

Two kinds of *assumed* edges make the partial 2019 public-transport extract usable; both
are tagged ``assumed=True`` and listed by ``senkata maps info``:

``connector``
    The extract falls into several pieces (only bus corridors were exported). The pieces are
    joined by the fewest, shortest straight links: a minimum spanning tree over the pieces,
    each link between the two closest nodes of its pair of pieces, usable both ways at a
    slow assumed speed (:data:`CONNECTOR_SPEED_KMH`).
``return``
    Many one-way ways lack their return carriageway in the extract, which strands parts of
    the graph (the plant could reach a street but never come back). Only where a one-way
    edge leaves no way back (its ends lie in different strongly connected components) we
    add its reverse, with a time penalty (:data:`RETURN_TIME_FACTOR`). These stand for the
    missing opposite carriageway; they are not OSM roads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from logistics.i18n import N_
from logistics.roads.tables import RouteTables, _PairIndex, _tree_sums

#: Projected CRS for distances (UTM zone 19S covers La Paz / El Alto).
METRIC_CRS = "EPSG:32719"

#: Loaded LPG truck speeds by OSM highway class (km/h), used when a way has no usable
#: ``maxspeed`` tag, and as a cap when it has one (a laden truck in city traffic rarely
#: reaches the posted limit). These are documented defaults, not measurements.
TRUCK_SPEED_KMH: dict[str, float] = {
    "motorway": 60.0,
    "trunk": 50.0,
    "primary": 40.0,
    "secondary": 35.0,
    "tertiary": 30.0,
    "unclassified": 25.0,
    "residential": 20.0,
    "living_street": 10.0,
    "service": 15.0,
    "track": 10.0,
    "road": 20.0,
}
#: Links (``primary_link`` ...) run at this speed.
LINK_SPEED_KMH = 30.0
#: Assumed connectors are unknown ground: walking pace for a lorry.
CONNECTOR_SPEED_KMH = 10.0
#: Assumed return carriageways take this many times the forward travel time.
RETURN_TIME_FACTOR = 1.5

#: OSM highway values that are not drivable roads (``construction`` included: in 2019 these
#: ways were still being built; in 2003/2005 they certainly did not carry traffic).
NON_DRIVABLE = {
    "construction",
    "proposed",
    "bus_stop",
    "platform",
    "footway",
    "pedestrian",
    "steps",
    "path",
    "cycleway",
    "bridleway",
    "corridor",
    "elevator",
}

KIND_ROAD = 0
KIND_CONNECTOR = 1
KIND_RETURN = 2
#: Assumed links between a plant and the roads at its gate (scenario-specific).
KIND_ACCESS = 3
KIND_NAMES = {
    KIND_ROAD: N_("road"),
    KIND_CONNECTOR: N_("connector"),
    KIND_RETURN: N_("return carriageway"),
    KIND_ACCESS: N_("plant access"),
}
#: Plant access links are driven at walking pace (a yard, a gate, a median crossing).
ACCESS_SPEED_KMH = 10.0

TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def _first(value: Any) -> Any:
    """osmnx keeps lists where merged ways disagree; take the first value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _speed_kmh(highway: str, maxspeed: object) -> float:
    base = TRUCK_SPEED_KMH.get(highway)
    if base is None:
        base = LINK_SPEED_KMH if highway.endswith("_link") else TRUCK_SPEED_KMH["road"]
    ms = _first(maxspeed)
    if ms is not None:
        m = re.match(r"\s*(\d+(?:\.\d+)?)", str(ms))
        if m and float(m.group(1)) > 0:
            return min(base, float(m.group(1)))
    return base


@dataclass
class RoadNetwork:
    """A directed road graph held as flat arrays (fast to cache and to search).

    Node arrays are indexed ``0..n_nodes-1``; edge arrays ``0..n_edges-1``. Coordinates are
    WGS84 ``lon``/``lat`` plus projected metres ``x``/``y`` (:data:`METRIC_CRS`).
    """

    source: str
    source_sha256: str
    node_osmid: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_time_s: np.ndarray
    edge_kind: np.ndarray
    edge_way: np.ndarray
    edge_name: list[str]
    edge_highway: list[str]
    raw_components: list[int] = field(default_factory=list)
    #: ``(lon, lat, radius_m)`` of the plant whose access links this network carries
    plant_access: tuple[float, float, float] | None = None

    # ------------------------------------------------------------------ basics
    @property
    def n_nodes(self) -> int:
        return int(self.node_osmid.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def assumed(self) -> np.ndarray:
        """Boolean mask of assumed edges (connectors and return carriageways)."""
        return self.edge_kind != KIND_ROAD

    def node_index(self, osmid: int) -> int:
        """Index of the node with OSM id ``osmid`` (``KeyError`` if absent)."""
        idx = self._osmid_index.get(int(osmid))
        if idx is None:
            raise KeyError(osmid)
        return idx

    @property
    def _osmid_index(self) -> dict[int, int]:
        cached = self.__dict__.get("_osmid_index_cache")
        if cached is None:
            cached = {int(o): i for i, o in enumerate(self.node_osmid)}
            self.__dict__["_osmid_index_cache"] = cached
        return cached

    @property
    def _kdtree(self) -> cKDTree:
        tree = self.__dict__.get("_kdtree_cache")
        if tree is None:
            tree = cKDTree(np.column_stack([self.x, self.y]))
            self.__dict__["_kdtree_cache"] = tree
        return tree

    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of all nodes, in degrees."""
        return (
            float(self.lon.min()),
            float(self.lat.min()),
            float(self.lon.max()),
            float(self.lat.max()),
        )

    def snap(self, lon: float, lat: float, usable: np.ndarray | None = None) -> tuple[int, float]:
        """Nearest node to a WGS84 point.

        Parameters
        ----------
        lon, lat
            The point.
        usable
            Optional boolean node mask; only these nodes are candidates.

        Returns
        -------
        (node index, distance in metres)
        """
        px, py = TO_METRIC.transform(lon, lat)
        if usable is None:
            d, i = self._kdtree.query([px, py])
            return int(i), float(d)
        cand = np.flatnonzero(usable)
        d2 = (self.x[cand] - px) ** 2 + (self.y[cand] - py) ** 2
        k = int(np.argmin(d2))
        return int(cand[k]), float(np.sqrt(d2[k]))

    def edge_coords(self, e: int) -> np.ndarray:
        """``(2, 2)`` lon/lat coordinates of edge ``e`` from ``u`` to ``v`` (edges are straight)."""
        u, v = int(self.edge_u[e]), int(self.edge_v[e])
        return np.array([[self.lon[u], self.lat[u]], [self.lon[v], self.lat[v]]])

    def path_coords(self, osmids: Sequence[int]) -> list[list[float]]:
        """``[lon, lat]`` pairs along a node path (every edge is a straight segment)."""
        idx = [self.node_index(o) for o in osmids]
        return [[float(self.lon[i]), float(self.lat[i])] for i in idx]

    def kind_mask(self, *, connectors: bool = True, returns: bool = True) -> np.ndarray:
        """Edges usable when assumed connectors / return carriageways are switched on or off."""
        mask = (self.edge_kind == KIND_ROAD) | (self.edge_kind == KIND_ACCESS)
        if connectors:
            mask |= self.edge_kind == KIND_CONNECTOR
        if returns:
            mask |= self.edge_kind == KIND_RETURN
        return mask

    # ---------------------------------------------------------- shortest paths
    def _csr(self, weight: np.ndarray, mask: np.ndarray) -> tuple[csr_matrix, _PairIndex]:
        """Adjacency (min weight per node pair) and the edge id chosen for each pair."""
        ids = np.flatnonzero(mask)
        # Among parallel edges keep the cheapest; sort so it comes first per (u, v).
        order = np.lexsort((weight[ids], self.edge_v[ids], self.edge_u[ids]))
        ids = ids[order]
        u, v = self.edge_u[ids], self.edge_v[ids]
        first = np.ones(ids.shape[0], dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        ids, u, v = ids[first], u[first], v[first]
        n = self.n_nodes
        # csgraph drops zero weights as "no edge"; keep every edge strictly positive.
        w = np.maximum(weight[ids], 1e-3)
        adj = csr_matrix((w, (u, v)), shape=(n, n))
        # (u, v) are lexsorted, so u * n + v is sorted too: a binary-searchable pair index.
        return adj, _PairIndex(keys=u * n + v, edges=ids, n=n)

    def route_tables(
        self,
        sources: Sequence[int],
        *,
        edge_mask: np.ndarray,
        edge_delay_s: np.ndarray | None = None,
    ) -> RouteTables:
        """Shortest-time trees from each source node (scipy's Dijkstra, all at once).

        Parameters
        ----------
        sources
            Node indices (plant first, then distribution points).
        edge_mask
            Edges that may be used (closed blockades and switched-off assumed links removed).
        edge_delay_s
            Extra seconds when traversing an edge (permit checkpoints).

        Returns
        -------
        RouteTables
            Travel time, drive time and length between every pair of sources, plus the
            predecessor trees to rebuild any leg as a node path.
        """
        delay = np.zeros(self.n_edges) if edge_delay_s is None else edge_delay_s
        weight = self.edge_time_s + delay
        adj, eid = self._csr(weight, edge_mask)
        src = np.asarray(sources, dtype=np.int64)
        # Duplicated sources (two points on one node) are searched once.
        uniq, inverse = np.unique(src, return_inverse=True)
        dist, pred = dijkstra(adj, directed=True, indices=uniq, return_predecessors=True)
        # Sum drive time, delay and length along each tree by pointer doubling.
        values = np.stack([self.edge_time_s, delay, self.edge_length_m])
        sums = _tree_sums(pred, dist, eid, values)
        return RouteTables(
            sources=src,
            time_s=dist[inverse][:, src],
            drive_s=sums[0][inverse][:, src],
            delay_s=sums[1][inverse][:, src],
            length_m=sums[2][inverse][:, src],
            _pred=pred,
            _row=inverse,
            _eid=eid,
        )


# ---------------------------------------------------------------- building
