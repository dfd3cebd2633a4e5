"""Fair policies that hold whatever binds: stock, fleet, shift hours, checkpoints, guards.

A group's *share* is what it receives over its eligible ration (the plan's
``GroupTotal.share``). Capping every group at the stock's common share (the policy before
issue 11) is fair only when the stock binds: when the trucks or the hours run out first,
the search fills the groups nearest the plant and leaves far ones at 0-5 %, and OR-Tools'
local search cannot move a fleet from near districts to far ones. So the fair policies
decide the shares *before* the search, by construction (:mod:`logistics.routing.fair_pack`),
and the search only improves routes under those shares:

1. **Water-filling by construction.** The largest common share ``f`` whose floors
   (``f`` of each group's ration, to the nearest drop) the packing fits into the trucks'
   hours is found by bisection. A group that cannot take one more drop even alone (its
   commissions' trucks are full, its points' hours are over, all its reach is served) is
   frozen there; the others rise again, until no group can or the stock is shared out.
   That is lexicographic max-min over the groups, within a drop. Then each floor (the
   level rounded to the nearest drop) is raised drop by drop, the lowest share first,
   up to the level, while the packing still fits (:func:`raise_lowest`): no group sits
   half a drop below the level the packing proved (fleet-bound June 2005: the lowest
   share 50.5 % -> 52.1 % for a level of 53.8 %, the total -2.7 %).
2. **The search keeps the floors.** OR-Tools searches from the packed routes with every
   group's floor as a hard lower bound (``sum of its drops >= floor``), so no move lowers
   a share below what the construction reached.
   ``max-min`` then maximises total delivered above the floors (the trucks' remaining
   hours go to the nearest drops, then the search adds what it can): the lowest share
   first, then the next, then total. ``proportional`` also caps every group under one
   drop above its target: equal shares within a drop, whatever binds; the search
   shortens the routes and hands out what the drops' size leaves of the stock.

Priority sites come first in the construction and keep their 1000x penalty in the search.
Groups no truck can serve in a trip of its own (no time, no guard, blocked) get no floor
and do not hold the others down; the plan lists their points with the reason.

Cost: the construction takes milliseconds per probe (about 20-40 probes; ~1 s on the
June 2005 variants), bounded by :data:`PACK_SHARE` of the time limit; then one OR-Tools
search for the rest of the limit, as ``max-delivered``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from logistics.routing.commissions import TruckInfo
from logistics.routing.drops import Drop, Routes, SolveStats, _drop_windows, trip_slots
from logistics.routing.fair_pack import Packed, Packer
from logistics.routing.problem import Problem

#: ``solve_fn(caps, floors, warm, seconds, deadline) -> (routes, stats)``: one routing solve.
SolveFn = Callable[
    [dict[str, int] | None, dict[str, int], Routes, float, float], tuple[Routes, SolveStats]
]

#: Share of the time limit the construction (water-filling) may take.
PACK_SHARE = 0.35
#: Most packings the drop-by-drop raise (:func:`raise_lowest`) tries: a count, not a
#: clock, so the same seed and solution limit give the same plan (each packing takes
#: 10-30 ms on the June 2005 variants).
RAISE_PACKS = 400


@dataclass
class FairResult:
    """The chosen routes, the caps and floors that held them, and the level reached."""

    routes: Routes
    stats: SolveStats
    caps: dict[str, int] | None
    floors: dict[str, int]
    #: the common share of the groups that were never frozen
    level: float
    #: groups frozen below that level (their own trucks, hours or reach ran out)
    frozen: dict[str, int]
    cut: bool  # the construction was stopped by its share of the time limit


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


@dataclass
class Level:
    """The outcome of water-filling: per-group targets and their packing."""

    targets: dict[str, float]
    packed: Packed
    level: float
    frozen: dict[str, int]
    cut: bool


def water_fill(  # noqa: PLR0917 - the construction's inputs
    packer: Packer,
    ration: Mapping[str, int],
    reach: Mapping[str, int],
    tol: Mapping[str, int],
    ok_drops: np.ndarray,
    stock: int,
    group_stock: int,
    *,
    deadline: float | None = None,
) -> Level:
    """Lexicographic max-min by construction (see the module docstring, step 1).

    Parameters
    ----------
    packer
        The problem's packing.
    ration, reach, tol
        Per group: eligible ration, servable cylinders, largest drop.
    ok_drops
        Per drop: servable by some truck in a trip of its own.
    stock, group_stock
        The plant's stock, and what is left of it after the priority sites.
    deadline
        ``time.monotonic()`` after which it stops with the best level found so far.
    """
    frozen: dict[str, int] = {}
    open_groups = {g for g, r in ration.items() if r > 0 and reach.get(g, 0) > 0}

    def targets(f: float) -> dict[str, float]:
        out: dict[str, float] = {g: float(frozen[g]) for g in frozen}
        for g in open_groups:
            out[g] = min(float(reach[g]), f * ration[g])
        return out

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    best = packer.pack({}, ok_drops, stock)
    level, cut = 0.0, False
    while open_groups:
        # the level to half a drop of the largest open group
        big = max(open_groups, key=lambda g: (ration[g], g))
        step = max(1, tol[big]) / 2 / ration[big]
        hi = stock_level(ration, reach, group_stock, frozen)
        fail = packer.pack(targets(hi), ok_drops, stock)
        if fail.feasible:  # the stock (or every group's reach) binds: everyone shares it
            return Level(targets(hi), fail, hi, frozen, cut)
        lo = level
        while hi - lo > step:
            if late():
                cut = True
                break
            mid = (lo + hi) / 2
            p = packer.pack(targets(mid), ok_drops, stock)
            if p.feasible:
                lo, best = mid, p
            else:
                hi, fail = mid, p
        level = lo
        if cut:
            break
        # a group short just above the level that cannot take one more drop even alone
        # (its own trucks, hours or reach are spent) is frozen; if none is, a shared
        # resource (the fleet's hours) binds and the common level stays
        base = targets(level)
        stuck = set()
        for g in sorted(set(fail.short) & open_groups):
            more = dict(base)
            more[g] = base[g] + tol[g]
            if base[g] >= reach[g] or not packer.pack(more, ok_drops, stock).feasible:
                stuck.add(g)
        if not stuck:
            break
        for g in stuck:
            frozen[g] = math.floor(base[g])
        open_groups -= stuck
    return Level(targets(level), best, level, frozen, cut)


def raise_lowest(  # noqa: PLR0917 - the construction's inputs
    packer: Packer,
    lv: Level,
    ration: Mapping[str, int],
    reach: Mapping[str, int],
    tol: Mapping[str, int],
    ok_drops: np.ndarray,
    stock: int,
    *,
    up_to: float | None = None,
    deadline: float | None = None,
) -> Level:
    """Lexicographic max-min at the drop: raise the lowest floor one drop while it fits.

    The bisection of :func:`water_fill` finds a common share, but each floor is that
    share rounded to the nearest drop, so a group whose drops fall badly sits up to half
    a drop below it (on the fleet-bound June 2005 variant: Max Paredes at 50.5 % for a
    level of 53.8 %). Here the group with the lowest floor share takes one more drop if
    the packing still meets every floor; if not, it is stuck (more floors elsewhere only
    take more of the trucks' hours) and the next lowest is tried: the lowest share first,
    then the next, one drop at a time. ``up_to`` stops raising a group at that share (the
    policies pass the level: raising every group further cost the stock-bound June 2005 up to
    1,900 cylinders in our runs: far floors the trucks then could not carry); without it every
    group rises until none can. At most :data:`RAISE_PACKS` packings, or until
    ``deadline``.
    """
    targets = dict(lv.targets)
    best, got = lv.packed, dict(lv.packed.got)
    if not best.feasible:
        return lv
    stuck = {
        g
        for g in targets
        if g in lv.frozen or ration.get(g, 0) <= 0 or got.get(g, 0) >= reach.get(g, 0)
    }
    cut = lv.cut
    for _ in range(RAISE_PACKS):
        open_groups = [
            g
            for g in targets
            if g not in stuck and (up_to is None or got.get(g, 0) < up_to * ration[g])
        ]
        if not open_groups:
            break
        if deadline is not None and time.monotonic() > deadline:
            cut = True
            break
        g = min(open_groups, key=lambda h: (got.get(h, 0) / ration[h], h))
        trial = dict(targets)
        trial[g] = got.get(g, 0) + tol[g] / 2  # the nearest drop not yet in its floor
        p = packer.pack(trial, ok_drops, stock)
        if p.feasible and p.got.get(g, 0) > got.get(g, 0):
            targets, best, got = trial, p, dict(p.got)
        else:
            stuck.add(g)
    return Level(targets, best, lv.level, lv.frozen, cut)


def fair_solve(
    problem: Problem,
    trucks: list[TruckInfo],
    cands: list[Drop],
    policy: str,
    solve_fn: SolveFn,
    *,
    limit: float,
    hard: float,
) -> FairResult:
    """Run ``max-min`` or ``proportional`` (see the module docstring).

    Parameters
    ----------
    problem, trucks, cands
        As the routing model sees them.
    policy
        ``"max-min"`` or ``"proportional"``.
    solve_fn
        One routing solve with caps, floors, a warm start, seconds and a deadline.
    limit, hard
        The policy's whole time limit and the hard deadline (``time.monotonic()``).
    """
    t0 = time.monotonic()
    sc = problem.scenario
    stock = sc.plant.stock
    group_stock = max(0, stock - sum(d.cylinders for d in cands if d.priority))
    ration = eligible_ration(problem)
    reach, tol = servable_reach(problem, trucks, cands, ration)
    ok_drops = np.asarray(servable(problem, trucks, cands), dtype=bool)
    packer = Packer(problem, trucks, cands, trip_slots(problem, trucks, cands))
    lv = water_fill(
        packer,
        ration,
        reach,
        tol,
        ok_drops,
        stock,
        group_stock,
        deadline=t0 + PACK_SHARE * limit,
    )
    lv = raise_lowest(
        packer,
        lv,
        ration,
        reach,
        tol,
        ok_drops,
        stock,
        up_to=lv.level,
        deadline=t0 + PACK_SHARE * limit,
    )
    floors = {g: lv.packed.got.get(g, 0) for g in ration if lv.targets.get(g, 0) > 0}
    for d in cands:
        d.weight = 1.0  # every cylinder above the floors weighs the same (total delivered)
    if policy == "proportional":
        # equal shares: no group a drop or more above its target (what the drops' size
        # leaves of the stock may go to some groups, not to all)
        caps: dict[str, int] | None = {
            g: max(floors.get(g, 0), math.ceil(lv.targets.get(g, 0) + tol[g]) - 1) for g in ration
        }
        warm = lv.packed.routes
    else:
        caps = None
        warm = packer.pack(
            lv.targets, ok_drops, stock, fill=True, ration=ration, deadline=t0 + PACK_SHARE * limit
        ).routes
    secs = max(0.2, limit - (time.monotonic() - t0))
    routes, stats = solve_fn(caps, floors, warm, secs, hard)
    stats.hit_time_limit = stats.hit_time_limit or lv.cut
    return FairResult(routes, stats, caps, floors, lv.level, lv.frozen, lv.cut)
