"""The delivery ledger on SQLite and on a real PostgreSQL server.

Every test runs twice (the ``db_url`` fixture of ``conftest.py``): on a SQLite file, and on
a PostgreSQL cluster that the session starts in a temporary directory.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from logistics.cli.ledger import ledger_app
from logistics.ledger import Ledger, correct, dispatch, reconcile, record_sheet, record_stops
from logistics.model import InputError, scenario_to_yaml
from logistics.paper import COLUMNS, StopRecord, write_sheets
from tests.helpers import SMALL_PLAN_TRIPS, plan_for, small_scenario, trip_shape

ROOT = Path(__file__).resolve().parents[2]
DATE = "2005-06-08"
SHIFT = f"{DATE} 07:00-19:00"


# ------------------------------------------------------------------------ the plan
@pytest.fixture(scope="module")
def small(net):
    """T01 trip 1: a 35; T01 trip 2: b 30, c 20; T02 trip 1: a 35. Rations a 70, b 30,
    c 20; x (Distrito 2) is excluded."""
    sc, problem, plan = plan_for(small_scenario(net), net)
    assert trip_shape(plan) == SMALL_PLAN_TRIPS
    return SimpleNamespace(sc=sc, problem=problem, plan=plan, pid=plan.plan_id())


def _dispatched(url: str, small) -> Ledger:
    ledger = Ledger(url, create=True)
    dispatch(ledger, small.plan, small.problem.points, price_bs=22.5, date=DATE, by="desk 1")
    return ledger


def _rec(small, truck, trip, point, d, r=0, *, f=0, who="junta", stop=None) -> StopRecord:
    return StopRecord(small.pid, truck, trip, point, d, r, f, who, stop=stop, source="test")


def _clean(small) -> list[StopRecord]:
    return [
        _rec(small, "T01", 1, "a", 35, who="Junta a", stop=1),
        _rec(small, "T01", 2, "b", 30, who="Junta b", stop=1),
        _rec(small, "T01", 2, "c", 20, who="Junta c", stop=2),
        _rec(small, "T02", 1, "a", 35, who="Junta a", stop=1),
    ]


def _replace(recs: list[StopRecord], k: int, **kw) -> list[StopRecord]:
    out = list(recs)
    out[k] = StopRecord(**{**out[k].__dict__, **kw})
    return out


# ------------------------------------------------------------------------- schema
def test_schema_comes_from_the_migrations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from logistics.ledger import Base

    with Ledger(db_url, create=True) as ledger, ledger.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0002"
        assert set(inspect(conn).get_table_names()) == {
            "alembic_version",
            "entries",
            "scenario_versions",
            "plans",
            "drafts",
        }
        # the ORM model and the migrated schema agree (no autogenerate diff)
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    Ledger(db_url).close()  # opening again is a no-op upgrade


def test_clean_record_reconciles_without_flags(db_url, small):
    with _dispatched(db_url, small) as ledger:
        record_stops(ledger, _clean(small), by="guard")
        rec = reconcile(ledger)
        assert rec.plans == [small.pid]
        assert rec.flags == []
        got = {
            (t.section, t.key): (t.loaded, t.delivered, t.returned, t.refused, t.missing)
            for t in rec.totals
        }
        assert got == {
            ("truck", "T01"): (85, 85, 0, 0, 0),
            ("truck", "T02"): (35, 35, 0, 0, 0),
            ("district", "El Alto / Distrito 8"): (120, 120, 0, 0, 0),
            ("shift", f"plans {small.pid}"): (120, 120, 0, 0, 0),
        }
        assert {t.shift for t in rec.totals} == {SHIFT}
        assert ledger.verify().ok and ledger.verify().entries == 5


def test_nothing_recorded_means_everything_missing(db_url, small):
    with _dispatched(db_url, small) as ledger:
        rec = reconcile(ledger, small.pid)
    assert [(f.kind, f.truck, f.trip) for f in rec.flags] == [
        ("missing-cylinders", "T01", 1),
        ("missing-cylinders", "T01", 2),
        ("missing-cylinders", "T02", 1),
    ]
    assert rec.flags[1].detail == (
        "T01 trip 2: loaded 50, accounted 0: 50 missing; stops not recorded: 1 (b), 2 (c)"
    )


PLANTED = {
    # name: (how the clean record is changed, flags expected, detail of the first flag)
    "missing": (
        lambda s, r: _replace(r, 1, delivered=25),
        ["missing-cylinders"],
        "T01 trip 2: loaded 50, accounted 45: 5 missing",
    ),
    "not-on-plan": (
        lambda s, r: [*_replace(r, 1, delivered=20), _rec(s, "T01", 2, "zz", 10)],
        ["stop-not-on-plan"],
        "T01 trip 2 recorded 10 delivered at an unknown point, not a stop of this trip",
    ),
    "excluded": (
        lambda s, r: [*_replace(r, 1, delivered=20), _rec(s, "T01", 2, "x", 10)],
        ["stop-not-on-plan", "excluded-zone"],
        "T01 trip 2 recorded 10 delivered at Point x (El Alto / Distrito 2), not a stop of "
        "this trip",
    ),
    "over-ration": (
        lambda s, r: _replace(_replace(r, 1, delivered=50), 2, delivered=0),
        ["over-ration"],
        f"b received 50 in shift {SHIFT}, ration 30",
    ),
    "repeated": (
        lambda s, r: [*_replace(r, 1, delivered=15), _rec(s, "T01", 2, "b", 15, stop=1)],
        ["repeated-delivery"],
        f"b received 2 deliveries in shift {SHIFT}, 1 planned",
    ),
    "unsigned": (
        lambda s, r: _replace(r, 2, signed_by=""),
        ["unsigned-delivery"],
        "20 delivered at c without the junta's signature",
    ),
}


@pytest.mark.parametrize("case", list(PLANTED))
def test_each_planted_discrepancy_is_flagged(db_url, small, case):
    plant, kinds, detail = PLANTED[case]
    with _dispatched(db_url, small) as ledger:
        record_stops(ledger, plant(small, _clean(small)), by="guard")
        rec = reconcile(ledger)
    assert rec.kinds() == kinds
    assert len(rec.flags) == len(kinds)
    assert rec.flags[0].detail == detail
    assert rec.flags[0].plan_id == small.pid and rec.flags[0].shift == SHIFT


def test_corrections_reference_the_entry_and_clear_the_flags(db_url, small):
    recs = [*_replace(_clean(small), 1, delivered=15), _rec(small, "T01", 2, "b", 15, stop=1)]
    with _dispatched(db_url, small) as ledger:
        entries = record_stops(ledger, recs, by="guard")
        first_b, second_b = entries[1].id, entries[4].id
        assert reconcile(ledger).kinds() == ["repeated-delivery"]
        fix = correct(
            ledger, first_b, by="desk 2", reason="one delivery of 30, typed twice", delivered=30
        )
        assert fix.corrects == first_b and fix.kind == "correction" and fix.recorded_by == "desk 2"
        # still flagged: the duplicate is there, and b got 45 > 30
        assert reconcile(ledger).kinds() == [
            "missing-cylinders",
            "over-ration",
            "repeated-delivery",
        ]
        void = correct(ledger, second_b, by="desk 2", reason="duplicate entry", void=True)
        rec = reconcile(ledger)
        assert rec.flags == []
        assert {(t.section, t.key): t.delivered for t in rec.totals}[("truck", "T01")] == 85
        # nothing was changed in place: the original entries are still there, unchanged
        rows = {e.id: e for e in ledger.entries()}
        assert rows[first_b].delivered == 15 and rows[second_b].delivered == 15
        assert rows[void.id].corrects == second_b and len(rows) == 8
        # a correction of a correction: the newest wins
        correct(ledger, fix.id, by="desk 3", reason="counted again", delivered=29, returned=1)
        assert reconcile(ledger).flags == []
        assert ledger.verify().ok


def test_bad_requests_are_one_line_input_errors(db_url, small):
    with _dispatched(db_url, small) as ledger:
        with pytest.raises(InputError, match=f"plan {small.pid} was already dispatched"):
            dispatch(ledger, small.plan, small.problem.points, price_bs=22.5, by="x")
        with pytest.raises(InputError, match="plan 'nope' was never dispatched"):
            record_stops(ledger, [StopRecord("nope", "T01", 1, "a", 1, 0, 0, "j")], by="x")
        with pytest.raises(InputError, match="no entry #99"):
            correct(ledger, 99, by="x", reason="r", delivered=1)
        with pytest.raises(InputError, match="entry #1 is a dispatch"):
            correct(ledger, 1, by="x", reason="r", delivered=1)
        with pytest.raises(InputError, match="--reason"):
            correct(ledger, 1, by="x", reason=" ", delivered=1)
        with pytest.raises(InputError, match="--plan-id: plan 'zz' was never dispatched"):
            reconcile(ledger, "zz")
        assert len(ledger.entries()) == 1


def test_the_database_refuses_updates_and_deletes(db_url, small):
    with _dispatched(db_url, small) as ledger:
        for sql in ("UPDATE entries SET recorded_by = 'me'", "DELETE FROM entries"):
            with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as c:
                c.execute(text(sql))
        assert ledger.verify().ok


def _tamper(ledger: Ledger, sql: str) -> None:
    """Someone with direct database access switches the triggers off and edits rows."""
    with ledger.engine.begin() as c:
        if ledger.engine.dialect.name == "postgresql":
            c.execute(text("ALTER TABLE entries DISABLE TRIGGER USER"))
        else:
            c.execute(text("DROP TRIGGER entries_no_update"))
            c.execute(text("DROP TRIGGER entries_no_delete"))
        c.execute(text(sql))


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE entries SET delivered = 5 WHERE id = 3", "entry #3 was altered"),
        ("UPDATE entries SET signed_by = 'Junta z' WHERE id = 4", "entry #4 was altered"),
        ("DELETE FROM entries WHERE id = 2", "entry #2 is missing"),
    ],
)
def test_verify_detects_an_altered_row(db_url, small, sql, problem):
    with _dispatched(db_url, small) as ledger:
        record_stops(ledger, _clean(small), by="guard")
        assert ledger.verify().ok
        _tamper(ledger, sql)
        rep = ledger.verify()
    assert not rep.ok
    assert rep.problem.startswith(problem)


def test_verify_against_a_written_down_head(db_url, small):
    """Removing the newest entries leaves a consistent chain; the head written down earlier
    tells."""
    with _dispatched(db_url, small) as ledger:
        record_stops(ledger, _clean(small), by="guard")
        head = ledger.verify().head[:16]
        assert ledger.verify(expect_head=head).ok
        _tamper(ledger, "DELETE FROM entries WHERE id = 5")
        assert ledger.verify().ok  # the chain alone cannot see a removed tail...
        rep = ledger.verify(expect_head=head)
    assert not rep.ok and "expected " + head in rep.problem  # ...the head can


# ---------------------------------------------------------------- filled sheets
@pytest.fixture(scope="module")
def sheet_files(small, net, tmp_path_factory):
    out = tmp_path_factory.mktemp("ledger-sheets")
    write_sheets(small.plan, small.sc, net, out, price_bs=22.5, date=DATE)
    return out


def _filled(src: Path, dst: Path, edit=None) -> Path:
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r.update(delivered=r["cylinders"], signed_by=f"Junta {r['point_id']}")
    if edit:
        edit(rows)
    with dst.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return dst


def test_record_a_filled_sheet(db_url, small, sheet_files, tmp_path):
    filled = _filled(sheet_files / "deliveries.csv", tmp_path / "f.csv")
    with _dispatched(db_url, small) as ledger:
        entries = record_sheet(ledger, filled, by="guard")
        assert [(e.truck, e.trip, e.stop_no, e.point_id, e.delivered) for e in entries] == [
            ("T01", 1, 1, "a", 35),
            ("T01", 2, 1, "b", 30),
            ("T01", 2, 2, "c", 20),
            ("T02", 1, 1, "a", 35),
        ]
        assert reconcile(ledger).flags == []
        with pytest.raises(InputError, match="T01 trip 1 stop 1 \\(a\\) is already recorded"):
            record_sheet(ledger, filled, by="guard")
        assert len(ledger.entries()) == 5


def test_altered_or_foreign_sheets_are_refused(db_url, small, sheet_files, tmp_path, net):
    def more(rows):
        rows[0]["cylinders"] = "30"

    altered = _filled(sheet_files / "deliveries.csv", tmp_path / "altered.csv", more)
    other = tmp_path / "other"
    write_sheets(small.plan, small.sc, net, other, price_bs=30.0, date=DATE)
    dearer = _filled(other / "deliveries.csv", tmp_path / "dearer.csv")
    with _dispatched(db_url, small) as ledger:
        with pytest.raises(
            InputError, match=r"T01 trip 1: printed checksum .* the copy was altered"
        ):
            record_sheet(ledger, altered, by="guard")
        with pytest.raises(InputError, match="is not the dispatched sheet of T01 trip 1"):
            record_sheet(ledger, dearer, by="guard")
        assert len(ledger.entries()) == 1  # nothing half-recorded


# ------------------------------------------------------------------ crash safety
def test_killed_writer_leaves_the_ledger_as_before(db_url, small, sheet_files, tmp_path):
    """kill -9 a `ledger record` after it appended 2 of its 4 entries: none of them stay."""
    filled = _filled(sheet_files / "deliveries.csv", tmp_path / "f.csv")
    with _dispatched(db_url, small) as ledger:
        # something recorded before the crash (by hand, so the sheet does not repeat it)
        record_stops(ledger, [_rec(small, "T01", 1, "a", 35, who="Junta a")], by="guard")
        before = [(e.id, e.hash) for e in ledger.entries()]
    env = {**os.environ, "SENKATA_LEDGER_TEST_PAUSE_S": "2", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "logistics.cli.ledger", "record", str(filled), "--db", db_url],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        seen = []
        deadline = time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            if line.startswith("ledger: appended"):
                seen.append(line.strip())
        expected = ["ledger: appended #3 (uncommitted)", "ledger: appended #4 (uncommitted)"]
        assert seen == expected, proc.stderr.read() if proc.poll() is not None else seen
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with Ledger(db_url) as ledger:
        assert [(e.id, e.hash) for e in ledger.entries()] == before
        assert ledger.verify().ok
        # and the ledger takes the same command again, whole
        record_stops(ledger, _clean(small)[1:], by="guard")
        assert reconcile(ledger).flags == []
        assert ledger.verify().entries == 5


def test_desks_writing_at_once_keep_one_chain(db_url, small):
    """Four desks append at the same time: the write lock serialises them, no fork."""
    from concurrent.futures import ThreadPoolExecutor

    _dispatched(db_url, small).close()

    def desk(k: int) -> None:
        with Ledger(db_url) as ledger:
            for _ in range(5):
                record_stops(
                    ledger, [_rec(small, "T01", 1, "a", 1, who=f"desk {k}")], by=f"desk {k}"
                )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(desk, range(4)))
    with Ledger(db_url) as ledger:
        rep = ledger.verify()
        assert rep.ok and rep.entries == 21
        assert sorted(e.recorded_by for e in ledger.entries()[1:]) == sorted(
            f"desk {k}" for k in range(4) for _ in range(5)
        )


# --------------------------------------------------------------------------- CLI
def test_ledger_commands(db_url, small, sheet_files, tmp_path):
    runner = CliRunner()
    scen = tmp_path / "scenario.yaml"
    scen.write_text(scenario_to_yaml(small.sc), encoding="utf-8")
    plan_file = small.plan.save(tmp_path / "plan.json")
    db = ["--db", db_url]

    r = runner.invoke(
        ledger_app,
        [
            "dispatch",
            str(plan_file),
            "--scenario",
            str(scen),
            "--date",
            DATE,
            "--by",
            "desk 1",
            *db,
            "--create",
        ],
    )
    assert r.exit_code == 0, r.output
    assert f"entry #1: dispatched plan {small.pid} (3 trips) by desk 1" in r.output
    filled = _filled(sheet_files / "deliveries.csv", tmp_path / "f.csv")
    r = runner.invoke(ledger_app, ["record", str(filled), "--by", "guard", *db])
    assert r.exit_code == 0, r.output
    assert "recorded 4 stops: entries #2-#5" in r.output
    by_hand = ["--truck", "T02", "--trip", "1", "--point", "x", "--delivered", "5"]
    r = runner.invoke(
        ledger_app, ["record-stop", "--plan-id", small.pid, *by_hand, "--signed-by", "someone", *db]
    )
    assert r.exit_code == 0, r.output
    report = tmp_path / "report.csv"
    r = runner.invoke(ledger_app, ["reconcile", "--out", str(report), *db])
    assert r.exit_code == 0, r.output
    assert "flags: missing-cylinders 1, stop-not-on-plan 1, excluded-zone 1" in r.output
    with report.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    flags = [
        (x["flag"], x["truck"], x["point_id"], x["entries"]) for x in rows if x["section"] == "flag"
    ]
    assert flags == [
        ("missing-cylinders", "T02", "", "5 6"),
        ("stop-not-on-plan", "T02", "x", "6"),
        ("excluded-zone", "T02", "x", "6"),
    ]
    truck_rows = {x["key"]: x["missing"] for x in rows if x["section"] == "truck"}
    assert truck_rows == {"T01": "0", "T02": "-5"}
    r = runner.invoke(
        ledger_app, ["correct", "6", "--void", "--reason", "typed on the wrong sheet", *db]
    )
    assert r.exit_code == 0 and "entry #7 voids entry #6" in r.output
    r = runner.invoke(ledger_app, ["reconcile", *db])
    assert "no discrepancies" in r.output
    r = runner.invoke(ledger_app, ["verify", *db])
    assert r.exit_code == 0 and "ledger intact: 7 entries" in r.output

    r = runner.invoke(
        ledger_app,
        ["record-stop", "--plan-id", "nope", "--truck", "T1", "--trip", "1", "--point", "a", *db],
    )
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "error: record-stop: plan 'nope' was never dispatched; run `ledger dispatch` first"
    ]
    r = runner.invoke(ledger_app, ["verify", "--db", "mysql://h/db"])
    assert r.exit_code == 2 and "expected a sqlite:// or postgresql:// URL" in r.stderr

    with Ledger(db_url) as ledger:
        _tamper(ledger, "UPDATE entries SET delivered = 0 WHERE id = 3")
    r = runner.invoke(ledger_app, ["verify", *db])
    assert r.exit_code == 1
    assert "ledger ALTERED: entry #3 was altered" in r.stderr


def test_default_url_is_a_sqlite_file_here(tmp_path, monkeypatch):
    from logistics.ledger import resolve_url

    monkeypatch.delenv("SENKATA_LEDGER_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    r = runner.invoke(ledger_app, ["verify"])  # no ledger here yet: not created by verify
    assert r.exit_code == 2 and "no ledger at" in r.stderr
    assert not (tmp_path / "ledger.sqlite").exists()
    r = runner.invoke(ledger_app, ["init"])
    assert r.exit_code == 0 and "0 entries" in r.output
    r = runner.invoke(ledger_app, ["verify"])
    assert r.exit_code == 0 and "ledger intact: 0 entries" in r.output
    assert (tmp_path / "ledger.sqlite").is_file()
    monkeypatch.setenv("SENKATA_LEDGER_URL", "postgresql://u@h/db")
    assert resolve_url() == "postgresql+psycopg://u@h/db"
    assert resolve_url("x/l.db") == f"sqlite:///{tmp_path / 'x' / 'l.db'}"
