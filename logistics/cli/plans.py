"""``senkata plans ...`` and ``senkata plan --save``: the plan library in the ledger's database.

``senkata plan SCENARIO --save`` keeps the scenario as planned and the plan (after the
validator passed); ``plans list`` lists what every desk saved, ``plans show ID`` one plan,
``plans export ID --out plan.json`` writes it back as a file (``--scenario`` its scenario).
A bad id, a ``--db`` typo or a damaged database is one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from logistics.cli.common import By, Db, console
from logistics.cli.common import user_errors as _user_errors
from logistics.cli.language import Typer
from logistics.i18n import N_, _, fmt_int, fmt_num

if TYPE_CHECKING:  # pragma: no cover
    from logistics.ledger import PlanStore
    from logistics.model import Scenario
    from logistics.plan import Plan

plans_app = Typer(
    help=N_("The plan library: plans saved with `senkata plan --save` or from the app."),
    no_args_is_help=True,
)

IdArg = Annotated[str, typer.Argument(help=N_("Plan number (from `senkata plans list`)."))]

#: ``senkata plan`` options that save to the library
Save = Annotated[
    bool,
    typer.Option("--save", help=N_("Also keep the plan and its scenario in the plan library.")),
]
Name = Annotated[
    str | None,
    typer.Option("--name", help=N_("Name of the saved plan (default: the scenario's name).")),
]
Create = Annotated[
    bool,
    typer.Option("--create", help=N_("Create the database if there is none (as `ledger init`).")),
]


def open_store(db: str | None, *, create: bool = False) -> PlanStore:
    """The library at ``--db`` (an existing ledger database unless ``create``)."""
    from logistics.ledger import PlanStore

    return PlanStore(db, create=create)


def _by(by: str | None) -> str:
    from logistics.ledger import recorded_by_default

    return (by or "").strip() or recorded_by_default()


def scenario_text(path: Path, sc: Scenario) -> str:
    """The YAML to keep: the file as written (comments and all) when it is the scenario
    planned, else the planned scenario (``--time-limit``, ``--seed`` ... changed it)."""
    from logistics.model import scenario_digest, scenario_from_text, scenario_to_yaml

    raw = path.read_text(encoding="utf-8")
    if scenario_digest(scenario_from_text(raw, where=str(path))) == scenario_digest(sc):
        return raw
    return scenario_to_yaml(sc)


def save_plan(
    store: PlanStore,
    plan: Plan,
    sc: Scenario,
    scenario: Path,
    *,
    name: str | None,
    by: str | None,
) -> None:
    """Keep a validated plan and its scenario; print its library number."""
    rec = store.save_plan(plan, scenario_text(scenario, sc), name=name, author=_by(by))
    msg = _('saved plan #{n} "{name}" ({plan_id}, scenario version #{version}) in {url}')
    console.print(
        msg.format(
            n=rec.id,
            name=rec.name,
            plan_id=rec.plan_id,
            version=rec.scenario_version,
            url=store.url,
        ),
        markup=False,
        soft_wrap=True,
    )


@plans_app.command("list", help=N_("List the saved plans, newest first."))
@_user_errors
def plans_list(db: Db = None) -> None:
    """List the saved plans, newest first."""
    with open_store(db) as store:
        rows = store.plans()
    if not rows:
        console.print(_("no saved plans (save one with `senkata plan ... --save`)"), markup=False)
        return
    t = Table()
    for col in ("#", _("name"), _("plan"), _("scenario"), _("cylinders"), _("km"), _("trips"),
                _("saved (UTC)"), _("by")):  # fmt: skip
        t.add_column(col)
    for r in rows:
        t.add_row(
            str(r.id), r.name, r.plan_id, f"#{r.scenario_version} {r.scenario_name}",
            fmt_int(r.delivered), fmt_int(r.km), fmt_int(r.trips), r.created_at[:19], r.author,
        )  # fmt: skip
    console.print(t)


def _record_lines(rec: Any, plan: Plan) -> list[str]:
    return [
        _('plan #{n} "{name}": {plan_id}').format(n=rec.id, name=rec.name, plan_id=rec.plan_id),
        _("scenario version #{version}: {scenario}").format(
            version=rec.scenario_version, scenario=rec.scenario_name
        ),
        _("saved {at} (UTC) by {by}").format(at=rec.created_at[:19], by=rec.author),
        _("{delivered} of {demand} cylinders, {trips} trips, {trucks} trucks, {km} km").format(
            delivered=fmt_int(plan.delivered),
            demand=fmt_int(plan.demand),
            trips=fmt_int(len(plan.trips())),
            trucks=fmt_int(len(plan.trucks_used)),
            km=fmt_num(plan.km, 1),
        ),
    ]


@plans_app.command("show", help=N_("Show one saved plan: where it came from and its totals."))
@_user_errors
def plans_show(plan_no: IdArg, db: Db = None) -> None:
    """Show one saved plan: where it came from and its totals."""
    from logistics.ledger.plans import plan_number

    n = plan_number(plan_no)
    with open_store(db) as store:
        rec = store.get(n)
        plan = store.plan(n)
    for line in _record_lines(rec, plan):
        console.print(line, markup=False, soft_wrap=True)


@plans_app.command(
    "export", help=N_("Write a saved plan as plan.json (and, with --scenario, its scenario).")
)
@_user_errors
def plans_export(
    plan_no: IdArg,
    out: Annotated[Path, typer.Option("--out", "-o", help=N_("The plan.json to write."))],
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help=N_("Also write the plan's scenario YAML here.")),
    ] = None,
    db: Db = None,
) -> None:
    """Write a saved plan as plan.json (and, with --scenario, its scenario)."""
    from logistics.ledger.plans import plan_number

    n = plan_number(plan_no)
    with open_store(db) as store:
        rec = store.get(n)
        plan = store.plan(n)  # checked as any plan.json is, before a byte is written
        text = plan.model_dump_json(indent=1)
        yaml_text = store.scenario_yaml(rec.scenario_version) if scenario else None
    out.write_text(text, encoding="utf-8")
    written = [str(out)]
    if scenario is not None and yaml_text is not None:
        scenario.write_text(yaml_text, encoding="utf-8")
        written.append(str(scenario))
    console.print(_("wrote {files}").format(files=", ".join(written)), markup=False)


__all__ = ["By", "Create", "Name", "Save", "open_store", "plans_app", "save_plan"]
