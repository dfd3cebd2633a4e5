"""The trip sheet: one A4 page per trip, two for long ones, in black and white.

Page 1 holds what is signed and counted (truck, load, the commission, the stops with
households, ration, cylinders and boxes to fill, the checkpoints with a stamp box each,
incidents), then the map and the turn-by-turn in two columns. When the turn-by-turn does
not fit under a map of useful size, page 1 keeps the map and page 2 takes the list (and
the map too, when the stops leave no room for it on page 1). Tables are reportlab
flowables placed on the canvas at measured heights, so the number of pages is known before
drawing and the footer says "page 1 of 2".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistics.i18n import _, fmt_int, fmt_num
from logistics.model import format_hhmm
from logistics.paper.checkpoints import Checkpoint
from logistics.paper.context import SheetContext
from logistics.paper.data import shift_label
from logistics.paper.directions import (
    direction_rows,
    distance_text,
    draw_rows,
    flow,
    road_at,
    window_text,
)
from logistics.paper.maplegend import draw_legend, legend_height
from logistics.paper.printing import (
    BOLD,
    FONT,
    MARGIN,
    footer,
    grid,
    latin,
    long_date,
    money,
    para,
    styles,
)
from logistics.paper.qr import draw_qr, qr_payload
from logistics.paper.tripmap import MapBox, draw_trip_map, fit, view_extent
from logistics.plan import Trip, TruckPlan

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4, points
CONTENT_W = PAGE_W - 2 * MARGIN
_GAP = 4.5
_COL_GAP = 10.0
_QR = 72.0
_MAP_MIN, _MAP_MAX = 165.0, 330.0
_SIDE_MAP_MIN = 140.0  # a half-width map: 93 x 49 mm at least
_TOP = PAGE_H - MARGIN
_BOTTOM = MARGIN + 12  # above the footer


def _tags(checkpoints: list[Checkpoint]) -> list[tuple[str, Checkpoint]]:
    return [(f"C{k}", c) for k, c in enumerate(checkpoints, start=1)]


def _header(c: Any, ctx: SheetContext, truck: TruckPlan, trip: Trip, rows: list[dict]) -> float:
    """Title, truck and trip, date and shift, plan and sheet ids, the QR code."""
    sheet, pid = rows[0]["sheet"], rows[0]["plan_id"]
    x, y = MARGIN, _TOP
    c.setFillGray(0)
    c.setFont(BOLD, 14)
    c.drawString(x, y - 13, latin(_("DELIVERY SHEET · {plant}").format(plant=ctx.plan.plant.name)))
    c.setFont(BOLD, 22)
    big = _("{truck} · trip {trip} of {n}").format(
        truck=truck.truck_id, trip=trip.trip_no, n=ctx.n_trips(truck)
    )
    c.drawString(x, y - 38, latin(big))
    c.setFont(FONT, 10)
    date = long_date(rows[0]["date"]) or "____ / ____ / ______"
    line = _("{date} · shift {shift}").format(date=date, shift=shift_label(ctx.plan))
    c.drawString(x, y - 53, latin(line))
    c.setFont(FONT, 8)
    c.drawString(x, y - 65, latin(ctx.plan.scenario))
    qx = PAGE_W - MARGIN - _QR
    draw_qr(c, qr_payload(pid, truck.truck_id, trip.trip_no, sheet), qx, y - _QR + 2, _QR)
    c.setFont(FONT, 8)
    c.drawRightString(qx - 4, y - 12, latin(_("plan (for the ledger)")))
    c.setFont(BOLD, 11)
    c.drawRightString(qx - 4, y - 25, pid)
    c.setFont(FONT, 8)
    c.drawRightString(qx - 4, y - 38, latin(_("sheet")))
    c.setFont(BOLD, 11)
    c.drawRightString(qx - 4, y - 51, sheet)
    return _QR + 2


def _blocks(ctx: SheetContext, truck: TruckPlan, trip: Trip, rows: list[dict],
            tags: list[tuple[str, Checkpoint]]) -> list[Any]:  # fmt: skip
    """The tables of page 1, top to bottom (flowables, measured by the caller)."""
    from reportlab.platypus import Spacer

    st = styles()
    b, t, sm, smb = st["bold"], st["base"], st["small"], st["smallb"]
    order = ctx.order[(truck.truck_id, trip.trip_no)]
    times = _("{depart} / {back} planned · {km} km").format(
        depart=format_hhmm(trip.depart), back=format_hhmm(trip.back), km=fmt_num(trip.km, 1)
    )
    info = [
        [para(_("Truck"), b),
         para(_("{truck} (capacity {n} cylinders)").format(truck=truck.truck_id,
                                                          n=fmt_int(truck.capacity)), t),
         para(_("Gate order"), b),
         para(_("{n} of {total} departures").format(n=order, total=ctx.n_gates), t)],
        [para(_("Loading from"), b), para(format_hhmm(trip.load_start), t),
         para(_("Depart / back"), b), para(times, t)],
    ]  # fmt: skip
    contacts = [
        (_("Plant contact"), ctx.phones.get("plant")),
        (_("Commission contact"), ctx.phones.get(truck.commission_id or "")),
    ]
    if any(v for _k, v in contacts):
        info.append([para(contacts[0][0], b), para(contacts[0][1] or "-", t),
                     para(contacts[1][0], b), para(contacts[1][1] or "-", t)])  # fmt: skip
    out: list[Any] = [grid([78, 191.3, 78, 191.3], info, head=False)]
    load = [[para(_("Cylinders loaded at the plant: {n}").format(n=fmt_int(trip.loaded)),
                  st["big"]),
             para(_("Counted at the gate:"), sm), para(_("Plant signature:"), sm)]]  # fmt: skip
    out.append(grid([250, 144.3, 144.3], load, head=False, heights=[28],
                    extra=[("VALIGN", (1, 0), (-1, 0), "TOP")]))  # fmt: skip
    out.append(para(_("Guard commission {id}").format(id=truck.commission_id or "-"), st["h2"]))
    head = [_("Role"), _("Roster id"), _("Name (print)"), _("Signature, departure"),
            _("Signature, return")]  # fmt: skip
    members: list[list[Any]] = [[para(h, smb) for h in head]]
    members += [[para(ctx.role_text(m), sm), para(m, b), "", "", ""] for m in truck.members]
    out.append(grid([150, 62, 128, 99.3, 99.3], members,
                    heights=[None] + [21] * len(truck.members)))  # fmt: skip
    out.append(para(_("Stops, in order"), st["h2"]))
    head = [_("No."), _("Distribution point · district / zone"), _("Arrival"),
            _("Households / ration"), _("Cylinders"), _("Total Bs"), _("Delivered"),
            _("Returned"), _("Refused"), _("Junta: name, signature")]  # fmt: skip
    table: list[list[Any]] = [[para(h, smb) for h in head]]
    for r, s in zip(rows, trip.stops, strict=True):
        info_p = ctx.points.get(r["point_id"])
        where = " · ".join(x for x in (r["area"], r["zone"]) if x)
        if s.priority:
            where = _("priority site · {where}").format(where=where)
        if info_p is None:
            hh = "-"
        elif info_p.kind == "priority":
            hh = f"- / {fmt_int(info_p.ration)}"
        else:
            hh = f"{fmt_int(info_p.households)} / {fmt_int(info_p.ration)}"
        table.append([para(r["stop"], b), [para(r["name"], b), para(where, sm)],
                      para(r["arrive"], t), para(hh, t), para(fmt_int(r["cylinders"]), st["big"]),
                      para(money(r["total_bs"]), t), "", "", "", Spacer(1, 24)])  # fmt: skip
        # (the spacer keeps >= 24 pt to write and sign; long names grow the row)
    total_bs = sum(r["total_bs"] for r in rows)
    table.append(["", para(_("Total"), b), "", "", para(fmt_int(trip.loaded), st["big"]),
                  para(money(total_bs), b), "", "", "", ""])  # fmt: skip
    out.append(grid([20, 124, 38, 50, 44, 46, 50, 44, 52, 70.6], table))
    note = _(
        "Official price Bs {price} per cylinder. Arrival: planned. For each stop delivered + "
        "returned + refused = its cylinders. Delivered: handed to the junta against its "
        "signature. Refused: refused by the junta, brought back. Returned: not offered, "
        "brought back."
    ).format(price=money(ctx.price_bs))
    out.append(para(note, sm))
    if tags:
        out.append(para(_("Checkpoints and blockades on the way"), st["h2"]))
        out.append(_checkpoint_table(tags, st))
    else:
        out.append(para(_("Checkpoints and blockades on the way: none stands on or near this "
                          "route in the plan."), b))  # fmt: skip
    incidents = _("Incidents (blockades, refusals, damaged cylinders, anyone asking to buy):")
    top = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    out.append(grid([CONTENT_W], [[para(incidents, sm)]], head=False, heights=[28], extra=top))
    ids = " · ".join(f"{r['stop']} = {r['point_id']}" for r in rows)
    out.append(para(_("Details for the ledger: points {ids}").format(ids=ids), sm))
    return out


def _checkpoint_table(tags: list[tuple[str, Checkpoint]], st: dict[str, Any]) -> Any:
    from reportlab.platypus import Spacer

    b, t, sm, smb = st["bold"], st["base"], st["small"], st["smallb"]
    head = [_("No."), _("Blockade · what to do · where"), _("Stands"), _("Planned"),
            _("Stamp or signature of the checkpoint, time")]  # fmt: skip
    rows: list[list[Any]] = [[para(h, smb) for h in head]]
    for tag, ck in tags:
        z = ck.blockade
        where = _("on {road}, km {km} of the trip").format(road=road_at(ck), km=fmt_num(ck.km, 1))
        if ck.kind == "permit":
            what = _("Permit checkpoint: stop, show this sheet, have it stamped here.")
            planned = _("{time}, about {minutes} min").format(
                time=format_hhmm(ck.time), minutes=fmt_num(ck.delay_min, 0)
            )
        elif ck.kind == "closed-near":
            what = _("Closed blockade, {distance} from the route: do not drive towards it.").format(
                distance=distance_text(ck.distance_m)
            )
            where = _("closest on {road}, km {km} of the trip").format(
                road=road_at(ck), km=fmt_num(ck.km, 1)
            )
            planned = format_hhmm(ck.time)
        elif ck.kind == "closed-off-hours":
            what = _(
                "Site of a closed blockade, not standing at the planned time: if it is there, "
                "do not cross; turn back and call the plant."
            )
            planned = format_hhmm(ck.time)
        else:
            what = _(
                "Site of a permit checkpoint, not standing at the planned time: if it is "
                "there, stop and have it stamped here."
            )
            planned = format_hhmm(ck.time)
        rows.append([para(tag, b), [para(z.name, b), para(what, sm), para(where, sm)],
                     para(window_text(z.start, z.end, z.windowed), t), para(planned, t),
                     Spacer(1, 26)])  # fmt: skip
    return grid([24, 252, 58, 66, 138.6], rows, extra=[("VALIGN", (0, 1), (-1, -1), "TOP")])


def _measure(blocks: list[Any]) -> list[float]:
    return [blk.wrap(CONTENT_W, PAGE_H)[1] for blk in blocks]


def _draw_blocks(c: Any, blocks: list[Any], heights: list[float], y: float) -> float:
    for blk, h in zip(blocks, heights, strict=True):
        blk.drawOn(c, MARGIN, y - h)
        y -= h + _GAP
    return y


def _map(c: Any, ctx: SheetContext, trip: Trip, tags: list, y_top: float, lay: Layout) -> float:
    """The map (and its legend) as ``lay`` says, from ``y_top``; returns the y under it."""
    met = {ck.blockade.id for _t, ck in tags}
    in_trip = [z for z in ctx.zones if z.id in met or z.overlaps(trip.depart, trip.back)]
    mb = MapBox(lay.map_x, y_top - lay.map_h, lay.map_w, lay.map_h)
    fit(view_extent(ctx.net, ctx.plan, trip, [ck for _t, ck in tags]), mb)
    draw_trip_map(c, mb, ctx.net, ctx.plan, trip, checkpoints=tags, zones=in_trip)
    legend = draw_legend(c, lay.map_x, y_top - lay.map_h - 2, lay.map_w)
    return y_top - lay.map_h - 2 - legend - _GAP


def _heading(c: Any, text: str, x: float, y: float) -> float:
    c.setFont(BOLD, 10.5)
    c.setFillGray(0)
    c.drawString(x, y - 10.5, latin(text))
    return y - _HEAD


_HEAD = 15.0  # the list's heading
_LEGEND = 14.0  # the legend under a map of the page's width (one line)
_CONT = 16.0  # the continuation line on top of pages 2+
_MIN_COLUMN = 50.0  # less room than this under page 1 is not worth a start of the list


def _two_columns(page: int, y_top: float) -> list[tuple[int, float, float, float, float]]:
    """Two columns ``(page, x, y_top, width, height)`` from ``y_top`` to the foot."""
    w = (CONTENT_W - _COL_GAP) / 2
    h = y_top - _BOTTOM
    return [(page, MARGIN, y_top, w, h), (page, MARGIN + w + _COL_GAP, y_top, w, h)]


def _fits(rows: list, columns: list) -> bool:
    return sum(len(p) for p in flow(rows, [c[1:] for c in columns])) == len(rows)


def _largest_map(rows: list, columns_for: Any) -> float | None:
    """The tallest map (between the bounds) under which the rows still fit, or None."""
    return _largest_between(rows, columns_for, _MAP_MIN, _MAP_MAX)


def _largest_between(rows: list, columns_for: Any, lo: float, hi: float) -> float | None:
    """The tallest map in [lo, hi] under which the rows still fit, or None."""
    if not _fits(rows, columns_for(lo)):
        return None
    if _fits(rows, columns_for(hi)):
        return hi
    while hi - lo > 4:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _fits(rows, columns_for(mid)) else (lo, mid)
    return lo


@dataclass
class Layout:
    """How one trip sheet is laid out: the page and size of the map, the list's columns."""

    pages: int
    map_page: int
    map_h: float
    columns: list[tuple[int, float, float, float, float]]
    map_w: float = CONTENT_W
    map_x: float = MARGIN


def trip_layout(y: float, directions: list) -> Layout:
    """Lay out a sheet whose page 1 is filled down to ``y`` by the tables.

    In order of preference: one page (the map as tall as the list leaves room for); two
    pages with the map on page 1 and the list on page 2; two pages with the map over the
    list on page 2 (the list starting under the tables of page 1 when there is room); more
    pages only when the list does not fit even so.
    """
    below = y - _LEGEND - _GAP - _HEAD

    def one_page(h: float) -> list:
        return _two_columns(1, below - h)

    h = _largest_map(directions, one_page) if below - _MAP_MIN - _BOTTOM >= _MIN_COLUMN else None
    if h is not None:
        return Layout(1, 1, h, one_page(h))
    # one page, the map on the right half: the list down the left column, then on under
    # the map
    half = (CONTENT_W - _COL_GAP) / 2
    right = MARGIN + half + _COL_GAP
    legend = 2 + legend_height(half) + _GAP

    def beside(h: float) -> list:
        under = y - h - legend
        return [(1, MARGIN, y - _HEAD, half, y - _HEAD - _BOTTOM),
                (1, right, under, half, max(under - _BOTTOM, 0.0))]  # fmt: skip

    full = y - _BOTTOM - legend
    if full >= _SIDE_MAP_MIN:
        h = _largest_between(directions, beside, _SIDE_MAP_MIN, full)
        if h is not None:
            return Layout(1, 1, h, beside(h), map_w=half, map_x=right)
    top2 = _TOP - _CONT - _HEAD
    room1 = y - _BOTTOM - _LEGEND - _GAP
    if room1 >= _MAP_MIN:
        cols = _two_columns(2, top2)
        h, page = min(room1, _MAP_MAX + 120), 1
    else:
        start = _two_columns(1, y - _HEAD) if y - _HEAD - _BOTTOM >= _MIN_COLUMN else []

        def map_on_2(h: float) -> list:
            return start + _two_columns(2, top2 - h - _LEGEND - _GAP)

        h, page = _largest_map(directions, map_on_2) or _MAP_MIN, 2
        cols = map_on_2(h)
    pages = 2
    while not _fits(directions, cols):  # a very long trip: more pages of the list
        pages += 1
        cols = cols + _two_columns(pages, _TOP - _CONT - _HEAD)
    return Layout(pages, page, h, cols)


def render_trip_pdf(path: Path, ctx: SheetContext, truck: TruckPlan, trip: Trip) -> int:
    """Write one trip's A4 delivery sheet; return its number of pages."""
    from reportlab.pdfgen.canvas import Canvas

    rows = ctx.rows[(truck.truck_id, trip.trip_no)]
    tags = _tags(ctx.checkpoints(truck, trip))
    blocks = _blocks(ctx, truck, trip, rows, tags)
    heights = _measure(blocks)
    y = _TOP - _QR - 2 - _GAP - sum(h + _GAP for h in heights)
    directions = direction_rows(ctx.net, ctx.plan, trip, tags)
    lay = trip_layout(y, directions)
    sheet, pid = rows[0]["sheet"], rows[0]["plan_id"]
    ident = _("plan {plan} · sheet {sheet} · {truck} trip {trip}").format(
        plan=pid, sheet=sheet, truck=truck.truck_id, trip=trip.trip_no
    )
    # invariant: no creation time or random id in the file, so the same plan gives the
    # same bytes (whichever process draws it)
    c = Canvas(
        str(path), pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=FONT, invariant=1
    )
    c.setTitle(latin(_("Delivery sheet {truck} trip {trip}").format(
        truck=truck.truck_id, trip=trip.trip_no)))  # fmt: skip
    c.setAuthor("senkata sheets")
    c.setSubject(f"plan {pid} sheet {sheet}")
    title = _("Turn by turn (street names from OpenStreetMap; km)")
    placed = flow(directions, [col[1:] for col in lay.columns])
    for page in range(1, lay.pages + 1):
        if page == 1:
            _header(c, ctx, truck, trip, rows)
            y = _draw_blocks(c, blocks, heights, _TOP - _QR - 2 - _GAP)
        else:
            c.setFont(BOLD, 10)
            c.setFillGray(0)
            cont = _("{truck} · trip {trip} of {n} (continued)").format(
                truck=truck.truck_id, trip=trip.trip_no, n=ctx.n_trips(truck)
            )
            c.drawString(MARGIN, _TOP - 10, latin(cont))
            y = _TOP - _CONT
        if page == lay.map_page:
            y = _map(c, ctx, trip, tags, y, lay)
        here = [(col, picks) for col, picks in zip(lay.columns, placed, strict=True)
                if col[0] == page]  # fmt: skip
        if any(picks for _col, picks in here):
            _heading(c, title, here[0][0][1], here[0][0][2] + _HEAD)
        for col, picks in here:
            draw_rows(c, directions, picks, col[1], col[2], col[3])
        footer(c, ident, page, lay.pages, PAGE_W)
        c.showPage()
    c.save()
    return lay.pages
