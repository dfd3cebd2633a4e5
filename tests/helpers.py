"""Small scenarios on the real embedded map, for the rule and validator tests.

Points are placed exactly on road nodes of the 2019 OSM extract (their coordinates are read
from the loaded network), so they snap with 0 m and the routes are the map's own.

Why most points sit on Ruta Nacional 1 south of the plant: the plant node
(OSM 2586278852) is on the southbound carriageway of Av. 6 de Marzo, joined to the
northbound one by the plant's assumed gate links (``plants[0].access_m``); points on RN1
(El Alto Distrito 8) are the shortest round trips the map offers. Distrito 2 points are on
Av. 6 de Marzo just north of the plant.
"""

from __future__ import annotations

import copy
import importlib.util
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from logistics.model import InputError, Scenario, scenario_from_dict
from logistics.plan import Plan, validate_plan
from logistics.routing import Problem, build_problem, solve

#: The Senkata plant's road node (Av. 6 de Marzo, southbound carriageway).
PLANT_OSMID = 2586278852

# Road nodes (OSM ids) by El Alto district, all close to the plant.
#: Distrito 8: RN1 south of the plant.
D8 = [1349120855, 4419032134, 5754644866, 3731947938, 2465064712]
#: Distrito 2: Av. 6 de Marzo north of the plant.
D2 = [581387434, 568585096, 271101598]
#: Distrito 1: Av. 6 de Marzo further north.
D1 = [568485712, 571107660]

#: Destination of the reroute test: a road node in La Paz (Periférica), north of the plant.
REROUTE_DEST = 2678311822
#: The blocked segment: Calle Independencia, OSM nodes 3474408071 -> 5764433596 (75 m).
REROUTE_SEG = (3474408071, 5764433596)
REROUTE_RADIUS_M = 25.0


def node_lonlat(net, osmid: int) -> tuple[float, float]:
    i = net.node_index(osmid)
    return float(net.lon[i]), float(net.lat[i])


def node_point(net, osmid: int, pid: str | None = None, households: int = 50) -> dict:
    """A listed distribution point exactly on road node ``osmid``."""
    lon, lat = node_lonlat(net, osmid)
    pid = pid or f"n{osmid}"
    return {"id": pid, "name": f"Point {pid}", "lat": lat, "lon": lon, "households": households}


def roster(workers: int = 1, delegates: Sequence[tuple[str, int]] = (("Distrito 8", 1),)) -> list:
    """``workers`` plant workers (PW01..) and junta delegates per district (JD-<k>-01..)."""
    out: list[dict] = [{"role": "plant-worker", "count": workers, "id_prefix": "PW"}]
    for k, (district, n) in enumerate(delegates):
        out.append(
            {"role": "junta-delegate", "district": district, "count": n, "id_prefix": f"JD{k}-"}
        )
    return out


def scenario_dict(
    points: list[dict],
    *,
    trucks: int = 1,
    capacity: int = 300,
    stock: int = 5000,
    guards: list | None = None,
    scope: str = "any",
    shift: tuple[str, str] = ("07:00", "19:00"),
    max_hours: float = 11,
    loading_minutes: float = 10,
    blockades: Iterable[dict] = (),
    eligibility: dict | None = None,
    priority_sites: Iterable[dict] = (),
    time_limit_s: float = 1.0,
    solution_limit: int = 200,
    seed: int = 0,
) -> dict:
    """A complete scenario mapping around the plant (demand listed, 1 cylinder/household)."""
    d = {
        "name": "test scenario",
        "plants": [{"stock": stock, "loading_minutes": loading_minutes}],
        "fleet": [{"count": trucks, "id_prefix": "T", "capacity": capacity}],
        "guards": {"delegate_scope": scope, "roster": guards or roster()},
        "shift": {"start": shift[0], "end": shift[1], "max_working_hours": max_hours},
        "demand": {
            "source": "listed",
            "cylinders_per_household": 1,
            "stop_minutes": 5,
            "seconds_per_cylinder": 1,
            "points": points,
        },
        "priority_sites": list(priority_sites),
        "blockades": list(blockades),
        "solver": {"time_limit_s": time_limit_s, "seed": seed, "solution_limit": solution_limit},
    }
    if eligibility is not None:
        d["eligibility"] = eligibility
    return copy.deepcopy(d)


def plan_for(data: dict, net) -> tuple[Scenario, Problem, Plan]:
    """Build, solve and validate; the plan must pass the independent validator."""
    sc = scenario_from_dict(data)
    problem = build_problem(sc, net=net)
    plan = solve(problem)
    rep = validate_plan(plan, sc, net)
    assert rep.ok, rep.errors
    assert rep.checked_trips == len(plan.trips())
    return sc, problem, plan


def stops_of(plan: Plan) -> list:
    return [s for _, trip in plan.trips() for s in trip.stops]


def visited_ids(plan: Plan) -> set[str]:
    return {s.point_id for s in stops_of(plan)}


def unserved_by_id(plan: Plan) -> dict:
    return {u.point_id: u for u in plan.unserved}


def leg_node_pairs(plan: Plan) -> set[tuple[int, int]]:
    """Every (u, v) pair of OSM node ids driven consecutively in some leg."""
    out = set()
    for _, trip in plan.trips():
        for leg in trip.legs:
            out.update(zip(leg.nodes[:-1], leg.nodes[1:], strict=True))
    return out


def metric_xy(net, lon: float, lat: float) -> tuple[float, float]:
    from logistics.roads import TO_METRIC

    x, y = TO_METRIC.transform(lon, lat)
    return float(x), float(y)


def min_leg_distance_m(net, plan: Plan, lon: float, lat: float) -> float:
    """Closest approach (m) of any driven road segment of the plan to (lon, lat)."""
    cx, cy = metric_xy(net, lon, lat)
    best = math.inf
    for _, trip in plan.trips():
        for leg in trip.legs:
            idx = np.asarray([net.node_index(n) for n in leg.nodes])
            xs, ys = net.x[idx], net.y[idx]
            if len(idx) == 1:
                best = min(best, float(np.hypot(xs[0] - cx, ys[0] - cy)))
                continue
            x0, y0, dx, dy = xs[:-1], ys[:-1], xs[1:] - xs[:-1], ys[1:] - ys[:-1]
            s2 = dx * dx + dy * dy
            t = np.where(s2 > 0, ((cx - x0) * dx + (cy - y0) * dy) / np.where(s2 > 0, s2, 1), 0)
            t = np.clip(t, 0, 1)
            best = min(best, float(np.min(np.hypot(x0 + t * dx - cx, y0 + t * dy - cy))))
    return best


def edge_midpoint(net, osm_u: int, osm_v: int) -> tuple[float, float]:
    """(lon, lat) halfway along the straight road segment u-v."""
    u, v = net.node_index(osm_u), net.node_index(osm_v)
    return float((net.lon[u] + net.lon[v]) / 2), float((net.lat[u] + net.lat[v]) / 2)


def has_edge(net, osm_u: int, osm_v: int) -> bool:
    u, v = net.node_index(osm_u), net.node_index(osm_v)
    return bool(np.any((net.edge_u == u) & (net.edge_v == v)))


def truck_duration(trip) -> float:
    """Minutes from loading to the return of one trip."""
    return trip.back - trip.load_start


def way_of(net, osm_u: int, osm_v: int) -> int:
    """OSM way id of the road segment u -> v."""
    u, v = net.node_index(osm_u), net.node_index(osm_v)
    (e,) = np.flatnonzero((net.edge_u == u) & (net.edge_v == v))[:1]
    return int(net.edge_way[e])


#: The trips the two-truck sheet/ledger fixture plan must have (point a on two trips).
SMALL_PLAN_TRIPS = [
    ("T01", 1, [("a", 35)]),
    ("T01", 2, [("b", 30), ("c", 20)]),
    ("T02", 1, [("a", 35)]),
]


def small_scenario(net) -> dict:
    """Points a (ration 70, two trips), b (30), c (20) in Distrito 8; x (25) excluded.

    Two trucks of 50: the plan shape is :data:`SMALL_PLAN_TRIPS` (see :func:`trip_shape`).
    """
    pts = [
        node_point(net, D8[0], "a", 70),
        node_point(net, D8[1], "b", 30),
        node_point(net, D8[2], "c", 20),
        node_point(net, D2[0], "x", 25),
    ]
    return scenario_dict(
        pts,
        trucks=2,
        capacity=50,
        guards=roster(2, (("Distrito 8", 2),)),
        eligibility={"excluded": ["Distrito 2"]},
    )


def trip_shape(plan: Plan) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(truck, trip, [(point, cylinders)...]) for every trip, in plan order."""
    return [
        (tr.truck_id, t.trip_no, [(s.point_id, s.cylinders) for s in t.stops])
        for tr, t in plan.trips()
    ]


def one_line(err: InputError) -> str:
    """The error's text, asserting it is one line ``where: message``."""
    s = str(err)
    assert "\n" not in s and "\r" not in s, s
    assert s == f"{err.where}: {err.message}"
    return s


def build_error(data: dict, net) -> InputError:
    """The one-line error building the problem of a scenario whose fields are valid."""
    import pytest

    sc = scenario_from_dict(data)  # the fields themselves are fine
    with pytest.raises(InputError) as exc:
        build_problem(sc, net=net)
    one_line(exc.value)
    return exc.value


def bench_module(name: str) -> ModuleType:
    """A script of ``bench/`` as a module (e.g. ``compare``: instances and checker)."""
    key = f"bench_{name}"
    if key not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(key, path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[key] = mod
        spec.loader.exec_module(mod)
    return sys.modules[key]
