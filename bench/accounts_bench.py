"""Every household in the shipped scenarios' plans: the accounts of every area.

For both shipped scenarios as they are: one plan (``--time-limit`` s), then its accounts
(``plan.areas``): per El Alto district and La Paz macrodistrict the households, ration,
delivered, served share, walking access to the points that received gas (straight line)
and the reason; totals per municipality against the 2024 census; the time the accounts
take to build (:func:`logistics.plan.area_rows.area_rows`) and the validator's total.

Writes ``bench/results/accounts.md``. Run (one at a time on the box)::

    flock /work/bench.lock nice .venv/bin/python bench/accounts_bench.py [--time-limit 10]
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
sys.path.insert(0, str(ROOT))

SCENARIOS = ["senkata-2005-06.yaml", "senkata-2003-10.yaml"]


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def run(name: str, limit: float) -> list[str]:
    from logistics.i18n import use_language
    from logistics.model import load_scenario
    from logistics.plan import area_reason_text, validate_plan
    from logistics.plan.area_rows import area_rows
    from logistics.routing import build_problem, solve

    path = ROOT / "scenarios" / name
    sc = load_scenario(path)
    sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": limit})})
    problem = build_problem(sc, scenario_dir=path.parent)
    plan = solve(problem)
    got: dict[str, int] = {}
    for _t, tr in plan.trips():
        for s in tr.stops:
            got[s.point_id] = got.get(s.point_id, 0) + s.cylinders
    unserved = {u.point_id: (u.reason, u.missing) for u in plan.unserved}
    t0 = time.perf_counter()
    area_rows(sc, problem.points, problem.net, got, unserved)
    t_rows = time.perf_counter() - t0
    t0 = time.perf_counter()
    ok = validate_plan(plan, sc, problem.net).ok
    t_val = time.perf_counter() - t0
    out = [
        f"## {sc.name} ({name})",
        "",
        f"plan {plan.plan_id()}, {limit:g} s search: delivered {plan.delivered:,} of "
        f"{plan.plant.stock:,} at the plant, {plan.km:,.0f} km, valid: {ok}; accounts built "
        f"in {t_rows:.2f} s, validator (with the accounts' re-derivation) {t_val:.1f} s",
        "",
        "| area | households | eligible | ration | delivered | served | within 500 m "
        "| within 1 km | beyond 2 km (households) | reason |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    tot: dict[str, list[float]] = {}
    for a in plan.district_areas():
        with use_language("en"):
            why = f"{a.reason}: {area_reason_text(a)}" if a.reason else ""
        out.append(
            f"| {a.group} | {a.households:,.0f} | {a.eligible_households:,.0f} | {a.ration:,} "
            f"| {a.delivered:,.0f} | {_pct(a.share)} | {_pct(a.share_500m)} "
            f"| {_pct(a.share_1km)} | {a.beyond_2km:,.0f} | {why} |"
        )
        t = tot.setdefault(a.municipality, [0.0] * 6)
        for k, v in enumerate(
            (a.population, a.households, a.eligible_households, a.delivered, a.within_1km, a.ration)
        ):
            t[k] += v
    out += [
        "",
        "| municipality | people | households | eligible | delivered / ration "
        "| households within 1 km of a served point |",
        "|---|---|---|---|---|---|",
    ]
    for m, t in tot.items():
        out.append(
            f"| {m} | {t[0]:,.0f} | {t[1]:,.0f} | {t[2]:,.0f} | {t[3]:,.0f} / {t[5]:,.0f} "
            f"({_pct(t[3] / t[5] if t[5] else 0)}) | {t[4]:,.0f} ({_pct(t[4] / t[1])}) |"
        )
    return [*out, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()
    lines = [
        "# Accounts of every area in the shipped scenarios' plans",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
        "shared 2-core machine; `bench/accounts_bench.py`. Walking access in straight lines.",
        "",
    ]
    for name in SCENARIOS:
        lines += run(name, args.time_limit)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "accounts.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
