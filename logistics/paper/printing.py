"""What every printed page shares: fonts, sizes, ruled tables, numbers as the language writes.

Text uses the standard PDF fonts (Helvetica, WinAnsi/cp1252: every Spanish letter and the
names of the extract), so no font is embedded in any sheet; a character they lack prints as
``?`` rather than as a blank box. No text is smaller than :data:`MIN_PT` (8 pt): the sheets
are read in a moving truck and photographed with phones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from logistics.i18n import fmt_date, fmt_num

#: The smallest type on any sheet (points).
MIN_PT = 8.0
#: Page margin (points; 10 mm).
MARGIN = 28.35
FONT, BOLD = "Helvetica", "Helvetica-Bold"


def latin(text: object) -> str:
    """Text the standard PDF fonts can show (cp1252); anything else becomes '?'."""
    return str(text).encode("cp1252", "replace").decode("cp1252")


def money(x: float) -> str:
    """Bolivianos with two decimals, as the language writes them (``3.127,50``)."""
    return fmt_num(x, 2)


def long_date(iso: str) -> str:
    """``2005-06-08`` -> ``8 de junio de 2005`` (empty stays empty)."""
    return fmt_date(dt.date.fromisoformat(iso)) if iso else ""


def styles() -> dict[str, Any]:
    """Paragraph styles of the sheets (none under :data:`MIN_PT`)."""
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "base": base,
        "small": style("small", fontSize=MIN_PT, leading=9.6),
        "smallb": style("smallb", fontName=BOLD, fontSize=MIN_PT, leading=9.6),
        "bold": style("bold", fontName=BOLD),
        "title": style("title", fontName=BOLD, fontSize=15, leading=18),
        "h2": style("h2", fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=0, spaceAfter=2),
        "big": style("big", fontName=BOLD, fontSize=13, leading=16),
    }


def para(text: object, style: Any) -> Any:
    """A wrapping paragraph of plain text (escaped; cp1252)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(latin(text)), style)


def grid(
    widths: list[float],
    rows: list[list[Any]],
    *,
    head: bool = True,
    heights: list[float | None] | None = None,
    extra: list | None = None,
    pad: float = 2.5,
    vpad: float = 1.5,
) -> Any:
    """A ruled table (black grid; a header row in bold on light grey), widths in points."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1 if head else 0)
    style: list = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), vpad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), vpad),
    ]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.86, 0.86, 0.86)))
    t.setStyle(TableStyle(style + (extra or [])))
    return t


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (long words are cut)."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out: list[str] = []
    for whole in simpleSplit(latin(text), font, size, width):
        line = whole
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out or [""]


def footer(canvas: Any, text: str, page: int, pages: int, width: float) -> None:
    """The identity line at the foot of every page (``... · page 1 of 2``)."""
    from logistics.i18n import _

    canvas.setFont(FONT, MIN_PT)
    canvas.setFillGray(0)
    line = _("{ident} · page {page} of {pages}").format(ident=text, page=page, pages=pages)
    canvas.drawString(MARGIN, MARGIN * 0.6, latin(line))
    canvas.drawRightString(width - MARGIN, MARGIN * 0.6, "senkata sheets")
