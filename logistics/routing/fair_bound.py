"""Upper bounds on what a fair plan can achieve: a linear relaxation of the routing problem.

The bench (``bench/fair_bench.py``) and the tests compare the fair policies with the best
achievable common share. A constructed plan shows that a share *can* be reached (a lower
bound); this module shows what *cannot*: a relaxation whose optimum is at least as good as
any plan's. It keeps the trucks' working hours, the loading time and one stop per trip, the
truck capacity, the hand-over time per cylinder and per stop, and the stock; it drops what
only makes plans worse (where a trip goes between its points, distribution hours,
commissions, the order of trips).

Why it is a bound: a trip whose farthest point (by round trip from the plant, fastest truck)
is ``p`` takes at least the loading time, the round trip to ``p`` (travel times are
shortest paths, so the tour through its other stops is no shorter) and one stop; every
cylinder to a point rides a trip whose farthest point is at least that far; a point with
``q`` servable cylinders is visited at least ``x / min(q, capacity)`` times when it gets
``x``. Trips are classed by their farthest point's round trip, rounded *down* to
:data:`CLASS_S`, minus a few seconds for the routing model's rounding of travel times.

Per truck the relaxation is exact about whole trips: a truck's day is a *pattern*, a
multiset of trip classes whose least times fit in its working span (at most the model's
trip slots); ``y_P`` trucks take pattern ``P`` and carry ``w[P, c] <= capacity * y_P *
n_P(c)`` cylinders on its class-``c`` trips, their hand-over time inside the span's rest.
Cylinders ``x_p`` per point (at most its servable ration); for each class, the cylinders of
points of that class or farther ride trips of that class or farther; the stops beyond one
per trip and every hand-over fit in the trucks' hours; ``sum x <= stock``; each group's
floor ``min(reach, f * ration)`` on top. Mixed fleets are bounded by their largest truck
and fastest speed (still a bound, looser). It is a linear program (GLOP), so fractional
trucks may take a pattern: the bound is not tight, and the bench reports the gap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

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
        self.load_s = sc.plant.loading_minutes * 60
        self.stop_s = sc.demand.stop_minutes * 60
        self.per_cyl_s = sc.demand.seconds_per_cylinder
        work = min(sc.shift.max_working_hours * 3600, problem.shift_end_s - problem.shift_start_s)
        self.work_s = float(work)
        self.n_trucks = len(trucks)
        self.cap = max(t.capacity for t in trucks)
        self.stock = sc.plant.stock
        tb = problem.tables
        self.qty: dict[int, int] = {}
        self.group: dict[int, str | None] = {}
        for d, ok in zip(cands, servable, strict=True):
            if ok:
                self.qty[d.loc] = self.qty.get(d.loc, 0) + d.cylinders
                self.group[d.loc] = None if d.priority else d.group
        self.locs = sorted(self.qty)
        fastest = max(t.speed_factor for t in trucks)
        rt = {
            k: float((tb.drive_s[0, k] + tb.drive_s[k, 0]) / fastest)
            + float(tb.delay_s[0, k] + tb.delay_s[k, 0])
            for k in self.locs
        }
        self.cls = {k: int(rt[k] // CLASS_S) for k in self.locs}
        least: dict[int, float] = {}
        for k in self.locs:
            least[self.cls[k]] = min(least.get(self.cls[k], math.inf), rt[k])
        self.classes = sorted(least)
        #: per class, the least time of a trip: loading, round trip, one stop
        self.trip_s = {
            c: max(0.0, r - ROUNDING_S) + self.load_s + self.stop_s for c, r in least.items()
        }
        self.patterns = self._patterns(max_trips)

    def _patterns(self, max_trips: int) -> list[dict[int, int]]:
        """Every multiset of trip classes that fits in one truck's working span."""
        order = sorted(self.classes, key=lambda c: self.trip_s[c])
        out: list[dict[int, int]] = []

        def walk(i: int, left: float, k: int, cur: dict[int, int]) -> None:
            if cur:
                out.append(dict(cur))
            if k == max_trips:
                return
            for j in range(i, len(order)):
                c = order[j]
                if self.trip_s[c] > left:
                    break
                cur[c] = cur.get(c, 0) + 1
                walk(j, left - self.trip_s[c], k + 1, cur)
                cur[c] -= 1
                if not cur[c]:
                    del cur[c]

        walk(0, self.work_s, 0, {})
        return out

    def solve(
        self,
        floors: Mapping[str, float],
        *,
        maximise_total: bool = False,
        whole_trucks: bool = False,
        time_limit_s: float = 20.0,
    ) -> BoundResult:
        """Can every group get its floor (cylinders)? With ``maximise_total``, how much at most.

        Returns ``ok=False`` when the floors are infeasible even in the relaxation (then no
        plan meets them).
        """
        s = pywraplp.Solver.CreateSolver("SCIP" if whole_trucks else "GLOP")
        assert s is not None
        s.SetTimeLimit(int(time_limit_s * 1000))
        inf = s.infinity()
        x = {k: s.NumVar(0, self.qty[k], "") for k in self.locs}
        y = [
            s.IntVar(0, self.n_trucks, "") if whole_trucks else s.NumVar(0, inf, "")
            for _ in self.patterns
        ]
        rides: dict[int, list[pywraplp.Variable]] = {c: [] for c in self.classes}
        busy, carried = [], []
        for pat, yp in zip(self.patterns, y, strict=True):
            dur = sum(n * self.trip_s[c] for c, n in pat.items())
            ws = []
            for c, n in pat.items():
                w = s.NumVar(0, inf, "")
                s.Add(w <= self.cap * n * yp)
                rides[c].append(w)
                ws.append(w)
            s.Add(sum(ws) * self.per_cyl_s <= (self.work_s - dur) * yp)
            busy.append(yp * dur)
            carried += ws
        s.Add(sum(y) <= self.n_trucks)
        for j in self.classes:
            s.Add(
                sum(x[k] for k in self.locs if self.cls[k] >= j)
                <= sum(w for c in self.classes if c >= j for w in rides[c])
            )
        # stops beyond one per trip: a point with q servable cylinders is visited at least
        # x / min(q, capacity) times
        trips = sum(yp * sum(pat.values()) for pat, yp in zip(self.patterns, y, strict=True))
        stops = s.NumVar(0, inf, "")
        s.Add(stops >= sum(x[k] * (1.0 / min(self.qty[k], self.cap)) for k in self.locs))
        s.Add(stops >= trips)
        s.Add(
            sum(busy) + (stops - trips) * self.stop_s + sum(carried) * self.per_cyl_s
            <= self.n_trucks * self.work_s
        )
        s.Add(sum(x.values()) <= sum(carried))
        s.Add(sum(x.values()) <= self.stock)
        by_group: dict[str, list[pywraplp.Variable]] = {}
        for k in self.locs:
            g = self.group[k]
            if g is not None:
                by_group.setdefault(g, []).append(x[k])
        for g, want in floors.items():
            if want > 0:
                s.Add(sum(by_group.get(g, [])) >= want)
        if maximise_total:
            s.Maximize(sum(x.values()))
        status = s.Solve()
        if status == pywraplp.Solver.INFEASIBLE:
            return BoundResult(False, None)
        total = None
        if maximise_total:  # what SCIP proved (its incumbent's value once it finished)
            total = s.Objective().BestBound() if whole_trucks else s.Objective().Value()
        return BoundResult(True, total)

    def best_share(
        self,
        ration: Mapping[str, int],
        reach: Mapping[str, int],
        hi: float = 1.0,
        *,
        whole_trucks: bool = False,
        time_limit_s: float = 20.0,
    ) -> float:
        """An upper bound on the common share every group can get (bisection to 1e-3)."""

        def floors(f: float) -> dict[str, float]:
            return {g: min(float(reach.get(g, 0)), f * r) for g, r in ration.items()}

        def ok(f: float) -> bool:
            return self.solve(floors(f), whole_trucks=whole_trucks, time_limit_s=time_limit_s).ok

        if ok(hi):
            return hi
        lo = 0.0
        while hi - lo > 1e-3:
            mid = (lo + hi) / 2
            if ok(mid):
                lo = mid
            else:
                hi = mid
        return hi
