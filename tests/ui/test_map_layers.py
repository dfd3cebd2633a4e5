"""Map layers (``logistics.ui``) and plan comparison (``logistics.ops.diff``).

Pure functions, tested on the real embedded map and on small plans solved by the library.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from logistics.i18n import use_language
from logistics.model import Blockade, Eligibility
from logistics.ops import diff_plans
from logistics.roads import KIND_ROAD
from logistics.routing import build_problem
from logistics.ui import deck, map_base, map_blockade, map_plan, style
from tests.helpers import D2, D8, node_lonlat, node_point, plan_for, roster, scenario_dict


# ------------------------------------------------------------------- roads
def test_chains_split_at_junctions_and_keep_loops():
    # a T: 1-2-3 with a branch 2-4; and a separate triangle 5-6-7
    chains = map_base._chains([(1, 2), (2, 3), (2, 4), (5, 6), (6, 7), (5, 7)])
    pairs = {frozenset(p) for c in chains for p in itertools.pairwise(c)}
    assert pairs == {frozenset(p) for p in [(1, 2), (2, 3), (2, 4), (5, 6), (6, 7), (5, 7)]}
    assert sum(len(c) - 1 for c in chains) == 6  # every edge drawn exactly once
    assert sorted(len(c) for c in chains if 5 in c) == [4]  # the loop is one polyline


def test_road_chunks_cover_every_way_with_clickable_places(net):
    chunks = map_base.road_chunks(net)
    ways = {int(w) for w in net.edge_way[net.edge_kind == KIND_ROAD]}
    assert {c["way"] for c in chunks} == ways
    for c in chunks[::25]:
        assert len(c["path"]) >= 2
        node, dist = net.snap(c["lon"], c["lat"])
        assert dist < 1.0  # the click place is a road node of that way
        edges = (net.edge_u == node) | (net.edge_v == node)
        assert c["way"] in set(net.edge_way[edges].tolist())
        # the tooltip names the road and its length; the OSM way id stays in "way"
        osm = {net.edge_name[e] for e in np.flatnonzero(net.edge_way == c["way"])}
        assert c["name"] in osm or c["name"].startswith("unnamed road")
        assert c["tip"].startswith(f"{c['name']}, ") and c["tip"].endswith(" m")
        assert str(c["way"]) not in c["tip"]


def test_an_unnamed_road_is_called_after_the_nearest_named_road_and_its_area(net):
    """OSM way 24917350 has no name: it reads as the named road nearest to it and the
    district it lies in, never as "unnamed road (OSM way 24917350)"."""
    from logistics.demand import load_areas

    areas = map_base.area_shapes(load_areas().frame)
    chunks = map_base.road_chunks(net, areas=areas)
    (piece,) = [c for c in chunks if c["way"] == 24917350]
    assert not any(net.edge_name[e] for e in np.flatnonzero(net.edge_way == 24917350))
    m = re.fullmatch(r"unnamed road \(([\d,]+) m from (.+)\)", piece["name"])
    assert m, piece["name"]
    road = m.group(2)
    named = [e for e in range(net.n_edges) if net.edge_name[e] == road]
    assert named  # a real OSM road name of the map
    nearest = min(
        deck.min_distance_m(net.edge_coords(e).tolist(), piece["lon"], piece["lat"]) for e in named
    )
    assert abs(nearest - int(m.group(1).replace(",", ""))) < 150
    assert piece["tip"].endswith(" · El Alto / Distrito 6")
    # most unnamed pieces lie within a few hundred metres of a named road
    assert len([c for c in chunks if c["name"].startswith("unnamed road near ")]) > 100


def test_road_tooltips_in_spanish(net):
    with use_language("es"):
        chunks = map_base.road_chunks(net)
        links, _returns = map_base.assumed_chunks(net)
    unnamed = [c["tip"] for c in chunks if c["tip"].startswith("calle sin nombre")]
    assert unnamed and all(
        re.fullmatch(r"calle sin nombre (cerca de .+|\(a [\d.]+ m de .+\)), [\d.]+ m", t)
        for t in unnamed
    ), unnamed[:3]
    assert all("(supuesto: enlace, no está en OSM)" in c["tip"] for c in links if c["way"] < 0)


def test_assumed_links_are_their_own_dashed_layer(net):
    links, returns = map_base.assumed_chunks(net)
    assert links and returns
    assert all("ASSUMED" in c["tip"] for c in links + returns)
    layers = {layer.id: layer for layer in map_base.assumed_layers(links, returns)}
    spec = json.loads(deck.make_deck(list(layers.values()), deck.view_for(net)).to_json())
    for layer in spec["layers"]:
        assert layer["extensions"][0]["@@type"] == "PathStyleExtension"
        assert layer["getDashArray"]


# ------------------------------------------------------------------- deck
@pytest.fixture(scope="module")
def problem(net):
    from pathlib import Path

    from logistics.model import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "senkata-2005-06.yaml")
    return build_problem(sc, net=net)


def test_full_deck_has_stable_ids_no_tiles_and_no_pixel_units(net, problem):
    layers = [
        map_base.roads_layer(map_base.road_chunks(net)),
        *map_blockade.blockade_layers(problem),
        *map_plan.point_layers(map_plan.points_data(problem)),
        *map_plan.plant_layers(problem.scenario.plant.lon, problem.scenario.plant.lat, "plant"),
    ]
    chart = deck.make_deck(layers, deck.view_for(net))
    text = chart.to_json()
    ids = deck.layer_ids(text)
    assert ids == [i for i in style.LAYER_ORDER if i in ids]  # drawn bottom to top
    assert {"roads", "points", "plant", "blockade-zones", "blockade-markers"} <= set(ids)
    assert "cartocdn" not in text and "mapbox" not in text  # offline: no basemap
    assert '"pixels"' not in text  # SwiftShader draws pixel-unit layers as one flat fill
    assert "\n" not in text  # compact JSON
    online = deck.make_deck(layers, deck.view_for(net), basemap=True).to_json()
    assert "cartocdn" in online


def test_view_fits_the_whole_map(net):
    v = deck.view_for(net, width_px=700, height_px=640)
    w, s, e, n = net.bounds()
    assert w < v.longitude < e and s < v.latitude < n
    span = 700 * 360 / (512 * 2**v.zoom)  # degrees of longitude shown
    assert e - w < span < 2 * (e - w)


def test_points_coloured_by_status_and_group(problem):
    pts = map_plan.points_data(problem)
    by_status = {}
    for p in pts:
        by_status.setdefault(p["status"], []).append(p)
    assert by_status["excluded-zone"]
    assert all(p["line"][:3] == [220, 0, 0] for p in by_status["excluded-zone"])
    routable = by_status["routable"]
    colours = style.group_colours(p.group for p in problem.points)
    assert all(p["fill"][:3] == colours[p["group"]][:3] for p in routable)
    assert len({tuple(c) for c in colours.values()}) == len(colours)


def test_blockade_layers_show_touched_roads(problem):
    zones, markers, roads = map_blockade.blockades_data(problem)
    assert {z["id"] for z in zones} == {"ceja", "rio-seco-checkpoint"}
    assert {m["id"] for m in markers} == {"ceja", "rio-seco-checkpoint"}
    ceja = next(z for z in zones if z["id"] == "ceja")
    assert ceja["line"] == style.CLOSED_COLOUR and ceja["radius_m"] == 120
    assert {r["id"] for r in roads} == {"ceja", "rio-seco-checkpoint"}


def test_closed_and_permit_blockades_have_distinct_symbols_in_no_district_colour(problem):
    _zones, markers, _roads = map_blockade.blockades_data(problem)
    by_id = {m["id"]: m for m in markers}
    closed, permit = by_id["ceja"], by_id["rio-seco-checkpoint"]
    assert (closed["status"], permit["status"]) == ("closed", "permit")
    assert closed["icon"]["url"] != permit["icon"]["url"]
    assert closed["icon"]["url"].startswith("data:image/svg+xml;base64,")  # offline
    district = {tuple(c[:3]) for c in style.GROUP_PALETTE}
    used = {tuple(c[:3]) for c in style.group_colours(p.group for p in problem.points).values()}
    for colour in (style.CLOSED_COLOUR, style.PERMIT_COLOUR):
        assert tuple(colour[:3]) not in district | used
        # far from every district colour (not a near-twin)
        assert min(sum(abs(a - b) for a, b in zip(colour, d, strict=False)) for d in district) > 90

    def grey(c):
        return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]

    assert grey(style.PERMIT_COLOUR) - grey(style.CLOSED_COLOUR) > 150  # apart in greyscale
    spec = json.loads(
        deck.make_deck(map_blockade.blockade_layers(problem), deck.view_for(problem.net)).to_json()
    )
    icons = next(layer for layer in spec["layers"] if layer["id"] == "blockade-markers")
    assert icons["@@type"] == "IconLayer" and icons["sizeUnits"] == "meters"


def test_first_view_fits_the_plant_and_the_routes_on_a_phone(problem, net):
    from logistics.routing import solve

    view = map_plan.initial_view(problem)
    sc = problem.scenario
    pts = [[sc.plant.lon, sc.plant.lat]] + [[p.lon, p.lat] for p in problem.routable]

    def inside(v, lon, lat, w=deck.FIT_WIDTH_PX, h=deck.FIT_HEIGHT_PX):
        import math

        scale = 512 * 2**v.zoom
        merc = lambda la: math.log(math.tan(math.pi / 4 + math.radians(la) / 2))  # noqa: E731
        x = (lon - v.longitude) / 360 * scale
        y = (merc(lat) - merc(v.latitude)) / (2 * math.pi) * scale
        return abs(x) <= w / 2 and abs(y) <= h / 2

    assert all(inside(view, lon, lat) for lon, lat in pts)
    plan = solve(
        build_problem(
            sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": 1.0})}),
            net=net,
        )
    )
    routed = map_plan.initial_view(problem, plan)
    coords = [
        c for _t, trip in plan.trips() for leg in trip.legs for c in net.path_coords(leg.nodes)
    ]
    assert coords and all(inside(routed, lon, lat) for lon, lat in coords)


def test_excluded_areas_follow_the_eligibility_names():
    zone = {"name": "Calacoto", "district": "Sur", "zone": "Calacoto", "municipality": "La Paz"}
    d8 = {"name": "Distrito 8", "district": "Distrito 8", "zone": None, "municipality": "El Alto"}
    assert map_base.area_excluded(zone, Eligibility(excluded=["Zona Sur"]))
    assert not map_base.area_excluded(d8, Eligibility(excluded=["Sur"]))
    assert map_base.area_excluded(zone, Eligibility(eligible=["El Alto"]))
    assert not map_base.area_excluded(d8, Eligibility(eligible=["el alto"]))


# -------------------------------------------------------------- map clicks
def test_pick_from_selection_reads_each_kind():
    assert deck.pick_from_selection(None) is None
    assert deck.pick_from_selection({"indices": {}, "objects": {}}) is None
    road = deck.pick_from_selection(
        {"objects": {"roads": [{"way": 42, "lon": -68.1, "lat": -16.5, "tip": "Av. X (OSM)"}]}}
    )
    assert (road.kind, road.way, road.lon, road.lat) == ("road", 42, -68.1, -16.5)
    link = deck.pick_from_selection(
        {"objects": {"assumed-links": [{"way": -1, "lon": 1, "lat": 2, "tip": "t"}]}}
    )
    assert link.kind == "road" and link.way is None
    both = deck.pick_from_selection(
        {"objects": {"roads": [{"way": 1, "lon": 0, "lat": 0}], "blockade-markers": [{"id": "b"}]}}
    )
    assert both.kind == "blockade" and both.blockade_id == "b"
    assert deck.pick_from_selection({"objects": {"areas": [{"name": "x"}]}}) is None


def test_blockade_entries_are_valid_scenario_blockades():
    assert deck.next_blockade_id(["map-1", "ceja"]) == "map-2"
    c = deck.circle_blockade("map-1", -16.5, -68.2, 60, "closed", 20)
    assert "delay_minutes" not in c  # a closed blockade takes no delay
    Blockade.model_validate(c)
    p = deck.circle_blockade("map-2", -16.5, -68.2, 60, "permit", 15, name="check")
    assert Blockade.model_validate(p).delay_minutes == 15
    w = deck.way_blockade("map-3", 123, "closed")
    assert Blockade.model_validate(w).way_ids == [123]


def test_min_distance_m():
    line = [[-68.2, -16.5], [-68.19, -16.5]]
    assert deck.min_distance_m(line, -68.195, -16.5) < 0.5
    d = deck.min_distance_m(line, -68.195, -16.501)
    assert 105 < d < 115  # 0.001 deg of latitude is about 110 m
    assert deck.min_distance_m([], 0, 0) == np.inf


# -------------------------------------------------------------- plan_diff
@pytest.fixture(scope="module")
def small_plans(net):
    """Two guarded trucks, points in D8 and D2; then the same with a D2 point blocked."""
    points = [node_point(net, o, f"p{o}", households=120) for o in D8[:3] + D2[:2]]
    guards = roster(2, (("Distrito 8", 1), ("Distrito 2", 1)))
    base = scenario_dict(points, trucks=2, capacity=200, guards=guards, scope="any")
    lon, lat = node_lonlat(net, D2[0])
    blocked = dict(base, blockades=[{"id": "b", "lat": lat, "lon": lon, "radius_m": 20}])
    return plan_for(base, net)[2], plan_for(blocked, net)[2]


def test_diff_of_a_plan_with_itself_is_empty(small_plans):
    a, _ = small_plans
    d = diff_plans(a, a)
    assert d.identical and d.stops == [] and d.delivered_a == d.delivered_b
    assert all(g.delta == 0 for g in d.groups)
    assert d.summary_rows()[0]["change"] == "="


def test_diff_after_a_blockade_names_what_disappeared(small_plans):
    a, b = small_plans
    d = diff_plans(a, b)
    gone = [s for s in d.stops if s.change == "disappeared"]
    assert f"p{D2[0]}" in {s.point_id for s in gone}
    assert all(s.cylinders_b == 0 and s.trucks_b == () for s in gone)
    a_cut, b_cut = d.reasons["unreachable-blockade"]
    assert a_cut == 0 and b_cut >= 1  # the point itself, perhaps more beyond it
    assert d.delivered_b < d.delivered_a
    assert d.roads_only_a  # roads to the blocked point are no longer driven
    g2 = next(g for g in d.groups if g.group == "El Alto / Distrito 2")
    assert g2.delta < 0
    assert d.counts()["disappeared"] == len(gone)


def test_diff_detects_moved_and_resized_stops(small_plans):
    a, _ = small_plans
    k = next(i for i, t in enumerate(a.trucks) if t.trips)
    served = {s.point_id for t in a.trucks[k].trips for s in t.stops}

    moved = a.model_copy(deep=True)
    moved.trucks[k].truck_id = "T99"  # the same trips, driven by another truck
    d = diff_plans(a, moved)
    assert {s.point_id for s in d.stops if s.change == "moved"} <= served
    assert any(s.change == "moved" and "T99" in s.trucks_b for s in d.stops)
    assert d.delivered_a == d.delivered_b and not d.roads_only_a
    assert {"T99", a.trucks[k].truck_id} <= {t.truck_id for t in d.trucks}

    resized = a.model_copy(deep=True)
    stop = resized.trucks[k].trips[0].stops[0]
    stop.cylinders += 1
    d = diff_plans(a, resized)
    (change,) = d.stops
    assert change.change == "cylinders" and change.point_id == stop.point_id
    assert change.cylinders_b == change.cylinders_a + 1
