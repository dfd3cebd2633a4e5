"""Latency of a mid-shift re-plan of the default scenario (issue: re-plan under 5 s).

Solves the June 2005 scenario once (10 s), then re-plans at 11:30 with a new closed
blockade on Calle Independencia (La Paz), three times, timing the whole `replan` call
(problem rebuild with the new blockade, truck states, tables, OR-Tools, plan assembly) and
the validation. Writes bench/results/replan.md.

Run: ``.venv/bin/python bench/replan_bench.py``
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from logistics.model import Blockade, load_scenario
from logistics.ops import replan
from logistics.plan import validate_plan
from logistics.roads import load_network
from logistics.routing import build_problem, solve

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time three re-plans and write the table."""
    sc = load_scenario(ROOT / "scenarios" / "senkata-2005-06.yaml")
    net = load_network()
    plan = solve(build_problem(sc, net=net), time_limit_s=10)
    i, j = net.node_index(3474408071), net.node_index(5764433596)
    blk = Blockade(
        id="indep",
        lat=float((net.lat[i] + net.lat[j]) / 2),
        lon=float((net.lon[i] + net.lon[j]) / 2),
        radius_m=25,
        status="closed",
    )
    rows = []
    for _ in range(3):
        t0 = time.perf_counter()
        new, new_sc = replan(plan, sc, "11:30", add_blockades=[blk], net=net, time_limit_s=3)
        t1 = time.perf_counter()
        ok = validate_plan(new, new_sc, net).ok
        t2 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, new.delivered, new.km, ok))
    med = statistics.median(r[0] for r in rows)
    lines = [
        "# Re-plan latency (June 2005 scenario, re-plan at 11:30 with a new closed blockade)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; original plan: "
        f"{plan.delivered:,} cylinders, {plan.km:,.0f} km",
        "- search time limit of the re-plan: 3 s (the `senkata replan` default)",
        "",
        "| run | replan (s) | validate (s) | delivered | km | valid |",
        "|---|---|---|---|---|---|",
    ]
    for k, (tr, tv, d, km, ok) in enumerate(rows, 1):
        lines.append(f"| {k} | {tr:.2f} | {tv:.2f} | {d:,} | {km:,.0f} | {'yes' if ok else 'NO'} |")
    lines += ["", f"median re-plan: **{med:.2f} s**"]
    out = ROOT / "bench" / "results" / "replan.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
