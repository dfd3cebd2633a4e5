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
The PDFs and trip maps are drawn by :mod:`logistics.sheets_pdf`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from logistics.errors import InputError
from logistics.network import (
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_RETURN,
    RoadNetwork,
    with_plant_access,
)
from logistics.plan import Plan, Trip, TruckPlan
from logistics.scenario import Scenario, format_hhmm

#: HISTORICAL (to our knowledge, not verified offline, so treat it as an ASSUMPTION): the
#: regulated price of a 10 kg LPG garrafa in Bolivia in 2005, Bs 22.50, frozen for years.
OFFICIAL_PRICE_BS = 22.50

#: Columns of deliveries.csv / deliveries.xlsx, in order.
COLUMNS = [
    "plan_id",
    "sheet",
    "truck",
    "trip",
    "date",
    "shift",
    "commission",
    "stop",
    "point_id",
    "name",
    "area",
    "zone",
    "arrive",
    "cylinders",
    "price_bs",
    "total_bs",
    "delivered",
    "returned",
    "refused",
    "signed_by",
]
#: Columns the guards fill in; everything else is planned content covered by the checksum.
FILL_COLUMNS = ["delivered", "returned", "refused", "signed_by"]
PLANNED_COLUMNS = [c for c in COLUMNS if c not in FILL_COLUMNS and c != "sheet"]
_INT_COLS = {"trip", "stop", "cylinders"}
_MONEY_COLS = {"price_bs", "total_bs"}
#: Largest count accepted in a filled cell (a typo guard, far above any truck load).
MAX_COUNT = 100_000


# ------------------------------------------------------------------ rows, checksums
def _canon(col: str, value: Any) -> str:
    """One planned cell as the canonical string the checksum is computed over.

    CSV gives strings, XLSX numbers and times; both must hash the same.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if col == "date" else value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    text = str(value).strip()
    if text == "":
        return ""
    try:
        if col in _INT_COLS:
            return str(int(float(text)))
        if col in _MONEY_COLS:
            return f"{float(text):.2f}"
    except ValueError:
        return text  # left as written: the checksum will then not match
    return text


def sheet_checksum(rows: list[dict]) -> str:
    """sha256 (hex) over the planned columns of one trip sheet's rows, in stop order."""
    canon = [{c: _canon(c, r.get(c)) for c in PLANNED_COLUMNS} for r in rows]
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def shift_label(plan: Plan) -> str:
    return f"{format_hhmm(plan.shift_start)}-{format_hhmm(plan.shift_end)}"


def commission_label(truck: TruckPlan) -> str:
    return f"{truck.commission_id or '-'}: {', '.join(truck.members)}"


def trip_rows(
    plan: Plan, truck: TruckPlan, trip: Trip, *, price_bs: float, date: str = ""
) -> list[dict]:
    """The rows of one trip sheet (planned columns filled, ``sheet`` = 12-hex checksum)."""
    rows = []
    pid = plan.plan_id()
    for k, s in enumerate(trip.stops, start=1):
        rows.append(
            {
                "plan_id": pid,
                "sheet": "",
                "truck": truck.truck_id,
                "trip": trip.trip_no,
                "date": date,
                "shift": shift_label(plan),
                "commission": commission_label(truck),
                "stop": k,
                "point_id": s.point_id,
                "name": s.name,
                "area": s.group,
                "zone": s.zone or "",
                "arrive": format_hhmm(s.arrive),
                "cylinders": s.cylinders,
                "price_bs": round(price_bs, 2),
                "total_bs": round(s.cylinders * price_bs, 2),
                **{c: "" for c in FILL_COLUMNS},
            }
        )
    check = sheet_checksum(rows)[:12]
    for r in rows:
        r["sheet"] = check
    return rows


def plan_sheets(plan: Plan, *, price_bs: float, date: str = "") -> dict[tuple[str, int], list]:
    """Rows of every trip sheet of ``plan``, keyed by ``(truck, trip)``."""
    return {
        (tr.truck_id, t.trip_no): trip_rows(plan, tr, t, price_bs=price_bs, date=date)
        for tr, t in plan.trips()
    }


@dataclass(frozen=True)
class SheetCheck:
    """The checksum printed on one trip sheet vs the one recomputed from its rows."""

    plan_id: str
    truck: str
    trip: str
    printed: str
    computed: str

    @property
    def ok(self) -> bool:
        return bool(self.printed) and self.computed.startswith(self.printed)


def verify_sheet_checksum(path: str | Path) -> list[SheetCheck]:
    """Recompute every trip sheet's checksum in a CSV/XLSX copy (filled or not).

    Rows added by hand (empty ``sheet`` column) are not part of any printed sheet and are
    left out. A sheet whose planned columns were altered, or which lost or gained a planned
    row, gets ``ok == False``.
    """
    groups: dict[tuple[str, str, str, str], list[dict]] = defaultdict(list)
    for _, row in read_sheet_rows(path):
        if row.get("sheet"):
            key = (row["plan_id"], row["truck"], _canon("trip", row["trip"]), row["sheet"])
            groups[key].append(row)
    out = []
    for (plan_id, truck, trip, printed), rows in groups.items():
        rows.sort(key=lambda r: int(_canon("stop", r.get("stop")) or 0))
        out.append(SheetCheck(plan_id, truck, trip, printed, sheet_checksum(rows)))
    return out


# ---------------------------------------------------------------- reading copies back
@dataclass(frozen=True)
class StopRecord:
    """What the guards wrote for one stop on a filled sheet.

    ``delivered`` cylinders were handed to the junta against its signature; ``refused``
    were offered but refused by the junta and brought back; ``returned`` were not offered
    (stop not reached, queue gone) and brought back. For a planned stop the three add up
    to its planned ``cylinders``; a difference is not an input error but evidence, which
    ``senkata ledger reconcile`` flags as missing cylinders.
    """

    plan_id: str
    truck: str
    trip: int
    point_id: str
    delivered: int
    returned: int
    refused: int
    signed_by: str
    stop: int | None = None
    cylinders: int | None = None
    sheet: str = ""
    name: str = ""
    source: str = ""


def read_sheet_rows(path: str | Path) -> list[tuple[str, dict]]:
    """Rows of a deliveries CSV or XLSX as ``(where, {column: value})``, blank rows skipped.

    ``where`` names the file, worksheet and row for error messages. Worksheets whose first
    row is not a deliveries header (the summary) are skipped.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "file not found; expected a deliveries .csv or .xlsx sheet")
    suffix = p.suffix.lower()
    tables: list[tuple[str, list[list[Any]]]] = []
    if suffix == ".csv":
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(str(p), f"not a readable UTF-8 CSV ({type(exc).__name__})") from None
        tables.append((str(p), list(csv.reader(io.StringIO(text)))))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise InputError(
                str(p), f"not a readable .xlsx workbook ({type(exc).__name__})"
            ) from None
        for ws in wb.worksheets:
            tables.append(
                (f"{p} sheet '{ws.title}'", [list(r) for r in ws.iter_rows(values_only=True)])
            )
        wb.close()
    else:
        raise InputError(str(p), f"unknown sheet type '{suffix}'; expected .csv or .xlsx")
    out: list[tuple[str, dict]] = []
    headed = False
    for where, table in tables:
        if not table:
            continue
        header = [str(h).strip() if h is not None else "" for h in table[0]]
        if "point_id" not in header or "truck" not in header:
            continue  # e.g. the summary worksheet
        headed = True
        missing = [
            c for c in ("plan_id", "truck", "trip", "point_id", *FILL_COLUMNS) if c not in header
        ]
        if missing:
            raise InputError(
                where, f"missing column '{missing[0]}'; expected the columns {COLUMNS}"
            )
        for n, values in enumerate(table[1:], start=2):
            row = {h: v for h, v in zip(header, values, strict=False) if h}
            if all(v is None or str(v).strip() == "" for v in row.values()):
                continue
            out.append((f"{where} row {n}", row))
    if not headed:
        raise InputError(str(p), f"no deliveries header found; expected the columns {COLUMNS}")
    return out


def _count(where: str, col: str, value: Any) -> int:
    if value is None or str(value).strip() == "":
        return 0
    text = str(value).strip()
    try:
        num = float(text)
    except ValueError:
        num = math.nan
    if not (num.is_integer() and 0 <= num <= MAX_COUNT):
        raise InputError(
            f"{where}, column '{col}'",
            f"expected a whole number of cylinders between 0 and {MAX_COUNT:,}, got {text!r}",
        )
    return int(num)


def read_filled_sheet(path: str | Path) -> list[StopRecord]:
    """The filled rows of a guards' CSV/XLSX copy, numbers validated.

    A row counts as filled when any of delivered / returned / refused is written; the
    others then count as 0. Unfilled rows (stops not yet reported) are skipped.

    Raises
    ------
    InputError
        One line naming the file, worksheet, row and column: a count that is not a whole
        number in 0..MAX_COUNT, a missing truck / point / plan id, a bad trip number.
    """
    records = []
    for where, row in read_sheet_rows(path):
        if all(str(row.get(c) or "").strip() == "" for c in ("delivered", "returned", "refused")):
            continue
        for col in ("plan_id", "truck", "point_id"):
            if not str(row.get(col) or "").strip():
                raise InputError(f"{where}, column '{col}'", "expected a value, got an empty cell")
        trip = _count(where, "trip", row.get("trip"))
        if trip < 1:
            raise InputError(f"{where}, column 'trip'", "expected a trip number >= 1")
        stop = _canon("stop", row.get("stop"))
        planned = _canon("cylinders", row.get("cylinders"))
        records.append(
            StopRecord(
                plan_id=str(row["plan_id"]).strip(),
                truck=str(row["truck"]).strip(),
                trip=trip,
                point_id=str(row["point_id"]).strip(),
                delivered=_count(where, "delivered", row.get("delivered")),
                returned=_count(where, "returned", row.get("returned")),
                refused=_count(where, "refused", row.get("refused")),
                signed_by=str(row.get("signed_by") or "").strip(),
                stop=int(stop) if stop.isdigit() else None,
                cylinders=int(planned) if planned.isdigit() else None,
                sheet=str(row.get("sheet") or "").strip(),
                name=str(row.get("name") or "").strip(),
                source=where,
            )
        )
    return records


# --------------------------------------------------------------------- turn by turn
@dataclass(frozen=True)
class Step:
    """One instruction: enter ``road`` as ``turn`` says and follow it for ``km``.

    ``assumed_km`` of it are assumed links (a connector, the plant gate, or a return
    carriageway missing from the extract), printed so the guards know the map guessed there.
    """

    turn: str
    road: str
    km: float
    assumed_km: float = 0.0

    def text(self) -> str:
        if self.assumed_km <= 0 or self.road.startswith(("assumed", "plant gate")):
            return f"{self.turn} {self.road}"
        if self.assumed_km >= self.km - 0.005:
            return f"{self.turn} {self.road} (assumed return carriageway)"
        return f"{self.turn} {self.road} (incl. {self.assumed_km:.2f} km assumed carriageway)"


def edge_lookup(net: RoadNetwork) -> dict[tuple[int, int], int]:
    """(u, v) node indices -> the shortest edge between them (built once per network)."""
    cached = net.__dict__.get("_sheetsedge_lookup")
    if cached is None:
        cached = {}
        order = np.argsort(-net.edge_length_m)  # shortest written last wins
        for e in order.tolist():
            cached[(int(net.edge_u[e]), int(net.edge_v[e]))] = e
        net.__dict__["_sheetsedge_lookup"] = cached
    return cached


def _label(net: RoadNetwork, e: int) -> str:
    kind = int(net.edge_kind[e])
    if kind == KIND_CONNECTOR:
        return "assumed connector (not in OSM)"
    if kind == KIND_ACCESS:
        return "plant gate (assumed access)"
    return net.edge_name[e] or "unnamed road"


def _turn(net: RoadNetwork, e_in: int, e_out: int) -> str:
    def bearing(e: int) -> float:
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        return math.degrees(math.atan2(net.x[v] - net.x[u], net.y[v] - net.y[u]))

    delta = (bearing(e_out) - bearing(e_in) + 540) % 360 - 180
    side = "right" if delta > 0 else "left"
    if abs(delta) < 30:
        return "continue on"
    if abs(delta) > 150:
        return "U-turn onto"
    return f"turn {side} onto" if abs(delta) > 60 else f"bear {side} onto"


def leg_steps(net: RoadNetwork, nodes: list[int]) -> list[Step]:
    """Roads of one leg (OSM node ids), consecutive edges of one road merged.

    ``net`` must carry the plant's access links (:func:`logistics.network.with_plant_access`).
    Short nameless pieces (< 50 m, usually a crossing) are folded into the road before them,
    and a road interrupted by one is joined up again, so an avenue stays one instruction.
    """
    lookup = edge_lookup(net)
    idx = [net.node_index(n) for n in nodes]
    groups: list[list[Any]] = []  # [label, metres, assumed metres, first edge, last edge]
    for u, v in zip(idx[:-1], idx[1:], strict=True):
        e = lookup.get((u, v))
        if e is None:
            msg = f"the plan drives OSM nodes {nodes[0]}..{nodes[-1]} over a missing road"
            raise InputError("plan", msg + "; expected a plan made on this map")
        label, m = _label(net, e), float(net.edge_length_m[e])
        extra = m if int(net.edge_kind[e]) == KIND_RETURN else 0.0
        if groups and groups[-1][0] == label:
            groups[-1][1:3] = [groups[-1][1] + m, groups[-1][2] + extra]
            groups[-1][4] = e
        else:
            groups.append([label, m, extra, e, e])
    merged: list[list[Any]] = []
    for g in groups:
        if merged and (g[0] == merged[-1][0] or (g[0] == "unnamed road" and g[1] < 50)):
            last = merged[-1]
            merged[-1] = [last[0], last[1] + g[1], last[2] + g[2], last[3], g[4]]
        else:
            merged.append(g)
    steps = []
    for k, (label, metres, assumed, first, _) in enumerate(merged):
        turn = "start on" if k == 0 else _turn(net, merged[k - 1][4], first)
        steps.append(Step(turn, label, metres / 1000, assumed / 1000))
    return steps


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


def _gpx(plan: Plan, net: RoadNetwork) -> str:
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "senkata sheets"
    gpx.name = f"plan {plan.plan_id()} - {plan.scenario}"
    gpx.waypoints.append(
        gpxpy.gpx.GPXWaypoint(plan.plant.lat, plan.plant.lon, name=plan.plant.name)
    )
    for tr, t in plan.trips():
        track = gpxpy.gpx.GPXTrack(name=f"{tr.truck_id} trip {t.trip_no}")
        track.description = f"{t.loaded} cylinders, depart {format_hhmm(t.depart)}"
        seg = gpxpy.gpx.GPXTrackSegment()
        for leg in t.legs:
            pts = net.path_coords(leg.nodes)
            for lon, lat in pts if not seg.points else pts[1:]:
                seg.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon))
        track.segments.append(seg)
        gpx.tracks.append(track)
        for k, s in enumerate(t.stops, start=1):
            gpx.waypoints.append(
                gpxpy.gpx.GPXWaypoint(
                    s.lat,
                    s.lon,
                    name=f"{tr.truck_id}/{t.trip_no} #{k} {s.name}",
                    description=f"{s.cylinders} cylinders, {s.group}",
                )
            )
    return gpx.to_xml()


def _geojson(plan: Plan, net: RoadNetwork) -> dict:
    from logistics.report import routes_geojson

    doc = routes_geojson(plan, net)
    for tr, t in plan.trips():
        for k, s in enumerate(t.stops, start=1):
            doc["features"].append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                    "properties": {
                        "kind": "stop",
                        "truck": tr.truck_id,
                        "trip": t.trip_no,
                        "stop": k,
                        "point_id": s.point_id,
                        "name": s.name,
                        "cylinders": s.cylinders,
                    },
                }
            )
    doc["properties"] = {"plan_id": plan.plan_id(), "scenario": plan.scenario}
    return doc


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
    from logistics.sheets_pdf import render_summary_pdf, render_trip_pdf

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
