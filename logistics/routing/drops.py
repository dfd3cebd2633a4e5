"""The solver's units: a point's ration split into drops, and what a solve reports.

A :class:`Drop` is the part of one point's ration a single trip may carry; its penalty when
left undelivered puts delivered cylinders (priority sites 1000 times more) before km.
:class:`TruckStart` places a truck mid-shift (re-planning); :class:`SolveStats` is what the
search reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from logistics.routing.allocation import FAIR_DROP
from logistics.routing.commissions import TruckInfo
from logistics.routing.problem import Problem

#: Penalty per undelivered cylinder, in the cost unit (seconds of driving). Large enough
#: that delivering one more cylinder is always worth more than any detour in a shift.
PENALTY_PER_CYLINDER = 20_000


PRIORITY_FACTOR = 1_000

#: Upper bound on trips per truck and shift.
MAX_TRIPS_PER_TRUCK = 8


@dataclass
class Drop:
    loc: int  # location index in the problem tables (1..)
    cylinders: int
    priority: bool
    group: str = ""
    #: penalty multiplier (the fair policies weigh a group's first cylinders more)
    weight: float = 1.0


@dataclass
class TruckStart:
    """Where a truck is when (re-)planning starts: used by mid-shift re-planning.

    ``loc`` is a location index of the problem's tables (0 = the plant); ``onboard``
    cylinders are already loaded (they are not taken from the plant's stock again);
    ``worked_s`` is the working time already spent since the truck's first loading.
    """

    loc: int
    time_s: int
    onboard: int = 0
    worked_s: int = 0


#: A truck's route as the solver returns it: the truck, its start (seconds after midnight)
#: and its sequence of ("drop", drop) and ("reload", None) steps.
Route = tuple[TruckInfo, int, list[tuple[str, "Drop | None"]]]
Routes = list[Route]


@dataclass
class SolveStats:
    status: str
    wall_s: float
    objective: int
    hit_time_limit: bool
    n_drops: int
    n_candidates: int
    n_trip_slots: int
    #: the start OR-Tools searched from: "greedy", "pyvrp" or "ortools" (its own)
    warm_start: str = "greedy"


def _penalty(d: Drop) -> int:
    """Cost of leaving a drop undelivered (PyVRP's prize for delivering it)."""
    return round(
        d.cylinders * PENALTY_PER_CYLINDER * d.weight * (PRIORITY_FACTOR if d.priority else 1)
    )


def _split(ration: int, chunk: int) -> list[int]:
    n = max(1, math.ceil(ration / chunk))
    base, extra = divmod(ration, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def trip_slots(
    problem: Problem,
    trucks: list[TruckInfo],
    cands: list[Drop],
    *,
    min_round_s: float | None = None,
) -> int:
    """Trips per truck the routing model allows (its reload nodes + 1).

    As many as the quickest round trip allows in the working span, capped by the loads
    the candidates need and by :data:`MAX_TRIPS_PER_TRUCK`. ``min_round_s`` overrides the
    quickest round trip (with blockade windows: the quickest of any period).
    """
    sc = problem.scenario
    load_s = round(sc.plant.loading_minutes * 60)
    shift_s = problem.shift_end_s - problem.shift_start_s
    work_s = int(min(sc.shift.max_working_hours * 3600, shift_s))
    tt = problem.tables.time_s
    cand_locs = sorted({d.loc for d in cands})
    min_round = (
        min(float(tt[0, k] + tt[k, 0]) for k in cand_locs) + load_s
        if min_round_s is None
        else min_round_s
    )
    total = sum(d.cylinders for d in cands)
    n = min(int(work_s // max(min_round, 60)), math.ceil(total / min(t.capacity for t in trucks)))
    return min(max(1, n), MAX_TRIPS_PER_TRUCK)


def _drop_windows(
    problem: Problem, cands: list[Drop], service: np.ndarray
) -> list[tuple[int, int] | None]:
    """Allowed start of each drop's hand-over (seconds), from its point's hours."""
    out: list[tuple[int, int] | None] = []
    for d, sv in zip(cands, service, strict=True):
        win = problem.routable[d.loc - 1].window
        if win is None:
            out.append(None)
            continue
        lo = max(win[0] * 60, problem.shift_start_s)
        out.append((lo, max(lo, win[1] * 60 - int(sv))))
    return out


def group_demand(problem: Problem, cands: list[Drop]) -> dict[str, int]:
    """Reachable ration per group (priority sites are outside the groups)."""
    out: dict[str, int] = {}
    for d in cands:
        if not d.priority:
            out[d.group] = out.get(d.group, 0) + d.cylinders
    return out


def _stock_after_priority(problem: Problem, cands: list[Drop]) -> int:
    return max(0, problem.scenario.plant.stock - sum(d.cylinders for d in cands if d.priority))


def max_drop(cands: list[Drop], group: str) -> int:
    return max((d.cylinders for d in cands if d.group == group and not d.priority), default=0)


def _delivered_by_group(routes: Routes, problem: Problem) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, _, seq in routes:
        for kind, d in seq:
            if kind == "drop" and d is not None and not d.priority:
                out[d.group] = out.get(d.group, 0) + d.cylinders
    return out


def make_drops(problem: Problem, *, fine: bool = False) -> tuple[list[Drop], list[Drop]]:
    """All drops, and the same drops in the order offered to the search.

    ``fine`` splits rations into drops of at most :data:`FAIR_DROP` cylinders (fair
    policies need finer steps to hit each group's cap).

    Returns
    -------
    (all drops, candidates)
    """
    active = [t for t in problem.trucks if t.commission is not None]
    chunk = min(t.capacity for t in active)
    if fine:
        chunk = min(chunk, FAIR_DROP)
    drops = []
    for k, p in enumerate(problem.routable):
        for q in _split(p.ration, chunk):
            if p.window is not None and (p.window[1] - p.window[0]) * 60 < problem.service_s(q):
                continue  # its hours are too short for this hand-over: no-time
            drops.append(Drop(loc=k + 1, cylinders=q, priority=p.priority, group=p.group))
    # Every drop is offered to the search, in a seed-dependent order (search tie-breaks);
    # the warm start picks priority sites first and nearest stops next on its own.
    perm = np.random.default_rng(problem.scenario.solver.seed).permutation(len(drops))
    return drops, [drops[i] for i in perm]
