"""The QR code on each trip sheet: the sheet's identity, readable from a photo or a scan.

It carries the plan id, truck, trip and the sheet's checksum (the 12 hex digits printed on
the sheet and kept by the ledger for each dispatched sheet, see
:func:`~logistics.paper.data.sheet_checksum`), as one line of text::

    SENKATA/1/44BC610F82/T18/1/CE616A234CBA

(format version 1; upper case, so the code uses QR's alphanumeric mode: a 29-module code
instead of 37, larger modules at the same print size, easier for a phone camera). The code
is made by ``segno`` and drawn as vector squares (sharp at any print size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from logistics.model import InputError

PREFIX = "SENKATA/1"
_PAYLOAD = re.compile(
    r"^SENKATA/1/([0-9A-F]{10})/(.{1,40})/([1-9][0-9]{0,3})/([0-9A-F]{12})$", re.IGNORECASE
)


@dataclass(frozen=True)
class SheetIdentity:
    """What a sheet's QR code says."""

    plan_id: str
    truck: str
    trip: int
    sheet: str


def qr_payload(plan_id: str, truck: str, trip: int, sheet: str) -> str:
    """The text of a sheet's QR code."""
    return f"{PREFIX}/{plan_id.upper()}/{truck}/{trip}/{sheet.upper()}"


def parse_qr_payload(text: str) -> SheetIdentity:
    """The identity a sheet's QR code carries.

    Raises
    ------
    InputError
        The text is not a Senkata sheet code (one line, the bad text cut to 60 characters).
    """
    m = _PAYLOAD.match(text.strip())
    if not m:
        cut = text.strip().replace("\n", " ")[:60]
        raise InputError("QR code", f"expected a Senkata delivery-sheet code, got {cut!r}")
    return SheetIdentity(m.group(1).lower(), m.group(2), int(m.group(3)), m.group(4).lower())


def draw_qr(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``payload`` with its lower-left corner at ``(x, y)``, ``size``
    points wide including the 4-module quiet zone the standard asks for."""
    import segno

    code = segno.make(payload, error="m", micro=False)
    rows = code.matrix
    n = len(rows) + 8
    mod = size / n
    canvas.saveState()
    canvas.setFillGray(1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillGray(0)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 4) * mod
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + (start + 4) * mod, top - mod, (c - start) * mod, mod)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
