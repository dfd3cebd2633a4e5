"""The OR-Tools routing model: guarded multi-trip deliveries from the plant.

Model (one OR-Tools vehicle per truck that has a commission):

* **Drops**: each point's ration is split into near-equal drops no larger than the smallest
  truck, so a large ration can be served by several trips. Every drop is optional, with a
  penalty per cylinder left undelivered (priority sites: 1000 times higher), so the search
  delivers as much as it can and priority sites first.
* **Reloads**: each truck owns ``trips - 1`` mandatory copies of the plant. Passing one
  resets the load (the ``Load`` dimension's slack is free only there); the loading time is
  charged on the arc from the plant to a stop, so an unused reload costs nothing and a
  single-stop move of the local search can open a new trip. (Optional reload nodes made the
  search need two-node moves and it left trucks idle; one vehicle per trip chained by time
  constraints stalled OR-Tools' local search entirely.)
* **Stock**: one linear constraint over the drops' active variables caps the cylinders
  delivered by all trucks over all trips.
* **Shift**: a ``Time`` dimension (seconds after midnight) bounded by the shift; the span of
  each truck is capped by the maximum working time.
* **Commissions**: a drop may only go to vehicles whose commission has a junta delegate of
  its district (``SetAllowedVehiclesForIndex``); trucks without a commission get no vehicle.
* **Blockades** are already in the travel tables (closed edges removed, permit delays
  added).

Determinism: the search stops after ``solution_limit`` solutions or ``time_limit_s``,
whichever comes first; with the same seed and an unreached time limit the plan is the same.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp

from logistics.plan import Plan
from logistics.routing.assemble import build_plan
from logistics.routing.commissions import TruckInfo
from logistics.routing.deadline import call_before, guarded_search, hard_deadline
from logistics.routing.drops import (
    Drop,
    Routes,
    SolveStats,
    TruckStart,
    _penalty,
    make_drops,
    trip_slots,
)
from logistics.routing.fairness import fair_solve
from logistics.routing.greedy import _greedy_routes
from logistics.routing.problem import Problem
from logistics.routing.pyvrp_start import DropInfo, pyvrp_routes
from logistics.routing.search import (
    PYVRP_SHARE,
    register_matrix,
    routes_to_assignment,
    search_parameters,
    to_nodes,
)
from logistics.routing.timed import TimedRoads, expand_drops, node_travel, warm_on_copies

#: Share of a solve's time limit the greedy warm start may take (on 2,000 points it would
#: take more than a 10 s limit; it stops with what it has, which is still feasible).
GREEDY_SHARE = 0.25


def solve(problem: Problem, *, time_limit_s: float | None = None, log: bool = False) -> Plan:
    """Plan the shift: OR-Tools routing over the problem's drops, under its allocation policy.

    ``max-delivered`` solves once. ``proportional`` and ``max-min`` first decide every
    group's floor by construction (water-filling: the largest common share the stock,
    trucks, hours and guards allow, then higher for the groups that can go higher;
    :mod:`logistics.routing.fairness`) and search once from those routes with the floors
    as hard lower bounds; ``proportional`` also caps each group under a drop above its
    share, ``max-min`` delivers as much as it can above the floors. The time limit is the
    whole policy's.

    Parameters
    ----------
    problem
        Built by :func:`logistics.routing.problem.build_problem`.
    time_limit_s
        Override of ``scenario.solver.time_limit_s``.
    log
        Print OR-Tools' search log.
    """
    sc = problem.scenario
    limit = sc.solver.time_limit_s if time_limit_s is None else time_limit_s
    trucks = [t for t in problem.trucks if t.commission is not None]
    policy = sc.allocation
    drops, cands = (
        make_drops(problem, fine=policy != "max-delivered") if problem.routable else ([], [])
    )
    if not cands or not trucks:
        stats = SolveStats("nothing to route", 0.0, 0, False, len(drops), 0, 0)
        return build_plan(problem, routes=[], drops=drops, stats=stats)
    if policy == "max-delivered":
        routes, stats = _route(problem, trucks, drops, cands, None, limit, log)
        return build_plan(problem, routes=routes, drops=drops, stats=stats)
    t0 = time.monotonic()

    def one(
        caps: dict[str, int] | None,
        floors: dict[str, int],
        warm: Routes,
        secs: float,
        cut: float,
    ) -> tuple[Routes, SolveStats]:
        return _route(
            problem, trucks, drops, cands, caps, secs, log, warm=warm, floors=floors, deadline=cut
        )

    res = fair_solve(
        problem, trucks, cands, policy, one, limit=limit, hard=hard_deadline(t0, limit)
    )
    res.stats.wall_s = time.monotonic() - t0
    return build_plan(problem, routes=res.routes, drops=drops, stats=res.stats, caps=res.caps)


def _route(  # noqa: PLR0912, PLR0915, PLR0917 - one OR-Tools model, built in order
    problem: Problem,
    trucks: list[TruckInfo],
    drops: list[Drop],
    cands: list[Drop],
    caps: dict[str, int] | None,
    limit: float,
    log: bool,
    starts: list[TruckStart] | None = None,
    stock: int | None = None,
    *,
    warm: Routes | None = None,
    floors: dict[str, int] | None = None,
    deadline: float | None = None,
    home: list[int] | None = None,
    move_cost_s: int = 0,
) -> tuple[Routes, SolveStats]:
    """Build and solve one OR-Tools model.

    ``caps`` bound the cylinders per group from above and ``floors`` from below (hard
    constraints); ``starts`` (one per truck) place trucks mid-shift, and ``stock``
    overrides the plant's stock (what is left of it). ``warm`` is a warm start over the
    same candidates (the fair policies' construction); with ``floors`` it must meet them,
    and the greedy start is skipped (it does not know them); PyVRP's start then routes the
    warm start's drops and is used only if it meets the floors too. If the model rejects
    the warm start, the solve is redone without floors. ``deadline``
    (``time.monotonic()``) is the moment the search is cut (default: ``limit`` + 3 % +
    0.3 s). ``home`` (one per candidate: the index of the truck that serves it now, or -1)
    with ``move_cost_s`` charges every drop handed to another truck than its home one
    (the minimal-disruption re-plan's improve step).
    """
    sc = problem.scenario
    settings = sc.solver
    t0 = time.monotonic()
    plant = sc.plant
    stock = plant.stock if stock is None else stock
    if starts is None:
        starts = [TruckStart(loc=0, time_s=problem.shift_start_s) for _ in trucks]
    load_s = round(plant.loading_minutes * 60)
    max_cap = max(t.capacity for t in trucks)
    n_trucks = len(trucks)
    shift_s = problem.shift_end_s - problem.shift_start_s
    work_s = int(min(sc.shift.max_working_hours * 3600, shift_s))
    roads = TimedRoads(problem)
    cand_locs = sorted({d.loc for d in cands})
    # blockade windows: the quickest round trip of any period
    min_round_s = roads.best_round_s(cand_locs) + load_s if roads.timed else None
    total = sum(d.cylinders for d in cands)
    max_trips = trip_slots(problem, trucks, cands, min_round_s=min_round_s)
    n_reload = n_trucks * (max_trips - 1)
    # Blockade windows: a drop whose roads change during the shift becomes one node per
    # period it can be served in (routing.timed); otherwise the candidates themselves.
    timed = expand_drops(
        roads,
        cands,
        np.asarray([round(problem.service_s(d.cylinders)) for d in cands], dtype=np.int64),
        [t.speed_factor for t in trucks],
        min(st.time_s for st in starts),
    )
    offered_drops, cands = cands, timed.drops

    # node 0: plant; then (max_trips - 1) reload nodes per truck; then the drops; then a
    # start node for each truck that is out on the road (mid-shift re-planning)
    node_loc = [0] * (1 + n_reload) + [d.loc for d in cands]
    node_demand = [0] + [-max_cap] * n_reload + [d.cylinders for d in cands]
    start_nodes = []
    for st in starts:
        if st.loc == 0:
            start_nodes.append(0)
        else:
            start_nodes.append(len(node_loc))
            node_loc.append(st.loc)
            node_demand.append(0)
    is_plant = np.zeros(len(node_loc), dtype=bool)
    is_plant[: 1 + n_reload] = True
    service = np.asarray(
        [0] * (1 + n_reload)
        + [round(problem.service_s(d.cylinders)) for d in cands]
        + [0] * (len(node_loc) - 1 - n_reload - len(cands)),
        dtype=np.int64,
    )
    n_nodes = len(node_loc)
    # consecutive drops at one point are one stop (assemble merges them): between them only
    # the per-cylinder time counts
    stop_s = round(sc.demand.stop_minutes * 60)
    is_drop = np.zeros(n_nodes, dtype=bool)
    is_drop[1 + n_reload : 1 + n_reload + len(cands)] = True
    locs = np.asarray(node_loc)
    same_point = (locs[:, None] == locs[None, :]) & is_drop[:, None] & is_drop[None, :]
    np.fill_diagonal(same_point, False)
    manager = pywrapcp.RoutingIndexManager(n_nodes, n_trucks, start_nodes, [0] * n_trucks)
    routing = pywrapcp.RoutingModel(manager)

    # Travel per distinct speed factor (checkpoint delays do not scale). Loading time is
    # charged on the arc from the plant (start or reload) to a stop, so reloads that open
    # no trip cost nothing and sit idle at the end of the route.
    transit_ids = {}
    cost_ids = {}
    tm_by_factor: dict[float, np.ndarray] = {}
    cost_by_factor: dict[float, np.ndarray] = {}
    node_period = [-1] * (1 + n_reload) + [getattr(d, "period", -1) for d in cands]
    node_period += [-1] * (n_nodes - len(node_period))
    start_period = {
        n: roads.period_at(st.time_s)
        for n, st in zip(start_nodes, starts, strict=True)
        if n != 0 and roads.timed
    }
    for f in sorted({t.speed_factor for t in trucks}):
        travel = node_travel(roads, node_loc, node_period, is_plant, start_period, f)
        travel = np.where(np.isfinite(travel), travel, 10 * 86400)
        trav = np.rint(travel).astype(np.int64)
        tm = trav + service[:, None]
        tm[np.ix_(is_plant, ~is_plant)] += load_s
        tm[same_point] -= stop_s  # drops handed over in one stop pay its overhead once
        tm_by_factor[f] = tm
        cost_by_factor[f] = trav
        # Matrices live in C++: no Python callback per arc evaluation.
        transit_ids[f] = register_matrix(routing, tm)
        cost_ids[f] = register_matrix(routing, trav)
    for v, t in enumerate(trucks):
        if home is not None and move_cost_s > 0:
            # arriving at a drop whose home is another truck costs the move
            owner = np.full(n_nodes, -1)
            owner[1 + n_reload : 1 + n_reload + len(cands)] = [home[b] for b in timed.base]
            moved = (owner >= 0) & (owner != v)
            per_v = cost_by_factor[t.speed_factor] + move_cost_s * moved[None, :]
            routing.SetArcCostEvaluatorOfVehicle(register_matrix(routing, per_v), v)
        else:
            routing.SetArcCostEvaluatorOfVehicle(cost_ids[t.speed_factor], v)

    routing.AddDimensionWithVehicleTransits(
        [transit_ids[t.speed_factor] for t in trucks],
        shift_s,  # waiting allowed
        problem.shift_end_s,
        False,
        "Time",
    )
    time_dim = routing.GetDimensionOrDie("Time")
    for v, st in enumerate(starts):
        time_dim.CumulVar(routing.Start(v)).SetRange(st.time_s, problem.shift_end_s)
        time_dim.CumulVar(routing.End(v)).SetRange(st.time_s, problem.shift_end_s)
        time_dim.SetSpanUpperBoundForVehicle(max(0, work_s - st.worked_s), v)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))

    # Distribution hours: the hand-over must start and finish inside the point's window.
    windows = timed.windows
    for k, win in enumerate(windows):
        if win is not None:
            time_dim.CumulVar(manager.NodeToIndex(1 + n_reload + k)).SetRange(*win)

    demand_id = routing.RegisterUnaryTransitVector(node_demand)
    routing.AddDimensionWithVehicleCapacity(
        demand_id, max_cap, [t.capacity for t in trucks], False, "Load"
    )
    load_dim = routing.GetDimensionOrDie("Load")
    for v, (t, st) in enumerate(zip(trucks, starts, strict=True)):
        # A truck out on the road can hand over only what it carries before reloading.
        used = t.capacity - st.onboard if st.loc != 0 else 0
        load_dim.CumulVar(routing.Start(v)).SetValue(max(0, used))
    for node in range(1 + n_reload, 1 + n_reload + len(cands)):
        load_dim.SlackVar(manager.NodeToIndex(node)).SetValue(0)
    # Each truck owns its reload nodes and must pass them all (mandatory, so a single-stop
    # move of the local search can open a new trip by inserting a stop after a reload).
    for v in range(n_trucks):
        for r in range(max_trips - 1):
            routing.VehicleVar(manager.NodeToIndex(1 + v * (max_trips - 1) + r)).SetValue(v)

    # the trucks whose commission may serve each drop (its district's delegates)
    allowed_by_drop = [
        [
            v
            for v, t in enumerate(trucks)
            if t.commission is not None and t.commission.may_serve(problem.routable[d.loc - 1])
        ]
        for d in cands
    ]
    copies_of: dict[int, list[int]] = {}
    for k, b in enumerate(timed.base):
        copies_of.setdefault(b, []).append(manager.NodeToIndex(1 + n_reload + k))
    for k, allowed in enumerate(allowed_by_drop):
        idx = manager.NodeToIndex(1 + n_reload + k)
        b = timed.base[k]
        if copies_of[b][0] == idx:
            # one drop, handed over at most once: in whichever period its copy is routed
            routing.AddDisjunction(copies_of[b], _penalty(offered_drops[b]))
        if len(allowed) < n_trucks:
            # -1 keeps "not performed" possible (SetAllowedVehiclesForIndex's Span binding
            # is broken in the Python wrapper of OR-Tools 9.15).
            routing.VehicleVar(idx).SetValues([-1, *allowed])

    if total > stock:
        solver = routing.solver()
        drop_idx = [manager.NodeToIndex(1 + n_reload + k) for k in range(len(cands))]
        solver.Add(
            solver.Sum(
                [routing.ActiveVar(i) * d.cylinders for i, d in zip(drop_idx, cands, strict=True)]
            )
            <= stock
        )

    if caps is not None:
        solver = routing.solver()
        for g, cap in caps.items():
            members = [
                (manager.NodeToIndex(1 + n_reload + k), d.cylinders)
                for k, d in enumerate(cands)
                if d.group == g and not d.priority
            ]
            if members and sum(q for _, q in members) > cap:
                solver.Add(solver.Sum([routing.ActiveVar(i) * q for i, q in members]) <= cap)

    warm_nodes: list[list[int]] | None = None
    if warm is not None and timed.copied:
        # The fair construction packs the candidates on the whole-shift roads; here the
        # drops of sensitive points are copied per period: put each on the copy the
        # truck reaches it in, and keep the floors the mapped start meets.
        end_s = [
            min(problem.shift_end_s, st.time_s + max(0, work_s - st.worked_s)) for st in starts
        ]
        warm_nodes = warm_on_copies(
            to_nodes(warm, trucks, offered_drops, max_trips),
            timed,
            1 + n_reload,
            [tm_by_factor[t.speed_factor] for t in trucks],
            start_nodes,
            [st.time_s for st in starts],
            end_s,
        )
        if floors:
            kept: dict[str, int] = {}
            for nodes in warm_nodes:
                for kept_drop in (cands[n - 1 - n_reload] for n in nodes if n > n_reload):
                    if not kept_drop.priority:
                        g = kept_drop.group
                        kept[g] = kept.get(g, 0) + kept_drop.cylinders
            floors = {g: min(low, kept.get(g, 0)) for g, low in floors.items()}
    elif warm is not None:
        warm_nodes = to_nodes(warm, trucks, cands, max_trips)

    if floors:
        solver = routing.solver()
        for g, low in floors.items():
            members = [
                (manager.NodeToIndex(1 + n_reload + k), d.cylinders)
                for k, d in enumerate(cands)
                if d.group == g and not d.priority
            ]
            if members and low > 0:
                solver.Add(solver.Sum([routing.ActiveVar(i) * q for i, q in members]) >= low)

    # The search choices are shared with bench/compare.py (logistics.routing.vrp_core), so the
    # comparison with PyVRP and VROOM measures the planner's own search.
    params = search_parameters(limit, settings.solution_limit, log=log)
    routing.CloseModelWithParameters(params)
    initial = (
        []
        if floors
        else _greedy_routes(
            problem,
            trucks,
            cands,
            tm_by_factor,
            max_trips,
            n_reload,
            work_s,
            stock,
            caps,
            windows,
            starts,
            start_nodes,
            same=timed.base if timed.copied else None,
            deadline=t0 + GREEDY_SHARE * limit,
        )
    )
    start_from = None if floors else routes_to_assignment(routing, manager, initial)
    start_used = "greedy" if start_from is not None else "ortools"
    if warm_nodes is not None:  # the fair policies' construction
        again = routes_to_assignment(routing, manager, warm_nodes)
        if again is None and floors:  # rejected (it should not be): no floors then
            left = max(0.2, limit - (time.monotonic() - t0))
            return _route(
                problem,
                trucks,
                drops,
                offered_drops,
                caps,
                left,
                log,
                starts,
                stock,
                deadline=deadline,
                home=home,
                move_cost_s=move_cost_s,
            )
        # the better of the two starts
        if again is not None and (
            start_from is None or again.ObjectiveValue() <= start_from.ObjectiveValue()
        ):
            start_from, start_used = again, "fair"
    pyvrp_cut = False  # PyVRP stopped by the clock, not its iteration budget
    if settings.warm_start == "pyvrp" and all(st.loc == 0 and st.worked_s == 0 for st in starts):
        if warm_nodes is not None:  # the policy's own selection (it keeps to stock and caps)
            offered = sorted(n - 1 - n_reload for r in warm_nodes for n in r if n > n_reload)
        elif total <= stock and caps is None and not timed.copied:
            offered = list(range(len(cands)))  # no stock or cap to keep: PyVRP may take all
        else:  # the greedy's selection keeps to the stock and the caps: PyVRP routes it
            offered = sorted(n - 1 - n_reload for r in initial for n in r if n > n_reload)
        reach: list[set[int]] = [set() for _ in trucks]  # drops each truck may serve
        for k, vs in enumerate(allowed_by_drop):
            for v in vs:
                reach[v].add(k)
        better, pyvrp_cut = call_before(
            t0 + PYVRP_SHARE * limit + 0.5,
            (None, True),
            pyvrp_routes,
            truck_caps=[t.capacity for t in trucks],
            truck_profiles=[t.speed_factor for t in trucks],
            truck_allowed=[frozenset(r) for r in reach],
            drops=[
                DropInfo(d.cylinders, _penalty(d), w) for d, w in zip(cands, windows, strict=True)
            ],
            first_drop=1 + n_reload,
            max_trips=max_trips,
            tm_by_profile=tm_by_factor,
            cost_by_profile=cost_by_factor,
            start_s=max(st.time_s for st in starts),
            end_s=problem.shift_end_s,
            work_s=work_s,
            offered=offered,
            time_limit_s=max(0.1, PYVRP_SHARE * limit - (time.monotonic() - t0)),
            max_iterations=settings.pyvrp_iterations,
            seed=settings.seed,
        )
        pyvrp_start = routes_to_assignment(routing, manager, better) if better else None
        if pyvrp_start is not None and (
            start_from is None or pyvrp_start.ObjectiveValue() <= start_from.ObjectiveValue()
        ):
            start_from, start_used = pyvrp_start, "pyvrp"
    # OR-Tools searches for what is left of the budget (model, greedy and PyVRP came first)
    params.time_limit.FromMilliseconds(max(100, int((limit - (time.monotonic() - t0)) * 1000)))
    # The search runs in a worker process cut at the deadline (OR-Tools overruns its own
    # limit on large models); without a warm start OR-Tools builds its own first solution.
    cut = hard_deadline(t0, limit) if deadline is None else deadline
    outcome = guarded_search(routing, manager, params, start_from, deadline=cut, time_dim=time_dim)
    found = outcome.found
    wall = time.monotonic() - t0
    if found is None:
        stats = SolveStats(
            "no solution",
            wall,
            0,
            wall >= limit * 0.95,
            len(drops),
            len(offered_drops),
            n_trucks * max_trips,
        )
        return [], stats

    routes = []
    for v, truck in enumerate(trucks):
        seq: list[tuple[str, Drop | None]] = [
            ("reload", None) if node <= n_reload else ("drop", cands[node - 1 - n_reload])
            for node in found.routes[v]
        ]
        routes.append((truck, found.starts[v], seq))
    stats = SolveStats(
        status="solved",
        wall_s=wall,
        objective=found.objective,
        hit_time_limit=wall >= limit * 0.95 or pyvrp_cut or outcome.how == "killed",
        n_drops=len(drops),
        n_candidates=len(offered_drops),
        n_trip_slots=n_trucks * max_trips,
        warm_start=start_used,
    )
    return routes, stats
