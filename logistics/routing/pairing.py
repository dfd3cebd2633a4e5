"""Which commissions ride which trucks: an assignment model solved before routing.

The roster rules make the choice discrete (one truck per person, a plant worker and a
junta delegate on every truck that moves, delegates serve only their own districts), and
what a choice is worth depends on the demand each truck can reach in a shift. So before
routing, OR-Tools CP-SAT solves a small aggregate model:

* ``z[u, c]`` — how many trucks of class ``c`` (same capacity and speed) carry a commission
  of type ``u`` (the districts its delegates represent, or "any" under ``delegate_scope:
  any``); bounded by the trucks of the class, the plant workers, the delegates of each
  district, and (listed commissions) how many commissions of that type exist;
* ``x[u, c, p]`` — cylinders those trucks bring to point ``p`` of their districts; each
  cylinder costs the truck its share of a round trip (loading, the best road of the shift
  there and back, a share of the stop) plus its hand-over, and the trucks' working time
  bounds the sum; points get at most their ration, the plant gives at most its stock.

It is solved lexicographically, as the Assembly ranks the goals: (1) cylinders to priority
sites; (2) under a fair policy, the lowest served share of a reachable district; (3) total
cylinders; (4) as many districts with a commission, then as many and as large trucks on
the road as possible (so ties keep the old pairing). The estimate is deliberately coarse
(one round trip per point, no hours); the routing then decides the real trips within the
commissions chosen here. Each step is a deterministic CP-SAT solve (one worker, fixed
seed, deterministic time budget), so the same scenario gives the same commissions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

#: Deterministic time budget of each CP-SAT step (CP-SAT's own work units, not seconds).
DETERMINISTIC_BUDGET = 5.0


@dataclass(frozen=True)
class Need:
    """Demand a truck could serve: one reachable eligible point."""

    #: normalised area keys of the point (its district, zone, macrodistrict, municipality)
    keys: frozenset[str]
    group: str
    priority: bool
    cylinders: int
    #: driving time of the best round trip from the plant at speed factor 1, seconds
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
    """A kind of commission: the districts it may serve (None: any point)."""

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


def choose_pairing(
    classes: list[TruckClass],
    types: list[UnitType],
    needs: list[Need],
    *,
    key_limits: dict[str, int] | None,
    max_units: int | None,
    stock: int,
    times: Times,
    fair: bool,
    seed: int = 0,
) -> dict[tuple[int, int], int]:
    """How many trucks of each class carry each type of commission.

    Parameters
    ----------
    classes, types, needs
        Truck classes, commission types and the reachable demand.
    key_limits
        Delegates per district key when the planner forms commissions: types holding a key
        use one delegate of it each (under ``any`` the single type uses the key ``"*"``).
        None for listed commissions (``types[i].count`` bounds each type).
    max_units
        Plant workers available (formed commissions take one each), or None.
    stock
        The plant's stock.
    times
        A truck's working time and its loading, stop and hand-over times.
    fair
        Whether the allocation policy is a fair one (step 2 is solved).
    seed
        CP-SAT's seed.

    Returns
    -------
    dict
        ``(type index, class index) -> trucks``; only non-zero entries.
    """
    model = _Model(classes, types, needs, seed)
    if not model.z:
        return {}
    model.rules(key_limits, max_units)
    model.flows(stock, times)
    return model.solve(fair)


class _Model:
    """The CP-SAT model of :func:`choose_pairing`."""

    def __init__(
        self, classes: list[TruckClass], types: list[UnitType], needs: list[Need], seed: int
    ) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.classes, self.types, self.needs = classes, types, needs
        self.m = m = cp_model.CpModel()
        self.seed = seed
        self.z: dict[tuple[int, int], Any] = {}
        self.x: dict[tuple[int, int, int], Any] = {}
        pinned = {u.fixed_class for u in types if u.fixed_class is not None}
        for ti, u in enumerate(types):
            for ci, c in enumerate(classes):
                # a pinned truck carries its own commission, and that one only
                if (u.fixed_class is None) == (ci in pinned) or u.fixed_class not in (None, ci):
                    continue
                hi = min(u.count, c.count)
                lo = hi if u.fixed_class is not None else 0
                self.z[ti, ci] = m.new_int_var(lo, hi, f"z{ti}_{ci}")

    def rules(self, key_limits: dict[str, int] | None, max_units: int | None) -> None:
        """Trucks per class, commissions per type, plant workers, delegates per district."""
        m, z, types = self.m, self.z, self.types
        for ci, c in enumerate(self.classes):
            m.add(sum(v for (_, cj), v in z.items() if cj == ci) <= c.count)
        for ti, u in enumerate(types):
            m.add(sum(v for (tj, _), v in z.items() if tj == ti) <= u.count)
        free = {k: v for k, v in z.items() if types[k[0]].fixed_class is None}
        if max_units is not None:
            m.add(sum(free.values()) <= max_units)
        for key, limit in (key_limits or {}).items():
            users = [v for (ti, _), v in free.items() if _uses(types[ti], key)]
            if users:
                m.add(sum(users) <= limit)

    def flows(self, stock: int, times: Times) -> None:
        """Cylinders per (type, class, point) within the trucks' working time and stock."""
        m, x = self.m, self.x
        for (ti, ci), zv in self.z.items():
            u, c = self.types[ti], self.classes[ci]
            budget = []
            for pi, nd in enumerate(self.needs):
                if u.keys is not None and not (u.keys & nd.keys):
                    continue
                xv = m.new_int_var(0, nd.cylinders, f"x{ti}_{ci}_{pi}")
                x[ti, ci, pi] = xv
                round_s = nd.drive_s / c.speed_factor + nd.delay_s
                per = (times.load_s + round_s) / c.capacity
                per += times.stop_s / min(nd.cylinders, c.capacity) + times.per_cylinder_s
                budget.append((math.ceil(10 * per), xv))  # tenths of a second
            if budget:
                m.add(sum(w * xv for w, xv in budget) <= int(10 * times.work_s) * zv)
        for pi, nd in enumerate(self.needs):
            into = [v for (_, _, pj), v in x.items() if pj == pi]
            if into:
                m.add(sum(into) <= nd.cylinders)
        if x:
            m.add(sum(x.values()) <= stock)

    def served(self, pred: Callable[[Need], bool]) -> list[Any]:
        return [v for (_, _, pi), v in self.x.items() if pred(self.needs[pi])]

    def solve(self, fair: bool) -> dict[tuple[int, int], int]:
        """The lexicographic steps; the counts of the last solution."""
        cp, m, z = self.cp, self.m, self.z
        solver = cp.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        solver.parameters.max_deterministic_time = DETERMINISTIC_BUDGET

        def step(objective: Any) -> None:
            """Maximise ``objective``, then keep its value for the next steps."""
            m.maximize(objective)
            if solver.solve(m) in (cp.OPTIMAL, cp.FEASIBLE):
                m.add(objective >= round(solver.objective_value))
                m.clear_hints()  # type: ignore[no-untyped-call]  # start from this solution
                for v in [*z.values(), *self.x.values()]:
                    m.add_hint(v, solver.value(v))

        priority = self.served(lambda nd: nd.priority)
        if priority:
            step(sum(priority))
        if fair:
            share = self._lowest_share()
            if share is not None:
                step(share)
        if self.x:
            step(sum(self.x.values()))
        # ties: districts with a commission, then trucks on the road, then their capacity
        keys = sorted({k for u in self.types if u.keys is not None for k in u.keys})
        covered = []
        for k in keys:
            users = [v for (ti, _), v in z.items() if k in (self.types[ti].keys or ())]
            if users:
                b = m.new_bool_var(f"cov_{k}")
                m.add(sum(users) >= 1).only_enforce_if(b)
                covered.append(b)
        cl = self.classes
        big = sum(c.count * (1000 + c.capacity) for c in cl) + 1
        step(big * sum(covered) + sum((1000 + cl[ci].capacity) * v for (_, ci), v in z.items()))
        return {k: int(solver.value(v)) for k, v in z.items() if solver.value(v) > 0}

    def _lowest_share(self) -> Any:
        """A variable below every reachable district's served share (per mille), or None."""
        reach: dict[str, int] = {}
        for pi in sorted({pi for _, _, pi in self.x}):
            nd = self.needs[pi]
            if not nd.priority:
                reach[nd.group] = reach.get(nd.group, 0) + nd.cylinders
        if not reach:
            return None
        share = self.m.new_int_var(0, 1000, "share")
        for grp, total in reach.items():
            got = self.served(partial(_in_group, grp))
            self.m.add(1000 * sum(got) >= share * total)
        return share


def _in_group(group: str, nd: Need) -> bool:
    return nd.group == group and not nd.priority


def _uses(u: UnitType, key: str) -> bool:
    """Whether a commission of type ``u`` takes a delegate counted under ``key``."""
    return u.keys is None if key == "*" else u.keys is not None and key in u.keys
