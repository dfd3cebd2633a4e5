"""Hostile progress files for ``senkata replan --progress``: one line, never a traceback.

The issue's cases (Latin-1, ``²`` as a count, a 5,000-digit count) and their kin as regular
tests; then the property over progress files built from a real plan's stops, mutated cell
by cell (nasty text, extreme numbers), with columns dropped, repeated or added, rows
repeated, CSV quoting broken, and as bytes (not UTF-8, NUL, truncated).
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.model import InputError
from logistics.ops import read_progress
from tests import fuzz
from tests.helpers import plan_for, small_scenario

HEADER = ["truck", "trip", "point_id", "delivered"]


@pytest.fixture(scope="module")
def rows(net) -> list[list[str]]:
    _sc, _problem, plan = plan_for(small_scenario(net), net)
    return [
        [tr.truck_id, str(t.trip_no), s.point_id, str(s.cylinders)]
        for tr, t in plan.trips()
        for s in t.stops
    ]


def _refused(tmp_path, data: bytes) -> InputError:
    p = tmp_path / "progress.csv"
    p.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_progress(p)
    line = str(exc.value)
    assert "\n" not in line and len(line) <= fuzz.MAX_LINE, line
    return exc.value


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


# ------------------------------------------------------- the examples, one by one
def test_latin1_progress_file(rows, tmp_path):
    text = _csv([HEADER, *rows]).replace("T01", "Camión 1", 1)
    err = _refused(tmp_path, text.encode("latin-1"))
    assert err.message.startswith("not UTF-8 text (byte 0xf3 at position "), err.message


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("²", "expected a whole number from 0 to 100,000, got '²'"),
        ("٣", "expected a whole number from 0 to 100,000, got '٣'"),
        ("9" * 5000, "expected a whole number from 0 to 100,000, got '99999999999999999999"),
        ("1e3", "expected a whole number from 0 to 100,000, got '1e3'"),
        ("-3", "expected a whole number from 0 to 100,000, got '-3'"),
        ("100001", "expected a whole number from 0 to 100,000, got '100001'"),
    ],
)
def test_counts_that_are_not_small_ascii_numbers(rows, tmp_path, count, message):
    bad = [r[:] for r in rows]
    bad[1][3] = count
    err = _refused(tmp_path, _csv([HEADER, *bad]).encode())
    assert err.where.endswith("progress.csv: row 3, column delivered"), err.where
    assert err.message.startswith(message), err.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("truck,trip,point_id\nT01,1,a\n", "missing column(s) delivered"),
        ("truck,trip,point_id,delivered\nT01,0,a,5\n", "expected a whole number from 1 to 1,000"),
        ("truck,trip,point_id,delivered\n,1,a,5\n", "expected an id of 1 to 200 characters"),
        ("truck,trip,point_id,delivered\nT01,1\n", "expected a whole number from 0 to 100,000"),
        (
            "truck,trip,point_id,delivered\nT01,1,a,5\x00\n",
            "got '5\\x00'",  # Python 3.11+ csv reads NUL; the count is refused
        ),
        ('truck,trip,point_id,delivered\nT01,1,"' + "a" * 200_000 + '",5\n', "not a readable CSV"),
        ("", "missing column(s) truck, trip, point_id, delivered"),
    ],
)
def test_broken_progress_files(tmp_path, text, message):
    assert message in _refused(tmp_path, text.encode()).message


def test_too_many_rows(tmp_path):
    text = "truck,trip,point_id,delivered\n" + "T01,1,a,1\n" * 100_001
    assert "more than 100,000 rows" in _refused(tmp_path, text.encode()).message


def test_special_paths(tmp_path):
    with fuzz.Sandbox(timeout_s=10) as box:
        for path, message in [("/dev/zero", "not a regular file"), (tmp_path, "is a directory")]:
            out = box.check(read_progress, path, max_seconds=2)
            assert out.kind == "user" and message in out.detail, out.detail


# ------------------------------------------------------------------ the property
_CELL = st.one_of(
    fuzz.NASTY_TEXT,
    fuzz.EXTREME_NUMBERS.map(lambda v: str(v) if not isinstance(v, int) else str(v)[:5000]),
    st.sampled_from(["T01", "T02", "a", "b", "c", "x", "1", "2", "0", "35"]),
)


def _cell_text(v: object) -> str:
    try:
        return str(v)
    except ValueError:  # an integer too long to print
        return "9" * 5000


@st.composite
def progress_files(draw, rows: list[list[str]]) -> bytes:
    header = list(HEADER)
    if draw(st.integers(0, 5)) == 0:
        header = draw(st.permutations([*header, "note"]))[: draw(st.integers(0, 5))]
    body = [list(r) for r in rows]
    for _ in range(draw(st.sampled_from([0, 1, 2, 3]))):
        if body and draw(st.booleans()):
            i = draw(st.integers(0, len(body) - 1))
            j = draw(st.integers(0, len(body[i]) - 1))
            body[i][j] = _cell_text(draw(_CELL))
        elif body:
            i = draw(st.integers(0, len(body) - 1))
            body.extend([body[i]] * draw(st.integers(1, 100)))
    text = _csv([header, *body])
    if draw(st.integers(0, 5)) == 0:  # broken quoting, stray separators
        text = text.replace(",", draw(st.sampled_from(['"', ";", ",,", '","', "\t"])), 1)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 3)) == 0:
        data = draw(fuzz.mangled_bytes(data))
    return data


def _read(data: bytes) -> str:
    done = read_progress(fuzz.workfile("progress.csv", data))
    return f"{len(done)} stops"


@pytest.fixture(scope="module")
def sandbox(rows):
    with fuzz.Sandbox() as box:
        yield box
        fuzz.report("progress.csv", box)


@fuzz.FAST
@given(data=st.data())
def test_progress_reader_property(sandbox, rows, data):
    sandbox.check(_read, data.draw(progress_files(rows)), max_seconds=5)
