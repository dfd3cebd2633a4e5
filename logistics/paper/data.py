"""What a delivery sheet says, its checksum, and reading a filled copy back.

Every sheet row has the planned columns (plan id, truck, trip, stop, point, cylinders,
price) and empty columns the guards fill in; :func:`sheet_checksum` hashes the canonical
JSON of the planned columns so an altered copy is told apart, and
:func:`read_filled_sheet` reads a filled CSV / XLSX into :class:`StopRecord` entries with
one-line errors for bad cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistics.model import InputError, format_hhmm
from logistics.plan import Plan, Trip, TruckPlan

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


def _canon(col: str, value: Any) -> str:  # noqa: PLR0911 - one return per column type
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
