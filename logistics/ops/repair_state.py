"""What the repair re-plan needs of the map and the scenario, built in a fraction of a second.

A full re-plan builds the whole routing problem (points, commissions, travel tables between
every pair of points: seconds). The repair only needs the roads as the blockades standing
after the re-plan time leave them, one shortest path per changed leg, the points (windows,
rations, areas) and the delegates' districts. The points and districts do not depend on the
blockades, so they are kept in a small on-disk cache keyed by everything they depend on
(the scenario without its blockades, the map, the data directory, the code that builds
them); the roads are rebuilt every time (milliseconds on a city map).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import dijkstra

from logistics.demand import DeliveryPoint, build_points
from logistics.model import Scenario, config
from logistics.plan import Leg
from logistics.roads import KIND_ROAD, RoadNetwork, with_plant_access
from logistics.routing.blockades import blockade_effects, road_state
from logistics.routing.commissions import read_roster

#: Bump when what the cache holds changes shape.
CACHE_VERSION = 1


@dataclass
class Static:
    """The blockade-free part of a scenario on its map: points and delegates' districts."""

    points: dict[str, DeliveryPoint]
    #: junta delegate -> normalised district / zone key of their junta
    district: dict[str, str]


def _code_sha() -> str:
    """Hash of the code that builds points and rosters (a change there drops the cache)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted([*(root / "demand").glob("*.py"), root / "routing" / "commissions.py"]):
        h.update(p.read_bytes())
    return h.hexdigest()


def static_part(
    scenario: Scenario, net: RoadNetwork, usable: np.ndarray, data: Path | None
) -> Static:
    """Points and delegates' districts, from the cache when nothing they depend on changed."""
    bare = scenario.model_copy(update={"blockades": []})
    key = hashlib.sha256(
        "\n".join(
            [
                str(CACHE_VERSION),
                bare.model_dump_json(),
                net.source_sha256,
                repr(net.plant_access),
                str(config.data_dir(data).resolve()),
                _code_sha(),
            ]
        ).encode()
    ).hexdigest()
    path = config.cache_dir() / f"repair-static-{key[:24]}.pkl"
    if path.is_file():
        try:
            with path.open("rb") as fh:
                got = pickle.load(fh)
            if isinstance(got, Static):
                return got
        except Exception:  # a corrupt or foreign cache is rebuilt, never trusted
            pass
    points = build_points(scenario, net, usable_nodes=usable, data=data)
    out = Static({p.id: p for p in points}, dict(read_roster(scenario, data).district))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)  # atomic: a killed run never leaves half a cache
    except OSError:  # a read-only checkout still repairs, only slower
        pass
    return out


@dataclass
class Roads:
    """The roads after the re-plan time, and shortest paths on them.

    ``mask``/``delay`` are the roads while every blockade standing after ``at`` stands (a
    repaired leg avoids them all); ``new_pairs`` are the node pairs (map indices) the *new*
    blockades close or check: an old leg through one of them needs new roads.
    """

    net: RoadNetwork
    #: the map's usable edges before any blockade
    base: np.ndarray
    mask: np.ndarray
    delay: np.ndarray
    #: checkpoint delays of the blockades that stood before (to place a truck on its leg)
    old_delay: np.ndarray
    new_pairs: set[tuple[int, int]]
    _trees: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        net = self.net
        # the same pairs in OSM ids: most legs are checked without a node lookup
        osm = net.node_osmid
        self._new_osm = {(int(osm[u]), int(osm[v])) for u, v in self.new_pairs}
        self._adj_eid: tuple | None = None  # built on the first shortest path
        self._pairs: dict[tuple[int, int], int] | None = None

    @property
    def _adj(self):
        if self._adj_eid is None:
            self._adj_eid = self.net._csr(self.net.edge_time_s + self.delay, self.mask)
        return self._adj_eid[0]

    @property
    def _pair_edge(self) -> dict[tuple[int, int], int]:
        if self._pairs is None:
            net = self.net
            base = np.flatnonzero(self.base)
            order = np.lexsort((net.edge_time_s[base], net.edge_v[base], net.edge_u[base]))
            ids = base[order][::-1]  # the quickest parallel edge wins (written last)
            u, v = net.edge_u[ids].tolist(), net.edge_v[ids].tolist()
            self._pairs = dict(zip(zip(u, v, strict=True), ids.tolist(), strict=True))
        return self._pairs

    def crosses_new_osm(self, osm_nodes: list[int]) -> bool:
        """True when a leg (OSM node ids) drives a pair a new blockade closes or checks."""
        return bool(self._new_osm) and any(
            p in self._new_osm for p in itertools.pairwise(osm_nodes)
        )

    def idx(self, osm_nodes: list[int]) -> list[int]:
        return [self.net.node_index(n) for n in osm_nodes]

    def edges(self, idx: list[int]) -> list[int]:
        """Edge ids along a node path (the quickest of parallel edges, as the validator)."""
        return [self._pair_edge[p] for p in itertools.pairwise(idx)]

    def path(self, a: int, b: int) -> list[int] | None:
        """Node indices of the quickest path ``a`` -> ``b`` on the roads after ``at``."""
        pred = self._trees.get(a)
        if pred is None:
            _dist, pred = dijkstra(self._adj, indices=a, return_predecessors=True)
            self._trees[a] = pred
        nodes = [b]
        while nodes[-1] != a:
            p = int(pred[nodes[-1]])
            if p < 0:
                return None
            nodes.append(p)
        return nodes[::-1]

    def leg(self, idx: list[int], to_id: str, speed: float) -> Leg:
        """A plan leg along the node indices ``idx`` (with the delays after ``at``)."""
        net = self.net
        es = self.edges(idx)
        return Leg(
            to_id=to_id,
            nodes=[int(net.node_osmid[n]) for n in idx],
            km=float(net.edge_length_m[es].sum()) / 1000,
            drive_min=float(net.edge_time_s[es].sum()) / speed / 60,
            delay_min=float(self.delay[es].sum()) / 60,
            assumed_edges=int(net.assumed[es].sum()),
        )

    def position(self, idx: list[int], t0: float, at: float, speed: float) -> int:
        """How many edges of a leg started at ``t0`` are driven by ``at`` (minutes)."""
        net = self.net
        clock = t0
        for k, e in enumerate(self.edges(idx)):
            clock += net.edge_time_s[e] / speed / 60 + self.old_delay[e] / 60
            if clock > at:
                return k
        return len(idx) - 1

    def streets(self, idx: list[int], old: set[int] | None = None, most: int = 4) -> list[str]:
        """Named streets along a path, in order (those not on ``old`` edges), at most ``most``."""
        out: list[str] = []
        for e in self.edges(idx):
            if self.net.edge_kind[e] != KIND_ROAD:
                continue  # assumed links carry descriptions, not street names
            name = self.net.edge_name[e].strip()
            if name and (old is None or e not in old) and name not in out:
                out.append(name)
        return out[:most]


def roads_after(
    scenario: Scenario, net: RoadNetwork, at_min: float, new_ids: set[str]
) -> tuple[Roads, RoadNetwork, np.ndarray]:
    """The roads after ``at_min`` under ``scenario``'s blockades; which ones are new.

    Returns the roads, the map with its plant-access links and the usable base nodes.
    """
    plant = scenario.plant
    net = with_plant_access(net, plant.lon, plant.lat, plant.access_m)
    base = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    effects = blockade_effects(scenario, net, base)
    later = [
        i
        for i, e in enumerate(effects)
        if e.blockade.window is None or e.blockade.window.end_min > at_min
    ]
    mask, delay = road_state(effects, later, base)
    old = [i for i in later if effects[i].blockade.id not in new_ids]
    _m, old_delay = road_state(effects, old, base)
    pairs: set[tuple[int, int]] = set()
    for i in later:
        eff = effects[i]
        if eff.blockade.id in new_ids:
            es = eff.edges if eff.blockade.status == "closed" else eff.entering
            pairs.update(zip(net.edge_u[es].tolist(), net.edge_v[es].tolist(), strict=True))
    usable = np.zeros(net.n_nodes, dtype=bool)
    usable[net.edge_u[base]] = True
    usable[net.edge_v[base]] = True
    return Roads(net, base, mask, delay, old_delay, pairs), net, usable
