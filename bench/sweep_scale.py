"""Scale of one batch variant: 1,000 distribution points and 100 trucks.

The June 2005 scenario with its distribution points thinned to one every 30 m instead of
600 m (about 1,100 named OSM stops, 1,000+ of them eligible), 100 trucks of 300 cylinders,
100 commissions (100 plant workers, 100 junta delegates spread over the districts in
proportion to their ration; ``own-district`` as in the scenario) and stock for the whole
ration. A second row takes every named stop on the map (``min_spacing_m: 0``, ~1,950
points) to see how far past 1,000 the model goes.

Each variant runs in a fresh process through :func:`logistics.batch.run_variant` - the
function every Dask worker runs (build, solve, validate) - so the timings are the batch
path's and the peak memory (``ru_maxrss``) is that variant's alone. Writes
``bench/results/sweep_scale.md``.

Run: ``PYTHONPATH=. .venv/bin/python bench/sweep_scale.py`` (a few minutes; ``--render``
rewrites the table from ``bench/results/sweep_scale.json``).
"""

from __future__ import annotations

import json
import math
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
#: name -> demand.min_spacing_m
VARIANTS = {"1,000 points": 30.0, "every named stop": 0.0}
TRUCKS = 100
CAPACITY = 300
STOCK = 45_000  # more than the whole eligible ration (~38,000 cylinders): nothing stock-short
TIME_LIMIT_S = 60.0


def scale_scenario(min_spacing_m: float) -> dict:
    """The default scenario scaled up (see the module docstring)."""
    from logistics.demand import build_points
    from logistics.model import load_scenario, scenario_from_dict
    from logistics.roads import load_network, with_plant_access

    d = load_scenario(ROOT / "scenarios" / "senkata-2005-06.yaml").model_dump(mode="json")
    d["name"] = f"scale: {TRUCKS} trucks, points every {min_spacing_m:g} m"
    d["demand"]["min_spacing_m"] = min_spacing_m
    d["fleet"] = [{"count": TRUCKS, "id_prefix": "T", "capacity": CAPACITY}]
    d["plants"][0]["stock"] = STOCK
    d["solver"]["time_limit_s"] = TIME_LIMIT_S
    # Delegates per district in proportion to its eligible ration (largest remainder), so
    # each district gets the trucks its demand needs (by points, sparse districts with big
    # rations ran out of shift time).
    sc = scenario_from_dict(d)
    net = with_plant_access(load_network(), sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    pts = [p for p in build_points(sc, net) if p.eligible and p.district and not p.priority]
    per: Counter[str] = Counter()
    for p in pts:
        per[p.district] += p.ration
    total = sum(per.values())
    quota = {k: TRUCKS * n / total for k, n in per.items()}
    seats = {k: max(1, math.floor(q)) for k, q in quota.items()}
    for k in sorted(quota, key=lambda k: quota[k] - math.floor(quota[k]), reverse=True):
        if sum(seats.values()) >= TRUCKS:
            break
        seats[k] += 1
    roster: list[dict] = [{"role": "plant-worker", "count": TRUCKS, "id_prefix": "PW"}]
    for i, (district, n) in enumerate(sorted(seats.items())):
        roster.append(
            {"role": "junta-delegate", "district": district, "count": n, "id_prefix": f"JD{i}-"}
        )
    d["guards"] = {"delegate_scope": "own-district", "roster": roster}
    return d


def one(name: str) -> dict:
    """Plan one variant in this process; the row plus plan sizes and peak memory."""
    from logistics.batch import Variant, run_variant, variant_id
    from logistics.plan import Plan

    d = scale_scenario(VARIANTS[name])
    t0 = time.perf_counter()
    row = run_variant(Variant(variant_id(d), name, {}, d), keep_plan=True)
    row["run_s"] = round(time.perf_counter() - t0, 2)
    plan_json = row.pop("_plan_json", None)
    if plan_json:
        plan = Plan.model_validate_json(plan_json)
        row["points"] = sum(g.points for g in plan.groups) + len(d["priority_sites"])
        row["eligible_points"] = sum(g.eligible_points for g in plan.groups)
        row["drops"] = plan.solver.drops
        row["trip_slots"] = plan.solver.trip_slots
        row["delegates"] = sum(g.get("count", 1) for g in d["guards"]["roster"][1:])
    row["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return row


def main() -> None:
    """Each variant in its own process, then the table."""
    rows = []
    for name in VARIANTS:
        cmd = [sys.executable, __file__, "--one", name]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{name}: {r['status']} {r.get('error') or ''} run {r['run_s']} s", flush=True)
    rows[0]["date"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    (RESULTS / "sweep_scale.json").write_text(
        json.dumps(rows, indent=1, default=str), encoding="utf-8"
    )
    render(rows)


def render(rows: list[dict]) -> None:
    """Write ``sweep_scale.md`` from the measured rows."""
    lines = [
        "# Scale of one batch variant: 1,000 points, 100 trucks",
        "",
        f"- date: {rows[0].get('date', '?')}; {platform.machine()}, 2 cores shared with other "
        "test runs (timings are noisy), 24 GB RAM",
        "- scenario: June 2005 (`scenarios/senkata-2005-06.yaml`) with distribution points "
        f"every `min_spacing_m` metres, {TRUCKS} trucks x {CAPACITY} cylinders, "
        f"{TRUCKS} commissions (own-district; delegates spread over the districts by ration), "
        f"stock {STOCK:,} (more than the ration), its two blockades",
        f"- search time limit {TIME_LIMIT_S:g} s; run through `logistics.batch.run_variant` "
        "(what each Dask worker runs), one fresh process per row; peak memory = `ru_maxrss`",
        "",
        "| variant | min_spacing_m | points (eligible) | drops | trip slots | build s | "
        "solve s (limit) | validate s | delivered / eligible ration | trucks used | trips | km "
        "| valid | peak memory |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, spacing), r in zip(VARIANTS.items(), rows, strict=True):
        if r["status"] != "ok":
            lines.append(f"| {name} | {spacing:g} | failed: {r['error']} |" + " |" * 11)
            continue
        lines.append(
            f"| {name} | {spacing:g} | {r['points']:,} ({r['eligible_points']:,}) | "
            f"{r['drops']:,} | {r['trip_slots']:,} | {r['build_s']:.1f} | "
            f"{r['solve_s']:.1f} ({r['time_limit_s']:g}) | {r['validate_s']:.1f} | "
            f"{r['delivered']:,} / {r['demand']:,} ({r['served_pct']:.1f} %) | "
            f"{r['trucks_used']}/{r['trucks']} | {r['trips']} | {r['km']:,.0f} | "
            f"{'yes' if r['valid'] else 'no'} | {r['maxrss_mb']:,} MB |"
        )
    lines += [
        "",
        "`solve s` is the solver's own wall time (greedy warm start, model build, search "
        "until the time limit, plan assembly); the search stops on the time limit "
        "(`hit_time_limit`), so it is the limit plus the model build and plan assembly "
        "around it. `trip slots` = trucks x trips per truck (reload nodes + 1 per truck).",
        "",
        "No decomposition was needed: OR-Tools returns a valid plan for 1,000+ points (and for "
        "every named stop, ~1,800 eligible) within its time limit and about 1 GB; the greedy "
        "warm start gives it a feasible first solution at once and the local search improves "
        "it until the limit. What is left unserved is `no-time` (the excluded zones aside). "
        "Under `own-district` a truck serves only its delegate's district and cannot help a "
        "neighbouring one that runs out of shift time; in one trial with `delegate_scope: any` "
        "(35 m spacing, 971 routable points, 20 s) the same fleet delivered the whole "
        "reachable ration, so at 1,000 points the district split, not the model size, looks "
        "like the limit. At ~1,800 eligible points the shortfall grows (see the table); "
        "whether decomposing by district would recover some of it was not tried.",
        "",
    ]
    out = RESULTS / "sweep_scale.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2]), default=str))
    elif sys.argv[1:] == ["--render"]:  # the table again from sweep_scale.json
        render(json.loads((RESULTS / "sweep_scale.json").read_text(encoding="utf-8")))
    else:
        main()
