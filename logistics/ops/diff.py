"""What changed between two plans (say, before and after a new blockade).

:func:`diff_plans` is a pure function of two :class:`~logistics.plan.Plan` objects: totals
side by side, cylinders per district, unserved points by reason, stops that appeared,
disappeared, moved to another truck or changed size, per-truck trips and km, and the road
segments driven by one plan only (to draw them on a map).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from logistics.i18n import N_, _, fmt_int, fmt_num

if TYPE_CHECKING:  # pragma: no cover
    from logistics.plan import Plan

StopChangeKind = Literal["appeared", "disappeared", "moved", "cylinders"]

#: Each kind of stop change in words (the codes stay in data and tests).
CHANGE_NAMES: dict[str, str] = {
    "appeared": N_("newly served"),
    "disappeared": N_("no longer served"),
    "moved": N_("moved to another truck"),
    "cylinders": N_("other amount"),
}


def change_name(kind: str) -> str:
    """A stop change kind in words, in the current language."""
    return _(CHANGE_NAMES[kind]) if kind in CHANGE_NAMES else kind


@dataclass(frozen=True)
class StopChange:
    """One distribution point served differently in the two plans."""

    point_id: str
    name: str
    group: str
    change: StopChangeKind
    trucks_a: tuple[str, ...]
    trucks_b: tuple[str, ...]
    cylinders_a: int
    cylinders_b: int


@dataclass(frozen=True)
class GroupChange:
    """Cylinders delivered to one district / macrodistrict in each plan."""

    group: str
    ration_a: int
    ration_b: int
    delivered_a: int
    delivered_b: int

    @property
    def delta(self) -> int:
        return self.delivered_b - self.delivered_a


@dataclass(frozen=True)
class TruckChange:
    """A truck's work in each plan (only trucks that drive in at least one)."""

    truck_id: str
    trips_a: int
    trips_b: int
    stops_a: int
    stops_b: int
    cylinders_a: int
    cylinders_b: int
    km_a: float
    km_b: float


@dataclass(frozen=True)
class PlanDiff:
    """Two plans side by side. ``a`` is the earlier ("before") plan by convention."""

    id_a: str
    id_b: str
    delivered_a: int
    delivered_b: int
    demand_a: int
    demand_b: int
    km_a: float
    km_b: float
    trips_a: int
    trips_b: int
    trucks_a: int
    trucks_b: int
    groups: list[GroupChange]
    #: unserved reason -> (points in a, points in b)
    reasons: dict[str, tuple[int, int]]
    #: only the points whose service changed
    stops: list[StopChange]
    trucks: list[TruckChange]
    #: directed OSM node pairs driven in one plan and not in the other
    roads_only_a: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    roads_only_b: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def identical(self) -> bool:
        """Same stops, same trucks, same roads (plan ids may still differ by timings)."""
        return not self.stops and not self.roads_only_a and not self.roads_only_b

    def counts(self) -> dict[str, int]:
        """How many stops changed, by kind (``appeared``, ``disappeared`` ...)."""
        c = Counter(s.change for s in self.stops)
        return {k: c.get(k, 0) for k in ("appeared", "disappeared", "moved", "cylinders")}

    def summary_rows(self) -> list[dict[str, object]]:
        """Headline numbers as table rows: what, plan A, plan B, change.

        The keys stay ``""``, ``plan A``, ``plan B``, ``change``; the words and numbers are
        in the current language.
        """

        def row(what: str, a: float, b: float, decimals: int = 0) -> dict[str, object]:
            d = b - a

            def num(x: float) -> str:
                return fmt_num(x, decimals) if decimals else fmt_int(x)

            return {
                "": what,
                "plan A": num(a),
                "plan B": num(b),
                "change": ("+" if d > 0 else "") + num(d) if d else "=",
            }

        unserved_a = sum(a for a, _b in self.reasons.values())
        unserved_b = sum(b for _a, b in self.reasons.values())
        return [
            row(_("cylinders delivered"), self.delivered_a, self.delivered_b),
            row(_("eligible ration"), self.demand_a, self.demand_b),
            row(_("km driven"), self.km_a, self.km_b, 1),
            row(_("trips"), self.trips_a, self.trips_b),
            row(_("trucks driving"), self.trucks_a, self.trucks_b),
            row(_("points not fully served"), unserved_a, unserved_b),
            {
                "": _("road segments driven only in this plan"),
                "plan A": fmt_int(len(self.roads_only_a)),
                "plan B": fmt_int(len(self.roads_only_b)),
                "change": "",
            },
        ]


def _served(plan: Plan) -> tuple[dict[str, set[str]], dict[str, int], dict[str, tuple[str, str]]]:
    trucks: dict[str, set[str]] = defaultdict(set)
    cyl: dict[str, int] = defaultdict(int)
    names: dict[str, tuple[str, str]] = {}
    for truck, trip in plan.trips():
        for s in trip.stops:
            trucks[s.point_id].add(truck.truck_id)
            cyl[s.point_id] += s.cylinders
            names[s.point_id] = (s.name, s.group)
    return trucks, cyl, names


def _roads(plan: Plan) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for _truck, trip in plan.trips():
        for leg in trip.legs:
            out.update(zip(leg.nodes[:-1], leg.nodes[1:], strict=True))
    return out


def diff_plans(a: Plan, b: Plan) -> PlanDiff:
    """Compare plan ``a`` (before) with plan ``b`` (after).

    Parameters
    ----------
    a, b
        Any two plans; they need not come from the same scenario (a blockade added, stock
        changed ...). Points and groups missing from one plan count as zero there.

    Returns
    -------
    PlanDiff
        Totals, per-group deliveries, unserved reasons, changed stops (sorted by kind, then
        group and point id), per-truck work and roads driven in one plan only.
    """
    trucks_a, cyl_a, names_a = _served(a)
    trucks_b, cyl_b, names_b = _served(b)
    stops: list[StopChange] = []
    for pid in sorted(set(cyl_a) | set(cyl_b)):
        ta, tb = tuple(sorted(trucks_a.get(pid, ()))), tuple(sorted(trucks_b.get(pid, ())))
        ca, cb = cyl_a.get(pid, 0), cyl_b.get(pid, 0)
        if not ta:
            kind: StopChangeKind | None = "appeared"
        elif not tb:
            kind = "disappeared"
        elif ta != tb:
            kind = "moved"
        elif ca != cb:
            kind = "cylinders"
        else:
            kind = None
        if kind is None:
            continue
        name, group = names_a.get(pid) or names_b[pid]
        stops.append(StopChange(pid, name, group, kind, ta, tb, ca, cb))
    order = {"disappeared": 0, "appeared": 1, "moved": 2, "cylinders": 3}
    stops.sort(key=lambda s: (order[s.change], s.group, s.point_id))

    ga = {g.group: g for g in a.groups}
    gb = {g.group: g for g in b.groups}
    groups = [
        GroupChange(
            group=name,
            ration_a=ga[name].ration if name in ga else 0,
            ration_b=gb[name].ration if name in gb else 0,
            delivered_a=ga[name].delivered if name in ga else 0,
            delivered_b=gb[name].delivered if name in gb else 0,
        )
        for name in sorted(set(ga) | set(gb))
    ]

    ra = Counter(u.reason for u in a.unserved)
    rb = Counter(u.reason for u in b.unserved)
    reasons = {r: (ra.get(r, 0), rb.get(r, 0)) for r in sorted(set(ra) | set(rb))}

    ta_by = {t.truck_id: t for t in a.trucks}
    tb_by = {t.truck_id: t for t in b.trucks}
    truck_rows = []
    for tid in sorted(set(ta_by) | set(tb_by)):
        x, y = ta_by.get(tid), tb_by.get(tid)
        row = TruckChange(
            truck_id=tid,
            trips_a=len(x.trips) if x else 0,
            trips_b=len(y.trips) if y else 0,
            stops_a=sum(len(t.stops) for t in x.trips) if x else 0,
            stops_b=sum(len(t.stops) for t in y.trips) if y else 0,
            cylinders_a=x.delivered if x else 0,
            cylinders_b=y.delivered if y else 0,
            km_a=round(x.km, 3) if x else 0.0,
            km_b=round(y.km, 3) if y else 0.0,
        )
        if row.trips_a or row.trips_b:
            truck_rows.append(row)

    roads_a, roads_b = _roads(a), _roads(b)
    return PlanDiff(
        id_a=a.plan_id(),
        id_b=b.plan_id(),
        delivered_a=a.delivered,
        delivered_b=b.delivered,
        demand_a=a.demand,
        demand_b=b.demand,
        km_a=a.km,
        km_b=b.km,
        trips_a=len(a.trips()),
        trips_b=len(b.trips()),
        trucks_a=len(a.trucks_used),
        trucks_b=len(b.trucks_used),
        groups=groups,
        reasons=reasons,
        stops=stops,
        trucks=truck_rows,
        roads_only_a=frozenset(roads_a - roads_b),
        roads_only_b=frozenset(roads_b - roads_a),
    )
