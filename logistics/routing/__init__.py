"""The optimisation: from a scenario on a map to routes, and the routes to a plan.

``problem`` makes a scenario concrete (``build_problem``), with ``blockades`` located on the
map and guard ``commissions`` formed and paired with trucks; ``drops`` splits rations into the
solver's units; ``solver`` is the OR-Tools model and the allocation policies (``solve``), with
``greedy`` and ``pyvrp_start`` warm starts and ``allocation`` (fair caps); ``search`` holds the
OR-Tools search choices shared with the benchmark's ``vrp_core``; ``assemble`` turns solver
routes into a :class:`~logistics.plan.Plan` with timed stops and road paths.
"""

from __future__ import annotations

from logistics.routing.allocation import FAIR_DROP, fair_caps, shares, spread
from logistics.routing.assemble import FixedPart, build_plan
from logistics.routing.blockades import BlockadeEffect, blockade_effects
from logistics.routing.commissions import CommissionInfo, TruckInfo, assign_commissions
from logistics.routing.drops import (
    MAX_TRIPS_PER_TRUCK,
    PENALTY_PER_CYLINDER,
    PRIORITY_FACTOR,
    Drop,
    SolveStats,
    TruckStart,
    group_demand,
    make_drops,
    max_drop,
)
from logistics.routing.problem import Problem, build_problem
from logistics.routing.pyvrp_start import UNREACHABLE_S, DropInfo, pyvrp_routes
from logistics.routing.search import (
    FIRST_SOLUTION,
    METAHEURISTIC,
    PYVRP_SHARE,
    register_matrix,
    routes_to_assignment,
    search_parameters,
)
from logistics.routing.solver import solve
from logistics.routing.vrp_core import (
    CheckResult,
    VRPInstance,
    VRPSolution,
    check_solution,
    greedy_routes,
    min_vehicles,
    route_cost,
    savings_routes,
    solve_cvrp,
    solve_ortools,
    solve_pyvrp,
    solve_vrptw,
)

__all__ = [
    "FAIR_DROP",
    "FIRST_SOLUTION",
    "MAX_TRIPS_PER_TRUCK",
    "METAHEURISTIC",
    "PENALTY_PER_CYLINDER",
    "PRIORITY_FACTOR",
    "PYVRP_SHARE",
    "UNREACHABLE_S",
    "BlockadeEffect",
    "CheckResult",
    "CommissionInfo",
    "Drop",
    "DropInfo",
    "FixedPart",
    "Problem",
    "SolveStats",
    "TruckInfo",
    "TruckStart",
    "VRPInstance",
    "VRPSolution",
    "assign_commissions",
    "blockade_effects",
    "build_plan",
    "build_problem",
    "check_solution",
    "fair_caps",
    "greedy_routes",
    "group_demand",
    "make_drops",
    "max_drop",
    "min_vehicles",
    "pyvrp_routes",
    "register_matrix",
    "route_cost",
    "routes_to_assignment",
    "savings_routes",
    "search_parameters",
    "shares",
    "solve",
    "solve_cvrp",
    "solve_ortools",
    "solve_pyvrp",
    "solve_vrptw",
    "spread",
]
