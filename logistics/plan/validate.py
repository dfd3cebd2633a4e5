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
from shapely.geometry import Point, Polygon

from logistics.demand import build_points, load_areas, norm_area
from logistics.i18n import N_, _, fmt_num
from logistics.model import Scenario, format_hhmm
from logistics.plan.accounts_check import check_accounts
from logistics.plan.blockade_zones import ZoneTester, blockade_zones
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

#: Why a stop may not receive gas (the area test's outcome), one message each.
_EXCLUDED = {
    "area": N_("truck {truck} trip {trip}: stop {point} ({name}) is in excluded area {area!r}"),
    "polygon": N_("truck {truck} trip {trip}: stop {point} ({name}) is inside an excluded polygon"),
    "not-eligible": N_(
        "truck {truck} trip {trip}: stop {point} ({name}) is not in an eligible area"
    ),
}

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


def _check_commission(
    rep: ValidationReport, sc: Scenario, tid: str, cid: str | None, members: list[str]
) -> None:
    """A listed commission rides as listed (and on its pinned truck); one the planner
    formed is no larger than ``guards.max_commission_size``."""
    g = sc.guards
    if g.commissions is None:
        if len(members) > g.max_commission_size:
            rep.add(
                _(
                    "truck {truck}: commission of {n} people, over guards.max_commission_size "
                    "({most})"
                ).format(truck=tid, n=len(members), most=g.max_commission_size)
            )
        return
    listed = {c.id: c for c in g.commissions}
    c = listed.get(cid or "")
    if c is None:
        rep.add(
            _("truck {truck}: commission {cid!r} is not one of guards.commissions").format(
                truck=tid, cid=cid
            )
        )
    elif sorted(c.members) != sorted(members):
        rep.add(
            _("truck {truck}: commission {cid} rides with {members}, listed as {listed}").format(
                truck=tid, cid=c.id, members=", ".join(members), listed=", ".join(c.members)
            )
        )
    elif c.truck is not None and c.truck != tid:
        rep.add(
            _("truck {truck}: commission {cid} is pinned to truck {pinned}").format(
                truck=tid, cid=c.id, pinned=c.truck
            )
        )


def check_plan(  # noqa: PLR0912, PLR0915 - the validator's walk, rule by rule, in one place
    plan: Plan, scenario: Scenario, net: RoadNetwork, *, data: Path | None = None
) -> ValidationReport:
    """Check ``plan`` against ``scenario`` on ``net``; collect every violation found."""
    rep = ValidationReport()
    sc = scenario
    if plan.map_sha256 != net.source_sha256:
        rep.add(_("plan was made on a different map (map_sha256 differs)"))
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
    blks = blockade_zones(sc)
    zones = ZoneTester(net)
    node_inside, edge_hits = zones.node_inside, zones.edge_hits

    # --- plant
    plant = sc.plant
    pnode, _snap = net.snap(plant.lon, plant.lat, usable)
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

    def stop_excluded(lon: float, lat: float) -> tuple[str, str] | None:
        pt = Point(lon, lat)
        names: set[str] = set()
        for name, district, zone, muni, geom in area_geoms:
            if geom.covers(pt):
                names |= {norm_area(x) for x in (name, district, zone, muni) if isinstance(x, str)}
        if names & excluded_names:
            return ("area", sorted(names & excluded_names)[0])
        if any(poly.covers(pt) for poly in polys):
            return ("polygon", "")
        if eligible_names is not None and not names & eligible_names:
            return ("not-eligible", "")
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
            rep.add(
                _(
                    "truck {truck}: listed twice in the plan (one truck cannot be in two places)"
                ).format(truck=tid)
            )
        seen_trucks.add(tid)
        if tid not in truck_caps:
            rep.add(_("truck {truck}: not in the scenario's fleet").format(truck=tid))
            continue
        cap, speed = truck_caps[tid]
        if truck.capacity != cap:
            rep.add(
                _("truck {truck}: capacity {cap} differs from the fleet's {fleet}").format(
                    truck=tid, cap=truck.capacity, fleet=cap
                )
            )
        if not truck.trips:
            continue
        # commission
        members = truck.members
        unknown = [m for m in members if m not in role]
        if unknown:
            rep.add(
                _("truck {truck}: commission members not in the roster: {members}").format(
                    truck=tid, members=", ".join(unknown)
                )
            )
        pw = [m for m in members if role.get(m) == "plant-worker"]
        jd = [m for m in members if role.get(m) == "junta-delegate"]
        if not pw or not jd:
            rep.add(
                _(
                    "truck {truck}: leaves the plant without a commission of at least one plant "
                    "worker and one junta delegate (members {members})"
                ).format(truck=tid, members=", ".join(members) or "-")
            )
        for m in members:
            if m in person_truck and person_truck[m] != tid:
                rep.add(
                    _("person {person} rides two trucks ({a} and {b})").format(
                        person=m, a=person_truck[m], b=tid
                    )
                )
            person_truck[m] = tid
        if truck.commission_id:
            other = commission_truck.get(truck.commission_id)
            if other and other != tid:
                rep.add(
                    _("commission {cid} on two trucks ({a}, {b})").format(
                        cid=truck.commission_id, a=other, b=tid
                    )
                )
            commission_truck[truck.commission_id] = tid
        _check_commission(rep, sc, tid, truck.commission_id, members)
        delegate_districts = {district[m] for m in jd if m in district}

        first_start = truck.trips[0].load_start
        prev_back = -1.0
        for trip in truck.trips:
            rep.checked_trips += 1
            tw = {"truck": tid, "trip": trip.trip_no}
            if trip.load_start < prev_back - TIME_TOL_MIN:
                rep.add(
                    _(
                        "truck {truck} trip {trip}: loads at {time} before the previous trip "
                        "is back"
                    ).format(**tw, time=format_hhmm(trip.load_start))
                )
            prev_back = trip.back
            if trip.load_start < shift_start - TIME_TOL_MIN or trip.back > shift_end + TIME_TOL_MIN:
                rep.add(
                    _(
                        "truck {truck} trip {trip}: {start}-{end} is outside the shift {shift}"
                    ).format(
                        **tw,
                        start=format_hhmm(trip.load_start),
                        end=format_hhmm(trip.back),
                        shift=f"{sc.shift.start}-{sc.shift.end}",
                    )
                )
            if trip.depart < trip.load_start + plant.loading_minutes - TIME_TOL_MIN:
                rep.add(
                    _(
                        "truck {truck} trip {trip}: departs before loading ({minutes} min) is done"
                    ).format(**tw, minutes=fmt_num(plant.loading_minutes, 0))
                )
            if trip.back - first_start > max_work + TIME_TOL_MIN:
                rep.add(
                    _(
                        "truck {truck} trip {trip}: truck works {hours} h, over the {most} h limit"
                    ).format(
                        **tw,
                        hours=fmt_num((trip.back - first_start) / 60, 2),
                        most=fmt_num(sc.shift.max_working_hours, 1),
                    )
                )
            s_total = sum(s.cylinders for s in trip.stops)
            if s_total + trip.returned != trip.loaded or trip.returned < 0:
                rep.add(
                    _(
                        "truck {truck} trip {trip}: loaded {loaded} but stops receive {handed} "
                        "and {back} come back"
                    ).format(**tw, loaded=trip.loaded, handed=s_total, back=trip.returned)
                )
            if trip.loaded > cap:
                rep.add(
                    _(
                        "truck {truck} trip {trip}: loaded {loaded} cylinders, over capacity {cap}"
                    ).format(**tw, loaded=trip.loaded, cap=cap)
                )
            # returned cylinders go back to stock; those on a trapped truck do not
            total_loaded += trip.loaded - (trip.returned if trip.stuck_at is None else 0)
            if trip.stuck_at is not None and trip is not truck.trips[-1]:
                rep.add(
                    _("truck {truck} trip {trip}: trapped by a blockade, yet trips follow").format(
                        **tw
                    )
                )
            if len(trip.legs) != len(trip.stops) + 1:
                rep.add(
                    _("truck {truck} trip {trip}: expected {want} legs, found {found}").format(
                        **tw, want=len(trip.stops) + 1, found=len(trip.legs)
                    )
                )
                continue
            clock = trip.depart
            for k, lg in enumerate(trip.legs):
                lw = {**tw, "leg": k + 1}
                if not lg.nodes:
                    rep.add(
                        _("truck {truck} trip {trip} leg {leg}: has no road nodes").format(**lw)
                    )
                    continue
                start_osm = plant_osm if k == 0 else trip.stops[k - 1].node
                end_osm = trip.stops[k].node if k < len(trip.stops) else plant_osm
                if k == len(trip.stops) and trip.stuck_at is not None:
                    end_osm = trip.stuck_at  # trapped by a blockade: it ends where it stands
                if lg.nodes[0] != start_osm or lg.nodes[-1] != end_osm:
                    rep.add(
                        _(
                            "truck {truck} trip {trip} leg {leg}: does not run from node {a} to "
                            "node {b}"
                        ).format(**lw, a=start_osm, b=end_osm)
                    )
                km = drive = delay = 0.0
                t_edge = clock
                try:
                    idx = [net.node_index(n) for n in lg.nodes]
                except KeyError as exc:
                    rep.add(
                        _(
                            "truck {truck} trip {trip} leg {leg}: node {node} is not on the map"
                        ).format(**lw, node=exc.args[0])
                    )
                    continue
                for a, b in itertools.pairwise(idx):
                    cands = by_pair.get((a, b))
                    rep.checked_edges += 1
                    if not cands:
                        rep.add(
                            _(
                                "truck {truck} trip {trip} leg {leg}: no usable road from node "
                                "{a} to {b}"
                            ).format(**lw, a=net.node_osmid[a], b=net.node_osmid[b])
                        )
                        break
                    e = min(cands, key=lambda x: net.edge_time_s[x])
                    for blk in blks:
                        if not (blk.start <= t_edge <= blk.end) or not edge_hits(blk, e):
                            continue
                        if blk.closed:
                            rep.add(
                                _(
                                    "truck {truck} trip {trip} leg {leg}: crosses closed "
                                    "blockade {id} at {time} (edge {a}->{b})"
                                ).format(
                                    **lw,
                                    id=blk.id,
                                    time=format_hhmm(t_edge),
                                    a=net.node_osmid[a],
                                    b=net.node_osmid[b],
                                )
                            )
                        elif not node_inside(blk, a):
                            delay += blk.delay_min  # entering the blockade: checkpoint

                    km += net.edge_length_m[e] / 1000
                    drive += net.edge_time_s[e] / speed / 60
                    t_edge = clock + drive + delay
                if abs(km - lg.km) > KM_TOL + 1e-3 * km:
                    rep.add(
                        _(
                            "truck {truck} trip {trip} leg {leg}: reports {km} km, the roads "
                            "give {roads} km"
                        ).format(**lw, km=fmt_num(lg.km, 3), roads=fmt_num(km, 3))
                    )
                if lg.drive_min + lg.delay_min < drive + delay - TIME_TOL_MIN:
                    rep.add(
                        _(
                            "truck {truck} trip {trip} leg {leg}: reports {reported} min, the "
                            "roads and checkpoints need {need} min"
                        ).format(
                            **lw,
                            reported=fmt_num(lg.drive_min + lg.delay_min, 1),
                            need=fmt_num(drive + delay, 1),
                        )
                    )
                arrive = clock + drive + delay
                if k < len(trip.stops):
                    s = trip.stops[k]
                    if s.arrive < arrive - TIME_TOL_MIN:
                        rep.add(
                            _(
                                "truck {truck} trip {trip} leg {leg}: arrives {time}, too early "
                                "for the road"
                            ).format(**lw, time=format_hhmm(s.arrive))
                        )
                    need = (
                        sc.demand.stop_minutes + sc.demand.seconds_per_cylinder * s.cylinders / 60
                    )
                    if s.depart < s.arrive + need - TIME_TOL_MIN:
                        rep.add(
                            _(
                                "truck {truck} trip {trip} stop {point}: hand-over shorter than "
                                "{minutes} min"
                            ).format(**tw, point=s.point_id, minutes=fmt_num(need, 1))
                        )
                    win = points[s.point_id].window if s.point_id in points else None
                    if win is not None and (
                        s.depart - need < win[0] - TIME_TOL_MIN or s.depart > win[1] + TIME_TOL_MIN
                    ):
                        rep.add(
                            _(
                                "truck {truck} trip {trip} stop {point}: hands over {start}-{end}, "
                                "outside its distribution hours {hours}"
                            ).format(
                                **tw,
                                point=s.point_id,
                                start=format_hhmm(s.depart - need),
                                end=format_hhmm(s.depart),
                                hours=f"{format_hhmm(win[0])}-{format_hhmm(win[1])}",
                            )
                        )
                    clock = s.depart
                elif trip.back < arrive - TIME_TOL_MIN:
                    rep.add(
                        _(
                            "truck {truck} trip {trip}: back at {time}, too early for the road"
                        ).format(**tw, time=format_hhmm(trip.back))
                    )
            for s in trip.stops:
                p = points.get(s.point_id)
                if p is None:
                    rep.add(
                        _(
                            "truck {truck} trip {trip}: stop {point} is not a distribution point "
                            "of the scenario"
                        ).format(**tw, point=s.point_id)
                    )
                    continue
                if int(net.node_osmid[p.node]) != s.node:
                    rep.add(
                        _(
                            "truck {truck} trip {trip}: stop {point} is not at its point's "
                            "road node"
                        ).format(**tw, point=s.point_id)
                    )
                why = stop_excluded(p.lon, p.lat)
                if why is not None:
                    rep.add(
                        _(_EXCLUDED[why[0]]).format(
                            **tw, point=s.point_id, name=s.name, area=why[1]
                        )
                    )
                if s.cylinders <= 0:
                    rep.add(
                        _(
                            "truck {truck} trip {trip}: stop {point} hands over {n} cylinders"
                        ).format(**tw, point=s.point_id, n=s.cylinders)
                    )
                if sc.guards.delegate_scope != "any" and not (p.area_names() & delegate_districts):
                    rep.add(
                        _(
                            "truck {truck} trip {trip}: stop {point} ({group}) has no junta "
                            "delegate of its district on board"
                        ).format(**tw, point=s.point_id, group=p.group)
                    )
                delivered[s.point_id] += s.cylinders

    if total_loaded > plant.stock:
        rep.add(
            _(
                "plan takes {n} cylinders out of the plant (loaded minus returned), over its "
                "stock of {stock}"
            ).format(n=total_loaded, stock=plant.stock)
        )
    for pid, got in delivered.items():
        p = points.get(pid)
        if p is not None and got > p.ration:
            rep.add(
                _("point {point} ({name}) receives {got}, over its ration cap of {ration}").format(
                    point=pid, name=p.name, got=got, ration=p.ration
                )
            )
    if plan.delivered != sum(delivered.values()):
        rep.add(
            _("plan totals {n} delivered, the stops add up to {stops}").format(
                n=plan.delivered, stops=sum(delivered.values())
            )
        )
    # every point not fully served must be listed with a reason
    listed = {u.point_id: u for u in plan.unserved}
    for pid, p in points.items():
        got = delivered.get(pid, 0)
        if got >= p.ration:
            continue
        listing = listed.get(pid)
        if listing is None:
            rep.add(
                _(
                    "point {point} ({name}) got {got} of {ration} and is not listed as unserved"
                ).format(point=pid, name=p.name, got=got, ration=p.ration)
            )
        elif listing.reason not in REASONS:
            rep.add(
                _("point {point}: unknown unserved reason {reason!r}").format(
                    point=pid, reason=listing.reason
                )
            )
        elif listing.missing != p.ration - got:
            rep.add(
                _("point {point}: unserved lists {n} missing, expected {want}").format(
                    point=pid, n=listing.missing, want=p.ration - got
                )
            )
        elif (listing.reason == "excluded-zone") != (not p.eligible):
            msg = (
                _("point {point}: reason {reason} but the point is eligible")
                if p.eligible
                else _("point {point}: reason {reason} but the point is in an excluded area")
            )
            rep.add(msg.format(point=pid, reason=listing.reason))
    for pid in listed:
        if pid not in points:
            rep.add(_("unserved point {point} is not a point of the scenario").format(point=pid))
    # every area's households, ration, delivered, reason and walking access, re-derived
    for line in check_accounts(plan, sc, net, list(points.values()), delivered, data=data):
        rep.add(line)
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
