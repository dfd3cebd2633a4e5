"""Fair policies that hold whatever binds: stock, fleet, shift hours, checkpoints, guards.

A group's *share* is what it receives over its eligible ration (the plan's
``GroupTotal.share``). Capping every group at the stock's common share (the old policy) is
fair only when the stock binds: when the trucks or the hours run out first, the search
fills the groups nearest the plant up to their caps and leaves far ones at 0-5 %. Two
changes make the routing model itself fair:

* **Tiered penalties** (a steeply concave utility per group). Each group's drops are
  ranked nearest-first and a drop's penalty doubles for every :data:`TIER_STEP` (4 %) of
  share it lies below the group's full ration. One cylinder to a group at 30 % then
  outweighs 2^10 cylinders to a group at 70 %: the search raises the lowest shares first
  (max-min, lexicographically to within a tier, which is under one drop for every group
  with a ration under 2,500 cylinders), and between groups of equal share it delivers as
  much as it can (total delivered). Priority sites weigh more than any tier.
* **A fair warm start** (:func:`fair_greedy`): trucks take turns, and each trip opens at
  the group with the lowest share. Local search alone cannot move a fleet from the
  districts next to the plant to the far ones; from this start it only has to improve.

``max-min`` is one such solve, with every group capped at the stock's common share (so a
short stock is still shared equally). ``proportional`` takes the lowest share that solve
reached, caps every group there (within half a drop) and polishes the routes: equal
shares, even when the trucks are what runs out. Groups none of whose drops any truck can
serve in a trip of its own stay at 0 (their points are ``no-time``) without holding the
others down. :mod:`logistics.routing.fair_reference` finds the best common share by
bisection, to check how close these come.

Cost: ``max-min`` is one solve, like ``max-delivered`` (the warm start takes well under a
second); ``proportional`` two (70 % and 30 % of the time limit).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from logistics.routing.commissions import TruckInfo
from logistics.routing.drops import Drop, Routes, SolveStats, _drop_windows
from logistics.routing.problem import Problem

#: ``solve_fn(caps, warm, seconds, deadline) -> (routes, stats)``: one routing solve.
SolveFn = Callable[[dict[str, int], Routes | None, float, float], tuple[Routes, SolveStats]]

#: Share of the time limit for ``proportional``'s first (tiered) solve.
PROPORTIONAL_FIRST = 0.7


@dataclass
class FairResult:
    """The chosen routes, the caps that held them, and the lowest share reached."""

    routes: Routes
    stats: SolveStats
    caps: dict[str, int]
    min_share: float


def eligible_ration(problem: Problem) -> dict[str, int]:
    """Eligible ration per group (priority sites apart): the base of the plan's shares."""
    out: dict[str, int] = {}
    for p in problem.points:
        if p.eligible and not p.priority:
            out[p.group] = out.get(p.group, 0) + p.ration
    return out


def servable(problem: Problem, trucks: list[TruckInfo], cands: list[Drop]) -> list[bool]:
    """Per drop: can some truck allowed to serve it do so in a trip of its own?

    Load at the shift start, drive there (checkpoints included), hand over inside the
    point's hours, drive back inside the shift and the working-hours limit.
    """
    sc = problem.scenario
    load_s = sc.plant.loading_minutes * 60
    start = problem.shift_start_s + load_s
    end = problem.shift_start_s + min(
        sc.shift.max_working_hours * 3600, problem.shift_end_s - problem.shift_start_s
    )
    service = np.asarray([problem.service_s(d.cylinders) for d in cands])
    windows = _drop_windows(problem, cands, service)
    tables = problem.tables
    out = []
    for d, sv, win in zip(cands, service, windows, strict=True):
        ok = False
        for t in trucks:
            if t.commission is None or not t.commission.may_serve(problem.routable[d.loc - 1]):
                continue
            go = tables.drive_s[0, d.loc] / t.speed_factor + tables.delay_s[0, d.loc]
            back = tables.drive_s[d.loc, 0] / t.speed_factor + tables.delay_s[d.loc, 0]
            begin = start + go
            if win is not None:
                if begin > win[1]:
                    continue
                begin = max(begin, win[0])
            if np.isfinite(begin + back) and begin + sv + back <= end:
                ok = True
                break
        out.append(ok)
    return out


def level_caps(
    ration: Mapping[str, int], reach: Mapping[str, int], f: float, frozen: Mapping[str, int]
) -> dict[str, int]:
    """Caps at common share ``f``: frozen groups keep theirs; no group above its reach."""
    return {
        g: frozen[g] if g in frozen else min(reach[g], math.ceil(f * r - 1e-9))
        for g, r in ration.items()
    }


def stock_level(
    ration: Mapping[str, int], reach: Mapping[str, int], stock: int, frozen: Mapping[str, int]
) -> float:
    """The largest common share (at most 1) whose caps fit in ``stock``."""
    if sum(level_caps(ration, reach, 1.0, frozen).values()) <= stock:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if sum(level_caps(ration, reach, mid, frozen).values()) <= stock:
            lo = mid
        else:
            hi = mid
    return lo


def delivered_by_group(routes: Routes) -> dict[str, int]:
    """Cylinders per group in solver routes (priority drops apart)."""
    out: dict[str, int] = {}
    for _, _, seq in routes:
        for kind, d in seq:
            if kind == "drop" and d is not None and not d.priority:
                out[d.group] = out.get(d.group, 0) + d.cylinders
    return out


def trim(routes: Routes, caps: Mapping[str, int]) -> Routes:
    """The routes without the last drops of each group over its cap.

    Removing a stop keeps a route feasible: travel times are shortest paths (the detour
    through the stop was never shorter), loads only fall, hours only get earlier.
    """
    over = {g: x - caps.get(g, x) for g, x in delivered_by_group(routes).items()}
    out: Routes = []
    for truck, start, seq in reversed(routes):
        kept: list[tuple[str, Drop | None]] = []
        for kind, d in reversed(seq):
            if kind == "drop" and d is not None and not d.priority and over.get(d.group, 0) > 0:
                over[d.group] -= d.cylinders
                continue
            kept.append((kind, d))
        out.append((truck, start, kept[::-1]))
    return out[::-1]


def _level_of(
    got: Mapping[str, int],
    ration: Mapping[str, int],
    reach: Mapping[str, int],
    tol: Mapping[str, int],
    open_groups: set[str],
) -> float:
    """The largest share ``f`` whose caps every open group meets within one drop."""
    f = 1.0
    for g in open_groups:
        if got.get(g, 0) >= reach[g] - tol[g]:
            continue  # the group has all it can get
        f = min(f, (got.get(g, 0) + tol[g]) / ration[g])
    return max(0.0, f)


#: Tiered penalties: a group's cylinders weigh 2x more for every TIER_STEP of share they
#: are below its full ration, so a cylinder to a group at 20 % outweighs many to a group
#: at 60 % (a steeply concave utility: max-min first, then total delivered).
TIER_STEP = 0.04


def tier_weights(problem: Problem, cands: list[Drop], ration: Mapping[str, int]) -> None:
    """Set each drop's penalty weight from the share of its group it would complete.

    Within a group, drops are ranked nearest-first (round trip from the plant): the
    nearest are the cheapest way to raise the group's share, so they carry its first
    tiers. Priority drops weigh more than any tier.
    """
    tt = problem.tables.time_s
    top = 2.0 ** (1.0 / TIER_STEP)
    by_group: dict[str, list[Drop]] = {}
    for d in cands:
        if d.priority:
            d.weight = top
        else:
            by_group.setdefault(d.group, []).append(d)
    for g, ds in by_group.items():
        ds.sort(key=lambda d: (float(tt[0, d.loc] + tt[d.loc, 0]), d.loc))
        done = 0
        r = max(1, ration.get(g, 0))
        for d in ds:
            mid = (done + d.cylinders / 2) / r
            d.weight = 2.0 ** ((1.0 - min(1.0, mid)) / TIER_STEP)
            done += d.cylinders


def fair_greedy(
    problem: Problem,
    trucks: list[TruckInfo],
    cands: list[Drop],
    ration: Mapping[str, int],
    caps: Mapping[str, int],
    stock: int,
    *,
    band: float = 0.1,
) -> Routes:
    """A warm start that spreads the trucks: each trip opens at the lowest-served group.

    Trucks take turns, one trip each per round. A trip's first stop is the nearest drop of
    the group with the lowest share (that this truck's commission may serve and that fits
    its time); the next stops are the nearest drops of groups within ``band`` of that
    share; priority drops first. Every trip keeps to the truck's capacity, the hours, the
    shift, the working span, the stock and the caps.
    """
    sc = problem.scenario
    tables = problem.tables
    load_s = sc.plant.loading_minutes * 60
    shift_s = problem.shift_end_s - problem.shift_start_s
    work_s = min(sc.shift.max_working_hours * 3600, shift_s)
    service = np.asarray([problem.service_s(d.cylinders) for d in cands])
    windows = _drop_windows(problem, cands, service)
    travel = {
        f: tables.drive_s / f + tables.delay_s for f in sorted({t.speed_factor for t in trucks})
    }
    got: dict[str, int] = dict.fromkeys(ration, 0)
    free = set(range(len(cands)))
    left = stock
    clock = [float(problem.shift_start_s)] * len(trucks)
    end = [problem.shift_start_s + work_s] * len(trucks)
    seqs: list[list[tuple[str, Drop | None]]] = [[] for _ in trucks]
    allowed = [
        [
            t.commission is not None and t.commission.may_serve(problem.routable[d.loc - 1])
            for d in cands
        ]
        for t in trucks
    ]

    def share(g: str) -> float:
        return got.get(g, 0) / max(1, ration.get(g, 0))

    active = list(range(len(trucks)))
    while active:
        still = []
        for v in active:
            tm = travel[trucks[v].speed_factor]
            t, here, load, stops = clock[v] + load_s, 0, 0, []
            base = None
            while True:
                best, best_key, best_t = None, None, 0.0
                for k in free:
                    d = cands[k]
                    if not allowed[v][k] or load + d.cylinders > trucks[v].capacity:
                        continue
                    if d.cylinders > left:
                        continue
                    if not d.priority and got.get(d.group, 0) + d.cylinders > caps.get(d.group, 0):
                        continue
                    arrive = t + tm[here, d.loc]
                    win = windows[k]
                    if win is not None:
                        if arrive > win[1]:
                            continue
                        arrive = max(arrive, win[0])
                    if not np.isfinite(arrive) or arrive + service[k] + tm[d.loc, 0] > end[v]:
                        continue
                    s = share(d.group)
                    if d.priority:
                        key = (0, 0.0, arrive)
                    elif base is None:
                        key = (1, s, arrive)  # open the trip at the lowest-served group
                    else:
                        key = (1 if s <= base + band else 2, 0.0, arrive)
                    if best_key is None or key < best_key:
                        best, best_key, best_t = k, key, arrive
                if best is None:
                    break
                d = cands[best]
                free.discard(best)
                stops.append(d)
                load += d.cylinders
                left -= d.cylinders
                if not d.priority:
                    if base is None:
                        base = share(d.group)
                    got[d.group] = got.get(d.group, 0) + d.cylinders
                t, here = best_t + service[best], d.loc
            if not stops:
                continue
            if seqs[v]:
                seqs[v].append(("reload", None))
            seqs[v] += [("drop", d) for d in stops]
            clock[v] = t + tm[here, 0]
            still.append(v)
        active = still
    return [(t, problem.shift_start_s, seqs[v]) for v, t in enumerate(trucks)]


def servable_reach(
    problem: Problem, trucks: list[TruckInfo], cands: list[Drop], ration: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Per group: cylinders of drops some truck can serve, and its largest such drop."""
    reach: dict[str, int] = dict.fromkeys(ration, 0)
    tol: dict[str, int] = dict.fromkeys(ration, 0)
    for d, ok in zip(cands, servable(problem, trucks, cands), strict=True):
        if ok and not d.priority and d.group in reach:
            reach[d.group] += d.cylinders
            tol[d.group] = max(tol[d.group], d.cylinders)
    return reach, tol


def min_share(got: Mapping[str, int], ration: Mapping[str, int], reach: Mapping[str, int]) -> float:
    """The lowest share among groups some truck can serve (1 when there are none)."""
    vals = [got.get(g, 0) / r for g, r in ration.items() if r > 0 and reach.get(g, 0) > 0]
    return min(vals, default=1.0)


def fair_solve(
    problem: Problem,
    trucks: list[TruckInfo],
    cands: list[Drop],
    policy: str,
    stock: int,
    solve_fn: SolveFn,
    *,
    limit: float,
    hard: float,
) -> FairResult:
    """Run ``max-min`` or ``proportional`` (see the module docstring).

    Parameters
    ----------
    problem, trucks, cands
        As the routing model sees them; the drops' penalty weights are set here.
    policy
        ``"max-min"`` or ``"proportional"``.
    stock
        Cylinders for the groups (after priority sites).
    solve_fn
        One routing solve with caps, a warm start, seconds and a deadline.
    limit, hard
        The policy's whole time limit and the hard deadline (``time.monotonic()``).
    """
    t0 = time.monotonic()
    ration = eligible_ration(problem)
    reach, tol = servable_reach(problem, trucks, cands, ration)
    caps = level_caps(ration, reach, stock_level(ration, reach, stock, {}), {})
    tier_weights(problem, cands, ration)
    warm = fair_greedy(problem, trucks, cands, ration, caps, problem.scenario.plant.stock)
    first = limit * (PROPORTIONAL_FIRST if policy == "proportional" else 1.0)
    secs = max(0.2, first - (time.monotonic() - t0))
    cut = hard if policy != "proportional" else min(hard, time.monotonic() + secs * 1.05 + 0.3)
    routes, stats = solve_fn(caps, warm, secs, cut)
    got = delivered_by_group(routes)
    low = min_share(got, ration, reach)
    if policy != "proportional":
        return FairResult(routes, stats, caps, low)
    # everyone at the lowest share reached (within half a drop), then polish those routes
    even = {g: min(c, reach[g], math.ceil(low * ration[g]) + tol[g] // 2) for g, c in caps.items()}
    held = trim(routes, even)
    secs = max(0.2, limit - (time.monotonic() - t0))
    polished, pstats = solve_fn(even, held, secs, hard)
    pstats.hit_time_limit = pstats.hit_time_limit or stats.hit_time_limit
    pstats.warm_start = stats.warm_start

    def key(r: Routes) -> tuple[float, int]:
        got = delivered_by_group(r)
        return round(min_share(got, ration, reach), 6), sum(got.values())

    best = polished if key(polished) >= key(held) else held
    return FairResult(best, pstats, even, key(best)[0])
