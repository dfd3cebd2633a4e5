"""The planner's two warm starts side by side: greedy (default) vs PyVRP.

Same scenario, same time limit, one process: ``solver.warm_start: greedy`` (nearest stops
first, then OR-Tools' guided local search for the whole limit) and ``pyvrp`` (PyVRP's
genetic search for 80 % of the limit on the rules it can express, then OR-Tools from its
routes with every rule). Rows: both shipped scenarios at 10 s and 30 s (the default) and
the 1,000-point / 100-truck scale variant of ``bench/sweep_scale.py`` at 60 s. Every plan
goes through the independent validator.

Writes ``bench/results/warm_start.md``. Run::

    PYTHONPATH=. .venv/bin/python bench/warm_start_bench.py [--no-scale]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))

STARTS = ("greedy", "pyvrp")
SCENARIOS = {"June 2005": "senkata-2005-06", "October 2003": "senkata-2003-10"}
LIMITS = (10.0, 30.0)


def run(label: str, data: dict, start: str, limit: float) -> dict:
    """Plan one scenario mapping with one warm start; the table row."""
    from logistics.model import scenario_from_dict
    from logistics.plan import validate_plan
    from logistics.routing import build_problem, solve

    data = {**data, "solver": {**data.get("solver", {}), "warm_start": start}}
    sc = scenario_from_dict(data)
    problem = build_problem(sc)
    t0 = time.perf_counter()
    plan = solve(problem, time_limit_s=limit)
    wall = time.perf_counter() - t0
    rep = validate_plan(plan, sc)
    row = {
        "scenario": label,
        "limit_s": limit,
        "start": start,
        "used": plan.solver.warm_start,
        "delivered": plan.delivered,
        "km": sum(t.km for t in plan.trucks),
        "trips": len(plan.trips()),
        "objective": plan.solver.objective,
        "solve_s": wall,
        "valid": rep.ok,
    }
    print(
        f"{label:>14} {limit:>4g}s {start:>6}: {row['delivered']:>6,} cyl "
        f"{row['km']:>8,.1f} km obj {row['objective']:,} valid {rep.ok} ({wall:.1f} s)",
        flush=True,
    )
    return row


def render(rows: list[dict]) -> str:
    """The markdown table: each pyvrp row against the greedy row of the same case."""
    lines = [
        "# Warm starts of the planner's OR-Tools search: greedy vs PyVRP",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, 2 shared "
        "cores (noisy; compare rows of one run)",
        "- same scenario and time limit per pair; `pyvrp` = PyVRP for 80 % of the limit, "
        "then OR-Tools from its routes; every plan checked by the independent validator",
        "",
        "| scenario | limit s | warm start | delivered | km | trips | objective | solve s | "
        "km vs greedy | valid |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    greedy = {(r["scenario"], r["limit_s"]): r for r in rows if r["start"] == "greedy"}
    for r in rows:
        g = greedy.get((r["scenario"], r["limit_s"]))
        rel = f"{100 * (r['km'] / g['km'] - 1):+.1f} %" if g and r is not g else ""
        start = r["start"] if r["used"] == r["start"] else f"{r['start']} (fell back: {r['used']})"
        lines.append(
            f"| {r['scenario']} | {r['limit_s']:g} | {start} | {r['delivered']:,} | "
            f"{r['km']:,.1f} | {r['trips']} | {r['objective']:,} | {r['solve_s']:.1f} | {rel} | "
            f"{'yes' if r['valid'] else '**NO**'} |"
        )
    lines += [
        "",
        "The objective is OR-Tools' (seconds of driving plus 20,000 per undelivered "
        "cylinder): lower is better; delivered cylinders dominate it.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run every pair and write the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-scale", action="store_true", help="skip the 1,000-point variant")
    args = ap.parse_args(argv)
    from logistics.model import load_scenario

    rows = []
    for label, name in SCENARIOS.items():
        data = load_scenario(ROOT / "scenarios" / f"{name}.yaml").model_dump(mode="json")
        for limit in LIMITS:
            for start in STARTS:
                rows.append(run(label, data, start, limit))
    if not args.no_scale:
        import sweep_scale

        data = sweep_scale.scale_scenario(sweep_scale.VARIANTS["1,000 points"])
        for start in STARTS:
            rows.append(run("1,000 points", data, start, sweep_scale.TIME_LIMIT_S))
    out = RESULTS / "warm_start.md"
    out.write_text(render(rows), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
