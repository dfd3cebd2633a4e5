"""``senkata sheets`` and ``senkata ledger ...``: delivery sheets and the delivery ledger.

Wired into :mod:`logistics.cli` as ``app.command("sheets")(sheets)`` and
``app.add_typer(ledger_app, name="ledger")``. As everywhere in ``senkata``, a user error
prints one line ``error: <where>: <what was expected>`` and exits with code 2; a ledger that
fails verification exits with code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logistics.cli.common import (
    DataDir,
    DateOpt,
    Price,
    ScenarioOpt,
    console,
    date_option,
    plan_and_scenario,
)
from logistics.cli.common import user_errors as _user_errors
from logistics.paper import OFFICIAL_PRICE_BS


@_user_errors
def sheets(
    plan: Annotated[Path, typer.Argument(help="plan.json written by `senkata plan`.")],
    scenario: ScenarioOpt,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: the plan's directory)."),
    ] = None,
    price: Price = OFFICIAL_PRICE_BS,
    date: DateOpt = None,
    data: DataDir = None,
) -> None:
    """Delivery sheets: a PDF per trip, the plant summary, CSV/XLSX, GeoJSON/GPX routes."""
    from logistics.paper import write_sheets

    p, sc, net, _ = plan_and_scenario(plan, scenario, data, points=False)
    target = out if out is not None else plan.parent
    with console.status(f"writing {len(p.trips())} trip sheets..."):
        files = write_sheets(p, sc, net, target, price_bs=price, date=date_option(date, sc))
    pdfs = [f for f in files if f.parent.name == "sheets"]
    console.print(
        f"plan {p.plan_id()}: {len(pdfs)} trip sheets in {target / 'sheets'}, and "
        + ", ".join(f.name for f in files if f not in pdfs)
    )


# --------------------------------------------------------------------------- ledger
