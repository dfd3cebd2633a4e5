"""Delivery sheets the guards carry and sign, and route files for phones.

``data`` holds the rows of a sheet, their checksum and the reading of a filled copy;
``steps`` the turn-by-turn roads of a leg; ``checkpoints`` the blockades a trip meets;
``qr`` the sheet's QR identity; ``routes`` the GeoJSON / GPX route files; ``context`` what
every sheet of a plan shares; ``sheets`` writes every file of a plan (``write_sheets``).
The printed side (``printing``, ``pdf``, ``tripmap``, ``directions``, ``summary``) is
imported when a PDF is drawn: reportlab is slow to import.
"""

from __future__ import annotations

from logistics.paper.checkpoints import Checkpoint, trip_checkpoints
from logistics.paper.context import PointInfo, SheetContext, sheet_context
from logistics.paper.data import (
    COLUMNS,
    FILL_COLUMNS,
    MAX_COUNT,
    OFFICIAL_PRICE_BS,
    PLANNED_COLUMNS,
    SheetCheck,
    StopRecord,
    commission_label,
    plan_sheets,
    read_filled_sheet,
    read_sheet_rows,
    sheet_checksum,
    shift_label,
    trip_rows,
    verify_sheet_checksum,
)
from logistics.paper.qr import SheetIdentity, parse_qr_payload, qr_payload
from logistics.paper.routes import routes_geojson
from logistics.paper.sheets import WrittenSheets, summary_rows, write_sheets, zip_sheets
from logistics.paper.steps import Step, edge_lookup, leg_steps, step_text

__all__ = [
    "COLUMNS",
    "FILL_COLUMNS",
    "MAX_COUNT",
    "OFFICIAL_PRICE_BS",
    "PLANNED_COLUMNS",
    "Checkpoint",
    "PointInfo",
    "SheetCheck",
    "SheetContext",
    "SheetIdentity",
    "Step",
    "StopRecord",
    "WrittenSheets",
    "commission_label",
    "edge_lookup",
    "leg_steps",
    "parse_qr_payload",
    "plan_sheets",
    "qr_payload",
    "read_filled_sheet",
    "read_sheet_rows",
    "routes_geojson",
    "sheet_checksum",
    "sheet_context",
    "shift_label",
    "step_text",
    "summary_rows",
    "trip_checkpoints",
    "trip_rows",
    "verify_sheet_checksum",
    "write_sheets",
    "zip_sheets",
]
