"""A common share built trip by trip: every district's floor packed into the trucks' hours.

When the fleet or the hours bind, the decision that matters is how many trips go to each
district, and OR-Tools' local search (moves of one or two stops) cannot move a fleet from
the districts next to the plant to the far ones. This construction decides it up front:

* each group's *floor* (its target, rounded to the nearest drop, at least one drop when
  the target is positive) is taken from its nearest drops that some truck can serve;
* trips are built **longest first** (a trip to La Paz must leave in the morning, one to
  District 8 fits anywhere), each on the allowed truck that is free earliest, and filled
  with the floor drops that cost the least detour on the way back to the plant: the
  longest-processing-time rule of machine scheduling, with the shift as each machine's
  horizon;
* ``fill`` then tops up each trip's spare room (lowest-served groups first, small
  detours only) and gives every truck's remaining hours to the nearest drops.

Times are the routing model's own (the same rounded travel times, hand-over, loading and
one stop overhead per point), so the result is a feasible warm start for it. Everything is
deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from logistics.routing.commissions import TruckInfo
from logistics.routing.drops import Drop, Routes, _drop_windows
from logistics.routing.problem import Problem

#: Largest detour (seconds, beyond the drop's own hand-over) a stop may add to a trip
#: that is not its own: the trip's seed decides where the truck goes.
DETOUR_S = 20 * 60
#: A floor trip takes the farthest drops first (round trips in classes of FAR_CLASS_S),
#: with detours up to FAR_DETOUR of its seed's round trip: the far districts' drops ride
#: together, and the near ones are left for the short trips that only they need.
FAR_CLASS_S = 15 * 60
FAR_DETOUR = 0.15


@dataclass
class Packed:
    """A construction: the routes, cylinders per group, and whether every floor fits."""

    routes: Routes
    got: dict[str, int]
    feasible: bool
    #: per group, cylinders of the floor that found no truck
    short: dict[str, int]


class Packer:
    """The routing model's time arithmetic over one problem's drops, and the packing."""

    def __init__(
        self, problem: Problem, trucks: list[TruckInfo], cands: list[Drop], max_trips: int
    ) -> None:
        sc = problem.scenario
        self.problem, self.trucks, self.cands = problem, trucks, cands
        self.max_trips = max_trips
        self.load_s = round(sc.plant.loading_minutes * 60)
        self.stop_s = round(sc.demand.stop_minutes * 60)
        self.start_s = problem.shift_start_s
        work = min(sc.shift.max_working_hours * 3600, problem.shift_end_s - problem.shift_start_s)
        self.end_s = min(problem.shift_end_s, self.start_s + int(work))
        tb = problem.tables
        self.trav: dict[float, np.ndarray] = {}
        for f in sorted({t.speed_factor for t in trucks}):
            m = tb.drive_s / f + tb.delay_s
            self.trav[f] = np.rint(np.where(np.isfinite(m), m, 10 * 86400)).astype(np.int64)
        self.svc = np.asarray([round(problem.service_s(d.cylinders)) for d in cands], np.int64)
        self.win = _drop_windows(problem, cands, self.svc)
        self.loc = np.asarray([d.loc for d in cands], dtype=np.int64)
        self.qty = np.asarray([d.cylinders for d in cands], dtype=np.int64)
        allowed_at: dict[int, np.ndarray] = {}
        for d in cands:
            if d.loc not in allowed_at:
                p = problem.routable[d.loc - 1]
                allowed_at[d.loc] = np.asarray(
                    [t.commission is not None and t.commission.may_serve(p) for t in trucks]
                )
        self.allowed = np.asarray([allowed_at[d.loc] for d in cands], dtype=bool).T  # [truck, drop]
        fastest = self.trav[max(self.trav)]
        self.round_trip = fastest[0, self.loc] + fastest[self.loc, 0]
        self.caps = np.asarray([t.capacity for t in trucks], dtype=np.int64)
        self.factor = [t.speed_factor for t in trucks]
        # per truck and drop: a trip with only that drop (loading, there, hand-over, back)
        self.alone = np.stack(
            [
                self.load_s + self.trav[f][0, self.loc] + self.svc + self.trav[f][self.loc, 0]
                for f in self.factor
            ]
        )
        self.windowed = np.asarray([w is not None for w in self.win], dtype=bool)
        self.prio = np.asarray([d.priority for d in cands], dtype=bool)
        # each group's drops, nearest first (the order floors are taken in)
        self.nearest: dict[str, list[int]] = {}
        for k in sorted(range(len(cands)), key=lambda k: (int(self.round_trip[k]), k)):
            if not cands[k].priority:
                self.nearest.setdefault(cands[k].group, []).append(k)

    # ------------------------------------------------------------------ time keeping
    def trip_back(self, v: int, t: int, stops: list[int]) -> int | None:
        """When truck ``v``, free at the plant at ``t``, is back from ``stops`` (None: late)."""
        tm = self.trav[self.trucks[v].speed_factor]
        cur, here, prev = t + self.load_s, 0, -1
        for k in stops:
            arr = cur + int(tm[here, self.loc[k]])
            if prev >= 0 and self.loc[prev] == self.loc[k]:
                arr -= self.stop_s  # drops at one point are one stop
            w = self.win[k]
            if w is not None:
                if arr > w[1]:
                    return None
                arr = max(arr, w[0])
            cur, here, prev = arr + int(self.svc[k]), int(self.loc[k]), k
        back = cur + int(tm[here, 0])
        return back if back <= self.end_s else None

    def _duration(self, f: float, stops: list[int]) -> int:
        """A trip's time from loading to back at the plant, for stops without hours."""
        tm = self.trav[f]
        cur, here, prev = self.load_s, 0, -1
        for k in stops:
            cur += int(tm[here, self.loc[k]]) + int(self.svc[k])
            if prev >= 0 and self.loc[prev] == self.loc[k]:
                cur -= self.stop_s
            here, prev = int(self.loc[k]), k
        return cur + int(tm[here, 0])

    def _fits(self, trucks: np.ndarray, clock: np.ndarray, stops: list[int]) -> np.ndarray:
        """Which of ``trucks`` (indices) can make the trip ``stops`` from their clocks."""
        if not self.windowed[stops].any():
            dur = {f: self._duration(f, stops) for f in {self.factor[u] for u in trucks}}
            need = np.asarray([dur[self.factor[u]] for u in trucks], dtype=np.int64)
            return np.asarray(clock[trucks] + need <= self.end_s, dtype=bool)
        return np.asarray(
            [self.trip_back(int(u), int(clock[u]), stops) is not None for u in trucks], dtype=bool
        )

    def truck_back(self, v: int, trips: list[list[int]]) -> int | None:
        """When truck ``v`` is back from all ``trips`` in order (None: breaks a limit)."""
        t: int | None = self.start_s
        for stops in trips:
            assert t is not None
            t = self.trip_back(v, t, stops)
            if t is None:
                return None
        return t

    # ------------------------------------------------------------------ one trip
    def _grow(  # noqa: PLR0917 - the trip under construction
        self,
        v: int,
        t: int,
        stops: list[int],
        pool: np.ndarray,
        load: int,
        left: int,
        rank: np.ndarray | None = None,
    ) -> tuple[list[int], int]:
        """Add drops of ``pool`` (bool mask) to a trip while they fit; cheapest insertion.

        Each candidate goes where it lengthens the trip least. Without ``rank`` the farthest
        drops come first (round trips in classes of :data:`FAR_CLASS_S`), with detours up
        to :data:`FAR_DETOUR` of the trip's farthest round trip: a trip to La Paz fills
        with La Paz drops, not with the ones it passes on the way back, which short trips
        can serve. With ``rank`` (lower first: top-ups, lowest share first) only detours
        up to :data:`DETOUR_S` count. Returns the stops and the load.
        """
        tm = self.trav[self.trucks[v].speed_factor]
        cap = self.trucks[v].capacity
        while True:
            ok = pool & self.allowed[v] & (self.qty <= min(cap - load, left))
            idx = np.flatnonzero(ok)
            if not len(idx):
                return stops, load
            # detour of each candidate at each gap of the trip (plant .. stops .. plant)
            path = [0, *(int(self.loc[k]) for k in stops), 0]
            a, b = np.asarray(path[:-1]), np.asarray(path[1:])
            to = self.loc[idx]
            gap = tm[a[:, None], to[None, :]] + tm[to[None, :], b[:, None]] - tm[a, b][:, None]
            where = gap.argmin(axis=0)
            detour = gap[where, np.arange(len(idx))]
            if rank is None:
                reach_rt = max(int(self.round_trip[k]) for k in stops) if stops else 0
                keep = detour <= max(DETOUR_S, FAR_DETOUR * reach_rt)
                far = -(self.round_trip[idx] // FAR_CLASS_S)
                order_key = (idx[keep], detour[keep], far[keep])
            else:
                keep = detour <= DETOUR_S
                order_key = (idx[keep], detour[keep], rank[idx[keep]])
            idx, where = idx[keep], where[keep]
            if not len(idx):
                return stops, load
            for j in np.lexsort(order_key):
                k, at = int(idx[j]), int(where[j])
                trial = [*stops[:at], k, *stops[at:]]
                if self.trip_back(v, t, trial) is not None:
                    stops = trial
                    load += int(self.qty[k])
                    left -= int(self.qty[k])
                    pool[k] = False
                    break
            else:
                return stops, load

    # ------------------------------------------------------------------ the packing
    def select(self, targets: Mapping[str, float], servable: np.ndarray) -> np.ndarray:
        """The floor drops: priority drops, then each group's nearest up to its target."""
        chosen: np.ndarray = self.prio & servable
        for g, ks in self.nearest.items():
            want = targets.get(g, 0.0)
            if want <= 0:
                continue
            got = 0
            for k in ks:
                if not servable[k]:
                    continue
                q = int(self.qty[k])
                if got and got + q / 2 > want:
                    break
                chosen[k] = True
                got += q
        return chosen

    def pack(
        self,
        targets: Mapping[str, float],
        servable: np.ndarray,
        stock: int,
        *,
        fill: bool = False,
        ration: Mapping[str, int] | None = None,
        deadline: float | None = None,
    ) -> Packed:
        """Pack every group's floor (``targets``, cylinders) into the trucks' hours.

        Parameters
        ----------
        targets
            Cylinders per group to reach (rounded to the nearest drop).
        servable
            Per drop: can some allowed truck serve it in a trip of its own?
        stock
            Cylinders the plant has (priority sites included).
        fill
            Then top up trips and fill the trucks' remaining hours (max-delivered).
        ration
            Eligible ration per group (orders the top-ups: lowest share first).
        deadline
            ``time.monotonic()`` after which the fill stops (what it has is feasible).
        """
        n_trucks = len(self.trucks)
        floor = self.select(targets, servable)
        clock = np.full(n_trucks, self.start_s, dtype=np.int64)
        n_trips = np.zeros(n_trucks, dtype=np.int64)
        trips: list[list[list[int]]] = [[] for _ in range(n_trucks)]
        pool = floor.copy()
        left = stock
        short: dict[str, int] = {}
        # priority drops first, then the longest round trips
        seeds = sorted(
            (int(k) for k in np.flatnonzero(floor)),
            key=lambda k: (not self.prio[k], -self.round_trip[k], k),
        )
        for k in seeds:
            if not pool[k]:
                continue
            pool[k] = False
            q = int(self.qty[k])
            free = np.flatnonzero(
                self.allowed[:, k] & (n_trips < self.max_trips) & (self.caps >= q)
            )
            if q <= left and len(free):
                if self.windowed[k]:
                    free = free[self._fits(free, clock, [k])]
                else:
                    free = free[clock[free] + self.alone[free, k] <= self.end_s]
            if q > left or not len(free):
                g = self.cands[k].group
                short[g] = short.get(g, 0) + q
                continue
            # the truck free earliest (then the largest)
            v = int(free[np.lexsort((free, -self.caps[free], clock[free]))[0]])
            stops, load = self._grow(v, int(clock[v]), [k], pool, q, left - q)
            left -= load
            v = self._best_fit(stops, load, clock, n_trips, v)
            trips[v].append(stops)
            n_trips[v] += 1
            back = self.trip_back(v, int(clock[v]), stops)
            assert back is not None
            clock[v] = back
        got = self._count(trips)
        feasible = not short
        if fill:
            left = self._fill(trips, clock, ~floor & servable, left, got, ration or {}, deadline)
            got = self._count(trips)
        return Packed(self._routes(trips), got, feasible, short)

    def _best_fit(
        self, stops: list[int], load: int, clock: np.ndarray, n_trips: np.ndarray, v: int
    ) -> int:
        """The busiest truck that can still make this trip (best fit: bin packing's rule).

        The trip was built on ``v``, the truck free earliest; giving it to the one with the
        least time left that still fits keeps long stretches free for the long trips.
        """
        ok = (
            self.allowed[:, stops].all(axis=1)
            & (n_trips < self.max_trips)
            & (self.caps >= load)
            & (clock > clock[v])
        )
        us = np.flatnonzero(ok)
        if not len(us):
            return v
        us = us[self._fits(us, clock, stops)]
        if not len(us):
            return v
        return int(us[np.lexsort((us, -clock[us]))[0]])

    def _fill(  # noqa: PLR0917 - the packing's state
        self,
        trips: list[list[list[int]]],
        clock: np.ndarray,
        pool: np.ndarray,
        left: int,
        got: dict[str, int],
        ration: Mapping[str, int],
        deadline: float | None,
    ) -> int:
        """Top up trips (lowest share first), then give the trucks' free hours to the nearest."""
        share = np.asarray(
            [
                got.get(d.group, 0) / max(1, ration.get(d.group, 1)) if not d.priority else -1.0
                for d in self.cands
            ]
        )
        for v in range(len(self.trucks)):
            for j in range(len(trips[v])):
                if deadline is not None and time.monotonic() > deadline:
                    return left
                stops = trips[v][j]
                load = int(self.qty[stops].sum())
                start = self.truck_back(v, trips[v][:j])
                assert start is not None
                trial = pool.copy()
                grown, new_load = self._grow(v, start, stops, trial, load, left, rank=share)
                if len(grown) == len(stops):
                    continue
                cand = [*trips[v][:j], grown, *trips[v][j + 1 :]]
                if self.truck_back(v, cand) is None:
                    continue  # the later trips would end too late
                trips[v] = cand
                pool &= trial
                left -= new_load - load
        for v in range(len(self.trucks)):
            back = self.truck_back(v, trips[v])
            assert back is not None
            clock[v] = back
        active = set(range(len(self.trucks)))
        while active and left > 0:
            if deadline is not None and time.monotonic() > deadline:
                break
            v = min(active, key=lambda u: (int(clock[u]), u))
            if len(trips[v]) >= self.max_trips:
                active.discard(v)
                continue
            cap = min(self.trucks[v].capacity, left)
            idx = np.flatnonzero(pool & self.allowed[v] & (self.qty <= cap))
            seed = None
            for k in idx[np.lexsort((idx, self.round_trip[idx]))]:
                if self.trip_back(v, int(clock[v]), [int(k)]) is not None:
                    seed = int(k)
                    break
            if seed is None:
                active.discard(v)
                continue
            pool[seed] = False
            q = int(self.qty[seed])
            stops, load = self._grow(v, int(clock[v]), [seed], pool, q, left - q)
            left -= load
            trips[v].append(stops)
            back = self.trip_back(v, int(clock[v]), stops)
            assert back is not None
            clock[v] = back
        return left

    def _count(self, trips: list[list[list[int]]]) -> dict[str, int]:
        got: dict[str, int] = {}
        for tr in trips:
            for stops in tr:
                for k in stops:
                    d = self.cands[k]
                    if not d.priority:
                        got[d.group] = got.get(d.group, 0) + d.cylinders
        return got

    def _routes(self, trips: list[list[list[int]]]) -> Routes:
        out: Routes = []
        for v, truck in enumerate(self.trucks):
            seq: list[tuple[str, Drop | None]] = []
            for j, stops in enumerate(trips[v]):
                if j:
                    seq.append(("reload", None))
                seq += [("drop", self.cands[k]) for k in stops]
            out.append((truck, self.start_s, seq))
        return out
