"""Distribution points sited for walking coverage vs today's thinning of OSM stops.

For both shipped scenarios, three ways to place the distribution points, everything else
as shipped (roster, eligibility, blockades):

* ``osm-stops`` — named OSM stops on the network, one every ``demand.min_spacing_m``;
* ``sited`` — the maximal covering choice of :mod:`logistics.demand.siting` (greedy with
  its proven bound), households counted only in areas with a point;
* ``sited + walk`` — the same, and households of areas without a point walk up to
  ``demand.walk_to_neighbour_m`` to a neighbouring area's point (the shipped setting; the
  scenario's value, or 1,000 m when it has none).

Per variant: points; the share of eligible households within 500 m / 1 km (straight line)
of a point a truck can reach with a guard, and beyond 2 km of every one; the households
whose ration some point carries (the accounts); then a plan (``--time-limit`` s, greedy
start) and the share within 1 km of a point it **served**, cylinders, km and validity.

The greedy covering choice is compared with an exact CP-SAT model of the same instance
(OR-Tools; cells grouped by the candidates covering them, ``x_a + x_b <= 1`` for
candidates closer than the spacing, the greedy choice as a hint) at N = 40 and at the
scenario's N: the greedy value, its own proven bound, CP-SAT's best value and bound.

Writes ``bench/results/siting.md`` and ``siting.json``. Run (one at a time on the box)::

    flock /work/bench.lock nice .venv/bin/python bench/siting_bench.py [--time-limit 10]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

SCENARIOS = {"June 2005": "senkata-2005-06", "October 2003": "senkata-2003-10"}


def variants(sc):
    """``(label, scenario)`` for the three ways to place points."""
    dem = sc.demand
    walk = dem.walk_to_neighbour_m if dem.walk_to_neighbour_m is not None else 1000.0
    out = []
    for label, upd in (
        ("osm-stops", {"source": "osm-stops", "walk_to_neighbour_m": None}),
        ("sited", {"source": "sited", "walk_to_neighbour_m": None}),
        ("sited + walk", {"source": "sited", "walk_to_neighbour_m": walk}),
    ):
        out.append((label, sc.model_copy(update={"demand": dem.model_copy(update=upd)})))
    return out


def coverage(problem, ids) -> dict:
    """Shares of the eligible households within 500 m / 1 km of ``ids``, beyond 2 km."""
    from logistics.demand import household_grid, load_areas, point_places
    from logistics.demand.access import distance_to_nearest
    from logistics.demand.eligible import cell_eligible

    sc = problem.scenario
    grid = household_grid()
    ok = cell_eligible(grid, load_areas(), sc.eligibility)
    d = distance_to_nearest(grid, point_places(problem.points), ids)
    hh = grid.persons / sc.demand.household_size
    elig = float(hh[ok].sum())
    return {
        "eligible_households": elig,
        "within_500m": float(hh[ok & (d <= 500)].sum()) / elig,
        "within_1km": float(hh[ok & (d <= 1000)].sum()) / elig,
        "beyond_2km": float(hh[ok & (d > 2000)].sum()) / elig,
    }


def cpsat(inst, k: int, spacing: float, hint: list[int], limit_s: float) -> dict:
    """Exact maximal covering on the same instance (OR-Tools CP-SAT)."""
    from ortools.sat.python import cp_model

    cover = inst.cover.tocsr()
    n = cover.shape[1]
    # cells covered by the same candidates are one demand unit
    units: dict[tuple[int, ...], float] = {}
    for i in range(cover.shape[0]):
        cols = tuple(cover.indices[cover.indptr[i] : cover.indptr[i + 1]].tolist())
        if cols:
            units[cols] = units.get(cols, 0.0) + float(inst.weight[i])
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{j}") for j in range(n)]
    y = []
    for cols, _w in units.items():
        v = m.new_bool_var("")
        m.add_bool_or([x[j] for j in cols]).only_enforce_if(v)
        y.append(v)
    m.add(sum(x) <= k)
    xy = inst.xy
    pairs = 0
    if spacing > 0:
        from scipy.spatial import cKDTree

        for a, b in cKDTree(xy).query_pairs(spacing * (1 - 1e-9)):
            m.add_bool_or([x[a].Not(), x[b].Not()])
            pairs += 1
    weights = [round(w * 10) for w in units.values()]  # tenths of a household
    m.maximize(sum(w * v for w, v in zip(weights, y, strict=True)))
    # the greedy choice as a complete hint (x and the units it covers): CP-SAT starts there
    chosen = set(hint)
    for j in range(n):
        m.add_hint(x[j], j in chosen)
    for cols, v in zip(units, y, strict=True):
        m.add_hint(v, any(j in chosen for j in cols))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit_s
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    t0 = time.perf_counter()
    status = solver.solve(m)
    return {
        "status": solver.status_name(status),
        "value": solver.objective_value / 10,
        "bound": solver.best_objective_bound / 10,
        "units": len(units),
        "spacing_pairs": pairs,
        "s": time.perf_counter() - t0,
    }


def run(label: str, stem: str, limit: float, cpsat_s: float) -> tuple[list[dict], list[dict]]:
    from logistics.demand import area_accounts, load_areas
    from logistics.demand.siting import greedy_cover, siting_instance
    from logistics.model import load_scenario
    from logistics.plan import validate_plan
    from logistics.routing import build_problem, solve

    base = load_scenario(ROOT / "scenarios" / f"{stem}.yaml")
    rows, exact = [], []
    for vlabel, sc in variants(base):
        t0 = time.perf_counter()
        problem = build_problem(sc, scenario_dir=ROOT / "scenarios")
        build_s = time.perf_counter() - t0
        reach = [p.id for p in problem.routable if not p.priority]
        cov = coverage(problem, reach)
        acc = area_accounts(sc, problem.points, problem.net)
        counted = sum(r.counted_households for r in acc.districts())
        elig = sum(r.eligible_households for r in acc.districts())
        t0 = time.perf_counter()
        plan = solve(problem, time_limit_s=limit)
        solve_s = time.perf_counter() - t0
        ok = validate_plan(plan, sc, problem.net).ok
        served = sorted({s.point_id for _t, tr in plan.trips() for s in tr.stops})
        scov = coverage(problem, served)
        row = {
            "scenario": label,
            "variant": vlabel,
            "points": sum(1 for p in problem.points if p.eligible and not p.priority),
            "routable": len(reach),
            "build_s": build_s,
            **{f"reach_{k}": v for k, v in cov.items()},
            "counted_share": counted / elig,
            "delivered": plan.delivered,
            "km": plan.km,
            "served_points": len(served),
            "served_within_1km": scov["within_1km"],
            "served_within_500m": scov["within_500m"],
            "valid": ok,
            "solve_s": solve_s,
        }
        rows.append(row)
        print(
            f"{label} {vlabel:>13}: {row['points']} points, 1 km {cov['within_1km']:.1%} "
            f"(served {scov['within_1km']:.1%}), counted {row['counted_share']:.1%}, "
            f"{plan.delivered:,} cyl {plan.km:,.0f} km valid {ok}",
            flush=True,
        )
        if vlabel != "sited":
            continue
        inst = siting_instance(sc, problem.net, load_areas(), scenario_dir=ROOT / "scenarios")
        shipped_k = sc.demand.sited.max_points or len(inst.candidates)
        for k in sorted({40, shipped_k}):
            t0 = time.perf_counter()
            res = greedy_cover(
                inst.cover,
                inst.weight,
                k=k,
                xy=inst.xy,
                spacing=sc.demand.min_spacing_m,
                required=inst.required,
                rank=inst.rank,
            )
            greedy_s = time.perf_counter() - t0
            ex = cpsat(inst, k, sc.demand.min_spacing_m, res.chosen, cpsat_s)
            exact.append(
                {
                    "scenario": label,
                    "k": k,
                    "candidates": len(inst.candidates),
                    "chosen": len(res.chosen),
                    "greedy": res.covered,
                    "greedy_bound": res.bound,
                    "greedy_s": greedy_s,
                    "total": res.total,
                    **{f"cpsat_{kk}": v for kk, v in ex.items()},
                }
            )
            print(
                f"   k={k}: greedy {res.covered:,.0f} (bound {res.bound:,.0f}, "
                f"{greedy_s:.2f} s), CP-SAT {ex['value']:,.0f} bound {ex['bound']:,.0f} "
                f"{ex['status']} ({ex['s']:.0f} s)",
                flush=True,
            )
    return rows, exact


def render(rows: list[dict], exact: list[dict], limit: float, cpsat_s: float) -> str:
    pct = "{:.1%}".format
    lines = [
        "# Distribution points: thinned OSM stops vs sited for walking coverage",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, 2 shared "
        "cores (noisy; compare rows of one run)",
        "- shares of the **eligible** households (excluded areas count neither way); "
        "straight-line distances; households on the population cells of `demand.grid`",
        "- 'reachable' = points a truck can reach with a guard commission; 'served' = "
        f"points the {limit:g} s plan delivered to (greedy start, validated)",
        "",
        "| scenario | eligible points | reachable with a guard | within 500 m | within 1 km "
        "| beyond 2 km | ration counted | plan: served points | served within 1 km | "
        "delivered | km | valid |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']}, {r['variant']} | {r['points']} | {r['routable']} | "
            f"{pct(r['reach_within_500m'])} | {pct(r['reach_within_1km'])} | "
            f"{pct(r['reach_beyond_2km'])} | {pct(r['counted_share'])} | {r['served_points']} "
            f"| {pct(r['served_within_1km'])} | {r['delivered']:,} | {r['km']:,.1f} | "
            f"{'yes' if r['valid'] else 'NO'} |"
        )
    lines += [
        "",
        "'ration counted' = eligible households whose ration some distribution point "
        "carries (the rest have no point: `no-road-on-map` / `no-point` in the accounts).",
        "",
        "## Greedy covering choice vs exact CP-SAT (same instance)",
        "",
        f"CP-SAT: {cpsat_s:g} s, 2 workers, cells grouped by the candidates covering them, "
        "the greedy choice as a hint. Households within `walk_m` of a chosen point.",
        "",
        "| scenario | N | candidates | greedy points | greedy | greedy's proven bound | "
        "greedy gap to own bound | CP-SAT | CP-SAT bound | CP-SAT status | greedy / CP-SAT "
        "| greedy / CP-SAT bound | greedy s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in exact:
        lines.append(
            f"| {e['scenario']} | {e['k']} | {e['candidates']} | {e['chosen']} | "
            f"{e['greedy']:,.0f} | {e['greedy_bound']:,.0f} | "
            f"{pct((e['greedy_bound'] - e['greedy']) / e['greedy_bound'])} | "
            f"{e['cpsat_value']:,.0f} | {e['cpsat_bound']:,.0f} | {e['cpsat_status']} | "
            f"{pct(e['greedy'] / e['cpsat_value'])} | {pct(e['greedy'] / e['cpsat_bound'])} | "
            f"{e['greedy_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--cpsat-s", type=float, default=60.0)
    args = ap.parse_args()
    rows, exact = [], []
    for label, stem in SCENARIOS.items():
        r, e = run(label, stem, args.time_limit, args.cpsat_s)
        rows += r
        exact += e
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "siting.md").write_text(render(rows, exact, args.time_limit, args.cpsat_s))
    (RESULTS / "siting.json").write_text(json.dumps({"rows": rows, "exact": exact}, indent=1))
    print(f"wrote {RESULTS / 'siting.md'}")


if __name__ == "__main__":
    main()
