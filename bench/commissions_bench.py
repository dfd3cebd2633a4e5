"""Who rides which truck: what the assignment model changes, and what it costs in time.

Cases on the real map (built with ``tests/helpers.py``): the issue's roster of one plant
worker and one junta delegate each of Distritos 1, 2 and 3 (``own-district``, Distrito 1
listed first) with the June 2005 scenario's three communal kitchens; the same with
commissions of up to three people; a roster whose Distrito 1 delegates (listed first)
cannot reach their district (closed blockade) while Distrito 8 needs gas; and the two
shipped scenarios. For each: priority cylinders and total delivered, and the wall time of
choosing the commissions (the SCIP assignment model; before, the fixed pairing) inside
``build_problem``.

Run: ``flock /work/bench.lock nice .venv/bin/python bench/commissions_bench.py``
(``--out`` a Markdown table; ``--time-limit`` seconds of routing per case).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT))

from table_out import emit_table  # noqa: E402  (bench/ is on sys.path when run)

from logistics.model import PROJECT_ROOT, load_scenario, scenario_from_dict  # noqa: E402
from logistics.plan import validate_plan  # noqa: E402
from logistics.roads import load_network  # noqa: E402
from logistics.routing import build_problem, solve  # noqa: E402
from logistics.routing import commissions as commissions_mod  # noqa: E402
from logistics.routing import problem as problem_mod  # noqa: E402
from tests.helpers import D1, D2, D8, edge_midpoint, node_point, roster, scenario_dict  # noqa: E402


def _timed(module, names: tuple[str, ...]) -> list[float]:
    """Wrap functions of ``module`` (those it has) to add up their wall time."""
    spent: list[float] = []
    for name in names:
        fn = getattr(module, name, None)
        if fn is None:
            continue

        def wrapped(*a, _fn=fn, **k):
            t0 = time.perf_counter()
            out = _fn(*a, **k)
            spent.append(time.perf_counter() - t0)
            return out

        setattr(module, name, wrapped)
    return spent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    net = load_network()
    june = load_scenario(PROJECT_ROOT / "scenarios" / "senkata-2005-06.yaml")
    kitchens = [k.model_dump(mode="json", exclude_none=True) for k in june.priority_sites]
    # reading the roster and choosing (now), or forming pairs and placing them (before)
    spent = _timed(problem_mod, ("read_roster", "assign_commissions", "_form_commissions"))
    cpsat = _timed(commissions_mod, ("choose_pairing", "choose_seats"))  # the model alone (now)
    build_problem(june, net=net)  # warm up: areas loaded, the solver imported
    cases: dict[str, dict] = {}
    pts = [node_point(net, o, households=150) for o in D1 + D2]
    one = scenario_dict(
        pts,
        trucks=2,
        guards=roster(1, [("Distrito 1", 1), ("Distrito 2", 1), ("Distrito 3", 1)]),
        scope="own-district",
        priority_sites=kitchens,
    )
    cases["1 plant worker, delegates D1/D2/D3, 3 kitchens"] = one
    three = {**one, "guards": {**one["guards"], "max_commission_size": 3}}
    cases["same, commissions of up to 3"] = three
    lon, lat = edge_midpoint(net, 2586278821, 568585155)
    blk = {"id": "marzo", "lat": lat, "lon": lon, "radius_m": 30, "status": "closed"}
    cut = scenario_dict(
        [node_point(net, o, households=100) for o in D1]
        + [node_point(net, o, households=300) for o in D8],
        trucks=3,
        scope="own-district",
        blockades=[blk],
        shift=("07:00", "09:00"),
        guards=roster(2, [("Distrito 1", 2), ("Distrito 8", 2)]),
    )
    cases["2 plant workers, D1 cut off, D1 x2 / D8 x2"] = cut
    rows = []
    for name, data in cases.items():
        try:
            sc = scenario_from_dict(data)
        except Exception as exc:  # the old scenario format has no max_commission_size
            rows.append(f"| {name} | n/a ({type(exc).__name__}) | | | | | |")
            continue
        sc = sc.model_copy(
            update={"solver": sc.solver.model_copy(update={"time_limit_s": args.time_limit})}
        )
        spent.clear()
        cpsat.clear()
        problem = build_problem(sc, net=net)
        plan = solve(problem)
        ok = validate_plan(plan, sc, net).ok
        prio = sum(s.cylinders for _, t in plan.trips() for s in t.stops if s.priority)
        riding = "; ".join(
            "+".join(t.commission.members) for t in problem.trucks if t.commission is not None
        )
        rows.append(
            f"| {name} | {prio} / {sum(q.ration for q in problem.points if q.priority)} "
            f"| {plan.delivered:,} | {riding} | {'yes' if ok else 'NO'} "
            f"| {1000 * sum(spent):.0f} ms | {1000 * sum(cpsat):.0f} ms |"
        )
        print(rows[-1], flush=True)
    for fname in ("senkata-2005-06.yaml", "senkata-2003-10.yaml"):
        sc = load_scenario(PROJECT_ROOT / "scenarios" / fname)
        times, sat = [], []
        for _ in range(3):
            spent.clear()
            cpsat.clear()
            problem = build_problem(sc, net=net)
            times.append(sum(spent))
            sat.append(sum(cpsat))
        n = sum(t.commission is not None for t in problem.trucks)
        rows.append(
            f"| {fname} (build only) | | | {n} commissions ride | | "
            f"{1000 * sorted(times)[1]:.0f} ms | {1000 * sorted(sat)[1]:.0f} ms |"
        )
        print(rows[-1], flush=True)
    head = (
        f"Commissions: assignment before routing {args.label}; {args.time_limit:g} s of "
        "routing per case (times: median of 3 builds for the shipped scenarios)\n\n"
        "| case | priority delivered | delivered | who rides | valid | roster + choice | "
        "of which the model |\n|---|---|---|---|---|---|---|"
    )
    emit_table(head, rows, args.out)


if __name__ == "__main__":
    main()
