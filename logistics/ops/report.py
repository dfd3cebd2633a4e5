"""What a plan looks like to people: the CLI summary and the files in ``--out``.

``plan.json`` (the full plan, re-checkable), ``routes.geojson`` (one LineString per trip on
the road geometry, assumed links counted per trip) and ``summary.csv`` (cylinders delivered
vs ration per district / macrodistrict).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from logistics.i18n import N_, _, fmt_int, fmt_num, fmt_pct, ngettext
from logistics.model import format_hhmm
from logistics.paper import routes_geojson
from logistics.plan import AreaRow, Plan, area_of, area_reason_text, reason_text
from logistics.roads import RoadNetwork

#: The group of the priority sites in the summary (``summary.csv`` keeps this English key).
PRIORITY_GROUP = "priority sites"
_PRIORITY_GROUP_LABEL = N_("priority sites")

#: How the search started (``plan.solver.warm_start``), in words.
WARM_START_NAMES: dict[str, str] = {
    "greedy": N_("nearest stops first"),
    "pyvrp": N_("PyVRP routes"),
}

#: How a short stock is shared (``plan.allocation``), in words.
POLICY_NAMES: dict[str, str] = {
    "max-delivered": N_("as many cylinders as possible"),
    "proportional": N_("in proportion to each district's ration"),
    "max-min": N_("the least served districts first"),
}

_STATUS_NAMES: dict[str, str] = {
    "solved": N_("solved"),
    "no solution": N_("no solution"),
    "nothing left to route": N_("nothing left to route"),
}


def _whole(values: list[float], total: int) -> list[int]:
    """Whole cylinders adding up to ``total`` (largest remainders, ties by position)."""
    base = [int(v) for v in values]
    left = total - sum(base)
    order = sorted(range(len(values)), key=lambda k: (-(values[k] - base[k]), k))
    for k in order[: max(0, left)]:
        base[k] += 1
    return base


def _area_rows(plan: Plan) -> list[dict]:
    """Every area of the accounts: each district / macrodistrict, then its zones.

    ``delivered`` is in whole cylinders: districts add up to what the points received,
    zones to their macrodistrict (the plan keeps the shares exactly).
    """
    districts = plan.district_areas()
    points_got = round(sum(a.delivered for a in districts))
    whole = dict(zip(
        (a.group for a in districts), _whole([a.delivered for a in districts], points_got),
        strict=True,
    ))  # fmt: skip
    zones: dict[str, list[AreaRow]] = {}
    for a in plan.areas:
        if a.level == "zone":
            zones.setdefault(a.group, []).append(a)
    rows = []

    def row(a: AreaRow, got: int) -> dict:
        hh = a.households
        return {
            "level": a.level,
            "group": a.group,
            "zone": a.zone or "",
            "points": a.points,
            "eligible_points": a.eligible_points,
            "population": round(a.population),
            "households": round(hh),
            "eligible_households": round(a.eligible_households),
            "ration": a.ration,
            "delivered": got,
            "served_pct": round(100 * a.delivered / a.ration, 1) if a.ration else 0.0,
            "within_500m_pct": round(100 * a.share_500m, 1),
            "within_1km_pct": round(100 * a.share_1km, 1),
            "beyond_2km_households": round(a.beyond_2km),
            "reason": a.reason or "",
            "why": area_reason_text(a),
        }

    for d in districts:
        rows.append(row(d, whole[d.group]))
        zs = zones.get(d.group, [])
        for z, got in zip(zs, _whole([z.delivered for z in zs], whole[d.group]), strict=True):
            rows.append(row(z, got))
    return rows


def summary_rows(plan: Plan) -> list[dict]:
    """The summary table (``summary.csv``): one row per area, then the priority sites.

    With the accounts (``plan.areas``): every El Alto district and La Paz macrodistrict
    (``level`` ``district``), each followed by its zones (``zone``), with households,
    ration, delivered, served share, walking access (straight line) and the reason in
    code and words. A plan from before the accounts gives one row per reporting group.
    """
    rows = []
    if plan.areas:
        rows = _area_rows(plan)
    for g in [] if plan.areas else plan.groups:
        rows.append(
            {
                "group": g.group,
                "points": g.points,
                "eligible_points": g.eligible_points,
                "ration": g.ration,
                "delivered": g.delivered,
                "served_pct": round(100 * g.delivered / g.ration, 1) if g.ration else 0.0,
            }
        )
    # Priority sites stand outside the district shares; list them so the totals add up.
    got: dict[str, int] = {}
    for _truck, trip in plan.trips():
        for st in trip.stops:
            if st.priority:
                got[st.point_id] = got.get(st.point_id, 0) + st.cylinders
    lacking = {u.point_id: u.missing for u in plan.unserved if u.priority}
    ids = got.keys() | lacking.keys()
    if ids:
        delivered = sum(got.values())
        ration = delivered + sum(lacking.values())
        prio = {
            "group": PRIORITY_GROUP,
            "points": len(ids),
            "eligible_points": len(ids),
            "ration": ration,
            "delivered": delivered,
            "served_pct": round(100 * delivered / ration, 1) if ration else 0.0,
        }
        if plan.areas:
            prio = {k: prio.get(k, "") for k in rows[0]} | {"level": "priority"}
        rows.append(prio)
    return rows


def write_outputs(plan: Plan, net: RoadNetwork, out: Path) -> list[Path]:
    """Write plan.json, routes.geojson and summary.csv into ``out`` all or nothing.

    Files are written to a temporary directory beside ``out`` and moved in only when all
    are complete, so an error never leaves half a plan behind.
    """
    out.mkdir(parents=True, exist_ok=True)
    names = ["plan.json", "routes.geojson", "summary.csv"]
    with tempfile.TemporaryDirectory(dir=out, prefix=".writing-") as tmp:
        t = Path(tmp)
        (t / "plan.json").write_text(plan.model_dump_json(indent=1), encoding="utf-8")
        (t / "routes.geojson").write_text(json.dumps(routes_geojson(plan, net)), encoding="utf-8")
        buf = io.StringIO()
        rows = summary_rows(plan)
        w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["group"])
        w.writeheader()
        w.writerows(rows)
        (t / "summary.csv").write_text(buf.getvalue(), encoding="utf-8")
        for n in names:
            shutil.move(str(t / n), str(out / n))
    return [out / n for n in names]


def group_label(group: str) -> str:
    """A summary group as people read it (the priority sites' row is translated)."""
    return _(_PRIORITY_GROUP_LABEL) if group == PRIORITY_GROUP else group


def warm_start_name(code: str) -> str:
    """``greedy`` / ``pyvrp`` in words, in the current language."""
    return _(WARM_START_NAMES[code]) if code in WARM_START_NAMES else code


def policy_name(code: str) -> str:
    """An allocation policy in words, in the current language."""
    return _(POLICY_NAMES[code]) if code in POLICY_NAMES else code


def solver_line(plan: Plan) -> str:
    """One line on the search: status, time, limit, seed and the start it searched from."""
    s = plan.solver
    return _(
        "search: {status} in {seconds} s (limit {limit} s, seed {seed}, start: {start})"
    ).format(
        status=_(_STATUS_NAMES[s.status]) if s.status in _STATUS_NAMES else s.status,
        seconds=fmt_num(s.wall_s, 1),
        limit=fmt_num(s.time_limit_s, 0 if float(s.time_limit_s).is_integer() else 1),
        seed=s.seed,
        start=warm_start_name(s.warm_start),
    )


def details_line(plan: Plan) -> str:
    """The internal ids and solver figures, kept out of the headlines (plan.json has all)."""
    return _("details: {solver}; {drops} drops offered; map {map} ({sha})").format(
        solver=solver_line(plan),
        drops=fmt_int(plan.solver.candidates),
        map=plan.map_source.split("/")[-1],
        sha=plan.map_sha256[:12],
    )


def fairness_line(plan: Plan) -> str:
    """How a short stock was shared: the policy, the lowest share and the spread."""
    f = plan.fairness()
    per_household = ", ".join(
        f"{area_of(gr.group)} {fmt_num(gr.per_household, 2)}" for gr in plan.groups if gr.reachable
    )
    return _(
        "sharing ({policy}): the least served district got {lowest} of its ration, "
        "{spread} points below the best served; cylinders per household: {per_household}"
    ).format(
        policy=policy_name(f["policy"]),
        lowest=fmt_pct(f["min_share"]),
        spread=fmt_int(100 * f["spread"]),
        per_household=per_household or "-",
    )


def unserved_counts(plan: Plan) -> str:
    """``not enough cylinders 12, cut off by a blockade 3`` (sentences, in order of code)."""
    counts = Counter(x.reason for x in plan.unserved)
    return ", ".join(f"{reason_text(k)} {fmt_int(v)}" for k, v in sorted(counts.items()))


def _print_groups(plan: Plan, console: Console) -> None:
    """The district table of a plan from before the accounts (groups with points only)."""
    g = Table(title=_("Cylinders by district / macrodistrict"))
    for col, right in (
        (_("area"), False),
        (_("eligible points"), True),
        (_("ration"), True),
        (_("delivered"), True),
        (_("served"), True),
    ):
        g.add_column(col, justify="right" if right else "left")
    for r in summary_rows(plan):
        g.add_row(
            escape(group_label(r["group"])),
            f"{r['eligible_points']}/{r['points']}"
            + ("" if r["eligible_points"] else " " + _("EXCLUDED")),
            fmt_int(r["ration"]),
            fmt_int(r["delivered"]),
            fmt_pct(r["served_pct"] / 100),
        )
    console.print(g)


def municipality_line(plan: Plan) -> str:
    """``households: El Alto 246,063 (885,825 people), La Paz ...`` (the accounts' totals)."""
    tot: dict[str, list[float]] = {}
    for a in plan.district_areas():
        t = tot.setdefault(a.municipality, [0.0, 0.0, 0.0])
        t[0] += a.households
        t[1] += a.population
        t[2] += a.eligible_households
    parts = [
        _("{municipality} {households} households ({people} people, {eligible} eligible)").format(
            municipality=m,
            households=fmt_int(round(t[0])),
            people=fmt_int(round(t[1])),
            eligible=fmt_int(round(t[2])),
        )
        for m, t in tot.items()
    ]
    return _("every household counted (2024 census): {municipalities}").format(
        municipalities="; ".join(parts)
    )


def _print_areas(plan: Plan, console: Console) -> None:
    """Every El Alto district and La Paz macrodistrict, with walking access; then why each
    area left short got less (one line each, so the table fits 80 columns)."""
    g = Table(title=_("Cylinders by district / macrodistrict"))
    for col, width in (
        (_("area"), 0),
        (_("households"), 7),
        (_("ration"), 6),
        (_("delivered"), 6),
        (_("served"), 5),
        (_("on foot, 500 m / 1 km"), 9),
    ):
        if width:  # numbers never wrap; a long header does
            g.add_column(col, justify="right", min_width=width)
        else:
            g.add_column(col, no_wrap=True)
    why: list[tuple[str, str]] = []
    muni = None
    for r in summary_rows(plan):
        if r["level"] == "zone":
            continue
        prio = r["level"] == "priority"
        if not prio and r["group"].split(" / ")[0] != muni:
            muni = r["group"].split(" / ")[0]
            g.add_row(f"[bold]{escape(muni)}[/bold]", end_section=False)
        name = group_label(r["group"]) if prio else area_of(r["group"])
        g.add_row(
            escape(name),
            "" if prio else fmt_int(r["households"]),
            fmt_int(r["ration"]),
            fmt_int(r["delivered"]),
            fmt_pct(r["served_pct"] / 100),
            ""
            if prio
            else f"{fmt_pct(r['within_500m_pct'] / 100)} / {fmt_pct(r['within_1km_pct'] / 100)}",
        )
        if r["why"]:
            why.append((r["group"], r["why"]))
    console.print(g)
    console.print(municipality_line(plan), markup=False)
    console.print(
        _(
            "walking access: households within 500 m / 1 km of a point that received gas, "
            "in straight lines (the map has no footpaths)"
        ),
        markup=False,
    )
    if why:
        console.print(_("why areas got less than their ration:"), markup=False)
        for group, text in why:
            console.print(f"  {group}: {text}", markup=False)


def print_summary(plan: Plan, console: Console, *, valid: bool | None = None) -> None:
    """Rich tables: trucks and commissions, districts, unserved points with reasons."""
    used = plan.trucks_used
    trips = plan.trips()
    console.print(
        _("[bold]{scenario}[/bold]  plan {plan_id}  shift {start}-{end}").format(
            scenario=escape(plan.scenario),
            plan_id=plan.plan_id(),
            start=format_hhmm(plan.shift_start),
            end=format_hhmm(plan.shift_end),
        )
    )
    # one list of counts, each its own plural (not one sentence built from fragments)
    fleet = ngettext(
        "{n} truck with a guard commission", "{n} trucks with a guard commission", len(used)
    ).format(n=fmt_int(len(used)))
    n_trips = ngettext("{n} trip", "{n} trips", len(trips)).format(n=fmt_int(len(trips)))
    console.print(
        _(
            "delivered [bold]{delivered}[/bold] of {ration} cylinders of the eligible ration "
            "({stock} at the plant); {fleet}, {trips}, {km} km, {hours} h driving"
        ).format(
            delivered=fmt_int(plan.delivered),
            ration=fmt_int(plan.demand),
            stock=fmt_int(plan.plant.stock),
            fleet=fleet,
            trips=n_trips,
            km=fmt_num(plan.km, 1),
            hours=fmt_num(plan.driving_hours(), 1),
        )
    )
    t = Table(title=_("Trucks"), show_lines=False)
    for col, right in (
        (_("truck"), False),
        (_("guard commission"), False),
        (_("trips"), True),
        (_("stops"), True),
        (_("cylinders"), True),
        (_("km"), True),
        (_("hours"), True),
    ):
        t.add_column(col, justify="right" if right else "left")
    for tr in used:
        hours = (tr.trips[-1].back - tr.trips[0].load_start) / 60
        t.add_row(
            tr.truck_id,
            f"{tr.commission_id} ({', '.join(tr.members)})",
            fmt_int(len(tr.trips)),
            fmt_int(sum(len(x.stops) for x in tr.trips)),
            fmt_int(tr.delivered),
            fmt_num(tr.km, 1),
            fmt_num(hours, 1),
        )
    console.print(t)
    if plan.areas:
        _print_areas(plan, console)
    else:
        _print_groups(plan, console)
    console.print(fairness_line(plan), markup=False)
    f = plan.fairness()
    if f["cut_off"]:
        console.print(
            _("no truck can reach: {areas}").format(areas=", ".join(f["cut_off"])), markup=False
        )
    if plan.unserved:
        u = Table(title=_("Points not fully served"))
        for col, right in (
            (_("distribution point"), False),
            (_("area"), False),
            (_("missing"), True),
            (_("why"), False),
        ):
            u.add_column(col, justify="right" if right else "left")
        for x in sorted(plan.unserved, key=lambda x: (x.reason, x.group, x.point_id)):
            u.add_row(
                escape(x.name[:40]),
                escape(x.group),
                fmt_int(x.missing),
                escape(reason_text(x.reason, x.group)),
            )
        console.print(u)
        console.print(
            _("not fully served, by reason: {counts}").format(counts=unserved_counts(plan)),
            markup=False,
        )
    for n in plan.notes:
        console.print(_("[yellow]note:[/yellow] {note}").format(note=escape(n)))
    console.print(details_line(plan), markup=False, style="dim")
    if valid is not None:
        console.print(
            _("validator: [green]plan passes every rule[/green]")
            if valid
            else _("validator: [red]PLAN FAILS[/red]")
        )
