"""Re-planning during the shift: keep what happened, re-optimise what is left.

At time ``at`` each truck is somewhere: before its first trip, at the plant between trips,
handing over at a stop, or on the road (to a stop or back to the plant). What it already
did is fixed — stops done, cylinders handed over (read from a progress file, or taken from
the plan's own times when none is given) — and it keeps its commission. The rest of the
work is re-optimised with OR-Tools from where each truck is, with the cylinders it still
carries (they are not taken from the plant's stock again), under the new blockades.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from logistics.i18n import _, fmt_int
from logistics.model import (
    Blockade,
    Commission,
    InputError,
    Scenario,
    TimeWindow,
    format_hhmm,
    parse_hhmm,
)
from logistics.model.errors import one_line, show_value
from logistics.model.files import label_of, read_text
from logistics.plan import Plan, Trip
from logistics.routing import (
    FixedPart,
    Problem,
    SolveStats,
    TruckStart,
    build_plan,
    build_problem,
    make_drops,
)
from logistics.routing.solver import _route

#: Progress file columns: one row per stop handed over.
PROGRESS_COLUMNS = ("truck", "trip", "point_id", "delivered")

#: Largest progress file read, and its most rows (a shift has a few hundred stops).
MAX_PROGRESS_BYTES = 5_000_000
MAX_PROGRESS_ROWS = 100_000
#: Largest count of cylinders in one row, and the highest trip number.
MAX_PROGRESS_COUNT = 100_000
MAX_TRIP_NO = 1000

_DIGITS = re.compile(r"[0-9]{1,7}")


def _whole(where: str, col: str, value: str | None, low: int, high: int) -> int:
    text = (value or "").strip()
    if _DIGITS.fullmatch(text) and low <= int(text) <= high:
        return int(text)
    msg = _("expected a whole number from {low} to {high}, got {value}")
    raise InputError(
        f"{where}, column {col}",
        msg.format(low=fmt_int(low), high=fmt_int(high), value=show_value(text)),
    )


def read_progress(path: str | Path) -> dict[tuple[str, int, str], int]:
    """Stops already handed over: ``(truck, trip, point_id) -> cylinders``.

    The file is read through the planner's file boundary (a regular file of at most
    :data:`MAX_PROGRESS_BYTES`, UTF-8); counts are ASCII digits within bounds.

    Raises
    ------
    InputError
        Naming the file, row and column of the first bad value.
    """
    expected = _("a progress CSV with columns truck,trip,point_id,delivered")
    text = read_text(path, expected=expected, max_bytes=MAX_PROGRESS_BYTES)
    where = label_of(path)
    out: dict[tuple[str, int, str], int] = {}
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in PROGRESS_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            msg = _("missing column(s) {columns}; expected {expected}")
            raise InputError(
                where, msg.format(columns=", ".join(missing), expected=",".join(PROGRESS_COLUMNS))
            )
        for row_no, row in enumerate(reader, start=2):
            if row_no > MAX_PROGRESS_ROWS + 1:
                msg = _("more than {limit} rows; expected one row per stop handed over")
                raise InputError(where, msg.format(limit=fmt_int(MAX_PROGRESS_ROWS)))
            here = _("{file}: row {row}").format(file=where, row=row_no)
            trip = _whole(here, "trip", row.get("trip"), 1, MAX_TRIP_NO)
            delivered = _whole(here, "delivered", row.get("delivered"), 0, MAX_PROGRESS_COUNT)
            truck, point = (str(row.get(c) or "").strip() for c in ("truck", "point_id"))
            for col, value in (("truck", truck), ("point_id", point)):
                if not value or len(value) > 200:
                    msg = _("expected an id of 1 to 200 characters, got {value}")
                    raise InputError(f"{here}, column {col}", msg.format(value=show_value(value)))
            key = (truck, trip, point)
            out[key] = out.get(key, 0) + delivered
    except csv.Error as exc:  # a NUL byte, a field over the csv module's size limit ...
        msg = _("not a readable CSV ({reason}); expected {expected}")
        raise InputError(
            where, msg.format(reason=one_line(str(exc), 60), expected=expected)
        ) from None
    return out


def progress_from_ledger(db: str | None, plan_id: str) -> dict[tuple[str, int, str], int]:
    """Stops handed over so far, as the ledger records them (newest corrections applied).

    Parameters
    ----------
    db
        Ledger URL or SQLite path (default ``$SENKATA_LEDGER_URL`` or ``ledger.sqlite``).
    plan_id
        The dispatched plan's id (``Plan.plan_id()``).
    """
    from logistics.ledger import Ledger, outcomes

    with Ledger(db) as ledger:
        stops = [o for o in outcomes(ledger.entries()) if o.plan_id == plan_id]
    if not stops:
        raise InputError(
            "--from-ledger",
            _(
                "the ledger has no stops recorded for plan {plan_id}; expected a dispatched "
                "plan with recorded stops (or pass --progress)"
            ).format(plan_id=plan_id),
        )
    out: dict[tuple[str, int, str], int] = {}
    for o in stops:
        key = (o.truck, o.trip, o.point_id)
        out[key] = out.get(key, 0) + o.delivered
    return out


@dataclass
class _TruckState:
    fixed: FixedPart
    start: TruckStart
    node: int | None = None  # network node of the position when on the road


def _walk(problem: Problem, leg_nodes: list[int], t0: float, at: float, speed: float):
    """Where a truck is along a leg at time ``at``.

    Returns the number of edges driven, their km, driving minutes and checkpoint minutes.
    """
    net = problem.net
    idx = [net.node_index(n) for n in leg_nodes]
    pairs: dict[tuple[int, int], int] = {}
    clock, km, delay = t0, 0.0, 0.0
    reached = 0
    for k, (a, b) in enumerate(itertools.pairwise(idx)):
        if (a, b) not in pairs:
            cand = np.flatnonzero((net.edge_u == a) & (net.edge_v == b))
            pairs[(a, b)] = int(cand[np.argmin(net.edge_time_s[cand])])
        e = pairs[(a, b)]
        wait = problem.edge_delay_s[e] / 60  # a permit checkpoint on the way
        step = net.edge_time_s[e] / speed / 60 + wait
        if clock + step > at:
            break
        clock += step
        delay += wait
        km += net.edge_length_m[e] / 1000
        reached = k + 1
    return reached, km, clock - t0 - delay, delay


def truck_states(
    plan: Plan, problem: Problem, at_min: float, done: dict[tuple[str, int, str], int] | None
) -> dict[str, _TruckState]:
    """Each truck's fixed work and starting state at ``at_min`` (minutes after midnight)."""
    states = {}
    for truck in plan.trucks:
        kept: list[Trip] = []
        first = truck.trips[0].load_start if truck.trips else None
        worked = int(max(0.0, at_min - first) * 60) if first is not None and first < at_min else 0
        start = TruckStart(loc=0, time_s=int(at_min * 60), worked_s=worked)
        fx = FixedPart(trips=[])
        for trip in truck.trips:
            if trip.depart > at_min:
                # not yet on the road (loading or later): re-planned from the plant
                break
            if done is None:
                stops = [s for s in trip.stops if s.arrive <= at_min]  # hand-over under way
            else:
                stops = []
                for s in trip.stops:
                    got = done.get((truck.truck_id, trip.trip_no, s.point_id))
                    if got:
                        stops.append(s.model_copy(update={"cylinders": got}))
            if trip.back <= at_min:
                kept.append(
                    trip.model_copy(
                        update={
                            "stops": stops,
                            "returned": trip.loaded - sum(s.cylinders for s in stops),
                        }
                    )
                    if done is not None
                    else trip
                )
                start = replace(start, time_s=int(max(at_min, trip.back) * 60))
                continue
            # the trip under way: keep its done stops, find the truck on its next leg
            k = len(stops)
            leg = trip.legs[k]
            prev_depart = stops[-1].depart if stops else trip.depart
            if k and at_min < stops[-1].depart:
                prev_depart = stops[-1].depart  # still handing over: leaves at its end
            reached, km, mins, waited = _walk(
                problem, leg.nodes, prev_depart, max(at_min, prev_depart), truck.speed_factor
            )
            road = leg.nodes[: reached + 1]
            node = problem.net.node_index(road[-1])
            onboard = trip.loaded - sum(s.cylinders for s in stops)
            current = trip.model_copy(update={"stops": stops, "legs": trip.legs[:k]})
            kept.append(current)
            fx = FixedPart(
                trips=kept,
                on_road=True,
                road_nodes=road,
                road_km=km,
                road_min=mins,
                road_delay_min=waited,
            )
            t_start = max(at_min, prev_depart + mins + waited)
            start = TruckStart(
                loc=-1, time_s=int(np.ceil(t_start * 60)), onboard=onboard, worked_s=worked
            )
            states[truck.truck_id] = _TruckState(fx, start, node)
            break
        if truck.truck_id not in states:
            fx.trips = kept
            states[truck.truck_id] = _TruckState(fx, start)
    return states


def _pinned(plan: Plan, scenario: Scenario) -> list[Commission] | None:
    """The commissions riding in ``plan``, each pinned to its truck (None: none rides)."""
    pinned = [
        Commission(id=t.commission_id, members=list(t.members), truck=t.truck_id)
        for t in plan.trucks
        if t.commission_id and t.members
    ]
    return pinned or scenario.guards.commissions


def shift_minute(scenario: Scenario, at: str) -> int:
    """``--at`` (HH:MM) as minutes after midnight, inside the scenario's shift."""
    try:
        at_min = parse_hhmm(at)
    except ValueError as exc:
        raise InputError("--at", str(exc)) from None
    if not scenario.shift.start_min <= at_min < scenario.shift.end_min:
        raise InputError(
            "--at",
            _("expected a time inside the shift {start}-{end}, got {value}").format(
                start=scenario.shift.start, end=scenario.shift.end, value=at
            ),
        )
    return at_min


def replan(
    plan: Plan,
    scenario: Scenario,
    at: str,
    *,
    progress: dict[tuple[str, int, str], int] | None = None,
    add_blockades: list[Blockade] | None = None,
    lift: list[str] | None = None,
    time_limit_s: float | None = None,
    net=None,
    only_trucks: set[str] | None = None,
    warm: bool = False,
    move_cost_s: int = 0,
) -> tuple[Plan, Scenario]:
    """Re-plan the rest of a shift from ``at`` (``HH:MM``).

    Parameters
    ----------
    plan, scenario
        The plan being carried out and its scenario.
    at
        The time of the re-plan.
    progress
        Stops handed over so far (:func:`read_progress`); without it the plan's own times
        say what is done.
    add_blockades
        New blockades; without a window they stand from ``at`` to the end of the shift.
    lift
        Ids of blockades lifted at ``at``.
    only_trucks
        Re-optimise these trucks only; every other truck keeps all its trips as they are
        (the improve step of the minimal-disruption re-plan).
    warm
        Start the search from ``plan``'s own remaining routes.
    move_cost_s
        Cost (seconds of driving) of each drop handed to another truck than the one that
        serves it in ``plan``.

    Returns
    -------
    (new plan, new scenario)
        The new plan holds the fixed work unchanged plus the re-optimised rest; the new
        scenario is the old one with the blockades changed (what the validator checks).
    """
    at_min = shift_minute(scenario, at)
    window = TimeWindow(start=at, end=scenario.shift.end)
    known = {b.id for b in scenario.blockades}
    unknown = sorted(set(lift or []) - known)
    if unknown:
        raise InputError(
            "--lift",
            _("no blockade {id} in the scenario; expected one of {known}").format(
                id=repr(unknown[0]), known=", ".join(sorted(known)) or _("(none)")
            ),
        )
    blockades = []
    for b in scenario.blockades:
        if b.id in (lift or []):
            # it stood until now: keep it for the driven part of the shift only
            if b.window is None or b.window.start_min < at_min:
                start = b.window.start if b.window else scenario.shift.start
                blockades.append(b.model_copy(update={"window": TimeWindow(start=start, end=at)}))
        else:
            blockades.append(b)
    for b in add_blockades or []:
        if b.id in known:
            raise InputError(
                "--blockade",
                _("id {id} already used in the scenario").format(id=repr(b.id)),
            )
        blockades.append(b if b.window is not None else b.model_copy(update={"window": window}))
    # every commission stays on the truck it rides (the planner would choose afresh)
    guards = scenario.guards.model_copy(update={"commissions": _pinned(plan, scenario)})
    new_sc = scenario.model_copy(update={"blockades": blockades, "guards": guards})
    # the problem for the rest of the shift: blockades standing after `at` only
    later = [b for b in blockades if b.window is None or b.window.end_min > at_min]
    problem = build_problem(new_sc.model_copy(update={"blockades": later}), net=net)
    problem.scenario = new_sc

    states = truck_states(plan, problem, at_min, progress)
    got: dict[str, int] = defaultdict(int)
    loaded = 0
    for truck in plan.trucks:
        if only_trucks is not None and truck.truck_id not in only_trucks:
            # kept whole: its cylinders are spent (those brought back return to stock)
            states[truck.truck_id] = _TruckState(
                FixedPart(trips=list(truck.trips)), TruckStart(0, int(at_min * 60))
            )
            loaded -= sum(t.returned for t in truck.trips if t.stuck_at is None)
    for st in states.values():
        for t in st.fixed.trips:
            loaded += t.loaded
            for s in t.stops:
                got[s.point_id] += s.cylinders
    # what is left of each point's ration, and truck positions as extra table locations
    problem.routable = [replace(p, ration=max(0, p.ration - got[p.id])) for p in problem.routable]
    road = [(tid, st) for tid, st in states.items() if st.start.loc == -1]
    nodes = [problem.plant_node] + [p.node for p in problem.routable]
    for _tid, st in road:
        assert st.node is not None  # set for every truck out on the road
        nodes.append(st.node)
    problem.tables = problem.net.route_tables(
        nodes, edge_mask=problem.edge_mask, edge_delay_s=problem.edge_delay_s
    )
    base = 1 + len(problem.routable)
    for k, (tid, st) in enumerate(road):
        st.start = replace(st.start, loc=base + k)
        st.fixed.start_loc = base + k
        if not np.isfinite(problem.tables.time_s[base + k, 0]):
            raise InputError(
                "--blockade",
                _("a new blockade traps truck {truck} away from the plant").format(truck=tid),
            )
    trucks = [
        t
        for t in problem.trucks
        if t.commission is not None and (only_trucks is None or t.id in only_trucks)
    ]
    drops, cands = make_drops(problem)
    cands = [d for d in cands if d.cylinders > 0]
    drops = [d for d in drops if d.cylinders > 0]
    warm_routes, home = (
        _warm_routes(plan, problem, trucks, states, cands, at_min) if warm else (None, None)
    )
    # Cylinders on board were loaded already (not taken from the plant again); what a truck
    # brings back goes back into the plant's stock, so both can still be handed over.
    onboard = sum(st.start.onboard for st in states.values())
    stock_left = max(0, scenario.plant.stock - loaded) + onboard
    limit = time_limit_s if time_limit_s is not None else min(3.0, scenario.solver.time_limit_s)
    starts = [states[t.id].start if t.id in states else TruckStart(0, at_min * 60) for t in trucks]
    if cands or any(s.loc != 0 for s in starts):
        routes, stats = _route(
            problem,
            trucks,
            drops,
            cands,
            None,
            limit,
            False,
            starts=starts,
            stock=stock_left,
            warm=warm_routes,
            home=home,
            move_cost_s=move_cost_s,
        )
    else:
        routes, stats = [], SolveStats("nothing left to route", 0.0, 0, False, 0, 0, 0)
    # problem.points still carry the full rations: the report counts done + new work
    new = build_plan(
        problem,
        routes=routes,
        drops=drops,
        stats=stats,
        fixed={tid: st.fixed for tid, st in states.items()},
    )
    new.notes.append(
        _("re-planned at {time} from plan {plan_id}").format(
            time=format_hhmm(at_min), plan_id=plan.plan_id()
        )
    )
    return new, new_sc


def _warm_routes(
    plan: Plan,
    problem: Problem,
    trucks: list,
    states: dict[str, _TruckState],
    cands: list,
    at_min: float,
) -> tuple[list, list[int]]:
    """``plan``'s remaining routes as a solver warm start, and each drop's home truck.

    Each remaining stop takes the unused drops of its point until they cover its cylinders
    (a start that breaks a rule is refused by the model, which then starts from its own).
    """
    loc_of = {p.id: k + 1 for k, p in enumerate(problem.routable)}
    free: dict[int, list[int]] = defaultdict(list)
    for k, d in enumerate(cands):
        free[d.loc].append(k)
    home = [-1] * len(cands)
    routes = []
    by_id = {t.truck_id: t for t in plan.trucks}
    for v, info in enumerate(trucks):
        truck = by_id.get(info.id)
        st = states.get(info.id)
        if truck is None or st is None:
            continue
        done = {(t.trip_no, s.point_id) for t in st.fixed.trips for s in t.stops}
        seq: list = []
        for trip in truck.trips:
            if trip.back <= at_min:
                continue
            if trip.depart > at_min and (seq or not st.fixed.on_road):
                seq.append(("reload", None))
            for s in trip.stops:
                loc = loc_of.get(s.point_id)
                if (trip.trip_no, s.point_id) in done or loc is None:
                    continue
                need = s.cylinders
                while need > 0 and free[loc]:
                    k = free[loc].pop(0)
                    seq.append(("drop", cands[k]))
                    home[k] = v
                    need -= cands[k].cylinders
        if seq and seq[0][0] == "reload":
            seq = seq[1:]  # the route starts at the plant: the first trip needs no reload
        routes.append((info, st.start.time_s, seq))
    return routes, home
