"""Every CLI test starts from English (the CLI's default), whatever this machine's locale;
the language tests choose Spanish with ``--lang``, ``$SENKATA_LANG`` or the locale."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SENKATA_LANG", "en")
