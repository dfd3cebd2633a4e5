"""Validator check: under a fair policy no district is left at 0 % while a truck could go.

Issue 11's rule: under ``proportional`` or ``max-min`` a district / macrodistrict with
eligible points never receives nothing while a truck whose commission may serve it has
time left, unless the plan says why (``no-guard``, blocked, or ``no-time`` that is true).
The check trusts nothing the solver computed: it re-derives the points, their districts
and hours from the scenario, the trucks' free time from the plan's own trips, and the
travel times from the road map with every blockade of the shift applied for the whole
shift (closed roads removed, every checkpoint delay paid): if even then a single trip of
one cylinder fits in a free stretch of a truck, the district could have had gas.

:func:`logistics.plan.validate.validate_plan` runs it on every plan that keeps the other
rules; it imports no routing code.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from logistics.demand import DeliveryPoint, build_points, load_areas, norm_area
from logistics.i18n import _, fmt_int
from logistics.model import Scenario, format_hhmm
from logistics.plan.blockade_zones import blockade_zones, edge_line
from logistics.plan.model import Plan
from logistics.roads import (
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_RETURN,
    KIND_ROAD,
    RoadNetwork,
    with_plant_access,
)

#: Policies under which a district at 0 % must be explained.
FAIR_POLICIES = ("proportional", "max-min")
#: Reasons that explain a point left out without any truck time: no delegate, no road.
_NO_TRIP = ("no-guard", "unreachable-blockade", "unreachable-map", "excluded-zone")


def _free_stretches(plan: Plan, scenario: Scenario) -> dict[str, list[tuple[float, float]]]:
    """Per truck with a commission: its free time (minutes) within shift and working span."""
    sh = scenario.shift
    out: dict[str, list[tuple[float, float]]] = {}
    for t in plan.trucks:
        if not t.members:
            continue
        trips = sorted(t.trips, key=lambda tr: tr.load_start)
        first = trips[0].load_start if trips else float(sh.start_min)
        end = min(float(sh.end_min), first + sh.max_working_hours * 60)
        free, clock = [], float(sh.start_min)
        for tr in trips:
            free.append((clock, tr.load_start))
            clock = max(clock, tr.back)
        free.append((clock, end))
        out[t.truck_id] = [(a, b) for a, b in free if b > a]
    return out


def _worst_case_mask(scenario: Scenario, net: RoadNetwork) -> tuple[np.ndarray, np.ndarray]:
    """Usable edges and per-edge delay (s) with every blockade standing all shift."""
    allowed = {KIND_ROAD, KIND_ACCESS}
    if scenario.map.assumed_connectors:
        allowed.add(KIND_CONNECTOR)
    if scenario.map.assumed_return_links:
        allowed.add(KIND_RETURN)
    mask = np.isin(net.edge_kind, list(allowed))
    delay = np.zeros(net.n_edges)
    for b in blockade_zones(scenario):
        if b.zone is not None:
            x0, y0, x1, y1 = b.zone.bounds
            pad = 2000.0  # no edge of the map is longer: the rest cannot touch the circle
            xs, ys = net.x[net.edge_u], net.y[net.edge_u]
            near = np.flatnonzero(
                mask & (xs > x0 - pad) & (xs < x1 + pad) & (ys > y0 - pad) & (ys < y1 + pad)
            )
            hit = [e for e in near if edge_line(net, int(e)).intersects(b.zone)]
            touched = np.zeros(net.n_edges, dtype=bool)
            touched[hit] = True
        else:
            touched = np.isin(net.edge_way, list(b.ways)) & mask
        if b.closed:
            mask &= ~touched
        else:
            inside = np.zeros(net.n_nodes, dtype=bool)
            inside[net.edge_u[touched]] = True
            inside[net.edge_v[touched]] = True
            delay[touched & ~inside[net.edge_u]] += b.delay_min * 60
    return mask, delay


def check_fair_zero(  # noqa: PLR0912 - one walk over the zero districts
    plan: Plan, scenario: Scenario, net: RoadNetwork, *, data: Path | None = None
) -> list[str]:
    """Districts at 0 % under a fair policy that a free truck could have reached.

    Returns
    -------
    list of str
        One line per such district (empty when the rule holds or the policy is not fair).
    """
    if plan.allocation not in FAIR_POLICIES:
        return []
    sc = scenario
    net = with_plant_access(net, sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    got: dict[str, int] = defaultdict(int)
    for _truck, trip in plan.trips():
        for s in trip.stops:
            got[s.point_id] += s.cylinders
    stock_left = sc.plant.stock - sum(got.values())
    if stock_left < 1:
        return []
    mask, delay = _worst_case_mask(sc, net)
    usable = np.zeros(net.n_nodes, dtype=bool)
    usable[net.edge_u[mask]] = True
    usable[net.edge_v[mask]] = True
    points = [p for p in build_points(sc, net, data=data) if p.eligible and not p.priority]
    by_group: dict[str, list[DeliveryPoint]] = defaultdict(list)
    for p in points:
        by_group[p.group].append(p)
    zero = {g: ps for g, ps in by_group.items() if sum(got[p.id] for p in ps) == 0}
    if not zero:
        return []
    listed = {u.point_id: u.reason for u in plan.unserved}
    areas = load_areas(data)
    delegate_areas: dict[str, set[str]] = {}
    district: dict[str, str] = {}
    for entry in sc.guards.roster:
        for pid in entry.person_ids():
            if entry.role == "junta-delegate" and entry.district:
                district[pid] = norm_area(areas.resolve(entry.district, "roster"))
    for t in plan.trucks:
        delegate_areas[t.truck_id] = {district[m] for m in t.members if m in district}
    speed = {t.truck_id: t.speed_factor for t in plan.trucks}
    free = _free_stretches(plan, sc)
    pnode, _snap = net.snap(sc.plant.lon, sc.plant.lat, usable)
    cands = [p for ps in zero.values() for p in ps if listed.get(p.id) not in _NO_TRIP]
    if not cands:
        return []
    tables = net.route_tables([pnode] + [p.node for p in cands], edge_mask=mask, edge_delay_s=delay)
    col = {p.id: 1 + k for k, p in enumerate(cands)}
    load = sc.plant.loading_minutes
    hand = sc.demand.stop_minutes + sc.demand.seconds_per_cylinder / 60
    errors = []
    for g, ps in sorted(zero.items()):
        for p in ps:
            if p.id not in col:
                continue
            k = col[p.id]
            hit = None
            for tid, stretches in free.items():
                if sc.guards.delegate_scope != "any" and not (
                    p.area_names() & delegate_areas.get(tid, set())
                ):
                    continue
                go = (tables.drive_s[0, k] / speed[tid] + tables.delay_s[0, k]) / 60
                back = (tables.drive_s[k, 0] / speed[tid] + tables.delay_s[k, 0]) / 60
                if not np.isfinite(go + back):
                    continue
                for a, b in stretches:
                    begin = a + load + go
                    if p.window is not None:
                        if begin > p.window[1] - hand:
                            continue
                        begin = max(begin, p.window[0])
                    if begin + hand + back <= b:
                        hit = (tid, a, b, load + go + hand + back)
                        break
                if hit:
                    break
            if hit:
                tid, a, b, need = hit
                errors.append(
                    _(
                        "{group} gets nothing under {policy}, but truck {truck} is free "
                        "{start}-{end} and a trip to {point} ({name}) takes {minutes} min"
                    ).format(
                        group=g,
                        policy=plan.allocation,
                        truck=tid,
                        start=format_hhmm(a),
                        end=format_hhmm(b),
                        point=p.id,
                        name=p.name,
                        minutes=fmt_int(round(need)),
                    )
                )
                break
    return errors
