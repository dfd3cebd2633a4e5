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
from rich.table import Table

from logistics.model import format_hhmm
from logistics.paper import routes_geojson
from logistics.plan import Plan
from logistics.roads import RoadNetwork


def summary_rows(plan: Plan) -> list[dict]:
    """One row per district / macrodistrict, then one for the priority sites (if any)."""
    rows = []
    for g in plan.groups:
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
    for _, trip in plan.trips():
        for st in trip.stops:
            if st.priority:
                got[st.point_id] = got.get(st.point_id, 0) + st.cylinders
    lacking = {u.point_id: u.missing for u in plan.unserved if u.priority}
    ids = got.keys() | lacking.keys()
    if ids:
        delivered = sum(got.values())
        ration = delivered + sum(lacking.values())
        rows.append(
            {
                "group": "priority sites",
                "points": len(ids),
                "eligible_points": len(ids),
                "ration": ration,
                "delivered": delivered,
                "served_pct": round(100 * delivered / ration, 1) if ration else 0.0,
            }
        )
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


def solver_line(plan: Plan) -> str:
    """One line on the search: status, time, limit, seed and the start it searched from."""
    s = plan.solver
    return (
        f"solver: {s.status} in {s.wall_s:.1f} s (limit {s.time_limit_s:g} s, seed {s.seed}, "
        f"start: {s.warm_start})"
    )


def print_summary(plan: Plan, console: Console, *, valid: bool | None = None) -> None:
    """Rich tables: trucks and commissions, districts, unserved points with reasons."""
    used = plan.trucks_used
    trips = plan.trips()
    console.print(
        f"[bold]{plan.scenario}[/bold]  plan {plan.plan_id()}  shift "
        f"{format_hhmm(plan.shift_start)}-{format_hhmm(plan.shift_end)}"
    )
    console.print(
        f"delivered [bold]{plan.delivered:,}[/bold] of {plan.demand:,} cylinders of eligible "
        f"ration (stock {plan.plant.stock:,}); {len(used)} trucks with commissions, "
        f"{len(trips)} trips, {plan.km:,.1f} km, {plan.driving_hours():,.1f} h driving"
    )
    t = Table(title="Trucks", show_lines=False)
    for col in ("truck", "commission", "trips", "stops", "cylinders", "km", "hours"):
        t.add_column(col, justify="right" if col not in ("truck", "commission") else "left")
    for tr in used:
        hours = (tr.trips[-1].back - tr.trips[0].load_start) / 60
        t.add_row(
            tr.truck_id,
            f"{tr.commission_id} ({', '.join(tr.members)})",
            str(len(tr.trips)),
            str(sum(len(x.stops) for x in tr.trips)),
            f"{tr.delivered:,}",
            f"{tr.km:,.1f}",
            f"{hours:.1f}",
        )
    console.print(t)
    g = Table(title="Cylinders by district / macrodistrict")
    for col in ("area", "eligible points", "ration", "delivered", "served"):
        g.add_column(col, justify="left" if col == "area" else "right")
    for r in summary_rows(plan):
        g.add_row(
            r["group"],
            f"{r['eligible_points']}/{r['points']}" + ("" if r["eligible_points"] else " EXCLUDED"),
            f"{r['ration']:,}",
            f"{r['delivered']:,}",
            f"{r['served_pct']:.0f}%",
        )
    console.print(g)
    f = plan.fairness()
    console.print(
        f"fairness ({f['policy']}): lowest served share {100 * f['min_share']:.0f}%, spread "
        f"{100 * f['spread']:.0f} points between reachable districts; "
        + ", ".join(
            f"{gr.group.split(' / ')[-1]} {gr.per_household:.2f}"
            for gr in plan.groups
            if gr.reachable
        )
        + " cylinders per household"
    )
    if f["cut_off"]:
        console.print("no truck can reach: " + ", ".join(f["cut_off"]))
    if plan.unserved:
        u = Table(title="Points not fully served")
        for col in ("point", "name", "area", "missing", "reason"):
            u.add_column(col, justify="right" if col == "missing" else "left")
        for x in sorted(plan.unserved, key=lambda x: (x.reason, x.group, x.point_id)):
            u.add_row(x.point_id, x.name[:40], x.group, f"{x.missing:,}", x.reason)
        console.print(u)
        counts = Counter(x.reason for x in plan.unserved)
        console.print(
            "unserved by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    for n in plan.notes:
        console.print(f"[yellow]note:[/yellow] {n}")
    console.print(f"{solver_line(plan)}, {plan.solver.candidates} drops offered")
    if valid is not None:
        console.print(
            "validator: [green]plan passes every rule[/green]"
            if valid
            else "validator: [red]PLAN FAILS[/red]"
        )
