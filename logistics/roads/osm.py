"""Read road maps from files, or download them, as unsimplified osmnx graphs.

The planner routes on an osmnx-style :class:`networkx.MultiDiGraph`: nodes carry ``x``
(longitude) and ``y`` (latitude), edges carry at least ``osmid`` (the OSM way id),
``highway``, ``oneway``, ``reversed`` and ``length`` (metres), plus ``name`` and
``maxspeed`` where the way is tagged with them.

* :func:`read_osm_graph` reads a user-supplied file (OSM XML, optionally gzip/bzip2
  compressed, OSM PBF or GraphML) and works offline.
* :func:`fetch_graph` downloads the drivable network of a bounding box from the Overpass
  API; it checks first that the API can be reached at all, so that it fails within
  seconds when there is no internet connection instead of hanging.
* :func:`save_graphml` writes a graph for later use with ``--map FILE.graphml``.

Every failure the user can cause (missing or bad file, bad bounding box, no connection)
is raised as a one-line :class:`~logistics.model.errors.MapSourceError` that names the file or
option and says what was expected.
"""

from __future__ import annotations

import bz2
import gzip
import math
import socket
import tempfile
import threading
import xml.sax
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import osmium
import osmnx as ox
import requests

# osmnx does not re-export its exception classes; these are the ones its download and
# XML code raise for empty or refused responses.
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

from logistics.i18n import _, fmt_int
from logistics.model import MapSourceError
from logistics.roads.map_file import (
    MAX_MAP_BYTES,
    _kind_of,
    check_map_file,
    map_label,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MAX_MAP_BYTES",
    "MAX_MAP_XML_BYTES",
    "OVERPASS_URL",
    "check_map_file",
    "fetch_graph",
    "read_osm_graph",
    "save_graphml",
]

OVERPASS_URL: Final = "https://overpass-api.de/api"
"""Default Overpass API endpoint (the same one osmnx uses by default)."""

MAX_BBOX_AREA_DEG2: Final = 1.0
"""Largest bounding box :func:`fetch_graph` accepts, in square degrees."""

MAX_MAP_XML_BYTES: Final = 1_000_000_000
"""Most bytes a compressed ``.osm.gz`` / ``.osm.bz2`` may unpack to."""

# Errors that mean "this file is not what its name says" while parsing. ElementTree's
# ParseError is a SyntaxError; gzip/bz2 report bad data as OSError/EOFError; a way that
# references a node missing from the file surfaces as KeyError in osmnx; pyosmium
# reports bad PBF data as RuntimeError.
_PARSE_ERRORS: Final = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    TypeError,
    SyntaxError,
    RuntimeError,
    xml.sax.SAXException,
)

_DOWNLOAD_ERRORS: Final = (
    requests.RequestException,
    ResponseStatusCodeError,
    OSError,
    ValueError,
    KeyError,
)

# Serialises fetch_graph calls within one process, since they temporarily change
# osmnx's global settings (see fetch_graph).
_OX_SETTINGS_LOCK: Final = threading.Lock()


# --------------------------------------------------------------------------- files


def read_osm_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a road map file into an unsimplified, directed osmnx graph.

    The format is chosen from the file name:

    * ``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.xml``: OSM XML, read with
      :func:`osmnx.graph_from_xml` (``simplify=False, retain_all=True``).
    * ``.osm.pbf``, ``.pbf``: OSM PBF; its highway ways and the nodes they reference
      are copied with pyosmium into a temporary OSM XML file, which is then read as
      above.
    * ``.graphml``: a graph saved by :func:`save_graphml` / :func:`osmnx.save_graphml`,
      returned as stored (it may be simplified, i.e. have ``geometry`` on edges).

    From OSM files only ways tagged ``highway=*`` become edges, and only nodes on
    those ways are kept; buildings, land use and stand-alone points are dropped.
    One-way streets give edges in their direction only.

    Parameters
    ----------
    path
        The map file.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes with ``x`` (lon) and ``y`` (lat); edges with ``osmid`` (way id),
        ``highway``, ``oneway``, ``reversed``, ``length`` (metres) and, if tagged,
        ``name`` and ``maxspeed``.

    Raises
    ------
    MapSourceError
        If the file does not exist, has an unsupported name, cannot be parsed, or
        contains no highway ways.
    """
    file = check_map_file(path)
    label = map_label(path)
    kind = _kind_of(file)

    if kind == "graphml":
        G = _read_graphml(file, label)
    elif kind == "pbf":
        G = _read_pbf(file, label)
    else:
        G = _read_xml(file, label)

    if G.number_of_edges() == 0:
        msg = _("{file}: contains no highway ways; expected a road map with highway=* ways").format(
            file=label
        )
        raise MapSourceError(msg)
    return G


def _copy_bounded(src: Any, dst: IO[bytes], label: str) -> None:
    """Decompress at most :data:`MAX_MAP_XML_BYTES` (a compressed map may be a bomb)."""
    copied = 0
    while chunk := src.read(1 << 20):
        copied += len(chunk)
        if copied > MAX_MAP_XML_BYTES:
            msg = _("{label}: unpacks to more than {limit} bytes; expected a map of one city")
            raise MapSourceError(msg.format(label=label, limit=fmt_int(MAX_MAP_XML_BYTES)))
        dst.write(chunk)


def _one_line(exc: BaseException, limit: int = 200) -> str:
    """Return an exception's message squeezed onto one short line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_xml(file: Path, label: str) -> nx.MultiDiGraph:
    """Read OSM XML (plain, gzip or bzip2) and keep only highway ways."""
    # Compressed files are decompressed here, to a temporary file and at most
    # MAX_MAP_XML_BYTES (osmnx would decompress without a bound, and only by the exact
    # lower-case suffix).
    lower = file.name.lower()
    opener = gzip.open if lower.endswith(".gz") else bz2.open if lower.endswith(".bz2") else None
    try:
        if opener is not None:
            with tempfile.TemporaryDirectory(prefix="senkata-osm-") as tmp:
                plain = Path(tmp, "map.osm")
                with opener(file, "rb") as src, plain.open("wb") as dst:
                    _copy_bounded(src, dst, label)
                G = ox.graph_from_xml(plain, simplify=False, retain_all=True)
        else:
            G = ox.graph_from_xml(file, simplify=False, retain_all=True)
    except InsufficientResponseError:
        # osmnx raises this for a well-formed file without any nodes or ways
        msg = _("{file}: contains no highway ways; expected a road map with highway=* ways").format(
            file=label
        )
        raise MapSourceError(msg) from None
    except _PARSE_ERRORS as exc:
        msg = _(
            "{file}: cannot be parsed as OSM XML ({problem}); expected a valid "
            "OpenStreetMap XML file"
        ).format(file=label, problem=_one_line(exc))
        raise MapSourceError(msg) from exc
    return _keep_highways(G)


def _read_pbf(file: Path, label: str) -> nx.MultiDiGraph:
    """Copy a PBF's highway ways (and their nodes) to temporary OSM XML and read it."""
    try:
        with tempfile.TemporaryDirectory(prefix="senkata-osm-") as tmp:
            xml_path = Path(tmp, "highways.osm")
            # BackReferenceWriter writes the ways we hand it and, on close, adds every
            # node they reference from ref_src. Node tags are kept (remove_tags=False)
            # so that node attributes match what an XML export of the same data gives.
            # The format is forced to "pbf" so that ``.PBF`` names work too.
            ways = osmium.FileProcessor(osmium.io.File(str(file), "pbf"), osmium.osm.WAY)
            ways.with_filter(osmium.filter.KeyFilter("highway"))
            with osmium.BackReferenceWriter(
                str(xml_path), osmium.io.File(str(file), "pbf"), remove_tags=False
            ) as writer:
                for way in ways:
                    writer.add_way(way)
            G = ox.graph_from_xml(xml_path, simplify=False, retain_all=True)
    except InsufficientResponseError:
        msg = _("{file}: contains no highway ways; expected a road map with highway=* ways").format(
            file=label
        )
        raise MapSourceError(msg) from None
    except _PARSE_ERRORS as exc:
        msg = _(
            "{file}: cannot be parsed as OSM PBF ({problem}); expected a valid "
            "OpenStreetMap .osm.pbf file"
        ).format(file=label, problem=_one_line(exc))
        raise MapSourceError(msg) from exc
    return _keep_highways(G)


def _read_graphml(file: Path, label: str) -> nx.MultiDiGraph:
    """Load a GraphML file saved by osmnx, unchanged."""
    try:
        return ox.load_graphml(file)
    except _PARSE_ERRORS as exc:
        msg = _(
            "{file}: cannot be parsed as GraphML ({problem}); expected a graph saved by "
            "'senkata maps fetch --out' or osmnx.save_graphml"
        ).format(file=label, problem=_one_line(exc))
        raise MapSourceError(msg) from exc


def _keep_highways(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Drop edges of non-highway ways, then nodes left without any edge.

    ``osmnx.graph_from_xml`` turns *every* way in the file into edges (buildings too)
    and adds every node, even stand-alone points; the road network is the highway ways.
    """
    not_roads = [(u, v, k) for u, v, k, hw in G.edges(keys=True, data="highway") if hw is None]
    G.remove_edges_from(not_roads)
    G.remove_nodes_from([n for n, degree in G.degree() if degree == 0])
    return G


def save_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Save a graph as GraphML with :func:`osmnx.save_graphml`, creating parent folders.

    Parameters
    ----------
    G
        The graph, e.g. from :func:`fetch_graph`.
    path
        Where to write it; ``.graphml`` is the name :func:`read_osm_graph` expects.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(G, filepath=file)
    return file


# ------------------------------------------------------------------------ download


def fetch_graph(
    bbox: tuple[float, float, float, float],
    *,
    endpoint: str = OVERPASS_URL,
    timeout_s: float = 180.0,
    connect_timeout_s: float = 5.0,
) -> nx.MultiDiGraph:
    """Download the drivable road network inside a bounding box from Overpass.

    Uses :func:`osmnx.graph_from_bbox` with ``network_type="drive", simplify=False,
    retain_all=True``. Before that, a plain TCP connection to the endpoint is tried, so
    that without internet the call fails within about ``connect_timeout_s`` seconds.

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in degrees (WGS84); at most 1 square degree.
    endpoint
        Base URL of the Overpass API (``.../api``, without ``/interpreter``).
    timeout_s
        Timeout of the Overpass query and of each HTTP request, in seconds.
    connect_timeout_s
        How long the reachability check may take (name lookup included), in seconds.

    Returns
    -------
    networkx.MultiDiGraph
        The unsimplified drivable network, with the same attributes as
        :func:`read_osm_graph` gives.

    Raises
    ------
    MapSourceError
        If the bounding box is invalid, the endpoint cannot be reached, or the
        download fails or finds no roads.
    """
    west, south, east, north = _check_bbox(bbox)
    host, port = _endpoint_host_port(endpoint)
    _probe(host, port, connect_timeout_s)

    # This is the one place the package touches osmnx's global settings: graph_from_bbox
    # has no parameters for the endpoint or the timeout. fetch_graph is used by the CLI
    # only ('senkata maps fetch'), one download per process, so briefly changing the
    # globals is acceptable; the previous values are restored in `finally`, and a lock
    # keeps two fetches in one process from interleaving. read_osm_graph does not
    # depend on any of these settings. The disk cache is turned off so that a fetch
    # does not leave a ./cache folder behind in the user's working directory.
    with _OX_SETTINGS_LOCK:
        saved = (ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache)
        try:
            ox.settings.overpass_url = endpoint.rstrip("/")
            ox.settings.requests_timeout = timeout_s
            ox.settings.use_cache = False
            G = ox.graph_from_bbox(
                (west, south, east, north),
                network_type="drive",
                simplify=False,
                retain_all=True,
            )
        except InsufficientResponseError:
            msg = _no_roads_msg((west, south, east, north))
            raise MapSourceError(msg) from None
        except _DOWNLOAD_ERRORS as exc:
            msg = _("downloading the road network from {endpoint} failed: {problem}").format(
                endpoint=endpoint, problem=_one_line(exc)
            )
            raise MapSourceError(msg) from exc
        finally:
            ox.settings.overpass_url, ox.settings.requests_timeout, ox.settings.use_cache = saved

    if G.number_of_edges() == 0:
        msg = _no_roads_msg((west, south, east, north))
        raise MapSourceError(msg)
    return G


def _fmt_bbox(values: tuple[float, float, float, float]) -> str:
    """Format a validated bounding box as ``W,S,E,N``, the way ``--bbox`` takes it."""
    return ",".join(f"{v:g}" for v in values)


def _no_roads_msg(values: tuple[float, float, float, float]) -> str:
    """Message for a bounding box in which Overpass found no drivable roads."""
    return _(
        "--bbox {bbox}: no drivable roads found there; expected a box that contains roads"
    ).format(bbox=_fmt_bbox(values))


def _check_bbox(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Validate ``(west, south, east, north)`` and return it as floats."""
    expected = _(
        "expected WEST,SOUTH,EAST,NORTH in degrees with west < east, south < north, "
        "longitudes in [-180, 180], latitudes in [-90, 90] and an area of at most "
        "{max} square degree"
    ).format(max=f"{MAX_BBOX_AREA_DEG2:g}")
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        msg = _("--bbox {bbox}: not four numbers; {expected}").format(
            bbox=repr(bbox), expected=expected
        )
        raise MapSourceError(msg) from None
    where = f"--bbox {_fmt_bbox((west, south, east, north))}"
    problem = None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        problem = _("not all values are finite numbers")
    elif not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        problem = _("longitude out of range")
    elif not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        problem = _("latitude out of range")
    elif west >= east:
        problem = _("west ({west}) is not less than east ({east})").format(
            west=f"{west:g}", east=f"{east:g}"
        )
    elif south >= north:
        problem = _("south ({south}) is not less than north ({north})").format(
            south=f"{south:g}", north=f"{north:g}"
        )
    elif (east - west) * (north - south) > MAX_BBOX_AREA_DEG2:
        problem = _("area {area} square degrees is too large").format(
            area=f"{(east - west) * (north - south):g}"
        )
    if problem is not None:
        msg = f"{where}: {problem}; {expected}"
        raise MapSourceError(msg)
    return west, south, east, north


def _endpoint_host_port(endpoint: str) -> tuple[str, int]:
    """Return the host and TCP port of an http(s) endpoint URL."""
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        port = None
        host = None
    else:
        host = parts.hostname
    if parts.scheme not in {"http", "https"} or not host:
        msg = _("Overpass endpoint {endpoint}: not a valid URL; expected {form}").format(
            endpoint=repr(endpoint), form="http(s)://HOST[:PORT]/api"
        )
        raise MapSourceError(msg)
    return host, port or (443 if parts.scheme == "https" else 80)


def _probe(host: str, port: int, timeout_s: float) -> None:
    """Open and close a TCP connection to ``host:port``; raise MapSourceError if it fails.

    ``socket.create_connection`` bounds the connect itself by ``timeout_s`` but not the
    name lookup before it, which can block far longer when the configured DNS server is
    unreachable. The attempt therefore runs in a daemon thread that is waited for at
    most a little longer than ``timeout_s``.
    """
    outcome: list[OSError | None] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                pass
        except OSError as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=attempt, name="overpass-probe", daemon=True)
    worker.start()
    worker.join(timeout_s + 0.5)
    if not outcome or outcome[0] is not None:
        msg = _(
            "cannot reach the Overpass API at {host}:{port} (no internet connection?); "
            "'senkata maps fetch' needs internet — offline, pass a map file instead "
            "(--map FILE.osm/.osm.pbf/.graphml)"
        ).format(host=host, port=port)
        raise MapSourceError(msg)
