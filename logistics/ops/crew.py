"""What to tell each crew after a re-plan: per truck, per trip, in the current language.

Trips are matched by their number (a repaired plan keeps the numbers printed on the signed
sheets; a cancelled trip leaves a gap). A line says a trip is cancelled, a stop is dropped
or added or hands over a different count, the new roads to a stop (named streets), the new
return time, or that a blockade traps the truck (where, with how many cylinders).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logistics.i18n import _, fmt_int
from logistics.model import format_hhmm
from logistics.plan import Plan, TruckPlan

if TYPE_CHECKING:
    from logistics.ops.repair_state import Roads
    from logistics.ops.repair_walk import CrewChange, Trapped


def _road_line(roads: Roads, trip_no: int, old_nodes: list[int], new_nodes: list[int], to: str):
    """``to`` is a stop's name, or "" for the way back to the plant."""
    try:
        old_edges = set(roads.edges(roads.idx(old_nodes)))
        names = ", ".join(roads.streets(roads.idx(new_nodes), old_edges))
    except KeyError:  # a node not on this map (a plan from another map): no street names
        names = ""
    if to and names:
        msg = _("trip {trip}: new road to {name}, by {streets}")
    elif to:
        msg = _("trip {trip}: new road to {name} (unnamed streets)")
    elif names:
        msg = _("trip {trip}: new road back to the plant, by {streets}")
    else:
        msg = _("trip {trip}: new road back to the plant (unnamed streets)")
    return msg.format(trip=trip_no, name=to, streets=names)


def truck_lines(
    old: TruckPlan, new: TruckPlan, roads: Roads | None, plant_id: str, at: float
) -> list[str]:
    """The lines for one truck's crew (empty when its orders did not change)."""
    lines: list[str] = []
    new_trips = {t.trip_no: t for t in new.trips}
    for a in old.trips:
        b = new_trips.get(a.trip_no)
        if b is None:
            if a.back > at:
                lines.append(_("trip {trip}: cancelled").format(trip=a.trip_no))
            continue
        if a == b:
            continue
        names = {s.point_id: s.name for s in [*a.stops, *b.stops]}
        ca = {s.point_id: s.cylinders for s in a.stops}
        cb = {s.point_id: s.cylinders for s in b.stops}
        if b.loaded != a.loaded and b.depart >= at:
            lines.append(
                _("trip {trip}: load {n} cylinders instead of {old}").format(
                    trip=a.trip_no, n=fmt_int(b.loaded), old=fmt_int(a.loaded)
                )
            )
        for pid, n in ca.items():
            if pid not in cb:
                msg = (
                    _("trip {trip}: do not go to {name} ({n} cylinders stay on board)")
                    if a.depart < at
                    else _("trip {trip}: do not go to {name}")
                )
                lines.append(msg.format(trip=a.trip_no, name=names[pid], n=fmt_int(n)))
            elif cb[pid] != n:
                lines.append(
                    _("trip {trip}: hand over {n} cylinders at {name} instead of {old}").format(
                        trip=a.trip_no, name=names[pid], n=fmt_int(cb[pid]), old=fmt_int(n)
                    )
                )
        for pid, n in cb.items():
            if pid not in ca:
                lines.append(
                    _("trip {trip}: also go to {name} and hand over {n} cylinders").format(
                        trip=a.trip_no, name=names[pid], n=fmt_int(n)
                    )
                )
        old_legs = {lg.to_id: lg for lg in a.legs}
        for lg in b.legs:
            before = old_legs.get(lg.to_id)
            if roads is None or before is None or before.nodes == lg.nodes:
                continue
            to = "" if lg.to_id == plant_id else names.get(lg.to_id, lg.to_id)
            lines.append(_road_line(roads, a.trip_no, before.nodes, lg.nodes, to))
        if b.stuck_at is None and abs(b.back - a.back) > 0.5:
            lines.append(
                _("trip {trip}: back at the plant at {time} instead of {old}").format(
                    trip=a.trip_no, time=format_hhmm(b.back), old=format_hhmm(a.back)
                )
            )
    return lines


def crew_changes(
    old: Plan, new: Plan, roads: Roads | None, trapped: dict[str, Trapped], at: float
) -> list[CrewChange]:
    """Per truck whose orders changed, what to tell its crew (trapped trucks first)."""
    from logistics.ops.repair_walk import CrewChange

    by_id = {t.truck_id: t for t in new.trucks}
    out = []
    for t in old.trucks:
        b = by_id.get(t.truck_id)
        if b is None:
            continue
        lines = []
        stuck = trapped.get(t.truck_id)
        if stuck is not None:
            if stuck.place:
                msg = _(
                    "trip {trip}: a new blockade traps the truck at {place} with {n} cylinders "
                    "on board; it cannot get back to the plant"
                )
            else:
                msg = _(
                    "trip {trip}: a new blockade traps the truck at road node {node} with {n} "
                    "cylinders on board; it cannot get back to the plant"
                )
            lines.append(
                msg.format(
                    trip=stuck.trip_no,
                    place=stuck.place,
                    node=stuck.node,
                    n=fmt_int(stuck.cylinders),
                )
            )
        lines += truck_lines(t, b, roads, old.plant.id, at)
        if lines:
            out.append(CrewChange(t.truck_id, lines, stuck))
    out.sort(key=lambda c: (c.trapped is None, c.truck_id))
    return out
