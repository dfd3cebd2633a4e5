"""Every app test keeps its drafts and saved plans in a throw-away database, never in a
``ledger.sqlite`` of the checkout (the app's default): ``$SENKATA_LEDGER_URL`` points to a
temporary SQLite file for the whole session (servers started by browser tests inherit it)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def app_database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('desks') / 'ledger.sqlite'}"
    old = os.environ.get("SENKATA_LEDGER_URL")
    os.environ["SENKATA_LEDGER_URL"] = url
    yield url
    if old is None:
        os.environ.pop("SENKATA_LEDGER_URL", None)
    else:
        os.environ["SENKATA_LEDGER_URL"] = old
