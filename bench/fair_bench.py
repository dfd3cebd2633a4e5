"""Fair policies before and after issue 11, and the best common share by bisection.

Rows: the two shipped scenarios and the fleet-bound variant
(``bench/scenarios/fleet-bound-2005-06.yaml``), each policy, 10 s, with today's code and
with the code of commit 73f1116 (extracted with ``git archive 73f1116 logistics`` into
``/tmp/before``). Each row runs in a fresh process; every plan goes through the validator.

The best common share of the fleet-bound variant is found by bisection: each probe caps
every district at ``f`` of its ration and solves with the fair warm start for ``--probe``
seconds; ``f`` is feasible when every district reaches its cap within one drop; the best
*actual* lowest share of a feasible probe is the reference.

Run::

    git archive 73f1116 logistics | tar -x -C /tmp/before
    flock /work/bench.lock nice .venv/bin/python bench/fair_bench.py
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CASES = {
    "June 2005": ROOT / "scenarios" / "senkata-2005-06.yaml",
    "October 2003": ROOT / "scenarios" / "senkata-2003-10.yaml",
    "fleet-bound June 2005": ROOT / "bench" / "scenarios" / "fleet-bound-2005-06.yaml",
}
POLICIES = ("max-delivered", "proportional", "max-min")


def one(path: str, policy: str, limit: float) -> dict:
    """Plan one case in this process (whichever ``logistics`` is on the path)."""
    from logistics.model import load_scenario
    from logistics.plan import validate_plan
    from logistics.routing import build_problem, solve

    sc = load_scenario(path).model_copy(update={"allocation": policy})
    plan = solve(build_problem(sc), time_limit_s=limit)
    f = plan.fairness()
    return {
        "delivered": plan.delivered,
        "min_share": f["min_share"],
        "spread": f["spread"],
        "shares": f["shares"],
        "wall_s": plan.solver.wall_s,
        "valid": validate_plan(plan, sc).ok,
    }


def reference(path: str, probe_s: float, probes: int) -> dict:
    """Bisection on the common share; each probe a capped solve from the fair start."""
    from logistics.model import load_scenario
    from logistics.routing import build_problem, make_drops
    from logistics.routing import fairness as fz
    from logistics.routing.solver import _route

    sc = load_scenario(path).model_copy(update={"allocation": "max-min"})
    pr = build_problem(sc)
    trucks = [t for t in pr.trucks if t.commission is not None]
    drops, cands = make_drops(pr, fine=True)
    ration = fz.eligible_ration(pr)
    reach, tol = fz.servable_reach(pr, trucks, cands, ration)
    fz.tier_weights(pr, cands, ration)
    stock = sc.plant.stock - sum(d.cylinders for d in cands if d.priority)
    lo, hi = 0.0, fz.stock_level(ration, reach, stock, {})
    best, log = 0.0, []
    for _ in range(probes):
        f = (lo + hi) / 2 if log else hi
        caps = fz.level_caps(ration, reach, f, {})
        warm = fz.fair_greedy(pr, trucks, cands, ration, caps, sc.plant.stock)
        routes, _ = _route(pr, trucks, drops, cands, caps, probe_s, False, warm=warm)
        got = fz.delivered_by_group(routes)
        ok = all(got.get(g, 0) >= caps[g] - tol[g] for g in ration if reach[g] > 0)
        actual = fz.min_share(got, ration, reach)
        log.append({"f": f, "feasible": ok, "min_share": actual})
        if ok:
            lo, best = f, max(best, actual)
        else:
            hi = f
    drop = min(100 / r for g, r in ration.items() if reach[g] > 0)
    return {"best_common": lo, "best_min_share": best, "probes": log, "one_drop": drop}


def main() -> int:
    """All rows, then the table."""
    rows = []
    for label, path in CASES.items():
        for code in ("before", "after"):
            for policy in POLICIES:
                env = dict(os.environ, PYTHONPATH="/tmp/before" if code == "before" else str(ROOT))
                cmd = [sys.executable, __file__, "--one", str(path), policy]
                res = subprocess.run(
                    cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False
                )
                if res.returncode:
                    print(res.stderr[-1500:], file=sys.stderr)
                    continue
                row = {"case": label, "code": code, "policy": policy}
                row |= json.loads(res.stdout.strip().splitlines()[-1])
                rows.append(row)
                print(
                    f"{label:>22} {code:>6} {policy:>13}: {row['delivered']:>6,} "
                    f"min {row['min_share']:.3f} spread {row['spread']:.3f}",
                    flush=True,
                )
    ref = reference(str(CASES["fleet-bound June 2005"]), 8.0, 6)
    print("reference", json.dumps(ref), flush=True)
    (RESULTS / "fair.json").write_text(json.dumps({"rows": rows, "reference": ref}, indent=1))
    lines = [
        "# Fair policies before (73f1116) and after issue 11, 10 s each",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, 2 shared cores",
        "- share = delivered / eligible ration per district or macrodistrict that a truck can "
        "reach; spread = highest - lowest; every plan checked by the validator",
        "",
        "| case | code | policy | delivered | vs max-delivered | lowest share | spread | valid |",
        "|---|---|---|---|---|---|---|---|",
    ]
    top = {(r["case"], r["code"]): r["delivered"] for r in rows if r["policy"] == "max-delivered"}
    for r in rows:
        base = top.get((r["case"], r["code"])) or math.nan
        lines.append(
            f"| {r['case']} | {r['code']} | {r['policy']} | {r['delivered']:,} | "
            f"{100 * r['delivered'] / base:.1f} % | {100 * r['min_share']:.1f} % | "
            f"{100 * r['spread']:.1f} pts | {'yes' if r['valid'] else '**no**'} |"
        )
    lines += [
        "",
        "Best common share of the fleet-bound variant (bisection, "
        f"{len(ref['probes'])} probes of 8 s, fair warm start): feasible up to "
        f"{100 * ref['best_common']:.1f} %, best lowest share of a feasible probe "
        f"{100 * ref['best_min_share']:.1f} %; one drop of the smallest district = "
        f"{100 * ref['one_drop']:.1f} points.",
        "",
        "| probe f | feasible | lowest share |",
        "|---|---|---|",
        *[
            f"| {100 * p['f']:.1f} % | {'yes' if p['feasible'] else 'no'} | "
            f"{100 * p['min_share']:.1f} % |"
            for p in ref["probes"]
        ],
    ]
    (RESULTS / "fair.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("wrote bench/results/fair.md")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], sys.argv[3], 10.0)))
    else:
        sys.exit(main())
