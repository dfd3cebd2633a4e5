"""The solver comparison harness (bench/compare.py) on two small instances.

Each solver (ours = the planner's OR-Tools core, PyVRP, VROOM) runs 1 s on a 25-customer
Solomon VRPTW prefix and a 30-customer CVRPLIB X prefix; every solution must pass our own
checker and the solver-reported cost must equal the recomputed one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from logistics.routing import (
    VRPInstance,
    check_solution,
    savings_routes,
    search_parameters,
    solve_cvrp,
)

ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 1.0


def _load_compare():
    spec = importlib.util.spec_from_file_location("bench_compare", ROOT / "bench" / "compare.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_compare"] = mod
    spec.loader.exec_module(mod)
    return mod


compare = _load_compare()
pytestmark = pytest.mark.skipif(
    not compare.INSTANCES.exists(), reason="../shared/bench/instances not available"
)


@pytest.fixture(scope="module", params=[("C101", 25), ("X-n101-k25", 30)], ids=str)
def small(request) -> VRPInstance:
    name, k = request.param
    return compare.truncate(compare.load_benchmark(name), k)


@pytest.mark.parametrize("solver", compare.SOLVERS)
def test_solver_feasible_and_cost_matches(small: VRPInstance, solver: str) -> None:
    sol = compare.RUNNERS[solver](small, LIMIT_S, 1)
    chk = check_solution(small, sol.routes)
    assert chk.ok, chk.violations
    assert sol.feasible
    assert sol.cost == chk.cost
    ev = compare.evaluate(small, sol)
    assert ev["ok"], ev["problems"]
    assert ev["cost"] == chk.cost / small.scale


def test_run_one_table(small: VRPInstance, tmp_path: Path) -> None:
    row = compare.run_one(small, LIMIT_S)
    for s in compare.SOLVERS:
        assert row[f"{s}_ok"], row[f"{s}_problems"]
        assert row[f"{s}_reported"] == row[f"{s}_int_cost"]
    assert row["ours_over_pyvrp"] == pytest.approx(row["ours_cost"] / row["pyvrp_cost"])
    compare.write_outputs([row], tmp_path / "cmp", "test", compare.SOLVERS)
    md = (tmp_path / "cmp.md").read_text()
    assert small.name in md and "ours / PyVRP" in md
    assert (tmp_path / "cmp.csv").read_text().startswith("instance,")


def test_checker_catches_violations() -> None:
    inst = compare.truncate(compare.load_benchmark("C101"), 10)
    good = compare.RUNNERS["ours"](inst, 0.5, 1)
    assert check_solution(inst, good.routes).ok
    flat = [c for r in good.routes for c in r]
    assert not check_solution(inst, [flat[:-1]]).ok  # one customer missing
    assert not check_solution(inst, [flat, [flat[0]]]).ok  # duplicate (and late)
    rev = [list(reversed(r)) for r in good.routes if len(r) > 3]
    assert any(not check_solution(inst, [r]).ok for r in rev)  # C101 windows are tight
    heavy = VRPInstance(
        name="t", dist=inst.dist, demand=inst.demand, capacity=10, n_vehicles=inst.n_vehicles
    )
    assert any("capacity" in v for v in check_solution(heavy, [flat]).violations)


def test_dimacs_truncation_and_rounding() -> None:
    c = np.array([[0, 0], [3, 4], [1, 1]])
    t = compare.euclid_truncated_tenths(c)
    assert t[0, 1] == 50 and t[0, 2] == 14  # 5.0 and 1.414 -> 1.4
    r = compare.euclid_rounded(np.array([[0.0, 0.0], [0.0, 2.5], [1.0, 1.0]]))
    assert r[0, 1] == 3 and r[0, 2] == 1
    c101 = compare.load_benchmark("C101")
    assert c101.scale == 10 and c101.time_windows is not None
    assert c101.service is not None and c101.service[0] == 0 and c101.service[1] == 900


def test_core_api_and_warm_start() -> None:
    params = search_parameters(3.0, 50)
    assert params.time_limit.seconds == 3 and params.solution_limit == 50
    inst = compare.truncate(compare.load_benchmark("X-n101-k25"), 20)
    init = savings_routes(inst)
    assert check_solution(inst, init).ok
    sol = solve_cvrp(inst, 0.5, initial_routes=init)
    assert sol.info["warm_start"]
    chk = check_solution(inst, sol.routes)
    assert chk.ok and chk.cost == sol.cost <= check_solution(inst, init).cost


def test_quick_cli(tmp_path: Path) -> None:
    assert compare.main(["--quick", "--out", str(tmp_path / "q")]) == 0
    rows = (tmp_path / "q.csv").read_text().splitlines()
    assert len(rows) == 3  # header + two instances
    md = (tmp_path / "q.md").read_text()
    assert "**NO**" not in md and "Check failures" not in md


def test_hybrid_starts_from_pyvrp_and_only_improves(tmp_path: Path) -> None:
    inst = compare.truncate(compare.load_benchmark("X-n101-k25"), 40)
    sol = compare.RUNNERS["hybrid"](inst, 1.5, 1)
    assert sol.info["warm_start"]  # OR-Tools accepted PyVRP's routes as its start
    chk = check_solution(inst, sol.routes)
    assert chk.ok and chk.cost == sol.cost <= sol.info["pyvrp_cost"]


def test_merge_split_runs(tmp_path: Path) -> None:
    parts = []
    for name in ("X-n101-k25", "C101"):  # bks.csv lists C101 first
        inst = compare.truncate(compare.load_benchmark(name), 12)
        inst.name = name  # as in a full run, so the merge can order the rows
        row = compare.run_one(inst, 0.3, ("ours", "vroom"))
        parts.append(tmp_path / name)
        compare.write_outputs([row], parts[-1], "part", ("ours", "vroom"))
    out = tmp_path / "all"
    argv = ["--merge", *(str(p.with_suffix(".csv")) for p in parts), "--out", str(out)]
    assert compare.main(argv) == 0
    rows = compare.read_rows(out.with_suffix(".csv"))
    assert [r["instance"] for r in rows] == ["C101", "X-n101-k25"]
    assert all(r["ours_ok"] is True and r["ours_int_cost"] == r["ours_reported"] for r in rows)
    assert rows[0]["ours_over_vroom"] == pytest.approx(rows[0]["ours_cost"] / rows[0]["vroom_cost"])
    md = out.with_suffix(".md").read_text()
    assert "mean ours / VROOM" in md and "hybrid" not in md
