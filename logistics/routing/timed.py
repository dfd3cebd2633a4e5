"""Blockades in time: roads per period, drops per period, and the road each leg takes.

A blockade with a window closes (or checks) its roads only inside it. The shift is cut
into periods at every window start and end (:func:`~logistics.routing.blockades.
shift_periods`); inside one period the roads do not change, so each period ``p`` has exact
travel tables ``U_p``, and a run of periods ``lo..hi`` has the tables ``U_lo..hi`` of the
roads open throughout it (every blockade standing in any of them applied).

The routing model stays a static OR-Tools model:

* a drop whose road from or back to the plant differs between periods (its point is
  *sensitive*) becomes one copy per period it can be served in, the copies in one
  disjunction (at most one is handed over). Copy ``p`` may be handed over only while
  the truck can have come from the plant after period ``p`` began and can get back
  before it ends (its time window), with :data:`MARGIN_S` to spare at each boundary;
* an arc from copy ``p`` to copy ``q >= p`` is driven between the start of ``p`` and the
  end of ``q``: it uses ``U_p..q``; arcs from and to the plant use ``U_p``; every arc of an
  insensitive point uses the whole-shift tables (valid at any time, and equal to every
  ``U_p`` for its legs to and from the plant).

So every leg the model plans is valid for every moment it can be driven at.
:func:`leg_at` then builds the plan's leg from its *true* departure time (recomputed by
:func:`~logistics.routing.assemble.build_plan`): the road of the shortest run of periods
that contains the whole drive, and the checkpoint delays of the blockades standing when
each one is entered. With a single period (no window changes the roads inside the shift)
nothing is copied and the model is the static one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from logistics.roads import RouteTables
from logistics.routing.blockades import road_state
from logistics.routing.drops import Drop, _drop_windows
from logistics.routing.problem import Problem

#: The model keeps every leg this far (s) from a period boundary it must not cross.
MARGIN_S = 60
#: The plan's own margin (s) at a boundary (floating point, windows closed at both ends).
EDGE_S = 5.0
#: Travel time standing for "no road" in the model's integer matrices (as the solver's).
NO_ROAD_S = 10 * 86400


@dataclass
class DropCopy(Drop):
    """A drop handed over within one period of the shift."""

    period: int = 0


class TimedRoads:
    """The problem's roads period by period, for its current table locations."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.periods = problem.periods
        self.m = max(1, len(self.periods))
        self._all = frozenset(i for per in self.periods for i in per.standing)

    @property
    def timed(self) -> bool:
        """True when the roads change during the shift."""
        return self.m > 1

    def _key(self) -> bytes:
        return np.asarray(self.problem.tables.sources).tobytes()

    def table(self, lo: int, hi: int) -> RouteTables:
        """Tables of the roads open throughout periods ``lo..hi``."""
        p = self.problem
        standing = frozenset(i for per in self.periods[lo : hi + 1] for i in per.standing)
        if (lo == 0 and hi == self.m - 1) or standing == self._all:
            return p.tables
        key = (standing, self._key())
        cached = p.road_cache.get(key)
        if cached is None:
            assert p.base_mask is not None  # set by build_problem
            mask, delay = road_state(p.blockades, standing, p.base_mask)
            sources = [int(n) for n in p.tables.sources]
            cached = p.net.route_tables(sources, edge_mask=mask, edge_delay_s=delay)
            p.road_cache[key] = cached
        assert isinstance(cached, RouteTables)
        return cached

    def travel(self, lo: int, hi: int, speed: float) -> np.ndarray:
        """Travel times (s) over ``lo..hi`` for a truck with ``speed`` (inf: no road)."""
        t = self.table(lo, hi)
        # (the tables' drive and delay sums are 0, not inf, where there is no road)
        out: np.ndarray = np.where(np.isfinite(t.time_s), t.drive_s / speed + t.delay_s, np.inf)
        return out

    def period_at(self, t_s: float) -> int:
        """The period a drive starting at ``t_s`` starts in (a moment early, to be safe)."""
        for k in range(self.m - 1, 0, -1):
            if t_s - EDGE_S >= self.periods[k].start_s:
                return k
        return 0

    def sensitive(self) -> np.ndarray:
        """Per location: whether its road from or back to the plant differs between periods.

        Only these get a copy per period; every arc of the others uses the whole-shift
        tables, valid at any time (and equal to each period's for their plant legs), so
        the model stays as small as the roads allow.
        """
        key = ("sensitive", self._key())
        cached = self.problem.road_cache.get(key)
        if cached is None:
            full = self.problem.tables
            cached = np.zeros(len(full.sources), dtype=bool)
            for k in range(self.m):
                t = self.table(k, k)
                for a, b in ((t.time_s, full.time_s), (t.drive_s, full.drive_s)):
                    cached |= ~np.isclose(a[0], b[0], rtol=0, atol=1e-6)
                    cached |= ~np.isclose(a[:, 0], b[:, 0], rtol=0, atol=1e-6)
                cached |= ~np.isclose(t.delay_s[0], full.delay_s[0], rtol=0, atol=1e-6)
                cached |= ~np.isclose(t.delay_s[:, 0], full.delay_s[:, 0], rtol=0, atol=1e-6)
            cached[0] = False  # the plant itself is never copied
            self.problem.road_cache[key] = cached
        assert isinstance(cached, np.ndarray)
        return cached

    def best_round_s(self, locs: list[int]) -> float:
        """Quickest round trip plant -> location -> plant in any one period."""
        best = np.inf
        for k in range(self.m):
            tt = self.table(k, k).time_s
            best = min(best, *(float(tt[0, j] + tt[j, 0]) for j in locs))
        return float(best)


@dataclass
class TimedDrops:
    """The drop nodes of the model: the candidates themselves, or their period copies."""

    drops: list[Drop]
    #: index of each node's candidate drop
    base: list[int]
    #: allowed start of each node's hand-over (seconds), or None
    windows: list[tuple[int, int] | None]
    copied: bool = False
    #: per period: how many nodes are copies of it
    per_period: list[int] = field(default_factory=list)


def expand_drops(
    roads: TimedRoads,
    cands: list[Drop],
    service: np.ndarray,
    speeds: list[float],
    earliest_s: int,
) -> TimedDrops:
    """One node per candidate, or, where the roads change, one copy per usable period.

    ``service`` holds each candidate's hand-over time (s); ``speeds`` the fleet's speed
    factors (a copy's window must hold for the slowest truck); ``earliest_s`` is the
    earliest a truck is available (copies of periods that end before are left out).
    """
    problem = roads.problem
    windows = _drop_windows(problem, cands, service)
    if not roads.timed:
        return TimedDrops(list(cands), list(range(len(cands))), windows)
    sens = roads.sensitive()
    slow = min(speeds)
    per_tables = [roads.travel(k, k, slow) for k in range(roads.m)]
    drops: list[Drop] = []
    base: list[int] = []
    wins: list[tuple[int, int] | None] = []
    count = [0] * roads.m
    for k, (d, win, sv) in enumerate(zip(cands, windows, service, strict=True)):
        if not sens[d.loc]:
            drops.append(d)
            base.append(k)
            wins.append(win)
            continue
        for p, per in enumerate(roads.periods):
            out_s, back_s = per_tables[p][0, d.loc], per_tables[p][d.loc, 0]
            if not (np.isfinite(out_s) and np.isfinite(back_s)):
                continue
            lo = per.start_s + (MARGIN_S + out_s if p > 0 else 0)
            hi = per.end_s - (MARGIN_S if p < roads.m - 1 else 0) - int(sv) - back_s
            if win is not None:
                lo, hi = max(lo, win[0]), min(hi, win[1])
            lo_i, hi_i = int(np.ceil(lo)), int(np.floor(hi))
            if lo_i > hi_i or hi_i < earliest_s:
                continue
            drops.append(DropCopy(d.loc, d.cylinders, d.priority, d.group, period=p))
            base.append(k)
            wins.append((max(lo_i, problem.shift_start_s), hi_i))
            count[p] += 1
    return TimedDrops(drops, base, wins, copied=True, per_period=count)


def node_travel(
    roads: TimedRoads,
    node_loc: list[int],
    node_period: list[int],
    is_plant: np.ndarray,
    start_period: dict[int, int],
    speed: float,
) -> np.ndarray:
    """Travel time (s) of every arc between model nodes for a truck with ``speed``.

    ``node_period`` is each node's period (a copy), or -1 (plant, insensitive drop, truck
    start); ``start_period`` gives the period a truck out on the road starts in.
    """
    loc = np.asarray(node_loc)
    if not roads.timed:  # the static model, exactly as before blockades had hours
        t = roads.problem.tables
        travel: np.ndarray = (t.drive_s / speed + t.delay_s)[np.ix_(loc, loc)]
        return travel
    m = roads.m
    per = np.asarray(node_period)
    copy = per >= 0
    starts = np.zeros(len(loc), dtype=bool)
    row_lo = per.copy()
    for n, p in start_period.items():
        starts[n] = True
        row_lo[n] = p
    full = m - 1  # code of the range 0..m-1: lo * m + hi
    code = np.full((len(loc), len(loc)), full, dtype=np.int64)
    rows = copy | starts
    sel = rows[:, None] & copy[None, :] & (row_lo[:, None] <= per[None, :])
    code = np.where(sel, row_lo[:, None] * m + per[None, :], code)
    code = np.where(is_plant[:, None] & copy[None, :], per[None, :] * (m + 1), code)
    code = np.where(copy[:, None] & is_plant[None, :], per[:, None] * (m + 1), code)
    out = np.empty(code.shape)
    for c in np.unique(code):
        lo, hi = divmod(int(c), m)
        hit = code == c
        out[hit] = roads.travel(lo, hi, speed)[np.ix_(loc, loc)][hit]
    return out


@dataclass
class LegRoad:
    """The road of one leg: node and edge indices, length and times (s, speed factor 1 for
    the drive; checkpoint delays as met on the way)."""

    nodes: list[int]
    edges: list[int]
    length_m: float
    drive_s: float
    delay_s: float


def leg_at(roads: TimedRoads, i: int, j: int, depart_s: float, speed: float) -> LegRoad:
    """The road from location ``i`` to ``j`` for a truck leaving at ``depart_s``.

    With one period: the whole-shift tables. Otherwise the shortest run of periods from
    the one it leaves in whose open roads get it there before the run ends, and the delays
    of the checkpoints standing when it enters them.
    """
    if not roads.timed:
        t = roads.problem.tables
        nodes, edges = t.path(i, j)
        return LegRoad(
            nodes, edges, float(t.length_m[i, j]), float(t.drive_s[i, j]), float(t.delay_s[i, j])
        )
    p0 = roads.period_at(depart_s)
    chosen = None
    for hi in range(p0, roads.m):
        t = roads.table(p0, hi)
        if not np.isfinite(t.time_s[i, j]):
            continue
        need = float(t.drive_s[i, j] / speed + t.delay_s[i, j])
        chosen = t
        if hi == roads.m - 1 or depart_s + need <= roads.periods[hi].end_s - EDGE_S:
            break
    if chosen is None:  # no run of periods has a road: the model never plans this
        chosen = roads.problem.tables
    nodes, edges = chosen.path(i, j)
    return LegRoad(
        nodes,
        edges,
        float(chosen.length_m[i, j]),
        float(chosen.drive_s[i, j]),
        _delays_met(roads, edges, depart_s, speed),
    )


def _delays_met(roads: TimedRoads, edges: list[int], depart_s: float, speed: float) -> float:
    """Checkpoint delays (s) of the permit blockades standing when each is entered."""
    problem = roads.problem
    permits = [e for e in problem.blockades if e.blockade.status == "permit"]
    if not permits or not edges:
        return 0.0
    path = np.asarray(edges)
    before = np.concatenate([[0.0], np.cumsum(problem.net.edge_time_s[path] / speed)[:-1]])
    at_edge: dict[int, list[int]] = {}
    for b, eff in enumerate(permits):
        for hit in np.flatnonzero(np.isin(path, eff.entering)).tolist():
            at_edge.setdefault(int(hit), []).append(b)
    delay = 0.0
    for k in sorted(at_edge):
        # as the validator: every checkpoint of one edge is met at the time it is entered
        t = depart_s + before[k] + delay
        for b in at_edge[k]:
            w = permits[b].blockade.window
            if w is None or w.start_min * 60 <= t <= w.end_min * 60:
                delay += permits[b].blockade.delay_minutes * 60
    return delay


def warm_on_copies(  # noqa: PLR0917 - the model's timing, as _route built it
    base_routes: list[list[int]],
    timed: TimedDrops,
    first_drop: int,
    tm: list[np.ndarray],
    start_nodes: list[int],
    start_s: list[int],
    end_s: list[int],
) -> list[list[int]]:
    """Node routes over the candidates (a warm start) to routes over their period copies.

    ``base_routes`` numbers drop ``k`` of the candidates ``first_drop + k`` (reloads and
    the plant below ``first_drop``). Each truck's route is walked with the model's own
    transit times (``tm``, per truck: travel, hand-over and loading, by node) and waiting:
    every drop goes to its first copy whose window the truck can still meet and from
    which it can be back at the plant by ``end_s`` (its shift end and working span). A
    warm start packed on the whole-shift roads (every blockade of the shift standing)
    fits: each copy's roads are no slower, so only a window edge can drop a stop, and a
    dropped stop is left out (the caller lowers the floors to what is kept).
    """
    copies: dict[int, list[int]] = {}
    for k, b in enumerate(timed.base):
        copies.setdefault(b, []).append(k)
    out: list[list[int]] = []
    for v, route in enumerate(base_routes):
        m = tm[v]
        here, t = start_nodes[v], start_s[v]
        placed: list[int] = []
        for n in route:
            if n < first_drop:  # the plant (a reload)
                t, here = t + int(m[here, n]), n
                placed.append(n)
                continue
            for k in copies.get(n - first_drop, []):
                node = first_drop + k
                at = t + int(m[here, node])
                win = timed.windows[k]
                if win is not None:
                    if at > win[1]:
                        continue
                    at = max(at, win[0])
                if at + int(m[node, 0]) > end_s[v]:
                    continue
                placed.append(node)
                here, t = node, at
                break
        out.append(placed)
    return out
