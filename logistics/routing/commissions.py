"""Guard commissions: who rides which truck, for the whole shift.

A commission rides only with at least one plant worker and one junta delegate (the
Assembly's rule); under ``delegate_scope: own-district`` it may serve only its delegates'
districts / zones. Explicit ``guards.commissions`` are kept as listed; otherwise the
planner forms commissions from the roster (a plant worker and up to
``max_commission_size - 1`` delegates). Either way *which* commissions ride and on *which*
truck is chosen by the assignment model of :mod:`logistics.routing.pairing`, from the
demand the trucks can reach: priority sites first, then the fair policy, then the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from logistics.demand import DeliveryPoint, load_areas, resolve_delegate_district
from logistics.i18n import _
from logistics.model import InputError, Scenario
from logistics.routing.pairing import (
    Need,
    Times,
    TruckClass,
    UnitType,
    choose_pairing,
    choose_seats,
)


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
class Roster:
    """The guard roster read from a scenario: roles, delegate districts, listed commissions."""

    #: person id -> "plant-worker" / "junta-delegate", in roster order
    role: dict[str, str]
    #: junta delegate -> normalised district / zone key of their junta
    district: dict[str, str]
    #: explicit commissions (as listed), or None when the planner forms them
    listed: list[CommissionInfo] | None
    #: listed commission id -> the truck it is pinned to
    pinned: dict[str, str]

    @property
    def workers(self) -> list[str]:
        return [p for p, r in self.role.items() if r == "plant-worker"]

    def delegates_interleaved(self) -> list[str]:
        """Delegates with their districts taken in turn (the first of each, then the
        second ...), so that ties in the assignment spread over districts."""
        by_district: dict[str, list[str]] = {}
        for p, r in self.role.items():
            if r == "junta-delegate":
                by_district.setdefault(self.district[p], []).append(p)
        out: list[str] = []
        queues = [list(q) for q in by_district.values()]
        while any(queues):
            for q in queues:
                if q:
                    out.append(q.pop(0))
        return out


def _info(scenario: Scenario, roster: Roster, cid: str, members: list[str]) -> CommissionInfo:
    pw = [m for m in members if roster.role[m] == "plant-worker"]
    jd = [m for m in members if roster.role[m] == "junta-delegate"]
    dist = None if scenario.guards.delegate_scope == "any" else {roster.district[m] for m in jd}
    return CommissionInfo(cid, list(members), pw, jd, dist)


def read_roster(scenario: Scenario, data: Path | None = None) -> Roster:
    """Read the roster and the listed commissions; reject what cannot be formed.

    Raises
    ------
    InputError
        A listed member not in the roster or in two commissions, a pinned truck not in the
        fleet or pinned twice, or no commission with a plant worker and a junta delegate.
    """
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
    roster = Roster(role, district, None, {})
    if g.commissions is not None:
        seen: dict[str, str] = {}
        trucks = set(scenario.truck_ids())
        pinned_by: dict[str, str] = {}
        listed = []
        for i, c in enumerate(g.commissions):
            for m in c.members:
                if m not in role:
                    raise InputError(
                        f"guards.commissions[{i}].members",
                        _("{person!r} is not in guards.roster; expected roster person ids").format(
                            person=m
                        ),
                    )
                if m in seen:
                    raise InputError(
                        f"guards.commissions[{i}].members",
                        _(
                            "{person!r} already rides with commission {other!r}; a person "
                            "guards one truck per shift"
                        ).format(person=m, other=seen[m]),
                    )
                seen[m] = c.id
            if c.truck is not None:
                if c.truck not in trucks:
                    raise InputError(
                        f"guards.commissions[{i}].truck",
                        _(
                            "{truck!r} is not a truck of the fleet; expected a fleet truck id"
                        ).format(truck=c.truck),
                    )
                if c.truck in pinned_by:
                    raise InputError(
                        f"guards.commissions[{i}].truck",
                        _(
                            "truck {truck!r} already carries commission {other!r}; expected "
                            "one commission per truck"
                        ).format(truck=c.truck, other=pinned_by[c.truck]),
                    )
                pinned_by[c.truck] = c.id
                roster.pinned[c.id] = c.truck
            listed.append(_info(scenario, roster, c.id, list(c.members)))
        roster.listed = listed
        can_ride = any(c.plant_workers and c.delegates for c in listed)
    else:
        can_ride = bool(roster.workers) and any(r == "junta-delegate" for r in role.values())
    if not can_ride:
        where = "guards.commissions" if g.commissions is not None else "guards.roster"
        raise InputError(
            where,
            _(
                "no commission can be formed; expected at least one plant worker and one junta "
                "delegate per truck (the Assembly's rule)"
            ),
        )
    return roster


def _classes(trucks: list[TruckInfo]) -> tuple[list[TruckClass], list[list[TruckInfo]]]:
    """Trucks without a commission yet, by class (same capacity and speed), largest first."""
    classes: list[TruckClass] = []
    members: list[list[TruckInfo]] = []
    open_trucks = [t for t in trucks if t.commission is None]
    for t in sorted(open_trucks, key=lambda t: -t.capacity):
        for ci, cl in enumerate(classes):
            if (cl.capacity, cl.speed_factor) == (t.capacity, t.speed_factor):
                members[ci].append(t)
                classes[ci] = TruckClass(cl.capacity, cl.speed_factor, cl.count + 1)
                break
        else:
            classes.append(TruckClass(t.capacity, t.speed_factor, 1))
            members.append([t])
    return classes, members


def assign_commissions(
    scenario: Scenario, roster: Roster, needs: list[Need], *, work_s: float
) -> tuple[list[TruckInfo], list[CommissionInfo]]:
    """Choose which commissions ride which truck (the assignment model), and form them.

    Parameters
    ----------
    scenario
        The scenario (fleet, guards rules, stock, allocation policy).
    roster
        From :func:`read_roster`.
    needs
        The demand trucks can reach, one entry per reachable eligible point.
    work_s
        The longest a truck may work in the shift (seconds).

    Returns
    -------
    (trucks, commissions)
        Every truck of the fleet (``commission`` None for those that stay at the plant),
        and the commissions: the listed ones (all of them) or the ones formed.
    """
    trucks = [
        TruckInfo(tid, g.capacity, g.speed_factor, None)
        for g in scenario.fleet
        for tid in g.truck_ids()
    ]
    plant, d = scenario.plant, scenario.demand
    times = Times(work_s, plant.loading_minutes * 60, d.stop_minutes * 60, d.seconds_per_cylinder)
    fair = scenario.allocation != "max-delivered"
    seed = scenario.solver.seed
    if roster.listed is not None:
        _place_listed(scenario, roster, trucks, needs, times)
        return trucks, list(roster.listed)
    classes, members = _classes(trucks)
    any_scope = scenario.guards.delegate_scope == "any"
    delegates: dict[str, int] = {}
    for p, r in roster.role.items():
        if r == "junta-delegate":
            k = "*" if any_scope else roster.district[p]
            delegates[k] = delegates.get(k, 0) + 1
    riding, carrying = choose_seats(
        classes,
        needs,
        delegates=delegates,
        workers=len(roster.workers),
        seats=scenario.guards.max_commission_size - 1,
        stock=plant.stock,
        times=times,
        fair=fair,
        seed=seed,
    )
    seats = scenario.guards.max_commission_size - 1
    formed = _form(roster, members, riding, carrying, any_scope=any_scope, seats=seats, sc=scenario)
    return trucks, formed


def _place_listed(
    scenario: Scenario,
    roster: Roster,
    trucks: list[TruckInfo],
    needs: list[Need],
    times: Times,
) -> None:
    """Put listed commissions on trucks: pinned ones where pinned, the others as chosen."""
    assert roster.listed is not None
    by_id = {t.id: t for t in trucks}
    valid = [c for c in roster.listed if c.plant_workers and c.delegates]
    for c in valid:
        if c.id in roster.pinned:
            by_id[roster.pinned[c.id]].commission = c
    free = [c for c in valid if c.id not in roster.pinned]
    type_keys: list[frozenset[str] | None] = []
    for c in free:
        if _key(c) not in type_keys:
            type_keys.append(_key(c))
    types = [UnitType(k, sum(1 for c in free if _key(c) == k)) for k in type_keys]
    classes, members = _classes(trucks)
    # pinned commissions are fixed units of one-truck classes: the model counts their work
    for t in trucks:
        if t.commission is not None:
            classes.append(TruckClass(t.capacity, t.speed_factor, 1))
            members.append([])
            types.append(UnitType(_key(t.commission), 1, fixed_class=len(classes) - 1))
    chosen = choose_pairing(
        classes,
        types,
        needs,
        stock=scenario.plant.stock,
        times=times,
        fair=scenario.allocation != "max-delivered",
        seed=scenario.solver.seed,
    )
    quota = {k: n for k, n in chosen.items() if types[k[0]].fixed_class is None}
    taken: set[str] = set()
    for ci, trucks_c in enumerate(members):
        queue = list(trucks_c)
        for c in free:
            ti = type_keys.index(_key(c))
            if queue and c.id not in taken and quota.get((ti, ci), 0) > 0:
                quota[(ti, ci)] -= 1
                taken.add(c.id)
                queue.pop(0).commission = c


def _key(c: CommissionInfo) -> frozenset[str] | None:
    return None if c.districts is None else frozenset(c.districts)


def _form(
    roster: Roster,
    members: list[list[TruckInfo]],
    riding: dict[int, int],
    carrying: dict[tuple[int, str], int],
    *,
    any_scope: bool,
    seats: int,
    sc: Scenario,
) -> list[CommissionInfo]:
    """Form the chosen commissions from the roster and put them on their trucks.

    Classes are filled largest first, one plant worker per truck in roster order. The
    first delegate of each truck is taken with the districts in turn (so that when every
    commission rides they are the ones of the old fixed pairing); further delegates fill
    the next seats, each district on distinct trucks (seat after seat, a district's
    delegates on consecutive trucks).
    """
    order = roster.delegates_interleaved()
    used: set[str] = set()
    seats_of: dict[str, list[str]] = {}  # truck -> its delegates
    for ci, trucks_c in enumerate(members):
        ride = trucks_c[: riding.get(ci, 0)]
        if not ride:
            continue
        left = {k: n for (cj, k), n in carrying.items() if cj == ci}
        for t in ride:
            seats_of[t.id] = []
        # seat 1: delegates in interleaved order, one truck each
        queue = list(ride)
        for p in order:
            k = "*" if any_scope else roster.district[p]
            if queue and p not in used and left.get(k, 0) > 0:
                left[k] -= 1
                used.add(p)
                seats_of[queue.pop(0).id].append(p)
        # further seats: the rest, district by district, on consecutive trucks
        slot = 0
        for k in sorted(left):
            for _copy in range(left[k]):
                seat = _next_seat(ride, slot, seats_of, roster, k, seats)
                if seat is None:  # (cannot happen within the model's bounds)
                    break
                slot = ride.index(seat) + 1
                p = next(q for q in order if q not in used and roster.district[q] == k)
                used.add(p)
                seats_of[seat.id].append(p)
    formed: list[CommissionInfo] = []
    workers = iter(roster.workers)
    for t in (t for trucks_c in members for t in trucks_c):
        if seats_of.get(t.id):
            c = _info(sc, roster, f"C{len(formed) + 1:02d}", [next(workers), *seats_of[t.id]])
            t.commission = c
            formed.append(c)
    return formed


def _next_seat(
    ride: list[TruckInfo],
    start: int,
    seats_of: dict[str, list[str]],
    roster: Roster,
    key: str,
    seats: int,
) -> TruckInfo | None:
    """The next truck from ``start`` (cyclically) with a free seat and no ``key`` delegate."""
    for j in range(len(ride)):
        t = ride[(start + j) % len(ride)]
        mine = seats_of[t.id]
        if len(mine) < seats and all(roster.district[q] != key for q in mine):
            return t
    return None
