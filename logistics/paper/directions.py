"""The turn-by-turn list of a trip sheet: legs, steps and the checkpoints met on them.

Rows are measured and drawn straight on the canvas (no table engine: a long trip has about
a hundred rows), flowing through columns from one page to the next, a leg's heading never
left alone at the foot of a column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logistics.i18n import _, fmt_num
from logistics.model import format_hhmm
from logistics.paper.checkpoints import Checkpoint
from logistics.paper.printing import BOLD, FONT, MIN_PT, latin, wrap_lines
from logistics.paper.steps import leg_steps, road_label, step_text
from logistics.plan import Plan, Trip
from logistics.roads import RoadNetwork

_LEAD = 9.2  # line height of 8 pt text
_PAD = 1.1
_NUM_W, _KM_W = 17.0, 34.0


@dataclass(frozen=True)
class Row:
    """One row of the list: a leg heading, a step or a checkpoint."""

    kind: str  # "head" | "step" | "check"
    tag: str
    text: str
    km: str

    def lines(self, width: float) -> list[str]:
        return _wrapped(self.text, self.kind == "step", width)

    def height(self, width: float) -> float:
        return len(self.lines(width)) * _LEAD + 2 * _PAD


@lru_cache(maxsize=4096)
def _wrapped(text: str, plain: bool, width: float) -> list[str]:
    return wrap_lines(text, FONT if plain else BOLD, MIN_PT, width - _NUM_W - _KM_W - 2 * _PAD)


def window_text(start: float, end: float, windowed: bool) -> str:
    """A blockade's hours: ``07:00-12:00`` or ``all day``."""
    if not windowed:
        return _("all day")
    return f"{format_hhmm(start)}-{format_hhmm(end)}"


def distance_text(metres: float) -> str:
    """``350 m`` or ``1,3 km``."""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m"
    return f"{fmt_num(metres / 1000, 1)} km"


def checkpoint_step(tag: str, ck: Checkpoint) -> str:
    """What the turn-by-turn says where a checkpoint is met."""
    z = ck.blockade
    if ck.kind == "permit":
        return _(
            "{tag} Checkpoint {name}: stop, show this sheet, have box {tag} stamped "
            "(about {minutes} min)"
        ).format(tag=tag, name=z.name, minutes=fmt_num(ck.delay_min, 0))
    if ck.kind == "closed-near":
        return _("{tag} Closed blockade {name}, {distance} away: do not turn towards it").format(
            tag=tag, name=z.name, distance=distance_text(ck.distance_m)
        )
    hours = window_text(z.start, z.end, z.windowed)
    if z.closed:
        return _(
            "{tag} Site of the closed blockade {name} (it stands {hours}): if it is there, "
            "do not cross; turn back and call the plant"
        ).format(tag=tag, name=z.name, hours=hours)
    return _(
        "{tag} Site of the checkpoint {name} (it stands {hours}): if it is there, stop and "
        "have box {tag} stamped"
    ).format(tag=tag, name=z.name, hours=hours)


def direction_rows(
    net: RoadNetwork, plan: Plan, trip: Trip, checkpoints: Sequence[tuple[str, Checkpoint]]
) -> list[Row]:
    """Every row of a trip's turn-by-turn, checkpoints after the step they are met on."""
    rows: list[Row] = []
    for k, leg in enumerate(trip.legs):
        if k == 0:
            head = _("From the plant to stop 1, {name}").format(name=trip.stops[0].name)
        elif k < len(trip.stops):
            head = _("From stop {a} to stop {b}, {name}").format(
                a=k, b=k + 1, name=trip.stops[k].name
            )
        else:
            head = _("From stop {a} back to the plant").format(a=k)
        arrive = trip.stops[k].arrive if k < len(trip.stops) else trip.back
        rows.append(
            Row(
                "head",
                "",
                _("{heading} · arrive {time}").format(heading=head, time=format_hhmm(arrive)),
                fmt_num(leg.km, 1),
            )
        )
        here = [(t, c) for t, c in checkpoints if c.leg == k]
        for n, step in enumerate(leg_steps(net, leg.nodes), start=1):
            rows.append(Row("step", str(n), step_text(step), fmt_num(step.km, 2)))
            for tag, ck in here:
                if step.start <= ck.pos < step.end:
                    rows.append(Row("check", tag, checkpoint_step(tag, ck), ""))
    return rows


def flow(rows: list[Row], columns: list[tuple[float, float, float, float]]) -> list[list[int]]:
    """Which rows go into which column ``(x, y_top, width, height)``; rows left over go in
    no column (the caller adds a page). A heading is kept with the row after it."""
    out: list[list[int]] = [[] for _ in columns]
    i = 0
    for col, (_x, _y, w, h) in enumerate(columns):
        used = 0.0
        while i < len(rows):
            need = rows[i].height(w)
            if rows[i].kind == "head" and i + 1 < len(rows):
                need += rows[i + 1].height(w)
            if used + need > h and out[col]:
                break
            if used + need > h and not out[col] and used + rows[i].height(w) > h:
                break
            out[col].append(i)
            used += rows[i].height(w)
            i += 1
    return out


def balanced_height(rows: list[Row], width: float, n_cols: int, limit: float) -> float | None:
    """The smallest column height (<= ``limit``) that holds every row in ``n_cols`` columns,
    or None when they do not fit."""
    cols = [(0.0, 0.0, width, limit)] * n_cols
    if sum(len(c) for c in flow(rows, cols)) < len(rows):
        return None
    lo, hi = max(r.height(width) for r in rows) if rows else 0.0, limit
    while hi - lo > 4:
        mid = (lo + hi) / 2
        if sum(len(c) for c in flow(rows, [(0.0, 0.0, width, mid)] * n_cols)) < len(rows):
            lo = mid
        else:
            hi = mid
    return hi


def draw_rows(c: Any, rows: list[Row], picks: list[int], x: float, y_top: float, w: float) -> None:
    """Draw the picked rows of one column, a ruled list, from ``y_top`` down."""
    y = y_top
    c.setLineWidth(0.4)
    for i in picks:
        r = rows[i]
        lines = r.lines(w)
        h = len(lines) * _LEAD + 2 * _PAD
        if r.kind == "head":
            c.setFillGray(0.86)
            c.rect(x, y - h, w, h, stroke=0, fill=1)
        elif r.kind == "check":
            c.setFillGray(1)
            c.setStrokeGray(0)
            c.setLineWidth(1.4)
            c.rect(x + 0.7, y - h + 0.7, w - 1.4, h - 1.4, stroke=1, fill=0)
            c.setLineWidth(0.4)
        c.setFillGray(0)
        base = y - _PAD - MIN_PT
        c.setFont(BOLD if r.kind != "step" else FONT, MIN_PT)
        if r.tag and r.kind == "step":
            c.drawRightString(x + _NUM_W - 3, base, r.tag)
        for k, line in enumerate(lines):
            c.drawString(x + _NUM_W, base - k * _LEAD, line)
        if r.km:
            c.drawRightString(x + w - _PAD, base, latin(r.km))
        y -= h
        c.setStrokeGray(0.55)
        c.line(x, y, x + w, y)
    c.setStrokeGray(0)


def road_at(ck: Checkpoint) -> str:
    """The road where a checkpoint is met, named as the sheet names roads."""
    from logistics.paper.steps import Step

    return road_label(Step("continue", ck.road, 0.0, kind=ck.road_kind))
