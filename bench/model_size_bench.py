"""Peak memory of the OR-Tools model against the planner's size estimate.

Each variant of the June 2005 scenario (truck capacity and fleet size changed, so the
number of drops and trip slots changes) is built and solved in a fresh subprocess with a
1 s limit and a budget of one solution; the subprocess reports its peak RSS. The estimate
is :func:`logistics.routing.size.model_size`. Run:
``flock /work/bench.lock nice .venv/bin/python bench/model_size_bench.py``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "model_size.md"

CHILD = r"""
import json, resource, sys, time
from logistics.model import load_scenario
from logistics.routing import build_problem, solve
from logistics.routing.size import estimate_size, model_size
cap, trucks, check = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
sc = load_scenario("scenarios/senkata-2005-06.yaml")
fleet = [sc.fleet[0].model_copy(update={"capacity": cap, "count": trucks})]
from logistics.model import Guard
roster = [
    Guard(role="plant-worker", count=trucks, id_prefix="PW"),
    Guard(role="junta-delegate", district="Distrito 8", count=trucks, id_prefix="JD"),
]
guards = sc.guards.model_copy(update={"roster": roster, "delegate_scope": "any"})
solver = sc.solver.model_copy(update={"time_limit_s": 1.0, "solution_limit": 1})
sc = sc.model_copy(update={"fleet": fleet, "guards": guards, "solver": solver})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
problem = build_problem(sc)
est = model_size(problem)
pre = estimate_size(sc, problem.trucks, [p for p in problem.points if p.eligible],
                    problem.net.n_nodes)
t = time.monotonic()
out = {"cap": cap, "trucks": trucks, "drops": est.drops, "slots": est.trip_slots,
       "nodes": est.nodes, "estimate_mb": est.bytes / 1e6, "check_mb": pre.bytes / 1e6,
       "base_mb": base / 1024}
try:
    solve(problem)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["solve_s"] = time.monotonic() - t
except MemoryError:
    out["peak_mb"] = "MemoryError"
print(json.dumps(out))
"""


def main() -> None:
    rows = []
    variants = [(300, 30), (100, 30), (50, 30), (25, 30), (10, 30), (300, 300), (300, 600)]
    for cap, trucks in variants:
        r = subprocess.run(
            [sys.executable, "-c", CHILD, str(cap), str(trucks), "0"],
            check=False, cwd=ROOT, capture_output=True, text=True, timeout=1800,
            env={**os.environ, "SENKATA_MAX_MODEL_MB": "1000000000"},
        )  # fmt: skip
        if r.returncode != 0:
            print(cap, trucks, "failed:", r.stderr.strip().splitlines()[-1:])
            continue
        row = json.loads(r.stdout.strip().splitlines()[-1])
        print(row, flush=True)
        rows.append(row)
    lines = [
        "# Model size: estimate vs peak memory (June 2005 variants, 1 s, 1 solution)",
        "",
        "Each variant in a fresh process; peak RSS includes the imports, the map and the travel",
        "tables. The check before the tables (routing/size.py) is an upper bound: tables plus",
        "the model with trips per truck bounded from loading and hand-over times.",
        "",
        "| capacity | trucks | drops | trip slots | nodes | model estimate MB "
        "| check before tables MB | peak RSS MB | RSS after imports MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['cap']} | {r['trucks']} | {r['drops']:,} | {r['slots']:,} | {r['nodes']:,} | "
            f"{r['estimate_mb']:,.0f} | {r['check_mb']:,.0f} | {r['peak_mb']:,.0f} | "
            f"{r['base_mb']:,.0f} |"
        )
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
