"""Delivery sheets the guards carry and sign, and route files for phones.

``data`` holds the rows of a sheet, their checksum and the reading of a filled copy;
``steps`` the turn-by-turn roads of a leg; ``routes`` the GeoJSON / GPX route files;
``sheets`` writes every file of a plan (``write_sheets``); ``pdf`` draws the PDFs and trip maps
(imported by ``write_sheets`` when needed: reportlab and matplotlib are slow to import).
"""

from __future__ import annotations

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
from logistics.paper.routes import routes_geojson
from logistics.paper.sheets import summary_rows, write_sheets
from logistics.paper.steps import Step, edge_lookup, leg_steps

__all__ = [
    "COLUMNS",
    "FILL_COLUMNS",
    "MAX_COUNT",
    "OFFICIAL_PRICE_BS",
    "PLANNED_COLUMNS",
    "SheetCheck",
    "Step",
    "StopRecord",
    "commission_label",
    "edge_lookup",
    "leg_steps",
    "plan_sheets",
    "read_filled_sheet",
    "read_sheet_rows",
    "routes_geojson",
    "sheet_checksum",
    "shift_label",
    "summary_rows",
    "trip_rows",
    "verify_sheet_checksum",
    "write_sheets",
]
