"""The ``senkata`` command: plan a shift, check a scenario or a plan, inspect the map.

Every user error (bad file, bad field, point outside the map, sealed plant, offline fetch)
prints one line ``error: <where>: <what was expected>`` and exits with code 2, before
anything is written.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from logistics.cli_common import DataDir, console, err_console
from logistics.cli_common import user_errors as _user_errors
from logistics.errors import InputError

app = typer.Typer(
    help="Plan guarded LPG deliveries from the Senkata plant over the real road map.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
maps_app = typer.Typer(
    help="The road map: what is loaded, and downloading a full one.", no_args_is_help=True
)
app.add_typer(maps_app, name="maps")


def _load(
    scenario: Path,
    data: Path | None,
    time_limit: float | None,
    seed: int | None,
    allocation: str | None = None,
    warm_start: str | None = None,
):
    from logistics.problem import build_problem
    from logistics.scenario import WARM_STARTS, load_scenario

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


@app.command()
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
    from logistics.plan import validate_plan
    from logistics.report import print_summary, write_outputs
    from logistics.solver import solve

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


@app.command()
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
        from logistics.plan import Plan, validate_plan

        try:
            p = Plan.load(plan_file)
        except (OSError, ValueError) as exc:
            raise InputError(
                str(plan_file), f"not a readable plan.json ({type(exc).__name__})"
            ) from None
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


@app.command()
@_user_errors
def replan(
    plan_file: Annotated[Path, typer.Argument(help="The plan being carried out (plan.json).")],
    scenario: Annotated[Path, typer.Option("--scenario", "-s", help="Its scenario YAML.")],
    at: Annotated[str, typer.Option("--at", help="Time of the re-plan, HH:MM.")],
    progress: Annotated[
        Path | None,
        typer.Option(
            "--progress", help="CSV of stops handed over (truck,trip,point_id,delivered)."
        ),
    ] = None,
    from_ledger: Annotated[
        bool,
        typer.Option("--from-ledger", help="Take the stops handed over from the ledger (--db)."),
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Ledger URL or SQLite file (with --from-ledger).")
    ] = None,
    blockade: Annotated[
        list[str] | None,
        typer.Option(
            "--blockade",
            help="New blockade, e.g. 'id=b9,lat=-16.52,lon=-68.17,radius_m=80,status=closed' "
            "(repeatable; permit needs delay_minutes=N).",
        ),
    ] = None,
    lift: Annotated[
        list[str] | None, typer.Option("--lift", help="Id of a blockade lifted.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the new plan.")] = Path(
        "out-replan"
    ),
    time_limit: Annotated[float, typer.Option("--time-limit", help="Search seconds.")] = 3.0,
    sheets: Annotated[
        bool, typer.Option("--sheets", help="Also write new delivery sheets for changed trucks.")
    ] = False,
    data: DataDir = None,
) -> None:
    """Re-plan the rest of a shift from --at: done work stays, trucks go on from where they are."""
    from logistics.plan import Plan, validate_plan
    from logistics.replan import read_progress
    from logistics.replan import replan as do_replan
    from logistics.report import print_summary, write_outputs
    from logistics.scenario import Blockade, load_scenario

    sc = load_scenario(scenario)
    try:
        old = Plan.load(plan_file)
    except (OSError, ValueError) as exc:
        raise InputError(
            str(plan_file), f"not a readable plan.json ({type(exc).__name__})"
        ) from None
    if progress is not None and from_ledger:
        raise InputError("--progress", "give either --progress or --from-ledger, not both")
    done = read_progress(progress) if progress is not None else None
    if from_ledger:
        from logistics.replan import progress_from_ledger

        done = progress_from_ledger(db, old.plan_id())
    new_blockades = []
    for k, text in enumerate(blockade or []):
        fields = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        try:
            new_blockades.append(Blockade.model_validate(fields))
        except ValueError as exc:
            first = str(exc).splitlines()[1:3]
            raise InputError(f"--blockade[{k}]", " ".join(x.strip() for x in first)) from None
    with console.status(f"re-planning from {at} (up to {time_limit:g} s)..."):
        new, new_sc = do_replan(
            old,
            sc,
            at,
            progress=done,
            add_blockades=new_blockades,
            lift=lift or [],
            time_limit_s=time_limit,
        )
    from logistics.network import load_network, with_plant_access

    net = with_plant_access(
        load_network(None if sc.map.source == "embedded" else sc.map.source, data=data),
        sc.plant.lon,
        sc.plant.lat,
        sc.plant.access_m,
    )
    report = validate_plan(new, new_sc, net, data=data)
    print_summary(new, console, valid=report.ok)
    print_diff(old, new, console)
    if not report.ok:
        for e in report.errors[:20]:
            err_console.print(f"  violation: {e}", markup=False)
        err_console.print("error: the re-plan failed validation; nothing was written", markup=False)
        raise typer.Exit(1)
    files = write_outputs(new, net, out)
    from logistics.scenario import scenario_to_yaml

    (out / "scenario.yaml").write_text(scenario_to_yaml(new_sc), encoding="utf-8")
    console.print("wrote " + ", ".join(str(f) for f in [*files, out / "scenario.yaml"]))
    if sheets:
        from logistics.sheets import write_sheets

        changed = changed_trucks(old, new)
        written = write_sheets(new, new_sc, net, out, trucks=changed)
        pdfs = [p for p in written if p.parent.name == "sheets"]
        console.print(
            f"new sheets for {len(changed)} trucks whose work changed "
            f"({', '.join(sorted(changed)) or 'none'}): {len(pdfs)} trip PDFs in {out / 'sheets'}"
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
    from logistics.plan_diff import diff_plans

    d = diff_plans(old, new)
    t = Table(title="Changes (A = old plan, B = re-plan)")
    for col in ("", "plan A", "plan B", "change"):
        t.add_column(col, justify="left" if not col else "right")
    for row in d.summary_rows():
        t.add_row(*(str(row[k]) for k in ("", "plan A", "plan B", "change")))
    out.print(t)
    reasons = {u.point_id: u.reason for u in new.unserved}
    for c in d.stops:
        a, b = ", ".join(c.trucks_a) or "-", ", ".join(c.trucks_b) or "-"
        why = (
            f" ({reasons[c.point_id]})"
            if c.change == "disappeared" and c.point_id in reasons
            else ""
        )
        out.print(
            f"  {c.point_id} {c.name[:30]}: {c.change}, truck {a} -> {b}, "
            f"cylinders {c.cylinders_a} -> {c.cylinders_b}{why}"
        )


@maps_app.command("info")
@_user_errors
def maps_info(
    map_file: Annotated[
        Path | None, typer.Option("--map", help="A map file instead of the embedded extract.")
    ] = None,
    data: DataDir = None,
) -> None:
    """What map is loaded, its coverage, and every assumed link."""
    from logistics.network import KIND_CONNECTOR, KIND_RETURN, KIND_ROAD, load_network

    net = load_network(map_file, data=data)
    w, s, e, n = net.bounds()
    console.print(f"map: {net.source}")
    console.print(
        f"sha256 {net.source_sha256[:16]}...  bounds lon {w:.4f}..{e:.4f}, lat {s:.4f}..{n:.4f}"
    )
    console.print(f"{net.n_nodes:,} nodes, {net.n_edges:,} directed edges")
    if map_file is None:
        console.print(
            "[yellow]partial map:[/yellow] 2019 OSM ways of bus/minibus routes only "
            "(© OpenStreetMap contributors, ODbL); El Alto is covered by its main corridors only"
        )
    console.print(f"pieces before joining (nodes each): {net.raw_components}")
    t = Table(title="Edges by kind")
    for col in ("kind", "edges", "km"):
        t.add_column(col)
    for k, label in (
        (KIND_ROAD, "OSM road"),
        (KIND_CONNECTOR, "ASSUMED connector"),
        (KIND_RETURN, "ASSUMED return carriageway"),
    ):
        m = net.edge_kind == k
        t.add_row(label, f"{int(m.sum()):,}", f"{net.edge_length_m[m].sum() / 1000:,.2f}")
    console.print(t)
    c = Table(
        title="Assumed connectors (both directions; switch off with map.assumed_connectors: false)"
    )
    for col in ("from node", "to node", "from lat,lon", "to lat,lon", "metres"):
        c.add_column(col)
    conn = np.flatnonzero(net.edge_kind == KIND_CONNECTOR)
    for ed in conn[::2]:
        u, v = int(net.edge_u[ed]), int(net.edge_v[ed])
        c.add_row(
            str(net.node_osmid[u]),
            str(net.node_osmid[v]),
            f"{net.lat[u]:.5f},{net.lon[u]:.5f}",
            f"{net.lat[v]:.5f},{net.lon[v]:.5f}",
            f"{net.edge_length_m[ed]:.0f}",
        )
    console.print(c)
    ret = np.flatnonzero(net.edge_kind == KIND_RETURN)
    ways = Counter(int(net.edge_way[e_]) for e_ in ret)
    console.print(
        f"assumed return carriageways: {len(ret):,} edges on {len(ways):,} one-way OSM ways "
        "(reverse of one-way ways that leave no way back in the extract; "
        "switch off with map.assumed_return_links: false)"
    )


@maps_app.command("fetch")
@_user_errors
def maps_fetch(
    bbox: Annotated[
        str,
        typer.Option(
            "--bbox", help="WEST,SOUTH,EAST,NORTH in degrees, e.g. -68.32,-16.64,-68.00,-16.44"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="GraphML file to write.")] = Path(
        "maps/lapaz-elalto.graphml"
    ),
) -> None:
    """Download the full drivable network with osmnx (needs internet)."""
    from logistics.osm_io import fetch_graph, save_graphml

    try:
        parts = tuple(float(x) for x in bbox.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise InputError("--bbox", f"expected WEST,SOUTH,EAST,NORTH (4 numbers), got {bbox!r}")
    with console.status("checking the connection to Overpass..."):
        graph = fetch_graph(parts)  # type: ignore[arg-type]
    path = save_graphml(graph, out)
    console.print(
        f"wrote {path} ({graph.number_of_nodes():,} nodes); use it with map.source: {path}"
    )


def _register_subcommands() -> None:
    """Commands that live in their own modules (sheets, ledger), wired here once."""
    from logistics.cli_batch import batch, sweep
    from logistics.cli_sheets import ledger_app, sheets

    app.command("sheets")(sheets)
    app.add_typer(ledger_app, name="ledger")
    app.command("batch")(batch)
    app.command("sweep")(sweep)


_register_subcommands()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
