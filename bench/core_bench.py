"""Core benchmark of the Senkata LPG planner: map, route tables, problem building, solving.

Everything is measured in one process run and written to ``bench/results/core.md`` (a
markdown report, also printed to stdout) and ``bench/results/core.csv`` (one row per
measurement).

Run from the checkout::

    cd /work/main && PYTHONPATH=. .venv/bin/python bench/core_bench.py          # full
    cd /work/main && PYTHONPATH=. .venv/bin/python bench/core_bench.py --quick  # 10 s only

Measured:

1. Module imports (the core modules, then ``logistics.roads.osm`` which pulls in osmnx;
   :func:`logistics.roads.load_network` imports it even on a cache hit).
2. Map load, cold (fresh temporary cache dir: OSM XML parse + build + pickle) and cached
   (same dir, median of 5), with node/edge counts by kind.
3. Route tables (median of 3) for the default scenario's plant + routable points, and for
   every named OSM stop present in the network.
4. :func:`logistics.routing.problem.build_problem` per scenario (median of 3).
5. :func:`logistics.routing.solver.solve` per scenario and time limit (one run each), with plan
   quality and :func:`logistics.plan.validate_plan`; and the end-to-end CLI-equivalent
   chain (cached map + scenario + build + solve + validate) at the default limit.

The script writes only under ``bench/results/`` and a temporary directory that it removes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SCENARIOS = [
    PROJECT_ROOT / "scenarios" / "senkata-2005-06.yaml",  # the default scenario
    PROJECT_ROOT / "scenarios" / "senkata-2003-10.yaml",
]
DEFAULT_SCENARIO = SCENARIOS[0]
FULL_LIMITS_S = (10.0, 30.0)
QUICK_LIMITS_S = (10.0,)
CSV_FIELDS = [
    "section",
    "item",
    "scenario",
    "time_limit_s",
    "seconds",
    "runs",
    "all_runs_s",
    "size",
    "status",
    "objective",
    "delivered",
    "demand",
    "stock",
    "km",
    "trips",
    "trucks_used",
    "hit_time_limit",
    "valid",
    "note",
]


@dataclass
class Row:
    """One measurement (one CSV row).

    Attributes
    ----------
    section, item
        What was measured (``section`` groups rows into the markdown tables).
    seconds
        The reported time (the median when ``runs`` > 1).
    runs
        How many timed repetitions ``seconds`` summarises.
    all_runs_s
        Every repetition, in order.
    extra
        Further columns (see :data:`CSV_FIELDS`).
    """

    section: str
    item: str
    seconds: float
    runs: int = 1
    all_runs_s: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_csv(self) -> dict[str, Any]:
        """Return the row as a dict keyed by :data:`CSV_FIELDS`."""
        out: dict[str, Any] = {k: "" for k in CSV_FIELDS}
        out.update(
            section=self.section,
            item=self.item,
            seconds=f"{self.seconds:.4f}",
            runs=self.runs,
            all_runs_s=";".join(f"{s:.4f}" for s in (self.all_runs_s or [self.seconds])),
        )
        for k, v in self.extra.items():
            if k not in out:
                raise KeyError(k)
            out[k] = f"{v:.3f}" if isinstance(v, float) else v
        return out


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    """Call ``fn(*args, **kwargs)`` once.

    Parameters
    ----------
    fn
        The callable to time.
    *args, **kwargs
        Passed to ``fn``.

    Returns
    -------
    (seconds, result)
        Wall time measured with :func:`time.perf_counter`, and what ``fn`` returned.
    """
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, result


def repeat(n: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, list[float], T]:
    """Call ``fn(*args, **kwargs)`` ``n`` times.

    Parameters
    ----------
    n
        Number of timed calls.
    fn
        The callable to time.
    *args, **kwargs
        Passed to ``fn``.

    Returns
    -------
    (median seconds, every run's seconds, result of the last call)
    """
    times: list[float] = []
    result: Any = None
    for _ in range(n):
        s, result = timed(fn, *args, **kwargs)
        times.append(s)
    return statistics.median(times), times, result


def code_fingerprint() -> dict[str, str]:
    """Short sha256 of every ``logistics/**/*.py`` file as it is on disk now.

    Other people edit ``logistics/`` while benchmarks run; the fingerprint taken right
    after the imports says which code was measured, and a second one at the end shows
    whether any file changed during the run.

    Returns
    -------
    dict
        File name -> first 10 hex digits of its sha256.
    """
    out = {}
    root = PROJECT_ROOT / "logistics"
    for f in sorted(root.rglob("*.py")):
        out[str(f.relative_to(root))] = hashlib.sha256(f.read_bytes()).hexdigest()[:10]
    return out


def machine_info() -> dict[str, str]:
    """Date, CPU count (as ``nproc`` reports it), CPU model and library versions.

    Returns
    -------
    dict
        Human-readable values keyed by label.
    """
    import numpy
    import ortools
    import scipy

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        nproc = os.cpu_count() or 0
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(nproc),
        "cpu": model,
        "python": platform.python_version(),
        "ortools": ortools.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
    }


def _fmt_s(seconds: float) -> str:
    """Seconds with precision that suits their size."""
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _solver_size(info: Any) -> str:
    """Model size from ``plan.solver`` (drops, candidates, and trip/reload slots if present).

    The slot field has been renamed between versions (``reload_slots``, ``trip_slots``), so
    every known spelling is tried.
    """
    parts = [
        f"{getattr(info, 'drops', '?')} drops",
        f"{getattr(info, 'candidates', '?')} candidates",
    ]
    for attr in ("reload_slots", "trip_slots"):
        if hasattr(info, attr):
            parts.append(f"{getattr(info, attr)} {attr.replace('_', ' ')}")
    return ", ".join(parts)


def _md_table(header: list[str], rows: list[list[Any]]) -> str:
    """Render a GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def run(quick: bool) -> tuple[list[Row], list[str], dict[str, str]]:
    """Run every measurement.

    Parameters
    ----------
    quick
        Only the 10 s solver limit (the end-to-end chain then also uses 10 s).

    Returns
    -------
    (rows, surprises, machine info)
        The measurements, a list of noteworthy findings (time limits hit, validation
        failures, ...) and the machine description.
    """
    rows: list[Row] = []
    surprises: list[str] = []
    limits = QUICK_LIMITS_S if quick else FULL_LIMITS_S

    def log(msg: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    # ---------------------------------------------------------------- imports
    s_core, _ = timed(__import__, "logistics.routing.solver")  # network, problem, demand, plan
    import logistics.plan.validate  # noqa: F401  (validate_plan imports it lazily; load it now)
    from logistics.model import config, load_scenario
    from logistics.plan import validate_plan
    from logistics.roads import KIND_CONNECTOR, KIND_RETURN, KIND_ROAD, load_network
    from logistics.routing import build_problem, solve

    code_before = code_fingerprint()
    rows.append(Row("import", "core modules (logistics.routing.solver + deps)", s_core))
    s_osm, _ = timed(__import__, "logistics.roads.osm")
    rows.append(
        Row(
            "import",
            "logistics.roads.osm (osmnx; imported by every load_network call)",
            s_osm,
        )
    )
    info = machine_info()
    blob = json.dumps(code_before, sort_keys=True).encode()
    info["code"] = hashlib.sha256(blob).hexdigest()[:12]
    info["code_files"] = ", ".join(f"{k} {v}" for k, v in code_before.items())
    log(f"imports done ({s_core:.2f} s + {s_osm:.2f} s)")

    with tempfile.TemporaryDirectory(prefix="senkata-bench-") as tmp:
        cache = Path(tmp) / "cache"

        # ------------------------------------------------------------ map load
        s_cold, net = timed(load_network, cache=cache)
        pickles = sorted(cache.glob("*.pkl"))
        pkl_kb = pickles[0].stat().st_size / 1024 if pickles else 0.0
        rows.append(
            Row(
                "map",
                "load_network cold (OSM XML parse + build + pickle)",
                s_cold,
                extra={"note": f"pickle {pkl_kb:.0f} KiB"},
            )
        )
        med, runs, net = repeat(5, load_network, cache=cache)
        rows.append(Row("map", "load_network cached (unpickle)", med, 5, runs))
        kinds = {
            k: int((net.edge_kind == k).sum()) for k in (KIND_ROAD, KIND_CONNECTOR, KIND_RETURN)
        }
        size = (
            f"{net.n_nodes} nodes / {net.n_edges} edges "
            f"(road {kinds[KIND_ROAD]}, connector {kinds[KIND_CONNECTOR]}, "
            f"return {kinds[KIND_RETURN]}); raw pieces {len(net.raw_components)}"
        )
        for r in rows[-2:]:
            r.extra["size"] = size
        log(f"map: cold {s_cold:.2f} s, cached {med * 1000:.0f} ms; {size}")

        # ------------------------------------------------------- route tables
        default_sc = load_scenario(DEFAULT_SCENARIO)
        problem = build_problem(default_sc, net=net)
        mask = net.kind_mask()
        nodes_a = [problem.plant_node] + [p.node for p in problem.routable]
        med, runs, rt = repeat(3, net.route_tables, nodes_a, edge_mask=mask)
        n_unreach = int((~(rt.time_s < float("inf"))).sum())
        rows.append(
            Row(
                "route",
                f"route_tables: plant + routable points ({DEFAULT_SCENARIO.stem})",
                med,
                3,
                runs,
                extra={
                    "scenario": DEFAULT_SCENARIO.stem,
                    "size": f"{rt.time_s.shape[0]}x{rt.time_s.shape[1]} "
                    f"({len(set(nodes_a))} distinct nodes; {n_unreach} inf cells)",
                },
            )
        )
        log(f"route tables (a): {med:.3f} s, {rt.time_s.shape}")

        stops = json.loads(config.stops_path().read_text(encoding="utf-8"))
        nodes_b: list[int] = []
        for osmid in stops:
            try:
                nodes_b.append(net.node_index(int(osmid)))
            except KeyError:
                continue
        med, runs, rt = repeat(3, net.route_tables, nodes_b, edge_mask=mask)
        n_unreach = int((~(rt.time_s < float("inf"))).sum())
        rows.append(
            Row(
                "route",
                "route_tables: all named OSM stops in the network",
                med,
                3,
                runs,
                extra={
                    "size": f"{rt.time_s.shape[0]}x{rt.time_s.shape[1]} "
                    f"({len(nodes_b)} of {len(stops)} stops on the graph, "
                    f"{len(set(nodes_b))} distinct nodes; {n_unreach} inf cells)",
                },
            )
        )
        if len(nodes_b) != len(stops):
            surprises.append(
                f"{len(stops) - len(nodes_b)} of the {len(stops)} named OSM stops are not "
                "nodes of the built network (dropped from route table (b))"
            )
        if n_unreach:
            surprises.append(
                f"route table over all stops has {n_unreach} unreachable (inf) cells "
                "with connectors and return links on"
            )
        del rt
        log(f"route tables (b): {med:.3f} s, {len(nodes_b)} sources")

        # ------------------------------------------------------ build_problem
        scenarios = {p.stem: load_scenario(p) for p in SCENARIOS}
        problems = {}
        for name, sc in scenarios.items():
            med, runs, problems[name] = repeat(3, build_problem, sc, net=net)
            pr = problems[name]
            rows.append(
                Row(
                    "build",
                    "build_problem",
                    med,
                    3,
                    runs,
                    extra={
                        "scenario": name,
                        "size": f"{len(pr.points)} points, {len(pr.routable)} routable, "
                        f"{sum(t.commission is not None for t in pr.trucks)}/{len(pr.trucks)} "
                        "trucks guarded",
                    },
                )
            )
            log(f"build_problem {name}: {med:.3f} s")

        # ---------------------------------------------------------------- solve
        def solve_row(
            section: str,
            item: str,
            name: str,
            limit: float,
            seconds: float,
            plan: Any,
            valid: Any,
            note: str = "",
        ) -> Row:
            s = plan.solver
            if s.hit_time_limit:
                surprises.append(
                    f"{item} {name} @ {limit:g} s: hit the time limit "
                    f"(solver wall {s.wall_s:.2f} s, before the "
                    f"{scenarios[name].solver.solution_limit}-solution budget; "
                    "plan may vary between runs)"
                )
            if not valid.ok:
                viol = list(valid.errors)
                surprises.append(
                    f"{item} {name} @ {limit:g} s: validate_plan NOT ok "
                    f"({len(viol)} violations): " + " / ".join(str(v) for v in viol[:5])
                )
            if plan.demand > 0 and plan.delivered == 0:
                surprises.append(
                    f"{item} {name} @ {limit:g} s: delivered 0 of {plan.demand:,} cylinders "
                    f"(status {s.status!r}, objective {s.objective:,}, "
                    f"{len(plan.trips())} trips), yet validate_plan ok={valid.ok}"
                )
            if s.wall_s > limit * 1.1:
                surprises.append(
                    f"{item} {name} @ {limit:g} s: solver wall {s.wall_s:.2f} s overran the "
                    f"limit by {100 * (s.wall_s / limit - 1):.0f} %"
                )
            if s.status != "solved":
                surprises.append(f"{item} {name} @ {limit:g} s: solver status {s.status!r}")
            return Row(
                section,
                item,
                seconds,
                extra={
                    "scenario": name,
                    "time_limit_s": f"{limit:g}",
                    "status": s.status,
                    "objective": s.objective,
                    "delivered": plan.delivered,
                    "demand": plan.demand,
                    "stock": scenarios[name].plant.stock,
                    "km": round(plan.km, 1),
                    "trips": len(plan.trips()),
                    "trucks_used": f"{len(plan.trucks_used)}/{len(plan.trucks)}",
                    "hit_time_limit": s.hit_time_limit,
                    "valid": valid.ok,
                    "size": _solver_size(s),
                    "note": note,
                },
            )

        for name, sc in scenarios.items():
            for limit in limits:
                log(f"solve {name} @ {limit:g} s ...")
                s_solve, plan = timed(solve, problems[name], time_limit_s=limit)
                s_val, valid = timed(validate_plan, plan, sc, net)
                rows.append(
                    solve_row(
                        "solve",
                        "solve",
                        name,
                        limit,
                        s_solve,
                        plan,
                        valid,
                        note=f"solver wall_s {plan.solver.wall_s:.2f}; validate {s_val:.2f} s",
                    )
                )
                log(f"  -> {s_solve:.2f} s, delivered {plan.delivered}/{plan.demand}")

        # ---------------------------------------------------------- end to end
        e2e_limit = None if not quick else QUICK_LIMITS_S[0]
        for path in SCENARIOS:
            name = path.stem
            log(f"end-to-end {name} ...")
            parts: dict[str, float] = {}
            t0 = time.perf_counter()
            parts["scenario"], sc = timed(load_scenario, path)
            parts["map"], net2 = timed(load_network, cache=cache)
            parts["build"], pr = timed(build_problem, sc, net=net2)
            parts["solve"], plan = timed(solve, pr, time_limit_s=e2e_limit)
            parts["validate"], valid = timed(validate_plan, plan, sc, net2)
            total = time.perf_counter() - t0
            limit = sc.solver.time_limit_s if e2e_limit is None else e2e_limit
            rows.append(
                solve_row(
                    "e2e",
                    "end-to-end",
                    name,
                    limit,
                    total,
                    plan,
                    valid,
                    note="; ".join(f"{k} {_fmt_s(v)}" for k, v in parts.items()),
                )
            )
            log(f"  -> {total:.2f} s")

    # Same scenario, seed and limit solved twice (solve + end-to-end): same plan?
    for e in [r for r in rows if r.section == "e2e"]:
        for s in rows:
            if (
                s.section == "solve"
                and s.extra["scenario"] == e.extra["scenario"]
                and s.extra["time_limit_s"] == e.extra["time_limit_s"]
                and (s.extra["objective"], s.extra["delivered"])
                != (e.extra["objective"], e.extra["delivered"])
            ):
                surprises.append(
                    f"{e.extra['scenario']} @ {e.extra['time_limit_s']} s, same seed, solved "
                    f"twice in this run: objective {s.extra['objective']:,} vs "
                    f"{e.extra['objective']:,}, delivered {s.extra['delivered']:,} vs "
                    f"{e.extra['delivered']:,} (not reproducible)"
                )

    code_after = code_fingerprint()
    changed = sorted(
        k for k in set(code_before) | set(code_after) if code_before.get(k) != code_after.get(k)
    )
    if changed:
        surprises.append(
            "logistics/ files changed on disk during this run (someone edited them; the "
            "modules were already imported, so the numbers are for the code fingerprinted "
            f"in the header): {', '.join(changed)}"
        )
    return rows, surprises, info


def render_markdown(
    rows: list[Row], surprises: list[str], info: dict[str, str], quick: bool, total_s: float
) -> str:
    """Build the markdown report.

    Parameters
    ----------
    rows
        All measurements.
    surprises
        Noteworthy findings, listed at the end.
    info
        :func:`machine_info` output.
    quick
        Whether ``--quick`` was used (stated in the header).
    total_s
        Wall time of the whole benchmark.

    Returns
    -------
    str
        The report.
    """
    by = lambda sec: [r for r in rows if r.section == sec]  # noqa: E731
    out = [
        "# Senkata planner: core benchmark",
        "",
        f"- date: {info['date']}",
        f"- nproc: {info['nproc']}; CPU: {info['cpu']}",
        f"- python {info['python']}, ortools {info['ortools']}, numpy {info['numpy']}, "
        f"scipy {info['scipy']}; {info['platform']}",
        f"- code measured: logistics/**/*.py fingerprint {info['code']} "
        f"(sha256[:10] per file: {info['code_files']})",
        f"- mode: {'--quick (10 s limit only)' if quick else 'full'}; one process, "
        f"total {total_s:.1f} s",
        "- times are wall clock (`time.perf_counter`); 'median of n' where n > 1",
        "",
        "## Imports and map",
        "",
    ]
    out.append(
        _md_table(
            ["step", "time", "runs", "notes"],
            [
                [
                    r.item,
                    _fmt_s(r.seconds),
                    r.runs if r.runs == 1 else f"median of {r.runs}",
                    r.extra.get("note", ""),
                ]
                for r in by("import") + by("map")
            ],
        )
    )
    maps = by("map")
    if maps:
        out += ["", f"Network: {maps[0].extra.get('size', '')}"]
    out += ["", "## Route tables (scipy Dijkstra + path sums, connectors + returns on)", ""]
    out.append(
        _md_table(
            ["sources", "time (median of 3)", "matrix"],
            [[r.item.split(": ", 1)[1], _fmt_s(r.seconds), r.extra["size"]] for r in by("route")],
        )
    )
    out += ["", "## build_problem", ""]
    out.append(
        _md_table(
            ["scenario", "time (median of 3)", "problem"],
            [[r.extra["scenario"], _fmt_s(r.seconds), r.extra["size"]] for r in by("build")],
        )
    )
    solve_header = [
        "scenario",
        "limit",
        "wall",
        "objective",
        "delivered / demand (stock)",
        "km",
        "trips",
        "trucks used",
        "hit limit",
        "valid",
        "notes",
    ]

    def solve_cells(r: Row) -> list[Any]:
        e = r.extra
        return [
            e["scenario"],
            f"{e['time_limit_s']} s",
            _fmt_s(r.seconds),
            f"{e['objective']:,}",
            f"{e['delivered']:,} / {e['demand']:,} "
            f"({100 * e['delivered'] / max(e['demand'], 1):.1f} %; stock {e['stock']:,})",
            f"{e['km']:.1f}",
            e["trips"],
            e["trucks_used"],
            "**yes**" if e["hit_time_limit"] else "no",
            "ok" if e["valid"] else "**FAIL**",
            f"{e['size']}; {e['note']}",
        ]

    out += ["", "## Solve (one run each, shared network + prebuilt problem)", ""]
    out.append(_md_table(solve_header, [solve_cells(r) for r in by("solve")]))
    out += [
        "",
        "## End to end (CLI-equivalent: scenario + cached map + build + solve + validate)",
        "",
    ]
    out.append(_md_table(solve_header, [solve_cells(r) for r in by("e2e")]))
    out += ["", "## Findings", ""]
    out += [f"- {s}" for s in surprises] or ["- nothing unusual"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark, write the results.

    Parameters
    ----------
    argv
        Command-line arguments (``sys.argv[1:]`` when ``None``).

    Returns
    -------
    int
        Process exit code.
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="only the 10 s solver limit (also for end-to-end)"
    )
    ap.add_argument(
        "--out", type=Path, default=RESULTS_DIR, help="output directory (default bench/results)"
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows, surprises, info = run(args.quick)
    total = time.perf_counter() - t0
    md = render_markdown(rows, surprises, info, args.quick, total)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "core.md").write_text(md, encoding="utf-8")
    with (args.out / "core.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(r.as_csv())
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
