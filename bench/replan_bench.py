"""Latency and disruption of a mid-shift re-plan of the June 2005 plan: repair vs full re-solve.

Solves the June 2005 scenario once (10 s) and saves it as plan.json. Three single new closed
blockades (25 m) at 11:30, each on its own: Calle Independencia in La Paz (the blockade of
earlier runs of this bench), the segment the most trucks drive after 11:30 whose closure
traps no truck, and the road segment that the most trucks drive after 11:30
at 5 km or more from the plant (nearer, it seals the gate and traps trucks), so that it
forces real changes. For each:

* the **repair** (``logistics.ops.repair``, the ``senkata replan`` default), timed from
  reading the scenario YAML, plan.json and the cached map to the repaired plan, over
  ``RUNS`` runs after one cold run (the cold run also builds the points cache);
* the **full re-solve** (``senkata replan --full``: OR-Tools over the whole rest of the
  shift, 3 s search), three runs;

with the trucks whose orders changed, the stops moved to another truck and the validator's
verdict. Also one cold ``senkata replan`` process (imports, validation and writing
included). Writes bench/results/replan.md.

Run: ``flock /work/bench.lock nice .venv/bin/python bench/replan_bench.py``
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from logistics.model import Blockade, load_scenario
from logistics.ops import diff_plans, replan
from logistics.ops.improve import changed_ids
from logistics.ops.repair import repair
from logistics.plan import read_plan, validate_plan
from logistics.roads import load_network
from logistics.routing import build_problem, solve

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "senkata-2005-06.yaml"
AT, AT_MIN = "11:30", 690
RUNS = 7


def _busiest(plan, net, min_m: float) -> tuple[tuple[int, int], set[str]]:
    """The road segment the most trucks drive after AT, at least ``min_m`` from the plant
    (ties: smallest node ids)."""
    from logistics.roads import TO_METRIC

    use: dict[tuple[int, int], set[str]] = defaultdict(set)
    for t in plan.trucks:
        for tr in t.trips:
            for k, lg in enumerate(tr.legs):
                leave = tr.depart if k == 0 else tr.stops[k - 1].depart
                if leave >= AT_MIN:
                    for p in itertools.pairwise(lg.nodes):
                        use[p].add(t.truck_id)
    px, py = TO_METRIC.transform(plan.plant.lon, plan.plant.lat)

    def far(p: tuple[int, int]) -> bool:
        i = net.node_index(p[0])
        return bool(((net.x[i] - px) ** 2 + (net.y[i] - py) ** 2) ** 0.5 >= min_m)

    seg = min((p for p in use if far(p)), key=lambda p: (-len(use[p]), p))
    return seg, use[seg]


def _untrapping(plan, sc, net, tried: int = 40) -> tuple[tuple[int, int], set[str]]:
    """The segment the most trucks drive after AT whose closure traps no truck."""
    use: dict[tuple[int, int], set[str]] = defaultdict(set)
    for t in plan.trucks:
        for tr in t.trips:
            for k, lg in enumerate(tr.legs):
                leave = tr.depart if k == 0 else tr.stops[k - 1].depart
                if leave >= AT_MIN:
                    for p in itertools.pairwise(lg.nodes):
                        use[p].add(t.truck_id)
    seen: set[frozenset[str]] = set()  # consecutive segments of one road: tried once
    for seg in sorted(use, key=lambda p: (-len(use[p]), p)):
        key = frozenset(use[seg])
        if key in seen:
            continue
        seen.add(key)
        _new, _sc, crews = repair(plan, sc, AT, add_blockades=[_blockade(net, seg)], net=net)
        if not any(c.trapped for c in crews):
            return seg, use[seg]
        if len(seen) >= tried:
            break
    msg = "no segment among the busiest traps no truck"
    raise SystemExit(msg)


def _blockade(net, seg: tuple[int, int]) -> Blockade:
    i, j = net.node_index(seg[0]), net.node_index(seg[1])
    lat, lon = float((net.lat[i] + net.lat[j]) / 2), float((net.lon[i] + net.lon[j]) / 2)
    return Blockade(id="bench", lat=lat, lon=lon, radius_m=25, status="closed")


def _crossing(plan, seg: tuple[int, int]) -> set[str]:
    """Trucks whose legs left after AT drive ``seg``."""
    out = set()
    for t in plan.trucks:
        for tr in t.trips:
            for k, lg in enumerate(tr.legs):
                leave = tr.depart if k == 0 else tr.stops[k - 1].depart
                if leave >= AT_MIN and seg in set(itertools.pairwise(lg.nodes)):
                    out.add(t.truck_id)
    return out


def _moved(old, new) -> int:
    """Points served by other trucks than before (served in both plans)."""
    stops = diff_plans(old, new).stops
    return sum(1 for c in stops if c.trucks_a and c.trucks_b and c.trucks_a != c.trucks_b)


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def _case(title, plan, plan_file, sc, net, seg, crossing, tmp) -> tuple[list[str], float]:
    """Repair and full re-solve for a closed blockade on ``seg``; the report lines."""
    from logistics.model import InputError

    i, j = net.node_index(seg[0]), net.node_index(seg[1])
    e = next(k for k in range(net.n_edges) if net.edge_u[k] == i and net.edge_v[k] == j)
    street = net.edge_name[e] or "(unnamed)"
    lat, lon = float((net.lat[i] + net.lat[j]) / 2), float((net.lon[i] + net.lon[j]) / 2)
    blk = Blockade(id="bench", lat=lat, lon=lon, radius_m=25, status="closed")

    def one_repair():
        t0 = time.perf_counter()
        s = load_scenario(SCENARIO)
        p = read_plan(plan_file)
        n = load_network()
        new, new_sc, crews = repair(p, s, AT, add_blockades=[blk], net=n)
        return time.perf_counter() - t0, new, new_sc, crews

    cold, new, new_sc, crews = one_repair()
    rep_times = []
    for _ in range(RUNS):
        dt, new, new_sc, crews = one_repair()
        rep_times.append(dt)
    rep_ok = validate_plan(new, new_sc, net).ok
    rep_changed = changed_ids(plan, new)
    trapped = sorted(c.truck_id for c in crews if c.trapped is not None)
    med = statistics.median(rep_times)
    lines = [
        f"## {title}",
        "",
        f"- new closed blockade: 25 m on {street} (OSM nodes {seg[0]} -> {seg[1]}); trucks "
        f"whose legs after 11:30 drive it: {len(crossing)} ({', '.join(sorted(crossing))})",
        "",
        "### Repair (`senkata replan`, the default)",
        "",
        f"- {RUNS} runs, each from reading scenario YAML + plan.json + cached map to the "
        "repaired plan:",
        f"  median **{med:.3f} s**, p90 {_pct(rep_times, 0.9):.3f} s, min {min(rep_times):.3f} s, "
        f"max {max(rep_times):.3f} s",
        f"- first run in this process (the points cache on disk, built once per scenario and "
        f"map, may be there already): {cold:.2f} s",
        f"- trucks whose orders changed: **{len(rep_changed)}** ({', '.join(sorted(rep_changed))});"
        f" trapped: {len(trapped)} ({', '.join(trapped) or '-'}); stops moved to another "
        f"truck (freed cylinders inserted): {_moved(plan, new)}",
        f"- delivered {new.delivered:,}, km {new.km:,.0f}, validator: "
        f"{'passes' if rep_ok else 'FAILS'}",
        "",
        "### Full re-solve (`senkata replan --full`, 3 s search)",
        "",
    ]
    rows = []
    for _ in range(3):
        t0 = time.perf_counter()
        try:
            fnew, fsc = replan(plan, sc, AT, add_blockades=[blk], net=net, time_limit_s=3)
        except InputError as exc:
            lines.append(f"- refused after {time.perf_counter() - t0:.2f} s: `{exc}`")
            return [*lines, ""], med
        dt = time.perf_counter() - t0
        rows.append((dt, fnew, validate_plan(fnew, fsc, net).ok))
    lines += [
        "| run | re-plan (s) | trucks changed | stops moved | delivered | km | valid |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, (dt, fnew, ok) in enumerate(rows, 1):
        lines.append(
            f"| {k} | {dt:.2f} | {len(changed_ids(plan, fnew))} | {_moved(plan, fnew)} | "
            f"{fnew.delivered:,} | {fnew.km:,.0f} | {'yes' if ok else 'NO'} |"
        )
    full_med = statistics.median(r[0] for r in rows)
    lines += ["", f"median full re-solve: **{full_med:.2f} s** ({full_med / med:.0f}x the repair)"]
    return [*lines, ""], med


def main() -> None:
    """Time the repair and the full re-solve for two blockades and write the report."""
    sc = load_scenario(SCENARIO)
    net = load_network()
    plan = solve(build_problem(sc, net=net), time_limit_s=10)
    tmp = Path(tempfile.mkdtemp(prefix="replan-bench-"))
    plan_file = plan.save(tmp / "plan.json")
    indep = (3474408071, 5764433596)
    busy, crossing = _busiest(plan, net, 5000)
    lines = [
        "# Re-plan at 11:30 with one new closed blockade (June 2005 plan): repair vs full re-solve",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine shared (2 cores, other "
        "engineers' jobs running): compare ratios within this run",
        f"- original plan (10 s solve): {plan.delivered:,} cylinders, {plan.km:,.0f} km, "
        f"{len(plan.trucks_used)} trucks",
        "",
    ]
    calm, calm_crossing = _untrapping(plan, sc, net)
    meds = []
    for title, seg, cross in (
        ("Calle Independencia (La Paz), the blockade of earlier runs", indep, None),
        ("The segment the most trucks drive after 11:30 whose closure traps no truck", calm,
         calm_crossing),
        ("The segment the most trucks drive after 11:30 (5 km or more from the plant)", busy,
         crossing),
    ):  # fmt: skip
        part, med = _case(title, plan, plan_file, sc, net, seg, cross or _crossing(plan, seg), tmp)
        lines += part
        meds.append(med)
    i, j = net.node_index(busy[0]), net.node_index(busy[1])
    lat, lon = float((net.lat[i] + net.lat[j]) / 2), float((net.lon[i] + net.lon[j]) / 2)
    t0 = time.perf_counter()
    cli = subprocess.run(
        [str(Path(sys.executable).with_name("senkata")), "replan", str(plan_file), "-s",
         str(SCENARIO), "--at", AT, "--blockade",
         f"id=bench,lat={lat},lon={lon},radius_m=25,status=closed", "--out", str(tmp / "o"),
         "--lang", "en"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    cli_s = time.perf_counter() - t0
    lines += [
        "## One cold `senkata replan` process (repair, the last blockade)",
        "",
        f"- {cli_s:.2f} s wall, exit {cli.returncode}: Python imports (scipy, pydantic, "
        "rich ...), the repair, the independent validator (it rebuilds the points) and "
        "writing plan.json, routes.geojson, summary.csv",
    ]
    out = ROOT / "bench" / "results" / "replan.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
