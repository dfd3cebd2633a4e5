"""From a scenario to a routing problem: map, blockades, points, commissions, tables.

Everything the solver needs is computed here once, so the CLI, the app and the batch runs
build problems the same way, and the solver holds only the optimisation model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from logistics.demand import DeliveryPoint, build_points
from logistics.i18n import _, fmt_int
from logistics.model import InputError, Scenario, format_hhmm
from logistics.roads import KIND_ACCESS, RoadNetwork, RouteTables, load_network, with_plant_access
from logistics.routing.blockades import (
    BlockadeEffect,
    Period,
    blockade_effects,
    road_state,
    shift_periods,
)
from logistics.routing.commissions import (
    CommissionInfo,
    TruckInfo,
    assign_commissions,
    read_roster,
)
from logistics.routing.pairing import Need
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
    #: the shift cut at every blockade window start or end (one period: roads never change)
    periods: list[Period] = field(default_factory=list)
    #: the map's usable edges before any blockade (the base of every period's roads)
    base_mask: np.ndarray | None = None
    #: travel tables per run of periods, for the current table locations (see routing.timed)
    road_cache: dict[object, object] = field(default_factory=dict, repr=False)
    #: the shared data directory the points were placed from (``None``: the default)
    data: Path | None = None

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
            _(
                "({lat}, {lon}) is {m} m from the nearest road; expected within {most} m "
                "(map.max_snap_m)"
            ).format(
                lat=f"{plant.lat:.5f}",
                lon=f"{plant.lon:.5f}",
                m=fmt_int(plant_snap),
                most=fmt_int(scenario.map.max_snap_m),
            ),
        )
    points = build_points(scenario, net, usable_nodes=usable_nodes, data=data)
    effects = blockade_effects(scenario, net, base_mask)
    periods = shift_periods(scenario, effects)
    roster = read_roster(scenario, data)
    # the roads as the whole shift allows them (every blockade that stands at some time)
    mask, delay = road_state(effects, {i for p in periods for i in p.standing}, base_mask)
    # Reachability plant -> point -> plant: on the open map, and in each period's roads.
    cand = [p for p in points if p.eligible]
    fleet = [
        TruckInfo(t, g.capacity, g.speed_factor, None)
        for g in scenario.fleet
        for t in g.truck_ids()
    ]
    check_model_size(scenario, fleet, cand, net.n_nodes)  # refuse what this machine cannot hold
    nodes = [plant_node] + [p.node for p in cand]
    open_t = net.route_tables(nodes, edge_mask=base_mask)
    blk_t = net.route_tables(nodes, edge_mask=mask, edge_delay_s=delay)
    standing_all = frozenset(i for p in periods for i in p.standing)
    per_t = [blk_t]
    if len(periods) > 1:  # each period's own roads (the whole-shift ones where they agree)
        per_t = [
            blk_t
            if frozenset(p.standing) == standing_all
            else _period_tables(net, nodes, effects, p, base_mask)
            for p in periods
        ]
    pre: dict[str, str] = {p.id: "excluded-zone" for p in points if not p.eligible}
    reach_open = np.isfinite(open_t.time_s[0, 1:]) & np.isfinite(open_t.time_s[1:, 0])
    reach_blk = np.zeros(len(cand), dtype=bool)
    for t in per_t:
        reach_blk |= np.isfinite(t.time_s[0, 1:]) & np.isfinite(t.time_s[1:, 0])
    if cand and reach_open.any() and not reach_blk.any():
        closed = [e.blockade.id for e in effects if e.blockade.status == "closed"]
        raise InputError(
            "blockades",
            _(
                "the plant is sealed in by closed blockades ({ids}): no eligible point can be "
                "reached and left at any time of the shift; expected at least one open road "
                "out of the plant"
            ).format(ids=", ".join(closed)),
        )
    # who rides which truck, chosen from the demand the trucks can reach
    shift = scenario.shift
    work_s = min(shift.max_working_hours * 3600, 60 * (shift.end_min - shift.start_min))
    needs = [
        _need(p, 1 + k, per_t)
        for k, p in enumerate(cand)
        if reach_open[k] and reach_blk[k] and p.ration > 0
    ]
    trucks, commissions = assign_commissions(scenario, roster, needs, work_s=work_s)
    riding = {m for t in trucks if t.commission is not None for m in t.commission.members}
    unused = sorted(set(roster.role) - riding)
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
        data=data,
        tables=_subset(blk_t, keep),
        periods=periods,
        base_mask=base_mask,
    )
    if len(periods) > 1:  # the period tables over the same locations, for routing.timed
        key = np.asarray(problem.tables.sources).tobytes()
        for per, t in zip(periods, per_t, strict=True):
            if frozenset(per.standing) != standing_all:
                problem.road_cache[(frozenset(per.standing), key)] = _subset(t, keep)
    if plant.approximate:
        problem.notes.append(
            _("plant location is approximate; snapped {m} m to the nearest road").format(
                m=f"{plant_snap:.0f}"
            )
        )
    n_access = int((net.edge_kind == KIND_ACCESS).sum())
    if n_access:
        problem.notes.append(
            _(
                "{n} assumed plant-access links join the gate to the roads within {m} m "
                "(plants[0].access_m)"
            ).format(n=n_access, m=f"{plant.access_m:g}")
        )
    for eff in effects:
        w = eff.blockade.window
        if (
            w is not None
            and len(periods) > 1
            and any(eff.stands(p.start_s, p.end_s) for p in periods)
        ):
            problem.notes.append(
                _(
                    "blockade {id} stands only {start}-{end}: trucks use its roads outside "
                    "those hours"
                ).format(
                    id=eff.blockade.id, start=format_hhmm(w.start_min), end=format_hhmm(w.end_min)
                )
            )
    return problem


def _period_tables(
    net: RoadNetwork,
    nodes: list[int],
    effects: list[BlockadeEffect],
    period: Period,
    base_mask: np.ndarray,
) -> RouteTables:
    mask, delay = road_state(effects, period.standing, base_mask)
    return net.route_tables(nodes, edge_mask=mask, edge_delay_s=delay)


def _subset(t: RouteTables, keep: list[int]) -> RouteTables:
    """The tables between the locations ``keep`` only (same trees)."""
    return RouteTables(
        sources=t.sources[keep],
        time_s=t.time_s[np.ix_(keep, keep)],
        drive_s=t.drive_s[np.ix_(keep, keep)],
        delay_s=t.delay_s[np.ix_(keep, keep)],
        length_m=t.length_m[np.ix_(keep, keep)],
        _pred=t._pred,
        _row=t._row[keep],
        _eid=t._eid,
    )


def _need(p: DeliveryPoint, loc: int, per_t: list[RouteTables]) -> Need:
    """What a truck spends on a point: its quickest round trip in any period."""
    best = min(per_t, key=lambda t: float(t.time_s[0, loc] + t.time_s[loc, 0]))
    return Need(
        keys=frozenset(p.area_names()),
        group=p.group,
        priority=p.priority,
        cylinders=p.ration,
        drive_s=float(best.drive_s[0, loc] + best.drive_s[loc, 0]),
        delay_s=float(best.delay_s[0, loc] + best.delay_s[loc, 0]),
    )
