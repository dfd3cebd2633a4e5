"""Guard commissions: formed from the roster and paired with trucks for the whole shift.

A commission rides only with at least one plant worker and one junta delegate (the
Assembly's rule); under ``delegate_scope: own-district`` it may serve only its delegates'
districts / zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from logistics.demand import DeliveryPoint, load_areas, resolve_delegate_district
from logistics.model import InputError, Scenario


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


def _form_commissions(
    scenario: Scenario, data: Path | None = None
) -> tuple[list[CommissionInfo], list[str]]:
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
    groups: list[tuple[str, list[str]]] = []
    if g.commissions is not None:
        seen: dict[str, str] = {}
        for i, c in enumerate(g.commissions):
            for m in c.members:
                if m not in role:
                    raise InputError(
                        f"guards.commissions[{i}].members",
                        f"{m!r} is not in guards.roster; expected roster person ids",
                    )
                if m in seen:
                    raise InputError(
                        f"guards.commissions[{i}].members",
                        f"{m!r} already rides with commission {seen[m]!r}; a person guards "
                        "one truck per shift",
                    )
                seen[m] = c.id
            groups.append((c.id, list(c.members)))
    else:
        workers = [p for p, r in role.items() if r == "plant-worker"]
        by_district: dict[str, list[str]] = {}
        for p, r in role.items():
            if r == "junta-delegate":
                by_district.setdefault(district[p], []).append(p)
        # Interleave districts so the first commissions cover as many districts as possible.
        delegates: list[str] = []
        queues = list(by_district.values())
        while any(queues):
            for q in queues:
                if q:
                    delegates.append(q.pop(0))
        for k, (w, d) in enumerate(zip(workers, delegates, strict=False)):
            groups.append((f"C{k + 1:02d}", [w, d]))
    commissions = []
    used: set[str] = set()
    for cid, members in groups:
        pw = [m for m in members if role[m] == "plant-worker"]
        jd = [m for m in members if role[m] == "junta-delegate"]
        used.update(members)
        dist = None if g.delegate_scope == "any" else {district[m] for m in jd}
        commissions.append(CommissionInfo(cid, members, pw, jd, dist))
    valid = [c for c in commissions if c.plant_workers and c.delegates]
    if not valid:
        where = "guards.commissions" if g.commissions is not None else "guards.roster"
        raise InputError(
            where,
            "no commission can be formed; expected at least one plant worker and one junta "
            "delegate per truck (the Assembly's rule)",
        )
    unused = sorted(set(role) - used)
    return commissions, unused


def assign_commissions(scenario: Scenario, commissions: list[CommissionInfo]) -> list[TruckInfo]:
    """Pair commissions with trucks for the whole shift, largest trucks first.

    Commissions lacking a plant worker or a junta delegate are not allowed to ride; trucks
    left without a commission stay at the plant.
    """
    valid = [c for c in commissions if c.plant_workers and c.delegates]
    trucks = []
    for g in scenario.fleet:
        for tid in g.truck_ids():
            trucks.append(TruckInfo(tid, g.capacity, g.speed_factor, None))
    order = sorted(range(len(trucks)), key=lambda k: (-trucks[k].capacity, k))
    for k, c in zip(order, valid, strict=False):
        trucks[k].commission = c
    return trucks
