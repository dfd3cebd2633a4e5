"""Reconciliation of the delivery ledger: planned vs what the guards recorded.

Totals per truck, per district (reporting group) and per shift: cylinders loaded (for a
district: planned to its stops) vs delivered, returned, refused, and what is missing. Every
discrepancy is flagged as possible speculation:

``missing-cylinders``
    a trip's loaded cylinders minus delivered, returned and refused is not 0 (a planned
    stop not recorded counts as missing; a negative figure means more was accounted for
    than was loaded);
``stop-not-on-plan``
    a record at a point (or truck / trip) the dispatched plan does not have there;
``excluded-zone``
    cylinders delivered at a point outside the eligible neighbourhoods;
``over-ration``
    a point received more than its ration in one shift;
``repeated-delivery``
    a point received deliveries more often in one shift than the plans scheduled (at least
    twice), or one planned stop was recorded twice — unless corrected (``--void``);
``unsigned-delivery``
    cylinders delivered without the receiving junta's signature.

Records are the ``stop`` entries with their newest correction applied; voided ones are left
out. Ration caps and eligibility are those frozen into the dispatch entry.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logistics.ledger.store import Entry, Ledger
from logistics.model import InputError

FLAG_KINDS = (
    "missing-cylinders",
    "stop-not-on-plan",
    "excluded-zone",
    "over-ration",
    "repeated-delivery",
    "unsigned-delivery",
)


@dataclass(frozen=True)
class StopOutcome:
    """A stop as it stands after corrections (``entries``: the stop, then corrections)."""

    entries: tuple[int, ...]
    plan_id: str
    truck: str
    trip: int
    stop_no: int | None
    point_id: str
    delivered: int
    returned: int
    refused: int
    signed_by: str


@dataclass
class Totals:
    """Cylinders of one truck / district / shift."""

    section: str
    shift: str
    key: str
    loaded: int = 0
    delivered: int = 0
    returned: int = 0
    refused: int = 0

    @property
    def missing(self) -> int:
        return self.loaded - self.delivered - self.returned - self.refused


@dataclass(frozen=True)
class Flag:
    """One discrepancy, with the ledger entries behind it."""

    kind: str
    shift: str
    plan_id: str
    truck: str
    trip: int | None
    point_id: str
    entries: tuple[int, ...]
    detail: str


@dataclass
class Reconciliation:
    plans: list[str]
    totals: list[Totals] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def section(self, name: str) -> list[Totals]:
        return [t for t in self.totals if t.section == name]

    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.flags}, key=FLAG_KINDS.index)


def outcomes(entries: list[Entry]) -> list[StopOutcome]:
    """Every stop entry with its newest correction applied (voided stops left out)."""
    root: dict[int, int] = {}
    latest: dict[int, Entry] = {}
    chain: dict[int, list[int]] = defaultdict(list)
    for e in entries:  # ordered by id: a correction always follows what it corrects
        if e.kind == "stop":
            root[e.id] = e.id
        elif e.kind == "correction" and e.corrects in root:
            r = root[e.id] = root[e.corrects]
            latest[r] = e
            chain[r].append(e.id)
    out = []
    for e in entries:
        if e.kind != "stop":
            continue
        cur = latest.get(e.id, e)
        if cur is not e and cur.data().get("void"):
            continue
        out.append(
            StopOutcome(
                entries=(e.id, *chain[e.id]),
                plan_id=e.plan_id,
                truck=cur.truck or "",
                trip=int(cur.trip or 0),
                stop_no=cur.stop_no,
                point_id=cur.point_id or "",
                delivered=int(cur.delivered or 0),
                returned=int(cur.returned or 0),
                refused=int(cur.refused or 0),
                signed_by=(cur.signed_by or "").strip(),
            )
        )
    return out


def reconcile(ledger: Ledger, plan_id: str | None = None) -> Reconciliation:  # noqa: PLR0912, PLR0915 - one pass over the entries, flag by flag
    """Compare every dispatched plan (or one) with its recorded stops; flag discrepancies.

    Several plans dispatched for the same date and shift are reconciled together for the
    per-shift rules (rations, repeated deliveries).
    """
    entries = ledger.entries()
    plans = {e.plan_id: e.data() for e in entries if e.kind == "dispatch"}
    if plan_id is not None and plan_id not in plans:
        known = ", ".join(plans) or "none"
        raise InputError(
            "--plan-id", f"plan {plan_id!r} was never dispatched (dispatched: {known})"
        )
    scope = [plan_id] if plan_id else list(plans)
    shift_of = {p: f"{plans[p]['date'] or 'undated'} {plans[p]['shift']}" for p in scope}
    shift_plans: dict[str, str] = defaultdict(str)
    for p in scope:  # the shift rows are keyed by the plans dispatched in that shift
        shift_plans[shift_of[p]] += (" " if shift_plans[shift_of[p]] else "plans ") + p
    rec = Reconciliation(plans=scope)
    totals: dict[tuple[str, str, str], Totals] = {}
    flags: list[Flag] = []

    def tot(section: str, shift: str, key: str) -> Totals:
        k = (section, shift, key)
        if k not in totals:
            totals[k] = Totals(section, shift, key)
        return totals[k]

    def flag(kind: str, o: StopOutcome | None, detail: str, **kw: object) -> None:
        base: dict[str, Any] = {"truck": "", "trip": None, "point_id": "", "entries": ()}
        if o is not None:
            base = {"truck": o.truck, "trip": o.trip, "point_id": o.point_id, "entries": o.entries}
        base.update(kw)
        p = o.plan_id if o is not None else str(kw.get("plan_id"))
        base.pop("plan_id", None)
        flags.append(Flag(kind, shift_of[p], p, detail=detail, **base))

    records = [o for o in outcomes(entries) if o.plan_id in shift_of]
    planned_at: Counter[tuple[str, str]] = Counter()  # (shift, point) -> planned stops
    ration: dict[tuple[str, str], int] = {}
    for p in scope:
        sh, info = shift_of[p], plans[p]
        for pid, pt in info["points"].items():
            ration[(sh, pid)] = min(ration.get((sh, pid), pt["ration"]), pt["ration"])
        for t in info["trips"]:
            for section, key in (("truck", t["truck"]), ("shift", shift_plans[sh])):
                tot(section, sh, key).loaded += t["loaded"]
            for s in t["stops"]:
                planned_at[(sh, s["point_id"])] += 1
                group = info["points"].get(s["point_id"], {}).get("group", "unknown point")
                tot("district", sh, group).loaded += s["cylinders"]
    # per trip accounting
    by_trip: dict[tuple[str, str, int], list[StopOutcome]] = defaultdict(list)
    for o in records:
        by_trip[(o.plan_id, o.truck, o.trip)].append(o)
    for p in scope:
        sh, info = shift_of[p], plans[p]
        planned = {(t["truck"], t["trip"]): t for t in info["trips"]}
        for (tp, truck, trip), recs in sorted(by_trip.items(), key=str):
            if tp == p and (truck, trip) not in planned:
                got = sum(o.delivered + o.returned + o.refused for o in recs)
                ids = tuple(i for o in recs for i in o.entries)
                flag("missing-cylinders", None, f"{truck} trip {trip} is not on the plan but "
                     f"accounts for {got} cylinders", plan_id=p, truck=truck, trip=trip,
                     entries=ids)  # fmt: skip
        for (truck, trip), t in planned.items():
            recs = by_trip.get((p, truck, trip), [])
            got = sum(o.delivered + o.returned + o.refused for o in recs)
            if got != t["loaded"]:
                seen = {o.stop_no for o in recs} | {o.point_id for o in recs}
                unrec = [
                    f"{s['stop']} ({s['point_id']})"
                    for s in t["stops"]
                    if s["stop"] not in seen and s["point_id"] not in seen
                ]
                what = f"{t['loaded'] - got} missing" if got < t["loaded"] else (
                    f"{got - t['loaded']} more accounted for than loaded")  # fmt: skip
                detail = f"{truck} trip {trip}: loaded {t['loaded']}, accounted {got}: {what}"
                if unrec:
                    detail += f"; stops not recorded: {', '.join(unrec)}"
                ids = tuple(i for o in recs for i in o.entries)
                flag(
                    "missing-cylinders",
                    None,
                    detail,
                    plan_id=p,
                    truck=truck,
                    trip=trip,
                    entries=ids,
                )
    # per record rules
    received: Counter[tuple[str, str]] = Counter()
    deliveries: dict[tuple[str, str], list[StopOutcome]] = defaultdict(list)
    same_stop: dict[tuple, list[StopOutcome]] = defaultdict(list)
    for o in records:
        sh, info = shift_of[o.plan_id], plans[o.plan_id]
        point = info["points"].get(o.point_id)
        planned_trip = next(
            (t for t in info["trips"] if (t["truck"], t["trip"]) == (o.truck, o.trip)), None
        )
        stops = planned_trip["stops"] if planned_trip else []
        on_plan = [s for s in stops if s["point_id"] == o.point_id]
        group = point["group"] if point else "unknown point"
        for section, key in (("truck", o.truck), ("district", group), ("shift", shift_plans[sh])):
            t = tot(section, sh, key)
            t.delivered += o.delivered
            t.returned += o.returned
            t.refused += o.refused
        if not on_plan:
            where = "an unknown point" if point is None else f"{point['name']} ({group})"
            flag("stop-not-on-plan", o, f"{o.truck} trip {o.trip} recorded {o.delivered} "
                 f"delivered at {where}, not a stop of this trip")  # fmt: skip
        if point is not None and not point["eligible"] and o.delivered > 0:
            flag("excluded-zone", o, f"{o.delivered} delivered at {point['name']}, "
                 f"{point['excluded_by'] or 'not eligible'}")  # fmt: skip
        if o.delivered > 0 and not o.signed_by:
            flag("unsigned-delivery", o, f"{o.delivered} delivered at {o.point_id} without "
                 "the junta's signature")  # fmt: skip
        if o.delivered > 0:
            received[(sh, o.point_id)] += o.delivered
            deliveries[(sh, o.point_id)].append(o)
            same_stop[(o.plan_id, o.truck, o.trip, o.point_id, o.stop_no)].append(o)
    for (sh, pid), got in sorted(received.items()):
        cap = ration.get((sh, pid))
        if cap is not None and got > cap:
            os_ = deliveries[(sh, pid)]
            ids = tuple(i for o in os_ for i in o.entries)
            flag("over-ration", os_[0], f"{pid} received {got} in shift {sh}, ration {cap}",
                 truck="", trip=None, entries=ids)  # fmt: skip
    repeated: dict[tuple[str, str], str] = {}
    for (sh, pid), os_ in deliveries.items():
        if len(os_) >= 2 and len(os_) > planned_at[(sh, pid)]:
            repeated[(sh, pid)] = (
                f"{pid} received {len(os_)} deliveries in shift {sh}, "
                f"{planned_at[(sh, pid)]} planned"
            )
    for key, os_ in same_stop.items():
        if len(os_) >= 2:
            sh = shift_of[key[0]]
            repeated.setdefault((sh, key[3]), f"{key[1]} trip {key[2]} stop {key[4]} ({key[3]}) "
                                f"recorded {len(os_)} times")  # fmt: skip
    for (sh, pid), detail in repeated.items():
        os_ = deliveries[(sh, pid)]
        ids = tuple(i for o in os_ for i in o.entries)
        flag("repeated-delivery", os_[0], detail, truck="", trip=None, entries=ids)
    order = {"truck": 0, "district": 1, "shift": 2}
    rec.totals = sorted(totals.values(), key=lambda t: (order[t.section], t.shift, t.key))
    rec.flags = sorted(
        flags,
        key=lambda f: (
            FLAG_KINDS.index(f.kind),
            f.shift,
            f.plan_id,
            f.truck,
            f.trip or 0,
            f.point_id,
        ),
    )
    return rec


REPORT_COLUMNS = [
    "section", "shift", "key", "loaded", "delivered", "returned", "refused", "missing",
    "flag", "plan_id", "truck", "trip", "point_id", "entries", "detail",
]  # fmt: skip


def write_report(rec: Reconciliation, path: str | Path) -> Path:
    """One CSV: totals rows (section truck / district / shift), then one row per flag."""
    p = Path(path)
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=REPORT_COLUMNS)
        w.writeheader()
        for t in rec.totals:
            w.writerow(
                {"section": t.section, "shift": t.shift, "key": t.key, "loaded": t.loaded,
                 "delivered": t.delivered, "returned": t.returned, "refused": t.refused,
                 "missing": t.missing}
            )  # fmt: skip
        for f in rec.flags:
            w.writerow(
                {"section": "flag", "shift": f.shift, "flag": f.kind, "plan_id": f.plan_id,
                 "truck": f.truck, "trip": f.trip or "", "point_id": f.point_id,
                 "entries": " ".join(map(str, f.entries)), "detail": f.detail}
            )  # fmt: skip
    return p
