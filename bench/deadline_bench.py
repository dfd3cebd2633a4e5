"""Does every solve return within its time limit + 10 % (+1 s)? The overrun distribution.

Each row runs in a fresh process (the 1,000- and 2,000-point models hold ~1 GB) and times
the whole call:

* the planner, ``logistics.routing.solve`` (model, warm start, search, plan assembly;
  ``build_problem`` before it is not counted): both shipped scenarios, the 1,000-point /
  100-truck variant and the every-named-stop (~2,000 points) variant of
  ``bench/sweep_scale.py``, with the greedy and the PyVRP start;
* the OR-Tools core of ``bench/compare.py`` (``vrp_core.solve_ortools``) on the
  1,000-customer instances C1_10_1, R1_10_1 and X-n1001-k43: ``ours`` (greedy start) and
  ``hybrid`` (PyVRP start).

``--unguarded`` runs the core rows with OR-Tools' own limit only (the search in this
process, as before the deadline guard), to show the overrun the guard removes. The
planner's rows without the guard are those of the code before it: run the bench with
``PYTHONPATH`` set to a checkout of commit 73f1116 (``git worktree add /tmp/old 73f1116``)
and ``--out deadline-old``; rows are then marked guard ``no``.

Run (writes ``bench/results/deadline.md`` and ``.json``)::

    flock /work/bench.lock nice .venv/bin/python bench/deadline_bench.py \\
        --limits 10 --seeds 1 2 3 [--large-60] [--unguarded]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))

PLANNER = ("senkata-2005-06", "senkata-2003-10", "1,000 points", "every named stop")
LARGE = ("1,000 points", "every named stop")
INSTANCES = ("C1_10_1", "R1_10_1", "X-n1001-k43")


def _planner(case: str, start: str, limit: float, seed: int) -> dict:
    from logistics.model import load_scenario, scenario_from_dict
    from logistics.routing import build_problem, solve

    if case in PLANNER[:2]:
        d = load_scenario(ROOT / "scenarios" / f"{case}.yaml").model_dump(mode="json")
    else:
        import sweep_scale

        d = sweep_scale.scale_scenario(sweep_scale.VARIANTS[case])
    d["solver"] = {**d["solver"], "warm_start": start, "seed": seed, "time_limit_s": limit}
    problem = build_problem(scenario_from_dict(d))
    t0 = time.monotonic()
    plan = solve(problem)
    wall = time.monotonic() - t0
    return {
        "delivered": plan.delivered,
        "km": round(plan.km, 1),
        "used": plan.solver.warm_start,
        "wall_s": wall,
        "hit": plan.solver.hit_time_limit,
    }


def _guarded_code() -> bool:
    """Is the ``logistics`` on the path the one with the deadline guard?"""
    return importlib.util.find_spec("logistics.routing.deadline") is not None


def _core(case: str, start: str, limit: float, seed: int, guard: bool) -> dict:
    import compare

    from logistics.routing import solve_ortools

    inst = compare.load_instance(case)
    kw = {"guard": guard} if _guarded_code() else {}
    t0 = time.monotonic()
    sol = solve_ortools(
        inst, limit, warm_start="pyvrp" if start == "pyvrp" else "greedy", seed=seed, **kw
    )
    wall = time.monotonic() - t0
    ev = compare.evaluate(inst, sol)
    return {"cost": ev.get("cost"), "wall_s": wall, "how": sol.info.get("deadline")}


def one(kind: str, case: str, start: str, limit: float, seed: int, guard: bool) -> dict:
    """One measured call (in this process)."""
    row = {"kind": kind, "case": case, "start": start, "limit_s": limit, "seed": seed}
    row["guard"] = guard and _guarded_code()
    row |= (
        _planner(case, start, limit, seed)
        if kind == "planner"
        else _core(case, start, limit, seed, guard)
    )
    row["ratio"] = row["wall_s"] / limit
    row["promise_s"] = limit * 1.1 + 1
    row["kept"] = row["wall_s"] <= row["promise_s"]
    return row


def run_all(args: argparse.Namespace) -> list[dict]:
    """Every row of the chosen set, each in its own process."""
    jobs = []
    for limit in args.limits:
        for seed in args.seeds:
            if not args.unguarded:
                jobs += [("planner", c, s, limit, seed, True) for c in PLANNER for s in args.starts]
            jobs += [
                ("core", c, s, limit, seed, not args.unguarded)
                for c in INSTANCES
                for s in args.starts
            ]
    if args.large_60:
        if not args.unguarded:
            jobs += [("planner", c, s, 60.0, 1, True) for c in LARGE for s in args.starts]
        jobs += [("core", c, s, 60.0, 1, not args.unguarded) for c in INSTANCES for s in ("pyvrp",)]
    rows = []
    for job in jobs:
        cmd = [sys.executable, __file__, "--one", json.dumps(job)]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        if res.returncode != 0:
            print(res.stderr[-2000:], file=sys.stderr)
            continue
        row = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['kind']:>7} {row['case']:>18} {row['start']:>6} {row['limit_s']:>4g}s "
            f"seed {row['seed']} guard {row['guard']}: {row['wall_s']:.2f} s "
            f"({row['ratio']:.3f}x) kept {row['kept']}",
            flush=True,
        )
    return rows


def render(rows: list[dict], title: str) -> str:
    """Markdown: every row, then the worst ratio per set."""
    lines = [
        f"# {title}",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, 2 cores "
        "shared with other engineers' runs (noisy); one fresh process per row",
        "- wall = the whole call (planner: `solve()`; core: `solve_ortools`), promise = "
        "limit x 1.1 + 1 s",
        "",
        "| kind | case | start | limit s | seed | guard | wall s | wall / limit | kept | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        res = (
            f"{r['delivered']:,} cyl, {r['km']:,} km ({r['used']})"
            if r["kind"] == "planner"
            else f"cost {r['cost']} ({r['how']})"
        )
        lines.append(
            f"| {r['kind']} | {r['case']} | {r['start']} | {r['limit_s']:g} | {r['seed']} | "
            f"{'yes' if r['guard'] else 'no'} | {r['wall_s']:.2f} | {r['ratio']:.3f} | "
            f"{'yes' if r['kept'] else '**no**'} | {res} |"
        )
    if rows:
        worst = max(rows, key=lambda r: r["wall_s"] - r["limit_s"])
        lines += [
            "",
            f"Worst overrun: {worst['wall_s'] - worst['limit_s']:+.2f} s "
            f"({worst['ratio']:.3f} x the limit): {worst['kind']} {worst['case']} "
            f"{worst['start']} at {worst['limit_s']:g} s; promise kept in "
            f"{sum(r['kept'] for r in rows)} of {len(rows)} rows.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run and write ``bench/results/<out>.md`` / ``.json``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limits", type=float, nargs="+", default=[10.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--starts", nargs="+", default=["greedy", "pyvrp"])
    ap.add_argument("--large-60", action="store_true", help="add one 60 s run of the large")
    ap.add_argument("--unguarded", action="store_true", help="core rows without the guard")
    ap.add_argument("--out", default="deadline")
    args = ap.parse_args(argv)
    rows = run_all(args)
    out = RESULTS / args.out
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    title = "Time limits kept: overrun distribution" + (
        " (unguarded OR-Tools)" if args.unguarded else ""
    )
    out.with_suffix(".md").write_text(render(rows, title), encoding="utf-8")
    print(f"wrote {out}.md")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(*json.loads(sys.argv[2]))))
    else:
        sys.exit(main())
