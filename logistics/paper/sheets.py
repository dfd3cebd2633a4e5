"""Delivery sheets a guard commission can carry, and the route files for phones.

``senkata sheets`` writes, for one plan:

``sheets/T01-trip1.pdf`` ...
    one A4 sheet per truck trip (two pages for long trips): truck, date, shift, the
    commission with signature boxes, the load, the stops (point, district/zone, households
    and ration, cylinders, total at the official price, boxes for delivered / returned /
    refused and the junta's signature), the checkpoints and blockades on the way with a
    stamp box each, a map drawn from the road geometry (no tiles), the turn-by-turn roads,
    and a QR code with the sheet's identity (:mod:`logistics.paper.qr`).
``plant-summary.pdf``
    for the dispatcher: every truck, its commission, each trip in gate order with the
    blockades it meets, and every blockade of the scenario with its status and hours.
``deliveries.csv``, ``deliveries.xlsx``
    the same rows (one worksheet per truck in the workbook) with empty columns the guards
    fill in; :func:`read_filled_sheet` reads a filled copy back.
``routes.geojson``, ``routes.gpx``
    one line / track per trip, plus the stops.

Every sheet carries the plan id and a checksum of its planned content (sha256 over the
canonical JSON of its rows, see :func:`sheet_checksum`), so a copy whose planned columns
were altered is told apart (:func:`verify_sheet_checksum`); the ledger keeps the checksums
of the dispatched sheets, so even a re-computed checksum on a forged copy does not match.
The trip PDFs are drawn by :mod:`logistics.paper.pdf` in worker processes (one per core)
while this process writes the other files; every text is in the language asked for.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logistics.i18n import DEFAULT_LANGUAGE, UnknownLanguageError, check_language, use_language
from logistics.model import InputError, Scenario, format_hhmm
from logistics.paper.context import PointInfo, SheetContext, departure_order, sheet_context
from logistics.paper.data import (
    _MONEY_COLS,
    COLUMNS,
    MAX_COUNT,
    OFFICIAL_PRICE_BS,
    commission_label,
)
from logistics.paper.routes import _geojson, _gpx
from logistics.plan import Plan
from logistics.roads import RoadNetwork

#: Fewer trip sheets than this are drawn in this process (starting workers costs more).
PARALLEL_FROM = 8


@dataclass(frozen=True)
class WrittenSheets:
    """The files :func:`write_sheets` wrote: trip PDFs and the rest, by what they are (never
    by the names of the folders they are in). Iterating gives every file, trip PDFs first."""

    trip_pdfs: list[Path]
    others: list[Path]
    #: pages of each trip PDF
    pages: dict[Path, int] = field(default_factory=dict)
    #: how the trip PDFs were drawn: ``workers``, ``render_cpu_s`` (CPU seconds of the
    #: drawing, all processes), ``worker_private_mb`` (largest private memory of a worker)
    stats: dict[str, float] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Path]:
        return iter([*self.trip_pdfs, *self.others])

    def __len__(self) -> int:
        return len(self.trip_pdfs) + len(self.others)


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:  # money as printed on the sheet (2 decimals)
            w.writerow({**r, **{c: f"{r[c]:.2f}" for c in _MONEY_COLS}})


def _write_xlsx(path: Path, plan: Plan, sheets: dict, summary: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    head = list(summary[0]) if summary else ["truck"]
    ws.append(head)
    for r in summary:
        ws.append([r[c] for c in head])
    ws.append([])
    ws.append([f"plan {plan.plan_id()} · {plan.scenario}"])
    by_truck: dict[str, list[dict]] = defaultdict(list)
    for (truck, _), rows in sheets.items():
        by_truck[truck].extend(rows)
    fill = PatternFill("solid", fgColor="EEEEEE")
    for truck, rows in by_truck.items():
        ws = wb.create_sheet(truck[:31])
        ws.append(COLUMNS)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([r[c] for c in COLUMNS])
        last = len(rows) + 1
        dv = DataValidation(type="whole", operator="between", formula1="0", formula2=str(MAX_COUNT))
        dv.error = "a whole number of cylinders >= 0"
        ws.add_data_validation(dv)
        for c in ("delivered", "returned", "refused"):
            letter = ws.cell(row=1, column=COLUMNS.index(c) + 1).column_letter
            dv.add(f"{letter}2:{letter}{last + 200}")
            for k in range(2, last + 1):
                ws[f"{letter}{k}"].fill = fill
        ws.freeze_panes = "A2"
    wb.save(path)


def summary_rows(plan: Plan, *, price_bs: float) -> list[dict]:
    """One row per truck with trips, for the dispatcher (CSV/XLSX summary and the PDF)."""
    order = departure_order(plan)
    rows = []
    for tr in sorted(plan.trucks_used, key=lambda x: order[(x.truck_id, x.trips[0].trip_no)]):
        trips = "; ".join(
            f"[{order[(tr.truck_id, t.trip_no)]}] {format_hhmm(t.depart)} trip {t.trip_no}: "
            f"{t.loaded}"
            for t in tr.trips
        )
        rows.append(
            {
                "first_out": order[(tr.truck_id, tr.trips[0].trip_no)],
                "truck": tr.truck_id,
                "capacity": tr.capacity,
                "commission": commission_label(tr),
                "trips": trips,
                "cylinders": tr.delivered,
                "value_bs": round(tr.delivered * price_bs, 2),
                "km": round(tr.km, 1),
            }
        )
    return rows


# ------------------------------------------------------------------ trip sheets, in workers
_WORKER: dict[str, Any] = {}


def _worker_init(ctx: SheetContext) -> None:
    _WORKER["ctx"] = ctx


Rendered = tuple[list[tuple[str, int, list]], float, float]


def _render(ctx: SheetContext, jobs: list[tuple[str, int, str]]) -> Rendered:
    """Render trip sheets ``(truck, trip, path)``; return ([(path, pages, blockades met)],
    CPU seconds, private memory of this process in MB)."""
    import time

    from logistics.paper.pdf import render_trip_pdf

    cpu = time.process_time()
    trucks = {t.truck_id: t for t in ctx.plan.trucks}
    out = []
    with use_language(ctx.lang):
        for truck_id, trip_no, path in jobs:
            truck = trucks[truck_id]
            trip = next(t for t in truck.trips if t.trip_no == trip_no)
            pages = render_trip_pdf(Path(path), ctx, truck, trip)
            met = [(c.blockade.id, c.kind) for c in ctx.checkpoints(truck, trip)]
            out.append((path, pages, met))
    return out, time.process_time() - cpu, _private_mb()


def _private_mb() -> float:
    """Memory this process holds alone (MB: private pages, not the libraries it shares)."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            kb = sum(
                int(ln.split()[1]) for ln in fh if ln.startswith(("Private_Clean", "Private_Dirty"))
            )
        return kb / 1024
    except OSError:  # pragma: no cover - not Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _render_in_worker(jobs: list[tuple[str, int, str]]) -> Rendered:
    return _render(_WORKER["ctx"], jobs)


def _prepare(ctx: SheetContext) -> None:
    """Build once, before workers start, what every sheet shares (the map's road lines and
    lookups, the blockade tests, the drawing modules), so a forked worker finds it built and
    a started one receives it with the map."""
    from logistics.paper import pdf  # noqa: F401 - imported here, not once per worker
    from logistics.paper.steps import edge_lookup, node_indices
    from logistics.paper.tripmap import road_lines

    road_lines(ctx.net)
    edge_lookup(ctx.net)
    node_indices(ctx.net, [int(ctx.net.node_osmid[0])])
    if ctx.plan.trips():
        ctx.checkpoints(*ctx.plan.trips()[0])


def default_workers() -> int:
    """Worker processes for the trip sheets: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _start_pool(ctx: SheetContext, workers: int) -> Any:
    """Worker processes: forked from this process when it runs a single thread (the CLI:
    nothing to import again, memory shared until written), else started from a clean server
    process (``forkserver``; the app serves its sessions on threads, and forking a threaded
    process can deadlock the child)."""
    import multiprocessing as mp
    import threading
    from concurrent.futures import ProcessPoolExecutor

    methods = mp.get_all_start_methods()
    if threading.active_count() == 1 and "fork" in methods:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context(method),
        initializer=_worker_init,
        initargs=(ctx,),
    )


def write_sheets(
    plan: Plan,
    scenario: Scenario,
    net: RoadNetwork,
    out_dir: str | Path,
    *,
    price_bs: float = OFFICIAL_PRICE_BS,
    date: str | None = None,
    trucks: Collection[str] | None = None,
    lang: str | None = None,
    points: dict[str, PointInfo] | None = None,
    workers: int | None = None,
) -> WrittenSheets:
    """Write the trip PDFs, plant summary, CSV, XLSX, GeoJSON and GPX of ``plan``.

    Parameters
    ----------
    plan, scenario, net
        The plan, the scenario it was made from (roster roles, plant access, blockades,
        contact phones) and its map.
    out_dir
        Directory for the files; written all or nothing (a temporary directory inside it,
        moved in when every file is complete).
    price_bs
        Official price per cylinder (Bs), printed with every stop's total.
    date
        Date printed on the sheets (``YYYY-MM-DD``); default the scenario's date, else a
        blank line to fill in.
    trucks
        Only these trucks get trip PDFs (after a re-plan: the trucks whose work changed);
        the summary, CSV, XLSX and routes always cover the whole plan.
    lang
        Language of the PDFs (``es`` by default: the guards' language). The CSV and XLSX
        columns are a file format and stay as they are.
    points
        Households and ration of each distribution point (computed from the scenario when
        not given).
    workers
        Processes drawing the trip PDFs (default: one per core; 1 draws them here).

    Returns
    -------
    WrittenSheets
        Every file written, trip PDFs apart from the rest.
    """
    if not (price_bs > 0 and math.isfinite(price_bs)):
        raise InputError("--price", f"expected a price in Bs > 0, got {price_bs:g}")
    try:
        lang = check_language(lang or DEFAULT_LANGUAGE)
    except UnknownLanguageError as exc:
        raise InputError("--lang", str(exc)) from None
    date = date if date is not None else (scenario.date.isoformat() if scenario.date else "")
    ctx = sheet_context(plan, scenario, net, price_bs=price_bs, date=date, lang=lang, points=points)
    summary = summary_rows(plan, price_bs=price_bs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = ["plant-summary.pdf", "deliveries.csv", "deliveries.xlsx", "routes.geojson",
             "routes.gpx"]  # fmt: skip
    with tempfile.TemporaryDirectory(dir=out, prefix=".writing-") as tmp:
        t = Path(tmp)
        (t / "sheets").mkdir()
        jobs = [
            (tr.truck_id, trip.trip_no, str(t / "sheets" / f"{tr.truck_id}-trip{trip.trip_no}.pdf"))
            for tr, trip in plan.trips()
            if (trucks is None or tr.truck_id in trucks) and trip.stops
        ]  # a re-planned trip that only brings its load back has no hand-over: no sheet
        n_workers = max(1, min(workers or default_workers(), len(jobs)))
        results: list[tuple[str, int, list]] = []
        stats = {"workers": 1.0, "render_cpu_s": 0.0, "worker_private_mb": 0.0}
        if n_workers > 1 and len(jobs) >= PARALLEL_FROM:
            stats["workers"] = n_workers
            chunks = [jobs[k :: n_workers * 2] for k in range(n_workers * 2)]
            _prepare(ctx)
            with _start_pool(ctx, n_workers) as pool:
                futures = [pool.submit(_render_in_worker, ch) for ch in chunks if ch]
                _write_files(t, ctx, summary)  # meanwhile, here
                for f in futures:
                    part, cpu, peak = f.result()
                    results += part
                    stats["render_cpu_s"] += cpu
                    stats["worker_private_mb"] = max(stats["worker_private_mb"], peak)
        else:
            _write_files(t, ctx, summary)
            results, stats["render_cpu_s"], _peak = _render(ctx, jobs)
        by_path = {j[2]: (j[0], j[1]) for j in jobs}
        meets = {by_path[p]: met for p, _n, met in results}
        with use_language(lang):
            for tr, trip in plan.trips():
                if (tr.truck_id, trip.trip_no) not in meets:
                    cks = ctx.checkpoints(tr, trip)
                    meets[(tr.truck_id, trip.trip_no)] = [(c.blockade.id, c.kind) for c in cks]
            from logistics.paper.summary import render_summary_pdf

            render_summary_pdf(t / "plant-summary.pdf", ctx, summary, meets)
        pages = {Path(p).name: n for p, n, _m in results}
        if (out / "sheets").exists():
            shutil.rmtree(out / "sheets")
        shutil.move(str(t / "sheets"), str(out / "sheets"))
        for n in names:
            shutil.move(str(t / n), str(out / n))
    pdfs = [out / "sheets" / Path(j[2]).name for j in jobs]
    return WrittenSheets(pdfs, [out / n for n in names], {p: pages[p.name] for p in pdfs}, stats)


def zip_sheets(files: WrittenSheets, root: Path) -> bytes:
    """The written files as one zip (paths relative to ``root``): PDFs stored as they are
    (they are compressed already), the text files deflated."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            kind = zipfile.ZIP_STORED if f.suffix == ".pdf" else zipfile.ZIP_DEFLATED
            zf.write(f, arcname=f.relative_to(root).as_posix(), compress_type=kind)
    return buf.getvalue()


def _write_files(t: Path, ctx: SheetContext, summary: list[dict]) -> None:
    """CSV, XLSX, GeoJSON and GPX (no language: file formats)."""
    plan, net = ctx.plan, ctx.net
    rows = [r for rs in ctx.rows.values() for r in rs]
    _write_csv(t / "deliveries.csv", rows)
    _write_xlsx(t / "deliveries.xlsx", plan, ctx.rows, summary)
    doc = json.dumps(_geojson(plan, net), separators=(",", ":"), ensure_ascii=False)
    (t / "routes.geojson").write_text(doc, encoding="utf-8")
    (t / "routes.gpx").write_text(_gpx(plan, net), encoding="utf-8")
