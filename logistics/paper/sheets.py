"""Delivery sheets a guard commission can carry, and the route files for phones.

``senkata sheets`` writes, for one plan:

``sheets/T01-trip1.pdf`` ...
    one A4 sheet per truck trip: truck, date, shift, commission with signature boxes, the
    load, the stop list (point, district/zone, cylinders, official price, total, boxes for
    delivered / returned / refused and the junta's signature), an overview map drawn from
    the road geometry (no tiles) and the turn-by-turn list of roads.
``plant-summary.pdf``
    one page for the dispatcher: every truck, its commission, load per trip, gate order.
``deliveries.csv``, ``deliveries.xlsx``
    the same rows (one worksheet per truck in the workbook) with empty columns the guards
    fill in; :func:`read_filled_sheet` reads a filled copy back.
``routes.geojson``, ``routes.gpx``
    one line / track per trip, plus the stops.

Every sheet carries the plan id and a checksum of its planned content (sha256 over the
canonical JSON of its rows, see :func:`sheet_checksum`), so a copy whose planned columns
were altered is told apart (:func:`verify_sheet_checksum`); the ledger keeps the checksums
of the dispatched sheets, so even a re-computed checksum on a forged copy does not match.
The PDFs and trip maps are drawn by :mod:`logistics.paper.pdf`.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path

from logistics.model import InputError, Scenario, format_hhmm
from logistics.paper.data import (
    _MONEY_COLS,
    COLUMNS,
    MAX_COUNT,
    OFFICIAL_PRICE_BS,
    commission_label,
    plan_sheets,
)
from logistics.paper.routes import _geojson, _gpx
from logistics.plan import Plan
from logistics.roads import RoadNetwork, with_plant_access

# ------------------------------------------------------------------ rows, checksums


# ---------------------------------------------------------------- reading copies back


# --------------------------------------------------------------------- turn by turn


# ------------------------------------------------------------------------ writing
def _roles(scenario: Scenario) -> dict[str, str]:
    roles = {}
    for g in scenario.guards.roster:
        for pid in g.person_ids():
            roles[pid] = (
                "plant worker" if g.role == "plant-worker" else f"junta delegate ({g.district})"
            )
    return roles


def _departure_order(plan: Plan) -> dict[tuple[str, int], int]:
    trips = sorted(plan.trips(), key=lambda x: (x[1].depart, x[0].truck_id))
    return {(tr.truck_id, t.trip_no): k for k, (tr, t) in enumerate(trips, start=1)}


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:  # money as printed on the sheet (2 decimals)
            w.writerow({**r, **{c: f"{r[c]:.2f}" for c in _MONEY_COLS}})


def _write_xlsx(path: Path, plan: Plan, sheets: dict, summary: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    head = list(summary[0]) if summary else ["truck"]
    ws.append(head)
    for r in summary:
        ws.append([r[c] for c in head])
    ws.append([])
    ws.append([f"plan {plan.plan_id()} · {plan.scenario}"])
    by_truck: dict[str, list[dict]] = defaultdict(list)
    for (truck, _), rows in sheets.items():
        by_truck[truck].extend(rows)
    fill = PatternFill("solid", fgColor="EEEEEE")
    for truck, rows in by_truck.items():
        ws = wb.create_sheet(truck[:31])
        ws.append(COLUMNS)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([r[c] for c in COLUMNS])
        last = len(rows) + 1
        dv = DataValidation(type="whole", operator="between", formula1="0", formula2=str(MAX_COUNT))
        dv.error = "a whole number of cylinders >= 0"
        ws.add_data_validation(dv)
        for c in ("delivered", "returned", "refused"):
            letter = ws.cell(row=1, column=COLUMNS.index(c) + 1).column_letter
            dv.add(f"{letter}2:{letter}{last + 200}")
            for k in range(2, last + 1):
                ws[f"{letter}{k}"].fill = fill
        ws.freeze_panes = "A2"
    wb.save(path)


def summary_rows(plan: Plan, *, price_bs: float) -> list[dict]:
    """One row per truck with trips, for the dispatcher (CSV/XLSX summary and the PDF)."""
    order = _departure_order(plan)
    rows = []
    for tr in sorted(plan.trucks_used, key=lambda x: order[(x.truck_id, 1)]):
        trips = "; ".join(
            f"[{order[(tr.truck_id, t.trip_no)]}] {format_hhmm(t.depart)} trip {t.trip_no}: "
            f"{t.loaded}"
            for t in tr.trips
        )
        rows.append(
            {
                "first_out": order[(tr.truck_id, 1)],
                "truck": tr.truck_id,
                "capacity": tr.capacity,
                "commission": commission_label(tr),
                "trips": trips,
                "cylinders": tr.delivered,
                "value_bs": round(tr.delivered * price_bs, 2),
                "km": round(tr.km, 1),
            }
        )
    return rows


def write_sheets(
    plan: Plan,
    scenario: Scenario,
    net: RoadNetwork,
    out_dir: str | Path,
    *,
    price_bs: float = OFFICIAL_PRICE_BS,
    date: str | None = None,
    trucks: Collection[str] | None = None,
) -> list[Path]:
    """Write the trip PDFs, plant summary, CSV, XLSX, GeoJSON and GPX of ``plan``.

    Parameters
    ----------
    plan, scenario, net
        The plan, the scenario it was made from (roster roles, plant access) and its map.
    out_dir
        Directory for the files; written all or nothing (a temporary directory inside it,
        moved in when every file is complete).
    price_bs
        Official price per cylinder (Bs), printed with every stop's total.
    date
        Date printed on the sheets (``YYYY-MM-DD``); default the scenario's date, else a
        blank line to fill in.
    trucks
        Only these trucks get trip PDFs (after a re-plan: the trucks whose work changed);
        the summary, CSV, XLSX and routes always cover the whole plan.

    Returns
    -------
    list of Path
        Every file written (trip PDFs first).
    """
    from logistics.paper.pdf import render_summary_pdf, render_trip_pdf

    if not (price_bs > 0 and math.isfinite(price_bs)):
        raise InputError("--price", f"expected a price in Bs > 0, got {price_bs:g}")
    date = date if date is not None else (scenario.date.isoformat() if scenario.date else "")
    plant = scenario.plant
    net = with_plant_access(net, plant.lon, plant.lat, plant.access_m)
    sheets = plan_sheets(plan, price_bs=price_bs, date=date)
    roles = _roles(scenario)
    order = _departure_order(plan)
    summary = summary_rows(plan, price_bs=price_bs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [
        "plant-summary.pdf",
        "deliveries.csv",
        "deliveries.xlsx",
        "routes.geojson",
        "routes.gpx",
    ]
    with tempfile.TemporaryDirectory(dir=out, prefix=".writing-") as tmp:
        t = Path(tmp)
        (t / "sheets").mkdir()
        pdfs = []
        n_trips = {tr.truck_id: len(tr.trips) for tr in plan.trucks}
        for tr, trip in plan.trips():
            if trucks is not None and tr.truck_id not in trucks:
                continue
            if not trip.stops:
                continue  # a re-planned trip that only brings its load back: no hand-over
            name = f"sheets/{tr.truck_id}-trip{trip.trip_no}.pdf"
            render_trip_pdf(
                t / name,
                plan,
                tr,
                trip,
                sheets[(tr.truck_id, trip.trip_no)],
                net,
                roles=roles,
                n_trips=n_trips[tr.truck_id],
                gate=order[(tr.truck_id, trip.trip_no)],
                n_gates=len(order),
            )
            pdfs.append(name)
        render_summary_pdf(t / "plant-summary.pdf", plan, summary, price_bs=price_bs, date=date)
        rows = [r for rs in sheets.values() for r in rs]
        _write_csv(t / "deliveries.csv", rows)
        _write_xlsx(t / "deliveries.xlsx", plan, sheets, summary)
        (t / "routes.geojson").write_text(json.dumps(_geojson(plan, net)), encoding="utf-8")
        (t / "routes.gpx").write_text(_gpx(plan, net), encoding="utf-8")
        if (out / "sheets").exists():
            shutil.rmtree(out / "sheets")
        shutil.move(str(t / "sheets"), str(out / "sheets"))
        for n in names:
            shutil.move(str(t / n), str(out / n))
    return [out / n for n in pdfs] + [out / n for n in names]
