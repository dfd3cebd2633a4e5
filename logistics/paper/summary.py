"""The plant summary: the dispatcher's page of every truck, trip and blockade of the shift.

Landscape A4: the trucks in gate order with their commission and each trip (gate order,
departure, load, the blockades it meets), totals, then every blockade of the scenario with
its status, hours, delay and how many trips meet it, and signature boxes. It runs on to a
second page for a large fleet rather than shrinking its type under 8 pt. A page of its
own then lists every El Alto district and La Paz macrodistrict from the plan's accounts
(households, ration, delivered, walking access, why an area got less).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from logistics.i18n import _, fmt_int, fmt_num, fmt_pct, ngettext
from logistics.model import format_hhmm
from logistics.paper.context import SheetContext
from logistics.paper.data import shift_label
from logistics.paper.directions import window_text
from logistics.paper.printing import MARGIN, footer, grid, latin, long_date, money, para, styles
from logistics.plan import Plan, area_reason_text


def _canvas_with_footer(ident: str) -> type:
    """A canvas class printing the footer with ``page n of N`` (N known at save)."""
    from reportlab.pdfgen.canvas import Canvas

    class _Footed(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for n, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                footer(self, ident, n, len(self._saved), self._pagesize[0])
                super().showPage()
            super().save()

    return _Footed


def _status(closed: bool) -> str:
    return _("closed blockade") if closed else _("blockade with controlled crossing")


def _accounts_page(plan: Plan, width: float) -> list[Any]:
    """A page of every El Alto district and La Paz macrodistrict: households, ration,
    delivered, served share beside walking access, and why an area got less."""
    from reportlab.platypus import PageBreak, Spacer

    st = styles()
    t, sm, smb = st["base"], st["small"], st["smallb"]
    head = [_("Area"), _("Households"), _("Ration"), _("Delivered"), _("Served"),
            _("Within 500 m"), _("Within 1 km"), _("Why not all")]  # fmt: skip
    rows: list[list[Any]] = [[para(h, smb) for h in head]]
    for a in plan.district_areas():
        rows.append(
            [para(a.group, smb), para(fmt_int(round(a.households)), sm),
             para(fmt_int(a.ration), sm), para(fmt_int(round(a.delivered)), sm),
             para(fmt_pct(a.share), sm), para(fmt_pct(a.share_500m), sm),
             para(fmt_pct(a.share_1km), sm), para(area_reason_text(a), sm)]
        )  # fmt: skip
    fixed = [130, 58, 44, 50, 40, 52, 52]
    note = _(
        "Households from the 2024 census. Within 500 m / 1 km: the share of the households "
        "living that close to a point that received gas, in straight lines (the map has no "
        "footpaths)."
    )
    return [
        PageBreak(),
        para(_("EVERY HOUSEHOLD · districts and macrodistricts"), st["title"]),
        para(note, t),
        Spacer(1, 4),
        grid(
            [*fixed, width - sum(fixed)],
            rows,
            pad=2.0,
            vpad=1.0,
            extra=[("FONTSIZE", (0, 0), (-1, -1), 8), ("LEADING", (0, 0), (-1, -1), 9.6)],
        ),
    ]


def render_summary_pdf(
    path: Path,
    ctx: SheetContext,
    summary: list[dict],
    meets: dict[tuple[str, int], list[tuple[str, str]]],
) -> str:
    """Write the plant summary; return its checksum (12 hex digits).

    ``summary`` are :func:`~logistics.paper.sheets.summary_rows`; ``meets`` maps each trip
    to the (blockade id, checkpoint kind) pairs it meets.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Spacer

    plan = ctx.plan
    st = styles()
    b, t, sm, smb = st["bold"], st["base"], st["small"], st["smallb"]
    blob = json.dumps(summary, sort_keys=True, ensure_ascii=False).encode("utf-8")
    check = hashlib.sha256(blob).hexdigest()[:12]
    number = {z.id: f"B{k}" for k, z in enumerate(ctx.zones, start=1)}
    trucks = {tr.truck_id: tr for tr in plan.trucks}
    most = max((len(trucks[r["truck"]].trips) for r in summary), default=1)
    per_col = most <= 5
    head = [_("Out"), _("Truck"), _("Cap."), _("Commission")]
    head += [_("Trip {n}").format(n=k) for k in range(1, most + 1)] if per_col else [_("Trips")]
    head += [_("Cyl."), _("Value Bs"), "km"]
    rows: list[list[Any]] = [[para(h, smb) for h in head]]
    for r in summary:
        tr = trucks[r["truck"]]
        cells = []
        for trip in tr.trips:
            met = sorted({number[z] for z, _k in meets.get((tr.truck_id, trip.trip_no), [])})
            text = _("[{order}] {time} · {n}").format(
                order=ctx.order[(tr.truck_id, trip.trip_no)],
                time=format_hhmm(trip.depart),
                n=fmt_int(trip.loaded),
            )
            cells.append(text + (" · " + " ".join(met) if met else ""))
        people = ", ".join(
            f"{m} ({ctx.roles[m][1]})" if ctx.roles.get(m, ("", None))[1] else m for m in tr.members
        )
        commission = f"{tr.commission_id or '-'}: {people}"
        trip_cells = (
            [para(x, sm) for x in cells] + [""] * (most - len(cells))
            if per_col
            else [para("; ".join(cells), sm)]
        )
        rows.append(
            [para(r["first_out"], sm), para(r["truck"], smb), para(fmt_int(r["capacity"]), sm),
             para(commission, sm), *trip_cells, para(fmt_int(r["cylinders"]), sm),
             para(money(r["value_bs"]), sm), para(fmt_num(r["km"], 1), sm)]
        )  # fmt: skip
    loaded = sum(tr.delivered for tr in plan.trucks)
    n_trips = len(plan.trips())
    totals = [para(ngettext("{n} truck", "{n} trucks", len(summary)).format(n=len(summary)), b)]
    totals += [para(ngettext("{n} trip", "{n} trips", n_trips).format(n=n_trips), b)]
    totals += [""] * (len(head) - 8)
    rows.append(
        ["", para(_("Total"), b), "", *totals, para(fmt_int(loaded), b),
         para(money(loaded * ctx.price_bs), b), para(fmt_num(plan.km, 1), t)]
    )  # fmt: skip
    width = landscape(A4)[0] - 2 * MARGIN
    fixed = [26, 36, 30, 0, 44, 66, 40]
    trip_w = 92.0 if per_col else 330.0
    n_tc = most if per_col else 1
    fixed[3] = width - sum(fixed) - n_tc * trip_w
    widths = fixed[:4] + [trip_w] * n_tc + fixed[4:]
    shift = ctx.scenario.shift
    line = _(
        "{scenario} · {date} · shift {shift} · plan {plan} · stock {stock} cylinders · "
        "official price Bs {price} per cylinder"
    ).format(
        scenario=plan.scenario,
        date=long_date(ctx.date) or "____________",
        shift=shift_label(plan),
        plan=plan.plan_id(),
        stock=fmt_int(plan.plant.stock),
        price=money(ctx.price_bs),
    )
    story: list[Any] = [
        para(_("PLANT SUMMARY · {plant}").format(plant=plan.plant.name), st["title"]),
        para(line, t),
    ]
    if ctx.phones.get("plant"):
        story.append(para(_("Plant contact: {phone}").format(phone=ctx.phones["plant"]), sm))
    story += [
        para(_("[gate order] departure · cylinders · blockades met (B1 ... below)"), sm),
        Spacer(1, 4),
        grid(
            widths,
            rows,
            pad=2.0,
            vpad=1.0,
            extra=[("FONTSIZE", (0, 0), (-1, -1), 8), ("LEADING", (0, 0), (-1, -1), 9.6)],
        ),
        Spacer(1, 6),
        para(_("Blockades of the scenario"), st["h2"]),
    ]
    brow: list[list[Any]] = [
        [para(h, smb) for h in (_("No."), _("Blockade"), _("Status"), _("Stands"),
                                _("Delay"), _("Trips that meet it"))]
    ]  # fmt: skip
    for z in ctx.zones:
        in_shift = z.overlaps(shift.start_min, shift.end_min)
        hours = window_text(z.start, z.end, z.windowed)
        if not in_shift:
            hours = _("{hours} (not during this shift)").format(hours=hours)
        passes = sum(1 for v in meets.values() if any(i == z.id for i, k in v if k == "permit"))
        near = sum(1 for v in meets.values() if any(i == z.id for i, k in v if k != "permit"))
        if z.closed:
            trips = ngettext(
                "{n} trip passes near it (none crosses it)",
                "{n} trips pass near it (none crosses it)",
                near,
            ).format(n=near)
        else:
            trips = ngettext(
                "{n} trip passes the checkpoint", "{n} trips pass the checkpoint", passes
            ).format(n=passes)
        delay = _("{n} min").format(n=fmt_num(z.delay_min, 0)) if not z.closed else "-"
        brow.append([para(number[z.id], b), para(z.name, b), para(_status(z.closed), t),
                     para(hours, t), para(delay, t), para(trips, t)])  # fmt: skip
    if not ctx.zones:
        brow.append(["", para(_("No blockade in the scenario."), t), "", "", "", ""])
    story.append(grid([30, 250, 160, 120, 50, width - 610], brow))
    story.append(Spacer(1, 4))
    boxes = (_("Dispatcher (name, signature):"), _("Plant commission (name, signature):"),
             _("Closed at (time):"))  # fmt: skip
    story.append(grid([width / 3] * 3, [[para(x, sm) for x in boxes]], head=False,
                      heights=[28], extra=[("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
    if plan.areas:
        story += _accounts_page(plan, width)
    doc = SimpleDocTemplate(
        str(path),
        invariant=1,
        pagesize=landscape(A4),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 10,
        title=latin(_("Plant summary")),
        author="senkata sheets",
    )
    ident = _("plan {plan} · summary {check}").format(plan=plan.plan_id(), check=check)
    doc.build(story, canvasmaker=_canvas_with_footer(ident))
    return check
