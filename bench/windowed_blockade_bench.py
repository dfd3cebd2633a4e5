"""A blockade that stands only in the morning: what the plan delivers, before and after.

The June 2005 scenario with one more closed blockade across both carriageways of Av. 6 de
Marzo about 4 km north of the plant (between OSM nodes 271101604 and 2586278806; where it
stood is an ASSUMPTION for the benchmark), standing 07:00-10:00. Without windows in the
routing, it cut the north off for the whole shift. Each case is solved once with the same
time limit and validated; the table gives delivered cylinders, points ``unreachable-
blockade``, km, trips and how many trips drove past the closed road before its lift.

Run: ``flock /work/bench.lock nice .venv/bin/python bench/windowed_blockade_bench.py``
(``--time-limit`` seconds per case, default 10; ``--out`` the Markdown table).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from table_out import emit_table

from logistics.model import PROJECT_ROOT, load_scenario
from logistics.plan import validate_plan
from logistics.roads import TO_METRIC, load_network
from logistics.routing import build_problem, solve

#: The closed road: Av. 6 de Marzo ~4.1 km north of the plant (both carriageways).
SEGMENT = (271101604, 2586278806)
RADIUS_M = 40.0


def _crossings(net, plan, lon: float, lat: float) -> list[float]:
    """Times (minutes) at which legs pass within RADIUS_M of the blockade's centre."""
    cx, cy = TO_METRIC.transform(lon, lat)
    out = []
    for _truck, trip in plan.trips():
        clock = trip.depart
        for k, leg in enumerate(trip.legs):
            idx = np.asarray([net.node_index(n) for n in leg.nodes])
            if np.hypot(net.x[idx] - cx, net.y[idx] - cy).min() <= RADIUS_M + 30:
                out.append(clock)
            clock = trip.stops[k].depart if k < len(trip.stops) else trip.back
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    net = load_network()
    sc0 = load_scenario(PROJECT_ROOT / "scenarios" / "senkata-2005-06.yaml")
    u, v = (net.node_index(n) for n in SEGMENT)
    lon, lat = float((net.lon[u] + net.lon[v]) / 2), float((net.lat[u] + net.lat[v]) / 2)
    blk = {"id": "marzo-4km", "lat": lat, "lon": lon, "radius_m": RADIUS_M, "status": "closed"}
    cases = {
        "no extra blockade": None,
        "closed 07:00-10:00": {**blk, "window": {"start": "07:00", "end": "10:00"}},
        "closed all shift (window 06:00-20:00)": {
            **blk,
            "window": {"start": "06:00", "end": "20:00"},
        },
        "closed all shift (no window)": blk,
    }
    rows = []
    for name, b in cases.items():
        data = sc0.model_dump(mode="json", exclude_none=True)
        if b is not None:
            data["blockades"] = [*data["blockades"], b]
        from logistics.model import scenario_from_dict

        sc = scenario_from_dict(data)
        t0 = time.monotonic()
        problem = build_problem(sc, net=net)
        plan = solve(problem, time_limit_s=args.time_limit)
        wall = time.monotonic() - t0
        rep = validate_plan(plan, sc, net)
        cut = sum(1 for r in problem.pre_unserved.values() if r == "unreachable-blockade")
        cross = _crossings(problem.net, plan, lon, lat)
        early = sum(1 for t in cross if t < 10 * 60)
        rows.append(
            f"| {name} | {plan.delivered:,} | {cut} | {plan.km:,.0f} | {len(plan.trips())} | "
            f"{len(cross)} ({early} before 10:00) | {'yes' if rep.ok else 'NO'} | {wall:.1f} s |"
        )
        print(rows[-1], flush=True)
    head = (
        f"June 2005 + Av. 6 de Marzo closed 4 km north of the plant; {args.time_limit:g} s "
        f"search per case {args.label}\n\n"
        "| case | delivered | unreachable-blockade | km | trips | legs past the road | "
        "valid | build + solve |\n|---|---|---|---|---|---|---|---|"
    )
    emit_table(head, rows, args.out)


if __name__ == "__main__":
    main()
