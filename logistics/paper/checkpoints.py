"""The blockades a trip meets on its way, found as the validator finds them.

Each leg is walked edge by edge from the plan's own times (departure, then each stop's
departure), with the scenario's blockades located by :mod:`logistics.plan.blockade_zones`,
so the sheet says what the validator checked: a *permit* checkpoint where the route enters
one in force (its delay counted), a blockade whose site the route crosses outside its
hours, and every closed blockade standing near the route during the trip, at the point
where the route passes closest to it (where it turns away).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from logistics.model import Scenario
from logistics.paper.steps import _kind, node_indices
from logistics.plan import BlockadeZone, Trip, TruckPlan, ZoneTester
from logistics.roads import RoadNetwork

#: A closed blockade this close to a trip's route (m) is listed on its sheet.
NEAR_M = 1500.0

#: Passages of one off-hours site closer than this along the route (km) are listed once.
SAME_SITE_KM = 1.0

#: Kinds of :class:`Checkpoint`, as the sheet explains them.
KINDS = ("permit", "permit-off-hours", "closed-off-hours", "closed-near")


@dataclass(frozen=True)
class Checkpoint:
    """One blockade on (or beside) a trip's route, where and when it is met.

    ``kind``: ``permit`` (a controlled crossing in force: stop, show the sheet, get it
    stamped; ``delay_min`` is what the plan counts), ``permit-off-hours`` /
    ``closed-off-hours`` (the route crosses its site when its hours say it is not standing),
    ``closed-near`` (a closed blockade in force during the trip, ``distance_m`` from the
    route at its closest point, which the route does not cross).
    """

    blockade: BlockadeZone
    kind: str
    #: leg (0-based) and node position in the leg where it is met
    leg: int
    pos: int
    #: km along the trip from the plant, planned time (minutes after midnight)
    km: float
    time: float
    delay_min: float
    #: OSM name of the road there ('' when unnamed), its kind as in :class:`~.steps.Step`
    road: str
    road_kind: str
    distance_m: float
    #: where on the route (metric x, y of the map)
    x: float
    y: float


def _listed_just_before(found: list[Checkpoint], z: BlockadeZone, km: float) -> bool:
    """An off-hours site already listed less than :data:`SAME_SITE_KM` back (a route that
    leaves a blockade's circle and enters it again lists it once)."""
    return any(c.blockade.id == z.id and km - c.km < SAME_SITE_KM for c in found)


def driven_edges(net: RoadNetwork, scenario: Scenario) -> dict[tuple[int, int], int]:
    """(u, v) -> the edge the validator takes for that pair: the fastest one of the kinds the
    scenario allows."""
    mask = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    ids = np.flatnonzero(mask)
    order = ids[np.argsort(-net.edge_time_s[ids], kind="stable")]  # fastest written last wins
    return {(int(net.edge_u[e]), int(net.edge_v[e])): int(e) for e in order.tolist()}


def _candidates(
    net: RoadNetwork, tester: ZoneTester, zones: list[BlockadeZone], idx: np.ndarray
) -> np.ndarray:
    """(zone, edge position) -> could the edge touch the zone? A cheap, conservative
    filter (bounding boxes; ends of a way blockade's ways) before the exact shapely test."""
    out = np.zeros((len(zones), max(len(idx) - 1, 0)), dtype=bool)
    if len(idx) < 2:
        return out
    x, y = net.x[idx], net.y[idx]
    x0, x1 = np.minimum(x[:-1], x[1:]), np.maximum(x[:-1], x[1:])
    y0, y1 = np.minimum(y[:-1], y[1:]), np.maximum(y[:-1], y[1:])
    for zi, z in enumerate(zones):
        if z.zone is not None:
            bx0, by0, bx1, by1 = z.zone.bounds
            out[zi] = (x0 <= bx1) & (x1 >= bx0) & (y0 <= by1) & (y1 >= by0)
        else:
            inside = tester.inside_mask(z)
            out[zi] = inside[idx[:-1]] | inside[idx[1:]]
    return out


def trip_checkpoints(
    net: RoadNetwork,
    zones: list[BlockadeZone],
    tester: ZoneTester,
    pick: dict[tuple[int, int], int],
    truck: TruckPlan,
    trip: Trip,
    *,
    near_m: float = NEAR_M,
) -> list[Checkpoint]:
    """The blockades ``trip`` meets, in the order it meets them.

    ``net`` carries the plant access links (as the plan was validated on); ``pick`` is
    :func:`driven_edges`; ``tester`` a :class:`~logistics.plan.ZoneTester` on ``net``.
    """
    found: list[Checkpoint] = []
    # every node driven: x, y, km from the plant, time, leg, position, edge entered there
    xs: list[float] = []
    ys: list[float] = []
    kms: list[float] = []
    times: list[float] = []
    where: list[tuple[int, int, int]] = []
    km_trip = 0.0
    clock = trip.depart
    crossing: dict[str, bool] = {}  # off-hours passages already listed (one per passage)
    for k, leg in enumerate(trip.legs):
        idx = node_indices(net, leg.nodes)
        drive = delay = 0.0
        t_edge = clock
        near = _candidates(net, tester, zones, np.asarray(idx, dtype=np.int64))
        for pos, (a, b) in enumerate(itertools.pairwise(idx)):
            e = pick.get((a, b))
            if e is None:
                break  # not a road of this map: the validator says so, the sheet cannot
            kind, name = _kind(net, e)
            xs.append(float(net.x[a]))
            ys.append(float(net.y[a]))
            kms.append(km_trip)
            times.append(t_edge)
            where.append((k, pos, e))
            for zi, z in enumerate(zones):
                hit = bool(near[zi, pos]) and tester.edge_hits(z, e)
                if not hit:
                    crossing[z.id] = False
                    continue
                entering = not tester.node_inside(z, a)
                first = entering or not crossing.get(z.id, False)
                crossing[z.id] = True
                if z.in_force(t_edge):
                    if z.closed or not entering:
                        continue  # closed: the validator refuses the plan; permit: inside
                    ck_kind, ck_delay = "permit", z.delay_min
                    delay += z.delay_min
                elif first and not _listed_just_before(found, z, km_trip):
                    ck_kind, ck_delay = ("closed" if z.closed else "permit") + "-off-hours", 0.0
                else:
                    continue
                found.append(
                    Checkpoint(
                        z, ck_kind, k, pos, km_trip, t_edge, ck_delay, name, kind, 0.0,
                        float(net.x[a]), float(net.y[a]),
                    )
                )  # fmt: skip
            km_trip += float(net.edge_length_m[e]) / 1000
            drive += float(net.edge_time_s[e]) / truck.speed_factor / 60
            t_edge = clock + drive + delay
        clock = trip.stops[k].depart if k < len(trip.stops) else trip.back
    crossed = {c.blockade.id for c in found}
    if xs:
        ax, ay = np.asarray(xs), np.asarray(ys)
        for z in zones:
            if not z.closed or z.id in crossed or not z.overlaps(trip.depart, trip.back):
                continue
            dist = tester.distance_m(z, ax, ay)
            i = int(np.argmin(dist))
            if dist[i] > near_m:
                continue
            k, pos, e = where[i]
            kind, name = _kind(net, e)
            found.append(
                Checkpoint(
                    z, "closed-near", k, pos, kms[i], times[i], 0.0, name, kind,
                    float(dist[i]), xs[i], ys[i],
                )
            )  # fmt: skip
    found.sort(key=lambda c: (c.leg, c.pos, c.time))
    return found
