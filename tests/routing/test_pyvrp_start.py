"""The PyVRP warm start (``solver.warm_start: pyvrp``) keeps every mission rule.

PyVRP routes what the greedy start selected; OR-Tools searches on from its routes with
all rules. The plans must pass the independent validator, stay within the stock and the
fair-share caps, and keep junta delegates in their own districts.
"""

from __future__ import annotations

import pytest

from tests.helpers import D2, D8, node_point, plan_for, roster, scenario_dict

G8 = "El Alto / Distrito 8"
G2 = "El Alto / Distrito 2"


def _scenario(net, allocation: str, warm_start: str = "pyvrp") -> dict:
    # 6 points of 60 cylinders, two trucks each guarded for one district, stock 250 < 360
    pts = [node_point(net, o, households=60) for o in D8[:3] + D2[:3]]
    guards = roster(2, [("Distrito 8", 1), ("Distrito 2", 1)])
    d = scenario_dict(
        pts,
        trucks=2,
        capacity=100,
        stock=250,
        guards=guards,
        scope="own-district",
        time_limit_s=3.0,
    )
    d["allocation"] = allocation
    d["solver"]["warm_start"] = warm_start
    return d


@pytest.mark.parametrize("allocation", ["max-delivered", "proportional"])
def test_pyvrp_start_keeps_stock_caps_and_commissions(net, allocation):
    sc, _, plan = plan_for(_scenario(net, allocation), net)  # validated inside
    assert plan.solver.warm_start == "pyvrp"
    assert plan.delivered <= 250
    got = {g.group: g.delivered for g in plan.groups}
    if allocation == "proportional":
        # equal rations: each district's share is half the stock
        assert got[G8] <= 125 and got[G2] <= 125
        assert got[G8] + got[G2] >= 200
    else:
        assert plan.delivered == 240  # four whole rations of 60 fit in the stock of 250
    districts = {p: g.district for g in sc.guards.roster if g.district for p in g.person_ids()}
    for truck in plan.trucks_used:
        (mine,) = {f"El Alto / {districts[m]}" for m in truck.members if m in districts}
        assert all(s.group == mine for t in truck.trips for s in t.stops)


def test_greedy_is_the_default_and_recorded(net):
    d = _scenario(net, "max-delivered")
    del d["solver"]["warm_start"]
    _, _, plan = plan_for(d, net)
    assert plan.solver.warm_start == "greedy"
    assert plan.delivered == 240


def test_pyvrp_start_without_binding_stock_offers_every_drop(net):
    d = _scenario(net, "max-delivered")
    d["plants"][0]["stock"] = 5000
    _, _, plan = plan_for(d, net)
    assert plan.solver.warm_start == "pyvrp"
    assert plan.delivered == 360 and not plan.unserved


def test_pyvrp_start_same_seed_same_plan(net):
    """Within its iteration budget PyVRP is deterministic, and so is the plan."""
    d = _scenario(net, "max-delivered")
    d["solver"].update(time_limit_s=20.0, pyvrp_iterations=300)
    _, _, p1 = plan_for(d, net)
    _, _, p2 = plan_for(d, net)
    assert p1.solver.warm_start == p2.solver.warm_start == "pyvrp"
    assert not p1.solver.hit_time_limit and not p2.solver.hit_time_limit
    assert p1.plan_id() == p2.plan_id()
