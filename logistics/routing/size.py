"""How big the OR-Tools model of a problem will be, checked before anything is solved.

The routing model has one node per drop (a share of a point's ration no larger than the
smallest truck), one reload node per truck and extra trip, and the plant; its travel
matrices hold ``nodes²`` entries per truck speed. A valid scenario can ask for far more
than this machine holds (``capacity: 1`` turns 24,000 cylinders into 24,000 drops; 2,000
trucks into 14,000 reload nodes), and one desk's plan must not take the app server down
for every desk. :func:`check_model_size` refuses such a problem with one line saying how
much memory it would need and what to change; ``bench/model_size_bench.py`` measured the
estimate against the peak memory of real solves (README, "Bounds").
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from logistics.demand import DeliveryPoint
from logistics.i18n import _, fmt_int
from logistics.model import InputError, Scenario
from logistics.roads import RouteTables
from logistics.routing.allocation import FAIR_DROP
from logistics.routing.commissions import TruckInfo

#: Trips per truck at most (the solver's ``MAX_TRIPS_PER_TRUCK``; a test keeps them equal).
TRIPS_BOUND = 8
#: Bytes per cell of the model's matrices and truck speed: transit and cost matrices in
#: numpy and in OR-Tools (int64), their float64 temporaries and the search's state
#: (bench/model_size_bench.py measured 43-64 while building, about 30 % more in a search).
BYTES_PER_CELL = 80
#: Bytes per node and truck (vehicle variables and their allowed-vehicle domains).
BYTES_PER_NODE_TRUCK = 16
#: Bytes per (point, map node) of the two travel-table runs (Dijkstra distances and trees,
#: the sums along them; 56-81 measured for 500-3,000 points on the embedded map).
BYTES_PER_TABLE_CELL = 80
#: Largest problem accepted (travel tables and the model together), unless the machine has
#: less memory (then 40 % of it) or ``$SENKATA_MAX_MODEL_MB`` says otherwise.
DEFAULT_MAX_MODEL_BYTES = 1_500_000_000


class ProblemLike(Protocol):
    """What :func:`model_size` reads of a :class:`~logistics.routing.problem.Problem`."""

    scenario: Scenario
    trucks: list[TruckInfo]
    routable: list[DeliveryPoint]
    tables: RouteTables


@dataclass(frozen=True)
class ModelSize:
    """The size of one problem: its travel tables and its OR-Tools model."""

    drops: int
    trucks: int
    trips_per_truck: int
    speeds: int
    #: distribution points and nodes of the map the travel tables span
    points: int = 0
    map_nodes: int = 0

    @property
    def trip_slots(self) -> int:
        return self.trucks * self.trips_per_truck

    @property
    def nodes(self) -> int:
        return 1 + self.trucks * (self.trips_per_truck - 1) + self.drops

    @property
    def table_bytes(self) -> int:
        return BYTES_PER_TABLE_CELL * (self.points + 1) * self.map_nodes

    @property
    def model_bytes(self) -> int:
        return (
            BYTES_PER_CELL * self.nodes**2 * self.speeds
            + BYTES_PER_NODE_TRUCK * self.nodes * self.trucks
        )

    @property
    def bytes(self) -> int:
        return self.table_bytes + self.model_bytes


def max_model_bytes() -> int:
    """The problem size this machine allows (see :data:`DEFAULT_MAX_MODEL_BYTES`)."""
    env = os.environ.get("SENKATA_MAX_MODEL_MB", "").strip()
    if env.isdigit():
        return int(env) * 1_000_000
    try:
        phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return DEFAULT_MAX_MODEL_BYTES
    return min(DEFAULT_MAX_MODEL_BYTES, int(0.4 * phys))


def estimate_size(
    scenario: Scenario,
    trucks: Sequence[TruckInfo],
    points: Sequence[DeliveryPoint],
    map_nodes: int,
    tables: RouteTables | None = None,
    *,
    all_ride: bool = False,
) -> ModelSize:
    """The size of the problem of ``points`` (the eligible ones) on a map.

    Without ``tables`` (before they are built) the trips per truck are bounded from the
    loading and hand-over times alone, so the estimate is an upper bound; with the tables
    of ``points`` it is the solver's own count (``solver._route``). ``all_ride`` counts
    every truck as guarded (before the commissions are chosen: an upper bound).
    """
    active = [t for t in trucks if all_ride or t.commission is not None]
    if not active or not points:
        return ModelSize(0, len(active), 1, 1, len(points), map_nodes)
    chunk = min(t.capacity for t in active)
    if scenario.allocation != "max-delivered":
        chunk = min(chunk, FAIR_DROP)
    drops = sum(max(1, math.ceil(p.ration / chunk)) for p in points)
    total = sum(p.ration for p in points)
    load_s = scenario.plant.loading_minutes * 60
    shift = scenario.shift
    work_s = min(shift.max_working_hours * 3600, (shift.end_min - shift.start_min) * 60)
    min_round = load_s + scenario.demand.stop_minutes * 60
    if tables is not None:
        tt = tables.time_s
        rounds = [float(tt[0, k] + tt[k, 0]) for k in range(1, len(points) + 1)]
        min_round = min([r for r in rounds if math.isfinite(r)] or [60.0]) + load_s
    trips = max(1, min(int(work_s // max(min_round, 60)), math.ceil(total / chunk), TRIPS_BOUND))
    speeds = len({t.speed_factor for t in active})
    return ModelSize(drops, len(active), trips, speeds, len(points), map_nodes)


def model_size(problem: ProblemLike) -> ModelSize:
    """The size of a built problem's model (its routable points and tables)."""
    return estimate_size(
        problem.scenario, problem.trucks, problem.routable, 0, tables=problem.tables
    )


def check_model_size(
    scenario: Scenario,
    trucks: Sequence[TruckInfo],
    points: Sequence[DeliveryPoint],
    map_nodes: int,
) -> ModelSize:
    """The problem's size (an upper bound), if this machine can hold it.

    Called by :func:`~logistics.routing.problem.build_problem` before the travel tables
    are built and the commissions chosen (every truck counted as guarded), so nothing
    large is allocated for a problem that would not fit.

    Raises
    ------
    InputError
        On ``fleet``: how much memory the problem would need, for how many points, drops
        and trip slots, and what to change.
    """
    size = estimate_size(scenario, trucks, points, map_nodes, all_ride=True)
    limit = max_model_bytes()
    if size.bytes > limit:
        msg = _(
            "the plan would need about {need} MB ({points} points, {drops} drops, {slots} trip "
            "slots); this machine allows {limit} MB: use larger or fewer trucks, or fewer points"
        )
        raise InputError(
            "fleet",
            msg.format(
                need=fmt_int(size.bytes / 1e6),
                points=fmt_int(size.points),
                drops=fmt_int(size.drops),
                slots=fmt_int(size.trip_slots),
                limit=fmt_int(limit / 1e6),
            ),
        )
    return size
