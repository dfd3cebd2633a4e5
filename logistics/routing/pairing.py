"""Which commissions ride which trucks: an assignment model solved before routing.

The roster rules make the choice discrete (one truck per person, a plant worker and a
junta delegate on every truck that moves, delegates serve only their own districts), and
what a choice is worth depends on the demand each truck can reach in a shift. So before
routing a small aggregate mixed-integer model is solved (SCIP through OR-Tools' linear
solver wrapper; integer truck counts, continuous cylinder flows), over truck *classes*
(same capacity and speed):

* commissions the planner forms (:func:`choose_seats`): ``m[c]`` trucks of class ``c``
  ride, ``y[c, k]`` of them carry a delegate of district ``k`` (at least one and at most
  ``max_commission_size - 1`` delegates per truck, one plant worker each; bounded by the
  roster's plant workers and each district's delegates);
* listed commissions (:func:`choose_pairing`): ``z[u, c]`` trucks of class ``c`` carry a
  commission of type ``u`` (the districts of its delegates), at most as many as are listed;
  a commission pinned to a truck rides there;
* ``x[., c, p]`` — cylinders those trucks bring to point ``p`` of their districts. Each
  cylinder costs the truck its share of a round trip (loading, the quickest road of the
  shift there and back, a share of the stop) plus its hand-over; the working time of the
  trucks carrying a district bounds its flows, the working time of a class all of them;
  points get at most their ration, the plant gives at most its stock.

It is solved lexicographically, as the Assembly ranks the goals: (1) cylinders to priority
sites; (2) under a fair policy, the lowest served share of a reachable district; (3) total
cylinders; (4) districts with a commission, then trucks on the road, larger first (so
ties keep the old pairing). The estimate is deliberately coarse (one round trip per point,
no hours); the routing then decides the real trips within the commissions chosen here.
Each step is a deterministic SCIP solve (one thread, fixed seed): the same scenario gives
the same commissions. CP-SAT was tried first; with integer flows it needed up to 90 s to
close the total-delivered step on June 2005 with 12 plant workers, the LP relaxation of
continuous flows settles it in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

#: Safety limit of each solve (s): the model solves in milliseconds; the limit only
#: guards against a pathological roster.
SAFETY_LIMIT_S = 5.0


@dataclass(frozen=True)
class Need:
    """Demand a truck could serve: one reachable eligible point."""

    #: normalised area keys of the point (its district, zone, macrodistrict, municipality)
    keys: frozenset[str]
    group: str
    priority: bool
    cylinders: int
    #: driving time of the quickest round trip from the plant at speed factor 1, seconds
    drive_s: float
    #: checkpoint delays on that round trip, seconds (they do not scale with speed)
    delay_s: float


@dataclass(frozen=True)
class TruckClass:
    capacity: int
    speed_factor: float
    count: int


@dataclass(frozen=True)
class UnitType:
    """A kind of listed commission: the districts it may serve (None: any point)."""

    keys: frozenset[str] | None
    #: how many commissions of this type may ride at most
    count: int
    #: a commission already pinned to the one truck of this class (rides there, always)
    fixed_class: int | None = None


@dataclass(frozen=True)
class Times:
    """What a truck spends, in seconds: working time of a shift, loading, stop, per cylinder."""

    work_s: float
    load_s: float
    stop_s: float
    per_cylinder_s: float


class _Lexicographic:
    """A SCIP model with flows ``x[(a, b, point)]`` and the lexicographic objective."""

    def __init__(self, classes: list[TruckClass], needs: list[Need], seed: int) -> None:
        from ortools.linear_solver import pywraplp

        self.classes, self.needs = classes, needs
        solver = pywraplp.Solver.CreateSolver("SCIP")
        assert solver is not None  # SCIP ships with OR-Tools
        solver.SetNumThreads(1)
        solver.SetTimeLimit(int(1000 * SAFETY_LIMIT_S))
        solver.SetSolverSpecificParametersAsString(f"randomization/randomseedshift = {seed}\n")
        self.s = solver
        self.x: dict[tuple[Any, int, int], Any] = {}
        #: integer variables whose values are returned
        self.keep: dict[Any, Any] = {}

    def per_cylinder(self, c: TruckClass, nd: Need, times: Times) -> float:
        """Truck seconds one cylinder to ``nd`` costs a truck of class ``c``."""
        round_s = nd.drive_s / c.speed_factor + nd.delay_s
        per = (times.load_s + round_s) / c.capacity
        return per + times.stop_s / min(nd.cylinders, c.capacity) + times.per_cylinder_s

    def points_and_stock(self, stock: int) -> None:
        s = self.s
        for pi, nd in enumerate(self.needs):
            into = [v for (_, _, pj), v in self.x.items() if pj == pi]
            if into:
                s.Add(sum(into) <= nd.cylinders)
        if self.x:
            s.Add(sum(self.x.values()) <= stock)

    def served(self, pred: Callable[[Need], bool]) -> list[Any]:
        return [v for (_, _, pi), v in self.x.items() if pred(self.needs[pi])]

    def solve(self, fair: bool, ties: Any) -> dict[Any, int]:
        """Priority, fair share, total, then ``ties``; the integer values of the last step."""
        from ortools.linear_solver import pywraplp

        s = self.s
        values: dict[Any, int] = {}

        def step(objective: Any) -> None:
            """Maximise ``objective``, then keep (almost) its value for the next steps."""
            s.Maximize(objective)
            if s.Solve() in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
                best = s.Objective().Value()
                values.clear()
                values.update({k: round(v.solution_value()) for k, v in self.keep.items()})
                s.Add(objective >= best - 1e-6 * max(1.0, abs(best)) - 1e-6)

        priority = self.served(lambda nd: nd.priority)
        if priority:
            step(sum(priority))
        if fair:
            share = self._lowest_share()
            if share is not None:
                step(share)
        if self.x:
            step(sum(self.x.values()))
        step(ties)
        return values

    def covered(self, users_of: dict[str, list[Any]]) -> list[Any]:
        """One 0/1 variable per district: some truck carries one of its delegates."""
        out = []
        for k in sorted(users_of):
            if users_of[k]:
                b = self.s.BoolVar(f"cov_{k}")
                self.s.Add(b <= sum(users_of[k]))
                out.append(b)
        return out

    def _lowest_share(self) -> Any:
        """A variable below every reachable district's served share, or None."""
        reach: dict[str, int] = {}
        for pi in sorted({pi for _, _, pi in self.x}):
            nd = self.needs[pi]
            if not nd.priority:
                reach[nd.group] = reach.get(nd.group, 0) + nd.cylinders
        if not reach:
            return None
        share = self.s.NumVar(0, 1, "share")
        for grp, total in reach.items():
            got = self.served(partial(_in_group, grp))
            self.s.Add(sum(got) >= share * total)
        return share


def choose_seats(
    classes: list[TruckClass],
    needs: list[Need],
    *,
    delegates: dict[str, int],
    workers: int,
    seats: int,
    stock: int,
    times: Times,
    fair: bool,
    seed: int = 0,
) -> tuple[dict[int, int], dict[tuple[int, str], int]]:
    """Commissions the planner forms: how many trucks of each class ride, and carry whom.

    Parameters
    ----------
    classes, needs
        Truck classes and the reachable demand.
    delegates
        Junta delegates per district key (``{"*": n}`` under ``delegate_scope: any``).
    workers
        Plant workers on the roster (one per commission).
    seats
        Delegates a commission may carry (``max_commission_size - 1``).
    stock, times, fair, seed
        Plant stock; truck times; whether the policy is a fair one; SCIP's seed shift.

    Returns
    -------
    (riding, carrying)
        ``class -> trucks that ride`` and ``(class, district) -> trucks carrying one of its
        delegates``; only non-zero entries.
    """
    lx = _Lexicographic(classes, needs, seed)
    s = lx.s
    m = {ci: s.IntVar(0, c.count, f"m{ci}") for ci, c in enumerate(classes)}
    y = {
        (ci, k): s.IntVar(0, min(n, c.count), f"y{ci}_{k}")
        for ci, c in enumerate(classes)
        for k, n in sorted(delegates.items())
    }
    s.Add(sum(m.values()) <= workers)
    for k, n in delegates.items():
        s.Add(sum(y[ci, k] for ci in m) <= n)  # each district's delegates
    for ci, mv in m.items():
        mine = [y[ci, k] for k in delegates]
        s.Add(sum(mine) >= mv)  # a delegate on every truck that rides ...
        s.Add(sum(mine) <= seats * mv)  # ... and no more than the seats
        for v in mine:
            s.Add(v <= mv)  # one delegate of a district per truck
    for (ci, k), yv in y.items():
        c, budget = classes[ci], []
        for pi, nd in enumerate(needs):
            if k == "*" or k in nd.keys:
                xv = s.NumVar(0, nd.cylinders, f"x{ci}_{k}_{pi}")
                lx.x[k, ci, pi] = xv
                budget.append(lx.per_cylinder(c, nd, times) * xv)
        if budget:
            s.Add(sum(budget) <= times.work_s * yv)  # the trucks carrying district k
    for ci, c in enumerate(classes):
        flows = [
            lx.per_cylinder(c, needs[pi], times) * v for (_, cj, pi), v in lx.x.items() if cj == ci
        ]
        if flows:
            s.Add(sum(flows) <= times.work_s * m[ci])  # and all trucks of the class
    lx.points_and_stock(stock)
    lx.keep = {("m", ci): v for ci, v in m.items()} | {("y", *k): v for k, v in y.items()}
    users = {k: [y[ci, k] for ci in m] for k in delegates if k != "*"}
    ties = _ties(classes, lx.covered(users), m.items())
    values = lx.solve(fair, ties)
    riding = {ci: values.get(("m", ci), 0) for ci in m}
    carrying = {(ci, k): values.get(("y", ci, k), 0) for ci, k in y}
    return (
        {k: n for k, n in riding.items() if n > 0},
        {k: n for k, n in carrying.items() if n > 0},
    )


def choose_pairing(
    classes: list[TruckClass],
    types: list[UnitType],
    needs: list[Need],
    *,
    stock: int,
    times: Times,
    fair: bool,
    seed: int = 0,
) -> dict[tuple[int, int], int]:
    """Listed commissions: how many trucks of each class carry each type of commission.

    Parameters
    ----------
    classes, types, needs
        Truck classes (a pinned commission's truck is a class of its own), commission
        types and the reachable demand.
    stock, times, fair, seed
        Plant stock; truck times; whether the policy is a fair one; SCIP's seed shift.

    Returns
    -------
    dict
        ``(type index, class index) -> trucks``; only non-zero entries.
    """
    lx = _Lexicographic(classes, needs, seed)
    s = lx.s
    z: dict[tuple[int, int], Any] = {}
    pinned = {u.fixed_class for u in types if u.fixed_class is not None}
    for ti, u in enumerate(types):
        for ci, c in enumerate(classes):
            # a pinned truck carries its own commission, and that one only
            if (u.fixed_class is None) == (ci in pinned) or u.fixed_class not in (None, ci):
                continue
            hi = min(u.count, c.count)
            z[ti, ci] = s.IntVar(hi if u.fixed_class is not None else 0, hi, f"z{ti}_{ci}")
    if not z:
        return {}
    for ci, c in enumerate(classes):
        s.Add(sum(v for (_, cj), v in z.items() if cj == ci) <= c.count)
    for ti, u in enumerate(types):
        s.Add(sum(v for (tj, _), v in z.items() if tj == ti) <= u.count)
    for (ti, ci), zv in z.items():
        u, c, budget = types[ti], classes[ci], []
        for pi, nd in enumerate(needs):
            if u.keys is None or u.keys & nd.keys:
                xv = s.NumVar(0, nd.cylinders, f"x{ti}_{ci}_{pi}")
                lx.x[ti, ci, pi] = xv
                budget.append(lx.per_cylinder(c, nd, times) * xv)
        if budget:
            s.Add(sum(budget) <= times.work_s * zv)
    lx.points_and_stock(stock)
    lx.keep = dict(z)
    keys = sorted({k for u in types if u.keys is not None for k in u.keys})
    users = {k: [v for (ti, _), v in z.items() if k in (types[ti].keys or ())] for k in keys}
    by_class = [(ci, sum(v for (_, cj), v in z.items() if cj == ci)) for ci in range(len(classes))]
    values = lx.solve(fair, _ties(classes, lx.covered(users), by_class))
    return {k: n for k, n in values.items() if n > 0}


def _ties(classes: list[TruckClass], covered: list[Any], riding: Any) -> Any:
    """Districts with a commission first, then trucks on the road, larger trucks first."""
    big = sum(c.count * (1000 + c.capacity) for c in classes) + 1
    return big * sum(covered) + sum((1000 + classes[ci].capacity) * v for ci, v in riding)


def _in_group(group: str, nd: Need) -> bool:
    return nd.group == group and not nd.priority
