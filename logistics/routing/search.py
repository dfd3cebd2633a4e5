"""The OR-Tools search choices, shared by the planner and the solver comparison.

The planner (:mod:`logistics.routing.solver`) and ``bench/compare.py`` (through
:mod:`logistics.routing.vrp_core`) use the same search parameters, matrix registration and
warm-start assignment, so the comparison with PyVRP and VROOM measures the planner's own
search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

FirstSolution = routing_enums_pb2.FirstSolutionStrategy


Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic


#: The planner's first solution strategy (insertion heuristics fail on its mandatory
#: per-truck reload nodes; path building works).
FIRST_SOLUTION = FirstSolution.PATH_CHEAPEST_ARC


#: The planner's local search metaheuristic.
METAHEURISTIC = Metaheuristic.GUIDED_LOCAL_SEARCH


#: Share of the time limit PyVRP gets in the hybrid (``warm_start="pyvrp"``); OR-Tools
#: searches from PyVRP's routes for the rest.
PYVRP_SHARE = 0.8


def search_parameters(
    time_limit_s: float,
    solution_limit: int | None = None,
    *,
    first_solution: int = FIRST_SOLUTION,
    metaheuristic: int = METAHEURISTIC,
    gls_lambda: float | None = None,
    full_propagation: bool | None = None,
    log: bool = False,
) -> pywrapcp.RoutingSearchParameters:
    """The planner's search parameters.

    Parameters
    ----------
    time_limit_s
        Search time limit in seconds.
    solution_limit
        Stop after this many solutions (None: no limit).
    first_solution
        ``FirstSolutionStrategy`` value; the planner uses ``PATH_CHEAPEST_ARC``.
    metaheuristic
        ``LocalSearchMetaheuristic`` value; the planner uses ``GUIDED_LOCAL_SEARCH``.
    gls_lambda
        Override of ``guided_local_search_lambda_coefficient`` (OR-Tools default 0.1).
    full_propagation
        Override of ``use_full_propagation``.
    log
        Print OR-Tools' search log.

    Returns
    -------
    RoutingSearchParameters
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    params.local_search_metaheuristic = metaheuristic
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    if gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = gls_lambda
    if full_propagation is not None:
        params.use_full_propagation = full_propagation
    params.log_search = log
    return params


def register_matrix(routing: pywrapcp.RoutingModel, matrix: np.ndarray) -> int:
    """Register a node-indexed integer matrix as a native (C++) transit callback.

    Parameters
    ----------
    routing
        The model.
    matrix
        ``(nodes, nodes)`` integer matrix indexed by node numbers (not manager indices).

    Returns
    -------
    int
        The transit callback index.
    """
    return int(routing.RegisterTransitMatrix(np.asarray(matrix, dtype=np.int64).tolist()))


def routes_to_assignment(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    routes: Sequence[Sequence[int]],
) -> pywrapcp.Assignment | None:
    """A warm-start assignment from routes in node numbers (one list per vehicle).

    ``ReadAssignmentFromRoutes`` expects the manager's variable indices, so the node
    numbers are converted first. Returns None when the routes break a constraint.
    """
    idx = [[manager.NodeToIndex(n) for n in r] for r in routes]
    return routing.ReadAssignmentFromRoutes(idx, True)


def to_nodes(
    routes: Sequence[tuple[Any, int, Sequence[tuple[str, Any]]]],
    trucks: Sequence[Any],
    cands: Sequence[Any],
    max_trips: int,
) -> list[list[int]]:
    """Solver routes (trucks, drops, reloads) back to the node numbers of a new model.

    The model must be built over the same trucks and candidates (node ``1 + n_reload + k``
    is ``cands[k]``); each truck's reload nodes are used in order and the unused ones go
    last, where they cost nothing.
    """
    n_reload = len(trucks) * (max_trips - 1)
    index = {id(d): k for k, d in enumerate(cands)}
    by_truck = {t.id: seq for t, _, seq in routes}
    out = []
    for v, t in enumerate(trucks):
        reloads = [1 + v * (max_trips - 1) + r for r in range(max_trips - 1)]
        route: list[int] = []
        used = 0
        for kind, d in by_truck.get(t.id, []):
            if kind == "reload":
                if used == len(reloads):
                    break  # more trips than this model allows: the rest is dropped
                route.append(reloads[used])
                used += 1
            else:
                route.append(1 + n_reload + index[id(d)])
        out.append(route + reloads[used:])
    return out
