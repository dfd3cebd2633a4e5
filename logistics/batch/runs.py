"""Many plans at once, on Dask: scenario files (``senkata batch``) and variants (``sweep``).

A :class:`Variant` is one complete scenario (a JSON-able mapping) plus a label and the
parameters that made it; its id is a hash of the scenario content, so the same variant has
the same id in every run. :func:`make_variants` crosses a grid of ``--vary`` values (fleet
size, stock, ...) with random subsets of candidate blockades; :func:`variants_from_files`
makes one variant per scenario file.

:func:`run_variants` plans them on a Dask cluster - a :class:`~distributed.LocalCluster` by
default, or an existing scheduler by address, through the same ``client.submit`` /
``as_completed`` code path. Each worker loads the road map once (:func:`_network`) and
builds, solves and validates its variants; a variant that fails (bad value, sealed plant,
solver crash, a plan the validator rejects, a worker that died) becomes a row with
``status = "failed"`` and a one-line error, never an exception. Every finished row is
appended at once to ``results.jsonl`` (flushed), so an interrupted run resumes where it
stopped: rows already there are not planned again. At the end the table is written as
``results.parquet`` and ``results.csv``, with two plots: served demand vs fleet size and the
ranking of candidate blockades by the demand they cut off.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistics.batch.report import results_table, write_plots, write_tables
from logistics.batch.variants import Variant, _one_line
from logistics.i18n import _, current_language, use_language
from logistics.model import InputError, SenkataError
from logistics.plan import REASONS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from rich.console import Console

    from logistics.plan import Plan
    from logistics.roads import RoadNetwork
    from logistics.routing import Problem

RESULTS_JSONL = "results.jsonl"
#: Seconds to wait for an existing Dask scheduler (``--scheduler``).
CONNECT_TIMEOUT_S = 15

#: Columns of the results table, in order.


# ------------------------------------------------------------------ running
@functools.lru_cache(maxsize=4)
def _network(path: str | None, data: str | None) -> RoadNetwork:
    """The road map, loaded once per worker process (read-only, shared by its tasks)."""
    from logistics.roads import load_network

    return load_network(path, data=Path(data) if data else None)


def _facts(d: dict[str, Any]) -> dict[str, Any]:
    """Fleet size, stock and blockade ids read from a (possibly invalid) scenario mapping."""
    out: dict[str, Any] = {}
    with contextlib.suppress(KeyError, TypeError, AttributeError):
        out["trucks"] = sum(g.get("count") or len(g.get("ids") or []) for g in d["fleet"])
    with contextlib.suppress(KeyError, TypeError, IndexError):
        out["stock"] = d["plants"][0]["stock"]
    with contextlib.suppress(KeyError, TypeError):
        out["blockades"] = ",".join(str(b["id"]) for b in d.get("blockades") or [])
    return out


def plan_row(plan: Plan, problem: Problem) -> dict[str, Any]:
    """The results-table figures of one plan."""
    per_reason = {r: [0, 0] for r in REASONS}
    for u in plan.unserved:
        c = per_reason.setdefault(u.reason, [0, 0])
        c[0] += 1
        c[1] += u.missing
    row: dict[str, Any] = {
        "delivered": plan.delivered,
        "demand": plan.demand,
        "served_pct": round(100 * plan.delivered / plan.demand, 3) if plan.demand else 0.0,
        "km": round(plan.km, 3),
        "trucks": len(problem.trucks),
        "trucks_guarded": sum(t.commission is not None for t in problem.trucks),
        "trucks_used": len(plan.trucks_used),
        "trips": len(plan.trips()),
        "stock": problem.scenario.plant.stock,
        "min_share": round(float(plan.fairness()["min_share"]), 4),
        "solve_s": plan.solver.wall_s,
        "time_limit_s": plan.solver.time_limit_s,
        "hit_time_limit": plan.solver.hit_time_limit,
    }
    for r, (n, missing) in per_reason.items():
        key = r.replace("-", "_")
        row[f"unserved_{key}"] = n
        row[f"missing_{key}"] = missing
    return row


def run_variant(
    variant: Variant,
    time_limit_s: float | None = None,
    keep_plan: bool = False,
    data: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Build, solve and validate one variant (the Dask task). Never raises.

    ``lang`` is the language of the row's messages: a Dask worker is another process, so
    the client passes its own (default: the current language).

    Returns
    -------
    dict
        A results row; ``status`` is ``"failed"`` with a one-line ``error`` when the
        scenario is invalid, the problem cannot be built (sealed plant, point off the map),
        the solver fails or the validator rejects the plan. With ``keep_plan`` a valid
        plan's JSON is under ``"_plan_json"`` (written by the client).
    """
    with use_language(lang or current_language()):
        return _run_variant(variant, time_limit_s, keep_plan, data)


def _run_variant(
    variant: Variant, time_limit_s: float | None, keep_plan: bool, data: str | None
) -> dict[str, Any]:
    from logistics.model import scenario_from_dict
    from logistics.plan import validate_plan
    from logistics.routing import build_problem, solve

    t0 = time.perf_counter()
    row = _base_row(variant, variant.error)
    row["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    if variant.error is not None:
        return _finish(row, t0)
    data_path = Path(data) if data else None
    try:
        sc = scenario_from_dict(variant.scenario)
        if time_limit_s is not None:
            sc = sc.model_copy(
                update={"solver": sc.solver.model_copy(update={"time_limit_s": time_limit_s})}
            )
        src = sc.map.source
        net = _network(None if src == "embedded" else src, data)
        problem = build_problem(sc, net=net, data=data_path)
        t1 = time.perf_counter()
        row["build_s"] = round(t1 - t0, 3)
        plan = solve(problem)
        row.update(plan_row(plan, problem))
        t2 = time.perf_counter()
        report = validate_plan(plan, sc, problem.net, data=data_path)
        row["validate_s"] = round(time.perf_counter() - t2, 3)
        row["valid"] = bool(report.ok)
        if report.ok:
            row["status"] = "ok"
            if keep_plan:
                row["_plan_json"] = plan.model_dump_json(indent=1)
        else:
            more = (
                _(" (+{n} more)").format(n=len(report.errors) - 1) if len(report.errors) > 1 else ""
            )
            row["error"] = _one_line(
                _("plan failed validation: {rule}").format(rule=report.errors[0]) + more
            )
    except SenkataError as exc:
        row["error"] = _one_line(str(exc))
    except Exception as exc:  # a bug or a solver crash fails this variant, not the batch
        row["error"] = _one_line(f"{type(exc).__name__}: {exc}")
    return _finish(row, t0)


def _base_row(variant: Variant, error: str | None) -> dict[str, Any]:
    """The row of a variant before (or without) planning: status failed."""
    row: dict[str, Any] = {
        "variant_id": variant.id,
        "label": variant.label,
        "params": variant.params,
        "status": "failed",
        "error": error,
        **_facts(variant.scenario),
    }
    if variant.params.get("blockades") is not None:
        row["candidates"] = ",".join(variant.params["blockades"])
    return row


def _finish(row: dict[str, Any], t0: float) -> dict[str, Any]:
    row["wall_s"] = round(time.perf_counter() - t0, 3)
    row["finished_at"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    return row


# ---------------------------------------------------------------- on the client
def read_results(path: str | Path) -> dict[str, dict[str, Any]]:
    """Rows of a ``results.jsonl`` by variant id (the last row of an id wins).

    A line cut short by an interrupted run is dropped, and the file is rewritten without
    it, so appending goes on from a clean line.
    """
    p = Path(path)
    if not p.is_file():
        return {}
    rows: dict[str, dict[str, Any]] = {}
    good: list[str] = []
    text = p.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = bool(text) and not text.endswith("\n")
    for line in lines:
        try:
            row = json.loads(line)
            vid = row["variant_id"]
        except (ValueError, KeyError, TypeError):
            bad = True
            continue
        rows[vid] = row
        good.append(line)
    if bad:
        tmp = p.with_suffix(".tmp")
        tmp.write_text("".join(g + "\n" for g in good), encoding="utf-8")
        tmp.replace(p)
    return rows


@dataclass
class BatchResult:
    """What :func:`run_variants` did.

    Attributes
    ----------
    table
        One row per variant (in the order given), as written to Parquet and CSV.
    files
        Files written (tables, plots, ranking).
    ran
        Variants planned in this call.
    skipped
        Variants already finished in ``results.jsonl`` (resumed).
    wall_s
        Wall time of the call.
    """

    table: pd.DataFrame
    files: list[Path]
    ran: int
    skipped: int
    wall_s: float
    ranking: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return int((self.table["status"] != "ok").sum())


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client: on a new local cluster, or on an existing scheduler."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        n = workers or os.cpu_count() or 1
        with (
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},  # no fixed port 8787
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            "--scheduler",
            _("cannot connect to {address} ({problem})").format(
                address=repr(scheduler), problem=_one_line(str(exc), 200)
            ),
        ) from None
    with client:
        yield client


def _write_plan(out: Path, vid: str, text: str) -> str:
    d = out / "plans" / vid
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / "plan.json.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(d / "plan.json")
    return str(Path("plans") / vid / "plan.json")


def run_variants(
    variants: Sequence[Variant],
    out_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    time_limit_s: float | None = None,
    progress: bool = True,
    save_plans: bool = False,
    retry_failed: bool = False,
    data: str | Path | None = None,
    console: Console | None = None,
) -> BatchResult:
    """Plan every variant on Dask, streaming rows to ``out_dir/results.jsonl``.

    Parameters
    ----------
    variants
        What to plan; variants with the same id are planned once.
    out_dir
        Results directory (created). Rows already in its ``results.jsonl`` are skipped.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a local
        cluster of ``workers`` single-threaded processes (default: all cores). Workers of a
        remote cluster need the planner installed and the map data at the same path.
    workers
        Local worker processes (ignored with ``scheduler``).
    time_limit_s
        Search time limit of every variant (default: each scenario's own). Resuming is
        keyed by the variant id only: use a new ``out_dir`` to re-plan with another limit.
    progress
        Show a rich progress bar and print each failure as it happens.
    save_plans
        Write each valid plan to ``out_dir/plans/<variant id>/plan.json``.
    retry_failed
        Plan again the variants whose earlier row failed.
    data
        Shared data directory as seen by the workers.
    console
        Where the progress bar goes (default: stderr).

    Returns
    -------
    BatchResult

    Raises
    ------
    InputError
        Bad ``time_limit_s`` or ``workers``, or an unreachable scheduler.
    """
    t_start = time.perf_counter()
    if time_limit_s is not None and not time_limit_s > 0:
        raise InputError(
            "--time-limit",
            _("expected seconds > 0, got {value}").format(value=f"{time_limit_s:g}"),
        )
    if workers is not None and workers < 1:
        raise InputError(
            "--workers", _("expected a number >= 1, got {value}").format(value=workers)
        )
    out = Path(out_dir)
    jsonl = out / RESULTS_JSONL
    unique: dict[str, Variant] = {}
    for v in variants:
        unique.setdefault(v.id, v)
    done = read_results(jsonl)

    def finished(vid: str) -> bool:
        row = done.get(vid)
        return row is not None and not (retry_failed and row.get("status") != "ok")

    todo = [v for v in unique.values() if not finished(v.id)]
    skipped = len(unique) - len(todo)
    data_s = str(data) if data is not None else None
    ran = 0
    # the results file is opened at the first finished row: a run that fails to start
    # (unreachable scheduler) leaves nothing behind
    with contextlib.ExitStack() as stack:
        handle: list[Any] = []  # the open results.jsonl, once there is a row

        def record(row: dict[str, Any]) -> None:
            nonlocal ran
            if not handle:
                out.mkdir(parents=True, exist_ok=True)
                handle.append(stack.enter_context(jsonl.open("a", encoding="utf-8")))
            fh = handle[0]
            plan_json = row.pop("_plan_json", None)
            if plan_json is not None:
                row["plan"] = _write_plan(out, row["variant_id"], plan_json)
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            done[row["variant_id"]] = row
            ran += 1

        remote = []
        for v in todo:
            if v.error is not None:  # known to fail: no worker needed
                record(run_variant(v))
            else:
                remote.append(v)
        if remote and scheduler is None:
            _warm_map_cache(remote, data_s)
        if remote:
            _run_on_dask(
                remote,
                record,
                scheduler=scheduler,
                workers=workers,
                time_limit_s=time_limit_s,
                save_plans=save_plans,
                data=data_s,
                progress=progress,
                skipped=len(unique) - len(remote),
                failed=len(todo) - len(remote),
                total=len(unique),
                console=console,
            )
    out.mkdir(parents=True, exist_ok=True)
    rows = [done[v.id] for v in unique.values()]
    table = results_table(rows)
    files = write_tables(table, out)
    names = {
        str(b.get("id")): str(b.get("name") or "")
        for v in unique.values()
        for b in v.scenario.get("blockades") or []
        if isinstance(b, dict) and b.get("id") in set(v.params.get("blockades") or [])
    }
    ranking, plot_files, notes = write_plots(table, out, names=names)
    return BatchResult(
        table=table,
        files=files + plot_files,
        ran=ran,
        skipped=skipped,
        wall_s=time.perf_counter() - t_start,
        ranking=ranking,
        notes=notes,
    )


def _warm_map_cache(variants: Sequence[Variant], data: str | None) -> None:
    """Build the map caches here before local workers start, so that they only read them
    (workers building one cache at the same time would race on its temporary file)."""
    sources = set()
    for v in variants:
        try:
            sources.add(v.scenario["map"]["source"])
        except (KeyError, TypeError):
            sources.add("embedded")
    for src in sorted(sources):
        with contextlib.suppress(Exception):  # the variants report it, one row each
            _network(None if src == "embedded" else src, data)


def _run_on_dask(
    variants: list[Variant],
    record: Callable[[dict[str, Any]], None],
    *,
    scheduler: str | None,
    workers: int | None,
    time_limit_s: float | None,
    save_plans: bool,
    data: str | None,
    progress: bool,
    skipped: int,
    failed: int,
    total: int,
    console: Console | None,
) -> None:
    from distributed import as_completed
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    con = console or Console(stderr=True)
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        TextColumn(_("eta")),
        TimeRemainingColumn(),
        console=con,
        disable=not progress,
        transient=False,
    )
    ok = 0  # ``failed`` starts with the variants recorded as failed without a worker

    def counts(n_ok: int, n_failed: int) -> str:
        return _("ok {ok} failed {failed}").format(ok=n_ok, failed=n_failed)

    with bar:
        task = bar.add_task(
            _("starting Dask...")
            if scheduler is None
            else _("connecting to {address}...").format(address=scheduler),
            total=total,
            completed=skipped,
            counts=counts(0, failed) if failed else "",
        )
        with _client(scheduler, workers) as client:
            n_workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            bar.update(
                task,
                description=_("planning on {n} Dask workers").format(n=n_workers),
            )
            lang = current_language()
            futures = {
                client.submit(
                    run_variant, v, time_limit_s, save_plans, data, lang, pure=False, retries=0
                ): v
                for v in variants
            }
            for fut in as_completed(futures):
                v = futures[fut]
                try:
                    row = fut.result()
                except Exception as exc:  # the worker died (KilledWorker), cancelled, ...
                    err = _one_line(f"{type(exc).__name__}: {exc}")
                    row = _finish(_base_row(v, err), time.perf_counter())
                fut.release()
                record(row)
                if row["status"] == "ok":
                    ok += 1
                else:
                    failed += 1
                    if progress:
                        con.print(
                            "[red]"
                            + escape(_("failed"))
                            + f"[/red] {escape(v.label)}: {escape(row['error'])}"
                        )
                bar.update(task, advance=1, counts=counts(ok, failed))
