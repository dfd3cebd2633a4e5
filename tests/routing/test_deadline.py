"""The time limit is kept by a worker process killed at the deadline (issue 11, part 4).

Wall times are measured in ``bench/deadline_bench.py``; these tests check what the guard
returns: the same plan as an unguarded search when the search ends by itself, and the
best plan so far (at worst the warm start) when it is cut.
"""

from __future__ import annotations

import pytest

from logistics.routing import check_solution, savings_routes, solve_cvrp
from logistics.routing import deadline as dl
from logistics.routing import solver as sv
from tests.helpers import D1, D8, bench_module, node_point, plan_for, scenario_dict

compare = bench_module("compare")


@pytest.mark.skipif(not compare.INSTANCES.exists(), reason="../shared/bench/instances missing")
def test_a_search_that_ends_by_itself_gives_the_unguarded_answer() -> None:
    # the solution budget ends the search first: guarded and in-process are the same
    inst = compare.truncate(compare.load_benchmark("X-n101-k25"), 30)
    start = savings_routes(inst)
    a = solve_cvrp(inst, 30.0, solution_limit=40, initial_routes=start, guard=True)
    b = solve_cvrp(inst, 30.0, solution_limit=40, initial_routes=start, guard=False)
    assert a.info["deadline"] == "finished" and b.info["deadline"] == "unguarded"
    assert a.routes == b.routes and a.cost == b.cost
    assert check_solution(inst, a.routes).ok


def test_a_search_cut_at_once_returns_its_warm_start(net, monkeypatch) -> None:
    # the worker is killed before it can send anything: the plan is the warm start's,
    # and the validator passes it at the true times
    monkeypatch.setattr(sv, "hard_deadline", lambda t0, limit: t0)
    pts = [node_point(net, o, f"d8-{i}", households=300) for i, o in enumerate(D8[:3])]
    pts += [node_point(net, o, f"d1-{i}", households=300) for i, o in enumerate(D1)]
    d = scenario_dict(pts, trucks=2, stock=5000, max_hours=4, time_limit_s=5)
    d["allocation"] = "max-min"
    _, _, plan = plan_for(d, net)  # validated inside
    assert plan.solver.hit_time_limit
    assert plan.delivered >= 1500  # the fair start: every district's floor, then the rest
    assert dl.KILL_SHARE + dl.KILL_EXTRA_S / 10 <= 0.1  # the kill leaves room in 10 % + 1 s
