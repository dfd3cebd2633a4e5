"""The ledger trusts nothing: forged sheets, a mistyped ``--db``, a damaged database.

* A filled sheet is recorded only if every row carries the checksum of its trip's
  dispatched sheet and the planned columns still hash to it: the forged copy of the issue
  (checksum column blanked, an invented stop of 5,000 cylinders) is refused as possible
  forgery, and the genuine signed copy is recorded after it.
* A ledger URL must name an existing ledger (``ledger init`` or ``--create`` make one).
* ``verify`` runs the backend's integrity check: random bytes written into the SQLite file,
  a dropped table, a byte changed in the file (SQLite) or in the table's data file
  (PostgreSQL, server stopped) make it fail, in one line.
* The property: whatever a filled copy holds (the mutated CSV and XLSX copies of
  ``tests/paper/test_hostile.py``), ``record_sheet`` either refuses it in one line or
  records only stops planned for that trip of the dispatched plan.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner

from logistics.cli.ledger import ledger_app
from logistics.ledger import DamagedLedgerError, Ledger, dispatch, record_sheet
from logistics.model import InputError
from tests import fuzz
from tests.helpers import plan_for, small_scenario
from tests.paper.test_hostile import csv_bytes, csv_copies, fill_csv, fill_xlsx, xlsx_copies

DATE = "2005-06-08"
runner = CliRunner()


@pytest.fixture(scope="module")
def genuine(net, tmp_path_factory):
    from logistics.paper import write_sheets

    sc, problem, plan = plan_for(small_scenario(net), net)
    out = tmp_path_factory.mktemp("ledger-hostile")
    write_sheets(plan, sc, net, out, price_bs=22.5, date=DATE)
    header, rows = fill_csv(out / "deliveries.csv")
    planned = {
        (tr.truck_id, t.trip_no, k, s.point_id)
        for tr, t in plan.trips()
        for k, s in enumerate(t.stops, start=1)
    }
    return {
        "plan": plan,
        "points": problem.points,
        "header": header,
        "rows": rows,
        "xlsx": fill_xlsx(out / "deliveries.xlsx"),
        "planned": planned,
    }


def _dispatched(url: str, genuine) -> Ledger:
    ledger = Ledger(url, create=True)
    dispatch(ledger, genuine["plan"], genuine["points"], price_bs=22.5, date=DATE, by="desk")
    return ledger


def _one_line(result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and len(lines[0]) <= len("error: ") + fuzz.MAX_LINE, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# ------------------------------------------------------------------ forgery
def test_forged_copy_is_refused_and_the_genuine_one_recorded(db_url, genuine, tmp_path):
    """The issue's forgery: checksum column blanked, a stop of 5,000 cylinders invented."""
    forged_rows = [dict(r, sheet="") for r in genuine["rows"]]
    forged_rows.append(
        dict(genuine["rows"][0], sheet="", stop="2", point_id="zz", name="invented",
             cylinders="5000", delivered="5000", signed_by="nobody")
    )  # fmt: skip
    forged = tmp_path / "forged.csv"
    forged.write_bytes(csv_bytes(genuine["header"], forged_rows))
    real = tmp_path / "real.csv"
    real.write_bytes(csv_bytes(genuine["header"], genuine["rows"]))
    with _dispatched(db_url, genuine) as ledger:
        with pytest.raises(InputError) as exc:
            record_sheet(ledger, forged, by="guard")
        assert "possible forgery: no checksum in column 'sheet'" in exc.value.message
        assert len(ledger.entries()) == 1  # nothing of the forgery was recorded
        entries = record_sheet(ledger, real, by="guard")  # the genuine copy is not blocked
        got = {(e.truck, e.trip, e.stop_no, e.point_id, e.delivered) for e in entries}
        assert {g[:4] for g in got} == genuine["planned"]
        assert all(e.delivered < 5000 for e in entries)
        assert ledger.verify().ok


def test_invented_stop_under_a_copied_checksum_is_refused(genuine, tmp_path):
    rows = [dict(r) for r in genuine["rows"]]
    rows.append(dict(rows[0], stop="2", point_id="zz", cylinders="5000", delivered="5000"))
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(genuine["header"], rows))
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    with _dispatched(url, genuine) as ledger:
        with pytest.raises(InputError, match="possible forgery: T01 trip 1: printed checksum"):
            record_sheet(ledger, path, by="guard")
        assert len(ledger.entries()) == 1


def test_forged_copy_through_the_cli_is_one_line(genuine, tmp_path):
    rows = [dict(r, sheet="") for r in genuine["rows"]]
    path = tmp_path / "forged.csv"
    path.write_bytes(csv_bytes(genuine["header"], rows))
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    _dispatched(url, genuine).close()
    line = _one_line(runner.invoke(ledger_app, ["record", str(path), "--db", url]), 2)
    assert "possible forgery" in line


# ------------------------------------------------------------- a mistyped --db
def test_db_typo_is_an_error_not_an_empty_ledger(genuine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    _dispatched(url, genuine).close()
    typo = tmp_path / "ledgr.sqlite"
    for args in (["verify"], ["reconcile"], ["show"], ["record", "x.csv"]):
        line = _one_line(runner.invoke(ledger_app, [*args, "--db", str(typo)]), 2)
        assert line.startswith("error: --db: no ledger at ") and "ledger init" in line
    assert not typo.exists()
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", "sqlite:////nowhere/x.db"]), 2)
    assert "directory of /nowhere/x.db does not exist" in line
    r = runner.invoke(ledger_app, ["init", "--db", str(typo)])
    assert r.exit_code == 0 and "0 entries" in r.output and typo.is_file()
    r = runner.invoke(ledger_app, ["verify", "--db", url])
    assert r.exit_code == 0 and "ledger intact: 1 entries" in r.output


@pytest.mark.postgres
def test_postgres_database_without_a_ledger_is_refused(pg_server):
    from sqlalchemy import create_engine

    name = f"notledger_{os.getpid()}"
    admin = create_engine(f"{pg_server.url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = f"{pg_server.url}/{name}"
    with pytest.raises(InputError, match="is not a ledger"):
        Ledger(url)
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", url]), 2)
    assert "is not a ledger (it has no ledger tables)" in line
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", f"{pg_server.url}/nope"]), 2)
    assert line.startswith("error: --db: cannot use the ledger")


# ------------------------------------------------------------ a damaged database
def _sqlite_file(tmp_path, genuine) -> tuple[str, str]:
    path = tmp_path / "ledger.sqlite"
    url = f"sqlite:///{path}"
    with _dispatched(url, genuine) as ledger:
        real = tmp_path / "real.csv"
        real.write_bytes(csv_bytes(genuine["header"], genuine["rows"]))
        record_sheet(ledger, real, by="guard")
        assert ledger.verify().ok
    return str(path), url


def test_random_bytes_in_the_sqlite_file_fail_verify(genuine, tmp_path):
    """A page of random bytes (the issue's case): every page of the file in turn; verify
    must never call a damaged file intact unless its entries are exactly as written."""
    path, url = _sqlite_file(tmp_path, genuine)
    with Ledger(url) as ledger:
        before = [(e.id, e.hash) for e in ledger.entries()]
    size = os.path.getsize(path)
    page = 4096
    pristine = open(path, "rb").read()  # noqa: SIM115 - read once, written back per page
    rng = __import__("random").Random(16)
    failed = 0
    for offset in range(0, size, page):
        with open(path, "wb") as fh:
            fh.write(pristine[:offset] + rng.randbytes(page) + pristine[offset + page :])
        r = runner.invoke(ledger_app, ["verify", "--db", url])
        if r.exit_code == 0:  # intact: then the entries must be the ones written
            with Ledger(url) as ledger:
                assert [(e.id, e.hash) for e in ledger.entries()] == before
        else:
            line = _one_line(r, r.exit_code)
            assert r.exit_code in (1, 2), line
            assert line.startswith(("ledger DAMAGED: ", "ledger ALTERED: ", "error: ")), line
            failed += 1
    assert failed >= size // page - 1  # every page but possibly a free one is noticed


def test_direct_edit_of_the_sqlite_file_fails_verify(genuine, tmp_path):
    path, url = _sqlite_file(tmp_path, genuine)
    data = open(path, "rb").read()  # noqa: SIM115
    i = data.index(b"Junta b")
    open(path, "wb").write(data[:i] + b"Junta z" + data[i + 7 :])  # noqa: SIM115
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", url]), 1)
    assert line.startswith("ledger ALTERED: entry #") and "was altered" in line


def test_a_dropped_table_is_a_damaged_ledger(db_url, genuine):
    with _dispatched(db_url, genuine) as ledger, ledger.engine.begin() as c:
        c.execute(text("DROP TABLE entries"))
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", db_url]), 1)
    assert line == "ledger DAMAGED: table 'entries' is missing", line
    line = _one_line(runner.invoke(ledger_app, ["reconcile", "--db", db_url]), 2)
    assert line.endswith("is damaged: table 'entries' is missing"), line
    with pytest.raises(DamagedLedgerError):
        Ledger(db_url, create=True)  # init does not paper over the damage


def test_a_file_that_is_not_sqlite_is_damaged(tmp_path):
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(os.urandom(8192))
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", str(path)]), 1)
    assert line.startswith("ledger DAMAGED: ") and "not a SQLite database" in line
    line = _one_line(runner.invoke(ledger_app, ["init", "--db", str(path)]), 2)
    assert "not a SQLite database" in line


@pytest.mark.postgres
def test_direct_edit_of_the_postgres_data_file_fails_verify(pg_server, genuine):
    """The table's heap file changed on disk while the server is down: with data
    checksums the damaged page fails when read, amcheck or the hash chain catch the rest."""
    from sqlalchemy import create_engine

    name = f"edited_{os.getpid()}"
    admin = create_engine(f"{pg_server.url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = f"{pg_server.url}/{name}"
    with _dispatched(url, genuine) as ledger:
        real = genuine["rows"]
        assert real
        with ledger.engine.connect() as c:
            rel = c.execute(text("SELECT pg_relation_filepath('entries')")).scalar_one()
            c.execute(text("CHECKPOINT"))
        assert ledger.verify().ok
        assert ledger.verify().checked == "amcheck"
    heap = pg_server.data / rel
    pg_server.stop()
    try:
        data = bytearray(heap.read_bytes())
        i = data.index(b"desk")  # the dispatch entry's recorded_by, in the tuple's data
        data[i : i + 4] = b"DESK"
        heap.write_bytes(bytes(data))
        if os.geteuid() == 0:
            shutil.chown(heap, "postgres", "postgres")
    finally:
        pg_server.start()
    line = _one_line(runner.invoke(ledger_app, ["verify", "--db", url]), 1)
    assert line.startswith(("ledger DAMAGED: ", "ledger ALTERED: ")), line


# ------------------------------------------------------------------ the property
_CTX: dict = {}


def _record(data: bytes, suffix: str) -> str:
    """Record a (mutated) filled copy in a fresh copy of the dispatched ledger."""
    db = fuzz.workfile("ledger.sqlite", _CTX["template"])
    with Ledger(f"sqlite:///{db}") as ledger:
        entries = record_sheet(ledger, fuzz.workfile(f"filled{suffix}", data), by="fuzz")
        for e in entries:  # only planned stops, exactly as dispatched, can get in
            key = (e.truck, e.trip, e.stop_no, e.point_id)
            assert key in _CTX["planned"], f"recorded a stop that was not planned: {key}"
            assert 0 <= e.delivered <= 100_000
        assert ledger.verify().ok
    return f"{len(entries)} stops recorded"


@pytest.fixture(scope="module")
def sandbox(genuine, tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "ledger.sqlite"
    _dispatched(f"sqlite:///{path}", genuine).close()
    _CTX.update(template=path.read_bytes(), planned=genuine["planned"])
    with fuzz.Sandbox() as box:
        yield box
        fuzz.report("record_sheet", box)


@fuzz.SAMPLED
@given(data=st.data())
def test_record_sheet_never_records_a_forgery(sandbox, genuine, data):
    if data.draw(st.booleans()):
        sandbox.check(_record, data.draw(csv_copies(genuine)), ".csv", max_seconds=10)
    else:
        sandbox.check(_record, data.draw(xlsx_copies(genuine)), ".xlsx", max_seconds=10)
