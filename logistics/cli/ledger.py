"""``senkata ledger ...``: dispatch, record, correct, reconcile, verify and show the ledger.

A ledger that fails verification exits with code 1; a user error prints one line and exits
with code 2.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from logistics.cli.common import (
    By,
    DataDir,
    DateOpt,
    Db,
    Price,
    ScenarioOpt,
    console,
    date_option,
    err_console,
    plan_and_scenario,
)
from logistics.cli.common import user_errors as _user_errors
from logistics.cli.language import Typer
from logistics.i18n import N_, _, fmt_int, ngettext
from logistics.paper import OFFICIAL_PRICE_BS

ledger_app = Typer(
    help=N_("The delivery ledger: dispatch plans, record stops, reconcile, verify."),
    no_args_is_help=True,
)

PlanIdOpt = Annotated[str | None, typer.Option("--plan-id", help=N_("Only this plan."))]


def _open(db: str | None, *, create: bool = False):
    from logistics.ledger import Ledger

    return Ledger(db, create=create)


def _by(by: str | None) -> str:
    from logistics.ledger import recorded_by_default

    return (by or "").strip() or recorded_by_default()


def _head(ledger: Any) -> None:
    rep = ledger.verify()
    console.print(
        _("ledger head #{n} {head} (write it down to check later)").format(
            n=rep.entries, head=rep.head[:16]
        ),
        markup=False,
    )


Create = Annotated[
    bool,
    typer.Option("--create", help=N_("Create the ledger if there is none (as `ledger init`).")),
]


@ledger_app.command(
    "init", help=N_("Create a new, empty ledger (or check that the one there is a ledger).")
)
@_user_errors
def ledger_init(db: Db = None) -> None:
    """Create a new, empty ledger (or check that the one there is a ledger)."""
    with _open(db, create=True) as ledger:
        rep = ledger.verify()
        url = ledger.url
    if not rep.ok:
        line = _("ledger DAMAGED: {problem}").format(problem=rep.problem)
        err_console.print(line, markup=False, soft_wrap=True)
        raise typer.Exit(1)
    msg = _("ledger {url}: {n} entries, head {head}")
    console.print(
        msg.format(url=url, n=rep.entries, head=rep.head[:16]), markup=False, soft_wrap=True
    )


@ledger_app.command(
    "dispatch",
    help=N_("Record a plan as dispatched (trips, loads, sheets' checksums, rations, price)."),
)
@_user_errors
def ledger_dispatch(
    plan: Annotated[Path, typer.Argument(help=N_("plan.json being dispatched."))],
    scenario: ScenarioOpt,
    price: Price = OFFICIAL_PRICE_BS,
    date: DateOpt = None,
    by: By = None,
    db: Db = None,
    create: Create = False,
    data: DataDir = None,
) -> None:
    """Record a plan as dispatched (trips, loads, sheets' checksums, rations, price)."""
    from logistics.ledger import dispatch

    p, sc, _net, pts = plan_and_scenario(plan, scenario, data, points=True)
    with _open(db, create=create) as ledger:
        e = dispatch(ledger, p, pts, price_bs=price, date=date_option(date, sc), by=_by(by))
        console.print(
            _("entry #{id}: dispatched plan {plan_id} ({trips} trips) by {by}").format(
                id=e.id, plan_id=p.plan_id(), trips=fmt_int(len(p.trips())), by=e.recorded_by
            ),
            markup=False,
        )
        _head(ledger)


@ledger_app.command(
    "record", help=N_("Record every filled row of a guards' delivery sheet (all rows or none).")
)
@_user_errors
def ledger_record(
    filled: Annotated[
        Path, typer.Argument(help=N_("A filled deliveries .csv or .xlsx delivery sheet."))
    ],
    by: By = None,
    db: Db = None,
) -> None:
    """Record every filled row of a guards' sheet (all rows or none)."""
    from logistics.ledger import record_sheet

    with _open(db) as ledger:
        entries = record_sheet(ledger, filled, by=_by(by))
        console.print(
            ngettext(
                "recorded {n} stop: entries #{first}-#{last}",
                "recorded {n} stops: entries #{first}-#{last}",
                len(entries),
            ).format(n=fmt_int(len(entries)), first=entries[0].id, last=entries[-1].id),
            markup=False,
        )
        _head(ledger)


@ledger_app.command("record-stop", help=N_("Record one stop's outcome by hand."))
@_user_errors
def ledger_record_stop(
    plan_id: Annotated[
        str, typer.Option("--plan-id", help=N_("Plan id (on every delivery sheet)."))
    ],
    truck: Annotated[str, typer.Option("--truck", help=N_("Truck id."))],
    trip: Annotated[int, typer.Option("--trip", min=1, help=N_("Trip number."))],
    point: Annotated[str, typer.Option("--point", help=N_("Distribution point id."))],
    delivered: Annotated[
        int, typer.Option("--delivered", min=0, help=N_("Cylinders delivered."))
    ] = 0,
    returned: Annotated[
        int, typer.Option("--returned", min=0, help=N_("Cylinders brought back."))
    ] = 0,
    refused: Annotated[int, typer.Option("--refused", min=0, help=N_("Cylinders refused."))] = 0,
    signed_by: Annotated[
        str, typer.Option("--signed-by", help=N_("Who signed for the junta."))
    ] = "",
    stop: Annotated[int | None, typer.Option("--stop", min=1, help=N_("Stop number."))] = None,
    by: By = None,
    db: Db = None,
) -> None:
    """Record one stop's outcome by hand."""
    from logistics.ledger import record_stops
    from logistics.paper import StopRecord

    rec = StopRecord(
        plan_id=plan_id, truck=truck, trip=trip, point_id=point, delivered=delivered,
        returned=returned, refused=refused, signed_by=signed_by.strip(), stop=stop,
        source="record-stop",
    )  # fmt: skip
    with _open(db) as ledger:
        (e,) = record_stops(ledger, [rec], by=_by(by))
        console.print(
            _("entry #{id}: {truck} trip {trip} at {point}: {n} delivered").format(
                id=e.id, truck=truck, trip=trip, point=point, n=fmt_int(delivered)
            ),
            markup=False,
        )
        _head(ledger)


@ledger_app.command(
    "correct",
    help=N_("Append a correction referencing an entry (the entry itself is never changed)."),
)
@_user_errors
def ledger_correct(
    entry_id: Annotated[int, typer.Argument(help=N_("The stop (or correction) entry to correct."))],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why (who asked, what was wrong)."))],
    delivered: Annotated[
        int | None, typer.Option("--delivered", min=0, help=N_("Cylinders delivered."))
    ] = None,
    returned: Annotated[
        int | None, typer.Option("--returned", min=0, help=N_("Cylinders brought back."))
    ] = None,
    refused: Annotated[
        int | None, typer.Option("--refused", min=0, help=N_("Cylinders refused."))
    ] = None,
    signed_by: Annotated[
        str | None, typer.Option("--signed-by", help=N_("Who signed for the junta."))
    ] = None,
    point: Annotated[str | None, typer.Option("--point", help=N_("Distribution point id."))] = None,
    void: Annotated[bool, typer.Option("--void", help=N_("Withdraw the stop entirely."))] = False,
    by: By = None,
    db: Db = None,
) -> None:
    """Append a correction referencing an entry (the entry itself is never changed)."""
    from logistics.ledger import correct

    with _open(db) as ledger:
        e = correct(
            ledger, entry_id, by=_by(by), reason=reason, void=void, delivered=delivered,
            returned=returned, refused=refused, signed_by=signed_by, point_id=point,
        )  # fmt: skip
        line = (
            _("entry #{id} voids entry #{old}") if void else _("entry #{id} corrects entry #{old}")
        )
        console.print(line.format(id=e.id, old=entry_id), markup=False)
        _head(ledger)


def _totals_table(title: str, rows: list) -> Table:
    t = Table(title=title)
    for key, col in (("shift", _("shift")), ("key", _("what")), ("loaded", _("loaded")),
                     ("delivered", _("delivered")), ("returned", _("returned")),
                     ("refused", _("refused")), ("missing", _("missing"))):  # fmt: skip
        t.add_column(col, justify="left" if key in ("shift", "key") else "right")
    for r in rows:
        miss = f"[bold red]{fmt_int(r.missing)}[/bold red]" if r.missing else "0"
        t.add_row(r.shift, r.key, fmt_int(r.loaded), fmt_int(r.delivered), fmt_int(r.returned),
                  fmt_int(r.refused), miss)  # fmt: skip
    return t


@ledger_app.command(
    "reconcile",
    help=N_("Loaded vs delivered vs returned per truck, district and shift; flag discrepancies."),
)
@_user_errors
def ledger_reconcile(
    plan_id: PlanIdOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help=N_("Write the report as CSV."))] = None,
    db: Db = None,
) -> None:
    """Loaded vs delivered vs returned per truck, district and shift; flag discrepancies."""
    from logistics.ledger import reconcile, write_report

    with _open(db) as ledger:
        rec = reconcile(ledger, plan_id)
    if not rec.plans:
        console.print(_("no plan has been dispatched yet"))
        return
    for section, title in (
        ("truck", _("Per truck")),
        ("district", _("Per district")),
        ("shift", _("Per shift")),
    ):
        console.print(_totals_table(title, rec.section(section)))
    if rec.flags:
        n = len(rec.flags)
        t = Table(
            title=ngettext(
                "{n} discrepancy (possible speculation)",
                "{n} discrepancies (possible speculation)",
                n,
            ).format(n=fmt_int(n))
        )
        for col in (_("flag"), _("plan"), _("truck"), _("trip"), _("point"), _("entries"),
                    _("detail")):  # fmt: skip
            t.add_column(col)
        for f in rec.flags:
            t.add_row(f.kind, f.plan_id, f.truck, str(f.trip or ""), f.point_id,
                      " ".join(f"#{i}" for i in f.entries), f.detail)  # fmt: skip
        console.print(t)
        counts = Counter(f.kind for f in rec.flags)
        console.print(
            _("flags: {counts}").format(counts=", ".join(f"{k} {n}" for k, n in counts.items())),
            markup=False,
        )
    else:
        console.print(_("[green]no discrepancies[/green]: every loaded cylinder is accounted for"))
    if out is not None:
        console.print(_("wrote {files}").format(files=write_report(rec, out)), markup=False)


@ledger_app.command(
    "verify",
    help=N_("Recompute the hash chain; exit 1 if any entry was altered, removed or inserted."),
)
@_user_errors
def ledger_verify(
    expect_head: Annotated[
        str | None,
        typer.Option("--expect-head", help=N_("A head hash written down earlier.")),
    ] = None,
    db: Db = None,
) -> None:
    """Check the database (its integrity check) and recompute the hash chain; exit 1 if the
    ledger is damaged or any entry was altered, removed or inserted."""
    from logistics.i18n import _
    from logistics.ledger import DamagedLedgerError

    try:
        with _open(db) as ledger:
            rep = ledger.verify(expect_head)
    except DamagedLedgerError as exc:
        line = _("ledger DAMAGED: {problem}").format(problem=exc.problem)
        err_console.print(line, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if rep.ok:
        console.print(
            _("ledger intact: {n} entries, head {head}").format(
                n=fmt_int(rep.entries), head=rep.head[:16]
            ),
            markup=False,
        )
        return
    if rep.damaged:
        line = _("ledger DAMAGED: {problem}").format(problem=rep.problem)
    else:
        line = _("ledger ALTERED: {problem}").format(problem=rep.problem)
    err_console.print(line, markup=False, soft_wrap=True)
    raise typer.Exit(1)


@ledger_app.command("show", help=N_("List the entries (ids to use with `ledger correct`)."))
@_user_errors
def ledger_show(
    plan_id: PlanIdOpt = None,
    db: Db = None,
) -> None:
    """List the entries (ids to use with `ledger correct`)."""
    with _open(db) as ledger:
        entries = ledger.entries()
    t = Table()
    for col in ("#", _("kind"), _("plan"), _("truck"), _("trip"), _("stop"), _("point"),
                _("del"), _("ret"), _("ref"), _("signed by"), _("corrects"), _("by"),
                _("at (UTC)")):  # fmt: skip
        t.add_column(col)
    for e in entries:
        if plan_id and e.plan_id != plan_id:
            continue
        note = json.loads(e.payload).get("reason", "") if e.kind == "correction" else ""
        cells = (e.id, e.kind, e.plan_id, e.truck, e.trip, e.stop_no, e.point_id, e.delivered,
                 e.returned, e.refused, e.signed_by, e.corrects and f"#{e.corrects} {note}",
                 e.recorded_by, e.recorded_at[:19])  # fmt: skip
        t.add_row(*("" if c is None else str(c) for c in cells))
    console.print(t)


if __name__ == "__main__":  # pragma: no cover - `python -m logistics.cli.ledger` (tests)
    ledger_app()
