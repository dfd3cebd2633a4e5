"""Minimal-disruption re-plan: repair the plan instead of searching a new one.

Every truck keeps its remaining stops in their order. Only a leg that starts at or after
the re-plan time and drives through a road the new blockades close gets new roads (same
stops); a stop that can no longer be reached, or that would end the trip after the shift
or the working-hours limit, is dropped (its cylinders come back to the plant); times only
ever move later, so a truck whose roads are untouched keeps its trips byte-identical.
No solver runs: one shortest path per changed leg.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from logistics.i18n import _, fmt_int
from logistics.model import Blockade, InputError, Scenario, TimeWindow, format_hhmm
from logistics.ops.replan import shift_minute
from logistics.plan import Leg, Plan, Trip, Unserved
from logistics.plan.area_rows import area_rows
from logistics.routing import Problem, build_problem


@dataclass
class CrewChange:
    """What to tell one truck's crew after a repair (lines in the current language)."""

    truck_id: str
    lines: list[str] = field(default_factory=list)
    #: cylinders on board when the truck cannot get back to the plant (0 otherwise)
    trapped: bool = False


def _edges(problem: Problem, nodes: list[int]) -> list[int]:
    net = problem.net
    out = []
    for a, b in itertools.pairwise(net.node_index(n) for n in nodes):
        cand = np.flatnonzero((net.edge_u == a) & (net.edge_v == b))
        out.append(int(cand[np.argmin(net.edge_time_s[cand])]))
    return out


def _leg(problem: Problem, a_osm: int, b_osm: int, to_id: str, speed: float) -> Leg | None:
    """The shortest leg between two road nodes under the blockades, or None if cut off."""
    net = problem.net
    a, b = net.node_index(a_osm), net.node_index(b_osm)
    tab = net.route_tables([a, b], edge_mask=problem.edge_mask, edge_delay_s=problem.edge_delay_s)
    if not np.isfinite(tab.time_s[0, 1]):
        return None
    nodes, edges = tab.path(0, 1)
    return Leg(
        to_id=to_id,
        nodes=[int(net.node_osmid[n]) for n in nodes],
        km=float(tab.length_m[0, 1]) / 1000,
        drive_min=float(tab.drive_s[0, 1]) / speed / 60,
        delay_min=float(tab.delay_s[0, 1]) / 60,
        assumed_edges=int(net.assumed[edges].sum()) if edges else 0,
    )


def _with_blockades(scenario: Scenario, at_min: float, add: list[Blockade]) -> Scenario:
    window = TimeWindow(start=format_hhmm(at_min), end=scenario.shift.end)
    known = {b.id for b in scenario.blockades}
    blockades = list(scenario.blockades)
    for b in add:
        if b.id in known:
            raise InputError(
                "--blockade", _("id {id} already used in the scenario").format(id=repr(b.id))
            )
        blockades.append(b if b.window is not None else b.model_copy(update={"window": window}))
    return scenario.model_copy(update={"blockades": blockades})


def repair(  # noqa: PLR0912, PLR0915 - one walk over every truck's remaining work
    plan: Plan,
    scenario: Scenario,
    at: str,
    *,
    add_blockades: list[Blockade] | None = None,
    net=None,
) -> tuple[Plan, Scenario, list[CrewChange]]:
    """Repair ``plan`` from ``at`` (``HH:MM``) for new blockades, changing as little as possible.

    Returns
    -------
    (new plan, new scenario, crew changes)
        The crew changes list only trucks whose orders changed.
    """
    at_min = shift_minute(scenario, at)
    new_sc = _with_blockades(scenario, at_min, add_blockades or [])
    later = [b for b in new_sc.blockades if b.window is None or b.window.end_min > at_min]
    problem = build_problem(new_sc.model_copy(update={"blockades": later}), net=net)
    mask = problem.edge_mask
    points = {p.id: p for p in problem.points}
    sc = new_sc
    need = lambda s: sc.demand.stop_minutes + sc.demand.seconds_per_cylinder * s.cylinders / 60  # noqa: E731
    plant_osm = plan.plant.node
    max_work = sc.shift.max_working_hours * 60
    dropped: dict[str, str] = {}  # point id -> reason
    changes: list[CrewChange] = []
    trucks = []
    for truck in plan.trucks:
        speed = truck.speed_factor
        note = CrewChange(truck.truck_id)
        first = truck.trips[0].load_start if truck.trips else 0.0
        trips: list[Trip] = []
        prev_back = -1.0
        for trip in truck.trips:
            if trip.back <= at_min:
                trips.append(trip)
                prev_back = trip.back
                continue
            lag = max(0.0, prev_back - trip.load_start)
            stops = list(trip.stops)
            legs = list(trip.legs)
            # a stop is dropped when its road is cut or the trip ends too late: retry
            while True:
                clock = trip.depart + lag
                new_stops, new_legs, cut = [], [], None
                here = plant_osm
                for k in range(len(stops) + 1):
                    end_osm = stops[k].node if k < len(stops) else plant_osm
                    to_id = stops[k].point_id if k < len(stops) else plan.plant.id
                    leg = (
                        legs[k]
                        if legs[k].nodes
                        and legs[k].nodes[0] == here
                        and legs[k].nodes[-1] == end_osm
                        else None
                    )
                    started = clock < at_min  # driven (partly) before the re-plan: keep
                    if leg is None or (not started and not mask[_edges(problem, leg.nodes)].all()):
                        leg = _leg(problem, here, end_osm, to_id, speed)
                        if leg is None:
                            cut = k
                            break
                    new_legs.append(leg)
                    arrive = clock + leg.drive_min + leg.delay_min
                    if k < len(stops):
                        s = stops[k]
                        arr = max(s.arrive, arrive)
                        s = s.model_copy(
                            update={"arrive": arr, "depart": max(s.depart, arr + need(s))}
                        )
                        new_stops.append(s)
                        clock, here = s.depart, s.node
                    else:
                        back = max(trip.back, arrive)
                if cut is not None and cut < len(stops):
                    dropped[stops[cut].point_id] = "unreachable-blockade"
                    stops.pop(cut)
                    legs = [
                        *legs[:cut],
                        Leg(to_id="", nodes=[], km=0, drive_min=0, delay_min=0),
                        *legs[cut + 2 :],
                    ]
                    continue
                if cut is not None:  # cannot get back to the plant
                    note.trapped = True
                    note.lines.append(
                        _("trip {trip}: cannot return to the plant, {n} cylinders on board").format(
                            trip=trip.trip_no, n=fmt_int(sum(x.cylinders for x in stops))
                        )
                    )
                    new_legs, new_stops, back = list(trip.legs), list(trip.stops), trip.back
                    break
                late = back > sc.shift.end_min + 0.4 or back - first > max_work + 0.4
                bad = [
                    i
                    for i, s in enumerate(new_stops)
                    if (w := points[s.point_id].window) is not None and s.depart > w[1]
                ]
                if (late or bad) and stops and (stops[-1].arrive >= at_min or bad):
                    i = bad[0] if bad else len(stops) - 1
                    dropped[stops[i].point_id] = "no-time"
                    stops.pop(i)
                    legs = [
                        *legs[:i],
                        Leg(to_id="", nodes=[], km=0, drive_min=0, delay_min=0),
                        *legs[i + 2 :],
                    ]
                    continue
                break
            new_trip = trip.model_copy(
                update={
                    "load_start": trip.load_start + lag,
                    "depart": trip.depart + lag,
                    "back": back,
                    "stops": new_stops,
                    "legs": new_legs,
                    "returned": trip.loaded - sum(s.cylinders for s in new_stops),
                }
            )
            if new_trip != trip:
                old_ids = [s.point_id for s in trip.stops]
                new_ids = [s.point_id for s in new_stops]
                for pid in old_ids:
                    if pid not in new_ids:
                        note.lines.append(
                            _("trip {trip}: do not go to {name}").format(
                                trip=trip.trip_no,
                                name=next(s.name for s in trip.stops if s.point_id == pid),
                            )
                        )
                for a, b in zip(trip.legs, new_legs, strict=False):
                    if a.nodes != b.nodes and b.to_id in new_ids:
                        name = next(s.name for s in new_stops if s.point_id == b.to_id)
                        note.lines.append(
                            _("trip {trip}: new road to {name}").format(
                                trip=trip.trip_no, name=name
                            )
                        )
                if abs(back - trip.back) > 0.5:
                    note.lines.append(
                        _("trip {trip}: back at the plant at {time} instead of {old}").format(
                            trip=trip.trip_no, time=format_hhmm(back), old=format_hhmm(trip.back)
                        )
                    )
            trips.append(new_trip)
            prev_back = new_trip.back
        if note.lines:
            changes.append(note)
        trucks.append(truck.model_copy(update={"trips": trips}))

    got: dict[str, int] = defaultdict(int)
    for t in trucks:
        for trip in t.trips:
            for s in trip.stops:
                got[s.point_id] += s.cylinders
    unserved = {u.point_id: u for u in plan.unserved}
    for pid, reason in dropped.items():
        p = points[pid]
        missing = p.ration - got[pid]
        if missing <= 0:
            continue
        old = unserved.get(pid)
        unserved[pid] = Unserved(
            point_id=pid,
            name=p.name,
            group=p.group,
            ration=p.ration,
            delivered=got[pid],
            missing=missing,
            reason=old.reason if old is not None and old.missing >= missing else reason,
            priority=old.priority if old is not None else False,
        )
    by_group: dict[str, int] = defaultdict(int)
    for pid, n in got.items():
        by_group[points[pid].group] += n
    groups = [g.model_copy(update={"delivered": by_group.get(g.group, 0)}) for g in plan.groups]
    new = plan.model_copy(
        update={
            "trucks": trucks,
            "unserved": sorted(unserved.values(), key=lambda u: u.point_id),
            "groups": groups,
            "areas": area_rows(
                sc,
                problem.points,
                problem.net,
                got,
                {u.point_id: (u.reason, u.missing) for u in unserved.values()},
            )
            if plan.areas
            else [],
            "delivered": sum(got.values()),
            "scenario_sha256": plan.scenario_sha256,
            "notes": [
                *plan.notes,
                _("repaired at {time} from plan {plan_id}").format(
                    time=format_hhmm(at_min), plan_id=plan.plan_id()
                ),
            ],
        }
    )
    return new, new_sc, changes
