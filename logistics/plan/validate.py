"""Independent plan checker: re-checks every rule of the mission on any plan.

It trusts nothing the solver computed. From the scenario, the map and the shared data it
re-derives: where the plant is, which roads exist, which are closed (by its own geometry
test with shapely, at the time each edge is driven), the checkpoint delays, each point's
area and ration, and the guard roster; then it walks every trip.

Use it through :func:`logistics.plan.validate_plan`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LineString, Point, Polygon

from logistics.demand import build_points, load_areas, norm_area
from logistics.model import Scenario, format_hhmm
from logistics.plan.blockade_shapes import BlockadeShape as _Blk
from logistics.plan.blockade_shapes import blockade_shapes as _blockades
from logistics.plan.blockade_shapes import edge_line as _edge_line
from logistics.plan.fair_check import check_fair_zero
from logistics.plan.model import REASONS, Plan
from logistics.roads import (
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_RETURN,
    KIND_ROAD,
    RoadNetwork,
    with_plant_access,
)

#: Tolerance for times (minutes) and distances (km) recomputed from the map.
TIME_TOL_MIN = 0.5
KM_TOL = 0.01


@dataclass
class ValidationReport:
    errors: list[str] = field(default_factory=list)
    checked_trips: int = 0
    checked_edges: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, msg: str) -> None:
        self.errors.append(msg)


def check_plan(  # noqa: PLR0912, PLR0915 - the validator's walk, rule by rule, in one place
    plan: Plan, scenario: Scenario, net: RoadNetwork, *, data: Path | None = None
) -> ValidationReport:
    """Check ``plan`` against ``scenario`` on ``net``; collect every violation found."""
    rep = ValidationReport()
    sc = scenario
    if plan.map_sha256 != net.source_sha256:
        rep.add("plan was made on a different map (map_sha256 differs)")
        return rep

    # --- the map as this scenario allows it (plus the plant's assumed gate links)
    net = with_plant_access(net, sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    allowed_kind = {KIND_ROAD, KIND_ACCESS}
    if sc.map.assumed_connectors:
        allowed_kind.add(KIND_CONNECTOR)
    if sc.map.assumed_return_links:
        allowed_kind.add(KIND_RETURN)
    # (u, v) -> candidate edges (parallel edges possible)
    by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
    for e in range(net.n_edges):
        if int(net.edge_kind[e]) in allowed_kind:
            by_pair[(int(net.edge_u[e]), int(net.edge_v[e]))].append(e)
    usable = np.zeros(net.n_nodes, dtype=bool)
    for u, v in by_pair:
        usable[u] = usable[v] = True
    blks = _blockades(sc)
    lines: dict[int, LineString] = {}

    def line(e: int) -> LineString:
        if e not in lines:
            lines[e] = _edge_line(net, e)
        return lines[e]

    def node_inside(b: _Blk, n: int) -> bool:
        if b.zone is not None:
            return bool(b.zone.covers(Point(net.x[n], net.y[n])))
        return any(
            int(net.edge_way[e]) in b.ways
            for e in np.flatnonzero((net.edge_u == n) | (net.edge_v == n))
        )

    def edge_hits(b: _Blk, e: int) -> bool:
        """Closed: the edge touches the blockade. Permit: the edge reaches into it."""
        if b.zone is not None:
            return bool(line(e).intersects(b.zone))
        if b.closed:
            return int(net.edge_way[e]) in b.ways
        return node_inside(b, int(net.edge_v[e]))

    # --- plant
    plant = sc.plant
    pnode, _ = net.snap(plant.lon, plant.lat, usable)
    plant_osm = int(net.node_osmid[pnode])

    # --- points, their areas and rations, re-derived from the data
    points = {p.id: p for p in build_points(sc, net, usable_nodes=usable, data=data)}
    areas = load_areas(data)
    excluded_names = {norm_area(n) for n in sc.eligibility.excluded}
    eligible_names = (
        None if sc.eligibility.eligible is None else {norm_area(n) for n in sc.eligibility.eligible}
    )
    polys = [Polygon(p.coordinates) for p in sc.eligibility.excluded_polygons]
    area_geoms = list(
        zip(
            areas.frame["name"],
            areas.frame["district"],
            areas.frame["zone"],
            areas.frame["municipality"],
            areas.frame.geometry,
            strict=True,
        )
    )

    def stop_excluded(lon: float, lat: float) -> str | None:
        pt = Point(lon, lat)
        names: set[str] = set()
        for name, district, zone, muni, geom in area_geoms:
            if geom.covers(pt):
                names |= {norm_area(x) for x in (name, district, zone, muni) if isinstance(x, str)}
        if names & excluded_names:
            return f"in excluded area {sorted(names & excluded_names)[0]!r}"
        if any(poly.covers(pt) for poly in polys):
            return "inside an excluded polygon"
        if eligible_names is not None and not names & eligible_names:
            return "not in an eligible area"
        return None

    # --- roster
    role: dict[str, str] = {}
    district: dict[str, str] = {}
    for entry in sc.guards.roster:
        for pid in entry.person_ids():
            role[pid] = entry.role
            if entry.district:
                district[pid] = norm_area(areas.resolve(entry.district, "roster"))
    truck_caps = {}
    for g in sc.fleet:
        for tid in g.truck_ids():
            truck_caps[tid] = (g.capacity, g.speed_factor)

    delivered: dict[str, int] = defaultdict(int)
    person_truck: dict[str, str] = {}
    commission_truck: dict[str, str] = {}
    total_loaded = 0
    max_work = sc.shift.max_working_hours * 60
    shift_start, shift_end = sc.shift.start_min, sc.shift.end_min
    seen_trucks: set[str] = set()
    for truck in plan.trucks:
        tid = truck.truck_id
        if tid in seen_trucks:
            rep.add(f"truck {tid}: listed twice in the plan (one truck cannot be in two places)")
        seen_trucks.add(tid)
        if tid not in truck_caps:
            rep.add(f"truck {tid}: not in the scenario's fleet")
            continue
        cap, speed = truck_caps[tid]
        if truck.capacity != cap:
            rep.add(f"truck {tid}: capacity {truck.capacity} differs from the fleet's {cap}")
        if not truck.trips:
            continue
        # commission
        members = truck.members
        unknown = [m for m in members if m not in role]
        if unknown:
            rep.add(f"truck {tid}: commission members not in the roster: {unknown}")
        pw = [m for m in members if role.get(m) == "plant-worker"]
        jd = [m for m in members if role.get(m) == "junta-delegate"]
        if not pw or not jd:
            rep.add(
                f"truck {tid}: leaves the plant without a commission of at least one plant "
                f"worker and one junta delegate (members {members})"
            )
        for m in members:
            if m in person_truck and person_truck[m] != tid:
                rep.add(f"person {m} rides two trucks ({person_truck[m]} and {tid})")
            person_truck[m] = tid
        if truck.commission_id:
            other = commission_truck.get(truck.commission_id)
            if other and other != tid:
                rep.add(f"commission {truck.commission_id} on two trucks ({other}, {tid})")
            commission_truck[truck.commission_id] = tid
        delegate_districts = {district[m] for m in jd if m in district}

        first_start = truck.trips[0].load_start
        prev_back = -1.0
        for trip in truck.trips:
            rep.checked_trips += 1
            where = f"truck {tid} trip {trip.trip_no}"
            if trip.load_start < prev_back - TIME_TOL_MIN:
                rep.add(
                    f"{where}: loads at {format_hhmm(trip.load_start)} "
                    "before the previous trip is back"
                )
            prev_back = trip.back
            if trip.load_start < shift_start - TIME_TOL_MIN or trip.back > shift_end + TIME_TOL_MIN:
                rep.add(
                    f"{where}: {format_hhmm(trip.load_start)}-{format_hhmm(trip.back)} is outside "
                    f"the shift {sc.shift.start}-{sc.shift.end}"
                )
            if trip.depart < trip.load_start + plant.loading_minutes - TIME_TOL_MIN:
                rep.add(f"{where}: departs before loading ({plant.loading_minutes} min) is done")
            if trip.back - first_start > max_work + TIME_TOL_MIN:
                rep.add(
                    f"{where}: truck works {(trip.back - first_start) / 60:.2f} h, over the "
                    f"{sc.shift.max_working_hours} h limit"
                )
            s_total = sum(s.cylinders for s in trip.stops)
            if s_total + trip.returned != trip.loaded or trip.returned < 0:
                rep.add(
                    f"{where}: loaded {trip.loaded} but stops receive {s_total} and "
                    f"{trip.returned} come back"
                )
            if trip.loaded > cap:
                rep.add(f"{where}: loaded {trip.loaded} cylinders, over capacity {cap}")
            total_loaded += trip.loaded - trip.returned  # returned cylinders go back to stock
            if len(trip.legs) != len(trip.stops) + 1:
                rep.add(f"{where}: expected {len(trip.stops) + 1} legs, found {len(trip.legs)}")
                continue
            clock = trip.depart
            for k, lg in enumerate(trip.legs):
                lwhere = f"{where} leg {k + 1}"
                if not lg.nodes:
                    rep.add(f"{lwhere}: has no road nodes")
                    continue
                start_osm = plant_osm if k == 0 else trip.stops[k - 1].node
                end_osm = plant_osm if k == len(trip.stops) else trip.stops[k].node
                if lg.nodes[0] != start_osm or lg.nodes[-1] != end_osm:
                    rep.add(f"{lwhere}: does not run from node {start_osm} to node {end_osm}")
                km = drive = delay = 0.0
                t_edge = clock
                try:
                    idx = [net.node_index(n) for n in lg.nodes]
                except KeyError as exc:
                    rep.add(f"{lwhere}: node {exc.args[0]} is not on the map")
                    continue
                for a, b in itertools.pairwise(idx):
                    cands = by_pair.get((a, b))
                    rep.checked_edges += 1
                    if not cands:
                        rep.add(
                            f"{lwhere}: no usable road from node {net.node_osmid[a]} to "
                            f"{net.node_osmid[b]}"
                        )
                        break
                    e = min(cands, key=lambda x: net.edge_time_s[x])
                    for blk in blks:
                        if not (blk.start <= t_edge <= blk.end) or not edge_hits(blk, e):
                            continue
                        if blk.closed:
                            rep.add(
                                f"{lwhere}: crosses closed blockade {blk.id} at "
                                f"{format_hhmm(t_edge)} "
                                f"(edge {net.node_osmid[a]}->{net.node_osmid[b]})"
                            )
                        elif not node_inside(blk, a):
                            delay += blk.delay_min  # entering the blockade: checkpoint

                    km += net.edge_length_m[e] / 1000
                    drive += net.edge_time_s[e] / speed / 60
                    t_edge = clock + drive + delay
                if abs(km - lg.km) > KM_TOL + 1e-3 * km:
                    rep.add(f"{lwhere}: reports {lg.km:.3f} km, the roads give {km:.3f} km")
                if lg.drive_min + lg.delay_min < drive + delay - TIME_TOL_MIN:
                    rep.add(
                        f"{lwhere}: reports {lg.drive_min + lg.delay_min:.1f} min, the roads and "
                        f"checkpoints need {drive + delay:.1f} min"
                    )
                arrive = clock + drive + delay
                if k < len(trip.stops):
                    s = trip.stops[k]
                    if s.arrive < arrive - TIME_TOL_MIN:
                        rep.add(
                            f"{lwhere}: arrives {format_hhmm(s.arrive)}, too early for the road"
                        )
                    need = (
                        sc.demand.stop_minutes + sc.demand.seconds_per_cylinder * s.cylinders / 60
                    )
                    if s.depart < s.arrive + need - TIME_TOL_MIN:
                        rep.add(f"{where} stop {s.point_id}: hand-over shorter than {need:.1f} min")
                    win = points[s.point_id].window if s.point_id in points else None
                    if win is not None and (
                        s.depart - need < win[0] - TIME_TOL_MIN or s.depart > win[1] + TIME_TOL_MIN
                    ):
                        rep.add(
                            f"{where} stop {s.point_id}: hands over "
                            f"{format_hhmm(s.depart - need)}-{format_hhmm(s.depart)}, outside its "
                            f"distribution hours {format_hhmm(win[0])}-{format_hhmm(win[1])}"
                        )
                    clock = s.depart
                elif trip.back < arrive - TIME_TOL_MIN:
                    rep.add(f"{where}: back at {format_hhmm(trip.back)}, too early for the road")
            for s in trip.stops:
                p = points.get(s.point_id)
                if p is None:
                    rep.add(
                        f"{where}: stop {s.point_id} is not a distribution point of the scenario"
                    )
                    continue
                if int(net.node_osmid[p.node]) != s.node:
                    rep.add(f"{where}: stop {s.point_id} is not at its point's road node")
                why = stop_excluded(p.lon, p.lat)
                if why:
                    rep.add(f"{where}: stop {s.point_id} ({s.name}) is {why}")
                if s.cylinders <= 0:
                    rep.add(f"{where}: stop {s.point_id} hands over {s.cylinders} cylinders")
                if sc.guards.delegate_scope != "any" and not (p.area_names() & delegate_districts):
                    rep.add(
                        f"{where}: stop {s.point_id} ({p.group}) has no junta delegate of its "
                        f"district on board"
                    )
                delivered[s.point_id] += s.cylinders

    if total_loaded > plant.stock:
        rep.add(
            f"plan takes {total_loaded} cylinders out of the plant (loaded minus returned), "
            f"over its stock of {plant.stock}"
        )
    for pid, got in delivered.items():
        p = points.get(pid)
        if p is not None and got > p.ration:
            rep.add(f"point {pid} ({p.name}) receives {got}, over its ration cap of {p.ration}")
    if plan.delivered != sum(delivered.values()):
        rep.add(
            f"plan totals {plan.delivered} delivered, the stops add up to {sum(delivered.values())}"
        )
    # every point not fully served must be listed with a reason
    listed = {u.point_id: u for u in plan.unserved}
    for pid, p in points.items():
        got = delivered.get(pid, 0)
        if got >= p.ration:
            continue
        listing = listed.get(pid)
        if listing is None:
            rep.add(f"point {pid} ({p.name}) got {got} of {p.ration} and is not listed as unserved")
        elif listing.reason not in REASONS:
            rep.add(f"point {pid}: unknown unserved reason {listing.reason!r}")
        elif listing.missing != p.ration - got:
            rep.add(
                f"point {pid}: unserved lists {listing.missing} missing, expected {p.ration - got}"
            )
        elif (listing.reason == "excluded-zone") != (not p.eligible):
            rep.add(f"point {pid}: reason {listing.reason} but eligible={p.eligible}")
    for pid in listed:
        if pid not in points:
            rep.add(f"unserved point {pid} is not a point of the scenario")
    return rep


def validate_plan(plan: Plan, scenario: Any, net: Any = None, *, data: Path | None = None) -> Any:
    """Re-check every rule of the mission on ``plan`` (from any solver).

    Parameters
    ----------
    plan
        The plan to check.
    scenario
        The :class:`~logistics.model.scenario.Scenario` it claims to implement.
    net
        The road network; loaded from the scenario's map source when omitted.

    Returns
    -------
    logistics.plan.validate.ValidationReport
        ``.ok`` and the list of violations, each one line.
    """
    from logistics.plan.validate import check_plan
    from logistics.roads import load_network

    if net is None:
        src = scenario.map.source
        net = load_network(None if src == "embedded" else src, data=data)
    rep = check_plan(plan, scenario, net, data=data)
    if rep.ok:  # the fair-share rule is judged on a plan that keeps the other rules
        for line in check_fair_zero(plan, scenario, net, data=data):
            rep.add(line)
    return rep
