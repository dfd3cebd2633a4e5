"""Warm start for the planner's OR-Tools model from PyVRP's hybrid genetic search.

PyVRP (a state-of-the-art VRP heuristic, see ``bench/compare.py``) routes the drops the
planner's greedy start selected (all drops when neither the stock nor a fair-share cap
binds): as optional clients with the same prizes (the OR-Tools
penalties), the same travel and cost matrices, hours, shift span and multi-trip reloads at
the plant, and the commissions (a drop a truck may not serve is placed out of its reach
in that truck's travel-time profile). What PyVRP cannot express — the plant's stock and
the fair-share caps per district — holds for any subset of the greedy selection. OR-Tools
then starts from PyVRP's routes (``ReadAssignmentFromRoutes``) with *every* drop offered,
may swap drops in and out, and enforces every rule itself; if it rejects the routes the
planner falls back to the greedy start.

Node numbering is :func:`logistics.routing.solver._route`'s: 0 plant, then each truck's reload
nodes, then the drops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Travel time into a drop a truck's commission may not serve: longer than any shift, so
#: PyVRP's feasible solutions never contain it.
UNREACHABLE_S = 10 * 86_400


@dataclass
class DropInfo:
    """What PyVRP needs of one drop (index k: node ``first_drop + k``)."""

    cylinders: int
    prize: int
    window: tuple[int, int] | None


def pyvrp_routes(
    *,
    truck_caps: Sequence[int],
    truck_profiles: Sequence[float],
    truck_allowed: Sequence[frozenset[int]],
    drops: Sequence[DropInfo],
    first_drop: int,
    max_trips: int,
    tm_by_profile: dict[float, np.ndarray],
    cost_by_profile: dict[float, np.ndarray],
    start_s: int,
    end_s: int,
    work_s: int,
    offered: Sequence[int],
    time_limit_s: float,
    max_iterations: int,
    seed: int,
) -> tuple[list[list[int]] | None, bool]:
    """Routes (node numbers, every truck's reload nodes included) from PyVRP.

    Parameters
    ----------
    truck_caps, truck_profiles, truck_allowed
        Per truck: capacity, speed factor (key of the matrices) and the drop indices its
        commission may serve.
    drops
        The drops in candidate order.
    first_drop
        Node number of drop 0.
    max_trips
        Trips per truck (``max_trips - 1`` reload nodes each).
    tm_by_profile, cost_by_profile
        Node-indexed travel-time (service and loading included, as in the OR-Tools
        ``Time`` dimension) and cost matrices per speed factor.
    start_s, end_s, work_s
        Shift start and end (seconds after midnight) and the longest working span.
    offered
        Indices of the drops PyVRP may route: a set that keeps to the stock and the
        group caps (the planner offers those its greedy start delivers).
    time_limit_s, max_iterations
        PyVRP's budget: it stops at whichever comes first.
    seed
        PyVRP's seed: the same seed and an iteration budget reached before the time limit
        give the same routes.

    Returns
    -------
    (routes or None, time_bound)
        None when PyVRP found no feasible solution; ``time_bound`` is True when the time
        limit, not the iteration budget, stopped it (the routes may then differ per run).
    """
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    offered = list(offered)
    nodes = np.asarray([0, *(first_drop + k for k in offered)])
    # one PyVRP profile per (speed factor, commission reach)
    kinds: dict[tuple[float, int, frozenset[int]], list[int]] = {}
    for v, key in enumerate(zip(truck_profiles, truck_caps, truck_allowed, strict=True)):
        kinds.setdefault(key, []).append(v)
    profiles: dict[tuple[float, frozenset[int]], int] = {}
    # PyVRP's stubs spell the matrix type ndarray[int, ...]; they are int64 arrays
    dist_mats: list[Any] = []
    dur_mats: list[Any] = []
    vehicle_types, type_trucks = [], []
    for (factor, cap, allowed), members in kinds.items():
        if (factor, allowed) not in profiles:
            profiles[factor, allowed] = len(dist_mats)
            dur = tm_by_profile[factor][np.ix_(nodes, nodes)].copy()
            barred = [1 + j for j, k in enumerate(offered) if k not in allowed]
            dur[:, barred] = UNREACHABLE_S
            np.fill_diagonal(dur, 0)  # PyVRP's rule; our diagonal (service only) is never used
            dur_mats.append(np.ascontiguousarray(dur, dtype=np.int64))
            dist_mats.append(
                np.ascontiguousarray(cost_by_profile[factor][np.ix_(nodes, nodes)], dtype=np.int64)
            )
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(members),
                capacity=[int(cap)],
                tw_early=start_s,
                tw_late=end_s,
                shift_duration=work_s,
                profile=profiles[factor, allowed],
                reload_depots=[0],
                max_reloads=max_trips - 1,
            )
        )
        type_trucks.append(list(members))
    clients = [
        pyvrp.Client(
            location=1 + j,
            delivery=[d.cylinders],
            tw_early=d.window[0] if d.window else 0,
            tw_late=d.window[1] if d.window else end_s,
            prize=d.prize,
            required=False,
        )
        for j, d in enumerate(drops[k] for k in offered)
    ]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=0, y=0) for _ in nodes],
        clients=clients,
        depots=[pyvrp.Depot(location=0, tw_early=start_s, tw_late=end_s)],
        vehicle_types=vehicle_types,
        distance_matrices=dist_mats,
        duration_matrices=dur_mats,
    )
    stop = MultipleCriteria([MaxIterations(max_iterations), MaxRuntime(time_limit_s)])
    res = pyvrp.solve(data, stop=stop, seed=seed, display=False)
    time_bound = res.num_iterations < max_iterations
    if not res.best.is_feasible():
        return None, time_bound
    trips_of: list[list[list[int]]] = [[] for _ in truck_caps]
    free = [list(m) for m in type_trucks]
    for found in res.best.routes():
        v = free[found.vehicle_type()].pop(0)
        trips: list[list[int]] = [[]]
        for act in found:
            if act.is_client():
                trips[-1].append(offered[act.idx])  # idx: the client's index among clients
            else:  # the plant: start, reload or end
                trips.append([])
        trips_of[v] = [t for t in trips if t]
    routes = []
    for v, trips in enumerate(trips_of):
        reloads = [1 + v * (max_trips - 1) + r for r in range(max_trips - 1)]
        route: list[int] = []
        for i, trip in enumerate(trips):
            if i:
                route.append(reloads[i - 1])
            route += [first_drop + k for k in trip]
        route += reloads[max(0, len(trips) - 1) :]
        routes.append(route)
    return routes, time_bound
