"""Everything one trip sheet needs, gathered once per plan (and once per worker process).

A :class:`SheetContext` is plain data (the plan, the scenario, the map with its plant gate,
the rows and checksums, roles, households and rations, blockades): it is built in the
calling process and handed to the rendering workers whole, so a worker renders any trip
without reading a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from logistics.i18n import N_, _
from logistics.model import Scenario
from logistics.paper.checkpoints import Checkpoint, driven_edges, trip_checkpoints
from logistics.paper.data import plan_sheets
from logistics.plan import BlockadeZone, Plan, Trip, TruckPlan, ZoneTester, blockade_zones
from logistics.roads import RoadNetwork, with_plant_access

PLANT_WORKER = N_("plant worker")


@dataclass(frozen=True)
class PointInfo:
    """What the sheet prints of a distribution point beside its cylinders."""

    households: float
    ration: int
    kind: str  # "stop" | "listed" | "priority"


@dataclass
class SheetContext:
    """The shared input of every trip sheet of one plan."""

    plan: Plan
    scenario: Scenario
    #: the map with the plant's assumed gate links (as the plan was validated on)
    net: RoadNetwork
    price_bs: float
    date: str
    lang: str
    rows: dict[tuple[str, int], list[dict]]
    #: roster id -> (role, district or None)
    roles: dict[str, tuple[str, str | None]]
    #: (truck, trip) -> place in the plant's departure order (1 = first out)
    order: dict[tuple[str, int], int]
    points: dict[str, PointInfo]
    zones: list[BlockadeZone]
    phones: dict[str, str] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_gates(self) -> int:
        return len(self.order)

    def n_trips(self, truck: TruckPlan) -> int:
        return len(truck.trips)

    def role_text(self, person: str) -> str:
        """``plant worker`` or ``junta delegate (Distrito 8)``, in the current language."""
        role, district = self.roles.get(person, ("?", None))
        if role == "plant-worker":
            return _(PLANT_WORKER)
        if role == "junta-delegate":
            return _("junta delegate ({district})").format(district=district or "?")
        return "?"

    def checkpoints(self, truck: TruckPlan, trip: Trip) -> list[Checkpoint]:
        """The blockades this trip meets (see :func:`~.checkpoints.trip_checkpoints`)."""
        if "tester" not in self._cache:
            self._cache["tester"] = ZoneTester(self.net)
            self._cache["pick"] = driven_edges(self.net, self.scenario)
        return trip_checkpoints(
            self.net, self.zones, self._cache["tester"], self._cache["pick"], truck, trip
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}  # shapely lines and lookups are rebuilt in each worker
        return state


def departure_order(plan: Plan) -> dict[tuple[str, int], int]:
    """(truck, trip) -> place in the order trucks leave the plant (1 = first out)."""
    trips = sorted(plan.trips(), key=lambda x: (x[1].depart, x[0].truck_id))
    return {(tr.truck_id, t.trip_no): k for k, (tr, t) in enumerate(trips, start=1)}


def _points(scenario: Scenario, net: RoadNetwork) -> dict[str, PointInfo]:
    import numpy as np

    from logistics.demand import build_points

    mask = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    usable = np.zeros(net.n_nodes, dtype=bool)
    usable[net.edge_u[mask]] = True
    usable[net.edge_v[mask]] = True
    pts = build_points(scenario, net, usable_nodes=usable)
    return {p.id: PointInfo(p.households, p.ration, p.kind) for p in pts}


def sheet_context(
    plan: Plan,
    scenario: Scenario,
    net: RoadNetwork,
    *,
    price_bs: float,
    date: str,
    lang: str,
    points: dict[str, PointInfo] | None = None,
) -> SheetContext:
    """Gather what every sheet of ``plan`` prints (``points`` computed when not given)."""
    plant = scenario.plant
    net = with_plant_access(net, plant.lon, plant.lat, plant.access_m)
    roles: dict[str, tuple[str, str | None]] = {}
    for g in scenario.guards.roster:
        for pid in g.person_ids():
            roles[pid] = (g.role, g.district)
    phones = {"plant": plant.phone} if plant.phone else {}
    for com in scenario.guards.commissions or []:
        if com.phone:
            phones[com.id] = com.phone
    return SheetContext(
        plan=plan,
        scenario=scenario,
        net=net,
        price_bs=price_bs,
        date=date,
        lang=lang,
        rows=plan_sheets(plan, price_bs=price_bs, date=date),
        roles=roles,
        order=departure_order(plan),
        points=points if points is not None else _points(scenario, net),
        zones=blockade_zones(scenario),
        phones=phones,
    )
