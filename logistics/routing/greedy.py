"""The greedy warm start of the OR-Tools search: trips filled nearest-first, trucks in turn."""

from __future__ import annotations

import time

import numpy as np

from logistics.routing.commissions import TruckInfo
from logistics.routing.drops import Drop, TruckStart
from logistics.routing.problem import Problem


def _greedy_routes(  # noqa: PLR0917 - the model's arrays as _route built them
    problem: Problem,
    trucks: list[TruckInfo],
    cands: list[Drop],
    tm_by_factor: dict[float, np.ndarray],
    max_trips: int,
    n_reload: int,
    work_s: int,
    stock: int,
    caps: dict[str, int] | None = None,
    windows: list[tuple[int, int] | None] | None = None,
    starts: list[TruckStart] | None = None,
    start_nodes: list[int] | None = None,
    same: list[int] | None = None,
    deadline: float | None = None,
) -> list[list[int]]:
    """A feasible warm start: trips filled nearest-first, trucks taking turns.

    Node numbering as in :func:`solve`: 0 plant, then each truck's reloads, then drops.
    Every truck's route lists all its reload nodes (they are mandatory); unused ones go
    last, where they cost nothing. ``same`` (copies of one drop per period, see
    :mod:`logistics.routing.timed`) gives each node's drop: once one copy is taken, the
    others are too.
    At ``deadline`` (``time.monotonic()``) it stops adding stops: what it has is still
    feasible (on 2,000 points it would take the whole limit).
    """
    first_drop = 1 + n_reload
    order = sorted(range(len(cands)), key=lambda k: not cands[k].priority)
    free = dict.fromkeys(order)  # insertion-ordered set: priority drops first
    left = stock
    room = dict(caps) if caps is not None else None  # cylinders each group may still get
    if starts is None:
        starts = [TruckStart(loc=0, time_s=problem.shift_start_s) for _ in trucks]
        start_nodes = [0] * len(trucks)
    assert start_nodes is not None
    clock = [st.time_s for st in starts]
    trips: list[list[list[int]]] = [[] for _ in trucks]
    end_limit = [min(problem.shift_end_s, st.time_s + work_s - st.worked_s) for st in starts]
    for rnd in range(max_trips):
        for v, truck in enumerate(trucks):
            tm = tm_by_factor[truck.speed_factor]
            t, here, load, stops = clock[v], 0, 0, []
            if rnd == 0 and start_nodes[v] != 0:
                # out on the road: first hand over what is on board, then reload
                here, load = start_nodes[v], truck.capacity - starts[v].onboard
            while deadline is None or time.monotonic() < deadline:
                best: int | None = None
                best_t = 0  # read only once best is set
                for k in free:
                    d = cands[k]
                    if load + d.cylinders > truck.capacity or d.cylinders > left:
                        continue
                    if room is not None and not d.priority and d.cylinders > room.get(d.group, 0):
                        continue
                    if truck.commission is None or not truck.commission.may_serve(
                        problem.routable[d.loc - 1]
                    ):
                        continue
                    node = first_drop + k
                    arrive = t + tm[here, node]
                    win = windows[k] if windows else None
                    if win is not None:
                        if arrive > win[1]:
                            continue
                        arrive = max(arrive, win[0])  # wait for the distribution hours
                    if arrive + tm[node, 0] > end_limit[v]:
                        continue
                    if best is None or (d.priority, -arrive) > (cands[best].priority, -best_t):
                        best, best_t = k, arrive
                if best is None:
                    break
                for k in _taken(free, best, same):
                    del free[k]
                stops.append(first_drop + best)
                load += cands[best].cylinders
                left -= cands[best].cylinders
                if room is not None and not cands[best].priority:
                    room[cands[best].group] -= cands[best].cylinders
                t, here = best_t, first_drop + best
            if stops or (rnd == 0 and start_nodes[v] != 0):
                trips[v].append(stops)
                clock[v] = t + tm[here, 0]
    routes = []
    for v in range(len(trucks)):
        reloads = [1 + v * (max_trips - 1) + r for r in range(max_trips - 1)]
        route: list[int] = []
        for i, stops in enumerate(trips[v]):
            if i:
                route.append(reloads[i - 1])
            route += stops
        route += reloads[max(0, len(trips[v]) - 1) :]
        routes.append(route)
    return routes


def _taken(free: dict[int, None], best: int, same: list[int] | None) -> list[int]:
    """The nodes a pick takes out: the drop, and its copies in other periods."""
    if same is None:
        return [best]
    return [k for k in free if same[k] == same[best]]
