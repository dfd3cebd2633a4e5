"""Delivery sheets: PDFs a guard can carry, the plant summary, CSV/XLSX round trips, routes.

A small plan on the real map (two trucks, a point served by two trips, an excluded point)
is written once per module (``conftest.py``); the PDFs are rendered with Debian's
``pdftoppm`` and their text read back with pypdf. One slow test does the same for the
default June 2005 plan.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from logistics.model import InputError, scenario_to_yaml
from logistics.paper import (
    COLUMNS,
    read_filled_sheet,
    trip_rows,
    verify_sheet_checksum,
    write_sheets,
)
from logistics.roads import with_plant_access
from tests.helpers import SMALL_PLAN_TRIPS, trip_shape
from tests.paper.conftest import PRICE
from tests.paper.pdfs import pdf_text as _pdf_text
from tests.paper.pdfs import render_page

ROOT = Path(__file__).resolve().parents[2]


def _render_page1(pdf: Path, tmp: Path) -> Path:
    return render_page(pdf, tmp, dpi=60)


def test_small_plan_shape(small):
    """The fixture plan has what the sheets must handle: two trucks, a point on two trips."""
    _, plan = small
    assert trip_shape(plan) == SMALL_PLAN_TRIPS


def test_writes_every_file(small, written):
    _, _plan = small
    out, files = written
    names = [f.relative_to(out).as_posix() for f in files]
    assert [f.relative_to(out).as_posix() for f in files.trip_pdfs] == names[:3]
    assert files.pages == {f: 1 for f in files.trip_pdfs}  # short trips: one page each
    assert names == [
        "sheets/T01-trip1.pdf",
        "sheets/T01-trip2.pdf",
        "sheets/T02-trip1.pdf",
        "plant-summary.pdf",
        "deliveries.csv",
        "deliveries.xlsx",
        "routes.geojson",
        "routes.gpx",
    ]
    assert all(f.stat().st_size > 0 for f in files)
    assert not [p for p in out.iterdir() if p.name.startswith(".writing-")]


def test_trip_pdf_renders_and_reads_back(small, written, tmp_path):
    """Page 1 renders to an A4 PNG; the text has truck, stops, totals, plan id, checksum."""
    _, plan = small
    out, _ = written
    pdf = out / "sheets" / "T01-trip2.pdf"
    png = _render_page1(pdf, tmp_path)
    w, h = Image.open(png).size
    assert abs(w - 496) <= 1 and abs(h - 702) <= 1  # A4 (210 x 297 mm) at 60 dpi
    assert png.stat().st_size > 5_000  # not a blank page
    text = _pdf_text(pdf)
    rows = trip_rows(
        plan, plan.trucks[0], plan.trucks[0].trips[1], price_bs=PRICE, date="2005-06-08"
    )
    for needed in (
        "T01 · trip 2 of 2",
        "June 8, 2005",
        "07:00-19:00",
        "Guard commission C01",
        "PW01",
        "JD0-01",
        "junta delegate (Distrito 8)",
        "Point b",
        "Point c",
        "30 / 30",  # households / ration of b (listed: 30 households, 1 cylinder each)
        "Cylinders loaded at the plant: 50",
        "675.00",  # b: 30 x 22.50
        "450.00",  # c: 20 x 22.50
        "1,125.00",  # total
        "Official price Bs 22.50",
        f"plan {plan.plan_id()} · sheet {rows[0]['sheet']} · T01 trip 2 · page 1 of 1",
        "Turn by turn",
        "From the plant to stop 1, Point b · arrive 07:39",
        "1 Start on Avenida 6 de Marzo 1.05 2 Continue on RN1: Ruta Nacional 1 0.79",
        "Turn left onto plant gate (assumed access)",
        "none stands on or near this route",
        "Details for the ledger: points 1 = b · 2 = c",
    ):
        assert needed in text, needed
    assert "Point a" not in text


def test_every_trip_sheet_lists_its_stops(small, written):
    _, plan = small
    out, _ = written
    for tr, trip in plan.trips():
        text = _pdf_text(out / "sheets" / f"{tr.truck_id}-trip{trip.trip_no}.pdf")
        assert f"{tr.truck_id} · trip {trip.trip_no}" in text
        assert f"Cylinders loaded at the plant: {trip.loaded}" in text
        assert f"{trip.loaded * PRICE:,.2f}" in text
        for s in trip.stops:
            assert s.name in text


def test_plant_summary_is_one_page(small, written):
    """The dispatcher's page of trucks and blockades is one page; the accounts of every
    district and macrodistrict follow on a page of their own."""
    _, plan = small
    out, _ = written
    reader = PdfReader(out / "plant-summary.pdf")
    assert len(reader.pages) == 2
    areas = " ".join(reader.pages[1].extract_text().split())
    assert "EVERY HOUSEHOLD · districts and macrodistricts" in areas
    for a in plan.district_areas():
        assert a.group in areas, a.group
    assert "no road of the loaded map in the area" in areas  # Distrito 7 and others
    text = " ".join(reader.pages[0].extract_text().split())
    assert f"plan {plan.plan_id()}" in text
    assert "[1] 07:10 · 35" in text  # gate order, departure, load
    assert "C02: PW02, JD0-02 (Distrito 8)" in text
    assert "3 trips" in text and "2 trucks" in text
    assert "2,700.00" in text  # 120 cylinders x 22.50
    assert "No blockade in the scenario." in text


def test_leg_steps_follow_named_roads(small, net):
    from logistics.i18n import use_language
    from logistics.paper import leg_steps, step_text

    sc, plan = small
    anet = with_plant_access(net, sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    trip = plan.trucks[0].trips[1]
    out_leg, back_leg = trip.legs[0], trip.legs[-1]
    steps = leg_steps(anet, out_leg.nodes)
    assert [(s.turn, s.kind, s.road) for s in steps] == [
        ("start", "road", "Avenida 6 de Marzo"),
        ("continue", "road", "RN1: Ruta Nacional 1"),
    ]
    assert sum(s.km for s in steps) == pytest.approx(out_leg.km, abs=1e-6)
    # the steps cover the leg's nodes end to end, in order
    assert steps[0].start == 0 and steps[-1].end == len(out_leg.nodes) - 1
    assert all(a.end == b.start for a, b in itertools.pairwise(steps))
    back = leg_steps(anet, back_leg.nodes)
    assert back[-1].kind == "gate"
    assert sum(s.km for s in back) == pytest.approx(back_leg.km, abs=1e-6)
    with use_language("en"):
        assert step_text(steps[0]) == "Start on Avenida 6 de Marzo"
        assert step_text(back[-1]).endswith("onto plant gate (assumed access)")
    with use_language("es"):
        assert step_text(steps[0]) == "Salga por Avenida 6 de Marzo"
        assert step_text(steps[1]) == "Siga por RN1: Ruta Nacional 1"
        assert step_text(back[-1]).endswith("por portón de la planta (acceso supuesto)")


def test_csv_and_xlsx_hold_the_same_rows(small, written):
    _, plan = small
    out, _ = written
    with (out / "deliveries.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == COLUMNS
    assert [(r["truck"], r["trip"], r["stop"], r["point_id"], r["cylinders"]) for r in rows] == [
        ("T01", "1", "1", "a", "35"),
        ("T01", "2", "1", "b", "30"),
        ("T01", "2", "2", "c", "20"),
        ("T02", "1", "1", "a", "35"),
    ]
    assert {r["plan_id"] for r in rows} == {plan.plan_id()}
    assert rows[1]["total_bs"] == "675.00" and rows[1]["price_bs"] == "22.50"
    assert all(r[c] == "" for r in rows for c in ("delivered", "returned", "refused", "signed_by"))
    wb = load_workbook(out / "deliveries.xlsx")
    assert wb.sheetnames == ["summary", "T01", "T02"]
    t01 = list(wb["T01"].iter_rows(values_only=True))
    assert list(t01[0]) == COLUMNS
    assert [(r[2], r[3], r[8], r[13]) for r in t01[1:]] == [
        ("T01", 1, "a", 35),
        ("T01", 2, "b", 30),
        ("T01", 2, "c", 20),
    ]
    assert all(c.ok for c in verify_sheet_checksum(out / "deliveries.csv"))
    assert sorted((c.truck, c.trip) for c in verify_sheet_checksum(out / "deliveries.xlsx")) == [
        ("T01", "1"),
        ("T01", "2"),
        ("T02", "1"),
    ]


FILL = {  # (truck, trip, point) -> delivered, returned, refused, signed_by
    ("T01", "1", "a"): (33, 2, 0, "Junta Villa A"),
    ("T01", "2", "b"): (28, 0, 2, "Junta B"),
    ("T01", "2", "c"): (20, 0, 0, "Junta C"),
    ("T02", "1", "a"): (0, 35, 0, ""),
}


def _fill_csv(src: Path, dst: Path, edit=None) -> None:
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        d, ret, ref, who = FILL[(r["truck"], r["trip"], r["point_id"])]
        r.update(delivered=str(d), returned=str(ret), refused=str(ref), signed_by=who)
    if edit:
        edit(rows)
    with dst.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def _fill_xlsx(src: Path, dst: Path, edit=None) -> None:
    wb = load_workbook(src)
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_row=2):
            r = {c: cell for c, cell in zip(COLUMNS, row, strict=True)}
            vals = FILL[(r["truck"].value, str(r["trip"].value), r["point_id"].value)]
            for col, v in zip(("delivered", "returned", "refused", "signed_by"), vals, strict=True):
                r[col].value = v
        if edit:
            edit(ws)
    wb.save(dst)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_filled_copy_reads_back_the_same_numbers(written, tmp_path, kind):
    out, _ = written
    dst = tmp_path / f"filled.{kind}"
    (_fill_csv if kind == "csv" else _fill_xlsx)(out / f"deliveries.{kind}", dst)
    recs = read_filled_sheet(dst)
    got = {
        (r.truck, str(r.trip), r.point_id): (r.delivered, r.returned, r.refused, r.signed_by)
        for r in recs
    }
    assert got == FILL
    assert [(r.stop, r.cylinders) for r in recs] == [(1, 35), (1, 30), (2, 20), (1, 35)]
    # filling in the guards' columns keeps every sheet's checksum valid
    assert [c.ok for c in verify_sheet_checksum(dst)] == [True, True, True]


def test_altered_copy_is_told_apart(written, tmp_path):
    """Changing a planned number (cylinders, price) breaks that trip sheet's checksum only."""
    out, _ = written

    def more_for_b(rows):
        rows[1]["cylinders"] = "40"

    _fill_csv(out / "deliveries.csv", tmp_path / "a.csv", more_for_b)
    checks = {(c.truck, c.trip): c.ok for c in verify_sheet_checksum(tmp_path / "a.csv")}
    assert checks == {("T01", "1"): True, ("T01", "2"): False, ("T02", "1"): True}

    def cheaper(ws):
        if ws.title == "T02":
            ws.cell(row=2, column=COLUMNS.index("price_bs") + 1).value = 30.0

    _fill_xlsx(out / "deliveries.xlsx", tmp_path / "a.xlsx", cheaper)
    checks = {(c.truck, c.trip): c.ok for c in verify_sheet_checksum(tmp_path / "a.xlsx")}
    assert checks == {("T01", "1"): True, ("T01", "2"): True, ("T02", "1"): False}


@pytest.mark.parametrize("value", ["-1", "2.5", "lots"])
def test_bad_count_in_csv_names_file_row_and_column(written, tmp_path, value):
    out, _ = written

    def bad(rows):
        rows[2]["refused"] = value

    dst = tmp_path / "bad.csv"
    _fill_csv(out / "deliveries.csv", dst, bad)
    with pytest.raises(InputError) as exc:
        read_filled_sheet(dst)
    assert str(exc.value) == (
        f"{dst} row 4, column 'refused': expected a whole number of cylinders between 0 and "
        f"100,000, got '{value}'"
    )


def test_bad_count_in_xlsx_names_the_worksheet(written, tmp_path):
    out, _ = written

    def bad(ws):
        if ws.title == "T02":
            ws.cell(row=2, column=COLUMNS.index("delivered") + 1).value = -3

    dst = tmp_path / "bad.xlsx"
    _fill_xlsx(out / "deliveries.xlsx", dst, bad)
    with pytest.raises(
        InputError, match=r"sheet 'T02' row 2, column 'delivered': expected a whole"
    ):
        read_filled_sheet(dst)


def test_unfilled_rows_are_skipped_and_bad_files_refused(written, tmp_path):
    out, _ = written
    assert read_filled_sheet(out / "deliveries.csv") == []
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"unsupported file type '\.txt'; expected a deliveries \.csv or \.xlsx sheet",
    ):
        read_filled_sheet(tmp_path / "x.txt")
    (tmp_path / "y.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no deliveries header"):
        read_filled_sheet(tmp_path / "y.csv")


def test_geojson_and_gpx_routes(small, written):
    import gpxpy

    _, _plan = small
    out, _ = written
    doc = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    stops = [f for f in doc["features"] if f["geometry"]["type"] == "Point"]
    assert [(f["properties"]["truck"], f["properties"]["trip"]) for f in lines] == [
        ("T01", 1),
        ("T01", 2),
        ("T02", 1),
    ]
    assert [f["properties"]["point_id"] for f in stops] == ["a", "b", "c", "a"]
    gpx = gpxpy.parse((out / "routes.gpx").read_text(encoding="utf-8"))
    assert [t.name for t in gpx.tracks] == ["T01 trip 1", "T01 trip 2", "T02 trip 1"]
    for track, feat in zip(gpx.tracks, lines, strict=True):
        pts = [[p.longitude, p.latitude] for p in track.segments[0].points]
        assert pts == feat["geometry"]["coordinates"]
    assert len(gpx.waypoints) == 1 + 4  # the plant and every stop


def test_writing_is_all_or_nothing(small, net, tmp_path, monkeypatch):
    sc, plan = small
    with pytest.raises(InputError, match="--price: expected a price in Bs > 0"):
        write_sheets(plan, sc, net, tmp_path / "a", price_bs=0)

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("logistics.paper.sheets._gpx", boom)
    with pytest.raises(RuntimeError):
        write_sheets(plan, sc, net, tmp_path / "b", price_bs=PRICE)
    assert list((tmp_path / "b").iterdir()) == []
    with pytest.raises(InputError, match="expected one of es, en, got 'fr'"):
        write_sheets(plan, sc, net, tmp_path / "c", price_bs=PRICE, lang="fr")


def _sheets_app():
    from logistics.cli.sheets import sheets

    app = typer.Typer()
    app.command("sheets")(sheets)
    return app


def test_sheets_command(small, tmp_path):
    sc, plan = small
    (tmp_path / "scenario.yaml").write_text(scenario_to_yaml(sc), encoding="utf-8")
    plan.save(tmp_path / "plan.json")
    runner = CliRunner()
    args = [str(tmp_path / "plan.json"), "--scenario", str(tmp_path / "scenario.yaml")]
    r = runner.invoke(_sheets_app(), [*args, "--price", "25", "--date", "2005-06-09"])
    assert r.exit_code == 0, r.output
    assert f"plan {plan.plan_id()}: 3 trip sheets (3 pages) in {tmp_path / 'sheets'}" in r.output
    text = _pdf_text(tmp_path / "sheets" / "T02-trip1.pdf")
    # Spanish by default: the date in words, the money with a decimal comma
    assert "9 de junio de 2005" in text and "875,00" in text  # 35 x 25 Bs
    r = runner.invoke(_sheets_app(), [*args, "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "Cylinders loaded at the plant: 35" in _pdf_text(tmp_path / "sheets" / "T02-trip1.pdf")
    r = runner.invoke(
        _sheets_app(), [str(tmp_path / "nope.json"), "--scenario", str(tmp_path / "scenario.yaml")]
    )
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nope.json'}: file not found; expected a plan.json written by "
        "`senkata plan`"
    ]
    r = runner.invoke(_sheets_app(), [*args, "--date", "9 June"])
    assert r.exit_code == 2 and "error: --date: expected YYYY-MM-DD, got '9 June'" in r.stderr
    r = runner.invoke(_sheets_app(), [*args, "--lang", "ay"])
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: --lang: expected one of es, en, got 'ay'"


def test_sheets_command_into_a_folder_named_sheets(small, tmp_path):
    """The count and the file list do not depend on folder names: ``--out .../sheets``
    (the trip PDFs then go to ``.../sheets/sheets``) says 3 trip sheets and names the other
    five files."""
    sc, plan = small
    (tmp_path / "scenario.yaml").write_text(scenario_to_yaml(sc), encoding="utf-8")
    plan.save(tmp_path / "plan.json")
    out = tmp_path / "sheets"
    r = CliRunner().invoke(
        _sheets_app(),
        [str(tmp_path / "plan.json"), "-s", str(tmp_path / "scenario.yaml"), "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    first, rest = r.output.split("\n", 1)
    assert first == "writing 3 trip sheets..."
    assert " ".join(rest.split()) == (
        f"plan {plan.plan_id()}: 3 trip sheets (3 pages) in {out / 'sheets'}; also "
        "plant-summary.pdf, deliveries.csv, deliveries.xlsx, routes.geojson, routes.gpx"
    )
    assert sorted(p.name for p in (out / "sheets").iterdir()) == [
        "T01-trip1.pdf",
        "T01-trip2.pdf",
        "T02-trip1.pdf",
    ]


@pytest.mark.slow
def test_default_scenario_sheets(net, tmp_path):
    """June 2005: a sheet per trip of the real plan, in Spanish, each one or two pages,
    naming its truck and stops; the trips through Río Seco list its checkpoint with a stamp
    box, show it in the turn-by-turn and tag it on the map; no text under 8 pt."""
    from logistics.model import load_scenario
    from logistics.routing import build_problem, solve
    from tests.paper.pdfs import font_sizes

    sc = load_scenario(ROOT / "scenarios" / "senkata-2005-06.yaml")
    sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": 10})})
    plan = solve(build_problem(sc, net=net))
    files = write_sheets(plan, sc, net, tmp_path, price_bs=PRICE)
    pdfs = sorted((tmp_path / "sheets").glob("*.pdf"))
    assert len(pdfs) == len(plan.trips()) > 80
    assert len(files) == len(pdfs) + 5
    assert set(files.pages.values()) <= {1, 2}
    assert sum(1 for n in files.pages.values() if n == 1) > len(pdfs) / 2
    rio_seco = 0
    for tr, trip in plan.trips():
        pdf = tmp_path / "sheets" / f"{tr.truck_id}-trip{trip.trip_no}.pdf"
        assert len(PdfReader(pdf).pages) == files.pages[pdf]
        if not any(lg.delay_min > 0 for lg in trip.legs):
            continue
        rio_seco += 1
        text = _pdf_text(pdf)
        assert "Controles y bloqueos en el camino" in text
        assert "Sello o firma del control, hora" in text
        assert "C1 Control Av. Juan Pablo II, Río Seco: paren, muestren esta hoja" in text
        # the map's label ("C1 C3 control: ..." when it is met going and coming back; the
        # name only where there is room)
        assert re.search(r"C1( C\d)* control", text), text
    assert rio_seco > 10
    for tr, trip in plan.trips()[:: max(1, len(plan.trips()) // 8)]:
        pdf = tmp_path / "sheets" / f"{tr.truck_id}-trip{trip.trip_no}.pdf"
        text = _pdf_text(pdf)
        assert f"{tr.truck_id} · viaje {trip.trip_no}" in text
        assert "8 de junio de 2005" in text
        assert f"Garrafas cargadas en planta: {trip.loaded}" in text
        for s in trip.stops:
            assert " ".join(s.name.split()) in text
        assert min(font_sizes(pdf)) >= 8.0 - 1e-3
    summary = PdfReader(tmp_path / "plant-summary.pdf")
    text = " ".join(" ".join(p.extract_text() for p in summary.pages).split())
    assert f"{len(plan.trips())} viajes" in text
    assert "bloqueo con paso controlado" in text and "bloqueo cerrado" in text
    assert min(font_sizes(tmp_path / "plant-summary.pdf")) >= 8.0 - 1e-3
    with (tmp_path / "deliveries.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(int(r["cylinders"]) for r in rows) == plan.delivered
    assert all(c.ok for c in verify_sheet_checksum(tmp_path / "deliveries.xlsx"))


def test_workers_draw_the_same_sheets(small, net, tmp_path, monkeypatch):
    """Drawn by two worker processes or here, the sheets are the same bytes (and the same
    plan gives the same bytes twice: no time stamp or random id in the PDFs; the XLSX
    carries openpyxl's save time, so it is left out)."""
    sc, plan = small
    here = write_sheets(plan, sc, net, tmp_path / "here", price_bs=PRICE, workers=1)
    again = write_sheets(plan, sc, net, tmp_path / "again", price_bs=PRICE, workers=1)
    monkeypatch.setattr("logistics.paper.sheets.PARALLEL_FROM", 1)
    pool = write_sheets(plan, sc, net, tmp_path / "pool", price_bs=PRICE, workers=2)
    assert pool.stats["workers"] == 2 and here.stats["workers"] == 1
    for a, b, c in zip(here, again, pool, strict=True):
        assert a.name == b.name == c.name
        if a.suffix != ".xlsx":
            assert a.read_bytes() == b.read_bytes() == c.read_bytes(), a.name
