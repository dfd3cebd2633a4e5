"""Is this database a ledger, and is it whole? Checks that come before the hash chain.

* A ledger URL must name an existing ledger: a SQLite file that is there and is a SQLite
  database, a PostgreSQL database with the ledger's tables; only ``senkata ledger init``
  (or ``--create``) makes a new one, so a ``--db`` typo is an error, not an empty ledger.
* :func:`integrity_problem` runs the backend's own integrity check: SQLite's
  ``PRAGMA integrity_check`` (every page, b-tree and index), on PostgreSQL the ``amcheck``
  extension when installed (``verify_heapam`` on the table, ``bt_index_check`` on each of
  its indexes); pages with a bad data checksum fail when they are read.
* A database error that means damage (a malformed file, a missing table, a corrupted page)
  becomes :class:`DamagedLedgerError`, one line; any other database error an
  :class:`~logistics.model.InputError` on ``--db``.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from logistics.i18n import _
from logistics.model import InputError, SenkataError
from logistics.model.errors import one_line
from logistics.model.files import label_of

#: The tables a ledger has (Alembic's bookkeeping and the entries).
LEDGER_TABLES = ("alembic_version", "entries")
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: PostgreSQL error classes that mean damage: data or index corrupted, a table missing.
_PG_DAMAGE = ("XX001", "XX002", "42P01")
_SQLITE_DAMAGE = ("malformed", "not a database", "no such table", "corrupt", "decode")


class DamagedLedgerError(SenkataError):
    """The ledger's database is damaged: unreadable pages, a missing table, a bad index.

    ``problem`` says what is damaged (without the ledger's name).
    """

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = one_line(problem, 120)
        msg = _("ledger {url} is damaged: {problem}")
        super().__init__(msg.format(url=one_line(url, 80), problem=self.problem))


def check_sqlite_file(path: str, *, create: bool) -> None:
    """A SQLite ledger file must exist (unless ``create``) and be a SQLite database.

    Raises
    ------
    InputError
        No such file (and not ``create``), its directory missing, or not a regular file.
    DamagedLedgerError
        A file that does not start like a SQLite database.
    """
    p = Path(path)
    where = label_of(path)
    if not p.exists():
        if not p.parent.is_dir():
            msg = _("directory of {path} does not exist")
            raise InputError("--db", msg.format(path=where))
        if not create:
            msg = _(
                "no ledger at {path}; expected an existing ledger (create one with "
                "`senkata ledger init --db ...` or `--create`)"
            )
            raise InputError("--db", msg.format(path=where))
        return
    mode = p.stat().st_mode
    if not stat.S_ISREG(mode):
        msg = _("{path} is not a regular file; expected a SQLite ledger file")
        raise InputError("--db", msg.format(path=where))
    with p.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head and head != _SQLITE_MAGIC:
        raise DamagedLedgerError(where, _("the file is not a SQLite database"))


def reason(exc: BaseException) -> str:
    """The first line of a database error, short."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    lines = str(orig).strip().splitlines()
    return one_line(lines[0] if lines else type(orig).__name__, 100)


def is_damage(exc: BaseException) -> bool:
    """Does this database error mean the ledger is damaged (not unreachable or busy)?"""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(orig, "sqlstate", None)
    if code is not None:
        return str(code) in _PG_DAMAGE
    low = str(orig).lower()
    return any(word in low for word in _SQLITE_DAMAGE)


def as_user_error(exc: SQLAlchemyError, url: str) -> SenkataError:
    """A database error as one line: damage, or a ledger that cannot be used."""
    if is_damage(exc):
        return DamagedLedgerError(url, reason(exc))
    msg = _("cannot use the ledger {url}: {reason}")
    return InputError("--db", msg.format(url=url, reason=reason(exc)))


def missing_tables(conn: Connection) -> list[str]:
    """The ledger tables this database lacks."""
    names = set(inspect(conn).get_table_names())
    return [t for t in LEDGER_TABLES if t not in names]


def _pg_integrity(conn: Connection) -> tuple[str | None, str]:
    has_amcheck = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).first()
    if has_amcheck is None:
        return None, _("data checksums only (the amcheck extension is not installed)")
    bad: Any = conn.execute(
        text("SELECT blkno, msg FROM verify_heapam('entries', check_toast => true) LIMIT 1")
    ).first()
    if bad is not None:
        msg = _("table entries, block {block}: {detail}")
        return msg.format(block=bad[0], detail=one_line(str(bad[1]), 80)), "amcheck"
    indexes = conn.execute(
        text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'entries'::regclass"
        )
    ).scalars()
    for name in list(indexes):
        conn.execute(text("SELECT bt_index_check(CAST(:n AS regclass), true)"), {"n": name})
    return None, "amcheck"


def integrity_problem(conn: Connection) -> tuple[str | None, str]:
    """Run the backend's integrity check: ``(first problem or None, what was checked)``.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        When the check itself cannot read the database (that is damage too).
    """
    if conn.dialect.name == "sqlite":
        rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        return (None if rows == ["ok"] else one_line(rows[0], 100)), "PRAGMA integrity_check"
    return _pg_integrity(conn)


def install_amcheck(conn: Connection) -> bool:
    """Try to install PostgreSQL's amcheck extension (needs a superuser); True if present."""
    if conn.dialect.name != "postgresql":
        return False
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    except SQLAlchemyError:
        return False
    return True
