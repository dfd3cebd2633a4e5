"""Minimal-disruption re-plan: repair the plan instead of searching a new one.

Every truck keeps its remaining stops in their order. Only a leg that drives through a road
a *new* blockade closes (or checks) gets new roads (same stops): a leg not yet started gets
the quickest path under every blockade standing after the re-plan time; a leg under way
keeps the roads already driven and is re-routed from where the truck is. A stop that can no
longer be reached, or that would end the trip after the shift, the working-hours limit or
the point's distribution hours, is dropped; a truck that can neither reach a stop nor get
back to the plant is *trapped*: its trip ends where it stands, its later trips are
cancelled, and the rest of the fleet is still planned. Times only ever move later, so a
truck whose roads are untouched keeps its trips byte-identical. The cylinders freed are
then offered to the points still missing some (:mod:`logistics.ops.repair_insert`). No
solver runs: one shortest-path tree per changed leg.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from logistics.i18n import _
from logistics.model import Blockade, InputError, Scenario, TimeWindow, format_hhmm
from logistics.ops.crew import crew_changes
from logistics.ops.repair_insert import insert_freed
from logistics.ops.repair_state import Static, roads_after, static_part
from logistics.ops.repair_walk import CrewChange, Ctx, Trapped, repair_truck
from logistics.ops.replan import shift_minute
from logistics.plan import Plan, TruckPlan, Unserved
from logistics.plan.area_rows import area_rows

__all__ = ["CrewChange", "Trapped", "repair", "with_blockades"]


def with_blockades(scenario: Scenario, at_min: float, add: list[Blockade]) -> Scenario:
    """``scenario`` with the new blockades, standing from ``at_min`` unless they say when."""
    window = TimeWindow(start=format_hhmm(at_min), end=scenario.shift.end)
    known = {b.id for b in scenario.blockades}
    blockades = list(scenario.blockades)
    for b in add:
        if b.id in known:
            raise InputError(
                "--blockade", _("id {id} already used in the scenario").format(id=repr(b.id))
            )
        known.add(b.id)
        blockades.append(b if b.window is not None else b.model_copy(update={"window": window}))
    return scenario.model_copy(update={"blockades": blockades})


def _totals(plan: Plan, trucks: list[TruckPlan], static: Static, dropped: dict[str, str]):
    got: dict[str, int] = defaultdict(int)
    for t in trucks:
        for trip in t.trips:
            for s in trip.stops:
                got[s.point_id] += s.cylinders
    unserved = {u.point_id: u for u in plan.unserved}
    for pid in list(unserved):
        old = unserved[pid]
        missing = old.ration - got[pid]
        if missing <= 0:
            del unserved[pid]
        else:
            unserved[pid] = old.model_copy(update={"delivered": got[pid], "missing": missing})
    for pid, reason in dropped.items():
        p = static.points.get(pid)
        if p is None:  # not a point of this scenario: the validator names it
            continue
        missing = p.ration - got[pid]
        if missing > 0 and pid not in unserved:
            unserved[pid] = Unserved(
                point_id=pid,
                name=p.name,
                group=p.group,
                ration=p.ration,
                delivered=got[pid],
                missing=missing,
                reason=reason,
                priority=p.priority,
            )
    by_group: dict[str, int] = defaultdict(int)
    for t in trucks:
        for trip in t.trips:
            for s in trip.stops:
                by_group[s.group] += s.cylinders
    groups = [g.model_copy(update={"delivered": by_group.get(g.group, 0)}) for g in plan.groups]
    return got, sorted(unserved.values(), key=lambda u: u.point_id), groups


def repair(
    plan: Plan,
    scenario: Scenario,
    at: str,
    *,
    add_blockades: list[Blockade] | None = None,
    net=None,
    data: Path | None = None,
    max_changed_trucks: int | None = None,
    insert: bool = True,
) -> tuple[Plan, Scenario, list[CrewChange]]:
    """Repair ``plan`` from ``at`` (``HH:MM``) for new blockades, changing as little as possible.

    Parameters
    ----------
    plan, scenario
        The plan being carried out and its scenario.
    at
        The time of the re-plan.
    add_blockades
        New blockades; without a window they stand from ``at`` to the end of the shift.
    net
        The road map (default: the scenario's, from the cache).
    max_changed_trucks
        Freed cylinders go first to trucks whose orders change anyway; other trucks (trips
        not yet loaded) receive them only while fewer than this many trucks have changed
        orders (default: none but those).
    insert
        Offer freed cylinders to the points still missing some.

    Returns
    -------
    (new plan, new scenario, crew changes)
        The crew changes list only trucks whose orders changed (trapped ones included).
    """
    at_min = shift_minute(scenario, at)
    new_sc = with_blockades(scenario, at_min, add_blockades or [])
    if net is None:
        from logistics.roads import load_network

        src = scenario.map.source
        net = load_network(None if src == "embedded" else src, data=data)
    roads, net, usable = roads_after(new_sc, net, at_min, {b.id for b in add_blockades or []})
    static = static_part(new_sc, net, usable, data)
    ctx = Ctx(new_sc, roads, static, at_min, plan.plant.node, plan.plant.id)
    trucks: list[TruckPlan] = []
    trapped: dict[str, Trapped] = {}
    dropped: dict[str, str] = {}
    for truck in plan.trucks:
        new_truck, stuck, gone = repair_truck(ctx, truck)
        trucks.append(new_truck)
        dropped.update(gone)
        if stuck is not None:
            trapped[truck.truck_id] = stuck
    if insert:
        trucks = insert_freed(ctx, plan, trucks, max_changed_trucks or 0)
    got, unserved, groups = _totals(plan, trucks, static, dropped)
    new = plan.model_copy(
        update={
            "trucks": trucks,
            "unserved": unserved,
            "groups": groups,
            "areas": area_rows(
                new_sc,
                list(static.points.values()),
                net,
                got,
                {u.point_id: (u.reason, u.missing) for u in unserved},
                data=data,
            )
            if plan.areas
            else [],
            "delivered": sum(got.values()),
            "notes": [
                *plan.notes,
                _("repaired at {time} from plan {plan_id}").format(
                    time=format_hhmm(at_min), plan_id=plan.plan_id()
                ),
            ],
        }
    )
    return new, new_sc, crew_changes(plan, new, roads, trapped, at_min)
