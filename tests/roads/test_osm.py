"""Tests of logistics.roads.osm: reading road maps (OSM XML/PBF, GraphML) and fetching them.

All tests are offline. The fixture is a tiny road map near Senkata (El Alto), written
by the tests themselves as OSM XML (plain, gzip, bzip2) and as PBF (with pyosmium):

* way 1001, ``highway=primary``, two-way, nodes 1-2-3, named, ``maxspeed=50``;
* way 1002, ``highway=residential``, ``oneway=yes``, nodes 3-4-5;
* way 1003, ``building=yes``, closed ring 6-7-8-6 (not a road);
* node 9, a stand-alone shop (not on any way).
"""

from __future__ import annotations

import bz2
import gzip
import http.server
import json
import math
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx
import osmium
import osmnx as ox
import pytest

from logistics.model import MapSourceError
from logistics.roads.osm import fetch_graph, read_osm_graph, save_graphml

# id -> (lat, lon, tags)
NODES: dict[int, tuple[float, float, dict[str, str]]] = {
    1: (-16.5700, -68.1800, {}),
    2: (-16.5712, -68.1790, {"highway": "traffic_signals"}),
    3: (-16.5725, -68.1781, {}),
    4: (-16.5731, -68.1770, {}),
    5: (-16.5744, -68.1762, {}),
    6: (-16.5705, -68.1822, {}),
    7: (-16.5705, -68.1818, {}),
    8: (-16.5709, -68.1818, {}),
    9: (-16.5718, -68.1805, {"shop": "gas"}),
}
# id -> (node refs, tags)
WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    1001: ([1, 2, 3], {"highway": "primary", "name": "Avenida 6 de Marzo", "maxspeed": "50"}),
    1002: ([3, 4, 5], {"highway": "residential", "oneway": "yes", "name": "Calle Senkata"}),
    1003: ([6, 7, 8, 6], {"building": "yes"}),
}
ROAD_NODES = {1, 2, 3, 4, 5}
ROAD_EDGES = {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 5)}

EXPECTED_FORMATS = ".osm, .osm.gz, .osm.bz2, .osm.pbf or .graphml"


def osm_xml(nodes: dict = NODES, ways: dict = WAYS) -> str:
    """Return the fixture as an OSM XML document."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lat, lon, tags) in nodes.items():
        lines.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}">')
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </node>")
    for wid, (refs, tags) in ways.items():
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{ref}"/>' for ref in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_pbf(path: Path, nodes: dict = NODES, ways: dict = WAYS) -> Path:
    """Write the fixture as OSM PBF with pyosmium."""
    with osmium.SimpleWriter(str(path)) as writer:
        for nid, (lat, lon, tags) in nodes.items():
            writer.add_node(
                osmium.osm.mutable.Node(id=nid, version=1, location=(lon, lat), tags=tags)
            )
        for wid, (refs, tags) in ways.items():
            writer.add_way(osmium.osm.mutable.Way(id=wid, version=1, nodes=refs, tags=tags))
    return path


def write_xml(path: Path, text: str | None = None) -> Path:
    """Write OSM XML to ``path``, compressed according to its suffix."""
    data = (osm_xml() if text is None else text).encode()
    if path.name.lower().endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.lower().endswith(".bz2"):
        data = bz2.compress(data)
    path.write_bytes(data)
    return path


def edge_set(G: nx.MultiDiGraph) -> set[tuple[int, int]]:
    return {(u, v) for u, v in G.edges()}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_009.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def xml_graph(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    return read_osm_graph(write_xml(tmp_path_factory.mktemp("xml") / "roads.osm"))


# ------------------------------------------------------------------------ OSM XML


def test_xml_keeps_only_highway_ways_and_their_nodes(xml_graph: nx.MultiDiGraph) -> None:
    assert set(xml_graph.nodes) == ROAD_NODES  # building ring 6-7-8 and shop 9 dropped
    assert edge_set(xml_graph) == ROAD_EDGES
    assert xml_graph.number_of_edges() == len(ROAD_EDGES)  # no parallel duplicates
    for n, data in xml_graph.nodes(data=True):
        lat, lon, _ = NODES[n]
        assert data["x"] == pytest.approx(lon)
        assert data["y"] == pytest.approx(lat)


def test_xml_two_way_and_one_way_edges(xml_graph: nx.MultiDiGraph) -> None:
    forward = xml_graph.edges[1, 2, 0]
    backward = xml_graph.edges[2, 1, 0]
    for data in (forward, backward):
        assert data["osmid"] == 1001
        assert isinstance(data["osmid"], int)
        assert data["highway"] == "primary"
        assert data["name"] == "Avenida 6 de Marzo"
        assert data["maxspeed"] == "50"
        assert data["oneway"] is False
    assert forward["reversed"] is False
    assert backward["reversed"] is True

    oneway = xml_graph.edges[3, 4, 0]
    assert oneway["osmid"] == 1002
    assert oneway["highway"] == "residential"
    assert oneway["oneway"] is True
    assert oneway["reversed"] is False
    assert "maxspeed" not in oneway
    assert not xml_graph.has_edge(4, 3)
    assert not xml_graph.has_edge(5, 4)


def test_xml_edge_length_is_great_circle_distance(xml_graph: nx.MultiDiGraph) -> None:
    for u, v, length in xml_graph.edges(data="length"):
        (lat1, lon1, _), (lat2, lon2, _) = NODES[u], NODES[v]
        expected = haversine_m(lat1, lon1, lat2, lon2)
        assert 100 < expected < 250  # sanity of the fixture itself
        assert length == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("name", ["roads.osm.gz", "roads.osm.bz2", "roads.xml", "ROADS.OSM.GZ"])
def test_compressed_and_alias_xml_give_the_same_graph(
    tmp_path: Path, xml_graph: nx.MultiDiGraph, name: str
) -> None:
    G = read_osm_graph(write_xml(tmp_path / name))
    assert set(G.nodes) == set(xml_graph.nodes)
    assert edge_set(G) == edge_set(xml_graph)
    assert G.edges[3, 4, 0]["length"] == pytest.approx(xml_graph.edges[3, 4, 0]["length"])


def test_read_accepts_str_path(tmp_path: Path) -> None:
    G = read_osm_graph(str(write_xml(tmp_path / "roads.osm")))
    assert set(G.nodes) == ROAD_NODES


# ------------------------------------------------------------------------ OSM PBF


@pytest.mark.parametrize("name", ["roads.osm.pbf", "roads.pbf"])
def test_pbf_gives_the_same_graph_as_xml(
    tmp_path: Path, xml_graph: nx.MultiDiGraph, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the temporary XML goes
    G = read_osm_graph(write_pbf(tmp_path / name))
    assert set(G.nodes) == ROAD_NODES
    assert edge_set(G) == ROAD_EDGES
    for u, v, k, data in xml_graph.edges(keys=True, data=True):
        other = G.edges[u, v, k]
        for attr in ("osmid", "highway", "name", "oneway", "reversed"):
            assert other.get(attr) == data.get(attr), (u, v, attr)
        assert other["length"] == pytest.approx(data["length"])
    for n, data in xml_graph.nodes(data=True):
        assert G.nodes[n]["x"] == pytest.approx(data["x"])
        assert G.nodes[n]["y"] == pytest.approx(data["y"])
    assert G.nodes[2].get("highway") == "traffic_signals"  # node tags survive the copy
    assert list(scratch.iterdir()) == []  # the temporary XML is cleaned up


# ------------------------------------------------------------------------ GraphML


def test_graphml_round_trip(tmp_path: Path, xml_graph: nx.MultiDiGraph) -> None:
    target = tmp_path / "out" / "nested" / "roads.graphml"
    written = save_graphml(xml_graph, target)
    assert written == target
    assert target.is_file()
    G = read_osm_graph(target)
    assert set(G.nodes) == ROAD_NODES
    assert edge_set(G) == ROAD_EDGES
    edge = G.edges[3, 4, 0]
    assert edge["osmid"] == 1002
    assert edge["oneway"] is True
    assert edge["length"] == pytest.approx(xml_graph.edges[3, 4, 0]["length"])
    assert G.nodes[1]["x"] == pytest.approx(-68.18)


def test_graphml_of_simplified_graph_is_returned_as_is(
    tmp_path: Path, xml_graph: nx.MultiDiGraph
) -> None:
    simplified = ox.simplify_graph(xml_graph.copy())
    assert any("geometry" in d for *_, d in simplified.edges(data=True))
    G = read_osm_graph(save_graphml(simplified, tmp_path / "simple.graphml"))
    assert set(G.nodes) == set(simplified.nodes)
    assert edge_set(G) == edge_set(simplified)
    assert any("geometry" in d for *_, d in G.edges(data=True))


# ------------------------------------------------------------------------ errors


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "roads.shp"
    path.write_text("whatever")
    with pytest.raises(MapSourceError) as info:
        read_osm_graph(path)
    assert str(info.value) == f"map file '{path}': unsupported format; expected {EXPECTED_FORMATS}"


@pytest.mark.parametrize("name", ["nowhere.osm", "nowhere.osm.pbf", "nowhere.graphml"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(MapSourceError) as info:
        read_osm_graph(path)
    assert f"map file '{path}': file not found" in str(info.value)


def test_directory_is_not_a_map(tmp_path: Path) -> None:
    path = tmp_path / "dir.osm"
    path.mkdir()
    with pytest.raises(MapSourceError, match="is a directory"):
        read_osm_graph(path)


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("bad.osm", b"this is not XML at all", "cannot be parsed as OSM XML"),
        ("bad.osm", b"<osm><node id='1' lat='x'", "cannot be parsed as OSM XML"),
        ("bad.osm.gz", b"not gzip data", "cannot be parsed as OSM XML"),
        ("bad.osm.bz2", b"not bzip2 data", "cannot be parsed as OSM XML"),
        ("bad.osm.pbf", b"\x00\x00\x00\x0dgarbage-garbage-garbage", "cannot be parsed as OSM PBF"),
        ("bad.graphml", b"<graphml><graph", "cannot be parsed as GraphML"),
    ],
)
def test_garbage_content(tmp_path: Path, name: str, content: bytes, what: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MapSourceError) as info:
        read_osm_graph(path)
    message = str(info.value)
    assert f"map file '{path}': {what}" in message
    assert "\n" not in message


def test_way_referencing_missing_node(tmp_path: Path) -> None:
    nodes = {k: v for k, v in NODES.items() if k != 5}
    path = write_xml(tmp_path / "broken.osm", osm_xml(nodes=nodes))
    with pytest.raises(MapSourceError) as info:
        read_osm_graph(path)
    assert f"map file '{path}': cannot be parsed as OSM XML" in str(info.value)


NO_HIGHWAY_WAYS = {1003: WAYS[1003]}


@pytest.mark.parametrize(
    ("name", "writer"),
    [
        ("buildings.osm", lambda p: write_xml(p, osm_xml(ways=NO_HIGHWAY_WAYS))),
        ("buildings.osm.gz", lambda p: write_xml(p, osm_xml(ways=NO_HIGHWAY_WAYS))),
        ("nodes-only.osm", lambda p: write_xml(p, osm_xml(ways={}))),
        ("empty.osm", lambda p: write_xml(p, '<?xml version="1.0"?><osm version="0.6"/>')),
        ("buildings.osm.pbf", lambda p: write_pbf(p, ways=NO_HIGHWAY_WAYS)),
    ],
)
def test_no_highway_ways(tmp_path: Path, name: str, writer: Callable[[Path], Path]) -> None:
    path = writer(tmp_path / name)
    with pytest.raises(MapSourceError) as info:
        read_osm_graph(path)
    assert f"map file '{path}': contains no highway ways" in str(info.value)


# ------------------------------------------------------------------------ fetch_graph

SENKATA_BBOX = (-68.19, -16.58, -68.17, -16.56)


def test_fetch_fails_fast_when_endpoint_unreachable() -> None:
    saved = (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache)
    start = time.monotonic()
    with pytest.raises(MapSourceError) as info:
        fetch_graph(SENKATA_BBOX, endpoint="http://127.0.0.1:9/api")
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert message.startswith("cannot reach the Overpass API at 127.0.0.1:9 (no internet")
    assert "--map FILE.osm/.osm.pbf/.graphml" in message
    assert "\n" not in message
    assert (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache) == saved


def test_fetch_fails_fast_on_unknown_host() -> None:
    start = time.monotonic()
    expected = r"cannot reach the Overpass API at nohost\.invalid:443"
    with pytest.raises(MapSourceError, match=expected):
        fetch_graph(SENKATA_BBOX, endpoint="https://nohost.invalid/api", connect_timeout_s=2)
    assert time.monotonic() - start < 5


def test_fetch_does_not_hang_on_a_stuck_name_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck_getaddrinfo(*args: object, **kwargs: object) -> list:
        release.wait(30)
        raise socket.gaierror("lookup timed out")

    monkeypatch.setattr(socket, "getaddrinfo", stuck_getaddrinfo)
    start = time.monotonic()
    try:
        with pytest.raises(MapSourceError, match="cannot reach the Overpass API"):
            fetch_graph(SENKATA_BBOX, endpoint="https://overpass.example/api", connect_timeout_s=1)
        assert time.monotonic() - start < 3
    finally:
        release.set()


@pytest.mark.parametrize(
    ("bbox", "problem"),
    [
        ((-68.17, -16.58, -68.19, -16.56), "west (-68.17) is not less than east (-68.19)"),
        ((-68.19, -16.56, -68.17, -16.58), "south (-16.56) is not less than north (-16.58)"),
        ((-190.0, -16.58, -68.17, -16.56), "longitude out of range"),
        ((-68.19, -96.0, -68.17, -16.56), "latitude out of range"),
        ((-69.5, -17.5, -68.0, -16.0), "area 2.25 square degrees is too large"),
        ((-68.19, float("nan"), -68.17, -16.56), "not all values are finite"),
        ((-68.19, -16.58, -68.17), "not four numbers"),
    ],
)
def test_fetch_rejects_bad_bbox(bbox: tuple, problem: str) -> None:
    # an unreachable endpoint: validation must fail before any network access
    with pytest.raises(MapSourceError) as info:
        fetch_graph(bbox, endpoint="http://127.0.0.1:9/api")
    message = str(info.value)
    assert message.startswith("--bbox ")
    assert problem in message
    assert "expected WEST,SOUTH,EAST,NORTH" in message


def test_fetch_rejects_bad_endpoint() -> None:
    with pytest.raises(MapSourceError, match="Overpass endpoint 'ftp://x/api': not a valid URL"):
        fetch_graph(SENKATA_BBOX, endpoint="ftp://x/api")


class _FakeOverpass(http.server.BaseHTTPRequestHandler):
    """Answers like Overpass: a status page, and a fixed JSON result or an error."""

    payload: bytes = b"{}"
    status: int = 200
    requests_seen: list[str]  # set per server by the fake_overpass fixture

    def do_GET(self) -> None:
        self.requests_seen.append(f"GET {self.path}")
        body = (
            b"Connected as: 1\nCurrent time: 2024-01-01T00:00:00Z\n"
            b"Announced endpoint: none\nRate limit: 2\n2 slots available now.\n"
        )
        self._reply(200, body, "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.requests_seen.append(f"POST {self.path}")
        self._reply(self.status, self.payload, "application/json")

    def _reply(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_overpass():
    handler = type("Handler", (_FakeOverpass,), {"requests_seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def overpass_json() -> bytes:
    elements: list[dict] = [
        {"type": "node", "id": nid, "lat": lat, "lon": lon}
        for nid, (lat, lon, _) in NODES.items()
        if nid in ROAD_NODES
    ]
    elements += [
        {"type": "way", "id": wid, "nodes": refs, "tags": tags}
        for wid, (refs, tags) in WAYS.items()
        if "highway" in tags
    ]
    return json.dumps({"version": 0.6, "elements": elements}).encode()


def test_fetch_downloads_from_endpoint_and_restores_settings(
    fake_overpass, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a stray osmnx ./cache folder would show up here
    handler, endpoint = fake_overpass
    handler.payload = overpass_json()
    saved = (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache)

    G = fetch_graph(SENKATA_BBOX, endpoint=endpoint, timeout_s=10)

    assert set(G.nodes) == ROAD_NODES
    assert edge_set(G) == ROAD_EDGES
    assert G.edges[3, 4, 0]["oneway"] is True
    assert "POST /api/interpreter" in handler.requests_seen
    assert (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache) == saved
    assert list(tmp_path.iterdir()) == []


def test_fetch_wraps_server_errors(fake_overpass) -> None:
    handler, endpoint = fake_overpass
    handler.status = 400
    handler.payload = b"runtime error: bad query\nline two"
    saved = (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache)
    with pytest.raises(MapSourceError) as info:
        fetch_graph(SENKATA_BBOX, endpoint=endpoint, timeout_s=10)
    message = str(info.value)
    assert message.startswith(f"downloading the road network from {endpoint} failed: ")
    assert "\n" not in message
    assert (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache) == saved


def test_fetch_empty_result_means_no_roads(fake_overpass) -> None:
    handler, endpoint = fake_overpass
    handler.payload = b'{"version": 0.6, "elements": []}'
    expected = r"--bbox -68\.19,-16\.58,-68\.17,-16\.56: no drivable roads found there"
    with pytest.raises(MapSourceError, match=expected):
        fetch_graph(SENKATA_BBOX, endpoint=endpoint, timeout_s=10)


# ------------------------------------------------------------------------ real data

REAL_MAP = (
    Path(__file__).parents[2]
    / ".."
    / "shared"
    / "data"
    / "raw"
    / "derived"
    / "lapaz_elalto_pt_ways_2019.osm.gz"
)


@pytest.mark.skipif(not REAL_MAP.is_file(), reason=f"embedded La Paz map not found at {REAL_MAP}")
def test_embedded_la_paz_map_loads() -> None:
    G = read_osm_graph(REAL_MAP)
    assert G.number_of_nodes() == 6084
    assert G.number_of_edges() >= 9000
    assert all(isinstance(osmid, int) for *_, osmid in G.edges(data="osmid"))
    assert all(hw is not None for *_, hw in G.edges(data="highway"))
    assert all(length > 0 for *_, length in G.edges(data="length"))
    xs = [x for _, x in G.nodes(data="x")]
    ys = [y for _, y in G.nodes(data="y")]
    assert -68.3 < min(xs) < max(xs) < -68.0
    assert -16.7 < min(ys) < max(ys) < -16.4
