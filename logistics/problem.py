"""From a scenario to a routing problem: map, blockades, points, commissions, tables.

Everything the solver needs is computed here once, so the CLI, the app and the batch runs
build problems the same way, and the solver holds only the optimisation model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from logistics.demand import (
    DeliveryPoint,
    build_points,
    load_areas,
    resolve_delegate_district,
)
from logistics.errors import InputError
from logistics.network import (
    _TO_METRIC,
    KIND_ACCESS,
    RoadNetwork,
    RouteTables,
    load_network,
    with_plant_access,
)
from logistics.scenario import Blockade, Scenario

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


@dataclass
class BlockadeEffect:
    """What one blockade does to the network during the shift."""

    blockade: Blockade
    #: edges it touches (closed: removed; permit: entering edges carry the delay)
    edges: np.ndarray
    entering: np.ndarray
    active_in_shift: bool


@dataclass
class CommissionInfo:
    id: str
    members: list[str]
    plant_workers: list[str]
    delegates: list[str]
    #: normalised district/zone keys its delegates represent; None = any (delegate_scope any)
    districts: set[str] | None

    def may_serve(self, point: DeliveryPoint) -> bool:
        return self.districts is None or bool(point.area_names() & self.districts)


@dataclass
class TruckInfo:
    id: str
    capacity: int
    speed_factor: float
    commission: CommissionInfo | None


@dataclass
class Problem:
    """A scenario made concrete on a map, ready for any solver."""

    scenario: Scenario
    net: RoadNetwork
    plant_node: int
    plant_snap_m: float
    points: list[DeliveryPoint]
    trucks: list[TruckInfo]
    commissions: list[CommissionInfo]
    unused_guards: list[str]
    edge_mask: np.ndarray
    edge_delay_s: np.ndarray
    blockades: list[BlockadeEffect]
    #: point id -> reason decided before routing (excluded, unreachable, no guard)
    pre_unserved: dict[str, str]
    #: points the solver may route to (eligible, reachable, guarded); index k <-> location k+1
    routable: list[DeliveryPoint]
    #: tables over [plant] + routable
    tables: RouteTables
    notes: list[str] = field(default_factory=list)

    @property
    def shift_start_s(self) -> int:
        return self.scenario.shift.start_min * 60

    @property
    def shift_end_s(self) -> int:
        return self.scenario.shift.end_min * 60

    def leg_time_s(self, i: int, j: int, speed_factor: float) -> float:
        """Travel time between locations (0 = plant) for a truck with ``speed_factor``."""
        t = self.tables
        return float(t.drive_s[i, j] / speed_factor + t.delay_s[i, j])

    def service_s(self, cylinders: int) -> float:
        d = self.scenario.demand
        return d.stop_minutes * 60 + d.seconds_per_cylinder * cylinders


# ------------------------------------------------------------------ blockades
def _segment_distances(net: RoadNetwork, cx: float, cy: float) -> np.ndarray:
    """Distance (m) from a metric point to every edge (straight u-v segments)."""
    x0, y0 = net.x[net.edge_u], net.y[net.edge_u]
    dx, dy = net.x[net.edge_v] - x0, net.y[net.edge_v] - y0
    seg2 = dx * dx + dy * dy
    t = np.where(seg2 > 0, ((cx - x0) * dx + (cy - y0) * dy) / np.where(seg2 > 0, seg2, 1), 0)
    t = np.clip(t, 0.0, 1.0)
    px, py = x0 + t * dx, y0 + t * dy
    dist = np.hypot(px - cx, py - cy)
    return dist


def blockade_effects(
    scenario: Scenario, net: RoadNetwork, base_mask: np.ndarray
) -> list[BlockadeEffect]:
    """Locate every blockade on the network; reject those outside the map.

    A circle blockade touches every edge passing within its radius; a way blockade touches
    the edges of its OSM ways (and their assumed return carriageways, which stand for the
    other side of the same road). Edges *entering* the blockade from outside carry the
    permit delay, so a truck passing through pays it once.
    """
    shift = scenario.shift
    out = []
    for i, b in enumerate(scenario.blockades):
        where = f"blockades[{i}]"
        if b.way_ids is not None:
            touched = np.isin(net.edge_way, np.asarray(b.way_ids, dtype=np.int64)) & base_mask
            missing = sorted(set(b.way_ids) - set(net.edge_way[touched].tolist()))
            if missing:
                raise InputError(
                    f"{where}.way_ids",
                    f"OSM way {missing[0]} is not a drivable road of the loaded map; expected "
                    "way ids of the map (see 'senkata maps info')",
                )
            inside = np.zeros(net.n_nodes, dtype=bool)
            inside[net.edge_u[touched]] = True
            inside[net.edge_v[touched]] = True
            entering = base_mask & ~inside[net.edge_u] & inside[net.edge_v]
        else:
            assert b.lat is not None and b.lon is not None and b.radius_m is not None
            cx, cy = _TO_METRIC.transform(b.lon, b.lat)
            dist = _segment_distances(net, cx, cy)
            touched = (dist <= b.radius_m) & base_mask
            if not touched.any():
                nearest = float(dist[base_mask].min())
                raise InputError(
                    where,
                    f"({b.lat:.5f}, {b.lon:.5f}) radius {b.radius_m:g} m touches no road of the "
                    f"map (nearest road {nearest:,.0f} m away); expected a blockade on a road",
                )
            inside = np.hypot(net.x - cx, net.y - cy) <= b.radius_m
            entering = touched & ~inside[net.edge_u]
        active = b.window is None or (
            b.window.start_min < shift.end_min and b.window.end_min > shift.start_min
        )
        out.append(
            BlockadeEffect(
                blockade=b,
                edges=np.flatnonzero(touched),
                entering=np.flatnonzero(entering),
                active_in_shift=active,
            )
        )
    return out


# ---------------------------------------------------------------- commissions
def _form_commissions(
    scenario: Scenario, data: Path | None = None
) -> tuple[list[CommissionInfo], list[str]]:
    g = scenario.guards
    role: dict[str, str] = {}
    district: dict[str, str] = {}
    areas = load_areas(data)
    for i, entry in enumerate(g.roster):
        for pid in entry.person_ids():
            role[pid] = entry.role
            if entry.district:
                district[pid] = resolve_delegate_district(
                    areas, entry.district, f"guards.roster[{i}].district"
                )
    groups: list[tuple[str, list[str]]] = []
    if g.commissions is not None:
        seen: dict[str, str] = {}
        for i, c in enumerate(g.commissions):
            for m in c.members:
                if m not in role:
                    raise InputError(
                        f"guards.commissions[{i}].members",
                        f"{m!r} is not in guards.roster; expected roster person ids",
                    )
                if m in seen:
                    raise InputError(
                        f"guards.commissions[{i}].members",
                        f"{m!r} already rides with commission {seen[m]!r}; a person guards "
                        "one truck per shift",
                    )
                seen[m] = c.id
            groups.append((c.id, list(c.members)))
    else:
        workers = [p for p, r in role.items() if r == "plant-worker"]
        by_district: dict[str, list[str]] = {}
        for p, r in role.items():
            if r == "junta-delegate":
                by_district.setdefault(district[p], []).append(p)
        # Interleave districts so the first commissions cover as many districts as possible.
        delegates: list[str] = []
        queues = list(by_district.values())
        while any(queues):
            for q in queues:
                if q:
                    delegates.append(q.pop(0))
        for k, (w, d) in enumerate(zip(workers, delegates, strict=False)):
            groups.append((f"C{k + 1:02d}", [w, d]))
    commissions = []
    used: set[str] = set()
    for cid, members in groups:
        pw = [m for m in members if role[m] == "plant-worker"]
        jd = [m for m in members if role[m] == "junta-delegate"]
        used.update(members)
        dist = None if g.delegate_scope == "any" else {district[m] for m in jd}
        commissions.append(CommissionInfo(cid, members, pw, jd, dist))
    valid = [c for c in commissions if c.plant_workers and c.delegates]
    if not valid:
        where = "guards.commissions" if g.commissions is not None else "guards.roster"
        raise InputError(
            where,
            "no commission can be formed; expected at least one plant worker and one junta "
            "delegate per truck (the Assembly's rule)",
        )
    unused = sorted(set(role) - used)
    return commissions, unused


def assign_commissions(scenario: Scenario, commissions: list[CommissionInfo]) -> list[TruckInfo]:
    """Pair commissions with trucks for the whole shift, largest trucks first.

    Commissions lacking a plant worker or a junta delegate are not allowed to ride; trucks
    left without a commission stay at the plant.
    """
    valid = [c for c in commissions if c.plant_workers and c.delegates]
    trucks = []
    for g in scenario.fleet:
        for tid in g.truck_ids():
            trucks.append(TruckInfo(tid, g.capacity, g.speed_factor, None))
    order = sorted(range(len(trucks)), key=lambda k: (-trucks[k].capacity, k))
    for k, c in zip(order, valid, strict=False):
        trucks[k].commission = c
    return trucks


# --------------------------------------------------------------------- build
def build_problem(
    scenario: Scenario,
    *,
    scenario_dir: Path | None = None,
    net: RoadNetwork | None = None,
    data: Path | None = None,
) -> Problem:
    """Make a scenario concrete: load the map, place points, apply blockades, tabulate.

    Raises
    ------
    InputError
        Points or blockades outside the map, unknown area names, no commission, or a plant
        sealed in by closed blockades.
    """
    if net is None:
        src = scenario.map.source
        path = None
        if src != "embedded":
            path = Path(src)
            if not path.is_absolute() and scenario_dir is not None:
                path = scenario_dir / path
        net = load_network(path, data=data)
    plant = scenario.plant
    net = with_plant_access(net, plant.lon, plant.lat, plant.access_m)
    base_mask = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    usable_nodes = np.zeros(net.n_nodes, dtype=bool)
    usable_nodes[net.edge_u[base_mask]] = True
    usable_nodes[net.edge_v[base_mask]] = True
    plant_node, plant_snap = net.snap(plant.lon, plant.lat, usable_nodes)
    if plant_snap > scenario.map.max_snap_m:
        raise InputError(
            "plants[0]",
            f"({plant.lat:.5f}, {plant.lon:.5f}) is {plant_snap:,.0f} m from the nearest road; "
            f"expected within {scenario.map.max_snap_m:,.0f} m (map.max_snap_m)",
        )
    points = build_points(scenario, net, usable_nodes=usable_nodes, data=data)
    effects = blockade_effects(scenario, net, base_mask)
    commissions, unused = _form_commissions(scenario, data)
    trucks = assign_commissions(scenario, commissions)

    mask = base_mask.copy()
    delay = np.zeros(net.n_edges)
    for eff in effects:
        if not eff.active_in_shift:
            continue
        if eff.blockade.status == "closed":
            mask[eff.edges] = False
        else:
            delay[eff.entering] += eff.blockade.delay_minutes * 60
    # Reachability with and without blockades, plant -> point -> plant.
    cand = [p for p in points if p.eligible]
    nodes = [plant_node] + [p.node for p in cand]
    open_t = net.route_tables(nodes, edge_mask=base_mask)
    blk_t = net.route_tables(nodes, edge_mask=mask, edge_delay_s=delay)
    pre: dict[str, str] = {p.id: "excluded-zone" for p in points if not p.eligible}
    reach_open = np.isfinite(open_t.time_s[0, 1:]) & np.isfinite(open_t.time_s[1:, 0])
    reach_blk = np.isfinite(blk_t.time_s[0, 1:]) & np.isfinite(blk_t.time_s[1:, 0])
    if cand and reach_open.any() and not reach_blk.any():
        closed = [e.blockade.id for e in effects if e.blockade.status == "closed"]
        raise InputError(
            "blockades",
            f"the plant is sealed in by closed blockades ({', '.join(closed)}): no eligible "
            "point can be reached and left; expected at least one open road out of the plant",
        )
    active_trucks = [t for t in trucks if t.commission is not None]
    routable: list[DeliveryPoint] = []
    for k, p in enumerate(cand):
        if not reach_open[k]:
            pre[p.id] = "unreachable-map"
        elif not reach_blk[k]:
            pre[p.id] = "unreachable-blockade"
        elif not any(t.commission and t.commission.may_serve(p) for t in active_trucks):
            pre[p.id] = "no-guard"
        else:
            routable.append(p)
    keep = [0] + [1 + k for k, p in enumerate(cand) if p in routable]
    tables = RouteTables(
        sources=blk_t.sources[keep],
        time_s=blk_t.time_s[np.ix_(keep, keep)],
        drive_s=blk_t.drive_s[np.ix_(keep, keep)],
        delay_s=blk_t.delay_s[np.ix_(keep, keep)],
        length_m=blk_t.length_m[np.ix_(keep, keep)],
        _pred=blk_t._pred,
        _row=blk_t._row[keep],
        _eid=blk_t._eid,
    )
    problem = Problem(
        scenario=scenario,
        net=net,
        plant_node=plant_node,
        plant_snap_m=plant_snap,
        points=points,
        trucks=trucks,
        commissions=commissions,
        unused_guards=unused,
        edge_mask=mask,
        edge_delay_s=delay,
        blockades=effects,
        pre_unserved=pre,
        routable=routable,
        tables=tables,
    )
    if plant.approximate:
        problem.notes.append(
            f"plant location is approximate; snapped {plant_snap:.0f} m to the nearest road"
        )
    n_access = int((net.edge_kind == KIND_ACCESS).sum())
    if n_access:
        problem.notes.append(
            f"{n_access} assumed plant-access links join the gate to the roads within "
            f"{plant.access_m:g} m (plants[0].access_m)"
        )
    for eff in effects:
        if eff.blockade.window is not None and eff.active_in_shift:
            problem.notes.append(
                f"blockade {eff.blockade.id} ({eff.blockade.window.start}-"
                f"{eff.blockade.window.end}) is applied for the whole shift (conservative)"
            )
    return problem
