"""The optional improve step after a repair: OR-Tools from the repaired routes, few changes.

The repair (:mod:`logistics.ops.repair`) changes only the trucks a new blockade forces. The
improve step re-optimises a chosen set of trucks with the planner's own OR-Tools model
(:func:`logistics.ops.replan.replan`, warm-started from the repaired routes), every other
truck keeping all its trips as they are:

* the trucks that may change are those the repair changed (trapped ones excepted), plus,
  while ``max_changed_trucks`` allows, the trucks with the most of the shift left (the
  earliest last return); so at most ``max_changed_trucks`` trucks get new orders (default:
  as many as the repair changed);
* each stop handed to another truck than the one serving it after the repair costs
  ``move_cost_min`` minutes of driving in the objective, so a stop moves only when that
  buys more cylinders delivered or saves more driving;
* the result is kept only if the validator passes it and it delivers more cylinders, or
  as many with fewer km; otherwise the repaired plan stands.
"""

from __future__ import annotations

from pathlib import Path

from logistics.i18n import _, fmt_int, fmt_num
from logistics.model import Scenario
from logistics.ops.crew import crew_changes
from logistics.ops.repair_state import roads_after
from logistics.ops.repair_walk import CrewChange
from logistics.ops.replan import replan, shift_minute
from logistics.plan import Plan


def changed_ids(old: Plan, new: Plan) -> set[str]:
    """Trucks whose trips differ between two plans (stops, counts, roads or times)."""
    a = {t.truck_id: t.trips for t in old.trucks}
    b = {t.truck_id: t.trips for t in new.trucks}
    return {tid for tid in a.keys() | b.keys() if a.get(tid) != b.get(tid)}


def improve_plan(
    old: Plan,
    repaired: Plan,
    scenario: Scenario,
    at: str,
    crews: list[CrewChange],
    *,
    old_scenario: Scenario,
    time_limit_s: float,
    max_changed_trucks: int | None = None,
    move_cost_min: float = 30.0,
    net=None,
    data: Path | None = None,
) -> tuple[Plan, Scenario, list[CrewChange], str]:
    """Search ``time_limit_s`` seconds from the repaired plan (see the module doc).

    Parameters
    ----------
    old, old_scenario
        The plan being carried out and its scenario (the changes are counted against it).
    repaired, scenario, crews
        What :func:`~logistics.ops.repair.repair` returned.

    Returns
    -------
    (plan, scenario, crew changes, note)
        The improved plan (or the repaired one when the search found nothing better), and
        one line saying which.
    """
    from logistics.plan import validate_plan

    at_min = shift_minute(scenario, at)
    trapped = {c.truck_id: c.trapped for c in crews if c.trapped is not None}
    changed = changed_ids(old, repaired)
    most = len(changed) if max_changed_trucks is None else max(max_changed_trucks, len(changed))
    allowed = changed - set(trapped)
    others = sorted(
        (t for t in repaired.trucks if t.truck_id not in changed and t.commission_id),
        key=lambda t: (max((tr.back for tr in t.trips), default=0.0), t.truck_id),
    )
    for t in others:
        if len(allowed) + len(trapped) >= most:
            break
        allowed.add(t.truck_id)
    kept = _(
        "improve step: nothing better in {seconds} s within {n} trucks; the repaired plan stands"
    ).format(seconds=f"{time_limit_s:g}", n=fmt_int(most))
    if not allowed:
        return repaired, scenario, crews, kept
    better, better_sc = replan(
        repaired,
        scenario,
        at,
        time_limit_s=time_limit_s,
        net=net,
        only_trucks=allowed,
        warm=True,
        move_cost_s=round(move_cost_min * 60),
    )
    gain = (better.delivered, -better.km) > (repaired.delivered, -repaired.km)
    if not gain or len(changed_ids(old, better)) > most:
        return repaired, scenario, crews, kept
    if not validate_plan(better, better_sc, net, data=data).ok:
        return repaired, scenario, crews, kept
    new_ids = {b.id for b in scenario.blockades} - {b.id for b in old_scenario.blockades}
    roads, _net, _usable = roads_after(scenario, net, at_min, new_ids)
    note = _(
        "improve step: {n} more cylinders delivered, {km} km less driven, {k} trucks with "
        "new orders"
    ).format(
        n=fmt_int(better.delivered - repaired.delivered),
        km=fmt_num(repaired.km - better.km, 1),
        k=fmt_int(len(changed_ids(old, better))),
    )
    return better, better_sc, crew_changes(old, better, roads, trapped, at_min), note
