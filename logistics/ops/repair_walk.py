"""The repair's walk over one truck: same stops, new roads where a new blockade cuts them.

See :mod:`logistics.ops.repair` for the whole re-plan. A leg not yet started that drives
through a road a new blockade closes (or checks) gets the quickest path under every
blockade standing after the re-plan time; a leg under way keeps the roads already driven
and is re-routed from where the truck is; a stop cut off or late is dropped; a truck that
can neither reach a stop nor get back to the plant is trapped where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logistics.model import Scenario
from logistics.ops.repair_state import Roads, Static
from logistics.plan import Leg, Stop, Trip, TruckPlan

#: Minutes of slack the validator allows on times (``plan.validate.TIME_TOL_MIN``).
_TOL = 0.4


@dataclass
class Trapped:
    """A truck a new blockade traps away from the plant."""

    trip_no: int
    #: OSM node where it stands
    node: int
    #: the stop it stands at, or the street it is on ("" on an unnamed road)
    place: str
    #: cylinders still on board
    cylinders: int


@dataclass
class CrewChange:
    """What to tell one truck's crew after a repair (lines in the current language)."""

    truck_id: str
    lines: list[str] = field(default_factory=list)
    #: set when a new blockade traps the truck (it is reported, not planned around)
    trapped: Trapped | None = None


@dataclass
class Ctx:
    """What every truck's repair reads."""

    sc: Scenario
    roads: Roads
    static: Static
    at: float
    plant_osm: int
    plant_id: str

    def need(self, cylinders: int) -> float:
        d = self.sc.demand
        return d.stop_minutes + d.seconds_per_cylinder * cylinders / 60

    def late(self, back: float, first: float) -> bool:
        sh = self.sc.shift
        return back > sh.end_min + _TOL or back - first > sh.max_working_hours * 60 + _TOL

    def bad_window(self, s: Stop) -> bool:
        p = self.static.points.get(s.point_id)
        w = p.window if p is not None else None
        if w is None:
            return False
        return s.depart - self.need(s.cylinders) < w[0] - _TOL or s.depart > w[1] + _TOL


def _place(ctx: Ctx, idx: list[int], stops: list[Stop]) -> str:
    """Where a trapped truck stands: its last stop, or the street it is on ("" if unnamed)."""
    if len(idx) <= 1:
        return stops[-1].name if stops else ""
    names = ctx.roads.streets(idx[-2:])
    return names[0] if names else ""


def reached(trip: Trip, at: float) -> int:
    """Stops of ``trip`` reached by ``at`` (done or handing over): they stay as they are."""
    return sum(1 for s in trip.stops if s.arrive <= at) if trip.depart < at else 0


def repair_trip(
    ctx: Ctx,
    trip: Trip,
    speed: float,
    lag: float,
    first: float,
    *,
    stops: list[Stop] | None = None,
    legs: list[Leg | None] | None = None,
) -> tuple[Trip, Trapped | None, dict[str, str]]:
    """The trip repaired: ``(trip, trapped or None, {point id: reason} dropped)``.

    ``stops``/``legs`` replace the trip's own (a leg None is routed afresh); the stops
    reached by the re-plan time must be the trip's own.
    """
    roads, at = ctx.roads, ctx.at
    started = trip.depart < at
    nfix = reached(trip, at)
    stops = list(trip.stops) if stops is None else list(stops)
    legs = list[Leg | None](trip.legs) if legs is None else list(legs)
    # on the road at `at`: the edges of the leg under way already driven stay as driven
    leave = (stops[nfix - 1].depart if nfix else trip.depart) if started else at
    on_road = started and leave < at
    prefix: list[int] | None = None  # map indices of the roads driven, found when needed

    def driven() -> list[int]:
        nonlocal prefix
        if prefix is None:
            idx = roads.idx(trip.legs[nfix].nodes)
            prefix = idx[: roads.position(idx, leave, at, speed) + 1]
        return prefix

    dropped: dict[str, str] = {}
    while True:
        clock = trip.depart + lag
        new_stops: list[Stop] = []
        new_legs: list[Leg] = []
        cut: int | None = None
        here = ctx.plant_osm
        back = trip.back
        for k in range(len(stops) + 1):
            last = k == len(stops)
            end = ctx.plant_osm if last else stops[k].node
            to_id = ctx.plant_id if last else stops[k].point_id
            old = legs[k]
            ok = old is not None and old.nodes[0] == here and old.nodes[-1] == end
            leg: Leg | None = old if ok else None
            if k < nfix:
                assert leg is not None  # driven before `at`: kept as it was
            elif k == nfix and on_road:
                if not ok or roads.crosses_new_osm(old.nodes if old else []):
                    pre = driven()
                    tail = old.nodes[len(pre) - 1 :] if ok and old else []
                    if not ok or roads.crosses_new_osm(tail):
                        rest = roads.path(pre[-1], roads.net.node_index(end))
                        leg = None if rest is None else roads.leg([*pre, *rest[1:]], to_id, speed)
            elif leg is None or roads.crosses_new_osm(leg.nodes):
                path = roads.path(roads.net.node_index(here), roads.net.node_index(end))
                leg = None if path is None else roads.leg(path, to_id, speed)
            if leg is None:
                cut = k
                break
            new_legs.append(leg)
            arrive = clock + leg.drive_min + leg.delay_min
            if last:
                back = max(trip.back + lag, arrive)
            else:
                s = stops[k]
                arr = max(s.arrive + lag, arrive)
                dep = max(s.depart + lag, arr + ctx.need(s.cylinders))
                s = s.model_copy(update={"arrive": arr, "depart": dep})
                new_stops.append(s)
                clock, here = s.depart, s.node
        if cut is not None:
            # drop a stop not yet reached: the one cut off, or (return cut) the last one
            i = cut if cut < len(stops) else len(stops) - 1
            if i >= nfix:
                dropped[stops[i].point_id] = "unreachable-blockade"
                stops.pop(i)
                legs = [*legs[:i], None, *legs[i + 2 :]]
                continue
            # trapped: from where it stands, no way back to the plant (through any stop left)
            kept = stops[:nfix]
            idx = driven() if on_road else [roads.net.node_index(here)]
            stand = roads.leg(idx, ctx.plant_id, speed)
            leave = kept[-1].depart if kept else trip.depart
            stuck = trip.model_copy(
                update={
                    "stops": kept,
                    "legs": [*trip.legs[:nfix], stand],
                    "back": max(at, leave + stand.drive_min + stand.delay_min),
                    "returned": trip.loaded - sum(s.cylinders for s in kept),
                    "stuck_at": stand.nodes[-1],
                }
            )
            where = Trapped(trip.trip_no, stand.nodes[-1], _place(ctx, idx, kept), stuck.returned)
            return stuck, where, dropped
        bad = [i for i, s in enumerate(new_stops) if i >= nfix and ctx.bad_window(s)]
        if bad or (ctx.late(back, first) and len(stops) > nfix):
            i = bad[0] if bad else len(stops) - 1
            dropped[stops[i].point_id] = "no-time"
            stops.pop(i)
            legs = [*legs[:i], None, *legs[i + 2 :]]
            continue
        break
    handed = sum(s.cylinders for s in new_stops)
    # a trip not yet on the road loads only what its stops take; one under way keeps its
    # load and brings the rest back
    loaded = trip.loaded if started else handed
    new_trip = trip.model_copy(
        update={
            "load_start": trip.load_start + lag,
            "depart": trip.depart + lag,
            "back": back,
            "stops": new_stops,
            "legs": new_legs,
            "loaded": loaded,
            "returned": loaded - handed,
        }
    )
    return new_trip, None, dropped


def repair_truck(ctx: Ctx, truck: TruckPlan) -> tuple[TruckPlan, Trapped | None, dict[str, str]]:
    """One truck repaired: its new plan, whether it is trapped, the points it dropped."""
    first = truck.trips[0].load_start if truck.trips else 0.0
    trips = []
    dropped: dict[str, str] = {}
    trapped: Trapped | None = None
    prev_back = -1.0
    for trip in truck.trips:
        if trip.back <= ctx.at:
            trips.append(trip)
            prev_back = trip.back
            continue
        if trapped is not None:  # it cannot come back to load again
            dropped.update({s.point_id: "unreachable-blockade" for s in trip.stops})
            continue
        lag = max(0.0, prev_back - trip.load_start)
        new, trapped, gone = repair_trip(ctx, trip, truck.speed_factor, lag, first)
        dropped.update(gone)
        if not new.stops and new.depart >= ctx.at:
            continue  # nothing left to take: the trip is cancelled, not loaded
        trips.append(new)
        prev_back = new.back
    return truck.model_copy(update={"trips": trips}), trapped, dropped
