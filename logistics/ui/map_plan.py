"""Map layers of a problem and a plan: points, the plant, trips, compared roads; the first view.

Blockades have their own module (:mod:`logistics.ui.map_blockade`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pydeck as pdk

from logistics.i18n import _, fmt_int, fmt_num
from logistics.model import format_hhmm
from logistics.plan import reason_text
from logistics.roads import RoadNetwork
from logistics.ui import deck
from logistics.ui.style import (
    _STATUS_STYLE,
    PLANT_COLOUR,
    Colour,
    _r,
    group_colours,
    simplify_path,
    trip_colour,
)

if TYPE_CHECKING:  # pragma: no cover
    from logistics.plan import Plan
    from logistics.routing import Problem


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
        why = _("a guarded truck can reach it") if st_ == "routable" else reason_text(st_, p.group)
        tip = f"{p.name} · {p.group}" + (f" / {p.zone}" if p.zone else "")
        tip += " · " + _("ration {n}").format(n=fmt_int(p.ration)) + f" · {why}"
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
    tip = _("{name} (loading and reloads)").format(name=name)
    data = [{"lon": _r(lon), "lat": _r(lat), "name": name, "tip": tip}]
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
            data=[dict(data[0], label=_("Senkata plant"))],
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
        label = _("truck {truck} ({commission}), trip {trip}").format(
            truck=truck.truck_id, commission=truck.commission_id, trip=trip.trip_no
        )
        paths.append(
            {
                "path": simplify_path(coords),
                "truck": truck.truck_id,
                "trip": trip.trip_no,
                "cylinders": trip.loaded,
                "color": colour,
                "tip": _("{trip}: {n} cylinders, {km} km, {start}-{end}").format(
                    trip=label,
                    n=fmt_int(trip.loaded),
                    km=fmt_num(trip.km, 1),
                    start=format_hhmm(trip.depart),
                    end=format_hhmm(trip.back),
                ),
            }
        )
        for s in trip.stops:
            stops.append(
                {
                    "lon": _r(s.lon),
                    "lat": _r(s.lat),
                    "color": colour,
                    "tip": _("{trip}: {n} cylinders at {point} ({time})").format(
                        trip=label, n=fmt_int(s.cylinders), point=s.name, time=format_hhmm(s.arrive)
                    ),
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


def initial_view(problem: Problem, plan: Plan | None = None) -> pdk.ViewState:
    """The map's first view: the plant and the routes of ``plan`` (before a plan, the
    plant and the points a guarded truck can reach), fitted to a phone's map.

    The whole road map is much larger than the city the trucks drive in; fitting it put
    the plant at the edge of a phone's screen.
    """
    sc = problem.scenario
    coords: list[list[float]] = [[sc.plant.lon, sc.plant.lat]]
    if plan is not None and plan.trips():
        net = problem.net
        for _truck, trip in plan.trips():
            for leg in trip.legs:
                coords += net.path_coords(leg.nodes)
    else:
        coords += [[p.lon, p.lat] for p in problem.routable]
    return deck.fit_view(coords)
