"""From solver routes to a :class:`~logistics.plan.Plan`: timed stops, road paths, reasons.

:func:`build_plan` recomputes every time forward from the travel tables (earliest schedule,
waiting only for distribution hours), keeps the work a truck did before a mid-shift
re-plan (:class:`FixedPart`), and gives every point not fully served its reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from logistics.i18n import _, ngettext
from logistics.model import format_hhmm, scenario_digest
from logistics.plan import (
    GroupTotal,
    Leg,
    Plan,
    PlantInfo,
    SolverInfo,
    Stop,
    Trip,
    TruckPlan,
    Unserved,
)
from logistics.plan.area_rows import area_rows
from logistics.routing.timed import MARGIN_S, TimedRoads, leg_at

if TYPE_CHECKING:  # pragma: no cover
    from logistics.routing.drops import Drop, SolveStats
    from logistics.routing.problem import Problem


def _join(fx: FixedPart, lg: Leg) -> Leg:
    """Prefix a leg from a truck's position with the road it drove since its last stop.

    The times of the driven part are added too, so the leg reads as one drive from the
    last stop (the validator re-walks it from that stop's departure).
    """
    return lg.model_copy(
        update={
            "nodes": fx.road_nodes + lg.nodes[1:],
            "km": fx.road_km + lg.km,
            "drive_min": fx.road_min + lg.drive_min,
            "delay_min": fx.road_delay_min + lg.delay_min,
        }
    )


@dataclass
class FixedPart:
    """What a truck already did when a shift is re-planned (see :mod:`logistics.ops.replan`).

    ``trips`` are kept as they are; when ``on_road`` the last of them is under way, and the
    first new stops continue it from ``start_loc`` (its position, a table location), after
    the ``road_nodes`` already driven since its last stop.
    """

    trips: list[Trip]
    on_road: bool = False
    start_loc: int = 0
    road_nodes: list[int] = field(default_factory=list)
    road_km: float = 0.0
    road_min: float = 0.0
    road_delay_min: float = 0.0


def build_plan(  # noqa: PLR0912, PLR0915 - trips, stops and reasons in one forward pass
    problem: Problem,
    *,
    routes: list[tuple[Any, int, list[tuple[str, Drop | None]]]],
    drops: list[Drop],
    stats: SolveStats,
    caps: dict[str, int] | None = None,
    fixed: dict[str, FixedPart] | None = None,
) -> Plan:
    """Turn solver routes into a :class:`Plan` with timed stops, road paths and reasons.

    Times are recomputed forward from each truck's start (earliest schedule, waiting only
    for distribution hours), so they are exactly consistent with the travel tables.
    ``fixed`` holds each truck's work before a mid-shift re-plan; it is kept unchanged.
    """
    sc = problem.scenario
    net = problem.net
    roads = TimedRoads(problem)
    load_min = sc.plant.loading_minutes
    delivered_at: dict[str, int] = defaultdict(int)
    trucks_out = []
    waited: set[float] = set()  # when trips left the plant after waiting for the roads
    n_waited = 0

    def leg(i: int, j: int, speed: float, to_id: str, depart: float) -> Leg:
        """The leg from location i to j leaving at ``depart`` (minutes): the road open then."""
        r = leg_at(roads, i, j, depart * 60, speed)
        return Leg(
            to_id=to_id,
            nodes=[int(net.node_osmid[n]) for n in r.nodes],
            km=r.length_m / 1000,
            drive_min=r.drive_s / speed / 60,
            delay_min=r.delay_s / 60,
            assumed_edges=int(sum(1 for e in r.edges if net.edge_kind[e] != 0)),
        )

    def period_start(d: Drop) -> float | None:
        """Earliest a hand-over planned in a later period may begin (minutes)."""
        p = getattr(d, "period", 0)
        return (roads.periods[p].start_s + MARGIN_S) / 60 if p > 0 else None

    route_by_truck = {truck.id: (start, seq) for truck, start, seq in routes}
    for truck in problem.trucks:
        fx = (fixed or {}).get(truck.id)
        trips: list[Trip] = [t.model_copy(deep=True) for t in fx.trips] if fx else []
        for t in trips:
            for st in t.stops:
                delivered_at[st.point_id] += st.cylinders
        start_s, seq = route_by_truck.get(truck.id, (problem.shift_start_s, []))
        # group the sequence into trips of drops, merging consecutive drops at one point
        groups: list[list[Drop]] = [[]]
        for kind, d in seq:
            if kind == "reload":
                groups.append([])
            else:
                assert d is not None
                groups[-1].append(d)
        clock = start_s / 60
        for gi, drops_in_trip in enumerate(groups):
            # the first stops of a truck out on the road continue the trip under way
            continuing = fx is not None and fx.on_road and gi == 0
            if not drops_in_trip and not continuing:
                continue
            # (a drop planned in a later period than the one before it stays a stop of
            # its own: it may not be handed over earlier)
            merged: list[tuple[int, int, bool, float | None]] = []
            for d in drops_in_trip:
                ps = period_start(d)
                if merged and merged[-1][0] == d.loc and merged[-1][3] == ps:
                    merged[-1] = (d.loc, merged[-1][1] + d.cylinders, d.priority, ps)
                else:
                    merged.append((d.loc, d.cylinders, d.priority, ps))
            if continuing:
                assert fx is not None
                cur = trips.pop()
                load_start, depart = cur.load_start, cur.depart
                stops, legs = list(cur.stops), list(cur.legs)
                here = fx.start_loc
            else:
                load_start = clock
                clock += load_min
                ps = merged[0][3]
                if ps is not None and clock < ps:
                    # the model planned this trip for roads that open at ps: load and
                    # leave then, not earlier (the truck waits at the plant)
                    waited.add(ps)
                    n_waited += 1
                    load_start, clock = ps - load_min, ps
                depart = clock
                stops, legs = [], []
                here = 0
            for k, (loc, cyl, prio, ps) in enumerate(merged):
                p = problem.routable[loc - 1]
                lg = leg(here, loc, truck.speed_factor, p.id, clock)
                if fx is not None and continuing and k == 0:
                    lg = _join(fx, lg)
                arrive = clock + lg.drive_min + lg.delay_min
                begin = arrive if p.window is None else max(arrive, p.window[0])
                if ps is not None:
                    begin = max(begin, ps)  # handed over in its period, as planned
                leave = begin + problem.service_s(cyl) / 60
                legs.append(lg)
                stops.append(
                    Stop(
                        point_id=p.id,
                        name=p.name,
                        group=p.group,
                        zone=p.zone,
                        lon=p.lon,
                        lat=p.lat,
                        node=int(net.node_osmid[p.node]),
                        cylinders=cyl,
                        arrive=arrive,
                        depart=leave,
                        priority=prio,
                    )
                )
                delivered_at[p.id] += cyl
                clock = leave
                here = loc
            back_leg = leg(here, 0, truck.speed_factor, sc.plant.id, clock)
            if fx is not None and continuing and not merged:
                back_leg = _join(fx, back_leg)
            legs.append(back_leg)
            clock += back_leg.drive_min + back_leg.delay_min
            handed = sum(s.cylinders for s in stops)
            loaded = cur.loaded if continuing else handed
            trips.append(
                Trip(
                    trip_no=len(trips) + 1,
                    load_start=load_start,
                    depart=depart,
                    back=clock,
                    loaded=loaded,
                    stops=stops,
                    legs=legs,
                    returned=loaded - handed,
                )
            )
        c = truck.commission
        trucks_out.append(
            TruckPlan(
                truck_id=truck.id,
                capacity=truck.capacity,
                speed_factor=truck.speed_factor,
                commission_id=c.id if c else None,
                members=list(c.members) if c else [],
                trips=trips,
            )
        )

    total = sum(delivered_at.values())
    stock = sc.plant.stock
    by_group_got: dict[str, int] = defaultdict(int)
    for p in problem.points:
        if not p.priority:
            by_group_got[p.group] += delivered_at.get(p.id, 0)
    biggest = max((d.cylinders for d in drops), default=0)
    unserved = []
    for p in problem.points:
        got = delivered_at.get(p.id, 0)
        if got >= p.ration:
            continue
        reason = problem.pre_unserved.get(p.id)
        if reason is None:
            # Stock is short when what is left at the plant cannot cover what this point
            # still lacks; otherwise trucks, shift time or guards ran out first.
            reason = "stock-short" if stock - total < p.ration - got else "no-time"
            cap = None if caps is None or p.priority else caps.get(p.group)
            if cap is not None and by_group_got[p.group] + biggest > cap:
                # the allocation policy gave the rest of the stock to other districts
                reason = "fair-share"
        unserved.append(
            Unserved(
                point_id=p.id,
                name=p.name,
                group=p.group,
                ration=p.ration,
                delivered=got,
                missing=p.ration - got,
                reason=reason,
                priority=p.priority,
            )
        )
    routable = {p.id for p in problem.routable}
    by_group: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0])
    for p in problem.points:
        if p.priority:
            continue  # priority sites are served first, outside the district shares
        g = by_group[p.group]
        g[0] += 1
        g[1] += int(p.eligible)
        g[2] += p.ration if p.eligible else 0
        g[3] += delivered_at.get(p.id, 0)
        g[4] += p.ration if p.id in routable else 0
        g[5] += p.households if p.eligible else 0.0
    group_totals = [
        GroupTotal(
            group=k,
            points=int(v[0]),
            eligible_points=int(v[1]),
            ration=int(v[2]),
            delivered=int(v[3]),
            reachable=int(v[4]),
            households=round(v[5], 1),
        )
        for k, v in sorted(by_group.items())
    ]
    plant_node = int(net.node_osmid[problem.plant_node])
    notes = list(problem.notes)
    if stats.hit_time_limit:
        notes.append(
            _(
                "the search stopped at its time limit before its solution budget; "
                "a re-run may give a slightly different plan"
            )
        )
    if n_waited:
        notes.append(
            ngettext(
                "{n} trip waits at the plant until {times}, when blockade hours change the roads",
                "{n} trips wait at the plant until {times}, when blockade hours change the roads",
                n_waited,
            ).format(n=n_waited, times=", ".join(format_hhmm(t) for t in sorted(waited)))
        )
    if problem.unused_guards:
        n = len(problem.unused_guards)
        notes.append(
            ngettext(
                "{n} roster member rides with no commission",
                "{n} roster members ride with no commission",
                n,
            ).format(n=n)
        )
    idle = [t.id for t in problem.trucks if t.commission is None]
    if idle:
        notes.append(
            ngettext(
                "{n} truck has no guard commission and stays at the plant",
                "{n} trucks have no guard commission and stay at the plant",
                len(idle),
            ).format(n=len(idle))
        )
    return Plan(
        scenario=sc.name,
        scenario_sha256=scenario_digest(sc),
        map_source=net.source,
        map_sha256=net.source_sha256,
        plant=PlantInfo(
            id=sc.plant.id,
            name=sc.plant.name,
            lon=sc.plant.lon,
            lat=sc.plant.lat,
            node=plant_node,
            approximate=sc.plant.approximate,
            stock=stock,
        ),
        shift_start=problem.shift_start_s / 60,
        shift_end=problem.shift_end_s / 60,
        trucks=trucks_out,
        unserved=unserved,
        groups=group_totals,
        areas=area_rows(
            sc,
            problem.points,
            net,
            delivered_at,
            {u.point_id: (u.reason, u.missing) for u in unserved},
            data=problem.data,
        ),
        delivered=total,
        demand=sum(p.ration for p in problem.points if p.eligible),
        allocation=sc.allocation,
        solver=SolverInfo(
            status=stats.status,
            wall_s=round(stats.wall_s, 3),
            objective=stats.objective,
            time_limit_s=sc.solver.time_limit_s,
            seed=sc.solver.seed,
            hit_time_limit=stats.hit_time_limit,
            drops=stats.n_drops,
            candidates=stats.n_candidates,
            trip_slots=stats.n_trip_slots,
            warm_start=stats.warm_start,
        ),
        notes=notes,
    )
