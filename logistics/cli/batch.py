"""``senkata batch`` and ``senkata sweep``: many plans at once, on Dask.

Wired into :mod:`logistics.cli` as ``app.command("batch")(batch)`` and
``app.command("sweep")(sweep)``. As everywhere in ``senkata``, a user error (bad option,
unreadable candidates file, unreachable scheduler) prints one line
``error: <where>: <what was expected>`` and exits with code 2 before anything is planned.
A variant that fails is a row of the results, not an error: ``sweep`` exits 0 (failing
variants are part of what is explored), ``batch`` exits 1 when any scenario failed.
An interrupted run (Ctrl-C) exits 130; the same command resumes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from logistics.cli.common import DataDir, console, err_console, user_errors

if TYPE_CHECKING:  # pragma: no cover
    from logistics.batch import BatchResult


Out = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help="Results directory: results.jsonl (resumable), results.parquet/.csv, plots.",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of a running Dask scheduler, e.g. tcp://host:8786 (default: a local "
        "cluster on this machine).",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", help="Local Dask worker processes (default: all cores)."),
]
TimeLimit = Annotated[
    float | None,
    typer.Option("--time-limit", help="Search seconds per variant (default: each scenario's own)."),
]
RetryFailed = Annotated[
    bool,
    typer.Option("--retry-failed", help="Plan again the variants that failed in an earlier run."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """As every command (one line, exit 2), plus exit 130 on Ctrl-C with a resume hint."""

    @wraps(fn)
    def interruptible(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            err_console.print(
                "interrupted: finished variants are kept in results.jsonl; run the same "
                "command again to resume",
                markup=False,
            )
            raise typer.Exit(130) from None

    return user_errors(interruptible)


def _report(res: BatchResult, out: Path, *, show_rows: int) -> None:
    """Print the outcome: counts, the first rows, failures, files."""
    from logistics.batch import served_summary

    s = served_summary(res.table)
    served = (
        f"; served {s['served_min']:.1f}-{s['served_max']:.1f} % of the eligible ration"
        if not math.isnan(s["served_min"])
        else ""
    )
    console.print(
        f"[bold]{s['variants']}[/bold] variants: {s['ok']} ok, {s['failed']} failed "
        f"({res.ran} planned now, {res.skipped} already done in {out}){served}; "
        f"{res.wall_s:.1f} s"
    )
    t = Table()
    for col in ("variant", "status", "served %", "km", "trucks used", "solve s"):
        t.add_column(col)
    for _, r in res.table.head(show_rows).iterrows():
        ok = r["status"] == "ok"
        t.add_row(
            escape(str(r["label"])),
            "ok" if ok else "[red]failed[/red]",
            f"{r['served_pct']:.1f}" if ok else "",
            f"{r['km']:,.0f}" if ok else "",
            f"{r['trucks_used']}/{r['trucks']}" if ok else "",
            f"{r['solve_s']:.1f}" if ok else "",
        )
    if len(res.table) > show_rows:
        t.caption = f"first {show_rows} of {len(res.table)} rows (all in results.csv)"
    console.print(t)
    failed = res.table[res.table["status"] != "ok"]
    for _, r in failed.head(10).iterrows():
        console.print(f"  failed {r['label']}: {r['error']}", markup=False, highlight=False)
    if len(failed) > 10:
        console.print(f"  ... and {len(failed) - 10} more failures (results.csv, column error)")
    if res.ranking is not None and not res.ranking.empty:
        console.print("candidate blockades, most demand cut off first:")
        for _, r in res.ranking.head(10).iterrows():
            basis = (
                f"{r['n_pairs']} pairs"
                if r["method"] == "paired"
                else f"{r['n_with']} with, {r['n_without']} without"
            )
            console.print(
                f"  {r['blockade']}: {r['served_drop']:,.0f} fewer cylinders delivered, "
                f"{r['cutoff_ration']:,.0f} more ration cut off ({basis})",
                markup=False,
            )
    for note in res.notes:
        console.print(f"  note: {note}", markup=False)
    console.print("wrote " + ", ".join(str(f) for f in res.files))


@_user_errors
def batch(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out: Out = Path("results"),
    scheduler: Scheduler = None,
    workers: Workers = None,
    time_limit: TimeLimit = None,
    retry_failed: RetryFailed = False,
    quiet: Quiet = False,
    data: DataDir = None,
) -> None:
    """Plan many scenario files on Dask; write a results table and each plan.json.

    Each file is one variant: results go to OUT/results.{jsonl,parquet,csv}, valid plans to
    OUT/plans/<variant id>/plan.json. A file that fails is reported and the rest go on.
    """
    from logistics.batch import run_variants, variants_from_files

    variants = variants_from_files(scenarios)
    res = run_variants(
        variants,
        out,
        scheduler=scheduler,
        workers=workers,
        time_limit_s=time_limit,
        progress=not quiet,
        save_plans=True,
        retry_failed=retry_failed,
        data=data,
        console=err_console,
    )
    _report(res, out, show_rows=50)
    if res.failed:
        raise typer.Exit(1)


@_user_errors
def sweep(
    scenario: Annotated[Path, typer.Argument(help="The base scenario YAML file.")],
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            help="NAME=START:STOP[:STEP] (inclusive) or NAME=V1,V2,... with NAME one of "
            "trucks, stock, capacity, seed, allocation; repeatable (the grid is crossed). "
            "trucks=N makes the fleet one group of N trucks like the first group; the guard "
            "roster is unchanged.",
        ),
    ] = None,
    blockades_from: Annotated[
        Path | None,
        typer.Option(
            "--blockades-from",
            help="YAML file 'blockades: [...]' of candidate blockades (scenario schema); "
            "each variant adds a random combination of them.",
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help="Distinct blockade combinations per grid cell (all of them when there are fewer).",
        ),
    ] = 50,
    p_present: Annotated[
        float,
        typer.Option("--p-present", help="Probability that a candidate stands in a sample."),
    ] = 0.5,
    sample_seed: Annotated[
        int, typer.Option("--sample-seed", help="Seed of the blockade sampling.")
    ] = 0,
    out: Out = Path("sweep"),
    scheduler: Scheduler = None,
    workers: Workers = None,
    time_limit: TimeLimit = None,
    retry_failed: RetryFailed = False,
    quiet: Quiet = False,
    data: DataDir = None,
) -> None:
    """Explore variants of one scenario: fleet size, stock, random candidate blockades.

    Writes OUT/results.{jsonl,parquet,csv}, OUT/served_vs_fleet.png and, with
    --blockades-from, OUT/blockade_ranking.png (+ .csv): candidates ranked by how much
    demand they cut off when present.
    """
    from logistics.batch import (
        check_candidates,
        load_candidates,
        make_variants,
        parse_varies,
        run_variants,
    )
    from logistics.model import InputError, load_scenario
    from logistics.roads import load_network

    sc = load_scenario(scenario)
    grid = parse_varies(vary or [])
    cands = None
    if blockades_from is not None:
        cands = load_candidates(blockades_from)
        src = sc.map.source
        map_path = None
        if src != "embedded":
            map_path = Path(src) if Path(src).is_absolute() else scenario.parent / src
        check_candidates(sc, cands, load_network(map_path, data=data), where=str(blockades_from))
    if samples < 1:
        raise InputError("--samples", f"expected a number >= 1, got {samples}")
    base = sc.model_dump(mode="json")
    src = base["map"]["source"]
    if src != "embedded" and not Path(src).is_absolute():
        base["map"]["source"] = str((scenario.parent / src).resolve())
    variants = make_variants(base, grid, cands, samples, sample_seed, p_present=p_present)
    n = len(variants)
    err_console.print(f"{n} variant{'s' if n != 1 else ''} of {scenario}", markup=False)
    res = run_variants(
        variants,
        out,
        scheduler=scheduler,
        workers=workers,
        time_limit_s=time_limit,
        progress=not quiet,
        retry_failed=retry_failed,
        data=data,
        console=err_console,
    )
    _report(res, out, show_rows=20)


def _app() -> typer.Typer:  # pragma: no cover - `python -m logistics.cli.batch` before wiring
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("batch")(batch)
    app.command("sweep")(sweep)
    return app


if __name__ == "__main__":  # pragma: no cover
    _app()()
