"""``senkata replan``: re-plan the rest of a shift from a moment of it, and what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from logistics.cli.common import DataDir, console, err_console
from logistics.cli.common import user_errors as _user_errors
from logistics.i18n import N_, _, fmt_int, ngettext
from logistics.model import InputError

REPLAN_HELP = N_(
    "Re-plan the rest of a shift from --at: done work stays, trucks go on from where they "
    "are; by default only the legs a new blockade cuts change."
)

#: Longest --improve search, and the highest --move-cost (minutes).
MAX_IMPROVE_S = 600
MAX_MOVE_COST_MIN = 600


@_user_errors
def replan(
    plan_file: Annotated[Path, typer.Argument(help=N_("The plan being carried out (plan.json)."))],
    scenario: Annotated[Path, typer.Option("--scenario", "-s", help=N_("Its scenario YAML."))],
    at: Annotated[str, typer.Option("--at", help=N_("Time of the re-plan, HH:MM."))],
    progress: Annotated[
        Path | None,
        typer.Option(
            "--progress",
            help=N_("CSV of stops handed over (truck,trip,point_id,delivered)."),
        ),
    ] = None,
    from_ledger: Annotated[
        bool,
        typer.Option(
            "--from-ledger", help=N_("Take the stops handed over from the ledger (--db).")
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help=N_("Ledger URL or SQLite file (with --from-ledger).")),
    ] = None,
    blockade: Annotated[
        list[str] | None,
        typer.Option(
            "--blockade",
            help=N_(
                "New blockade, e.g. 'id=b9,lat=-16.52,lon=-68.17,radius_m=80,status=closed' "
                "(repeatable; a permit blockade needs delay_minutes=N)."
            ),
        ),
    ] = None,
    lift: Annotated[
        list[str] | None, typer.Option("--lift", help=N_("Id of a blockade lifted."))
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help=N_("Directory for the new plan."))
    ] = Path("out-replan"),
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help=N_(
                "Re-solve the whole rest of the shift with OR-Tools (may move stops between "
                "trucks) instead of repairing the plan; implied by --progress, --from-ledger "
                "and --lift."
            ),
        ),
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help=N_("Search seconds of the full re-plan."))
    ] = 3.0,
    improve: Annotated[
        float | None,
        typer.Option(
            "--improve",
            help=N_(
                "After the repair, search this many seconds (OR-Tools, from the repaired "
                "routes) for more cylinders delivered or fewer km, changing only the trucks "
                "--max-changed-trucks allows."
            ),
        ),
    ] = None,
    max_changed_trucks: Annotated[
        int | None,
        typer.Option(
            "--max-changed-trucks",
            help=N_(
                "Most trucks whose orders may change (default: only those a new blockade "
                "forces); freed cylinders and the --improve search use no other truck."
            ),
        ),
    ] = None,
    move_cost: Annotated[
        float,
        typer.Option(
            "--move-cost",
            help=N_(
                "Cost of moving a stop to another truck in the --improve search, in minutes "
                "of driving (default 30)."
            ),
        ),
    ] = 30.0,
    sheets: Annotated[
        bool,
        typer.Option("--sheets", help=N_("Also write new delivery sheets for changed trucks.")),
    ] = False,
    data: DataDir = None,
) -> None:
    """Re-plan the rest of a shift from --at: done work stays, trucks go on from where they
    are; by default only the legs a new blockade cuts change."""
    from pydantic import ValidationError

    from logistics.model import Blockade, load_scenario
    from logistics.model.loading import describe_error
    from logistics.ops import print_summary, read_progress, write_outputs
    from logistics.ops import replan as do_replan
    from logistics.plan import read_plan, validate_plan

    sc = load_scenario(scenario)
    old = read_plan(plan_file)
    if progress is not None and from_ledger:
        raise InputError("--progress", _("give either --progress or --from-ledger, not both"))
    done = read_progress(progress) if progress is not None else None
    if from_ledger:
        from logistics.ops import progress_from_ledger

        done = progress_from_ledger(db, old.plan_id())
    new_blockades = []
    for k, text in enumerate(blockade or []):
        fields = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        try:
            new_blockades.append(Blockade.model_validate(fields))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            path = ".".join(str(p) for p in err.get("loc", ()))
            raise InputError(f"--blockade[{k}] {path}".strip(), describe_error(err)) from None
    if improve is not None and not 0 < improve <= MAX_IMPROVE_S:
        raise InputError(
            "--improve",
            _("expected seconds from 0 to {most} (more than 0), got {value}").format(
                most=fmt_int(MAX_IMPROVE_S), value=f"{improve:g}"
            ),
        )
    if max_changed_trucks is not None and max_changed_trucks < 0:
        raise InputError(
            "--max-changed-trucks",
            _("expected a whole number from 0, got {value}").format(value=max_changed_trucks),
        )
    if not 0 <= move_cost <= MAX_MOVE_COST_MIN:
        raise InputError(
            "--move-cost",
            _("expected minutes from 0 to {most}, got {value}").format(
                most=fmt_int(MAX_MOVE_COST_MIN), value=f"{move_cost:g}"
            ),
        )
    full = full or done is not None or bool(lift)
    if full and improve is not None:
        raise InputError("--improve", _("the improve step follows the repair; drop --full"))
    from logistics.roads import load_network, with_plant_access

    net = with_plant_access(
        load_network(None if sc.map.source == "embedded" else sc.map.source, data=data),
        sc.plant.lon,
        sc.plant.lat,
        sc.plant.access_m,
    )
    crews, note = None, ""
    if full:
        with console.status(
            _("re-planning from {time} (up to {seconds} s)...").format(
                time=at, seconds=f"{time_limit:g}"
            )
        ):
            new, new_sc = do_replan(
                old,
                sc,
                at,
                progress=done,
                add_blockades=new_blockades,
                lift=lift or [],
                time_limit_s=time_limit,
                net=net,
            )
    else:
        from logistics.ops.repair import repair

        new, new_sc, crews = repair(
            old,
            sc,
            at,
            add_blockades=new_blockades,
            net=net,
            data=data,
            max_changed_trucks=max_changed_trucks,
        )
        if improve is not None:
            from logistics.ops.improve import improve_plan

            with console.status(
                _("improving the repaired plan (up to {seconds} s)...").format(
                    seconds=f"{improve:g}"
                )
            ):
                new, new_sc, crews, note = improve_plan(
                    old,
                    new,
                    new_sc,
                    at,
                    crews,
                    old_scenario=sc,
                    time_limit_s=improve,
                    max_changed_trucks=max_changed_trucks,
                    move_cost_min=move_cost,
                    net=net,
                    data=data,
                )
    report = validate_plan(new, new_sc, net, data=data)
    print_summary(new, console, valid=report.ok)
    print_diff(old, new, console)
    if crews is not None:
        print_crews(crews, console)
    if note:
        console.print(note, markup=False)
    if not report.ok:
        for e in report.errors[:20]:
            err_console.print(_("  violation: {rule}").format(rule=e), markup=False)
        err_console.print(
            _("error: the re-plan failed validation; nothing was written"), markup=False
        )
        raise typer.Exit(1)
    files = write_outputs(new, net, out)
    from logistics.model import scenario_to_yaml

    (out / "scenario.yaml").write_text(scenario_to_yaml(new_sc), encoding="utf-8")
    console.print(
        _("wrote {files}").format(files=", ".join(str(f) for f in [*files, out / "scenario.yaml"])),
        markup=False,
    )
    if sheets:
        from logistics.paper import write_sheets

        changed = changed_trucks(old, new)
        written = write_sheets(new, new_sc, net, out, trucks=changed)
        console.print(
            ngettext(
                "new delivery sheets for {n} truck whose work changed ({trucks}): "
                "{pdfs} trip PDFs in {folder}",
                "new delivery sheets for {n} trucks whose work changed ({trucks}): "
                "{pdfs} trip PDFs in {folder}",
                len(changed),
            ).format(
                n=fmt_int(len(changed)),
                trucks=", ".join(sorted(changed)) or _("none"),
                pdfs=fmt_int(len(written.trip_pdfs)),
                folder=out / "sheets",
            ),
            markup=False,
        )


def changed_trucks(old: Any, new: Any) -> set[str]:
    """Trucks whose trips differ between two plans: stops, cylinders or roads driven."""

    def work(plan: Any) -> dict[str, list]:
        return {
            t.truck_id: [
                ([(s.point_id, s.cylinders) for s in tr.stops], [lg.nodes for lg in tr.legs])
                for tr in t.trips
            ]
            for t in plan.trucks
        }

    a, b = work(old), work(new)
    return {tid for tid in a.keys() | b.keys() if a.get(tid) != b.get(tid)}


def print_diff(old: Any, new: Any, out: Console) -> None:
    """What the re-plan changed: headline numbers, then every stop served differently."""
    from logistics.ops import change_name, diff_plans
    from logistics.plan import reason_text

    d = diff_plans(old, new)
    t = Table(title=_("Changes (A = old plan, B = re-plan)"))
    for key, col in (("", ""), ("plan A", _("plan A")), ("plan B", _("plan B")),
                     ("change", _("change"))):  # fmt: skip
        t.add_column(col, justify="left" if not key else "right")
    for row in d.summary_rows():
        t.add_row(*(str(row[k]) for k in ("", "plan A", "plan B", "change")))
    out.print(t)
    reasons = {u.point_id: u for u in new.unserved}
    for c in d.stops:
        a, b = ", ".join(c.trucks_a) or "-", ", ".join(c.trucks_b) or "-"
        u = reasons.get(c.point_id)
        why = f" ({reason_text(u.reason, u.group)})" if c.change == "disappeared" and u else ""
        out.print(
            _("  {name}: {change}, truck {a} -> {b}, cylinders {before} -> {after}").format(
                name=c.name[:30],
                change=change_name(c.change),
                a=a,
                b=b,
                before=fmt_int(c.cylinders_a),
                after=fmt_int(c.cylinders_b),
            )
            + why,
            markup=False,
        )


def print_crews(crews: list, out: Console) -> None:
    """Per truck whose orders changed, what to tell its crew; then how many trucks."""
    n = len(crews)
    out.print(
        ngettext("orders changed for {n} truck", "orders changed for {n} trucks", n).format(
            n=fmt_int(n)
        ),
        markup=False,
    )
    for c in crews:
        out.print(_("truck {truck}:").format(truck=c.truck_id), markup=False)
        for line in c.lines:
            out.print(f"  {line}", markup=False)
