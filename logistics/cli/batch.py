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
from logistics.i18n import N_, _, fmt_int, fmt_num, ngettext

if TYPE_CHECKING:  # pragma: no cover
    from logistics.batch import BatchResult


Out = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help=N_("Results directory: results.jsonl (resumable), results.parquet/.csv, plots."),
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help=N_(
            "Address of a running Dask scheduler, e.g. tcp://host:8786 (default: a local "
            "cluster on this machine)."
        ),
    ),
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", help=N_("Local Dask worker processes (default: all cores).")),
]
TimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit", help=N_("Search seconds per variant (default: each scenario's own).")
    ),
]
RetryFailed = Annotated[
    bool,
    typer.Option(
        "--retry-failed", help=N_("Plan again the variants that failed in an earlier run.")
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=N_("No progress bar."))]

BATCH_HELP = N_(
    "Plan many scenario files on Dask; write a results table and each plan.json.\n\n"
    "Each file is one variant: results go to OUT/results.{jsonl,parquet,csv}, valid plans to "
    "OUT/plans/<variant id>/plan.json. A file that fails is reported and the rest go on."
)
SWEEP_HELP = N_(
    "Explore variants of one scenario: fleet size, stock, random candidate blockades.\n\n"
    "Writes OUT/results.{jsonl,parquet,csv}, OUT/served_vs_fleet.png and, with "
    "--blockades-from, OUT/blockade_ranking.png (+ .csv): candidates ranked by how much "
    "demand they cut off when present."
)


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """As every command (one line, exit 2), plus exit 130 on Ctrl-C with a resume hint."""

    @wraps(fn)
    def interruptible(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            err_console.print(
                _(
                    "interrupted: finished variants are kept in results.jsonl; run the same "
                    "command again to resume"
                ),
                markup=False,
            )
            raise typer.Exit(130) from None

    return user_errors(interruptible)


def _report(res: BatchResult, out: Path, *, show_rows: int) -> None:
    """Print the outcome: counts, the first rows, failures, files."""
    from logistics.batch import served_summary

    s = served_summary(res.table)
    served = (
        _("; served {low}-{high} % of the eligible ration").format(
            low=fmt_num(s["served_min"], 1), high=fmt_num(s["served_max"], 1)
        )
        if not math.isnan(s["served_min"])
        else ""
    )
    console.print(
        _(
            "{variants} variants: {ok} ok, {failed} failed ({ran} planned now, {skipped} "
            "already done in {out}){served}; {seconds} s"
        ).format(
            variants=fmt_int(s["variants"]),
            ok=fmt_int(s["ok"]),
            failed=fmt_int(s["failed"]),
            ran=fmt_int(res.ran),
            skipped=fmt_int(res.skipped),
            out=out,
            served=served,
            seconds=fmt_num(res.wall_s, 1),
        ),
        markup=False,
    )
    t = Table()
    for col in (_("variant"), _("status"), _("served %"), _("km"), _("trucks used"),
                _("solve s")):  # fmt: skip
        t.add_column(col)
    for _row, r in res.table.head(show_rows).iterrows():
        ok = r["status"] == "ok"
        t.add_row(
            escape(str(r["label"])),
            _("ok") if ok else "[red]" + escape(_("failed")) + "[/red]",
            fmt_num(r["served_pct"], 1) if ok else "",
            fmt_int(r["km"]) if ok else "",
            f"{r['trucks_used']}/{r['trucks']}" if ok else "",
            fmt_num(r["solve_s"], 1) if ok else "",
        )
    if len(res.table) > show_rows:
        t.caption = _("first {n} of {total} rows (all in results.csv)").format(
            n=fmt_int(show_rows), total=fmt_int(len(res.table))
        )
    console.print(t)
    failed = res.table[res.table["status"] != "ok"]
    for _row, r in failed.head(10).iterrows():
        console.print(
            _("  failed {variant}: {error}").format(variant=r["label"], error=r["error"]),
            markup=False,
            highlight=False,
        )
    if len(failed) > 10:
        console.print(
            _("  ... and {n} more failures (results.csv, column error)").format(
                n=fmt_int(len(failed) - 10)
            ),
            markup=False,
        )
    if res.ranking is not None and not res.ranking.empty:
        console.print(_("candidate blockades, most demand cut off first:"))
        for _row, r in res.ranking.head(10).iterrows():
            basis = (
                ngettext("{n} pair", "{n} pairs", int(r["n_pairs"])).format(n=r["n_pairs"])
                if r["method"] == "paired"
                else _("{with_} with, {without} without").format(
                    with_=r["n_with"], without=r["n_without"]
                )
            )
            console.print(
                _(
                    "  {blockade}: {drop} fewer cylinders delivered, {cut} more ration cut "
                    "off ({basis})"
                ).format(
                    blockade=r["blockade"],
                    drop=fmt_int(r["served_drop"]),
                    cut=fmt_int(r["cutoff_ration"]),
                    basis=basis,
                ),
                markup=False,
            )
    for note in res.notes:
        console.print(_("  note: {note}").format(note=note), markup=False)
    console.print(
        _("wrote {files}").format(files=", ".join(str(f) for f in res.files)), markup=False
    )


@_user_errors
def batch(
    scenarios: Annotated[list[Path], typer.Argument(help=N_("Scenario YAML files."))],
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
    scenario: Annotated[Path, typer.Argument(help=N_("The base scenario YAML file."))],
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            help=N_(
                "NAME=START:STOP[:STEP] (inclusive) or NAME=V1,V2,... with NAME one of "
                "trucks, stock, capacity, seed, allocation; repeatable (the grid is crossed). "
                "trucks=N makes the fleet one group of N trucks like the first group; the "
                "guard roster is unchanged."
            ),
        ),
    ] = None,
    blockades_from: Annotated[
        Path | None,
        typer.Option(
            "--blockades-from",
            help=N_(
                "YAML file 'blockades: [...]' of candidate blockades (scenario schema); "
                "each variant adds a random combination of them."
            ),
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help=N_(
                "Distinct blockade combinations per grid cell (all of them when there are fewer)."
            ),
        ),
    ] = 50,
    p_present: Annotated[
        float,
        typer.Option(
            "--p-present", help=N_("Probability that a candidate blockade stands in a sample.")
        ),
    ] = 0.5,
    sample_seed: Annotated[
        int, typer.Option("--sample-seed", help=N_("Seed of the blockade sampling."))
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
        raise InputError(
            "--samples", _("expected a number >= 1, got {value}").format(value=samples)
        )
    base = sc.model_dump(mode="json")
    src = base["map"]["source"]
    if src != "embedded" and not Path(src).is_absolute():
        base["map"]["source"] = str((scenario.parent / src).resolve())
    variants = make_variants(base, grid, cands, samples, sample_seed, p_present=p_present)
    n = len(variants)
    err_console.print(
        ngettext("{n} variant of {scenario}", "{n} variants of {scenario}", n).format(
            n=fmt_int(n), scenario=scenario
        ),
        markup=False,
    )
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
    from logistics.cli.language import Typer

    app = Typer()
    app.command("batch", help=BATCH_HELP)(batch)
    app.command("sweep", help=SWEEP_HELP)(sweep)
    return app


if __name__ == "__main__":  # pragma: no cover
    _app()()
