"""The ``senkata`` command: plan a shift, check a scenario or a plan, inspect the map.

Every user error (bad file, bad field, point outside the map, sealed plant, offline fetch)
prints one line ``error: <where>: <what was expected>`` and exits with code 2, before
anything is written. Every command takes ``--lang es|en`` (else ``$SENKATA_LANG``, else the
locale, else English; :mod:`logistics.cli.language`).
"""

from __future__ import annotations

import sys

from logistics.cli.language import Typer
from logistics.cli.maps import maps_app
from logistics.i18n import N_

app = Typer(
    help=N_("Plan guarded LPG deliveries from the Senkata plant over the real road map."),
    no_args_is_help=True,
)
app.add_typer(maps_app, name="maps")


def _register_commands() -> None:
    """Every command group lives in its own module; they are wired here once, in the order
    ``senkata --help`` lists them."""
    from logistics.cli.batch import BATCH_HELP, SWEEP_HELP, batch, sweep
    from logistics.cli.ledger import ledger_app
    from logistics.cli.plan import PLAN_HELP, VALIDATE_HELP, plan, validate
    from logistics.cli.plans import plans_app
    from logistics.cli.replan import REPLAN_HELP, replan
    from logistics.cli.sheets import sheets

    app.command(help=PLAN_HELP)(plan)
    app.command(help=VALIDATE_HELP)(validate)
    app.command(help=REPLAN_HELP)(replan)
    app.command("sheets")(sheets)
    app.add_typer(plans_app, name="plans")
    app.add_typer(ledger_app, name="ledger")
    app.command("batch", help=BATCH_HELP)(batch)
    app.command("sweep", help=SWEEP_HELP)(sweep)


_register_commands()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
