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

import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx
import numpy as np
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra, minimum_spanning_tree
from scipy.spatial import cKDTree

from logistics import config
from logistics.errors import MapSourceError

#: Bump when the build below changes, so stale caches are rebuilt.
BUILD_VERSION = 4

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
    KIND_ROAD: "road",
    KIND_CONNECTOR: "connector",
    KIND_RETURN: "return",
    KIND_ACCESS: "plant access",
}
#: Plant access links are driven at walking pace (a yard, a gate, a median crossing).
ACCESS_SPEED_KMH = 10.0

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def _first(value: object) -> object:
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
        px, py = _TO_METRIC.transform(lon, lat)
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


@dataclass
class RouteTables:
    """Travel tables between source nodes, with the trees to rebuild each leg."""

    sources: np.ndarray
    #: Shortest total time (drive + checkpoint delays), seconds; ``inf`` if unreachable.
    time_s: np.ndarray
    #: Driving part of ``time_s`` (scales with a truck's speed factor).
    drive_s: np.ndarray
    #: Checkpoint delays part of ``time_s`` (does not scale).
    delay_s: np.ndarray
    length_m: np.ndarray
    _pred: np.ndarray
    _row: np.ndarray
    _eid: _PairIndex

    def path(self, i: int, j: int) -> tuple[list[int], list[int]]:
        """Node and edge indices of the leg from source ``i`` to source ``j``.

        Raises ``ValueError`` when ``j`` is unreachable from ``i``.
        """
        pred = self._pred[self._row[i]]
        target = int(self.sources[j])
        start = int(self.sources[i])
        nodes = [target]
        while nodes[-1] != start:
            p = int(pred[nodes[-1]])
            if p < 0:
                msg = f"no path from source {i} to source {j}"
                raise ValueError(msg)
            nodes.append(p)
        nodes.reverse()
        edges = self._eid.lookup(np.asarray(nodes[:-1]), np.asarray(nodes[1:]))
        return nodes, [int(e) for e in edges]


@dataclass(frozen=True)
class _PairIndex:
    """Edge chosen for each directed node pair, searchable by ``u * n + v``."""

    keys: np.ndarray
    edges: np.ndarray
    n: int

    def lookup(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.edges[np.searchsorted(self.keys, u * self.n + v)]


def _tree_sums(
    pred: np.ndarray, dist: np.ndarray, eid: _PairIndex, values: np.ndarray
) -> np.ndarray:
    """Sum per-edge ``values`` (k, n_edges) along each tree from its root to every node.

    Nodes are visited in order of distance, so a node's parent is always done before it;
    each step handles that rank in every tree at once (vectorised over the sources).
    """
    n_src, n = pred.shape
    acc = np.zeros((values.shape[0], n_src, n))
    order = np.argsort(dist, axis=1, kind="stable")
    rows = np.arange(n_src)
    reached = np.isfinite(dist)
    n_reached = reached.sum(axis=1)
    for rank in range(1, int(n_reached.max(initial=0))):
        live = rank < n_reached
        r = rows[live]
        node = order[r, rank]
        par = pred[r, node]
        edge = eid.lookup(par, node)
        acc[:, r, node] = acc[:, r, par] + values[:, edge]
    return acc


# ---------------------------------------------------------------- building
def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _explode_geometry(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Split curved edges (simplified osmnx graphs) into straight segments.

    Interior shape points become nodes with negative ids (they are OSM geometry, but their
    OSM node ids are not in a simplified file); both directions of a way share them.
    """
    out = nx.MultiDiGraph(**graph.graph)
    out.add_nodes_from(graph.nodes(data=True))
    shape_ids: dict[tuple[float, float], int] = {}
    for u, v, data in graph.edges(data=True):
        geom = data.get("geometry")
        attrs = {k: val for k, val in data.items() if k != "geometry"}
        if geom is None or len(geom.coords) <= 2:
            out.add_edge(u, v, **attrs)
            continue
        pts = [(round(x, 7), round(y, 7)) for x, y in geom.coords]
        xs, ys = _TO_METRIC.transform([p[0] for p in pts], [p[1] for p in pts])
        seg = np.hypot(np.diff(xs), np.diff(ys))
        total = float(seg.sum()) or 1.0
        length = float(data.get("length") or total)
        chain = [u]
        for p in pts[1:-1]:
            nid = shape_ids.setdefault(p, -(len(shape_ids) + 1))
            if nid not in out:
                out.add_node(nid, x=p[0], y=p[1])
            chain.append(nid)
        chain.append(v)
        for a, b, d in zip(chain[:-1], chain[1:], seg, strict=True):
            out.add_edge(a, b, **{**attrs, "length": length * float(d) / total})
    return out


def build_network(graph: nx.MultiDiGraph, *, source: str, source_sha256: str) -> RoadNetwork:
    """Turn an osmnx graph into a :class:`RoadNetwork` with assumed links added.

    Parameters
    ----------
    graph
        Directed osmnx graph. Simplified graphs (edges with a ``geometry``) are split back
        into straight segments first, so every edge is straight and every shape point is a
        node that points, plants and blockades can snap to.
    source, source_sha256
        Where it came from, for reports and cache keys.
    """
    if any("geometry" in d for _, _, d in graph.edges(data=True)):
        graph = _explode_geometry(graph)
    node_ids = list(graph.nodes)
    index = {n: i for i, n in enumerate(node_ids)}
    lon = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
    us, vs, lengths, times, ways, names, highways = [], [], [], [], [], [], []
    for u, v, data in graph.edges(data=True):
        hw = str(_first(data.get("highway")) or "road")
        if hw in NON_DRIVABLE:
            continue
        length = float(data.get("length") or 0.0)
        speed = _speed_kmh(hw, data.get("maxspeed"))
        us.append(index[u])
        vs.append(index[v])
        lengths.append(length)
        times.append(length / (speed / 3.6))
        ways.append(int(_first(data.get("osmid")) or -1))
        name = _first(data.get("name"))
        names.append(str(name) if name else "")
        highways.append(hw)
    if not us:
        msg = f"map '{source}' contains no drivable highway ways"
        raise MapSourceError(msg)
    # Keep only nodes that some drivable edge touches.
    used = np.zeros(len(node_ids), dtype=bool)
    used[us] = True
    used[vs] = True
    remap = np.cumsum(used) - 1
    u_arr = remap[np.asarray(us)]
    v_arr = remap[np.asarray(vs)]
    osmid = np.asarray(node_ids, dtype=np.int64)[used]
    lon, lat = lon[used], lat[used]
    x, y = _TO_METRIC.transform(lon, lat)
    net = RoadNetwork(
        source=source,
        source_sha256=source_sha256,
        node_osmid=osmid,
        lon=lon,
        lat=lat,
        x=np.asarray(x),
        y=np.asarray(y),
        edge_u=u_arr.astype(np.int64),
        edge_v=v_arr.astype(np.int64),
        edge_length_m=np.asarray(lengths),
        edge_time_s=np.asarray(times),
        edge_kind=np.full(len(us), KIND_ROAD, dtype=np.int8),
        edge_way=np.asarray(ways, dtype=np.int64),
        edge_name=names,
        edge_highway=highways,
    )
    _add_connectors(net)
    _add_return_links(net)
    return net


def _append_edges(
    net: RoadNetwork,
    u: Iterable[int],
    v: Iterable[int],
    length: Iterable[float],
    time: Iterable[float],
    kind: int,
    way: Iterable[int],
    name: Iterable[str],
    highway: Iterable[str],
) -> None:
    u, v = np.asarray(list(u), dtype=np.int64), np.asarray(list(v), dtype=np.int64)
    net.edge_u = np.concatenate([net.edge_u, u])
    net.edge_v = np.concatenate([net.edge_v, v])
    net.edge_length_m = np.concatenate([net.edge_length_m, np.asarray(list(length))])
    net.edge_time_s = np.concatenate([net.edge_time_s, np.asarray(list(time))])
    net.edge_kind = np.concatenate([net.edge_kind, np.full(len(u), kind, dtype=np.int8)])
    net.edge_way = np.concatenate([net.edge_way, np.asarray(list(way), dtype=np.int64)])
    net.edge_name.extend(name)
    net.edge_highway.extend(highway)


def _add_connectors(net: RoadNetwork) -> None:
    """Join weakly connected pieces by a minimum spanning tree of closest node pairs."""
    n = net.n_nodes
    adj = csr_matrix((np.ones(net.n_edges), (net.edge_u, net.edge_v)), shape=(n, n))
    n_comp, labels = connected_components(adj, directed=True, connection="weak")
    net.raw_components = sorted(np.bincount(labels).tolist(), reverse=True)
    if n_comp <= 1:
        return
    xy = np.column_stack([net.x, net.y])
    members = [np.flatnonzero(labels == c) for c in range(n_comp)]
    trees = [cKDTree(xy[m]) for m in members]
    best = np.full((n_comp, n_comp), np.inf)
    pair: dict[tuple[int, int], tuple[int, int]] = {}
    for a in range(n_comp):
        for b in range(a + 1, n_comp):
            # query the smaller piece against the larger one's tree
            s, t = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
            d, j = trees[t].query(xy[members[s]])
            k = int(np.argmin(d))
            best[a, b] = float(d[k])
            ends = (int(members[s][k]), int(members[t][j[k]]))
            pair[(a, b)] = ends if s == a else (ends[1], ends[0])
    mst = minimum_spanning_tree(csr_matrix(np.where(np.isinf(best), 0, best + 1e-6)))
    links = [(int(a), int(b)) for a, b in zip(*mst.nonzero(), strict=True)]
    links.sort(key=lambda ab: best[min(ab), max(ab)])
    us, vs, ls = [], [], []
    for a, b in links:
        p, q = pair[(min(a, b), max(a, b))]
        d = best[min(a, b), max(a, b)]
        us += [p, q]
        vs += [q, p]
        ls += [d, d]
    t = [length / (CONNECTOR_SPEED_KMH / 3.6) for length in ls]
    _append_edges(
        net,
        us,
        vs,
        ls,
        t,
        KIND_CONNECTOR,
        [-1] * len(us),
        ["assumed connector"] * len(us),
        ["assumed"] * len(us),
    )


def _add_return_links(net: RoadNetwork) -> None:
    """Reverse one-way edges that leave no way back (ends in different strong components)."""
    n = net.n_nodes
    adj = csr_matrix((np.ones(net.n_edges), (net.edge_u, net.edge_v)), shape=(n, n))
    _, labels = connected_components(adj, directed=True, connection="strong")
    cross = np.flatnonzero(labels[net.edge_u] != labels[net.edge_v])
    if cross.size == 0:
        return
    # An edge between strong components has no reverse edge by definition.
    _append_edges(
        net,
        net.edge_v[cross],
        net.edge_u[cross],
        net.edge_length_m[cross],
        net.edge_time_s[cross] * RETURN_TIME_FACTOR,
        KIND_RETURN,
        net.edge_way[cross],
        [net.edge_name[e] for e in cross],
        [net.edge_highway[e] for e in cross],
    )


def with_plant_access(net: RoadNetwork, lon: float, lat: float, radius_m: float) -> RoadNetwork:
    """A copy of ``net`` whose node nearest the plant links to every node within ``radius_m``.

    A plant's gate usually opens onto both carriageways of its avenue, but the extract has
    no junction there (Senkata sits beside the southbound carriageway of Av. 6 de Marzo, and
    without access to the northbound one every truck would first drive 4 km south to turn).
    The links are assumed (``KIND_ACCESS``), both ways, at :data:`ACCESS_SPEED_KMH`.
    Idempotent for the same plant and radius; ``radius_m <= 0`` adds nothing.
    """
    key = (float(lon), float(lat), float(radius_m))
    if net.plant_access == key:
        return net
    keep = net.edge_kind != KIND_ACCESS
    new = replace(
        net,
        edge_u=net.edge_u[keep],
        edge_v=net.edge_v[keep],
        edge_length_m=net.edge_length_m[keep],
        edge_time_s=net.edge_time_s[keep],
        edge_kind=net.edge_kind[keep],
        edge_way=net.edge_way[keep],
        edge_name=[n for n, k in zip(net.edge_name, keep, strict=True) if k],
        edge_highway=[h for h, k in zip(net.edge_highway, keep, strict=True) if k],
        plant_access=key,
    )
    if radius_m <= 0:
        return new
    px, py = _TO_METRIC.transform(lon, lat)
    d = np.hypot(new.x - px, new.y - py)
    anchor = int(np.argmin(d))
    existing = set(zip(new.edge_u.tolist(), new.edge_v.tolist(), strict=True))
    us, vs, ls = [], [], []
    for n in np.flatnonzero(d <= radius_m):
        n = int(n)
        if n == anchor:
            continue
        gap = float(np.hypot(new.x[n] - new.x[anchor], new.y[n] - new.y[anchor]))
        for a, b in ((anchor, n), (n, anchor)):
            if (a, b) not in existing:
                us.append(a)
                vs.append(b)
                ls.append(gap)
    _append_edges(
        new,
        us,
        vs,
        ls,
        [x / (ACCESS_SPEED_KMH / 3.6) for x in ls],
        KIND_ACCESS,
        [-1] * len(us),
        ["assumed plant access"] * len(us),
        ["assumed"] * len(us),
    )
    return new


def load_network(
    path: str | Path | None = None,
    *,
    data: Path | None = None,
    cache: Path | None = None,
    use_cache: bool = True,
) -> RoadNetwork:
    """Load a road map (the embedded extract by default), using the on-disk cache.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf`` or ``.graphml``; ``None`` for the
        embedded 2019 extract under the shared data directory.
    data, cache
        Override the data and cache directories (see :mod:`logistics.config`).
    use_cache
        Read/write the pickled network under the cache directory.
    """
    from logistics.osm_io import read_osm_graph  # osmnx import is slow; only when needed

    map_path = config.embedded_map_path(data) if path is None else Path(path)
    if not map_path.is_file():
        msg = f"map file '{map_path}' not found"
        if path is None:
            msg += " (the embedded extract lives in ../shared/data; set SENKATA_DATA_DIR)"
        raise MapSourceError(msg)
    sha = _file_sha256(map_path)
    cache_file = config.cache_dir(cache) / f"network-v{BUILD_VERSION}-{sha[:16]}.pkl"
    if use_cache and cache_file.is_file():
        try:
            with cache_file.open("rb") as fh:
                net = pickle.load(fh)
            if isinstance(net, RoadNetwork) and net.source_sha256 == sha:
                return net
        except Exception:  # a corrupt or foreign cache is rebuilt, never trusted
            pass
    graph = read_osm_graph(map_path)
    net = build_network(graph, source=str(map_path), source_sha256=sha)
    if use_cache:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        # a unique temporary name: several worker processes may build the cache at once
        fd, tmp_name = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(net, fh, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp_name).replace(cache_file)  # atomic: a killed build never leaves half a cache
    return net
