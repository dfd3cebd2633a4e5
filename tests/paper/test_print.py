"""What the printed sheets must be on paper: nothing under 8 pt, black and white only, a QR
code a phone can read back to the sheet's checksum, and Spanish throughout by default."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from logistics.model import InputError
from logistics.paper import parse_qr_payload, qr_payload, sheet_checksum
from tests.paper.pdfs import colours, decode_qr, font_sizes, pdf_text, render_page

#: Headings and words of the English sheet that must not appear on a Spanish one.
ENGLISH = [
    "DELIVERY SHEET",
    "trip 1 of",
    "Truck",
    "Gate order",
    "Loading from",
    "Depart / back",
    "Cylinders loaded at the plant",
    "Counted at the gate",
    "Plant signature",
    "Guard commission",
    "Role",
    "Roster id",
    "Name (print)",
    "Signature, departure",
    "Stops, in order",
    "Distribution point",
    "Arrival",
    "Households",
    "Cylinders",
    "Delivered",
    "Returned",
    "Refused",
    "Junta: name, signature",
    "Official price",
    "Checkpoints and blockades",
    "Incidents",
    "Turn by turn",
    "Start on",
    "Continue on",
    "Turn left onto",
    "Turn right onto",
    "assumed connector",
    "plant gate",
    "unnamed road",
    "page 1 of",
    "plant worker",
    "junta delegate",
    "other roads",
    "stop, in order",
    "contributors",
    "June",
]

SPANISH = [
    "HOJA DE ENTREGA · Planta Senkata (YPFB)",
    "T01 · viaje 2 de 2",
    "8 de junio de 2005 · turno 07:00-19:00",
    "Camión",
    "Orden de salida",
    "Garrafas cargadas en planta: 50",
    "Contadas en el portón",
    "Comisión de control C01",
    "trabajador de planta",
    "delegado de junta vecinal (Distrito 8)",
    "Paradas, en orden",
    "Punto de distribución · distrito / zona",
    "Familias / cupo",
    "Entregadas",
    "Devueltas",
    "Rechazadas",
    "Junta: nombre, firma",
    "Precio oficial Bs 22,50 por garrafa",
    "1.125,00",
    "Incidentes",
    "Recorrido paso a paso",
    "Salga por Avenida 6 de Marzo",
    "Siga por RN1: Ruta Nacional 1",
    "Doble a la izquierda por portón de la planta (acceso supuesto)",
    "página 1 de 1",
    "calles: © colaboradores de OpenStreetMap",
]


def test_spanish_sheet_has_the_spanish_headings_and_no_english_one(written_es):
    out, _ = written_es
    text = pdf_text(out / "sheets" / "T01-trip2.pdf")
    for word in SPANISH:
        assert word in text, word
    left = [w for w in ENGLISH if w in text]
    assert left == []
    summary = pdf_text(out / "plant-summary.pdf")
    assert "RESUMEN DE PLANTA" in summary and "2 camiones" in summary and "3 viajes" in summary
    assert not [w for w in ("PLANT SUMMARY", "Truck", "Dispatcher", "trips") if w in summary]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_text_under_8_points(written, written_es, blocked_written, lang):
    """Every piece of text of every sheet, map labels included, is 8 pt or more."""
    outs = [written[0], blocked_written[0]] if lang == "en" else [written_es[0]]
    for out in outs:
        for pdf in [*sorted((out / "sheets").glob("*.pdf")), out / "plant-summary.pdf"]:
            sizes = font_sizes(pdf)
            assert len(sizes) > 40, pdf  # the visitor saw the text
            # (a rotated label's matrix is written with 6 digits: 8 pt reads 7.999998)
            assert min(sizes) >= 8.0 - 1e-3, (pdf.name, min(sizes))


def test_black_and_white_only(written, blocked_written):
    """No colour anywhere: every colour set is a grey (r = g = b), so a black-and-white
    printout loses nothing; the map tells things apart by weight, dash and pattern."""
    for out in (written[0], blocked_written[0]):
        for pdf in [*sorted((out / "sheets").glob("*.pdf")), out / "plant-summary.pdf"]:
            assert all(r == g == b for r, g, b in colours(pdf)), pdf.name


def test_qr_code_reads_back_to_the_sheets_checksum(small, written, tmp_path):
    """The QR code on page 1, rendered as a 150 dpi greyscale scan, decodes (zxing-cpp) to
    the plan, truck, trip and the sheet's checksum, the one the ledger keeps."""
    _, plan = small
    out, files = written
    for tr, trip in plan.trips():
        pdf = out / "sheets" / f"{tr.truck_id}-trip{trip.trip_no}.pdf"
        png = render_page(pdf, tmp_path, dpi=150, gray=True)
        (text,) = decode_qr(png)
        ident = parse_qr_payload(text)
        assert (ident.plan_id, ident.truck, ident.trip) == (
            plan.plan_id(),
            tr.truck_id,
            trip.trip_no,
        )
        rows = [
            r for r in _csv_rows(out) if (r["truck"], r["trip"]) == (tr.truck_id, str(trip.trip_no))
        ]
        assert ident.sheet == rows[0]["sheet"] == sheet_checksum(rows)[:12]
        assert ident.sheet in pdf_text(pdf)
        assert len(PdfReader(pdf).pages) == files.pages[pdf]


def _csv_rows(out):
    import csv

    with (out / "deliveries.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_qr_payload_round_trip_and_bad_text():
    text = qr_payload("44bc610f82", "T18", 1, "ce616a234cba")
    assert text == "SENKATA/1/44BC610F82/T18/1/CE616A234CBA"
    ident = parse_qr_payload(text)
    assert (ident.plan_id, ident.truck, ident.trip, ident.sheet) == (
        "44bc610f82",
        "T18",
        1,
        "ce616a234cba",
    )
    assert parse_qr_payload(qr_payload("44bc610f82", "A/7", 12, "ce616a234cba")).truck == "A/7"
    with pytest.raises(InputError) as exc:
        parse_qr_payload("https://example.org/" + "x" * 200)
    assert str(exc.value).startswith("QR code: expected a Senkata delivery-sheet code, got ")
    assert len(str(exc.value)) < 140 and "\n" not in str(exc.value)
