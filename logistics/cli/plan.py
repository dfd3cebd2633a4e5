"""``senkata plan`` and ``senkata validate``: plan a shift; check a scenario or any plan."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from logistics.cli.common import By, DataDir, Db, console, err_console
from logistics.cli.common import user_errors as _user_errors
from logistics.cli.plans import Create, Name, Save
from logistics.i18n import N_, _, fmt_int, ngettext
from logistics.model import InputError

PLAN_HELP = N_("Plan one shift and write the plan, its routes and a summary into --out.")
VALIDATE_HELP = N_("Check a scenario (and optionally a plan) without solving.")
SCENARIO_HELP = N_("Scenario YAML file.")


def _load(
    scenario: Path,
    data: Path | None,
    time_limit: float | None,
    seed: int | None,
    allocation: str | None = None,
    warm_start: str | None = None,
):
    from logistics.model import WARM_STARTS, load_scenario
    from logistics.routing import build_problem

    sc = load_scenario(scenario)
    updates: dict[str, Any] = {}
    if time_limit is not None:
        if time_limit <= 0:
            raise InputError(
                "--time-limit",
                _("expected seconds > 0, got {value}").format(value=f"{time_limit:g}"),
            )
        updates["time_limit_s"] = time_limit
    if seed is not None:
        if seed < 0:
            raise InputError(
                "--seed", _("expected a whole number >= 0, got {value}").format(value=seed)
            )
        updates["seed"] = seed
    if warm_start is not None:
        if warm_start not in WARM_STARTS:
            raise InputError(
                "--warm-start",
                _("expected one of {choices}, got {value}").format(
                    choices=", ".join(WARM_STARTS), value=repr(warm_start)
                ),
            )
        updates["warm_start"] = warm_start
    if updates:
        sc = sc.model_copy(update={"solver": sc.solver.model_copy(update=updates)})
    if allocation is not None:
        policies = ("max-delivered", "proportional", "max-min")
        if allocation not in policies:
            raise InputError(
                "--allocation",
                _("expected one of {choices}, got {value}").format(
                    choices=", ".join(policies), value=repr(allocation)
                ),
            )
        sc = sc.model_copy(update={"allocation": allocation})
    with console.status(_("loading the map and placing the points...")):
        try:
            problem = build_problem(sc, scenario_dir=scenario.parent, data=data)
        except InputError as exc:  # name the file, as load_scenario does
            raise InputError(f"{scenario}: {exc.where}", exc.message) from None
    return sc, problem


@_user_errors
def plan(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help=N_("Directory for plan.json, routes.geojson, summary.csv.")
        ),
    ] = Path("out"),
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help=N_("Search time limit in seconds (default: the scenario's, 30 s)."),
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help=N_("Search seed (same seed and limits give the same plan).")),
    ] = None,
    allocation: Annotated[
        str | None,
        typer.Option(
            "--allocation",
            help=N_(
                "How a short stock is shared: max-delivered, proportional or max-min "
                "(default: the scenario's)."
            ),
        ),
    ] = None,
    warm_start: Annotated[
        str | None,
        typer.Option(
            "--warm-start",
            help=N_(
                "Where the search starts: greedy or pyvrp (PyVRP's routes; fewer km on "
                "large scenarios). Default: the scenario's."
            ),
        ),
    ] = None,
    data: DataDir = None,
    save: Save = False,
    name: Name = None,
    db: Db = None,
    create: Create = False,
    by: By = None,
) -> None:
    """Plan one shift and write the plan, its routes and a summary into --out."""
    from logistics.cli.plans import open_store

    if not save and (name is not None or db is not None or create):
        raise InputError("--save", _("--name, --db and --create need --save"))
    # a --db typo is caught before the search, not after it
    store = open_store(db, create=create) if save else None
    try:
        _plan_and_write(scenario, out, data, store, name, by,
                        (time_limit, seed, allocation, warm_start))  # fmt: skip
    finally:
        if store is not None:
            store.close()


def _plan_and_write(
    scenario: Path,
    out: Path,
    data: Path | None,
    store: Any,
    name: str | None,
    by: str | None,
    options: tuple[float | None, int | None, str | None, str | None],
) -> None:
    from logistics.cli.plans import save_plan
    from logistics.ops import print_summary, write_outputs
    from logistics.plan import validate_plan
    from logistics.routing import solve

    sc, problem = _load(scenario, data, *options)
    limit = sc.solver.time_limit_s
    with console.status(
        _("planning the routes (up to {seconds} s)...").format(seconds=f"{limit:g}")
    ):
        result = solve(problem)
    report = validate_plan(result, sc, problem.net, data=data)
    print_summary(result, console, valid=report.ok)
    if not report.ok:
        for e in report.errors[:20]:
            err_console.print(_("  violation: {rule}").format(rule=e), markup=False)
        err_console.print(_("error: the plan failed validation; nothing was written"), markup=False)
        raise typer.Exit(1)
    files = write_outputs(result, problem.net, out)
    console.print(_("wrote {files}").format(files=", ".join(str(f) for f in files)), markup=False)
    if store is not None:
        save_plan(store, result, sc, scenario, name=name, by=by)


@_user_errors
def validate(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help=N_("Also re-check this plan.json against the scenario.")),
    ] = None,
    data: DataDir = None,
) -> None:
    """Check a scenario (and optionally a plan) without solving."""
    from logistics.plan import reason_text

    sc, problem = _load(scenario, data, None, None)
    pts = problem.points
    console.print(
        _("scenario [bold]{name}[/bold] is valid").format(name=sc.name.replace("[", r"\["))
    )
    eligible = sum(p.eligible for p in pts)
    console.print(
        _(
            "{points} distribution points ({eligible} eligible); trucks can reach "
            "{reachable}; ration {ration} cylinders, {stock} at the plant"
        ).format(
            points=fmt_int(len(pts)),
            eligible=fmt_int(eligible),
            reachable=fmt_int(len(problem.routable)),
            ration=fmt_int(sum(p.ration for p in pts if p.eligible)),
            stock=fmt_int(sc.plant.stock),
        ),
        markup=False,
    )
    active = [t for t in problem.trucks if t.commission is not None]
    console.print(
        ngettext(
            "{trucks} truck, {guarded} with a guard commission",
            "{trucks} trucks, {guarded} with a guard commission",
            len(problem.trucks),
        ).format(trucks=fmt_int(len(problem.trucks)), guarded=fmt_int(len(active)))
    )
    for reason, n in sorted(Counter(problem.pre_unserved.values()).items()):
        console.print(
            ngettext("  {n} point: {reason}", "  {n} points: {reason}", n).format(
                n=fmt_int(n), reason=reason_text(reason)
            ),
            markup=False,
        )
    for eff in problem.blockades:
        b = eff.blockade
        console.print(
            _("  blockade {id} ({status}): touches {n} road segments").format(
                id=b.id,
                status=_("closed") if b.status == "closed" else _("permit"),
                n=fmt_int(len(eff.edges)),
            ),
            markup=False,
        )
    if plan_file is not None:
        from logistics.plan import read_plan, validate_plan

        p = read_plan(plan_file)
        rep = validate_plan(p, sc, problem.net, data=data)
        if rep.ok:
            console.print(
                ngettext(
                    "plan {file}: passes every rule ({trips} trip)",
                    "plan {file}: passes every rule ({trips} trips)",
                    rep.checked_trips,
                ).format(file=plan_file, trips=fmt_int(rep.checked_trips)),
                markup=False,
            )
        else:
            for e in rep.errors:
                console.print(_("  violation: {rule}").format(rule=e), markup=False)
            err_console.print(
                ngettext(
                    "error: {file}: {n} rule violation",
                    "error: {file}: {n} rule violations",
                    len(rep.errors),
                ).format(file=plan_file, n=fmt_int(len(rep.errors))),
                markup=False,
            )
            raise typer.Exit(1)
