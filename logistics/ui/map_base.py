"""Map layers of the map itself, from our own data only: roads, assumed links, areas.

Every layer is a :mod:`pydeck` layer with a stable ``id`` (``roads``, ``areas`` ...; see
:data:`~logistics.ui.style.LAYER_ORDER`), so the app can read clicks on it and the browser
test can wait for it. Nothing in the map modules talks to Streamlit: they take the
planner's objects (network, problem, plan) and return plain lists of dicts and layers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pydeck as pdk
import shapely
from scipy.spatial import cKDTree

from logistics.demand import norm_area
from logistics.i18n import _, fmt_int
from logistics.model import Eligibility
from logistics.roads import (
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_NAMES,
    KIND_RETURN,
    KIND_ROAD,
    RoadNetwork,
)
from logistics.ui.style import (
    AREA_LINE,
    ASSUMED_COLOUR,
    EXCLUDED_FILL,
    EXCLUDED_LINE,
    RETURN_COLOUR,
    ROAD_COLOUR,
    _r,
    simplify_path,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd


# Sizes are in metres with pixel clamps (``*_min_pixels``), never ``*_units="pixels"``:
# SwiftShader (software WebGL, as in headless Chromium and GPU-less laptops) draws pixel-unit
# scatter and path layers as one flat fill over the whole map.


# ------------------------------------------------------------------- colours


# -------------------------------------------------------------------- roads
def _chains(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Join undirected node pairs into polylines (split where three or more roads meet)."""
    adj: dict[int, list[int]] = defaultdict(list)
    for u, v in pairs:
        adj[u].append(v)
        adj[v].append(u)
    used: set[tuple[int, int]] = set()
    out: list[list[int]] = []

    def walk(a: int, b: int) -> list[int]:
        line = [a, b]
        used.add((min(a, b), max(a, b)))
        while len(adj[line[-1]]) == 2:
            nxt = [n for n in adj[line[-1]] if (min(n, line[-1]), max(n, line[-1])) not in used]
            if not nxt:
                break
            used.add((min(nxt[0], line[-1]), max(nxt[0], line[-1])))
            line.append(nxt[0])
        return line

    ends = [n for n, nb in adj.items() if len(nb) != 2]
    for n in sorted(ends) + sorted(adj):  # then whatever is left: closed loops
        for m in adj[n]:
            if (min(n, m), max(n, m)) not in used:
                out.append(walk(n, m))
    return out


#: An unnamed road is called after the nearest named road within this distance (m).
NEAR_NAMED_M = 400.0


def _nearest_named(net: RoadNetwork) -> tuple[cKDTree | None, list[str]]:
    """A tree over the middles of named OSM road edges, and their names."""
    named = [e for e in np.flatnonzero(net.edge_kind == KIND_ROAD).tolist() if net.edge_name[e]]
    if not named:
        return None, []
    u, v = net.edge_u[named], net.edge_v[named]
    mid = np.column_stack([(net.x[u] + net.x[v]) / 2, (net.y[u] + net.y[v]) / 2])
    return cKDTree(mid), [net.edge_name[e] for e in named]


def _area_finder(areas: Sequence[Mapping[str, Any]] | None) -> Any:
    """``(lon, lat) -> area label or None`` over :func:`area_shapes` rows."""
    if not areas:
        return lambda lon, lat: None
    polys = [shapely.Polygon(a["polygon"]) for a in areas]
    labels = [
        f"{a['municipality']} / {a['name']}" if a.get("municipality") else str(a["name"])
        for a in areas
    ]
    tree = shapely.STRtree(polys)

    def find(lon: float, lat: float) -> str | None:
        hits = tree.query(shapely.Point(lon, lat), predicate="within")
        return labels[int(min(hits))] if len(hits) else None

    return find


def road_chunks(
    net: RoadNetwork,
    kinds: Iterable[int] = (KIND_ROAD,),
    *,
    max_segments: int = 8,
    areas: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Road geometry as short pickable polylines, one OSM way piece each.

    Each undirected edge is drawn once; a way's edges are chained into polylines and cut
    into pieces of at most ``max_segments`` segments, so clicking a road gives a place
    (the piece's middle node) precise enough to put a blockade on. A piece of a way with
    no name in OSM is called after the nearest named road ("near" it within
    :data:`NEAR_NAMED_M`, else how far from it), so a person reads a place, never a bare
    OSM id.

    Parameters
    ----------
    areas
        :func:`area_shapes` rows: each piece's tooltip then says the area it lies in.

    Returns
    -------
    list of dict
        ``path`` ([lon, lat] pairs, simplified for drawing), ``way`` (OSM way id, -1 for
        assumed links), ``lon``/``lat`` (the middle vertex of ``path``, a road node: where
        a blockade goes),
        ``name`` (the road's name, or "unnamed road near ...") and ``tip`` (tooltip: name,
        kind, length, area, in the current language; the OSM way id stays in ``way``, off
        the words people read).
    """
    want = np.isin(net.edge_kind, np.asarray(list(kinds)))
    by_way: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    names: dict[tuple[int, int], str] = {}
    for e in np.flatnonzero(want):
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        key = (int(net.edge_way[e]), int(net.edge_kind[e]))
        by_way[key].add((min(u, v), max(u, v)))
        names.setdefault(key, net.edge_name[e])
    tree, tree_names = _nearest_named(net)
    area_at = _area_finder(areas)
    out: list[dict[str, Any]] = []
    for (way, kind), pairs in sorted(by_way.items()):
        for chain in _chains(sorted(pairs)):
            for s in range(0, len(chain) - 1, max_segments):
                piece = chain[s : s + max_segments + 1]
                xs, ys = net.x[piece], net.y[piece]
                length = float(np.hypot(np.diff(xs), np.diff(ys)).sum())
                name = names[(way, kind)]
                if not name:
                    dist, k = (np.inf, 0) if tree is None else tree.query([xs.mean(), ys.mean()])
                    if tree is None:
                        name = _("unnamed road")
                    elif dist <= NEAR_NAMED_M:
                        name = _("unnamed road near {road}").format(road=tree_names[int(k)])
                    else:
                        name = _("unnamed road ({metres} m from {road})").format(
                            metres=fmt_int(round(dist, -1)), road=tree_names[int(k)]
                        )
                if kind == KIND_ROAD:
                    tip = _("{name}, {metres} m").format(name=name, metres=fmt_int(length))
                else:
                    tip = _("{name} (ASSUMED {kind}, not in OSM), {metres} m").format(
                        name=name, kind=_(KIND_NAMES.get(kind, "road")), metres=fmt_int(length)
                    )
                path = simplify_path([[net.lon[n], net.lat[n]] for n in piece])
                # the place a click offers: the drawn path's middle vertex (a road node),
                # so the browser reads it from the path and needs no lon/lat of its own
                lon, lat = path[len(path) // 2]
                area = area_at(lon, lat)
                out.append(
                    {
                        "path": path,
                        "way": way,
                        "lon": lon,
                        "lat": lat,
                        "name": name,
                        "tip": f"{tip} · {area}" if area else tip,
                    }
                )
    return out


def assumed_chunks(net: RoadNetwork) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Assumed links as pieces: (connectors and plant access, return carriageways)."""
    links = road_chunks(net, (KIND_CONNECTOR, KIND_ACCESS))
    returns = road_chunks(net, (KIND_RETURN,), max_segments=50)
    return links, returns


def roads_layer(chunks: list[dict[str, Any]]) -> pdk.Layer:
    """Grey, pickable road pieces (click one to put a blockade on it).

    ``lon``/``lat`` stay on the server: a pick reads the path's middle vertex instead
    (:func:`~logistics.ui.deck.pick_from_selection`), a smaller page.
    """
    return pdk.Layer(
        "PathLayer",
        id="roads",
        data=[{k: c[k] for k in ("path", "way", "name", "tip")} for c in chunks],
        get_path="path",
        get_color=ROAD_COLOUR,
        get_width=12,
        width_max_pixels=5,
        width_min_pixels=2,
        cap_rounded=True,
        pickable=True,
        auto_highlight=True,
    )


def assumed_layers(links: list[dict[str, Any]], returns: list[dict[str, Any]]) -> list[pdk.Layer]:
    """Assumed links, dashed: connectors / plant access (orange) and return carriageways."""
    dash = [{"@@type": "PathStyleExtension", "dash": True}]
    return [
        pdk.Layer(
            "PathLayer",
            id="assumed-returns",
            data=[{"path": c["path"]} for c in returns],  # not pickable: the lines only
            get_path="path",
            get_color=RETURN_COLOUR,
            get_width=5,
            width_min_pixels=1,
            get_dash_array=[3, 3],
            dash_justified=True,
            extensions=dash,
            pickable=False,
        ),
        pdk.Layer(
            "PathLayer",
            id="assumed-links",
            data=links,
            get_path="path",
            get_color=ASSUMED_COLOUR,
            get_width=15,
            width_min_pixels=4,
            get_dash_array=[2, 1.5],
            dash_justified=True,
            extensions=dash,
            pickable=True,
        ),
    ]


# -------------------------------------------------------------------- areas
def area_excluded(row: Mapping[str, Any], eligibility: Eligibility) -> bool:
    """Whether every point of an area row is excluded by the scenario's eligibility.

    The same name rules as :mod:`logistics.demand`: an exclusion of the zone, its
    macrodistrict / district or its municipality excludes it; an ``eligible`` list, when
    given, excludes what it does not name.
    """
    own = {
        norm_area(str(row[c]))
        for c in ("name", "district", "zone", "municipality")
        if isinstance(row.get(c), str) and row.get(c)
    }
    if own & {norm_area(n) for n in eligibility.excluded}:
        return True
    if eligibility.eligible is not None:
        return not own & {norm_area(n) for n in eligibility.eligible}
    return False


def _rings(geom: Any) -> list[list[list[float]]]:
    """Outer rings of a (multi)polygon, rounded, for a PolygonLayer."""
    polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    out = []
    for p in polys:
        if p.is_empty or p.geom_type != "Polygon":
            continue
        out.append([[_r(x), _r(y)] for x, y in p.exterior.coords])
    return out


def area_shapes(frame: gpd.GeoDataFrame, *, tolerance_deg: float = 0.0002) -> list[dict]:
    """Simplified outlines of every populated area (El Alto districts, La Paz zones).

    ``tolerance_deg`` of 0.0002 (about 20 m) keeps the outlines recognisable at city zoom
    while cutting the page size fivefold.
    """
    out = []
    simple = shapely.simplify(frame.geometry.values, tolerance_deg, preserve_topology=True)
    for (_row, row), geom in zip(frame.iterrows(), simple, strict=True):
        zone = row["zone"] if isinstance(row["zone"], str) else None
        label = (
            _("{municipality} / {district} / zone {zone}").format(
                municipality=row["municipality"], district=row["district"], zone=zone
            )
            if zone
            else f"{row['municipality']} / {row['district']}"
        )
        for ring in _rings(geom):
            out.append(
                {
                    "polygon": ring,
                    "name": str(row["name"]),
                    "district": str(row["district"]),
                    "zone": zone,
                    "municipality": str(row["municipality"]),
                    "tip": _("area: {name}").format(name=label),
                }
            )
    return out


def _coarse(ring: Sequence[Sequence[float]]) -> list[list[float]]:
    """An area outline at four decimals of a degree (about 11 m): the outlines are already
    simplified to 20 m, and the finer digits only made the page heavier."""
    return [[round(float(x), 4), round(float(y), 4)] for x, y in ring]


def area_layers(shapes: list[dict], eligibility: Eligibility) -> list[pdk.Layer]:
    """Faint outlines of all areas, and the excluded ones shaded red.

    Excluded polygons given in the scenario (``eligibility.excluded_polygons``) are shaded
    too.
    """
    excluded = [
        dict(s, tip=s["tip"] + " (" + _("EXCLUDED") + ")")
        for s in shapes
        if area_excluded(s, eligibility)
    ]
    for ep in eligibility.excluded_polygons:
        excluded.append(
            {
                "polygon": [[_r(x), _r(y)] for x, y in ep.coordinates],
                "name": ep.name,
                "tip": _("excluded polygon: {name}").format(name=ep.name),
            }
        )
    # the layers are not pickable: the browser needs the outlines only, not the names
    outlines = [{"polygon": _coarse(s["polygon"])} for s in shapes]
    shaded = [{"polygon": _coarse(s["polygon"])} for s in excluded]
    return [
        pdk.Layer(
            "PolygonLayer",
            id="areas",
            data=outlines,
            get_polygon="polygon",
            get_fill_color=[120, 120, 200, 8],
            get_line_color=AREA_LINE,
            line_width_min_pixels=1,
            stroked=True,
            filled=True,
            # Not pickable: a pickable polygon under everything swallows the clicks meant
            # for the points and roads on top of it in Streamlit's selection handler.
            pickable=False,
        ),
        pdk.Layer(
            "PolygonLayer",
            id="excluded-areas",
            data=shaded,
            get_polygon="polygon",
            get_fill_color=EXCLUDED_FILL,
            get_line_color=EXCLUDED_LINE,
            line_width_min_pixels=2,
            stroked=True,
            filled=True,
            pickable=False,
        ),
    ]
