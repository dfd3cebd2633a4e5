"""Fair policies when the fleet and the hours bind, not the stock (issue 11, part 2)."""

from __future__ import annotations

import pytest

from logistics.plan.fair_check import check_fair_zero
from tests.helpers import D1, D8, node_point, plan_for, scenario_dict

D8_NAME, D1_NAME = "El Alto / Distrito 8", "El Alto / Distrito 1"


def _fleet_bound(net, policy: str) -> dict:
    """Stock for everyone, but one truck of 300 and 2 working hours: two trips at most.

    Distrito 8 (three points on RN1 next to the plant, 900 cylinders) and Distrito 1 (two
    points far up Av. 6 de Marzo, 600 cylinders).
    """
    pts = [node_point(net, o, f"d8-{i}", households=300) for i, o in enumerate(D8[:3])]
    pts += [node_point(net, o, f"d1-{i}", households=300) for i, o in enumerate(D1)]
    d = scenario_dict(pts, trucks=1, stock=5000, max_hours=2, loading_minutes=20, time_limit_s=3)
    d["allocation"] = policy
    return d


def _shares(plan) -> dict[str, float]:
    return {g.group: g.share for g in plan.groups if g.reachable}


def test_max_delivered_leaves_the_far_district_at_zero_when_the_fleet_binds(net):
    _, _, plan = plan_for(_fleet_bound(net, "max-delivered"), net)
    assert _shares(plan)[D1_NAME] == 0.0  # the unfairness the fair policies must correct
    assert plan.delivered == 600


@pytest.mark.parametrize("policy", ["max-min", "proportional"])
def test_fair_policies_serve_the_far_district_when_the_fleet_binds(net, policy):
    sc, _, plan = plan_for(_fleet_bound(net, policy), net)
    shares = _shares(plan)
    # the best common share: two truckloads (600) over 1,500 cylinders of ration = 40 %;
    # within one drop (100 cylinders) of it for each district
    assert shares[D1_NAME] >= 0.4 - 100 / 600 - 1e-9
    assert shares[D8_NAME] >= 0.4 - 100 / 900 - 1e-9
    if policy == "proportional":  # equal shares, within one drop
        assert abs(shares[D1_NAME] - shares[D8_NAME]) <= 100 / 600 + 1e-9
    else:  # max-min also delivers what the trucks can carry
        assert plan.delivered == 600
    assert check_fair_zero(plan, sc, net) == []
