"""The ``senkata`` command: plan a shift, check a scenario or a plan, inspect the map.

Every user error (bad file, bad field, point outside the map, sealed plant, offline fetch)
prints one line ``error: <where>: <what was expected>`` and exits with code 2, before
anything is written.
"""

from __future__ import annotations

import sys

import typer

from logistics.cli.maps import maps_app

app = typer.Typer(
    help="Plan guarded LPG deliveries from the Senkata plant over the real road map.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(maps_app, name="maps")


def _register_commands() -> None:
    """Every command group lives in its own module; they are wired here once, in the order
    ``senkata --help`` lists them."""
    from logistics.cli.batch import batch, sweep
    from logistics.cli.ledger import ledger_app
    from logistics.cli.plan import plan, validate
    from logistics.cli.replan import replan
    from logistics.cli.sheets import sheets

    app.command()(plan)
    app.command()(validate)
    app.command()(replan)
    app.command("sheets")(sheets)
    app.add_typer(ledger_app, name="ledger")
    app.command("batch")(batch)
    app.command("sweep")(sweep)


_register_commands()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
