"""``senkata plan`` and ``senkata validate``: plan a shift; check a scenario or any plan."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from logistics.cli.common import DataDir, console, err_console
from logistics.cli.common import user_errors as _user_errors
from logistics.model import InputError


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
            raise InputError("--time-limit", f"expected seconds > 0, got {time_limit:g}")
        updates["time_limit_s"] = time_limit
    if seed is not None:
        if seed < 0:
            raise InputError("--seed", f"expected an integer >= 0, got {seed}")
        updates["seed"] = seed
    if warm_start is not None:
        if warm_start not in WARM_STARTS:
            raise InputError(
                "--warm-start", f"expected one of {', '.join(WARM_STARTS)}, got {warm_start!r}"
            )
        updates["warm_start"] = warm_start
    if updates:
        sc = sc.model_copy(update={"solver": sc.solver.model_copy(update=updates)})
    if allocation is not None:
        policies = ("max-delivered", "proportional", "max-min")
        if allocation not in policies:
            raise InputError(
                "--allocation", f"expected one of {', '.join(policies)}, got {allocation!r}"
            )
        sc = sc.model_copy(update={"allocation": allocation})
    with console.status("loading map and building the problem..."):
        try:
            problem = build_problem(sc, scenario_dir=scenario.parent, data=data)
        except InputError as exc:  # name the file, as load_scenario does
            raise InputError(f"{scenario}: {exc.where}", exc.message) from None
    return sc, problem


@_user_errors
def plan(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Directory for plan.json, routes.geojson, summary.csv."),
    ] = Path("out"),
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", help="Search time limit in seconds (default: the scenario's, 30 s)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Search seed (same seed and limits give the same plan)."),
    ] = None,
    allocation: Annotated[
        str | None,
        typer.Option(
            "--allocation",
            help="How a short stock is shared: max-delivered, proportional or max-min "
            "(default: the scenario's).",
        ),
    ] = None,
    warm_start: Annotated[
        str | None,
        typer.Option(
            "--warm-start",
            help="Where the search starts: greedy or pyvrp (PyVRP's routes; fewer km on "
            "large scenarios). Default: the scenario's.",
        ),
    ] = None,
    data: DataDir = None,
) -> None:
    """Plan one shift and write the plan, its routes and a summary into --out."""
    from logistics.ops import print_summary, write_outputs
    from logistics.plan import validate_plan
    from logistics.routing import solve

    sc, problem = _load(scenario, data, time_limit, seed, allocation, warm_start)
    limit = sc.solver.time_limit_s
    with console.status(f"solving (up to {limit:g} s)..."):
        result = solve(problem)
    report = validate_plan(result, sc, problem.net, data=data)
    print_summary(result, console, valid=report.ok)
    if not report.ok:
        for e in report.errors[:20]:
            err_console.print(f"  violation: {e}", markup=False)
        err_console.print("error: the plan failed validation; nothing was written", markup=False)
        raise typer.Exit(1)
    files = write_outputs(result, problem.net, out)
    console.print("wrote " + ", ".join(str(f) for f in files))


@_user_errors
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="Also re-check this plan.json against the scenario."),
    ] = None,
    data: DataDir = None,
) -> None:
    """Check a scenario (and optionally a plan) without solving."""
    sc, problem = _load(scenario, data, None, None)
    pts = problem.points
    console.print(f"scenario [bold]{sc.name}[/bold] is valid")
    console.print(
        f"{len(pts)} distribution points ({sum(p.eligible for p in pts)} eligible), "
        f"{len(problem.routable)} routable; ration {sum(p.ration for p in pts if p.eligible):,} "
        f"cylinders vs stock {sc.plant.stock:,}"
    )
    active = [t for t in problem.trucks if t.commission is not None]
    console.print(f"{len(problem.trucks)} trucks, {len(active)} with a guard commission")
    for reason, n in sorted(Counter(problem.pre_unserved.values()).items()):
        console.print(f"  {n} points {reason}")
    for eff in problem.blockades:
        b = eff.blockade
        console.print(f"  blockade {b.id} ({b.status}): touches {len(eff.edges)} road edges")
    if plan_file is not None:
        from logistics.plan import read_plan, validate_plan

        p = read_plan(plan_file)
        rep = validate_plan(p, sc, problem.net, data=data)
        if rep.ok:
            console.print(f"plan {plan_file}: passes every rule ({rep.checked_trips} trips)")
        else:
            for e in rep.errors:
                console.print(f"  violation: {e}", markup=False)
            err_console.print(
                f"error: {plan_file}: {len(rep.errors)} rule violations", markup=False
            )
            raise typer.Exit(1)
