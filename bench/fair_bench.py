"""Fair policies before and after issue 11, and the best achievable common share.

Cases: the two shipped scenarios and four fleet-bound variants of June 2005 (below). Each
case runs every policy for 10 s with today's code and with the code of commit 73f1116
(``PYTHONPATH`` of a checkout of it, ``--old``), each row in a fresh process; every plan
goes through the validator and the fair-share check (``logistics.plan.fair_check``: no
district at 0 % while a truck that may serve it has time).

The reference, per case: the **best achievable common share** ``f*`` (the largest share of
its ration every reachable district can get at once) is bracketed

* from above by the relaxation of :mod:`logistics.routing.fair_bound` (bisection; sound:
  no plan can give every district more), and
* from below by plans: the lowest share of the fair plans, and a bisection between it and
  the bound whose probes are feasibility-oriented solves (every district capped at the
  probed share, the packing of their floors as the start, OR-Tools maximising what is
  delivered under the caps for ``--probe`` seconds, which reaches the sum of the caps only
  if every district gets its share). A probe that succeeds is a validated plan, so the
  lower end is sound; a probe that fails proves nothing (a longer search might succeed),
  which is why the bound is reported too.

For the fleet-bound variant with delegates for any district it also shows the price of a
higher lowest share: the construction alone (no search) at fixed common shares.

Run (writes ``bench/results/fairness.md`` and ``fairness.json``)::

    git worktree add /tmp/old 73f1116
    flock /work/bench.lock nice .venv/bin/python bench/fair_bench.py --old /tmp/old
    git worktree remove /tmp/old
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
POLICIES = ("max-delivered", "proportional", "max-min")
LIMIT_S = 10.0


def _yaml(path: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    return data


def cases() -> dict[str, dict[str, Any]]:
    """The scenarios, as dicts. The variants' changes are ASSUMPTIONS for the bench."""
    june = "scenarios/senkata-2005-06.yaml"
    bound = _yaml("bench/scenarios/fleet-bound-2005-06.yaml")
    checkpoints = [b for b in bound["blockades"] if b["id"].startswith("cp-")]
    out = {
        "June 2005": _yaml(june),
        "October 2003": _yaml("scenarios/senkata-2003-10.yaml"),
        # the issue's case: stock 30,000, 20 trucks of 400, any district, 4 checkpoints
        "fleet-bound (any district)": bound,
    }
    few = _yaml(june)
    few["fleet"][0]["count"] = 12  # ASSUMPTION (bench): 12 of the 30 trucks
    out["fewer trucks (12)"] = few
    more = _yaml(june)
    more["plants"][0]["stock"] = 40_000  # ASSUMPTION (bench): more than every ration
    out["more stock (40,000)"] = more
    cps = _yaml(june)
    cps["plants"][0]["stock"] = 30_000  # ASSUMPTION (bench)
    cps["blockades"] += checkpoints  # the variant's four checkpoints, 15-45 min
    out["checkpoints (4, stock 30,000)"] = cps
    return out


# ------------------------------------------------------------------ one plan (any code)
def one(case_file: str, policy: str, limit: float, plan_out: str) -> dict[str, Any]:
    """Plan one case in this process (whichever ``logistics`` is on the path)."""
    from logistics.model import scenario_from_dict
    from logistics.plan import validate_plan
    from logistics.routing import build_problem, solve

    d = json.loads(Path(case_file).read_text(encoding="utf-8"))
    d["allocation"] = policy
    sc = scenario_from_dict(d)
    problem = build_problem(sc)
    t0 = time.monotonic()
    plan = solve(problem, time_limit_s=limit)
    wall = time.monotonic() - t0
    plan.save(plan_out)
    f = plan.fairness()
    return {
        "delivered": plan.delivered,
        "km": round(plan.km, 1),
        "min_share": f["min_share"],
        "spread": f["spread"],
        "shares": f["shares"],
        "wall_s": wall,
        "valid": validate_plan(plan, sc, problem.net).ok,
    }


# ------------------------------------------------------------------ the reference
def reference(d: dict[str, Any], low: float, probe_s: float, probes: int) -> dict[str, Any]:
    """Bound and probes of the best common share (see the module docstring)."""
    import numpy as np

    from logistics.model import scenario_from_dict
    from logistics.plan import validate_plan
    from logistics.routing import SolveStats, build_plan, build_problem, make_drops
    from logistics.routing import fairness as fz
    from logistics.routing.drops import trip_slots
    from logistics.routing.fair_bound import FairBound
    from logistics.routing.fair_pack import Packer
    from logistics.routing.solver import _route

    sc = scenario_from_dict({**d, "allocation": "max-min"})
    pr = build_problem(sc)
    trucks = [t for t in pr.trucks if t.commission is not None]
    drops, cands = make_drops(pr, fine=True)
    ration = fz.eligible_ration(pr)
    reach, tol = fz.servable_reach(pr, trucks, cands, ration)
    ok = fz.servable(pr, trucks, cands)
    slots = trip_slots(pr, trucks, cands)
    group_stock = sc.plant.stock - sum(x.cylinders for x in cands if x.priority)
    hi = fz.stock_level(ration, reach, group_stock, {})
    t0 = time.monotonic()
    bound = FairBound(pr, trucks, cands, ok, slots)
    ub = bound.best_share(ration, reach, hi)
    total_ub = bound.solve({}, maximise_total=True).total
    bound_s = time.monotonic() - t0
    packer = Packer(pr, trucks, cands, slots)
    groups = [g for g in ration if reach[g] > 0]

    def targets(f: float) -> dict[str, float]:
        return {g: min(float(reach[g]), f * ration[g]) for g in groups}

    log: list[dict[str, Any]] = []
    lo, top, best = low, ub, low
    for i in range(probes):
        if top - lo < 0.002:
            break
        f = top if i == 0 else (lo + top) / 2
        want = targets(f)
        # a drop may overshoot by half its size, as the floors do
        caps = {g: math.ceil(w + tol[g] / 2) for g, w in want.items()}
        start = packer.pack(want, np.asarray(ok), sc.plant.stock).routes
        for x in cands:
            x.weight = 1.0
        routes, _ = _route(pr, trucks, drops, cands, caps, probe_s, False, warm=start)
        got = fz.delivered_by_group(routes)
        hit = all(got.get(g, 0) >= want[g] - tol[g] / 2 for g in groups)
        log.append({"f": f, "feasible": hit, "min_share": fz.min_share(got, ration, reach)})
        if hit:
            stats = SolveStats("solved", 0.0, 0, False, len(drops), len(cands), 0)
            plan = build_plan(pr, routes=routes, drops=drops, stats=stats)
            hit = validate_plan(plan, sc, pr.net).ok
            log[-1]["valid"] = hit
        if hit:  # every district got the probed share, within half a drop
            lo, best = f, max(best, log[-1]["min_share"])
        else:
            top = f
    one_drop = {g: tol[g] / ration[g] for g in groups}
    return {
        "upper": ub,
        "lower": best,
        "total_upper": total_ub,
        "probes": log,
        "bound_s": bound_s,
        "one_drop": one_drop,
    }


def price_of_fairness(
    d: dict[str, Any], shares: list[float], search_s: float = 0.0
) -> list[dict[str, Any]]:
    """Floors at a common share, then fill: total per share (construction, then search).

    With ``search_s`` the construction is also searched as ``max-min`` searches it (the
    floors as hard lower bounds, ``search_s`` seconds) and the plan validated: the
    trade-off between the lowest share and the total that the search reaches.
    """
    import numpy as np

    from logistics.model import scenario_from_dict
    from logistics.plan import validate_plan
    from logistics.routing import SolveStats, build_plan, build_problem, make_drops
    from logistics.routing import fairness as fz
    from logistics.routing.drops import trip_slots
    from logistics.routing.fair_pack import Packer
    from logistics.routing.solver import _route

    sc = scenario_from_dict({**d, "allocation": "max-min"})
    pr = build_problem(sc)
    trucks = [t for t in pr.trucks if t.commission is not None]
    drops, cands = make_drops(pr, fine=True)
    ration = fz.eligible_ration(pr)
    reach, _ = fz.servable_reach(pr, trucks, cands, ration)
    ok = np.asarray(fz.servable(pr, trucks, cands))
    packer = Packer(pr, trucks, cands, trip_slots(pr, trucks, cands))
    rows = []
    for f in shares:
        want = {g: min(float(reach[g]), f * r) for g, r in ration.items()}
        p = packer.pack(want, ok, sc.plant.stock, fill=True, ration=ration)
        row: dict[str, Any] = {
            "f": f,
            "floors_met": p.feasible,
            "total": sum(p.got.values()),
            "min_share": fz.min_share(p.got, ration, reach),
        }
        if search_s > 0:
            floors = packer.pack(want, ok, sc.plant.stock).got
            for x in cands:
                x.weight = 1.0
            routes, _ = _route(
                pr, trucks, drops, cands, None, search_s, False, warm=p.routes, floors=floors
            )
            stats = SolveStats("solved", 0.0, 0, False, len(drops), len(cands), 0)
            plan = build_plan(pr, routes=routes, drops=drops, stats=stats)
            row |= {
                "searched": plan.delivered,
                "searched_min_share": plan.fairness()["min_share"],
                "searched_valid": validate_plan(plan, sc, pr.net).ok,
            }
        rows.append(row)
    return rows


# ------------------------------------------------------------------ driver
def _run_rows(
    name: str, d: dict[str, Any], code: str, path: str | None, tmp: Path, limit: float
) -> list[dict[str, Any]]:
    from logistics.model import scenario_from_dict
    from logistics.plan import Plan
    from logistics.plan.fair_check import check_fair_zero
    from logistics.routing import build_problem

    case_file = tmp / "case.json"
    case_file.write_text(json.dumps(d, default=str), encoding="utf-8")
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = path
    rows = []
    for policy in POLICIES:
        plan_out = tmp / f"plan-{code}-{policy}.json"
        cmd = [sys.executable, __file__, "--one", str(case_file), policy, str(plan_out), str(limit)]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
        if res.returncode:
            print(res.stderr[-1500:], file=sys.stderr)
            continue
        row = {"case": name, "code": code, "policy": policy}
        row |= json.loads(res.stdout.strip().splitlines()[-1])
        sc = scenario_from_dict({**d, "allocation": policy})
        net = build_problem(sc).net
        row["zero_flagged"] = len(check_fair_zero(Plan.load(plan_out), sc, net))
        rows.append(row)
        print(
            f"{name:>30} {code:>6} {policy:>13}: {row['delivered']:>6,} min "
            f"{row['min_share']:.3f} spread {row['spread']:.3f} valid {row['valid']} "
            f"zero {row['zero_flagged']} ({row['wall_s']:.1f} s)",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Every row and reference, then the tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", help="checkout of commit 73f1116 for the 'before' rows")
    ap.add_argument("--probe", type=float, default=10.0, help="seconds per probe")
    ap.add_argument("--probes", type=int, default=4)
    ap.add_argument("--only", nargs="*", help="case names (default: all)")
    ap.add_argument("--limit", type=float, default=LIMIT_S, help="seconds per plan")
    ap.add_argument("--out", default="fairness")
    args = ap.parse_args(argv)
    rows: list[dict[str, Any]] = []
    refs: dict[str, dict[str, Any]] = {}
    price: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, d in cases().items():
            if args.only and name not in args.only:
                continue
            if args.old:
                rows += _run_rows(name, d, "before", args.old, Path(tmp), args.limit)
            after = _run_rows(name, d, "after", None, Path(tmp), args.limit)
            rows += after
            low = max(r["min_share"] for r in after if r["policy"] != "max-delivered")
            refs[name] = reference(d, low, args.probe, args.probes)
            print(name, json.dumps({k: v for k, v in refs[name].items() if k != "one_drop"}))
            if name.startswith("fleet-bound"):
                level = next(r["min_share"] for r in after if r["policy"] == "max-min")
                grid = [0.0, 0.3, 0.4, 0.45, 0.5, round(level, 3)]
                price = price_of_fairness(d, grid, args.limit)
    out = {"rows": rows, "reference": refs, "price": price, "limit_s": args.limit}
    top = next(
        (
            r["delivered"]
            for r in rows
            if r["case"].startswith("fleet-bound") and r["policy"] == "max-delivered"
        ),
        None,
    )
    for p in price:
        p["max_delivered"] = top
    (RESULTS / f"{args.out}.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    (RESULTS / f"{args.out}.md").write_text(render(out, args), encoding="utf-8")
    print(f"wrote bench/results/{args.out}.md")
    return 0


def render(out: dict[str, Any], args: argparse.Namespace) -> str:
    """The markdown report."""
    lines = [
        "# Fair policies (issue 11; before = commit 73f1116 when run with --old)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, 2 cores shared "
        "with other engineers' runs; one fresh process per row; "
        f"{args.limit:g} s per plan; seed as in the scenario",
        "- share = delivered / eligible ration of a district or macrodistrict that a guarded "
        "truck can reach; lowest and spread (highest - lowest) over those; every plan checked "
        "by the validator; *0 % flagged* = districts at 0 % while a truck that may serve them "
        "had time (`logistics/plan/fair_check.py`)",
        "- best common share: upper bound from the relaxation (`logistics/routing/fair_bound.py`,"
        f" sound), lower from plans (fair plans and {args.probes} feasibility probes of "
        f"{args.probe:g} s; sound when a probe succeeds, a failed probe proves nothing)",
        "",
    ]
    rows = out["rows"]
    for name, ref in out["reference"].items():
        mine = [r for r in rows if r["case"] == name]
        top = {r["code"]: r["delivered"] for r in mine if r["policy"] == "max-delivered"}
        lines += [
            f"## {name}",
            "",
            f"Best common share: between **{100 * ref['lower']:.1f} %** (best plan found) and "
            f"**{100 * ref['upper']:.1f} %** (bound); the bound on total delivered is "
            f"{ref['total_upper']:,.0f}.",
            "",
            "| code | policy | delivered | vs max-delivered | lowest share | spread | valid "
            "| 0 % flagged | max-min lowest vs bound |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in mine:
            base = top.get(r["code"]) or math.nan
            gap = ""
            if r["policy"] == "max-min":
                low_g = min(r["shares"], key=r["shares"].get) if r["shares"] else None
                drop = ref["one_drop"].get(low_g, math.nan) if low_g else math.nan
                gap = f"{(ref['upper'] - r['min_share']) / drop:.1f} drops below"
            lines.append(
                f"| {r['code']} | {r['policy']} | {r['delivered']:,} | "
                f"{100 * r['delivered'] / base:.1f} % | {100 * r['min_share']:.1f} % | "
                f"{100 * r['spread']:.1f} pts | {'yes' if r['valid'] else '**no**'} | "
                f"{r['zero_flagged']} | {gap} |"
            )
        lines += [
            "",
            "Probes: "
            + ", ".join(
                f"{100 * p['f']:.1f} % {'ok' if p['feasible'] and p.get('valid', True) else 'no'}"
                for p in ref["probes"]
            )
            + ".",
            "",
        ]
    if out["price"]:
        lines += [
            "## The price of a higher lowest share (fleet-bound)",
            "",
            "Every district's floor at the common share (to the nearest drop), then the "
            "trucks' remaining hours to the nearest drops (construction); then the search "
            f"from it with the floors as hard lower bounds ({args.limit:g} s), validated. "
            "The last row is the lowest share `max-min` reaches. At 0 % the validator "
            "rejects the plan: under a fair policy a district at 0 % with a free truck is "
            "refused (`fair_check`).",
            "",
            "| common share | floors met | construction | lowest | searched | vs max-delivered "
            "| lowest | valid |",
            "|---|---|---|---|---|---|---|---|",
            *[
                f"| {100 * p['f']:.1f} % | {'yes' if p['floors_met'] else 'no'} | "
                f"{p['total']:,} | {100 * p['min_share']:.1f} % | "
                f"{p.get('searched', 0):,} | "
                f"{100 * p.get('searched', 0) / (p.get('max_delivered') or math.nan):.1f} % | "
                f"{100 * p.get('searched_min_share', 0):.1f} % | "
                f"{'yes' if p.get('searched_valid') else '**no**'} |"
                for p in out["price"]
            ],
            "",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], sys.argv[3], float(sys.argv[5]), sys.argv[4])))
    else:
        sys.exit(main())
