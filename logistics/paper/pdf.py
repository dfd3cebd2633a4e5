"""The printed side of :mod:`logistics.paper`: trip sheets, the plant summary, trip maps.

A4, black and white: the map tells route, assumed links, other roads, stops and the plant
apart by line width, dash and marker shape, never by colour alone. Text uses the standard
PDF fonts (cp1252); characters they lack print as ``?`` rather than as blank boxes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape

import numpy as np

from logistics.model import format_hhmm
from logistics.paper.data import shift_label
from logistics.paper.steps import edge_lookup, leg_steps
from logistics.plan import Plan, Trip, TruckPlan
from logistics.roads import KIND_ROAD, RoadNetwork

_MARGIN_MM = 12.0
_GREY = 0.72


def _latin(text: object) -> str:
    """Text the standard PDF fonts can show (cp1252); anything else becomes '?'."""
    return str(text).encode("cp1252", "replace").decode("cp1252")


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    bold = "Helvetica-Bold"
    return {
        "base": base,
        "small": style("small", fontSize=7.5, leading=9),
        "bold": style("bold", fontName=bold),
        "title": style("title", fontName=bold, fontSize=15, leading=18),
        "h2": style("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=7, spaceAfter=3),
        "big": style("big", fontName=bold, fontSize=13, leading=16),
    }


def _p(text: object, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(_latin(text)), style)


def _canvas_with_footer(footer: str) -> type:
    """A canvas class printing ``footer · page n of N`` on every page (N known at save)."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class _Footed(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                text = f"{footer} · page {self._pageNumber} of {len(self._saved)}"
                self.drawString(_MARGIN_MM * mm, 7 * mm, _latin(text))
                super().showPage()
            super().save()

    return _Footed


def _grid(
    widths_mm: list[float],
    rows: list[list[Any]],
    *,
    head: bool = True,
    heights_mm: list[float | None] | None = None,
    extra: list | None = None,
) -> Any:
    """A ruled table (black grid; header row light grey, repeated on each page)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    heights = None if heights_mm is None else [h * mm if h else None for h in heights_mm]
    t = Table(
        rows,
        colWidths=[w * mm for w in widths_mm],
        rowHeights=heights,
        repeatRows=1 if head else 0,
    )
    style: list = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.85, 0.85)))
    t.setStyle(TableStyle(style + (extra or [])))
    return t


def _nice_km(width_km: float) -> float:
    return min((b for b in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if b >= width_km / 6), default=20)


def trip_map_png(
    net: RoadNetwork, plan: Plan, trip: Trip, *, dpi: int = 150
) -> tuple[bytes, float]:
    """Overview map of one trip, drawn from the road geometry (no tiles).

    Returns
    -------
    (PNG bytes, height / width)
        Other roads in light grey, the route in thick black (assumed links dashed),
        stops as numbered white discs, the plant as a black square, a scale bar, north.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    lookup = edge_lookup(net)
    real: list = []
    assumed: list = []
    for leg in trip.legs:
        idx = [net.node_index(n) for n in leg.nodes]
        for u, v in itertools.pairwise(idx):
            seg = [(net.lon[u], net.lat[u]), (net.lon[v], net.lat[v])]
            e = lookup.get((u, v))
            (real if e is None or net.edge_kind[e] == KIND_ROAD else assumed).append(seg)
    pts = np.array(
        [p for seg in real + assumed for p in seg]
        + [(plan.plant.lon, plan.plant.lat)]
        + [(s.lon, s.lat) for s in trip.stops]
    )
    w, s = pts.min(axis=0)
    e_, n = pts.max(axis=0)
    pad = max(0.12 * max(e_ - w, n - s), 0.004)
    w, s, e_, n = w - pad, s - pad, e_ + pad, n + pad
    coslat = math.cos(math.radians((s + n) / 2))
    ratio = min(max((n - s) / ((e_ - w) * coslat), 0.5), 1.05)
    # widen the short side so the map keeps true proportions in a figure of this ratio
    want_h = ratio * (e_ - w) * coslat
    if want_h > n - s:
        s, n = (s + n - want_h) / 2, (s + n + want_h) / 2
    else:
        want_w = (n - s) / (ratio * coslat)
        w, e_ = (w + e_ - want_w) / 2, (w + e_ + want_w) / 2
    fig = Figure(figsize=(7.1, 7.1 * ratio), dpi=dpi)
    ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
    eu, ev = net.edge_u, net.edge_v
    lu, la, lv, lb = net.lon[eu], net.lat[eu], net.lon[ev], net.lat[ev]
    inside = ((lu >= w) & (lu <= e_) & (la >= s) & (la <= n)) | (
        (lv >= w) & (lv <= e_) & (lb >= s) & (lb <= n)
    )
    grey = np.stack(
        [np.column_stack([lu[inside], la[inside]]), np.column_stack([lv[inside], lb[inside]])],
        axis=1,
    )
    # an (n, 2, 2) array is n segments; matplotlib's stubs ask for a sequence
    ax.add_collection(LineCollection(cast(Any, grey), colors=str(_GREY), linewidths=0.8, zorder=1))
    ax.add_collection(LineCollection(real, colors="black", linewidths=2.8, zorder=3))
    if assumed:
        dash = (0, (2, 1.5))
        ax.add_collection(
            LineCollection(assumed, colors="black", linewidths=1.8, linestyles=dash, zorder=3)
        )
    px, py = plan.plant.lon, plan.plant.lat
    ax.scatter([px], [py], marker="s", s=190, c="black", zorder=6)
    ax.text(
        px, py, "P", color="white", ha="center", va="center", fontsize=8, weight="bold", zorder=7
    )
    for k, st in enumerate(trip.stops, start=1):
        ax.scatter(
            [st.lon], [st.lat], s=230, c="white", edgecolors="black", linewidths=1.5, zorder=8
        )
        ax.text(
            st.lon, st.lat, str(k), ha="center", va="center", fontsize=9, weight="bold", zorder=9
        )
    ax.set_xlim(w, e_)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / coslat, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bar = _nice_km((x1 - x0) * coslat * 111.32)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    bx1 = bx + bar / (111.32 * coslat)
    ax.plot([bx, bx1], [by, by], color="black", lw=4, solid_capstyle="butt", zorder=9)
    ax.text(
        (bx + bx1) / 2, by + 0.015 * (y1 - y0), f"{bar:g} km", ha="center", va="bottom", fontsize=8
    )
    ax.annotate(
        "N",
        xy=(0.965, 0.97),
        xytext=(0.965, 0.84),
        xycoords="axes fraction",
        ha="center",
        fontsize=10,
        weight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
    )
    handles = [
        Line2D([], [], color="black", lw=2.8, label="route"),
        Line2D([], [], color="black", lw=1.8, ls=(0, (2, 1.5)), label="assumed link (not in OSM)"),
        Line2D([], [], color=str(_GREY), lw=1, label="other roads"),
        Line2D([], [], marker="o", ms=10, mfc="white", mec="black", ls="", label="stop, in order"),
        Line2D([], [], marker="s", ms=9, color="black", ls="", label="plant"),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=7.5, framealpha=1, edgecolor="black")
    ax.text(
        0.995,
        0.005,
        "roads: © OpenStreetMap contributors (ODbL), 2019 extract",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=6,
        color="0.25",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue(), ratio


def _directions(net: RoadNetwork, plan: Plan, trip: Trip, st: dict) -> Any:
    rows: list[list[Any]] = [
        [
            "",
            _p("Roads to drive (street names from OpenStreetMap)", st["bold"]),
            _p("km", st["bold"]),
        ]
    ]
    heads = []
    here = "the plant"
    for k, leg in enumerate(trip.legs):
        if k < len(trip.stops):
            dest = f"stop {k + 1}, {trip.stops[k].name}"
        else:
            dest = f"the plant ({plan.plant.name})"
        heads.append(len(rows))
        rows.append(["", _p(f"From {here} to {dest}", st["bold"]), _p(f"{leg.km:.2f}", st["bold"])])
        for n, step in enumerate(leg_steps(net, leg.nodes), start=1):
            text = f"{step.turn} {step.road}"
            rows.append(
                [_p(n, st["small"]), _p(text, st["small"]), _p(f"{step.km:.2f}", st["small"])]
            )
        here = dest.split(",")[0]
    shade = [("BACKGROUND", (0, h), (-1, h), (0.9, 0.9, 0.9)) for h in heads]
    pads = [("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    return _grid([10, 156, 20], rows, extra=shade + pads)


def render_trip_pdf(
    path: Path,
    plan: Plan,
    truck: TruckPlan,
    trip: Trip,
    rows: list[dict],
    net: RoadNetwork,
    *,
    roles: dict[str, str],
    n_trips: int,
    gate: int,
    n_gates: int,
) -> None:
    """Write one trip's A4 delivery sheet.

    Page 1: truck, date, shift, load, the commission with signature boxes and the stop list
    with price, totals and boxes to fill; then the overview map and the turn-by-turn roads.
    ``net`` must carry the plant access links; ``rows`` are :func:`~logistics.paper.trip_rows`.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, SimpleDocTemplate, Spacer

    st = _styles()
    b, t, sm = st["bold"], st["base"], st["small"]
    sheet, price, pid = rows[0]["sheet"], rows[0]["price_bs"], rows[0]["plan_id"]
    ident = f"{truck.truck_id} trip {trip.trip_no}"
    no_lines = [("GRID", (0, 0), (-1, -1), 0, "white")]
    title = [
        [
            _p("DELIVERY SHEET · Senkata LPG", st["title"]),
            _p(f"{truck.truck_id} · trip {trip.trip_no} of {n_trips}", st["title"]),
        ]
    ]
    times = f"{format_hhmm(trip.depart)} / {format_hhmm(trip.back)} planned, {trip.km:.1f} km"
    info = [
        [_p("Truck", b), _p(f"{truck.truck_id} (capacity {truck.capacity})", t), _p("Date", b),
         _p(rows[0]["date"] or "____ / ____ / ______", t)],
        [_p("Shift", b), _p(shift_label(plan), t), _p("Gate order", b),
         _p(f"{gate} of {n_gates} departures", t)],
        [_p("Loading", b), _p(f"from {format_hhmm(trip.load_start)}", t),
         _p("Depart / back", b), _p(times, t)],
        [_p("Plan", b), _p(pid, t), _p("Sheet", b), _p(sheet, t)],
    ]  # fmt: skip
    load = [
        [
            _p(f"Cylinders loaded at the plant: {trip.loaded}", st["big"]),
            _p("Counted at the gate:", sm),
            _p("Plant signature:", sm),
        ]
    ]
    members = [[_p(h, b) for h in ("Role", "Roster id", "Name (print)", "Signed, departure",
                                   "Signed, return")]]  # fmt: skip
    members += [[_p(roles.get(m, "?"), sm), _p(m, t), "", "", ""] for m in truck.members]
    head = ("#", "Distribution point · district / zone · id", "Time", "Cyl.", "Bs / cyl.",
            "Total Bs", "Deliv- ered", "Re- turned", "Re- fused",
            "Junta: name, signature")  # fmt: skip
    stops: list[list[Any]] = [[_p(h, b) for h in head]]
    for r in rows:
        where = " · ".join(x for x in (r["area"], r["zone"], r["point_id"]) if x)
        stops.append(
            [
                _p(r["stop"], b),
                [_p(r["name"], b), _p(where, sm)],
                _p(r["arrive"], t),
                _p(r["cylinders"], b),
                _p(f"{r['price_bs']:.2f}", t),
                _p(f"{r['total_bs']:,.2f}", t),
                "",
                "",
                "",
                Spacer(1, 11 * mm),
            ]
        )  # fmt: skip  (the spacer keeps >= 11 mm to write and sign; long names grow the row)
    total_bs = sum(r["total_bs"] for r in rows)
    stops.append(["", _p("Total", b), "", _p(trip.loaded, b), "", _p(f"{total_bs:,.2f}", b),
                  "", "", "", ""])  # fmt: skip
    note = (
        f"Official price Bs {price:.2f} per cylinder. Time: planned arrival. For each stop "
        "delivered + returned + "
        "refused = its cylinders. Delivered: handed to the junta against its signature. "
        "Refused: refused by the junta, brought back. Returned: not offered, brought back."
    )
    png, ratio = trip_map_png(net, plan, trip)
    story: list[Any] = [
        _grid([118, 68], title, head=False, extra=no_lines),
        _p(plan.scenario, sm),
        Spacer(1, 3 * mm),
        _grid([24, 69, 24, 69], info, head=False),
        Spacer(1, 3 * mm),
        _grid(
            [86, 50, 50],
            load,
            head=False,
            heights_mm=[12],
            extra=[("VALIGN", (1, 0), (-1, 0), "TOP")],
        ),
        _p(f"Guard commission {truck.commission_id or '-'}", st["h2"]),
        _grid([44, 24, 40, 39, 39], members, heights_mm=[None] + [11] * len(truck.members)),
        _p("Stops, in order", st["h2"]),
        _grid(
            [7, 50, 11, 12, 12, 17, 15, 15, 15, 32],
            stops,
            heights_mm=[None] * (len(rows) + 1) + [8],
        ),
        Spacer(1, 1 * mm),
        _p(note, sm),
        Spacer(1, 3 * mm),
        _grid(
            [186],
            [[_p("Incidents (blockades, refusals, damaged cylinders, anyone asking to buy):", sm)]],
            head=False,
            heights_mm=[24],
            extra=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        KeepTogether(
            [
                _p("Overview map", st["h2"]),
                Image(io.BytesIO(png), width=186 * mm, height=186 * mm * ratio),
            ]
        ),
        _p("Turn by turn", st["h2"]),
        _directions(net, plan, trip, st),
    ]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=_MARGIN_MM * mm,
        rightMargin=_MARGIN_MM * mm,
        topMargin=_MARGIN_MM * mm,
        bottomMargin=14 * mm,
        title=f"Delivery sheet {ident}",
        author="senkata sheets",
        subject=f"plan {pid} sheet {sheet}",
    )
    doc.build(story, canvasmaker=_canvas_with_footer(f"plan {pid} · sheet {sheet} · {ident}"))


def render_summary_pdf(
    path: Path, plan: Plan, summary: list[dict], *, price_bs: float, date: str
) -> str:
    """Write the one-page plant summary (landscape, shrunk to fit); return its checksum."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, SimpleDocTemplate, Spacer

    st = _styles()
    b, t, sm = st["bold"], st["base"], st["small"]
    blob = json.dumps(summary, sort_keys=True, ensure_ascii=False).encode("utf-8")
    check = hashlib.sha256(blob).hexdigest()[:12]
    n_trips = len(plan.trips())
    loaded = sum(tr.delivered for tr in plan.trucks)
    head = ("Out", "Truck", "Cap.", "Commission", "[gate order] depart · trip: cylinders",
            "Cyl.", "Value Bs", "km")  # fmt: skip
    rows: list[list[Any]] = [[_p(h, b) for h in head]]
    for r in summary:
        rows.append(
            [_p(r["first_out"], t), _p(r["truck"], b), _p(r["capacity"], t),
             _p(r["commission"], sm), _p(r["trips"], sm), _p(f"{r['cylinders']:,}", t),
             _p(f"{r['value_bs']:,.2f}", t), _p(f"{r['km']:.1f}", t)]
        )  # fmt: skip
    rows.append(
        ["", _p("Total", b), "", _p(f"{len(summary)} trucks", t), _p(f"{n_trips} trips", t),
         _p(f"{loaded:,}", b), _p(f"{loaded * price_bs:,.2f}", b), _p(f"{plan.km:,.1f}", t)]
    )  # fmt: skip
    line = (
        f"{plan.scenario} · date {date or '____________'} · shift {shift_label(plan)} · "
        f"plan {plan.plan_id()} · stock {plan.plant.stock:,} · official price "
        f"Bs {price_bs:.2f} per cylinder"
    )
    boxes = ("Dispatcher (name, signature):", "Plant commission (name, signature):",
             "Closed at (time):")  # fmt: skip
    sign = [[_p(x, sm) for x in boxes]]
    story = [
        _p("PLANT SUMMARY · Senkata LPG dispatch", st["title"]),
        _p(line, t),
        Spacer(1, 3 * mm),
        _grid([11, 14, 11, 62, 120, 14, 22, 15], rows),
        Spacer(1, 4 * mm),
        _grid(
            [90, 90, 89],
            sign,
            head=False,
            heights_mm=[14],
            extra=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
    ]
    page = landscape(A4)
    frame_w = page[0] - 2 * _MARGIN_MM * mm
    frame_h = page[1] - _MARGIN_MM * mm - 14 * mm
    doc = SimpleDocTemplate(
        str(path),
        pagesize=page,
        leftMargin=_MARGIN_MM * mm,
        rightMargin=_MARGIN_MM * mm,
        topMargin=_MARGIN_MM * mm,
        bottomMargin=14 * mm,
        title="Plant summary",
        author="senkata sheets",
    )
    # KeepInFrame shrinks the table to one page, whatever the fleet size.
    frame = KeepInFrame(frame_w - 12, frame_h - 12, story, mode="shrink")
    doc.build([frame], canvasmaker=_canvas_with_footer(f"plan {plan.plan_id()} · summary {check}"))
    return check
