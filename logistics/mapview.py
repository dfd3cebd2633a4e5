"""Map layers for the app, drawn from our own data only (no tile server needed).

Every layer is a :mod:`pydeck` layer with a stable ``id`` (``roads``, ``routes`` ...), so
the app can read clicks on it and the browser test can wait for it. Nothing here talks to
Streamlit: the functions take the planner's objects (network, problem, plan) and return
plain lists of dicts, layers and a :class:`CompactDeck`.

Colours
-------
* roads: grey; assumed connectors and plant-access links: orange, dashed; assumed return
  carriageways: thin dashed amber;
* distribution points: coloured by district / macrodistrict; excluded points grey with a
  red outline; points cut off by a blockade black with a white ``X``; points without a
  guard commission faded with a purple outline;
* blockades: red (closed) or amber (permit) circles of their radius, the road edges they
  touch drawn thick in the same colour, and a marker at their centre;
* excluded areas: red, semi-transparent;
* trips: one colour per truck.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pydeck as pdk
import shapely

from logistics.demand import norm_area
from logistics.network import (
    _TO_METRIC,
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_NAMES,
    KIND_RETURN,
    KIND_ROAD,
    RoadNetwork,
)
from logistics.scenario import Eligibility, format_hhmm

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from logistics.plan import Plan
    from logistics.problem import Problem

Colour = list[int]

# Sizes are in metres with pixel clamps (``*_min_pixels``), never ``*_units="pixels"``:
# SwiftShader (software WebGL, as in headless Chromium and GPU-less laptops) draws pixel-unit
# scatter and path layers as one flat fill over the whole map.

ROAD_COLOUR: Colour = [140, 140, 140, 255]
ASSUMED_COLOUR: Colour = [255, 120, 0, 255]
RETURN_COLOUR: Colour = [230, 170, 30, 200]
CLOSED_COLOUR: Colour = [200, 0, 0, 255]
PERMIT_COLOUR: Colour = [255, 170, 0, 255]
EXCLUDED_FILL: Colour = [220, 30, 30, 60]
EXCLUDED_LINE: Colour = [200, 0, 0, 200]
AREA_LINE: Colour = [90, 90, 140, 90]
PLANT_COLOUR: Colour = [25, 25, 112, 255]
ONLY_A_COLOUR: Colour = [220, 20, 60, 255]
ONLY_B_COLOUR: Colour = [0, 150, 70, 255]

#: Distinct colours for districts (Tableau 20, dark halves first, without its greys: grey
#: means an excluded point).
GROUP_PALETTE: list[Colour] = [
    [31, 119, 180],
    [44, 160, 44],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [23, 190, 207],
    [188, 189, 34],
    [255, 127, 14],
    [214, 39, 40],
    [174, 199, 232],
    [152, 223, 138],
    [197, 176, 213],
    [196, 156, 148],
    [247, 182, 210],
    [158, 218, 229],
    [219, 219, 141],
    [255, 187, 120],
    [255, 152, 150],
]

#: Saturated colours for trips (one per truck, cycling); none of them grey like the roads.
TRIP_PALETTE: list[Colour] = [
    [230, 25, 75],
    [60, 180, 75],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 200, 220],
    [240, 50, 230],
    [150, 200, 20],
    [0, 128, 128],
    [170, 110, 40],
    [128, 0, 0],
    [0, 0, 128],
    [128, 128, 0],
    [255, 200, 0],
    [100, 60, 255],
    [255, 90, 150],
]

#: Layer ids, bottom to top. The browser test waits for ``routes``.
LAYER_ORDER = (
    "areas",
    "excluded-areas",
    "roads",
    "assumed-returns",
    "assumed-links",
    "blockade-roads",
    "routes",
    "blockade-zones",
    "points",
    "unreachable-marks",
    "plan-stops",
    "plant",
    "blockade-markers",
    "labels",
    "only-a",
    "only-b",
)

#: Point status -> (fill, outline); ``None`` fill means "the point's group colour".
_STATUS_STYLE: dict[str, tuple[Colour | None, Colour]] = {
    "routable": (None, [30, 30, 30, 255]),
    "excluded-zone": ([170, 170, 170, 150], [220, 0, 0, 255]),
    "unreachable-blockade": ([15, 15, 15, 255], [255, 255, 255, 255]),
    "unreachable-map": ([15, 15, 15, 255], [255, 255, 255, 255]),
    "no-guard": (None, [150, 0, 200, 255]),
}


def _r(x: float) -> float:
    """Five decimals of a degree is about 1 m: enough for a map, and a smaller page."""
    return round(float(x), 5)


#: Drawn paths drop vertices that move them by less than this (degrees, about 1.5 m): the
#: unsimplified graph has a node every few metres, which would make the page megabytes.
DRAW_TOLERANCE_DEG = 0.000015


def simplify_path(coords: Sequence[Sequence[float]], tol: float = DRAW_TOLERANCE_DEG) -> list:
    """``[lon, lat]`` pairs with near-collinear vertices dropped (ends kept), rounded."""
    if len(coords) <= 2:
        return [[_r(x), _r(y)] for x, y in coords]
    line = shapely.simplify(shapely.LineString(coords), tol, preserve_topology=False)
    return [[_r(x), _r(y)] for x, y in line.coords]


# ------------------------------------------------------------------- colours
def group_colours(groups: Iterable[str]) -> dict[str, Colour]:
    """A stable colour per reporting group (sorted names, so every page agrees).

    Parameters
    ----------
    groups
        Group names such as ``"El Alto / Distrito 8"``; repeats are fine.
    """
    names = sorted(set(groups))
    return {g: list(GROUP_PALETTE[k % len(GROUP_PALETTE)]) for k, g in enumerate(names)}


def trip_colour(truck_index: int) -> Colour:
    """Colour of every trip of the ``truck_index``-th truck of a plan."""
    return list(TRIP_PALETTE[truck_index % len(TRIP_PALETTE)])


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


def road_chunks(
    net: RoadNetwork, kinds: Iterable[int] = (KIND_ROAD,), *, max_segments: int = 8
) -> list[dict[str, Any]]:
    """Road geometry as short pickable polylines, one OSM way piece each.

    Each undirected edge is drawn once; a way's edges are chained into polylines and cut
    into pieces of at most ``max_segments`` segments, so clicking a road gives a place
    (the piece's middle node) precise enough to put a blockade on.

    Returns
    -------
    list of dict
        ``path`` ([lon, lat] pairs, simplified for drawing), ``way`` (OSM way id, -1 for
        assumed links), ``lon``/``lat`` (the piece's middle node, where a blockade goes) and
        ``tip`` (tooltip: name, way, kind, length).
    """
    want = np.isin(net.edge_kind, np.asarray(list(kinds)))
    by_way: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    names: dict[tuple[int, int], str] = {}
    for e in np.flatnonzero(want):
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        key = (int(net.edge_way[e]), int(net.edge_kind[e]))
        by_way[key].add((min(u, v), max(u, v)))
        names.setdefault(key, net.edge_name[e] or "unnamed road")
    out: list[dict[str, Any]] = []
    for (way, kind), pairs in sorted(by_way.items()):
        for chain in _chains(sorted(pairs)):
            for s in range(0, len(chain) - 1, max_segments):
                piece = chain[s : s + max_segments + 1]
                mid = piece[len(piece) // 2]
                xs, ys = net.x[piece], net.y[piece]
                length = float(np.hypot(np.diff(xs), np.diff(ys)).sum())
                label = KIND_NAMES.get(kind, "road")
                name = names[(way, kind)]
                way_txt = f"OSM way {way}" if way >= 0 else "no OSM way"
                tip = f"{name} ({way_txt}, {label})"
                if kind != KIND_ROAD:
                    tip = f"ASSUMED {label}: {tip}"
                out.append(
                    {
                        "path": simplify_path([[net.lon[n], net.lat[n]] for n in piece]),
                        "way": way,
                        "lon": _r(net.lon[mid]),
                        "lat": _r(net.lat[mid]),
                        "tip": f"{tip}, {length:,.0f} m",
                    }
                )
    return out


def assumed_chunks(net: RoadNetwork) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Assumed links as pieces: (connectors and plant access, return carriageways)."""
    links = road_chunks(net, (KIND_CONNECTOR, KIND_ACCESS))
    returns = road_chunks(net, (KIND_RETURN,), max_segments=50)
    return links, returns


def roads_layer(chunks: list[dict[str, Any]]) -> pdk.Layer:
    """Grey, pickable road pieces (click one to put a blockade on it)."""
    return pdk.Layer(
        "PathLayer",
        id="roads",
        data=chunks,
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
            data=returns,
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
    for (_, row), geom in zip(frame.iterrows(), simple, strict=True):
        zone = row["zone"] if isinstance(row["zone"], str) else None
        label = (
            f"{row['municipality']} / {row['district']} / zone {zone}"
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
                    "tip": f"area: {label}",
                }
            )
    return out


def area_layers(shapes: list[dict], eligibility: Eligibility) -> list[pdk.Layer]:
    """Faint outlines of all areas, and the excluded ones shaded red.

    Excluded polygons given in the scenario (``eligibility.excluded_polygons``) are shaded
    too.
    """
    excluded = [
        dict(s, tip=s["tip"] + " (EXCLUDED)") for s in shapes if area_excluded(s, eligibility)
    ]
    for ep in eligibility.excluded_polygons:
        excluded.append(
            {
                "polygon": [[_r(x), _r(y)] for x, y in ep.coordinates],
                "name": ep.name,
                "tip": f"excluded polygon: {ep.name}",
            }
        )
    return [
        pdk.Layer(
            "PolygonLayer",
            id="areas",
            data=shapes,
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
            data=excluded,
            get_polygon="polygon",
            get_fill_color=EXCLUDED_FILL,
            get_line_color=EXCLUDED_LINE,
            line_width_min_pixels=2,
            stroked=True,
            filled=True,
            pickable=False,
        ),
    ]


# ------------------------------------------------------------------- points
def point_status(problem: Problem) -> dict[str, str]:
    """Point id -> ``routable`` or the reason decided before routing."""
    return {p.id: problem.pre_unserved.get(p.id, "routable") for p in problem.points}


def points_data(problem: Problem, colours: Mapping[str, Colour] | None = None) -> list[dict]:
    """Distribution points and priority sites with their colours and tooltips."""
    status = point_status(problem)
    colours = colours or group_colours(p.group for p in problem.points)
    out = []
    for p in problem.points:
        st_ = status[p.id]
        fill, line = _STATUS_STYLE.get(st_, (None, [0, 0, 0, 255]))
        base = list(colours.get(p.group, [100, 100, 100]))[:3]
        if fill is None:
            fill = base + ([90] if st_ == "no-guard" else [235])
        why = st_ if st_ != "excluded-zone" else f"excluded ({p.excluded_by})"
        tip = f"{p.name} [{p.id}] · {p.group}" + (f" / {p.zone}" if p.zone else "")
        tip += f" · ration {p.ration:,} · {why}"
        out.append(
            {
                "id": p.id,
                "name": p.name,
                "group": p.group,
                "zone": p.zone,
                "ration": int(p.ration),
                "priority": bool(p.priority),
                "status": st_,
                "lon": _r(p.lon),
                "lat": _r(p.lat),
                "fill": fill,
                "line": line,
                "radius": 110 if p.priority else 70,
                "tip": tip,
            }
        )
    return out


def point_layers(points: list[dict]) -> list[pdk.Layer]:
    """Points (pickable) and a white ``X`` on those cut off by blockades or the map."""
    cut = [dict(p, mark="X") for p in points if p["status"].startswith("unreachable")]
    return [
        pdk.Layer(
            "ScatterplotLayer",
            id="points",
            data=points,
            get_position=["lon", "lat"],
            get_fill_color="fill",
            get_line_color="line",
            get_radius="radius",
            radius_min_pixels=5,
            stroked=True,
            line_width_min_pixels=2,
            pickable=True,
            auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer",
            id="unreachable-marks",
            data=cut,
            get_position=["lon", "lat"],
            get_text="mark",
            get_size=12,
            get_color=[255, 255, 255, 255],
            font_weight=700,
            pickable=False,
        ),
    ]


def plant_layers(lon: float, lat: float, name: str) -> list[pdk.Layer]:
    """A big dark-blue marker and a label at the plant."""
    data = [{"lon": _r(lon), "lat": _r(lat), "name": name, "tip": f"{name} (loading and reloads)"}]
    return [
        pdk.Layer(
            "ScatterplotLayer",
            id="plant",
            data=data,
            get_position=["lon", "lat"],
            get_fill_color=PLANT_COLOUR,
            get_line_color=[255, 255, 255, 255],
            get_radius=220,
            radius_min_pixels=10,
            stroked=True,
            line_width_min_pixels=3,
            pickable=True,
        ),
        pdk.Layer(
            "TextLayer",
            id="labels",
            data=[dict(data[0], label="Senkata plant")],
            get_position=["lon", "lat"],
            get_text="label",
            get_size=15,
            get_color=PLANT_COLOUR,
            get_pixel_offset=[0, -26],
            font_weight=700,
            background=True,
            get_background_color=[255, 255, 255, 210],
            pickable=False,
        ),
    ]


# ---------------------------------------------------------------- blockades
def blockades_data(problem: Problem) -> tuple[list[dict], list[dict], list[dict]]:
    """Blockade circles, their marker positions and the road edges they touch.

    Returns
    -------
    (zones, markers, roads)
        ``zones``: circle blockades (``radius_m``); ``markers``: one per blockade (the
        circle's centre, or the middle of a way blockade's edges); ``roads``: the touched
        edges as paths. Every entry carries the blockade ``id`` so a click can lift it.
    """
    net = problem.net
    zones, markers, roads = [], [], []
    for eff in problem.blockades:
        b = eff.blockade
        colour = CLOSED_COLOUR if b.status == "closed" else PERMIT_COLOUR
        what = "CLOSED" if b.status == "closed" else f"permit, {b.delay_minutes:g} min checkpoint"
        when = f", {b.window.start}-{b.window.end}" if b.window else ""
        tip = f"blockade {b.id}: {b.name or ''} ({what}{when}); touches {len(eff.edges)} edges"
        if b.lat is not None and b.lon is not None:
            lon, lat = b.lon, b.lat
            zones.append(
                {
                    "id": b.id,
                    "lon": _r(lon),
                    "lat": _r(lat),
                    "radius_m": float(b.radius_m or 0),
                    "fill": colour[:3] + [70],
                    "line": colour,
                    "tip": tip,
                }
            )
        elif len(eff.edges):
            nodes = np.concatenate([net.edge_u[eff.edges], net.edge_v[eff.edges]])
            mid = nodes[len(nodes) // 2]
            lon, lat = float(net.lon[mid]), float(net.lat[mid])
        else:  # pragma: no cover - build_problem rejects a blockade touching nothing
            continue
        markers.append({"id": b.id, "lon": _r(lon), "lat": _r(lat), "fill": colour, "tip": tip})
        seen: set[tuple[int, int]] = set()
        for e in eff.edges:
            u, v = int(net.edge_u[e]), int(net.edge_v[e])
            if (min(u, v), max(u, v)) in seen:
                continue
            seen.add((min(u, v), max(u, v)))
            roads.append(
                {
                    "id": b.id,
                    "path": [[_r(net.lon[u]), _r(net.lat[u])], [_r(net.lon[v]), _r(net.lat[v])]],
                    "color": colour,
                }
            )
    return zones, markers, roads


def blockade_layers(problem: Problem) -> list[pdk.Layer]:
    """Red (closed) / amber (permit) circles, touched roads and pickable centre markers."""
    zones, markers, roads = blockades_data(problem)
    return [
        pdk.Layer(
            "PathLayer",
            id="blockade-roads",
            data=roads,
            get_path="path",
            get_color="color",
            get_width=25,
            width_min_pixels=6,
            cap_rounded=True,
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="blockade-zones",
            data=zones,
            get_position=["lon", "lat"],
            get_radius="radius_m",
            radius_min_pixels=3,
            get_fill_color="fill",
            get_line_color="line",
            stroked=True,
            line_width_min_pixels=2,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="blockade-markers",
            data=markers,
            get_position=["lon", "lat"],
            get_fill_color="fill",
            get_line_color=[0, 0, 0, 255],
            get_radius=70,
            radius_min_pixels=7,
            stroked=True,
            line_width_min_pixels=2,
            pickable=True,
        ),
    ]


# -------------------------------------------------------------------- plans
def trips_data(plan: Plan, net: RoadNetwork) -> tuple[list[dict], list[dict]]:
    """Trip paths on their roads (one colour per truck) and the stops they make."""
    index = {t.truck_id: k for k, t in enumerate(plan.trucks_used)}
    paths, stops = [], []
    for truck, trip in plan.trips():
        colour = trip_colour(index.get(truck.truck_id, 0))
        coords: list[list[float]] = []
        for leg in trip.legs:
            pts = net.path_coords(leg.nodes)
            coords += pts if not coords else pts[1:]
        label = f"truck {truck.truck_id} ({truck.commission_id}) trip {trip.trip_no}"
        paths.append(
            {
                "path": simplify_path(coords),
                "truck": truck.truck_id,
                "trip": trip.trip_no,
                "cylinders": trip.loaded,
                "color": colour,
                "tip": f"{label}: {trip.loaded} cylinders, {trip.km:.1f} km, "
                f"{format_hhmm(trip.depart)}-{format_hhmm(trip.back)}",
            }
        )
        for s in trip.stops:
            stops.append(
                {
                    "lon": _r(s.lon),
                    "lat": _r(s.lat),
                    "color": colour,
                    "tip": f"{label}: {s.cylinders} cylinders at {s.name} "
                    f"({format_hhmm(s.arrive)})",
                }
            )
    return paths, stops


def route_layers(plan: Plan, net: RoadNetwork) -> list[pdk.Layer]:
    """Trips as coloured paths (not pickable, so clicks reach the roads below) and stops."""
    paths, stops = trips_data(plan, net)
    return [
        pdk.Layer(
            "PathLayer",
            id="routes",
            data=paths,
            get_path="path",
            get_color="color",
            get_width=12,
            width_max_pixels=6,
            width_min_pixels=2,
            joint_rounded=True,
            opacity=0.8,
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="plan-stops",
            data=stops,
            get_position=["lon", "lat"],
            get_fill_color=[255, 255, 255, 255],
            get_line_color="color",
            get_radius=30,
            radius_min_pixels=3,
            stroked=True,
            line_width_min_pixels=2,
            pickable=True,
        ),
    ]


def pair_paths(
    net: RoadNetwork, pairs: Iterable[tuple[int, int]], colour: Colour, what: str
) -> list[dict]:
    """Paths for OSM node pairs (roads driven in one plan only), for the comparison map."""
    out = []
    for a, b in pairs:
        try:
            u, v = net.node_index(a), net.node_index(b)
        except KeyError:
            continue
        out.append(
            {
                "path": [[_r(net.lon[u]), _r(net.lat[u])], [_r(net.lon[v]), _r(net.lat[v])]],
                "color": colour,
                "tip": what,
            }
        )
    return out


def pairs_layer(layer_id: str, data: list[dict]) -> pdk.Layer:
    """A plain coloured path layer for :func:`pair_paths` data."""
    return pdk.Layer(
        "PathLayer",
        id=layer_id,
        data=data,
        get_path="path",
        get_color="color",
        get_width=15,
        width_min_pixels=4,
        pickable=True,
    )


# --------------------------------------------------------------------- deck
#: Clicks and hovers pick anything within this many pixels (roads are 2-5 px wide).
PICKING_RADIUS_PX = 6


class CompactDeck(pdk.Deck):
    """A :class:`pydeck.Deck` whose JSON has no indentation (pydeck indents by 2, which
    doubles the page sent to the browser on every rerun) and a picking radius, so a click
    near a thin road still selects it."""

    def to_json(self) -> str:  # noqa: D102 - same contract as pydeck's
        spec = json.loads(super().to_json())
        spec["pickingRadius"] = PICKING_RADIUS_PX
        return json.dumps(spec, separators=(",", ":"))


def view_for(net: RoadNetwork, *, width_px: int = 700, height_px: int = 640) -> pdk.ViewState:
    """A view that fits the whole map in a ``width_px`` x ``height_px`` chart."""
    w, s, e, n = net.bounds()
    lat = (s + n) / 2
    # Web Mercator: the world is 512 px wide at zoom 0; latitude spans stretch by 1/cos.
    dlon = max(e - w, 1e-6)
    dlat = max(n - s, 1e-6) / max(math.cos(math.radians(lat)), 0.1)
    zoom = math.log2(min(width_px * 360 / (512 * dlon), height_px * 360 / (512 * dlat)))
    return pdk.ViewState(longitude=(w + e) / 2, latitude=lat, zoom=round(zoom - 0.1, 2), pitch=0)


def make_deck(
    layers: Sequence[pdk.Layer], view: pdk.ViewState, *, basemap: bool = False
) -> CompactDeck:
    """The deck: our layers in :data:`LAYER_ORDER`, no tiles unless ``basemap``.

    ``map_provider=None`` keeps the page off the network (Streamlit would otherwise add a
    Carto basemap); with ``basemap`` a light Carto style is used, which needs internet.
    """
    rank = {name: k for k, name in enumerate(LAYER_ORDER)}
    ordered = sorted(layers, key=lambda layer: rank.get(layer.id, len(rank)))
    kwargs: dict[str, Any] = {"map_provider": None}
    if basemap:
        kwargs = {"map_provider": "carto", "map_style": "light"}
    return CompactDeck(
        layers=list(ordered),
        initial_view_state=view,
        tooltip={
            "html": "{tip}",
            "style": {"fontSize": "12px", "backgroundColor": "#222", "color": "white"},
        },
        **kwargs,
    )


def layer_ids(deck_json: str) -> list[str]:
    """Layer ids of a deck's JSON spec, bottom to top (for tests and the page caption)."""
    spec = json.loads(deck_json)
    return [str(layer.get("id")) for layer in spec.get("layers", [])]


# --------------------------------------------------------------- map clicks
@dataclass(frozen=True)
class MapPick:
    """What the user clicked on the map, in terms the blockade and area forms use."""

    kind: str  # road | point | blockade | plant | stop
    label: str
    lon: float | None = None
    lat: float | None = None
    way: int | None = None
    blockade_id: str | None = None
    point_id: str | None = None


_PICK_KIND = {
    "roads": "road",
    "assumed-links": "road",
    "points": "point",
    "blockade-zones": "blockade",
    "blockade-markers": "blockade",
    "plant": "plant",
    "plan-stops": "stop",
}


def pick_from_selection(selection: Mapping[str, Any] | None) -> MapPick | None:
    """Turn Streamlit's pydeck selection (``{"objects": {layer id: [obj]}}``) into a pick.

    The most specific layer wins when several are reported (a blockade over a road).
    """
    if not selection:
        return None
    objects = selection.get("objects") or {}
    for layer in ("blockade-markers", "blockade-zones", "points", "plant", "plan-stops",
                  "roads", "assumed-links"):  # fmt: skip
        objs = objects.get(layer) or []
        if not objs:
            continue
        o = objs[0]
        kind = _PICK_KIND[layer]
        lon, lat = o.get("lon"), o.get("lat")
        lon = float(lon) if lon is not None else None
        lat = float(lat) if lat is not None else None
        if kind == "road":
            way = int(o.get("way", -1))
            return MapPick(kind, str(o.get("tip", "road")), lon, lat, way=way if way >= 0 else None)
        if kind == "blockade":
            return MapPick(kind, str(o.get("tip", "")), lon, lat, blockade_id=str(o.get("id")))
        if kind == "point":
            return MapPick(kind, str(o.get("tip", "")), lon, lat, point_id=str(o.get("id")))
        return MapPick(kind, str(o.get("tip", "")), lon, lat)
    return None


def next_blockade_id(existing: Iterable[str], prefix: str = "map") -> str:
    """``map-1``, ``map-2`` ...: the first id of that form not used yet."""
    used = set(existing)
    k = 1
    while f"{prefix}-{k}" in used:
        k += 1
    return f"{prefix}-{k}"


def circle_blockade(
    bid: str,
    lat: float,
    lon: float,
    radius_m: float,
    status: str = "closed",
    delay_minutes: float = 0.0,
    name: str | None = None,
) -> dict[str, Any]:
    """A scenario ``blockades`` entry (a circle) as the YAML file would hold it."""
    out: dict[str, Any] = {"id": bid}
    if name:
        out["name"] = name
    out.update(lat=round(float(lat), 6), lon=round(float(lon), 6), radius_m=float(radius_m))
    out["status"] = status
    if status == "permit":
        out["delay_minutes"] = float(delay_minutes)
    return out


def way_blockade(
    bid: str, way: int, status: str = "closed", delay_minutes: float = 0.0, name: str | None = None
) -> dict[str, Any]:
    """A scenario ``blockades`` entry closing (or checking) one whole OSM way."""
    out: dict[str, Any] = {"id": bid}
    if name:
        out["name"] = name
    out["way_ids"] = [int(way)]
    out["status"] = status
    if status == "permit":
        out["delay_minutes"] = float(delay_minutes)
    return out


def min_distance_m(coords: Sequence[Sequence[float]], lon: float, lat: float) -> float:
    """Shortest distance (m) from ``(lon, lat)`` to a polyline of ``[lon, lat]`` pairs."""
    if not coords:
        return float("inf")
    arr = np.asarray(coords, dtype=float)
    xs, ys = _TO_METRIC.transform(arr[:, 0], arr[:, 1])
    cx, cy = _TO_METRIC.transform(lon, lat)
    xs, ys = np.atleast_1d(xs), np.atleast_1d(ys)
    if len(xs) == 1:
        return float(np.hypot(xs[0] - cx, ys[0] - cy))
    x0, y0, dx, dy = xs[:-1], ys[:-1], np.diff(xs), np.diff(ys)
    seg2 = dx * dx + dy * dy
    t = np.where(seg2 > 0, ((cx - x0) * dx + (cy - y0) * dy) / np.where(seg2 > 0, seg2, 1), 0)
    t = np.clip(t, 0.0, 1.0)
    return float(np.hypot(x0 + t * dx - cx, y0 + t * dy - cy).min())
