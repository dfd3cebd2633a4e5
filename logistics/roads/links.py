"""Assumed links that make the partial extract usable; every one is tagged by its kind.

*Connectors* join the extract's pieces (a minimum spanning tree of closest node pairs);
*return carriageways* reverse one-way edges that leave no way back; *plant access* links
join the plant's gate to the carriageways beside it. Each kind is listed by
``senkata maps info`` and can be switched off per scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree

from logistics.roads.graph import (
    ACCESS_SPEED_KMH,
    CONNECTOR_SPEED_KMH,
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_RETURN,
    RETURN_TIME_FACTOR,
    TO_METRIC,
    RoadNetwork,
)


def _append_edges(  # noqa: PLR0917 - the edge columns in the network's own order
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
    times = [length / (CONNECTOR_SPEED_KMH / 3.6) for length in ls]
    _append_edges(
        net,
        us,
        vs,
        ls,
        times,
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
    px, py = TO_METRIC.transform(lon, lat)
    d = np.hypot(new.x - px, new.y - py)
    anchor = int(np.argmin(d))
    existing = set(zip(new.edge_u.tolist(), new.edge_v.tolist(), strict=True))
    us, vs, ls = [], [], []
    for near in np.flatnonzero(d <= radius_m):
        n = int(near)
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
