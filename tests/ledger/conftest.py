"""The ledger's databases: a SQLite file, or a real PostgreSQL server started here.

The PostgreSQL cluster (Debian's server binaries; as the ``postgres`` user when the tests
run as root) is started once per session in a temporary directory, with data checksums on
(``initdb -k``), so a damaged page is caught when read. Without the binaries the
PostgreSQL cases are skipped, unless ``$CI`` is set: then they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text


# ------------------------------------------------------------------ PostgreSQL server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """A throw-away PostgreSQL cluster on a free localhost port, stopped at the end."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        msg = "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)"
        if os.environ.get("CI"):
            pytest.fail(f"{msg}; CI must run the ledger on PostgreSQL (apt-get install postgresql)")
        pytest.skip(f"{msg}; install Debian's postgresql to run these")
    bindir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="senkata-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as Debian's postgres user
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log, port = base / "data", base / "server.log", _free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--no-sync",
        "--data-checksums",
    )
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -F"

    def ctl(action: str, *extra: str) -> None:
        run(str(bindir / "pg_ctl"), "-D", str(data), *extra, "-w", "-t", "60", action)

    def start() -> None:
        ctl("start", "-o", opts, "-l", str(log))

    start()
    try:
        yield SimpleNamespace(
            url=f"postgresql+psycopg://postgres@127.0.0.1:{port}",
            counter=itertools.count(),
            data=data,
            start=start,
            stop=lambda: ctl("stop", "-m", "fast"),
        )
    finally:
        ctl("stop", "-m", "immediate")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, empty ledger database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    pg = request.getfixturevalue("pg_server")
    name = f"ledger_{os.getpid()}_{next(pg.counter)}"
    admin = create_engine(f"{pg.url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"{pg.url}/{name}"
