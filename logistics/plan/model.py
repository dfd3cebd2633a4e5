"""Plans (trucks, trips, stops, unserved points) and their JSON form.

A :class:`Plan` is self-contained: each leg keeps the OSM node ids of the roads it follows,
so a plan can be drawn, printed or re-checked (:mod:`logistics.plan.validate`) without the
solver that made it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    pass


class _M(BaseModel):
    # A plan.json may come from anywhere: unknown fields and NaN/infinite numbers are refused
    # before any rule is checked (see logistics.plan.reading).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


#: Minutes after midnight (a shift ends by 23:59; two days leave room for any plan).
Minutes = Annotated[float, Field(ge=0, le=2 * 24 * 60)]
#: Cylinders on one stop, trip or plan.
Count = Annotated[int, Field(ge=0, le=10_000_000)]
#: OSM node id (negative: shape points of a simplified GraphML map).
NodeId = Annotated[int, Field(ge=-(2**62), le=2**62)]
#: Ids and names: one line of text.
Text = Annotated[str, Field(max_length=500, pattern=r"^[^\x00-\x1f\x7f]*$")]
Km = Annotated[float, Field(ge=0, le=1_000_000)]


class Leg(_M):
    """Driving from one place to the next (plant or stop), on the roads of the map."""

    to_id: Text
    #: OSM node ids along the road, first = where the leg starts
    nodes: list[NodeId] = Field(max_length=1_000_000)
    km: Km
    drive_min: Minutes
    delay_min: Minutes
    #: number of assumed edges (connectors, return carriageways) on this leg
    assumed_edges: int = Field(default=0, ge=0, le=1_000_000)


class Stop(_M):
    point_id: Text
    name: Text
    group: Text
    zone: Text | None = None
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    node: NodeId
    cylinders: Count
    #: minutes after midnight
    arrive: Minutes
    depart: Minutes
    priority: bool = False


class Trip(_M):
    #: 1, 2, ... in the order the truck makes them
    trip_no: int = Field(ge=1, le=1000)
    #: loading starts at the plant, minutes after midnight
    load_start: Minutes
    depart: Minutes
    back: Minutes
    loaded: Count
    stops: list[Stop] = Field(max_length=10_000)
    #: cylinders brought back to the plant (re-planning can leave some on board)
    returned: Count = 0
    #: legs[k] ends at stops[k]; the last leg returns to the plant (or ends at ``stuck_at``)
    legs: list[Leg] = Field(max_length=10_001)
    #: re-planning: a new blockade traps the truck at this road node; the last leg ends
    #: there and ``returned`` counts the cylinders still on board (not back in stock)
    stuck_at: NodeId | None = None

    @property
    def km(self) -> float:
        return sum(leg.km for leg in self.legs)


class TruckPlan(_M):
    truck_id: Text
    capacity: int = Field(ge=0, le=1_000_000)
    speed_factor: float = Field(gt=0, le=100)
    commission_id: Text | None
    members: list[Text] = Field(max_length=1000)
    trips: list[Trip] = Field(max_length=1000)

    @property
    def km(self) -> float:
        return sum(t.km for t in self.trips)

    @property
    def delivered(self) -> int:
        return sum(t.loaded for t in self.trips)


class Unserved(_M):
    point_id: Text
    name: Text
    group: Text
    ration: Count
    delivered: Count
    missing: int = Field(ge=-10_000_000, le=10_000_000)
    reason: Text
    priority: bool = False


class GroupTotal(_M):
    group: Text
    points: Count
    #: points of the group that may receive gas (the rest are in excluded zones)
    eligible_points: Count
    #: ration of the eligible points
    ration: Count
    delivered: Count
    #: ration of the points trucks can reach with a guard (the base of fair shares)
    reachable: Count = 0
    households: float = Field(default=0.0, ge=0, le=100_000_000)

    @property
    def share(self) -> float:
        """Delivered over the eligible ration (0 when the group has none)."""
        return self.delivered / self.ration if self.ration else 0.0

    @property
    def per_household(self) -> float:
        return self.delivered / self.households if self.households else 0.0


#: Households of an area (El Alto's largest district has ~35,000).
Households = Annotated[float, Field(ge=0, le=100_000_000)]
#: Metres from an area to a road or a point.
Metres = Annotated[float, Field(ge=0, le=1_000_000)]


class AreaRow(_M):
    """One area's account: every El Alto district, La Paz macrodistrict and La Paz zone.

    Households are the 2024 census totals as we ship them (see
    :mod:`logistics.demand.accounts`); ``delivered`` is the gas its households received
    (a point's cylinders shared among the areas whose households queue there, so it can be
    fractional). ``reason`` says why the area got less than its ration: a code of
    :data:`AREA_REASON_CODES`. Walking access counts households within 500 m / 1 km of a
    point that received gas and beyond 2 km of every one, in straight lines
    (``Plan.access_distance``).
    """

    #: ``district`` (El Alto district, La Paz macrodistrict) or ``zone`` (La Paz)
    level: Text
    municipality: Text
    district: Text
    zone: Text | None = None
    population: Households
    households: Households
    eligible_households: Households
    #: eligible households whose ration some distribution point carries
    counted_households: Households = 0.0
    #: of which queue at points of neighbouring areas (``demand.walk_to_neighbour_m``)
    carried_households: Households = 0.0
    #: eligible households times the ration per household
    ration: Count
    delivered: Annotated[float, Field(ge=0, le=10_000_000)] = 0.0
    points: Count = 0
    eligible_points: Count = 0
    reason: Text | None = None
    #: ``no-road-on-map``: metres to the nearest road a truck can reach and return from
    road_distance_m: Metres | None = None
    #: the nearest eligible point, for an area without a point of its own
    nearest_point: Text | None = None
    nearest_point_name: Text | None = None
    point_distance_m: Metres | None = None
    #: ``no-guard``: the district / macrodistrict whose junta delegate is missing
    missing_delegate: Text | None = None
    #: households that cannot get gas whatever the routing, by reason code
    without_gas: dict[Text, Households] = Field(default_factory=dict, max_length=20)
    within_500m: Households = 0.0
    within_1km: Households = 0.0
    beyond_2km: Households = 0.0

    @property
    def group(self) -> str:
        """The reporting group (``El Alto / Distrito 7``) this area belongs to."""
        return f"{self.municipality} / {self.district}"

    @property
    def name(self) -> str:
        return self.zone or self.district

    @property
    def share(self) -> float:
        """Delivered over the area's ration (0 when it has none)."""
        return self.delivered / self.ration if self.ration else 0.0

    @property
    def share_500m(self) -> float:
        return self.within_500m / self.households if self.households else 0.0

    @property
    def share_1km(self) -> float:
        return self.within_1km / self.households if self.households else 0.0


class PlantInfo(_M):
    id: Text
    name: Text
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    node: NodeId
    approximate: bool
    stock: Count


class SolverInfo(_M):
    status: Text
    wall_s: float = Field(ge=0, le=10**7)
    objective: int = Field(ge=-(2**63), le=2**63)
    time_limit_s: float = Field(gt=0, le=10**6)
    seed: int = Field(ge=0, le=2**63)
    hit_time_limit: bool
    drops: Count
    candidates: Count
    trip_slots: Count
    warm_start: Text = "greedy"


class Plan(_M):
    scenario: Text
    scenario_sha256: Text
    map_source: str = Field(max_length=5000)
    map_sha256: Text
    plant: PlantInfo
    shift_start: Minutes
    shift_end: Minutes
    trucks: list[TruckPlan] = Field(max_length=10_000)
    unserved: list[Unserved] = Field(max_length=1_000_000)
    groups: list[GroupTotal] = Field(max_length=100_000)
    delivered: Count
    demand: Count
    solver: SolverInfo
    allocation: Text = "max-delivered"
    #: every area's account (empty in a plan.json from before the accounts)
    areas: list[AreaRow] = Field(default_factory=list, max_length=100_000)
    #: how walking access is measured (the data have no footpaths)
    access_distance: Text = "straight-line"
    notes: list[str] = Field(default_factory=list, max_length=10_000)

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

    def district_areas(self) -> list[AreaRow]:
        """The El Alto districts and La Paz macrodistricts of :attr:`areas`."""
        return [a for a in self.areas if a.level == "district"]

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

#: Why an area got less than its ration: the accounts' reasons (no gas whatever the
#: routing), then the routing's (:data:`REASONS`) for areas whose points trucks can reach.
AREA_REASON_CODES = (
    "excluded-zone",
    "no-road-on-map",
    "no-point",
    "unreachable-map",
    "no-guard",
    "partly-no-point",
    "unreachable-blockade",
    "stock-short",
    "fair-share",
    "no-time",
)
