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
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistics.i18n import _, fmt_int
from logistics.model import InputError, format_hhmm
from logistics.model.errors import one_line, show_value
from logistics.model.files import decode_text, label_of, read_bytes
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

#: Largest filled sheet read (the June 2005 XLSX of 91 trips is ~100 KB), what an XLSX may
#: unpack to, and the most rows and columns read from one table.
MAX_SHEET_BYTES = 10_000_000
MAX_XLSX_UNZIPPED = 50_000_000
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 64
MAX_WORKSHEETS = 500

#: Hex digits of the checksum printed on a sheet.
CHECKSUM_CHARS = 12

_DIGITS = re.compile(r"[0-9]{1,9}")
_IDS = ("plan_id", "truck")


def _small_int(text: str) -> int | None:
    """``text`` as a whole number when it is one written in ASCII digits, else None."""
    return int(text) if _DIGITS.fullmatch(text) else None


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
    except (ValueError, OverflowError):  # "x", "nan", "inf", "1e999"
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
    check = sheet_checksum(rows)[:CHECKSUM_CHARS]
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
        # all 12 printed hex digits must match: a shorter "checksum" would be easy to forge
        return len(self.printed) >= CHECKSUM_CHARS and self.computed.startswith(self.printed)


def verify_sheet_checksum(path: str | Path) -> list[SheetCheck]:
    """Recompute every trip sheet's checksum in a CSV/XLSX copy (filled or not).

    Rows added by hand (empty ``sheet`` column) are not part of any printed sheet and are
    left out. A sheet whose planned columns were altered, or which lost or gained a planned
    row, gets ``ok == False``.
    """
    groups: dict[tuple[str, str, str, str], list[dict]] = defaultdict(list)
    for _where, row in read_sheet_rows(path):
        printed = one_line(_cell_text(row.get("sheet") or ""), 64)
        if printed:
            plan_id, truck = (one_line(_cell_text(row.get(c) or ""), 200) for c in _IDS)
            key = (plan_id, truck, _canon("trip", row.get("trip")), printed)
            groups[key].append(row)
    out = []
    for (plan_id, truck, trip, printed), rows in groups.items():
        rows.sort(key=lambda r: _small_int(_canon("stop", r.get("stop"))) or 0)
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


def _xlsx_tables(data: bytes, where: str) -> list[tuple[str, list[list[Any]]]]:
    """The worksheets of an XLSX, bounded: unpacked size, worksheets, rows and columns."""
    from openpyxl import load_workbook

    expected = _("a deliveries .xlsx sheet")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        msg = _("not a readable .xlsx workbook; expected {expected}")
        raise InputError(where, msg.format(expected=expected)) from None
    if len(infos) > 4 * MAX_WORKSHEETS or sum(i.file_size for i in infos) > MAX_XLSX_UNZIPPED:
        msg = _("the workbook unpacks to more than {limit} bytes; expected {expected}")
        raise InputError(where, msg.format(limit=fmt_int(MAX_XLSX_UNZIPPED), expected=expected))
    tables: list[tuple[str, list[list[Any]]]] = []
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if len(wb.worksheets) > MAX_WORKSHEETS:
                msg = _("more than {limit} worksheets; expected {expected}")
                raise InputError(
                    where, msg.format(limit=fmt_int(MAX_WORKSHEETS), expected=expected)
                )
            for ws in wb.worksheets:
                if not hasattr(ws, "iter_rows"):  # a chart sheet
                    continue
                rows = [
                    list(row)
                    for row in ws.iter_rows(
                        max_row=MAX_SHEET_ROWS + 1, max_col=MAX_SHEET_COLUMNS, values_only=True
                    )
                ]
                title = one_line(str(ws.title), 40)
                tables.append((_("{file} sheet '{title}'").format(file=where, title=title), rows))
        finally:
            wb.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl and its XML parser raise many types for a bad file
        msg = _("not a readable .xlsx workbook ({reason}); expected {expected}")
        reason = type(exc).__name__
        raise InputError(where, msg.format(reason=reason, expected=expected)) from None
    return tables


def read_sheet_rows(path: str | Path) -> list[tuple[str, dict]]:
    """Rows of a deliveries CSV or XLSX as ``(where, {column: value})``, blank rows skipped.

    ``where`` names the file, worksheet and row for error messages. Worksheets whose first
    row is not a deliveries header (the summary) are skipped. The file is read through the
    planner's file boundary: a regular ``.csv`` or ``.xlsx`` file of at most
    :data:`MAX_SHEET_BYTES`, UTF-8 for CSV, an XLSX that unpacks to at most
    :data:`MAX_XLSX_UNZIPPED` bytes; at most :data:`MAX_SHEET_ROWS` rows per table.
    """
    expected = _("a deliveries .csv or .xlsx sheet")
    data = read_bytes(
        path, expected=expected, max_bytes=MAX_SHEET_BYTES, suffixes=(".csv", ".xlsx")
    )
    where_file = label_of(path)
    tables: list[tuple[str, list[list[Any]]]] = []
    if Path(path).name.lower().endswith(".csv"):
        text = decode_text(data, where=str(path), expected=expected)
        try:
            rows: list[list[Any]] = []
            for cells in csv.reader(io.StringIO(text, newline="")):
                rows.append(cells[:MAX_SHEET_COLUMNS])
                if len(rows) > MAX_SHEET_ROWS:
                    break
        except csv.Error as exc:  # a NUL byte, a field over the csv module's limit
            msg = _("not a readable CSV ({reason}); expected {expected}")
            raise InputError(
                where_file, msg.format(reason=one_line(str(exc), 60), expected=expected)
            ) from None
        tables.append((where_file, rows))
    else:
        tables = _xlsx_tables(data, where_file)
    out: list[tuple[str, dict]] = []
    headed = False
    for where, table in tables:
        if not table:
            continue
        if len(table) > MAX_SHEET_ROWS:
            msg = _("more than {limit} rows; expected one row per stop")
            raise InputError(where, msg.format(limit=fmt_int(MAX_SHEET_ROWS)))
        header = [one_line(str(h), 60) if h is not None else "" for h in table[0]]
        if "point_id" not in header or "truck" not in header:
            continue  # e.g. the summary worksheet
        headed = True
        missing = [
            c for c in ("plan_id", "truck", "trip", "point_id", *FILL_COLUMNS) if c not in header
        ]
        if missing:
            msg = _("missing column '{column}'; expected the columns of deliveries.csv")
            raise InputError(where, msg.format(column=missing[0]))
        for n, values in enumerate(table[1:], start=2):
            row = {h: v for h, v in zip(header, values, strict=False) if h}
            if all(v is None or str(v).strip() == "" for v in row.values()):
                continue
            out.append((_("{where} row {row}").format(where=where, row=n), row))
    if not headed:
        msg = _("no deliveries header found; expected the columns of deliveries.csv")
        raise InputError(where_file, msg)
    return out


def _cell_text(value: Any) -> str:
    """A cell as text (an integer too long to print is shown by its size)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return show_value(value)
    return str(value).strip()


def _count(where: str, col: str, value: Any) -> int:
    if value is None or _cell_text(value) == "":
        return 0
    text = _cell_text(value)
    try:
        num = float(text[:40])
    except ValueError:
        num = math.nan
    if not (num.is_integer() and 0 <= num <= MAX_COUNT):
        msg = _("expected a whole number of cylinders between 0 and {limit}, got {value}")
        raise InputError(
            f"{where}, column '{col}'",
            msg.format(limit=fmt_int(MAX_COUNT), value=show_value(text)),
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
            value = _cell_text(row.get(col) or "")
            if not value or len(value) > 200:
                msg = _("expected an id of 1 to 200 characters, got {value}")
                raise InputError(f"{where}, column '{col}'", msg.format(value=show_value(value)))
        trip = _count(where, "trip", row.get("trip"))
        if not 1 <= trip <= 1000:
            msg = _("expected a trip number from 1 to 1,000, got {value}")
            raise InputError(f"{where}, column 'trip'", msg.format(value=trip))
        stop = _small_int(_canon("stop", row.get("stop")))
        planned = _small_int(_canon("cylinders", row.get("cylinders")))
        records.append(
            StopRecord(
                plan_id=_cell_text(row["plan_id"]),
                truck=_cell_text(row["truck"]),
                trip=trip,
                point_id=_cell_text(row["point_id"]),
                delivered=_count(where, "delivered", row.get("delivered")),
                returned=_count(where, "returned", row.get("returned")),
                refused=_count(where, "refused", row.get("refused")),
                signed_by=one_line(_cell_text(row.get("signed_by") or ""), 200),
                stop=stop,
                cylinders=planned,
                sheet=one_line(_cell_text(row.get("sheet") or ""), 64),
                name=one_line(_cell_text(row.get("name") or ""), 200),
                source=where,
            )
        )
    return records
