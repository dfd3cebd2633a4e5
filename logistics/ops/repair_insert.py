"""Freed cylinders into the repaired plan: cheapest insertion, no other stop moved.

After a repair some cylinders are free: those of dropped stops (they come back to the
plant, or ride on a trip under way) and stock never loaded. They go to the points still
missing part of their ration, priority sites first, each into the trip where the detour is
shortest among trips that still have room (capacity on a trip not yet loaded, cylinders on
board on a trip under way, after the truck's next stop) and time (the truck's later stops,
its return, the shift, its working hours and every distribution window still hold). A
point goes only to a truck whose commission may serve it (a delegate of its district when
the scenario asks for one). Existing stops are never moved to another truck or reordered;
only the receiving truck's later times move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from logistics.ops.repair_walk import Ctx, reached, repair_trip
from logistics.plan import Leg, Plan, Stop, TruckPlan

#: How many of the cheapest places a point is tried in before it is given up.
_TRIES = 6


@dataclass
class _Slot:
    detour_s: float
    truck: int
    trip: int
    pos: int
    room: int


def _used(trucks: list[TruckPlan]) -> int:
    return sum(
        tr.loaded - (tr.returned if tr.stuck_at is None else 0) for t in trucks for tr in t.trips
    )


def _may_serve(ctx: Ctx, truck: TruckPlan, pid: str) -> bool:
    if ctx.sc.guards.delegate_scope == "any":
        return True
    keys = {ctx.static.district[m] for m in truck.members if m in ctx.static.district}
    return bool(ctx.static.points[pid].area_names() & keys)


def insert_freed(
    ctx: Ctx, plan: Plan, trucks: list[TruckPlan], max_changed: int
) -> list[TruckPlan]:
    """``trucks`` with the freed cylinders inserted where they fit (see the module doc)."""
    trucks = list(trucks)
    old = {t.truck_id: t for t in plan.trucks}
    free = ctx.sc.plant.stock - _used(trucks)
    got: dict[str, int] = {}
    for t in trucks:
        for tr in t.trips:
            for s in tr.stops:
                got[s.point_id] = got.get(s.point_id, 0) + s.cylinders
    cands = [
        p for p in ctx.static.points.values() if p.eligible and p.ration - got.get(p.id, 0) > 0
    ]
    if free <= 0 or not cands:
        return trucks
    cands.sort(key=lambda p: (not p.priority, -(p.ration - got.get(p.id, 0)), p.id))
    roads, net = ctx.roads, ctx.roads.net
    adj = roads._adj
    nodes = np.asarray([p.node for p in cands])
    from_c = dijkstra(adj, indices=nodes)
    to_c = dijkstra(adj.T.tocsr(), indices=nodes)
    changed = {t.truck_id for t in trucks if t != old.get(t.truck_id)}
    for ci, p in enumerate(cands):
        missing = p.ration - got.get(p.id, 0)
        tries = 0
        while missing > 0 and free > 0 and tries < _TRIES:
            slots = []
            for ti, t in enumerate(trucks):
                if t.truck_id not in changed and len(changed) >= max_changed:
                    continue
                if not _may_serve(ctx, t, p.id) or any(tr.stuck_at is not None for tr in t.trips):
                    continue
                for ki, tr in enumerate(t.trips):
                    if tr.back <= ctx.at or any(s.point_id == p.id for s in tr.stops):
                        continue
                    if tr.depart >= ctx.at:
                        room, first = t.capacity - tr.loaded, 0
                    else:  # under way: what is on board, after the next stop
                        n = reached(tr, ctx.at)
                        leave = tr.stops[n - 1].depart if n else tr.depart
                        room, first = tr.returned, n if leave >= ctx.at else n + 1
                    if room <= 0:
                        continue
                    for pos in range(first, len(tr.stops) + 1):
                        leg = tr.legs[pos]
                        a, b = net.node_index(leg.nodes[0]), net.node_index(leg.nodes[-1])
                        extra = to_c[ci, a] + from_c[ci, b] - (leg.drive_min + leg.delay_min) * 60
                        if np.isfinite(extra):
                            slots.append(_Slot(float(extra), ti, ki, pos, room))
            if not slots:
                break
            slots.sort(key=lambda s: (s.detour_s, s.truck, s.trip, s.pos))
            done = False
            for slot in slots[: _TRIES - tries]:
                tries += 1
                n = min(missing, slot.room, free)
                new_truck = _insert(ctx, trucks[slot.truck], slot, p, n)
                if new_truck is not None:
                    trucks[slot.truck] = new_truck
                    changed.add(new_truck.truck_id)
                    missing -= n
                    free -= n
                    got[p.id] = got.get(p.id, 0) + n
                    done = True
                    break
            if not done:
                break
    return trucks


def _insert(ctx: Ctx, truck: TruckPlan, slot: _Slot, p, n: int) -> TruckPlan | None:
    """The truck with ``n`` cylinders for point ``p`` in the slot, or None if it breaks a rule."""
    net = ctx.roads.net
    trips = list(truck.trips)
    tr = trips[slot.trip]
    stop = Stop(
        point_id=p.id,
        name=p.name,
        group=p.group,
        zone=p.zone,
        lon=p.lon,
        lat=p.lat,
        node=int(net.node_osmid[p.node]),
        cylinders=n,
        arrive=0.0,
        depart=0.0,
        priority=p.priority,
    )
    stops = [*tr.stops[: slot.pos], stop, *tr.stops[slot.pos :]]
    legs: list[Leg | None] = [*tr.legs[: slot.pos], None, None, *tr.legs[slot.pos + 1 :]]
    base = tr  # a trip not yet loaded takes what its stops take (repair_trip)
    first = trips[0].load_start
    speed = truck.speed_factor
    new, stuck, gone = repair_trip(ctx, base, speed, 0.0, first, stops=stops, legs=legs)
    if stuck is not None or gone:
        return None
    trips[slot.trip] = new
    prev_back = new.back
    for k in range(slot.trip + 1, len(trips)):
        later = trips[k]
        lag = max(0.0, prev_back - later.load_start)
        if lag <= 0:
            break
        moved, stuck, gone = repair_trip(ctx, later, speed, lag, first)
        if stuck is not None or gone:
            return None
        trips[k] = moved
        prev_back = moved.back
    return truck.model_copy(update={"trips": trips})
