"""The planner's OR-Tools routing core on plain CVRP / VRPTW, plus a feasibility checker.

This module holds the search choices of :mod:`logistics.routing.solver` (first solution
``PATH_CHEAPEST_ARC``, metaheuristic ``GUIDED_LOCAL_SEARCH``, time and solution limits)
and the native-matrix registration (``RegisterTransitMatrix``: the matrices live in C++, no
Python callback per arc), so that the benchmark harness (``bench/compare.py``) measures the
same model code the planner runs.

All data are integers: distances, travel times, service times and time windows are given
in one integer unit (for the DIMACS convention of Solomon / Gehring-Homberger instances,
tenths of a distance unit, see :attr:`VRPInstance.scale`).

Public API
----------
:func:`search_parameters`
    The planner's ``RoutingSearchParameters``.
:func:`register_matrix`
    Register an integer node-indexed matrix as a native transit callback.
:func:`routes_to_assignment`
    Warm start from routes given in node numbers (converted to manager indices).
:func:`solve_cvrp`, :func:`solve_vrptw`, :func:`solve_ortools`
    Solve an instance with the planner's OR-Tools model.
:func:`check_solution`
    Our own checker: every customer once, capacity, time windows, recomputed cost.
:func:`greedy_routes`, :func:`savings_routes`
    Warm starts: the planner-style greedy (default) and Clarke-Wright savings.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from ortools.constraint_solver import pywrapcp

from logistics.routing.deadline import guarded_search, hard_deadline, search_in_process
from logistics.routing.search import (
    FIRST_SOLUTION,
    METAHEURISTIC,
    PYVRP_SHARE,
    register_matrix,
    routes_to_assignment,
    search_parameters,
)


@dataclass
class VRPInstance:
    """A plain CVRP or VRPTW instance on integer data; node 0 is the depot.

    Attributes
    ----------
    name
        Instance name.
    dist
        ``(n+1, n+1)`` int64 arc costs (also the travel times for a VRPTW).
    demand
        ``(n+1,)`` int64 demands, ``demand[0] == 0``.
    capacity
        Vehicle capacity (homogeneous fleet).
    n_vehicles
        Vehicles available (fleet free: no fixed cost, only distance counts).
    time_windows
        ``(n+1, 2)`` int64 earliest / latest service start, or None for a CVRP. The depot's
        window is the horizon.
    service
        ``(n+1,)`` int64 service durations, or None.
    scale
        Reported cost = integer cost / scale (10 for DIMACS one-decimal truncation).
    bks
        Best-known value in reported units, or None.
    note
        Free text (e.g. how the instance was derived).
    """

    name: str
    dist: np.ndarray
    demand: np.ndarray
    capacity: int
    n_vehicles: int
    time_windows: np.ndarray | None = None
    service: np.ndarray | None = None
    scale: int = 1
    bks: float | None = None
    note: str = ""

    @property
    def n_customers(self) -> int:
        """Number of customers (nodes other than the depot)."""
        return len(self.demand) - 1

    @property
    def is_vrptw(self) -> bool:
        """True when the instance has time windows."""
        return self.time_windows is not None


@dataclass
class VRPSolution:
    """A solver's answer.

    Attributes
    ----------
    solver
        Solver label.
    routes
        One list of customer node numbers (1..n) per non-empty route, depot excluded.
    cost
        The cost the solver itself reports, in integer units.
    wall_s
        Wall time of the whole call (model building included).
    feasible
        What the solver says about feasibility.
    info
        Solver-specific extras.
    """

    solver: str
    routes: list[list[int]]
    cost: int
    wall_s: float
    feasible: bool = True
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    """Result of :func:`check_solution`: the recomputed cost and the violations found."""

    cost: int
    violations: list[str]

    @property
    def ok(self) -> bool:
        """True when no violation was found."""
        return not self.violations


def _build_model(
    inst: VRPInstance,
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    n_nodes = inst.n_customers + 1
    manager = pywrapcp.RoutingIndexManager(n_nodes, inst.n_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost_id = register_matrix(routing, inst.dist)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_id)
    demand_id = routing.RegisterUnaryTransitVector([int(q) for q in inst.demand])
    routing.AddDimensionWithVehicleCapacity(
        demand_id, 0, [int(inst.capacity)] * inst.n_vehicles, True, "Load"
    )
    if inst.is_vrptw:
        assert inst.time_windows is not None
        service = _service(inst)
        horizon = int(inst.time_windows[0, 1])
        # transit i -> j = service at i + travel; the cumul is the service start
        time_id = register_matrix(routing, inst.dist + service[:, None])
        routing.AddDimension(time_id, horizon, horizon, False, "Time")
        time_dim = routing.GetDimensionOrDie("Time")
        for node in range(1, n_nodes):
            lo, hi = (int(x) for x in inst.time_windows[node])
            time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(lo, hi)
        lo, hi = (int(x) for x in inst.time_windows[0])
        for v in range(inst.n_vehicles):
            time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
            time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
    return manager, routing


def solve_ortools(
    inst: VRPInstance,
    time_limit_s: float,
    *,
    solution_limit: int | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    warm_start: str | None = "greedy",
    first_solution: int = FIRST_SOLUTION,
    metaheuristic: int = METAHEURISTIC,
    gls_lambda: float | None = None,
    full_propagation: bool | None = None,
    log: bool = False,
    label: str = "ortools",
    seed: int = 1,
    pyvrp_share: float = PYVRP_SHARE,
    guard: bool = True,
) -> VRPSolution:
    """Solve a CVRP or VRPTW with the planner's OR-Tools model and search parameters.

    Parameters
    ----------
    inst
        The instance.
    time_limit_s
        Search time limit (model building comes on top; it is counted in ``wall_s``).
    solution_limit
        Optional solution limit (as in the planner's settings).
    initial_routes
        Optional warm start: routes of customer node numbers, at most one per vehicle. If
        OR-Tools rejects it, the search builds its own first solution.
    warm_start
        Construction used when ``initial_routes`` is None: ``"greedy"`` (the planner's
        style, :func:`greedy_routes`; default), ``"savings"`` (:func:`savings_routes`,
        capacity only), ``"auto"`` (savings for a CVRP, greedy for a VRPTW), ``"pyvrp"``
        (PyVRP's search for ``pyvrp_share`` of the time limit, then OR-Tools from its
        routes for the rest: the *whole* call then keeps to ``time_limit_s``) or None
        (OR-Tools' own first solution strategy).
    first_solution, metaheuristic, gls_lambda, full_propagation, log
        See :func:`search_parameters`.
    label
        Solver label in the result.
    seed
        PyVRP's seed (``warm_start="pyvrp"``; OR-Tools' search is deterministic).
    pyvrp_share
        Share of ``time_limit_s`` given to PyVRP when ``warm_start="pyvrp"``.
    guard
        Run the search in a worker killed at the deadline (the planner's way, default);
        False runs it in this process with OR-Tools' own limit only (to measure overruns).

    Returns
    -------
    VRPSolution
        Empty routes and ``feasible=False`` when no solution was found.
    """
    t0 = time.monotonic()
    manager, routing = _build_model(inst)
    params = search_parameters(
        time_limit_s,
        solution_limit,
        first_solution=first_solution,
        metaheuristic=metaheuristic,
        gls_lambda=gls_lambda,
        full_propagation=full_propagation,
        log=log,
    )
    routing.CloseModelWithParameters(params)
    start = None
    info: dict[str, Any] = {}
    if initial_routes is None and warm_start == "pyvrp":
        budget = max(0.05, pyvrp_share * time_limit_s - (time.monotonic() - t0))
        first = solve_pyvrp(inst, budget, seed=seed)
        info["pyvrp_cost"] = first.cost if first.feasible else None
        initial_routes = first.routes if first.feasible else greedy_routes(inst)
    elif initial_routes is None and warm_start is not None:
        if warm_start == "auto":
            warm_start = "greedy" if inst.is_vrptw else "savings"
        initial_routes = WARM_STARTS[warm_start](inst)
    if initial_routes is not None and len(initial_routes) <= inst.n_vehicles:
        padded = [list(r) for r in initial_routes] + [[]] * (inst.n_vehicles - len(initial_routes))
        start = routes_to_assignment(routing, manager, padded)
    # OR-Tools searches for what is left of the limit, in a worker killed at the deadline
    # (it overruns its own limit on ~1,000-node models; see logistics.routing.deadline)
    params.time_limit.FromMilliseconds(
        max(50, int((time_limit_s - (time.monotonic() - t0)) * 1000))
    )
    if guard:
        outcome = guarded_search(
            routing, manager, params, start, deadline=hard_deadline(t0, time_limit_s)
        )
        found, info["deadline"] = outcome.found, outcome.how
    else:
        found = search_in_process(routing, manager, params, start)
        info["deadline"] = "unguarded"
    wall = time.monotonic() - t0
    if found is None:
        return VRPSolution(label, [], 0, wall, feasible=False, info={"status": "no solution"})
    routes = [r for r in found.routes if r]
    return VRPSolution(
        label,
        routes,
        found.objective,
        wall,
        info={"warm_start": start is not None, "first_routes": len(initial_routes or []), **info},
    )


def solve_cvrp(inst: VRPInstance, time_limit_s: float, **kwargs: Any) -> VRPSolution:
    """Solve a CVRP with the planner's model; see :func:`solve_ortools` for the options."""
    if inst.is_vrptw:
        raise ValueError(f"{inst.name} has time windows: use solve_vrptw")
    return solve_ortools(inst, time_limit_s, **kwargs)


def solve_vrptw(inst: VRPInstance, time_limit_s: float, **kwargs: Any) -> VRPSolution:
    """Solve a VRPTW with the planner's model; see :func:`solve_ortools` for the options."""
    if not inst.is_vrptw:
        raise ValueError(f"{inst.name} has no time windows: use solve_cvrp")
    return solve_ortools(inst, time_limit_s, **kwargs)


def solve_pyvrp(inst: VRPInstance, time_limit_s: float, *, seed: int = 1) -> VRPSolution:
    """PyVRP's hybrid genetic search on the instance's integer matrices (one core).

    The same data as our model: one depot, the homogeneous fleet, distances as costs and
    (VRPTW) as travel times, service durations and windows. PyVRP is imported lazily:
    only the hybrid (``warm_start="pyvrp"``) and the benchmark need it.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.monotonic()
    n1 = inst.n_customers + 1
    tw = inst.time_windows
    big = np.iinfo(np.int64).max
    service = _service(inst)
    depot_early, depot_late = (int(tw[0, 0]), int(tw[0, 1])) if tw is not None else (0, big)
    clients = [
        pyvrp.Client(
            location=i,
            delivery=[int(inst.demand[i])],
            service_duration=int(service[i]),
            tw_early=int(tw[i, 0]) if tw is not None else 0,
            tw_late=int(tw[i, 1]) if tw is not None else big,
        )
        for i in range(1, n1)
    ]
    vtype = pyvrp.VehicleType(
        num_available=inst.n_vehicles,
        capacity=[int(inst.capacity)],
        tw_early=depot_early,
        tw_late=depot_late,
    )
    dist = np.ascontiguousarray(inst.dist, dtype=np.int64)
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=0, y=0) for _ in range(n1)],
        clients=clients,
        depots=[pyvrp.Depot(location=0, tw_early=depot_early, tw_late=depot_late)],
        vehicle_types=[vtype],
        distance_matrices=[cast(Any, dist)],  # PyVRP's stubs: ndarray[int, ...]
        duration_matrices=[cast(Any, dist if tw is not None else np.zeros_like(dist))],
    )
    res = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    best = res.best
    # an activity's idx is the client's index among clients; node = idx + 1 (one depot)
    routes = [[a.idx + 1 for a in r if a.is_client()] for r in best.routes()]
    return VRPSolution(
        "pyvrp",
        routes,
        int(res.cost()) if best.is_feasible() else int(best.distance()),
        time.monotonic() - t0,
        feasible=bool(best.is_feasible()),
        info={"iterations": res.num_iterations},
    )


def _service(inst: VRPInstance) -> np.ndarray:
    if inst.service is None:
        return np.zeros(inst.n_customers + 1, dtype=np.int64)
    return np.asarray(inst.service, dtype=np.int64)


def route_cost(dist: np.ndarray, route: Sequence[int]) -> int:
    """Cost of depot -> route -> depot on an integer matrix."""
    if not route:
        return 0
    path = [0, *route, 0]
    return int(sum(int(dist[a, b]) for a, b in itertools.pairwise(path)))


def check_solution(inst: VRPInstance, routes: Sequence[Sequence[int]]) -> CheckResult:
    """Our own checker: every customer once, capacity, time windows; cost recomputed.

    Time windows: service starts at ``max(arrival, earliest)`` (waiting allowed) and must
    not start after ``latest``; the return to the depot must be within the depot window.
    Travel time equals the integer arc cost.

    Parameters
    ----------
    inst
        The instance.
    routes
        Customer node numbers per route, depot excluded.

    Returns
    -------
    CheckResult
    """
    viol: list[str] = []
    n = inst.n_customers
    seen = np.zeros(n + 1, dtype=np.int64)
    service = _service(inst)
    cost = 0
    for r, route in enumerate(routes):
        for c in route:
            if not 1 <= c <= n:
                viol.append(f"route {r}: node {c} is not a customer")
                continue
            seen[c] += 1
        good = [c for c in route if 1 <= c <= n]
        load = int(sum(int(inst.demand[c]) for c in good))
        if load > inst.capacity:
            viol.append(f"route {r}: load {load} > capacity {inst.capacity}")
        cost += route_cost(inst.dist, good)
        if inst.time_windows is not None and good:
            tw = inst.time_windows
            t = int(tw[0, 0])
            here = 0
            for c in good:
                t = max(t + int(service[here]) + int(inst.dist[here, c]), int(tw[c, 0]))
                if t > tw[c, 1]:
                    viol.append(f"route {r}: customer {c} served at {t} > due {tw[c, 1]}")
                here = c
            t += int(service[here]) + int(inst.dist[here, 0])
            if t > tw[0, 1]:
                viol.append(f"route {r}: back at depot at {t} > horizon {tw[0, 1]}")
    missing = [c for c in range(1, n + 1) if seen[c] == 0]
    twice = [c for c in range(1, n + 1) if seen[c] > 1]
    if missing:
        viol.append(f"{len(missing)} customers not served (first: {missing[:5]})")
    if twice:
        viol.append(f"{len(twice)} customers served more than once (first: {twice[:5]})")
    if len([r for r in routes if r]) > inst.n_vehicles:
        viol.append(f"{len(routes)} routes > {inst.n_vehicles} vehicles")
    return CheckResult(cost, viol)


def savings_routes(inst: VRPInstance) -> list[list[int]]:
    """Clarke-Wright parallel savings routes for a CVRP (capacity only).

    Parameters
    ----------
    inst
        The instance (time windows, if any, are ignored).

    Returns
    -------
    list of list of int
        Routes of customer node numbers.
    """
    n = inst.n_customers
    d = np.asarray(inst.dist, dtype=np.int64)
    i, j = np.triu_indices(n, k=1)
    i, j = i + 1, j + 1
    sav = d[i, 0] + d[0, j] - d[i, j]
    order = np.argsort(-sav, kind="stable")
    route_of = list(range(n + 1))
    routes: dict[int, list[int]] = {c: [c] for c in range(1, n + 1)}
    load = {c: int(inst.demand[c]) for c in range(1, n + 1)}
    for k in order:
        if sav[k] <= 0:
            break
        a, b = int(i[k]), int(j[k])
        ra, rb = route_of[a], route_of[b]
        if ra == rb or load[ra] + load[rb] > inst.capacity:
            continue
        pa, pb = routes[ra], routes[rb]
        # a must be an end of its route, b an end of its own; orient so that a is last.
        if pa[-1] != a:
            if pa[0] != a:
                continue
            pa.reverse()
        if pb[0] != b:
            if pb[-1] != b:
                continue
            pb.reverse()
        pa.extend(pb)
        load[ra] += load.pop(rb)
        del routes[rb]
        for c in pb:
            route_of[c] = ra
    return list(routes.values())


def greedy_routes(inst: VRPInstance) -> list[list[int]]:
    """Feasible warm start in the planner's style: routes filled one after the other.

    Each route repeatedly takes the unserved customer that fits in the remaining capacity,
    can be served within its window and still return to the depot in time, and that is
    reached earliest (with windows; waiting counts) or is nearest (without windows).

    Parameters
    ----------
    inst
        The instance.

    Returns
    -------
    list of list of int
        Routes of customer node numbers; feasible by construction (customers that cannot
        be served even alone get a route of their own).
    """
    n = inst.n_customers
    d = np.asarray(inst.dist, dtype=np.int64)
    dem = np.asarray(inst.demand, dtype=np.int64)
    service = _service(inst)
    tw = inst.time_windows
    free = np.ones(n + 1, dtype=bool)
    free[0] = False
    routes: list[list[int]] = []
    while free.any():
        here, load, route = 0, 0, []
        t = int(tw[0, 0]) if tw is not None else 0
        while True:
            ok = free & (load + dem <= inst.capacity)
            if tw is not None:
                arrive = np.maximum(t + service[here] + d[here], tw[:, 0])
                ok &= (arrive <= tw[:, 1]) & (arrive + service + d[:, 0] <= tw[0, 1])
                key = arrive * (d.max() + 1) + d[here]
            else:
                key = d[here]
            if not ok.any():
                break
            c = int(np.flatnonzero(ok)[np.argmin(key[ok])])
            if tw is not None:
                t = int(arrive[c])
            route.append(c)
            free[c] = False
            load += int(dem[c])
            here = c
        if not route:  # a customer no vehicle can serve in time: give it a route anyway
            c = int(np.flatnonzero(free)[0])
            route = [c]
            free[c] = False
        routes.append(route)
    return routes


WARM_STARTS = {"greedy": greedy_routes, "savings": savings_routes}


def min_vehicles(inst: VRPInstance) -> int:
    """Capacity lower bound on the number of routes."""
    return max(1, math.ceil(int(inst.demand.sum()) / inst.capacity))
