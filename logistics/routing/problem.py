"""From a scenario to a routing problem: map, blockades, points, commissions, tables.

Everything the solver needs is computed here once, so the CLI, the app and the batch runs
build problems the same way, and the solver holds only the optimisation model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from logistics.demand import DeliveryPoint, build_points
from logistics.model import InputError, Scenario
from logistics.roads import KIND_ACCESS, RoadNetwork, RouteTables, load_network, with_plant_access
from logistics.routing.blockades import BlockadeEffect, blockade_effects
from logistics.routing.commissions import (
    CommissionInfo,
    TruckInfo,
    _form_commissions,
    assign_commissions,
)
from logistics.routing.size import check_model_size


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


# ---------------------------------------------------------------- commissions


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
    check_model_size(scenario, trucks, cand, net.n_nodes)  # refuse what this machine cannot hold
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
