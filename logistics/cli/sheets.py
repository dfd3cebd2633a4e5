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
from logistics.i18n import DEFAULT_LANGUAGE, _, ngettext
from logistics.model import InputError
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
    lang: Annotated[
        str,
        typer.Option("--lang", help="Language of the sheets: es (default, the guards') or en."),
    ] = DEFAULT_LANGUAGE,
    data: DataDir = None,
) -> None:
    """Delivery sheets: a PDF per trip, the plant summary, CSV/XLSX, GeoJSON/GPX routes."""
    from logistics.i18n import UnknownLanguageError, check_language
    from logistics.paper import write_sheets

    try:  # before the map is loaded: a typo fails at once
        sheet_lang = check_language(lang)
    except UnknownLanguageError as exc:
        raise InputError("--lang", str(exc)) from None
    p, sc, net, _pts = plan_and_scenario(plan, scenario, data, points=False)
    target = out if out is not None else plan.parent
    # a plain line, not a spinner: a spinner's thread would keep the sheet workers from
    # being forked (they would start from scratch instead, slower and larger)
    console.print(_("writing {n} trip sheets...").format(n=len(p.trips())), highlight=False)
    files = write_sheets(
        p, sc, net, target, price_bs=price, date=date_option(date, sc), lang=sheet_lang
    )
    pages = list(files.pages.values())
    console.print(
        ngettext(
            "plan {plan}: {n} trip sheet ({pages} pages) in {folder}; also {files}",
            "plan {plan}: {n} trip sheets ({pages} pages) in {folder}; also {files}",
            len(files.trip_pdfs),
        ).format(
            plan=p.plan_id(),
            n=len(files.trip_pdfs),
            pages=sum(pages),
            folder=target / "sheets",
            files=", ".join(f.name for f in files.others),
        ),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
