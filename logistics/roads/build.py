"""From an OSM graph to a :class:`~logistics.roads.graph.RoadNetwork`, and the on-disk cache.

:func:`load_network` reads a map file (the embedded 2019 extract by default) through
:mod:`logistics.roads.osm`, builds the flat-array network with its assumed links, and
pickles it under the cache directory, keyed by the file's sha256 and
:data:`BUILD_VERSION`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np

from logistics.i18n import _
from logistics.model import MapSourceError, config
from logistics.roads.graph import (
    KIND_ROAD,
    NON_DRIVABLE,
    TO_METRIC,
    RoadNetwork,
    _first,
    _speed_kmh,
)
from logistics.roads.links import _add_connectors, _add_return_links

#: Bump when the build below changes, so stale caches are rebuilt.
BUILD_VERSION = 4


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
        xs, ys = TO_METRIC.transform([p[0] for p in pts], [p[1] for p in pts])
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
        msg = _("map {source} contains no drivable highway ways; expected a road map").format(
            source=repr(str(source))
        )
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
    x, y = TO_METRIC.transform(lon, lat)
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
        Override the data and cache directories (see :mod:`logistics.model.config`).
    use_cache
        Read/write the pickled network under the cache directory.
    """
    from logistics.roads.map_file import check_map_file  # no osmnx: a cached map is a pickle

    map_path = config.embedded_map_path(data) if path is None else Path(path)
    if path is None and not map_path.is_file():
        msg = _(
            "map file '{path}' not found (the embedded extract lives in ../shared/data; "
            "set SENKATA_DATA_DIR)"
        )
        raise MapSourceError(msg.format(path=map_path))
    # a regular file of an accepted type and size: never a device, FIFO or directory
    map_path = check_map_file(map_path)
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
    from logistics.roads.osm import read_osm_graph  # osmnx import is slow; only when parsing

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
