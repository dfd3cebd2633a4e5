"""Upper bounds on what a fair plan can achieve: a linear relaxation of the routing problem.

The bench (``bench/fair_bench.py``) compares the fair policies with the best achievable
common share. A constructed plan shows that a share *can* be reached (a lower bound); this
module shows what *cannot*: a relaxation whose optimum is at least as good as any plan's.
It keeps the trucks' working hours, whole trips, the loading time and one stop per trip,
the truck capacity, the hand-over time per cylinder and per stop, the commissions (which
points each truck may serve) and the stock; it drops what only makes plans worse: where a
trip goes between its points, distribution hours, the order of trips.

Why it is a bound: a trip whose farthest point (by round trip from the plant) is ``p``
takes at least the loading time, the round trip to ``p`` (travel times are shortest paths,
so the tour through its other stops is no shorter) and one stop; every cylinder to a point
rides a trip whose farthest point is at least that far; a point with ``q`` servable
cylinders is visited at least ``x / min(q, capacity)`` times when it gets ``x``. Trips are
classed by their farthest point's round trip, rounded *down* to :data:`CLASS_S`, less a
few seconds for the routing model's rounding of travel times to whole seconds.

Trucks with the same reach (the points their commission may serve), capacity and speed
form a *kind*. A truck's day is a *pattern*: a multiset of trip classes (of points its
kind may serve) whose least times fit in its working span, with at most the model's trip
slots; ``y`` trucks of a kind take a pattern and carry ``w[c] <= capacity * y * n(c)``
cylinders on its class-``c`` trips, their hand-over time inside the rest of the span.
Per kind and class, the cylinders its trucks bring to points of that class or farther
ride its trips of that class or farther. Per kind, the stops beyond one per trip and
every hand-over fit in its trucks' hours. Each group's floor ``min(reach, f * ration)``
comes on top. It is a linear program (GLOP): fractional trucks may take a pattern, so the
bound is not tight; the bench reports the gap to the best plan found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from logistics.routing.commissions import TruckInfo
from logistics.routing.drops import Drop
from logistics.routing.problem import Problem

#: Width of a trip class (seconds of round trip from the plant).
CLASS_S = 10 * 60
#: Seconds taken off each class's round trip: the routing model rounds each leg's travel
#: time to a whole second (a trip of 8 legs is at most 4 s shorter than the sum).
ROUNDING_S = 8


@dataclass
class BoundResult:
    """What the relaxation says: ``ok`` False when even it cannot meet the floors."""

    ok: bool
    #: an upper bound on total cylinders delivered with the floors met (None: not asked)
    total: float | None


@dataclass
class _Kind:
    """Trucks of one reach, capacity and speed, and the days they can make."""

    count: int
    capacity: int
    locs: list[int]
    cls: dict[int, int]  # point -> trip class
    trip_s: dict[int, float]  # class -> least trip time (loading, round trip, one stop)
    patterns: list[dict[int, int]] = field(default_factory=list)


class FairBound:
    """The relaxation of one problem (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        trucks: list[TruckInfo],
        cands: list[Drop],
        servable: list[bool],
        max_trips: int,
    ) -> None:
        sc = problem.scenario
        load_s = sc.plant.loading_minutes * 60
        self.stop_s = sc.demand.stop_minutes * 60
        self.per_cyl_s = sc.demand.seconds_per_cylinder
        work = min(sc.shift.max_working_hours * 3600, problem.shift_end_s - problem.shift_start_s)
        self.work_s = float(work)
        self.stock = sc.plant.stock
        tb = problem.tables
        self.qty: dict[int, int] = {}
        self.group: dict[int, str | None] = {}
        for d, ok in zip(cands, servable, strict=True):
            if ok:
                self.qty[d.loc] = self.qty.get(d.loc, 0) + d.cylinders
                self.group[d.loc] = None if d.priority else d.group
        self.locs = sorted(self.qty)
        by_kind: dict[tuple[tuple[int, ...], int, float], int] = {}
        for t in trucks:
            if t.commission is None:
                continue
            reach = tuple(k for k in self.locs if t.commission.may_serve(problem.routable[k - 1]))
            if reach:
                key = (reach, t.capacity, t.speed_factor)
                by_kind[key] = by_kind.get(key, 0) + 1
        self.kinds: list[_Kind] = []
        for (reach, cap, speed), count in sorted(by_kind.items()):
            rt = {
                k: float((tb.drive_s[0, k] + tb.drive_s[k, 0]) / speed)
                + float(tb.delay_s[0, k] + tb.delay_s[k, 0])
                for k in reach
            }
            cls = {k: int(rt[k] // CLASS_S) for k in reach}
            least: dict[int, float] = {}
            for k in reach:
                least[cls[k]] = min(least.get(cls[k], math.inf), rt[k])
            trip_s = {c: max(0.0, r - ROUNDING_S) + load_s + self.stop_s for c, r in least.items()}
            kind = _Kind(count, cap, list(reach), cls, trip_s)
            kind.patterns = self._patterns(trip_s, max_trips)
            self.kinds.append(kind)

    def _patterns(self, trip_s: Mapping[int, float], max_trips: int) -> list[dict[int, int]]:
        """Every multiset of trip classes that fits in one truck's working span."""
        order = sorted(trip_s, key=lambda c: trip_s[c])
        out: list[dict[int, int]] = []

        def walk(i: int, left: float, k: int, cur: dict[int, int]) -> None:
            if cur:
                out.append(dict(cur))
            if k == max_trips:
                return
            for j in range(i, len(order)):
                c = order[j]
                if trip_s[c] > left:
                    break
                cur[c] = cur.get(c, 0) + 1
                walk(j, left - trip_s[c], k + 1, cur)
                cur[c] -= 1
                if not cur[c]:
                    del cur[c]

        walk(0, self.work_s, 0, {})
        return out

    def solve(self, floors: Mapping[str, float], *, maximise_total: bool = False) -> BoundResult:
        """Can every group get its floor (cylinders)? With ``maximise_total``, how much at most.

        Returns ``ok=False`` when the floors are infeasible even in the relaxation (then no
        plan meets them).
        """
        s = pywraplp.Solver.CreateSolver("GLOP")
        assert s is not None
        inf = s.infinity()
        to_point: dict[int, list[pywraplp.Variable]] = {k: [] for k in self.locs}
        for kind in self.kinds:
            x = {k: s.NumVar(0, self.qty[k], "") for k in kind.locs}
            for k, var in x.items():
                to_point[k].append(var)
            y = [s.NumVar(0, kind.count, "") for _ in kind.patterns]
            rides: dict[int, list[pywraplp.Variable]] = {c: [] for c in kind.trip_s}
            busy, carried, trips = [], [], []
            for pat, yp in zip(kind.patterns, y, strict=True):
                dur = sum(n * kind.trip_s[c] for c, n in pat.items())
                ws = []
                for c, n in pat.items():
                    w = s.NumVar(0, inf, "")
                    s.Add(w <= kind.capacity * n * yp)
                    rides[c].append(w)
                    ws.append(w)
                s.Add(sum(ws) * self.per_cyl_s <= (self.work_s - dur) * yp)
                busy.append(yp * dur)
                trips.append(yp * sum(pat.values()))
                carried += ws
            s.Add(sum(y) <= kind.count)
            for j in kind.trip_s:
                s.Add(
                    sum(x[k] for k in kind.locs if kind.cls[k] >= j)
                    <= sum(w for c in kind.trip_s if c >= j for w in rides[c])
                )
            stops = s.NumVar(0, inf, "")
            s.Add(stops >= sum(x[k] * (1.0 / min(self.qty[k], kind.capacity)) for k in x))
            s.Add(stops >= sum(trips))
            s.Add(
                sum(busy) + (stops - sum(trips)) * self.stop_s + sum(carried) * self.per_cyl_s
                <= kind.count * self.work_s
            )
        total = sum(v for vs in to_point.values() for v in vs)
        for k, vs in to_point.items():
            if vs:
                s.Add(sum(vs) <= self.qty[k])
        s.Add(total <= self.stock)
        by_group: dict[str, list[pywraplp.Variable]] = {}
        for k, vs in to_point.items():
            g = self.group[k]
            if g is not None:
                by_group.setdefault(g, []).extend(vs)
        for g, want in floors.items():
            if want > 0:
                s.Add(sum(by_group.get(g, [])) >= want)
        if maximise_total:
            s.Maximize(total)
        status = s.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return BoundResult(False, None)
        return BoundResult(True, s.Objective().Value() if maximise_total else None)

    def best_share(
        self, ration: Mapping[str, int], reach: Mapping[str, int], hi: float = 1.0
    ) -> float:
        """An upper bound on the common share every group can get (bisection to 1e-3)."""

        def floors(f: float) -> dict[str, float]:
            return {g: min(float(reach.get(g, 0)), f * r) for g, r in ration.items()}

        if self.solve(floors(hi)).ok:
            return hi
        lo = 0.0
        while hi - lo > 1e-3:
            mid = (lo + hi) / 2
            if self.solve(floors(mid)).ok:
                lo = mid
            else:
                hi = mid
        return hi
