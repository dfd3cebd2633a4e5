"""The road network: assumed links, cache, travel tables, simplified input."""

from __future__ import annotations

import numpy as np
import osmnx as ox
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

import logistics.roads.osm
from logistics.model import config
from logistics.roads import (
    KIND_CONNECTOR,
    KIND_RETURN,
    KIND_ROAD,
    build_network,
    load_network,
    with_plant_access,
)


def _components(net, mask, connection):
    n = net.n_nodes
    adj = csr_matrix((np.ones(int(mask.sum())), (net.edge_u[mask], net.edge_v[mask])), shape=(n, n))
    return connected_components(adj, directed=True, connection=connection)


def test_connectors_are_a_spanning_tree_of_the_pieces(net):
    roads = net.edge_kind == KIND_ROAD
    n_pieces, _ = _components(net, roads, "weak")
    assert n_pieces == len(net.raw_components) == 6
    conn = net.edge_kind == KIND_CONNECTOR
    # fewest links: pieces - 1, each usable both ways, all short
    assert conn.sum() == 2 * (n_pieces - 1)
    assert net.edge_length_m[conn].max() < 150
    n_after, _ = _components(net, roads | conn, "weak")
    assert n_after == 1


def test_return_links_only_where_a_one_way_way_leaves_no_way_back(net):
    base = (net.edge_kind == KIND_ROAD) | (net.edge_kind == KIND_CONNECTOR)
    _, labels = _components(net, base, "strong")
    ret = np.flatnonzero(net.edge_kind == KIND_RETURN)
    assert ret.size > 0
    # each return edge reverses a road edge whose two ends are in different strong components
    assert (labels[net.edge_u[ret]] != labels[net.edge_v[ret]]).all()
    road_pairs = set(zip(net.edge_u[base].tolist(), net.edge_v[base].tolist(), strict=True))
    assert all((int(net.edge_v[e]), int(net.edge_u[e])) in road_pairs for e in ret)
    # and with them the whole map is one strongly connected piece
    n_strong, _ = _components(net, net.kind_mask(), "strong")
    assert n_strong == 1


def test_route_tables_match_the_edges_they_follow(net):
    rng = np.random.default_rng(3)
    src = rng.choice(net.n_nodes, size=12, replace=False).tolist()
    t = net.route_tables(src, edge_mask=net.kind_mask())
    # time is the plain Dijkstra distance
    adj, _ = net._csr(net.edge_time_s, net.kind_mask())
    ref = dijkstra(adj, indices=src)[:, src]
    assert np.allclose(t.time_s, ref)
    for i in range(len(src)):
        for j in range(len(src)):
            nodes, edges = t.path(i, j)
            assert nodes[0] == src[i] and nodes[-1] == src[j]
            assert list(net.edge_u[edges]) == nodes[:-1]
            assert list(net.edge_v[edges]) == nodes[1:]
            assert net.edge_length_m[edges].sum() == pytest.approx(t.length_m[i, j])
            assert net.edge_time_s[edges].sum() == pytest.approx(t.drive_s[i, j])


def test_second_load_comes_from_the_cache(tmp_path, monkeypatch):
    first = load_network(cache=tmp_path)
    assert list(tmp_path.glob("network-*.pkl"))

    def no_parsing(path):  # a cached load must not parse the OSM file again
        raise AssertionError("parsed the map again")

    monkeypatch.setattr(logistics.roads.osm, "read_osm_graph", no_parsing)
    second = load_network(cache=tmp_path)
    assert second.source_sha256 == first.source_sha256
    assert np.array_equal(second.edge_u, first.edge_u)


def test_plant_access_links_join_both_carriageways(net):
    lon, lat = -68.18614, -16.57401
    acc = with_plant_access(net, lon, lat, 75)
    assert with_plant_access(acc, lon, lat, 75) is acc  # idempotent
    added = acc.n_edges - net.n_edges
    assert added >= 2 and (acc.edge_kind == 3).sum() == added
    assert with_plant_access(acc, lon, lat, 0).n_edges == net.n_edges  # switched off


def test_simplified_graphml_is_split_into_straight_segments(tmp_path):
    """A simplified osmnx graph (curved edges) is exploded back into straight segments, so
    its road length matches the unsimplified extract and points can snap to shape points."""
    path = config.embedded_map_path()
    g = ox.graph_from_xml(path, simplify=True, retain_all=True)
    simple = build_network(g, source="simplified", source_sha256="x")
    full = load_network()
    road_s = simple.edge_length_m[simple.edge_kind == KIND_ROAD].sum()
    road_f = full.edge_length_m[full.edge_kind == KIND_ROAD].sum()
    assert road_s == pytest.approx(road_f, rel=0.01)
    # the plant snaps as closely as on the full extract (a shape point, not a far junction)
    assert simple.snap(-68.18614, -16.57401)[1] == pytest.approx(
        full.snap(-68.18614, -16.57401)[1], abs=1.0
    )
