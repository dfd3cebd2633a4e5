"""The delivery ledger: what was dispatched, what really happened at each stop.

A SQLAlchemy database: a SQLite file by default (``ledger.sqlite`` in the current
directory, zero setup), PostgreSQL by URL for several dispatch desks (``--db`` or
``$SENKATA_LEDGER_URL``). The schema is created and upgraded only by the Alembic migrations
in :mod:`logistics.ledger.migrations`, run when a ledger is opened.

The one table, ``entries``, is append-only: a dispatched plan, a stop's outcome and a
correction (which references the entry it corrects) are each a new row with who recorded
it and when (UTC). Rows form a hash chain (``hash`` = sha256 over the row's content and the
previous row's hash), so :func:`Ledger.verify` tells whether any row was altered, removed
or inserted; the database also refuses UPDATE and DELETE (triggers). Every command is one
transaction holding the ledger's write lock: a killed process leaves the ledger exactly as
before the command, and two desks never append after the same entry.

Reconciliation lives in :mod:`logistics.ledger.reconcile` (split off to keep modules small).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, create_engine, event, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from logistics.i18n import _
from logistics.ledger.health import (
    LEDGER_TABLES,
    DamagedLedgerError,
    as_user_error,
    check_sqlite_file,
    install_amcheck,
    integrity_problem,
    missing_tables,
)
from logistics.ledger.health import reason as db_reason
from logistics.model import InputError, SenkataError
from logistics.model.errors import one_line
from logistics.paper import (
    StopRecord,
    plan_sheets,
    read_filled_sheet,
    shift_label,
    verify_sheet_checksum,
)
from logistics.plan import Plan

ENV_URL = "SENKATA_LEDGER_URL"
DEFAULT_URL = "sqlite:///ledger.sqlite"
GENESIS = "0" * 64
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Tests only: seconds to sleep after each appended (uncommitted) entry, announced on
#: stderr, so a test can kill a writer in the middle of a command.
TEST_PAUSE_ENV = "SENKATA_LEDGER_TEST_PAUSE_S"
KINDS = ("dispatch", "stop", "correction")
_MIGRATE_LOCK = threading.Lock()


class Base(DeclarativeBase):
    pass


class Entry(Base):
    """One ledger row (see the module docstring); never updated once written."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    plan_id: Mapped[str] = mapped_column(String(32), index=True)
    truck: Mapped[str | None] = mapped_column(String(64))
    trip: Mapped[int | None] = mapped_column(Integer)
    stop_no: Mapped[int | None] = mapped_column(Integer)
    point_id: Mapped[str | None] = mapped_column(String(128))
    delivered: Mapped[int | None] = mapped_column(Integer)
    returned: Mapped[int | None] = mapped_column(Integer)
    refused: Mapped[int | None] = mapped_column(Integer)
    signed_by: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[str] = mapped_column(String(40))
    corrects: Mapped[int | None] = mapped_column(
        ForeignKey("entries.id", name="fk_entries_corrects")
    )
    #: canonical JSON text (kept as text so the bytes hashed are the bytes stored)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def data(self) -> dict:
        return json.loads(self.payload)


HASHED = [c.name for c in Entry.__table__.columns if c.name != "hash"]


def entry_hash(values: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of an entry's fields (all but ``hash``)."""
    canon = {k: values.get(k) for k in HASHED}
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _canon_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def resolve_url(db: str | None = None) -> str:
    """``--db`` value, else ``$SENKATA_LEDGER_URL``, else ``ledger.sqlite`` here.

    A value without ``://`` is a SQLite file path; ``postgresql://`` uses psycopg 3.
    """
    raw = db or os.environ.get(ENV_URL) or DEFAULT_URL
    if "://" not in raw:
        raw = f"sqlite:///{Path(raw).expanduser().resolve()}"
    if raw.startswith(("postgresql://", "postgres://")):
        raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
    return raw


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _engine(url: str, *, create: bool = False) -> Engine:
    try:
        u = make_url(url)
    except ArgumentError:
        msg = _("not a database URL: {url}").format(url=one_line(repr(url), 80))
        raise InputError("--db", msg) from None
    if u.get_backend_name() == "sqlite":
        path = u.database
        if path and path != ":memory:":
            check_sqlite_file(path, create=create)
        engine = create_engine(u, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock at once: the chain head read next stays the head.
            # Readers begin plainly, so `verify` and `reconcile` never wait for a writer.
            read = conn.get_execution_options().get("senkata_read", False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    if u.get_backend_name() != "postgresql":
        msg = _("expected a sqlite:// or postgresql:// URL, got {url}")
        raise InputError("--db", msg.format(url=one_line(_safe(url), 80)))
    return create_engine(u, pool_pre_ping=True)


@dataclass(frozen=True)
class VerifyReport:
    """Result of the integrity check and of re-computing the hash chain.

    ``damaged``: the database itself failed (its integrity check, a missing table, an
    unreadable page); otherwise a failure is an entry altered, removed or inserted.
    """

    ok: bool
    entries: int
    head: str
    problem: str = ""
    entry_id: int | None = None
    damaged: bool = False
    checked: str = ""


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def _head_revision() -> str | None:
    """The newest migration's revision (read once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


class Ledger:
    """An open ledger database (schema migrated to the newest revision on open).

    Parameters
    ----------
    url
        SQLAlchemy URL or SQLite path; default :func:`resolve_url`.
    create
        Make a new ledger when there is none (``senkata ledger init``, ``--create``);
        otherwise the URL must name an existing ledger.

    Raises
    ------
    InputError
        No ledger there (and not ``create``), a bad URL, a database that cannot be used.
    DamagedLedgerError
        A file that is not a SQLite database, a missing table, unreadable pages.
    """

    def __init__(self, url: str | None = None, *, create: bool = False) -> None:
        self.url = resolve_url(url)
        self.engine = _engine(self.url, create=create)
        try:
            self._open(create)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise as_user_error(exc, _safe(self.url)) from None
        except SenkataError:
            self.engine.dispose()
            raise

    def _open(self, create: bool) -> None:
        with self.engine.connect() as conn:
            missing = missing_tables(conn)
            current = None
            if not missing:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if missing == list(LEDGER_TABLES):
            if not create:
                msg = _(
                    "{url} is not a ledger (it has no ledger tables); expected an existing "
                    "ledger (create one with `senkata ledger init --db ...` or `--create`)"
                )
                raise InputError("--db", msg.format(url=one_line(_safe(self.url), 80)))
        elif missing:
            problem = _("table '{table}' is missing").format(table=missing[0])
            raise DamagedLedgerError(_safe(self.url), problem)
        if current is None or current != _head_revision():  # at the head: nothing to run
            self._migrate()
        if create:
            with self.engine.connect() as conn:
                install_amcheck(conn)
                conn.commit()

    def _migrate(self) -> None:
        from alembic import command

        cfg = _alembic_config()
        # Alembic keeps its running environment in module globals: one upgrade at a time per
        # process (a Streamlit server opens ledgers from several threads).
        with _MIGRATE_LOCK, self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, read: bool = False) -> Iterator[Session]:
        """One command = one transaction holding the ledger's write lock (unless ``read``).

        A database error inside is one line: :class:`DamagedLedgerError` when the ledger is
        damaged, else an :class:`InputError` on ``--db`` (nothing of the command is kept).
        """
        bind = self.engine.execution_options(senkata_read=True) if read else self.engine
        try:
            with Session(bind) as session, session.begin():
                if not read and self.engine.dialect.name == "postgresql":
                    # self-conflicting: one writer at a time, readers unaffected
                    session.execute(text("LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE"))
                yield session
        except DBAPIError as exc:
            raise as_user_error(exc, _safe(self.url)) from None

    def entries(self, session: Session | None = None) -> list[Entry]:
        """Every entry, oldest first (a consistent snapshot when ``session`` is None)."""
        if session is None:
            with self.transaction(read=True) as s:
                rows = list(s.scalars(select(Entry).order_by(Entry.id)))
                s.expunge_all()
                return rows
        return list(session.scalars(select(Entry).order_by(Entry.id)))

    def append(self, session: Session, kind: str, plan_id: str, *, by: str, **fields: Any) -> Entry:
        """Append one entry after the chain's head (inside :meth:`transaction`)."""
        if kind not in KINDS:
            raise ValueError(f"unknown entry kind {kind!r}; expected one of {KINDS}")
        last = session.scalars(select(Entry).order_by(Entry.id.desc()).limit(1)).first()
        values: dict[str, Any] = {c: None for c in HASHED}
        values.update(
            id=1 if last is None else last.id + 1,
            kind=kind,
            plan_id=plan_id,
            recorded_by=by,
            recorded_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            prev_hash=GENESIS if last is None else last.hash,
            payload=_canon_json(fields.pop("payload", {})),
            **fields,
        )
        entry = Entry(**values, hash=entry_hash(values))
        session.add(entry)
        session.flush()
        pause = os.environ.get(TEST_PAUSE_ENV)
        if pause:
            print(f"ledger: appended #{entry.id} (uncommitted)", file=sys.stderr, flush=True)
            time.sleep(float(pause))
        return entry

    def verify(self, expect_head: str | None = None) -> VerifyReport:
        """Run the database's integrity check, then recompute the chain; report the first
        damage, or the first altered, missing or inserted entry.

        A chain rewritten from some entry to the end is consistent again; compare the head
        with one written down earlier (``expect_head``, printed by every command) to catch it.
        """
        checked = ""
        try:
            with self.engine.connect() as conn:
                problem, checked = integrity_problem(conn)
                missing = missing_tables(conn)
            if problem is None and missing:
                problem = _("table '{table}' is missing").format(table=missing[0])
            if problem is not None:
                return VerifyReport(False, 0, GENESIS, problem, damaged=True, checked=checked)
            return self._verify_chain(expect_head, checked)
        except (SQLAlchemyError, DamagedLedgerError, ValueError, TypeError) as exc:
            if isinstance(exc, DamagedLedgerError):
                detail = exc.problem
            else:
                detail = db_reason(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
            return VerifyReport(False, 0, GENESIS, one_line(detail, 120), damaged=True)

    def _verify_chain(self, expect_head: str | None, checked: str) -> VerifyReport:
        prev, n = GENESIS, 0
        for n, e in enumerate(self.entries(), start=1):
            values = {c: getattr(e, c) for c in HASHED}
            if e.id != n:
                return VerifyReport(False, n - 1, prev, f"entry #{n} is missing", n)
            if entry_hash(values) != e.hash:
                msg = f"entry #{e.id} was altered (its content does not match its hash)"
                return VerifyReport(False, n - 1, prev, msg, e.id)
            if e.prev_hash != prev:
                msg = f"entry #{e.id} does not follow entry #{e.id - 1} (chain broken)"
                return VerifyReport(False, n - 1, prev, msg, e.id)
            prev = e.hash
        if expect_head and not prev.startswith(expect_head.lower()):
            msg = f"head is {prev[:16]}, expected {expect_head}: entries were rewritten or removed"
            return VerifyReport(False, n, prev, msg, n, checked=checked)
        return VerifyReport(True, n, prev, checked=checked)


def recorded_by_default() -> str:
    """Who is recording: ``$SENKATA_USER``, else the login name."""
    import getpass

    try:
        return os.environ.get("SENKATA_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


# --------------------------------------------------------------------------- writing
def dispatch(
    ledger: Ledger,
    plan: Plan,
    points: Sequence[Any],
    *,
    price_bs: float,
    date: str = "",
    by: str,
) -> Entry:
    """Record ``plan`` as dispatched, with what reconciliation needs later.

    Parameters
    ----------
    points
        The scenario's distribution points (``id, name, group, ration, eligible,
        excluded_by``), e.g. ``build_problem(scenario).points``: ration caps and eligibility
        are frozen into the entry as they were at dispatch.
    price_bs, date
        As printed on the sheets; the sheets' checksums are stored to check filled copies.
    """
    if not price_bs > 0:
        raise InputError("--price", f"expected a price in Bs > 0, got {price_bs:g}")
    sheets = plan_sheets(plan, price_bs=price_bs, date=date)
    trips = []
    for tr, t in plan.trips():
        trips.append(
            {
                "truck": tr.truck_id,
                "trip": t.trip_no,
                "commission": tr.commission_id,
                "members": tr.members,
                "loaded": t.loaded,
                "sheet": sheets[(tr.truck_id, t.trip_no)][0]["sheet"],
                "stops": [
                    {"stop": k, "point_id": s.point_id, "cylinders": s.cylinders}
                    for k, s in enumerate(t.stops, start=1)
                ],
            }
        )
    payload = {
        "scenario": plan.scenario,
        "scenario_sha256": plan.scenario_sha256,
        "date": date,
        "shift": shift_label(plan),
        "price_bs": round(price_bs, 2),
        "trips": trips,
        "points": {
            p.id: {
                "name": p.name,
                "group": p.group,
                "ration": int(p.ration),
                "eligible": bool(p.eligible),
                "excluded_by": p.excluded_by,
            }
            for p in points
        },
    }
    pid = plan.plan_id()
    with ledger.transaction() as s:
        old = s.scalars(select(Entry).where(Entry.plan_id == pid, Entry.kind == "dispatch")).first()
        if old is not None:
            raise InputError("plan", f"plan {pid} was already dispatched (entry #{old.id})")
        entry = ledger.append(s, "dispatch", pid, by=by, payload=payload)
        s.expunge(entry)
    return entry


def _dispatched(session: Session, plan_id: str, where: str) -> dict:
    e = session.scalars(
        select(Entry).where(Entry.plan_id == plan_id, Entry.kind == "dispatch")
    ).first()
    if e is None:
        raise InputError(
            where, f"plan {plan_id!r} was never dispatched; run `ledger dispatch` first"
        )
    return e.data()


def record_stops(
    ledger: Ledger, records: Sequence[StopRecord], *, by: str, from_sheet: bool = False
) -> list[Entry]:
    """Append one ``stop`` entry per record, all in one transaction (all or nothing).

    Records must belong to dispatched plans. A record carrying a sheet checksum must match
    the checksum of that trip's dispatched sheet. With ``from_sheet`` (a filled CSV/XLSX)
    every record must carry that checksum — a blank or wrong one is refused as possible
    forgery, so a forged copy can never take the place of the genuine one — and a planned
    stop already recorded is refused: fix it with ``ledger correct``.
    """
    out = []
    with ledger.transaction() as s:
        plans: dict[str, dict] = {}
        done: set[tuple[Any, ...]] = set()
        if from_sheet:
            for e in s.scalars(select(Entry).where(Entry.kind == "stop")):
                if e.stop_no is not None:
                    done.add((e.plan_id, e.truck, e.trip, e.stop_no, e.point_id))
        for r in records:
            where = r.source or "record"
            if r.plan_id not in plans:
                plans[r.plan_id] = _dispatched(s, r.plan_id, where)
            sheet = {(t["truck"], t["trip"]): t["sheet"] for t in plans[r.plan_id]["trips"]}
            if from_sheet and not r.sheet:
                msg = _(
                    "possible forgery: no checksum in column 'sheet'; expected an unaltered "
                    "printed copy (a stop off the sheet: `ledger record-stop`)"
                )
                raise InputError(where, msg)
            if r.sheet and sheet.get((r.truck, r.trip)) != r.sheet:
                msg = _(
                    "possible forgery: sheet {sheet} is not the dispatched sheet of {truck} trip "
                    "{trip} of plan {plan}; expected an unaltered copy printed for this plan"
                )
                raise InputError(
                    where,
                    msg.format(
                        sheet=one_line(r.sheet, 16), truck=one_line(r.truck, 40), trip=r.trip,
                        plan=one_line(r.plan_id, 16),
                    ),
                )  # fmt: skip
            key = (r.plan_id, r.truck, r.trip, r.stop, r.point_id)
            if from_sheet and r.stop is not None and key in done:
                raise InputError(
                    where,
                    f"{r.truck} trip {r.trip} stop {r.stop} ({r.point_id}) is already recorded; "
                    "expected new stops only (use `ledger correct ENTRY_ID` to change one)",
                )
            done.add(key)
            e = ledger.append(
                s, "stop", r.plan_id, by=by, truck=r.truck, trip=r.trip, stop_no=r.stop,
                point_id=r.point_id, delivered=r.delivered, returned=r.returned,
                refused=r.refused, signed_by=r.signed_by or None,
                payload={"source": r.source, "sheet": r.sheet},
            )  # fmt: skip
            out.append(e)
        s.expunge_all()
    return out


def record_sheet(ledger: Ledger, path: str | Path, *, by: str) -> list[Entry]:
    """Record every filled row of a guards' CSV/XLSX copy (one transaction).

    Raises
    ------
    InputError
        A bad cell (file, row, column named), a sheet whose planned columns were altered,
        a plan never dispatched, or a stop already recorded.
    """
    for check in verify_sheet_checksum(path):
        if not check.ok:
            msg = _(
                "possible forgery: {truck} trip {trip}: printed checksum {printed} does not "
                "match its planned rows; the copy was altered"
            )
            raise InputError(
                str(path),
                msg.format(
                    truck=one_line(check.truck, 40), trip=one_line(check.trip, 10),
                    printed=one_line(check.printed, 16),
                ),
            )  # fmt: skip
    records = read_filled_sheet(path)
    if not records:
        raise InputError(str(path), "no filled rows; expected delivered/returned/refused numbers")
    return record_stops(ledger, records, by=by, from_sheet=True)


def correct(
    ledger: Ledger,
    entry_id: int,
    *,
    by: str,
    reason: str,
    void: bool = False,
    **changes: Any,
) -> Entry:
    """Append a correction of a stop entry (or of an earlier correction).

    ``changes`` may set ``delivered``, ``returned``, ``refused``, ``signed_by``,
    ``point_id``; the rest is copied from the entry corrected. ``void`` withdraws the
    stop (recorded by mistake). Reconciliation uses the newest correction of a stop.
    """
    if not reason.strip():
        raise InputError(
            "--reason", "expected why the entry is corrected (who asked, what was wrong)"
        )
    allowed = {"delivered", "returned", "refused", "signed_by", "point_id"}
    bad = set(changes) - allowed
    if bad:
        raise InputError(
            "correct", f"cannot change {sorted(bad)}; expected some of {sorted(allowed)}"
        )
    for k in ("delivered", "returned", "refused"):
        v = changes.get(k)
        if v is not None and not 0 <= v <= 100_000:
            raise InputError(f"--{k}", f"expected a whole number of cylinders >= 0, got {v}")
    with ledger.transaction() as s:
        target = s.get(Entry, entry_id)
        if target is None:
            raise InputError("ENTRY_ID", f"no entry #{entry_id} in the ledger")
        if target.kind not in ("stop", "correction"):
            raise InputError(
                "ENTRY_ID", f"entry #{entry_id} is a {target.kind}; expected a stop entry"
            )
        fields = {k: getattr(target, k) for k in ("truck", "trip", "stop_no", *allowed)}
        fields.update({k: v for k, v in changes.items() if v is not None})
        payload = {"reason": reason.strip(), "void": bool(void)}
        e = ledger.append(
            s, "correction", target.plan_id, by=by, corrects=entry_id, payload=payload, **fields
        )
        s.expunge(e)
    return e
