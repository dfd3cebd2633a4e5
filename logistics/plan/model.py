"""Plans (trucks, trips, stops, unserved points) and their JSON form.

A :class:`Plan` is self-contained: each leg keeps the OSM node ids of the roads it follows,
so a plan can be drawn, printed or re-checked (:mod:`logistics.plan.validate`) without the
solver that made it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    pass


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Leg(_M):
    """Driving from one place to the next (plant or stop), on the roads of the map."""

    to_id: str
    #: OSM node ids along the road, first = where the leg starts
    nodes: list[int]
    km: float
    drive_min: float
    delay_min: float
    #: number of assumed edges (connectors, return carriageways) on this leg
    assumed_edges: int = 0


class Stop(_M):
    point_id: str
    name: str
    group: str
    zone: str | None = None
    lon: float
    lat: float
    node: int
    cylinders: int
    #: minutes after midnight
    arrive: float
    depart: float
    priority: bool = False


class Trip(_M):
    trip_no: int
    #: loading starts at the plant, minutes after midnight
    load_start: float
    depart: float
    back: float
    loaded: int
    stops: list[Stop]
    #: cylinders brought back to the plant (re-planning can leave some on board)
    returned: int = 0
    #: legs[k] ends at stops[k]; the last leg returns to the plant
    legs: list[Leg]

    @property
    def km(self) -> float:
        return sum(leg.km for leg in self.legs)


class TruckPlan(_M):
    truck_id: str
    capacity: int
    speed_factor: float
    commission_id: str | None
    members: list[str]
    trips: list[Trip]

    @property
    def km(self) -> float:
        return sum(t.km for t in self.trips)

    @property
    def delivered(self) -> int:
        return sum(t.loaded for t in self.trips)


class Unserved(_M):
    point_id: str
    name: str
    group: str
    ration: int
    delivered: int
    missing: int
    reason: str
    priority: bool = False


class GroupTotal(_M):
    group: str
    points: int
    #: points of the group that may receive gas (the rest are in excluded zones)
    eligible_points: int
    #: ration of the eligible points
    ration: int
    delivered: int
    #: ration of the points trucks can reach with a guard (the base of fair shares)
    reachable: int = 0
    households: float = 0.0

    @property
    def share(self) -> float:
        """Delivered over the eligible ration (0 when the group has none)."""
        return self.delivered / self.ration if self.ration else 0.0

    @property
    def per_household(self) -> float:
        return self.delivered / self.households if self.households else 0.0


class PlantInfo(_M):
    id: str
    name: str
    lon: float
    lat: float
    node: int
    approximate: bool
    stock: int


class SolverInfo(_M):
    status: str
    wall_s: float
    objective: int
    time_limit_s: float
    seed: int
    hit_time_limit: bool
    drops: int
    candidates: int
    trip_slots: int
    warm_start: str = "greedy"


class Plan(_M):
    scenario: str
    scenario_sha256: str
    map_source: str
    map_sha256: str
    plant: PlantInfo
    shift_start: float
    shift_end: float
    trucks: list[TruckPlan]
    unserved: list[Unserved]
    groups: list[GroupTotal]
    delivered: int
    demand: int
    solver: SolverInfo
    allocation: str = "max-delivered"
    notes: list[str] = Field(default_factory=list)

    # ---------------------------------------------------------- conveniences
    def trips(self) -> list[tuple[TruckPlan, Trip]]:
        return [(t, trip) for t in self.trucks for trip in t.trips]

    @property
    def km(self) -> float:
        return sum(t.km for t in self.trucks)

    @property
    def trucks_used(self) -> list[TruckPlan]:
        return [t for t in self.trucks if t.trips]

    def driving_hours(self) -> float:
        return sum(leg.drive_min + leg.delay_min for _, tr in self.trips() for leg in tr.legs) / 60

    def fairness(self) -> dict[str, Any]:
        """Served share per group that trucks can reach, its minimum and spread.

        Shares are delivered / eligible ration (equivalently cylinders per household over
        the ration per household). Groups no guarded truck can reach are listed apart.
        """
        reach = {g.group: g.share for g in self.groups if g.reachable > 0}
        lo = min(reach.values(), default=0.0)
        hi = max(reach.values(), default=0.0)
        return {
            "policy": self.allocation,
            "shares": reach,
            "min_share": lo,
            "spread": hi - lo,
            "cut_off": [g.group for g in self.groups if g.ration > 0 and g.reachable == 0],
        }

    def plan_id(self) -> str:
        """Short content hash identifying this plan (printed on every output).

        The notes are left out: they are read by people, in their language, and do not
        change what the trucks do.
        """
        blob = self.model_dump_json(exclude={"solver", "notes"}).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


#: Reasons an eligible point (or part of its ration) was not served.
REASONS = (
    "excluded-zone",
    "unreachable-blockade",
    "unreachable-map",
    "no-guard",
    "stock-short",
    "fair-share",
    "no-time",
)
