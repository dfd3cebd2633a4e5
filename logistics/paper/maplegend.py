"""The symbols of the trip map: hatching, and the legend under the map (black and white:
weight, dash, hatching and shape tell the kinds apart)."""

from __future__ import annotations

from typing import Any

from logistics.i18n import _
from logistics.paper.printing import FONT, MIN_PT, latin

#: line widths and grey of the map's lines (shared with :mod:`logistics.paper.tripmap`)
ROUTE_W, ASSUMED_W = 2.6, 1.7
GREY = 0.62


def hatch(c: Any, clip: Any, area: tuple[float, float, float, float], step: float) -> None:
    """Diagonal lines ``step`` apart over ``area`` (x0, y0, x1, y1), inside ``clip``."""
    x0, y0, x1, y1 = area
    c.saveState()
    c.clipPath(clip, stroke=0, fill=0)
    c.setLineWidth(0.7)
    c.setStrokeGray(0)
    span = (x1 - x0) + (y1 - y0)
    k = 0.0
    while k < span:
        c.line(x0 + k, y0, x0 + k - (y1 - y0), y1)
        k += step
    c.restoreState()


def _legend_items() -> list[tuple[str, str, float]]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    items = [
        ("route", _("route")),
        ("assumed", _("assumed link (not in OSM)")),
        ("road", _("other roads")),
        ("stop", _("stop, in order")),
        ("plant", _("plant")),
        ("permit", _("checkpoint (permit)")),
        ("closed", _("closed blockade")),
    ]
    return [(k, latin(t), float(stringWidth(latin(t), FONT, MIN_PT))) for k, t in items]


def _legend_places(w: float) -> list[tuple[str, str, float, int]]:
    """(kind, text, x offset, line) of each legend item in a width of ``w`` points."""
    out = []
    cx, line = 0.0, 0
    for kind, text, tw in _legend_items():
        if cx > 0 and cx + 18 + tw > w:
            cx, line = 0.0, line + 1
        out.append((kind, text, cx, line))
        cx += 18 + tw + 6
    return out


def legend_height(w: float) -> float:
    """Height (points) of the legend in a width of ``w`` points."""
    return 12.0 * (1 + max(p[3] for p in _legend_places(w)))


def draw_legend(c: Any, x: float, y_top: float, w: float) -> float:
    """The map's symbols under it, from ``y_top`` down; returns the legend's height."""
    c.saveState()
    c.setFont(FONT, MIN_PT)
    for kind, text, dx, line in _legend_places(w):
        cx, cy = x + dx, y_top - 11 - 12 * line
        c.setStrokeGray(0)
        c.setFillGray(0)
        if kind in ("route", "assumed", "road"):
            c.setLineWidth({"route": ROUTE_W, "assumed": ASSUMED_W, "road": 0.8}[kind])
            c.setStrokeGray(GREY if kind == "road" else 0)
            c.setDash(*((3, 2.2) if kind == "assumed" else ((), 0)))
            c.line(cx, cy + 3, cx + 16, cy + 3)
            c.setDash()
        elif kind == "stop":
            c.setFillGray(1)
            c.setLineWidth(1.2)
            c.circle(cx + 8, cy + 3, 4.5, stroke=1, fill=1)
        elif kind == "plant":
            c.rect(cx + 4, cy - 1, 8, 8, stroke=0, fill=1)
        else:
            clip = c.beginPath()
            clip.circle(cx + 8, cy + 3, 5)
            if kind == "permit":
                hatch(c, clip, (cx + 3, cy - 2, cx + 13, cy + 8), 2.2)
            else:
                c.setLineWidth(1.4)
                c.line(cx + 4.5, cy - 0.5, cx + 11.5, cy + 6.5)
                c.line(cx + 4.5, cy + 6.5, cx + 11.5, cy - 0.5)
            c.setLineWidth(1.4)
            c.circle(cx + 8, cy + 3, 5, stroke=1, fill=0)
        c.setFillGray(0)
        c.drawString(cx + 18, cy, text)
    c.restoreState()
    return legend_height(w)
