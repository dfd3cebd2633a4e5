"""Compare our OR-Tools routing core with PyVRP and VROOM on public benchmarks.

Every solver gets the same integer matrices, the same time limit and one core:

* **ours**: :func:`logistics.routing.vrp_core.solve_ortools`, the planner's OR-Tools model code
  (native transit matrices, ``PATH_CHEAPEST_ARC`` + ``GUIDED_LOCAL_SEARCH``) on the plain
  CVRP / VRPTW core; single-threaded.
* **hybrid**: the same OR-Tools model warm-started (``ReadAssignmentFromRoutes``) from
  PyVRP's routes: PyVRP searches for 80 % of the limit, OR-Tools' guided local search for
  the rest of it (OR-Tools may overrun on 1,000-node models: a search step is not cut
  short). This is how the planner can use PyVRP and still let OR-Tools enforce the rules
  PyVRP cannot express.
* **PyVRP**: ``pyvrp.solve(data, stop=MaxRuntime(limit), seed=...)``; single-threaded.
* **VROOM** (``pyvroom``): ``exploration_level=5, nb_threads=1, timeout=limit``; VROOM
  often stops earlier than the limit, its actual wall time is recorded.

Instances (read with ``vrplib`` from ``../shared/bench/instances``; best-known values and
conventions from ``bks.csv``):

* Solomon C1/R1/RC1 and Gehring-Homberger C1_10_1/R1_10_1 (VRPTW): Euclidean distance
  truncated to one decimal per arc (DIMACS); integer matrices in tenths, reported / 10.
  Travel time = distance; service times and windows scaled the same way.
* CVRPLIB X (CVRP): Euclidean distance rounded to the nearest integer.
* The shipped Senkata scenarios (``senkata-2005-06``, ``senkata-2003-10``): a *plain CVRP
  approximation* of the planner's problem: ``problem.tables.time_s`` (seconds, rounded)
  between the plant (node 0) and the routable points, demands = rations capped at the
  smallest commissioned truck's capacity, that capacity for every vehicle, no windows,
  stock, trips, guards or shift. No best-known value.

Fleet: free, objective distance only. Vehicles: vrplib's ``VEHICLES`` when given (Solomon
25, GH 250); otherwise ``max(bks vehicles, ceil(1.25 * capacity bound) + 1)``.

Every solution is checked with :func:`logistics.routing.vrp_core.check_solution` (customers once,
capacity, windows) and the solver-reported cost must equal the recomputed one.

Run::

    cd /work/main && PYTHONPATH=. .venv/bin/python bench/compare.py --limits 10 60
    cd /work/main && PYTHONPATH=. .venv/bin/python bench/compare.py --quick
    cd /work/main && PYTHONPATH=. .venv/bin/python bench/compare.py --limits 10 \\
        --instances C101 R101 RC101 X-n101-k25 --out bench/results/compare-subset

Split over two cores (one solver process per core), then joined::

    ... compare.py --limits 60 --instances C101 C103 ... --out /tmp/60s-a   # and -b
    ... compare.py --merge /tmp/60s-a.csv /tmp/60s-b.csv --out bench/results/compare-60s

Output: ``<out>.md`` and ``<out>.csv`` (default ``bench/results/compare``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import vrplib

from logistics.routing import (
    VRPInstance,
    VRPSolution,
    check_solution,
    min_vehicles,
    solve_ortools,
    solve_pyvrp,
)

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT.parent / "shared" / "bench" / "instances"
RESULTS = ROOT / "bench" / "results"
SENKATA = {
    "senkata-2005-06": ROOT / "scenarios" / "senkata-2005-06.yaml",
    "senkata-2003-10": ROOT / "scenarios" / "senkata-2003-10.yaml",
}
SOLVERS = ("ours", "hybrid", "pyvrp", "vroom")
#: (ours, peer) pairs whose cost ratio goes in the table
RATIOS = (("ours", "pyvrp"), ("ours", "vroom"), ("hybrid", "pyvrp"), ("hybrid", "vroom"))
QUICK = (("C101", 25), ("X-n101-k25", 30))
QUICK_LIMIT = 2.0


# --------------------------------------------------------------------------- instances


def read_bks(path: Path = INSTANCES / "bks.csv") -> dict[str, dict[str, str]]:
    """Rows of ``bks.csv`` by instance name."""
    with open(path, newline="") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def euclid_truncated_tenths(coords: np.ndarray) -> np.ndarray:
    """DIMACS: Euclidean distance truncated to one decimal, as integer tenths (exact).

    For integer coordinates ``floor(10 d) = isqrt(100 (dx^2 + dy^2))``, computed exactly
    (float square root, then corrected by one step where it rounded across an integer).
    """
    c = np.asarray(coords)
    if not np.allclose(c, np.round(c)):
        d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
        return np.floor(d * 10 + 1e-9).astype(np.int64)
    c = np.round(c).astype(np.int64)
    sq = 100 * ((c[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    r = np.floor(np.sqrt(sq.astype(np.float64))).astype(np.int64)
    r -= (r * r > sq).astype(np.int64)
    r += ((r + 1) * (r + 1) <= sq).astype(np.int64)
    return r


def euclid_rounded(coords: np.ndarray) -> np.ndarray:
    """CVRPLIB EUC_2D: Euclidean distance rounded to the nearest integer (``nint``)."""
    c = np.asarray(coords, dtype=np.float64)
    d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    return np.floor(d + 0.5).astype(np.int64)


def load_benchmark(name: str, bks: dict[str, dict[str, str]] | None = None) -> VRPInstance:
    """Read one benchmark instance of ``bks.csv`` with vrplib, on integer data.

    Parameters
    ----------
    name
        Instance name as in ``bks.csv`` (e.g. ``C101``, ``X-n101-k25``, ``C1_10_1``).
    bks
        Rows of ``bks.csv`` (read when None).
    """
    bks = read_bks() if bks is None else bks
    row = bks[name]
    path = INSTANCES / row["file"]
    fmt = "solomon" if path.suffix == ".txt" else "vrplib"
    raw = vrplib.read_instance(str(path), instance_format=fmt)
    coords = np.asarray(raw["node_coord"])
    n1 = len(coords)
    demand = np.asarray(raw["demand"], dtype=np.int64).reshape(n1)
    capacity = int(raw["capacity"])
    objective = row["objective"]
    if objective == "distance_only_dimacs":
        scale = 10
        dist = euclid_truncated_tenths(coords)
    elif objective == "distance_rounded_int":
        scale = 1
        dist = euclid_rounded(coords)
    else:
        raise ValueError(f"{name}: unknown objective convention {objective!r}")
    tw = service = None
    if "time_window" in raw:
        tw = np.asarray(raw["time_window"], dtype=np.int64) * scale
        st = np.asarray(raw.get("service_time", 0))
        service = (np.broadcast_to(st, (n1,)).astype(np.int64) * scale).copy()
        service[0] = 0
    if "vehicles" in raw:
        n_veh = int(raw["vehicles"])
    else:
        lb = max(1, math.ceil(int(demand.sum()) / capacity))
        n_veh = max(int(row.get("vehicles") or 0), math.ceil(1.25 * lb) + 1)
    return VRPInstance(
        name=name,
        dist=dist,
        demand=demand,
        capacity=capacity,
        n_vehicles=n_veh,
        time_windows=tw,
        service=service,
        scale=scale,
        bks=float(row["bks"]),
    )


def truncate(inst: VRPInstance, n_customers: int) -> VRPInstance:
    """The instance restricted to its first ``n_customers`` customers (no best-known)."""
    keep = np.arange(n_customers + 1)
    tw = None if inst.time_windows is None else inst.time_windows[keep].copy()
    sv = None if inst.service is None else inst.service[keep].copy()
    out = VRPInstance(
        name=f"{inst.name}[:{n_customers}]",
        dist=inst.dist[np.ix_(keep, keep)].copy(),
        demand=inst.demand[keep].copy(),
        capacity=inst.capacity,
        n_vehicles=inst.n_vehicles,
        time_windows=tw,
        service=sv,
        scale=inst.scale,
        bks=None,
        note=f"first {n_customers} customers of {inst.name}",
    )
    out.n_vehicles = min(inst.n_vehicles, max(min_vehicles(out) * 2 + 2, 10))
    return out


def load_senkata(name: str) -> VRPInstance:
    """Plain CVRP approximation of a shipped Senkata scenario (see the module docstring)."""
    from logistics.model import load_scenario
    from logistics.routing import build_problem

    problem = build_problem(load_scenario(SENKATA[name]))
    t = np.asarray(problem.tables.time_s, dtype=np.float64)
    if not np.isfinite(t).all():
        t = np.where(np.isfinite(t), t, 10 * 86400)
    dist = np.rint(t).astype(np.int64)
    np.fill_diagonal(dist, 0)
    cap = min(tr.capacity for tr in problem.trucks if tr.commission is not None)
    demand = np.asarray([0] + [min(p.ration, cap) for p in problem.routable], dtype=np.int64)
    n = len(demand) - 1
    return VRPInstance(
        name=name,
        dist=dist,
        demand=demand,
        capacity=cap,
        n_vehicles=n,
        scale=1,
        bks=None,
        note="plain CVRP approximation: time_s seconds, rations capped at truck capacity",
    )


def load_instance(name: str, bks: dict[str, dict[str, str]] | None = None) -> VRPInstance:
    """A benchmark instance of ``bks.csv`` or a Senkata scenario by name."""
    if name in SENKATA:
        return load_senkata(name)
    return load_benchmark(name, bks)


# --------------------------------------------------------------------------- solvers


#: Options of :func:`logistics.routing.vrp_core.solve_ortools` for "ours" (set from the command
#: line; empty = the planner's choices: greedy warm start, PATH_CHEAPEST_ARC, GLS default lambda).
OURS_OPTIONS: dict = {}


def run_ours(inst: VRPInstance, limit: float, seed: int = 1) -> VRPSolution:
    """The planner's OR-Tools model (deterministic: ``seed`` is unused)."""
    return solve_ortools(inst, limit, label="ours", **OURS_OPTIONS)


def run_pyvrp(inst: VRPInstance, limit: float, seed: int = 1) -> VRPSolution:
    """PyVRP's hybrid genetic search on the same integer matrices."""
    return solve_pyvrp(inst, limit, seed=seed)


def run_hybrid(inst: VRPInstance, limit: float, seed: int = 1) -> VRPSolution:
    """Our OR-Tools model warm-started from PyVRP, within the same total time limit."""
    return solve_ortools(inst, limit, warm_start="pyvrp", seed=seed, label="hybrid")


def run_vroom(
    inst: VRPInstance, limit: float, seed: int = 1, exploration_level: int = 5
) -> VRPSolution:
    """VROOM (pyvroom) on the same integer matrices, one thread, ``timeout=limit``."""
    import vroom

    t0 = time.monotonic()
    n1 = inst.n_customers + 1
    tw = inst.time_windows
    service = inst.service if inst.service is not None else np.zeros(n1, dtype=np.int64)
    dist = np.asarray(inst.dist, dtype=np.uint32)
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=dist)
    inp.set_costs_matrix(profile="car", matrix_input=dist)
    for i in range(1, n1):
        kw = {}
        if tw is not None:
            kw["time_windows"] = [vroom.TimeWindow(int(tw[i, 0]), int(tw[i, 1]))]
        inp.add_job(
            vroom.Job(
                id=i,
                location=i,
                default_service=int(service[i]),
                delivery=[int(inst.demand[i])],
                **kw,
            )
        )
    for v in range(inst.n_vehicles):
        kw = {}
        if tw is not None:
            kw["time_window"] = vroom.TimeWindow(int(tw[0, 0]), int(tw[0, 1]))
        inp.add_vehicle(
            vroom.Vehicle(id=v, start=0, end=0, capacity=[int(inst.capacity)], profile="car", **kw)
        )
    sol = inp.solve(
        exploration_level=exploration_level, nb_threads=1, timeout=timedelta(seconds=limit)
    )
    wall = time.monotonic() - t0
    df = sol.routes
    routes = []
    for _, grp in df[df["type"] == "job"].groupby("vehicle_id", sort=True):
        routes.append([int(x) for x in grp["id"]])
    unassigned = len(sol.unassigned) if hasattr(sol, "unassigned") else 0
    return VRPSolution(
        "vroom",
        routes,
        int(sol.summary.cost),
        wall,
        feasible=unassigned == 0,
        info={"unassigned": unassigned},
    )


RUNNERS: dict[str, Callable[..., VRPSolution]] = {
    "ours": run_ours,
    "hybrid": run_hybrid,
    "pyvrp": run_pyvrp,
    "vroom": run_vroom,
}


# --------------------------------------------------------------------------- harness


def evaluate(inst: VRPInstance, sol: VRPSolution) -> dict:
    """Check a solution and return its table fields (costs in reported units)."""
    chk = check_solution(inst, sol.routes)
    problems = list(chk.violations)
    if not sol.feasible:
        problems.append("solver reports infeasible")
    if sol.cost != chk.cost:
        problems.append(f"reported cost {sol.cost} != recomputed {chk.cost}")
    if not sol.routes:  # no solution at all: no cost to report
        return {
            "cost": None,
            "int_cost": None,
            "reported": None,
            "routes": 0,
            "wall_s": sol.wall_s,
            "gap_pct": None,
            "ok": False,
            "problems": "no solution; " + "; ".join(problems),
        }
    cost = chk.cost / inst.scale
    gap = None
    if inst.bks:
        gap = 100.0 * (cost - inst.bks) / inst.bks
    return {
        "cost": cost,
        "int_cost": chk.cost,
        "reported": sol.cost,
        "routes": len([r for r in sol.routes if r]),
        "wall_s": sol.wall_s,
        "gap_pct": gap,
        "ok": not problems,
        "problems": "; ".join(problems),
    }


def run_one(
    inst: VRPInstance,
    limit: float,
    solvers: Sequence[str] = SOLVERS,
    seed: int = 1,
    runners: dict[str, Callable[..., VRPSolution]] | None = None,
) -> dict:
    """Run the solvers on one instance at one limit; one result row."""
    runners = RUNNERS if runners is None else runners
    row: dict = {
        "instance": inst.name,
        "n": inst.n_customers,
        "type": "VRPTW" if inst.is_vrptw else "CVRP",
        "limit_s": limit,
        "bks": inst.bks,
    }
    for s in solvers:
        sol = runners[s](inst, limit, seed)
        ev = evaluate(inst, sol)
        for k, v in ev.items():
            row[f"{s}_{k}"] = v
        if sol.info.get("pyvrp_cost") is not None:  # hybrid: PyVRP's cost before OR-Tools
            row[f"{s}_pyvrp_phase_cost"] = sol.info["pyvrp_cost"] / inst.scale
    for mine, other in RATIOS:
        if mine in solvers and other in solvers and row[f"{mine}_cost"] and row[f"{other}_cost"]:
            row[f"{mine}_over_{other}"] = row[f"{mine}_cost"] / row[f"{other}_cost"]
    return row


def family(row: dict) -> str:
    """Instance family of a result row (for the per-family averages)."""
    name = row["instance"]
    if name.startswith("senkata"):
        return "Senkata (plain CVRP)"
    if name.startswith("X-"):
        return "CVRPLIB X"
    if "_" in name:
        return "Gehring-Homberger 1000"
    return "Solomon 100"


def _fmt(x, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def to_markdown(rows: list[dict], title: str, solvers: Sequence[str] = SOLVERS) -> str:
    """The results table (plus per-limit averages) as markdown."""
    names = {
        "ours": "ours (OR-Tools)",
        "hybrid": "hybrid (PyVRP → OR-Tools)",
        "pyvrp": "PyVRP",
        "vroom": "VROOM",
    }
    head = ["instance", "type", "n", "limit s", "BKS"]
    for s in solvers:
        head += [f"{names[s]} cost", f"{names[s]} gap %", f"{names[s]} s"]
    ratios = [(a, b) for a, b in RATIOS if a in solvers and b in solvers]
    ratio_head = [f"{a} / {names[b]}" for a, b in ratios]
    head += [*ratio_head, "all feasible"]
    lines = [f"# {title}", ""]
    lines += [
        f"Generated {dt.datetime.now().isoformat(timespec='seconds')} on "
        f"{platform.node()} ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}. One core per solver, same integer matrices and limit. "
        "Costs in the instance's convention (Solomon/GH: DIMACS one-decimal truncation; "
        "X: rounded integers; Senkata: seconds). Gap to best-known from `bks.csv`. "
        "VROOM runs with `exploration_level=5, nb_threads=1, timeout=limit` and may stop "
        "earlier (its column `s` is its actual wall time).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for r in rows:
        cells = [r["instance"], r["type"], str(r["n"]), _fmt(r["limit_s"], 0), _fmt(r["bks"])]
        for s in solvers:
            cells += [
                _fmt(r.get(f"{s}_cost")),
                _fmt(r.get(f"{s}_gap_pct"), 2),
                _fmt(r.get(f"{s}_wall_s")),
            ]
        cells += [_fmt(r.get(f"{a}_over_{b}"), 4) for a, b in ratios]
        cells += [
            "yes" if all(r.get(f"{s}_ok") for s in solvers) else "**NO**",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Averages per time limit (all instances, then per family)", ""]
    lines += ["| limit s | family | instances | "]
    lines[-1] += " | ".join(f"{names[s]} mean gap %" for s in solvers)
    lines[-1] += "".join(f" | mean {h}" for h in ratio_head) + " |"
    lines.append("|" + "---|" * (3 + len(solvers) + len(ratios)))
    for lim in sorted({r["limit_s"] for r in rows}):
        at_lim = [r for r in rows if r["limit_s"] == lim]
        groups = [("all", at_lim)]
        for fam in dict.fromkeys(family(r) for r in at_lim):
            groups.append((fam, [r for r in at_lim if family(r) == fam]))
        for fam, rs in groups:
            cells = [_fmt(lim, 0), fam, str(len(rs))]
            for s in solvers:
                gaps = [r[f"{s}_gap_pct"] for r in rs if r.get(f"{s}_gap_pct") is not None]
                cells.append(_fmt(float(np.mean(gaps)), 2) if gaps else "—")
            for a, b in ratios:
                vals = [r[f"{a}_over_{b}"] for r in rs if r.get(f"{a}_over_{b}") is not None]
                cells.append(_fmt(float(np.mean(vals)), 4) if vals else "—")
            lines.append("| " + " | ".join(cells) + " |")
    phase = [r for r in rows if r.get("hybrid_pyvrp_phase_cost") is not None]
    if phase:
        better = [r for r in phase if r["hybrid_cost"] < r["hybrid_pyvrp_phase_cost"]]
        lines += [
            "",
            f"Hybrid: OR-Tools' search improved PyVRP's routes on {len(better)} of "
            f"{len(phase)} runs ("
            + (
                ", ".join(
                    f"{r['instance']} at {_fmt(r['limit_s'], 0)} s: "
                    f"{_fmt(r['hybrid_pyvrp_phase_cost'])} → {_fmt(r['hybrid_cost'])}"
                    for r in better
                )
                or "none"
            )
            + ").",
        ]
    bad = [(r["instance"], s, r[f"{s}_problems"]) for r in rows for s in solvers]
    bad = [b for b in bad if b[2]]
    if bad:
        lines += ["", "## Check failures", ""]
        lines += [f"* {i} / {s}: {p}" for i, s, p in bad]
    notes = {r["instance"]: r.get("note") for r in rows if r.get("note")}
    if notes:
        lines += ["", "## Notes", ""] + [f"* {k}: {v}" for k, v in notes.items()]
    return "\n".join(lines) + "\n"


def write_outputs(rows: list[dict], out: Path, title: str, solvers: Sequence[str]) -> None:
    """Write ``out.md`` and ``out.csv``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(out.with_suffix(".csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    out.with_suffix(".md").write_text(to_markdown(rows, title, solvers))


def read_rows(path: Path) -> list[dict]:
    """Rows of a results CSV written by :func:`write_outputs`, with their types back."""

    def value(x: str):
        if x == "":
            return None
        if x in ("True", "False"):
            return x == "True"
        for kind in (int, float):
            try:
                return kind(x)
            except ValueError:
                pass
        return x

    with open(path, newline="") as fh:
        rows = [{k: value(v) for k, v in r.items()} for r in csv.DictReader(fh)]
    for r in rows:  # a limit is a float in a fresh run, even if a CSV says "10"
        r["limit_s"] = float(r["limit_s"])
    return rows


def merge(parts: Sequence[Path], out: Path, title: str) -> list[dict]:
    """Join results CSVs of runs split over processes (one core each) into one table.

    Rows are ordered by time limit, then as :func:`default_instances`.
    """
    rows = [r for p in parts for r in read_rows(p)]
    order = {n: k for k, n in enumerate(default_instances())}
    rows.sort(key=lambda r: (r["limit_s"], order.get(r["instance"], len(order))))
    solvers = [s for s in SOLVERS if any(f"{s}_cost" in r for r in rows)]
    write_outputs(rows, out, title, solvers)
    return rows


def default_instances() -> list[str]:
    """All instances of ``bks.csv`` (file order) and the Senkata scenarios."""
    return list(read_bks()) + list(SENKATA)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limits", type=float, nargs="+", default=[10.0, 60.0])
    ap.add_argument("--instances", nargs="+", default=None, help="names (bks.csv or senkata-*)")
    ap.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=SOLVERS)
    ap.add_argument("--quick", action="store_true", help="two small instances, 2 s limit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="output path without suffix")
    ap.add_argument("--title", default=None)
    ap.add_argument(
        "--warm-start",
        choices=["greedy", "savings", "auto", "none"],
        default="greedy",
        help="our warm start (default greedy, as the planner; auto = savings for CVRP)",
    )
    ap.add_argument(
        "--gls-lambda", type=float, default=None, help="our GLS lambda (default: OR-Tools 0.1)"
    )
    ap.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        default=None,
        help="join results CSVs of split runs into --out (nothing is solved)",
    )
    args = ap.parse_args(argv)
    if args.merge:
        out = args.out or RESULTS / "compare"
        rows = merge(args.merge, out, args.title or "Solver comparison")
        print(f"merged {len(rows)} rows into {out.with_suffix('.md')} and .csv")
        return 0
    OURS_OPTIONS.clear()
    OURS_OPTIONS["warm_start"] = None if args.warm_start == "none" else args.warm_start
    if args.gls_lambda is not None:
        OURS_OPTIONS["gls_lambda"] = args.gls_lambda

    bks = read_bks()
    if args.quick:
        insts = [truncate(load_benchmark(n, bks), k) for n, k in QUICK]
        limits = [QUICK_LIMIT]
        out = args.out or RESULTS / "compare-quick"
        title = args.title or "Solver comparison — QUICK check (truncated instances)"
    else:
        names = args.instances or default_instances()
        insts = [load_instance(n, bks) for n in names]
        limits = args.limits
        out = args.out or RESULTS / "compare"
        title = args.title or "Solver comparison: ours (OR-Tools) vs PyVRP vs VROOM"
    title += f" — ours: {OURS_OPTIONS or 'planner defaults'}"
    rows = []
    for lim in limits:
        for inst in insts:
            row = run_one(inst, lim, args.solvers, args.seed)
            if inst.note:
                row["note"] = inst.note
            rows.append(row)
            msg = "  ".join(
                f"{s}={_fmt(row[f'{s}_cost'])}({_fmt(row[f'{s}_wall_s'])}s"
                f"{'' if row[f'{s}_ok'] else ' FAIL'})"
                for s in args.solvers
            )
            print(f"{inst.name:>16} n={inst.n_customers:<5} limit={lim:g}s  {msg}", flush=True)
            write_outputs(rows, out, title, args.solvers)
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
