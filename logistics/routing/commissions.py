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
from logistics.routing.pairing import Need, Times, TruckClass, UnitType, choose_pairing


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


def _subsets(keys: list[str], most: int) -> list[frozenset[str]]:
    """Every set of 1..``most`` distinct keys, smallest first, in key order."""
    out: list[frozenset[str]] = [frozenset([k]) for k in keys]
    frontier: list[tuple[int, ...]] = [(k,) for k in range(len(keys))]
    for _size in range(2, most + 1):
        frontier = [(*s, j) for s in frontier for j in range(s[-1] + 1, len(keys))]
        out += [frozenset(keys[j] for j in s) for s in frontier]
    return out


@dataclass
class _Units:
    """What the assignment model may put on trucks."""

    #: listed commissions not pinned to a truck (empty when the planner forms them)
    free: list[CommissionInfo]
    #: the districts of each type (None: any point)
    type_keys: list[frozenset[str] | None]
    types: list[UnitType]
    key_limits: dict[str, int] | None
    max_units: int | None


def _units(scenario: Scenario, roster: Roster, trucks: list[TruckInfo]) -> _Units:
    """Commission types: listed commissions by their districts, or the districts of the
    delegates a formed commission may carry (1 .. max_commission_size - 1 of them)."""
    g = scenario.guards
    if roster.listed is not None:
        valid = [c for c in roster.listed if c.plant_workers and c.delegates]
        by_id = {t.id: t for t in trucks}
        for c in valid:
            if c.id in roster.pinned:
                by_id[roster.pinned[c.id]].commission = c
        free = [c for c in valid if c.id not in roster.pinned]
        type_keys: list[frozenset[str] | None] = []
        for c in free:
            if _key(c) not in type_keys:
                type_keys.append(_key(c))
        counts = [sum(1 for c in free if _key(c) == k) for k in type_keys]
        types = [UnitType(k, n) for k, n in zip(type_keys, counts, strict=True)]
        return _Units(free, type_keys, types, None, None)
    keys = sorted(set(roster.district.values()))
    n_del = sum(1 for r in roster.role.values() if r == "junta-delegate")
    if g.delegate_scope == "any":
        return _Units([], [None], [UnitType(None, n_del)], {"*": n_del}, len(roster.workers))
    type_keys = list(_subsets(keys, g.max_commission_size - 1))
    limits = {k: sum(1 for d in roster.district.values() if d == k) for k in keys}
    types = [UnitType(k, n_del) for k in type_keys]
    return _Units([], type_keys, types, limits, len(roster.workers))


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
    units = _units(scenario, roster, trucks)
    classes, members = _classes(trucks)
    types = list(units.types)
    # pinned commissions are fixed units of one-truck classes: the model counts their work
    for t in trucks:
        if t.commission is not None:
            classes.append(TruckClass(t.capacity, t.speed_factor, 1))
            members.append([])
            types.append(UnitType(_key(t.commission), 1, fixed_class=len(classes) - 1))
    plant, d = scenario.plant, scenario.demand
    chosen = choose_pairing(
        classes,
        types,
        needs,
        key_limits=units.key_limits,
        max_units=units.max_units,
        stock=plant.stock,
        times=Times(
            work_s, plant.loading_minutes * 60, d.stop_minutes * 60, d.seconds_per_cylinder
        ),
        fair=scenario.allocation != "max-delivered",
        seed=scenario.solver.seed,
    )
    quota = {k: n for k, n in chosen.items() if types[k[0]].fixed_class is None}
    if roster.listed is None:
        return trucks, _form(scenario, roster, members, units.type_keys, quota)
    taken: set[str] = set()
    for ci, trucks_c in enumerate(members):
        queue = list(trucks_c)
        for c in units.free:
            ti = units.type_keys.index(_key(c))
            if queue and c.id not in taken and quota.get((ti, ci), 0) > 0:
                quota[(ti, ci)] -= 1
                taken.add(c.id)
                queue.pop(0).commission = c
    return trucks, list(roster.listed)


def _key(c: CommissionInfo) -> frozenset[str] | None:
    return None if c.districts is None else frozenset(c.districts)


def _form(
    scenario: Scenario,
    roster: Roster,
    members: list[list[TruckInfo]],
    type_keys: list[frozenset[str] | None],
    quota: dict[tuple[int, int], int],
) -> list[CommissionInfo]:
    """Form the chosen commissions from the roster and put them on their trucks.

    Trucks are filled class by class (largest first); delegates are taken with their
    districts in turn and plant workers in roster order, so that when every commission
    rides the commissions are the ones of the old fixed pairing.
    """
    delegates = roster.delegates_interleaved()
    used: set[str] = set()
    formed: list[CommissionInfo] = []
    any_scope = scenario.guards.delegate_scope == "any"
    for ci, trucks_c in enumerate(members):
        queue = list(trucks_c)
        # one-district commissions, in the interleaved order of their delegates
        for p in delegates:
            if not queue or p in used:
                continue
            ti = type_keys.index(None if any_scope else frozenset([roster.district[p]]))
            if quota.get((ti, ci), 0) > 0:
                quota[(ti, ci)] -= 1
                used.add(p)
                formed.append(_ride(scenario, roster, queue.pop(0), [p], used=used, formed=formed))
        # commissions with delegates of several districts
        for ti, keys in enumerate(type_keys):
            if keys is None or len(keys) < 2:
                continue
            while queue and quota.get((ti, ci), 0) > 0:
                quota[(ti, ci)] -= 1
                picked = []
                for k in sorted(keys):
                    p = next(x for x in delegates if x not in used and roster.district[x] == k)
                    used.add(p)
                    picked.append(p)
                formed.append(
                    _ride(scenario, roster, queue.pop(0), picked, used=used, formed=formed)
                )
    return formed


def _ride(
    scenario: Scenario,
    roster: Roster,
    truck: TruckInfo,
    delegates: list[str],
    *,
    used: set[str],
    formed: list[CommissionInfo],
) -> CommissionInfo:
    """Put the next free plant worker and ``delegates`` on ``truck``."""
    w = next(x for x in roster.workers if x not in used)
    used.add(w)
    c = _info(scenario, roster, f"C{len(formed) + 1:02d}", [w, *delegates])
    truck.commission = c
    return c
