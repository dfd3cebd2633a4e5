"""Hostile filled sheets (CSV and XLSX): read in one line of error, never a crash or a bomb.

Regular tests for what broke the readers (``²`` or ``inf`` as a stop number, a 5,000-digit
number in a cell, an XLSX that unpacks to gigabytes, an XML entity bomb, a cell at row
1,048,576, a one-character "checksum"); then the property over the genuine filled copies
of a real small plan, mutated: CSV cell by cell, rows and columns added or lost, quoting
and bytes broken; XLSX inside its XML (values, cell types, shared strings, rows, the
declared dimension) and as a zip (bytes flipped, truncated). The readers are
``read_filled_sheet`` and ``verify_sheet_checksum``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from logistics.model import InputError
from logistics.paper import COLUMNS, read_filled_sheet, verify_sheet_checksum, write_sheets
from tests import fuzz
from tests.helpers import plan_for, small_scenario


def fill_csv(src: Path) -> tuple[list[str], list[dict]]:
    """The genuine CSV copy with every stop delivered in full and signed."""
    with src.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = list(reader.fieldnames or COLUMNS)
    for r in rows:
        r.update(delivered=r["cylinders"], signed_by=f"Junta {r['point_id']}")
    return header, rows


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def fill_xlsx(src: Path) -> bytes:
    """The genuine XLSX copy, filled the same way."""
    wb = load_workbook(src)
    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        if not rows or [c.value for c in rows[0]][:1] != [COLUMNS[0]]:
            continue
        header = [c.value for c in rows[0]]
        for row in rows[1:]:
            cells = dict(zip(header, row, strict=False))
            cells["delivered"].value = cells["cylinders"].value
            cells["signed_by"].value = f"Junta {cells['point_id'].value}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def genuine(net, tmp_path_factory):
    sc, _, plan = plan_for(small_scenario(net), net)
    out = tmp_path_factory.mktemp("hostile-sheets")
    write_sheets(plan, sc, net, out, price_bs=22.5, date="2005-06-08")
    header, rows = fill_csv(out / "deliveries.csv")
    return {
        "plan": plan,
        "header": header,
        "rows": rows,
        "xlsx": fill_xlsx(out / "deliveries.xlsx"),
    }


def _refused(path) -> InputError:
    with pytest.raises(InputError) as exc:
        read_filled_sheet(path)
    line = str(exc.value)
    assert "\n" not in line and len(line) <= fuzz.MAX_LINE, line
    return exc.value


def _xlsx_with(data: bytes, edit) -> bytes:
    """Rewrite the worksheets' XML of an XLSX with ``edit(name, xml) -> xml``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith(("xl/worksheets/", "xl/sharedStrings")):
                body = edit(info.filename, body.decode("utf-8")).encode("utf-8", "surrogatepass")
            dst.writestr(info.filename, body)
    return buf.getvalue()


def _laughs(k: int) -> str:
    return (f"&lol{k - 1};" if k > 1 else "&lol;") * 10


# ------------------------------------------------------- what broke the readers
@pytest.mark.parametrize(
    ("col", "value", "message"),
    [
        ("stop", "²", None),  # used to raise ValueError (int('²'))
        ("stop", "inf", None),  # used to raise OverflowError in the checksum
        ("cylinders", "1e999", None),
        ("delivered", "²", "expected a whole number of cylinders between 0 and 100,000"),
        ("delivered", "9" * 5000, "expected a whole number of cylinders between 0 and 100,000"),
        ("trip", "0", "expected a trip number from 1 to 1,000, got 0"),
        ("truck", "", "expected an id of 1 to 200 characters, got ''"),
        ("point_id", "p" * 300, "expected an id of 1 to 200 characters"),
    ],
)
def test_bad_cells_in_a_csv_copy(genuine, tmp_path, col, value, message):
    rows = [dict(r) for r in genuine["rows"]]
    rows[1][col] = value
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(genuine["header"], rows))
    if message is None:  # read; the altered planned column breaks that sheet's checksum
        read_filled_sheet(path)
        assert not all(c.ok for c in verify_sheet_checksum(path))
    else:
        assert message in _refused(path).message


def test_a_one_character_checksum_is_not_a_checksum(genuine, tmp_path):
    """``computed.startswith(printed)`` accepted any prefix: one hex digit matched 1 in 16."""
    rows = [dict(r) for r in genuine["rows"]]
    for r in rows:
        r["sheet"] = r["sheet"][:1]
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(genuine["header"], rows))
    assert [c.ok for c in verify_sheet_checksum(path)] == [False] * 3


def test_xlsx_that_unpacks_to_gigabytes_is_refused_unread(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buf.getvalue())
    assert len(buf.getvalue()) < 200_000
    with fuzz.Sandbox() as box:
        out = box.check(read_filled_sheet, path, max_seconds=2)
    assert "unpacks to more than 50,000,000 bytes" in out.detail


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (  # billion laughs inside the worksheet
            lambda n, x: (
                '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                + "".join(f'<!ENTITY lol{k} "{_laughs(k)}">' for k in range(1, 10))
                + "]>"
                + x.replace("<t>T01</t>", "<t>&lol9;</t>", 1)
            )
            if n.endswith("sheet2.xml")
            else x,
            "not a readable .xlsx workbook",
        ),
        (  # a cell at the last row a worksheet can have
            lambda n, x: x.replace("</sheetData>", '<row r="1048576"><c r="A1048576" t="n">'
                                   "<v>1</v></c></row></sheetData>"),
            "more than 20,000 rows",
        ),
        (  # a number too long for Python's int
            lambda n, x: re.sub(r"<v>35</v>", "<v>" + "9" * 5000 + "</v>", x, count=1),
            "not a readable .xlsx workbook (ValueError)",
        ),
    ],
)  # fmt: skip
def test_hostile_xlsx_contents(genuine, tmp_path, edit, message):
    path = tmp_path / "f.xlsx"
    path.write_bytes(_xlsx_with(genuine["xlsx"], edit))
    with fuzz.Sandbox() as box:
        out = box.check(read_filled_sheet, path, max_seconds=5)
    assert out.kind == "user" and message in out.detail, out.detail


def test_a_sheet_is_not_a_device_or_a_folder(tmp_path):
    (tmp_path / "d.xlsx").mkdir()
    with fuzz.Sandbox(timeout_s=10) as box:
        for path, message in [
            ("/dev/zero", "is not a regular file (a device, pipe or socket)"),
            (tmp_path / "d.xlsx", "is a directory"),
        ]:
            out = box.check(read_filled_sheet, path, max_seconds=2)
            assert out.kind == "user" and message in out.detail, out.detail


# ------------------------------------------------------------------ the property
_CELL = st.one_of(
    fuzz.NASTY_TEXT,
    st.sampled_from(["", "0", "1", "35", "5000", "-1", "2.5", "1e3", "inf", "nan", "T01", "a"]),
    fuzz.EXTREME_NUMBERS.map(lambda v: repr(v)[:5000] if not isinstance(v, int) else "9" * 40),
)


@st.composite
def csv_copies(draw, genuine: dict) -> bytes:
    header = list(genuine["header"])
    rows = [dict(r) for r in genuine["rows"]]
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
        op = draw(st.sampled_from(["cell", "cell", "blank-sheet", "invent", "drop", "column"]))
        if op == "cell" and rows:
            r = draw(st.sampled_from(rows))
            r[draw(st.sampled_from(header))] = draw(_CELL)
        elif op == "blank-sheet":
            for r in rows:
                r["sheet"] = ""
        elif op == "invent" and rows:  # a stop nobody planned, perhaps with a copied checksum
            new = dict(draw(st.sampled_from(rows)))
            new.update(point_id=draw(st.sampled_from(["zz", "x", "a"])), cylinders="5000",
                       delivered="5000", stop=str(len(rows) + 1))  # fmt: skip
            rows.append(new)
        elif op == "drop" and rows:
            rows.pop(draw(st.integers(0, len(rows) - 1)))
        elif op == "column":
            col = draw(st.sampled_from(header))
            header = [h for h in header if h != col] if draw(st.booleans()) else [*header, col]
    data = csv_bytes(header, rows)
    if draw(st.integers(0, 4)) == 0:
        data = draw(fuzz.mangled_bytes(data))
    return data


_XML_VALUES = st.one_of(
    st.sampled_from(["", "-1", "2.5", "1E+308", "1E+309", "NaN", "99999", "0x10", "#N/A"]),
    fuzz.NASTY_TEXT,
)


@st.composite
def xlsx_copies(draw, genuine: dict) -> bytes:
    """A filled XLSX with its XML changed: values, cell types, strings, rows, dimensions."""
    edits = []
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
        op = draw(st.sampled_from(["value", "type", "string", "row", "dimension", "drop-row"]))
        value = (
            escape(draw(_XML_VALUES)).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        )
        nth = draw(st.integers(0, 30))
        edits.append((op, value, nth))

    def edit(name: str, xml: str) -> str:
        for op, value, nth in edits:
            if op == "value":
                xml = _nth_sub(r"<v>[^<]*</v>", f"<v>{value}</v>", xml, nth)
            elif op == "type":
                xml = _nth_sub(r' t="\w+"', f' t="{value[:9] or "e"}"', xml, nth)
            elif op == "string":
                xml = _nth_sub(r"<t>[^<]*</t>", f"<t>{value}</t>", xml, nth)
            elif op == "row":
                xml = _nth_sub(r'<row r="(\d+)"', f'<row r="{value[:7] or 0}"', xml, nth)
            elif op == "dimension":
                xml = xml.replace('<dimension ref="', '<dimension ref="A1:XFD1048576" x="', 1)
            elif op == "drop-row":
                xml = _nth_sub(r"<row [^>]*>.*?</row>", "", xml, nth)
        return xml

    data = _xlsx_with(genuine["xlsx"], edit) if edits else genuine["xlsx"]
    if draw(st.integers(0, 5)) == 0:
        data = draw(fuzz.mangled_bytes(data))
    return data


def _nth_sub(pattern: str, repl: str, text: str, nth: int) -> str:
    found = list(re.finditer(pattern, text, flags=re.S))
    if not found:
        return text
    m = found[nth % len(found)]
    return text[: m.start()] + repl + text[m.end() :]


def _read(data: bytes, suffix: str) -> str:
    path = fuzz.workfile(f"filled{suffix}", data)
    records = read_filled_sheet(path)
    checks = verify_sheet_checksum(path)
    return f"{len(records)} records, {sum(c.ok for c in checks)}/{len(checks)} sheets intact"


@pytest.fixture(scope="module")
def sandbox(genuine):
    with fuzz.Sandbox() as box:
        yield box
        fuzz.report("filled sheets", box)


@fuzz.FAST
@given(data=st.data())
def test_csv_sheet_reader_property(sandbox, genuine, data):
    sandbox.check(_read, data.draw(csv_copies(genuine)), ".csv", max_seconds=5)


@fuzz.FAST
@given(data=st.data())
def test_xlsx_sheet_reader_property(sandbox, genuine, data):
    sandbox.check(_read, data.draw(xlsx_copies(genuine)), ".xlsx", max_seconds=5)
