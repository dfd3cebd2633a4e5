"""The ``senkata`` command (Typer), one module per command group.

``main`` wires the groups into :data:`app`; ``plan`` (plan, validate), ``replan``, ``maps``,
``sheets``, ``ledger``, ``batch`` (batch, sweep); ``common`` holds the shared options and the
one-line error handling.
"""

from __future__ import annotations

from logistics.cli.main import app

__all__ = ["app"]
