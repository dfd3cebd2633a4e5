"""Labels on the trip map: names placed where they touch nothing already drawn or named.

Each name is a line of real PDF text (8 pt) with a white halo, beside a marker or along a
nearly straight stretch of its road; a name that finds no free place is left out rather
than drawn over another ("where legible").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from logistics.paper.printing import BOLD, FONT, MIN_PT

_LABEL_PT = MIN_PT
_HALO_W = 2.4


class Labels:
    """Placed label and marker outlines (page points); a new label must not touch them."""

    def __init__(self, frame: BaseGeometry) -> None:
        self.frame = frame
        self.taken: list[tuple[tuple[float, float, float, float], BaseGeometry]] = []

    def free(self, shape: BaseGeometry) -> bool:
        if not self.frame.contains(shape):
            return False
        x0, y0, x1, y1 = shape.bounds
        return not any(
            b[0] <= x1 and x0 <= b[2] and b[1] <= y1 and y0 <= b[3] and shape.intersects(t)
            for b, t in self.taken
        )

    def take(self, shape: BaseGeometry) -> None:
        self.taken.append((shape.bounds, shape))


def _text_box(x: float, y: float, w: float, h: float, angle: float = 0.0) -> Polygon:
    """Outline of a text line whose baseline starts at (x, y), rotated by ``angle`` degrees."""
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    pts = [(0, -0.25 * h), (w, -0.25 * h), (w, 0.95 * h), (0, 0.95 * h)]
    return Polygon([(x + px * ca - py * sa, y + px * sa + py * ca) for px, py in pts])


def halo(c: Any, x: float, y: float, text: str, *, font: str = FONT, gray: float = 0.0,
          angle: float = 0.0, size: float = _LABEL_PT) -> None:  # fmt: skip
    c.saveState()
    c.translate(x, y)
    if angle:
        c.rotate(angle)
    c.setFont(font, size)
    c.setStrokeGray(1)
    c.setLineWidth(_HALO_W)
    c.setLineJoin(1)
    c.drawString(0, 0, text, mode=1)
    c.setFillGray(gray)
    c.drawString(0, 0, text, mode=0)
    c.restoreState()


def place_near(
    c: Any, labels: Labels, text: str, x: float, y: float, r: float, *, font: str = FONT,
    force: bool = False,
) -> bool:  # fmt: skip
    """Put ``text`` beside a marker of radius ``r`` at (x, y): right, left, above, below.

    With ``force`` the text is drawn even where it touches other labels (at the first place
    inside the map) when no free place is left: a checkpoint's name must be on the map.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    w, h = stringWidth(text, font, _LABEL_PT), _LABEL_PT
    spots = [(r + 2, -h / 3), (-r - 2 - w, -h / 3), (-w / 2, r + 2), (-w / 2, -r - h),
             (r, r), (r, -r - h), (-r - w, r), (-r - w, -r - h)]  # fmt: skip
    for dx, dy in spots:
        shape = _text_box(x + dx, y + dy, w, h)
        if labels.free(shape):
            labels.take(shape)
            halo(c, x + dx, y + dy, text, font=font)
            return True
    if force:
        inside = [s for s in spots if labels.frame.contains(_text_box(x + s[0], y + s[1], w, h))]
        dx, dy = (inside or spots)[0]
        labels.take(_text_box(x + dx, y + dy, w, h))
        halo(c, x + dx, y + dy, text, font=font)
        return True
    return False


def along(
    c: Any, labels: Labels, text: str, px: np.ndarray, py: np.ndarray, *, gray: float,
    offset: float,
) -> bool:  # fmt: skip
    """Put ``text`` beside a nearly straight stretch of the polyline (page points)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    w = stringWidth(text, FONT, _LABEL_PT)
    seg = np.hypot(np.diff(px), np.diff(py))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(cum[-1])
    if total < w + 8:
        return False
    centres = sorted(
        np.arange(w / 2 + 2, total - w / 2 - 2, 14.0), key=lambda s: abs(s - total / 2)
    )
    for s in centres[:24]:
        a, b = s - w / 2, s + w / 2
        ax, ay = np.interp(a, cum, px), np.interp(a, cum, py)
        bx, by = np.interp(b, cum, px), np.interp(b, cum, py)
        inner = (cum > a) & (cum < b)
        chord = math.hypot(bx - ax, by - ay)
        if chord < 0.85 * w:
            continue  # too curved for a straight label
        if inner.any():
            # distance of the inner vertices from the chord
            nx, ny = -(by - ay) / chord, (bx - ax) / chord
            dev = np.abs((px[inner] - ax) * nx + (py[inner] - ay) * ny)
            if float(dev.max()) > 5.0:
                continue
        angle = math.degrees(math.atan2(by - ay, bx - ax))
        if angle > 90 or angle < -90:  # keep text upright
            ax, ay, bx, by = bx, by, ax, ay
            angle = math.degrees(math.atan2(by - ay, bx - ax))
        nx, ny = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
        for side in (1, -1):
            shift = offset if side > 0 else -offset - _LABEL_PT * 0.7
            sx, sy = ax + nx * shift, ay + ny * shift
            shape = _text_box(sx, sy, w, _LABEL_PT, angle)
            if labels.free(shape):
                labels.take(shape)
                halo(c, sx, sy, text, gray=gray, angle=angle)
                return True
    return False


def tag_box(c: Any, labels: Labels, text: str, x: float, y: float) -> None:
    """A black box with white text (``C1``) beside a point of the route."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    w = stringWidth(text, BOLD, 9) + 5
    for bx, by in ((x + 5, y + 5), (x - 5 - w, y + 5), (x + 5, y - 17), (x - 5 - w, y - 17)):
        shape = box(bx, by, bx + w, by + 12)
        if labels.free(shape):
            break
    c.setFillGray(0)
    c.rect(bx, by, w, 12, stroke=0, fill=1)
    c.setFillGray(1)
    c.setFont(BOLD, 9)
    c.drawString(bx + 2.5, by + 3, text)
    labels.take(shape)


def text_width(text: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, FONT, MIN_PT))
