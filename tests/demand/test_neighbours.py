"""Households of an area without a point queue at a neighbouring area's point.

End to end on the real map: a point in District 4, 155 m from District 5, carries the
District 5 households within 1 km once ``demand.walk_to_neighbour_m`` allows it; a junta
delegate of either district may then ride there, and the validator agrees.
"""

from __future__ import annotations

import pytest

from logistics.model import scenario_from_dict
from logistics.routing import build_problem
from tests.helpers import node_point, plan_for, roster, scenario_dict, visited_ids

#: A road node of District 4 (Av. Costanera), 155 m from District 5.
D4_NEAR_D5 = 1348902936


def _scenario(net, walk: float | None, district: str) -> dict:
    d = scenario_dict(
        [node_point(net, D4_NEAR_D5, "d4", households=100)],
        guards=roster(1, ((district, 1),)),
        scope="own-district",
    )
    d["demand"]["cylinders_per_household"] = 0.02
    if walk is not None:
        d["demand"]["walk_to_neighbour_m"] = walk
    return d


def test_without_walking_a_district_5_delegate_cannot_ride_to_district_4(net):
    problem = build_problem(scenario_from_dict(_scenario(net, None, "Distrito 5")), net=net)
    (p,) = problem.points
    assert p.carries == {} and p.households == 100
    assert problem.pre_unserved == {"d4": "no-guard"}


def test_walkers_make_the_point_theirs_too(net):
    _sc, problem, plan = plan_for(_scenario(net, 1000, "Distrito 5"), net)
    (p,) = problem.points
    # every area without a point of its own sends its households within 1 km here
    assert p.carries["Distrito 5"] > 100
    assert p.households == pytest.approx(100 + sum(p.carries.values()))
    assert p.ration == round(p.households * 0.02)
    assert {"distrito 4", "distrito 5"} <= p.area_names()
    assert p.district == "Distrito 4"  # it stays a District 4 point
    # the District 5 delegate rides to it, and the independent validator accepts that
    assert visited_ids(plan) == {"d4"} and plan.delivered == p.ration


def test_walk_of_zero_metres_carries_nobody(net):
    problem = build_problem(scenario_from_dict(_scenario(net, 0, "Distrito 4")), net=net)
    (p,) = problem.points
    assert p.carries == {} and p.households == 100
